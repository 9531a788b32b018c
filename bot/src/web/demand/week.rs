//! The hour-of-week grid that demand is counted on: [`HourOfWeek`] (Monday 00:00 =
//! 0 .. Sunday 23:00 = 167, in a site's local time), a set of such hours
//! ([`WeekHours`]), the counts of one cell ([`Counts`]) and the grid of a site or of
//! all sites ([`WeekGrid`], built by [`week_grid`]).
//!
//! Hours are wall-clock hours, as the dispatcher's statistics count them: on the
//! night clocks go back, two real hours fall into the same cell, and on the night
//! they spring forward one cell of that week stays empty. Over weeks of data that is
//! the honest answer to "when do officers ask", and it keeps every site's grid on the
//! same 168 cells whatever its zone.

use chrono::Weekday;
use handoff_schedules::SiteId;

/// Hours in a week: the cells of the grid.
pub(crate) const HOURS_IN_WEEK: u8 = 168;

/// One hour of the local week: Monday 00:00-01:00 is 0, Sunday 23:00-24:00 is 167.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub(crate) struct HourOfWeek(u8);

const DAY_NAMES: [&str; 7] = ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"];

impl HourOfWeek {
    /// The hour numbered `index`, if it is one of the week's 168.
    pub(crate) fn new(index: u32) -> Option<HourOfWeek> {
        u8::try_from(index)
            .ok()
            .filter(|i| *i < HOURS_IN_WEEK)
            .map(HourOfWeek)
    }

    /// `hour` (0..24) of `day`.
    pub(crate) fn at(day: Weekday, hour: u8) -> Option<HourOfWeek> {
        (hour < 24).then(|| HourOfWeek(day.num_days_from_monday() as u8 * 24 + hour))
    }

    /// The hour of the week of an instant in a site's zone, counted exactly as the
    /// dispatcher's statistics count it, so cells filled from either agree.
    #[cfg(test)]
    pub(crate) fn of(at: chrono::DateTime<chrono::Utc>, tz: chrono_tz::Tz) -> HourOfWeek {
        let index = handoff_dispatcher::stats::hour_of_week(at, tz);
        HourOfWeek::new(index).unwrap_or(HourOfWeek(0))
    }

    pub(crate) fn index(self) -> usize {
        usize::from(self.0)
    }

    /// 0 for Monday .. 6 for Sunday.
    pub(crate) fn day_index(self) -> usize {
        usize::from(self.0 / 24)
    }

    /// The hour of the day, 0..24.
    pub(crate) fn hour(self) -> u8 {
        self.0 % 24
    }

    /// The hour `steps` later, wrapping from Sunday night into Monday morning.
    pub(crate) fn plus(self, steps: u32) -> HourOfWeek {
        let index = (u32::from(self.0) + steps % 168) % 168;
        HourOfWeek::new(index).unwrap_or(self)
    }

    /// The hour `steps` earlier, wrapping from Monday morning back into Sunday night.
    pub(crate) fn minus(self, steps: u32) -> HourOfWeek {
        self.plus(168 - steps % 168)
    }

    /// Every hour of the week, in order.
    pub(crate) fn all() -> impl Iterator<Item = HourOfWeek> {
        (0..HOURS_IN_WEEK).map(HourOfWeek)
    }

    /// `Mon 08:00-09:00`.
    pub(crate) fn label(self) -> String {
        format!(
            "{} {:02}:00-{:02}:00",
            day_name(self.day_index()),
            self.hour(),
            self.hour() + 1
        )
    }
}

/// `Mon` .. `Sun` for 0..6.
pub(crate) fn day_name(index: usize) -> &'static str {
    DAY_NAMES.get(index).copied().unwrap_or("?")
}

/// A set of hours of the week.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Default)]
pub(crate) struct WeekHours([u64; 3]);

impl WeekHours {
    pub(crate) fn insert(&mut self, hour: HourOfWeek) {
        let (word, bit) = (hour.index() / 64, hour.index() % 64);
        if let Some(w) = self.0.get_mut(word) {
            *w |= 1 << bit;
        }
    }

    pub(crate) fn contains(&self, hour: HourOfWeek) -> bool {
        let (word, bit) = (hour.index() / 64, hour.index() % 64);
        self.0.get(word).is_some_and(|w| w & (1 << bit) != 0)
    }

    /// How many hours the set holds.
    pub(crate) fn len(&self) -> u32 {
        self.0.iter().map(|w| w.count_ones()).sum()
    }

    /// The hours in the set, Monday morning first.
    pub(crate) fn iter(&self) -> impl Iterator<Item = HourOfWeek> + '_ {
        HourOfWeek::all().filter(|h| self.contains(*h))
    }

    /// The hours of `self` that are not in `other`.
    pub(crate) fn without(&self, other: &WeekHours) -> WeekHours {
        let mut out = *self;
        for (word, other_word) in out.0.iter_mut().zip(other.0) {
            *word &= !other_word;
        }
        out
    }
}

impl FromIterator<HourOfWeek> for WeekHours {
    fn from_iter<I: IntoIterator<Item = HourOfWeek>>(hours: I) -> WeekHours {
        let mut set = WeekHours::default();
        for hour in hours {
            set.insert(hour);
        }
        set
    }
}

/// The requests of one cell, by how they ended up.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub(crate) struct Counts {
    /// Someone accepted.
    pub covered: u64,
    /// The site was open and nobody accepted.
    pub unanswered: u64,
    /// The site was closed and nobody accepted.
    pub out_of_hours: u64,
}

impl Counts {
    pub(crate) fn total(&self) -> u64 {
        self.covered
            .saturating_add(self.unanswered)
            .saturating_add(self.out_of_hours)
    }

    /// Requests nobody accepted, open or closed.
    pub(crate) fn not_answered(&self) -> u64 {
        self.unanswered.saturating_add(self.out_of_hours)
    }

    fn add(&mut self, other: Counts) {
        self.covered = self.covered.saturating_add(other.covered);
        self.unanswered = self.unanswered.saturating_add(other.unanswered);
        self.out_of_hours = self.out_of_hours.saturating_add(other.out_of_hours);
    }
}

/// One cell of demand as the store reports it: a site's requests in one local hour
/// of the week, over the date range asked about.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct DemandCell {
    pub site: SiteId,
    pub hour: HourOfWeek,
    pub counts: Counts,
}

/// The counts of all 168 hours of the week.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct WeekGrid {
    cells: Vec<Counts>,
}

impl Default for WeekGrid {
    fn default() -> WeekGrid {
        WeekGrid {
            cells: vec![Counts::default(); usize::from(HOURS_IN_WEEK)],
        }
    }
}

impl WeekGrid {
    pub(crate) fn get(&self, hour: HourOfWeek) -> Counts {
        self.cells.get(hour.index()).copied().unwrap_or_default()
    }

    pub(crate) fn add(&mut self, hour: HourOfWeek, counts: Counts) {
        if let Some(cell) = self.cells.get_mut(hour.index()) {
            cell.add(counts);
        }
    }

    /// Every hour with its counts, Monday morning first.
    pub(crate) fn iter(&self) -> impl Iterator<Item = (HourOfWeek, Counts)> + '_ {
        HourOfWeek::all().map(|h| (h, self.get(h)))
    }

    /// The sum over the week.
    pub(crate) fn totals(&self) -> Counts {
        let mut sum = Counts::default();
        for counts in &self.cells {
            sum.add(*counts);
        }
        sum
    }

    /// Whether no request at all falls in the grid.
    pub(crate) fn is_empty(&self) -> bool {
        self.totals().total() == 0
    }
}

/// The hour-of-week grid of one site (`Some`) or of all sites together (`None`):
/// each cell is already in its own site's local time, so the sum reads as "at 8 am
/// local, wherever".
pub(crate) fn week_grid(cells: &[DemandCell], site: Option<&SiteId>) -> WeekGrid {
    let mut grid = WeekGrid::default();
    for cell in cells
        .iter()
        .filter(|c| site.is_none_or(|site| c.site == *site))
    {
        grid.add(cell.hour, cell.counts);
    }
    grid
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::{DateTime, Utc};
    use chrono_tz::America::New_York;

    fn at(text: &str) -> DateTime<Utc> {
        DateTime::parse_from_rfc3339(text).unwrap().to_utc()
    }

    fn site(id: &str) -> SiteId {
        SiteId::parse(id).unwrap()
    }

    fn counts(covered: u64, unanswered: u64, out_of_hours: u64) -> Counts {
        Counts {
            covered,
            unanswered,
            out_of_hours,
        }
    }

    #[test]
    fn hours_of_the_week_are_numbered_from_monday_midnight() {
        assert_eq!(HourOfWeek::at(Weekday::Mon, 0), HourOfWeek::new(0));
        assert_eq!(HourOfWeek::at(Weekday::Sun, 23), HourOfWeek::new(167));
        assert_eq!(HourOfWeek::new(168), None);
        assert_eq!(HourOfWeek::at(Weekday::Tue, 24), None);
        let friday_ten_pm = HourOfWeek::new(4 * 24 + 22).unwrap();
        assert_eq!(friday_ten_pm.label(), "Fri 22:00-23:00");
        assert_eq!(friday_ten_pm.hour(), 22);
        assert_eq!(friday_ten_pm.day_index(), 4);
    }

    #[test]
    fn stepping_past_sunday_night_wraps_into_monday_morning() {
        let last = HourOfWeek::new(167).unwrap();
        assert_eq!(last.plus(1).index(), 0);
        assert_eq!(last.plus(3).index(), 2);
        assert_eq!(HourOfWeek::new(0).unwrap().minus(1).index(), 167);
        assert_eq!(HourOfWeek::new(5).unwrap().minus(168 + 2).index(), 3);
    }

    #[test]
    fn the_hour_of_an_instant_is_read_on_the_sites_wall_clock_across_both_dst_changes() {
        for (instant, expected) in [
            // Saturday 2026-03-07 23:30 EST.
            ("2026-03-08T04:30:00Z", 5 * 24 + 23),
            // Spring forward: 01:59 EST is followed by 03:00 EDT.
            ("2026-03-08T06:30:00Z", 6 * 24 + 1),
            ("2026-03-08T07:30:00Z", 6 * 24 + 3),
            // Fall back: 01:30 EDT and 01:30 EST are the same cell.
            ("2026-11-01T05:30:00Z", 6 * 24 + 1),
            ("2026-11-01T06:30:00Z", 6 * 24 + 1),
            ("2026-11-01T07:30:00Z", 6 * 24 + 2),
            // Monday 2026-11-02 00:10 EST.
            ("2026-11-02T05:10:00Z", 0),
        ] {
            assert_eq!(
                HourOfWeek::of(at(instant), New_York).index(),
                expected,
                "{instant}"
            );
        }
    }

    #[test]
    fn a_set_of_hours_counts_and_lists_its_members() {
        let hours: WeekHours = [0, 63, 64, 127, 128, 167]
            .into_iter()
            .filter_map(HourOfWeek::new)
            .collect();
        assert_eq!(hours.len(), 6);
        let listed: Vec<usize> = hours.iter().map(HourOfWeek::index).collect();
        assert_eq!(listed, vec![0, 63, 64, 127, 128, 167]);
        let some: WeekHours = [63, 128].into_iter().filter_map(HourOfWeek::new).collect();
        let rest: Vec<usize> = hours.without(&some).iter().map(|h| h.index()).collect();
        assert_eq!(rest, vec![0, 64, 127, 167]);
        assert_eq!(WeekHours::default().len(), 0);
    }

    #[test]
    fn a_grid_sums_one_site_or_all_sites_cell_by_cell() {
        let eight = HourOfWeek::new(8).unwrap();
        let nine = HourOfWeek::new(9).unwrap();
        let cells = vec![
            DemandCell {
                site: site("north"),
                hour: eight,
                counts: counts(3, 1, 0),
            },
            DemandCell {
                site: site("south"),
                hour: eight,
                counts: counts(1, 0, 2),
            },
            DemandCell {
                site: site("north"),
                hour: nine,
                counts: counts(0, 0, 4),
            },
        ];
        let north = week_grid(&cells, Some(&site("north")));
        assert_eq!(north.get(eight), counts(3, 1, 0));
        assert_eq!(north.totals(), counts(3, 1, 4));
        let all = week_grid(&cells, None);
        assert_eq!(all.get(eight), counts(4, 1, 2));
        assert_eq!(all.get(eight).not_answered(), 3);
        assert_eq!(all.totals().total(), 11);
        assert!(week_grid(&cells, Some(&site("east"))).is_empty());
        assert!(!all.is_empty());
    }

    #[test]
    fn counts_saturate_instead_of_overflowing() {
        let mut grid = WeekGrid::default();
        let hour = HourOfWeek::new(0).unwrap();
        grid.add(hour, counts(u64::MAX, 1, 1));
        grid.add(hour, counts(1, 0, 0));
        assert_eq!(grid.get(hour).covered, u64::MAX);
        assert_eq!(grid.get(hour).total(), u64::MAX);
    }
}

//! "What to staff next": blocks of hours a site could add to its operating hours,
//! each with the past requests it would have covered and what it would cost.
//!
//! Candidates are every block of 1 to N hours right before an opening or right
//! after a closing of the site's regular week (see `regular`), plus any block the
//! project manager typed in. A block covers the requests nobody accepted in the
//! hours it adds: out-of-hours ones, and unanswered ones where the site was open
//! then but is closed now. Hours of a typed block the site already keeps are not
//! counted, neither in requests nor in cost: staffing them is not an extension.
//!
//! Cost is in staff-hours a week: hours added in a typical week times the
//! case managers the site keeps on duty at once (`RegularWeek::staff_at_once`).
//! Hours are wall-clock hours, so the block costs one hour less or more in the two
//! weeks a year the clocks change; a weekly budget is not planned on those.

use chrono::NaiveDate;
use handoff_schedules::SiteId;

use super::blocks::{Block, Origin};
use super::regular::RegularWeek;
use super::week::{DemandCell, HourOfWeek, WeekGrid, WeekHours, day_name, week_grid};

/// The longest block proposed next to the current hours: half a day either side is
/// more than any program adds at once, and keeps a block's label (`Sat 07:00-08:00`,
/// start day only) unambiguous.
pub(crate) const MAX_BLOCK_HOURS: u32 = 12;

/// The local dates the demand was counted over, both included.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct DemandRange {
    first: NaiveDate,
    last: NaiveDate,
}

impl DemandRange {
    /// `None` when `last` is before `first`.
    pub(crate) fn new(first: NaiveDate, last: NaiveDate) -> Option<DemandRange> {
        (first <= last).then_some(DemandRange { first, last })
    }

    pub(crate) fn first(&self) -> NaiveDate {
        self.first
    }

    pub(crate) fn last(&self) -> NaiveDate {
        self.last
    }

    /// Days in the range, the last one included.
    pub(crate) fn days(&self) -> u32 {
        u32::try_from((self.last - self.first).num_days().saturating_add(1)).unwrap_or(u32::MAX)
    }
}

/// One block at one site, with what it would have covered and what it costs.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Candidate {
    pub site: SiteId,
    pub site_name: String,
    pub block: Block,
    /// Hours of the block the site keeps closed now: what the extension adds.
    pub added_hours: u32,
    pub staff_at_once: u32,
    /// `added_hours` × `staff_at_once`.
    pub staff_hours_per_week: u32,
    /// Requests in the added hours while the site was closed.
    pub out_of_hours: u64,
    /// Requests in the added hours while the site was open and nobody accepted.
    pub unanswered: u64,
    /// Days of demand the counts come from.
    pub range_days: u32,
}

impl Candidate {
    /// The past requests the block would have covered.
    pub(crate) fn requests_covered(&self) -> u64 {
        self.out_of_hours.saturating_add(self.unanswered)
    }

    /// Requests covered in an average week of the range.
    pub(crate) fn requests_per_week(&self) -> f64 {
        self.requests_covered() as f64 * 7.0 / f64::from(self.range_days.max(1))
    }

    /// Requests covered in an average week for each staff-hour it costs; `None` for a
    /// block that adds no hours.
    pub(crate) fn requests_per_staff_hour(&self) -> Option<f64> {
        (self.staff_hours_per_week > 0)
            .then(|| self.requests_per_week() / f64::from(self.staff_hours_per_week))
    }
}

/// The candidates of every site, best first: most requests covered, then fewest
/// staff-hours, then by site and hour so the order never depends on the input's.
/// `longest` is N, the longest adjacent block proposed (clamped to
/// 1..=[`MAX_BLOCK_HOURS`]); every typed block is tried at every site, and replaces
/// an adjacent one with the same hours.
pub(crate) fn staff_next(
    sites: &[RegularWeek],
    cells: &[DemandCell],
    typed: &[Block],
    range: DemandRange,
    longest: u32,
) -> Vec<Candidate> {
    let longest = longest.clamp(1, MAX_BLOCK_HOURS);
    let mut out = Vec::new();
    for site in sites {
        let grid = week_grid(cells, Some(&site.site));
        let mut blocks = adjacent_blocks(&site.open, longest);
        for block in typed {
            blocks.retain(|b| b.hours != block.hours);
            blocks.push(block.clone());
        }
        out.extend(
            blocks
                .into_iter()
                .map(|block| candidate(site, &grid, block, range)),
        );
    }
    out.sort_by(|a, b| {
        b.requests_covered()
            .cmp(&a.requests_covered())
            .then(a.staff_hours_per_week.cmp(&b.staff_hours_per_week))
            .then_with(|| a.site.cmp(&b.site))
            .then_with(|| {
                a.block
                    .hours
                    .iter()
                    .next()
                    .cmp(&b.block.hours.iter().next())
            })
            .then_with(|| a.block.label.cmp(&b.block.label))
    });
    out
}

fn candidate(site: &RegularWeek, grid: &WeekGrid, block: Block, range: DemandRange) -> Candidate {
    let added = block.hours.without(&site.open);
    let (mut out_of_hours, mut unanswered) = (0u64, 0u64);
    for hour in added.iter() {
        let counts = grid.get(hour);
        out_of_hours = out_of_hours.saturating_add(counts.out_of_hours);
        unanswered = unanswered.saturating_add(counts.unanswered);
    }
    Candidate {
        site: site.site.clone(),
        site_name: site.name.clone(),
        added_hours: added.len(),
        staff_at_once: site.staff_at_once,
        staff_hours_per_week: added.len().saturating_mul(site.staff_at_once),
        out_of_hours,
        unanswered,
        range_days: range.days(),
        block,
    }
}

/// Every block of 1..=`longest` closed hours that ends at an opening or starts at a
/// closing, each once (a short gap can be filled from either side). None for a site
/// never open or never closed: there is nothing to extend.
fn adjacent_blocks(open: &WeekHours, longest: u32) -> Vec<Block> {
    let mut found: Vec<WeekHours> = Vec::new();
    let mut blocks = Vec::new();
    let mut push = |start: HourOfWeek, length: u32| {
        let hours: WeekHours = (0..length).map(|i| start.plus(i)).collect();
        if !found.contains(&hours) {
            found.push(hours);
            blocks.push(Block {
                label: block_label(start, length),
                hours,
                origin: Origin::Adjacent,
            });
        }
    };
    for hour in HourOfWeek::all() {
        let opens_here = open.contains(hour) && !open.contains(hour.minus(1));
        let closes_here = !open.contains(hour) && open.contains(hour.minus(1));
        for length in 1..=longest {
            if opens_here && (1..=length).all(|i| !open.contains(hour.minus(i))) {
                push(hour.minus(length), length);
            }
            if closes_here && (0..length).all(|i| !open.contains(hour.plus(i))) {
                push(hour, length);
            }
        }
    }
    blocks
}

/// `Sat 07:00-08:00`, `Fri 23:00-01:00`: the start's day, start and end on the
/// wall clock; a block ending at midnight ends at `24:00`. Reads back through
/// `parse_blocks` as the same hours.
fn block_label(start: HourOfWeek, length: u32) -> String {
    let end = (u32::from(start.hour()) + length) % 24;
    let end = if end == 0 { 24 } else { end };
    format!(
        "{} {:02}:00-{end:02}:00",
        day_name(start.day_index()),
        start.hour()
    )
}

#[cfg(test)]
mod tests;

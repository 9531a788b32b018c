//! A site's regular week on the hour-of-week grid: which hours it keeps open, and
//! how many case managers it typically has on duty while open. "What to staff next"
//! proposes hours next to the open ones and prices them with that staffing.
//!
//! The schedule is asked, not re-read: each hour of the week is sampled at its middle
//! (HH:30 local) in [`REFERENCE_WEEKS`] consecutive weeks from the Monday of `now`'s
//! week, with closures left out (a holiday in those weeks is not the regular week),
//! and counts as open when it is open in most of them. Five weeks cover every
//! "first Monday of the month" kind of rule once, and a majority keeps the one
//! sample a clock change moves (02:30 on spring-forward night reads as 03:00) from
//! deciding an hour.

use chrono::{DateTime, Datelike, Days, Duration, NaiveDateTime, NaiveTime, Utc};
use handoff_schedules::{CoverageSegment, Role, SiteId, SiteSchedule, resolve_local, to_local};

use super::week::{HourOfWeek, WeekHours};

/// How many weeks the regular week is sampled from.
pub(crate) const REFERENCE_WEEKS: u32 = 5;

/// A site as the dashboard names it, with its schedule.
#[derive(Debug, Clone, Copy)]
pub(crate) struct SiteRef<'a> {
    pub name: &'a str,
    pub schedule: &'a SiteSchedule,
}

/// A site's regular open hours and the staffing an extension of them would need.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct RegularWeek {
    pub site: SiteId,
    pub name: String,
    pub open: WeekHours,
    /// Case managers on duty at once in a typical open hour: the most common count
    /// over the sampled open hours (ties to the larger, so a cost is never
    /// understated), and 1 when the site has no open hours or no case managers on
    /// them: an extension needs at least one person. The page may overrule it.
    pub staff_at_once: u32,
}

/// The regular week of `site` as its schedule stands at `now`.
pub(crate) fn regular_week(site: SiteRef<'_>, now: DateTime<Utc>) -> RegularWeek {
    let regular = SiteSchedule {
        closures: Vec::new(),
        ..site.schedule.clone()
    };
    let points = sample_points(&regular, now);
    let segments = match (points.first(), points.last()) {
        (Some((_, first)), Some((_, last))) => {
            let after_last = last
                .checked_add_signed(Duration::minutes(1))
                .unwrap_or(*last);
            regular.coverage(*first, after_last)
        }
        _ => Vec::new(),
    };
    let mut open_weeks = [0u32; 168];
    let mut staffing: Vec<u32> = Vec::new();
    for (hour, at) in points {
        let Some(segment) = segment_at(&segments, at).filter(|s| s.open) else {
            continue;
        };
        if let Some(count) = open_weeks.get_mut(hour.index()) {
            *count += 1;
        }
        let on_duty = segment
            .on_duty
            .iter()
            .filter(|(_, role)| *role == Role::CaseManager)
            .count();
        staffing.push(u32::try_from(on_duty).unwrap_or(u32::MAX));
    }
    let open = HourOfWeek::all()
        .filter(|h| {
            open_weeks
                .get(h.index())
                .is_some_and(|n| 2 * n > REFERENCE_WEEKS)
        })
        .collect();
    RegularWeek {
        site: site.schedule.site.clone(),
        name: site.name.to_owned(),
        open,
        staff_at_once: most_common(&staffing).filter(|n| *n > 0).unwrap_or(1),
    }
}

/// The middle of every hour of the reference weeks, as instants, in order. Empty
/// when `now` is so far out that the weeks cannot be represented.
fn sample_points(schedule: &SiteSchedule, now: DateTime<Utc>) -> Vec<(HourOfWeek, DateTime<Utc>)> {
    let tz = schedule.tz;
    let today = to_local(tz, now).date();
    let Some(monday) =
        today.checked_sub_days(Days::new(u64::from(today.weekday().num_days_from_monday())))
    else {
        return Vec::new();
    };
    let first = NaiveDateTime::new(monday, NaiveTime::MIN);
    let mut points = Vec::new();
    for week in 0..REFERENCE_WEEKS {
        for hour in HourOfWeek::all() {
            let offset = Duration::hours(i64::from(week) * 168 + hour.index() as i64)
                + Duration::minutes(30);
            if let Some(local) = first.checked_add_signed(offset) {
                points.push((hour, resolve_local(tz, local)));
            }
        }
    }
    points
}

/// The segment that holds `at`, if any: segments are ordered and do not overlap.
fn segment_at(segments: &[CoverageSegment], at: DateTime<Utc>) -> Option<&CoverageSegment> {
    let index = segments.partition_point(|s| s.span.end <= at);
    segments.get(index).filter(|s| s.span.contains(at))
}

/// The most frequent value, ties to the larger; `None` for no values.
fn most_common(values: &[u32]) -> Option<u32> {
    let mut sorted = values.to_vec();
    sorted.sort_unstable();
    let mut best: Option<(usize, u32)> = None;
    for run in sorted.chunk_by(|a, b| a == b) {
        let (len, value) = (run.len(), run.first().copied().unwrap_or(0));
        if best.is_none_or(|(n, _)| len >= n) {
            best = Some((len, value));
        }
    }
    best.map(|(_, value)| value)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::web::demand::blocks::parse_blocks;
    use crate::web::demand::fixtures::{at, case_manager, closed_on, new_york_site, window};

    fn hours(text: &str) -> WeekHours {
        parse_blocks(text).unwrap()[0].hours
    }

    fn week_of(schedule: &SiteSchedule, now: &str) -> RegularWeek {
        regular_week(
            SiteRef {
                name: "Downtown",
                schedule,
            },
            at(now),
        )
    }

    #[test]
    fn the_regular_week_holds_the_operating_hours_and_the_usual_staffing() {
        let mut site = new_york_site(&[window("mon-fri", "08:00", "18:00")]);
        site.shifts = vec![
            case_manager("dana", window("mon-fri", "08:00", "18:00")),
            case_manager("eli", window("mon-fri", "08:00", "18:00")),
            case_manager("fay", window("mon-fri", "08:00", "12:00")),
        ];
        let week = week_of(&site, "2026-01-14T15:00:00Z");
        assert_eq!(week.open, hours("mon-fri 08:00-18:00"));
        assert_eq!(week.staff_at_once, 2);
        assert_eq!(week.name, "Downtown");
        assert_eq!(week.site.as_str(), "downtown");
    }

    #[test]
    fn the_regular_week_is_the_same_in_the_weeks_the_clocks_change() {
        let site = new_york_site(&[
            window("mon-fri", "08:00", "24:00"),
            window("sat,sun", "00:00", "03:00"),
        ]);
        let expected = {
            let mut open = hours("mon-fri 08:00-24:00");
            for hour in hours("sat,sun 00:00-03:00").iter() {
                open.insert(hour);
            }
            open
        };
        for now in [
            "2026-01-14T15:00:00Z",
            // Sunday 2026-03-08 01:30 EST, the night clocks spring forward.
            "2026-03-08T06:30:00Z",
            // Sunday 2026-11-01 01:30 EDT, the night they fall back.
            "2026-11-01T05:30:00Z",
        ] {
            assert_eq!(week_of(&site, now).open, expected, "{now}");
        }
    }

    #[test]
    fn a_holiday_in_the_sampled_weeks_does_not_close_its_weekday() {
        let mut site = new_york_site(&[window("mon-fri", "08:00", "18:00")]);
        site.closures = vec![closed_on("2026-11-26")];
        let week = week_of(&site, "2026-11-24T15:00:00Z");
        assert_eq!(week.open, hours("mon-fri 08:00-18:00"));
    }

    #[test]
    fn a_site_that_never_opens_has_no_open_hours_and_counts_one_person() {
        let site = new_york_site(&[]);
        let week = week_of(&site, "2026-01-14T15:00:00Z");
        assert_eq!(week.open.len(), 0);
        assert_eq!(week.staff_at_once, 1);
    }

    #[test]
    fn a_site_open_around_the_clock_is_open_every_hour() {
        let site = new_york_site(&[window("daily", "00:00", "24:00")]);
        assert_eq!(week_of(&site, "2026-03-08T06:30:00Z").open.len(), 168);
    }

    #[test]
    fn the_usual_staffing_is_the_most_common_count_and_ties_go_to_the_larger() {
        assert_eq!(most_common(&[1, 2, 2, 3]), Some(2));
        assert_eq!(most_common(&[3, 1, 3, 1]), Some(3));
        assert_eq!(most_common(&[]), None);
    }
}

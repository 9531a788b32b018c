//! A recurring window of wall-clock time in a site's zone: "Mon-Fri 08:00-24:00",
//! "daily 22:00-06:00" (crossing midnight), or "from `0 8 * * 1` until 17:00".
//!
//! A window is defined on the wall clock and measured on the real one: 22:00-06:00 is
//! eight hours on most nights, nine on the night clocks go back and seven on the night
//! they spring forward, and it is always one span.

use chrono::{DateTime, Duration, NaiveDate, NaiveDateTime, Utc};
use chrono_tz::Tz;

use crate::bounds;
use crate::interval::Interval;
use crate::local::{ClockTime, at_clock_time, resolve_local, to_local};
use crate::recurrence::Recurrence;

/// A span starts at each match of `starts` and ends at the next `end` on the wall
/// clock after it: the same day if later, else the next day (`24:00` is midnight).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Window {
    pub starts: Recurrence,
    pub end: ClockTime,
}

/// How far before a query's local date a span may start and still reach into it: one
/// day of wall-clock length plus slack for a zone's offset change.
const LOOK_BACK_DAYS: i64 = 2;

impl Window {
    /// The wall-clock spans that start on `date`, at most two: the first start before
    /// the day's `end` (that span ends at it) and the first start at or after it (that
    /// one ends at the next day's). Every later start on the date ends where one of
    /// these does, so its span lies inside theirs and the window's union of spans is
    /// the same without it. This keeps a rule that matches every minute from costing
    /// 1440 spans a day in every query.
    pub fn spans_starting_on(&self, date: NaiveDate) -> Vec<(NaiveDateTime, NaiveDateTime)> {
        // With an end of 24:00 the second part is empty; with 00:00 the first is.
        let parts = [
            (ClockTime::MIDNIGHT, self.end),
            (self.end, ClockTime::END_OF_DAY),
        ];
        let mut out = Vec::with_capacity(2);
        for (from, until) in parts {
            if let Some(start) = self.starts.first_start_between(date, from, until)
                && let Some(end) = wall_clock_end(start, self.end)
            {
                out.push((start, end));
            }
        }
        out
    }

    /// The real-time spans of this window that overlap `[from, to)`, whole (not
    /// clipped), in order. A span that the zone's clock change makes empty (both ends
    /// in the same skipped hour) is left out. Only the years the schedules answer for
    /// are looked at (see `bounds`), so the work is bounded by the days asked about.
    pub fn intervals(&self, tz: Tz, from: DateTime<Utc>, to: DateTime<Utc>) -> Vec<Interval> {
        let Some(range) = Interval::new(from, to) else {
            return Vec::new();
        };
        let Some((from, to)) = bounds::clip(from, to) else {
            return Vec::new();
        };
        let Some(first) = to_local(tz, from)
            .date()
            .checked_sub_signed(Duration::days(LOOK_BACK_DAYS))
        else {
            return Vec::new();
        };
        let last = to_local(tz, to).date();
        let mut out = Vec::new();
        for date in first.iter_days().take_while(|d| *d <= last) {
            for (start, end) in self.spans_starting_on(date) {
                if let Some(span) = Interval::new(resolve_local(tz, start), resolve_local(tz, end))
                    && span.overlaps(&range)
                {
                    out.push(span);
                }
            }
        }
        out.sort();
        out.dedup();
        out
    }

    /// Whether the instant falls inside one of the window's spans.
    pub fn contains(&self, tz: Tz, at: DateTime<Utc>) -> bool {
        at.checked_add_signed(Duration::nanoseconds(1))
            .is_some_and(|next| !self.intervals(tz, at, next).is_empty())
    }
}

/// The next wall-clock `end` after `start`: same day if later, else the next day.
fn wall_clock_end(start: NaiveDateTime, end: ClockTime) -> Option<NaiveDateTime> {
    let same_day = at_clock_time(start.date(), end)?;
    if same_day > start {
        Some(same_day)
    } else {
        bounds::add_local_days(same_day, 1)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::recurrence::Weekdays;

    #[test]
    fn a_window_ending_before_it_starts_crosses_midnight() {
        let start = NaiveDate::from_ymd_opt(2026, 1, 5)
            .unwrap()
            .and_hms_opt(22, 0, 0)
            .unwrap();
        let end = wall_clock_end(start, "06:00".parse().unwrap()).unwrap();
        assert_eq!(end.to_string(), "2026-01-06 06:00:00");
        let until_midnight = wall_clock_end(start, ClockTime::END_OF_DAY).unwrap();
        assert_eq!(until_midnight.to_string(), "2026-01-06 00:00:00");
    }

    #[test]
    fn a_window_of_equal_start_and_end_lasts_a_whole_day() {
        let window = Window {
            starts: Recurrence::Weekly {
                days: Weekdays::EVERY_DAY,
                at: "08:00".parse().unwrap(),
            },
            end: "08:00".parse().unwrap(),
        };
        let date = NaiveDate::from_ymd_opt(2026, 1, 5).unwrap();
        let (start, end) = window.spans_starting_on(date)[0];
        assert_eq!(end - start, Duration::hours(24));
    }
}

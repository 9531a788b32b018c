//! A recurring window of wall-clock time in a site's zone: "Mon-Fri 08:00-24:00",
//! "daily 22:00-06:00" (crossing midnight), or "from `0 8 * * 1` until 17:00".
//!
//! A window is defined on the wall clock and measured on the real one: 22:00-06:00 is
//! eight hours on most nights, nine on the night clocks go back and seven on the night
//! they spring forward, and it is always one span.

use chrono::{DateTime, Duration, NaiveDate, NaiveDateTime, Utc};
use chrono_tz::Tz;

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
    /// The wall-clock spans that start on `date`.
    pub fn spans_starting_on(&self, date: NaiveDate) -> Vec<(NaiveDateTime, NaiveDateTime)> {
        self.starts
            .starts_on(date)
            .into_iter()
            .map(|start| (start, wall_clock_end(start, self.end)))
            .collect()
    }

    /// The real-time spans of this window that overlap `[from, to)`, whole (not
    /// clipped), in order. A span that the zone's clock change makes empty (both ends
    /// in the same skipped hour) is left out.
    pub fn intervals(&self, tz: Tz, from: DateTime<Utc>, to: DateTime<Utc>) -> Vec<Interval> {
        let Some(range) = Interval::new(from, to) else {
            return Vec::new();
        };
        let first = to_local(tz, from).date() - Duration::days(LOOK_BACK_DAYS);
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
        !self
            .intervals(tz, at, at + Duration::nanoseconds(1))
            .is_empty()
    }
}

/// The next wall-clock `end` after `start`: same day if later, else the next day.
fn wall_clock_end(start: NaiveDateTime, end: ClockTime) -> NaiveDateTime {
    let same_day = at_clock_time(start.date(), end);
    if same_day > start {
        same_day
    } else {
        same_day + Duration::days(1)
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
        let end = wall_clock_end(start, "06:00".parse().unwrap());
        assert_eq!(end.to_string(), "2026-01-06 06:00:00");
        let until_midnight = wall_clock_end(start, ClockTime::END_OF_DAY);
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

//! Closures and holidays: local dates on which the site keeps no regular hours, or
//! keeps reduced ones. A closure governs the whole local day (00:00 to 24:00), so an
//! evening window running past midnight into a holiday stops at that midnight.

use chrono::{DateTime, NaiveDate, Utc};
use chrono_tz::Tz;

use crate::bounds;
use crate::interval::Interval;
use crate::local::{ClockTime, at_clock_time, resolve_local, to_local};
use crate::recurrence::CronRule;

/// Which local dates a closure falls on.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ClosureDates {
    /// One date, e.g. Thanksgiving 2026-11-26.
    On(NaiveDate),
    /// Every date from the first to the last, both included.
    Between(NaiveDate, NaiveDate),
    /// Every date on which a cron expression matches, e.g. `0 0 25 12 *` for
    /// Christmas or `0 0 * * 4#4` for the fourth Thursday of every month.
    Matching(CronRule),
}

impl ClosureDates {
    pub fn includes(&self, date: NaiveDate) -> bool {
        match self {
            ClosureDates::On(day) => *day == date,
            ClosureDates::Between(first, last) => *first <= date && date <= *last,
            ClosureDates::Matching(rule) => rule.matches_date(date),
        }
    }
}

/// A holiday or closure. With no `reduced_hours` the site is closed all day; with
/// some, it is open only within them on that day (e.g. Christmas Eve 08:00-14:00).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Closure {
    pub name: String,
    pub dates: ClosureDates,
    /// Wall-clock spans within the day, start before end (`24:00` allowed as an end).
    pub reduced_hours: Vec<(ClockTime, ClockTime)>,
}

impl Closure {
    /// The real-time span of the local day `date` in `tz` (23 or 25 hours on a
    /// day the clocks change).
    pub fn day_span(tz: Tz, date: NaiveDate) -> Option<Interval> {
        Interval::new(
            resolve_local(tz, at_clock_time(date, ClockTime::MIDNIGHT)?),
            resolve_local(tz, at_clock_time(date, ClockTime::END_OF_DAY)?),
        )
    }

    /// The reduced-hours spans on `date` in real time.
    pub fn reduced_spans(&self, tz: Tz, date: NaiveDate) -> Vec<Interval> {
        self.reduced_hours
            .iter()
            .filter_map(|(start, end)| {
                Interval::new(
                    resolve_local(tz, at_clock_time(date, *start)?),
                    resolve_local(tz, at_clock_time(date, *end)?),
                )
            })
            .collect()
    }
}

/// The closure in force on the local date of `at`, if any (the first listed wins).
pub fn closure_at(closures: &[Closure], tz: Tz, at: DateTime<Utc>) -> Option<&Closure> {
    let date = to_local(tz, at).date();
    closures.iter().find(|c| c.dates.includes(date))
}

/// Every instant in `[from, to)` where a closure begins or ends, or its reduced hours
/// do: the places where openness can change because of a closure. Only the years the
/// schedules answer for are looked at (see `bounds`), one check per local date.
pub fn closure_boundaries(
    closures: &[Closure],
    tz: Tz,
    from: DateTime<Utc>,
    to: DateTime<Utc>,
) -> Vec<DateTime<Utc>> {
    let mut out = Vec::new();
    if closures.is_empty() {
        return out;
    }
    let Some((from, to)) = bounds::clip(from, to) else {
        return out;
    };
    let Some(first) = to_local(tz, from).date().pred_opt() else {
        return out;
    };
    let last = to_local(tz, to).date();
    for date in first.iter_days().take_while(|d| *d <= last) {
        if let Some(closure) = closures.iter().find(|c| c.dates.includes(date)) {
            if let Some(day) = Closure::day_span(tz, date) {
                out.extend([day.start, day.end]);
            }
            for span in closure.reduced_spans(tz, date) {
                out.extend([span.start, span.end]);
            }
        }
    }
    out.retain(|t| from <= *t && *t < to);
    out
}

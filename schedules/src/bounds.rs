//! The span of real time the schedules answer for, and the checked steps every
//! query takes through time.
//!
//! Instants outside `[EARLIEST_YEAR, LATEST_YEAR]` are not about a program that runs
//! today, and near the ends of what `chrono` can represent adding a zone's offset or a
//! day overflows. So a query about such an instant answers "closed, nobody on duty"
//! and spans are clipped to the range: bad input can only ever mean no coverage,
//! never a panic.

use chrono::{DateTime, Duration, NaiveDate, NaiveDateTime, NaiveTime, Utc};

/// The first year the schedules answer for.
pub const EARLIEST_YEAR: i32 = 1900;
/// The last year the schedules answer for.
pub const LATEST_YEAR: i32 = 2199;

/// The first instant answered for: 1900-01-01T00:00Z.
pub fn earliest() -> DateTime<Utc> {
    year_start(EARLIEST_YEAR)
}

/// The first instant after the range: 2200-01-01T00:00Z.
pub fn end_of_range() -> DateTime<Utc> {
    year_start(LATEST_YEAR + 1)
}

fn year_start(year: i32) -> DateTime<Utc> {
    NaiveDate::from_ymd_opt(year, 1, 1)
        .map(|d| d.and_time(NaiveTime::MIN).and_utc())
        .unwrap_or(DateTime::<Utc>::UNIX_EPOCH)
}

/// Whether the schedules answer for `at`.
pub fn in_range(at: DateTime<Utc>) -> bool {
    earliest() <= at && at < end_of_range()
}

/// `[from, to)` clipped to the range, or `None` if nothing of it is left.
pub fn clip(from: DateTime<Utc>, to: DateTime<Utc>) -> Option<(DateTime<Utc>, DateTime<Utc>)> {
    let (from, to) = (from.max(earliest()), to.min(end_of_range()));
    (from < to).then_some((from, to))
}

/// `at` plus `days` days, or `None` past what can be represented.
pub fn add_days(at: DateTime<Utc>, days: i64) -> Option<DateTime<Utc>> {
    at.checked_add_signed(Duration::try_days(days)?)
}

/// The wall-clock `local` plus `days` days, or `None` past what can be represented.
pub fn add_local_days(local: NaiveDateTime, days: i64) -> Option<NaiveDateTime> {
    local.checked_add_signed(Duration::try_days(days)?)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_range_runs_from_1900_to_the_end_of_2199() {
        assert_eq!(earliest().to_rfc3339(), "1900-01-01T00:00:00+00:00");
        assert_eq!(end_of_range().to_rfc3339(), "2200-01-01T00:00:00+00:00");
        assert!(!in_range(DateTime::<Utc>::MIN_UTC));
        assert!(!in_range(DateTime::<Utc>::MAX_UTC));
        assert!(in_range(DateTime::<Utc>::UNIX_EPOCH));
    }

    #[test]
    fn stepping_past_the_representable_gives_none() {
        assert_eq!(add_days(DateTime::<Utc>::MAX_UTC, 1), None);
        assert_eq!(add_days(DateTime::<Utc>::UNIX_EPOCH, i64::MAX), None);
        assert_eq!(add_local_days(NaiveDateTime::MIN, -1), None);
    }
}

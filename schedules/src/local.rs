//! Wall-clock time in a site's zone and the one rule that turns it into an instant.
//!
//! Schedules are written in local wall-clock time ("08:00 Monday"), but decisions are
//! made on instants. Twice a year a zone's wall clock skips an hour or repeats one; this
//! module owns what a local time means then:
//! - a local time in the **skipped** hour means the first valid instant after the gap
//!   (02:30 on spring-forward night in New York is 03:00 EDT);
//! - a local time in the **repeated** hour means its first occurrence (01:30 on
//!   fall-back night is 01:30 EDT, not EST).

use std::fmt;
use std::str::FromStr;

use chrono::{
    DateTime, Duration, LocalResult, NaiveDateTime, NaiveTime, Offset, TimeZone, Timelike, Utc,
};
use chrono_tz::Tz;

/// The instant a local wall-clock time stands for in `tz`, by the rules of this module.
pub fn resolve_local(tz: Tz, local: NaiveDateTime) -> DateTime<Utc> {
    match tz.from_local_datetime(&local) {
        LocalResult::Single(at) => at.with_timezone(&Utc),
        LocalResult::Ambiguous(first, second) => first.min(second).with_timezone(&Utc),
        LocalResult::None => first_instant_after_gap(tz, local),
    }
}

/// Walks forward minute by minute to the first wall-clock minute that exists again.
/// Every transition in the tz database falls on a whole minute, so the first valid
/// minute is exactly where the gap ends. Gaps are an hour (half an hour on Lord Howe,
/// a day when Samoa crossed the date line), so two days bound the walk.
fn first_instant_after_gap(tz: Tz, local: NaiveDateTime) -> DateTime<Utc> {
    let minute = local
        .with_second(0)
        .and_then(|t| t.with_nanosecond(0))
        .unwrap_or(local);
    for step in 1..=48 * 60 {
        let Some(probe) = minute.checked_add_signed(Duration::minutes(step)) else {
            break;
        };
        if let Some(at) = tz.from_local_datetime(&probe).earliest() {
            return at.with_timezone(&Utc);
        }
    }
    // Unreachable with real zone data inside the years the schedules answer for;
    // read the time with the offset in force a day later (or as UTC at the very ends
    // of the representable) rather than fail a schedule query.
    let later = local.checked_add_signed(Duration::days(1)).unwrap_or(local);
    let fixed = tz.offset_from_utc_datetime(&later).fix();
    let utc = local.checked_sub_offset(fixed).unwrap_or(local);
    Utc.from_utc_datetime(&utc)
}

/// The wall-clock time of an instant in `tz`. At the very ends of what can be
/// represented, where adding the offset overflows, the UTC time stands in: no query
/// is answered there (see `bounds`), and this must not panic on the way.
pub fn to_local(tz: Tz, at: DateTime<Utc>) -> NaiveDateTime {
    let utc = at.naive_utc();
    let offset = tz.offset_from_utc_datetime(&utc).fix();
    utc.checked_add_offset(offset).unwrap_or(utc)
}

/// A time of day on a wall clock, `00:00` to `24:00` inclusive; `24:00` is the
/// midnight that ends a day, so a window can say "until midnight".
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct ClockTime {
    minutes: u16,
}

/// The text is not a time of day.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("`{0}` is not a time of day: expected HH:MM from 00:00 to 24:00")]
pub struct BadClockTime(pub String);

impl ClockTime {
    pub const MIDNIGHT: ClockTime = ClockTime { minutes: 0 };
    pub const END_OF_DAY: ClockTime = ClockTime { minutes: 24 * 60 };

    pub fn hm(hour: u16, minute: u16) -> Option<ClockTime> {
        let minutes = hour.checked_mul(60)?.checked_add(minute)?;
        (minute < 60 && minutes <= 24 * 60).then_some(ClockTime { minutes })
    }

    pub fn minutes_since_midnight(self) -> u16 {
        self.minutes
    }

    pub fn is_end_of_day(self) -> bool {
        self.minutes == 24 * 60
    }

    /// The time of day as chrono sees it; `24:00` has no such value, so it gives `None`.
    pub fn naive(self) -> Option<NaiveTime> {
        NaiveTime::from_hms_opt(
            u32::from(self.minutes / 60),
            u32::from(self.minutes % 60),
            0,
        )
    }
}

impl FromStr for ClockTime {
    type Err = BadClockTime;
    fn from_str(text: &str) -> Result<Self, BadClockTime> {
        let bad = || BadClockTime(text.to_owned());
        let (h, m) = text.trim().split_once(':').ok_or_else(bad)?;
        if h.is_empty() || h.len() > 2 || m.len() != 2 {
            return Err(bad());
        }
        let hour: u16 = h.parse().map_err(|_| bad())?;
        let minute: u16 = m.parse().map_err(|_| bad())?;
        ClockTime::hm(hour, minute).ok_or_else(bad)
    }
}

impl fmt::Display for ClockTime {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:02}:{:02}", self.minutes / 60, self.minutes % 60)
    }
}

/// The wall-clock date-time of `time` on `date`; `24:00` is the next day's midnight,
/// so it is `None` on the last date that can be represented.
pub fn at_clock_time(date: chrono::NaiveDate, time: ClockTime) -> Option<NaiveDateTime> {
    date.and_time(NaiveTime::MIN)
        .checked_add_signed(Duration::minutes(i64::from(time.minutes)))
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::NaiveDate;
    use chrono_tz::America::New_York;

    fn local(y: i32, mo: u32, d: u32, h: u32, mi: u32) -> NaiveDateTime {
        NaiveDate::from_ymd_opt(y, mo, d)
            .unwrap()
            .and_hms_opt(h, mi, 0)
            .unwrap()
    }

    #[test]
    fn a_time_in_the_skipped_hour_means_the_first_instant_after_the_gap() {
        let at = resolve_local(New_York, local(2026, 3, 8, 2, 30));
        assert_eq!(at.to_rfc3339(), "2026-03-08T07:00:00+00:00");
    }

    #[test]
    fn a_time_in_the_repeated_hour_means_its_first_occurrence() {
        let at = resolve_local(New_York, local(2026, 11, 1, 1, 30));
        assert_eq!(at.to_rfc3339(), "2026-11-01T05:30:00+00:00");
    }

    #[test]
    fn clock_times_parse_from_midnight_to_the_end_of_the_day() {
        assert_eq!(
            "08:00"
                .parse::<ClockTime>()
                .unwrap()
                .minutes_since_midnight(),
            480
        );
        assert!("24:00".parse::<ClockTime>().unwrap().is_end_of_day());
        assert!("24:01".parse::<ClockTime>().is_err());
        assert!("8".parse::<ClockTime>().is_err());
        assert!("08:60".parse::<ClockTime>().is_err());
        assert_eq!("7:05".parse::<ClockTime>().unwrap().to_string(), "07:05");
    }
}

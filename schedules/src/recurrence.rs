//! When something recurs, in wall-clock terms: a set of weekdays at a time of day, or a
//! standard 5-field cron expression (through `croner`). A recurrence only says *which
//! wall-clock moments* match; turning them into instants is `local`'s job, so daylight
//! saving is handled in one place.

use std::fmt;
use std::str::FromStr;

use chrono::{Datelike, NaiveDate, NaiveDateTime, Weekday};
use croner::Cron;
use croner::parser::{CronParser, Seconds, Year};

use crate::local::{ClockTime, at_clock_time};

/// A set of weekdays, written `mon-fri`, `sat,sun`, `mon,wed-fri`, or `daily`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub struct Weekdays(u8);

/// The text is not a list of weekdays.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("`{0}` is not a list of weekdays: expected e.g. `mon-fri`, `sat,sun` or `daily`")]
pub struct BadWeekdays(pub String);

const NAMES: [&str; 7] = ["mon", "tue", "wed", "thu", "fri", "sat", "sun"];

fn weekday_index(name: &str) -> Option<u32> {
    let name = name.trim().to_ascii_lowercase();
    let short = name.get(..3)?;
    let index = NAMES.iter().position(|n| *n == short)?;
    // Accept "mon" and "monday", not "monsoon".
    let full = [
        "monday",
        "tuesday",
        "wednesday",
        "thursday",
        "friday",
        "saturday",
        "sunday",
    ][index];
    (name.len() == 3 || name == full).then_some(index as u32)
}

impl Weekdays {
    pub const EVERY_DAY: Weekdays = Weekdays(0b111_1111);

    pub fn contains(self, day: Weekday) -> bool {
        self.0 & (1 << day.num_days_from_monday()) != 0
    }

    pub fn is_empty(self) -> bool {
        self.0 == 0
    }

    pub fn with(self, day: Weekday) -> Weekdays {
        Weekdays(self.0 | (1 << day.num_days_from_monday()))
    }
}

impl FromStr for Weekdays {
    type Err = BadWeekdays;
    fn from_str(text: &str) -> Result<Self, BadWeekdays> {
        let bad = || BadWeekdays(text.to_owned());
        let trimmed = text.trim().to_ascii_lowercase();
        if trimmed == "daily" || trimmed == "*" {
            return Ok(Weekdays::EVERY_DAY);
        }
        let mut bits = 0u8;
        for part in trimmed.split(',') {
            match part.split_once('-') {
                Some((from, to)) => {
                    let from = weekday_index(from).ok_or_else(bad)?;
                    let to = weekday_index(to).ok_or_else(bad)?;
                    // A range may wrap the week: `fri-mon` is Fri, Sat, Sun, Mon.
                    let mut day = from;
                    loop {
                        bits |= 1 << day;
                        if day == to {
                            break;
                        }
                        day = (day + 1) % 7;
                    }
                }
                None => bits |= 1 << weekday_index(part).ok_or_else(bad)?,
            }
        }
        if bits == 0 {
            return Err(bad());
        }
        Ok(Weekdays(bits))
    }
}

impl fmt::Display for Weekdays {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if *self == Weekdays::EVERY_DAY {
            return f.write_str("daily");
        }
        let names: Vec<&str> = (0..7)
            .filter(|i| self.0 & (1 << i) != 0)
            .map(|i| NAMES[i])
            .collect();
        f.write_str(&names.join(","))
    }
}

/// A standard 5-field cron expression (minute hour day-of-month month day-of-week),
/// matched against wall-clock time. Weekday names (`mon-fri`) are allowed; seconds and
/// years are not, so every expression means what it means to a reader of crontab(5).
#[derive(Debug, Clone)]
pub struct CronRule {
    text: String,
    // Boxed: a parsed `Cron` is over 300 bytes, and rules sit in enums
    // (`Recurrence`, `ClosureDates`) whose other variants are a few bytes.
    cron: Box<Cron>,
}

/// The text is not a 5-field cron expression.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("`{text}` is not a 5-field cron expression (minute hour day month weekday): {reason}")]
pub struct BadCron {
    pub text: String,
    pub reason: String,
}

impl FromStr for CronRule {
    type Err = BadCron;
    fn from_str(text: &str) -> Result<Self, BadCron> {
        let fields = text.split_whitespace().count();
        if fields != 5 {
            return Err(BadCron {
                text: text.to_owned(),
                reason: format!("it has {fields} fields"),
            });
        }
        let parser = CronParser::builder()
            .seconds(Seconds::Disallowed)
            .year(Year::Disallowed)
            .build();
        let cron = parser.parse(text).map_err(|e| BadCron {
            text: text.to_owned(),
            reason: e.to_string(),
        })?;
        Ok(CronRule {
            text: text.trim().to_owned(),
            cron: Box::new(cron),
        })
    }
}

impl PartialEq for CronRule {
    fn eq(&self, other: &Self) -> bool {
        self.text == other.text
    }
}
impl Eq for CronRule {}

impl fmt::Display for CronRule {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.text)
    }
}

impl CronRule {
    /// Whether the expression matches any moment of `date` (for holidays: `0 0 25 12 *`).
    ///
    /// Read straight from the parsed fields (day of month, month, weekday), so it costs
    /// the same for a rule that never matches (`0 0 31 2 *`) as for one that always
    /// does: a search forward through the calendar could scan thousands of years.
    pub fn matches_date(&self, date: NaiveDate) -> bool {
        let pattern = &self.cron.pattern;
        let weekday = croner::Weekday::from_days_from_sunday(date.weekday().num_days_from_sunday());
        pattern.month_match(date.month()).unwrap_or(false)
            && pattern
                .day_match(date.year(), date.month(), date.day(), weekday)
                .unwrap_or(false)
    }

    /// The first moment of `date` with a time of day in `[from, until)` that the
    /// expression matches: at most 24 hour and 60 minute checks, whatever the rule.
    pub fn first_match_between(
        &self,
        date: NaiveDate,
        from: ClockTime,
        until: ClockTime,
    ) -> Option<NaiveDateTime> {
        if !self.matches_date(date) {
            return None;
        }
        let (from, until) = (
            from.minutes_since_midnight(),
            until.minutes_since_midnight(),
        );
        let hours = (from / 60..24).filter(|h| self.hour_matches(*h));
        let minute = hours
            .flat_map(|h| {
                (0..60)
                    .filter(|m| self.minute_matches(*m))
                    .map(move |m| h * 60 + m)
            })
            .find(|m| *m >= from)?;
        let time = ClockTime::hm(minute / 60, minute % 60)?;
        (minute < until)
            .then(|| at_clock_time(date, time))
            .flatten()
    }

    /// Every wall-clock moment on `date` that the expression matches (at most 1440).
    pub fn matches_on(&self, date: NaiveDate) -> Vec<NaiveDateTime> {
        if !self.matches_date(date) {
            return Vec::new();
        }
        (0..24u16)
            .filter(|h| self.hour_matches(*h))
            .flat_map(|h| {
                (0..60u16)
                    .filter(|m| self.minute_matches(*m))
                    .map(move |m| (h, m))
            })
            .filter_map(|(h, m)| at_clock_time(date, ClockTime::hm(h, m)?))
            .collect()
    }

    /// How many times a day the expression matches on a day it matches at all.
    pub fn matches_per_day(&self) -> usize {
        let hours = (0..24u16).filter(|h| self.hour_matches(*h)).count();
        let minutes = (0..60u16).filter(|m| self.minute_matches(*m)).count();
        hours.saturating_mul(minutes)
    }

    /// Whether the expression matches at least one day in any 366 consecutive days.
    ///
    /// Checked over one whole Gregorian cycle: weekdays and leap years repeat every
    /// 400 years (146,097 days, a whole number of weeks), so a rule that keeps this
    /// promise there keeps it in every year. A rule that never matches (`0 0 31 2 *`)
    /// or matches only on leap days fails it.
    pub fn matches_every_year(&self) -> bool {
        const CYCLE_DAYS: usize = 146_097;
        let Some(first) = NaiveDate::from_ymd_opt(2000, 1, 1) else {
            return false;
        };
        let mut quiet = 0usize;
        let mut leading: Option<usize> = None;
        for date in first.iter_days().take(CYCLE_DAYS) {
            if self.matches_date(date) {
                leading.get_or_insert(quiet);
                quiet = 0;
            } else {
                quiet += 1;
                if quiet > 365 {
                    return false;
                }
            }
        }
        // The quiet days at the end of the cycle run on into those at its start.
        leading.is_some_and(|lead| lead + quiet <= 365)
    }

    fn hour_matches(&self, hour: u16) -> bool {
        self.cron
            .pattern
            .hour_match(u32::from(hour))
            .unwrap_or(false)
    }

    fn minute_matches(&self, minute: u16) -> bool {
        self.cron
            .pattern
            .minute_match(u32::from(minute))
            .unwrap_or(false)
    }
}

/// When a window starts: weekdays at a time of day, or a cron expression.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Recurrence {
    Weekly { days: Weekdays, at: ClockTime },
    Cron(CronRule),
}

impl Recurrence {
    /// The first wall-clock start on `date` with a time of day in `[from, until)`.
    pub fn first_start_between(
        &self,
        date: NaiveDate,
        from: ClockTime,
        until: ClockTime,
    ) -> Option<NaiveDateTime> {
        match self {
            Recurrence::Weekly { days, at } => {
                (days.contains(date.weekday()) && from <= *at && *at < until)
                    .then(|| at_clock_time(date, *at))
                    .flatten()
            }
            Recurrence::Cron(rule) => rule.first_match_between(date, from, until),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn weekday_lists_accept_ranges_lists_and_wrapping_ranges() {
        let weekdays: Weekdays = "mon-fri".parse().unwrap();
        assert!(weekdays.contains(Weekday::Mon) && weekdays.contains(Weekday::Fri));
        assert!(!weekdays.contains(Weekday::Sat));
        let weekend: Weekdays = "Saturday, sun".parse().unwrap();
        assert_eq!(weekend.to_string(), "sat,sun");
        let wrap: Weekdays = "fri-mon".parse().unwrap();
        assert_eq!(wrap.to_string(), "mon,fri,sat,sun");
        assert_eq!("daily".parse::<Weekdays>().unwrap(), Weekdays::EVERY_DAY);
        assert!("funday".parse::<Weekdays>().is_err());
        assert!("monsoon".parse::<Weekdays>().is_err());
        assert!("".parse::<Weekdays>().is_err());
    }

    #[test]
    fn cron_rules_take_five_fields_and_weekday_names() {
        let rule: CronRule = "0 22 * * mon-fri".parse().unwrap();
        let friday = NaiveDate::from_ymd_opt(2026, 11, 27).unwrap();
        let saturday = NaiveDate::from_ymd_opt(2026, 11, 28).unwrap();
        assert_eq!(rule.matches_on(friday).len(), 1);
        assert!(rule.matches_on(saturday).is_empty());
        assert!("0 0 22 * * mon".parse::<CronRule>().is_err());
        assert!("0 25 * * *".parse::<CronRule>().is_err());
        assert!("@daily".parse::<CronRule>().is_err());
    }

    #[test]
    fn date_matching_agrees_with_the_cron_libraries_own_search() {
        for text in [
            "0 0 * * 4#4",
            "0 0 L * *",
            "0 0 15W * *",
            "0 0 1 * mon",
            "30 8 */2 * *",
            "0 0 * * 5L",
            "0 0 25 12 *",
        ] {
            let rule: CronRule = text.parse().unwrap();
            let first = NaiveDate::from_ymd_opt(2027, 1, 1).unwrap();
            for date in first.iter_days().take(2 * 366) {
                let start = date.and_hms_opt(0, 0, 0).unwrap();
                let searched = rule
                    .cron
                    .iter_from(start, croner::Direction::Forward)
                    .next()
                    .is_some_and(|t| t.date() == date);
                assert_eq!(rule.matches_date(date), searched, "{text} on {date}");
            }
        }
    }

    #[test]
    fn the_first_match_is_found_within_the_asked_hours_of_the_day() {
        let rule: CronRule = "*/15 8-9,20 * * mon-fri".parse().unwrap();
        let friday = NaiveDate::from_ymd_opt(2026, 11, 27).unwrap();
        let clock = |t: &str| t.parse::<ClockTime>().unwrap();
        let first = |from, until| {
            rule.first_match_between(friday, clock(from), clock(until))
                .map(|t| t.format("%H:%M").to_string())
        };
        assert_eq!(first("00:00", "24:00").as_deref(), Some("08:00"));
        assert_eq!(first("08:01", "24:00").as_deref(), Some("08:15"));
        assert_eq!(first("10:00", "24:00").as_deref(), Some("20:00"));
        assert_eq!(first("10:00", "20:00"), None);
        assert_eq!(rule.matches_on(friday).len(), 12);
        assert_eq!(rule.matches_per_day(), 12);
    }

    #[test]
    fn a_rule_must_match_some_day_of_every_year_to_be_kept() {
        let every_year = |text: &str| text.parse::<CronRule>().unwrap().matches_every_year();
        assert!(every_year("0 0 25 12 *"));
        assert!(every_year("0 8 * * mon-fri"));
        assert!(every_year("0 0 13 * 5"));
        assert!(!every_year("0 0 31 2 *"));
        assert!(!every_year("0 0 29 2 *"));
    }

    #[test]
    fn a_cron_rule_can_name_a_yearly_holiday() {
        let christmas: CronRule = "0 0 25 12 *".parse().unwrap();
        assert!(christmas.matches_date(NaiveDate::from_ymd_opt(2026, 12, 25).unwrap()));
        assert!(!christmas.matches_date(NaiveDate::from_ymd_opt(2026, 12, 24).unwrap()));
    }
}

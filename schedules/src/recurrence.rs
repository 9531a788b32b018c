//! When something recurs, in wall-clock terms: a set of weekdays at a time of day, or a
//! standard 5-field cron expression (through `croner`). A recurrence only says *which
//! wall-clock moments* match; turning them into instants is `local`'s job, so daylight
//! saving is handled in one place.

use std::fmt;
use std::str::FromStr;

use chrono::{Datelike, Duration, NaiveDate, NaiveDateTime, Weekday};
use croner::parser::{CronParser, Seconds, Year};
use croner::{Cron, Direction};

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

/// At most this many matches of one rule are taken in a day: a window that opens every
/// minute is a configuration mistake, and this keeps one from stalling a query.
const MAX_MATCHES_PER_DAY: usize = 24 * 60;

impl CronRule {
    /// The wall-clock moments on `date` that the expression matches.
    pub fn matches_on(&self, date: NaiveDate) -> Vec<NaiveDateTime> {
        let start = at_clock_time(date, ClockTime::MIDNIGHT);
        let end = start + Duration::days(1);
        self.cron
            .iter_from(start, Direction::Forward)
            .take_while(|t| *t < end)
            .take(MAX_MATCHES_PER_DAY)
            .collect()
    }

    /// Whether the expression matches any moment of `date` (for holidays: `0 0 25 12 *`).
    pub fn matches_date(&self, date: NaiveDate) -> bool {
        !self.matches_on(date).is_empty()
    }
}

/// When a window starts: weekdays at a time of day, or a cron expression.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Recurrence {
    Weekly { days: Weekdays, at: ClockTime },
    Cron(CronRule),
}

impl Recurrence {
    /// The wall-clock starts that fall on `date`.
    pub fn starts_on(&self, date: NaiveDate) -> Vec<NaiveDateTime> {
        match self {
            Recurrence::Weekly { days, at } => {
                if days.contains(date.weekday()) {
                    vec![at_clock_time(date, *at)]
                } else {
                    Vec::new()
                }
            }
            Recurrence::Cron(rule) => rule.matches_on(date),
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
    fn a_cron_rule_can_name_a_yearly_holiday() {
        let christmas: CronRule = "0 0 25 12 *".parse().unwrap();
        assert!(christmas.matches_date(NaiveDate::from_ymd_opt(2026, 12, 25).unwrap()));
        assert!(!christmas.matches_date(NaiveDate::from_ymd_opt(2026, 12, 24).unwrap()));
    }
}

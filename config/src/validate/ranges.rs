//! The documented range of every number, duration, date and length a configuration
//! may hold, and the reading of durations. A value outside its range is refused here,
//! at the edge, so that nothing a file says can overflow the date arithmetic done later
//! with it (the dispatcher adds a step's timeout to the time a request came in, the
//! schedules step day by day through closures and overrides). The ranges are listed
//! in README.md ("The configuration") and in config/example.toml: keep them alike.

use std::time::Duration;

use chrono::{Datelike, NaiveDate};
use toml::Spanned;

use crate::error::Problems;
use crate::raw::Text;

const MINUTE: u64 = 60;
const HOUR: u64 = 3600;
const DAY: u64 = 86_400;

/// The longest duration any key could want, 100 years: `parse_duration` refuses more,
/// so that the number it returns is always safe to convert and add to a date.
pub(super) const LONGEST_DURATION: Duration = Duration::from_secs(36_500 * DAY);

/// The smallest and largest value a key accepts, and the words the error uses.
pub(super) struct Limit<T> {
    pub(super) least: T,
    pub(super) most: T,
    /// What the value "must be", as README.md documents it.
    pub(super) shown: &'static str,
}

impl<T: PartialOrd> Limit<T> {
    pub(super) fn contains(&self, value: &T) -> bool {
        (&self.least..=&self.most).contains(&value)
    }
}

/// An escalation step waits at least 10 seconds (less cannot reach a phone and
/// back) and at most a day (a longer wait is no escalation).
pub(super) const STEP_TIMEOUT: Limit<Duration> = Limit {
    least: Duration::from_secs(10),
    most: Duration::from_secs(24 * HOUR),
    shown: "from 10s to 24h",
};

/// How long an accepted case manager has to arrive.
pub(super) const ARRIVAL_LIMIT: Limit<Duration> = Limit {
    least: Duration::from_secs(10 * MINUTE),
    most: Duration::from_secs(24 * HOUR),
    shown: "from 10m to 24h",
};

/// How long the words of a closed hand-off are kept: a day to ten years.
pub(super) const MESSAGE_RETENTION: Limit<Duration> = Limit {
    least: Duration::from_secs(DAY),
    most: Duration::from_secs(3650 * DAY),
    shown: "from 1d to 3650d",
};

/// Days an accepted diversion has to complete intake: up to a year.
pub(super) const INTAKE_DAYS: Limit<u32> = Limit {
    least: 1,
    most: 365,
    shown: "a whole number of days from 1 to 365",
};

/// How long past an ETA, with no ARRIVED, before the case manager is asked for a
/// new one (and as long again before the supervisor is alerted): under a minute
/// would chase someone parking the car, over two hours would leave an officer
/// waiting with no word.
pub(super) const ETA_GRACE: Limit<Duration> = Limit {
    least: Duration::from_secs(MINUTE),
    most: Duration::from_secs(2 * HOUR),
    shown: "from 1m to 2h",
};

/// The dashboard's arrival target: from a minute to a day, like an arrival limit.
pub(super) const ARRIVAL_TARGET: Limit<Duration> = Limit {
    least: Duration::from_secs(MINUTE),
    most: Duration::from_secs(24 * HOUR),
    shown: "from 1m to 24h",
};

/// How long a client has to send a request's headers, and again its body: under a
/// second cuts off a phone on a poor network, over five minutes lets a slow
/// client hold a connection for nothing.
pub(super) const CLIENT_TIMEOUT: Limit<Duration> = Limit {
    least: Duration::from_secs(1),
    most: Duration::from_secs(5 * MINUTE),
    shown: "from 1s to 5m",
};

/// How long after a `DROPOFF` a center's staff have to check the person in before
/// they and the supervisors are told: at least the drive to a center across a
/// county, at most half a day (later, nobody would still be waiting to hear).
pub(super) const CHECK_IN_WITHIN: Limit<Duration> = Limit {
    least: Duration::from_secs(10 * MINUTE),
    most: Duration::from_secs(12 * HOUR),
    shown: "from 10m to 12h",
};

/// How long one send to the SMS provider may take: under a second fails sends
/// that a provider under load would still take; over 20 s would outlast the time
/// the delivery worker keeps in hand on its lease for one send (25 s, see
/// `bot/src/sms/outbound.rs`), so the lease could change hands mid-send.
pub(super) const SMS_TIMEOUT: Limit<Duration> = Limit {
    least: Duration::from_secs(1),
    most: Duration::from_secs(20),
    shown: "from 1s to 20s",
};

/// How long one leg of a call rings: under 5 s hangs up before most phones have
/// rung twice (Twilio's least `<Dial timeout>` is 5 s); over a minute keeps the
/// officer holding for one person, and lets a voicemail answer first.
pub(super) const RING_TIMEOUT: Limit<Duration> = Limit {
    least: Duration::from_secs(5),
    most: Duration::from_secs(MINUTE),
    shown: "from 5s to 60s",
};

/// How long the screening waits for a key: under 3 s is too short to reach for
/// the keypad once the offer ends; over 30 s leaves the officer holding while a
/// voicemail records silence.
pub(super) const PRESS_TIMEOUT: Limit<Duration> = Limit {
    least: Duration::from_secs(3),
    most: Duration::from_secs(30),
    shown: "from 3s to 30s",
};

/// A sender's burst and its texts a minute: at least one (none would refuse every
/// text), at most a number no phone reaches (the arithmetic of the limit stays
/// far from overflowing).
pub(super) const SENDER_RATE: Limit<u32> = Limit {
    least: 1,
    most: 100_000,
    shown: "a whole number from 1 to 100000",
};

/// The most dashboard users a file may list: enough for any program's staff, few
/// enough that a login's search stays trivial.
pub(super) const DASHBOARD_USERS: usize = 500;

/// Days before the intake deadline to remind the case manager: 0 for none, and
/// less than the longest deadline (the check against each deadline is made where
/// both are known).
pub(super) const INTAKE_REMINDER_DAYS: Limit<u32> = Limit {
    least: 0,
    most: 364,
    shown: "a whole number of days from 0 (no reminder) to 364",
};

/// The contact named in the reply to an unregistered phone: it is texted inside a
/// longer reply, so it must leave that reply room within one SMS segment.
pub(super) const REGISTRATION_CONTACT_CHARS: Limit<usize> = Limit {
    least: 1,
    most: 80,
    shown: "from 1 to 80 characters",
};

/// Open cases beyond which a person is offered no new hand-off.
pub(super) const CASELOAD_CAP: Limit<u32> = Limit {
    least: 1,
    most: 1000,
    shown: "a whole number of cases from 1 to 1000",
};

/// A diversion center's name, texted to officers and center staff: short enough
/// to leave the receipt and the drop-off texts room within one segment.
pub(super) const CENTER_NAME_CHARS: Limit<usize> = Limit {
    least: 1,
    most: 40,
    shown: "from 1 to 40 characters",
};

/// A diversion center's address, texted to the officer who drops someone off.
pub(super) const CENTER_ADDRESS_CHARS: Limit<usize> = Limit {
    least: 1,
    most: 120,
    shown: "from 1 to 120 characters",
};

/// How many people may be on their way to one center at once: at least one, and
/// no more than a large shelter holds.
pub(super) const CENTER_CAPACITY: Limit<u32> = Limit {
    least: 1,
    most: 10_000,
    shown: "a whole number from 1 to 10000",
};

/// The name of the bot's Matrix device, shown to other users beside its keys: long
/// enough for a program and a place, short enough for a device list.
pub(super) const DEVICE_NAME_CHARS: Limit<usize> = Limit {
    least: 1,
    most: 64,
    shown: "from 1 to 64 characters",
};

/// An override's note: a reminder for the people who keep the schedule ("Dana on
/// leave"), long enough for a reason and a name, short enough to fit a table's cell.
pub(super) const OVERRIDE_NOTE_CHARS: Limit<usize> = Limit {
    least: 0,
    most: 200,
    shown: "at most 200 characters",
};

/// The years a date in the file (closures, overrides) may fall in: far enough either
/// way for any real schedule, near enough that stepping through them cannot leave
/// the range of the date types.
pub(super) const FIRST_YEAR: i32 = 2000;
pub(super) const LAST_YEAR: i32 = 2100;

/// Why a text is not a duration.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum DurationError {
    #[error("`{0}` is not a duration: write e.g. 90s, 5m, 1h or 1h30m")]
    Malformed(String),
    #[error("`{0}` is too long: no duration may be longer than 36500d (100 years)")]
    TooLong(String),
}

/// `90s`, `3m`, `1h`, `1h30m`, `90d`: a duration a person writes, at most
/// 36500d (100 years).
pub fn parse_duration(text: &str) -> Result<Duration, DurationError> {
    let malformed = || DurationError::Malformed(text.to_owned());
    let too_long = || DurationError::TooLong(text.to_owned());
    let trimmed = text.trim();
    if trimmed.is_empty() {
        return Err(malformed());
    }
    let longest = LONGEST_DURATION.as_secs();
    let (mut total, mut number, mut digits) = (0_u64, 0_u64, 0_usize);
    for c in trimmed.chars() {
        if let Some(digit) = c.to_digit(10) {
            // Checked, and capped as it grows: `99999999999999999999999s` is too
            // long, not a number that wraps round or a parse failure.
            number = number
                .checked_mul(10)
                .and_then(|n| n.checked_add(u64::from(digit)))
                .filter(|&n| n <= longest)
                .ok_or_else(too_long)?;
            digits += 1;
            continue;
        }
        let unit = match c {
            's' => 1,
            'm' => MINUTE,
            'h' => HOUR,
            'd' => DAY,
            _ => return Err(malformed()),
        };
        if digits == 0 {
            return Err(malformed());
        }
        total = number
            .checked_mul(unit)
            .and_then(|seconds| total.checked_add(seconds))
            .filter(|&seconds| seconds <= longest)
            .ok_or_else(too_long)?;
        (number, digits) = (0, 0);
    }
    if digits != 0 {
        return Err(malformed());
    }
    Ok(Duration::from_secs(total))
}

/// Reads the duration `text` and checks it against `limit`.
pub(super) fn duration_within(
    p: &mut Problems,
    text: &Text,
    key: &str,
    limit: &Limit<Duration>,
) -> Option<Duration> {
    match parse_duration(text.get_ref()) {
        Ok(value) if (limit.least..=limit.most).contains(&value) => Some(value),
        Ok(_) => {
            p.push(text.span(), key, format!("must be {}", limit.shown));
            None
        }
        Err(e) => {
            p.push(text.span(), key, e);
            None
        }
    }
}

/// Checks the whole number `value` against `limit`.
pub(super) fn number_within(
    p: &mut Problems,
    value: &Spanned<i64>,
    key: &str,
    limit: &Limit<u32>,
) -> Option<u32> {
    match u32::try_from(*value.get_ref()) {
        Ok(n) if (limit.least..=limit.most).contains(&n) => Some(n),
        _ => {
            p.push(value.span(), key, format!("must be {}", limit.shown));
            None
        }
    }
}

/// Refuses a date, written as `text`, whose year is outside the supported years.
pub(super) fn check_year(year: i32, text: &str) -> Result<(), String> {
    if (FIRST_YEAR..=LAST_YEAR).contains(&year) {
        Ok(())
    } else {
        Err(format!(
            "`{}` is outside the years {FIRST_YEAR} to {LAST_YEAR} that dates may fall in",
            text.trim()
        ))
    }
}

/// A calendar date written `2026-11-26`, in the supported years.
pub(super) fn parse_date(text: &str) -> Result<NaiveDate, String> {
    let date = NaiveDate::parse_from_str(text.trim(), "%Y-%m-%d")
        .map_err(|_| format!("`{text}` is not a date: write YYYY-MM-DD"))?;
    check_year(date.year(), text)?;
    Ok(date)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn durations_are_written_with_units() {
        assert_eq!(parse_duration("90s"), Ok(Duration::from_secs(90)));
        assert_eq!(parse_duration("5m"), Ok(Duration::from_secs(300)));
        assert_eq!(parse_duration("1h30m"), Ok(Duration::from_secs(5400)));
        assert_eq!(parse_duration("90d"), Ok(Duration::from_secs(90 * DAY)));
        for bad in ["5", "m", "five minutes", "", "1h30", "-5m", "5 m"] {
            assert_eq!(
                parse_duration(bad),
                Err(DurationError::Malformed(bad.to_owned())),
                "{bad:?}"
            );
        }
    }

    #[test]
    fn huge_durations_are_too_long_rather_than_overflowing() {
        for huge in [
            "99999999999999999999999s",
            "9999999999999h",
            "36501d",
            "36500d1s",
            "18446744073709551615s",
            "5124095576030431h",
        ] {
            assert_eq!(
                parse_duration(huge),
                Err(DurationError::TooLong(huge.to_owned())),
                "{huge:?}"
            );
        }
        assert_eq!(parse_duration("36500d"), Ok(LONGEST_DURATION));
    }

    #[test]
    fn a_duration_error_says_what_to_write_or_what_the_most_is() {
        let malformed = DurationError::Malformed("5".to_owned()).to_string();
        assert_eq!(
            malformed,
            "`5` is not a duration: write e.g. 90s, 5m, 1h or 1h30m"
        );
        let long = DurationError::TooLong("9999999999999h".to_owned()).to_string();
        assert!(
            long.contains("no duration may be longer than 36500d"),
            "{long}"
        );
    }

    #[test]
    fn dates_are_read_only_within_the_supported_years() {
        assert!(parse_date("2000-01-01").is_ok());
        assert!(parse_date("2100-12-31").is_ok());
        assert!(parse_date("1999-12-31").is_err_and(|e| e.contains("2000 to 2100")));
        assert!(parse_date("2101-01-01").is_err_and(|e| e.contains("2000 to 2100")));
        assert!(parse_date("+262142-01-01").is_err());
        assert!(parse_date("2026-02-30").is_err_and(|e| e.contains("not a date")));
    }
}

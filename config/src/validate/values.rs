//! Small parsers every section shares: required keys, roles, clock
//! times, local date-times and weekly windows, each reporting a problem
//! at the value's position.

use std::collections::HashSet;
use std::ops::Range;

use chrono::{DateTime, Datelike, NaiveDateTime, Utc};
use handoff_schedules::{ClockTime, CronRule, Moment, Recurrence, Role, When, Window};
use toml::Spanned;

use super::ranges::check_year;
use crate::error::Problems;
use crate::raw::{RawWindow, Text};

/// What a required key that is not there is told.
pub(super) const MISSING: &str = "missing: this key is required";

pub(super) fn required<'a, T>(
    p: &mut Problems,
    value: &'a Option<T>,
    parent: Range<usize>,
    key: &str,
) -> Option<&'a T> {
    if value.is_none() {
        p.push(parent, key, MISSING);
    }
    value.as_ref()
}

pub(super) fn parse_with<T, E: std::fmt::Display>(
    p: &mut Problems,
    text: &Text,
    key: &str,
    parse: impl FnOnce(&str) -> Result<T, E>,
) -> Option<T> {
    match parse(text.get_ref()) {
        Ok(value) => Some(value),
        Err(e) => {
            p.push(text.span(), key, e);
            None
        }
    }
}

pub(super) fn role(p: &mut Problems, text: &Text, key: &str) -> Option<Role> {
    parse_with(p, text, key, |s| s.parse::<Role>())
}

/// A role someone can be on duty as ([`Role::is_duty`]).
pub(super) fn duty_role(p: &mut Problems, text: &Text, key: &str) -> Option<Role> {
    let role = role(p, text, key)?;
    if !role.is_duty() {
        p.push(text.span(), key, CENTER_NOT_ON_DUTY);
        return None;
    }
    Some(role)
}

/// Why `center` is refused where a duty is meant.
pub(super) const CENTER_NOT_ON_DUTY: &str = "`center` staff are never on duty by a schedule or offered hand-offs: a center's own `hours` say when it takes drop-offs";

pub(super) fn when(p: &mut Problems, text: Option<&Text>, default: When, key: &str) -> When {
    let Some(text) = text else { return default };
    match text.get_ref().as_str() {
        "open" => When::Open,
        "closed" => When::Closed,
        "always" => When::Always,
        other => {
            p.push(
                text.span(),
                key,
                format!("`{other}` is not a choice: expected open, closed or always"),
            );
            default
        }
    }
}

pub(super) fn clock(p: &mut Problems, text: &Text, key: &str) -> Option<ClockTime> {
    parse_with(p, text, key, |s| s.parse::<ClockTime>())
}

/// A wall-clock date-time written `2026-11-02T08:00` (seconds optional).
pub(super) fn parse_local(text: &str) -> Result<NaiveDateTime, String> {
    [
        "%Y-%m-%dT%H:%M",
        "%Y-%m-%dT%H:%M:%S",
        "%Y-%m-%d %H:%M",
        "%Y-%m-%d %H:%M:%S",
    ]
    .iter()
    .find_map(|format| NaiveDateTime::parse_from_str(text.trim(), format).ok())
    .ok_or_else(|| format!("`{text}` is not a local date-time: write e.g. 2026-11-02T08:00"))
}

/// An override's bound as written: an exact instant (with an offset) or a wall-clock
/// time read in each site's own zone, only in the supported years (see `ranges`).
pub(super) fn moment(text: &str) -> Result<Moment, String> {
    if let Ok(exact) = DateTime::parse_from_rfc3339(text.trim()) {
        check_year(exact.year(), text)?;
        return Ok(Moment::Exact(exact.with_timezone(&Utc)));
    }
    let local = parse_local(text)
        .map_err(|_| format!("`{text}` is not a date-time: write 2026-12-24T08:00 (site time) or 2026-12-24T08:00:00-05:00"))?;
    check_year(local.year(), text)?;
    Ok(Moment::Local(local))
}

/// The most times a day a window's cron rule may start it: hourly. Opening hours and
/// shifts start a few times a day at most; a rule matching every minute is a slip
/// (`* 8 * * *` for `0 8 * * *`), and refusing it keeps every query's work small.
pub(super) const MAX_WINDOW_STARTS_PER_DAY: usize = 24;

/// A cron rule for a window (`max_per_day` given) or a closure (none). It must match
/// some day in any 366 consecutive days: a rule that never fires (`0 0 31 2 *`) or
/// fires only on leap days is a mistake, and a one-off date is written as a date.
pub(super) fn recurring_cron(
    p: &mut Problems,
    text: &Text,
    key: &str,
    max_per_day: Option<usize>,
) -> Option<CronRule> {
    parse_with(p, text, key, |s| {
        let rule = s.parse::<CronRule>().map_err(|e| e.to_string())?;
        if !rule.matches_every_year() {
            return Err(format!(
                "`{s}` does not match a day of every year: a cron rule here must match at least once in any 366 days"
            ));
        }
        let per_day = rule.matches_per_day();
        if let Some(max) = max_per_day
            && per_day > max
        {
            return Err(format!(
                "`{s}` starts the window {per_day} times a day: at most {max} (hourly) are allowed"
            ));
        }
        Ok(rule)
    })
}

pub(super) fn window(p: &mut Problems, raw: &Spanned<RawWindow>, key: &str) -> Option<Window> {
    let w = raw.get_ref();
    let end = required(p, &w.end, raw.span(), &format!("{key}.end"))
        .and_then(|t| clock(p, t, &format!("{key}.end")));
    let starts = match (&w.cron, &w.days, &w.start) {
        (Some(cron), None, None) => recurring_cron(
            p,
            cron,
            &format!("{key}.cron"),
            Some(MAX_WINDOW_STARTS_PER_DAY),
        )
        .map(Recurrence::Cron),
        (None, Some(days), Some(start)) => {
            let days = parse_with(p, days, &format!("{key}.days"), |s| s.parse());
            let at = clock(p, start, &format!("{key}.start"));
            if at.is_some_and(ClockTime::is_end_of_day) {
                p.push(
                    start.span(),
                    format!("{key}.start"),
                    "a window cannot start at 24:00: use 00:00 of the next day",
                );
                return None;
            }
            days.zip(at)
                .map(|(days, at)| Recurrence::Weekly { days, at })
        }
        (Some(cron), _, _) => {
            p.push(
                cron.span(),
                format!("{key}.cron"),
                "give either `cron` or `days` with `start`, not both",
            );
            None
        }
        (None, None, _) => {
            p.push(
                raw.span(),
                format!("{key}.days"),
                "missing: give `days` and `start` (or a `cron` expression)",
            );
            None
        }
        (None, Some(_), None) => {
            p.push(
                raw.span(),
                format!("{key}.start"),
                "missing: give the time the window starts",
            );
            None
        }
    };
    Some(Window {
        starts: starts?,
        end: end?,
    })
}

pub(super) fn windows(p: &mut Problems, raws: &[Spanned<RawWindow>], key: &str) -> Vec<Window> {
    raws.iter()
        .enumerate()
        .filter_map(|(i, w)| window(p, w, &format!("{key}[{i}]")))
        .collect()
}

pub(super) fn check_unique(
    p: &mut Problems,
    seen: &mut HashSet<String>,
    text: &Text,
    key: &str,
    what: &str,
) {
    if !seen.insert(text.get_ref().clone()) {
        p.push(
            text.span(),
            key,
            format!(
                "duplicate {what} id `{}`: an earlier entry already uses it",
                text.get_ref()
            ),
        );
    }
}

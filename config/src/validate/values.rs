//! Small parsers every section shares: required keys, roles, clock
//! times, local date-times and weekly windows, each reporting a problem
//! at the value's position.

use std::collections::HashSet;
use std::ops::Range;

use chrono::{DateTime, Datelike, NaiveDateTime, Utc};
use chrono_tz::Tz;
use handoff_schedules::{ClockTime, CronRule, Recurrence, Role, When, Window, resolve_local};
use toml::Spanned;

use super::ranges::check_year;
use crate::error::Problems;
use crate::raw::{RawWindow, Text};

pub(super) fn required<'a, T>(
    p: &mut Problems,
    value: &'a Option<T>,
    parent: Range<usize>,
    key: &str,
) -> Option<&'a T> {
    if value.is_none() {
        p.push(parent, key, "missing: this key is required");
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

/// An override's bounds: either an exact instant (with an offset) or a wall-clock time
/// read in each site's own zone.
#[derive(Clone, Copy)]
pub(super) enum Moment {
    Exact(DateTime<Utc>),
    Local(NaiveDateTime),
}

impl Moment {
    /// Only in the supported years (see `ranges`), as written.
    pub(super) fn parse(text: &str) -> Result<Moment, String> {
        if let Ok(exact) = DateTime::parse_from_rfc3339(text.trim()) {
            check_year(exact.year(), text)?;
            return Ok(Moment::Exact(exact.with_timezone(&Utc)));
        }
        let local = parse_local(text)
            .map_err(|_| format!("`{text}` is not a date-time: write 2026-12-24T08:00 (site time) or 2026-12-24T08:00:00-05:00"))?;
        check_year(local.year(), text)?;
        Ok(Moment::Local(local))
    }

    pub(super) fn in_zone(self, tz: Tz) -> DateTime<Utc> {
        match self {
            Moment::Exact(at) => at,
            Moment::Local(local) => resolve_local(tz, local),
        }
    }
}

pub(super) fn window(p: &mut Problems, raw: &Spanned<RawWindow>, key: &str) -> Option<Window> {
    let w = raw.get_ref();
    let end = required(p, &w.end, raw.span(), &format!("{key}.end"))
        .and_then(|t| clock(p, t, &format!("{key}.end")));
    let starts = match (&w.cron, &w.days, &w.start) {
        (Some(cron), None, None) => {
            parse_with(p, cron, &format!("{key}.cron"), |s| s.parse::<CronRule>())
                .map(Recurrence::Cron)
        }
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

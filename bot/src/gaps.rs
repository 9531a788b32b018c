//! `handoff schedule gaps`: the stretches ahead when a request would find nobody
//! to offer it to (open with no case manager on duty, or closed with no one on
//! call), so a project manager can staff them before an officer meets one.

use chrono::{DateTime, FixedOffset, NaiveDate};
use handoff_config::Site;
use handoff_schedules::GapKind;
use serde::Serialize;

use crate::ics::{IcsError, local_days};

/// One gap, in the site's local time.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct GapRow {
    pub site: String,
    pub kind: GapKind,
    pub start: DateTime<FixedOffset>,
    pub end: DateTime<FixedOffset>,
    /// Whole minutes of real time.
    pub minutes: i64,
}

/// The gaps at `site` from the start of `first` to the end of `last` (local days).
pub fn gaps(site: &Site, first: NaiveDate, last: NaiveDate) -> Result<Vec<GapRow>, IcsError> {
    let tz = site.schedule.tz;
    let (from, to) = local_days(tz, first, last)?;
    Ok(site
        .schedule
        .gaps(from, to)
        .into_iter()
        .map(|gap| GapRow {
            site: site.id.to_string(),
            kind: gap.kind,
            start: gap.span.start.with_timezone(&tz).fixed_offset(),
            end: gap.span.end.with_timezone(&tz).fixed_offset(),
            minutes: (gap.span.end - gap.span.start).num_minutes(),
        })
        .collect())
}

/// The gaps as lines a person reads: `Mon 2026-11-23 16:00 to 22:00 EST (6h):
/// open, no case manager on duty`.
pub fn render_text(site: &Site, rows: &[GapRow]) -> String {
    if rows.is_empty() {
        return format!(
            "{}: no gaps: someone can be offered every request.\n",
            site.name
        );
    }
    let mut out = format!("{}: {} gap(s) in coverage\n", site.name, rows.len());
    let tz = site.schedule.tz;
    for row in rows {
        let start = row.start.with_timezone(&tz);
        let end = row.end.with_timezone(&tz);
        let end_text = if end.date_naive() == start.date_naive() {
            end.format("%H:%M %Z").to_string()
        } else {
            end.format("%a %Y-%m-%d %H:%M %Z").to_string()
        };
        let what = match row.kind {
            GapKind::NoCaseManager => "open, no case manager on duty",
            GapKind::NoOnCall => "closed, nobody on call",
        };
        out.push_str(&format!(
            "  {} to {} ({}): {what}\n",
            start.format("%a %Y-%m-%d %H:%M"),
            end_text,
            duration(row.minutes)
        ));
    }
    out
}

pub(crate) fn duration(minutes: i64) -> String {
    match (minutes / 60, minutes % 60) {
        (0, m) => format!("{m}m"),
        (h, 0) => format!("{h}h"),
        (h, m) => format!("{h}h{m:02}m"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn durations_read_in_hours_and_minutes() {
        for (minutes, text) in [
            (45, "45m"),
            (60, "1h"),
            (330, "5h30m"),
            (3300, "55h"),
            (65, "1h05m"),
        ] {
            assert_eq!(duration(minutes), text);
        }
    }
}

//! `handoff schedule ics`: an iCalendar feed of who is on duty at a site, one event
//! per continuous stretch of one person's duty, for import into calendar programs.
//!
//! Events are written in UTC, which every calendar program imports correctly across
//! daylight-saving changes; UIDs are stable (site, person, role, start) so that
//! re-importing a feed updates events instead of duplicating them.

use chrono::{DateTime, Datelike, NaiveDate, Utc};
use chrono_tz::Tz;
use handoff_config::{Config, Site};
use handoff_dispatcher::directory::Directory;
use handoff_schedules::{EARLIEST_YEAR, LATEST_YEAR, SiteId, resolve_local};
use icalendar::{Calendar, Component, Event, EventLike};

/// The longest feed one call produces: a year, which is plenty for a calendar import
/// and keeps the work bounded.
pub const MAX_DAYS: i64 = 366;

/// Why a feed cannot be made for the days asked.
#[derive(Debug, thiserror::Error)]
pub enum IcsError {
    #[error("--to is before --from")]
    LastBeforeFirst,
    #[error("a feed covers at most {MAX_DAYS} days")]
    TooLong,
    #[error(
        "schedules cover the years {EARLIEST_YEAR} to {LATEST_YEAR}: ask about days within them"
    )]
    OutOfRange,
}

/// The span from the start of local day `first` to the end of local day `last` in
/// `tz`, in real time, for the commands that take `--from` and `--to` days.
pub fn local_days(
    tz: Tz,
    first: NaiveDate,
    last: NaiveDate,
) -> Result<(DateTime<Utc>, DateTime<Utc>), IcsError> {
    if last < first {
        return Err(IcsError::LastBeforeFirst);
    }
    if (last - first).num_days() >= MAX_DAYS {
        return Err(IcsError::TooLong);
    }
    let years = EARLIEST_YEAR..=LATEST_YEAR;
    if !years.contains(&first.year()) || !years.contains(&last.year()) {
        return Err(IcsError::OutOfRange);
    }
    let after_last = last.succ_opt().ok_or(IcsError::OutOfRange)?;
    let from = resolve_local(tz, first.and_time(chrono::NaiveTime::MIN));
    let to = resolve_local(tz, after_last.and_time(chrono::NaiveTime::MIN));
    Ok((from, to))
}

/// The feed for `site` from the start of `first` to the end of `last` (local days).
pub fn feed(
    config: &Config,
    site: &Site,
    first: NaiveDate,
    last: NaiveDate,
    now: DateTime<Utc>,
) -> Result<String, IcsError> {
    feed_of(
        &config.directory(),
        &config.program.name,
        &site.id,
        first,
        last,
        now,
    )
}

/// [`feed`] from the dispatcher's view of the configuration, as the server has
/// it (the subscription URLs of the dashboard). A site it does not know has an
/// empty calendar.
pub fn feed_of(
    directory: &Directory,
    program: &str,
    site_id: &SiteId,
    first: NaiveDate,
    last: NaiveDate,
    now: DateTime<Utc>,
) -> Result<String, IcsError> {
    let Some(site) = directory.sites.get(site_id) else {
        return Ok(Calendar::new().done().to_string());
    };
    let tz = site.schedule.tz;
    let (from, to) = local_days(tz, first, last)?;
    let mut calendar = Calendar::new();
    calendar
        .name(&format!("{} on duty", site.name))
        .description(&format!(
            "Who is on duty for {} ({}), from handoff",
            site.name, program
        ))
        .timezone(tz.name());
    for duty in site.schedule.duty_intervals(from, to) {
        let name = directory
            .roster
            .people
            .get(&duty.person)
            .map_or_else(|| duty.person.to_string(), |p| p.name.clone());
        // "On call" only for a stretch entirely outside the site's hours.
        let open_or_call = if site
            .schedule
            .open_intervals(duty.span.start, duty.span.end)
            .is_empty()
        {
            "on call"
        } else {
            "on duty"
        };
        let event = Event::new()
            .uid(&format!(
                "{}-{}-{}-{}@handoff",
                site_id,
                duty.person,
                duty.role.as_str(),
                duty.span.start.timestamp()
            ))
            .summary(&format!("{name}: {} {open_or_call}", duty.role.label()))
            .location(&site.name)
            .starts(duty.span.start)
            .ends(duty.span.end)
            .timestamp(now)
            .done();
        calendar.push(event);
    }
    Ok(calendar.done().to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn day(y: i32, m: u32, d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, d).unwrap()
    }

    #[test]
    fn days_outside_the_years_schedules_cover_are_refused_not_overflowed() {
        let tz = chrono_tz::America::New_York;
        assert!(matches!(
            local_days(tz, NaiveDate::MAX, NaiveDate::MAX),
            Err(IcsError::OutOfRange)
        ));
        assert!(matches!(
            local_days(tz, day(1899, 12, 31), day(1900, 1, 1)),
            Err(IcsError::OutOfRange)
        ));
        let (from, to) = local_days(tz, day(2199, 12, 31), day(2199, 12, 31)).unwrap();
        assert_eq!(to - from, chrono::Duration::hours(24));
    }
}

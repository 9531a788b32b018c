//! Literal schedules and instants for the demand tests: a site in New York written
//! the way the configuration writes one.

use chrono::{DateTime, NaiveDate, Utc};
use chrono_tz::America::New_York;
use handoff_schedules::{
    Availability, Closure, ClosureDates, PersonId, Recurrence, Role, Shift, SiteId, SiteSchedule,
    When, Window,
};

use super::week::{Counts, DemandCell, HourOfWeek};

pub(super) fn at(text: &str) -> DateTime<Utc> {
    DateTime::parse_from_rfc3339(text).unwrap().to_utc()
}

/// `days` from `start` to `end`, e.g. `window("mon-fri", "08:00", "18:00")`.
pub(super) fn window(days: &str, start: &str, end: &str) -> Window {
    Window {
        starts: Recurrence::Weekly {
            days: days.parse().unwrap(),
            at: start.parse().unwrap(),
        },
        end: end.parse().unwrap(),
    }
}

/// The site `downtown` in New York with these operating hours and nobody on staff.
pub(super) fn new_york_site(hours: &[Window]) -> SiteSchedule {
    let mut site = SiteSchedule::new(SiteId::parse("downtown").unwrap(), New_York);
    site.hours = hours.to_vec();
    site
}

/// A case manager on duty within `window` while the site is open.
pub(super) fn case_manager(person: &str, window: Window) -> Shift {
    Shift {
        person: PersonId::parse(person).unwrap(),
        role: Role::CaseManager,
        availability: Availability {
            windows: vec![window],
            when: When::Open,
        },
    }
}

/// Closed all day on `date` (`2026-11-26`).
pub(super) fn closed_on(date: &str) -> Closure {
    Closure {
        name: "holiday".to_owned(),
        dates: ClosureDates::On(date.parse::<NaiveDate>().unwrap()),
        reduced_hours: Vec::new(),
    }
}

/// A demand cell of `site` at hour `hour` of the week.
pub(super) fn cell(site: &str, hour: u32, covered: u64, unanswered: u64, out: u64) -> DemandCell {
    DemandCell {
        site: SiteId::parse(site).unwrap(),
        hour: HourOfWeek::new(hour).unwrap(),
        counts: Counts {
            covered,
            unanswered,
            out_of_hours: out,
        },
    }
}

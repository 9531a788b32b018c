//! Tables for one realistic site, "metro" in America/New_York, asked about literal
//! instants in late 2026: is it open, who is on duty, and when does it next open.
//!
//! The site is open Monday to Friday 08:00-24:00. Case managers work shifts (dana
//! 08:00-16:00 and lee 16:00-24:00 while the site is open; kim does late street
//! outreach from `0 22 * * mon-fri` until 02:00 whether or not it is open). An
//! outreach and intake coordinator is on call while the site is closed, sam and alex
//! taking weekly turns handed over on Monday at 08:00. A supervisor (pat) is on duty
//! while it is open and a project manager (morgan) is always reachable. It closes for
//! Thanksgiving (2026-11-26), keeps 08:00-14:00 on Christmas Eve, and closes every
//! Christmas Day (`0 0 25 12 *`).
//!
//! The tables cover point queries (shift changes, shifts crossing midnight, Friday
//! 23:59 against Saturday 00:00, holidays, reduced hours), overrides on top of shifts
//! and rotations (cover, add, remove), `coverage` and `duty_intervals` over a closed
//! weekend and the holidays, `open_intervals`, `next_opening`, and a cron window.

use std::fmt::Display;
use std::str::FromStr;

use chrono::{DateTime, NaiveDate, Utc};
use chrono_tz::America::New_York;
use chrono_tz::Tz;
use handoff_schedules::Role::{CaseManager, Coordinator, ProjectManager, Supervisor};
use handoff_schedules::{
    Availability, Closure, ClosureDates, DutyInterval, Interval, Override, OverrideKind, PersonId,
    Recurrence, Role, Rotation, Shift, SiteId, SiteSchedule, When, Window,
};

// ---------------------------------------------------------------------------------
// Helpers
// ---------------------------------------------------------------------------------

/// An instant from an RFC 3339 literal.
fn at(text: &str) -> DateTime<Utc> {
    DateTime::parse_from_rfc3339(text)
        .unwrap_or_else(|e| panic!("`{text}` is not RFC 3339: {e}"))
        .with_timezone(&Utc)
}

/// Parses a table literal; a malformed one fails the test naming the text.
fn parse<T>(text: &str) -> T
where
    T: FromStr,
    T::Err: Display,
{
    text.parse()
        .unwrap_or_else(|e| panic!("`{text}` in a table does not parse: {e}"))
}

fn date(text: &str) -> NaiveDate {
    parse(text)
}

fn person(name: &str) -> PersonId {
    parse(name)
}

fn span(start: &str, end: &str) -> Interval {
    Interval::new(at(start), at(end)).unwrap_or_else(|| {
        panic!("`{start}` .. `{end}` is not a span: it must end after it starts")
    })
}

/// A window from `("mon-fri 08:00", "16:00")` (weekdays and a start time) or
/// `("0 22 * * mon-fri", "02:00")` (a 5-field cron expression) and its end time.
fn window((starts, end): (&str, &str)) -> Window {
    let fields: Vec<&str> = starts.split_whitespace().collect();
    let starts = match fields.as_slice() {
        [days, time] => Recurrence::Weekly {
            days: parse(days),
            at: parse(time),
        },
        _ => Recurrence::Cron(parse(starts)),
    };
    Window {
        starts,
        end: parse(end),
    }
}

fn shift(name: &str, role: Role, windows: &[(&str, &str)], when: When) -> Shift {
    Shift {
        person: person(name),
        role,
        availability: Availability {
            windows: windows.iter().copied().map(window).collect(),
            when,
        },
    }
}

fn duty(list: &[(&str, Role)]) -> Vec<(PersonId, Role)> {
    list.iter()
        .map(|(name, role)| (person(name), *role))
        .collect()
}

/// How an instant reads in New York, for failure messages.
fn show(instant: DateTime<Utc>) -> String {
    instant.with_timezone(&New_York).to_rfc3339()
}

fn show_duty(list: &[(PersonId, Role)]) -> String {
    let names: Vec<String> = list
        .iter()
        .map(|(p, r)| format!("{p} ({})", r.as_str()))
        .collect();
    format!("[{}]", names.join(", "))
}

// ---------------------------------------------------------------------------------
// The site
// ---------------------------------------------------------------------------------

fn metro() -> SiteSchedule {
    let mut site = SiteSchedule::new(parse::<SiteId>("metro"), New_York);
    site.hours = vec![window(("mon-fri 08:00", "24:00"))];
    site.closures = vec![
        Closure {
            name: "Thanksgiving".to_owned(),
            dates: ClosureDates::On(date("2026-11-26")),
            reduced_hours: Vec::new(),
        },
        Closure {
            name: "Christmas Eve".to_owned(),
            dates: ClosureDates::On(date("2026-12-24")),
            reduced_hours: vec![(parse("08:00"), parse("14:00"))],
        },
        Closure {
            name: "Christmas Day".to_owned(),
            dates: ClosureDates::Matching(parse("0 0 25 12 *")),
            reduced_hours: Vec::new(),
        },
    ];
    site.shifts = vec![
        shift(
            "dana",
            CaseManager,
            &[("mon-fri 08:00", "16:00")],
            When::Open,
        ),
        shift(
            "lee",
            CaseManager,
            &[("mon-fri 16:00", "24:00")],
            When::Open,
        ),
        shift(
            "kim",
            CaseManager,
            &[("0 22 * * mon-fri", "02:00")],
            When::Always,
        ),
        shift("pat", Supervisor, &[], When::Open),
        shift("morgan", ProjectManager, &[], When::Always),
    ];
    site.rotations = vec![Rotation {
        name: "after-hours on call".to_owned(),
        role: Coordinator,
        members: vec![person("sam"), person("alex")],
        // sam's turn starts Monday 2026-11-02 08:00; alex's 2026-11-09; and so on.
        anchor: parse("2026-11-02T08:00:00"),
        turn_days: 7,
        availability: Availability {
            windows: Vec::new(),
            when: When::Closed,
        },
    }];
    site
}

// ---------------------------------------------------------------------------------
// Point queries: open? who? next opening?
// ---------------------------------------------------------------------------------

struct Moment {
    label: &'static str,
    at: &'static str,
    open: bool,
    on_duty: &'static [(&'static str, Role)],
    next_opening: &'static str,
}

const MOMENTS: &[Moment] = &[
    // An ordinary week: sam's turn until Monday 2026-11-23 08:00, then alex's.
    Moment {
        label: "Monday 10:00: open, dana on shift",
        at: "2026-11-23T10:00:00-05:00",
        open: true,
        on_duty: &[
            ("dana", CaseManager),
            ("pat", Supervisor),
            ("morgan", ProjectManager),
        ],
        next_opening: "2026-11-24T08:00:00-05:00",
    },
    Moment {
        label: "Sunday 10:00: closed, sam on call",
        at: "2026-11-22T10:00:00-05:00",
        open: false,
        on_duty: &[("sam", Coordinator), ("morgan", ProjectManager)],
        next_opening: "2026-11-23T08:00:00-05:00",
    },
    Moment {
        label: "Monday 01:00: no late outreach on Sunday night",
        at: "2026-11-23T01:00:00-05:00",
        open: false,
        on_duty: &[("sam", Coordinator), ("morgan", ProjectManager)],
        next_opening: "2026-11-23T08:00:00-05:00",
    },
    Moment {
        label: "Monday 07:59: the last minute of sam's turn",
        at: "2026-11-23T07:59:00-05:00",
        open: false,
        on_duty: &[("sam", Coordinator), ("morgan", ProjectManager)],
        next_opening: "2026-11-23T08:00:00-05:00",
    },
    Moment {
        label: "Monday 08:00: opens; alex's turn starts but the coordinator is off while open",
        at: "2026-11-23T08:00:00-05:00",
        open: true,
        on_duty: &[
            ("dana", CaseManager),
            ("pat", Supervisor),
            ("morgan", ProjectManager),
        ],
        next_opening: "2026-11-24T08:00:00-05:00",
    },
    Moment {
        label: "Monday 15:59: dana's last minute",
        at: "2026-11-23T15:59:00-05:00",
        open: true,
        on_duty: &[
            ("dana", CaseManager),
            ("pat", Supervisor),
            ("morgan", ProjectManager),
        ],
        next_opening: "2026-11-24T08:00:00-05:00",
    },
    Moment {
        label: "Monday 16:00: lee takes over from dana",
        at: "2026-11-23T16:00:00-05:00",
        open: true,
        on_duty: &[
            ("lee", CaseManager),
            ("pat", Supervisor),
            ("morgan", ProjectManager),
        ],
        next_opening: "2026-11-24T08:00:00-05:00",
    },
    Moment {
        label: "Monday 22:30: kim's cron-started late outreach runs beside lee",
        at: "2026-11-23T22:30:00-05:00",
        open: true,
        on_duty: &[
            ("kim", CaseManager),
            ("lee", CaseManager),
            ("pat", Supervisor),
            ("morgan", ProjectManager),
        ],
        next_opening: "2026-11-24T08:00:00-05:00",
    },
    Moment {
        label: "Tuesday 00:00: closed at midnight; kim's shift crosses it, alex on call",
        at: "2026-11-24T00:00:00-05:00",
        open: false,
        on_duty: &[
            ("kim", CaseManager),
            ("alex", Coordinator),
            ("morgan", ProjectManager),
        ],
        next_opening: "2026-11-24T08:00:00-05:00",
    },
    Moment {
        label: "Tuesday 01:59: kim's last minute",
        at: "2026-11-24T01:59:00-05:00",
        open: false,
        on_duty: &[
            ("kim", CaseManager),
            ("alex", Coordinator),
            ("morgan", ProjectManager),
        ],
        next_opening: "2026-11-24T08:00:00-05:00",
    },
    Moment {
        label: "Tuesday 02:00: kim's shift is over",
        at: "2026-11-24T02:00:00-05:00",
        open: false,
        on_duty: &[("alex", Coordinator), ("morgan", ProjectManager)],
        next_opening: "2026-11-24T08:00:00-05:00",
    },
    // Thanksgiving, Thursday 2026-11-26, closed all day.
    Moment {
        label: "Wednesday 10:00 before Thanksgiving: the next opening skips the holiday",
        at: "2026-11-25T10:00:00-05:00",
        open: true,
        on_duty: &[
            ("dana", CaseManager),
            ("pat", Supervisor),
            ("morgan", ProjectManager),
        ],
        next_opening: "2026-11-27T08:00:00-05:00",
    },
    Moment {
        label: "Wednesday 23:59 before Thanksgiving: still open",
        at: "2026-11-25T23:59:00-05:00",
        open: true,
        on_duty: &[
            ("kim", CaseManager),
            ("lee", CaseManager),
            ("pat", Supervisor),
            ("morgan", ProjectManager),
        ],
        next_opening: "2026-11-27T08:00:00-05:00",
    },
    Moment {
        label: "Thanksgiving 00:00: closed; kim's Wednesday shift runs on",
        at: "2026-11-26T00:00:00-05:00",
        open: false,
        on_duty: &[
            ("kim", CaseManager),
            ("alex", Coordinator),
            ("morgan", ProjectManager),
        ],
        next_opening: "2026-11-27T08:00:00-05:00",
    },
    Moment {
        label: "Thanksgiving 10:00: dana and pat off, alex on call",
        at: "2026-11-26T10:00:00-05:00",
        open: false,
        on_duty: &[("alex", Coordinator), ("morgan", ProjectManager)],
        next_opening: "2026-11-27T08:00:00-05:00",
    },
    Moment {
        label: "Thanksgiving 17:00: lee off",
        at: "2026-11-26T17:00:00-05:00",
        open: false,
        on_duty: &[("alex", Coordinator), ("morgan", ProjectManager)],
        next_opening: "2026-11-27T08:00:00-05:00",
    },
    Moment {
        label: "Thanksgiving 23:00: kim's late outreach does not follow the site's hours",
        at: "2026-11-26T23:00:00-05:00",
        open: false,
        on_duty: &[
            ("kim", CaseManager),
            ("alex", Coordinator),
            ("morgan", ProjectManager),
        ],
        next_opening: "2026-11-27T08:00:00-05:00",
    },
    Moment {
        label: "Friday 08:00 after Thanksgiving: open again",
        at: "2026-11-27T08:00:00-05:00",
        open: true,
        on_duty: &[
            ("dana", CaseManager),
            ("pat", Supervisor),
            ("morgan", ProjectManager),
        ],
        next_opening: "2026-11-30T08:00:00-05:00",
    },
    // The weekend.
    Moment {
        label: "Friday 23:59: the last open minute of the week",
        at: "2026-11-27T23:59:00-05:00",
        open: true,
        on_duty: &[
            ("kim", CaseManager),
            ("lee", CaseManager),
            ("pat", Supervisor),
            ("morgan", ProjectManager),
        ],
        next_opening: "2026-11-30T08:00:00-05:00",
    },
    Moment {
        label: "Saturday 00:00: closed; alex on call, kim's Friday shift runs on",
        at: "2026-11-28T00:00:00-05:00",
        open: false,
        on_duty: &[
            ("kim", CaseManager),
            ("alex", Coordinator),
            ("morgan", ProjectManager),
        ],
        next_opening: "2026-11-30T08:00:00-05:00",
    },
    Moment {
        label: "Saturday 02:00: only the on-call coordinator and the project manager",
        at: "2026-11-28T02:00:00-05:00",
        open: false,
        on_duty: &[("alex", Coordinator), ("morgan", ProjectManager)],
        next_opening: "2026-11-30T08:00:00-05:00",
    },
    Moment {
        label: "Sunday 23:59: alex still on call",
        at: "2026-11-29T23:59:00-05:00",
        open: false,
        on_duty: &[("alex", Coordinator), ("morgan", ProjectManager)],
        next_opening: "2026-11-30T08:00:00-05:00",
    },
    Moment {
        label: "Monday 07:59: the last minute of alex's turn",
        at: "2026-11-30T07:59:00-05:00",
        open: false,
        on_duty: &[("alex", Coordinator), ("morgan", ProjectManager)],
        next_opening: "2026-11-30T08:00:00-05:00",
    },
    // Christmas Eve, Thursday 2026-12-24: open 08:00-14:00 only. alex's turn.
    Moment {
        label: "Christmas Eve 07:59: not open yet",
        at: "2026-12-24T07:59:00-05:00",
        open: false,
        on_duty: &[("alex", Coordinator), ("morgan", ProjectManager)],
        next_opening: "2026-12-24T08:00:00-05:00",
    },
    Moment {
        label: "Christmas Eve 08:00: open for the reduced hours",
        at: "2026-12-24T08:00:00-05:00",
        open: true,
        on_duty: &[
            ("dana", CaseManager),
            ("pat", Supervisor),
            ("morgan", ProjectManager),
        ],
        next_opening: "2026-12-28T08:00:00-05:00",
    },
    Moment {
        label: "Christmas Eve 13:59: the last open minute",
        at: "2026-12-24T13:59:00-05:00",
        open: true,
        on_duty: &[
            ("dana", CaseManager),
            ("pat", Supervisor),
            ("morgan", ProjectManager),
        ],
        next_opening: "2026-12-28T08:00:00-05:00",
    },
    Moment {
        label: "Christmas Eve 14:00: closed early, dana sent home, alex on call",
        at: "2026-12-24T14:00:00-05:00",
        open: false,
        on_duty: &[("alex", Coordinator), ("morgan", ProjectManager)],
        next_opening: "2026-12-28T08:00:00-05:00",
    },
    Moment {
        label: "Christmas Eve 17:00: lee's shift does not happen",
        at: "2026-12-24T17:00:00-05:00",
        open: false,
        on_duty: &[("alex", Coordinator), ("morgan", ProjectManager)],
        next_opening: "2026-12-28T08:00:00-05:00",
    },
    Moment {
        label: "Christmas Eve 23:00: kim's late outreach",
        at: "2026-12-24T23:00:00-05:00",
        open: false,
        on_duty: &[
            ("kim", CaseManager),
            ("alex", Coordinator),
            ("morgan", ProjectManager),
        ],
        next_opening: "2026-12-28T08:00:00-05:00",
    },
    Moment {
        label: "Christmas Day 2026 10:00, a Friday: closed by `0 0 25 12 *`",
        at: "2026-12-25T10:00:00-05:00",
        open: false,
        on_duty: &[("alex", Coordinator), ("morgan", ProjectManager)],
        next_opening: "2026-12-28T08:00:00-05:00",
    },
    Moment {
        label: "Christmas Day 2028 10:00, a Monday: closed by the same rule, sam's turn",
        at: "2028-12-25T10:00:00-05:00",
        open: false,
        on_duty: &[("sam", Coordinator), ("morgan", ProjectManager)],
        next_opening: "2028-12-26T08:00:00-05:00",
    },
    // Around the clock changes.
    Moment {
        label: "Saturday before clocks go back: reopens Monday 08:00 EST",
        at: "2026-10-31T12:00:00-04:00",
        open: false,
        on_duty: &[("alex", Coordinator), ("morgan", ProjectManager)],
        next_opening: "2026-11-02T08:00:00-05:00",
    },
    Moment {
        label: "Saturday before clocks spring forward: reopens Monday 08:00 EDT",
        at: "2026-03-07T12:00:00-05:00",
        open: false,
        on_duty: &[("alex", Coordinator), ("morgan", ProjectManager)],
        next_opening: "2026-03-09T08:00:00-04:00",
    },
];

#[test]
fn the_site_answers_who_is_on_duty_whether_it_is_open_and_when_it_next_opens() {
    let site = metro();
    for row in MOMENTS {
        let instant = at(row.at);
        assert_eq!(site.is_open(instant), row.open, "{}: is_open", row.label);
        let on_duty = site.on_duty(instant);
        assert_eq!(
            on_duty,
            duty(row.on_duty),
            "{}: on duty {} (expected {:?})",
            row.label,
            show_duty(&on_duty),
            row.on_duty
        );
        let next = site.next_opening(instant).map(|t| t.to_rfc3339());
        assert_eq!(
            next.as_deref(),
            Some(row.next_opening),
            "{}: next opening",
            row.label
        );
    }
}

#[test]
fn the_free_functions_give_the_same_answers_as_the_methods() {
    let site = metro();
    for row in MOMENTS {
        let instant = at(row.at);
        assert_eq!(
            handoff_schedules::is_open(&site, instant),
            row.open,
            "{}",
            row.label
        );
        assert_eq!(
            handoff_schedules::on_duty(&site, instant),
            duty(row.on_duty),
            "{}",
            row.label
        );
        let next = handoff_schedules::next_opening(&site, instant).map(|t| t.to_rfc3339());
        assert_eq!(next.as_deref(), Some(row.next_opening), "{}", row.label);
    }
}

// ---------------------------------------------------------------------------------
// Overrides on top of shifts and rotations
// ---------------------------------------------------------------------------------

/// The metro site with a week of temporary changes (sam's turn, 2026-11-30 to
/// 2026-12-07).
fn metro_with_overrides() -> SiteSchedule {
    let mut site = metro();
    let cover = |covering: &str, covered: &str, from: &str, to: &str| Override {
        kind: OverrideKind::Cover {
            covering: person(covering),
            covered: person(covered),
        },
        during: span(from, to),
    };
    let add = |name: &str, role: Role, from: &str, to: &str| Override {
        kind: OverrideKind::Add {
            person: person(name),
            role,
        },
        during: span(from, to),
    };
    let remove = |name: &str, from: &str, to: &str| Override {
        kind: OverrideKind::Remove {
            person: person(name),
        },
        during: span(from, to),
    };
    site.overrides = vec![
        cover(
            "lee",
            "dana",
            "2026-12-01T10:00:00-05:00",
            "2026-12-01T12:00:00-05:00",
        ),
        cover(
            "kim",
            "lee",
            "2026-12-01T22:00:00-05:00",
            "2026-12-02T00:00:00-05:00",
        ),
        add(
            "rob",
            Supervisor,
            "2026-12-02T08:00:00-05:00",
            "2026-12-02T12:00:00-05:00",
        ),
        remove(
            "pat",
            "2026-12-03T00:00:00-05:00",
            "2026-12-04T00:00:00-05:00",
        ),
        remove(
            "dana",
            "2026-12-04T08:00:00-05:00",
            "2026-12-04T16:00:00-05:00",
        ),
        add(
            "jo",
            CaseManager,
            "2026-12-04T08:00:00-05:00",
            "2026-12-04T16:00:00-05:00",
        ),
        add(
            "rob",
            Coordinator,
            "2026-12-05T10:00:00-05:00",
            "2026-12-05T12:00:00-05:00",
        ),
        cover(
            "alex",
            "sam",
            "2026-12-05T18:00:00-05:00",
            "2026-12-06T18:00:00-05:00",
        ),
    ];
    site
}

struct Changed {
    label: &'static str,
    at: &'static str,
    on_duty: &'static [(&'static str, Role)],
}

const OVERRIDDEN: &[Changed] = &[
    Changed {
        label: "Tuesday 09:59, before lee covers dana",
        at: "2026-12-01T09:59:00-05:00",
        on_duty: &[
            ("dana", CaseManager),
            ("pat", Supervisor),
            ("morgan", ProjectManager),
        ],
    },
    Changed {
        label: "Tuesday 10:00, lee covers dana",
        at: "2026-12-01T10:00:00-05:00",
        on_duty: &[
            ("lee", CaseManager),
            ("pat", Supervisor),
            ("morgan", ProjectManager),
        ],
    },
    Changed {
        label: "Tuesday 11:59, still covered",
        at: "2026-12-01T11:59:00-05:00",
        on_duty: &[
            ("lee", CaseManager),
            ("pat", Supervisor),
            ("morgan", ProjectManager),
        ],
    },
    Changed {
        label: "Tuesday 12:00, the cover is over",
        at: "2026-12-01T12:00:00-05:00",
        on_duty: &[
            ("dana", CaseManager),
            ("pat", Supervisor),
            ("morgan", ProjectManager),
        ],
    },
    Changed {
        label: "Tuesday 17:00, lee's own shift is untouched",
        at: "2026-12-01T17:00:00-05:00",
        on_duty: &[
            ("lee", CaseManager),
            ("pat", Supervisor),
            ("morgan", ProjectManager),
        ],
    },
    Changed {
        label: "Tuesday 23:00, kim covers lee during her own shift and is listed once",
        at: "2026-12-01T23:00:00-05:00",
        on_duty: &[
            ("kim", CaseManager),
            ("pat", Supervisor),
            ("morgan", ProjectManager),
        ],
    },
    Changed {
        label: "Wednesday 00:00, closed: the cover of lee is over, kim's shift goes on",
        at: "2026-12-02T00:00:00-05:00",
        on_duty: &[
            ("kim", CaseManager),
            ("sam", Coordinator),
            ("morgan", ProjectManager),
        ],
    },
    Changed {
        label: "Wednesday 08:00, rob added as a second supervisor",
        at: "2026-12-02T08:00:00-05:00",
        on_duty: &[
            ("dana", CaseManager),
            ("pat", Supervisor),
            ("rob", Supervisor),
            ("morgan", ProjectManager),
        ],
    },
    Changed {
        label: "Wednesday 12:00, rob's addition is over",
        at: "2026-12-02T12:00:00-05:00",
        on_duty: &[
            ("dana", CaseManager),
            ("pat", Supervisor),
            ("morgan", ProjectManager),
        ],
    },
    Changed {
        label: "Thursday 10:00, pat off sick",
        at: "2026-12-03T10:00:00-05:00",
        on_duty: &[("dana", CaseManager), ("morgan", ProjectManager)],
    },
    Changed {
        label: "Thursday 23:59, pat still off",
        at: "2026-12-03T23:59:00-05:00",
        on_duty: &[
            ("kim", CaseManager),
            ("lee", CaseManager),
            ("morgan", ProjectManager),
        ],
    },
    Changed {
        label: "Friday 00:00, pat's leave is over but the site is closed",
        at: "2026-12-04T00:00:00-05:00",
        on_duty: &[
            ("kim", CaseManager),
            ("sam", Coordinator),
            ("morgan", ProjectManager),
        ],
    },
    Changed {
        label: "Friday 10:00, dana off and jo added in her place",
        at: "2026-12-04T10:00:00-05:00",
        on_duty: &[
            ("jo", CaseManager),
            ("pat", Supervisor),
            ("morgan", ProjectManager),
        ],
    },
    Changed {
        label: "Friday 16:00, both over: lee as usual",
        at: "2026-12-04T16:00:00-05:00",
        on_duty: &[
            ("lee", CaseManager),
            ("pat", Supervisor),
            ("morgan", ProjectManager),
        ],
    },
    Changed {
        label: "Saturday 10:00, rob added on call beside sam",
        at: "2026-12-05T10:00:00-05:00",
        on_duty: &[
            ("rob", Coordinator),
            ("sam", Coordinator),
            ("morgan", ProjectManager),
        ],
    },
    Changed {
        label: "Saturday 17:59, sam on call",
        at: "2026-12-05T17:59:00-05:00",
        on_duty: &[("sam", Coordinator), ("morgan", ProjectManager)],
    },
    Changed {
        label: "Saturday 18:00, alex covers sam's turn",
        at: "2026-12-05T18:00:00-05:00",
        on_duty: &[("alex", Coordinator), ("morgan", ProjectManager)],
    },
    Changed {
        label: "Sunday 17:59, still covered",
        at: "2026-12-06T17:59:00-05:00",
        on_duty: &[("alex", Coordinator), ("morgan", ProjectManager)],
    },
    Changed {
        label: "Sunday 18:00, back to sam",
        at: "2026-12-06T18:00:00-05:00",
        on_duty: &[("sam", Coordinator), ("morgan", ProjectManager)],
    },
];

#[test]
fn overrides_cover_add_and_remove_only_within_their_spans() {
    let site = metro_with_overrides();
    let plain = metro();
    for row in OVERRIDDEN {
        let instant = at(row.at);
        let on_duty = site.on_duty(instant);
        assert_eq!(
            on_duty,
            duty(row.on_duty),
            "{}: on duty {} (expected {:?})",
            row.label,
            show_duty(&on_duty),
            row.on_duty
        );
        assert_eq!(
            site.is_open(instant),
            plain.is_open(instant),
            "{}: overrides never change opening",
            row.label
        );
    }
}

#[test]
fn duty_intervals_split_a_shift_around_a_cover() {
    let site = metro_with_overrides();
    let duties = site.duty_intervals(
        at("2026-12-01T09:00:00-05:00"),
        at("2026-12-01T13:00:00-05:00"),
    );
    let expected = [
        (
            "dana",
            CaseManager,
            "2026-12-01T09:00:00-05:00",
            "2026-12-01T10:00:00-05:00",
        ),
        (
            "pat",
            Supervisor,
            "2026-12-01T09:00:00-05:00",
            "2026-12-01T13:00:00-05:00",
        ),
        (
            "morgan",
            ProjectManager,
            "2026-12-01T09:00:00-05:00",
            "2026-12-01T13:00:00-05:00",
        ),
        (
            "lee",
            CaseManager,
            "2026-12-01T10:00:00-05:00",
            "2026-12-01T12:00:00-05:00",
        ),
        (
            "dana",
            CaseManager,
            "2026-12-01T12:00:00-05:00",
            "2026-12-01T13:00:00-05:00",
        ),
    ];
    assert_eq!(duties.len(), expected.len(), "duty intervals {duties:?}");
    for (i, (name, role, start, end)) in expected.into_iter().enumerate() {
        let want = DutyInterval {
            person: person(name),
            role,
            span: span(start, end),
        };
        assert_eq!(duties[i], want, "row {i}: {name} {start} .. {end}");
    }
}

// ---------------------------------------------------------------------------------
// Coverage over a closed weekend and the holidays
// ---------------------------------------------------------------------------------

struct Segment {
    start: &'static str,
    end: &'static str,
    open: bool,
    on_duty: &'static [(&'static str, Role)],
}

struct CoverageRow {
    label: &'static str,
    from: &'static str,
    to: &'static str,
    segments: &'static [Segment],
}

const COVERAGE: &[CoverageRow] = &[
    CoverageRow {
        label: "the weekend after Thanksgiving",
        from: "2026-11-27T20:00:00-05:00",
        to: "2026-11-30T10:00:00-05:00",
        segments: &[
            Segment {
                start: "2026-11-27T20:00:00-05:00",
                end: "2026-11-27T22:00:00-05:00",
                open: true,
                on_duty: &[
                    ("lee", CaseManager),
                    ("pat", Supervisor),
                    ("morgan", ProjectManager),
                ],
            },
            Segment {
                start: "2026-11-27T22:00:00-05:00",
                end: "2026-11-28T00:00:00-05:00",
                open: true,
                on_duty: &[
                    ("kim", CaseManager),
                    ("lee", CaseManager),
                    ("pat", Supervisor),
                    ("morgan", ProjectManager),
                ],
            },
            Segment {
                start: "2026-11-28T00:00:00-05:00",
                end: "2026-11-28T02:00:00-05:00",
                open: false,
                on_duty: &[
                    ("kim", CaseManager),
                    ("alex", Coordinator),
                    ("morgan", ProjectManager),
                ],
            },
            Segment {
                start: "2026-11-28T02:00:00-05:00",
                end: "2026-11-30T08:00:00-05:00",
                open: false,
                on_duty: &[("alex", Coordinator), ("morgan", ProjectManager)],
            },
            Segment {
                start: "2026-11-30T08:00:00-05:00",
                end: "2026-11-30T10:00:00-05:00",
                open: true,
                on_duty: &[
                    ("dana", CaseManager),
                    ("pat", Supervisor),
                    ("morgan", ProjectManager),
                ],
            },
        ],
    },
    CoverageRow {
        label: "Thanksgiving, Wednesday evening to Friday morning",
        from: "2026-11-25T20:00:00-05:00",
        to: "2026-11-27T10:00:00-05:00",
        segments: &[
            Segment {
                start: "2026-11-25T20:00:00-05:00",
                end: "2026-11-25T22:00:00-05:00",
                open: true,
                on_duty: &[
                    ("lee", CaseManager),
                    ("pat", Supervisor),
                    ("morgan", ProjectManager),
                ],
            },
            Segment {
                start: "2026-11-25T22:00:00-05:00",
                end: "2026-11-26T00:00:00-05:00",
                open: true,
                on_duty: &[
                    ("kim", CaseManager),
                    ("lee", CaseManager),
                    ("pat", Supervisor),
                    ("morgan", ProjectManager),
                ],
            },
            Segment {
                start: "2026-11-26T00:00:00-05:00",
                end: "2026-11-26T02:00:00-05:00",
                open: false,
                on_duty: &[
                    ("kim", CaseManager),
                    ("alex", Coordinator),
                    ("morgan", ProjectManager),
                ],
            },
            Segment {
                start: "2026-11-26T02:00:00-05:00",
                end: "2026-11-26T22:00:00-05:00",
                open: false,
                on_duty: &[("alex", Coordinator), ("morgan", ProjectManager)],
            },
            Segment {
                start: "2026-11-26T22:00:00-05:00",
                end: "2026-11-27T02:00:00-05:00",
                open: false,
                on_duty: &[
                    ("kim", CaseManager),
                    ("alex", Coordinator),
                    ("morgan", ProjectManager),
                ],
            },
            Segment {
                start: "2026-11-27T02:00:00-05:00",
                end: "2026-11-27T08:00:00-05:00",
                open: false,
                on_duty: &[("alex", Coordinator), ("morgan", ProjectManager)],
            },
            Segment {
                start: "2026-11-27T08:00:00-05:00",
                end: "2026-11-27T10:00:00-05:00",
                open: true,
                on_duty: &[
                    ("dana", CaseManager),
                    ("pat", Supervisor),
                    ("morgan", ProjectManager),
                ],
            },
        ],
    },
    CoverageRow {
        label: "Christmas Eve (reduced hours) and Christmas Day (cron holiday)",
        from: "2026-12-24T00:00:00-05:00",
        to: "2026-12-26T00:00:00-05:00",
        segments: &[
            Segment {
                start: "2026-12-24T00:00:00-05:00",
                end: "2026-12-24T02:00:00-05:00",
                open: false,
                on_duty: &[
                    ("kim", CaseManager),
                    ("alex", Coordinator),
                    ("morgan", ProjectManager),
                ],
            },
            Segment {
                start: "2026-12-24T02:00:00-05:00",
                end: "2026-12-24T08:00:00-05:00",
                open: false,
                on_duty: &[("alex", Coordinator), ("morgan", ProjectManager)],
            },
            Segment {
                start: "2026-12-24T08:00:00-05:00",
                end: "2026-12-24T14:00:00-05:00",
                open: true,
                on_duty: &[
                    ("dana", CaseManager),
                    ("pat", Supervisor),
                    ("morgan", ProjectManager),
                ],
            },
            Segment {
                start: "2026-12-24T14:00:00-05:00",
                end: "2026-12-24T22:00:00-05:00",
                open: false,
                on_duty: &[("alex", Coordinator), ("morgan", ProjectManager)],
            },
            Segment {
                start: "2026-12-24T22:00:00-05:00",
                end: "2026-12-25T02:00:00-05:00",
                open: false,
                on_duty: &[
                    ("kim", CaseManager),
                    ("alex", Coordinator),
                    ("morgan", ProjectManager),
                ],
            },
            Segment {
                start: "2026-12-25T02:00:00-05:00",
                end: "2026-12-25T22:00:00-05:00",
                open: false,
                on_duty: &[("alex", Coordinator), ("morgan", ProjectManager)],
            },
            Segment {
                start: "2026-12-25T22:00:00-05:00",
                end: "2026-12-26T00:00:00-05:00",
                open: false,
                on_duty: &[
                    ("kim", CaseManager),
                    ("alex", Coordinator),
                    ("morgan", ProjectManager),
                ],
            },
        ],
    },
];

#[test]
fn coverage_over_a_weekend_and_holidays_is_a_list_of_maximal_segments() {
    let site = metro();
    for row in COVERAGE {
        let segments = handoff_schedules::coverage(&site, at(row.from), at(row.to));
        let got: Vec<String> = segments
            .iter()
            .map(|s| {
                format!(
                    "{} .. {} open={} {}",
                    show(s.span.start),
                    show(s.span.end),
                    s.open,
                    show_duty(&s.on_duty)
                )
            })
            .collect();
        assert_eq!(
            segments.len(),
            row.segments.len(),
            "{}: segments {got:#?}",
            row.label
        );
        for (i, (segment, want)) in segments.iter().zip(row.segments).enumerate() {
            assert_eq!(
                segment.span,
                span(want.start, want.end),
                "{}: segment {i} span",
                row.label
            );
            assert_eq!(segment.open, want.open, "{}: segment {i} open", row.label);
            assert_eq!(
                segment.on_duty,
                duty(want.on_duty),
                "{}: segment {i} on duty",
                row.label
            );
        }
    }
}

#[test]
fn duty_intervals_show_the_on_call_coordinator_across_the_whole_closed_weekend() {
    let site = metro();
    let duties = site.duty_intervals(
        at("2026-11-27T20:00:00-05:00"),
        at("2026-11-30T10:00:00-05:00"),
    );
    let expected = [
        (
            "lee",
            CaseManager,
            "2026-11-27T20:00:00-05:00",
            "2026-11-28T00:00:00-05:00",
        ),
        (
            "pat",
            Supervisor,
            "2026-11-27T20:00:00-05:00",
            "2026-11-28T00:00:00-05:00",
        ),
        (
            "morgan",
            ProjectManager,
            "2026-11-27T20:00:00-05:00",
            "2026-11-30T10:00:00-05:00",
        ),
        (
            "kim",
            CaseManager,
            "2026-11-27T22:00:00-05:00",
            "2026-11-28T02:00:00-05:00",
        ),
        (
            "alex",
            Coordinator,
            "2026-11-28T00:00:00-05:00",
            "2026-11-30T08:00:00-05:00",
        ),
        (
            "dana",
            CaseManager,
            "2026-11-30T08:00:00-05:00",
            "2026-11-30T10:00:00-05:00",
        ),
        (
            "pat",
            Supervisor,
            "2026-11-30T08:00:00-05:00",
            "2026-11-30T10:00:00-05:00",
        ),
    ];
    assert_eq!(duties.len(), expected.len(), "duty intervals {duties:#?}");
    for (i, (name, role, start, end)) in expected.into_iter().enumerate() {
        let want = DutyInterval {
            person: person(name),
            role,
            span: span(start, end),
        };
        assert_eq!(duties[i], want, "row {i}: {name} {start} .. {end}");
    }
}

// ---------------------------------------------------------------------------------
// Open intervals
// ---------------------------------------------------------------------------------

struct OpenRow {
    label: &'static str,
    from: &'static str,
    to: &'static str,
    open: &'static [(&'static str, &'static str)],
}

const OPEN_INTERVALS: &[OpenRow] = &[
    OpenRow {
        label: "Thanksgiving week: Thursday is missing",
        from: "2026-11-23T00:00:00-05:00",
        to: "2026-11-30T00:00:00-05:00",
        open: &[
            ("2026-11-23T08:00:00-05:00", "2026-11-24T00:00:00-05:00"),
            ("2026-11-24T08:00:00-05:00", "2026-11-25T00:00:00-05:00"),
            ("2026-11-25T08:00:00-05:00", "2026-11-26T00:00:00-05:00"),
            ("2026-11-27T08:00:00-05:00", "2026-11-28T00:00:00-05:00"),
        ],
    },
    OpenRow {
        label: "Christmas week: Thursday until 14:00, Friday closed",
        from: "2026-12-21T00:00:00-05:00",
        to: "2026-12-28T00:00:00-05:00",
        open: &[
            ("2026-12-21T08:00:00-05:00", "2026-12-22T00:00:00-05:00"),
            ("2026-12-22T08:00:00-05:00", "2026-12-23T00:00:00-05:00"),
            ("2026-12-23T08:00:00-05:00", "2026-12-24T00:00:00-05:00"),
            ("2026-12-24T08:00:00-05:00", "2026-12-24T14:00:00-05:00"),
        ],
    },
    OpenRow {
        label: "clipped to a range starting and ending inside open hours",
        from: "2026-11-23T12:00:00-05:00",
        to: "2026-11-24T12:00:00-05:00",
        open: &[
            ("2026-11-23T12:00:00-05:00", "2026-11-24T00:00:00-05:00"),
            ("2026-11-24T08:00:00-05:00", "2026-11-24T12:00:00-05:00"),
        ],
    },
    OpenRow {
        label: "the week clocks go back: Monday still opens at 08:00 EST",
        from: "2026-10-30T00:00:00-04:00",
        to: "2026-11-03T00:00:00-05:00",
        open: &[
            ("2026-10-30T08:00:00-04:00", "2026-10-31T00:00:00-04:00"),
            ("2026-11-02T08:00:00-05:00", "2026-11-03T00:00:00-05:00"),
        ],
    },
    OpenRow {
        label: "a weekend: nothing",
        from: "2026-11-28T00:00:00-05:00",
        to: "2026-11-30T00:00:00-05:00",
        open: &[],
    },
];

#[test]
fn open_intervals_follow_the_hours_and_the_closures() {
    let site = metro();
    for row in OPEN_INTERVALS {
        let got = site.open_intervals(at(row.from), at(row.to));
        let want: Vec<Interval> = row.open.iter().map(|(s, e)| span(s, e)).collect();
        let shown: Vec<String> = got
            .iter()
            .map(|s| format!("{} .. {}", show(s.start), show(s.end)))
            .collect();
        assert_eq!(got, want, "{}: open intervals {shown:#?}", row.label);
    }
}

// ---------------------------------------------------------------------------------
// Next opening, for sites other than metro
// ---------------------------------------------------------------------------------

fn on_call_only() -> SiteSchedule {
    let mut site = metro();
    site.hours.clear();
    site.closures.clear();
    site
}

fn closed_for_renovation() -> SiteSchedule {
    let mut site = metro();
    site.closures.insert(
        0,
        Closure {
            name: "renovation".to_owned(),
            dates: ClosureDates::Between(date("2026-06-01"), date("2028-06-01")),
            reduced_hours: Vec::new(),
        },
    );
    site
}

fn pop_up_only() -> SiteSchedule {
    let mut site = on_call_only();
    site.closures.push(Closure {
        name: "open house".to_owned(),
        dates: ClosureDates::On(date("2026-12-12")),
        reduced_hours: vec![(parse("10:00"), parse("14:00"))],
    });
    site
}

fn back_from_renovation() -> SiteSchedule {
    let mut site = metro();
    site.closures.insert(
        0,
        Closure {
            name: "renovation".to_owned(),
            dates: ClosureDates::Between(date("2026-11-30"), date("2026-12-08")),
            reduced_hours: Vec::new(),
        },
    );
    site
}

struct NextOpening {
    label: &'static str,
    site: fn() -> SiteSchedule,
    after: &'static str,
    next: Option<&'static str>,
}

const NEXT_OPENINGS: &[NextOpening] = &[
    NextOpening {
        label: "a site with no hours never opens",
        site: on_call_only,
        after: "2026-11-23T10:00:00-05:00",
        next: None,
    },
    NextOpening {
        label: "a site closed for longer than the look-ahead never opens",
        site: closed_for_renovation,
        after: "2026-11-23T10:00:00-05:00",
        next: None,
    },
    NextOpening {
        label: "a site with no hours opens for a closure's reduced hours",
        site: pop_up_only,
        after: "2026-11-23T10:00:00-05:00",
        next: Some("2026-12-12T10:00:00-05:00"),
    },
    NextOpening {
        label: "a site closed from one Monday to the next Tuesday reopens on Wednesday",
        site: back_from_renovation,
        after: "2026-11-27T10:00:00-05:00",
        next: Some("2026-12-09T08:00:00-05:00"),
    },
    NextOpening {
        label: "from inside an open period: the start of the following one",
        site: metro,
        after: "2026-11-27T10:00:00-05:00",
        next: Some("2026-11-30T08:00:00-05:00"),
    },
    NextOpening {
        label: "from the very opening instant: the following opening",
        site: metro,
        after: "2026-11-30T08:00:00-05:00",
        next: Some("2026-12-01T08:00:00-05:00"),
    },
    NextOpening {
        label: "from the last nanosecond before opening: that opening",
        site: metro,
        after: "2026-11-30T07:59:59.999999999-05:00",
        next: Some("2026-11-30T08:00:00-05:00"),
    },
];

#[test]
fn next_opening_is_the_start_of_the_next_open_period_or_none() {
    for row in NEXT_OPENINGS {
        let site = (row.site)();
        let next = site.next_opening(at(row.after)).map(|t| t.to_rfc3339());
        assert_eq!(next.as_deref(), row.next, "{}", row.label);
    }
}

#[test]
fn a_site_with_no_hours_is_never_open_and_its_coordinator_is_always_on_call() {
    let site = on_call_only();
    let rows = [
        ("Monday 10:00", "2026-11-23T10:00:00-05:00", "alex"),
        ("Sunday 10:00", "2026-11-22T10:00:00-05:00", "sam"),
        ("Thanksgiving", "2026-11-26T10:00:00-05:00", "alex"),
    ];
    for (label, instant, coordinator) in rows {
        assert!(!site.is_open(at(instant)), "{label}: never open");
        let on_duty = site.on_duty(at(instant));
        assert!(
            on_duty.contains(&(person(coordinator), Coordinator)),
            "{label}: {coordinator} on call, got {}",
            show_duty(&on_duty)
        );
        assert!(
            !on_duty
                .iter()
                .any(|(p, _)| p.as_str() == "pat" || p.as_str() == "dana"),
            "{label}: open-hours staff are never on, got {}",
            show_duty(&on_duty)
        );
    }
    assert!(
        site.open_intervals(
            at("2026-11-23T00:00:00-05:00"),
            at("2026-11-30T00:00:00-05:00")
        )
        .is_empty()
    );
}

// ---------------------------------------------------------------------------------
// A cron window
// ---------------------------------------------------------------------------------

struct CronRow {
    label: &'static str,
    cron: &'static str,
    until: &'static str,
    from: &'static str,
    to: &'static str,
    spans: &'static [(&'static str, &'static str)],
}

const CRON_WINDOWS: &[CronRow] = &[
    CronRow {
        label: "weeknights from 22:00 to 02:00, across the week clocks go back",
        cron: "0 22 * * mon-fri",
        until: "02:00",
        from: "2026-10-30T00:00:00-04:00",
        to: "2026-11-04T00:00:00-05:00",
        spans: &[
            ("2026-10-29T22:00:00-04:00", "2026-10-30T02:00:00-04:00"),
            ("2026-10-30T22:00:00-04:00", "2026-10-31T02:00:00-04:00"),
            ("2026-11-02T22:00:00-05:00", "2026-11-03T02:00:00-05:00"),
            ("2026-11-03T22:00:00-05:00", "2026-11-04T02:00:00-05:00"),
        ],
    },
    CronRow {
        label: "weeknights from 22:00 to 02:00, Thanksgiving week (a window ignores closures)",
        cron: "0 22 * * mon-fri",
        until: "02:00",
        from: "2026-11-25T12:00:00-05:00",
        to: "2026-11-27T12:00:00-05:00",
        spans: &[
            ("2026-11-25T22:00:00-05:00", "2026-11-26T02:00:00-05:00"),
            ("2026-11-26T22:00:00-05:00", "2026-11-27T02:00:00-05:00"),
        ],
    },
    CronRow {
        label: "the first of the month from 09:00 to 17:00",
        cron: "0 9 1 * *",
        until: "17:00",
        from: "2026-11-15T00:00:00-05:00",
        to: "2027-01-15T00:00:00-05:00",
        spans: &[
            ("2026-12-01T09:00:00-05:00", "2026-12-01T17:00:00-05:00"),
            ("2027-01-01T09:00:00-05:00", "2027-01-01T17:00:00-05:00"),
        ],
    },
];

#[test]
fn a_cron_window_spans_from_each_match_to_the_next_end_time() {
    for row in CRON_WINDOWS {
        let window = Window {
            starts: Recurrence::Cron(parse(row.cron)),
            end: parse(row.until),
        };
        let tz: Tz = New_York;
        let got = window.intervals(tz, at(row.from), at(row.to));
        let want: Vec<Interval> = row.spans.iter().map(|(s, e)| span(s, e)).collect();
        let shown: Vec<String> = got
            .iter()
            .map(|s| format!("{} .. {}", show(s.start), show(s.end)))
            .collect();
        assert_eq!(got, want, "{}: spans {shown:#?}", row.label);
    }
}

// ---------------------------------------------------------------------------------
// Cron-dated holidays
// ---------------------------------------------------------------------------------

/// Metro with Thanksgiving written as a rule, the fourth Thursday of November, so it
/// closes the site every year rather than on one date.
fn metro_with_yearly_thanksgiving() -> SiteSchedule {
    let mut site = metro();
    site.closures[0].dates = ClosureDates::Matching(parse("0 0 * 11 4#4"));
    site
}

struct HolidayRow {
    label: &'static str,
    at: &'static str,
    open: bool,
    next_opening: &'static str,
}

const YEARLY_HOLIDAYS: &[HolidayRow] = &[
    HolidayRow {
        label: "Thanksgiving 2026, the fourth Thursday of November",
        at: "2026-11-26T10:00:00-05:00",
        open: false,
        next_opening: "2026-11-27T08:00:00-05:00",
    },
    HolidayRow {
        label: "the third Thursday of November 2026 is an ordinary day",
        at: "2026-11-19T10:00:00-05:00",
        open: true,
        next_opening: "2026-11-20T08:00:00-05:00",
    },
    HolidayRow {
        label: "Thanksgiving 2027 falls on the 25th",
        at: "2027-11-25T10:00:00-05:00",
        open: false,
        next_opening: "2027-11-26T08:00:00-05:00",
    },
    HolidayRow {
        label: "the day before Thanksgiving 2027: the next opening skips the holiday",
        at: "2027-11-24T10:00:00-05:00",
        open: true,
        next_opening: "2027-11-26T08:00:00-05:00",
    },
    HolidayRow {
        label: "the fourth Thursday of December is not a holiday",
        at: "2026-12-24T10:00:00-05:00",
        open: true,
        next_opening: "2026-12-28T08:00:00-05:00",
    },
    HolidayRow {
        label: "Christmas 2027 falls on a Saturday: closed anyway, reopens Monday",
        at: "2027-12-25T10:00:00-05:00",
        open: false,
        next_opening: "2027-12-27T08:00:00-05:00",
    },
];

#[test]
fn a_cron_dated_holiday_closes_every_day_it_matches() {
    let site = metro_with_yearly_thanksgiving();
    for row in YEARLY_HOLIDAYS {
        let instant = at(row.at);
        assert_eq!(site.is_open(instant), row.open, "{}: is_open", row.label);
        let next = site.next_opening(instant).map(|t| t.to_rfc3339());
        assert_eq!(
            next.as_deref(),
            Some(row.next_opening),
            "{}: next opening",
            row.label
        );
        let on_duty = site.on_duty(instant);
        let dana_on = on_duty.contains(&(person("dana"), CaseManager));
        assert_eq!(
            dana_on,
            row.open,
            "{}: dana works only while open, got {}",
            row.label,
            show_duty(&on_duty)
        );
    }
}

// ---------------------------------------------------------------------------------
// Gaps in coverage
// ---------------------------------------------------------------------------------

/// Metro without lee's evening shift, and with the on-call rotation only from
/// Friday 00:00 to Monday 08:00: weekday evenings have no case manager until
/// kim's outreach starts at 22:00, and the nights into Tuesday, Wednesday and
/// Thursday have nobody on call.
fn metro_with_holes() -> SiteSchedule {
    let mut site = metro();
    site.shifts.retain(|s| s.person != person("lee"));
    site.rotations[0].availability.windows = vec![
        window(("fri 00:00", "24:00")),
        window(("sat 00:00", "24:00")),
        window(("sun 00:00", "24:00")),
        window(("mon 00:00", "08:00")),
    ];
    site
}

#[test]
fn a_fully_staffed_site_has_no_gaps_even_over_holidays_and_a_dst_change() {
    // Thanksgiving week through the first of December, and the week clocks go back.
    for (from, to) in [
        ("2026-11-23T00:00:00-05:00", "2026-12-01T00:00:00-05:00"),
        ("2026-10-29T00:00:00-04:00", "2026-11-04T00:00:00-05:00"),
    ] {
        assert_eq!(metro().gaps(at(from), at(to)), Vec::new(), "{from}");
    }
}

#[test]
fn gaps_are_the_open_hours_without_a_case_manager_and_the_closed_hours_without_on_call() {
    use handoff_schedules::GapKind::{NoCaseManager, NoOnCall};
    let site = metro_with_holes();
    // Monday 2026-11-23 00:00 to Wednesday 00:00, New York.
    let gaps = site.gaps(
        at("2026-11-23T00:00:00-05:00"),
        at("2026-11-25T00:00:00-05:00"),
    );
    let got: Vec<(handoff_schedules::GapKind, Interval)> =
        gaps.iter().map(|g| (g.kind, g.span)).collect();
    assert_eq!(
        got,
        vec![
            // Monday: dana until 16:00, then nobody until kim at 22:00.
            (
                NoCaseManager,
                span("2026-11-23T16:00:00-05:00", "2026-11-23T22:00:00-05:00")
            ),
            // Closed from midnight; the rotation is off on weeknights.
            (
                NoOnCall,
                span("2026-11-24T00:00:00-05:00", "2026-11-24T08:00:00-05:00")
            ),
            (
                NoCaseManager,
                span("2026-11-24T16:00:00-05:00", "2026-11-24T22:00:00-05:00")
            ),
        ]
    );
}

#[test]
fn a_weekend_gap_is_measured_in_real_hours_across_daylight_saving() {
    use handoff_schedules::GapKind::NoOnCall;
    // Nobody on call at all: every closed stretch is a gap. The weekend of the
    // spring change (clocks go forward at 02:00 on Sunday 2026-03-08) runs from
    // Friday midnight EST to Monday 08:00 EDT: 24 + 23 + 8 = 55 real hours. The
    // weekend the clocks go back (Sunday 2026-11-01) lasts 24 + 25 + 8 = 57.
    let mut site = metro();
    site.rotations.clear();
    // (Saturday 00:00, Monday noon, the gap, its real hours)
    let table = [
        (
            "2026-03-07T00:00:00-05:00",
            "2026-03-09T12:00:00-04:00",
            "2026-03-07T05:00:00Z",
            "2026-03-09T12:00:00Z",
            55,
        ),
        (
            "2026-10-31T00:00:00-04:00",
            "2026-11-02T12:00:00-05:00",
            "2026-10-31T04:00:00Z",
            "2026-11-02T13:00:00Z",
            57,
        ),
    ];
    for (saturday, monday_noon, start, end, hours) in table {
        let gaps = site.gaps(at(saturday), at(monday_noon));
        assert_eq!(gaps.len(), 1, "{saturday}: {gaps:?}");
        assert_eq!(gaps[0].kind, NoOnCall);
        assert_eq!(gaps[0].span, span(start, end), "{saturday}");
        assert_eq!((gaps[0].span.end - gaps[0].span.start).num_hours(), hours);
    }
}

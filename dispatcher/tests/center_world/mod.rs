//! The world of the diversion-center tables, with literal date-times in New York:
//! site `metro`, open Mon-Fri 08:00-24:00, case manager dana on duty while it is open,
//! supervisor pat while it is open (on duty by the site's hours).
//! Centers, in this order:
//! - `stab` "Stabilization Ctr", 20:00-08:00 every day (past midnight), room for 2,
//!   staff jo (role `center`), 90 minutes to check a person in;
//! - `sobering` "Sobering Center", 01:00-03:00 every day (the hours the clocks
//!   change in), no capacity, no staff.
//!
//! A fixture opens officer rivera's request and applies inputs to it.

#![allow(dead_code)] // each table file uses its own part of this world

use std::collections::{BTreeMap, BTreeSet};
use std::time::Duration as StdDuration;

use chrono::{DateTime, Utc};
use chrono_tz::America::New_York;
use handoff_dispatcher::center::Center;
use handoff_dispatcher::{
    Agency, AgencyId, CenterId, DecideError, Decision, EscalationPolicy, EventKind, Handoff,
    HandoffId, HandoffKind, Input, Load, Message, Officer, OfficerId, Person, PhoneNumber,
    PolicyId, Recipient, Request, Roster, Settings, Step, StepTarget, Strategy, Timer, World,
    decide, request,
};
use handoff_schedules::{
    Availability, PersonId, Recurrence, Role, Shift, SiteId, SiteSchedule, When, Window,
};

pub fn at(text: &str) -> DateTime<Utc> {
    DateTime::parse_from_rfc3339(text)
        .unwrap_or_else(|e| panic!("`{text}` is not RFC 3339: {e}"))
        .with_timezone(&Utc)
}

pub fn person(id: &str) -> PersonId {
    PersonId::parse(id).unwrap_or_else(|e| panic!("person `{id}`: {e}"))
}

pub fn center_id(id: &str) -> CenterId {
    CenterId::parse(id).unwrap_or_else(|e| panic!("center `{id}`: {e}"))
}

pub fn window(days: &str, start: &str, end: &str) -> Window {
    Window {
        starts: Recurrence::Weekly {
            days: days.parse().unwrap_or_else(|e| panic!("{days}: {e}")),
            at: start.parse().unwrap_or_else(|e| panic!("{start}: {e}")),
        },
        end: end.parse().unwrap_or_else(|e| panic!("{end}: {e}")),
    }
}

pub fn hours(id: &str, windows: Vec<Window>) -> SiteSchedule {
    let mut schedule = SiteSchedule::new(
        SiteId::parse(id).unwrap_or_else(|e| panic!("{id}: {e}")),
        New_York,
    );
    schedule.hours = windows;
    schedule
}

/// The centers' time to check a dropped-off person in.
pub const CHECK_IN_WITHIN: StdDuration = StdDuration::from_secs(90 * 60);

pub fn centers() -> Vec<Center> {
    vec![
        Center {
            id: center_id("stab"),
            name: "Stabilization Ctr".to_owned(),
            address: "12 Penn Ave".to_owned(),
            hours: hours("stab", vec![window("daily", "20:00", "08:00")]),
            capacity: Some(2),
            check_in_within: CHECK_IN_WITHIN,
            staff: vec![person("jo")],
        },
        Center {
            id: center_id("sobering"),
            name: "Sobering Center".to_owned(),
            address: "40 Liberty Ave".to_owned(),
            hours: hours("sobering", vec![window("daily", "01:00", "03:00")]),
            capacity: None,
            check_in_within: CHECK_IN_WITHIN,
            staff: Vec::new(),
        },
    ]
}

pub fn on_the_way(stab: u32, sobering: u32) -> BTreeMap<CenterId, u32> {
    BTreeMap::from([(center_id("stab"), stab), (center_id("sobering"), sobering)])
}

/// What a table row expects of `choose`: the center's id, or the refusal.
pub fn local(text: &str) -> chrono::DateTime<chrono::FixedOffset> {
    DateTime::parse_from_rfc3339(text).unwrap_or_else(|e| panic!("{text}: {e}"))
}

// ---------------------------------------------------------------------------------
// DROPOFF and CHECKIN against a hand-off
// ---------------------------------------------------------------------------------

pub const ID: u32 = 4821;

pub fn roster() -> Roster {
    let mut roster = Roster::default();
    for (id, name, role, number) in [
        ("dana", "Dana Whitfield", Role::CaseManager, "+14125550101"),
        ("pat", "Pat Nguyen", Role::Supervisor, "+14125550106"),
        ("jo", "Jo Bauer", Role::Center, "+14125550107"),
    ] {
        let entry = Person {
            id: person(id),
            name: name.to_owned(),
            roles: BTreeSet::from([role]),
            phone: Some(PhoneNumber::parse(number).unwrap_or_else(|e| panic!("{e}"))),
            matrix: None,
            channel: handoff_dispatcher::Channel::Sms,
            caseload_cap: None,
            zones: BTreeSet::new(),
        };
        roster.people.insert(entry.id.clone(), entry);
    }
    let metro_pd = AgencyId::parse("metro-pd").unwrap_or_else(|e| panic!("{e}"));
    roster.agencies.insert(
        metro_pd.clone(),
        Agency {
            id: metro_pd.clone(),
            name: "Metro PD".to_owned(),
            sites: vec![SiteId::parse("metro").unwrap_or_else(|e| panic!("{e}"))],
        },
    );
    for (id, name, number) in [
        ("rivera", "Luis Rivera", "+14125550199"),
        ("chen", "Amy Chen", "+14125550198"),
    ] {
        roster.officers.insert(
            officer(id),
            Officer {
                id: officer(id),
                agency: metro_pd.clone(),
                name: name.to_owned(),
                rank: "Ofc.".to_owned(),
                phone: PhoneNumber::parse(number).unwrap_or_else(|e| panic!("{e}")),
                matrix: None,
                channel: handoff_dispatcher::Channel::Sms,
                zone: None,
                other_agencies: Vec::new(),
            },
        );
    }
    roster
}

pub fn officer(id: &str) -> OfficerId {
    OfficerId::parse(id).unwrap_or_else(|e| panic!("officer `{id}`: {e}"))
}

pub fn metro() -> SiteSchedule {
    let mut site = hours("metro", vec![window("mon-fri", "08:00", "24:00")]);
    let shift = |who: &str, role: Role, windows: Vec<Window>| Shift {
        person: person(who),
        role,
        availability: Availability {
            windows,
            when: When::Open,
        },
    };
    site.shifts = vec![
        shift(
            "dana",
            Role::CaseManager,
            vec![window("mon-fri", "08:00", "24:00")],
        ),
        shift("pat", Role::Supervisor, Vec::new()),
    ];
    site
}

pub struct Fixture {
    pub site: SiteSchedule,
    pub policy: EscalationPolicy,
    pub roster: Roster,
    pub centers: Vec<Center>,
    pub load: Load,
    pub settings: Settings,
    pub sites_served: BTreeMap<PersonId, usize>,
}

impl Fixture {
    pub fn new() -> Fixture {
        Fixture {
            site: metro(),
            policy: EscalationPolicy {
                id: PolicyId::parse("standard").unwrap_or_else(|e| panic!("{e}")),
                steps: vec![Step {
                    target: StepTarget::Role(Role::CaseManager),
                    strategy: Strategy::Broadcast,
                    timeout: StdDuration::from_secs(300),
                }],
            },
            roster: roster(),
            centers: centers(),
            load: Load::default(),
            settings: Settings::default(),
            sites_served: BTreeMap::new(),
        }
    }

    pub fn world(&self) -> World<'_> {
        World {
            site_name: "Metro",
            site: &self.site,
            policy: &self.policy,
            after_hours_policy: None,
            site_intake_days: None,
            centers: &self.centers,
            sites_served: &self.sites_served,
            roster: &self.roster,
            load: &self.load,
            settings: &self.settings,
        }
    }

    /// Officer rivera's request at `when`.
    pub fn open(&self, when: &str) -> Decision {
        let request_of = Request {
            kind: HandoffKind::ArrestDiversion,
            site: SiteId::parse("metro").unwrap_or_else(|e| panic!("{e}")),
            officer: officer("rivera"),
            agency: AgencyId::parse("metro-pd").unwrap_or_else(|e| panic!("{e}")),
            location: "5th & Main".to_owned(),
            zone: None,
            asked_for: None,
        };
        request(HandoffId::new(ID), request_of, at(when), &self.world())
            .unwrap_or_else(|e| panic!("request at {when}: {e}"))
    }

    pub fn apply(
        &self,
        handoff: &Handoff,
        input: Input,
        when: &str,
    ) -> Result<Decision, DecideError> {
        decide(handoff, input, at(when), &self.world())
    }

    /// `timer` of `handoff` firing at `when`, which must be decided.
    pub fn fire(&self, handoff: &Handoff, timer: Timer, when: &str) -> Decision {
        self.apply(handoff, Input::Timer(timer), when)
            .unwrap_or_else(|e| panic!("{timer:?} at {when}: {e}"))
    }

    pub fn step(&self, handoff: &Handoff, input: Input, when: &str) -> Handoff {
        self.apply(handoff, input, when)
            .unwrap_or_else(|e| panic!("at {when}: {e}"))
            .handoff
    }
}

pub fn drop_off(by: &str, center: Option<&str>) -> Input {
    Input::DropOff {
        by: officer(by),
        center: center.map(str::to_owned),
    }
}

pub fn check_in(by: &str) -> Input {
    Input::CheckIn { by: person(by) }
}

pub fn accept(by: &str) -> Input {
    Input::Accept {
        by: person(by),
        via: handoff_dispatcher::Channel::Sms,
        eta: None,
    }
}

pub fn told(decision: &Decision, to: &Recipient) -> Vec<Message> {
    decision
        .messages()
        .filter(|(r, _)| *r == to)
        .map(|(_, m)| m.clone())
        .collect()
}

pub fn staff(id: &str) -> Recipient {
    Recipient::Staff(person(id))
}

pub fn rivera() -> Recipient {
    Recipient::Officer(officer("rivera"))
}

pub fn events(decision: &Decision) -> Vec<EventKind> {
    decision.events().map(|e| e.kind.clone()).collect()
}

/// Wednesday 2 December 2026, 21:00: the site open, dana on duty, Stabilization
/// open (20:00-08:00), Sobering closed (01:00-03:00).
pub const EVENING: &str = "2026-12-02T21:00:00-05:00";
pub const LATER: &str = "2026-12-02T21:20:00-05:00";

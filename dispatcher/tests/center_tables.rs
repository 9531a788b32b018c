//! Decision tables for diversion centers, with literal date-times in New York: which
//! center a `DROPOFF` goes to (hours past midnight, both changes of clocks, full
//! and named centers), and what `DROPOFF` and `CHECKIN` do to a hand-off in each
//! state, with who is told.
//!
//! The world: site `metro`, open Mon-Fri 08:00-24:00, case manager dana on duty
//! 08:00-16:00, supervisor pat while open. Centers, in this order:
//! - `stab` "Stabilization Ctr", 20:00-08:00 every day (past midnight), room for 2,
//!   staff jo (role `center`);
//! - `sobering` "Sobering Center", 01:00-03:00 every day (the hours the clocks
//!   change in), no capacity, no staff.

use std::collections::{BTreeMap, BTreeSet};
use std::time::Duration as StdDuration;

use chrono::{DateTime, Utc};
use chrono_tz::America::New_York;
use handoff_dispatcher::center::{Center, Refusal, choose};
use handoff_dispatcher::{
    Actor, Agency, AgencyId, CenterId, DecideError, Decision, Effect, EscalationPolicy, EventKind,
    Handoff, HandoffId, HandoffKind, Input, Load, Message, Officer, OfficerId, Person, PhoneNumber,
    PolicyId, Recipient, Request, Roster, Settings, State, Step, StepTarget, Strategy, Timer,
    World, decide, request,
};
use handoff_schedules::{
    Availability, PersonId, Recurrence, Role, Shift, SiteId, SiteSchedule, When, Window,
};

fn at(text: &str) -> DateTime<Utc> {
    DateTime::parse_from_rfc3339(text)
        .unwrap_or_else(|e| panic!("`{text}` is not RFC 3339: {e}"))
        .with_timezone(&Utc)
}

fn person(id: &str) -> PersonId {
    PersonId::parse(id).unwrap_or_else(|e| panic!("person `{id}`: {e}"))
}

fn center_id(id: &str) -> CenterId {
    CenterId::parse(id).unwrap_or_else(|e| panic!("center `{id}`: {e}"))
}

fn window(days: &str, start: &str, end: &str) -> Window {
    Window {
        starts: Recurrence::Weekly {
            days: days.parse().unwrap_or_else(|e| panic!("{days}: {e}")),
            at: start.parse().unwrap_or_else(|e| panic!("{start}: {e}")),
        },
        end: end.parse().unwrap_or_else(|e| panic!("{end}: {e}")),
    }
}

fn hours(id: &str, windows: Vec<Window>) -> SiteSchedule {
    let mut schedule = SiteSchedule::new(
        SiteId::parse(id).unwrap_or_else(|e| panic!("{id}: {e}")),
        New_York,
    );
    schedule.hours = windows;
    schedule
}

fn centers() -> Vec<Center> {
    vec![
        Center {
            id: center_id("stab"),
            name: "Stabilization Ctr".to_owned(),
            address: "12 Penn Ave".to_owned(),
            hours: hours("stab", vec![window("daily", "20:00", "08:00")]),
            capacity: Some(2),
            staff: vec![person("jo")],
        },
        Center {
            id: center_id("sobering"),
            name: "Sobering Center".to_owned(),
            address: "40 Liberty Ave".to_owned(),
            hours: hours("sobering", vec![window("daily", "01:00", "03:00")]),
            capacity: None,
            staff: Vec::new(),
        },
    ]
}

fn on_the_way(stab: u32, sobering: u32) -> BTreeMap<CenterId, u32> {
    BTreeMap::from([(center_id("stab"), stab), (center_id("sobering"), sobering)])
}

/// What a table row expects of `choose`: the center's id, or the refusal.
#[derive(Debug, PartialEq)]
enum Chosen {
    To(&'static str),
    Refused(Refusal),
}

fn chosen(result: Result<&Center, Refusal>) -> Chosen {
    match result {
        Ok(center) => Chosen::To(match center.id.as_str() {
            "stab" => "stab",
            "sobering" => "sobering",
            other => panic!("unexpected center {other}"),
        }),
        Err(refusal) => Chosen::Refused(refusal),
    }
}

fn local(text: &str) -> chrono::DateTime<chrono::FixedOffset> {
    DateTime::parse_from_rfc3339(text).unwrap_or_else(|e| panic!("{text}: {e}"))
}

#[test]
fn a_bare_drop_off_goes_to_the_first_open_center_with_room_at_each_instant() {
    use Chosen::{Refused, To};
    let table: Vec<(&str, (u32, u32), Chosen)> = vec![
        // Past midnight: the window of the evening before is still open.
        ("2026-12-02T20:00:00-05:00", (0, 0), To("stab")),
        (
            "2026-12-02T19:59:00-05:00",
            (0, 0),
            Refused(Refusal::NoneOpen {
                next: Some((
                    "Stabilization Ctr".to_owned(),
                    local("2026-12-02T20:00:00-05:00"),
                )),
            }),
        ),
        ("2026-12-03T07:59:00-05:00", (0, 0), To("stab")),
        (
            "2026-12-03T08:00:00-05:00",
            (0, 0),
            Refused(Refusal::NoneOpen {
                next: Some((
                    "Stabilization Ctr".to_owned(),
                    local("2026-12-03T20:00:00-05:00"),
                )),
            }),
        ),
        // Both open: the order of the file decides, then room.
        ("2026-12-03T02:00:00-05:00", (0, 0), To("stab")),
        ("2026-12-03T02:00:00-05:00", (1, 0), To("stab")),
        ("2026-12-03T02:00:00-05:00", (2, 0), To("sobering")),
        ("2026-12-03T02:00:00-05:00", (2, 40), To("sobering")),
        (
            "2026-12-02T21:00:00-05:00",
            (2, 0),
            Refused(Refusal::AllFull),
        ),
        // Spring forward (8 March 2026): 01:00-03:00 lasts one real hour.
        ("2026-03-08T06:59:00Z", (2, 0), To("sobering")),
        (
            "2026-03-08T03:00:00-04:00",
            (2, 0),
            Refused(Refusal::AllFull),
        ),
        // Stabilization still open on the wall clock past the change.
        ("2026-03-08T07:59:00-04:00", (0, 0), To("stab")),
        (
            "2026-03-08T08:00:00-04:00",
            (0, 0),
            Refused(Refusal::NoneOpen {
                next: Some((
                    "Stabilization Ctr".to_owned(),
                    local("2026-03-08T20:00:00-04:00"),
                )),
            }),
        ),
        // Fall back (1 November 2026): 01:00-03:00 lasts three real hours, through
        // both 01:30s; the night's 20:00-08:00 lasts thirteen.
        ("2026-11-01T01:30:00-04:00", (2, 0), To("sobering")),
        ("2026-11-01T01:30:00-05:00", (2, 0), To("sobering")),
        ("2026-11-01T02:59:00-05:00", (2, 0), To("sobering")),
        (
            "2026-11-01T03:00:00-05:00",
            (2, 0),
            Refused(Refusal::AllFull),
        ),
        ("2026-11-01T07:59:00-05:00", (0, 0), To("stab")),
        (
            "2026-11-01T08:00:00-05:00",
            (0, 0),
            Refused(Refusal::NoneOpen {
                next: Some((
                    "Stabilization Ctr".to_owned(),
                    local("2026-11-01T20:00:00-05:00"),
                )),
            }),
        ),
    ];
    let centers = centers();
    for (when, (stab, sobering), expected) in table {
        let got = chosen(choose(
            &centers,
            None,
            &on_the_way(stab, sobering),
            at(when),
        ));
        assert_eq!(got, expected, "at {when} with {stab}+{sobering} on the way");
    }
}

#[test]
fn a_named_drop_off_goes_there_or_says_why_not() {
    use Chosen::{Refused, To};
    let table: Vec<(&str, &str, u32, Chosen)> = vec![
        ("2026-12-03T02:00:00-05:00", "sobering", 0, To("sobering")),
        (
            "2026-12-03T02:00:00-05:00",
            "Sobering Center",
            0,
            To("sobering"),
        ),
        (
            "2026-12-03T02:00:00-05:00",
            "at sobering-center.",
            0,
            To("sobering"),
        ),
        (
            "2026-12-03T02:00:00-05:00",
            "to the stab",
            0,
            Refused(Refusal::Unknown {
                open: vec!["Stabilization Ctr".to_owned(), "Sobering Center".to_owned()],
            }),
        ),
        (
            "2026-12-03T02:00:00-05:00",
            "STABILIZATION CTR",
            1,
            To("stab"),
        ),
        (
            "2026-12-03T02:00:00-05:00",
            "stab",
            2,
            Refused(Refusal::Full {
                name: "Stabilization Ctr".to_owned(),
                others: vec!["Sobering Center".to_owned()],
            }),
        ),
        (
            "2026-12-02T21:00:00-05:00",
            "stab",
            2,
            Refused(Refusal::Full {
                name: "Stabilization Ctr".to_owned(),
                others: Vec::new(),
            }),
        ),
        (
            "2026-12-02T21:00:00-05:00",
            "sobering",
            0,
            Refused(Refusal::Closed {
                name: "Sobering Center".to_owned(),
                opens: Some(local("2026-12-03T01:00:00-05:00")),
            }),
        ),
        // The spring-forward night: its one hour, then closed until the next night.
        (
            "2026-03-08T03:00:00-04:00",
            "sobering",
            0,
            Refused(Refusal::Closed {
                name: "Sobering Center".to_owned(),
                opens: Some(local("2026-03-09T01:00:00-04:00")),
            }),
        ),
        (
            "2026-12-03T12:00:00-05:00",
            "shelter",
            0,
            Refused(Refusal::Unknown { open: Vec::new() }),
        ),
    ];
    let centers = centers();
    for (when, named, stab, expected) in table {
        let got = chosen(choose(
            &centers,
            Some(named),
            &on_the_way(stab, 0),
            at(when),
        ));
        assert_eq!(
            got, expected,
            "{named:?} at {when} with {stab} on the way to stab"
        );
    }
}

#[test]
fn a_site_without_centers_refuses_every_drop_off() {
    let none: Vec<Center> = Vec::new();
    let now = at("2026-12-03T02:00:00-05:00");
    assert_eq!(
        choose(&none, None, &BTreeMap::new(), now).err(),
        Some(Refusal::NoCenters)
    );
    assert_eq!(
        choose(&none, Some("stab"), &BTreeMap::new(), now).err(),
        Some(Refusal::NoCenters)
    );
}

// ---------------------------------------------------------------------------------
// DROPOFF and CHECKIN against a hand-off
// ---------------------------------------------------------------------------------

const ID: u32 = 4821;

fn roster() -> Roster {
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

fn officer(id: &str) -> OfficerId {
    OfficerId::parse(id).unwrap_or_else(|e| panic!("officer `{id}`: {e}"))
}

fn metro() -> SiteSchedule {
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

struct Fixture {
    site: SiteSchedule,
    policy: EscalationPolicy,
    roster: Roster,
    centers: Vec<Center>,
    load: Load,
    settings: Settings,
    sites_served: BTreeMap<PersonId, usize>,
}

impl Fixture {
    fn new() -> Fixture {
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

    fn world(&self) -> World<'_> {
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
    fn open(&self, when: &str) -> Decision {
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

    fn apply(&self, handoff: &Handoff, input: Input, when: &str) -> Result<Decision, DecideError> {
        decide(handoff, input, at(when), &self.world())
    }

    fn step(&self, handoff: &Handoff, input: Input, when: &str) -> Handoff {
        self.apply(handoff, input, when)
            .unwrap_or_else(|e| panic!("at {when}: {e}"))
            .handoff
    }
}

fn drop_off(by: &str, center: Option<&str>) -> Input {
    Input::DropOff {
        by: officer(by),
        center: center.map(str::to_owned),
    }
}

fn check_in(by: &str) -> Input {
    Input::CheckIn { by: person(by) }
}

fn accept(by: &str) -> Input {
    Input::Accept {
        by: person(by),
        via: handoff_dispatcher::Channel::Sms,
        eta: None,
    }
}

fn told(decision: &Decision, to: &Recipient) -> Vec<Message> {
    decision
        .messages()
        .filter(|(r, _)| *r == to)
        .map(|(_, m)| m.clone())
        .collect()
}

fn staff(id: &str) -> Recipient {
    Recipient::Staff(person(id))
}

fn rivera() -> Recipient {
    Recipient::Officer(officer("rivera"))
}

fn events(decision: &Decision) -> Vec<EventKind> {
    decision.events().map(|e| e.kind.clone()).collect()
}

/// Wednesday 2 December 2026, 21:00: the site open, dana on duty, Stabilization
/// open (20:00-08:00), Sobering closed (01:00-03:00).
const EVENING: &str = "2026-12-02T21:00:00-05:00";
const LATER: &str = "2026-12-02T21:20:00-05:00";

#[test]
fn the_receipt_offers_the_center_a_bare_dropoff_would_pick_only_while_one_takes_people() {
    let fixture = Fixture::new();
    let center_of = |decision: &Decision| -> Option<String> {
        told(decision, &rivera()).into_iter().find_map(|m| match m {
            Message::Received { center, .. } => center,
            _ => None,
        })
    };
    assert_eq!(
        center_of(&fixture.open(EVENING)),
        Some("Stabilization Ctr".to_owned())
    );
    // Noon: the site is open, no center is.
    assert_eq!(center_of(&fixture.open("2026-12-02T12:00:00-05:00")), None);
    // Stabilization full at 21:00, Sobering closed: nothing to offer.
    let full = Fixture {
        load: Load {
            on_the_way: on_the_way(2, 0),
            ..Load::default()
        },
        ..Fixture::new()
    };
    assert_eq!(center_of(&full.open(EVENING)), None);
}

#[test]
fn a_dropoff_while_offering_withdraws_the_offers_and_tells_the_centers_staff() {
    let fixture = Fixture::new();
    let opened = fixture.open(EVENING).handoff;
    assert!(matches!(opened.state, State::Offering { .. }));
    let decision = fixture
        .apply(&opened, drop_off("rivera", None), LATER)
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(
        decision.handoff.state,
        State::DroppingOff {
            center: center_id("stab")
        }
    );
    let id = HandoffId::new(ID);
    assert_eq!(
        told(&decision, &staff("dana")),
        vec![Message::Withdrawn { id }]
    );
    assert_eq!(
        told(&decision, &staff("jo")),
        vec![Message::DropOffComing {
            id,
            kind: HandoffKind::ArrestDiversion,
            center: "Stabilization Ctr".to_owned(),
            officer: "Ofc. Rivera".to_owned(),
            agency: "Metro PD".to_owned(),
        }]
    );
    assert_eq!(
        told(&decision, &rivera()),
        vec![Message::DropOffConfirmed {
            id,
            center: "Stabilization Ctr".to_owned(),
            address: "12 Penn Ave".to_owned(),
            staff_told: true,
        }]
    );
    assert!(told(&decision, &staff("pat")).is_empty());
    assert_eq!(
        events(&decision),
        vec![EventKind::DroppedOff {
            center: center_id("stab")
        }]
    );
    assert!(
        decision.effects.contains(&Effect::Cancel {
            timer: Timer::Round { step: 0, round: 0 }
        }),
        "{:?}",
        decision.effects
    );
}

#[test]
fn a_dropoff_after_an_accept_releases_the_case_manager_and_stops_her_clocks() {
    let fixture = Fixture::new();
    let opened = fixture.open(EVENING).handoff;
    let accepted = fixture.step(&opened, accept("dana"), "2026-12-02T21:02:00-05:00");
    assert!(accepted.intake_due.is_some());
    let decision = fixture
        .apply(&accepted, drop_off("rivera", Some("stab")), LATER)
        .unwrap_or_else(|e| panic!("{e}"));
    let id = HandoffId::new(ID);
    assert_eq!(
        told(&decision, &staff("dana")),
        vec![Message::DropOffReleased {
            id,
            center: "Stabilization Ctr".to_owned()
        }]
    );
    assert_eq!(decision.handoff.intake_due, None);
    for timer in [Timer::Arrival, Timer::IntakeReminder, Timer::IntakeOverdue] {
        assert!(
            decision.effects.contains(&Effect::Cancel { timer }),
            "{timer:?} not cancelled: {:?}",
            decision.effects
        );
    }
    // The accept stays in the record: the response time was met.
    assert!(decision.handoff.accepted_at.is_some());
}

#[test]
fn a_refused_dropoff_changes_nothing_and_says_why() {
    let fixture = Fixture::new();
    let opened = fixture.open(EVENING).handoff;
    let table: Vec<(Option<&str>, Refusal)> = vec![
        (
            Some("sobering"),
            Refusal::Closed {
                name: "Sobering Center".to_owned(),
                opens: Some(local("2026-12-03T01:00:00-05:00")),
            },
        ),
        (
            Some("the shelter"),
            Refusal::Unknown {
                open: vec!["Stabilization Ctr".to_owned()],
            },
        ),
    ];
    for (named, refusal) in table {
        let decision = fixture
            .apply(&opened, drop_off("rivera", named), LATER)
            .unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(decision.handoff, opened, "{named:?}");
        assert_eq!(
            decision.effects,
            vec![Effect::Send {
                to: rivera(),
                message: Message::DropOffRefused {
                    id: HandoffId::new(ID),
                    refusal,
                },
            }],
            "{named:?}"
        );
    }
}

#[test]
fn only_the_requesting_officer_may_drop_off_and_not_once_the_case_manager_is_there() {
    let fixture = Fixture::new();
    let opened = fixture.open(EVENING).handoff;
    let id = HandoffId::new(ID);
    assert_eq!(
        fixture.apply(&opened, drop_off("chen", None), LATER).err(),
        Some(DecideError::NotRequester { id })
    );
    let accepted = fixture.step(&opened, accept("dana"), "2026-12-02T21:02:00-05:00");
    let arrived = fixture.step(
        &accepted,
        Input::Arrived { by: person("dana") },
        "2026-12-02T21:15:00-05:00",
    );
    assert_eq!(
        fixture
            .apply(&arrived, drop_off("rivera", None), LATER)
            .err(),
        Some(DecideError::AlreadyArrived { id })
    );
    let dropped = fixture.step(&opened, drop_off("rivera", None), LATER);
    assert_eq!(
        fixture
            .apply(&dropped, drop_off("rivera", Some("stab")), LATER)
            .err(),
        Some(DecideError::AlreadyDroppingOff { id })
    );
    let cancelled = fixture.step(
        &opened,
        Input::Cancel {
            by: Actor::Officer(officer("rivera")),
            reason: None,
        },
        LATER,
    );
    assert_eq!(
        fixture
            .apply(&cancelled, drop_off("rivera", None), LATER)
            .err(),
        Some(DecideError::Closed {
            id,
            state: "cancelled"
        })
    );
}

#[test]
fn checkin_by_the_centers_staff_is_the_arrival_and_closes_the_hand_off() {
    let fixture = Fixture::new();
    let opened = fixture.open(EVENING).handoff;
    let dropped = fixture.step(&opened, drop_off("rivera", None), LATER);
    let id = HandoffId::new(ID);
    let checkin_at = "2026-12-02T21:40:00-05:00";
    for (who, refused) in [
        ("dana", DecideError::NotCenterStaff { id }),
        ("pat", DecideError::NotCenterStaff { id }),
    ] {
        assert_eq!(
            fixture.apply(&dropped, check_in(who), checkin_at).err(),
            Some(refused),
            "{who}"
        );
    }
    let decision = fixture
        .apply(&dropped, check_in("jo"), checkin_at)
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(
        decision.handoff.state,
        State::CheckedIn {
            by: person("jo"),
            center: center_id("stab")
        }
    );
    assert!(decision.handoff.state.is_closed());
    assert_eq!(
        told(&decision, &rivera()),
        vec![Message::CheckedInAtCenter {
            id,
            center: "Stabilization Ctr".to_owned(),
            first_name: "Jo".to_owned(),
        }]
    );
    assert_eq!(
        told(&decision, &staff("jo")),
        vec![Message::CheckInRecorded { id }]
    );
    assert_eq!(
        events(&decision),
        vec![EventKind::CheckedIn {
            person: person("jo"),
            center: center_id("stab")
        }]
    );
    assert_eq!(
        fixture
            .apply(&decision.handoff, check_in("jo"), checkin_at)
            .err(),
        Some(DecideError::Closed {
            id,
            state: "checked_in"
        })
    );
    // Not dropped off: nothing to check in.
    assert_eq!(
        fixture.apply(&opened, check_in("jo"), checkin_at).err(),
        Some(DecideError::NotDroppingOff { id })
    );
}

#[test]
fn a_center_without_staff_has_its_dropoffs_told_to_the_supervisor_who_may_check_in() {
    let fixture = Fixture::new();
    // Asked at 23:30 and, as the decision is taken on its own, still searching at
    // 01:10, when only the Sobering Center (no staff) is open.
    let night = "2026-12-02T23:30:00-05:00";
    let opened = fixture.open(night).handoff;
    let decision = fixture
        .apply(
            &opened,
            drop_off("rivera", Some("sobering")),
            "2026-12-03T01:10:00-05:00",
        )
        .unwrap_or_else(|e| panic!("{e}"));
    let id = HandoffId::new(ID);
    assert!(told(&decision, &staff("jo")).is_empty());
    assert!(matches!(
        told(&decision, &staff("pat")).as_slice(),
        [Message::DropOffComing { .. }]
    ));
    assert!(matches!(
        told(&decision, &rivera()).as_slice(),
        [Message::DropOffConfirmed {
            staff_told: false,
            ..
        }]
    ));
    let dropped = decision.handoff;
    let later = "2026-12-03T01:30:00-05:00";
    assert_eq!(
        fixture.apply(&dropped, check_in("jo"), later).err(),
        Some(DecideError::NotCenterStaff { id })
    );
    let checked = fixture.step(&dropped, check_in("pat"), later);
    assert_eq!(
        checked.state,
        State::CheckedIn {
            by: person("pat"),
            center: center_id("sobering")
        }
    );
}

//! Tables for the pure hand-off transition, `decide::request` and `decide::decide`,
//! asked about literal instants in late 2026 and answered in types: the `Message`s
//! sent (never their wording), the timers scheduled and cancelled, the events
//! recorded and the state the hand-off is left in.
//!
//! The world is one site, "Metro" in America/New_York, open Monday to Friday
//! 08:00-24:00. Four case managers: dana (08:00-16:00, zone north), kim (08:00-24:00,
//! zone north, caseload cap 3), lee (08:00-24:00, zone south, cap 10) and ray
//! (08:00-24:00, no zone, SMS only). sam, the outreach and intake coordinator, is on
//! call whenever the site is closed; pat supervises while it is open; morgan, the
//! project manager, is always reachable; jo is a supervisor with no shift. Officers
//! rivera and chen of Metro PD make the requests.
//!
//! Two policies: *broadcast* (case managers all at once for 5 min, then the
//! supervisor for 10 min, then morgan by name for 10 min) and *one at a time* (case
//! managers one by one, 3 min each, then the supervisor for 5 min). Accepted
//! hand-offs expire after two hours without an arrival; intake is due in 30 days.

use std::collections::{BTreeMap, BTreeSet};
use std::fmt::Display;
use std::str::FromStr;
use std::time::Duration as StdDuration;

use chrono::{DateTime, Duration, FixedOffset, Utc};
use chrono_tz::America::New_York;
use handoff_dispatcher::outcome::{FollowUpState, NotDivertedCode, ReportNumber};
use handoff_dispatcher::redact::REDACTED;
use handoff_dispatcher::{
    Actor, Agency, AgencyId, Answer, DecideError, Decision, Effect, EscalationPolicy, EventKind,
    Handoff, HandoffId, HandoffKind, Input, Load, MatrixUserId, Message, Officer, OfficerId,
    Person, PhoneNumber, PolicyId, Recipient, Request, Roster, Settings, State, Step, StepTarget,
    Strategy, Timer, World, decide, request,
};
use handoff_schedules::Role::{CaseManager, Coordinator, ProjectManager, Supervisor};
use handoff_schedules::{
    Availability, PersonId, Recurrence, Role, Shift, SiteId, SiteSchedule, When, Window, ZoneId,
};

// ---------------------------------------------------------------------------------
// Helpers: literals
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

fn person(id: &str) -> PersonId {
    parse(id)
}

fn officer_id(id: &str) -> OfficerId {
    OfficerId::parse(id).unwrap_or_else(|e| panic!("officer `{id}`: {e}"))
}

fn agency_id(id: &str) -> AgencyId {
    AgencyId::parse(id).unwrap_or_else(|e| panic!("agency `{id}`: {e}"))
}

fn policy_id(id: &str) -> PolicyId {
    PolicyId::parse(id).unwrap_or_else(|e| panic!("policy `{id}`: {e}"))
}

fn phone(text: &str) -> PhoneNumber {
    PhoneNumber::parse(text).unwrap_or_else(|e| panic!("phone `{text}`: {e}"))
}

fn matrix(text: &str) -> MatrixUserId {
    MatrixUserId::parse(text).unwrap_or_else(|e| panic!("matrix ID `{text}`: {e}"))
}

fn staff(id: &str) -> Recipient {
    Recipient::Staff(person(id))
}

fn rivera() -> Recipient {
    Recipient::Officer(officer_id("rivera"))
}

/// The hand-off number every single-hand-off test uses.
const ID: u32 = 4821;

fn id() -> HandoffId {
    HandoffId::new(ID)
}

/// An RFC 3339 local time with its offset, as a message carries it.
fn local_literal(time: Option<DateTime<FixedOffset>>) -> Option<String> {
    time.map(|t| t.to_rfc3339())
}

// ---------------------------------------------------------------------------------
// Helpers: the world
// ---------------------------------------------------------------------------------

fn window(days: &str, start: &str, end: &str) -> Window {
    Window {
        starts: Recurrence::Weekly {
            days: parse(days),
            at: parse(start),
        },
        end: parse(end),
    }
}

fn shift(who: &str, role: Role, windows: Vec<Window>, when: When) -> Shift {
    Shift {
        person: person(who),
        role,
        availability: Availability { windows, when },
    }
}

fn metro() -> SiteSchedule {
    let mut site = SiteSchedule::new(parse::<SiteId>("metro"), New_York);
    site.hours = vec![window("mon-fri", "08:00", "24:00")];
    let weekdays = |start: &str, end: &str| vec![window("mon-fri", start, end)];
    site.shifts = vec![
        shift("dana", CaseManager, weekdays("08:00", "16:00"), When::Open),
        shift("kim", CaseManager, weekdays("08:00", "24:00"), When::Open),
        shift("lee", CaseManager, weekdays("08:00", "24:00"), When::Open),
        shift("ray", CaseManager, weekdays("08:00", "24:00"), When::Open),
        shift("sam", Coordinator, Vec::new(), When::Closed),
        shift("pat", Supervisor, Vec::new(), When::Open),
        shift("morgan", ProjectManager, Vec::new(), When::Always),
    ];
    site
}

struct Staffer {
    id: &'static str,
    name: &'static str,
    role: Role,
    phone: Option<&'static str>,
    matrix: Option<&'static str>,
    cap: Option<u32>,
    zones: &'static [&'static str],
}

const STAFF: &[Staffer] = &[
    Staffer {
        id: "dana",
        name: "Dana Whitfield",
        role: CaseManager,
        phone: Some("+14125550101"),
        matrix: Some("@dana:matrix.example.org"),
        cap: None,
        zones: &["north"],
    },
    Staffer {
        id: "kim",
        name: "Kim Osei",
        role: CaseManager,
        phone: Some("+14125550102"),
        matrix: Some("@kim:matrix.example.org"),
        cap: Some(3),
        zones: &["north"],
    },
    Staffer {
        id: "lee",
        name: "Lee Park",
        role: CaseManager,
        phone: Some("+14125550103"),
        matrix: Some("@lee:matrix.example.org"),
        cap: Some(10),
        zones: &["south"],
    },
    Staffer {
        id: "ray",
        name: "Ray Alvarez",
        role: CaseManager,
        phone: Some("+14125550104"),
        matrix: None,
        cap: None,
        zones: &[],
    },
    Staffer {
        id: "sam",
        name: "Sam Ortiz",
        role: Coordinator,
        phone: None,
        matrix: Some("@sam:matrix.example.org"),
        cap: None,
        zones: &[],
    },
    Staffer {
        id: "pat",
        name: "Pat Nguyen",
        role: Supervisor,
        phone: Some("+14125550106"),
        matrix: Some("@pat:matrix.example.org"),
        cap: None,
        zones: &[],
    },
    Staffer {
        id: "jo",
        name: "Jo Bauer",
        role: Supervisor,
        phone: Some("+14125550107"),
        matrix: None,
        cap: None,
        zones: &[],
    },
    Staffer {
        id: "morgan",
        name: "Morgan Hale",
        role: ProjectManager,
        phone: Some("+14125550108"),
        matrix: Some("@morgan:matrix.example.org"),
        cap: None,
        zones: &[],
    },
];

/// (id, full name, rank, phone, Matrix ID)
const OFFICERS: &[(&str, &str, &str, &str, Option<&str>)] = &[
    (
        "rivera",
        "Luis Rivera",
        "Ofc.",
        "+14125550199",
        Some("@rivera:matrix.example.org"),
    ),
    ("chen", "Amy Chen", "Sgt.", "+14125550198", None),
];

fn roster() -> Roster {
    let mut roster = Roster::default();
    for s in STAFF {
        let entry = Person {
            id: person(s.id),
            name: s.name.to_owned(),
            roles: BTreeSet::from([s.role]),
            phone: s.phone.map(phone),
            matrix: s.matrix.map(matrix),
            channel: if s.matrix.is_some() {
                handoff_dispatcher::Channel::Matrix
            } else {
                handoff_dispatcher::Channel::Sms
            },
            caseload_cap: s.cap,
            zones: s.zones.iter().map(|z| parse::<ZoneId>(z)).collect(),
        };
        roster.people.insert(entry.id.clone(), entry);
    }
    roster.agencies.insert(
        agency_id("metro-pd"),
        Agency {
            id: agency_id("metro-pd"),
            name: "Metro PD".to_owned(),
            sites: vec![parse("metro")],
        },
    );
    for (id, name, rank, number, user) in OFFICERS {
        roster.officers.insert(
            officer_id(id),
            Officer {
                id: officer_id(id),
                agency: agency_id("metro-pd"),
                name: (*name).to_owned(),
                rank: (*rank).to_owned(),
                phone: phone(number),
                matrix: user.map(matrix),
                channel: handoff_dispatcher::Channel::Sms,
                zone: None,
                other_agencies: Vec::new(),
            },
        );
    }
    roster
}

fn minutes(n: u64) -> StdDuration {
    StdDuration::from_secs(n * 60)
}

fn broadcast_policy() -> EscalationPolicy {
    EscalationPolicy {
        id: policy_id("broadcast"),
        steps: vec![
            Step {
                target: StepTarget::Role(CaseManager),
                strategy: Strategy::Broadcast,
                timeout: minutes(5),
            },
            Step {
                target: StepTarget::Role(Supervisor),
                strategy: Strategy::Broadcast,
                timeout: minutes(10),
            },
            Step {
                target: StepTarget::People(vec![person("morgan")]),
                strategy: Strategy::Broadcast,
                timeout: minutes(10),
            },
        ],
    }
}

fn one_at_a_time_policy() -> EscalationPolicy {
    EscalationPolicy {
        id: policy_id("one-at-a-time"),
        steps: vec![
            Step {
                target: StepTarget::Role(CaseManager),
                strategy: Strategy::OneAtATime,
                timeout: minutes(3),
            },
            Step {
                target: StepTarget::Role(Supervisor),
                strategy: Strategy::Broadcast,
                timeout: minutes(5),
            },
        ],
    }
}

/// Everything a decision reads, owned, so a test can change one part of it.
struct Fixture {
    site: SiteSchedule,
    policy: EscalationPolicy,
    after_hours_policy: Option<EscalationPolicy>,
    site_intake_days: Option<u32>,
    sites_served: BTreeMap<PersonId, usize>,
    roster: Roster,
    load: Load,
    settings: Settings,
}

impl Fixture {
    fn new() -> Fixture {
        Fixture {
            site: metro(),
            policy: broadcast_policy(),
            after_hours_policy: None,
            site_intake_days: None,
            sites_served: BTreeMap::new(),
            roster: roster(),
            load: Load::default(),
            settings: Settings {
                arrival_limit: Duration::hours(2),
                intake_days: 30,
                eta_grace: Duration::minutes(10),
                intake_reminder_days: 7,
                after_hours_alerts: true,
                registration_contact: None,
            },
        }
    }

    fn one_at_a_time() -> Fixture {
        Fixture {
            policy: one_at_a_time_policy(),
            ..Fixture::new()
        }
    }

    /// The same world with `who` taken off the schedule (still in the roster).
    fn without_shift(mut self, who: &str) -> Fixture {
        self.site.shifts.retain(|s| s.person.as_str() != who);
        self
    }

    fn world(&self) -> World<'_> {
        World {
            site_name: "Metro",
            site: &self.site,
            policy: &self.policy,
            after_hours_policy: self.after_hours_policy.as_ref(),
            site_intake_days: self.site_intake_days,
            centers: &[],
            sites_served: &self.sites_served,
            roster: &self.roster,
            load: &self.load,
            settings: &self.settings,
        }
    }

    /// Officer rivera asks for an arrest diversion at 5th & Main.
    fn open(&self, when: &str, zone: Option<&str>) -> Decision {
        self.open_as(ID, when, HandoffKind::ArrestDiversion, zone)
    }

    fn open_as(&self, number: u32, when: &str, kind: HandoffKind, zone: Option<&str>) -> Decision {
        let ask = Request {
            kind,
            site: parse("metro"),
            officer: officer_id("rivera"),
            agency: agency_id("metro-pd"),
            location: "5th & Main, retail theft".to_owned(),
            zone: zone.map(parse::<ZoneId>),
            asked_for: None,
        };
        request(HandoffId::new(number), ask, at(when), &self.world())
            .unwrap_or_else(|error| panic!("request refused: {error}"))
    }

    /// Applies an input that must be accepted.
    fn apply(&self, handoff: &Handoff, input: Input, when: &str) -> Decision {
        let shown = format!("{input:?}");
        decide(handoff, input, at(when), &self.world())
            .unwrap_or_else(|e| panic!("{shown} at {when} was refused: {e}"))
    }

    /// Applies an input that must be refused.
    fn refuse(&self, handoff: &Handoff, input: Input, when: &str) -> DecideError {
        let shown = format!("{input:?}");
        match decide(handoff, input, at(when), &self.world()) {
            Ok(decision) => panic!("{shown} at {when} was taken: {decision:?}"),
            Err(e) => e,
        }
    }

    /// Records, as the engine does, when each person offered in `decision` was offered.
    fn note_offers(&mut self, decision: &Decision) {
        for event in decision.events() {
            if let EventKind::Offered { person, .. } = &event.kind {
                self.load.last_offered.insert(person.clone(), event.at);
            }
        }
    }
}

// ---------------------------------------------------------------------------------
// Helpers: inputs
// ---------------------------------------------------------------------------------

fn accept(who: &str) -> Input {
    Input::Accept {
        by: person(who),
        via: handoff_dispatcher::Channel::Sms,
        eta: None,
    }
}

fn decline(who: &str) -> Input {
    Input::Decline {
        by: person(who),
        reason: None,
    }
}

fn eta(who: &str, minutes: u32) -> Input {
    Input::Eta {
        by: person(who),
        minutes,
    }
}

fn arrived(who: &str) -> Input {
    Input::Arrived { by: person(who) }
}

fn done(who: &str) -> Input {
    Input::Done { by: person(who) }
}

fn round(step: usize, round: u32) -> Input {
    Input::Timer(Timer::Round { step, round })
}

fn cancel_by_officer(who: &str) -> Input {
    Input::Cancel {
        by: Actor::Officer(officer_id(who)),
        reason: Some("situation changed".to_owned()),
    }
}

fn cancel_by_staff(who: &str) -> Input {
    Input::Cancel {
        by: Actor::Staff(person(who)),
        reason: Some("person declined".to_owned()),
    }
}

fn relay_from_officer(who: &str, text: &str) -> Input {
    Input::Relay {
        from: Actor::Officer(officer_id(who)),
        text: text.to_owned(),
    }
}

fn relay_from_staff(who: &str, text: &str) -> Input {
    Input::Relay {
        from: Actor::Staff(person(who)),
        text: text.to_owned(),
    }
}

// ---------------------------------------------------------------------------------
// Helpers: reading a decision
// ---------------------------------------------------------------------------------

fn sends(decision: &Decision) -> Vec<(Recipient, Message)> {
    decision
        .messages()
        .map(|(to, message)| (to.clone(), message.clone()))
        .collect()
}

fn to(decision: &Decision, recipient: &Recipient) -> Vec<Message> {
    decision
        .messages()
        .filter(|(r, _)| *r == recipient)
        .map(|(_, m)| m.clone())
        .collect()
}

/// Who was offered, as (person, step, round), from the `Offered` events.
fn offered(decision: &Decision) -> Vec<(String, usize, u32)> {
    decision
        .events()
        .filter_map(|e| match &e.kind {
            EventKind::Offered {
                person,
                step,
                round,
            } => Some((person.to_string(), *step, *round)),
            _ => None,
        })
        .collect()
}

fn offers(list: &[(&str, usize, u32)]) -> Vec<(String, usize, u32)> {
    list.iter()
        .map(|(p, s, r)| ((*p).to_owned(), *s, *r))
        .collect()
}

/// Who got an `Offer` message, in order.
fn offer_recipients(decision: &Decision) -> Vec<String> {
    decision
        .messages()
        .filter(|(_, m)| m.is_offer())
        .map(|(to, _)| match to {
            Recipient::Staff(p) => p.to_string(),
            other => format!("{other:?}"),
        })
        .collect()
}

fn scheduled(decision: &Decision) -> Vec<(Timer, DateTime<Utc>)> {
    decision
        .effects
        .iter()
        .filter_map(|e| match e {
            Effect::Schedule { timer, at } => Some((*timer, *at)),
            _ => None,
        })
        .collect()
}

fn cancelled(decision: &Decision) -> Vec<Timer> {
    decision
        .effects
        .iter()
        .filter_map(|e| match e {
            Effect::Cancel { timer } => Some(*timer),
            _ => None,
        })
        .collect()
}

fn kinds(decision: &Decision) -> Vec<EventKind> {
    decision.events().map(|e| e.kind.clone()).collect()
}

fn event_names(decision: &Decision) -> Vec<&'static str> {
    decision.events().map(|e| e.kind.name()).collect()
}

fn names(list: &[&str]) -> Vec<String> {
    list.iter().map(|s| (*s).to_owned()).collect()
}

/// The same messages to the same people, in any order.
fn assert_same_messages(actual: &[(Recipient, Message)], expected: &[(Recipient, Message)]) {
    let missing: Vec<_> = expected.iter().filter(|m| !actual.contains(m)).collect();
    let extra: Vec<_> = actual.iter().filter(|m| !expected.contains(m)).collect();
    assert!(
        missing.is_empty() && extra.is_empty() && actual.len() == expected.len(),
        "messages differ\n  missing: {missing:#?}\n  unexpected: {extra:#?}"
    );
}

/// Everyone, after the last decline of a step's round, has answered.
fn decline_all(f: &Fixture, mut handoff: Handoff, who: &[&str], when: &str) -> Decision {
    let mut last = None;
    for person in who {
        let decision = f.apply(&handoff, decline(person), when);
        handoff = decision.handoff.clone();
        last = Some(decision);
    }
    last.unwrap_or_else(|| panic!("nobody to decline"))
}

const T0: &str = "2026-10-06T10:00:00-04:00"; // a Tuesday, open
const CMS: [&str; 4] = ["dana", "kim", "lee", "ray"];

// ---------------------------------------------------------------------------------
// First accept wins
// ---------------------------------------------------------------------------------

#[test]
fn of_two_accepts_at_the_same_instant_the_first_applied_wins_and_the_second_is_told_it_is_taken() {
    // (first accept, second accept, the first's first name)
    let table = [
        ("lee", "kim", "Lee"),
        ("kim", "lee", "Kim"),
        ("dana", "ray", "Dana"),
        ("ray", "dana", "Ray"),
    ];
    let f = Fixture::new();
    let opened = f.open(T0, None);
    assert_eq!(
        offered(&opened),
        offers(&[("dana", 0, 0), ("kim", 0, 0), ("lee", 0, 0), ("ray", 0, 0)])
    );
    let instant = "2026-10-06T10:02:00-04:00";
    for (first, second, first_name) in table {
        let won = f.apply(&opened.handoff, accept(first), instant);
        let late = f.apply(&won.handoff, accept(second), instant);

        assert_eq!(won.handoff.state, State::Accepted { by: person(first) });
        assert_eq!(won.handoff.accepted_at, Some(at(instant)));
        let mut expected = vec![
            (staff(first), assignment(&f, &won.handoff)),
            (
                rivera(),
                Message::Assigned {
                    id: id(),
                    first_name: first_name.to_owned(),
                    role: "case manager".to_owned(),
                },
            ),
        ];
        for other in CMS.iter().filter(|p| **p != first) {
            expected.push((
                staff(other),
                Message::TakenByOther {
                    id: id(),
                    first_name: first_name.to_owned(),
                },
            ));
        }
        assert_same_messages(&sends(&won), &expected);
        assert_eq!(cancelled(&won), vec![Timer::Round { step: 0, round: 0 }]);
        assert_eq!(
            scheduled(&won),
            vec![
                (Timer::IntakeReminder, at("2026-10-29T10:02:00-04:00")),
                (Timer::IntakeOverdue, at("2026-11-05T09:02:00-05:00")),
                (Timer::Arrival, at("2026-10-06T12:02:00-04:00")),
            ]
        );
        assert_eq!(
            kinds(&won),
            vec![EventKind::Accepted {
                person: person(first),
                via: Some(handoff_dispatcher::Channel::Sms),
            }]
        );

        // The second accept changes nothing and is logged; its sender was told
        // by the first accept who took it, and gets no second text.
        assert_eq!(late.handoff, won.handoff, "{second} after {first}");
        assert!(sends(&won).contains(&(
            staff(second),
            Message::TakenByOther {
                id: id(),
                first_name: first_name.to_owned()
            }
        )));
        assert_eq!(sends(&late), vec![]);
        assert_eq!(
            kinds(&late),
            vec![EventKind::LateAccept {
                person: person(second)
            }]
        );
        assert!(scheduled(&late).is_empty() && cancelled(&late).is_empty());
        let actors: Vec<&Actor> = late.events().map(|e| &e.actor).collect();
        assert_eq!(actors, vec![&Actor::Staff(person(second))]);
    }
}

#[test]
fn the_officer_learns_only_the_first_name_of_whoever_accepts() {
    let f = Fixture::new();
    let opened = f.open(T0, None);
    let won = f.apply(&opened.handoff, accept("dana"), "2026-10-06T10:01:00-04:00");
    let told = to(&won, &rivera());
    assert_eq!(
        told,
        vec![Message::Assigned {
            id: id(),
            first_name: "Dana".to_owned(),
            role: "case manager".to_owned(),
        }]
    );
    let json = serde_json::to_string(&told).unwrap();
    assert!(!json.contains("Whitfield"), "{json}");
}

#[test]
fn an_accept_repeated_by_the_winner_is_confirmed_again_and_changes_nothing() {
    let f = Fixture::new();
    let opened = f.open(T0, None);
    let won = f.apply(&opened.handoff, accept("lee"), "2026-10-06T10:02:00-04:00");
    let again = f.apply(&won.handoff, accept("lee"), "2026-10-06T10:02:30-04:00");
    assert_eq!(again.handoff, won.handoff);
    assert_eq!(
        sends(&again),
        vec![(staff("lee"), assignment(&f, &won.handoff))]
    );
    assert!(kinds(&again).is_empty());
}

/// What the case manager who takes `handoff` is sent: the whole request.
fn assignment(f: &Fixture, handoff: &Handoff) -> Message {
    Message::Assignment {
        id: handoff.id,
        brief: Some(handoff_dispatcher::decide::brief(
            handoff, "Metro", &f.roster,
        )),
    }
}

// ---------------------------------------------------------------------------------
// One at a time: order and fairness
// ---------------------------------------------------------------------------------

#[test]
fn one_at_a_time_offers_the_least_recently_offered_first_rotating_fairly_over_requests_with_the_zone_first()
 {
    // (requested at, zone, the one person offered first)
    let table = [
        ("2026-10-06T10:00:00-04:00", None, "dana"), // nobody offered yet: by id
        ("2026-10-06T10:10:00-04:00", None, "kim"),
        ("2026-10-06T10:20:00-04:00", None, "lee"),
        ("2026-10-06T10:30:00-04:00", Some("south"), "lee"), // zone first, though lee was just asked
        ("2026-10-06T10:40:00-04:00", None, "ray"),          // never offered
        ("2026-10-06T10:50:00-04:00", None, "dana"),         // 10:00 is the oldest
        ("2026-10-06T11:00:00-04:00", None, "kim"),          // 10:10
        ("2026-10-06T11:10:00-04:00", Some("north"), "dana"), // north: dana 10:50 before kim 11:00
        ("2026-10-06T11:20:00-04:00", None, "lee"),          // 10:30
        ("2026-10-06T11:30:00-04:00", None, "ray"),          // 10:40
        ("2026-10-06T11:40:00-04:00", Some("east"), "kim"),  // nobody serves east: 11:00
    ];
    let mut f = Fixture::one_at_a_time();
    for (n, (when, zone, first)) in table.into_iter().enumerate() {
        let number = ID + n as u32;
        let decision = f.open_as(number, when, HandoffKind::ArrestDiversion, zone);
        assert_eq!(
            offered(&decision),
            offers(&[(first, 0, 0)]),
            "request at {when} in zone {zone:?}"
        );
        assert_eq!(offer_recipients(&decision), names(&[first]));
        assert_eq!(
            scheduled(&decision),
            vec![(
                Timer::Round { step: 0, round: 0 },
                at(when) + Duration::minutes(3)
            )]
        );
        f.note_offers(&decision);
    }
}

#[test]
fn one_at_a_time_breaks_ties_by_id_and_moves_on_to_the_next_step_when_everyone_timed_out() {
    let mut f = Fixture::one_at_a_time();
    f.load
        .last_offered
        .insert(person("dana"), at("2026-10-06T09:00:00-04:00"));
    f.load
        .last_offered
        .insert(person("kim"), at("2026-10-06T09:00:00-04:00"));
    f.load
        .last_offered
        .insert(person("lee"), at("2026-10-06T08:00:00-04:00"));
    let opened = f.open(T0, None);
    assert_eq!(offered(&opened), offers(&[("ray", 0, 0)]), "never offered");
    f.note_offers(&opened);

    // (timer that fires, at, offered next, the round timer set)
    let table = [
        (
            round(0, 0),
            "2026-10-06T10:03:00-04:00",
            ("lee", 0, 1),
            "2026-10-06T10:06:00-04:00",
        ),
        (
            round(0, 1),
            "2026-10-06T10:06:00-04:00",
            ("dana", 0, 2), // tied with kim at 09:00: by id
            "2026-10-06T10:09:00-04:00",
        ),
        (
            round(0, 2),
            "2026-10-06T10:09:00-04:00",
            ("kim", 0, 3),
            "2026-10-06T10:12:00-04:00",
        ),
        (
            round(0, 3),
            "2026-10-06T10:12:00-04:00",
            ("pat", 1, 0),
            "2026-10-06T10:17:00-04:00",
        ),
    ];
    let mut handoff = opened.handoff;
    for (timer, when, (next, step, r), due) in table {
        let decision = f.apply(&handoff, timer.clone(), when);
        assert_eq!(offered(&decision), offers(&[(next, step, r)]), "{timer:?}");
        assert_eq!(
            scheduled(&decision),
            vec![(Timer::Round { step, round: r }, at(due))]
        );
        assert_eq!(decision.handoff.state, State::Offering { step, round: r });
        assert!(
            cancelled(&decision).is_empty(),
            "a timer that fired needs no cancelling"
        );
        assert_eq!(
            kinds(&decision).first().map(EventKind::name),
            Some("offer_timed_out")
        );
        f.note_offers(&decision);
        handoff = decision.handoff;
    }
}

// ---------------------------------------------------------------------------------
// Who is skipped
// ---------------------------------------------------------------------------------

#[test]
fn busy_capped_and_unreachable_case_managers_are_not_offered() {
    type Change = fn(&mut Fixture);
    // (what is true, the change, broadcast offers, one-at-a-time's first)
    let table: [(&str, Change, &[&str], &str); 11] = [
        ("nobody is busy", |_| {}, &CMS, "dana"),
        (
            "dana is busy on another hand-off",
            |f| {
                f.load.busy.insert(person("dana"));
            },
            &["kim", "lee", "ray"],
            "kim",
        ),
        (
            "kim has 3 open cases, her cap",
            |f| {
                f.load.open_cases.insert(person("kim"), 3);
            },
            &["dana", "lee", "ray"],
            "dana",
        ),
        (
            "kim has 4 open cases, over her cap",
            |f| {
                f.load.open_cases.insert(person("kim"), 4);
            },
            &["dana", "lee", "ray"],
            "dana",
        ),
        (
            "kim has 2 open cases, under her cap",
            |f| {
                f.load.open_cases.insert(person("kim"), 2);
            },
            &CMS,
            "dana",
        ),
        (
            "lee has 10 open cases, his cap",
            |f| {
                f.load.open_cases.insert(person("lee"), 10);
            },
            &["dana", "kim", "ray"],
            "dana",
        ),
        (
            "ray has 50 open cases and no cap",
            |f| {
                f.load.open_cases.insert(person("ray"), 50);
            },
            &CMS,
            "dana",
        ),
        (
            "ray is unreachable by any transport",
            |f| {
                f.load.unreachable.insert(person("ray"));
            },
            &["dana", "kim", "lee"],
            "dana",
        ),
        (
            "ray has neither phone nor Matrix ID",
            |f| {
                if let Some(ray) = f.roster.people.get_mut(&person("ray")) {
                    ray.phone = None;
                }
            },
            &["dana", "kim", "lee"],
            "dana",
        ),
        (
            "dana busy, kim capped, ray unreachable",
            |f| {
                f.load.busy.insert(person("dana"));
                f.load.open_cases.insert(person("kim"), 3);
                f.load.unreachable.insert(person("ray"));
            },
            &["lee"],
            "lee",
        ),
        (
            "dana and kim busy, lee capped",
            |f| {
                f.load.busy.extend([person("dana"), person("kim")]);
                f.load.open_cases.insert(person("lee"), 11);
            },
            &["ray"],
            "ray",
        ),
    ];
    for (label, change, broadcast, first) in table {
        let mut f = Fixture::new();
        change(&mut f);
        let decision = f.open(T0, None);
        let expected: Vec<(&str, usize, u32)> = broadcast.iter().map(|p| (*p, 0, 0)).collect();
        assert_eq!(offered(&decision), offers(&expected), "broadcast: {label}");
        assert_eq!(
            offer_recipients(&decision),
            names(broadcast),
            "broadcast: {label}"
        );

        let mut f = Fixture::one_at_a_time();
        change(&mut f);
        let decision = f.open(T0, None);
        assert_eq!(
            offered(&decision),
            offers(&[(first, 0, 0)]),
            "one at a time: {label}"
        );
    }
}

// ---------------------------------------------------------------------------------
// Zones
// ---------------------------------------------------------------------------------

#[test]
fn a_broadcast_with_a_zone_asks_the_case_managers_of_that_zone_first_and_the_rest_of_the_step_next()
{
    // (zone, first round, who round 0 is, what follows when round 0 is over)
    type Row = (
        Option<&'static str>,
        &'static [(&'static str, usize, u32)],
        &'static [(&'static str, usize, u32)],
    );
    let table: [Row; 4] = [
        (
            Some("north"),
            &[("dana", 0, 0), ("kim", 0, 0)],
            &[("lee", 0, 1), ("ray", 0, 1)],
        ),
        (
            Some("south"),
            &[("lee", 0, 0)],
            &[("dana", 0, 1), ("kim", 0, 1), ("ray", 0, 1)],
        ),
        // Nobody serves east: everyone at once, and then the next step.
        (
            Some("east"),
            &[("dana", 0, 0), ("kim", 0, 0), ("lee", 0, 0), ("ray", 0, 0)],
            &[("pat", 1, 0)],
        ),
        (
            None,
            &[("dana", 0, 0), ("kim", 0, 0), ("lee", 0, 0), ("ray", 0, 0)],
            &[("pat", 1, 0)],
        ),
    ];
    let f = Fixture::new();
    for (zone, first, then) in table {
        let opened = f.open(T0, zone);
        assert_eq!(offered(&opened), offers(first), "zone {zone:?}");
        assert_eq!(
            scheduled(&opened),
            vec![(
                Timer::Round { step: 0, round: 0 },
                at("2026-10-06T10:05:00-04:00")
            )]
        );
        let (next_step, next_round) = (then[0].1, then[0].2);
        let next_timeout = if next_step == 0 { 5 } else { 10 };

        // Round 0 ends by everyone declining: the next round starts at once.
        let asked: Vec<&str> = first.iter().map(|(p, _, _)| *p).collect();
        let declined = decline_all(
            &f,
            opened.handoff.clone(),
            &asked,
            "2026-10-06T10:02:00-04:00",
        );
        assert_eq!(
            offered(&declined),
            offers(then),
            "zone {zone:?}, all declined"
        );
        assert_eq!(
            cancelled(&declined),
            vec![Timer::Round { step: 0, round: 0 }]
        );
        assert_eq!(
            scheduled(&declined),
            vec![(
                Timer::Round {
                    step: next_step,
                    round: next_round
                },
                at("2026-10-06T10:02:00-04:00") + Duration::minutes(next_timeout)
            )]
        );
        assert_eq!(
            declined.handoff.state,
            State::Offering {
                step: next_step,
                round: next_round
            }
        );
        let step_started = kinds(&declined).contains(&EventKind::StepStarted { step: 1 });
        assert_eq!(step_started, next_step == 1, "zone {zone:?}");

        // Or by its timeout: the same people are asked next.
        let timed_out = f.apply(&opened.handoff, round(0, 0), "2026-10-06T10:05:00-04:00");
        assert_eq!(
            offered(&timed_out),
            offers(then),
            "zone {zone:?}, timed out"
        );
        assert!(cancelled(&timed_out).is_empty());
    }
}

#[test]
fn a_decline_that_leaves_someone_still_deciding_does_not_end_the_round() {
    let f = Fixture::new();
    let opened = f.open(T0, Some("north"));
    let one = f.apply(
        &opened.handoff,
        decline("dana"),
        "2026-10-06T10:01:00-04:00",
    );
    assert_eq!(one.handoff.state, State::Offering { step: 0, round: 0 });
    assert_eq!(
        kinds(&one),
        vec![EventKind::Declined {
            person: person("dana"),
            reason: None
        }]
    );
    assert_eq!(
        sends(&one),
        vec![(staff("dana"), Message::DeclineConfirmed { id: id() })]
    );
    assert!(scheduled(&one).is_empty() && cancelled(&one).is_empty());
    // A second "no" from the same person is not news.
    let again = f.apply(&one.handoff, decline("dana"), "2026-10-06T10:01:30-04:00");
    assert_eq!(again.handoff, one.handoff);
    assert!(again.effects.is_empty());
}

// ---------------------------------------------------------------------------------
// Escalation: declines, empty steps, running out
// ---------------------------------------------------------------------------------

#[test]
fn when_everyone_in_a_step_declines_the_next_step_starts_at_once() {
    let f = Fixture::new();
    let opened = f.open(T0, None);
    // (who declines, at, offered next, timer cancelled, timer set, state after)
    type Row = (
        &'static [&'static str],
        &'static str,
        &'static [(&'static str, usize, u32)],
        Timer,
        Option<(Timer, &'static str)>,
        State,
    );
    let table: [Row; 3] = [
        (
            &CMS,
            "2026-10-06T10:01:00-04:00",
            &[("pat", 1, 0)],
            Timer::Round { step: 0, round: 0 },
            Some((
                Timer::Round { step: 1, round: 0 },
                "2026-10-06T10:11:00-04:00",
            )),
            State::Offering { step: 1, round: 0 },
        ),
        (
            &["pat"],
            "2026-10-06T10:02:00-04:00",
            &[("morgan", 2, 0)],
            Timer::Round { step: 1, round: 0 },
            Some((
                Timer::Round { step: 2, round: 0 },
                "2026-10-06T10:12:00-04:00",
            )),
            State::Offering { step: 2, round: 0 },
        ),
        (
            &["morgan"],
            "2026-10-06T10:03:00-04:00",
            &[],
            Timer::Round { step: 2, round: 0 },
            None,
            State::Unstaffed,
        ),
    ];
    let mut handoff = opened.handoff;
    for (who, when, next, stopped, set, state) in table {
        let decision = decline_all(&f, handoff, who, when);
        assert_eq!(offered(&decision), offers(next), "after {who:?} declined");
        assert_eq!(
            cancelled(&decision),
            vec![stopped],
            "after {who:?} declined"
        );
        let set: Vec<(Timer, DateTime<Utc>)> =
            set.map(|(t, due)| (t, at(due))).into_iter().collect();
        assert_eq!(scheduled(&decision), set, "after {who:?} declined");
        assert_eq!(decision.handoff.state, state);
        for (p, _, _) in next {
            assert!(
                to(&decision, &staff(p)).iter().any(Message::is_offer),
                "{p} is offered in the same decision"
            );
        }
        handoff = decision.handoff;
    }
}

#[test]
fn a_step_with_nobody_available_is_skipped_at_once_and_no_steps_at_all_is_unstaffed_at_once() {
    // (busy, events of the request decision, offered)
    type Row = (
        &'static [&'static str],
        &'static [&'static str],
        &'static [(&'static str, usize, u32)],
    );
    let table: [Row; 4] = [
        (
            &[],
            &[
                "requested",
                "step_started",
                "offered",
                "offered",
                "offered",
                "offered",
            ],
            &[("dana", 0, 0), ("kim", 0, 0), ("lee", 0, 0), ("ray", 0, 0)],
        ),
        (
            &CMS,
            &["requested", "step_skipped", "step_started", "offered"],
            &[("pat", 1, 0)],
        ),
        (
            &["dana", "kim", "lee", "ray", "pat"],
            &[
                "requested",
                "step_skipped",
                "step_skipped",
                "step_started",
                "offered",
            ],
            &[("morgan", 2, 0)],
        ),
        (
            &["dana", "kim", "lee", "ray", "pat", "morgan"],
            &[
                "requested",
                "step_skipped",
                "step_skipped",
                "step_skipped",
                "unstaffed",
                "follow_up_opened",
            ],
            &[],
        ),
    ];
    for (busy, events, expected) in table {
        let mut f = Fixture::new();
        f.load.busy = busy.iter().map(|p| person(p)).collect();
        let decision = f.open(T0, None);
        assert_eq!(event_names(&decision), events.to_vec(), "busy: {busy:?}");
        assert_eq!(offered(&decision), offers(expected), "busy: {busy:?}");
        let skipped: Vec<usize> = kinds(&decision)
            .iter()
            .filter_map(|k| match k {
                EventKind::StepSkipped { step } => Some(*step),
                _ => None,
            })
            .collect();
        assert_eq!(skipped, (0..skipped.len()).collect::<Vec<_>>());
        let received = Message::Received {
            id: id(),
            kind: HandoffKind::ArrestDiversion,
            location: "5th & Main, retail theft".to_owned(),
            search_minutes: None,
            center: None,
        };
        if let Some((p, step, r)) = expected.first() {
            let told: Vec<Message> = to(&decision, &rivera())
                .into_iter()
                .map(|m| match m {
                    // How long the search may take has its own table.
                    Message::Received {
                        id, kind, location, ..
                    } => Message::Received {
                        id,
                        kind,
                        location,
                        search_minutes: None,
                        center: None,
                    },
                    other => other,
                })
                .collect();
            assert_eq!(told, vec![received]);
            assert!(to(&decision, &staff(p)).iter().any(Message::is_offer));
            let timeout = if *step == 0 { 5 } else { 10 };
            assert_eq!(
                scheduled(&decision),
                vec![(
                    Timer::Round {
                        step: *step,
                        round: *r
                    },
                    at(T0) + Duration::minutes(timeout)
                )]
            );
        } else {
            // All steps empty: told at once, in the same decision.
            assert_eq!(decision.handoff.state, State::Unstaffed);
            assert_eq!(
                to(&decision, &rivera()),
                vec![
                    received,
                    Message::Unstaffed {
                        id: id(),
                        next_opening: None,
                        center: None,
                    }
                ]
            );
            assert!(scheduled(&decision).is_empty());
            let alerted: Vec<Recipient> = decision
                .messages()
                .filter(|(_, m)| matches!(m, Message::UnstaffedAlert { .. }))
                .map(|(r, _)| r.clone())
                .collect();
            assert_eq!(alerted, vec![staff("morgan"), staff("pat")]);
        }
    }
}

#[test]
fn when_the_last_round_times_out_the_officer_is_told_and_supervisors_and_the_project_manager_are_alerted()
 {
    let f = Fixture::new();
    let opened = f.open(T0, None);
    let table = [
        (
            round(0, 0),
            "2026-10-06T10:05:00-04:00",
            State::Offering { step: 1, round: 0 },
        ),
        (
            round(1, 0),
            "2026-10-06T10:15:00-04:00",
            State::Offering { step: 2, round: 0 },
        ),
        (round(2, 0), "2026-10-06T10:25:00-04:00", State::Unstaffed),
    ];
    let mut handoff = opened.handoff;
    let mut last = None;
    for (timer, when, state) in table {
        let decision = f.apply(&handoff, timer, when);
        assert_eq!(decision.handoff.state, state, "{when}");
        handoff = decision.handoff.clone();
        last = Some(decision);
    }
    let ended = last.unwrap();
    let alert = Message::UnstaffedAlert {
        id: id(),
        site: "Metro".to_owned(),
        kind: HandoffKind::ArrestDiversion,
        location: "5th & Main, retail theft".to_owned(),
        agency: "Metro PD".to_owned(),
    };
    // jo holds the supervisor role but is not on duty: pat and morgan are.
    assert_same_messages(
        &sends(&ended),
        &[
            (
                rivera(),
                Message::Unstaffed {
                    id: id(),
                    next_opening: None,
                    center: None,
                },
            ),
            (staff("pat"), alert.clone()),
            (staff("morgan"), alert),
        ],
    );
    assert_eq!(
        kinds(&ended),
        vec![
            EventKind::OfferTimedOut {
                person: person("morgan")
            },
            EventKind::Unstaffed,
            EventKind::FollowUpOpened {
                reason: handoff_dispatcher::outcome::FollowUpReason::Unstaffed
            }
        ]
    );
    assert!(scheduled(&ended).is_empty() && cancelled(&ended).is_empty());
    assert!(
        ended
            .handoff
            .offers
            .iter()
            .all(|o| matches!(o.answer, Answer::TimedOut { .. }))
    );
}

#[test]
fn when_steps_run_out_with_nobody_on_duty_in_the_alerted_roles_everyone_holding_them_is_alerted() {
    // (the world, who is alerted)
    let table: [(&str, Fixture, &[&str]); 2] = [
        ("morgan always on duty", Fixture::new(), &["morgan"]),
        (
            "morgan off the schedule",
            Fixture::new().without_shift("morgan"),
            &["jo", "morgan", "pat"],
        ),
    ];
    for (label, f, alerted) in table {
        // Saturday 02:00: sam on call, then the policy's steps at night.
        let opened = f.open("2026-10-10T02:00:00-04:00", None);
        assert_eq!(offered(&opened), offers(&[("sam", 0, 0)]), "{label}");
        let escalated = f.apply(&opened.handoff, round(0, 0), "2026-10-10T02:05:00-04:00");
        // Case managers and the supervisor are off at night; morgan is named.
        assert_eq!(
            event_names(&escalated),
            vec![
                "offer_timed_out",
                "step_skipped",
                "step_skipped",
                "step_started",
                "offered"
            ],
            "{label}"
        );
        assert_eq!(offered(&escalated), offers(&[("morgan", 3, 0)]), "{label}");
        let ended = f.apply(&escalated.handoff, round(3, 0), "2026-10-10T02:15:00-04:00");
        assert_eq!(ended.handoff.state, State::Unstaffed);
        let told = to(&ended, &rivera());
        let [Message::Unstaffed { next_opening, .. }] = told.as_slice() else {
            panic!("{label}: {told:?}");
        };
        assert_eq!(
            local_literal(*next_opening).as_deref(),
            Some("2026-10-12T08:00:00-04:00")
        );
        let got: Vec<Recipient> = ended
            .messages()
            .filter(|(_, m)| matches!(m, Message::UnstaffedAlert { .. }))
            .map(|(r, _)| r.clone())
            .collect();
        let want: Vec<Recipient> = alerted.iter().map(|p| staff(p)).collect();
        assert_eq!(got, want, "{label}");
    }
}

// ---------------------------------------------------------------------------------
// Out of hours
// ---------------------------------------------------------------------------------

#[test]
fn out_of_hours_the_on_call_coordinator_is_offered_and_the_officer_told_when_the_site_opens() {
    let f = Fixture::new();
    // Saturday 02:00 EST: the next opening is Monday 08:00 EST.
    let when = "2026-11-07T02:00:00-05:00";
    let decision = f.open(when, Some("north"));
    assert!(decision.handoff.after_hours);
    assert_eq!(
        decision.handoff.state,
        State::Offering { step: 0, round: 0 }
    );
    let told = to(&decision, &rivera());
    let [
        Message::AfterHoursSearching {
            id: got,
            next_opening,
            ..
        },
    ] = told.as_slice()
    else {
        panic!("{told:?}");
    };
    assert_eq!(*got, id());
    assert_eq!(
        local_literal(*next_opening).as_deref(),
        Some("2026-11-09T08:00:00-05:00")
    );
    assert_eq!(
        to(&decision, &staff("sam")),
        vec![Message::Offer {
            id: id(),
            kind: HandoffKind::ArrestDiversion,
            location: "5th & Main, retail theft".to_owned(),
            agency: "Metro PD".to_owned(),
            officer: "Ofc. Rivera".to_owned(),
            after_hours: true,
            context: handoff_dispatcher::message::OfferContext {
                site: "Metro".to_owned(),
                zone: Some("north".to_owned()),
                step: 0,
                steps: 4,
                answer_by: Some(at("2026-11-07T02:05:00-05:00")),
                together: 1,
                name_site: false,
            },
        }]
    );
    assert_eq!(offer_recipients(&decision), names(&["sam"]));
    // The on-call step borrows the first step's timeout.
    assert_eq!(
        scheduled(&decision),
        vec![(
            Timer::Round { step: 0, round: 0 },
            at("2026-11-07T02:05:00-05:00")
        )]
    );
    assert_eq!(
        kinds(&decision),
        vec![
            EventKind::Requested {
                site: parse("metro"),
                kind: HandoffKind::ArrestDiversion,
                officer: officer_id("rivera"),
                agency: agency_id("metro-pd"),
                zone: Some(parse("north")),
                after_hours: true,
            },
            EventKind::StepStarted { step: 0 },
            EventKind::Offered {
                person: person("sam"),
                step: 0,
                round: 0
            },
        ]
    );
}

#[test]
fn out_of_hours_with_nobody_on_call_the_officer_is_told_when_the_site_opens_and_nobody_is_offered()
{
    // (the world, requested at)
    let table: [(&str, Fixture, &str); 2] = [
        (
            "no coordinator on the schedule",
            Fixture::new().without_shift("sam"),
            "2026-11-07T02:00:00-05:00",
        ),
        (
            "the coordinator is busy",
            {
                let mut f = Fixture::new();
                f.load.busy.insert(person("sam"));
                f
            },
            "2026-11-07T02:00:00-05:00",
        ),
    ];
    for (label, f, when) in table {
        let decision = f.open_as(ID, when, HandoffKind::SocialContactReferral, None);
        assert_eq!(decision.handoff.state, State::OutOfHours, "{label}");
        assert!(decision.handoff.after_hours);
        let told = to(&decision, &rivera());
        let [
            Message::OutOfHours {
                id: got,
                kind,
                next_opening,
                center: None,
            },
        ] = told.as_slice()
        else {
            panic!("{label}: {told:?}");
        };
        assert_eq!((*got, *kind), (id(), HandoffKind::SocialContactReferral));
        assert_eq!(
            local_literal(*next_opening).as_deref(),
            Some("2026-11-09T08:00:00-05:00"),
            "{label}"
        );
        assert_eq!(sends(&decision).len(), 1, "{label}: nobody else is told");
        assert!(offered(&decision).is_empty() && decision.handoff.offers.is_empty());
        assert!(scheduled(&decision).is_empty());
        assert_eq!(
            event_names(&decision),
            vec!["requested", "out_of_hours", "follow_up_opened"]
        );
        assert_eq!(
            decision.handoff.followup.as_ref().map(|f| f.reason),
            Some(handoff_dispatcher::outcome::FollowUpReason::Referral)
        );
    }
}

#[test]
fn around_the_november_fall_back_the_next_opening_is_monday_at_eight_eastern_standard_time() {
    // (requested at, open?) — closed requests are told Monday 2026-11-02 08:00 EST.
    let table = [
        ("2026-10-30T23:30:00-04:00", true), // Friday night, still open until midnight
        ("2026-10-31T00:00:00-04:00", false), // Saturday: closed
        ("2026-10-31T00:30:00-04:00", false),
        ("2026-11-01T01:30:00-04:00", false), // the first 01:30 (EDT)
        ("2026-11-01T01:30:00-05:00", false), // the second 01:30 (EST)
        ("2026-11-01T12:00:00-05:00", false),
        ("2026-11-02T07:59:00-05:00", false),
        ("2026-11-02T08:00:00-05:00", true),
    ];
    for (when, open) in table {
        for (label, f) in [
            ("on call", Fixture::new()),
            ("nobody on call", Fixture::new().without_shift("sam")),
        ] {
            let decision = f.open(when, None);
            let told = to(&decision, &rivera());
            let next = match told.as_slice() {
                [Message::Received { .. }] => None,
                [Message::AfterHoursSearching { next_opening, .. }] => Some(*next_opening),
                [Message::OutOfHours { next_opening, .. }] => Some(*next_opening),
                other => panic!("{when} ({label}): {other:?}"),
            };
            if open {
                assert_eq!(next, None, "{when} ({label}) is open");
                assert!(!decision.handoff.after_hours);
                assert!(offered(&decision).iter().all(|(_, s, _)| *s == 0));
                assert!(!offered(&decision).is_empty());
                continue;
            }
            assert_eq!(
                next.flatten().map(|t| t.to_rfc3339()).as_deref(),
                Some("2026-11-02T08:00:00-05:00"),
                "{when} ({label})"
            );
            let state = &decision.handoff.state;
            match label {
                "on call" => {
                    assert_eq!(*state, State::Offering { step: 0, round: 0 });
                    assert_eq!(offered(&decision), offers(&[("sam", 0, 0)]));
                }
                _ => assert_eq!(*state, State::OutOfHours, "{when}"),
            }
        }
    }
}

#[test]
fn an_eta_given_in_the_repeated_hour_of_the_fall_back_reads_in_standard_time() {
    let f = Fixture::new();
    let opened = f.open("2026-11-01T01:45:00-04:00", None);
    assert_eq!(offered(&opened), offers(&[("sam", 0, 0)]));
    let taken = f.apply(&opened.handoff, accept("sam"), "2026-11-01T01:48:00-04:00");
    assert_eq!(
        to(&taken, &rivera()),
        vec![Message::Assigned {
            id: id(),
            first_name: "Sam".to_owned(),
            role: "outreach and intake coordinator".to_owned(),
        }]
    );
    let coming = f.apply(&taken.handoff, eta("sam", 20), "2026-11-01T01:50:00-04:00");
    let told = to(&coming, &rivera());
    let [Message::Eta { arrive_by, .. }] = told.as_slice() else {
        panic!("{told:?}");
    };
    assert_eq!(arrive_by.to_rfc3339(), "2026-11-01T01:10:00-05:00");
}

// ---------------------------------------------------------------------------------
// Cancelling
// ---------------------------------------------------------------------------------

#[test]
fn an_officer_who_cancels_while_offers_are_out_withdraws_them_and_is_told_it_is_done() {
    let f = Fixture::new();
    let opened = f.open(T0, None);
    let passed = f.apply(&opened.handoff, decline("kim"), "2026-10-06T10:01:00-04:00");
    let gone = f.apply(
        &passed.handoff,
        cancel_by_officer("rivera"),
        "2026-10-06T10:02:00-04:00",
    );
    assert_eq!(
        gone.handoff.state,
        State::Cancelled {
            by: Actor::Officer(officer_id("rivera")),
            reason: Some("situation changed".to_owned()),
        }
    );
    // kim already passed: only those still deciding hear it is withdrawn.
    assert_same_messages(
        &sends(&gone),
        &[
            (staff("dana"), Message::Withdrawn { id: id() }),
            (staff("lee"), Message::Withdrawn { id: id() }),
            (staff("ray"), Message::Withdrawn { id: id() }),
            (rivera(), Message::CancelConfirmed { id: id() }),
        ],
    );
    assert_eq!(cancelled(&gone), vec![Timer::Round { step: 0, round: 0 }]);
    assert!(scheduled(&gone).is_empty());
    assert_eq!(
        kinds(&gone),
        vec![EventKind::Cancelled {
            reason: Some("situation changed".to_owned())
        }]
    );
    assert_eq!(gone.handoff.pending().count(), 0);
    // The round timer, if it fires anyway, finds nothing to do.
    let late = f.apply(&gone.handoff, round(0, 0), "2026-10-06T10:05:00-04:00");
    assert!(late.effects.is_empty());
    assert_eq!(late.handoff, gone.handoff);
}

#[test]
fn only_the_requesting_officer_may_cancel_or_relay() {
    let f = Fixture::new();
    let opened = f.open(T0, None);
    assert_eq!(
        f.refuse(&opened.handoff, cancel_by_officer("chen"), T0),
        DecideError::NotRequester { id: id() }
    );
    let taken = f.apply(&opened.handoff, accept("lee"), "2026-10-06T10:01:00-04:00");
    assert_eq!(
        f.refuse(
            &taken.handoff,
            cancel_by_officer("chen"),
            "2026-10-06T10:02:00-04:00"
        ),
        DecideError::NotRequester { id: id() }
    );
    assert_eq!(
        f.refuse(
            &taken.handoff,
            relay_from_officer("chen", "hello"),
            "2026-10-06T10:02:00-04:00"
        ),
        DecideError::NotRequester { id: id() }
    );
}

#[test]
fn a_case_manager_who_cancels_after_accepting_gives_it_back_rather_than_closing_it() {
    let f = Fixture::new();
    let opened = f.open(T0, None);
    let taken = f.apply(&opened.handoff, accept("lee"), "2026-10-06T10:01:00-04:00");
    let back = f.apply(
        &taken.handoff,
        cancel_by_staff("lee"),
        "2026-10-06T10:20:00-04:00",
    );
    // Offered again in the step it was accepted in, as a new round, to the others.
    assert_eq!(back.handoff.state, State::Offering { step: 0, round: 1 });
    assert_eq!(back.handoff.given_back, vec![person("lee")]);
    assert!(to(&back, &staff("dana")).iter().any(Message::is_offer));
    assert!(!to(&back, &staff("lee")).iter().any(Message::is_offer));
    assert_eq!(
        to(&back, &rivera()),
        vec![Message::GivenBack {
            id: id(),
            first_name: "Lee".to_owned(),
        }]
    );
    assert_eq!(
        to(&back, &staff("lee")),
        vec![Message::GiveBackConfirmed { id: id() }]
    );
    assert!(kinds(&back).contains(&EventKind::GivenBack {
        person: person("lee"),
        reason: Some("person declined".to_owned()),
    }));
}

#[test]
fn an_officer_who_cancels_after_an_accept_tells_the_case_manager() {
    let f = Fixture::new();
    let opened = f.open(T0, None);
    let taken = f.apply(&opened.handoff, accept("lee"), "2026-10-06T10:01:00-04:00");
    let coming = f.apply(&taken.handoff, eta("lee", 15), "2026-10-06T10:02:00-04:00");
    let gone = f.apply(
        &coming.handoff,
        cancel_by_officer("rivera"),
        "2026-10-06T10:05:00-04:00",
    );
    assert_same_messages(
        &sends(&gone),
        &[
            (
                staff("lee"),
                Message::CancelledByOfficer {
                    id: id(),
                    reason: Some("situation changed".to_owned()),
                },
            ),
            (rivera(), Message::CancelConfirmed { id: id() }),
        ],
    );
    assert_eq!(
        cancelled(&gone),
        vec![
            Timer::Arrival,
            Timer::EtaCheck,
            Timer::Late,
            Timer::IntakeReminder,
            Timer::IntakeOverdue
        ]
    );
    assert!(gone.handoff.state.is_closed());
    assert_eq!(gone.handoff.intake_due, None);
}

// ---------------------------------------------------------------------------------
// Relaying and privacy
// ---------------------------------------------------------------------------------

#[test]
fn relayed_messages_never_carry_a_phone_number_or_matrix_id_and_identifiers_are_redacted() {
    let f = Fixture::new();
    let opened = f.open(T0, None);
    let taken = f.apply(&opened.handoff, accept("lee"), "2026-10-06T10:01:00-04:00");
    let coming = f.apply(&taken.handoff, eta("lee", 15), "2026-10-06T10:02:00-04:00");
    let from_officer = f.apply(
        &coming.handoff,
        relay_from_officer(
            "rivera",
            "  He says DOB 4/5/1990 and SSN 123-45-6789, in the back of car 12  ",
        ),
        "2026-10-06T10:03:00-04:00",
    );
    let from_staff = f.apply(
        &coming.handoff,
        relay_from_staff("lee", "Parking now; his ID shows 1990-04-05"),
        "2026-10-06T10:04:00-04:00",
    );
    let there = f.apply(&coming.handoff, arrived("lee"), "2026-10-06T10:16:00-04:00");
    let finished = f.apply(&there.handoff, done("lee"), "2026-10-06T10:40:00-04:00");

    // The officer's words reach lee, redacted, under the officer's rank and surname.
    let to_lee = to(&from_officer, &staff("lee"));
    let [Message::RelayFromOfficer { officer, text, .. }] = to_lee.as_slice() else {
        panic!("{from_officer:?}");
    };
    assert_eq!(officer, "Ofc. Rivera");
    assert!(text.contains(REDACTED) && text.contains("car 12"), "{text}");
    for identifier in ["4/5/1990", "1990", "123-45-6789", "6789"] {
        assert!(!text.contains(identifier), "{identifier} in {text}");
    }
    assert_eq!(
        kinds(&from_officer),
        vec![EventKind::Relayed {
            chars: text.chars().count()
        }]
    );
    let to_officer = to(&from_staff, &rivera());
    let [
        Message::RelayFromStaff {
            first_name, text, ..
        },
    ] = to_officer.as_slice()
    else {
        panic!("{from_staff:?}");
    };
    assert_eq!(first_name, "Lee");
    assert!(
        text.contains(REDACTED) && !text.contains("1990-04-05"),
        "{text}"
    );

    // No decision of the whole hand-off says how to reach anyone.
    let secrets: Vec<String> = STAFF
        .iter()
        .flat_map(|s| [s.phone, s.matrix])
        .chain(OFFICERS.iter().flat_map(|o| [Some(o.3), o.4]))
        .flatten()
        .map(str::to_owned)
        .collect();
    assert!(secrets.contains(&"+14125550199".to_owned()));
    assert!(secrets.contains(&"@lee:matrix.example.org".to_owned()));
    for decision in [
        &opened,
        &taken,
        &coming,
        &from_officer,
        &from_staff,
        &there,
        &finished,
    ] {
        let json = serde_json::to_string(&sends(decision)).unwrap();
        for secret in &secrets {
            assert!(!json.contains(secret.as_str()), "{secret} in {json}");
        }
        let events = serde_json::to_string(&decision.events().collect::<Vec<_>>()).unwrap();
        for secret in &secrets {
            assert!(!events.contains(secret.as_str()), "{secret} in {events}");
        }
    }
}

#[test]
fn relaying_before_an_accept_or_by_someone_else_is_refused() {
    let f = Fixture::new();
    let opened = f.open(T0, None);
    assert_eq!(
        f.refuse(&opened.handoff, relay_from_officer("rivera", "anyone?"), T0),
        DecideError::NotYetAccepted { id: id() }
    );
    let taken = f.apply(&opened.handoff, accept("lee"), "2026-10-06T10:01:00-04:00");
    assert_eq!(
        f.refuse(
            &taken.handoff,
            relay_from_staff("kim", "I can come too"),
            "2026-10-06T10:02:00-04:00"
        ),
        DecideError::NotAssignee { id: id() }
    );
}

// ---------------------------------------------------------------------------------
// Timers
// ---------------------------------------------------------------------------------

#[test]
fn a_round_timer_for_a_round_that_has_passed_does_nothing() {
    let f = Fixture::new();
    let opened = f.open(T0, Some("north"));
    let taken = f.apply(&opened.handoff, accept("kim"), "2026-10-06T10:01:00-04:00");
    let next_round = decline_all(
        &f,
        opened.handoff.clone(),
        &["dana", "kim"],
        "2026-10-06T10:01:00-04:00",
    );
    assert_eq!(
        next_round.handoff.state,
        State::Offering { step: 0, round: 1 }
    );
    let next_step = decline_all(
        &f,
        next_round.handoff.clone(),
        &["lee", "ray"],
        "2026-10-06T10:02:00-04:00",
    );
    assert_eq!(
        next_step.handoff.state,
        State::Offering { step: 1, round: 0 }
    );
    // (the hand-off, the stale timer, when it fires)
    let table = [
        ("accepted", &taken.handoff, round(0, 0)),
        ("in round 1", &next_round.handoff, round(0, 0)),
        ("in step 1", &next_step.handoff, round(0, 1)),
        ("in step 1", &next_step.handoff, round(0, 0)),
        ("in step 1", &next_step.handoff, round(2, 0)),
        ("offering", &opened.handoff, Input::Timer(Timer::Arrival)),
    ];
    for (label, handoff, timer) in table {
        let shown = format!("{timer:?}");
        let fired = f.apply(handoff, timer, "2026-10-06T10:05:00-04:00");
        assert!(fired.effects.is_empty(), "{label}, {shown}: {fired:?}");
        assert_eq!(&fired.handoff, handoff, "{label}, {shown}");
    }
}

#[test]
fn an_undeliverable_offer_counts_as_answered_at_once() {
    // One at a time: the only offer of the round is undeliverable; the next goes out now.
    let f = Fixture::one_at_a_time();
    let opened = f.open(T0, None);
    assert_eq!(offered(&opened), offers(&[("dana", 0, 0)]));
    let lost = f.apply(
        &opened.handoff,
        Input::Undeliverable { to: person("dana") },
        "2026-10-06T10:00:05-04:00",
    );
    assert_eq!(
        event_names(&lost),
        vec!["offer_undeliverable", "offered"],
        "{lost:?}"
    );
    assert_eq!(offered(&lost), offers(&[("kim", 0, 1)]));
    assert_eq!(cancelled(&lost), vec![Timer::Round { step: 0, round: 0 }]);
    assert_eq!(
        scheduled(&lost),
        vec![(
            Timer::Round { step: 0, round: 1 },
            at("2026-10-06T10:03:05-04:00")
        )]
    );
    assert_eq!(
        lost.handoff.offer_to(&person("dana")).map(|o| &o.answer),
        Some(&Answer::Undeliverable {
            at: at("2026-10-06T10:00:05-04:00")
        })
    );

    // Broadcast: one undeliverable of several changes nothing else; the last one moves on.
    let f = Fixture::new();
    let opened = f.open(T0, Some("north"));
    let one = f.apply(
        &opened.handoff,
        Input::Undeliverable { to: person("dana") },
        "2026-10-06T10:00:05-04:00",
    );
    assert_eq!(event_names(&one), vec!["offer_undeliverable"]);
    assert_eq!(one.handoff.state, State::Offering { step: 0, round: 0 });
    assert!(cancelled(&one).is_empty());
    let both = f.apply(
        &one.handoff,
        Input::Undeliverable { to: person("kim") },
        "2026-10-06T10:00:06-04:00",
    );
    assert_eq!(cancelled(&both), vec![Timer::Round { step: 0, round: 0 }]);
    assert_eq!(offered(&both), offers(&[("lee", 0, 1), ("ray", 0, 1)]));
}

#[test]
fn an_eta_puts_the_case_manager_en_route_and_tells_the_officer_the_local_arrival_time() {
    // (ETA given at, minutes, arrive by as the officer reads it)
    let table = [
        ("2026-10-06T10:02:00-04:00", 15, "2026-10-06T10:17:00-04:00"),
        ("2026-10-06T23:50:00-04:00", 25, "2026-10-07T00:15:00-04:00"),
        (
            "2026-10-06T10:02:00-04:00",
            120,
            "2026-10-06T12:02:00-04:00",
        ),
    ];
    let f = Fixture::new();
    let opened = f.open(T0, None);
    let taken = f.apply(&opened.handoff, accept("lee"), "2026-10-06T10:01:00-04:00");
    for (when, minutes, arrive_by) in table {
        let coming = f.apply(&taken.handoff, eta("lee", minutes), when);
        assert_eq!(
            coming.handoff.state,
            State::EnRoute {
                by: person("lee"),
                eta: at(arrive_by)
            }
        );
        let told = to(&coming, &rivera());
        let [
            Message::Eta {
                first_name,
                minutes: m,
                arrive_by: local,
                ..
            },
        ] = told.as_slice()
        else {
            panic!("{told:?}");
        };
        assert_eq!((first_name.as_str(), *m), ("Lee", minutes));
        assert_eq!(local.to_rfc3339(), arrive_by);
        assert_eq!(
            kinds(&coming),
            vec![EventKind::Eta {
                person: person("lee"),
                minutes
            }]
        );
        let check = at(arrive_by) + Duration::minutes(10);
        assert_eq!(scheduled(&coming), vec![(Timer::EtaCheck, check)]);
        assert_eq!(cancelled(&coming), vec![Timer::Late]);
    }
    // The longest ETA is the arrival limit (two hours here).
    for minutes in [0, 121] {
        assert_eq!(
            f.refuse(
                &taken.handoff,
                eta("lee", minutes),
                "2026-10-06T10:02:00-04:00"
            ),
            DecideError::BadEta { max: 120 }
        );
    }
}

#[test]
fn the_arrival_timer_expires_a_hand_off_nobody_arrived_at_but_not_one_they_did() {
    let f = Fixture::new();
    let opened = f.open(T0, None);
    let taken = f.apply(&opened.handoff, accept("lee"), "2026-10-06T10:01:00-04:00");
    assert_eq!(
        scheduled(&taken),
        vec![
            (Timer::IntakeReminder, at("2026-10-29T10:01:00-04:00")),
            (Timer::IntakeOverdue, at("2026-11-05T09:01:00-05:00")),
            (Timer::Arrival, at("2026-10-06T12:01:00-04:00")),
        ]
    );
    let coming = f.apply(&taken.handoff, eta("lee", 15), "2026-10-06T10:02:00-04:00");
    let there = f.apply(&coming.handoff, arrived("lee"), "2026-10-06T10:20:00-04:00");
    assert_eq!(there.handoff.state, State::Arrived { by: person("lee") });
    assert_eq!(
        cancelled(&there),
        vec![Timer::Arrival, Timer::EtaCheck, Timer::Late]
    );
    assert_eq!(
        to(&there, &rivera()),
        vec![Message::ArrivedAtScene {
            id: id(),
            first_name: "Lee".to_owned()
        }]
    );

    let due = "2026-10-06T12:01:00-04:00";
    for (label, handoff) in [("accepted", &taken.handoff), ("en route", &coming.handoff)] {
        let expired = f.apply(handoff, Input::Timer(Timer::Arrival), due);
        assert_eq!(
            expired.handoff.state,
            State::Expired { by: person("lee") },
            "{label}"
        );
        // pat supervises while open; jo, off duty, is not told.
        assert_same_messages(
            &sends(&expired),
            &[
                (
                    rivera(),
                    Message::Expired {
                        id: id(),
                        center: None,
                    },
                ),
                (
                    staff("pat"),
                    Message::ExpiredAlert {
                        id: id(),
                        first_name: "Lee".to_owned(),
                    },
                ),
            ],
        );
        assert_eq!(
            kinds(&expired),
            vec![
                EventKind::Expired {
                    person: person("lee")
                },
                EventKind::FollowUpOpened {
                    reason: handoff_dispatcher::outcome::FollowUpReason::Expired
                }
            ]
        );
    }
    let late = f.apply(&there.handoff, Input::Timer(Timer::Arrival), due);
    assert!(late.effects.is_empty());
    assert_eq!(late.handoff, there.handoff);
}

#[test]
fn an_accepted_arrest_diversion_is_due_for_intake_thirty_days_after_the_accept() {
    // (kind, accepted at, intake due)
    let table = [
        (
            HandoffKind::ArrestDiversion,
            "2026-10-06T10:02:00-04:00",
            Some("2026-11-05T14:02:00Z"), // 30 days of 24 hours, across the fall-back
        ),
        (
            HandoffKind::ArrestDiversion,
            "2026-11-09T09:30:00-05:00",
            Some("2026-12-09T09:30:00-05:00"),
        ),
        (
            HandoffKind::SocialContactReferral,
            "2026-10-06T10:02:00-04:00",
            None,
        ),
    ];
    let f = Fixture::new();
    for (kind, accepted, due) in table {
        let requested = at(accepted) - Duration::minutes(2);
        let opened = f.open_as(ID, &requested.to_rfc3339(), kind, None);
        assert_eq!(opened.handoff.intake_due, None);
        let taken = f.apply(&opened.handoff, accept("lee"), accepted);
        assert_eq!(taken.handoff.accepted_at, Some(at(accepted)));
        assert_eq!(
            taken.handoff.intake_due,
            due.map(at),
            "{kind:?} at {accepted}"
        );
    }
}

#[test]
fn a_completed_hand_off_tells_the_officer_and_stops_the_arrival_timer() {
    let f = Fixture::new();
    let opened = f.open(T0, None);
    let taken = f.apply(&opened.handoff, accept("lee"), "2026-10-06T10:01:00-04:00");
    let finished = f.apply(&taken.handoff, done("lee"), "2026-10-06T10:50:00-04:00");
    assert_eq!(
        finished.handoff.state,
        State::Completed { by: person("lee") }
    );
    assert_eq!(
        sends(&finished),
        vec![(rivera(), Message::Completed { id: id() })]
    );
    assert_eq!(
        cancelled(&finished),
        vec![Timer::Arrival, Timer::EtaCheck, Timer::Late]
    );
    assert_eq!(
        kinds(&finished),
        vec![EventKind::Completed {
            person: person("lee")
        }]
    );
}

// ---------------------------------------------------------------------------------
// Inputs that make no sense are typed errors
// ---------------------------------------------------------------------------------

#[test]
fn inputs_that_make_no_sense_in_the_state_are_refused_with_a_typed_error() {
    let f = Fixture::new();
    let opened = f.open(T0, None).handoff;
    let taken = f
        .apply(&opened, accept("lee"), "2026-10-06T10:01:00-04:00")
        .handoff;
    let completed = f
        .apply(&taken, done("lee"), "2026-10-06T10:30:00-04:00")
        .handoff;
    let cancelled = f
        .apply(
            &opened,
            cancel_by_officer("rivera"),
            "2026-10-06T10:01:00-04:00",
        )
        .handoff;
    let expired = f
        .apply(
            &taken,
            Input::Timer(Timer::Arrival),
            "2026-10-06T12:01:00-04:00",
        )
        .handoff;
    let unstaffed = {
        let mut g = Fixture::new();
        g.load.busy = ["dana", "kim", "lee", "ray", "pat", "morgan"]
            .iter()
            .map(|p| person(p))
            .collect();
        g.open(T0, None).handoff
    };
    let out_of_hours = Fixture::new()
        .without_shift("sam")
        .open("2026-10-10T02:00:00-04:00", None)
        .handoff;
    assert_eq!(completed.state.name(), "completed");
    assert_eq!(unstaffed.state, State::Unstaffed);
    assert_eq!(out_of_hours.state, State::OutOfHours);

    let closed = |state: &'static str| DecideError::Closed { id: id(), state };
    let not_yet = DecideError::NotYetAccepted { id: id() };
    let not_yours = DecideError::NotAssignee { id: id() };
    let not_offered = DecideError::NotOffered { id: id() };
    let relay = || relay_from_officer("rivera", "still there?");
    // (state, the hand-off, input, error)
    let table: Vec<(&str, &Handoff, Input, DecideError)> = vec![
        ("offering", &opened, eta("lee", 10), not_yet.clone()),
        ("offering", &opened, arrived("lee"), not_yet.clone()),
        ("offering", &opened, done("lee"), not_yet.clone()),
        ("offering", &opened, cancel_by_staff("lee"), not_yet.clone()),
        ("offering", &opened, relay(), not_yet.clone()),
        ("offering", &opened, accept("jo"), not_offered.clone()),
        ("offering", &opened, accept("sam"), not_offered.clone()),
        ("offering", &opened, decline("pat"), not_offered.clone()),
        ("accepted", &taken, done("kim"), not_yours.clone()),
        ("accepted", &taken, eta("kim", 10), not_yours.clone()),
        ("accepted", &taken, arrived("kim"), not_yours.clone()),
        (
            "accepted",
            &taken,
            cancel_by_staff("kim"),
            not_yours.clone(),
        ),
        ("accepted", &taken, done("jo"), not_yours.clone()),
        ("accepted", &taken, accept("jo"), not_offered.clone()),
        ("completed", &completed, accept("lee"), closed("completed")),
        ("completed", &completed, accept("kim"), closed("completed")),
        ("completed", &completed, accept("jo"), closed("completed")),
        ("completed", &completed, eta("lee", 10), closed("completed")),
        ("completed", &completed, arrived("lee"), closed("completed")),
        ("completed", &completed, done("lee"), closed("completed")),
        ("completed", &completed, done("kim"), closed("completed")),
        (
            "completed",
            &completed,
            cancel_by_staff("lee"),
            closed("completed"),
        ),
        (
            "completed",
            &completed,
            cancel_by_officer("rivera"),
            closed("completed"),
        ),
        ("completed", &completed, relay(), closed("completed")),
        ("cancelled", &cancelled, accept("lee"), closed("cancelled")),
        ("cancelled", &cancelled, eta("lee", 10), closed("cancelled")),
        (
            "cancelled",
            &cancelled,
            cancel_by_officer("rivera"),
            closed("cancelled"),
        ),
        ("cancelled", &cancelled, relay(), closed("cancelled")),
        ("expired", &expired, accept("kim"), closed("expired")),
        ("expired", &expired, arrived("lee"), closed("expired")),
        ("expired", &expired, done("lee"), closed("expired")),
        ("unstaffed", &unstaffed, accept("lee"), closed("unstaffed")),
        (
            "unstaffed",
            &unstaffed,
            cancel_by_officer("rivera"),
            closed("unstaffed"),
        ),
        (
            "out of hours",
            &out_of_hours,
            accept("sam"),
            closed("out_of_hours"),
        ),
        (
            "out of hours",
            &out_of_hours,
            cancel_by_officer("rivera"),
            closed("out_of_hours"),
        ),
        (
            "out of hours",
            &out_of_hours,
            relay(),
            closed("out_of_hours"),
        ),
    ];
    for (label, handoff, input, error) in table {
        let shown = format!("{input:?}");
        assert_eq!(
            f.refuse(handoff, input, "2026-10-06T13:00:00-04:00"),
            error,
            "{label}: {shown}"
        );
    }
}

#[test]
fn a_decline_undeliverable_or_timer_after_the_hand_off_is_taken_or_closed_changes_nothing() {
    let f = Fixture::new();
    let opened = f.open(T0, None).handoff;
    let taken = f
        .apply(&opened, accept("lee"), "2026-10-06T10:01:00-04:00")
        .handoff;
    let completed = f
        .apply(&taken, done("lee"), "2026-10-06T10:30:00-04:00")
        .handoff;
    let cancelled = f
        .apply(
            &opened,
            cancel_by_officer("rivera"),
            "2026-10-06T10:01:00-04:00",
        )
        .handoff;
    for (label, handoff) in [
        ("accepted", &taken),
        ("completed", &completed),
        ("cancelled", &cancelled),
    ] {
        for input in [
            decline("kim"),
            Input::Undeliverable { to: person("kim") },
            round(0, 0),
        ] {
            let shown = format!("{input:?}");
            let decision = f.apply(handoff, input, "2026-10-06T11:00:00-04:00");
            assert!(decision.effects.is_empty(), "{label}: {shown}");
            assert_eq!(&decision.handoff, handoff, "{label}: {shown}");
        }
    }
}

// ---------------------------------------------------------------------------------
// Messages that do not get through
// ---------------------------------------------------------------------------------

fn not_delivered(to: Actor) -> Input {
    Input::NotDelivered { to }
}

#[test]
fn a_side_of_an_accepted_hand_off_not_getting_texts_is_told_to_the_other_side_once() {
    let f = Fixture::new();
    let opened = f.open(T0, None).handoff;
    let taken = f
        .apply(&opened, accept("lee"), "2026-10-06T10:01:00-04:00")
        .handoff;
    let officer = Actor::Officer(officer_id("rivera"));
    let lee = Actor::Staff(person("lee"));
    // Both sides' failures already told: the hand-off remembers it.
    let mut told_both = taken.clone();
    told_both.not_getting_through = vec![officer.clone(), lee.clone()];
    // (state, who was not reached, who is told what)
    type Row<'a> = (&'a Handoff, &'a Actor, Vec<(Recipient, Message)>);
    let table: [Row<'_>; 6] = [
        (
            &taken,
            &officer,
            vec![(
                staff("lee"),
                Message::NotGettingThrough {
                    id: id(),
                    to: "Ofc. Rivera".to_owned(),
                    for_officer: false,
                },
            )],
        ),
        (
            &taken,
            &lee,
            vec![(
                rivera(),
                Message::NotGettingThrough {
                    id: id(),
                    to: "Lee".to_owned(),
                    for_officer: true,
                },
            )],
        ),
        // Told once: later failures are only recorded.
        (&told_both, &officer, vec![]),
        (&told_both, &lee, vec![]),
        // Before an accept there is nobody on the other side to tell (an offer that
        // fails is `Undeliverable`, and escalates).
        (&opened, &officer, vec![]),
        // Someone who is neither side (a case manager told it was taken).
        (&taken, &Actor::Staff(person("kim")), vec![]),
    ];
    for (handoff, to, told) in table {
        let decision = f.apply(
            handoff,
            not_delivered(to.clone()),
            "2026-10-06T10:05:00-04:00",
        );
        assert_eq!(sends(&decision), told, "{to:?}");
        assert_eq!(
            kinds(&decision),
            vec![EventKind::NotDelivered { to: to.clone() }],
            "always recorded"
        );
        let mut expected = handoff.clone();
        if !told.is_empty() {
            expected.not_getting_through.push(to.clone());
        }
        assert_eq!(
            decision.handoff, expected,
            "the hand-off changes only by remembering who was told"
        );
    }
}

// ---------------------------------------------------------------------------------
// Durations the calendar cannot hold
// ---------------------------------------------------------------------------------

#[test]
fn a_due_time_past_the_calendar_is_refused_as_an_error_never_a_panic() {
    // Values the configuration refuses, built directly: the core must still answer.
    let mut endless = Fixture::new();
    for step in &mut endless.policy.steps {
        step.timeout = std::time::Duration::from_secs(u64::MAX);
    }
    let ask = Request {
        kind: HandoffKind::ArrestDiversion,
        site: parse("metro"),
        officer: officer_id("rivera"),
        agency: agency_id("metro-pd"),
        location: "5th & Main".to_owned(),
        zone: None,
        asked_for: None,
    };
    assert_eq!(
        request(HandoffId::new(ID), ask, at(T0), &endless.world()),
        Err(DecideError::TimeOutOfRange {
            id: HandoffId::new(ID)
        })
    );

    // An arrival limit or an intake deadline past the calendar, at an accept.
    let f = Fixture::new();
    let opened = f.open(T0, None).handoff;
    let mut far = Fixture::new();
    far.settings.arrival_limit = Duration::MAX;
    assert_eq!(
        far.refuse(&opened, accept("lee"), "2026-10-06T10:01:00-04:00"),
        DecideError::TimeOutOfRange {
            id: HandoffId::new(ID)
        }
    );
    // At the very end of the calendar, even an ETA of a minute does not fit.
    let taken = f
        .apply(&opened, accept("lee"), "2026-10-06T10:01:00-04:00")
        .handoff;
    let last = chrono::DateTime::<chrono::Utc>::MAX_UTC;
    assert_eq!(
        decide(&taken, eta("lee", 1), last, &f.world()),
        Err(DecideError::TimeOutOfRange {
            id: HandoffId::new(ID)
        })
    );
}

// ---------------------------------------------------------------------------------
// The field workflow: give-back, not-diverted outcomes, the ETA watch, follow-ups,
// intake, the person asked for, the after-hours policy
// ---------------------------------------------------------------------------------

fn give_back(who: &str) -> Input {
    Input::GiveBack {
        by: person(who),
        reason: Some("car trouble".to_owned()),
    }
}

fn not_diverted(by: Actor, code: NotDivertedCode) -> Input {
    Input::NotDiverted {
        by,
        code,
        note: Some("born 4/5/1990".to_owned()),
    }
}

#[test]
fn a_hand_off_given_back_is_offered_again_to_everyone_but_who_gave_it_back_and_taken_by_another() {
    let f = Fixture::new();
    let opened = f.open(T0, None);
    let taken = f.apply(&opened.handoff, accept("dana"), "2026-10-06T10:01:00-04:00");
    let back = f.apply(
        &taken.handoff,
        give_back("dana"),
        "2026-10-06T10:10:00-04:00",
    );
    // A new round of the same step, to those told it was taken: they were not
    // asked and refused.
    assert_eq!(back.handoff.state, State::Offering { step: 0, round: 1 });
    assert_eq!(
        offered(&back),
        offers(&[("kim", 0, 1), ("lee", 0, 1), ("ray", 0, 1)])
    );
    assert_eq!(
        cancelled(&back),
        vec![
            Timer::Arrival,
            Timer::EtaCheck,
            Timer::Late,
            Timer::IntakeReminder,
            Timer::IntakeOverdue
        ]
    );
    assert_eq!(back.handoff.intake_due, None);
    // Lee takes it with an ETA in the same text.
    let lee = Input::Accept {
        by: person("lee"),
        via: handoff_dispatcher::Channel::Sms,
        eta: Some(20),
    };
    let again = f.apply(&back.handoff, lee, "2026-10-06T10:12:00-04:00");
    assert!(matches!(again.handoff.state, State::EnRoute { ref by, .. } if *by == person("lee")));
    assert_eq!(
        event_names(&again),
        vec!["accepted", "eta"],
        "both accepts stay in the log"
    );
    // Dana, who gave it back, is not told it was taken again.
    assert!(to(&again, &staff("dana")).is_empty());
    // She cannot give back what is no longer hers.
    assert_eq!(
        f.refuse(
            &again.handoff,
            give_back("dana"),
            "2026-10-06T10:13:00-04:00"
        ),
        DecideError::NotAssignee { id: id() }
    );
}

#[test]
fn a_hand_off_given_back_when_nobody_else_is_free_goes_on_to_the_next_steps() {
    let mut f = Fixture::new();
    f.load.busy = ["kim", "lee", "ray"].iter().map(|p| person(p)).collect();
    let opened = f.open(T0, None);
    let taken = f.apply(&opened.handoff, accept("dana"), "2026-10-06T10:01:00-04:00");
    let back = f.apply(
        &taken.handoff,
        give_back("dana"),
        "2026-10-06T10:10:00-04:00",
    );
    assert_eq!(back.handoff.state, State::Offering { step: 1, round: 0 });
    assert_eq!(offer_recipients(&back), vec!["pat"]);
}

#[test]
fn not_diverted_closes_with_a_code_tells_the_other_side_and_owes_no_intake() {
    let f = Fixture::new();
    let opened = f.open(T0, None);
    let taken = f.apply(&opened.handoff, accept("lee"), "2026-10-06T10:01:00-04:00");
    let code = NotDivertedCode::Left;
    // (who closes it, who is told, what, who gets the confirmation)
    let table = [
        (
            Actor::Staff(person("lee")),
            rivera(),
            Message::NotDiverted { id: id(), code },
            staff("lee"),
        ),
        (
            Actor::Officer(officer_id("rivera")),
            staff("lee"),
            Message::CancelledByOfficer {
                id: id(),
                reason: Some("the person left the scene".to_owned()),
            },
            rivera(),
        ),
    ];
    for (by, told, what, confirmed) in table {
        let closed = f.apply(
            &taken.handoff,
            not_diverted(by.clone(), code),
            "2026-10-06T10:30:00-04:00",
        );
        assert!(closed.handoff.state.is_closed());
        assert_eq!(closed.handoff.state.name(), "not_diverted");
        assert_eq!(closed.handoff.intake_due, None);
        assert_eq!(to(&closed, &told), vec![what]);
        assert_eq!(
            to(&closed, &confirmed),
            vec![Message::NotDivertedRecorded { id: id(), code }]
        );
        // The code is kept; the note is redacted like every word kept.
        assert_eq!(
            kinds(&closed),
            vec![EventKind::NotDiverted {
                code,
                note: Some(REDACTED.to_owned()),
            }]
        );
        assert!(cancelled(&closed).contains(&Timer::IntakeOverdue));
    }
    assert_eq!(
        f.refuse(
            &taken.handoff,
            not_diverted(Actor::Staff(person("kim")), NotDivertedCode::Declined),
            "2026-10-06T10:30:00-04:00"
        ),
        DecideError::NotAssignee { id: id() }
    );
}

#[test]
fn an_eta_that_passes_asks_for_a_new_one_then_tells_the_officer_and_the_supervisor() {
    let f = Fixture::new();
    let opened = f.open(T0, None);
    let taken = f.apply(&opened.handoff, accept("lee"), "2026-10-06T10:01:00-04:00");
    let coming = f.apply(&taken.handoff, eta("lee", 15), "2026-10-06T10:02:00-04:00");
    // 10:17 plus the ten-minute grace.
    let check = at("2026-10-06T10:27:00-04:00");
    assert_eq!(scheduled(&coming), vec![(Timer::EtaCheck, check)]);
    let asked = f.apply(
        &coming.handoff,
        Input::Timer(Timer::EtaCheck),
        "2026-10-06T10:27:00-04:00",
    );
    assert_eq!(
        sends(&asked),
        vec![(
            staff("lee"),
            Message::EtaPassed {
                id: id(),
                minutes: 10
            }
        )]
    );
    assert_eq!(
        scheduled(&asked),
        vec![(Timer::Late, at("2026-10-06T10:37:00-04:00"))]
    );
    // A new ETA starts the watch again and stops the second grace.
    let renewed = f.apply(&asked.handoff, eta("lee", 5), "2026-10-06T10:30:00-04:00");
    assert_eq!(cancelled(&renewed), vec![Timer::Late]);
    assert_eq!(
        scheduled(&renewed),
        vec![(Timer::EtaCheck, at("2026-10-06T10:45:00-04:00"))]
    );
    // Silence through the second grace: the officer hears it, the supervisor on
    // duty is alerted.
    let late = f.apply(
        &asked.handoff,
        Input::Timer(Timer::Late),
        "2026-10-06T10:37:00-04:00",
    );
    assert_same_messages(
        &sends(&late),
        &[
            (
                rivera(),
                Message::RunningLate {
                    id: id(),
                    first_name: "Lee".to_owned(),
                    supervisor_told: true,
                },
            ),
            (
                staff("pat"),
                Message::LateAlert {
                    id: id(),
                    first_name: "Lee".to_owned(),
                    site: "Metro".to_owned(),
                },
            ),
        ],
    );
    // Arrived before the check: the timer finds nothing to do.
    let there = f.apply(&coming.handoff, arrived("lee"), "2026-10-06T10:16:00-04:00");
    let stale = f.apply(
        &there.handoff,
        Input::Timer(Timer::EtaCheck),
        "2026-10-06T10:27:00-04:00",
    );
    assert!(stale.effects.is_empty());
}

#[test]
fn the_officers_receipt_says_the_longest_the_search_can_take() {
    // (the world, requested at, minutes: every round of every step waited out)
    let mut one_free = Fixture::new();
    one_free.load.busy = ["kim", "lee", "ray"].iter().map(|p| person(p)).collect();
    let table: [(&str, Fixture, &str, Option<u32>); 3] = [
        // 5 (case managers at once) + 10 (pat) + 10 (morgan).
        ("broadcast", Fixture::new(), T0, Some(25)),
        // 3 for each of four case managers in turn + 5 (pat).
        ("one at a time", Fixture::one_at_a_time(), T0, Some(17)),
        ("one case manager free", one_free, T0, Some(25)),
    ];
    for (label, f, when, minutes) in table {
        let opened = f.open(when, None);
        let told = to(&opened, &rivera());
        let [Message::Received { search_minutes, .. }] = told.as_slice() else {
            panic!("{label}: {told:?}");
        };
        assert_eq!(*search_minutes, minutes, "{label}");
    }
}

#[test]
fn a_late_answer_after_the_hand_off_is_taken_is_answered_once() {
    let f = Fixture::new();
    let opened = f.open(T0, None);
    let passed = f.apply(&opened.handoff, decline("kim"), "2026-10-06T10:00:30-04:00");
    let taken = f.apply(&passed.handoff, accept("lee"), "2026-10-06T10:01:00-04:00");
    // Kim had passed, so was not told it was taken: her late Y is answered once.
    let late = f.apply(&taken.handoff, accept("kim"), "2026-10-06T10:02:00-04:00");
    assert_eq!(
        sends(&late),
        vec![(staff("kim"), Message::AlreadyTaken { id: id() })]
    );
    let again = f.apply(&late.handoff, accept("kim"), "2026-10-06T10:03:00-04:00");
    assert!(sends(&again).is_empty());
    // Dana was told it was taken: her late N gets nothing more.
    let no = f.apply(&taken.handoff, decline("dana"), "2026-10-06T10:02:00-04:00");
    assert!(no.effects.is_empty());
}

#[test]
fn a_follow_up_is_taken_by_one_person_and_closed_by_them_and_the_referring_officer_is_told() {
    let f = Fixture::new().without_shift("sam");
    let night = f.open_as(
        ID,
        "2026-10-10T02:00:00-04:00",
        HandoffKind::SocialContactReferral,
        None,
    );
    assert_eq!(night.handoff.state, State::OutOfHours);
    let take = |who: &str| Input::TakeFollowUp { by: person(who) };
    let taken = f.apply(&night.handoff, take("dana"), "2026-10-12T08:05:00-04:00");
    assert_eq!(
        sends(&taken),
        vec![(staff("dana"), Message::FollowUpTaken { id: id() })]
    );
    let other = f.apply(&taken.handoff, take("kim"), "2026-10-12T08:06:00-04:00");
    assert_eq!(
        sends(&other),
        vec![(
            staff("kim"),
            Message::FollowUpTakenByOther {
                id: id(),
                first_name: "Dana".to_owned()
            }
        )]
    );
    assert_eq!(other.handoff, taken.handoff);
    let followed = Input::FollowedUp {
        by: person("dana"),
        note: Some("called her".to_owned()),
    };
    let done = f.apply(
        &taken.handoff,
        followed.clone(),
        "2026-10-12T09:00:00-04:00",
    );
    assert_same_messages(
        &sends(&done),
        &[
            (staff("dana"), Message::FollowedUpConfirmed { id: id() }),
            (rivera(), Message::FollowedUpForOfficer { id: id() }),
        ],
    );
    assert_eq!(
        done.handoff.followup.as_ref().map(|f| f.state()),
        Some(FollowUpState::Done)
    );
    assert_eq!(
        f.refuse(&done.handoff, followed, "2026-10-12T09:01:00-04:00"),
        DecideError::NoFollowUp { id: id() }
    );
    // A hand-off that owes none.
    let open = f.open(T0, None);
    assert_eq!(
        f.refuse(&open.handoff, take("dana"), T0),
        DecideError::NoFollowUp { id: id() }
    );
}

#[test]
fn intake_is_reminded_before_the_deadline_in_open_hours_and_the_supervisor_told_after_it() {
    let mut f = Fixture::new();
    f.site_intake_days = Some(14);
    let opened = f.open(T0, None);
    let taken = f.apply(&opened.handoff, accept("lee"), "2026-10-06T10:01:00-04:00");
    let due = at("2026-10-20T10:01:00-04:00");
    assert_eq!(taken.handoff.intake_due, Some(due));
    assert!(scheduled(&taken).contains(&(Timer::IntakeReminder, at("2026-10-13T10:01:00-04:00"))));
    let reminded = f.apply(
        &taken.handoff,
        Input::Timer(Timer::IntakeReminder),
        "2026-10-13T10:01:00-04:00",
    );
    assert_eq!(
        to(&reminded, &staff("lee")),
        vec![Message::IntakeReminder {
            id: id(),
            due: due.with_timezone(&New_York).fixed_offset(),
        }]
    );
    // At night the reminder waits for the opening instead of a 3 am text.
    let night = f.apply(
        &taken.handoff,
        Input::Timer(Timer::IntakeReminder),
        "2026-10-17T03:00:00-04:00",
    );
    assert!(sends(&night).is_empty());
    assert_eq!(
        scheduled(&night),
        vec![(Timer::IntakeReminder, at("2026-10-19T08:00:00-04:00"))]
    );
    let overdue = f.apply(
        &taken.handoff,
        Input::Timer(Timer::IntakeOverdue),
        "2026-10-20T10:01:00-04:00",
    );
    assert_eq!(offer_recipients(&overdue), Vec::<String>::new());
    assert_eq!(
        sends(&overdue),
        vec![(
            staff("pat"),
            Message::IntakeOverdueAlert {
                id: id(),
                first_name: "Lee".to_owned(),
                due: due.with_timezone(&New_York).fixed_offset(),
            }
        )]
    );
    // Recorded by text: the reminders stop, and it cannot be recorded twice.
    let recorded = f.apply(
        &taken.handoff,
        Input::IntakeDone {
            by: Actor::Staff(person("lee")),
        },
        "2026-10-08T10:00:00-04:00",
    );
    assert_eq!(
        cancelled(&recorded),
        vec![Timer::IntakeReminder, Timer::IntakeOverdue]
    );
    let by = Actor::System;
    assert_eq!(
        f.refuse(
            &recorded.handoff,
            Input::IntakeDone { by },
            "2026-10-08T10:01:00-04:00"
        ),
        DecideError::NoIntake { id: id() }
    );
    let fired = f.apply(
        &recorded.handoff,
        Input::Timer(Timer::IntakeOverdue),
        "2026-10-20T10:01:00-04:00",
    );
    assert!(fired.effects.is_empty());
}

#[test]
fn the_case_manager_an_officer_asks_for_is_offered_first_when_on_duty_and_skipped_when_not() {
    let f = Fixture::new();
    // (asked for, requested at, offered first)
    let table = [
        ("ray", T0, vec!["ray"]),
        // Dana is off duty at 17:00: the policy starts at once.
        (
            "dana",
            "2026-10-06T17:00:00-04:00",
            vec!["kim", "lee", "ray"],
        ),
    ];
    for (asked, when, first) in table {
        let ask = Request {
            kind: HandoffKind::ArrestDiversion,
            site: parse("metro"),
            officer: officer_id("rivera"),
            agency: agency_id("metro-pd"),
            location: "5th & Main".to_owned(),
            zone: None,
            asked_for: Some(person(asked)),
        };
        let opened = request(id(), ask, at(when), &f.world()).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(offer_recipients(&opened), first, "{asked}");
    }
}

#[test]
fn a_site_with_an_after_hours_policy_uses_it_while_closed() {
    let mut f = Fixture::new();
    f.after_hours_policy = Some(EscalationPolicy {
        id: policy_id("night"),
        steps: vec![Step {
            target: StepTarget::People(vec![person("pat")]),
            strategy: Strategy::Broadcast,
            timeout: minutes(15),
        }],
    });
    let night = f.open("2026-10-10T02:00:00-04:00", None);
    assert_eq!(offer_recipients(&night), vec!["pat"]);
    assert!(scheduled(&night).contains(&(
        Timer::Round { step: 0, round: 0 },
        at("2026-10-10T02:15:00-04:00")
    )));
    // In open hours the daytime policy, as before.
    assert_eq!(
        offer_recipients(&f.open(T0, None)),
        vec!["dana", "kim", "lee", "ray"]
    );
}

#[test]
fn at_night_failures_wait_for_the_opening_digest_unless_the_program_wants_them_at_once() {
    let mut f = Fixture::new();
    f.settings.after_hours_alerts = false;
    f.load.busy.insert(person("sam"));
    f.policy.steps.truncate(1);
    // Closed, sam busy, nobody on call: out of hours, nobody alerted.
    let night = f.open_as(
        ID,
        "2026-10-10T02:00:00-04:00",
        HandoffKind::SocialContactReferral,
        None,
    );
    assert_eq!(
        sends(&night).len(),
        1,
        "only the officer hears: {:?}",
        sends(&night)
    );
    let mut g = Fixture::new();
    g.settings.after_hours_alerts = false;
    g.policy.steps.truncate(1);
    let opened = g.open("2026-10-10T02:00:00-04:00", None);
    let ended = g.apply(&opened.handoff, round(0, 0), "2026-10-10T02:05:00-04:00");
    assert_eq!(ended.handoff.state, State::Unstaffed);
    assert_eq!(offer_recipients(&ended), Vec::<String>::new());
    assert!(
        sends(&ended).iter().all(|(to, _)| *to == rivera()),
        "{:?}",
        sends(&ended)
    );
    assert!(ended.handoff.followup.is_some());
}

#[test]
fn the_officer_adds_a_report_number_to_an_open_or_closed_hand_off_and_only_they_can() {
    let f = Fixture::new();
    let opened = f.open(T0, None);
    let number = ReportNumber::parse("2026-MPD-4512").unwrap_or_else(|e| panic!("{e}"));
    let add = |who: &str| Input::ReportNumber {
        by: officer_id(who),
        number: number.clone(),
    };
    let added = f.apply(&opened.handoff, add("rivera"), T0);
    assert_eq!(added.handoff.report_number, Some(number.clone()));
    assert_eq!(
        sends(&added),
        vec![(rivera(), Message::ReportNumberRecorded { id: id() })]
    );
    assert_eq!(
        kinds(&added),
        vec![EventKind::ReportNumber {
            number: number.clone()
        }]
    );
    // The same number again is confirmed, not logged twice.
    let again = f.apply(&added.handoff, add("rivera"), T0);
    assert!(kinds(&again).is_empty());
    assert_eq!(
        f.refuse(&opened.handoff, add("chen"), T0),
        DecideError::NotRequester { id: id() }
    );
}

// ---------------------------------------------------------------------------------
// The legs of an officer's call
// ---------------------------------------------------------------------------------

#[test]
fn a_call_leg_is_logged_beside_the_offers_and_changes_nothing_else() {
    use handoff_dispatcher::call::{Leg, LegOutcome, LegStep, leg_person};
    let f = Fixture::new();
    let opened = f.open(T0, None);
    let first = leg_person(&opened.handoff, Leg::new(0))
        .cloned()
        .unwrap_or_else(|| panic!("no offer 0"));
    let steps = [
        (LegStep::Dialed, "2026-10-06T10:00:01-04:00"),
        (
            LegStep::Ended(LegOutcome::NoAnswer),
            "2026-10-06T10:00:21-04:00",
        ),
    ];
    for (step, when) in steps {
        let leg = Input::Leg {
            person: first.clone(),
            leg: Leg::new(0),
            step,
        };
        let logged = f.apply(&opened.handoff, leg, when);
        assert_eq!(logged.handoff, opened.handoff);
        assert!(sends(&logged).is_empty());
        let expected = match step {
            LegStep::Dialed => EventKind::LegDialed {
                person: first.clone(),
                leg: Leg::new(0),
            },
            LegStep::Ended(outcome) => EventKind::LegEnded {
                person: first.clone(),
                leg: Leg::new(0),
                outcome,
            },
        };
        assert_eq!(kinds(&logged), vec![expected]);
    }
    // A leg naming someone other than the person its offer went to is refused:
    // no callback can write another person into the log.
    let other = CMS
        .iter()
        .map(|p| person(p))
        .find(|p| *p != first)
        .unwrap_or_else(|| panic!("one case manager only"));
    let forged = Input::Leg {
        person: other,
        leg: Leg::new(0),
        step: LegStep::Dialed,
    };
    assert!(matches!(
        f.refuse(&opened.handoff, forged, "2026-10-06T10:00:02-04:00"),
        DecideError::NotOffered { .. }
    ));
}

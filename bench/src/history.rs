//! The hand-offs of the dashboard benchmark's synthetic history, each with the
//! events the engine logs for its story ([`Plan`]), from a seeded generator so
//! that every run makes the same history.

use chrono::{DateTime, Datelike, Duration, NaiveDate, TimeZone, Utc, Weekday};
use chrono_tz::America::{Chicago, Los_Angeles, New_York};
use chrono_tz::Tz;
use handoff_dispatcher::outcome::{FollowUpReason, NotDivertedCode};
use handoff_dispatcher::{
    Actor, AgencyId, Channel, Event, EventKind, HandoffId, HandoffKind, OfficerId,
};
use handoff_schedules::{PersonId, SiteId};

/// The sites and their time zones.
pub const SITES: [(&str, Tz); 3] = [
    ("metro", New_York),
    ("lakeside", Chicago),
    ("harbor", Los_Angeles),
];
/// The agencies and the index of their site in [`SITES`].
const AGENCIES: [(&str, usize); 5] = [
    ("metro-pd", 0),
    ("transit-pd", 0),
    ("lakeside-pd", 1),
    ("county-sheriff", 1),
    ("harbor-pd", 2),
];
const OFFICERS: u64 = 400;
const CASE_MANAGERS_PER_SITE: u64 = 8;
/// Relative demand by local hour: quiet nights, busy afternoons.
const HOUR_WEIGHTS: [u64; 24] = [
    2, 2, 1, 1, 1, 1, 2, 3, 5, 6, 7, 8, 8, 8, 9, 9, 9, 8, 7, 6, 5, 4, 3, 3,
];

/// A small, fast, seeded generator (SplitMix64): the same history every run.
pub struct Rng(u64);

impl Rng {
    pub fn new(seed: u64) -> Rng {
        Rng(seed)
    }

    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// Uniform in `0..n` (n > 0).
    fn below(&mut self, n: u64) -> u64 {
        self.next() % n.max(1)
    }

    fn seconds(&mut self, from: i64, to: i64) -> Duration {
        let span = u64::try_from(to - from).unwrap_or(0) + 1;
        Duration::seconds(from + i64::try_from(self.below(span)).unwrap_or(0))
    }

    fn percent(&mut self, p: u64) -> bool {
        self.below(100) < p
    }
}

/// One hand-off of the history and its events.
pub struct Made {
    pub id: HandoffId,
    pub site: SiteId,
    pub site_index: usize,
    pub kind: HandoffKind,
    pub officer: OfficerId,
    pub agency: AgencyId,
    /// The `handoffs.state` column (the rollup does not read it).
    pub state: &'static str,
    pub assignee: Option<PersonId>,
    pub requested_at: DateTime<Utc>,
    pub closed_at: Option<DateTime<Utc>>,
    pub events: Vec<Event>,
}

/// Hand-offs spread over days from a start date, made a day at a time.
pub struct Plan {
    start: NaiveDate,
    days: u32,
    count: u64,
    day: u32,
    next_id: u32,
    /// Nothing happens after this instant: stories still running then are left
    /// open.
    end: DateTime<Utc>,
}

impl Plan {
    pub fn new(start: NaiveDate, days: u32, count: u64, first_id: u32) -> Plan {
        let end_date = start + Duration::days(i64::from(days));
        Plan {
            start,
            days,
            count,
            day: 0,
            next_id: first_id,
            // The last local day ends by 08:00 UTC the next day (Los Angeles):
            // requests of its last hours are left open.
            end: Utc.from_utc_datetime(&end_date.and_time(chrono::NaiveTime::MIN))
                + Duration::hours(9),
        }
    }

    /// The hand-offs of the next whole days, at least `at_least` unless the plan
    /// runs out (then possibly none).
    pub fn next_chunk(&mut self, rng: &mut Rng, at_least: usize) -> Vec<Made> {
        let mut made = Vec::new();
        while made.len() < at_least && self.day < self.days {
            made.extend(self.next_day(rng));
        }
        made
    }

    fn next_day(&mut self, rng: &mut Rng) -> Vec<Made> {
        let d = u64::from(self.day);
        let days = u64::from(self.days);
        let quota = self.count * (d + 1) / days - self.count * d / days;
        let date = self.start + Duration::days(i64::from(self.day));
        self.day += 1;
        let mut requests: Vec<(DateTime<Utc>, u64)> = (0..quota)
            .map(|_| {
                let officer = rng.below(OFFICERS);
                (request_instant(rng, date, officer), officer)
            })
            .collect();
        requests.sort();
        requests
            .into_iter()
            .map(|(at, officer)| {
                let id = HandoffId::new(self.next_id);
                self.next_id += 1;
                story(rng, id, at, officer, self.end)
            })
            .collect()
    }
}

/// A request instant on `date`, at an hour drawn from [`HOUR_WEIGHTS`] in the
/// officer's site's zone.
fn request_instant(rng: &mut Rng, date: NaiveDate, officer: u64) -> DateTime<Utc> {
    let zone = SITES[AGENCIES[(officer % 5) as usize].1].1;
    let total: u64 = HOUR_WEIGHTS.iter().sum();
    let mut pick = rng.below(total);
    let mut hour = 0;
    for (h, weight) in HOUR_WEIGHTS.iter().enumerate() {
        if pick < *weight {
            hour = h as u32;
            break;
        }
        pick -= weight;
    }
    let minute = rng.below(60) as u32;
    let second = rng.below(60) as u32;
    let naive = date
        .and_hms_opt(hour, minute, second)
        .unwrap_or_else(|| date.and_time(chrono::NaiveTime::MIN));
    // A time skipped by a spring-forward is taken an hour later.
    zone.from_local_datetime(&naive)
        .earliest()
        .or_else(|| {
            zone.from_local_datetime(&(naive + Duration::hours(1)))
                .earliest()
        })
        .map_or_else(|| Utc.from_utc_datetime(&naive), |t| t.with_timezone(&Utc))
}

/// Sites are open Monday to Friday, 08:00 to midnight.
fn after_hours(at: DateTime<Utc>, zone: Tz) -> bool {
    use chrono::Timelike;
    let local = at.with_timezone(&zone);
    matches!(local.weekday(), Weekday::Sat | Weekday::Sun) || local.hour() < 8
}

fn person(name: String) -> PersonId {
    PersonId::parse(&name).unwrap_or_else(|e| panic!("{name}: {e}"))
}

/// A hand-off's log being written.
struct Log {
    id: HandoffId,
    now: DateTime<Utc>,
    events: Vec<Event>,
}

impl Log {
    fn after(&mut self, wait: Duration, actor: Actor, kind: EventKind) {
        self.now += wait;
        self.events.push(Event {
            handoff: self.id,
            at: self.now,
            actor,
            kind,
        });
    }

    fn system(&mut self, wait: Duration, kind: EventKind) {
        self.after(wait, Actor::System, kind);
    }

    fn staff(&mut self, wait: Duration, who: &PersonId, kind: EventKind) {
        self.after(wait, Actor::Staff(who.clone()), kind);
    }
}

/// The story of one request, as events, cut off at `end`.
fn story(
    rng: &mut Rng,
    id: HandoffId,
    at: DateTime<Utc>,
    officer: u64,
    end: DateTime<Utc>,
) -> Made {
    let (agency_name, site_index) = AGENCIES[(officer % 5) as usize];
    let (site_name, zone) = SITES[site_index];
    let site = SiteId::parse(site_name).unwrap_or_else(|e| panic!("{e}"));
    let officer_id =
        OfficerId::parse(&format!("officer-{officer}")).unwrap_or_else(|e| panic!("{e}"));
    let agency = AgencyId::parse(agency_name).unwrap_or_else(|e| panic!("{e}"));
    let kind = if rng.percent(75) {
        HandoffKind::ArrestDiversion
    } else {
        HandoffKind::SocialContactReferral
    };
    let closed = after_hours(at, zone);
    let mut log = Log {
        id,
        now: at,
        events: Vec::new(),
    };
    log.after(
        Duration::zero(),
        Actor::Officer(officer_id.clone()),
        EventKind::Requested {
            site: site.clone(),
            kind,
            officer: officer_id.clone(),
            agency: agency.clone(),
            zone: None,
            after_hours: closed,
        },
    );
    let cm = |rng: &mut Rng| {
        person(format!(
            "cm-{site_name}-{}",
            rng.below(CASE_MANAGERS_PER_SITE)
        ))
    };
    let supervisor = person(format!("sup-{site_name}"));
    let mut accepted_by = None;
    if closed && rng.percent(55) {
        log.system(Duration::zero(), EventKind::OutOfHours);
        if kind == HandoffKind::SocialContactReferral && rng.percent(50) {
            log.system(
                Duration::zero(),
                EventKind::FollowUpOpened {
                    reason: FollowUpReason::Referral,
                },
            );
        }
    } else {
        // Out of hours the on-call supervisor is asked; in hours two case managers.
        let (first, second) = if closed {
            (supervisor.clone(), supervisor.clone())
        } else {
            (cm(rng), cm(rng))
        };
        accepted_by = offered_story(rng, &mut log, &first, &second, &supervisor);
    }
    let mut events = log.events;
    events.retain(|e| e.at < end);
    let closed_at = events.last().filter(|e| closes(&e.kind)).map(|e| e.at);
    Made {
        id,
        site,
        site_index,
        kind,
        officer: officer_id,
        agency,
        state: if closed_at.is_some() {
            "completed"
        } else {
            "offering"
        },
        assignee: accepted_by,
        requested_at: at,
        closed_at,
        events,
    }
}

fn closes(kind: &EventKind) -> bool {
    matches!(
        kind,
        EventKind::Completed { .. }
            | EventKind::Cancelled { .. }
            | EventKind::Unstaffed
            | EventKind::OutOfHours
            | EventKind::Expired { .. }
            | EventKind::NotDiverted { .. }
            | EventKind::FollowUpOpened { .. }
    )
}

/// Offers to `first` and `second` and what follows; who accepted, if anyone.
fn offered_story(
    rng: &mut Rng,
    log: &mut Log,
    first: &PersonId,
    second: &PersonId,
    supervisor: &PersonId,
) -> Option<PersonId> {
    log.system(Duration::zero(), EventKind::StepStarted { step: 0 });
    for who in [first, second] {
        let kind = EventKind::Offered {
            person: who.clone(),
            step: 0,
            round: 0,
        };
        log.system(rng.seconds(1, 6), kind);
    }
    let roll = rng.below(100);
    if roll < 8 {
        // Unstaffed: nobody answers, the supervisor neither.
        for who in [first, second] {
            let kind = EventKind::OfferTimedOut {
                person: who.clone(),
            };
            log.system(Duration::minutes(5), kind);
        }
        log.system(Duration::zero(), EventKind::StepStarted { step: 1 });
        let offer = EventKind::Offered {
            person: supervisor.clone(),
            step: 1,
            round: 0,
        };
        log.system(Duration::seconds(2), offer);
        let timeout = EventKind::OfferTimedOut {
            person: supervisor.clone(),
        };
        log.system(Duration::minutes(10), timeout);
        log.system(Duration::zero(), EventKind::Unstaffed);
        let follow_up = EventKind::FollowUpOpened {
            reason: FollowUpReason::Unstaffed,
        };
        log.system(Duration::zero(), follow_up);
        return None;
    }
    if roll < 13 {
        // The officer gives up waiting.
        log.after(
            rng.seconds(120, 900),
            Actor::System,
            EventKind::Cancelled { reason: None },
        );
        return None;
    }
    if rng.percent(15) {
        let decline = EventKind::Declined {
            person: second.clone(),
            reason: None,
        };
        log.staff(rng.seconds(10, 120), second, decline);
    }
    let accept_wait = rng.seconds(15, 480)
        + rng.seconds(0, 240)
        + if rng.percent(10) {
            rng.seconds(0, 1200)
        } else {
            Duration::zero()
        };
    let accept = EventKind::Accepted {
        person: first.clone(),
        via: Some(Channel::Sms),
    };
    log.staff(accept_wait, first, accept);
    let mut by = first.clone();
    if roll < 15 {
        // Given back and taken by the other.
        let back = EventKind::GivenBack {
            person: first.clone(),
            reason: None,
        };
        log.staff(rng.seconds(60, 600), first, back);
        let again = EventKind::Accepted {
            person: second.clone(),
            via: Some(Channel::Sms),
        };
        log.staff(rng.seconds(30, 300), second, again);
        by = second.clone();
    }
    let eta = if rng.percent(85) {
        let minutes = 5 + rng.below(36) as u32;
        let kind = EventKind::Eta {
            person: by.clone(),
            minutes,
        };
        log.staff(rng.seconds(0, 90), &by, kind);
        Some(i64::from(minutes))
    } else {
        None
    };
    if roll < 19 {
        // Expired: never arrives.
        log.system(
            Duration::minutes(eta.unwrap_or(30) + 10),
            EventKind::EtaPassed { person: by.clone() },
        );
        log.system(
            Duration::minutes(10),
            EventKind::Late { person: by.clone() },
        );
        log.system(
            Duration::minutes(90),
            EventKind::Expired { person: by.clone() },
        );
        let follow_up = EventKind::FollowUpOpened {
            reason: FollowUpReason::Expired,
        };
        log.system(Duration::zero(), follow_up);
        return Some(first.clone());
    }
    if roll < 22 {
        log.after(
            rng.seconds(60, 1200),
            Actor::System,
            EventKind::Cancelled { reason: None },
        );
        return Some(first.clone());
    }
    let travel = Duration::minutes(eta.unwrap_or(20)) + rng.seconds(-600, 900);
    log.staff(
        travel.max(Duration::seconds(60)),
        &by,
        EventKind::Arrived { person: by.clone() },
    );
    for _ in 0..rng.below(3) {
        log.system(rng.seconds(30, 300), EventKind::Relayed { chars: 80 });
    }
    if roll < 30 {
        let code = NotDivertedCode::ALL[rng.below(6) as usize];
        let kind = EventKind::NotDiverted { code, note: None };
        log.staff(rng.seconds(300, 1800), &by, kind);
    } else {
        log.staff(
            rng.seconds(600, 4800),
            &by,
            EventKind::Completed { person: by.clone() },
        );
    }
    Some(first.clone())
}

//! One hand-off's story in numbers: [`HandoffMetrics`] folded from its events,
//! and how it ended ([`Outcome`]).

use crate::contact::Channel;
use std::collections::{BTreeMap, BTreeSet};

use chrono::{DateTime, Duration, Utc};
use handoff_schedules::{PersonId, SiteId, ZoneId};
use serde::{Deserialize, Serialize, Serializer};

use crate::event::{Event, EventKind};
use crate::handoff::{HandoffId, HandoffKind};
use crate::outcome::{FollowUpReason, NotDivertedCode, ReportNumber};
use crate::roster::{AgencyId, CenterId, OfficerId};

/// How a hand-off ended, or that it has not yet.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Outcome {
    /// No closing event yet.
    Open,
    Completed,
    Cancelled,
    /// The steps ran out with no accept.
    Unstaffed,
    /// The site was closed and nobody was on call.
    OutOfHours,
    /// Accepted, but the case manager never arrived within the limit.
    Expired,
    /// Closed without a diversion, with a code ([`HandoffMetrics::not_diverted`]).
    NotDiverted,
}

impl Outcome {
    pub const ALL: [Outcome; 7] = [
        Outcome::Open,
        Outcome::Completed,
        Outcome::Cancelled,
        Outcome::Unstaffed,
        Outcome::OutOfHours,
        Outcome::Expired,
        Outcome::NotDiverted,
    ];

    /// The outcome of a [`Outcome::name`].
    pub fn from_name(name: &str) -> Option<Outcome> {
        Outcome::ALL.into_iter().find(|o| o.name() == name)
    }

    /// The name used in reports and the CSV export.
    pub fn name(self) -> &'static str {
        match self {
            Outcome::Open => "open",
            Outcome::Completed => "completed",
            Outcome::Cancelled => "cancelled",
            Outcome::Unstaffed => "unstaffed",
            Outcome::OutOfHours => "out_of_hours",
            Outcome::Expired => "expired",
            Outcome::NotDiverted => "not_diverted",
        }
    }

    pub fn is_closed(self) -> bool {
        self != Outcome::Open
    }
}

/// How the person and the program met: a case manager in the field (`ARRIVED`),
/// or the officer's drop-off at a diversion center, checked in by its staff.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Arrival {
    Field,
    #[serde(rename = "dropoff")]
    DropOff,
}

impl Arrival {
    pub const ALL: [Arrival; 2] = [Arrival::Field, Arrival::DropOff];

    /// The name used in reports and the rollup.
    pub fn name(self) -> &'static str {
        match self {
            Arrival::Field => "field",
            Arrival::DropOff => "dropoff",
        }
    }
}

/// What the event log says about one hand-off.
///
/// Serializes as one flat row (CSV-ready), with the derived durations added as
/// `time_to_first_offer_seconds`, `time_to_accept_seconds`,
/// `time_to_arrival_seconds` and `accept_to_arrival_seconds`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HandoffMetrics {
    pub id: HandoffId,
    pub site: SiteId,
    pub kind: HandoffKind,
    pub officer: OfficerId,
    pub agency: AgencyId,
    /// The zone or precinct within the site, if the request named one.
    pub zone: Option<ZoneId>,
    pub requested_at: DateTime<Utc>,
    /// The site was closed when the request came.
    pub after_hours: bool,
    pub first_offer_at: Option<DateTime<Utc>>,
    /// The first accept. Set whatever the outcome: a cancelled or expired hand-off
    /// may have been accepted first.
    pub accepted_at: Option<DateTime<Utc>>,
    pub accepted_by: Option<PersonId>,
    /// The channel the first accept came by (unknown for accepts logged before
    /// it was recorded).
    pub accepted_via: Option<Channel>,
    pub arrived_at: Option<DateTime<Utc>>,
    /// How `arrived_at` came: a field meet or a drop-off's check-in.
    pub arrival: Option<Arrival>,
    /// The diversion center the officer last took the person to, if any (whether
    /// or not they were checked in).
    pub center: Option<CenterId>,
    /// When the last ETA given before the arrival said the case manager would be
    /// there (the ETA's instant plus its minutes); ETAs after the arrival are
    /// ignored.
    pub eta_promised_at: Option<DateTime<Utc>>,
    /// When the closing event came; `None` while [`Outcome::Open`].
    pub closed_at: Option<DateTime<Utc>>,
    /// Offers made (one per person per round).
    pub offers: u32,
    pub declines: u32,
    pub timed_out: u32,
    pub undeliverable: u32,
    /// Distinct escalation steps begun.
    pub steps_started: u32,
    /// Distinct escalation steps passed over because nobody was available.
    pub steps_skipped: u32,
    pub outcome: Outcome,
    /// Why it closed without a diversion, for [`Outcome::NotDiverted`].
    pub not_diverted: Option<NotDivertedCode>,
    /// Times a case manager who accepted gave it back.
    pub given_back: u32,
    /// Times an ETA passed by the grace with no arrival.
    pub eta_missed: u32,
    /// Why it became a follow-up, if it did.
    pub followup: Option<FollowUpReason>,
    /// When the follow-up was taken and done.
    pub followup_taken_at: Option<DateTime<Utc>>,
    pub followed_up_at: Option<DateTime<Utc>>,
    /// The police report number the officer added.
    pub report_number: Option<ReportNumber>,
    pub intake_completed_at: Option<DateTime<Utc>>,
}

impl HandoffMetrics {
    /// Someone accepted it (whether or not it then completed).
    pub fn accepted(&self) -> bool {
        self.accepted_at.is_some()
    }

    /// Steps started beyond the first.
    pub fn escalations(&self) -> u32 {
        self.steps_started.saturating_sub(1)
    }

    /// Request → first offer.
    pub fn time_to_first_offer(&self) -> Option<Duration> {
        self.first_offer_at.map(|at| at - self.requested_at)
    }

    /// Request → accept: the response time.
    pub fn time_to_accept(&self) -> Option<Duration> {
        self.accepted_at.map(|at| at - self.requested_at)
    }

    /// Request → arrived.
    pub fn time_to_arrival(&self) -> Option<Duration> {
        self.arrived_at.map(|at| at - self.requested_at)
    }

    /// Accept → arrived: the case manager's travel, for a field meet only (a
    /// drop-off's check-in is no case manager's arrival).
    pub fn accept_to_arrival(&self) -> Option<Duration> {
        self.field_arrival()?;
        Some(self.arrived_at? - self.accepted_at?)
    }

    /// Arrived minus the last promised arrival ([`HandoffMetrics::eta_promised_at`]):
    /// negative when the case manager came early. For field meets only.
    pub fn eta_error(&self) -> Option<Duration> {
        self.field_arrival()?;
        Some(self.arrived_at? - self.eta_promised_at?)
    }

    /// `Some(())` when a case manager arrived in the field.
    fn field_arrival(&self) -> Option<()> {
        (self.arrival == Some(Arrival::Field)).then_some(())
    }

    /// Request → closed: how long the officer was held by the hand-off.
    pub fn request_to_close(&self) -> Option<Duration> {
        self.closed_at.map(|at| at - self.requested_at)
    }
}

/// The flat row a [`HandoffMetrics`] serializes as.
#[derive(Serialize)]
struct HandoffRow<'a> {
    id: HandoffId,
    site: &'a SiteId,
    kind: HandoffKind,
    officer: &'a OfficerId,
    agency: &'a AgencyId,
    zone: Option<&'a ZoneId>,
    requested_at: DateTime<Utc>,
    after_hours: bool,
    first_offer_at: Option<DateTime<Utc>>,
    accepted_at: Option<DateTime<Utc>>,
    accepted_by: Option<&'a PersonId>,
    arrived_at: Option<DateTime<Utc>>,
    arrival: Option<Arrival>,
    center: Option<&'a CenterId>,
    closed_at: Option<DateTime<Utc>>,
    outcome: Outcome,
    not_diverted: Option<NotDivertedCode>,
    given_back: u32,
    eta_missed: u32,
    followup: Option<FollowUpReason>,
    followup_taken_at: Option<DateTime<Utc>>,
    followed_up_at: Option<DateTime<Utc>>,
    report_number: Option<&'a ReportNumber>,
    intake_completed_at: Option<DateTime<Utc>>,
    offers: u32,
    declines: u32,
    timed_out: u32,
    undeliverable: u32,
    steps_started: u32,
    steps_skipped: u32,
    escalations: u32,
    time_to_first_offer_seconds: Option<i64>,
    time_to_accept_seconds: Option<i64>,
    time_to_arrival_seconds: Option<i64>,
    accept_to_arrival_seconds: Option<i64>,
}

impl Serialize for HandoffMetrics {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        HandoffRow {
            id: self.id,
            site: &self.site,
            kind: self.kind,
            officer: &self.officer,
            agency: &self.agency,
            zone: self.zone.as_ref(),
            requested_at: self.requested_at,
            after_hours: self.after_hours,
            first_offer_at: self.first_offer_at,
            accepted_at: self.accepted_at,
            accepted_by: self.accepted_by.as_ref(),
            arrived_at: self.arrived_at,
            arrival: self.arrival,
            center: self.center.as_ref(),
            closed_at: self.closed_at,
            outcome: self.outcome,
            not_diverted: self.not_diverted,
            given_back: self.given_back,
            eta_missed: self.eta_missed,
            followup: self.followup,
            followup_taken_at: self.followup_taken_at,
            followed_up_at: self.followed_up_at,
            report_number: self.report_number.as_ref(),
            intake_completed_at: self.intake_completed_at,
            offers: self.offers,
            declines: self.declines,
            timed_out: self.timed_out,
            undeliverable: self.undeliverable,
            steps_started: self.steps_started,
            steps_skipped: self.steps_skipped,
            escalations: self.escalations(),
            time_to_first_offer_seconds: seconds(self.time_to_first_offer()),
            time_to_accept_seconds: seconds(self.time_to_accept()),
            time_to_arrival_seconds: seconds(self.time_to_arrival()),
            accept_to_arrival_seconds: seconds(self.accept_to_arrival()),
        }
        .serialize(serializer)
    }
}

pub(super) fn seconds(duration: Option<Duration>) -> Option<i64> {
    duration.map(|d| d.num_seconds())
}

/// The events of each hand-off, in slice order.
fn by_handoff(events: &[Event]) -> BTreeMap<HandoffId, Vec<&Event>> {
    let mut map: BTreeMap<HandoffId, Vec<&Event>> = BTreeMap::new();
    for event in events {
        map.entry(event.handoff).or_default().push(event);
    }
    map
}

/// One [`HandoffMetrics`] per hand-off that has a `Requested` event, ordered by id.
/// Events of hand-offs without one are ignored (see [`orphans`]).
pub fn metrics(events: &[Event]) -> Vec<HandoffMetrics> {
    by_handoff(events)
        .into_values()
        .filter_map(|mut events| {
            // Stable: ties keep their order in the log.
            events.sort_by_key(|e| e.at);
            fold(&events)
        })
        .collect()
}

/// The hand-offs that have events in the slice but no `Requested` event: ignored by
/// [`metrics`]. Non-empty when a query's time window cut a hand-off's start off, or
/// the log is damaged.
pub fn orphans(events: &[Event]) -> Vec<HandoffId> {
    by_handoff(events)
        .into_iter()
        .filter(|(_, events)| {
            !events
                .iter()
                .any(|e| matches!(e.kind, EventKind::Requested { .. }))
        })
        .map(|(id, _)| id)
        .collect()
}

/// The metrics of one hand-off from its events, sorted by time.
fn fold(events: &[&Event]) -> Option<HandoffMetrics> {
    let (opened, site, kind, officer, agency, zone, after_hours) =
        events.iter().find_map(|e| match &e.kind {
            EventKind::Requested {
                site,
                kind,
                officer,
                agency,
                zone,
                after_hours,
            } => Some((e, site, kind, officer, agency, zone, after_hours)),
            _ => None,
        })?;
    let mut m = HandoffMetrics {
        id: opened.handoff,
        site: site.clone(),
        kind: *kind,
        officer: officer.clone(),
        agency: agency.clone(),
        zone: zone.clone(),
        requested_at: opened.at,
        after_hours: *after_hours,
        first_offer_at: None,
        accepted_at: None,
        accepted_by: None,
        accepted_via: None,
        arrived_at: None,
        arrival: None,
        center: None,
        eta_promised_at: None,
        closed_at: None,
        offers: 0,
        declines: 0,
        timed_out: 0,
        undeliverable: 0,
        steps_started: 0,
        steps_skipped: 0,
        outcome: Outcome::Open,
        not_diverted: None,
        given_back: 0,
        eta_missed: 0,
        followup: None,
        followup_taken_at: None,
        followed_up_at: None,
        report_number: None,
        intake_completed_at: None,
    };
    let mut started = BTreeSet::new();
    let mut skipped = BTreeSet::new();
    let close = |m: &mut HandoffMetrics, outcome: Outcome, at: DateTime<Utc>| {
        m.outcome = outcome;
        m.closed_at = Some(at);
    };
    for event in events {
        let at = event.at;
        // A drop-off may reopen a hand-off that closed with nobody coming; the
        // dispatcher decides when (`Handoff::reopens_for_drop_off`), so the log
        // holds one only where it was allowed.
        if let EventKind::DroppedOff { center } = &event.kind {
            m.outcome = Outcome::Open;
            m.closed_at = None;
            m.center = Some(center.clone());
            continue;
        }
        // What comes after the close (follow-up, intake, the report number) is
        // counted; nothing else after it changes how it ended.
        if after_close(&mut m, event) || m.outcome.is_closed() {
            continue;
        }
        match &event.kind {
            EventKind::Requested { .. } => {}
            EventKind::StepStarted { step } => {
                started.insert(*step);
            }
            EventKind::StepSkipped { step } => {
                skipped.insert(*step);
            }
            EventKind::Offered { .. } => {
                m.offers += 1;
                m.first_offer_at.get_or_insert(at);
            }
            EventKind::Declined { .. } => m.declines += 1,
            EventKind::OfferTimedOut { .. } => m.timed_out += 1,
            EventKind::OfferUndeliverable { .. } => m.undeliverable += 1,
            EventKind::Accepted { person, via } => {
                if m.accepted_at.is_none() {
                    m.accepted_at = Some(at);
                    m.accepted_by = Some(person.clone());
                    m.accepted_via = *via;
                }
            }
            EventKind::Arrived { .. } => {
                if m.arrived_at.is_none() {
                    m.arrived_at = Some(at);
                    m.arrival = Some(Arrival::Field);
                }
            }
            // Handled above, closed or not.
            EventKind::DroppedOff { .. } => {}
            // The check-in is the drop-off's arrival, and the person is with the
            // program: the hand-off is complete.
            EventKind::CheckedIn { .. } => {
                if m.arrived_at.is_none() {
                    m.arrived_at = Some(at);
                    m.arrival = Some(Arrival::DropOff);
                }
                close(&mut m, Outcome::Completed, at);
            }
            EventKind::Completed { .. } => close(&mut m, Outcome::Completed, at),
            EventKind::Cancelled { .. } => close(&mut m, Outcome::Cancelled, at),
            EventKind::Unstaffed => close(&mut m, Outcome::Unstaffed, at),
            EventKind::OutOfHours => close(&mut m, Outcome::OutOfHours, at),
            EventKind::Expired { .. } => close(&mut m, Outcome::Expired, at),
            EventKind::NotDiverted { code, .. } => {
                m.not_diverted = Some(*code);
                close(&mut m, Outcome::NotDiverted, at);
            }
            EventKind::GivenBack { .. } => m.given_back += 1,
            EventKind::EtaPassed { .. } => m.eta_missed += 1,
            EventKind::Eta { minutes, .. } => {
                if m.arrived_at.is_none() {
                    // An ETA too far out to be an instant cannot be kept as one.
                    m.eta_promised_at = Duration::try_minutes(i64::from(*minutes))
                        .and_then(|d| at.checked_add_signed(d));
                }
            }
            EventKind::LateAccept { .. }
            | EventKind::Late { .. }
            | EventKind::Relayed { .. }
            | EventKind::NotDelivered { .. }
            | EventKind::IntakeReminded { .. }
            | EventKind::IntakeOverdue
            // A call's legs: the offers and the accept they led to are counted.
            | EventKind::LegDialed { .. }
            | EventKind::LegEnded { .. }
            | EventKind::CheckInOverdue { .. } => {}
            // Handled by `after_close`.
            EventKind::IntakeCompleted
            | EventKind::ReportNumber { .. }
            | EventKind::FollowUpOpened { .. }
            | EventKind::FollowUpTaken { .. }
            | EventKind::FollowedUp { .. } => {}
        }
    }
    m.steps_started = count(&started);
    m.steps_skipped = count(&skipped);
    Some(m)
}

/// Folds the events that may come after a hand-off closed; whether it was one.
fn after_close(m: &mut HandoffMetrics, event: &Event) -> bool {
    match &event.kind {
        EventKind::IntakeCompleted => {
            m.intake_completed_at.get_or_insert(event.at);
        }
        EventKind::ReportNumber { number } => m.report_number = Some(number.clone()),
        EventKind::FollowUpOpened { reason } => m.followup = Some(*reason),
        EventKind::FollowUpTaken { .. } => {
            m.followup_taken_at.get_or_insert(event.at);
        }
        EventKind::FollowedUp { .. } => {
            m.followed_up_at.get_or_insert(event.at);
        }
        _ => return false,
    }
    true
}

fn count<T>(set: &BTreeSet<T>) -> u32 {
    u32::try_from(set.len()).unwrap_or(u32::MAX)
}

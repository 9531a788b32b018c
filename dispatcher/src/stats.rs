//! Response times and counts, derived from the event log and from nothing else: the
//! one query API the dashboard and the CSV export call. Pure functions of the events
//! they are given (no I/O, no clock); a site's time zone comes in as a function.
//!
//! Two layers:
//!
//! - [`metrics`]: one [`HandoffMetrics`] per hand-off, folded from its events (when
//!   it was requested, first offered, accepted and by whom, reached, how it ended,
//!   how many declines, steps started and skipped).
//! - [`aggregate`] (or [`summarize`], straight from events): [`GroupStats`] per case
//!   manager, agency, officer, site, hour of the week, week or overall, with counts
//!   and [`Percentiles`] of response time (request → accept) and time to arrival
//!   (request → arrived).
//!
//! How the log is read:
//!
//! - A hand-off opens with its `Requested` event. Events of a hand-off that has no
//!   `Requested` event in the slice are ignored by [`metrics`]; [`orphans`] lists
//!   those hand-offs, for a diagnostic. A second `Requested` for the same hand-off is
//!   ignored.
//! - Within a hand-off, events are taken in order of `at`, ties in slice order, so the
//!   slice need not be sorted (the events of many hand-offs may be interleaved).
//! - The first closing event (`Completed`, `Cancelled`, `Unstaffed`, `OutOfHours`,
//!   `Expired`) fixes the outcome; a closed hand-off does not change, so any event
//!   after it is ignored. A hand-off with no closing event is [`Outcome::Open`].
//! - The first `Accepted` is the accept; a `LateAccept` never is. The first
//!   `Arrived` is the arrival. `steps_started` and `steps_skipped` count distinct step
//!   indices (a re-logged step is one step); `declines`, `offers`, `timed_out` and
//!   `undeliverable` count events.
//!
//! Percentiles use the nearest-rank method: the p-th percentile of `n` values is the
//! ⌈p·n/100⌉-th smallest (the smallest value with at least p % of values at or below
//! it), always one of the observed values. Durations are serialized as whole seconds,
//! truncated toward zero.

use std::collections::{BTreeMap, BTreeSet};

use chrono::{DateTime, Datelike, Duration, Timelike, Utc};
use chrono_tz::Tz;
use handoff_schedules::{PersonId, SiteId, ZoneId};
use serde::{Deserialize, Serialize, Serializer};

use crate::event::{Event, EventKind};
use crate::handoff::{HandoffId, HandoffKind};
use crate::roster::{AgencyId, OfficerId};

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
}

impl Outcome {
    /// The name used in reports and the CSV export.
    pub fn name(self) -> &'static str {
        match self {
            Outcome::Open => "open",
            Outcome::Completed => "completed",
            Outcome::Cancelled => "cancelled",
            Outcome::Unstaffed => "unstaffed",
            Outcome::OutOfHours => "out_of_hours",
            Outcome::Expired => "expired",
        }
    }

    pub fn is_closed(self) -> bool {
        self != Outcome::Open
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
    pub arrived_at: Option<DateTime<Utc>>,
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

    /// Accept → arrived: the case manager's travel.
    pub fn accept_to_arrival(&self) -> Option<Duration> {
        Some(self.arrived_at? - self.accepted_at?)
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
    closed_at: Option<DateTime<Utc>>,
    outcome: Outcome,
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
            closed_at: self.closed_at,
            outcome: self.outcome,
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

fn seconds(duration: Option<Duration>) -> Option<i64> {
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
        arrived_at: None,
        closed_at: None,
        offers: 0,
        declines: 0,
        timed_out: 0,
        undeliverable: 0,
        steps_started: 0,
        steps_skipped: 0,
        outcome: Outcome::Open,
    };
    let mut started = BTreeSet::new();
    let mut skipped = BTreeSet::new();
    let close = |m: &mut HandoffMetrics, outcome: Outcome, at: DateTime<Utc>| {
        m.outcome = outcome;
        m.closed_at = Some(at);
    };
    for event in events {
        if m.outcome.is_closed() {
            break;
        }
        let at = event.at;
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
            EventKind::Accepted { person } => {
                if m.accepted_at.is_none() {
                    m.accepted_at = Some(at);
                    m.accepted_by = Some(person.clone());
                }
            }
            EventKind::Arrived { .. } => {
                m.arrived_at.get_or_insert(at);
            }
            EventKind::Completed { .. } => close(&mut m, Outcome::Completed, at),
            EventKind::Cancelled { .. } => close(&mut m, Outcome::Cancelled, at),
            EventKind::Unstaffed => close(&mut m, Outcome::Unstaffed, at),
            EventKind::OutOfHours => close(&mut m, Outcome::OutOfHours, at),
            EventKind::Expired { .. } => close(&mut m, Outcome::Expired, at),
            EventKind::LateAccept { .. }
            | EventKind::Eta { .. }
            | EventKind::Relayed { .. }
            | EventKind::NotDelivered { .. }
            | EventKind::IntakeCompleted => {}
        }
    }
    m.steps_started = count(&started);
    m.steps_skipped = count(&skipped);
    Some(m)
}

fn count<T>(set: &BTreeSet<T>) -> u32 {
    u32::try_from(set.len()).unwrap_or(u32::MAX)
}

/// What hand-offs are grouped by.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum GroupBy {
    /// The person who accepted; never-accepted hand-offs go to [`NO_CASE_MANAGER`].
    CaseManager,
    Agency,
    Officer,
    Site,
    /// The hour of the week of the request in the site's local time: Monday 00:00–00:59
    /// is `0`, Sunday 23:00–23:59 is `167`. Groups sort numerically.
    HourOfWeek,
    /// The ISO week of the request in the site's local time, named by its Monday:
    /// `2024-03-04`.
    Week,
    /// Everything, in one group keyed [`ALL_KEY`].
    All,
}

/// The key of the group of hand-offs nobody accepted, under [`GroupBy::CaseManager`].
pub const NO_CASE_MANAGER: &str = "(none)";
/// The key of the one group of [`GroupBy::All`].
pub const ALL_KEY: &str = "all";

impl GroupBy {
    pub const ALL: [GroupBy; 7] = [
        GroupBy::CaseManager,
        GroupBy::Agency,
        GroupBy::Officer,
        GroupBy::Site,
        GroupBy::HourOfWeek,
        GroupBy::Week,
        GroupBy::All,
    ];

    /// The name used in query strings and file names.
    pub fn name(self) -> &'static str {
        match self {
            GroupBy::CaseManager => "case_manager",
            GroupBy::Agency => "agency",
            GroupBy::Officer => "officer",
            GroupBy::Site => "site",
            GroupBy::HourOfWeek => "hour_of_week",
            GroupBy::Week => "week",
            GroupBy::All => "all",
        }
    }
}

/// The hour of the week of an instant in a zone: Monday 00:00 = 0 .. Sunday 23:00 = 167.
pub fn hour_of_week(at: DateTime<Utc>, zone: Tz) -> u32 {
    let local = at.with_timezone(&zone);
    local.weekday().num_days_from_monday() * 24 + local.hour()
}

/// The Monday (local date) of the ISO week of an instant in a zone, as `YYYY-MM-DD`.
pub fn week_of(at: DateTime<Utc>, zone: Tz) -> String {
    let date = at.with_timezone(&zone).date_naive();
    let monday = date - Duration::days(i64::from(date.weekday().num_days_from_monday()));
    monday.format("%Y-%m-%d").to_string()
}

/// Count, median, 90th percentile and maximum of some durations, by nearest rank.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Percentiles {
    pub count: u64,
    /// `None` when `count` is 0, like the others.
    pub p50: Option<Duration>,
    pub p90: Option<Duration>,
    pub max: Option<Duration>,
}

impl Percentiles {
    /// The percentiles of the values, in any order.
    pub fn of(values: &[Duration]) -> Percentiles {
        let mut sorted = values.to_vec();
        sorted.sort_unstable();
        Percentiles {
            count: sorted.len() as u64,
            p50: nearest_rank(&sorted, 50),
            p90: nearest_rank(&sorted, 90),
            max: sorted.last().copied(),
        }
    }
}

/// The `percent`-th percentile of sorted values by the nearest-rank method: the
/// ⌈percent·n/100⌉-th smallest (rank at least 1). `None` for no values.
pub fn nearest_rank<T: Copy>(sorted: &[T], percent: u32) -> Option<T> {
    let n = sorted.len();
    let rank = (u64::from(percent.min(100)) * n as u64)
        .div_ceil(100)
        .max(1);
    sorted.get(usize::try_from(rank).ok()? - 1).copied()
}

#[derive(Serialize)]
struct PercentilesRow {
    count: u64,
    p50_seconds: Option<i64>,
    p90_seconds: Option<i64>,
    max_seconds: Option<i64>,
}

impl From<&Percentiles> for PercentilesRow {
    fn from(p: &Percentiles) -> PercentilesRow {
        PercentilesRow {
            count: p.count,
            p50_seconds: seconds(p.p50),
            p90_seconds: seconds(p.p90),
            max_seconds: seconds(p.max),
        }
    }
}

/// Serializes as `{count, p50_seconds, p90_seconds, max_seconds}`.
impl Serialize for Percentiles {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        PercentilesRow::from(self).serialize(serializer)
    }
}

/// The counts and times of one group of hand-offs.
///
/// Serializes as one flat row (CSV writers cannot nest): the percentiles become
/// `response_count`, `response_p50_seconds`, … and `arrival_count`, ….
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct GroupStats {
    pub key: String,
    pub requests: u64,
    /// Requests made while the site was closed.
    pub after_hours: u64,
    /// Accepted at some point, whatever the outcome.
    pub accepted: u64,
    pub completed: u64,
    pub cancelled: u64,
    pub unstaffed: u64,
    pub out_of_hours: u64,
    pub expired: u64,
    /// Not closed yet.
    pub open: u64,
    /// Sum of declines.
    pub declines: u64,
    /// Sum of steps started beyond the first.
    pub escalations: u64,
    /// Request → accept, over the accepted hand-offs.
    pub response: Percentiles,
    /// Request → arrived, over the hand-offs reached.
    pub arrival: Percentiles,
}

#[derive(Serialize)]
struct GroupRow<'a> {
    key: &'a str,
    requests: u64,
    after_hours: u64,
    accepted: u64,
    completed: u64,
    cancelled: u64,
    unstaffed: u64,
    out_of_hours: u64,
    expired: u64,
    open: u64,
    declines: u64,
    escalations: u64,
    response_count: u64,
    response_p50_seconds: Option<i64>,
    response_p90_seconds: Option<i64>,
    response_max_seconds: Option<i64>,
    arrival_count: u64,
    arrival_p50_seconds: Option<i64>,
    arrival_p90_seconds: Option<i64>,
    arrival_max_seconds: Option<i64>,
}

impl Serialize for GroupStats {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let response = PercentilesRow::from(&self.response);
        let arrival = PercentilesRow::from(&self.arrival);
        GroupRow {
            key: &self.key,
            requests: self.requests,
            after_hours: self.after_hours,
            accepted: self.accepted,
            completed: self.completed,
            cancelled: self.cancelled,
            unstaffed: self.unstaffed,
            out_of_hours: self.out_of_hours,
            expired: self.expired,
            open: self.open,
            declines: self.declines,
            escalations: self.escalations,
            response_count: response.count,
            response_p50_seconds: response.p50_seconds,
            response_p90_seconds: response.p90_seconds,
            response_max_seconds: response.max_seconds,
            arrival_count: arrival.count,
            arrival_p50_seconds: arrival.p50_seconds,
            arrival_p90_seconds: arrival.p90_seconds,
            arrival_max_seconds: arrival.max_seconds,
        }
        .serialize(serializer)
    }
}

/// A group being added up.
#[derive(Default)]
struct Tally {
    stats: GroupStats,
    responses: Vec<Duration>,
    arrivals: Vec<Duration>,
}

impl Tally {
    fn add(&mut self, m: &HandoffMetrics) {
        let s = &mut self.stats;
        s.requests += 1;
        s.after_hours += u64::from(m.after_hours);
        s.accepted += u64::from(m.accepted());
        match m.outcome {
            Outcome::Open => s.open += 1,
            Outcome::Completed => s.completed += 1,
            Outcome::Cancelled => s.cancelled += 1,
            Outcome::Unstaffed => s.unstaffed += 1,
            Outcome::OutOfHours => s.out_of_hours += 1,
            Outcome::Expired => s.expired += 1,
        }
        s.declines += u64::from(m.declines);
        s.escalations += u64::from(m.escalations());
        self.responses.extend(m.time_to_accept());
        self.arrivals.extend(m.time_to_arrival());
    }

    fn finish(self, key: String) -> GroupStats {
        GroupStats {
            key,
            response: Percentiles::of(&self.responses),
            arrival: Percentiles::of(&self.arrivals),
            ..self.stats
        }
    }
}

/// The hand-offs grouped, one [`GroupStats`] per key that has at least one hand-off,
/// sorted by key (hour of week numerically). `zone_of` gives a site's time zone, used
/// only for [`GroupBy::HourOfWeek`] and [`GroupBy::Week`].
pub fn aggregate(
    metrics: &[HandoffMetrics],
    by: GroupBy,
    zone_of: &dyn Fn(&SiteId) -> Tz,
) -> Vec<GroupStats> {
    // (numeric order, key): the number orders hours of the week, 0 otherwise.
    let mut groups: BTreeMap<(u32, String), Tally> = BTreeMap::new();
    for m in metrics {
        let key = match by {
            GroupBy::CaseManager => (
                0,
                m.accepted_by
                    .as_ref()
                    .map_or_else(|| NO_CASE_MANAGER.to_owned(), |p| p.to_string()),
            ),
            GroupBy::Agency => (0, m.agency.to_string()),
            GroupBy::Officer => (0, m.officer.to_string()),
            GroupBy::Site => (0, m.site.to_string()),
            GroupBy::HourOfWeek => {
                let hour = hour_of_week(m.requested_at, zone_of(&m.site));
                (hour, hour.to_string())
            }
            GroupBy::Week => (0, week_of(m.requested_at, zone_of(&m.site))),
            GroupBy::All => (0, ALL_KEY.to_owned()),
        };
        groups.entry(key).or_default().add(m);
    }
    groups
        .into_iter()
        .map(|((_, key), tally)| tally.finish(key))
        .collect()
}

/// [`metrics`] then [`aggregate`]: the groups straight from the event log.
pub fn summarize(
    events: &[Event],
    by: GroupBy,
    zone_of: &dyn Fn(&SiteId) -> Tz,
) -> Vec<GroupStats> {
    aggregate(&metrics(events), by, zone_of)
}

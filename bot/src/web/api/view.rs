//! A hand-off as the JSON API shows it to the agency that asked: where it stands,
//! when each step happened (from the event log, as the reports read it), who is
//! coming by first name and when. Never a participant's identifiers (none are
//! kept), never a phone number or Matrix ID, never the words relayed between the
//! officer and the case manager; the officer's own request words only until
//! retention forgets them.

use chrono::{DateTime, FixedOffset, Utc};
use chrono_tz::Tz;
use handoff_dispatcher::directory::Directory;
use handoff_dispatcher::outcome::NotDivertedCode;
use handoff_dispatcher::stats::{self, Outcome};
use handoff_dispatcher::{AgencyId, Event, Handoff, HandoffKind, OfficerId, State};
use handoff_schedules::{SiteId, ZoneId};
use serde::Serialize;

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub(crate) struct HandoffView {
    pub(crate) id: u32,
    pub(crate) kind: HandoffKind,
    /// `offering`, `accepted`, `en_route`, `arrived`, `completed`, `cancelled`,
    /// `not_diverted`, `unstaffed`, `out_of_hours`, `expired`.
    pub(crate) state: &'static str,
    /// How it ended, or `open`.
    pub(crate) outcome: Outcome,
    pub(crate) not_diverted: Option<NotDivertedCode>,
    pub(crate) site: SiteId,
    pub(crate) zone: Option<ZoneId>,
    pub(crate) agency: AgencyId,
    pub(crate) officer: OfficerId,
    /// Requested while the site was closed.
    pub(crate) after_hours: bool,
    /// The officer's words (redacted), `null` once retention forgot them.
    pub(crate) location: Option<String>,
    pub(crate) requested_at: DateTime<FixedOffset>,
    /// The first accept.
    pub(crate) accepted_at: Option<DateTime<FixedOffset>>,
    pub(crate) arrived_at: Option<DateTime<FixedOffset>>,
    pub(crate) closed_at: Option<DateTime<FixedOffset>>,
    /// Who holds it now (or held it when it closed).
    pub(crate) assignee: Option<Assignee>,
    /// When the case manager on the way said they would arrive.
    pub(crate) eta: Option<DateTime<FixedOffset>>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub(crate) struct Assignee {
    pub(crate) first_name: String,
}

/// The view of `handoff`, its times read from `events` (its own, in log order)
/// and shown in its site's time zone.
pub(crate) fn view(handoff: &Handoff, events: &[Event], directory: &Directory) -> HandoffView {
    let site = directory.sites.get(&handoff.request.site);
    let tz: Option<Tz> = site.map(|s| s.schedule.tz);
    let local = |at: DateTime<Utc>| match tz {
        Some(tz) => at.with_timezone(&tz).fixed_offset(),
        None => at.fixed_offset(),
    };
    let metrics = stats::metrics(events)
        .into_iter()
        .find(|m| m.id == handoff.id);
    let assignee = handoff.state.assignee().map(|person| Assignee {
        first_name: directory
            .roster
            .people
            .get(person)
            .map_or_else(|| person.as_str().to_owned(), |p| p.first_name().to_owned()),
    });
    let eta = match &handoff.state {
        State::EnRoute { eta, .. } => Some(local(*eta)),
        _ => None,
    };
    let location = &handoff.request.location;
    HandoffView {
        id: handoff.id.get(),
        kind: handoff.request.kind,
        state: handoff.state.name(),
        outcome: metrics
            .as_ref()
            .map_or_else(|| outcome_of(&handoff.state), |m| m.outcome),
        not_diverted: match &handoff.state {
            State::NotDiverted { code, .. } => Some(*code),
            _ => None,
        },
        site: handoff.request.site.clone(),
        zone: handoff.request.zone.clone(),
        agency: handoff.request.agency.clone(),
        officer: handoff.request.officer.clone(),
        after_hours: handoff.after_hours,
        location: (!location.is_empty()).then(|| location.clone()),
        requested_at: local(handoff.requested_at),
        accepted_at: metrics
            .as_ref()
            .and_then(|m| m.accepted_at)
            .or(handoff.accepted_at)
            .map(local),
        arrived_at: metrics.as_ref().and_then(|m| m.arrived_at).map(local),
        closed_at: metrics.as_ref().and_then(|m| m.closed_at).map(local),
        assignee,
        eta,
    }
}

/// How a hand-off ended by its state alone, for one whose events are missing.
fn outcome_of(state: &State) -> Outcome {
    match state {
        State::Completed { .. } => Outcome::Completed,
        State::Cancelled { .. } => Outcome::Cancelled,
        State::Unstaffed => Outcome::Unstaffed,
        State::OutOfHours => Outcome::OutOfHours,
        State::Expired { .. } => Outcome::Expired,
        State::NotDiverted { .. } => Outcome::NotDiverted,
        State::CheckedIn { .. } => Outcome::Completed,
        State::DroppingOff { .. }
        | State::Offering { .. }
        | State::Accepted { .. }
        | State::EnRoute { .. }
        | State::Arrived { .. } => Outcome::Open,
    }
}

//! The append-only event log: every transition of every hand-off, with its instant.
//! Response times, declines, escalations and unstaffed or out-of-hours attempts are
//! all derived from it, never kept as counters. Events carry timings and identities
//! of staff and officers, never message bodies; the only words in them, the reasons
//! given for a decline or a cancel, are blanked by retention (`crate::retention`).

use crate::call::{Leg, LegOutcome};
use crate::contact::Channel;
use chrono::{DateTime, Utc};
use handoff_schedules::{PersonId, SiteId, ZoneId};
use serde::{Deserialize, Serialize};

use crate::handoff::{Actor, HandoffId, HandoffKind};
use crate::outcome::{FollowUpReason, NotDivertedCode, ReportNumber};
use crate::roster::{AgencyId, CenterId, OfficerId};

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Event {
    pub handoff: HandoffId,
    pub at: DateTime<Utc>,
    pub actor: Actor,
    pub kind: EventKind,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case", tag = "event")]
pub enum EventKind {
    Requested {
        site: SiteId,
        kind: HandoffKind,
        officer: OfficerId,
        agency: AgencyId,
        zone: Option<ZoneId>,
        /// The site was closed when the request came.
        after_hours: bool,
    },
    /// A step of the escalation policy began (0-based index).
    StepStarted {
        step: usize,
    },
    /// A step had nobody available and was passed over at once.
    StepSkipped {
        step: usize,
    },
    Offered {
        person: PersonId,
        step: usize,
        round: u32,
    },
    Declined {
        person: PersonId,
        reason: Option<String>,
    },
    OfferTimedOut {
        person: PersonId,
    },
    OfferUndeliverable {
        person: PersonId,
    },
    Accepted {
        person: PersonId,
        /// The channel the accept came by (absent in events logged before it was
        /// recorded).
        #[serde(default, skip_serializing_if = "Option::is_none")]
        via: Option<Channel>,
    },
    /// An accept that came after someone else's.
    LateAccept {
        person: PersonId,
    },
    Eta {
        person: PersonId,
        minutes: u32,
    },
    Arrived {
        person: PersonId,
    },
    Completed {
        person: PersonId,
    },
    Cancelled {
        reason: Option<String>,
    },
    /// The case manager who accepted gave it back; it is offered again.
    GivenBack {
        person: PersonId,
        reason: Option<String>,
    },
    /// Closed without a diversion (the actor says who closed it). The code is kept
    /// for good; the note, words, is forgotten with the rest.
    NotDiverted {
        code: NotDivertedCode,
        note: Option<String>,
    },
    /// The ETA passed by the grace with no arrival: the case manager was asked for
    /// a new one.
    EtaPassed {
        person: PersonId,
    },
    /// A second grace passed: the supervisor was alerted and the officer told.
    Late {
        person: PersonId,
    },
    Unstaffed,
    OutOfHours,
    Expired {
        person: PersonId,
    },
    /// A message relayed between officer and case manager (its length, not its text).
    Relayed {
        chars: usize,
    },
    /// A message about the hand-off to this officer or staff member could not be
    /// delivered (offers have `OfferUndeliverable`).
    NotDelivered {
        to: Actor,
    },
    /// Intake was recorded as complete for an accepted diversion.
    IntakeCompleted,
    /// The case manager was reminded that intake is due soon.
    IntakeReminded {
        person: PersonId,
    },
    /// The intake deadline passed with no intake recorded.
    IntakeOverdue,
    /// The officer added the police report number.
    ReportNumber {
        number: ReportNumber,
    },
    /// The closed hand-off is waiting for someone to follow up.
    FollowUpOpened {
        reason: FollowUpReason,
    },
    FollowUpTaken {
        person: PersonId,
    },
    /// Someone followed up; the note, words, is forgotten with the rest.
    FollowedUp {
        person: PersonId,
        note: Option<String>,
    },
    /// The officer's call began to ring this person (leg `leg`: offer `leg`).
    LegDialed {
        person: PersonId,
        leg: Leg,
    },
    /// A leg of the officer's call ended.
    LegEnded {
        person: PersonId,
        leg: Leg,
        outcome: LegOutcome,
    },
    /// The officer is taking the person to a diversion center instead of meeting
    /// a case manager in the field (a case manager who had accepted is released).
    DroppedOff {
        center: CenterId,
    },
    /// Nobody checked the person in within the center's `check_in_within`: its
    /// staff and the supervisors were told.
    CheckInOverdue {
        center: CenterId,
    },
    /// The center's staff checked the person in: the hand-off's arrival.
    CheckedIn {
        person: PersonId,
        center: CenterId,
    },
}

impl EventKind {
    /// The name stored in the `kind` column.
    pub fn name(&self) -> &'static str {
        match self {
            EventKind::Requested { .. } => "requested",
            EventKind::StepStarted { .. } => "step_started",
            EventKind::StepSkipped { .. } => "step_skipped",
            EventKind::Offered { .. } => "offered",
            EventKind::Declined { .. } => "declined",
            EventKind::OfferTimedOut { .. } => "offer_timed_out",
            EventKind::OfferUndeliverable { .. } => "offer_undeliverable",
            EventKind::Accepted { .. } => "accepted",
            EventKind::LateAccept { .. } => "late_accept",
            EventKind::Eta { .. } => "eta",
            EventKind::Arrived { .. } => "arrived",
            EventKind::Completed { .. } => "completed",
            EventKind::Cancelled { .. } => "cancelled",
            EventKind::GivenBack { .. } => "given_back",
            EventKind::NotDiverted { .. } => "not_diverted",
            EventKind::EtaPassed { .. } => "eta_passed",
            EventKind::Late { .. } => "late",
            EventKind::Unstaffed => "unstaffed",
            EventKind::OutOfHours => "out_of_hours",
            EventKind::Expired { .. } => "expired",
            EventKind::Relayed { .. } => "relayed",
            EventKind::NotDelivered { .. } => "not_delivered",
            EventKind::IntakeCompleted => "intake_completed",
            EventKind::IntakeReminded { .. } => "intake_reminded",
            EventKind::IntakeOverdue => "intake_overdue",
            EventKind::ReportNumber { .. } => "report_number",
            EventKind::FollowUpOpened { .. } => "follow_up_opened",
            EventKind::FollowUpTaken { .. } => "follow_up_taken",
            EventKind::FollowedUp { .. } => "followed_up",
            EventKind::LegDialed { .. } => "leg_dialed",
            EventKind::LegEnded { .. } => "leg_ended",
            EventKind::DroppedOff { .. } => "dropped_off",
            EventKind::CheckedIn { .. } => "checked_in",
            EventKind::CheckInOverdue { .. } => "check_in_overdue",
        }
    }
}

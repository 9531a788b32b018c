//! What the dispatcher says, as types: each variant is one thing a person is told,
//! with the facts it needs and nothing more. Transports turn these into words (short
//! GSM-7 SMS, richer Matrix), so tests assert on meaning, not wording, and no message
//! can carry a phone number or Matrix ID because none has a field for one.

use chrono::{DateTime, FixedOffset, Utc};
use handoff_schedules::PersonId;
use serde::{Deserialize, Serialize};

use crate::center::Refusal;
use crate::contact::{MatrixUserId, PhoneNumber};
use crate::handoff::{HandoffId, HandoffKind};
use crate::outcome::{FollowUpReason, NotDivertedCode};
use crate::roster::OfficerId;

mod problem;

pub use problem::{Named, Problem};

/// Who a message is for. Transports look up how to reach them.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case", tag = "type", content = "id")]
pub enum Recipient {
    Officer(OfficerId),
    Staff(PersonId),
    /// A number that is in no roster (an unregistered sender): SMS only.
    Phone(PhoneNumber),
    /// A Matrix user who is in no roster (an unregistered sender): Matrix only.
    Matrix(MatrixUserId),
}

/// Who a help text is written for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Audience {
    Officer,
    Staff,
}

/// Where an offer stands in the escalation, for channels with room to say so.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct OfferContext {
    /// The site's name.
    pub site: String,
    /// The zone the request is placed in, if any.
    pub zone: Option<String>,
    /// The escalation step (0 is the first) and how many steps there are.
    pub step: usize,
    pub steps: usize,
    /// When the offer moves on if nobody answers.
    pub answer_by: Option<DateTime<Utc>>,
    /// How many people this round offers it to at once.
    pub together: usize,
    /// The person offered serves more than one site: the SMS names the site too.
    #[serde(default)]
    pub name_site: bool,
}

/// The whole request, for the case manager who takes it: everything needed to go.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Brief {
    pub kind: HandoffKind,
    /// The officer's words, whole (redacted).
    pub location: String,
    pub site: String,
    pub zone: Option<String>,
    /// "Ofc. Rivera".
    pub officer: String,
    pub agency: String,
}

/// One follow-up in a list or digest.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FollowUpLine {
    pub id: HandoffId,
    pub kind: HandoffKind,
    pub reason: FollowUpReason,
    pub site: String,
    /// When the request came, in the site's time.
    pub requested_at: DateTime<FixedOffset>,
    /// The officer's words (redacted).
    pub location: String,
    /// The first name of who took it, if someone has.
    pub taken_by: Option<String>,
}

/// One line of a STATUS answer.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct StatusLine {
    pub id: HandoffId,
    pub kind: HandoffKind,
    /// `offering`, `accepted`, `en_route`, ...
    pub state: String,
    /// The case manager's first name, once accepted.
    pub first_name: Option<String>,
    pub eta: Option<DateTime<FixedOffset>>,
    /// For staff: the whole request.
    #[serde(default)]
    pub brief: Option<Brief>,
}

/// One site in a WHO answer.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SiteNow {
    pub site: String,
    pub open: bool,
    /// First name and role label of each person on duty.
    pub on_duty: Vec<(String, String)>,
    pub next_opening: Option<DateTime<FixedOffset>>,
}

/// What stands for the officer after a refused `DROPOFF`: the hand-off is as it
/// was, and the words say which way it was going.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum AfterRefusal {
    /// Offers are out: the search for a case manager goes on.
    #[default]
    Searching,
    /// A case manager accepted and is still coming.
    Coming,
    /// It had closed with nobody coming, and stays closed.
    Closed,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case", tag = "message")]
pub enum Message {
    // ---- to the officer ----
    /// The request is recorded and being routed.
    Received {
        id: HandoffId,
        kind: HandoffKind,
        location: String,
        /// The longest the search can take, in minutes (every step waited out).
        #[serde(default)]
        search_minutes: Option<u32>,
        /// An open diversion center the officer may take the person to instead
        /// (`DROPOFF 4821`), by name.
        #[serde(default)]
        center: Option<String>,
    },
    /// The officer is to take the person to this center, whose staff are told
    /// (`staff_told`: it has staff of its own; otherwise supervisors were told).
    DropOffConfirmed {
        id: HandoffId,
        center: String,
        address: String,
        staff_told: bool,
    },
    /// A drop-off could not go to a center now; nothing changed, and `then` says
    /// what stands.
    DropOffRefused {
        id: HandoffId,
        refusal: Refusal,
        #[serde(default)]
        then: AfterRefusal,
    },
    /// The center's staff checked the person in (`first_name` of who did).
    CheckedInAtCenter {
        id: HandoffId,
        center: String,
        first_name: String,
    },
    /// A case manager (or coordinator, supervisor) accepted.
    Assigned {
        id: HandoffId,
        first_name: String,
        role: String,
    },
    /// The case manager's estimated arrival.
    Eta {
        id: HandoffId,
        first_name: String,
        minutes: u32,
        arrive_by: DateTime<FixedOffset>,
    },
    ArrivedAtScene {
        id: HandoffId,
        first_name: String,
    },
    /// The person was released to case management.
    Completed {
        id: HandoffId,
    },
    /// Nobody could be reached; says so plainly, with the next opening if closed.
    Unstaffed {
        id: HandoffId,
        next_opening: Option<DateTime<FixedOffset>>,
        /// An open diversion center with room the officer may take the person to
        /// instead (`DROPOFF 4821`), by name.
        #[serde(default)]
        center: Option<String>,
    },
    /// The site is closed and nobody is on call: when it opens, and how to refer.
    OutOfHours {
        id: HandoffId,
        kind: HandoffKind,
        next_opening: Option<DateTime<FixedOffset>>,
        /// An open diversion center with room the officer may take the person to
        /// instead (`DROPOFF 4821`), by name.
        #[serde(default)]
        center: Option<String>,
    },
    /// The site is closed; the on-call coordinator is being asked.
    AfterHoursSearching {
        id: HandoffId,
        next_opening: Option<DateTime<FixedOffset>>,
        #[serde(default)]
        search_minutes: Option<u32>,
        /// An open diversion center with room the officer may take the person to
        /// instead (`DROPOFF 4821`), by name.
        #[serde(default)]
        center: Option<String>,
    },
    /// The case manager who accepted cannot come after all; another is being found.
    GivenBack {
        id: HandoffId,
        first_name: String,
    },
    /// Closed without a diversion, with the reason in plain words.
    NotDiverted {
        id: HandoffId,
        code: NotDivertedCode,
    },
    /// The case manager's ETA passed twice over with no arrival or new ETA; the
    /// supervisor is told.
    RunningLate {
        id: HandoffId,
        first_name: String,
        /// A supervisor was alerted (not at night without `after_hours_alerts`).
        #[serde(default)]
        supervisor_told: bool,
    },
    /// Case management followed up on the officer's referral (filed out of hours).
    FollowedUpForOfficer {
        id: HandoffId,
    },
    /// The report number is recorded (it is not repeated back).
    ReportNumberRecorded {
        id: HandoffId,
    },
    /// The case manager cancelled.
    CancelledByStaff {
        id: HandoffId,
        first_name: String,
        reason: Option<String>,
    },
    /// The officer's own cancel is confirmed.
    CancelConfirmed {
        id: HandoffId,
    },
    /// The case manager never arrived within the limit.
    Expired {
        id: HandoffId,
        /// An open diversion center with room the officer may take the person to
        /// instead (`DROPOFF 4821`), by name.
        #[serde(default)]
        center: Option<String>,
    },
    /// A message from the case manager, through the bot.
    RelayFromStaff {
        id: HandoffId,
        first_name: String,
        text: String,
    },

    // ---- to staff ----
    /// Will you take this hand-off?
    Offer {
        id: HandoffId,
        kind: HandoffKind,
        location: String,
        agency: String,
        officer: String,
        after_hours: bool,
        /// What a richer channel shows besides (absent from offers stored before
        /// it existed).
        #[serde(default)]
        context: OfferContext,
    },
    /// You have it: the whole request and what to reply next.
    Assignment {
        id: HandoffId,
        #[serde(default)]
        brief: Option<Brief>,
    },
    /// To center staff: an officer is bringing someone; reply CHECKIN on arrival.
    DropOffComing {
        id: HandoffId,
        kind: HandoffKind,
        center: String,
        /// "Ofc. Rivera".
        officer: String,
        agency: String,
    },
    /// To the case manager who had accepted: the officer took the person to a
    /// center instead; nothing more to do.
    DropOffReleased {
        id: HandoffId,
        center: String,
    },
    /// Your check-in is recorded.
    CheckInRecorded {
        id: HandoffId,
    },
    /// To center staff: the drop-off they were told of is called off (withdrawn,
    /// or closed without a diversion); nobody is coming.
    DropOffCalledOff {
        id: HandoffId,
        center: String,
    },
    /// To the center's staff (or the supervisors told of its drop-offs) and the
    /// site's supervisors: nobody checked in a person dropped off `minutes` ago.
    DropOffOverdue {
        id: HandoffId,
        center: String,
        /// "Ofc. Rivera".
        officer: String,
        minutes: u32,
    },
    /// Your pass is noted.
    DeclineConfirmed {
        id: HandoffId,
    },
    /// You gave it back; it is offered to others.
    GiveBackConfirmed {
        id: HandoffId,
    },
    /// Your not-diverted outcome is recorded and the officer told.
    NotDivertedRecorded {
        id: HandoffId,
        code: NotDivertedCode,
    },
    /// Your ETA passed by `minutes` with no arrival: a new ETA, please.
    EtaPassed {
        id: HandoffId,
        minutes: u32,
    },
    /// To supervisors: the case manager is late past their ETA and silent.
    LateAlert {
        id: HandoffId,
        first_name: String,
        site: String,
    },
    /// Intake of the diversion you took is due by then.
    IntakeReminder {
        id: HandoffId,
        due: DateTime<FixedOffset>,
    },
    /// To supervisors: intake is overdue.
    IntakeOverdueAlert {
        id: HandoffId,
        first_name: String,
        due: DateTime<FixedOffset>,
    },
    /// Intake is recorded.
    IntakeRecorded {
        id: HandoffId,
    },
    /// The follow-up is yours now.
    FollowUpTaken {
        id: HandoffId,
    },
    /// Someone else took the follow-up first.
    FollowUpTakenByOther {
        id: HandoffId,
        first_name: String,
    },
    /// The follow-up is recorded done.
    FollowedUpConfirmed {
        id: HandoffId,
    },
    /// When a site opens: what is waiting for follow-up there.
    FollowUpDigest {
        site: String,
        items: Vec<FollowUpLine>,
    },
    /// The answer to FOLLOWUP: follow-ups waiting or taken.
    FollowUps {
        items: Vec<FollowUpLine>,
    },
    /// Someone else accepted first.
    TakenByOther {
        id: HandoffId,
        first_name: String,
    },
    /// Your accept came after someone else's.
    AlreadyTaken {
        id: HandoffId,
    },
    /// The offer is withdrawn: the officer cancelled, or the hand-off closed.
    Withdrawn {
        id: HandoffId,
    },
    /// The officer cancelled the hand-off you accepted.
    CancelledByOfficer {
        id: HandoffId,
        reason: Option<String>,
    },
    /// A message from the officer, through the bot.
    RelayFromOfficer {
        id: HandoffId,
        officer: String,
        text: String,
    },
    /// To supervisors and the project manager: nobody took a hand-off.
    UnstaffedAlert {
        id: HandoffId,
        site: String,
        kind: HandoffKind,
        location: String,
        agency: String,
    },
    /// To supervisors: an accepted hand-off expired without an arrival.
    ExpiredAlert {
        id: HandoffId,
        first_name: String,
    },
    /// Your command named a hand-off that is closed.
    Closed {
        id: HandoffId,
    },

    // ---- replies to whoever wrote, outside any one hand-off ----
    /// The commands this sender may use.
    Help {
        audience: Audience,
    },
    /// The number is not registered: one short refusal a day at most, naming who
    /// registers people, if the configuration says.
    NotRegistered {
        #[serde(default)]
        contact: Option<String>,
    },
    /// Confirms a carrier opt-out (STOP): nothing more will be sent by SMS.
    OptedOut,
    /// Confirms an opt-in (START).
    OptedIn,
    /// A command could not be carried out.
    Problem {
        id: Option<HandoffId>,
        problem: Problem,
        /// The sender's open hand-offs, when naming one would help.
        open: Vec<HandoffId>,
    },
    /// Texts to the other side of an accepted hand-off are not getting through
    /// (`to`: the officer's display name or the case manager's first name).
    NotGettingThrough {
        id: HandoffId,
        to: String,
        /// The reader is the officer (the case manager's texts fail), not staff.
        #[serde(default)]
        for_officer: bool,
    },
    /// The officer's open hand-offs.
    Status {
        lines: Vec<StatusLine>,
    },
    /// Who is on duty now, for staff.
    OnDutyNow {
        sites: Vec<SiteNow>,
    },
}

impl Message {
    /// The hand-off the message is about, if it is about one.
    pub fn handoff(&self) -> Option<HandoffId> {
        Some(match self {
            Message::Received { id, .. }
            | Message::Assigned { id, .. }
            | Message::Eta { id, .. }
            | Message::ArrivedAtScene { id, .. }
            | Message::Completed { id }
            | Message::Unstaffed { id, .. }
            | Message::OutOfHours { id, .. }
            | Message::AfterHoursSearching { id, .. }
            | Message::CancelledByStaff { id, .. }
            | Message::CancelConfirmed { id }
            | Message::Expired { id, .. }
            | Message::RelayFromStaff { id, .. }
            | Message::Offer { id, .. }
            | Message::Assignment { id, .. }
            | Message::TakenByOther { id, .. }
            | Message::AlreadyTaken { id }
            | Message::Withdrawn { id }
            | Message::CancelledByOfficer { id, .. }
            | Message::RelayFromOfficer { id, .. }
            | Message::NotGettingThrough { id, .. }
            | Message::UnstaffedAlert { id, .. }
            | Message::ExpiredAlert { id, .. }
            | Message::Closed { id }
            | Message::GivenBack { id, .. }
            | Message::NotDiverted { id, .. }
            | Message::RunningLate { id, .. }
            | Message::FollowedUpForOfficer { id }
            | Message::ReportNumberRecorded { id }
            | Message::DeclineConfirmed { id }
            | Message::GiveBackConfirmed { id }
            | Message::NotDivertedRecorded { id, .. }
            | Message::EtaPassed { id, .. }
            | Message::LateAlert { id, .. }
            | Message::IntakeReminder { id, .. }
            | Message::IntakeOverdueAlert { id, .. }
            | Message::IntakeRecorded { id }
            | Message::FollowUpTaken { id }
            | Message::FollowUpTakenByOther { id, .. }
            | Message::FollowedUpConfirmed { id }
            | Message::DropOffConfirmed { id, .. }
            | Message::DropOffRefused { id, .. }
            | Message::CheckedInAtCenter { id, .. }
            | Message::DropOffComing { id, .. }
            | Message::DropOffReleased { id, .. }
            | Message::CheckInRecorded { id }
            | Message::DropOffCalledOff { id, .. }
            | Message::DropOffOverdue { id, .. } => *id,
            // About the sender's command, which may name a hand-off that does not
            // exist: never tied to one.
            Message::Problem { .. }
            | Message::Help { .. }
            | Message::NotRegistered { .. }
            | Message::FollowUpDigest { .. }
            | Message::FollowUps { .. }
            | Message::OptedOut
            | Message::OptedIn
            | Message::Status { .. }
            | Message::OnDutyNow { .. } => return None,
        })
    }

    /// Offers are what escalation waits on: if one cannot be delivered, the
    /// dispatcher must hear of it at once.
    pub fn is_offer(&self) -> bool {
        matches!(self, Message::Offer { .. })
    }
}

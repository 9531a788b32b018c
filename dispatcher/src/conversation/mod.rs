//! What an inbound message means, for every transport: who sent it (an officer, a
//! staff member, or an unregistered address), which hand-off it is about, which
//! command it is, and what it changes. [`understand`] is a pure function of the
//! message, a [`Snapshot`] of the sender's open hand-offs, the configuration and an
//! explicit `now`; the engine reads the snapshot, carries out the [`Plan`] through
//! `decide`, and commits everything in one transaction (`Engine::receive`).
//!
//! A transport only verifies, parses (its words into a [`Command`]), renders and
//! delivers. The rules here are the same for SMS and Matrix.
//!
//! Carrier rules come first and apply to every phone, registered or not: a bare STOP
//! opts the number out of SMS, START opts it back in, HELP answers. An unregistered
//! sender is told so at most once per [`REFUSAL_QUIET`], so two automated senders
//! cannot ping-pong.

mod address;
mod command;
mod officer;
mod staff;
mod zone;

use chrono::{DateTime, Duration, Utc};

use crate::decide::DecideError;
use crate::decide::Input;
use crate::directory::Directory;
use crate::handoff::{Handoff, HandoffId, Request, State};
use crate::message::{
    Audience, Brief, FollowUpLine, Message, Named, Problem, Recipient, SiteNow, StatusLine,
};
use crate::roster::Participant;

pub use address::{Address, BadMessageId, MAX_MESSAGE_ID, MessageId};
pub use command::{Command, Placement};
pub use zone::{Candidate, place, place_given};

/// How long an unregistered address waits between two "not registered" replies.
pub const REFUSAL_QUIET: Duration = Duration::hours(24);

/// A request repeating one the same officer made this recently (same kind, same
/// words) is the same request sent again, as people do when no answer shows at
/// once: it is answered with that hand-off's status instead of opening another.
pub const REPEAT_WINDOW: Duration = Duration::minutes(10);

/// The longest request or relay text kept: ten SMS segments. Longer is cut, not
/// refused, so nothing an officer wrote is lost without a trace in the reply.
pub const MAX_TEXT: usize = 1530;

/// One inbound message, parsed at the edge.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Inbound {
    pub from: Address,
    /// The provider's id: a retried delivery of the same message has the same one.
    pub id: MessageId,
    pub command: Command,
    /// The message as written, for commands relayed word for word.
    pub body: String,
}

/// What the conversation knows about the sender, read before deciding.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Snapshot {
    /// Open hand-offs about the sender: an officer's own requests; for a staff
    /// member, those they hold or have an unanswered offer on.
    pub open: Vec<Handoff>,
    /// When this address was last told it is not registered.
    pub refused_at: Option<DateTime<Utc>>,
    /// For staff asking about follow-ups (FOLLOWUP, FOLLOWED): the closed
    /// hand-offs waiting for one or taken and not yet done, at every site.
    pub followups: Vec<Handoff>,
    /// For staff recording intake (INTAKE): the hand-offs they accepted that owe
    /// intake, open or closed.
    pub intakes: Vec<Handoff>,
}

/// A change to what is remembered about the sender's address.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ContactChange {
    /// Carrier STOP: nothing more is texted to this phone.
    OptOut,
    /// Carrier START.
    OptIn,
    /// An unregistered address was told so (now).
    Refused,
}

/// What a message does to the hand-offs.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Action {
    /// Open a new hand-off.
    Open(Request),
    /// Apply an input to an existing one (which may not exist, or refuse it: the
    /// engine then answers the sender with [`refusal`]).
    Apply { id: HandoffId, input: Input },
}

/// What the engine is to do because of one message.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Plan {
    pub contact: Option<ContactChange>,
    pub action: Option<Action>,
    /// Replies that do not depend on the action's outcome.
    pub replies: Vec<(Recipient, Message)>,
    /// The sender as replies address them; `None` for an unregistered address
    /// that no transport can answer (a Matrix ID outside the roster).
    pub sender: Option<Recipient>,
    /// The hand-off the message is about when it changes none: the one a request
    /// sent again repeats. (With an action, the action names it.)
    pub about: Option<HandoffId>,
}

impl Plan {
    fn reply(&mut self, message: Message) {
        if let Some(to) = &self.sender {
            self.replies.push((to.clone(), message));
        }
    }

    fn problem(&mut self, id: Option<HandoffId>, problem: Problem, open: Vec<HandoffId>) {
        self.reply(Message::Problem {
            id: id.and_then(shown),
            problem,
            open,
        });
    }

    fn help(&mut self, audience: Audience) {
        self.reply(Message::Help { audience });
    }

    fn apply(&mut self, id: HandoffId, input: Input) {
        self.action = Some(Action::Apply { id, input });
    }
}

/// Decides what `message` means and does, from what is known of its sender.
pub fn understand(
    message: &Inbound,
    snapshot: &Snapshot,
    directory: &Directory,
    now: DateTime<Utc>,
) -> Plan {
    let participant = message.from.participant(&directory.roster);
    let sender = match (participant, &message.from) {
        (Some(Participant::Officer(o)), _) => Some(Recipient::Officer(o.id.clone())),
        (Some(Participant::Staff(p)), _) => Some(Recipient::Staff(p.id.clone())),
        (None, Address::Phone(phone)) => Some(Recipient::Phone(phone.clone())),
        (None, Address::Matrix(user)) => Some(Recipient::Matrix(user.clone())),
        // The API checks the officer before it asks; only a reload in between
        // could get here, and there is nobody to answer but the API's caller.
        (None, Address::Agency { .. }) => None,
    };
    let mut plan = Plan {
        contact: None,
        action: None,
        replies: Vec::new(),
        sender,
        about: None,
    };
    let is_phone = matches!(message.from, Address::Phone(_));
    match (&message.command, participant) {
        // Carriers allow one confirmation after STOP; nothing after it.
        (Command::OptOut, _) if is_phone => {
            plan.contact = Some(ContactChange::OptOut);
            plan.reply(Message::OptedOut);
        }
        (Command::OptIn, _) if is_phone => {
            plan.contact = Some(ContactChange::OptIn);
            plan.reply(Message::OptedIn);
        }
        (Command::Empty | Command::OptOut | Command::OptIn, _) => {}
        (Command::Help, None) => plan.reply(not_registered(directory)),
        (_, None) => {
            tracing::warn!(sender = %message.from.redacted(), "text from an unregistered number");
            let quiet = snapshot
                .refused_at
                .is_some_and(|at| now.signed_duration_since(at) < REFUSAL_QUIET);
            if !quiet {
                plan.contact = Some(ContactChange::Refused);
                plan.reply(not_registered(directory));
            }
        }
        (_, Some(Participant::Officer(officer))) => {
            officer::understand(&mut plan, officer, message, snapshot, directory, now);
        }
        (_, Some(Participant::Staff(person))) => {
            staff::understand(&mut plan, person, message, snapshot, directory, now);
        }
    }
    plan
}

fn not_registered(directory: &Directory) -> Message {
    Message::NotRegistered {
        contact: directory.settings.registration_contact.clone(),
    }
}

/// The reply to a command the hand-off's state refused.
pub fn refusal(id: HandoffId, error: &DecideError) -> Message {
    let problem = match error {
        DecideError::NotOffered { .. } => Problem::NotOffered,
        DecideError::NotAssignee { .. } => Problem::NotYours,
        DecideError::NotRequester { .. } => Problem::NotRequester,
        DecideError::NotYetAccepted { .. } => Problem::NotYetAccepted,
        DecideError::Closed { .. } => Problem::Closed,
        DecideError::BadEta { max } => Problem::EtaOutOfRange { max: *max },
        DecideError::NoFollowUp { .. } => Problem::NoFollowUp,
        DecideError::FollowUpTaken { .. } => Problem::NotYours,
        DecideError::NoIntake { .. } => Problem::NoIntake,
        DecideError::AlreadyArrived { .. } => Problem::AlreadyArrived,
        DecideError::AlreadyDroppingOff { .. } => Problem::AlreadyDroppingOff,
        DecideError::NotDroppingOff { .. } => Problem::NotDroppingOff,
        DecideError::NotCenterStaff { .. } => Problem::NotCenterStaff,
        // Not the sender's doing: a time the calendar cannot hold.
        DecideError::TimeOutOfRange { .. } => Problem::CannotHandle,
    };
    Message::Problem {
        id: Some(id),
        problem,
        open: Vec::new(),
    }
}

/// The reply to a message the dispatcher could not act on at all.
pub fn cannot_handle() -> Message {
    Message::Problem {
        id: None,
        problem: Problem::CannotHandle,
        open: Vec::new(),
    }
}

/// The reply to a command naming a hand-off that does not exist.
pub fn unknown(id: HandoffId) -> Message {
    Message::Problem {
        id: shown(id),
        problem: Problem::UnknownHandoff,
        open: Vec::new(),
    }
}

/// A number the sender typed, if it may be said back: not one that reads as a
/// date of birth or an ID number (`N 10011940` is no hand-off, and the reply must
/// not repeat a birth date), which the reply then leaves out.
fn shown(id: HandoffId) -> Option<HandoffId> {
    let digits = id.to_string();
    (crate::redact::redact(&digits) == digits).then_some(id)
}

/// Picks the hand-off a command is about: the one named, or the only candidate.
/// With none or several, the sender is asked and `None` returned.
fn choose(
    plan: &mut Plan,
    command: Named,
    named: Option<HandoffId>,
    candidates: &[HandoffId],
) -> Option<HandoffId> {
    if let Some(id) = named {
        return Some(id);
    }
    match candidates {
        [only] => Some(*only),
        [] => {
            plan.problem(None, Problem::NothingOpen, Vec::new());
            None
        }
        several => {
            plan.problem(None, Problem::NameTheHandoff { command }, several.to_vec());
            None
        }
    }
}

/// Free text as it is kept: at most [`MAX_TEXT`] characters.
fn cut(text: &str) -> String {
    text.chars().take(MAX_TEXT).collect()
}

/// A STATUS answer listing these hand-offs; for staff, each with the whole request.
fn status<'a>(
    handoffs: impl Iterator<Item = &'a Handoff>,
    directory: &Directory,
    audience: Audience,
) -> Message {
    Message::Status {
        lines: handoffs
            .map(|h| {
                let mut line = status_line(h, directory);
                if audience == Audience::Staff {
                    line.brief = Some(brief(h, directory));
                }
                line
            })
            .collect(),
    }
}

/// The whole request of a hand-off, as the case manager who holds it sees it.
fn brief(handoff: &Handoff, directory: &Directory) -> Brief {
    let site = directory
        .sites
        .get(&handoff.request.site)
        .map_or_else(|| handoff.request.site.to_string(), |s| s.name.clone());
    crate::decide::brief(handoff, &site, &directory.roster)
}

/// A follow-up as lists and digests show it.
pub fn followup_line(handoff: &Handoff, directory: &Directory) -> Option<FollowUpLine> {
    let followup = handoff.followup.as_ref()?;
    let site = directory.sites.get(&handoff.request.site);
    let requested_at = match site {
        Some(site) => handoff
            .requested_at
            .with_timezone(&site.schedule.tz)
            .fixed_offset(),
        None => handoff.requested_at.fixed_offset(),
    };
    Some(FollowUpLine {
        id: handoff.id,
        kind: handoff.request.kind,
        reason: followup.reason,
        site: site.map_or_else(|| handoff.request.site.to_string(), |s| s.name.clone()),
        requested_at,
        location: handoff.request.location.clone(),
        taken_by: followup.taken_by.as_ref().map(|p| {
            directory
                .roster
                .people
                .get(p)
                .map_or_else(|| p.to_string(), |person| person.first_name().to_owned())
        }),
    })
}

fn status_line(handoff: &Handoff, directory: &Directory) -> StatusLine {
    let first_name = handoff
        .state
        .assignee()
        .and_then(|p| directory.roster.people.get(p))
        .map(|p| p.first_name().to_owned());
    let eta = match &handoff.state {
        State::EnRoute { eta, .. } => directory
            .sites
            .get(&handoff.request.site)
            .map(|site| eta.with_timezone(&site.schedule.tz).fixed_offset()),
        _ => None,
    };
    StatusLine {
        id: handoff.id,
        kind: handoff.request.kind,
        state: handoff.state.name().to_owned(),
        first_name,
        eta,
        brief: None,
    }
}

/// Who is on duty at `now` at every site, by first name and role.
fn who(directory: &Directory, now: DateTime<Utc>) -> Vec<SiteNow> {
    directory
        .sites
        .values()
        .map(|site| SiteNow {
            site: site.name.clone(),
            open: site.schedule.is_open(now),
            on_duty: site
                .schedule
                .on_duty(now)
                .into_iter()
                .map(|(person, role)| {
                    let name = directory
                        .roster
                        .people
                        .get(&person)
                        .map_or_else(|| person.to_string(), |p| p.first_name().to_owned());
                    (name, role.label().to_owned())
                })
                .collect(),
            next_opening: site.schedule.next_opening(now).map(|t| t.fixed_offset()),
        })
        .collect()
}

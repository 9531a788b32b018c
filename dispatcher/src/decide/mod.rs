//! The pure transition of a hand-off: given its state, one input and the world at an
//! explicit instant, the next state and the effects to carry out (messages to send,
//! timers to set or cancel, events to record). No I/O and no clock: the engine
//! persists the result and makes the effects happen.
//!
//! Rules that matter for the people involved:
//! - the first accept wins; everyone else offered is told who took it, and a late
//!   accept is answered "already taken";
//! - a round ends as soon as every offer in it is answered (declined or
//!   undeliverable): nobody waits out a timeout that can no longer be met;
//! - a step with nobody available is skipped at once;
//! - when the steps run out the officer is told plainly, and supervisors and the
//!   project manager are alerted;
//! - relayed text is redacted, and no message carries a phone number or Matrix ID.

use crate::call::{Leg, LegStep};
use crate::contact::Channel;
use chrono::{DateTime, Duration, FixedOffset, Utc};
use handoff_schedules::PersonId;

use crate::event::{Event, EventKind};
use crate::handoff::{Actor, Handoff, HandoffId, HandoffKind, Request, State, Timer};
use crate::message::{Message, Recipient};
use crate::outcome::{FollowUp, FollowUpReason, NotDivertedCode, ReportNumber};
use crate::roster::OfficerId;
use crate::routing::{World, next_round, search_bound, steps};

mod answers;
mod assignment;
mod calls;
mod centers;
mod closing;
mod followups;
mod offering;
mod watch;

pub use answers::brief;
use answers::{accept, decline};
use assignment::{arrived, done, eta, not_delivered, relay};
use centers::{check_in, drop_off};
use closing::{cancel, give_back, not_diverted};
pub use followups::owes_intake;
use followups::{followed_up, intake_done, report_number, take_followup};
use offering::{fire, start_step, undeliverable};

/// Something the engine must do because of a decision.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Effect {
    Send { to: Recipient, message: Message },
    Schedule { timer: Timer, at: DateTime<Utc> },
    Cancel { timer: Timer },
    Record { event: Event },
}

/// The outcome of one input: the hand-off as it now stands and what to do.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Decision {
    pub handoff: Handoff,
    pub effects: Vec<Effect>,
}

impl Decision {
    pub fn messages(&self) -> impl Iterator<Item = (&Recipient, &Message)> {
        self.effects.iter().filter_map(|e| match e {
            Effect::Send { to, message } => Some((to, message)),
            _ => None,
        })
    }

    pub fn events(&self) -> impl Iterator<Item = &Event> {
        self.effects.iter().filter_map(|e| match e {
            Effect::Record { event } => Some(event),
            _ => None,
        })
    }
}

/// An input to an existing hand-off.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Input {
    Accept {
        by: PersonId,
        /// The channel the answer came by, kept in the event log.
        via: Channel,
        /// An ETA given with the accept (`Y4821 20`).
        eta: Option<u32>,
    },
    Decline {
        by: PersonId,
        reason: Option<String>,
    },
    /// An offer to this person could not be delivered.
    Undeliverable {
        to: PersonId,
    },
    /// A message about the hand-off (not an offer) to this officer or staff member
    /// could not be delivered. The other side is told the first time only.
    NotDelivered {
        to: Actor,
    },
    Eta {
        by: PersonId,
        minutes: u32,
    },
    Arrived {
        by: PersonId,
    },
    Done {
        by: PersonId,
    },
    Cancel {
        by: Actor,
        reason: Option<String>,
    },
    /// The case manager who accepted cannot go: offer it to others.
    GiveBack {
        by: PersonId,
        reason: Option<String>,
    },
    /// Close without a diversion (the assignee, or the requesting officer).
    NotDiverted {
        by: Actor,
        code: NotDivertedCode,
        note: Option<String>,
    },
    /// Intake is complete (a staff member by text, or the system for the
    /// command line).
    IntakeDone {
        by: Actor,
    },
    /// The requesting officer adds the police report number.
    ReportNumber {
        by: OfficerId,
        number: ReportNumber,
    },
    /// A staff member takes the follow-up of a closed hand-off.
    TakeFollowUp {
        by: PersonId,
    },
    /// A staff member followed up.
    FollowedUp {
        by: PersonId,
        note: Option<String>,
    },
    Relay {
        from: Actor,
        text: String,
    },
    /// A leg of an officer's call to this person began or ended: recorded, and
    /// nothing else changes (pressing 1 is an [`Input::Accept`] of its own).
    Leg {
        person: PersonId,
        leg: Leg,
        step: LegStep,
    },
    /// The requesting officer takes the person to a diversion center: the one
    /// named (by id or name), or the first open one with room.
    DropOff {
        by: OfficerId,
        center: Option<String>,
    },
    /// Staff of the center the hand-off was dropped off at checked the person in.
    CheckIn {
        by: PersonId,
    },
    Timer(Timer),
}

/// Inputs that make no sense in the hand-off's state: answered to the sender, never
/// a panic, and nothing is changed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum DecideError {
    #[error("hand-off {id} was not offered to you")]
    NotOffered { id: HandoffId },
    #[error("hand-off {id} is not yours")]
    NotAssignee { id: HandoffId },
    #[error("hand-off {id} was requested by another officer")]
    NotRequester { id: HandoffId },
    #[error("hand-off {id} has not been accepted yet")]
    NotYetAccepted { id: HandoffId },
    #[error("hand-off {id} is closed ({state})")]
    Closed { id: HandoffId, state: &'static str },
    #[error("an ETA is a number of minutes from 1 to {max}")]
    BadEta { max: u32 },
    #[error("hand-off {id} owes no follow-up")]
    NoFollowUp { id: HandoffId },
    #[error("the follow-up of hand-off {id} was taken by {by}")]
    FollowUpTaken { id: HandoffId, by: PersonId },
    #[error("hand-off {id} owes no intake, or it is recorded")]
    NoIntake { id: HandoffId },
    #[error("hand-off {id}: the case manager has already arrived")]
    AlreadyArrived { id: HandoffId },
    #[error("hand-off {id} is already on its way to a center")]
    AlreadyDroppingOff { id: HandoffId },
    #[error("hand-off {id} was not dropped off at a center")]
    NotDroppingOff { id: HandoffId },
    #[error("hand-off {id} was dropped off at a center you are not staff of")]
    NotCenterStaff { id: HandoffId },
    /// A due time past what the calendar holds (a configured duration out of range
    /// reached the core): refused rather than a panic.
    #[error("hand-off {id}: a due time is out of range")]
    TimeOutOfRange { id: HandoffId },
}

/// The longest ETA accepted, in minutes: ten hours is already not a warm hand-off.
pub const MAX_ETA_MINUTES: u32 = 600;

/// Collects effects in order.
struct Out {
    id: HandoffId,
    now: DateTime<Utc>,
    effects: Vec<Effect>,
}

impl Out {
    fn send(&mut self, to: Recipient, message: Message) {
        self.effects.push(Effect::Send { to, message });
    }
    fn record(&mut self, actor: Actor, kind: EventKind) {
        self.effects.push(Effect::Record {
            event: Event {
                handoff: self.id,
                at: self.now,
                actor,
                kind,
            },
        });
    }
    fn schedule(&mut self, timer: Timer, at: DateTime<Utc>) {
        self.effects.push(Effect::Schedule { timer, at });
    }
    fn cancel(&mut self, timer: Timer) {
        self.effects.push(Effect::Cancel { timer });
    }
    /// `now` plus `after`, or an error if either the duration (`None`: it did not
    /// fit a `chrono::Duration`) or the sum is out of range.
    fn after(&self, after: Option<Duration>) -> Result<DateTime<Utc>, DecideError> {
        after
            .and_then(|after| self.now.checked_add_signed(after))
            .ok_or(DecideError::TimeOutOfRange { id: self.id })
    }
}

pub(super) fn officer_of(handoff: &Handoff) -> Recipient {
    Recipient::Officer(handoff.request.officer.clone())
}

pub(super) fn first_name(world: &World<'_>, person: &PersonId) -> String {
    world
        .roster
        .people
        .get(person)
        .map_or_else(|| person.to_string(), |p| p.first_name().to_owned())
}

/// "Ofc. Rivera": how staff see an officer (the id if the roster lost them).
pub(super) fn officer_name(world: &World<'_>, officer: &OfficerId) -> String {
    world
        .roster
        .officers
        .get(officer)
        .map_or_else(|| officer.to_string(), |o| o.display_name())
}

pub(super) fn local(world: &World<'_>, at: DateTime<Utc>) -> DateTime<FixedOffset> {
    at.with_timezone(&world.site.tz).fixed_offset()
}

pub(super) fn next_opening(world: &World<'_>, now: DateTime<Utc>) -> Option<DateTime<FixedOffset>> {
    world.site.next_opening(now).map(|t| t.fixed_offset())
}

/// Opens hand-off `id` for a request made at `now`: records it, answers the officer
/// and makes the first offers, or says the site is closed with nobody on call.
pub fn request(
    id: HandoffId,
    request: Request,
    now: DateTime<Utc>,
    world: &World<'_>,
) -> Result<Decision, DecideError> {
    let open = world.site.is_open(now);
    let mut handoff = Handoff::opened(id, request, now, !open);
    let mut out = Out {
        id,
        now,
        effects: Vec::new(),
    };
    let officer = Actor::Officer(handoff.request.officer.clone());
    out.record(
        officer,
        EventKind::Requested {
            site: handoff.request.site.clone(),
            kind: handoff.request.kind,
            officer: handoff.request.officer.clone(),
            agency: handoff.request.agency.clone(),
            zone: handoff.request.zone.clone(),
            after_hours: !open,
        },
    );
    let search_minutes = minutes_up(search_bound(&handoff, world, now));
    if open {
        out.send(
            officer_of(&handoff),
            Message::Received {
                id,
                kind: handoff.request.kind,
                location: handoff.request.location.clone(),
                search_minutes,
                center: centers::on_offer(world, now),
            },
        );
        start_step(&mut handoff, 0, world, &mut out)?;
    } else if on_call_steps(&handoff, world)
        .iter()
        .all(|step| next_round(&handoff, step, world, now).is_empty())
    {
        handoff.state = State::OutOfHours;
        out.send(
            officer_of(&handoff),
            Message::OutOfHours {
                id,
                kind: handoff.request.kind,
                next_opening: next_opening(world, now),
                // A referral is filed for follow-up already; a center is offered
                // where the officer has the person with them for a diversion.
                center: (handoff.request.kind == HandoffKind::ArrestDiversion)
                    .then(|| centers::on_offer(world, now))
                    .flatten(),
            },
        );
        out.record(Actor::System, EventKind::OutOfHours);
        // A referral filed at night is a promise that someone follows up.
        if handoff.request.kind == HandoffKind::SocialContactReferral {
            open_followup(&mut handoff, FollowUpReason::Referral, &mut out);
        }
    } else {
        out.send(
            officer_of(&handoff),
            Message::AfterHoursSearching {
                id,
                next_opening: next_opening(world, now),
                search_minutes,
                center: centers::on_offer(world, now),
            },
        );
        start_step(&mut handoff, 0, world, &mut out)?;
    }
    Ok(Decision {
        handoff,
        effects: out.effects,
    })
}

/// Applies one input to a hand-off at `now`.
pub fn decide(
    handoff: &Handoff,
    input: Input,
    now: DateTime<Utc>,
    world: &World<'_>,
) -> Result<Decision, DecideError> {
    let mut next = handoff.clone();
    let mut out = Out {
        id: handoff.id,
        now,
        effects: Vec::new(),
    };
    match input {
        Input::Accept { by, via, eta } => accept(&mut next, by, via, eta, world, &mut out)?,
        Input::Decline { by, reason } => decline(&mut next, by, reason, world, &mut out)?,
        Input::Undeliverable { to } => undeliverable(&mut next, to, world, &mut out)?,
        Input::NotDelivered { to } => not_delivered(&mut next, to, world, &mut out),
        Input::Eta { by, minutes } => eta(&mut next, by, minutes, world, &mut out)?,
        Input::Arrived { by } => arrived(&mut next, by, world, &mut out)?,
        Input::Done { by } => done(&mut next, by, &mut out)?,
        Input::Cancel { by, reason } => cancel(&mut next, by, reason, world, &mut out)?,
        Input::GiveBack { by, reason } => give_back(&mut next, by, reason, world, &mut out)?,
        Input::NotDiverted { by, code, note } => {
            not_diverted(&mut next, by, code, note, world, &mut out)?;
        }
        Input::IntakeDone { by } => intake_done(&mut next, by, &mut out)?,
        Input::ReportNumber { by, number } => report_number(&mut next, by, number, &mut out)?,
        Input::TakeFollowUp { by } => take_followup(&mut next, by, world, &mut out)?,
        Input::FollowedUp { by, note } => followed_up(&mut next, by, note, &mut out)?,
        Input::Relay { from, text } => relay(&next, from, &text, world, &mut out)?,
        Input::Leg { person, leg, step } => calls::leg(&next, person, leg, step, &mut out)?,
        Input::DropOff { by, center } => drop_off(&mut next, by, center, world, &mut out)?,
        Input::CheckIn { by } => check_in(&mut next, by, world, &mut out)?,
        Input::Timer(timer) => fire(&mut next, timer, world, &mut out)?,
    }
    Ok(Decision {
        handoff: next,
        effects: out.effects,
    })
}

/// The steps that say whether anyone is on call for a request made while the site
/// is closed: the person asked for, then the on-call coordinator step, or, for a
/// site with an after-hours policy, all of its steps. When all are empty the
/// officer is told at once that the site is closed: the daytime steps after the
/// coordinator (a supervisor named to be always tried) are not woken at night for
/// a request nobody on call can take.
fn on_call_steps(handoff: &Handoff, world: &World<'_>) -> Vec<crate::escalation::Step> {
    let plan = steps(handoff, world);
    if world.after_hours_policy.is_some() {
        return plan;
    }
    let leading = usize::from(handoff.request.asked_for.is_some()) + 1;
    plan.into_iter().take(leading).collect()
}

/// A duration in whole minutes, rounded up; `None` for nothing to wait.
fn minutes_up(duration: Duration) -> Option<u32> {
    let seconds = duration.num_seconds();
    if seconds <= 0 {
        return None;
    }
    u32::try_from(seconds.saturating_add(59) / 60).ok()
}

/// The hand-off is closed and waits for someone to follow up.
fn open_followup(handoff: &mut Handoff, reason: FollowUpReason, out: &mut Out) {
    if handoff.followup.is_none() {
        handoff.followup = Some(FollowUp::new(reason, out.now));
        out.record(Actor::System, EventKind::FollowUpOpened { reason });
    }
}

/// Whether supervisors and the project manager hear of a failure now: while the
/// site is open, or at any hour if the program asks for that. Otherwise it waits
/// for the digest when the site opens (the hand-off is a follow-up by then).
pub(super) fn alerts_now(world: &World<'_>, now: DateTime<Utc>) -> bool {
    world.settings.after_hours_alerts || world.site.is_open(now)
}

/// The timers that watch an accepted hand-off's ETA and intake: all stopped when
/// it is given back or closed without a diversion.
pub(super) const WATCH_TIMERS: [Timer; 5] = [
    Timer::Arrival,
    Timer::EtaCheck,
    Timer::Late,
    Timer::IntakeReminder,
    Timer::IntakeOverdue,
];

pub(super) fn closed(handoff: &Handoff) -> DecideError {
    DecideError::Closed {
        id: handoff.id,
        state: handoff.state.name(),
    }
}

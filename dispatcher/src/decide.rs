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

use chrono::{DateTime, Duration, FixedOffset, Utc};
use handoff_schedules::{PersonId, Role};

use crate::event::{Event, EventKind};
use crate::handoff::{
    Actor, Answer, Handoff, HandoffId, HandoffKind, Offer, Request, State, Timer,
};
use crate::message::{Message, Recipient};
use crate::redact::redact;
use crate::routing::{World, next_round, steps};

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
    },
    Decline {
        by: PersonId,
        reason: Option<String>,
    },
    /// An offer to this person could not be delivered.
    Undeliverable {
        to: PersonId,
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
    Relay {
        from: Actor,
        text: String,
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
}

fn officer_of(handoff: &Handoff) -> Recipient {
    Recipient::Officer(handoff.request.officer.clone())
}

fn first_name(world: &World<'_>, person: &PersonId) -> String {
    world
        .roster
        .people
        .get(person)
        .map_or_else(|| person.to_string(), |p| p.first_name().to_owned())
}

fn local(world: &World<'_>, at: DateTime<Utc>) -> DateTime<FixedOffset> {
    at.with_timezone(&world.site.tz).fixed_offset()
}

fn next_opening(world: &World<'_>, now: DateTime<Utc>) -> Option<DateTime<FixedOffset>> {
    world.site.next_opening(now).map(|t| t.fixed_offset())
}

/// Opens hand-off `id` for a request made at `now`: records it, answers the officer
/// and makes the first offers, or says the site is closed with nobody on call.
pub fn request(id: HandoffId, request: Request, now: DateTime<Utc>, world: &World<'_>) -> Decision {
    let open = world.site.is_open(now);
    let mut handoff = Handoff {
        id,
        request,
        requested_at: now,
        after_hours: !open,
        state: State::Offering { step: 0, round: 0 },
        offers: Vec::new(),
        accepted_at: None,
        intake_due: None,
    };
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
    if open {
        out.send(
            officer_of(&handoff),
            Message::Received {
                id,
                kind: handoff.request.kind,
                location: handoff.request.location.clone(),
            },
        );
        start_step(&mut handoff, 0, world, &mut out);
    } else {
        let plan = steps(true, world.policy);
        let on_call = plan
            .first()
            .map(|step| next_round(&handoff, step, world, now))
            .unwrap_or_default();
        if on_call.is_empty() {
            handoff.state = State::OutOfHours;
            out.send(
                officer_of(&handoff),
                Message::OutOfHours {
                    id,
                    kind: handoff.request.kind,
                    next_opening: next_opening(world, now),
                },
            );
            out.record(Actor::System, EventKind::OutOfHours);
        } else {
            out.send(
                officer_of(&handoff),
                Message::AfterHoursSearching {
                    id,
                    next_opening: next_opening(world, now),
                },
            );
            start_step(&mut handoff, 0, world, &mut out);
        }
    }
    Decision {
        handoff,
        effects: out.effects,
    }
}

/// Starts step `from` (or the first later step with anyone available).
fn start_step(handoff: &mut Handoff, from: usize, world: &World<'_>, out: &mut Out) {
    let plan = steps(handoff.after_hours, world.policy);
    for (index, step) in plan.iter().enumerate().skip(from) {
        let people = next_round(handoff, step, world, out.now);
        if people.is_empty() {
            out.record(Actor::System, EventKind::StepSkipped { step: index });
            continue;
        }
        out.record(Actor::System, EventKind::StepStarted { step: index });
        offer_round(handoff, index, 0, people, step.timeout, world, out);
        return;
    }
    unstaffed(handoff, world, out);
}

fn offer_round(
    handoff: &mut Handoff,
    step: usize,
    round: u32,
    people: Vec<PersonId>,
    timeout: std::time::Duration,
    world: &World<'_>,
    out: &mut Out,
) {
    handoff.state = State::Offering { step, round };
    let officer = world.roster.officers.get(&handoff.request.officer);
    let agency = world
        .roster
        .agencies
        .get(&handoff.request.agency)
        .map_or_else(|| handoff.request.agency.to_string(), |a| a.name.clone());
    for person in people {
        out.send(
            Recipient::Staff(person.clone()),
            Message::Offer {
                id: handoff.id,
                kind: handoff.request.kind,
                location: handoff.request.location.clone(),
                agency: agency.clone(),
                officer: officer
                    .map_or_else(|| handoff.request.officer.to_string(), |o| o.display_name()),
                after_hours: handoff.after_hours,
            },
        );
        out.record(
            Actor::System,
            EventKind::Offered {
                person: person.clone(),
                step,
                round,
            },
        );
        handoff.offers.push(Offer {
            person,
            step,
            round,
            at: out.now,
            answer: Answer::Pending,
        });
    }
    let wait = Duration::from_std(timeout).unwrap_or(Duration::minutes(5));
    out.schedule(Timer::Round { step, round }, out.now + wait);
}

/// The current round is over: its next round, the next step, or unstaffed.
fn advance(handoff: &mut Handoff, world: &World<'_>, out: &mut Out) {
    let State::Offering { step, round } = handoff.state else {
        return;
    };
    let plan = steps(handoff.after_hours, world.policy);
    if let Some(current) = plan.get(step) {
        let people = next_round(handoff, current, world, out.now);
        if !people.is_empty() {
            offer_round(
                handoff,
                step,
                round + 1,
                people,
                current.timeout,
                world,
                out,
            );
            return;
        }
    }
    start_step(handoff, step + 1, world, out);
}

/// The round's offers are all answered (none pending): stop its timer and move on.
fn advance_if_round_answered(handoff: &mut Handoff, world: &World<'_>, out: &mut Out) {
    let State::Offering { step, round } = handoff.state else {
        return;
    };
    let open = handoff
        .offers
        .iter()
        .any(|o| o.step == step && o.round == round && o.answer == Answer::Pending);
    if !open {
        out.cancel(Timer::Round { step, round });
        advance(handoff, world, out);
    }
}

fn unstaffed(handoff: &mut Handoff, world: &World<'_>, out: &mut Out) {
    handoff.state = State::Unstaffed;
    let closed = !world.site.is_open(out.now);
    out.send(
        officer_of(handoff),
        Message::Unstaffed {
            id: handoff.id,
            next_opening: if closed {
                next_opening(world, out.now)
            } else {
                None
            },
        },
    );
    let agency = world
        .roster
        .agencies
        .get(&handoff.request.agency)
        .map_or_else(|| handoff.request.agency.to_string(), |a| a.name.clone());
    for person in alert_recipients(world, out.now, &[Role::Supervisor, Role::ProjectManager]) {
        out.send(
            Recipient::Staff(person),
            Message::UnstaffedAlert {
                id: handoff.id,
                site: world.site_name.to_owned(),
                kind: handoff.request.kind,
                location: handoff.request.location.clone(),
                agency: agency.clone(),
            },
        );
    }
    out.record(Actor::System, EventKind::Unstaffed);
}

/// Who hears of a failure: those on duty in these roles, or, if none is, everyone
/// who holds them, because a failure nobody hears of is the one thing not allowed.
fn alert_recipients(world: &World<'_>, now: DateTime<Utc>, roles: &[Role]) -> Vec<PersonId> {
    let on_duty: Vec<PersonId> = world
        .site
        .on_duty(now)
        .into_iter()
        .filter(|(_, role)| roles.contains(role))
        .map(|(p, _)| p)
        .collect();
    let mut people = if on_duty.is_empty() {
        world
            .roster
            .people
            .values()
            .filter(|p| roles.iter().any(|r| p.roles.contains(r)))
            .map(|p| p.id.clone())
            .collect()
    } else {
        on_duty
    };
    people.sort();
    people.dedup();
    people
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
        Input::Accept { by } => accept(&mut next, by, world, &mut out)?,
        Input::Decline { by, reason } => decline(&mut next, by, reason, world, &mut out)?,
        Input::Undeliverable { to } => undeliverable(&mut next, to, world, &mut out),
        Input::Eta { by, minutes } => eta(&mut next, by, minutes, world, &mut out)?,
        Input::Arrived { by } => arrived(&mut next, by, world, &mut out)?,
        Input::Done { by } => done(&mut next, by, &mut out)?,
        Input::Cancel { by, reason } => cancel(&mut next, by, reason, world, &mut out)?,
        Input::Relay { from, text } => relay(&next, from, &text, world, &mut out)?,
        Input::Timer(timer) => fire(&mut next, timer, world, &mut out),
    }
    Ok(Decision {
        handoff: next,
        effects: out.effects,
    })
}

fn closed(handoff: &Handoff) -> DecideError {
    DecideError::Closed {
        id: handoff.id,
        state: handoff.state.name(),
    }
}

fn accept(
    handoff: &mut Handoff,
    by: PersonId,
    world: &World<'_>,
    out: &mut Out,
) -> Result<(), DecideError> {
    if !handoff.was_offered(&by) {
        return Err(if handoff.state.is_closed() {
            closed(handoff)
        } else {
            DecideError::NotOffered { id: handoff.id }
        });
    }
    match handoff.state.clone() {
        State::Offering { step, round } => {
            out.cancel(Timer::Round { step, round });
            let name = first_name(world, &by);
            for offer in handoff.offers.iter_mut() {
                if offer.person == by {
                    offer.answer = Answer::Accepted { at: out.now };
                } else if offer.answer == Answer::Pending {
                    offer.answer = Answer::Withdrawn { at: out.now };
                }
            }
            // Everyone else who was offered and may still be deciding hears who took it.
            let mut told = std::collections::BTreeSet::new();
            for offer in &handoff.offers {
                let deciding = matches!(
                    offer.answer,
                    Answer::Withdrawn { .. } | Answer::TimedOut { .. }
                );
                if offer.person != by && deciding && told.insert(offer.person.clone()) {
                    out.send(
                        Recipient::Staff(offer.person.clone()),
                        Message::TakenByOther {
                            id: handoff.id,
                            first_name: name.clone(),
                        },
                    );
                }
            }
            handoff.state = State::Accepted { by: by.clone() };
            handoff.accepted_at = Some(out.now);
            if handoff.request.kind == HandoffKind::ArrestDiversion {
                handoff.intake_due =
                    Some(out.now + Duration::days(i64::from(world.settings.intake_days)));
            }
            out.send(
                Recipient::Staff(by.clone()),
                Message::Assignment { id: handoff.id },
            );
            let role = world
                .roster
                .people
                .get(&by)
                .and_then(|p| p.roles.first().copied())
                .unwrap_or(Role::CaseManager);
            out.send(
                officer_of(handoff),
                Message::Assigned {
                    id: handoff.id,
                    first_name: name,
                    role: role.label().to_owned(),
                },
            );
            out.schedule(Timer::Arrival, out.now + world.settings.arrival_limit);
            out.record(Actor::Staff(by.clone()), EventKind::Accepted { person: by });
            Ok(())
        }
        // Closed (completed, expired, cancelled...): an accept now is not a late accept
        // to log, and "already taken" would hide that nobody is coming.
        state if state.is_closed() => Err(closed(handoff)),
        state if state.assignee() == Some(&by) => {
            // Their own accept again (a retried text): say it is theirs, change nothing.
            out.send(Recipient::Staff(by), Message::Assignment { id: handoff.id });
            Ok(())
        }
        state if state.assignee().is_some() => {
            out.send(
                Recipient::Staff(by.clone()),
                Message::AlreadyTaken { id: handoff.id },
            );
            out.record(
                Actor::Staff(by.clone()),
                EventKind::LateAccept { person: by },
            );
            Ok(())
        }
        _ => Err(closed(handoff)),
    }
}

fn decline(
    handoff: &mut Handoff,
    by: PersonId,
    reason: Option<String>,
    world: &World<'_>,
    out: &mut Out,
) -> Result<(), DecideError> {
    if !handoff.was_offered(&by) {
        return Err(DecideError::NotOffered { id: handoff.id });
    }
    if !matches!(handoff.state, State::Offering { .. }) {
        // Taken or closed meanwhile: passing on it changes nothing.
        return Ok(());
    }
    let reason = reason.map(|r| redact(&r));
    let Some(offer) = handoff.offers.iter_mut().rev().find(|o| o.person == by) else {
        return Err(DecideError::NotOffered { id: handoff.id });
    };
    match offer.answer {
        Answer::Pending | Answer::TimedOut { .. } => {
            let was_pending = offer.answer == Answer::Pending;
            offer.answer = Answer::Declined {
                at: out.now,
                reason: reason.clone(),
            };
            out.record(
                Actor::Staff(by.clone()),
                EventKind::Declined { person: by, reason },
            );
            if was_pending {
                advance_if_round_answered(handoff, world, out);
            }
        }
        // Already declined or undeliverable: a repeated "no" is not news.
        _ => {}
    }
    Ok(())
}

fn undeliverable(handoff: &mut Handoff, to: PersonId, world: &World<'_>, out: &mut Out) {
    if !matches!(handoff.state, State::Offering { .. }) {
        return;
    }
    let Some(offer) = handoff.offers.iter_mut().rev().find(|o| o.person == to) else {
        return;
    };
    if offer.answer == Answer::Pending {
        offer.answer = Answer::Undeliverable { at: out.now };
        out.record(Actor::System, EventKind::OfferUndeliverable { person: to });
        advance_if_round_answered(handoff, world, out);
    }
}

/// The assignee of an accepted, open hand-off, or why `person` is not it.
fn check_assignee(handoff: &Handoff, person: &PersonId) -> Result<(), DecideError> {
    match &handoff.state {
        State::Offering { .. } => Err(DecideError::NotYetAccepted { id: handoff.id }),
        state if state.is_closed() => Err(closed(handoff)),
        state if state.assignee() == Some(person) => Ok(()),
        _ => Err(DecideError::NotAssignee { id: handoff.id }),
    }
}

fn eta(
    handoff: &mut Handoff,
    by: PersonId,
    minutes: u32,
    world: &World<'_>,
    out: &mut Out,
) -> Result<(), DecideError> {
    check_assignee(handoff, &by)?;
    if matches!(handoff.state, State::Arrived { .. }) {
        // Already there: an ETA is late news, not a state change.
        return Ok(());
    }
    if minutes == 0 || minutes > MAX_ETA_MINUTES {
        return Err(DecideError::BadEta {
            max: MAX_ETA_MINUTES,
        });
    }
    let arrive_by = out.now + Duration::minutes(i64::from(minutes));
    handoff.state = State::EnRoute {
        by: by.clone(),
        eta: arrive_by,
    };
    out.send(
        officer_of(handoff),
        Message::Eta {
            id: handoff.id,
            first_name: first_name(world, &by),
            minutes,
            arrive_by: local(world, arrive_by),
        },
    );
    out.record(
        Actor::Staff(by.clone()),
        EventKind::Eta {
            person: by,
            minutes,
        },
    );
    Ok(())
}

fn arrived(
    handoff: &mut Handoff,
    by: PersonId,
    world: &World<'_>,
    out: &mut Out,
) -> Result<(), DecideError> {
    check_assignee(handoff, &by)?;
    if matches!(handoff.state, State::Arrived { .. }) {
        return Ok(());
    }
    handoff.state = State::Arrived { by: by.clone() };
    out.cancel(Timer::Arrival);
    out.send(
        officer_of(handoff),
        Message::ArrivedAtScene {
            id: handoff.id,
            first_name: first_name(world, &by),
        },
    );
    out.record(Actor::Staff(by.clone()), EventKind::Arrived { person: by });
    Ok(())
}

fn done(handoff: &mut Handoff, by: PersonId, out: &mut Out) -> Result<(), DecideError> {
    check_assignee(handoff, &by)?;
    handoff.state = State::Completed { by: by.clone() };
    out.cancel(Timer::Arrival);
    out.send(officer_of(handoff), Message::Completed { id: handoff.id });
    out.record(
        Actor::Staff(by.clone()),
        EventKind::Completed { person: by },
    );
    Ok(())
}

fn cancel(
    handoff: &mut Handoff,
    by: Actor,
    reason: Option<String>,
    world: &World<'_>,
    out: &mut Out,
) -> Result<(), DecideError> {
    if handoff.state.is_closed() {
        return Err(closed(handoff));
    }
    let reason = reason.map(|r| redact(&r));
    match &by {
        Actor::Officer(officer) => {
            if *officer != handoff.request.officer {
                return Err(DecideError::NotRequester { id: handoff.id });
            }
            match handoff.state.clone() {
                State::Offering { step, round } => {
                    out.cancel(Timer::Round { step, round });
                    for offer in handoff.offers.iter_mut() {
                        let deciding =
                            matches!(offer.answer, Answer::Pending | Answer::TimedOut { .. });
                        if deciding {
                            out.effects.push(Effect::Send {
                                to: Recipient::Staff(offer.person.clone()),
                                message: Message::Withdrawn { id: handoff.id },
                            });
                        }
                        if offer.answer == Answer::Pending {
                            offer.answer = Answer::Withdrawn { at: out.now };
                        }
                    }
                }
                state => {
                    out.cancel(Timer::Arrival);
                    if let Some(assignee) = state.assignee() {
                        out.send(
                            Recipient::Staff(assignee.clone()),
                            Message::CancelledByOfficer {
                                id: handoff.id,
                                reason: reason.clone(),
                            },
                        );
                    }
                }
            }
            out.send(
                officer_of(handoff),
                Message::CancelConfirmed { id: handoff.id },
            );
        }
        Actor::Staff(person) => {
            check_assignee(handoff, person)?;
            out.cancel(Timer::Arrival);
            out.send(
                officer_of(handoff),
                Message::CancelledByStaff {
                    id: handoff.id,
                    first_name: first_name(world, person),
                    reason: reason.clone(),
                },
            );
        }
        Actor::System => {}
    }
    handoff.state = State::Cancelled {
        by: by.clone(),
        reason: reason.clone(),
    };
    out.record(by, EventKind::Cancelled { reason });
    Ok(())
}

fn relay(
    handoff: &Handoff,
    from: Actor,
    text: &str,
    world: &World<'_>,
    out: &mut Out,
) -> Result<(), DecideError> {
    if handoff.state.is_closed() {
        return Err(closed(handoff));
    }
    let Some(assignee) = handoff.state.assignee().cloned() else {
        return Err(DecideError::NotYetAccepted { id: handoff.id });
    };
    let text = redact(text.trim());
    match &from {
        Actor::Officer(officer) => {
            if *officer != handoff.request.officer {
                return Err(DecideError::NotRequester { id: handoff.id });
            }
            let name = world
                .roster
                .officers
                .get(officer)
                .map_or_else(|| officer.to_string(), |o| o.display_name());
            out.send(
                Recipient::Staff(assignee),
                Message::RelayFromOfficer {
                    id: handoff.id,
                    officer: name,
                    text: text.clone(),
                },
            );
        }
        Actor::Staff(person) => {
            if *person != assignee {
                return Err(DecideError::NotAssignee { id: handoff.id });
            }
            out.send(
                officer_of(handoff),
                Message::RelayFromStaff {
                    id: handoff.id,
                    first_name: first_name(world, person),
                    text: text.clone(),
                },
            );
        }
        Actor::System => return Ok(()),
    }
    out.record(
        from,
        EventKind::Relayed {
            chars: text.chars().count(),
        },
    );
    Ok(())
}

fn fire(handoff: &mut Handoff, timer: Timer, world: &World<'_>, out: &mut Out) {
    match (timer, handoff.state.clone()) {
        (Timer::Round { step, round }, State::Offering { step: s, round: r })
            if s == step && r == round =>
        {
            let now = out.now;
            let mut timed_out = Vec::new();
            for offer in handoff.offers.iter_mut() {
                if offer.step == step && offer.round == round && offer.answer == Answer::Pending {
                    offer.answer = Answer::TimedOut { at: now };
                    timed_out.push(offer.person.clone());
                }
            }
            for person in timed_out {
                out.record(Actor::System, EventKind::OfferTimedOut { person });
            }
            advance(handoff, world, out);
        }
        (Timer::Arrival, State::Accepted { by } | State::EnRoute { by, .. }) => {
            handoff.state = State::Expired { by: by.clone() };
            out.send(officer_of(handoff), Message::Expired { id: handoff.id });
            let name = first_name(world, &by);
            for person in alert_recipients(world, out.now, &[Role::Supervisor]) {
                out.send(
                    Recipient::Staff(person),
                    Message::ExpiredAlert {
                        id: handoff.id,
                        first_name: name.clone(),
                    },
                );
            }
            out.record(Actor::System, EventKind::Expired { person: by });
        }
        // A timer for a round or state that has passed: its work was done by an
        // accept, decline or cancel that came first.
        _ => {}
    }
}

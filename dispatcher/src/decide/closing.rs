//! Ending an accepted hand-off other than by DONE: the officer withdrawing it, the
//! case manager giving it back, or either closing it without a diversion.
//!
//! The rule that matters: one person's trouble never turns a diversion into an
//! arrest. A case manager who cannot go gives the hand-off back (`BACK 4821`, and
//! a case manager's `CANCEL 4821` means the same), and it is offered again from
//! the step it was accepted in, to everyone but who gave it back; the officer is
//! told another case manager is being found. Only the officer's withdrawal or a
//! structured not-diverted outcome closes it.

use handoff_schedules::PersonId;

use super::assignment::check_assignee;
use super::centers::call_off;
use super::offering::start_step;
use super::{DecideError, Effect, Out, WATCH_TIMERS, closed, first_name, officer_of};
use crate::event::EventKind;
use crate::handoff::{Actor, Answer, Handoff, HandoffId, State, Timer};
use crate::message::{Message, Recipient};
use crate::outcome::NotDivertedCode;
use crate::redact::redact;
use crate::routing::World;

pub(super) fn cancel(
    handoff: &mut Handoff,
    by: Actor,
    reason: Option<String>,
    world: &World<'_>,
    out: &mut Out,
) -> Result<(), DecideError> {
    let officer = match &by {
        Actor::Officer(officer) => officer.clone(),
        // A case manager's CANCEL gives it back: it stays a diversion.
        Actor::Staff(person) => return give_back(handoff, person.clone(), reason, world, out),
        Actor::System => return Ok(()),
    };
    if handoff.state.is_closed() {
        return Err(closed(handoff));
    }
    if officer != handoff.request.officer {
        return Err(DecideError::NotRequester { id: handoff.id });
    }
    let reason = reason.map(|r| redact(&r));
    call_off(handoff, world, out);
    stand_down(handoff, out, |id| Message::CancelledByOfficer {
        id,
        reason: reason.clone(),
    });
    out.send(
        officer_of(handoff),
        Message::CancelConfirmed { id: handoff.id },
    );
    handoff.state = State::Cancelled {
        by: by.clone(),
        reason: reason.clone(),
    };
    out.record(by, EventKind::Cancelled { reason });
    Ok(())
}

/// Everyone still deciding on an offer hears it is withdrawn, once.
pub(super) fn withdraw_offers(handoff: &mut Handoff, out: &mut Out) {
    let from = handoff.reoffer_from;
    for offer in handoff.offers.iter_mut().skip(from) {
        let deciding = matches!(offer.answer, Answer::Pending | Answer::TimedOut { .. });
        if deciding && !offer.told_closed {
            offer.told_closed = true;
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

/// Stops the arrival, ETA and intake clocks of an accepted hand-off: it is given
/// back or closed without a diversion, so none of them is owed any more.
/// The officer no longer needs a case manager in the field (a cancel, a drop-off):
/// offers still open are withdrawn with their round's timer, or the case manager
/// who accepted has their watch stopped and is told `release(id)`.
pub(super) fn stand_down(
    handoff: &mut Handoff,
    out: &mut Out,
    release: impl FnOnce(HandoffId) -> Message,
) {
    match handoff.state.clone() {
        State::Offering { step, round } => {
            out.cancel(Timer::Round { step, round });
            withdraw_offers(handoff, out);
        }
        state => {
            stop_watch(handoff, out);
            if let Some(assignee) = state.assignee() {
                out.send(Recipient::Staff(assignee.clone()), release(handoff.id));
            }
        }
    }
}

pub(super) fn stop_watch(handoff: &mut Handoff, out: &mut Out) {
    for timer in WATCH_TIMERS {
        out.cancel(timer);
    }
    handoff.intake_due = None;
}

/// The case manager who accepted cannot go: it is offered again from the step it
/// was accepted in, to everyone but those who gave it back.
pub(super) fn give_back(
    handoff: &mut Handoff,
    by: PersonId,
    reason: Option<String>,
    world: &World<'_>,
    out: &mut Out,
) -> Result<(), DecideError> {
    check_assignee(handoff, &by)?;
    let reason = reason.map(|r| redact(&r));
    let step = handoff.accepted_step().unwrap_or(0);
    stop_watch(handoff, out);
    handoff.given_back.push(by.clone());
    // Those told it was taken may be asked again: they were not asked and refused.
    handoff.reoffer_from = handoff.offers.len();
    handoff.accepted_at = None;
    handoff.not_getting_through.clear();
    out.send(
        Recipient::Staff(by.clone()),
        Message::GiveBackConfirmed { id: handoff.id },
    );
    out.send(
        officer_of(handoff),
        Message::GivenBack {
            id: handoff.id,
            first_name: first_name(world, &by),
        },
    );
    out.record(
        Actor::Staff(by.clone()),
        EventKind::GivenBack { person: by, reason },
    );
    start_step(handoff, step, world, out)
}

/// Closes an accepted hand-off without a diversion, with a code: by the case
/// manager who took it, or by the officer who asked (the person left before
/// anyone came). The other side is told in plain words.
pub(super) fn not_diverted(
    handoff: &mut Handoff,
    by: Actor,
    code: NotDivertedCode,
    note: Option<String>,
    world: &World<'_>,
    out: &mut Out,
) -> Result<(), DecideError> {
    if handoff.state.is_closed() {
        return Err(closed(handoff));
    }
    let assignee = handoff.state.assignee().cloned();
    match &by {
        Actor::Staff(person) => check_assignee(handoff, person)?,
        Actor::Officer(officer) if *officer != handoff.request.officer => {
            return Err(DecideError::NotRequester { id: handoff.id });
        }
        Actor::Officer(_) | Actor::System => {}
    }
    let note = note.map(|n| redact(&n));
    call_off(handoff, world, out);
    match handoff.state.clone() {
        State::Offering { step, round } => {
            out.cancel(Timer::Round { step, round });
            withdraw_offers(handoff, out);
        }
        _ => stop_watch(handoff, out),
    }
    match &by {
        Actor::Staff(person) => {
            out.send(
                Recipient::Staff(person.clone()),
                Message::NotDivertedRecorded {
                    id: handoff.id,
                    code,
                },
            );
            out.send(
                officer_of(handoff),
                Message::NotDiverted {
                    id: handoff.id,
                    code,
                },
            );
        }
        _ => {
            out.send(
                officer_of(handoff),
                Message::NotDivertedRecorded {
                    id: handoff.id,
                    code,
                },
            );
            // The case manager on the way hears the officer called it off, why,
            // and that there is no need to go.
            if let Some(person) = &assignee {
                out.send(
                    Recipient::Staff(person.clone()),
                    Message::CancelledByOfficer {
                        id: handoff.id,
                        reason: Some(code.words().to_owned()),
                    },
                );
            }
        }
    }
    handoff.state = State::NotDiverted {
        by: by.clone(),
        code,
        assignee,
    };
    out.record(by, EventKind::NotDiverted { code, note });
    Ok(())
}

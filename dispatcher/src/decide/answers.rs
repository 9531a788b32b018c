//! Answers to an offer: the first accept wins and everyone else offered is told who
//! took it; a decline may end the round at once.

use crate::contact::Channel;
use chrono::Duration;
use handoff_schedules::{PersonId, Role};

use super::offering::advance_if_round_answered;
use super::{DecideError, Out, closed, first_name, officer_of};
use crate::event::EventKind;
use crate::handoff::{Actor, Answer, Handoff, HandoffKind, State, Timer};
use crate::message::{Message, Recipient};
use crate::redact::redact;
use crate::routing::World;

pub(super) fn accept(
    handoff: &mut Handoff,
    by: PersonId,
    via: Channel,
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
                let days = Duration::try_days(i64::from(world.settings.intake_days));
                handoff.intake_due = Some(out.after(days)?);
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
            let arrive_by = out.after(Some(world.settings.arrival_limit))?;
            out.schedule(Timer::Arrival, arrive_by);
            out.record(
                Actor::Staff(by.clone()),
                EventKind::Accepted {
                    person: by,
                    via: Some(via),
                },
            );
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

pub(super) fn decline(
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
                advance_if_round_answered(handoff, world, out)?;
            }
        }
        // Already declined or undeliverable: a repeated "no" is not news.
        _ => {}
    }
    Ok(())
}

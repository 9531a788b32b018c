//! After an accept: ETA (and the watch on it), arrival, completion, and the relay
//! of messages between the officer and the case manager, redacted. Giving a
//! hand-off back and closing it without a diversion are in `closing`.

use chrono::Duration;
use handoff_schedules::PersonId;

use super::{
    DecideError, MAX_ETA_MINUTES, Out, closed, first_name, local, officer_name, officer_of,
};
use crate::event::EventKind;
use crate::handoff::{Actor, Handoff, State, Timer};
use crate::message::{Message, Recipient};
use crate::redact::redact;
use crate::routing::World;

/// The assignee of an accepted, open hand-off, or why `person` is not it.
pub(super) fn check_assignee(handoff: &Handoff, person: &PersonId) -> Result<(), DecideError> {
    match &handoff.state {
        State::Offering { .. } => Err(DecideError::NotYetAccepted { id: handoff.id }),
        state if state.is_closed() => Err(closed(handoff)),
        state if state.assignee() == Some(person) => Ok(()),
        _ => Err(DecideError::NotAssignee { id: handoff.id }),
    }
}

pub(super) fn eta(
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
    let max = max_eta(world);
    if minutes == 0 || minutes > max {
        return Err(DecideError::BadEta { max });
    }
    let arrive_by = out.after(Duration::try_minutes(i64::from(minutes)))?;
    // The watch: a grace past the ETA with no ARRIVED, the case manager is asked
    // for a new one; a new ETA starts it again.
    let check = arrive_by
        .checked_add_signed(world.settings.eta_grace)
        .ok_or(DecideError::TimeOutOfRange { id: handoff.id })?;
    out.cancel(Timer::Late);
    out.schedule(Timer::EtaCheck, check);
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

pub(super) fn arrived(
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
    out.cancel(Timer::EtaCheck);
    out.cancel(Timer::Late);
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

pub(super) fn done(handoff: &mut Handoff, by: PersonId, out: &mut Out) -> Result<(), DecideError> {
    check_assignee(handoff, &by)?;
    handoff.state = State::Completed { by: by.clone() };
    out.cancel(Timer::Arrival);
    out.cancel(Timer::EtaCheck);
    out.cancel(Timer::Late);
    out.send(officer_of(handoff), Message::Completed { id: handoff.id });
    out.record(
        Actor::Staff(by.clone()),
        EventKind::Completed { person: by },
    );
    Ok(())
}

pub(super) fn relay(
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
            out.send(
                Recipient::Staff(assignee),
                Message::RelayFromOfficer {
                    id: handoff.id,
                    officer: officer_name(world, officer),
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

/// A message to one side of an accepted hand-off did not get through: recorded,
/// and, the first time, the other side is told, so that neither waits on the
/// other in silence (a case manager driving to an officer who never heard she is
/// coming, an officer relaying to a case manager who reads nothing).
pub(super) fn not_delivered(handoff: &mut Handoff, to: Actor, world: &World<'_>, out: &mut Out) {
    out.record(Actor::System, EventKind::NotDelivered { to: to.clone() });
    // Told once per side: the flag lives in the hand-off, so two failures decided
    // at once are ordered by its version check and only the first tells.
    if handoff.not_getting_through.contains(&to) || !handoff.state.is_active_assignment() {
        return;
    }
    let Some(assignee) = handoff.state.assignee().cloned() else {
        return;
    };
    let (told, about, for_officer) = match &to {
        Actor::Officer(officer) if *officer == handoff.request.officer => (
            Recipient::Staff(assignee),
            officer_name(world, officer),
            false,
        ),
        Actor::Staff(person) if *person == assignee => {
            (officer_of(handoff), first_name(world, person), true)
        }
        // Neither side of the hand-off (someone told it was taken): nobody waits.
        _ => return,
    };
    out.send(
        told,
        Message::NotGettingThrough {
            id: handoff.id,
            to: about,
            for_officer,
        },
    );
    handoff.not_getting_through.push(to);
}

/// The longest ETA accepted: the arrival limit (an ETA past it could never be
/// met), and never more than [`MAX_ETA_MINUTES`].
pub(super) fn max_eta(world: &World<'_>) -> u32 {
    let limit = u32::try_from(world.settings.arrival_limit.num_minutes()).unwrap_or(u32::MAX);
    limit.clamp(1, MAX_ETA_MINUTES)
}

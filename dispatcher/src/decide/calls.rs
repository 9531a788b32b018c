//! The legs of an officer's call, recorded: who was rung, and how each leg ended.
//! They change nothing about the hand-off (the offers stand whatever a leg did: a
//! case manager who missed the call may still take it by text), and a leg about a
//! person the offer of that number was not made to is refused, so a forged or
//! stale callback cannot write someone else into the log.

use handoff_schedules::PersonId;

use super::{DecideError, Out};
use crate::call::{Leg, LegStep, leg_person};
use crate::event::EventKind;
use crate::handoff::{Actor, Handoff};

pub(super) fn leg(
    handoff: &Handoff,
    person: PersonId,
    leg: Leg,
    step: LegStep,
    out: &mut Out,
) -> Result<(), DecideError> {
    if leg_person(handoff, leg) != Some(&person) {
        return Err(DecideError::NotOffered { id: handoff.id });
    }
    let kind = match step {
        LegStep::Dialed => EventKind::LegDialed { person, leg },
        LegStep::Ended(outcome) => EventKind::LegEnded {
            person,
            leg,
            outcome,
        },
    };
    out.record(Actor::System, kind);
    Ok(())
}

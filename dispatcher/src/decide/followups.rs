//! What is owed after a hand-off: the follow-up of a referral filed out of hours
//! or a request nobody could take (taken with `TAKE 4821`, closed with `FOLLOWED
//! 4821`), intake for an accepted arrest diversion (`INTAKE 4821`), and the police
//! report number that matches the paperwork (`RPT 4821 <number>`). These apply to
//! closed hand-offs too: the work comes after the scene.

use handoff_schedules::PersonId;

use super::{DecideError, Out, first_name, officer_of};
use crate::event::EventKind;
use crate::handoff::{Actor, Handoff, HandoffKind, State, Timer};
use crate::message::{Message, Recipient};
use crate::outcome::{FollowUpReason, FollowUpState, ReportNumber};
use crate::redact::redact;
use crate::roster::OfficerId;
use crate::routing::World;

/// `by` takes the follow-up, if it waits; taking one's own again is confirmed
/// again, one taken by someone else names them.
pub(super) fn take_followup(
    handoff: &mut Handoff,
    by: PersonId,
    world: &World<'_>,
    out: &mut Out,
) -> Result<(), DecideError> {
    let id = handoff.id;
    let Some(followup) = handoff.followup.as_mut() else {
        return Err(DecideError::NoFollowUp { id });
    };
    match (followup.state(), followup.taken_by.clone()) {
        (FollowUpState::Done, _) => Err(DecideError::NoFollowUp { id }),
        (FollowUpState::Taken, Some(holder)) if holder != by => {
            out.send(
                Recipient::Staff(by),
                Message::FollowUpTakenByOther {
                    id,
                    first_name: first_name(world, &holder),
                },
            );
            Ok(())
        }
        (FollowUpState::Taken, _) => {
            out.send(Recipient::Staff(by), Message::FollowUpTaken { id });
            Ok(())
        }
        (FollowUpState::Waiting, _) => {
            followup.taken_by = Some(by.clone());
            followup.taken_at = Some(out.now);
            out.send(Recipient::Staff(by.clone()), Message::FollowUpTaken { id });
            out.record(
                Actor::Staff(by.clone()),
                EventKind::FollowUpTaken { person: by },
            );
            Ok(())
        }
    }
}

/// The follow-up is done: by whoever took it, or by anyone on staff if nobody had
/// (taking it on the way). The officer of a referral hears the loop is closed.
pub(super) fn followed_up(
    handoff: &mut Handoff,
    by: PersonId,
    note: Option<String>,
    out: &mut Out,
) -> Result<(), DecideError> {
    let id = handoff.id;
    let Some(followup) = handoff.followup.as_mut() else {
        return Err(DecideError::NoFollowUp { id });
    };
    match followup.state() {
        FollowUpState::Done => return Err(DecideError::NoFollowUp { id }),
        FollowUpState::Taken if followup.taken_by.as_ref() != Some(&by) => {
            return Err(DecideError::FollowUpTaken {
                id,
                by: followup.taken_by.clone().unwrap_or_else(|| by.clone()),
            });
        }
        FollowUpState::Taken => {}
        FollowUpState::Waiting => {
            followup.taken_by = Some(by.clone());
            followup.taken_at = Some(out.now);
            out.record(
                Actor::Staff(by.clone()),
                EventKind::FollowUpTaken { person: by.clone() },
            );
        }
    }
    followup.done_at = Some(out.now);
    let reason = followup.reason;
    out.send(
        Recipient::Staff(by.clone()),
        Message::FollowedUpConfirmed { id },
    );
    if reason == FollowUpReason::Referral {
        out.send(officer_of(handoff), Message::FollowedUpForOfficer { id });
    }
    out.record(
        Actor::Staff(by.clone()),
        EventKind::FollowedUp {
            person: by,
            note: note.map(|n| redact(&n)),
        },
    );
    Ok(())
}

/// Whether the hand-off owes intake now: an accepted arrest diversion, not closed
/// without one, intake not yet recorded.
pub fn owes_intake(handoff: &Handoff) -> bool {
    handoff.request.kind == HandoffKind::ArrestDiversion
        && handoff.intake_due.is_some()
        && handoff.intake_completed.is_none()
        && !matches!(
            handoff.state,
            State::Cancelled { .. } | State::Expired { .. } | State::NotDiverted { .. }
        )
}

/// Intake is complete: by the case manager who took it (or any staff member: the
/// intake worker may be someone else), or by the system for the command line.
pub(super) fn intake_done(
    handoff: &mut Handoff,
    by: Actor,
    out: &mut Out,
) -> Result<(), DecideError> {
    if !owes_intake(handoff) {
        return Err(DecideError::NoIntake { id: handoff.id });
    }
    handoff.intake_completed = Some(out.now);
    out.cancel(Timer::IntakeReminder);
    out.cancel(Timer::IntakeOverdue);
    if let Actor::Staff(person) = &by {
        out.send(
            Recipient::Staff(person.clone()),
            Message::IntakeRecorded { id: handoff.id },
        );
    }
    out.record(by, EventKind::IntakeCompleted);
    Ok(())
}

/// The requesting officer adds (or corrects) the report number, open or closed.
pub(super) fn report_number(
    handoff: &mut Handoff,
    by: OfficerId,
    number: ReportNumber,
    out: &mut Out,
) -> Result<(), DecideError> {
    if by != handoff.request.officer {
        return Err(DecideError::NotRequester { id: handoff.id });
    }
    out.send(
        officer_of(handoff),
        Message::ReportNumberRecorded { id: handoff.id },
    );
    if handoff.report_number.as_ref() != Some(&number) {
        handoff.report_number = Some(number.clone());
        out.record(Actor::Officer(by), EventKind::ReportNumber { number });
    }
    Ok(())
}

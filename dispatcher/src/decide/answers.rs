//! Answers to an offer: the first accept wins and everyone else offered is told who
//! took it; a decline is confirmed and may end the round at once. Every answer gets
//! one reply at most: someone already told the hand-off was taken (or closed) gets
//! no second text for a late `Y` or `N`.

use crate::contact::Channel;
use chrono::Duration;
use handoff_schedules::{PersonId, Role};

use super::assignment::eta;
use super::offering::advance_if_round_answered;
use super::{DecideError, Out, closed, first_name, officer_of};
use crate::event::EventKind;
use crate::handoff::{Actor, Answer, Handoff, HandoffKind, State, Timer};
use crate::message::{Brief, Message, Recipient};
use crate::redact::redact;
use crate::roster::Roster;
use crate::routing::World;

pub(super) fn accept(
    handoff: &mut Handoff,
    by: PersonId,
    via: Channel,
    eta_minutes: Option<u32>,
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
            take(handoff, by.clone(), via, world, out)?;
            if let Some(minutes) = eta_minutes
                && let Err(error) = eta(handoff, by.clone(), minutes, world, out)
            {
                // The accept stands; only the ETA is refused, and said so.
                out.send(
                    Recipient::Staff(by),
                    crate::conversation::refusal(handoff.id, &error),
                );
            }
            Ok(())
        }
        // Closed (completed, expired, cancelled...): an accept now is not a late accept
        // to log, and "already taken" would hide that nobody is coming.
        state if state.is_closed() => Err(closed(handoff)),
        state if state.assignee() == Some(&by) => {
            // Their own accept again (a retried text): say it is theirs, change nothing.
            let brief = brief(handoff, world.site_name, world.roster);
            out.send(
                Recipient::Staff(by),
                Message::Assignment {
                    id: handoff.id,
                    brief: Some(brief),
                },
            );
            Ok(())
        }
        state if state.assignee().is_some() => {
            if tell_once(handoff, &by) {
                out.send(
                    Recipient::Staff(by.clone()),
                    Message::AlreadyTaken { id: handoff.id },
                );
            }
            out.record(
                Actor::Staff(by.clone()),
                EventKind::LateAccept { person: by },
            );
            Ok(())
        }
        _ => Err(closed(handoff)),
    }
}

/// `by` takes the hand-off: the others still deciding hear who took it, the officer
/// hears who is coming, `by` gets the whole request, and the arrival and intake
/// clocks start.
fn take(
    handoff: &mut Handoff,
    by: PersonId,
    via: Channel,
    world: &World<'_>,
    out: &mut Out,
) -> Result<(), DecideError> {
    let name = first_name(world, &by);
    let now = out.now;
    for offer in handoff.offers.iter_mut() {
        if offer.person == by {
            offer.answer = Answer::Accepted { at: now };
        } else if offer.answer == Answer::Pending {
            offer.answer = Answer::Withdrawn { at: now };
        }
    }
    // Everyone else offered this time who may still be deciding hears who took it,
    // once.
    let mut told = std::collections::BTreeSet::new();
    let from = handoff.reoffer_from;
    for offer in handoff.offers.iter_mut().skip(from) {
        let deciding = matches!(
            offer.answer,
            Answer::Withdrawn { .. } | Answer::TimedOut { .. }
        );
        if offer.person != by && deciding && !offer.told_closed {
            offer.told_closed = true;
            if told.insert(offer.person.clone()) {
                out.send(
                    Recipient::Staff(offer.person.clone()),
                    Message::TakenByOther {
                        id: handoff.id,
                        first_name: name.clone(),
                    },
                );
            }
        }
    }
    handoff.state = State::Accepted { by: by.clone() };
    handoff.accepted_at = Some(now);
    handoff.not_getting_through.clear();
    if handoff.request.kind == HandoffKind::ArrestDiversion {
        let days = world.site_intake_days.unwrap_or(world.settings.intake_days);
        let due = out.after(Duration::try_days(i64::from(days)))?;
        handoff.intake_due = Some(due);
        let reminder = world.settings.intake_reminder_days;
        if reminder > 0 && reminder < days {
            let before = Duration::try_days(i64::from(reminder));
            if let Some(at) = before.and_then(|b| due.checked_sub_signed(b)) {
                out.schedule(Timer::IntakeReminder, at);
            }
        }
        out.schedule(Timer::IntakeOverdue, due);
    }
    let brief = brief(handoff, world.site_name, world.roster);
    out.send(
        Recipient::Staff(by.clone()),
        Message::Assignment {
            id: handoff.id,
            brief: Some(brief),
        },
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

/// Everything the case manager who takes the hand-off needs to go.
pub fn brief(handoff: &Handoff, site_name: &str, roster: &Roster) -> Brief {
    let request = &handoff.request;
    Brief {
        kind: request.kind,
        location: request.location.clone(),
        site: site_name.to_owned(),
        zone: request.zone.as_ref().map(ToString::to_string),
        officer: roster
            .officers
            .get(&request.officer)
            .map_or_else(|| request.officer.to_string(), |o| o.display_name()),
        agency: roster
            .agencies
            .get(&request.agency)
            .map_or_else(|| request.agency.to_string(), |a| a.name.clone()),
    }
}

/// Whether `person` is still to be told the hand-off was taken or closed: true
/// the first time, and it is then remembered on their latest offer.
fn tell_once(handoff: &mut Handoff, person: &PersonId) -> bool {
    match handoff
        .offers
        .iter_mut()
        .rev()
        .find(|o| &o.person == person)
    {
        Some(offer) if !offer.told_closed => {
            offer.told_closed = true;
            true
        }
        _ => false,
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
        // Taken or closed meanwhile: said once, unless they were told already.
        if tell_once(handoff, &by) {
            let message = if handoff.state.is_active_assignment() {
                Message::AlreadyTaken { id: handoff.id }
            } else {
                Message::Closed { id: handoff.id }
            };
            out.send(Recipient::Staff(by), message);
        }
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
            out.send(
                Recipient::Staff(by.clone()),
                Message::DeclineConfirmed { id: handoff.id },
            );
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

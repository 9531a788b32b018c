//! Offering a hand-off: starting escalation steps, offering rounds (zone first,
//! then the rest), moving on when a round is answered or times out, skipping empty
//! steps, and telling the officer and alerting supervisors when steps run out. Also
//! the timers that drive it.

use chrono::{DateTime, Duration, Utc};
use handoff_schedules::{PersonId, Role};

use super::watch::{eta_check, expire, intake_overdue, intake_reminder, late};
use super::{DecideError, Out, alerts_now, next_opening, officer_of, open_followup};
use crate::event::EventKind;
use crate::handoff::{Actor, Answer, Handoff, Offer, State, Timer};
use crate::message::{Message, OfferContext, Recipient};
use crate::outcome::FollowUpReason;
use crate::routing::{World, next_round, steps};

/// Starts step `from` (or the first later step with anyone available).
pub(super) fn start_step(
    handoff: &mut Handoff,
    from: usize,
    world: &World<'_>,
    out: &mut Out,
) -> Result<(), DecideError> {
    let plan = steps(handoff, world);
    for (index, step) in plan.iter().enumerate().skip(from) {
        let people = next_round(handoff, step, world, out.now);
        if people.is_empty() {
            out.record(Actor::System, EventKind::StepSkipped { step: index });
            continue;
        }
        out.record(Actor::System, EventKind::StepStarted { step: index });
        // A step started again (after a give-back) goes on numbering its rounds,
        // so a round's timer and offers never mix with an earlier one's.
        let round = handoff
            .offers
            .iter()
            .filter(|o| o.step == index)
            .map(|o| o.round.saturating_add(1))
            .max()
            .unwrap_or(0);
        return offer_round(handoff, index, round, people, step.timeout, world, out);
    }
    unstaffed(handoff, world, out);
    Ok(())
}

pub(super) fn offer_round(
    handoff: &mut Handoff,
    step: usize,
    round: u32,
    people: Vec<PersonId>,
    timeout: std::time::Duration,
    world: &World<'_>,
    out: &mut Out,
) -> Result<(), DecideError> {
    handoff.state = State::Offering { step, round };
    let officer = world.roster.officers.get(&handoff.request.officer);
    let agency = world
        .roster
        .agencies
        .get(&handoff.request.agency)
        .map_or_else(|| handoff.request.agency.to_string(), |a| a.name.clone());
    let due = out.after(Duration::from_std(timeout).ok())?;
    let context = OfferContext {
        site: world.site_name.to_owned(),
        zone: handoff.request.zone.as_ref().map(ToString::to_string),
        step,
        steps: steps(handoff, world).len(),
        answer_by: Some(due),
        together: people.len(),
        name_site: false,
    };
    for person in people {
        let context = OfferContext {
            name_site: world.sites_served.get(&person).is_some_and(|n| *n > 1),
            ..context.clone()
        };
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
                context,
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
            told_closed: false,
        });
    }
    out.schedule(Timer::Round { step, round }, due);
    Ok(())
}

/// The current round is over: its next round, the next step, or unstaffed.
pub(super) fn advance(
    handoff: &mut Handoff,
    world: &World<'_>,
    out: &mut Out,
) -> Result<(), DecideError> {
    let State::Offering { step, round } = handoff.state else {
        return Ok(());
    };
    let plan = steps(handoff, world);
    if let Some(current) = plan.get(step) {
        let people = next_round(handoff, current, world, out.now);
        if !people.is_empty() {
            return offer_round(
                handoff,
                step,
                round.saturating_add(1),
                people,
                current.timeout,
                world,
                out,
            );
        }
    }
    start_step(handoff, step.saturating_add(1), world, out)
}

/// The round's offers are all answered (none pending): stop its timer and move on.
pub(super) fn advance_if_round_answered(
    handoff: &mut Handoff,
    world: &World<'_>,
    out: &mut Out,
) -> Result<(), DecideError> {
    let State::Offering { step, round } = handoff.state else {
        return Ok(());
    };
    let open = handoff
        .offers
        .iter()
        .any(|o| o.step == step && o.round == round && o.answer == Answer::Pending);
    if !open {
        out.cancel(Timer::Round { step, round });
        advance(handoff, world, out)?;
    }
    Ok(())
}

pub(super) fn unstaffed(handoff: &mut Handoff, world: &World<'_>, out: &mut Out) {
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
            center: super::centers::on_offer(world, out.now),
        },
    );
    out.record(Actor::System, EventKind::Unstaffed);
    open_followup(handoff, FollowUpReason::Unstaffed, out);
    if !alerts_now(world, out.now) {
        // At night this waits for the digest when the site opens.
        return;
    }
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
}

/// Who hears of a failure: those on duty in these roles, or, if none is, everyone
/// who holds them, because a failure nobody hears of is the one thing not allowed.
pub(super) fn alert_recipients(
    world: &World<'_>,
    now: DateTime<Utc>,
    roles: &[Role],
) -> Vec<PersonId> {
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

pub(super) fn undeliverable(
    handoff: &mut Handoff,
    to: PersonId,
    world: &World<'_>,
    out: &mut Out,
) -> Result<(), DecideError> {
    if !matches!(handoff.state, State::Offering { .. }) {
        return Ok(());
    }
    let Some(offer) = handoff.offers.iter_mut().rev().find(|o| o.person == to) else {
        return Ok(());
    };
    if offer.answer == Answer::Pending {
        offer.answer = Answer::Undeliverable { at: out.now };
        out.record(Actor::System, EventKind::OfferUndeliverable { person: to });
        advance_if_round_answered(handoff, world, out)?;
    }
    Ok(())
}

pub(super) fn fire(
    handoff: &mut Handoff,
    timer: Timer,
    world: &World<'_>,
    out: &mut Out,
) -> Result<(), DecideError> {
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
            advance(handoff, world, out)?;
        }
        (Timer::Arrival, State::Accepted { by } | State::EnRoute { by, .. }) => {
            expire(handoff, by, world, out);
        }
        (Timer::EtaCheck, State::EnRoute { by, .. }) => eta_check(handoff, by, world, out)?,
        (Timer::Late, State::EnRoute { by, .. }) => late(handoff, by, world, out),
        (Timer::IntakeReminder, _) => intake_reminder(handoff, world, out)?,
        (Timer::IntakeOverdue, _) => intake_overdue(handoff, world, out)?,
        (Timer::CheckInDue, _) => super::centers::check_in_due(handoff, world, out),
        // A timer for a round or state that has passed: its work was done by an
        // accept, decline or cancel that came first.
        _ => {}
    }
    Ok(())
}

//! The clocks on an accepted hand-off, and what each does when it runs out:
//! - **arrival**: the case manager never arrived within the arrival limit; the
//!   hand-off expires, the officer is told, and it waits for a follow-up;
//! - **ETA check**: the ETA passed by the grace with no ARRIVED; the case manager
//!   is asked for a new ETA (a new ETA restarts the watch);
//! - **late**: a second grace passed with no answer; the officer is told plainly
//!   and the supervisor alerted, so the officer never waits on silence;
//! - **intake reminder** and **intake overdue**: the case manager is reminded
//!   before the deadline, the supervisor told after it.
//!
//! Messages that can wait (intake) are not sent while the site is closed: the
//! timer moves to the next opening instead, so nobody is texted about paperwork
//! at 3 am.

use handoff_schedules::{PersonId, Role};

use super::followups::owes_intake;
use super::offering::alert_recipients;
use super::{
    DecideError, Out, alerts_now, first_name, local, next_opening, officer_of, open_followup,
};
use crate::event::EventKind;
use crate::handoff::{Actor, Handoff, State, Timer};
use crate::message::{Message, Recipient};
use crate::outcome::FollowUpReason;
use crate::routing::World;

pub(super) fn expire(handoff: &mut Handoff, by: PersonId, world: &World<'_>, out: &mut Out) {
    handoff.state = State::Expired { by: by.clone() };
    handoff.intake_due = None;
    for timer in [
        Timer::EtaCheck,
        Timer::Late,
        Timer::IntakeReminder,
        Timer::IntakeOverdue,
    ] {
        out.cancel(timer);
    }
    out.send(
        officer_of(handoff),
        Message::Expired {
            id: handoff.id,
            center: super::centers::on_offer(world, out.now),
        },
    );
    out.record(Actor::System, EventKind::Expired { person: by.clone() });
    open_followup(handoff, FollowUpReason::Expired, out);
    if !alerts_now(world, out.now) {
        return;
    }
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
}

/// The ETA passed by the grace: ask for a new one, and give a second grace.
pub(super) fn eta_check(
    handoff: &Handoff,
    by: PersonId,
    world: &World<'_>,
    out: &mut Out,
) -> Result<(), DecideError> {
    let grace = world.settings.eta_grace;
    out.send(
        Recipient::Staff(by.clone()),
        Message::EtaPassed {
            id: handoff.id,
            minutes: u32::try_from(grace.num_minutes()).unwrap_or(u32::MAX),
        },
    );
    out.record(Actor::System, EventKind::EtaPassed { person: by });
    let at = out.after(Some(grace))?;
    out.schedule(Timer::Late, at);
    Ok(())
}

/// No new ETA and no arrival after the second grace: the officer hears it plainly
/// and the supervisor is alerted.
pub(super) fn late(handoff: &Handoff, by: PersonId, world: &World<'_>, out: &mut Out) {
    let name = first_name(world, &by);
    let alert = alerts_now(world, out.now);
    out.send(
        officer_of(handoff),
        Message::RunningLate {
            id: handoff.id,
            first_name: name.clone(),
            supervisor_told: alert,
        },
    );
    if alert {
        for person in alert_recipients(world, out.now, &[Role::Supervisor]) {
            out.send(
                Recipient::Staff(person),
                Message::LateAlert {
                    id: handoff.id,
                    first_name: name.clone(),
                    site: world.site_name.to_owned(),
                },
            );
        }
    }
    out.record(Actor::System, EventKind::Late { person: by });
}

/// Moves `timer` to the site's next opening if the site is closed now; returns
/// whether it did (the message waits).
fn defer_to_opening(timer: Timer, world: &World<'_>, out: &mut Out) -> bool {
    if world.site.is_open(out.now) {
        return false;
    }
    match next_opening(world, out.now) {
        Some(at) => {
            out.schedule(timer, at.with_timezone(&chrono::Utc));
            true
        }
        // A site that never opens: say it now rather than never.
        None => false,
    }
}

pub(super) fn intake_reminder(
    handoff: &Handoff,
    world: &World<'_>,
    out: &mut Out,
) -> Result<(), DecideError> {
    let (Some(due), Some(by)) = (handoff.intake_due, handoff.state.assignee().cloned()) else {
        return Ok(());
    };
    if !owes_intake(handoff) || defer_to_opening(Timer::IntakeReminder, world, out) {
        return Ok(());
    }
    out.send(
        Recipient::Staff(by.clone()),
        Message::IntakeReminder {
            id: handoff.id,
            due: local(world, due),
        },
    );
    out.record(Actor::System, EventKind::IntakeReminded { person: by });
    Ok(())
}

pub(super) fn intake_overdue(
    handoff: &Handoff,
    world: &World<'_>,
    out: &mut Out,
) -> Result<(), DecideError> {
    let Some(due) = handoff.intake_due else {
        return Ok(());
    };
    if !owes_intake(handoff) || defer_to_opening(Timer::IntakeOverdue, world, out) {
        return Ok(());
    }
    let name = handoff
        .state
        .assignee()
        .map_or_else(|| "the case manager".to_owned(), |p| first_name(world, p));
    for person in alert_recipients(world, out.now, &[Role::Supervisor]) {
        out.send(
            Recipient::Staff(person),
            Message::IntakeOverdueAlert {
                id: handoff.id,
                first_name: name.clone(),
                due: local(world, due),
            },
        );
    }
    out.record(Actor::System, EventKind::IntakeOverdue);
    Ok(())
}

//! Drop-offs at diversion centers: the officer's `DROPOFF` (take the person to an
//! open center instead of waiting for, or meeting, a case manager) and the center
//! staff's `CHECKIN` (the person is there: the hand-off's arrival, and its end).
//!
//! Rules that matter for the people involved:
//! - only the officer who asked may drop off, and only before a case manager has
//!   arrived: a case manager at the scene is already the warm hand-off;
//! - a hand-off that closed with nobody coming (nobody answered, nobody on call,
//!   the case manager never arrived) reopens for a drop-off within
//!   [`DROP_OFF_REOPENS_WITHIN`](crate::handoff::DROP_OFF_REOPENS_WITHIN) of the
//!   request: that is when a center matters most, and the texts that close it
//!   offer one;
//! - a case manager who had accepted is told and released (their watch and
//!   intake clocks stop); offers still open are withdrawn, as on a cancel;
//! - a drop-off refused (no center open, the one named closed or full, a name that
//!   is no center) changes nothing: the search for a case manager goes on, and the
//!   officer is told why, with the next opening or the centers that have room;
//! - the center's staff are told; a center with no staff on the roster has its
//!   drop-offs told to the site's supervisors on duty (or every supervisor), who
//!   may then check people in there;
//! - `CHECKIN` is for that center's staff only;
//! - a drop-off not checked in within the center's `check_in_within` is overdue:
//!   its staff and the site's supervisors are told once (supervisors only while
//!   alerts go out, as for other failures), and it stops holding a place in the
//!   center's capacity. It stays open, so a late `CHECKIN` still records the
//!   arrival and the officer's `CANCEL` still ends it.

use handoff_schedules::{PersonId, Role};

use super::closing::stand_down;
use super::offering::alert_recipients;
use super::{DecideError, Out, alerts_now, closed, first_name, officer_name, officer_of};
use crate::center::{self, Center};
use crate::event::EventKind;
use crate::handoff::{Actor, Handoff, State, Timer};
use crate::message::{AfterRefusal, Message, Recipient};
use crate::roster::OfficerId;
use crate::routing::World;

pub(super) fn drop_off(
    handoff: &mut Handoff,
    by: OfficerId,
    named: Option<String>,
    world: &World<'_>,
    out: &mut Out,
) -> Result<(), DecideError> {
    let reopening = handoff.reopens_for_drop_off(out.now);
    if handoff.state.is_closed() && !reopening {
        return Err(closed(handoff));
    }
    if by != handoff.request.officer {
        return Err(DecideError::NotRequester { id: handoff.id });
    }
    match &handoff.state {
        State::Arrived { .. } => return Err(DecideError::AlreadyArrived { id: handoff.id }),
        State::DroppingOff { .. } => {
            return Err(DecideError::AlreadyDroppingOff { id: handoff.id });
        }
        _ => {}
    }
    let chosen = center::choose(
        world.centers,
        named.as_deref(),
        &world.load.on_the_way,
        out.now,
    );
    let center = match chosen {
        Ok(center) => center,
        Err(refusal) => {
            let then = match handoff.state {
                State::Offering { .. } => AfterRefusal::Searching,
                _ if reopening => AfterRefusal::Closed,
                _ => AfterRefusal::Coming,
            };
            out.send(
                officer_of(handoff),
                Message::DropOffRefused {
                    id: handoff.id,
                    refusal,
                    then,
                },
            );
            return Ok(());
        }
    };
    let due = out.after(chrono::Duration::from_std(center.check_in_within).ok())?;
    // Closed with nobody coming: no offer is open, no watch runs, and whoever had
    // let it expire was told it closed.
    if !reopening {
        stand_down(handoff, out, |id| Message::DropOffReleased {
            id,
            center: center.name.clone(),
        });
    }
    let told = center_people(center, world, out);
    for person in &told {
        out.send(
            Recipient::Staff(person.clone()),
            Message::DropOffComing {
                id: handoff.id,
                kind: handoff.request.kind,
                center: center.name.clone(),
                officer: officer_name(world, &handoff.request.officer),
                agency: agency_name(world, handoff),
            },
        );
    }
    out.send(
        officer_of(handoff),
        Message::DropOffConfirmed {
            id: handoff.id,
            center: center.name.clone(),
            address: center.address.clone(),
            staff_told: !center.staff.is_empty(),
        },
    );
    handoff.state = State::DroppingOff {
        center: center.id.clone(),
        overdue: false,
    };
    out.record(
        Actor::Officer(by),
        EventKind::DroppedOff {
            center: center.id.clone(),
        },
    );
    out.schedule(Timer::CheckInDue, due);
    Ok(())
}

/// The center's time to check the person in ran out: tell its staff and the
/// supervisors, once, and give up the person's place in its capacity.
pub(super) fn check_in_due(handoff: &mut Handoff, world: &World<'_>, out: &mut Out) {
    let State::DroppingOff {
        center: id,
        overdue: false,
    } = handoff.state.clone()
    else {
        return;
    };
    handoff.state = State::DroppingOff {
        center: id.clone(),
        overdue: true,
    };
    out.record(
        Actor::System,
        EventKind::CheckInOverdue { center: id.clone() },
    );
    let center = world.centers.iter().find(|c| c.id == id);
    let mut told = center.map_or_else(Vec::new, |c| center_people(c, world, out));
    if alerts_now(world, out.now) {
        told.extend(alert_recipients(world, out.now, &[Role::Supervisor]));
    }
    told.sort();
    told.dedup();
    // The center's own limit; for a center gone from the configuration since, the
    // time since the request, which is longer and so still true.
    let waited = center.map_or_else(
        || out.now.signed_duration_since(handoff.requested_at),
        |c| chrono::Duration::from_std(c.check_in_within).unwrap_or(chrono::Duration::MAX),
    );
    let minutes = u32::try_from(waited.num_minutes().max(0)).unwrap_or(u32::MAX);
    let overdue = Message::DropOffOverdue {
        id: handoff.id,
        center: center.map_or_else(|| id.to_string(), |c| c.name.clone()),
        officer: officer_name(world, &handoff.request.officer),
        minutes,
    };
    for person in told {
        out.send(Recipient::Staff(person), overdue.clone());
    }
}

/// An open center with room the officer may be offered now, by name.
pub(super) fn on_offer(world: &World<'_>, now: chrono::DateTime<chrono::Utc>) -> Option<String> {
    center::offered(world.centers, &world.load.on_the_way, now).map(|c| c.name.clone())
}

pub(super) fn check_in(
    handoff: &mut Handoff,
    by: PersonId,
    world: &World<'_>,
    out: &mut Out,
) -> Result<(), DecideError> {
    if handoff.state.is_closed() {
        return Err(closed(handoff));
    }
    let State::DroppingOff {
        center: center_id, ..
    } = handoff.state.clone()
    else {
        return Err(DecideError::NotDroppingOff { id: handoff.id });
    };
    let is_supervisor = world
        .roster
        .people
        .get(&by)
        .is_some_and(|p| p.roles.contains(&Role::Supervisor));
    let center = world.centers.iter().find(|c| c.id == center_id);
    // A center gone from the configuration since: its staff cannot be known, so
    // only a supervisor may close the loop.
    let allowed = center.map_or(is_supervisor, |c| c.may_check_in(&by, is_supervisor));
    if !allowed {
        return Err(DecideError::NotCenterStaff { id: handoff.id });
    }
    let name = center.map_or_else(|| center_id.to_string(), |c| c.name.clone());
    out.send(
        Recipient::Staff(by.clone()),
        Message::CheckInRecorded { id: handoff.id },
    );
    out.send(
        officer_of(handoff),
        Message::CheckedInAtCenter {
            id: handoff.id,
            center: name,
            first_name: first_name(world, &by),
        },
    );
    out.cancel(Timer::CheckInDue);
    handoff.state = State::CheckedIn {
        by: by.clone(),
        center: center_id.clone(),
    };
    out.record(
        Actor::Staff(by.clone()),
        EventKind::CheckedIn {
            person: by,
            center: center_id,
        },
    );
    Ok(())
}

/// A drop-off on its way is withdrawn or closed without a diversion: whoever was
/// told of it hears nobody is coming, and its check-in deadline is stopped.
/// Nothing for a hand-off not dropped off.
pub(super) fn call_off(handoff: &Handoff, world: &World<'_>, out: &mut Out) {
    let State::DroppingOff { center: id, .. } = &handoff.state else {
        return;
    };
    out.cancel(Timer::CheckInDue);
    let Some(center) = world.centers.iter().find(|c| &c.id == id) else {
        return;
    };
    for person in center_people(center, world, out) {
        out.send(
            Recipient::Staff(person),
            Message::DropOffCalledOff {
                id: handoff.id,
                center: center.name.clone(),
            },
        );
    }
}

/// Who hears of a drop-off: the center's staff, or, at a center with none, the
/// site's supervisors (on duty, else all), so that someone is always told.
fn center_people(center: &Center, world: &World<'_>, out: &Out) -> Vec<PersonId> {
    if center.staff.is_empty() {
        alert_recipients(world, out.now, &[Role::Supervisor])
    } else {
        center.staff.clone()
    }
}

fn agency_name(world: &World<'_>, handoff: &Handoff) -> String {
    world
        .roster
        .agencies
        .get(&handoff.request.agency)
        .map_or_else(|| handoff.request.agency.to_string(), |a| a.name.clone())
}

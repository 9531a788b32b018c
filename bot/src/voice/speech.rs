//! What the people on a call hear, in words: the officer (the hand-off opened, who
//! is taking it, or what happens next when nobody answered) and each case manager a
//! leg rings (the offer, and "press 1 to take it"). Never a phone number, and never
//! a person's surname: the same privacy as the texts.

use chrono::{DateTime, Utc};
use handoff_dispatcher::{Directory, Handoff, HandoffId, State};

/// A hand-off opened by a call: the officer holds while the legs ring.
pub(crate) fn opened(id: HandoffId) -> String {
    format!(
        "Hand-off {id} is open. Calling the case manager on duty now; please hold. \
         Texts about it will follow."
    )
}

/// The caller is not a registered officer (or not one who may ask by phone).
pub(crate) fn refused(program: &str) -> String {
    format!(
        "This line takes hand-off requests from officers' registered phones only. \
         This phone is not registered with {program}. Goodbye."
    )
}

/// The officer, when the call cannot be taken at all (the database did not take
/// the request, or anything else failed before a hand-off was opened): nothing
/// was kept, so the request has to come again, by text.
pub(crate) const CANNOT_TAKE_CALLS: &str =
    "Sorry, we cannot take calls right now. Please text your request to this number. Goodbye.";

/// The officer, when the call cannot go on once hand-off `id` is open (the next
/// leg could not be set up or logged): it stays open and offered by text, so
/// asking again would only open a second one.
pub(crate) fn trouble(id: HandoffId) -> String {
    format!(
        "Sorry, the hand-off line is having trouble and cannot go on with this call. \
         Hand-off {id} is open; texts about it will follow. Goodbye."
    )
}

/// A case manager on a leg whose screening or key press could not be handled:
/// nothing of it was kept, and the offer by text stands.
pub(crate) fn trouble_on_leg(id: HandoffId) -> String {
    format!(
        "Sorry, the hand-off line is having trouble and cannot connect this call. \
         To take hand-off {id}, text Y{id}. Goodbye."
    )
}

/// The officer, when the hand-off is no longer waiting for someone: who took it,
/// or how it closed, and what to do next.
pub(crate) fn settled(handoff: &Handoff, directory: &Directory, now: DateTime<Utc>) -> String {
    let id = handoff.id;
    if let Some(person) = handoff.state.assignee()
        && !handoff.state.is_closed()
    {
        let name = directory
            .roster
            .people
            .get(person)
            .map_or("A case manager", |p| p.first_name());
        return format!("{name} is taking hand-off {id}. Details follow by text. Goodbye.");
    }
    let center = center_open(handoff, directory, now);
    match &handoff.state {
        State::OutOfHours => format!(
            "Case management is closed and nobody is on call.{}{center} To refer this \
             person for follow-up, text REFER with the place and notes. Goodbye.",
            opening(handoff, directory, now)
        ),
        State::Unstaffed => {
            let proceed = if center.is_empty() {
                "Please proceed"
            } else {
                "Otherwise, please proceed"
            };
            format!(
                "Nobody could be reached for hand-off {id}.{center} {proceed} as you normally \
                 would. Goodbye."
            )
        }
        _ => format!("Hand-off {id} is closed. Goodbye."),
    }
}

/// The officer, when every leg was rung and nobody took it: the request stays
/// open and is still offered by text and Matrix.
pub(crate) fn nobody_answered(
    handoff: &Handoff,
    directory: &Directory,
    now: DateTime<Utc>,
) -> String {
    let id = handoff.id;
    let closed = directory
        .sites
        .get(&handoff.request.site)
        .is_some_and(|site| !site.schedule.is_open(now));
    let hours = if closed {
        format!(
            " Case management is closed.{}",
            opening(handoff, directory, now)
        )
    } else {
        String::new()
    };
    format!(
        "Nobody answered the phone.{hours} Hand-off {id} stays open and is still \
         offered by text; you will get a text when someone takes it, or if nobody can. \
         Goodbye."
    )
}

/// " A diversion center is open now: to take the person there, text DROPOFF
/// 4821." while one of the site's centers is open, or nothing. Whether it has room
/// is the dispatcher's to say, in the answer to that text (the call does not know
/// who is on their way there).
fn center_open(handoff: &Handoff, directory: &Directory, now: DateTime<Utc>) -> String {
    let open = directory
        .sites
        .get(&handoff.request.site)
        .is_some_and(|site| site.centers.iter().any(|c| c.is_open(now)));
    if open {
        format!(
            " A diversion center is open now: to take the person there, text DROPOFF {}.",
            handoff.id
        )
    } else {
        String::new()
    }
}

/// " It opens Monday at 8:00 AM." in the site's time zone, or nothing.
fn opening(handoff: &Handoff, directory: &Directory, now: DateTime<Utc>) -> String {
    directory
        .sites
        .get(&handoff.request.site)
        .and_then(|site| site.schedule.next_opening(now))
        .map_or_else(String::new, |at| {
            format!(" It opens {}.", at.format("%A at %-I:%M %p"))
        })
}

/// What a case manager hears on answering a leg, before anything is connected.
pub(crate) fn offer(handoff: &Handoff, directory: &Directory) -> String {
    let request = &handoff.request;
    let officer = directory
        .roster
        .officers
        .get(&request.officer)
        .map_or_else(|| "an officer".to_owned(), |o| o.display_name());
    let agency = directory
        .roster
        .agencies
        .get(&request.agency)
        .map_or_else(|| request.agency.to_string(), |a| a.name.clone());
    format!(
        "Hand-off {id} from {officer}, {agency}: {kind} at {location}. Press 1 to take \
         it and be connected to the officer.",
        id = handoff.id,
        kind = request.kind.label(),
        location = request.location,
    )
}

/// A case manager who answered and did not press 1 (or whose voicemail did).
pub(crate) fn not_taken(id: HandoffId) -> String {
    format!("Not taken. Hand-off {id} is still offered to you by text. Goodbye.")
}

/// A case manager who pressed 1 and won it: connected next.
pub(crate) fn yours(id: HandoffId) -> String {
    format!("Hand-off {id} is yours. Connecting you to the officer now.")
}

/// A case manager who answered after someone else took it.
pub(crate) fn already_taken(id: HandoffId) -> String {
    format!("Hand-off {id} has already been taken, or is closed. Thank you. Goodbye.")
}

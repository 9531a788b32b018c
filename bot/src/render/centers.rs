//! The SMS words of drop-offs at diversion centers: the receipt's offer of an open
//! center, the officer's confirmation or refusal of a `DROPOFF`, the center staff's
//! notice and `CHECKIN`, and the release of a case manager who had accepted. The
//! rules of the module above hold here too: GSM-7 only, every text names its
//! hand-off, and each fits one segment whatever the names in the configuration
//! (a center's name and address are shortened to fit).

use handoff_dispatcher::center::Refusal;
use handoff_dispatcher::message::AfterRefusal;
use handoff_dispatcher::{HandoffId, HandoffKind};

use super::{
    MAX_ALERT_NAME, SEGMENT, day_and_clock, duration, inline, name_or, sentence, septets, shorten,
};

/// The longest officer's or agency's name a center's notice shows.
const MAX_NOTICE_NAME: usize = 20;

/// The longest address a drop-off confirmation shows.
const MAX_ADDRESS: usize = 60;

/// The longest list of other centers a refusal shows.
const MAX_OTHERS: usize = 60;

/// A center's name as these texts show it: one line, at most [`MAX_ALERT_NAME`].
fn center(name: &str) -> String {
    shorten(&name_or(name, "the center"), MAX_ALERT_NAME)
}

/// The most septets of the place a receipt keeps room for, with its `, ` and full
/// stop, when it also offers a center: a longer place is shortened to fit.
const MIN_PLACE: usize = 18;

/// The fewest septets of a center's name worth showing in a receipt.
const MIN_CENTER_NAME: usize = 8;

/// What follows the place in the officer's receipt: ` Finding an on-duty case
/// manager (at most 15 min). Reply CANCEL 4821 to withdraw.`, or with a center `
/// Finding a case manager, or DROPOFF 4821 at Stabilization Ctr. Reply CANCEL
/// 4821 to withdraw.` The receipt keeps to one segment: with a center, the search's
/// longest time is left out if needed, and the center's name shortened; a center
/// that still finds no room is not offered (the officer may send DROPOFF all the
/// same, and HELP lists it).
pub(super) fn receipt_tail(
    id: HandoffId,
    head: &str,
    place: &str,
    at_most: &str,
    center_name: Option<&str>,
) -> String {
    let cancel = format!(" Reply CANCEL {id} to withdraw.");
    let alone = format!(" Finding an on-duty case manager{at_most}.{cancel}");
    let Some(name) = center_name
        .map(|n| name_or(n, ""))
        .filter(|n| !n.is_empty())
    else {
        return alone;
    };
    let with_center = |at_most: &str, name: &str| {
        format!(
            " Finding a case manager{at_most}, or DROPOFF {id} at {}{cancel}",
            sentence(name)
        )
    };
    // The place with its `, ` and full stop, as much of it as is kept.
    let place_room = (septets(place) + 3).min(MIN_PLACE);
    let whole = shorten(&name, MAX_ALERT_NAME);
    for at_most in [at_most, ""] {
        let fixed = septets(head) + septets(&with_center(at_most, "")) + place_room;
        let room = SEGMENT.saturating_sub(fixed);
        if room >= septets(&whole) {
            return with_center(at_most, &whole);
        }
        if at_most.is_empty() && room >= MIN_CENTER_NAME {
            return with_center(at_most, &shorten(&name, room));
        }
    }
    alone
}

/// The first of `variants` (each built around the center's name, from the fullest
/// words to the shortest) that fits one segment with the whole name; else the
/// last with the name shortened to fit, if at least [`MIN_CENTER_NAME`] septets of
/// it do; `None` for no center, or no room for one.
fn fit_center(name: Option<&str>, variants: &[&dyn Fn(&str) -> String]) -> Option<String> {
    let name = name_or(name?, "");
    if name.is_empty() {
        return None;
    }
    let room = |build: &&dyn Fn(&str) -> String| SEGMENT.saturating_sub(septets(&build("")));
    let whole = shorten(&name, MAX_ALERT_NAME);
    if let Some(build) = variants.iter().find(|b| room(b) >= septets(&whole)) {
        return Some(build(&whole));
    }
    let shortest = variants.last()?;
    let left = room(shortest);
    (left >= MIN_CENTER_NAME).then(|| shortest(&shorten(&name, left)))
}

/// The after-hours receipt offering a center: `Got it: hand-off 4821. Case
/// management is closed until Mon 8:00 AM; asking the on-call coordinator, or
/// DROPOFF 4821 at Stabilization Ctr. Reply CANCEL 4821 to withdraw.` (the
/// search's longest time, then the words `hand-off`, left out to fit).
pub(super) fn searching_offer(
    id: HandoffId,
    closed: &str,
    at_most: &str,
    center: Option<&str>,
) -> Option<String> {
    let closed = capitalized(closed);
    let build = |head: &str, at_most: &str, name: &str| {
        format!(
            "Got it: {head}{id}. {closed}; asking the on-call coordinator{at_most}, or DROPOFF \
             {id} at {} Reply CANCEL {id} to withdraw.",
            sentence(name)
        )
    };
    fit_center(
        center,
        &[
            &|n| build("hand-off ", at_most, n),
            &|n| build("hand-off ", "", n),
            &|n| build("", "", n),
        ],
    )
}

/// Out of hours with nobody on call, a center open: `4821: Case management is
/// closed; it opens Mon 8:00 AM. Reply DROPOFF 4821 for Stabilization Ctr. Or
/// REFER with place and notes for follow-up.`
pub(super) fn out_of_hours_offer(
    id: HandoffId,
    closed: &str,
    center: Option<&str>,
) -> Option<String> {
    let build = |name: &str| {
        format!(
            "{id}: {closed} Reply DROPOFF {id} for {} Or REFER with place and notes for \
             follow-up.",
            sentence(name)
        )
    };
    fit_center(center, &[&build])
}

/// Closed with nobody coming, a center open: `<head> Reply DROPOFF 4821 to take
/// them to Stabilization Ctr. Or proceed as you normally would.<tail>` (the
/// tail, then the longer words, left out to fit).
pub(super) fn closed_offer(
    id: HandoffId,
    head: &str,
    tail: &str,
    center: Option<&str>,
) -> Option<String> {
    let build = |to: &str, tail: &str, name: &str| {
        format!(
            "{head} Reply DROPOFF {id} {to} {} Or proceed as you normally would.{tail}",
            sentence(name)
        )
    };
    fit_center(
        center,
        &[
            &|n| build("to take them to", tail, n),
            &|n| build("to take them to", "", n),
            &|n| build("for", "", n),
        ],
    )
}

/// `case management ...` as the start of a sentence.
fn capitalized(text: &str) -> String {
    let mut chars = text.chars();
    chars.next().map_or_else(String::new, |first| {
        first.to_uppercase().chain(chars).collect()
    })
}

// ---- to the officer ----

/// The address gets what room the segment leaves, up to [`MAX_ADDRESS`].
pub(super) fn confirmed(id: HandoffId, name: &str, address: &str, staff_told: bool) -> String {
    let told = if staff_told {
        "Staff there are told."
    } else {
        "A supervisor is told."
    };
    let head = format!("{id}: take them to {}", center(name));
    let tail = format!(". {told} Reply CANCEL {id} to withdraw.");
    let room = SEGMENT.saturating_sub(septets(&head) + septets(&tail) + 2);
    let address = shorten(&inline(address), room.min(MAX_ADDRESS));
    if address.is_empty() || room < MIN_CENTER_NAME {
        format!("{head}{tail}")
    } else {
        format!("{head}, {address}{tail}")
    }
}

pub(super) fn refused(id: HandoffId, refusal: &Refusal, then: AfterRefusal) -> String {
    let why = match refusal {
        Refusal::NoCenters => "this site has no diversion center".to_owned(),
        Refusal::NoneOpen {
            next: Some((name, at)),
        } => {
            format!(
                "no center is open now; {} opens {}",
                center(name),
                day_and_clock(at)
            )
        }
        Refusal::NoneOpen { next: None } => "no center is open now".to_owned(),
        Refusal::AllFull => "every open center is full".to_owned(),
        Refusal::Unknown { open } if open.is_empty() => {
            "no center has that name, and none is open now".to_owned()
        }
        Refusal::Unknown { open } => {
            format!("no center has that name; open now: {}", names(open))
        }
        Refusal::Closed { name, opens } => match opens {
            Some(at) => format!("{} is closed until {}", center(name), day_and_clock(at)),
            None => format!("{} is closed", center(name)),
        },
        Refusal::Full { name, others } if others.is_empty() => {
            format!("{} is full", center(name))
        }
        Refusal::Full { name, others } => {
            format!(
                "{} is full; open with room: {}",
                center(name),
                names(others)
            )
        }
    };
    let then = match then {
        AfterRefusal::Searching => "The search for a case manager goes on.",
        AfterRefusal::Coming => "The case manager is still coming.",
        AfterRefusal::Closed => "Please proceed as you normally would.",
    };
    format!("{id}: {why}. {then}")
}

/// Centers' names, shortened together so a long list keeps the text to a segment.
fn names(list: &[String]) -> String {
    let joined: Vec<String> = list.iter().map(|n| center(n)).collect();
    shorten(&joined.join(", "), MAX_OTHERS)
}

pub(super) fn checked_in(id: HandoffId, name: &str, first_name: &str) -> String {
    format!(
        "{id}: checked in at {} by {}. Thank you.",
        center(name),
        shorten(&name_or(first_name, "its staff"), MAX_ALERT_NAME)
    )
}

// ---- to staff ----

pub(super) fn coming(
    id: HandoffId,
    kind: HandoffKind,
    name: &str,
    officer: &str,
    agency: &str,
) -> String {
    format!(
        "Drop-off {id} at {}: {} ({}), {}. Reply CHECKIN {id} when they arrive.",
        center(name),
        shorten(&name_or(officer, "an officer"), MAX_NOTICE_NAME),
        shorten(&name_or(agency, "police"), MAX_NOTICE_NAME),
        kind.label(),
    )
}

pub(super) fn released(id: HandoffId, name: &str) -> String {
    format!(
        "{id}: the officer is taking the person to {} instead. You are released; no need to go.",
        center(name)
    )
}

pub(super) fn called_off(id: HandoffId, name: &str) -> String {
    format!(
        "Drop-off {id} to {} is called off: nobody is coming.",
        center(name)
    )
}

/// To the center's staff and the supervisors: a drop-off nobody checked in.
pub(super) fn overdue(id: HandoffId, name: &str, officer: &str, minutes: u32) -> String {
    let officer = shorten(&name_or(officer, "the officer"), MAX_NOTICE_NAME);
    format!(
        "{id}: nobody checked in the drop-off at {} from {officer} within {}. Staff there: reply \
         CHECKIN {id} if they arrived.",
        center(name),
        duration(minutes)
    )
}

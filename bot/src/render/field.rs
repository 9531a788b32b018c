//! The SMS words of the field workflow: the whole request for the case manager who
//! takes it, giving a hand-off back, closing it without a diversion, the ETA watch,
//! intake, the follow-up queue and its opening digest, the report number, and the
//! replies about reaching people. The rules of the module above hold here too:
//! GSM-7 only, every text about a hand-off names its number, commands are shown
//! with it (`CANCEL 4821`), and nothing repeats a report number or gives a phone
//! number.

use chrono::{DateTime, FixedOffset};
use handoff_dispatcher::HandoffId;
use handoff_dispatcher::message::{Brief, FollowUpLine};
use handoff_dispatcher::outcome::NotDivertedCode;

use super::{
    MAX_ALERT_NAME, SEGMENT, by_line, day_and_clock, duration, follow_up_reason, inline, name_or,
    sentence, septets, shorten,
};

/// The most septets a follow-up digest takes: three segments, so one opening's
/// list stays one message on every phone; the rest are counted, not listed.
const MAX_DIGEST: usize = 3 * 153;

/// The most follow-ups one FOLLOWUP answer lists.
const MAX_LIST: usize = 10;

/// The longest location a FOLLOWUP line shows.
const MAX_LIST_LOCATION: usize = 60;

/// A person's name as these texts show it: one line, at most [`MAX_ALERT_NAME`],
/// so a name from the configuration never pushes a text past its segment.
fn first(name: &str, fallback: &str) -> String {
    shorten(&name_or(name, fallback), MAX_ALERT_NAME)
}

// ---- to the officer ----

pub(super) fn given_back(id: HandoffId, first_name: &str) -> String {
    format!(
        "{} cannot come to {id} after all. Another case manager is being found. \
         Reply CANCEL {id} to withdraw.",
        first(first_name, "The case manager")
    )
}

/// To the other side of whoever closed it (the officer, or the case manager on
/// the way when the officer closed it).
pub(super) fn not_diverted(id: HandoffId, code: NotDivertedCode) -> String {
    format!(
        "{id} is closed without a diversion because {}. Please proceed as you normally would.",
        code.words()
    )
}

/// To whoever closed it.
pub(super) fn not_diverted_recorded(id: HandoffId, code: NotDivertedCode) -> String {
    format!(
        "Recorded: {id} is closed without a diversion because {}.",
        code.words()
    )
}

pub(super) fn running_late(id: HandoffId, first_name: &str, supervisor_told: bool) -> String {
    let told = if supervisor_told {
        "; a supervisor has been told"
    } else {
        ""
    };
    format!(
        "{} is late for {id} and has not given a new ETA{told}. Reply CANCEL {id} to withdraw.",
        first(first_name, "The case manager")
    )
}

// ---- to staff ----

/// The whole request, so the case manager has everything needed to go; several
/// segments if the officer wrote much, since their words are never cut here.
pub(super) fn assignment(id: HandoffId, brief: Option<&Brief>) -> String {
    match brief {
        Some(brief) => format!(
            "{id} is yours: {} at {}. Reply ETA <min>, ARRIVED, DONE, NOTDIVERTED {id} <why>, \
             or BACK {id} if you cannot go. Other texts go to the officer.",
            brief.kind.label(),
            request(brief)
        ),
        None => format!(
            "{id} is yours. Reply ETA <minutes>, ARRIVED, DONE. Other texts go to the officer."
        ),
    }
}

/// `5th & Main, retail theft (Allegheny County, zone-1), Ofc. Rivera (Metro PD)`:
/// the officer's words whole, where, and who asked.
pub(super) fn request(brief: &Brief) -> String {
    let location = match inline(&brief.location) {
        place if place.is_empty() => "a place not given".to_owned(),
        place => place,
    };
    let place: Vec<String> = std::iter::once(inline(&brief.site))
        .chain(brief.zone.as_deref().map(inline))
        .filter(|part| !part.is_empty())
        .collect();
    let place = if place.is_empty() {
        String::new()
    } else {
        format!(" ({})", place.join(", "))
    };
    let by = by_line(&inline(&brief.officer), &inline(&brief.agency));
    format!("{location}{place}{by}")
}

pub(super) fn eta_passed(id: HandoffId, minutes: u32) -> String {
    let passed = if minutes == 0 {
        "has passed".to_owned()
    } else {
        format!("passed {} ago", duration(minutes))
    };
    format!(
        "{id}: your ETA {passed}. Reply ETA {id} <min> with a new one, ARRIVED {id}, \
         or BACK {id} if you cannot go."
    )
}

/// To supervisors, in one segment.
pub(super) fn late_alert(id: HandoffId, first_name: &str, site: &str) -> String {
    let name = first(first_name, "The case manager");
    let site = shorten(&inline(site), MAX_ALERT_NAME);
    let at = if site.is_empty() {
        String::new()
    } else {
        format!(" ({site})")
    };
    format!(
        "{name} is late for {id}{at}: the ETA passed with no arrival or new ETA. \
         The officer was told; please check in."
    )
}

/// A due date as people read it: `Mon Dec 28` (intake is due weeks ahead).
fn date(at: &DateTime<FixedOffset>) -> String {
    at.format("%a %b %-d").to_string()
}

pub(super) fn intake_reminder(id: HandoffId, due: &DateTime<FixedOffset>) -> String {
    format!(
        "Intake for {id} is due by {}. Reply INTAKE {id} when it is done.",
        date(due)
    )
}

pub(super) fn intake_overdue_alert(
    id: HandoffId,
    first_name: &str,
    due: &DateTime<FixedOffset>,
) -> String {
    format!(
        "Intake for {id} is overdue: it was due {} and {} has not recorded it.",
        date(due),
        first(first_name, "the case manager")
    )
}

pub(super) fn follow_up_taken(id: HandoffId) -> String {
    format!(
        "The follow-up of {id} is yours. Reply FOLLOWED {id} when it is done, with a note if \
         you like."
    )
}

pub(super) fn follow_up_taken_by_other(id: HandoffId, first_name: &str) -> String {
    format!(
        "{} already took the follow-up of {id}.",
        first(first_name, "Someone else")
    )
}

/// `taken by Lee`, if someone took it.
fn holder(item: &FollowUpLine) -> Option<String> {
    item.taken_by
        .as_deref()
        .map(|name| format!("taken by {}", first(name, "someone")))
}

/// The first follow-up nobody has taken: the example to TAKE.
fn first_waiting(items: &[FollowUpLine]) -> Option<HandoffId> {
    items
        .iter()
        .find(|item| item.taken_by.is_none())
        .map(|item| item.id)
}

/// When a site opens: what waits there, in one text of a few segments at most.
pub(super) fn follow_up_digest(site: &str, items: &[FollowUpLine]) -> String {
    let site = shorten(&name_or(site, "The site"), MAX_ALERT_NAME);
    if items.is_empty() {
        return format!("{site} is open. No follow-ups are waiting.");
    }
    let head = format!("{site} is open. Waiting for follow-up: ");
    let tail = match first_waiting(items) {
        Some(id) => format!(". Reply FOLLOWUP for details, TAKE {id} to take one."),
        None => ". Reply FOLLOWUP for details.".to_owned(),
    };
    let entries: Vec<String> = items
        .iter()
        .map(|item| {
            let when = day_and_clock(&item.requested_at);
            let about = match holder(item) {
                Some(holder) => format!("{when}, {holder}"),
                None => when,
            };
            format!("{} {} ({about})", item.id, follow_up_reason(item.reason))
        })
        .collect();
    // Each entry is listed only if the ones after it still fit as "and N more".
    let mut body = String::new();
    for (index, entry) in entries.iter().enumerate() {
        let longer = if index == 0 {
            entry.clone()
        } else {
            format!("{body}, {entry}")
        };
        let rest = entries.len() - index - 1;
        let more = if rest > 0 {
            format!(", and {rest} more")
        } else {
            String::new()
        };
        let total = septets(&head) + septets(&longer) + septets(&more) + septets(&tail);
        if index > 0 && total > MAX_DIGEST {
            let hidden = entries.len() - index;
            return format!("{head}{body}, and {hidden} more{tail}");
        }
        body = longer;
    }
    format!("{head}{body}{tail}")
}

/// The answer to FOLLOWUP: one line per follow-up (what, when, where, who has it).
pub(super) fn follow_ups(items: &[FollowUpLine]) -> String {
    if items.is_empty() {
        return "No follow-ups are waiting.".to_owned();
    }
    let mut lines: Vec<String> = items
        .iter()
        .take(MAX_LIST)
        .map(|item| {
            let location = match inline(&item.location) {
                place if place.is_empty() => "a place not given".to_owned(),
                place => shorten(&place, MAX_LIST_LOCATION),
            };
            let state = match &item.taken_by {
                Some(name) => format!("Taken by {}.", first(name, "someone")),
                None => "Waiting.".to_owned(),
            };
            format!(
                "{} {}, {}, {}: {} {state}",
                item.id,
                follow_up_reason(item.reason),
                day_and_clock(&item.requested_at),
                name_or(&item.site, "site"),
                sentence(&location)
            )
        })
        .collect();
    if items.len() > MAX_LIST {
        lines.push(format!("and {} more", items.len() - MAX_LIST));
    }
    if let Some(id) = first_waiting(items) {
        lines.push(format!("Reply TAKE {id} to take one."));
    }
    lines.join("\n")
}

// ---- replies about reaching people ----

pub(super) fn not_registered(contact: Option<&str>) -> String {
    const PLAIN: &str =
        "This number is not registered with the program: please contact the program coordinator.";
    let contact = contact.map(inline).filter(|c| !c.is_empty());
    let Some(contact) = contact else {
        return PLAIN.to_owned();
    };
    let head = "This number is not registered with the program. To be added, contact ";
    let contact = shorten(&contact, SEGMENT.saturating_sub(septets(head) + 1));
    sentence(&format!("{head}{contact}"))
}

/// Neither side has the other's number: say what the reader can do instead.
pub(super) fn not_getting_through(id: HandoffId, to: &str, for_officer: bool) -> String {
    if for_officer {
        let name = first(to, "the case manager");
        format!(
            "{id}: texts to {name} are not getting through; the case manager may still be on \
             the way. Reply STATUS for news or CANCEL {id} to withdraw."
        )
    } else {
        let name = first(to, "the officer");
        format!(
            "{id}: texts to {name} are not getting through. Go to the place given, or reply \
             BACK {id} if you cannot go."
        )
    }
}

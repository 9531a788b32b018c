//! Messages rendered as SMS text.
//!
//! This file owns the words of every SMS the bot sends: [`sms`] turns each
//! dispatcher [`Message`] (the help texts included) into one short, plain text,
//! kept inside the GSM-7 alphabet by [`crate::sms::gsm7`], so no message falls back
//! to UCS-2 and its 70 characters a segment.
//!
//! The rules every text keeps:
//!
//! - **GSM-7 only.** Our own words use only the basic GSM-7 set (not even the
//!   extension table, whose characters cost two septets and which some handsets
//!   show badly). Everything that came from people or from the configuration
//!   (locations, names, agencies, reasons, relayed texts) goes through [`to_gsm7`]
//!   first, and single-line fields also have their line breaks and runs of spaces
//!   folded into one space.
//! - **Every message about a hand-off names its number**, and commands are shown
//!   with it: `CANCEL 4821`, never a bare `CANCEL`, which carriers treat as an
//!   opt-out keyword that would unsubscribe the sender.
//! - **Offers fit one 160-septet segment.** The location is shortened (ending in
//!   `...`) as much as needed, then, only if the officer's and agency's names are
//!   themselves very long, those too; the reply codes `Y4821` and `N4821` never
//!   are. The officer's receipt and the supervisors' unstaffed alert, which also
//!   echo a location, fit one segment the same way. Relayed texts are passed on
//!   whole.
//! - **Times are local to the site**: each is shown in the offset it carries, on
//!   a 12-hour clock (`10:47 AM`, `Mon 8:00 AM`).
//! - **No phone numbers or Matrix IDs** from our side: no message has a field for
//!   one, and the texts here add none.

use chrono::{DateTime, FixedOffset};
use handoff_dispatcher::decide::MAX_ETA_MINUTES;
use handoff_dispatcher::message::{Audience, Named, Problem, SiteNow, StatusLine};
use handoff_dispatcher::{HandoffId, HandoffKind, Message};

use crate::sms::gsm7::char_septets;
pub use crate::sms::gsm7::{SEGMENT, is_gsm7, septets, to_gsm7};

/// The shortest part of a location an offer keeps before the names are shortened.
const MIN_LOCATION: usize = 24;

/// The longest site or agency name an unstaffed alert shows.
const MAX_ALERT_NAME: usize = 24;

/// The septets `, ` + ` (` + `)` add around the officer's and agency's names.
const BY_LINE_PUNCTUATION: usize = 5;

/// What a shortened field ends with.
const ELLIPSIS: &str = "...";

const OFFICER_HELP: &str = "Texts you can send:\n\
    LEAD <place, what happened>: ask for a case manager\n\
    REFER <place, notes>: refer someone for follow-up\n\
    STATUS: your open hand-offs\n\
    CANCEL <number> <reason>: withdraw one (reason optional)\n\
    CANCEL alone stops all texts. Do not text names or dates of birth.";

const STAFF_HELP: &str = "Texts you can send:\n\
    Y<number>: take an offer. N<number>: pass\n\
    ETA <min>: minutes until you arrive\n\
    ARRIVED, DONE: you are there; person released to you\n\
    CANCEL <number> <reason>: call it off (reason optional)\n\
    STATUS: yours. WHO: who is on duty\n\
    CANCEL alone stops all texts. Other texts go to the officer.";

/// A single-line field in GSM-7: line breaks and runs of spaces become one space.
fn inline(text: &str) -> String {
    to_gsm7(text)
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
}

/// A first name, or `fallback` if the name came out empty.
fn name_or(name: &str, fallback: &str) -> String {
    let name = inline(name);
    if name.is_empty() {
        fallback.to_owned()
    } else {
        name
    }
}

/// `text` cut to at most `max` septets, ending in `...` when cut.
fn shorten(text: &str, max: usize) -> String {
    if septets(text) <= max {
        return text.to_owned();
    }
    let Some(room) = max.checked_sub(ELLIPSIS.len()) else {
        return ".".repeat(max);
    };
    let mut kept = String::new();
    let mut used = 0;
    for c in text.chars() {
        used += char_septets(c);
        if used > room {
            break;
        }
        kept.push(c);
    }
    let kept = kept.trim_end_matches([' ', ',', ';', ':', '-', '.']);
    format!("{kept}{ELLIPSIS}")
}

/// `text` ending as a sentence: a full stop unless it already has a stop.
fn sentence(text: &str) -> String {
    if text.ends_with(['.', '!', '?']) {
        text.to_owned()
    } else {
        format!("{text}.")
    }
}

/// A clock time in the offset it carries: `10:47 AM`.
fn clock(at: &DateTime<FixedOffset>) -> String {
    at.format("%-I:%M %p").to_string()
}

/// A day and time in the offset it carries: `Mon 8:00 AM`.
fn day_and_clock(at: &DateTime<FixedOffset>) -> String {
    at.format("%a %-I:%M %p").to_string()
}

/// Minutes as people say them: `15 min`, `1 h`, `1 h 30 min`.
fn duration(minutes: u32) -> String {
    match (minutes / 60, minutes % 60) {
        (0, m) => format!("{m} min"),
        (h, 0) => format!("{h} h"),
        (h, m) => format!("{h} h {m} min"),
    }
}

/// `4821`, `4821 and 4822`, `4821, 4822 and 4823`.
fn list(ids: &[HandoffId]) -> String {
    match ids {
        [] => String::new(),
        [only] => only.to_string(),
        [rest @ .., last] => {
            let rest: Vec<String> = rest.iter().map(ToString::to_string).collect();
            format!("{} and {last}", rest.join(", "))
        }
    }
}

/// The text of `message` as one SMS (several segments at most for help, status and
/// relayed texts; one for offers). Always GSM-7.
pub fn sms(message: &Message) -> String {
    match message {
        // ---- to the officer ----
        Message::Received {
            id, kind, location, ..
        } => received(*id, *kind, location),
        Message::Assigned {
            id,
            first_name,
            role,
        } => {
            let name = name_or(first_name, "Someone");
            let role = inline(role);
            if role.is_empty() {
                format!("{name} is taking {id}.")
            } else {
                format!("{name} ({role}) is taking {id}.")
            }
        }
        Message::Eta {
            id,
            first_name,
            minutes,
            arrive_by,
        } => {
            let name = name_or(first_name, "The case manager");
            let when = clock(arrive_by);
            if *minutes == 0 {
                format!("{name}: on the way to {id}, arriving now ({when}).")
            } else {
                format!(
                    "{name}: on the way to {id}, about {} ({when}).",
                    duration(*minutes)
                )
            }
        }
        Message::ArrivedAtScene { id, first_name } => {
            format!("{} has arrived for {id}.", name_or(first_name, "The case manager"))
        }
        Message::Completed { id } => {
            format!("{id} is done: the person is with case management now. Thank you.")
        }
        Message::Unstaffed { id, next_opening } => {
            let base = format!("{id}: nobody could be reached. Please proceed as you normally would.");
            match next_opening {
                Some(at) => format!("{base} Case management opens {}.", day_and_clock(at)),
                None => base,
            }
        }
        Message::OutOfHours {
            id,
            kind,
            next_opening,
        } => out_of_hours(*id, *kind, next_opening.as_ref()),
        Message::AfterHoursSearching {
            id, next_opening, ..
        } => {
            let closed = match next_opening {
                Some(at) => format!("case management is closed until {}", day_and_clock(at)),
                None => "case management is closed".to_owned(),
            };
            format!(
                "Got it: hand-off {id}, but {closed}. Asking the on-call coordinator. \
                 Reply CANCEL {id} to withdraw."
            )
        }
        Message::CancelledByStaff {
            id,
            first_name,
            reason,
        } => {
            let name = name_or(first_name, "The case manager");
            let cancelled = with_reason(&format!("{name} cancelled {id}"), reason.as_deref());
            format!("{cancelled} Please proceed as you normally would.")
        }
        Message::CancelConfirmed { id } => format!("Hand-off {id} is cancelled."),
        Message::Expired { id } => format!(
            "{id}: the case manager did not arrive in time, so it is closed. \
             Please proceed as you normally would."
        ),
        Message::RelayFromStaff {
            id,
            first_name,
            text,
        } => relay(*id, &name_or(first_name, "Case manager"), text),

        // ---- to staff ----
        Message::Offer {
            id,
            kind,
            location,
            agency,
            officer,
            after_hours,
            context: _,
        } => offer(*id, *kind, location, agency, officer, *after_hours),
        Message::Assignment { id, .. } => format!(
            "{id} is yours. Reply ETA <minutes>, ARRIVED, DONE. Other texts go to the officer."
        ),
        Message::TakenByOther { id, first_name } => {
            format!("{id} was taken by {}.", name_or(first_name, "someone else"))
        }
        Message::AlreadyTaken { id } => {
            format!("{id} was already taken by someone else; no need to go.")
        }
        Message::Withdrawn { id } => format!("Offer {id} is withdrawn; no need to reply."),
        Message::CancelledByOfficer { id, reason } => {
            let cancelled = with_reason(&format!("The officer cancelled {id}"), reason.as_deref());
            format!("{cancelled} No need to go.")
        }
        Message::RelayFromOfficer { id, officer, text } => {
            relay(*id, &name_or(officer, "Officer"), text)
        }
        Message::NotGettingThrough { id, to, .. } => format!(
            "{id}: texts to {} are not getting through, so they may not have your \
             messages. Reach them another way.",
            shorten(&name_or(to, "the other side"), MAX_ALERT_NAME)
        ),
        Message::UnstaffedAlert {
            id,
            site,
            kind,
            location,
            agency,
        } => unstaffed_alert(*id, site, *kind, location, agency),
        Message::ExpiredAlert { id, first_name } => format!(
            "{id} expired: {} accepted but did not arrive in time.",
            name_or(first_name, "the case manager")
        ),
        Message::Closed { id } => format!("{id} is already closed."),

        // ---- replies outside any one hand-off ----
        Message::Help { audience } => match audience {
            Audience::Officer => OFFICER_HELP.to_owned(),
            Audience::Staff => STAFF_HELP.to_owned(),
        },
        Message::NotRegistered { .. } => {
            "This number is not registered with the program: please contact the program coordinator."
                .to_owned()
        }
        Message::OptedOut => {
            "You are unsubscribed and will get no more texts. Reply START to resume.".to_owned()
        }
        Message::OptedIn => {
            "You are subscribed again. Reply HELP for commands, STOP to opt out.".to_owned()
        }
        Message::Problem { id, problem, open } => problem_text(*id, *problem, open),
        Message::Status { lines } => status(lines),
        Message::OnDutyNow { sites } => on_duty_now(sites),
        // UNFINISHED: words for the messages of the field workflow.
        other => handoff_dispatcher::engine::message_name(other).to_owned(),
    }
}

/// `LEAD 4821: arrest diversion at 5th & Main, Ofc. Rivera (Metro PD). Reply Y4821
/// to take it, N4821 to pass.`, in one segment.
fn offer(
    id: HandoffId,
    kind: HandoffKind,
    location: &str,
    agency: &str,
    officer: &str,
    after_hours: bool,
) -> String {
    let when = if after_hours { " (after hours)" } else { "" };
    let head = format!("LEAD {id}{when}: {} at ", kind.label());
    let tail = format!(". Reply Y{id} to take it, N{id} to pass.");
    let location = match inline(location) {
        place if place.is_empty() => "a place not given".to_owned(),
        place => place,
    };
    let (officer, agency) = (inline(officer), inline(agency));
    let room = SEGMENT.saturating_sub(septets(&head) + septets(&tail));

    let mut by = by_line(&officer, &agency);
    let keep = septets(&location).min(MIN_LOCATION);
    if septets(&by) + keep > room {
        // Long names: share what the location leaves, the shorter name whole if it fits.
        let names = room.saturating_sub(keep + BY_LINE_PUNCTUATION);
        let half = names / 2;
        let (o, a) = (septets(&officer), septets(&agency));
        let (o_max, a_max) = if o <= half {
            (o, names - o)
        } else if a <= half {
            (names - a, a)
        } else {
            (half, names - half)
        };
        by = by_line(&shorten(&officer, o_max), &shorten(&agency, a_max));
    }
    let location = shorten(&location, room.saturating_sub(septets(&by)));
    let text = format!("{head}{location}{by}{tail}");
    if septets(&text) <= SEGMENT {
        text
    } else {
        // Only reachable with absurd numbers: the codes matter more than the rest.
        format!(
            "LEAD {id}{when}: {}. Reply Y{id} to take it, N{id} to pass.",
            kind.label()
        )
    }
}

/// `, Ofc. Rivera (Metro PD)`, or what there is of it.
fn by_line(officer: &str, agency: &str) -> String {
    match (officer.is_empty(), agency.is_empty()) {
        (false, false) => format!(", {officer} ({agency})"),
        (false, true) => format!(", {officer}"),
        (true, false) => format!(", {agency}"),
        (true, true) => String::new(),
    }
}

/// The officer's receipt, in one segment.
fn received(id: HandoffId, kind: HandoffKind, location: &str) -> String {
    let head = format!("Got it: hand-off {id} ({})", kind.label());
    let tail = format!(" Finding an on-duty case manager. Reply CANCEL {id} to withdraw.");
    let location = inline(location);
    if location.is_empty() {
        return format!("{head}.{tail}");
    }
    // ", " before the place and a full stop after it.
    let room = SEGMENT.saturating_sub(septets(&head) + septets(&tail) + 3);
    let place = sentence(&shorten(&location, room));
    format!("{head}, {place}{tail}")
}

fn out_of_hours(
    id: HandoffId,
    kind: HandoffKind,
    next_opening: Option<&DateTime<FixedOffset>>,
) -> String {
    match kind {
        HandoffKind::ArrestDiversion => {
            let closed = match next_opening {
                Some(at) => format!("Case management is closed; it opens {}.", day_and_clock(at)),
                None => "Case management is closed, with no opening scheduled.".to_owned(),
            };
            format!(
                "{id}: {closed} To refer this person for follow-up, reply REFER with place and notes."
            )
        }
        HandoffKind::SocialContactReferral => match next_opening {
            Some(at) => format!(
                "{id}: referral filed. Case management is closed; someone will follow up after it \
                 opens {}.",
                day_and_clock(at)
            ),
            None => format!(
                "{id}: referral filed. Case management is closed; someone will follow up when it \
                 reopens."
            ),
        },
    }
}

/// `Dana cancelled 4821: person declined.` or `Dana cancelled 4821.`
fn with_reason(what: &str, reason: Option<&str>) -> String {
    match reason.map(inline).filter(|r| !r.is_empty()) {
        Some(reason) => sentence(&format!("{what}: {reason}")),
        None => format!("{what}."),
    }
}

/// `4821 Dana: <text>`, the text whole.
fn relay(id: HandoffId, from: &str, text: &str) -> String {
    format!("{id} {from}: {}", to_gsm7(text).trim())
}

/// To supervisors, in one segment.
fn unstaffed_alert(
    id: HandoffId,
    site: &str,
    kind: HandoffKind,
    location: &str,
    agency: &str,
) -> String {
    let site = shorten(&inline(site), MAX_ALERT_NAME);
    let agency = shorten(&inline(agency), MAX_ALERT_NAME);
    let at = if site.is_empty() {
        String::new()
    } else {
        format!(" ({site})")
    };
    let head = format!("Nobody took {id}{at}: {} at ", kind.label());
    let from = if agency.is_empty() {
        String::new()
    } else {
        format!(", {agency}")
    };
    let tail = format!("{from}. The officer was told nobody could come.");
    let location = match inline(location) {
        place if place.is_empty() => "a place not given".to_owned(),
        place => place,
    };
    let room = SEGMENT.saturating_sub(septets(&head) + septets(&tail));
    format!("{head}{}{tail}", shorten(&location, room))
}

fn problem_text(id: Option<HandoffId>, problem: Problem, open: &[HandoffId]) -> String {
    let it = id.map_or_else(|| "that hand-off".to_owned(), |id| id.to_string());
    let it_first = id.map_or_else(|| "That hand-off".to_owned(), |id| id.to_string());
    // Problems that do not mention the hand-off in their sentence name it in front.
    let tag = id.map_or_else(String::new, |id| format!("{id}: "));
    let said = match problem {
        Problem::NotUnderstood => {
            format!("{tag}Sorry, I did not understand that: reply HELP for the commands.")
        }
        Problem::UnknownHandoff => match id {
            Some(id) => format!("There is no hand-off {id}."),
            None => "There is no hand-off with that number.".to_owned(),
        },
        Problem::NameTheHandoff { command } => {
            let example = |n: &str| match command {
                Named::Accept => format!("Y{n}"),
                Named::Decline => format!("N{n}"),
                Named::Eta => format!("ETA {n} 15"),
                Named::Arrived => format!("ARRIVED {n}"),
                Named::Done => format!("DONE {n}"),
                Named::Cancel => format!("CANCEL {n}"),
                Named::Message => format!("#{n} your message"),
                // UNFINISHED
                _ => format!("{n}"),
            };
            return match open.first() {
                Some(first) => format!(
                    "You have {} open: say which, e.g. {}.",
                    list(open),
                    example(&first.to_string())
                ),
                None => format!(
                    "{tag}You have more than one hand-off open: say which, e.g. {}.",
                    example("<number>")
                ),
            };
        }
        Problem::NothingOpen => format!("{tag}You have no open hand-off this could apply to."),
        Problem::NotOffered => format!("{it_first} was not offered to you."),
        Problem::NotYours => format!("{it_first} is not assigned to you."),
        Problem::NotRequester => format!("{it_first} was requested by another officer."),
        Problem::NotYetAccepted => format!("Nobody has accepted {it} yet."),
        Problem::Closed => format!("{it_first} is already closed."),
        Problem::BadEta => format!(
            "{tag}Send ETA and the minutes until you arrive, from 1 to {MAX_ETA_MINUTES}, e.g. ETA 15."
        ),
        // UNFINISHED
        Problem::EtaOutOfRange { .. }
        | Problem::BadOutcome
        | Problem::BadReportNumber
        | Problem::NoFollowUp
        | Problem::NoIntake => format!("{tag}{problem:?}"),
        Problem::CannotHandle => format!(
            "{tag}Sorry, this could not be handled: please reach case management the way you usually would."
        ),
    };
    if open.is_empty() {
        said
    } else {
        format!("{said} You have {} open.", list(open))
    }
}

/// One line per hand-off: `4821 arrest diversion: Dana on the way, ETA 10:47 AM`.
fn status(lines: &[StatusLine]) -> String {
    if lines.is_empty() {
        return "You have no open hand-offs.".to_owned();
    }
    lines
        .iter()
        .map(|line| {
            let name = line
                .first_name
                .as_deref()
                .map(inline)
                .filter(|n| !n.is_empty());
            let who = name.as_deref().unwrap_or("case manager");
            let state = match line.state.as_str() {
                "offering" => "finding a case manager".to_owned(),
                "accepted" => format!("{who} is taking it"),
                "en_route" => match &line.eta {
                    Some(eta) => format!("{who} on the way, ETA {}", clock(eta)),
                    None => format!("{who} on the way"),
                },
                "arrived" => format!("{who} arrived"),
                "completed" => "done".to_owned(),
                "unstaffed" => "nobody could be reached".to_owned(),
                "out_of_hours" => "out of hours".to_owned(),
                other => inline(other).replace('_', " "),
            };
            format!("{} {}: {state}", line.id, line.kind.label())
        })
        .collect::<Vec<_>>()
        .join("\n")
}

/// One line per site: `Downtown (open): Dana (case manager), Lee (case manager)`.
fn on_duty_now(sites: &[SiteNow]) -> String {
    if sites.is_empty() {
        return "No sites are set up.".to_owned();
    }
    sites
        .iter()
        .map(|site| {
            let name = name_or(&site.site, "Site");
            let state = match (site.open, &site.next_opening) {
                (true, _) => "open".to_owned(),
                (false, Some(at)) => format!("closed, opens {}", day_and_clock(at)),
                (false, None) => "closed".to_owned(),
            };
            let people: Vec<String> = site
                .on_duty
                .iter()
                .map(|(first_name, role)| {
                    let first_name = name_or(first_name, "someone");
                    match inline(role) {
                        role if role.is_empty() => first_name,
                        role => format!("{first_name} ({role})"),
                    }
                })
                .collect();
            let people = if people.is_empty() {
                "nobody on duty".to_owned()
            } else {
                people.join(", ")
            };
            format!("{name} ({state}): {people}")
        })
        .collect::<Vec<_>>()
        .join("\n")
}

#[cfg(test)]
mod tests;

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
//!   echo a location, fit one segment the same way, and so does an offer that
//!   names its site (to someone who serves several). Relayed texts, and the whole
//!   request a case manager gets on taking a hand-off, are passed on whole.
//! - **Times are local to the site**: each is shown in the offset it carries, on
//!   a 12-hour clock (`10:47 AM`, `Mon 8:00 AM`).
//! - **No phone numbers or Matrix IDs** from our side: no message has a field for
//!   one, and the texts here add none. A police report number is never repeated
//!   back: it is kept, not texted.
//!
//! The words of the field workflow (give-backs, not-diverted outcomes, the ETA
//! watch, intake, follow-ups) are in [`field`], those of refused commands in
//! [`problems`].

mod centers;
mod field;
mod offer;
mod problems;

use chrono::{DateTime, FixedOffset};
use handoff_dispatcher::message::{Audience, SiteNow, StatusLine};
use handoff_dispatcher::outcome::FollowUpReason;
use handoff_dispatcher::{HandoffId, HandoffKind, Message};

use crate::sms::gsm7::char_septets;
pub use crate::sms::gsm7::{SEGMENT, is_gsm7, septets, to_gsm7};
use offer::{by_line, offer};

/// The longest site or agency name an unstaffed alert shows.
const MAX_ALERT_NAME: usize = 24;

/// What a shortened field ends with.
const ELLIPSIS: &str = "...";

const OFFICER_HELP: &str = "Texts you can send:\n\
    LEAD <place, what happened>: ask for a case manager\n\
    LEAD @Name <place>: ask for someone by name\n\
    REFER <place, notes>: refer someone for follow-up\n\
    DROPOFF <number>: go to a center instead\n\
    STATUS: your open hand-offs\n\
    RPT <number> <report no.>: add the report number\n\
    NOTDIVERTED <number> <why>: no diversion after all\n\
    CANCEL <number> <reason>: withdraw one (reason optional)\n\
    CANCEL alone stops all texts. Do not text names or dates of birth.";

const STAFF_HELP: &str = "Texts you can send:\n\
    Y<number>: take an offer (Y<number> <min>: with an ETA). N<number>: pass\n\
    ETA <min>, ARRIVED, DONE: tell the officer\n\
    BACK <number> <why>: give it back\n\
    NOTDIVERTED <number> <why>: no diversion after all\n\
    FOLLOWUP: follow-ups waiting. TAKE <number>, FOLLOWED <number>: take one, done\n\
    INTAKE <number>: intake done. CHECKIN <number>: at your center\n\
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

/// A day and time in the offset it carries: `Mon 8:00 AM`. Public so that every
/// channel shows times alike.
pub fn day_and_clock(at: &DateTime<FixedOffset>) -> String {
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

/// Why a follow-up waits, in a few words (`referral`, `nobody took it`), as every
/// channel says it.
pub fn follow_up_reason(reason: FollowUpReason) -> &'static str {
    match reason {
        FollowUpReason::Referral => "referral",
        FollowUpReason::Unstaffed => "nobody took it",
        FollowUpReason::Expired => "nobody arrived",
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

/// The text of `message` as one SMS (several segments at most for help, status,
/// lists, the whole request and relayed texts; one for offers). Always GSM-7.
pub fn sms(message: &Message) -> String {
    match message {
        // ---- to the officer ----
        Message::Received {
            id,
            kind,
            location,
            search_minutes,
            center,
        } => received(*id, *kind, location, *search_minutes, center.as_deref()),
        Message::DropOffConfirmed {
            id,
            center,
            address,
            staff_told,
        } => centers::confirmed(*id, center, address, *staff_told),
        Message::DropOffRefused { id, refusal, then } => centers::refused(*id, refusal, *then),
        Message::CheckedInAtCenter {
            id,
            center,
            first_name,
        } => centers::checked_in(*id, center, first_name),
        Message::DropOffComing {
            id,
            kind,
            center,
            officer,
            agency,
        } => centers::coming(*id, *kind, center, officer, agency),
        Message::DropOffReleased { id, center } => centers::released(*id, center),
        Message::CheckInRecorded { id } => format!("Checked in {id}. Thank you."),
        Message::DropOffCalledOff { id, center } => centers::called_off(*id, center),
        Message::DropOffOverdue {
            id,
            center,
            officer,
            minutes,
        } => centers::overdue(*id, center, officer, *minutes),
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
            format!(
                "{} has arrived for {id}.",
                name_or(first_name, "The case manager")
            )
        }
        Message::Completed { id } => {
            format!("{id} is done: the person is with case management now. Thank you.")
        }
        Message::Unstaffed {
            id,
            next_opening,
            center,
        } => {
            let opens = next_opening
                .as_ref()
                .map(|at| format!(" Case management opens {}.", day_and_clock(at)));
            let opens = opens.as_deref().unwrap_or("");
            let head = format!("{id}: nobody could be reached.");
            centers::closed_offer(*id, &head, opens, center.as_deref())
                .unwrap_or_else(|| format!("{head} Please proceed as you normally would.{opens}"))
        }
        Message::OutOfHours {
            id,
            kind,
            next_opening,
            center,
        } => out_of_hours(*id, *kind, next_opening.as_ref(), center.as_deref()),
        Message::AfterHoursSearching {
            id,
            next_opening,
            search_minutes,
            center,
        } => {
            let closed = match next_opening {
                Some(at) => format!("case management is closed until {}", day_and_clock(at)),
                None => "case management is closed".to_owned(),
            };
            let at_most = at_most(*search_minutes);
            centers::searching_offer(*id, &closed, &at_most, center.as_deref()).unwrap_or_else(
                || {
                    format!(
                        "Got it: hand-off {id}, but {closed}. Asking the on-call \
                         coordinator{at_most}. Reply CANCEL {id} to withdraw."
                    )
                },
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
        Message::Expired { id, center } => {
            let head = format!("{id}: the case manager did not arrive in time, so it is closed.");
            centers::closed_offer(*id, &head, "", center.as_deref())
                .unwrap_or_else(|| format!("{head} Please proceed as you normally would."))
        }
        Message::RelayFromStaff {
            id,
            first_name,
            text,
        } => relay(*id, &name_or(first_name, "Case manager"), text),
        Message::GivenBack { id, first_name } => field::given_back(*id, first_name),
        Message::NotDiverted { id, code } => field::not_diverted(*id, *code),
        Message::RunningLate {
            id,
            first_name,
            supervisor_told,
        } => field::running_late(*id, first_name, *supervisor_told),
        Message::FollowedUpForOfficer { id } => {
            format!("Case management has followed up on your referral {id}. Thank you.")
        }
        Message::ReportNumberRecorded { id } => {
            format!("The report number for {id} is recorded. Thank you.")
        }

        // ---- to staff ----
        Message::Offer {
            id,
            kind,
            location,
            agency,
            officer,
            after_hours,
            context,
        } => {
            let site = context.name_site.then_some(context.site.as_str());
            offer(*id, *kind, location, agency, officer, *after_hours, site)
        }
        Message::Assignment { id, brief } => field::assignment(*id, brief.as_ref()),
        Message::DeclineConfirmed { id } => format!("Passed on {id}."),
        Message::GiveBackConfirmed { id } => {
            format!("You gave {id} back; it is being offered to others.")
        }
        Message::NotDivertedRecorded { id, code } => field::not_diverted_recorded(*id, *code),
        Message::EtaPassed { id, minutes } => field::eta_passed(*id, *minutes),
        Message::LateAlert {
            id,
            first_name,
            site,
        } => field::late_alert(*id, first_name, site),
        Message::IntakeReminder { id, due } => field::intake_reminder(*id, due),
        Message::IntakeOverdueAlert {
            id,
            first_name,
            due,
        } => field::intake_overdue_alert(*id, first_name, due),
        Message::IntakeRecorded { id } => format!("Intake for {id} is recorded. Thank you."),
        Message::FollowUpTaken { id } => field::follow_up_taken(*id),
        Message::FollowUpTakenByOther { id, first_name } => {
            field::follow_up_taken_by_other(*id, first_name)
        }
        Message::FollowedUpConfirmed { id } => {
            format!("The follow-up of {id} is recorded as done. Thank you.")
        }
        Message::FollowUpDigest { site, items } => field::follow_up_digest(site, items),
        Message::FollowUps { items } => field::follow_ups(items),
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
        Message::NotGettingThrough {
            id,
            to,
            for_officer,
        } => field::not_getting_through(*id, to, *for_officer),
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
        Message::NotRegistered { contact } => field::not_registered(contact.as_deref()),
        Message::OptedOut => {
            "You are unsubscribed and will get no more texts. Reply START to resume.".to_owned()
        }
        Message::OptedIn => {
            "You are subscribed again. Reply HELP for commands, STOP to opt out.".to_owned()
        }
        Message::Problem { id, problem, open } => problems::problem_text(*id, *problem, open),
        Message::Status { lines } => status(lines),
        Message::OnDutyNow { sites } => on_duty_now(sites),
    }
}

/// ` (at most 15 min)`: how long a search can take, or nothing if unknown.
fn at_most(search_minutes: Option<u32>) -> String {
    match search_minutes {
        Some(minutes) if minutes > 0 => format!(" (at most {})", duration(minutes)),
        _ => String::new(),
    }
}

/// The officer's receipt, in one segment.
fn received(
    id: HandoffId,
    kind: HandoffKind,
    location: &str,
    search_minutes: Option<u32>,
    center: Option<&str>,
) -> String {
    let head = format!("Got it: hand-off {id} ({})", kind.label());
    let location = inline(location);
    let tail = centers::receipt_tail(id, &head, &location, &at_most(search_minutes), center);
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
    center: Option<&str>,
) -> String {
    match kind {
        HandoffKind::ArrestDiversion => {
            let closed = match next_opening {
                Some(at) => format!("Case management is closed; it opens {}.", day_and_clock(at)),
                None => "Case management is closed, with no opening scheduled.".to_owned(),
            };
            centers::out_of_hours_offer(id, &closed, center).unwrap_or_else(|| {
                format!(
                    "{id}: {closed} To refer this person for follow-up, reply REFER with place \
                     and notes."
                )
            })
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

/// One line per hand-off: `4821 arrest diversion: Dana on the way, ETA 10:47 AM`;
/// for staff, a second with the request (`at 5th & Main (Allegheny County), Ofc.
/// Rivera (Metro PD)`).
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
                "not_diverted" => "closed without a diversion".to_owned(),
                "dropping_off" => "on the way to a diversion center".to_owned(),
                "checked_in" => "checked in at a diversion center".to_owned(),
                other => inline(other).replace('_', " "),
            };
            let head = format!("{} {}: {state}", line.id, line.kind.label());
            match &line.brief {
                Some(brief) => format!("{head}\nat {}", field::request(brief)),
                None => head,
            }
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
mod fixtures;

#[cfg(test)]
mod tests;

#[cfg(test)]
mod field_tests;

#[cfg(test)]
mod centers_tests;

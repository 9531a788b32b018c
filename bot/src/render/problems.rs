//! The words of a refused command ([`Problem`]): one sentence saying what was
//! wrong and what to send instead, naming the hand-off when the command named
//! one, and listing the sender's open hand-offs when that helps them say which.

use handoff_dispatcher::HandoffId;
use handoff_dispatcher::message::{Named, Problem};
use handoff_dispatcher::outcome::{MAX_REPORT_NUMBER, NotDivertedCode};

use super::list;

/// The ETA shown as an example, when the range allows it.
const EXAMPLE_ETA: u32 = 15;

pub(super) fn problem_text(id: Option<HandoffId>, problem: Problem, open: &[HandoffId]) -> String {
    if let Problem::NameTheHandoff { command } = problem {
        return name_the_handoff(id, command, open);
    }
    let said = said(id, problem);
    if open.is_empty() {
        said
    } else {
        format!("{said} You have {} open.", list(open))
    }
}

/// Every problem but [`Problem::NameTheHandoff`], as one sentence.
fn said(id: Option<HandoffId>, problem: Problem) -> String {
    let it = id.map_or_else(|| "that hand-off".to_owned(), |id| id.to_string());
    let it_first = id.map_or_else(|| "That hand-off".to_owned(), |id| id.to_string());
    // Problems that do not mention the hand-off in their sentence name it in front.
    let tag = id.map_or_else(String::new, |id| format!("{id}: "));
    // Examples name the hand-off when the command did.
    let with_id = |command: &str| match id {
        Some(id) => format!("{command} {id}"),
        None => command.to_owned(),
    };
    match problem {
        Problem::NotUnderstood => {
            format!("{tag}Sorry, I did not understand that: reply HELP for the commands.")
        }
        Problem::UnknownHandoff => match id {
            Some(id) => format!("There is no hand-off {id}."),
            None => "There is no hand-off with that number.".to_owned(),
        },
        Problem::NameTheHandoff { command } => name_the_handoff(id, command, &[]),
        Problem::NothingOpen => format!("{tag}You have no open hand-off this could apply to."),
        Problem::NotOffered => format!("{it_first} was not offered to you."),
        Problem::NotYours => format!("{it_first} is not assigned to you."),
        Problem::NotRequester => format!("{it_first} was requested by another officer."),
        Problem::NotYetAccepted => format!("Nobody has accepted {it} yet."),
        Problem::Closed => format!("{it_first} is already closed."),
        Problem::BadEta => {
            format!("{tag}Send ETA and the minutes until you arrive, e.g. ETA {EXAMPLE_ETA}.")
        }
        Problem::EtaOutOfRange { max: 0 } => {
            format!("{tag}No ETA can be taken now: the time to arrive is up.")
        }
        Problem::EtaOutOfRange { max } => format!(
            "{tag}Send an ETA from 1 to {max} minutes, e.g. ETA {}.",
            max.min(EXAMPLE_ETA)
        ),
        Problem::BadOutcome => format!(
            "{tag}Say why with one of {}, e.g. {} left.",
            outcome_codes(),
            with_id("NOTDIVERTED")
        ),
        Problem::BadReportNumber => format!(
            "{tag}Send the report number as written (up to {MAX_REPORT_NUMBER} letters, digits, \
             - / or .), e.g. {} 2026-001234.",
            with_id("RPT")
        ),
        Problem::NoFollowUp => format!("{it_first} has no follow-up waiting."),
        Problem::NoIntake => format!("{it_first} has no intake to record."),
        Problem::AlreadyArrived => format!(
            "{it_first}: the case manager is already there, so it cannot go to a center now."
        ),
        Problem::AlreadyDroppingOff => format!("{it_first} is already on its way to a center."),
        Problem::NotDroppingOff => format!("{it_first} was not dropped off at a center."),
        Problem::NotCenterStaff => {
            format!("{it_first} was dropped off at a center you are not staff of.")
        }
        Problem::CannotHandle => format!(
            "{tag}Sorry, this could not be handled: please reach case management the way you usually would."
        ),
    }
}

/// `declined, ineligible, left, medical, booked or other`.
fn outcome_codes() -> String {
    let names: Vec<&str> = NotDivertedCode::ALL.iter().map(|c| c.name()).collect();
    match names.split_last() {
        Some((last, rest)) if !rest.is_empty() => format!("{} or {last}", rest.join(", ")),
        _ => names.join(""),
    }
}

/// "You have 4821 and 4822 open: say which, e.g. Y4821."
fn name_the_handoff(id: Option<HandoffId>, command: Named, open: &[HandoffId]) -> String {
    let tag = id.map_or_else(String::new, |id| format!("{id}: "));
    match open.first() {
        Some(first) => format!(
            "You have {} open: say which, e.g. {}.",
            list(open),
            example(command, &first.to_string())
        ),
        None => format!(
            "{tag}You have more than one hand-off open: say which, e.g. {}.",
            example(command, "<number>")
        ),
    }
}

/// The command the sender meant, naming hand-off `n`.
fn example(command: Named, n: &str) -> String {
    match command {
        Named::Accept => format!("Y{n}"),
        Named::Decline => format!("N{n}"),
        Named::Eta => format!("ETA {n} {EXAMPLE_ETA}"),
        Named::Arrived => format!("ARRIVED {n}"),
        Named::Done => format!("DONE {n}"),
        Named::Cancel => format!("CANCEL {n}"),
        Named::Message => format!("#{n} your message"),
        Named::GiveBack => format!("BACK {n}"),
        Named::NotDiverted => format!("NOTDIVERTED {n} left"),
        Named::Intake => format!("INTAKE {n}"),
        Named::ReportNumber => format!("RPT {n} <report number>"),
        Named::FollowedUp => format!("FOLLOWED {n}"),
        Named::DropOff => format!("DROPOFF {n}"),
        Named::CheckIn => format!("CHECKIN {n}"),
    }
}

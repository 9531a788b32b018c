//! The table tests of the SMS grammar: every accepted form, and the texts that only
//! look like commands. The builders of expected commands and the keyword list live
//! here; the tables are in the submodules, one per family of commands.

use handoff_dispatcher::conversation::Placement;
use handoff_dispatcher::{HandoffId, HandoffKind};

use crate::sms::grammar::{Command, parse};

mod carrier;
mod properties;
mod relay;
mod requests;
mod staff;

pub(super) fn id(n: u32) -> Option<HandoffId> {
    Some(HandoffId::new(n))
}

pub(super) fn text(s: &str) -> Command {
    Command::Text {
        id: None,
        text: s.to_owned(),
    }
}

fn relay_to(n: u32, s: &str) -> Command {
    Command::Text {
        id: id(n),
        text: s.to_owned(),
    }
}

fn lead(s: &str) -> Command {
    Command::Request {
        kind: HandoffKind::ArrestDiversion,
        text: s.to_owned(),
        placement: Placement::default(),
    }
}

fn refer(s: &str) -> Command {
    Command::Request {
        kind: HandoffKind::SocialContactReferral,
        text: s.to_owned(),
        placement: Placement::default(),
    }
}

fn cancel(n: Option<u32>, reason: Option<&str>) -> Command {
    Command::Cancel {
        id: n.map(HandoffId::new),
        reason: reason.map(str::to_owned),
    }
}

fn decline(n: Option<u32>, reason: Option<&str>) -> Command {
    Command::Decline {
        id: n.map(HandoffId::new),
        reason: reason.map(str::to_owned),
    }
}

pub(super) fn accept(n: Option<u32>) -> Command {
    Command::Accept {
        id: n.map(HandoffId::new),
        eta: None,
    }
}

pub(super) fn take(n: Option<u32>, eta: Option<u32>) -> Command {
    Command::Take {
        id: n.map(HandoffId::new),
        eta,
    }
}

fn eta(minutes: u32, n: Option<u32>) -> Command {
    Command::Eta {
        minutes,
        id: n.map(HandoffId::new),
    }
}

fn arrived(n: Option<u32>) -> Command {
    Command::Arrived {
        id: n.map(HandoffId::new),
    }
}

fn done(n: Option<u32>) -> Command {
    Command::Done {
        id: n.map(HandoffId::new),
    }
}

/// Checks every row and reports all mismatches at once.
pub(super) fn check(table: &[(&str, Command)]) {
    let wrong: Vec<String> = table
        .iter()
        .filter_map(|(input, expected)| {
            let got = parse(input);
            (got != *expected).then(|| format!("{input:?}: expected {expected:?}, got {got:?}"))
        })
        .collect();
    assert!(
        wrong.is_empty(),
        "{} of {} rows wrong:\n{}",
        wrong.len(),
        table.len(),
        wrong.join("\n")
    );
}

/// Keywords as a user types them: every word that opens a command.
pub(super) const KEYWORDS: [&str; 62] = [
    "STOP",
    "STOPALL",
    "UNSUBSCRIBE",
    "CANCEL",
    "END",
    "QUIT",
    "REVOKE",
    "OPTOUT",
    "START",
    "YES",
    "UNSTOP",
    "HELP",
    "INFO",
    "LEAD",
    "REFER",
    "STATUS",
    "WITHDRAW",
    "Y",
    "ACCEPT",
    "TAKE",
    "N",
    "NO",
    "PASS",
    "DECLINE",
    "ETA",
    "ARRIVED",
    "HERE",
    "ON",
    "ONSCENE",
    "DONE",
    "COMPLETE",
    "WHO",
    "BACK",
    "GIVE",
    "GIVEBACK",
    "NOTDIVERTED",
    "ND",
    "NOT",
    "FOLLOWUP",
    "FOLLOWUPS",
    "FOLLOW",
    "FOLLOWED",
    "INTAKE",
    "RPT",
    "REPORT",
    "DROPOFF",
    "DROP",
    "CHECKIN",
    "CHECK",
    // Not keywords, but close enough to be worth feeding to the fuzzer.
    "Y4821",
    "#4821",
    "4821:",
    "ON SCENE",
    "ETA 15",
    "N4821",
    "Y4821 20",
    "GIVE BACK",
    "NOT DIVERTED",
    "FOLLOWED UP",
    "RPT 4821",
    "DROP OFF",
    "CHECK IN",
];

//! Help and refusals: each audience's help, the unregistered number, the opt-out,
//! and problems that name the hand-off and list the open ones.

use handoff_dispatcher::message::{Audience, Named, Problem};
use handoff_dispatcher::{HandoffId, Message};

use crate::render::fixtures::{all_named, all_problems, id};
use crate::render::{SEGMENT, septets, sms};

/// Help lists every command a person may send, in three segments at most.
const MAX_HELP: usize = 3 * 153;

#[test]
fn officer_help_lists_the_officer_commands_and_the_privacy_reminder() {
    let text = sms(&Message::Help {
        audience: Audience::Officer,
    });
    for needle in [
        "LEAD <place, what happened>",
        "REFER <place, notes>",
        "LEAD @Name",
        "STATUS",
        "RPT <number>",
        "NOTDIVERTED <number>",
        "CANCEL <number>",
        "DROPOFF <number>",
        "reason",
        "Do not text names or dates of birth.",
    ] {
        assert!(text.contains(needle), "{needle} missing: {text}");
    }
    assert!(septets(&text) <= MAX_HELP, "{} septets", septets(&text));
}

#[test]
fn staff_help_lists_the_staff_commands() {
    let text = sms(&Message::Help {
        audience: Audience::Staff,
    });
    for needle in [
        "Y<number>",
        "N<number>",
        "ETA <min>",
        "ARRIVED",
        "DONE",
        "BACK <number>",
        "NOTDIVERTED <number>",
        "FOLLOWUP",
        "TAKE <number>",
        "FOLLOWED <number>",
        "INTAKE <number>",
        "CHECKIN <number>",
        "WHO",
    ] {
        assert!(text.contains(needle), "{needle} missing: {text}");
    }
    assert!(septets(&text) <= MAX_HELP, "{} septets", septets(&text));
}

#[test]
fn an_unregistered_number_gets_one_short_line() {
    let text = sms(&Message::NotRegistered { contact: None });
    assert!(!text.contains('\n'));
    assert!(text.contains("not registered") && text.contains("program coordinator"));
    assert!(septets(&text) <= SEGMENT);
}

#[test]
fn an_opt_out_is_confirmed_with_how_to_resume() {
    let text = sms(&Message::OptedOut);
    assert!(
        text.contains("no more texts") && text.contains("Reply START"),
        "{text}"
    );
}

#[test]
fn naming_the_hand_off_lists_the_open_ones_with_the_command_that_was_meant() {
    let cases = [
        (Named::Accept, "Y4821"),
        (Named::Decline, "N4821"),
        (Named::Eta, "ETA 4821 15"),
        (Named::Arrived, "ARRIVED 4821"),
        (Named::Done, "DONE 4821"),
        (Named::Cancel, "CANCEL 4821"),
        (Named::Message, "#4821 your message"),
        (Named::GiveBack, "BACK 4821"),
        (Named::NotDiverted, "NOTDIVERTED 4821 left"),
        (Named::Intake, "INTAKE 4821"),
        (Named::ReportNumber, "RPT 4821 <report number>"),
        (Named::FollowedUp, "FOLLOWED 4821"),
        (Named::DropOff, "DROPOFF 4821"),
        (Named::CheckIn, "CHECKIN 4821"),
    ];
    for named in all_named() {
        assert!(
            cases.iter().any(|(command, _)| *command == named),
            "{named:?} has no example here"
        );
    }
    for (command, example) in cases {
        let message = Message::Problem {
            id: None,
            problem: Problem::NameTheHandoff { command },
            open: vec![id(), HandoffId::new(4822)],
        };
        assert_eq!(
            sms(&message),
            format!("You have 4821 and 4822 open: say which, e.g. {example}.")
        );
        // The example is itself a command that names the hand-off.
        use crate::sms::grammar::{Command, parse};
        let parsed = parse(&example.replace("your message", "he is calm"));
        let named = match &parsed {
            Command::Accept { id, .. }
            | Command::Decline { id, .. }
            | Command::Eta { id, .. }
            | Command::Arrived { id }
            | Command::Done { id }
            | Command::Cancel { id, .. }
            | Command::GiveBack { id, .. }
            | Command::NotDiverted { id, .. }
            | Command::Intake { id }
            | Command::ReportNumber { id, .. }
            | Command::FollowedUp { id, .. }
            | Command::DropOff { id, .. }
            | Command::CheckIn { id }
            | Command::Text { id, .. } => *id,
            _ => None,
        };
        assert_eq!(named, Some(id()), "{example} parses as {parsed:?}");
    }
}

#[test]
fn every_problem_is_one_sentence_and_lists_the_open_hand_offs() {
    for problem in all_problems() {
        let alone = sms(&Message::Problem {
            id: None,
            problem,
            open: Vec::new(),
        });
        let sentences = alone.replace("e.g.", "eg").matches(". ").count() + 1;
        assert_eq!(sentences, 1, "{problem:?}: {alone}");
        assert!(alone.ends_with('.'), "{problem:?}: {alone}");
        let with_open = sms(&Message::Problem {
            id: Some(id()),
            problem,
            open: vec![
                HandoffId::new(4822),
                HandoffId::new(4823),
                HandoffId::new(4824),
            ],
        });
        assert!(
            with_open.contains("4822, 4823 and 4824"),
            "{problem:?}: {with_open}"
        );
    }
}

#[test]
fn problems_name_the_hand_off_they_are_about() {
    let text = |problem| {
        sms(&Message::Problem {
            id: Some(id()),
            problem,
            open: Vec::new(),
        })
    };
    assert_eq!(text(Problem::Closed), "4821 is already closed.");
    assert_eq!(text(Problem::NotYours), "4821 is not assigned to you.");
    assert_eq!(text(Problem::UnknownHandoff), "There is no hand-off 4821.");
    assert!(text(Problem::BadEta).contains("ETA 15"));
}

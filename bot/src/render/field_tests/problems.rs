//! The problems of the field commands: ranges and codes given, the hand-off named,
//! and examples the grammar takes.

use handoff_dispatcher::message::Problem;
use handoff_dispatcher::outcome::NotDivertedCode;
use handoff_dispatcher::{HandoffId, Message};

use crate::render::fixtures::id;
use crate::render::sms;
use crate::sms::grammar::{Command, parse};

fn problem(id: Option<HandoffId>, problem: Problem) -> String {
    sms(&Message::Problem {
        id,
        problem,
        open: Vec::new(),
    })
}

#[test]
fn an_eta_out_of_range_gives_the_range_and_a_fitting_example() {
    assert_eq!(
        problem(Some(id()), Problem::EtaOutOfRange { max: 45 }),
        "4821: Send an ETA from 1 to 45 minutes, e.g. ETA 15."
    );
    assert!(problem(None, Problem::EtaOutOfRange { max: 5 }).ends_with("e.g. ETA 5."));
    assert!(problem(None, Problem::BadEta).ends_with("e.g. ETA 15."));
    assert!(!problem(None, Problem::BadEta).contains("600"));
}

#[test]
fn a_bad_outcome_lists_every_code() {
    let text = problem(Some(id()), Problem::BadOutcome);
    for code in NotDivertedCode::ALL {
        assert!(text.contains(code.name()), "{code} missing: {text}");
    }
}

#[test]
fn no_follow_up_and_no_intake_name_the_hand_off() {
    assert_eq!(
        problem(Some(id()), Problem::NoFollowUp),
        "4821 has no follow-up waiting."
    );
    assert_eq!(
        problem(Some(id()), Problem::NoIntake),
        "4821 has no intake to record."
    );
}

#[test]
fn the_examples_problems_give_are_commands_the_grammar_takes() {
    let example = |text: &str| {
        let (_, after) = text
            .rsplit_once("e.g. ")
            .unwrap_or_else(|| panic!("no example in {text}"));
        parse(after.trim_end_matches('.'))
    };
    match example(&problem(Some(id()), Problem::BadOutcome)) {
        Command::NotDiverted {
            id: named, code, ..
        } => {
            assert_eq!((named, code), (Some(id()), Some(NotDivertedCode::Left)));
        }
        other => panic!("{other:?}"),
    }
    match example(&problem(Some(id()), Problem::BadReportNumber)) {
        Command::ReportNumber { id: named, number } => {
            assert_eq!(named, Some(id()));
            assert!(number.is_some());
        }
        other => panic!("{other:?}"),
    }
    match example(&problem(None, Problem::BadReportNumber)) {
        Command::ReportNumber { id: None, number } => assert!(number.is_some()),
        other => panic!("{other:?}"),
    }
    match example(&problem(None, Problem::EtaOutOfRange { max: 30 })) {
        Command::Eta { minutes: 15, .. } => {}
        other => panic!("{other:?}"),
    }
}

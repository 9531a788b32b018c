//! The table tests of the field workflow's words: an accept with an ETA, BACK,
//! NOTDIVERTED, the follow-up queue, INTAKE and RPT, and the texts that only look
//! like them.

use handoff_dispatcher::outcome::{NotDivertedCode, ReportNumber};
use proptest::prelude::*;

use super::tests::{accept, check, id, take, text};
use super::{Command, parse};
use handoff_dispatcher::conversation::Placement;
use handoff_dispatcher::{HandoffId, HandoffKind};

fn accept_eta(n: u32, minutes: u32) -> Command {
    Command::Accept {
        id: id(n),
        eta: Some(minutes),
    }
}

fn give_back(n: Option<u32>, reason: Option<&str>) -> Command {
    Command::GiveBack {
        id: n.map(HandoffId::new),
        reason: reason.map(str::to_owned),
    }
}

fn not_diverted(n: Option<u32>, code: Option<NotDivertedCode>, note: Option<&str>) -> Command {
    Command::NotDiverted {
        id: n.map(HandoffId::new),
        code,
        note: note.map(str::to_owned),
    }
}

fn followed(n: Option<u32>, note: Option<&str>) -> Command {
    Command::FollowedUp {
        id: n.map(HandoffId::new),
        note: note.map(str::to_owned),
    }
}

fn intake(n: Option<u32>) -> Command {
    Command::Intake {
        id: n.map(HandoffId::new),
    }
}

fn report(n: Option<u32>, number: Option<&str>) -> Command {
    Command::ReportNumber {
        id: n.map(HandoffId::new),
        number: number.map(|text| ReportNumber::parse(text).unwrap_or_else(|e| panic!("{e}"))),
    }
}

#[test]
fn an_accept_naming_the_hand_off_may_carry_the_minutes_until_arrival() {
    check(&[
        ("Y4821 20", accept_eta(4821, 20)),
        ("Y 4821 20", accept_eta(4821, 20)),
        ("y4821 20 min", accept_eta(4821, 20)),
        ("Y4821 20min.", accept_eta(4821, 20)),
        ("Y4821, 20 mins", accept_eta(4821, 20)),
        ("Y4821 ~20", accept_eta(4821, 20)),
        ("ACCEPT 4821 15m", accept_eta(4821, 15)),
        ("accept #4821 45 minutes", accept_eta(4821, 45)),
        ("TAKE 4821 20", take(Some(4821), Some(20))),
        ("YES 4821 20", accept_eta(4821, 20)),
        ("y#12 5", accept_eta(12, 5)),
        ("Y4821 1000 min", accept_eta(4821, 1000)),
    ]);
}

#[test]
fn accept_minutes_out_of_range_are_parsed_for_the_dispatcher_to_refuse() {
    check(&[
        ("Y4821 0", accept_eta(4821, 0)),
        ("Y4821 999", accept_eta(4821, 999)),
    ]);
}

#[test]
fn minutes_without_an_id_name_the_hand_off_or_are_no_accept() {
    check(&[
        ("Y 20", accept(Some(20))),
        ("Y20", accept(Some(20))),
        ("Y 20 min", text("Y 20 min")),
        ("take 20m", text("take 20m")),
    ]);
}

#[test]
fn an_accept_followed_by_anything_but_minutes_is_text() {
    check(&[
        ("Y 4821 4822", text("Y 4821 4822")),
        ("Y4821 -5", text("Y4821 -5")),
        ("Y4821 20 20", text("Y4821 20 20")),
        ("Y4821 20 on my way", text("Y4821 20 on my way")),
        ("Y4821 soon", text("Y4821 soon")),
        ("Y4821 20 hours", text("Y4821 20 hours")),
        ("Y4821 min", text("Y4821 min")),
        ("take care 20", text("take care 20")),
        ("Y4821 99999999999 min", text("Y4821 99999999999 min")),
    ]);
}

#[test]
fn back_gives_the_hand_off_back_with_an_optional_id_and_reason() {
    check(&[
        ("BACK", give_back(None, None)),
        ("back.", give_back(None, None)),
        ("BACK 4821", give_back(Some(4821), None)),
        ("back #4821", give_back(Some(4821), None)),
        ("BACK4821", give_back(Some(4821), None)),
        (
            "BACK 4821 car broke down",
            give_back(Some(4821), Some("car broke down")),
        ),
        (
            "back 4821: another call came in.",
            give_back(Some(4821), Some("another call came in.")),
        ),
        (
            "BACK car broke down",
            give_back(None, Some("car broke down")),
        ),
        (
            "BACK 2 calls at once",
            give_back(None, Some("2 calls at once")),
        ),
        ("GIVE BACK 4821", give_back(Some(4821), None)),
        ("give  back #4821 sick", give_back(Some(4821), Some("sick"))),
        ("Give back", give_back(None, None)),
        ("GIVEBACK 4821", give_back(Some(4821), None)),
        ("giveback", give_back(None, None)),
    ]);
}

#[test]
fn a_sentence_opening_with_back_is_a_give_back_for_the_dispatcher_to_read() {
    // The parser does not know who wrote it: the dispatcher relays an officer's
    // give-back as a message.
    check(&[
        ("back in 5 min", give_back(None, Some("in 5 min"))),
        ("Back door, please!", give_back(None, Some("door, please!"))),
    ]);
}

#[test]
fn words_that_only_begin_with_back_or_give_are_text() {
    check(&[
        ("backup is on the way", text("backup is on the way")),
        ("back-up is on the way", text("back-up is on the way")),
        ("backed out of the lot", text("backed out of the lot")),
        ("give him a minute", text("give him a minute")),
        ("giving back his phone", text("giving back his phone")),
        ("give", text("give")),
    ]);
}

#[test]
fn staff_cancel_stays_a_cancel_for_the_dispatcher_to_turn_into_a_give_back() {
    check(&[(
        "CANCEL 4821 flat tire",
        Command::Cancel {
            id: id(4821),
            reason: Some("flat tire".to_owned()),
        },
    )]);
}

#[test]
fn not_diverted_reads_the_outcome_code_and_keeps_a_note() {
    use NotDivertedCode::{Booked, Declined, Ineligible, Left, Medical, Other};
    check(&[
        (
            "NOTDIVERTED 4821 left",
            not_diverted(Some(4821), Some(Left), None),
        ),
        (
            "notdiverted #4821 declined, wants to go home",
            not_diverted(Some(4821), Some(Declined), Some("wants to go home")),
        ),
        (
            "NOT DIVERTED 4821 ran",
            not_diverted(Some(4821), Some(Left), None),
        ),
        (
            "not-diverted 4821 EMS",
            not_diverted(Some(4821), Some(Medical), None),
        ),
        ("ND 4821 left", not_diverted(Some(4821), Some(Left), None)),
        (
            "nd4821 booked.",
            not_diverted(Some(4821), Some(Booked), None),
        ),
        ("NOTDIVERTED left", not_diverted(None, Some(Left), None)),
        ("ND refused", not_diverted(None, Some(Declined), None)),
        (
            "NOTDIVERTED 4821 not eligible: prior charge",
            not_diverted(Some(4821), Some(Ineligible), Some("prior charge")),
        ),
        ("ND 4821 jail", not_diverted(Some(4821), Some(Booked), None)),
        (
            "ND 4821 hospital",
            not_diverted(Some(4821), Some(Medical), None),
        ),
        ("ND 4821 other", not_diverted(Some(4821), Some(Other), None)),
    ]);
}

#[test]
fn not_diverted_without_a_known_code_has_none_for_the_dispatcher_to_ask() {
    check(&[
        ("NOTDIVERTED", not_diverted(None, None, None)),
        ("NOTDIVERTED 4821", not_diverted(Some(4821), None, None)),
        (
            "NOTDIVERTED 4821 maybe later",
            not_diverted(Some(4821), None, Some("maybe later")),
        ),
        ("not diverted", not_diverted(None, None, None)),
        ("ND 12 left", not_diverted(None, None, Some("12 left"))),
    ]);
}

#[test]
fn words_that_only_begin_with_not_or_nd_are_text() {
    check(&[
        ("not now", text("not now")),
        ("Not yet, 5 min", text("Not yet, 5 min")),
        ("not divertable", text("not divertable")),
        ("nd", not_diverted(None, None, None)),
        ("NDA signed", text("NDA signed")),
        ("notdiverted's", text("notdiverted's")),
    ]);
}

#[test]
fn followup_alone_lists_the_follow_ups() {
    check(&[
        ("FOLLOWUP", Command::FollowUps),
        ("followups", Command::FollowUps),
        ("Follow up?", Command::FollowUps),
        ("follow-up", Command::FollowUps),
        ("FOLLOW UPS", Command::FollowUps),
        ("followup 4821", text("followup 4821")),
        (
            "follow up with him tomorrow",
            text("follow up with him tomorrow"),
        ),
        ("follow me", text("follow me")),
        ("follow", text("follow")),
    ]);
}

#[test]
fn followed_closes_a_follow_up_with_an_optional_note() {
    check(&[
        ("FOLLOWED 4821", followed(Some(4821), None)),
        (
            "followed #4821 left a card",
            followed(Some(4821), Some("left a card")),
        ),
        ("FOLLOWED UP 4821", followed(Some(4821), None)),
        (
            "followed up 4821, housing appt Tue",
            followed(Some(4821), Some("housing appt Tue")),
        ),
        ("FOLLOWED", followed(None, None)),
        ("Followed up.", followed(None, None)),
        (
            "followed up, he is at the shelter",
            followed(None, Some("he is at the shelter")),
        ),
        ("followed him to the bus", text("followed him to the bus")),
        ("followed-up", followed(None, None)),
    ]);
}

#[test]
fn intake_alone_or_with_done_and_an_id_records_intake() {
    check(&[
        ("INTAKE", intake(None)),
        ("intake 4821", intake(Some(4821))),
        ("Intake #4821.", intake(Some(4821))),
        ("INTAKE DONE", intake(None)),
        ("intake done 4821", intake(Some(4821))),
        ("intake is tomorrow", text("intake is tomorrow")),
        ("INTAKE 4821 tomorrow", text("INTAKE 4821 tomorrow")),
        ("intakes", text("intakes")),
    ]);
}

#[test]
fn rpt_takes_an_id_and_a_report_number_or_the_number_alone() {
    check(&[
        (
            "RPT 4821 2026-001234",
            report(Some(4821), Some("2026-001234")),
        ),
        ("rpt #4821 26/4512.1", report(Some(4821), Some("26/4512.1"))),
        (
            "RPT 4821 2026001234",
            report(Some(4821), Some("2026001234")),
        ),
        (
            "REPORT 4821 mpd-26-0042.",
            report(Some(4821), Some("MPD-26-0042")),
        ),
        ("RPT 4821: 26-42", report(Some(4821), Some("26-42"))),
        ("RPT 2026-001234", report(None, Some("2026-001234"))),
        ("RPT: 2026-001234", report(None, Some("2026-001234"))),
        ("rpt 4821", report(None, Some("4821"))),
        ("report 26-0042", report(None, Some("26-0042"))),
    ]);
}

#[test]
fn rpt_without_a_valid_report_number_has_none_for_the_dispatcher_to_ask() {
    check(&[
        ("RPT", report(None, None)),
        ("RPT #4821", report(Some(4821), None)),
        ("RPT 4821 ABC", report(Some(4821), None)),
        ("RPT 4821 26;42", report(Some(4821), None)),
        ("RPT 4821 2026 001234", report(Some(4821), None)),
        ("RPT pending", report(None, None)),
        ("RPT not yet filed", report(None, None)),
        ("REPORT", report(None, None)),
        ("report 4821 is being written", report(Some(4821), None)),
    ]);
}

#[test]
fn report_as_an_everyday_word_is_text() {
    check(&[
        ("report filed, no arrest", text("report filed, no arrest")),
        ("Report is done", text("Report is done")),
        ("REPORT pending", text("REPORT pending")),
        ("reported to the desk", text("reported to the desk")),
        ("report's in", text("report's in")),
    ]);
}

#[test]
fn a_request_may_ask_for_someone_by_name_the_grammar_keeps_it_in_the_text() {
    check(&[(
        "LEAD @Priya 5th & Main",
        Command::Request {
            kind: HandoffKind::ArrestDiversion,
            text: "@Priya 5th & Main".to_owned(),
            placement: Placement::default(),
        },
    )]);
}

proptest! {
    #[test]
    fn y_with_an_id_and_minutes_accepts_with_that_eta(
        n in 1u32..=999_999_999,
        minutes in 0u32..=999,
    ) {
        prop_assert_eq!(parse(&format!("Y{n} {minutes}")), accept_eta(n, minutes));
        prop_assert_eq!(
            parse(&format!("take #{n} {minutes} min")),
            take(Some(n), Some(minutes))
        );
    }

    #[test]
    fn every_outcome_code_name_closes_without_a_diversion(
        n in 1000u32..=999_999_999,
        index in 0usize..NotDivertedCode::ALL.len(),
    ) {
        let code = NotDivertedCode::ALL[index];
        prop_assert_eq!(
            parse(&format!("NOTDIVERTED {n} {}", code.name())),
            not_diverted(Some(n), Some(code), None)
        );
        prop_assert_eq!(
            parse(&format!("nd {}", code.name().to_uppercase())),
            not_diverted(None, Some(code), None)
        );
    }
}

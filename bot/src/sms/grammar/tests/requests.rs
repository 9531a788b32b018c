//! Requests and the commands about them: LEAD and REFER, STATUS and WHO, CANCEL
//! and WITHDRAW, and the words that only begin like them.

use handoff_dispatcher::HandoffKind;

use super::{cancel, check, lead, refer, text};
use crate::sms::grammar::Command;

#[test]
fn lead_and_refer_open_requests_with_the_text_as_written() {
    check(&[
        (
            "LEAD 5th & Main, retail theft",
            lead("5th & Main, retail theft"),
        ),
        ("lead 5th & Main", lead("5th & Main")),
        ("Lead Pike Pl Market", lead("Pike Pl Market")),
        ("LEAD: 5th & Main", lead("5th & Main")),
        ("LEAD:5th & Main", lead("5th & Main")),
        ("lead - 5th & Main", lead("5th & Main")),
        ("lead -- 5th & Main", lead("5th & Main")),
        ("LEAD, 5th & Main", lead("5th & Main")),
        ("LEAD \u{2014} 5th & Main", lead("5th & Main")),
        (
            "REFER Pine St shelter, asked for help",
            refer("Pine St shelter, asked for help"),
        ),
        ("refer: Pine St", refer("Pine St")),
        ("Refer - under the bridge", refer("under the bridge")),
    ]);
}

#[test]
fn request_text_is_trimmed_and_its_whitespace_collapsed_but_never_upper_cased() {
    check(&[
        (
            "  LEAD   5th  &  Main,   retail theft  ",
            lead("5th & Main, retail theft"),
        ),
        (
            "LEAD 5th & Main\nretail theft",
            lead("5th & Main retail theft"),
        ),
        ("LEAD 5th & Main\r\n\r\n  theft", lead("5th & Main theft")),
        (
            "lead 5th & main, retail theft.",
            lead("5th & main, retail theft."),
        ),
        (
            "LEAD Caf\u{00E9} Ol\u{00E9}, 3rd Ave",
            lead("Caf\u{00E9} Ol\u{00E9}, 3rd Ave"),
        ),
        (
            "LEAD #12 bus stop (north side)",
            lead("#12 bus stop (north side)"),
        ),
        ("LEAD 4821 Rainier Ave S", lead("4821 Rainier Ave S")),
    ]);
}

#[test]
fn lead_or_refer_with_nothing_after_it_asks_for_a_location() {
    let without = |kind| Command::RequestWithoutLocation { kind };
    check(&[
        ("LEAD", without(HandoffKind::ArrestDiversion)),
        ("lead", without(HandoffKind::ArrestDiversion)),
        ("LEAD:", without(HandoffKind::ArrestDiversion)),
        ("lead -", without(HandoffKind::ArrestDiversion)),
        ("  Lead.  ", without(HandoffKind::ArrestDiversion)),
        ("LEAD ?", without(HandoffKind::ArrestDiversion)),
        ("LEAD: ...", without(HandoffKind::ArrestDiversion)),
        ("REFER", without(HandoffKind::SocialContactReferral)),
        ("refer!", without(HandoffKind::SocialContactReferral)),
    ]);
}

#[test]
fn words_that_only_begin_with_lead_or_refer_are_text() {
    check(&[
        ("LEADER of the group left", text("LEADER of the group left")),
        ("leading him out now", text("leading him out now")),
        ("lead's on the way?", text("lead's on the way?")),
        ("LEAD5th & Main", text("LEAD5th & Main")),
        ("referral sent", text("referral sent")),
        ("LEAD\u{00E9} 5th", text("LEAD\u{00E9} 5th")),
    ]);
}

#[test]
fn status_and_who_must_be_the_whole_message() {
    check(&[
        ("STATUS", Command::Status),
        ("status", Command::Status),
        ("Status?", Command::Status),
        (" status. ", Command::Status),
        ("status of 4821?", text("status of 4821?")),
        ("STATUS 4821", text("STATUS 4821")),
        ("WHO", Command::Who),
        ("who?", Command::Who),
        ("Who is coming?", text("Who is coming?")),
        ("whoever", text("whoever")),
    ]);
}

#[test]
fn cancel_with_an_id_or_a_reason_cancels_but_bare_cancel_opts_out() {
    check(&[
        ("CANCEL", Command::OptOut),
        ("CANCEL 4821", cancel(Some(4821), None)),
        ("cancel #4821", cancel(Some(4821), None)),
        ("Cancel 4821.", cancel(Some(4821), None)),
        (
            "CANCEL 4821 person left",
            cancel(Some(4821), Some("person left")),
        ),
        (
            "CANCEL #4821 person left",
            cancel(Some(4821), Some("person left")),
        ),
        (
            "cancel #4821: person left.",
            cancel(Some(4821), Some("person left.")),
        ),
        (
            "cancel 4821, he declined",
            cancel(Some(4821), Some("he declined")),
        ),
        (
            "cancel 4821 - he declined",
            cancel(Some(4821), Some("he declined")),
        ),
        ("CANCEL person left", cancel(None, Some("person left"))),
        ("cancel, he ran off", cancel(None, Some("he ran off"))),
        ("CANCEL 2 ran off", cancel(None, Some("2 ran off"))),
        ("cancel #12 ran off", cancel(Some(12), Some("ran off"))),
        ("cancel12", cancel(Some(12), None)),
        ("CANCEL4821", cancel(Some(4821), None)),
        (
            "cancel 4821   he   is\nfine",
            cancel(Some(4821), Some("he is fine")),
        ),
        ("cancel 4821 !!", cancel(Some(4821), None)),
        ("cancelled", text("cancelled")),
    ]);
}

#[test]
fn withdraw_cancels_with_or_without_an_id_and_reason() {
    check(&[
        ("WITHDRAW", cancel(None, None)),
        ("withdraw.", cancel(None, None)),
        ("WITHDRAW 4821", cancel(Some(4821), None)),
        (
            "withdraw #4821 situation changed",
            cancel(Some(4821), Some("situation changed")),
        ),
        (
            "Withdraw situation changed",
            cancel(None, Some("situation changed")),
        ),
    ]);
}

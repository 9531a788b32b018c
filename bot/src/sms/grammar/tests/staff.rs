//! A case manager's answers to an offer and a visit: accept, decline, ETA, arrived
//! and done, and the texts that only begin like them.

use super::{accept, arrived, check, decline, done, eta, take, text};
use crate::sms::grammar::Command;

#[test]
fn y_and_accept_forms_accept_with_or_without_an_id() {
    check(&[
        ("Y", accept(None)),
        ("y", accept(None)),
        ("Y4821", accept(Some(4821))),
        ("y4821", accept(Some(4821))),
        ("Y 4821", accept(Some(4821))),
        ("y#4821", accept(Some(4821))),
        ("Y #4821", accept(Some(4821))),
        (" y4821 ", accept(Some(4821))),
        ("Y4821.", accept(Some(4821))),
        ("Y4821!", accept(Some(4821))),
        ("y-4821", accept(Some(4821))),
        ("Y:4821", accept(Some(4821))),
        ("Y  4821", accept(Some(4821))),
        ("ACCEPT", accept(None)),
        ("accept 4821", accept(Some(4821))),
        ("Accept #4821", accept(Some(4821))),
        ("TAKE", take(None, None)),
        ("take 4821", take(Some(4821), None)),
        ("take #4821.", take(Some(4821), None)),
        ("YES 4821", accept(Some(4821))),
        ("yes #4821", accept(Some(4821))),
    ]);
}

#[test]
fn accept_followed_by_other_words_is_text() {
    check(&[
        ("Y not", text("Y not")),
        ("Yo", text("Yo")),
        ("Y4821 on my way", text("Y4821 on my way")),
        ("Y 4821 4822", text("Y 4821 4822")),
        ("take care", text("take care")),
        ("accept him?", text("accept him?")),
        ("Y'all ok?", text("Y'all ok?")),
        ("Y\u{00E9}", text("Y\u{00E9}")),
    ]);
}

#[test]
fn n_pass_and_decline_decline_with_an_optional_id_and_reason() {
    check(&[
        ("N", decline(None, None)),
        ("n", decline(None, None)),
        ("N.", decline(None, None)),
        ("N4821", decline(Some(4821), None)),
        ("n4821", decline(Some(4821), None)),
        ("N 4821", decline(Some(4821), None)),
        ("N#4821", decline(Some(4821), None)),
        ("N4821!", decline(Some(4821), None)),
        (
            "N4821 on another call",
            decline(Some(4821), Some("on another call")),
        ),
        (
            "N4821, on another call.",
            decline(Some(4821), Some("on another call.")),
        ),
        ("N on another call", decline(None, Some("on another call"))),
        ("N12", decline(Some(12), None)),
        ("PASS", decline(None, None)),
        ("pass 4821", decline(Some(4821), None)),
        ("pass #4821 too far", decline(Some(4821), Some("too far"))),
        ("Pass too far", decline(None, Some("too far"))),
        ("DECLINE", decline(None, None)),
        (
            "decline 4821 with a client",
            decline(Some(4821), Some("with a client")),
        ),
        (
            "Decline: with a client",
            decline(None, Some("with a client")),
        ),
    ]);
}

#[test]
fn no_declines_alone_or_with_an_id_but_a_sentence_starting_with_no_is_text() {
    check(&[
        ("NO", decline(None, None)),
        ("no", decline(None, None)),
        ("No.", decline(None, None)),
        ("NO!", decline(None, None)),
        ("NO 4821", decline(Some(4821), None)),
        ("no #4821 too far", decline(Some(4821), Some("too far"))),
        ("no, I'm busy", text("no, I'm busy")),
        ("No problem, see you soon", text("No problem, see you soon")),
        ("nope", text("nope")),
        ("Noel is with him", text("Noel is with him")),
    ]);
}

#[test]
fn eta_takes_minutes_with_or_without_a_unit() {
    check(&[
        ("ETA 15", eta(15, None)),
        ("eta 15", eta(15, None)),
        ("eta 15 min", eta(15, None)),
        ("ETA 15m", eta(15, None)),
        ("ETA 15 m", eta(15, None)),
        ("ETA 20 mins", eta(20, None)),
        ("ETA 20mins.", eta(20, None)),
        ("eta 1 minute", eta(1, None)),
        ("ETA 45 MINUTES", eta(45, None)),
        ("ETA: 15", eta(15, None)),
        ("ETA - 15", eta(15, None)),
        ("ETA ~15", eta(15, None)),
        ("ETA15", eta(15, None)),
        ("ETA 15.", eta(15, None)),
        ("ETA 600", eta(600, None)),
        ("  ETA   15   min  ", eta(15, None)),
    ]);
}

#[test]
fn eta_tells_the_id_from_the_minutes_by_hash_or_four_digits() {
    check(&[
        ("ETA 4821 15", eta(15, Some(4821))),
        ("ETA 15 #4821", eta(15, Some(4821))),
        ("ETA #4821 15", eta(15, Some(4821))),
        ("ETA 15 4821", eta(15, Some(4821))),
        ("ETA 15 min #4821", eta(15, Some(4821))),
        ("ETA 4821 15m", eta(15, Some(4821))),
        ("ETA 4821, 15 mins", eta(15, Some(4821))),
        ("eta #12 20", eta(20, Some(12))),
    ]);
}

#[test]
fn eta_without_a_usable_number_of_minutes_is_a_bad_eta() {
    check(&[
        ("ETA", Command::BadEta),
        ("eta?", Command::BadEta),
        ("ETA -5", Command::BadEta),
        ("eta \u{2212}5 min", Command::BadEta),
        ("ETA 1001 -5", Command::BadEta),
        ("ETA 4821", Command::BadEta),
        ("ETA #4821", Command::BadEta),
        ("ETA soon", Command::BadEta),
        ("ETA 15 20", Command::BadEta),
        ("ETA 4821 4822 15", Command::BadEta),
        ("ETA 15-20", Command::BadEta),
        ("ETA min", Command::BadEta),
        ("ETA 15 min min", Command::BadEta),
        ("ETA 15m min", Command::BadEta),
        ("ETA 1 hour", Command::BadEta),
        ("ETA 15 stuck in traffic", Command::BadEta),
        ("ETA 99999999999999999999", Command::BadEta),
        ("ETA #", Command::BadEta),
    ]);
}

#[test]
fn eta_minutes_out_of_range_are_parsed_for_the_dispatcher_to_refuse() {
    check(&[
        ("ETA 0", eta(0, None)),
        ("ETA 999", eta(999, None)),
        ("ETA 1000m", eta(1000, None)),
    ]);
}

#[test]
fn words_that_only_begin_with_eta_are_text() {
    check(&[
        ("ETAs are long tonight", text("ETAs are long tonight")),
        ("etaoin", text("etaoin")),
    ]);
}

#[test]
fn arrived_here_and_on_scene_mark_arrival_with_an_optional_id() {
    check(&[
        ("ARRIVED", arrived(None)),
        ("arrived", arrived(None)),
        ("Arrived.", arrived(None)),
        ("ARRIVED 4821", arrived(Some(4821))),
        ("arrived #4821", arrived(Some(4821))),
        ("HERE", arrived(None)),
        ("here!", arrived(None)),
        ("here 4821", arrived(Some(4821))),
        ("ON SCENE", arrived(None)),
        ("on scene", arrived(None)),
        ("On  scene.", arrived(None)),
        ("on-scene", arrived(None)),
        ("ONSCENE", arrived(None)),
        ("on scene 4821", arrived(Some(4821))),
        ("on scene #4821", arrived(Some(4821))),
    ]);
}

#[test]
fn done_and_complete_close_with_an_optional_id() {
    check(&[
        ("DONE", done(None)),
        ("Done.", done(None)),
        ("DONE!", done(None)),
        ("done", done(None)),
        ("DONE 4821", done(Some(4821))),
        ("done #4821.", done(Some(4821))),
        ("COMPLETE", done(None)),
        ("complete 4821", done(Some(4821))),
    ]);
}

//! The table tests of the SMS grammar: every accepted form, and the texts that only
//! look like commands.

use proptest::prelude::*;

use super::{Command, parse};
use handoff_dispatcher::conversation::Placement;
use handoff_dispatcher::{HandoffId, HandoffKind};

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

#[test]
fn carrier_opt_out_keywords_alone_opt_out_in_any_case() {
    check(&[
        ("STOP", Command::OptOut),
        ("stop", Command::OptOut),
        ("Stop", Command::OptOut),
        ("STOPALL", Command::OptOut),
        ("unsubscribe", Command::OptOut),
        ("CANCEL", Command::OptOut),
        ("cancel", Command::OptOut),
        ("End", Command::OptOut),
        ("quit", Command::OptOut),
        ("REVOKE", Command::OptOut),
        ("optout", Command::OptOut),
    ]);
}

#[test]
fn carrier_opt_in_and_help_keywords_alone_are_recognised() {
    check(&[
        ("START", Command::OptIn),
        ("yes", Command::OptIn),
        ("Yes", Command::OptIn),
        ("YES!", Command::OptIn),
        ("unstop", Command::OptIn),
        ("HELP", Command::Help),
        ("help", Command::Help),
        ("Info", Command::Help),
        ("help?", Command::Help),
    ]);
}

#[test]
fn carrier_keywords_ignore_surrounding_spaces_and_punctuation() {
    check(&[
        ("  STOP  ", Command::OptOut),
        ("STOP.", Command::OptOut),
        ("stop!!!", Command::OptOut),
        ("\"stop\"", Command::OptOut),
        ("Cancel.", Command::OptOut),
        ("cancel -", Command::OptOut),
        ("#stop", Command::OptOut),
        ("\u{201C}Stop\u{201D}", Command::OptOut),
        ("stop\u{2026}", Command::OptOut),
        ("\tquit\n", Command::OptOut),
        ("\u{00A0}end\u{00A0}", Command::OptOut),
    ]);
}

#[test]
fn carrier_keywords_inside_longer_texts_are_ordinary_text() {
    check(&[
        ("stop sign at 5th", text("stop sign at 5th")),
        ("STOP PLEASE", text("STOP PLEASE")),
        ("please stop", text("please stop")),
        ("stop stop", text("stop stop")),
        ("end of the block", text("end of the block")),
        ("quit it", text("quit it")),
        ("yes he is calm", text("yes he is calm")),
        ("Yes, on my way", text("Yes, on my way")),
        ("start the car", text("start the car")),
        ("help me find him", text("help me find him")),
        ("info on the way", text("info on the way")),
        ("HELP 4821", text("HELP 4821")),
        ("stopped at the light", text("stopped at the light")),
        ("STOP 4821", text("STOP 4821")),
    ]);
}

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

#[test]
fn no_argument_commands_followed_by_words_are_relayed_not_swallowed() {
    check(&[
        (
            "done with him, he is calm",
            text("done with him, he is calm"),
        ),
        ("Done. He is calm", text("Done. He is calm")),
        ("here he comes", text("here he comes")),
        ("here's the address", text("here's the address")),
        (
            "arrived at the wrong door",
            text("arrived at the wrong door"),
        ),
        ("on scene in 5", text("on scene in 5")),
        ("on my way", text("on my way")),
        ("on", text("on")),
        ("complete mess here", text("complete mess here")),
        ("DONE 4821 thanks", text("DONE 4821 thanks")),
        ("who knows", text("who knows")),
    ]);
}

#[test]
fn a_hash_or_colon_prefix_names_the_handoff_of_a_relay() {
    check(&[
        ("#4821 he is calm now", relay_to(4821, "he is calm now")),
        ("#4821: he is calm now", relay_to(4821, "he is calm now")),
        ("#4821, he is calm now", relay_to(4821, "he is calm now")),
        ("#4821 - he is calm now", relay_to(4821, "he is calm now")),
        ("4821: he is calm now", relay_to(4821, "he is calm now")),
        ("4821:he is calm now", relay_to(4821, "he is calm now")),
        (
            "  #4821   Back door, please  ",
            relay_to(4821, "Back door, please"),
        ),
        (
            "#4821 line one\nline two",
            relay_to(4821, "line one\nline two"),
        ),
        ("#12 he is calm", relay_to(12, "he is calm")),
    ]);
}

#[test]
fn numbers_that_are_not_a_relay_prefix_stay_in_the_text() {
    check(&[
        ("#4821", text("#4821")),
        ("4821:", text("4821:")),
        (
            "4821 Main St is the address",
            text("4821 Main St is the address"),
        ),
        ("10:45 works", text("10:45 works")),
        ("2: he is calm", text("2: he is calm")),
        ("#4821he", text("#4821he")),
        ("#1234567890 too long", text("#1234567890 too long")),
        ("# 4821 hi", text("# 4821 hi")),
    ]);
}

#[test]
fn other_text_is_relayed_trimmed_with_case_and_line_breaks_kept() {
    check(&[
        ("He is calm now", text("He is calm now")),
        ("  Front door, please!  ", text("Front door, please!")),
        ("line one\nline two", text("line one\nline two")),
        ("OK", text("OK")),
        ("?", text("?")),
        ("...", text("...")),
        ("#", text("#")),
        ("thanks", text("thanks")),
        ("12 min out", text("12 min out")),
    ]);
}

#[test]
fn empty_and_whitespace_only_bodies_are_empty() {
    check(&[
        ("", Command::Empty),
        (" ", Command::Empty),
        ("\n\t  \r\n", Command::Empty),
        ("\u{00A0}\u{2003}", Command::Empty),
    ]);
}

#[test]
fn unicode_input_is_parsed_without_panicking() {
    check(&[
        ("\u{1F44D}", text("\u{1F44D}")),
        ("\u{1F44D} done", text("\u{1F44D} done")),
        ("done \u{1F44D}", text("done \u{1F44D}")),
        ("Y\u{1F44D}", text("Y\u{1F44D}")),
        ("\u{00C9}TA 15", text("\u{00C9}TA 15")),
        ("e\u{0301}ta 15", text("e\u{0301}ta 15")),
        ("ETA \u{0661}\u{0665}", Command::BadEta),
        (
            "N \u{0645}\u{0631}\u{062D}\u{0628}\u{0627}",
            decline(None, Some("\u{0645}\u{0631}\u{062D}\u{0628}\u{0627}")),
        ),
        (
            "\u{05E9}\u{05DC}\u{05D5}\u{05DD}",
            text("\u{05E9}\u{05DC}\u{05D5}\u{05DD}"),
        ),
        ("LEAD \u{1F6A8} 5th", lead("\u{1F6A8} 5th")),
        ("#\u{1F44D}", text("#\u{1F44D}")),
        ("\u{FF01}stop\u{FF01}", Command::OptOut),
        ("\u{017F}top", text("\u{017F}top")),
        ("on sc\u{00E9}ne", text("on sc\u{00E9}ne")),
        ("on \u{1F44D}", text("on \u{1F44D}")),
        ("cancel \u{1F44D}", cancel(None, None)),
    ]);
}

#[test]
fn a_text_longer_than_ten_segments_is_kept_whole() {
    let long = format!("#4821 {}", "he is calm. ".repeat(200));
    let expected = long.trim().trim_start_matches("#4821 ").to_owned();
    assert!(expected.len() > 1600);
    assert_eq!(parse(&long), relay_to(4821, &expected));

    let request = format!("LEAD {}", "5th & Main ".repeat(200));
    match parse(&request) {
        Command::Request { text, .. } => {
            assert_eq!(text.len(), request.trim().len() - "LEAD ".len())
        }
        other => panic!("expected a request, got {other:?}"),
    }
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

proptest! {
    #[test]
    fn parse_never_panics_on_arbitrary_strings(body in any::<String>()) {
        let _ = parse(&body);
    }

    #[test]
    fn parse_never_panics_on_keywords_followed_by_anything(
        lead_in in "[ \t#.!\"]{0,3}",
        keyword in proptest::sample::select(KEYWORDS.to_vec()),
        glue in "[ #:,.\\-]{0,2}",
        tail in "\\PC{0,40}|[0-9# mM]{0,12}",
    ) {
        let _ = parse(&format!("{lead_in}{keyword}{glue}{tail}"));
        let _ = parse(&format!("{lead_in}{}{glue}{tail}", keyword.to_lowercase()));
    }

    #[test]
    fn text_not_starting_with_a_keyword_is_relayed_trimmed_and_unchanged(
        space in "\\s{0,3}",
        word in "[a-zA-Z]{1,10}",
        rest in "([^a-zA-Z]\\PC{0,60})?",
        end in "\\s{0,3}",
    ) {
        prop_assume!(!KEYWORDS.iter().any(|k| word.eq_ignore_ascii_case(k)));
        let body = format!("{space}{word}{rest}{end}");
        prop_assert_eq!(parse(&body), text(body.trim()));
    }

    #[test]
    fn y_followed_by_any_id_accepts_that_id(n in 1u32..=999_999_999) {
        let expected = accept(Some(n));
        prop_assert_eq!(parse(&format!("Y{n}")), expected.clone());
        prop_assert_eq!(parse(&format!("y#{n}")), expected.clone());
        prop_assert_eq!(parse(&format!(" Y {n}. ")), expected.clone());
        prop_assert_eq!(parse(&format!("ACCEPT #{}", HandoffId::new(n))), expected);
    }

    #[test]
    fn n_followed_by_any_id_declines_that_id(n in 1u32..=999_999_999) {
        prop_assert_eq!(parse(&format!("N{n}")), decline(Some(n), None));
        prop_assert_eq!(parse(&format!("n#{n} busy")), decline(Some(n), Some("busy")));
    }

    #[test]
    fn eta_accepts_every_minute_count_from_one_to_six_hundred(
        minutes in 1u32..=handoff_dispatcher::decide::MAX_ETA_MINUTES,
        n in 1000u32..=999_999_999,
    ) {
        prop_assert_eq!(parse(&format!("ETA {minutes}")), eta(minutes, None));
        prop_assert_eq!(parse(&format!("eta {minutes} min")), eta(minutes, None));
        prop_assert_eq!(parse(&format!("ETA {n} {minutes}")), eta(minutes, Some(n)));
        prop_assert_eq!(parse(&format!("ETA {minutes}m #{n}")), eta(minutes, Some(n)));
    }

    #[test]
    fn a_request_keeps_its_text_with_whitespace_collapsed(
        words in proptest::collection::vec("[\\p{L}\\p{N}][\\p{L}\\p{N}&,.']{0,8}", 1..8),
        gap in "\\s{1,3}",
    ) {
        let body = format!("LEAD{gap}{}", words.join(&gap));
        prop_assert_eq!(parse(&body), lead(&words.join(" ")));
    }

    #[test]
    fn a_hash_prefixed_relay_names_its_handoff(
        n in 1u32..=999_999_999,
        words in "[a-zA-Z][a-zA-Z ]{0,30}[a-zA-Z]",
    ) {
        prop_assert_eq!(parse(&format!("#{n} {words}")), relay_to(n, &words));
    }
}

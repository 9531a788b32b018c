//! Texts that are no command: relayed with or without a hand-off number, empty
//! bodies, Unicode, and texts longer than ten segments.

use super::{cancel, check, decline, lead, relay_to, text};
use crate::sms::grammar::{Command, parse};

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

//! The carrier keywords (opt out, opt in, help): alone in any case and punctuation,
//! and ordinary text when they are part of a longer message.

use super::{check, text};
use crate::sms::grammar::Command;

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

//! The command grammar of SMS: what a text says, parsed into a typed command.
//!
//! This module owns the words officers and case managers may text the bot, and
//! nothing else: [`parse`] turns a message body into a [`Command`]. It is pure (no
//! I/O, no roster, no clock) and does not know who sent the text; what a command
//! means for the sender's role (an officer's `done` is relayed, a case manager's
//! `LEAD` gets the help text) is the caller's decision. `parse` never fails and
//! never panics: a text that is no command is [`Command::Text`], to be relayed.
//!
//! # Accepted forms
//!
//! `4821` stands for any hand-off number, written `4821` or `#4821`; `[x]` is
//! optional. Keywords are case-insensitive: `lead`, `Lead` and `LEAD` are one.
//!
//! | the text | parses to | notes |
//! | --- | --- | --- |
//! | `STOP`, `STOPALL`, `UNSUBSCRIBE`, `CANCEL`, `END`, `QUIT`, `REVOKE`, `OPTOUT` | `OptOut` | carrier keyword: the whole message, one word |
//! | `START`, `YES`, `UNSTOP` | `OptIn` | carrier keyword: the whole message, one word |
//! | `HELP`, `INFO` | `Help` | carrier keyword: the whole message, one word |
//! | `LEAD 5th & Main, retail theft` | `Request { ArrestDiversion, "5th & Main, retail theft" }` | also `LEAD: ...`, `lead - ...` |
//! | `REFER Pine St shelter, asked for help` | `Request { SocialContactReferral, "Pine St shelter, asked for help" }` | also `REFER: ...`, `refer - ...` |
//! | `LEAD`, `REFER`, `LEAD:` | `RequestWithoutLocation { kind }` | nothing (or only punctuation) after the keyword |
//! | `STATUS` | `Status` | the whole message |
//! | `CANCEL 4821 [reason]` | `Cancel { id, reason }` | bare `CANCEL` is `OptOut` |
//! | `CANCEL person left` | `Cancel { None, "person left" }` | |
//! | `WITHDRAW [4821] [reason]` | `Cancel { id, reason }` | bare `WITHDRAW` cancels too |
//! | `Y`, `Y4821`, `Y 4821`, `y#4821` | `Accept { id }` | nothing may follow the number |
//! | `ACCEPT [4821]`, `TAKE [4821]`, `YES 4821` | `Accept { id }` | bare `YES` is `OptIn` |
//! | `N`, `N4821 [reason]`, `N [reason]` | `Decline { id, reason }` | |
//! | `PASS [4821] [reason]`, `DECLINE [4821] [reason]` | `Decline { id, reason }` | |
//! | `NO`, `NO 4821 [reason]` | `Decline { id, reason }` | `no, I'm busy` (no number) is `Text` |
//! | `ETA 15`, `eta 15 min`, `ETA 15m`, `ETA 20 mins` | `Eta { minutes, None }` | units `m`, `min`, `mins`, `minute`, `minutes` |
//! | `ETA 4821 15`, `ETA 15 #4821` | `Eta { 15, Some(4821) }` | a number with `#` or of 4+ digits is the id |
//! | `ETA`, `ETA -5`, `ETA soon`, `ETA 4821` | `BadEta` | the minutes missing or negative, or other words; how many minutes make an acceptable ETA (1 to 600) is the dispatcher's rule |
//! | `ARRIVED [4821]`, `HERE [4821]`, `ON SCENE [4821]` | `Arrived { id }` | the whole message; also `ONSCENE`, `on-scene` |
//! | `DONE [4821]`, `COMPLETE [4821]` | `Done { id }` | the whole message |
//! | `WHO` | `Who` | the whole message |
//! | `#4821 he is calm now`, `4821: he is calm now` | `Text { Some(4821), "he is calm now" }` | the prefix names the hand-off |
//! | anything else | `Text { None, the text }` | |
//! | empty or only whitespace | `Empty` | |
//!
//! # Rules
//!
//! - **Spacing.** Leading and trailing whitespace is ignored, and a run of
//!   whitespace between words counts as one space (`  y   4821 `).
//! - **Punctuation at the ends.** Punctuation at the start or end of the message is
//!   ignored when matching keywords and numbers: `Done.`, `DONE!`, `"y4821"`,
//!   `status?`, `STOP!`. A `#` directly before a number is kept: it marks an id.
//! - **Carrier keywords** (`STOP` ... `HELP`, the CTIA and Twilio defaults, with
//!   `REVOKE` and `OPTOUT` that Twilio added in May 2025) count only when they are
//!   the whole message, as carriers match them: `STOP` is `OptOut`, `stop sign at
//!   5th` is `Text`; `cancel` is `OptOut`, `cancel 4821` is `Cancel`; `Yes` is
//!   `OptIn`, `Y` is `Accept`. They are checked before anything else, so the bot
//!   always agrees with the carrier about who has opted out.
//! - **Whole-message commands.** `STATUS`, `WHO`, `HELP`, `ARRIVED`, `HERE`,
//!   `ON SCENE`, `DONE`, `COMPLETE`, `Y`, `ACCEPT`, `TAKE` take nothing but an
//!   optional id (`STATUS`, `WHO`, `HELP` not even that). Followed by other words
//!   they are ordinary text: `done with him, he is calm` is `Text`, so a message
//!   meant for the other side is never swallowed.
//! - **Keyword boundaries.** A keyword ends where the letters end: `Y4821` is `Y`
//!   and `4821`, but `Yo`, `ETAs`, `LEADER` and `here's` are not keywords. `LEAD` and
//!   `REFER` need a space or `:`, `-`, `,`, `.`, `;` before their text.
//! - **Ids.** An id is 1 to 9 digits, with or without `#`. Where free text may
//!   follow (`CANCEL`, `WITHDRAW`, `N`, `NO`, `PASS`, `DECLINE`, `ETA`, the relay
//!   prefix `4821:`), a bare number is an id only if it has 4 or more digits or is
//!   written right after the keyword (`N12`); so `CANCEL 2 ran off` is a reason,
//!   not hand-off 2. After `Y`, `ACCEPT`, `TAKE`, `ARRIVED`, `DONE` any number is
//!   an id. Real ids start at 1001.
//! - **Free text** (the request text and reasons) is kept as written: case,
//!   punctuation and non-ASCII letters untouched, trimmed, runs of whitespace
//!   (line breaks included) collapsed to one space. Separators between the keyword
//!   or id and the text (`:`, `-`, `,` ...) are dropped. A reason with no letter or
//!   digit is no reason (`N4821!` declines without one).
//! - **Relayed text** is the trimmed body exactly as sent (line breaks kept), less
//!   a `#4821` or `4821:` prefix. Long texts are kept whole; cutting them to size
//!   is the caller's business.

pub use handoff_dispatcher::conversation::Command;
use handoff_dispatcher::{HandoffId, HandoffKind};

/// The fewest digits a bare number needs to be read as an id where free text may
/// follow it.
const MIN_BARE_ID_DIGITS: usize = 4;

/// Parses one message body. Total: every text is some command.
pub fn parse(body: &str) -> Command {
    let trimmed = body.trim();
    if trimmed.is_empty() {
        return Command::Empty;
    }
    let (start, core) = core_of(trimmed);
    if let Some(command) = carrier_keyword(core) {
        return command;
    }
    command(trimmed, start, core).unwrap_or_else(|| relay(trimmed))
}

/// Punctuation ignored at the ends of a message and of a number: ASCII
/// punctuation, and the few non-ASCII marks phones insert (smart quotes, the
/// ellipsis, dashes, inverted and full-width marks).
fn is_punctuation(c: char) -> bool {
    c.is_ascii_punctuation()
        || matches!(
            c,
            '\u{2018}'
                | '\u{2019}'
                | '\u{201C}'
                | '\u{201D}'
                | '\u{2026}'
                | '\u{2013}'
                | '\u{2014}'
                | '\u{00A1}'
                | '\u{00BF}'
                | '\u{00AB}'
                | '\u{00BB}'
                | '\u{3002}'
                | '\u{FF01}'
                | '\u{FF0C}'
                | '\u{FF1A}'
                | '\u{FF1F}'
        )
}

fn is_edge(c: char) -> bool {
    c.is_whitespace() || is_punctuation(c)
}

/// What may stand between a keyword (or an id) and what follows it.
fn is_separator(c: char) -> bool {
    c.is_whitespace() || matches!(c, ':' | '-' | ',' | '.' | ';' | '\u{2013}' | '\u{2014}')
}

/// The message without whitespace and punctuation at its ends (but keeping a `#`
/// that opens a number), with the byte offset where it starts in `trimmed`.
fn core_of(trimmed: &str) -> (usize, &str) {
    let rest = trimmed.trim_start_matches(is_edge);
    let mut start = trimmed.len() - rest.len();
    if trimmed[..start].ends_with('#') && rest.starts_with(|c: char| c.is_ascii_digit()) {
        start -= '#'.len_utf8();
    }
    (start, trimmed[start..].trim_end_matches(is_edge))
}

/// A carrier keyword, when it is the whole message.
fn carrier_keyword(core: &str) -> Option<Command> {
    const OPT_OUT: [&str; 8] = [
        "STOP",
        "STOPALL",
        "UNSUBSCRIBE",
        "CANCEL",
        "END",
        "QUIT",
        "REVOKE",
        "OPTOUT",
    ];
    const OPT_IN: [&str; 3] = ["START", "YES", "UNSTOP"];
    const HELP: [&str; 2] = ["HELP", "INFO"];
    let is = |words: &[&str]| words.iter().any(|w| core.eq_ignore_ascii_case(w));
    if is(&OPT_OUT) {
        Some(Command::OptOut)
    } else if is(&OPT_IN) {
        Some(Command::OptIn)
    } else if is(&HELP) {
        Some(Command::Help)
    } else {
        None
    }
}

/// A command other than a carrier keyword, or `None` for text to relay.
/// `start` is where `core` begins in `trimmed`.
fn command(trimmed: &str, start: usize, core: &str) -> Option<Command> {
    let letters = core
        .find(|c: char| !c.is_ascii_alphabetic())
        .unwrap_or(core.len());
    if letters == 0 {
        return None;
    }
    // Split at an ASCII letter boundary: always a char boundary.
    let (keyword, after) = core.split_at(letters);
    if after.starts_with(char::is_alphabetic) {
        // `Yé`, `Noël`: the word goes on past the ASCII letters.
        return None;
    }
    // `after` with the message's trailing punctuation, for free text.
    let after_full = trimmed.get(start + letters..).unwrap_or_default();
    match keyword.to_ascii_uppercase().as_str() {
        "LEAD" => request(HandoffKind::ArrestDiversion, after, after_full),
        "REFER" => request(HandoffKind::SocialContactReferral, after, after_full),
        "STATUS" => after.is_empty().then_some(Command::Status),
        "WHO" => after.is_empty().then_some(Command::Who),
        "CANCEL" | "WITHDRAW" => {
            let (id, reason) = id_and_reason(after_full);
            Some(Command::Cancel { id, reason })
        }
        "Y" | "ACCEPT" | "TAKE" => only_id(after).map(|id| Command::Accept { id, eta: None }),
        // Bare `YES` is the carrier's opt-in; `YES 4821` answers an offer.
        "YES" => only_id(after).flatten().map(|id| Command::Accept {
            id: Some(id),
            eta: None,
        }),
        "N" | "PASS" | "DECLINE" => {
            let (id, reason) = id_and_reason(after_full);
            Some(Command::Decline { id, reason })
        }
        // `no` opens too many sentences: it declines alone or with an id.
        "NO" => {
            let (id, reason) = id_and_reason(after_full);
            (after.is_empty() || id.is_some()).then_some(Command::Decline { id, reason })
        }
        "ETA" => Some(eta(after)),
        "ARRIVED" | "HERE" | "ONSCENE" => only_id(after).map(|id| Command::Arrived { id }),
        "ON" => on_scene(after).map(|id| Command::Arrived { id }),
        "DONE" | "COMPLETE" => only_id(after).map(|id| Command::Done { id }),
        _ => None,
    }
}

/// `LEAD` or `REFER` and what follows: `after` without, `after_full` with the
/// message's trailing punctuation.
fn request(kind: HandoffKind, after: &str, after_full: &str) -> Option<Command> {
    if after.is_empty() {
        return Some(Command::RequestWithoutLocation { kind });
    }
    if !after.starts_with(is_separator) {
        // `LEAD5th`, `lead's`: not the keyword.
        return None;
    }
    let text = collapse(after_full.trim_start_matches(is_separator));
    Some(if text.chars().any(char::is_alphanumeric) {
        Command::Request { kind, text }
    } else {
        Command::RequestWithoutLocation { kind }
    })
}

/// Nothing, or one id: `Some(None)`, `Some(Some(id))`; anything else is `None`.
fn only_id(after: &str) -> Option<Option<HandoffId>> {
    let rest = after.trim_start_matches(is_separator);
    if rest.is_empty() {
        Some(None)
    } else {
        rest.parse::<HandoffId>().ok().map(Some)
    }
}

/// `SCENE [4821]` after `ON`.
fn on_scene(after: &str) -> Option<Option<HandoffId>> {
    let rest = after.trim_start_matches(|c: char| c.is_whitespace() || c == '-');
    if rest.len() == after.len() {
        return None;
    }
    let word = rest.get(..5)?;
    let tail = rest.get(5..)?;
    if !word.eq_ignore_ascii_case("SCENE") || tail.starts_with(char::is_alphabetic) {
        return None;
    }
    only_id(tail)
}

/// An optional id, then an optional reason, for commands whose reason is free
/// text. A bare number is the id only if it has enough digits or is written right
/// after the keyword (`N12`).
fn id_and_reason(after_full: &str) -> (Option<HandoffId>, Option<String>) {
    let glued = after_full.starts_with(|c: char| c.is_ascii_digit());
    let rest = after_full.trim_start_matches(is_separator);
    let (token, tail) = rest.split_once(char::is_whitespace).unwrap_or((rest, ""));
    let token = token.trim_end_matches(is_punctuation);
    let digits = token.trim_start_matches('#');
    let marked = digits.len() < token.len();
    let id = if marked || glued || digits.len() >= MIN_BARE_ID_DIGITS {
        token.parse::<HandoffId>().ok()
    } else {
        None
    };
    match id {
        Some(id) => (Some(id), reason(tail)),
        None => (None, reason(rest)),
    }
}

/// Free text after a command, or `None` if it has no letter or digit.
fn reason(text: &str) -> Option<String> {
    let text = collapse(text.trim_start_matches(is_separator));
    text.chars().any(char::is_alphanumeric).then_some(text)
}

/// Words joined by single spaces.
fn collapse(text: &str) -> String {
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// What follows `ETA`: minutes, and maybe an id, in either order.
fn eta(after: &str) -> Command {
    let mut minutes: Option<u32> = None;
    let mut id: Option<HandoffId> = None;
    // A unit word may follow a bare number of minutes (`15 min`), nothing else.
    let mut unit_may_follow = false;
    let raw = after.split(|c: char| c.is_whitespace() || c == ',');
    // A minus sign before a number is not punctuation to ignore: `ETA -5` is no
    // ETA, not five minutes.
    let negative = |t: &str| {
        let mut chars = t.chars();
        matches!(
            chars.next(),
            Some('-' | '\u{2212}' | '\u{2013}' | '\u{2014}')
        ) && chars.next().is_some_and(|c| c.is_ascii_digit())
    };
    if raw.clone().any(negative) {
        return Command::BadEta;
    }
    let tokens = raw
        .map(|t| {
            t.trim_start_matches(|c: char| is_punctuation(c) && c != '#')
                .trim_end_matches(is_punctuation)
        })
        .filter(|t| !t.is_empty());
    for token in tokens {
        let may_follow = std::mem::take(&mut unit_may_follow);
        if let Some(digits) = token.strip_prefix('#') {
            match digits.parse::<HandoffId>() {
                Ok(parsed) if id.is_none() => id = Some(parsed),
                _ => return Command::BadEta,
            }
            continue;
        }
        let end = token
            .find(|c: char| !c.is_ascii_digit())
            .unwrap_or(token.len());
        let (digits, unit) = token.split_at(end);
        if digits.is_empty() {
            if !(may_follow && is_minutes_unit(unit)) {
                return Command::BadEta;
            }
        } else if unit.is_empty() && digits.len() >= MIN_BARE_ID_DIGITS {
            match digits.parse::<HandoffId>() {
                Ok(parsed) if id.is_none() => id = Some(parsed),
                _ => return Command::BadEta,
            }
        } else if unit.is_empty() || is_minutes_unit(unit) {
            match digits.parse::<u32>() {
                Ok(m) if minutes.is_none() => minutes = Some(m),
                _ => return Command::BadEta,
            }
            unit_may_follow = unit.is_empty();
        } else {
            return Command::BadEta;
        }
    }
    // Whether the minutes make an acceptable ETA is the dispatcher's rule.
    match minutes {
        Some(minutes) => Command::Eta { minutes, id },
        None => Command::BadEta,
    }
}

fn is_minutes_unit(word: &str) -> bool {
    ["M", "MIN", "MINS", "MINUTE", "MINUTES"]
        .iter()
        .any(|u| word.eq_ignore_ascii_case(u))
}

/// Text to relay, with the hand-off it names if it opens with `#4821` or `4821:`.
fn relay(trimmed: &str) -> Command {
    match relay_prefix(trimmed) {
        Some((id, text)) => Command::Text {
            id: Some(id),
            text: text.to_owned(),
        },
        None => Command::Text {
            id: None,
            text: trimmed.to_owned(),
        },
    }
}

fn relay_prefix(trimmed: &str) -> Option<(HandoffId, &str)> {
    let (marked, rest) = match trimmed.strip_prefix('#') {
        Some(rest) => (true, rest),
        None => (false, trimmed),
    };
    let end = rest
        .find(|c: char| !c.is_ascii_digit())
        .unwrap_or(rest.len());
    let (digits, after) = rest.split_at(end);
    if digits.is_empty() {
        return None;
    }
    let text = if marked {
        if !after.starts_with(|c: char| c.is_whitespace() || matches!(c, ':' | ',' | '-')) {
            return None;
        }
        after.trim_start_matches(is_separator)
    } else {
        if digits.len() < MIN_BARE_ID_DIGITS {
            return None;
        }
        after.strip_prefix(':')?.trim_start_matches(is_separator)
    };
    let text = text.trim();
    if text.is_empty() {
        return None;
    }
    let id = digits.parse::<HandoffId>().ok()?;
    Some((id, text))
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;

    use super::*;

    fn id(n: u32) -> Option<HandoffId> {
        Some(HandoffId::new(n))
    }

    fn text(s: &str) -> Command {
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
        }
    }

    fn refer(s: &str) -> Command {
        Command::Request {
            kind: HandoffKind::SocialContactReferral,
            text: s.to_owned(),
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

    fn accept(n: Option<u32>) -> Command {
        Command::Accept {
            id: n.map(HandoffId::new),
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
    fn check(table: &[(&str, Command)]) {
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
            ("TAKE", accept(None)),
            ("take 4821", accept(Some(4821))),
            ("take #4821.", accept(Some(4821))),
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
            ("  Back door, please!  ", text("Back door, please!")),
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
    const KEYWORDS: [&str; 38] = [
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
        // Not keywords, but close enough to be worth feeding to the fuzzer.
        "Y4821",
        "#4821",
        "4821:",
        "ON SCENE",
        "ETA 15",
        "N4821",
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
}

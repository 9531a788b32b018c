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
//! | `Y`, `Y4821`, `Y 4821`, `y#4821` | `Accept { id, eta: None }` | only minutes may follow the number |
//! | `ACCEPT [4821]`, `YES 4821` | `Accept { id, eta: None }` | bare `YES` is `OptIn` |
//! | `TAKE [4821] [minutes]` | `Take { id, eta }` | as `Y`; the dispatcher reads it as taking the follow-up when no offer of that hand-off is open to the sender |
//! | `Y4821 20`, `Y 4821 20 min`, `ACCEPT 4821 15m` | `Accept { Some(4821), Some(20) }` | accepts with an ETA: the id must be given (`Y 20` accepts hand-off 20); `Y4821 0` is `Some(0)`, for the dispatcher to refuse |
//! | `N`, `N4821 [reason]`, `N [reason]` | `Decline { id, reason }` | |
//! | `PASS [4821] [reason]`, `DECLINE [4821] [reason]` | `Decline { id, reason }` | |
//! | `NO`, `NO 4821 [reason]` | `Decline { id, reason }` | `no, I'm busy` (no number) is `Text` |
//! | `ETA 15`, `eta 15 min`, `ETA 15m`, `ETA 20 mins` | `Eta { minutes, None }` | units `m`, `min`, `mins`, `minute`, `minutes` |
//! | `ETA 4821 15`, `ETA 15 #4821` | `Eta { 15, Some(4821) }` | a number with `#` or of 4+ digits is the id |
//! | `ETA`, `ETA -5`, `ETA soon`, `ETA 4821` | `BadEta` | the minutes missing or negative, or other words; how many minutes make an acceptable ETA (from 1 to what the arrival limit leaves, at most 600) is the dispatcher's rule |
//! | `ARRIVED [4821]`, `HERE [4821]`, `ON SCENE [4821]` | `Arrived { id }` | the whole message; also `ONSCENE`, `on-scene` |
//! | `DONE [4821]`, `COMPLETE [4821]` | `Done { id }` | the whole message |
//! | `WHO` | `Who` | the whole message |
//! | `BACK [4821] [reason]`, `GIVE BACK [4821] [reason]`, `GIVEBACK 4821` | `GiveBack { id, reason }` | `back in 5 min` is one too: what it means for an officer (a message) is the dispatcher's call; `back-up` is not |
//! | `NOTDIVERTED [4821] <code> [note]`, `NOT DIVERTED ...`, `ND 4821 left` | `NotDiverted { id, code, note }` | the code is read by `NotDivertedCode::from_str` (`declined`, `refused`, `left`, `ran`, `not eligible` ...); missing or unknown: `code: None`, the words kept as the note |
//! | `FOLLOWUP`, `FOLLOWUPS`, `FOLLOW UP` | `FollowUps` | the whole message |
//! | `FOLLOWED [4821] [note]`, `FOLLOWED UP [4821] [note]` | `FollowedUp { id, note }` | without `UP`, only alone or with an id: `followed him out` is `Text` |
//! | `INTAKE [4821]`, `INTAKE DONE [4821]` | `Intake { id }` | the whole message |
//! | `RPT 4821 2026-001234`, `REPORT 4821 <number>` | `ReportNumber { Some(4821), number }` | `number` is `None` unless `ReportNumber::parse` takes it |
//! | `RPT 2026-001234`, `RPT 4821` | `ReportNumber { None, number }` | one word is the number, even all digits; `RPT #4821` is the id with no number |
//! | `REPORT filed, no arrest` | `Text` | `REPORT` alone, with an id, or with one word holding a digit; any other words are a message |
//! | `DROPOFF [4821] [center]`, `DROP OFF ...`, `DROP-OFF ...` | `DropOff { id, center }` | the center's id or name as written (`at`/`to` before it is allowed); a bare number is the id as for `CANCEL`; `drop him off` is `Text` |
//! | `CHECKIN [4821]`, `CHECK IN [4821]`, `CHECK-IN [4821]` | `CheckIn { id }` | the whole message: `check in with you later` is `Text` |
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
//! - **Whole-message commands.** `STATUS`, `WHO`, `HELP`, `FOLLOWUP`, `ARRIVED`,
//!   `HERE`, `ON SCENE`, `DONE`, `COMPLETE`, `INTAKE`, `CHECKIN`, `Y`, `ACCEPT`, `TAKE` take
//!   nothing but an optional id (`STATUS`, `WHO`, `HELP`, `FOLLOWUP` not even that;
//!   `Y`, `ACCEPT`, `TAKE` an id and minutes). Followed by other words they are
//!   ordinary text: `done with him, he is calm` is `Text`, so a message meant for
//!   the other side is never swallowed. For the same reason everyday words that
//!   open sentences (`NO`, `FOLLOWED`, `REPORT`) are commands only in the forms
//!   the table shows.
//! - **Keyword boundaries.** A keyword ends where the letters end: `Y4821` is `Y`
//!   and `4821`, but `Yo`, `ETAs`, `LEADER` and `here's` are not keywords. `LEAD` and
//!   `REFER` need a space or `:`, `-`, `,`, `.`, `;` before their text. A hyphen or
//!   apostrophe before a letter carries the word on for the newer keywords
//!   (`back-up`, `report's`), except where it joins the two words of one
//!   (`NOT-DIVERTED`, `FOLLOW-UP`).
//! - **Ids.** An id is 1 to 9 digits, with or without `#`. Where free text may
//!   follow (`CANCEL`, `WITHDRAW`, `N`, `NO`, `PASS`, `DECLINE`, `ETA`, `BACK`,
//!   `NOTDIVERTED`, `FOLLOWED`, the relay prefix `4821:`), a bare number is an id
//!   only if it has 4 or more digits or is written right after the keyword
//!   (`N12`); so `CANCEL 2 ran off` is a reason, not hand-off 2. After `Y`,
//!   `ACCEPT`, `TAKE`, `ARRIVED`, `DONE`, `INTAKE` any number is an id, and so is
//!   the first of two words after `RPT`. Minutes after an id are a number below
//!   4 digits or one with a unit (`Y 4821 4822` names two hand-offs: `Text`).
//!   Real ids start at 1001.
//! - **Free text** (the request text and reasons) is kept as written: case,
//!   punctuation and non-ASCII letters untouched, trimmed, runs of whitespace
//!   (line breaks included) collapsed to one space. Separators between the keyword
//!   or id and the text (`:`, `-`, `,` ...) are dropped. A reason with no letter or
//!   digit is no reason (`N4821!` declines without one).
//! - **Relayed text** is the trimmed body exactly as sent (line breaks kept), less
//!   a `#4821` or `4821:` prefix. Long texts are kept whole; cutting them to size
//!   is the caller's business.

mod centers;
mod field;

pub use handoff_dispatcher::conversation::Command;
use handoff_dispatcher::conversation::Placement;
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
        "Y" | "ACCEPT" => field::accept(after),
        // `TAKE` accepts an offer, or takes a follow-up: the dispatcher tells
        // which from what is open to the sender.
        "TAKE" => field::accept(after).map(|command| match command {
            Command::Accept { id, eta } => Command::Take { id, eta },
            other => other,
        }),
        // Bare `YES` is the carrier's opt-in; `YES 4821` answers an offer.
        "YES" => field::accept(after).filter(|c| matches!(c, Command::Accept { id: Some(_), .. })),
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
        "BACK" | "GIVEBACK" => field::give_back(after, after_full),
        "GIVE" => field::give(after, after_full),
        "NOTDIVERTED" | "ND" => field::not_diverted(after, after_full),
        "NOT" => field::not(after, after_full),
        "FOLLOWUP" | "FOLLOWUPS" => field::follow_ups(after),
        "FOLLOW" => field::follow(after),
        "FOLLOWED" => field::followed(after, after_full),
        "INTAKE" => field::intake(after),
        "RPT" => field::report(after, false),
        "REPORT" => field::report(after, true),
        "DROPOFF" => centers::drop_off(after, after_full),
        "DROP" => centers::drop(after, after_full),
        "CHECKIN" => centers::check_in(after),
        "CHECK" => centers::check(after),
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
        Command::Request {
            kind,
            text,
            placement: Placement::default(),
        }
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
mod tests;

#[cfg(test)]
mod field_tests;

#[cfg(test)]
mod round_trip_tests;

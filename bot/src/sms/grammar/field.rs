//! The words of the field workflow, after a keyword: an accept with an ETA
//! (`Y4821 20`), giving a hand-off back (`BACK 4821`), closing it without a
//! diversion (`NOTDIVERTED 4821 left`), the follow-up queue (`FOLLOWUP`,
//! `FOLLOWED 4821`), intake (`INTAKE 4821`) and the police report number
//! (`RPT 4821 <number>`). [`super::command`] finds the keyword; each function here
//! reads what follows it, as the rules of the module above say, and returns `None`
//! when the text is not the command after all (it is then relayed).
//!
//! Every function takes `after` (what follows the keyword, without the message's
//! trailing punctuation) and, where free text may follow, `after_full` (with it):
//! `after` is always a prefix of `after_full`.

use std::str::FromStr;

use handoff_dispatcher::HandoffId;
use handoff_dispatcher::outcome::{NotDivertedCode, ReportNumber};

use super::{Command, id_and_reason, is_minutes_unit, is_punctuation, is_separator, only_id};

/// The fewest digits a bare number of minutes needs to be read as a second id
/// instead (`Y 4821 4822` names two hand-offs; it is no accept).
const MIN_ID_DIGITS: usize = super::MIN_BARE_ID_DIGITS;

/// Whether the keyword's word goes on past a hyphen or an apostrophe: `back-up`,
/// `report's` are words of their own, not the keyword.
pub(super) fn joined(after: &str) -> bool {
    let mut chars = after.chars();
    matches!(chars.next(), Some('-' | '\'' | '\u{2019}'))
        && chars.next().is_some_and(char::is_alphabetic)
}

/// The byte length of `word` (a whole word, case-insensitive) at the start of
/// `after`, with the space or hyphen before it: `GIVE BACK`, `NOT-DIVERTED`.
pub(super) fn then_word(after: &str, word: &str) -> Option<usize> {
    let rest = after.trim_start_matches(|c: char| c.is_whitespace() || c == '-');
    if rest.len() == after.len() {
        return None;
    }
    let found = rest.get(..word.len())?;
    let tail = rest.get(word.len()..)?;
    if !found.eq_ignore_ascii_case(word) || tail.starts_with(char::is_alphabetic) {
        return None;
    }
    Some(after.len() - tail.len())
}

/// `after` and `after_full` past the second word of a two-word keyword, if it is
/// there.
pub(super) fn past<'a>(
    after: &'a str,
    after_full: &'a str,
    word: &str,
) -> Option<(&'a str, &'a str)> {
    let n = then_word(after, word)?;
    Some((after.get(n..)?, after_full.get(n..)?))
}

/// `Y`, `ACCEPT`, `TAKE` and what follows: nothing, an id, or an id and the
/// minutes until arrival (`Y4821 20`, `TAKE 4821 15m`, `Y 4821 20 min`). Minutes
/// without an id are no accept: `Y 20` accepts hand-off 20.
pub(super) fn accept(after: &str) -> Option<Command> {
    if let Some(id) = only_id(after) {
        return Some(Command::Accept { id, eta: None });
    }
    let rest = after.trim_start_matches(is_separator);
    let (token, minutes_text) = rest.split_once(char::is_whitespace)?;
    let id = token
        .trim_end_matches([',', ':', ';', '.'])
        .parse::<HandoffId>()
        .ok()?;
    let eta = minutes(minutes_text)?;
    Some(Command::Accept {
        id: Some(id),
        eta: Some(eta),
    })
}

/// A number of minutes alone, with or without a unit: `20`, `20m`, `20 min`,
/// `~20 mins`. A minus sign makes it no number (`-5` is not five minutes), and a
/// bare number of four or more digits is an id, not minutes.
fn minutes(text: &str) -> Option<u32> {
    let text = text.trim_start_matches(|c: char| c.is_whitespace() || matches!(c, ',' | '~'));
    let mut tokens = text.split_whitespace();
    let first = tokens.next()?;
    let unit = tokens.next();
    if tokens.next().is_some() {
        return None;
    }
    let end = first
        .find(|c: char| !c.is_ascii_digit())
        .unwrap_or(first.len());
    let (digits, glued_unit) = first.split_at(end);
    let unit = match (glued_unit, unit) {
        ("", None) => None,
        ("", Some(unit)) | (unit, None) => Some(unit),
        (_, Some(_)) => return None,
    };
    let fits = match unit {
        Some(unit) => is_minutes_unit(unit),
        None => digits.len() < MIN_ID_DIGITS,
    };
    if digits.is_empty() || !fits {
        return None;
    }
    digits.parse().ok()
}

/// `BACK [4821] [reason]` (and `GIVE BACK`, `GIVEBACK`): the hand-off is given
/// back. A sentence opening with `back` is one too (`back in 5 min`): the parser
/// does not know who wrote it, and an officer's give-back is relayed.
pub(super) fn give_back(after: &str, after_full: &str) -> Option<Command> {
    if joined(after) {
        return None;
    }
    let (id, reason) = id_and_reason(after_full);
    Some(Command::GiveBack { id, reason })
}

/// `GIVE BACK ...`: only with `BACK` is `GIVE` a keyword.
pub(super) fn give(after: &str, after_full: &str) -> Option<Command> {
    let (after, after_full) = past(after, after_full, "BACK")?;
    give_back(after, after_full)
}

/// `NOTDIVERTED [4821] <code> [note]` (and `ND`, `NOT DIVERTED`). The code is the
/// first word (or two: `not eligible`) that [`NotDivertedCode`] reads; with none,
/// `code` is `None` and what was written is the note.
pub(super) fn not_diverted(after: &str, after_full: &str) -> Option<Command> {
    if joined(after) {
        return None;
    }
    let (id, rest) = id_and_reason(after_full);
    let (code, note) = match rest {
        Some(rest) => code_and_note(&rest),
        None => (None, None),
    };
    Some(Command::NotDiverted { id, code, note })
}

/// `NOT DIVERTED ...`: only with `DIVERTED` is `NOT` a keyword.
pub(super) fn not(after: &str, after_full: &str) -> Option<Command> {
    let (after, after_full) = past(after, after_full, "DIVERTED")?;
    not_diverted(after, after_full)
}

/// The outcome code at the start of `text` (one word, or two written apart) and
/// the note after it. `text` has single spaces.
fn code_and_note(text: &str) -> (Option<NotDivertedCode>, Option<String>) {
    let words: Vec<&str> = text.splitn(3, ' ').collect();
    if let Ok(code) = NotDivertedCode::from_str(words[0]) {
        return (Some(code), super::reason(&words[1..].join(" ")));
    }
    if let [first, second, rest @ ..] = words.as_slice()
        && let Ok(code) = NotDivertedCode::from_str(&format!("{first}{second}"))
    {
        return (Some(code), super::reason(&rest.join(" ")));
    }
    (None, Some(text.to_owned()))
}

/// `FOLLOWUP`, `FOLLOWUPS` alone: the follow-ups waiting.
pub(super) fn follow_ups(after: &str) -> Option<Command> {
    after.is_empty().then_some(Command::FollowUps)
}

/// `FOLLOW UP` (or `FOLLOW-UP`, `FOLLOW UPS`) alone.
pub(super) fn follow(after: &str) -> Option<Command> {
    let n = then_word(after, "UP").or_else(|| then_word(after, "UPS"))?;
    follow_ups(after.get(n..)?)
}

/// `FOLLOWED [UP] [4821] [note]`: the follow-up is done. Without `UP` it needs an
/// id or nothing after it, as `NO` does: `followed him to the bus` is a message.
pub(super) fn followed(after: &str, after_full: &str) -> Option<Command> {
    let (up, after, after_full) = match past(after, after_full, "UP") {
        Some((after, after_full)) => (true, after, after_full),
        None if joined(after) => return None,
        None => (false, after, after_full),
    };
    let (id, note) = id_and_reason(after_full);
    (up || id.is_some() || after.is_empty()).then_some(Command::FollowedUp { id, note })
}

/// `INTAKE [4821]`, `INTAKE DONE [4821]`: the whole message.
pub(super) fn intake(after: &str) -> Option<Command> {
    let after = match then_word(after, "DONE") {
        Some(n) => after.get(n..)?,
        None => after,
    };
    only_id(after).map(|id| Command::Intake { id })
}

/// `RPT [4821] <number>`, `REPORT [4821] <number>`: one word is the report number
/// (`#4821` alone is an id, with no number); of two, the first is the id if it is
/// a number. `REPORT` is an everyday word, so it is the command only alone, with
/// an id, or with one word holding a digit: `report filed` is a message.
pub(super) fn report(after: &str, everyday_word: bool) -> Option<Command> {
    if joined(after) {
        return None;
    }
    let tokens: Vec<&str> = after
        .trim_start_matches(is_separator)
        .split_whitespace()
        .collect();
    let as_id = |token: &str| {
        token
            .trim_start_matches(|c: char| is_punctuation(c) && c != '#')
            .trim_end_matches(is_punctuation)
            .parse::<HandoffId>()
            .ok()
    };
    let number = |token: &str| ReportNumber::parse(token).ok();
    let (id, number) = match tokens.as_slice() {
        [] => (None, None),
        [only] if only.starts_with('#') => (as_id(only), None),
        [only] => {
            if everyday_word && !only.contains(|c: char| c.is_ascii_digit()) {
                return None;
            }
            (None, number(only))
        }
        [first, second] if as_id(first).is_some() => (as_id(first), number(second)),
        [first, ..] if as_id(first).is_some() => (as_id(first), None),
        _ if everyday_word => return None,
        _ => (None, None),
    };
    Some(Command::ReportNumber { id, number })
}

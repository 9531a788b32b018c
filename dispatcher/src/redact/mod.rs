//! Redaction of a participant's date of birth and Social Security number from
//! every text the service relays or stores (relayed messages, locations, reasons):
//! SMS crosses carriers in clear text, and a participant's record may fall under 42
//! CFR Part 2. It errs on the side of removing: a note loses little by losing a
//! date, and a warm hand-off has no use for a full date.
//!
//! [`redact`] first folds the text the way it will be sent (`normalise`: Unicode
//! dashes, digits, slashes, dots and spaces become ASCII, zero-width characters
//! go), so `4–5–１９９０` is seen as the `4-5-1990` it would arrive as; it returns
//! that folded text, with each identifier replaced whole by [`REDACTED`].
//!
//! What is removed:
//! - a date with a year, anywhere, in any order and with any separator:
//!   `4/5/1990`, `04-05-90`, `4/5/'90`, `4.5.1990`, `4 5 1990`, `1990-04-05`, `04051990`,
//!   `19900405`, `April 5, 1990`, `5th Apr. 1990`, `the 5th of April 1990`,
//!   `05APR1990`, `1990 April 5`;
//! - after "DOB", "d.o.b.", "date of birth", "birthday", "born" (and before "is
//!   his birthday"), also a date without a year or a year alone, with the word:
//!   `born April 12th`, `DOB 4/5`, `DOB 040590`, `born in 1990`;
//! - an SSN with any separator or none, spaced (`1 2 3 4 5 6 7 8 9`), glued to a
//!   word (`ssn123456789`), masked (`xxx-xx-6789`, `***-**-6789`), or after "SSN"/"social" at any
//!   length from four digits (its last four); nine or more digits in a row (an
//!   SSN or another ID number).
//!
//! What is kept, on purpose:
//! - clock times (`10:47`, `9:30pm`), hand-off numbers (`4821`, `#4821`, `Y4821`),
//!   ETAs (`ETA 15`, `20 min`), street numbers and places (`1400 Liberty Ave`,
//!   `5th & Main`, `the 7-11`, `room 12, 3rd floor`, `Zone 3`), and a day and
//!   month with nothing saying it is a birthday (`court April 12`);
//! - a year alone (`since 2019`, `a 2015 Honda`), unless it follows "born"/"DOB";
//! - phone numbers written as phone numbers (`412 555 0101`, `(412) 555-0101`,
//!   `+1 412-555-0101`, `+14125550101`): the person typing chose to share them,
//!   and the officer often must ("call me at ..."). Ten or more digits run together
//!   without a leading `+` are redacted, since they may be an ID number.

mod normalise;
mod patterns;

#[cfg(test)]
mod tests;
#[cfg(test)]
mod written_tests;

use std::ops::Range;
use std::sync::LazyLock;

pub use normalise::is_invisible;
use patterns::Shape;

/// What replaces a redacted span: GSM-7 safe, and plainly a redaction.
pub const REDACTED: &str = "[redacted]";

static SHAPES: LazyLock<Vec<Shape>> = LazyLock::new(patterns::compile);

/// Compiles the patterns ahead of the first text. A service calls this at start,
/// so the first request after a start does not pay for it on the hot path.
pub fn prepare() {
    LazyLock::force(&SHAPES);
}

/// `text` folded as it will be sent, with every date of birth and SSN replaced
/// whole by `[redacted]`.
pub fn redact(text: &str) -> String {
    let text = normalise::normalise(text);
    let spans = identifiers(&text);
    if spans.is_empty() {
        return text;
    }
    let mut out = String::with_capacity(text.len());
    let mut from = 0;
    for span in spans {
        out.push_str(text.get(from..span.start).unwrap_or_default());
        out.push_str(REDACTED);
        from = span.end;
    }
    out.push_str(text.get(from..).unwrap_or_default());
    out
}

/// The byte ranges of every identifier in `text`, sorted, overlapping ones joined
/// so that each is removed whole even when two shapes each found part of it.
fn identifiers(text: &str) -> Vec<Range<usize>> {
    let mut found: Vec<Range<usize>> = Vec::new();
    for shape in SHAPES.iter() {
        let mut at = 0;
        while let Some(id) = shape
            .regex
            .captures_at(text, at)
            .and_then(|caps| caps.name("id"))
        {
            if shape.rule.accepts(id.as_str()) {
                found.push(id.range());
            }
            // Resume at the end of the identifier, not of the match: the match
            // took the character after it as a boundary, which may be the one
            // before the next identifier. (Every shape's `id` is non-empty.)
            if id.end() <= at {
                break;
            }
            at = id.end();
        }
    }
    found.sort_by_key(|span| span.start);
    let mut joined: Vec<Range<usize>> = Vec::with_capacity(found.len());
    for span in found {
        match joined.last_mut() {
            Some(last) if span.start <= last.end => last.end = last.end.max(span.end),
            _ => joined.push(span),
        }
    }
    joined
}

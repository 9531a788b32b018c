//! Checking the chain, one row at a time in seq order: a pure [`Verifier`] that the
//! store feeds page by page, so a log of any length is checked in constant memory,
//! and that stops at the first broken link with what is wrong there.

use std::fmt;

use super::hash::{self, Hash, Salt, StoredEvent, event_hash, skeleton};
use crate::event::EventKind;

/// One row with its audit columns, as stored (hashes as text: a garbled one is a
/// finding, not an error).
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct ChainedEvent {
    pub event: StoredEvent,
    pub prev_hash: Option<String>,
    pub hash: Option<String>,
    pub words_hash: Option<String>,
    pub words_salt: Option<String>,
}

/// The `audit_head` row: the last link of the chain.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Head {
    /// The seq of the last event chained; 0 when none is.
    pub seq: i64,
    pub hash: String,
    /// The last event written before the chain existed (chained at the first start
    /// after the upgrade); 0 when there were none.
    pub legacy_through: i64,
}

/// What is wrong at a broken link.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Problem {
    /// The row has no hash: it was written outside the service, or by a version
    /// from before the chain after the upgrade.
    Unchained,
    /// Seqs `from..=to` are missing before this row: deleted.
    Missing { from: i64, to: i64 },
    /// The row's contents hash to something other than its stored hash: edited.
    HashMismatch,
    /// The row's `prev_hash` is not the hash of the row before it (`previous`, or
    /// the chain's start when `None`).
    PredecessorMismatch { previous: Option<i64> },
    /// The words present do not match the hash they were written with.
    WordsMismatch,
    /// The row carries words, but was written without any.
    WordsAdded,
    /// The words are gone but not the way retention removes them (it blanks the
    /// words and their salt together).
    BlankedWrongly(&'static str),
    /// The details decode, but are not in the form the service writes them.
    NotAsWritten,
    /// The details are not an event of the row's kind.
    Undecodable(String),
    /// An audit column holds something other than a hash or a salt.
    Garbled(&'static str),
    /// The chain's head names seq `to`, but the log ends at `from - 1`.
    TailMissing { from: i64, to: i64 },
    /// The chain's head names another hash for its last row.
    HeadMismatch,
    /// A row after the chain's head: appended outside the service.
    PastHead,
    /// The chain's head (the row of `audit_head`) is gone.
    NoHead,
    /// The event has another hash than the one noted from an earlier check.
    AnchorMismatch,
    /// The event noted from an earlier check is not in the log.
    AnchorMissing,
}

impl fmt::Display for Problem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Problem::Unchained => f.write_str(
                "not on the chain (no hash): written outside the service, or by a version \
                 from before the chain",
            ),
            Problem::Missing { from, to } if from == to => {
                write!(f, "missing row: event {from} before it was deleted")
            }
            Problem::Missing { from, to } => {
                write!(
                    f,
                    "missing rows: events {from} to {to} before it were deleted"
                )
            }
            Problem::HashMismatch => f.write_str(
                "hash mismatch: the row's contents are not what was chained (it was edited)",
            ),
            Problem::PredecessorMismatch {
                previous: Some(previous),
            } => write!(
                f,
                "predecessor mismatch: it does not follow event {previous} (a row between \
                 them was removed, or event {previous} was rewritten with a new hash)"
            ),
            Problem::PredecessorMismatch { previous: None } => f.write_str(
                "predecessor mismatch: it is the first row but does not start the chain \
                 (rows before it were removed)",
            ),
            Problem::WordsMismatch => {
                f.write_str("words not matching: its words are not the words it was written with")
            }
            Problem::WordsAdded => {
                f.write_str("words not matching: it carries words but was written without any")
            }
            Problem::BlankedWrongly(what) => write!(
                f,
                "words not matching: blanked, but not the way retention blanks them ({what})"
            ),
            Problem::NotAsWritten => f.write_str(
                "its details are not in the form the service writes them (edited by hand)",
            ),
            Problem::Undecodable(why) => write!(f, "its details are not a valid event: {why}"),
            Problem::Garbled(column) => write!(f, "its {column} is not a valid value"),
            Problem::TailMissing { from, to } if from == to => write!(
                f,
                "missing row at the end: the chain's head names event {to}, which is gone"
            ),
            Problem::TailMissing { from, to } => write!(
                f,
                "missing rows at the end: the chain's head names event {to}, and events \
                 {from} to {to} are gone"
            ),
            Problem::HeadMismatch => f.write_str(
                "the chain's head names another hash for this last row (its hash or the \
                 head was rewritten)",
            ),
            Problem::PastHead => {
                f.write_str("after the chain's head: appended outside the service")
            }
            Problem::NoHead => f.write_str("the chain's head (table audit_head) is gone"),
            Problem::AnchorMismatch => f.write_str(
                "not the hash noted from an earlier check: the log up to here was rewritten \
                 and its chain recomputed",
            ),
            Problem::AnchorMissing => f.write_str("the event noted from an earlier check is gone"),
        }
    }
}

/// The first broken link: where, and what is wrong there.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Break {
    /// The event's seq (for missing rows, the first one missing).
    pub seq: i64,
    /// Its hand-off, when the row is there to say.
    pub handoff: Option<i64>,
    pub problem: Problem,
}

impl fmt::Display for Break {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "event {}", self.seq)?;
        if let Some(handoff) = self.handoff {
            write!(f, " (hand-off {handoff})")?;
        }
        write!(f, ": {}", self.problem)
    }
}

/// A whole chain that checked out.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Verified {
    /// Events checked.
    pub events: u64,
    /// The last link: its seq (0 for an empty log) and hash.
    pub head_seq: i64,
    pub head_hash: Hash,
    /// Events up to this seq were written before the chain existed and chained
    /// later; 0 when there were none.
    pub legacy_through: i64,
}

/// A link noted from an earlier check (`SEQ:HASH`, as `handoff audit verify`
/// prints its head): the chain must still pass through it. A chain recomputed after
/// an edit verifies on its own; it cannot give an event before the edit the hash
/// it had.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Anchor {
    pub seq: i64,
    pub hash: Hash,
}

impl fmt::Display for Anchor {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}:{}", self.seq, self.hash)
    }
}

impl std::str::FromStr for Anchor {
    type Err = String;

    fn from_str(text: &str) -> Result<Anchor, String> {
        let bad = || format!("`{text}` is not SEQ:HASH (an event's seq, a colon, 64 hex digits)");
        let (seq, hash) = text.trim().split_once(':').ok_or_else(bad)?;
        let seq: i64 = seq.parse().map_err(|_| bad())?;
        let hash = Hash::from_hex(hash).ok_or_else(bad)?;
        if seq < 1 {
            return Err(bad());
        }
        Ok(Anchor { seq, hash })
    }
}

/// Checks rows handed to it in seq order.
#[derive(Debug, Clone)]
pub(crate) struct Verifier {
    legacy_through: i64,
    anchor: Option<Anchor>,
    /// The last row checked (seq 0 and [`Hash::GENESIS`] before the first).
    last_seq: i64,
    last_hash: Hash,
    events: u64,
}

impl Verifier {
    /// A verifier for a log whose events up to `legacy_through` were chained late,
    /// that also holds the chain to `anchor` if one is given.
    pub fn new(legacy_through: i64, anchor: Option<Anchor>) -> Verifier {
        Verifier {
            legacy_through,
            anchor,
            last_seq: 0,
            last_hash: Hash::GENESIS,
            events: 0,
        }
    }

    /// The seq of the last row checked: the next page starts after it.
    pub fn last_seq(&self) -> i64 {
        self.last_seq
    }

    /// Checks the next row.
    pub fn push(&mut self, row: &ChainedEvent) -> Result<(), Break> {
        let seq = row.event.seq;
        let broken = |problem| Break {
            seq,
            handoff: Some(row.event.handoff_id),
            problem,
        };
        if let Some(missing) = self.missing_before(seq) {
            return Err(broken(missing));
        }
        if let Some(anchor) = self.anchor
            && self.last_seq < anchor.seq
            && anchor.seq < seq
        {
            return Err(Break {
                seq: anchor.seq,
                handoff: None,
                problem: Problem::AnchorMissing,
            });
        }
        let (prev, hash) = check_row(row).map_err(broken)?;
        if self.anchor.is_some_and(|a| a.seq == seq && a.hash != hash) {
            return Err(broken(Problem::AnchorMismatch));
        }
        if prev != self.last_hash {
            let previous = (self.events > 0).then_some(self.last_seq);
            return Err(broken(Problem::PredecessorMismatch { previous }));
        }
        self.last_seq = seq;
        self.last_hash = hash;
        self.events += 1;
        Ok(())
    }

    /// Rows missing between the last row and one at `seq`. Appends take seqs one
    /// after another, so after the legacy rows any gap is a deletion. Among the
    /// legacy rows gaps are normal on PostgreSQL (a rolled-back insert used its
    /// seq); a deletion there shows as a predecessor mismatch instead, except for
    /// the last legacy row, whose seq is known.
    fn missing_before(&self, seq: i64) -> Option<Problem> {
        let from = self.last_seq.saturating_add(1);
        if self.last_seq >= self.legacy_through {
            (seq > from).then(|| Problem::Missing { from, to: seq - 1 })
        } else if seq > self.legacy_through {
            Some(Problem::Missing {
                from: self.legacy_through,
                to: self.legacy_through,
            })
        } else {
            None
        }
    }

    /// Ends the check against the chain's head, read before the first page (rows
    /// appended after it are left for the next check).
    pub fn finish(self, head: &Head) -> Result<Verified, Break> {
        let Some(head_hash) = Hash::from_hex(&head.hash) else {
            return Err(Break {
                seq: head.seq,
                handoff: None,
                problem: Problem::Garbled("audit_head.hash"),
            });
        };
        if head.seq > self.last_seq {
            return Err(Break {
                seq: self.last_seq + 1,
                handoff: None,
                problem: Problem::TailMissing {
                    from: self.last_seq + 1,
                    to: head.seq,
                },
            });
        }
        if head.seq < self.last_seq || head_hash != self.last_hash {
            return Err(Break {
                seq: self.last_seq,
                handoff: None,
                problem: Problem::HeadMismatch,
            });
        }
        if let Some(anchor) = self.anchor
            && anchor.seq > self.last_seq
        {
            return Err(Break {
                seq: anchor.seq,
                handoff: None,
                problem: Problem::AnchorMissing,
            });
        }
        Ok(Verified {
            events: self.events,
            head_seq: head.seq,
            head_hash,
            legacy_through: self.legacy_through,
        })
    }
}

/// Checks one row on its own: its words, its form and its hash. Returns its
/// predecessor's hash as it names it, and its own.
fn check_row(row: &ChainedEvent) -> Result<(Hash, Hash), Problem> {
    let (Some(prev), Some(hash)) = (&row.prev_hash, &row.hash) else {
        return Err(Problem::Unchained);
    };
    let prev = Hash::from_hex(prev).ok_or(Problem::Garbled("prev_hash"))?;
    let hash = Hash::from_hex(hash).ok_or(Problem::Garbled("hash"))?;
    let event = &row.event;
    let kind: EventKind = serde_json::from_str(&event.details)
        .map_err(|error| Problem::Undecodable(error.to_string()))?;
    if kind.name() != event.kind {
        return Err(Problem::Undecodable(format!(
            "the kind column says `{}`, the details `{}`",
            event.kind,
            kind.name()
        )));
    }
    let words_hash = row
        .words_hash
        .as_deref()
        .map(|text| Hash::from_hex(text).ok_or(Problem::Garbled("words_hash")))
        .transpose()?;
    let salt = row
        .words_salt
        .as_deref()
        .map(|text| Salt::from_hex(text).ok_or(Problem::Garbled("words_salt")))
        .transpose()?;
    match (kind.words(), words_hash, salt) {
        (Some(words), Some(expected), Some(salt)) => {
            if hash::words_hash(&salt, words) != expected {
                return Err(Problem::WordsMismatch);
            }
        }
        (Some(_), None, _) => return Err(Problem::WordsAdded),
        (Some(_), Some(_), None) => return Err(Problem::BlankedWrongly("the salt is gone")),
        (None, _, Some(_)) => {
            return Err(Problem::BlankedWrongly("the words are gone, the salt kept"));
        }
        (None, _, None) => {}
    }
    if kind.words().is_some() {
        let written = serde_json::to_string(&kind)
            .map_err(|error| Problem::Undecodable(error.to_string()))?;
        if written != event.details {
            return Err(Problem::NotAsWritten);
        }
    }
    let skeleton =
        skeleton(&kind, &event.details).map_err(|error| Problem::Undecodable(error.to_string()))?;
    if event_hash(event, &skeleton, words_hash.as_ref(), &prev) != hash {
        return Err(Problem::HashMismatch);
    }
    Ok((prev, hash))
}

#[cfg(test)]
mod tests;

//! Tamper evidence for the event log: every event is a link of one hash chain, so a
//! row edited, inserted or deleted by hand shows, and `handoff audit verify` names
//! the first broken link.
//!
//! Each event row stores the hash of its predecessor (`prev_hash`) and its own
//! (`hash`): SHA-256 over a length-prefixed encoding of its seq, hand-off, kind,
//! actor, instant, its details *without their words*, the hash of its words, and
//! `prev_hash` (see `hash.rs` for the exact bytes). The last link is also kept in the
//! one-row table `audit_head`, so rows cut off the end show too.
//!
//! Why the words are hashed apart: retention blanks the words of old events (a
//! reason, a note: [`crate::event::EventKind::words`]) and must not break the
//! chain. An event with words stores `words_hash` = SHA-256 over a random 32-byte
//! `words_salt` and the words; the chain covers `words_hash`, not the words. While
//! the words are kept, verify checks them against it; retention blanks the words
//! *and the salt* together. The salt is why: without it a short reason ("busy")
//! could be found again after retention by hashing guesses against the
//! `words_hash` that stays. With the salt gone, nothing left in the row says
//! anything about the words.
//!
//! What a row must look like to verify ([`verify`]):
//!
//! - its hash is SHA-256 of its columns as they are now (details with any words
//!   taken out, exactly as retention would leave them) and its `prev_hash`;
//! - its `prev_hash` is the hash of the row before it (the first names
//!   [`Hash::GENESIS`]), and no seq is skipped: every chained append takes the
//!   next seq under the chain's lock, so seqs are contiguous;
//! - words still present match `words_hash` under their salt; blanked words have
//!   neither words nor salt, as retention leaves them; an event with words is
//!   stored in exactly the form the service writes (re-encoding its details gives
//!   the same text), so a change that decodes to the same event cannot hide in a
//!   row whose details are not hashed byte for byte. Events without words are
//!   hashed byte for byte. (Every version of the service has written events in
//!   the form it writes today: fields were only ever added as new kinds or as
//!   `skip_serializing_if` options. Keep it so.)
//!
//! What it is not: a signature. Anyone who can write the database and read this
//! code can rewrite the whole chain from an edited row on, head included. What it
//! gives is that no edit, by hand or by a bug, goes unseen unless the chain after it
//! is recomputed on purpose; `handoff audit verify` prints the head so it can be
//! noted elsewhere, and given back later (an [`Anchor`]) it must still be on the
//! chain: a recomputed chain cannot give an event before the edit its old hash.
//!
//! Events written before the chain existed (a database upgraded to this version)
//! are chained at the first start after the upgrade, in seq order, before the
//! service writes anything (`Store::connect`); `audit_head.legacy_through` keeps
//! the last of them, and verify reports that they were chained late: their
//! contents before that start cannot be vouched for.

mod hash;
mod verify;

pub use hash::{Hash, Link, Salt, StoredEvent};
pub use verify::{Anchor, Break, Problem, Verified};
pub(crate) use verify::{ChainedEvent, Head, Verifier};

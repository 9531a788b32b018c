//! The chain's arithmetic: the bytes hashed for an event and for its words, and the
//! audit columns ([`Link`]) of a new row.
//!
//! An event's hash is SHA-256 over these fields, each written as its length in
//! bytes (8 bytes, big-endian) followed by the bytes, in this order:
//!
//! 1. the tag `handoff-audit/event/1`;
//! 2. `seq`, `handoff_id`: 8 bytes each, big-endian two's complement;
//! 3. `kind`, `actor`: the columns' UTF-8 text as stored;
//! 4. `at`: 8 bytes, big-endian (epoch milliseconds);
//! 5. the details' skeleton: the `details` text if the event carries no words,
//!    else the details with the words blanked, encoded as the service encodes
//!    events (exactly what retention writes in their place);
//! 6. the words' hash: its 32 bytes, or nothing for an event without words;
//! 7. the predecessor's hash: 32 bytes.
//!
//! Length prefixes make the encoding unambiguous (no two different rows give the
//! same bytes, whatever their texts hold), and the tag and its version keep these
//! hashes apart from any other SHA-256 in the program. The words' hash is SHA-256
//! over `handoff-audit/words/1`, the 32-byte salt and the words' UTF-8, each
//! length-prefixed the same way.
//!
//! Hashes and salts are stored as 64 lowercase hex digits.

use std::borrow::Cow;
use std::fmt;

use sha2::{Digest, Sha256};

use crate::event::EventKind;

const EVENT_TAG: &[u8] = b"handoff-audit/event/1";
const WORDS_TAG: &[u8] = b"handoff-audit/words/1";

/// A SHA-256 digest: an event's hash, its predecessor's, or its words'.
#[derive(Clone, Copy, PartialEq, Eq, Hash)]
pub struct Hash([u8; 32]);

impl Hash {
    /// What the first event of the chain names as its predecessor.
    pub const GENESIS: Hash = Hash([0; 32]);

    pub fn to_hex(&self) -> String {
        to_hex(&self.0)
    }

    /// 64 hex digits (either case); `None` for anything else.
    pub fn from_hex(text: &str) -> Option<Hash> {
        from_hex(text).map(Hash)
    }
}

impl fmt::Display for Hash {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.to_hex())
    }
}

impl fmt::Debug for Hash {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Hash({})", self.to_hex())
    }
}

/// The random value hashed with an event's words, and forgotten with them.
#[derive(Clone, Copy, PartialEq, Eq)]
pub struct Salt([u8; 32]);

impl Salt {
    /// A fresh salt from the operating system's generator (through `rand`'s
    /// thread-local one, reseeded from it).
    pub fn random() -> Salt {
        Salt(rand::random())
    }

    pub fn from_bytes(bytes: [u8; 32]) -> Salt {
        Salt(bytes)
    }

    pub fn to_hex(&self) -> String {
        to_hex(&self.0)
    }

    pub fn from_hex(text: &str) -> Option<Salt> {
        from_hex(text).map(Salt)
    }
}

impl fmt::Debug for Salt {
    // Not the value: a salt is as private as the words it hides.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Salt(..)")
    }
}

/// One row of the event log, its columns as stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredEvent {
    pub seq: i64,
    pub handoff_id: i64,
    pub kind: String,
    pub actor: String,
    pub at: i64,
    pub details: String,
}

/// The audit columns of one row.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Link {
    pub prev: Hash,
    pub hash: Hash,
    /// The salt and the words' hash, for an event that carries words.
    pub words: Option<(Salt, Hash)>,
}

impl Link {
    /// The audit columns of `row` following `prev`. `kind` is the event
    /// `row.details` encodes; `salt` is asked for only if it carries words.
    pub fn new(
        row: &StoredEvent,
        kind: &EventKind,
        prev: Hash,
        salt: impl FnOnce() -> Salt,
    ) -> Result<Link, serde_json::Error> {
        let words = kind.words().map(|words| {
            let salt = salt();
            (salt, words_hash(&salt, words))
        });
        let skeleton = skeleton(kind, &row.details)?;
        let hash = event_hash(row, &skeleton, words.as_ref().map(|(_, h)| h), &prev);
        Ok(Link { prev, hash, words })
    }
}

/// The hash of an event's words under its salt.
pub(crate) fn words_hash(salt: &Salt, words: &str) -> Hash {
    let mut fields = Fields::new(WORDS_TAG);
    fields.push(&salt.0);
    fields.push(words.as_bytes());
    fields.finish()
}

/// The part of `details` hashed as it is: the text itself when the event (`kind`,
/// decoded from it) carries no words, else the event with its words blanked, encoded
/// the way retention writes it.
pub(crate) fn skeleton<'a>(
    kind: &EventKind,
    details: &'a str,
) -> Result<Cow<'a, str>, serde_json::Error> {
    if kind.words().is_none() {
        return Ok(Cow::Borrowed(details));
    }
    let mut blank = kind.clone();
    blank.forget_text();
    serde_json::to_string(&blank).map(Cow::Owned)
}

/// An event's hash: see the module's comment for the bytes.
pub(crate) fn event_hash(
    row: &StoredEvent,
    skeleton: &str,
    words: Option<&Hash>,
    prev: &Hash,
) -> Hash {
    let mut fields = Fields::new(EVENT_TAG);
    fields.push(&row.seq.to_be_bytes());
    fields.push(&row.handoff_id.to_be_bytes());
    fields.push(row.kind.as_bytes());
    fields.push(row.actor.as_bytes());
    fields.push(&row.at.to_be_bytes());
    fields.push(skeleton.as_bytes());
    fields.push(words.map_or(&[][..], |h| &h.0[..]));
    fields.push(&prev.0);
    fields.finish()
}

/// SHA-256 over length-prefixed fields.
struct Fields(Sha256);

impl Fields {
    fn new(tag: &[u8]) -> Fields {
        let mut fields = Fields(Sha256::new());
        fields.push(tag);
        fields
    }

    fn push(&mut self, bytes: &[u8]) {
        // A usize always fits in a u64 on the platforms Rust supports.
        let len = u64::try_from(bytes.len()).unwrap_or(u64::MAX);
        self.0.update(len.to_be_bytes());
        self.0.update(bytes);
    }

    fn finish(self) -> Hash {
        Hash(self.0.finalize().into())
    }
}

fn to_hex(bytes: &[u8; 32]) -> String {
    const DIGITS: &[u8; 16] = b"0123456789abcdef";
    let mut text = String::with_capacity(64);
    for byte in bytes {
        text.push(char::from(DIGITS[usize::from(byte >> 4)]));
        text.push(char::from(DIGITS[usize::from(byte & 0x0f)]));
    }
    text
}

fn from_hex(text: &str) -> Option<[u8; 32]> {
    let digits = text.as_bytes();
    if digits.len() != 64 {
        return None;
    }
    let mut bytes = [0u8; 32];
    for (byte, pair) in bytes.iter_mut().zip(digits.chunks_exact(2)) {
        let high = char::from(pair[0]).to_digit(16)?;
        let low = char::from(pair[1]).to_digit(16)?;
        *byte = u8::try_from(high * 16 + low).ok()?;
    }
    Some(bytes)
}

#[cfg(test)]
mod tests {
    use super::*;
    use handoff_schedules::PersonId;

    fn ana() -> PersonId {
        PersonId::parse("ana").unwrap()
    }

    fn row(seq: i64, kind: &EventKind) -> StoredEvent {
        StoredEvent {
            seq,
            handoff_id: 1001,
            kind: kind.name().to_owned(),
            actor: r#"{"staff":"ana"}"#.to_owned(),
            at: 1_741_942_800_000,
            details: serde_json::to_string(kind).unwrap(),
        }
    }

    fn declined(reason: Option<&str>) -> EventKind {
        EventKind::Declined {
            person: ana(),
            reason: reason.map(str::to_owned),
        }
    }

    fn salt(byte: u8) -> Salt {
        Salt::from_bytes([byte; 32])
    }

    #[test]
    fn the_event_hash_is_sha256_of_the_length_prefixed_fields_in_order() {
        let kind = EventKind::Arrived { person: ana() };
        let row = row(7, &kind);
        let mut bytes = Vec::new();
        for field in [
            &b"handoff-audit/event/1"[..],
            &7i64.to_be_bytes(),
            &1001i64.to_be_bytes(),
            b"arrived",
            br#"{"staff":"ana"}"#,
            &1_741_942_800_000i64.to_be_bytes(),
            br#"{"event":"arrived","person":"ana"}"#,
            b"",
            &[0u8; 32],
        ] {
            bytes.extend((field.len() as u64).to_be_bytes());
            bytes.extend(field);
        }
        let expected = Hash(Sha256::digest(&bytes).into());
        let link = Link::new(&row, &kind, Hash::GENESIS, || unreachable!()).unwrap();
        assert_eq!(link.hash, expected);
        assert_eq!(link.prev, Hash::GENESIS);
        assert_eq!(link.words, None, "no words, no salt");
    }

    #[test]
    fn every_column_and_the_predecessor_change_the_hash() {
        let kind = EventKind::Arrived { person: ana() };
        let base = row(7, &kind);
        let hash = |row: &StoredEvent, prev: &Hash| event_hash(row, &row.details, None, prev);
        let original = hash(&base, &Hash::GENESIS);
        let mut variants = Vec::new();
        for change in 0..6 {
            let mut changed = base.clone();
            match change {
                0 => changed.seq += 1,
                1 => changed.handoff_id += 1,
                2 => changed.kind = "completed".to_owned(),
                3 => changed.actor = "\"system\"".to_owned(),
                4 => changed.at += 1,
                _ => changed.details.push(' '),
            }
            variants.push(hash(&changed, &Hash::GENESIS));
        }
        variants.push(hash(&base, &Hash([1; 32])));
        for variant in variants {
            assert_ne!(variant, original);
        }
    }

    #[test]
    fn moving_bytes_from_one_text_field_to_the_next_changes_the_hash() {
        let kind = EventKind::Arrived { person: ana() };
        let mut a = row(7, &kind);
        a.kind = "arrivedx".to_owned();
        a.actor = "y".to_owned();
        let mut b = a.clone();
        b.kind = "arrived".to_owned();
        b.actor = "xy".to_owned();
        assert_ne!(
            event_hash(&a, "", None, &Hash::GENESIS),
            event_hash(&b, "", None, &Hash::GENESIS)
        );
    }

    #[test]
    fn an_events_words_are_hashed_apart_so_the_hash_is_the_same_once_retention_blanks_them() {
        let kind = declined(Some("on another call"));
        let written = row(3, &kind);
        let link = Link::new(&written, &kind, Hash([9; 32]), || salt(5)).unwrap();
        let (used, words) = link.words.unwrap();
        assert_eq!(used, salt(5));
        assert_eq!(words, words_hash(&salt(5), "on another call"));

        // What retention leaves: the event with its reason blanked, re-encoded.
        let mut blank = kind.clone();
        assert!(blank.forget_text());
        let forgotten = StoredEvent {
            details: serde_json::to_string(&blank).unwrap(),
            ..written.clone()
        };
        assert_eq!(
            skeleton(&blank, &forgotten.details).unwrap(),
            skeleton(&kind, &written.details).unwrap()
        );
        let skeleton = skeleton(&blank, &forgotten.details).unwrap();
        assert_eq!(
            event_hash(&forgotten, &skeleton, Some(&words), &Hash([9; 32])),
            link.hash
        );
    }

    #[test]
    fn other_words_or_another_salt_give_another_words_hash() {
        let words = words_hash(&salt(1), "busy");
        assert_ne!(words, words_hash(&salt(1), "busy."));
        assert_ne!(words, words_hash(&salt(2), "busy"));
        assert_eq!(words, words_hash(&salt(1), "busy"));
    }

    #[test]
    fn an_event_without_words_and_one_whose_words_are_blank_hash_apart() {
        // Declined with no reason given, and declined with its reason forgotten:
        // the same details, told apart by the words' hash.
        let none = declined(None);
        let row = row(3, &none);
        let plain = Link::new(&row, &none, Hash::GENESIS, || unreachable!()).unwrap();
        let words = words_hash(&salt(1), "busy");
        assert_ne!(
            event_hash(&row, &row.details, Some(&words), &Hash::GENESIS),
            plain.hash
        );
    }

    #[test]
    fn hashes_and_salts_round_trip_through_hex_and_nothing_else_parses() {
        let hash = words_hash(&salt(3), "x");
        assert_eq!(Hash::from_hex(&hash.to_hex()), Some(hash));
        assert_eq!(Hash::from_hex(&hash.to_hex().to_uppercase()), Some(hash));
        assert_eq!(Hash::GENESIS.to_hex(), "0".repeat(64));
        assert_eq!(Salt::from_hex(&salt(171).to_hex()), Some(salt(171)));
        assert_eq!(salt(171).to_hex(), "ab".repeat(32));
        for bad in [
            "",
            "00",
            &"0".repeat(63),
            &"0".repeat(65),
            &"g".repeat(64),
            &format!("+{}", "0".repeat(63)),
        ] {
            assert_eq!(Hash::from_hex(bad), None, "{bad}");
        }
        assert_eq!(format!("{:?}", salt(1)), "Salt(..)");
    }

    #[test]
    fn fresh_salts_differ() {
        assert_ne!(Salt::random(), Salt::random());
    }
}

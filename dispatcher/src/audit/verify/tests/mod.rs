//! Verifying the audit chain: a clean chain, and each way a row can be edited,
//! rewritten, deleted, blanked, or a head moved, reported where it happens.

use handoff_schedules::PersonId;

use super::{Anchor, Break, ChainedEvent, Head, Problem, Verified, Verifier};
use crate::audit::hash::{Hash, Link, Salt, StoredEvent};
use crate::event::EventKind;

fn ana() -> PersonId {
    PersonId::parse("ana").unwrap()
}

/// The kinds of a short hand-off, with words in the decline (seq 3) and the
/// not-diverted note (seq 5).
fn kinds() -> Vec<EventKind> {
    vec![
        EventKind::StepStarted { step: 0 },
        EventKind::Offered {
            person: ana(),
            step: 0,
            round: 1,
        },
        EventKind::Declined {
            person: ana(),
            reason: Some("on another call".to_owned()),
        },
        EventKind::Arrived { person: ana() },
        EventKind::NotDiverted {
            code: crate::outcome::NotDivertedCode::Left,
            note: Some("went back inside".to_owned()),
        },
    ]
}

/// Rows chained the way the store appends them, seqs from `first`.
fn chain_from(first: i64, kinds: &[EventKind]) -> Vec<ChainedEvent> {
    let mut prev = Hash::GENESIS;
    let mut rows = Vec::new();
    for (seq, kind) in (first..).zip(kinds) {
        let event = StoredEvent {
            seq,
            handoff_id: 1001,
            kind: kind.name().to_owned(),
            actor: r#"{"type":"staff","id":"ana"}"#.to_owned(),
            at: 1_741_942_800_000 + seq * 60_000,
            details: serde_json::to_string(kind).unwrap(),
        };
        let salt = u8::try_from(seq).unwrap();
        let link = Link::new(&event, kind, prev, || Salt::from_bytes([salt; 32])).unwrap();
        prev = link.hash;
        rows.push(ChainedEvent {
            event,
            prev_hash: Some(link.prev.to_hex()),
            hash: Some(link.hash.to_hex()),
            words_hash: link.words.map(|(_, h)| h.to_hex()),
            words_salt: link.words.map(|(s, _)| s.to_hex()),
        });
    }
    rows
}

fn chain() -> Vec<ChainedEvent> {
    chain_from(1, &kinds())
}

fn head_of(rows: &[ChainedEvent], legacy_through: i64) -> Head {
    rows.last().map_or(
        Head {
            seq: 0,
            hash: Hash::GENESIS.to_hex(),
            legacy_through,
        },
        |last| Head {
            seq: last.event.seq,
            hash: last.hash.clone().unwrap(),
            legacy_through,
        },
    )
}

fn verify(rows: &[ChainedEvent], head: &Head) -> Result<Verified, Break> {
    let mut verifier = Verifier::new(head.legacy_through, None);
    for row in rows {
        verifier.push(row)?;
    }
    verifier.finish(head)
}

/// The first break in `rows` checked against the head of `chain()`.
fn first_break(rows: &[ChainedEvent]) -> Break {
    let head = head_of(&chain(), 0);
    verify(rows, &head).unwrap_err()
}

/// The row at `seq`, blanked the way retention blanks it.
fn retention_blanks(rows: &mut [ChainedEvent], seq: i64) {
    let row = &mut rows[usize::try_from(seq - 1).unwrap()];
    let mut kind: EventKind = serde_json::from_str(&row.event.details).unwrap();
    assert!(kind.forget_text());
    row.event.details = serde_json::to_string(&kind).unwrap();
    row.words_salt = None;
}

#[test]
fn a_clean_chain_verifies_and_ends_at_its_head() {
    let rows = chain();
    let verified = verify(&rows, &head_of(&rows, 0)).unwrap();
    assert_eq!(verified.events, 5);
    assert_eq!(verified.head_seq, 5);
    assert_eq!(Some(verified.head_hash.to_hex()), rows[4].hash);
    assert_eq!(verified.legacy_through, 0);
}

#[test]
fn an_empty_log_verifies_against_an_empty_head() {
    let verified = verify(&[], &head_of(&[], 0)).unwrap();
    assert_eq!(verified.events, 0);
    assert_eq!(verified.head_hash, Hash::GENESIS);
}

#[test]
fn a_row_whose_columns_were_edited_is_a_hash_mismatch_at_that_row() {
    let edits: [fn(&mut StoredEvent); 5] = [
        |e| e.at += 1,
        |e| e.actor = r#"{"type":"system"}"#.to_owned(),
        |e| e.handoff_id = 1002,
        |e| e.details = e.details.replace("\"step\":0", "\"step\":1"),
        |e| e.details.push(' '),
    ];
    for edit in edits {
        let mut rows = chain();
        edit(&mut rows[1].event);
        let broken = first_break(&rows);
        assert_eq!(broken.seq, 2);
        assert_eq!(broken.problem, Problem::HashMismatch, "{broken}");
    }
}

#[test]
fn a_row_rewritten_with_a_fresh_hash_breaks_the_link_after_it() {
    let mut rows = chain();
    let mut kinds = kinds();
    kinds[1] = EventKind::Offered {
        person: PersonId::parse("bo").unwrap(),
        step: 0,
        round: 1,
    };
    // Row 2 rewritten and rehashed on its own predecessor, as a careful editor would.
    rows[1] = chain_from(1, &kinds[..2]).remove(1);
    let broken = first_break(&rows);
    assert_eq!(broken.seq, 3);
    assert_eq!(
        broken.problem,
        Problem::PredecessorMismatch { previous: Some(2) }
    );
    assert!(
        broken
            .to_string()
            .starts_with("event 3 (hand-off 1001): predecessor mismatch")
    );
}

#[test]
fn deleted_rows_are_missing_wherever_they_were() {
    let mut middle = chain();
    middle.remove(2);
    let broken = first_break(&middle);
    assert_eq!(
        (broken.seq, broken.problem),
        (4, Problem::Missing { from: 3, to: 3 })
    );

    let mut first = chain();
    first.remove(0);
    let broken = first_break(&first);
    assert_eq!(
        (broken.seq, broken.problem),
        (2, Problem::Missing { from: 1, to: 1 })
    );

    let mut last_two = chain();
    last_two.truncate(3);
    let broken = first_break(&last_two);
    assert_eq!(
        (broken.seq, broken.handoff, broken.problem.clone()),
        (4, None, Problem::TailMissing { from: 4, to: 5 })
    );
    assert_eq!(
        broken.to_string(),
        "event 4: missing rows at the end: the chain's head names event 5, and events 4 to 5 \
         are gone"
    );
}

#[test]
fn words_blanked_by_retention_still_verify() {
    let mut rows = chain();
    retention_blanks(&mut rows, 3);
    retention_blanks(&mut rows, 5);
    assert!(!rows[2].event.details.contains("another call"));
    assert_eq!(verify(&rows, &head_of(&chain(), 0)).unwrap().events, 5);
}

#[test]
fn words_changed_added_or_blanked_otherwise_are_words_not_matching() {
    let mut changed = chain();
    changed[2].event.details = changed[2].event.details.replace("another call", "a break");
    assert_eq!(first_break(&changed).problem, Problem::WordsMismatch);

    let mut added = chain();
    added[0].event.details = serde_json::to_string(&EventKind::Cancelled {
        reason: Some("x".to_owned()),
    })
    .unwrap();
    added[0].event.kind = "cancelled".to_owned();
    assert_eq!(first_break(&added).problem, Problem::WordsAdded);

    let mut salt_kept = chain();
    retention_blanks(&mut salt_kept, 3);
    salt_kept[2].words_salt = chain()[2].words_salt.clone();
    assert!(matches!(
        first_break(&salt_kept).problem,
        Problem::BlankedWrongly(_)
    ));

    let mut salt_gone = chain();
    salt_gone[2].words_salt = None;
    assert!(matches!(
        first_break(&salt_gone).problem,
        Problem::BlankedWrongly(_)
    ));

    // Blanked, but written back in another form than retention's.
    let mut other_form = chain();
    retention_blanks(&mut other_form, 3);
    other_form[2].event.details = other_form[2].event.details.replace(",\"reason\":null", "");
    assert_eq!(first_break(&other_form).seq, 3);
}

#[test]
fn a_row_with_words_stored_in_another_form_is_not_as_written() {
    let mut rows = chain();
    rows[2].event.details = rows[2].event.details.replacen('{', "{ ", 1);
    assert_eq!(first_break(&rows).problem, Problem::NotAsWritten);
}

#[test]
fn rows_without_a_hash_or_with_garbage_in_one_are_reported() {
    let mut unchained = chain();
    unchained[3].hash = None;
    assert_eq!(first_break(&unchained).problem, Problem::Unchained);

    let mut garbled = chain();
    garbled[3].prev_hash = Some("not a hash".to_owned());
    assert_eq!(first_break(&garbled).problem, Problem::Garbled("prev_hash"));

    let mut kind = chain();
    kind[3].event.kind = "completed".to_owned();
    assert!(matches!(
        first_break(&kind).problem,
        Problem::Undecodable(_)
    ));
}

#[test]
fn a_head_that_names_another_hash_is_a_head_mismatch() {
    let rows = chain();
    let mut head = head_of(&rows, 0);
    head.hash = rows[3].hash.clone().unwrap();
    let broken = verify(&rows, &head).unwrap_err();
    assert_eq!((broken.seq, broken.problem), (5, Problem::HeadMismatch));
}

#[test]
fn legacy_rows_may_have_gaps_but_not_lose_their_last_row() {
    // Seqs 1, 2, 4 chained late (3 was a rolled-back insert), then 5, 6 appended.
    let kinds = kinds();
    let mut rows = chain_from(1, &kinds[..2]);
    let mut prev = Hash::from_hex(rows[1].hash.as_deref().unwrap()).unwrap();
    for (seq, kind) in [(4, &kinds[2]), (5, &kinds[3]), (6, &kinds[4])] {
        let mut row = chain_from(seq, std::slice::from_ref(kind)).remove(0);
        let link = Link::new(&row.event, kind, prev, || Salt::from_bytes([7; 32])).unwrap();
        row.prev_hash = Some(link.prev.to_hex());
        row.hash = Some(link.hash.to_hex());
        row.words_hash = link.words.map(|(_, h)| h.to_hex());
        row.words_salt = link.words.map(|(s, _)| s.to_hex());
        prev = link.hash;
        rows.push(row);
    }
    let head = head_of(&rows, 4);
    let verified = verify(&rows, &head).unwrap();
    assert_eq!((verified.events, verified.legacy_through), (5, 4));

    // The last legacy row deleted: its seq is known, so it is missing by name.
    let mut without = rows.clone();
    without.remove(2);
    let broken = verify(&without, &head).unwrap_err();
    assert_eq!(
        (broken.seq, broken.problem),
        (5, Problem::Missing { from: 4, to: 4 })
    );

    // Another legacy row deleted: the link after it breaks.
    let mut without = rows.clone();
    without.remove(1);
    let broken = verify(&without, &head).unwrap_err();
    assert_eq!(
        (broken.seq, broken.problem),
        (4, Problem::PredecessorMismatch { previous: Some(1) })
    );

    // After the legacy rows, seqs are contiguous again.
    let mut without = rows;
    without.remove(3);
    let broken = verify(&without, &head).unwrap_err();
    assert_eq!(
        (broken.seq, broken.problem),
        (6, Problem::Missing { from: 5, to: 5 })
    );
}

#[test]
fn a_head_noted_earlier_must_still_be_on_the_chain() {
    let rows = chain();
    let head = head_of(&rows, 0);
    let noted: Anchor = format!("3:{}", rows[2].hash.as_deref().unwrap())
        .parse()
        .unwrap();
    assert_eq!(
        noted.to_string(),
        format!("3:{}", rows[2].hash.as_deref().unwrap())
    );
    let anchored = |rows: &[ChainedEvent], head: &Head| {
        let mut verifier = Verifier::new(0, Some(noted));
        for row in rows {
            verifier.push(row)?;
        }
        verifier.finish(head)
    };
    assert_eq!(anchored(&rows, &head).unwrap().events, 5);

    // Event 2 edited and the whole chain recomputed from it: it verifies on its
    // own, but event 3 no longer has the hash noted.
    let mut kinds = kinds();
    kinds[1] = EventKind::Offered {
        person: PersonId::parse("bo").unwrap(),
        step: 0,
        round: 1,
    };
    let rewritten = chain_from(1, &kinds);
    let new_head = head_of(&rewritten, 0);
    assert!(verify(&rewritten, &new_head).is_ok());
    let broken = anchored(&rewritten, &new_head).unwrap_err();
    assert_eq!((broken.seq, broken.problem), (3, Problem::AnchorMismatch));

    // The log cut back to before the noted event.
    let short = &rows[..2];
    let broken = anchored(short, &head_of(short, 0)).unwrap_err();
    assert_eq!((broken.seq, broken.problem), (3, Problem::AnchorMissing));

    for bad in [
        "3",
        "x:ab",
        &format!("0:{}", "0".repeat(64)),
        &format!("3:{}", "0".repeat(63)),
    ] {
        assert!(bad.parse::<Anchor>().is_err(), "{bad}");
    }
}

//! The event log's hash chain in real databases: every way the store appends
//! events builds one chain that verifies; retention blanks words without breaking
//! it; a row edited, deleted or added by hand (triggers dropped first, as someone
//! set on it would) is named; a log from before the chain is chained at the next
//! start; instances appending at once build one chain. On a fresh SQLite file, and
//! on PostgreSQL too when `DATABASE_URL` names a server.

use chrono::{DateTime, Duration, Utc};
use handoff_dispatcher::audit::{Anchor, Break, Hash, Link, Problem, Salt, StoredEvent, Verified};
use handoff_dispatcher::store::InboundWrite;
use handoff_dispatcher::{
    Actor, AgencyId, Backend, Commit, Event, EventKind, Handoff, HandoffId, HandoffKind, OfficerId,
    Request, State, Store,
};
use handoff_schedules::{PersonId, SiteId};
use sqlx::Row;

mod support;
use support::{Db, every_backend, on_every_backend};

/// `minutes` after 2025-03-14 09:00 UTC.
fn t(minutes: i64) -> DateTime<Utc> {
    DateTime::from_timestamp(1_741_942_800, 0).unwrap_or_else(|| panic!("the base instant"))
        + Duration::minutes(minutes)
}

fn ana() -> PersonId {
    PersonId::parse("ana").unwrap_or_else(|e| panic!("{e}"))
}

fn handoff(id: u32, state: State) -> Handoff {
    let request = Request {
        kind: HandoffKind::ArrestDiversion,
        site: SiteId::parse("north-county").unwrap_or_else(|e| panic!("{e}")),
        officer: OfficerId::parse("deputy-ruiz").unwrap_or_else(|e| panic!("{e}")),
        agency: AgencyId::parse("sheriff").unwrap_or_else(|e| panic!("{e}")),
        location: "5th and Main".to_owned(),
        zone: None,
        asked_for: None,
    };
    Handoff {
        state,
        ..Handoff::opened(HandoffId::new(id), request, t(0), false)
    }
}

fn commit(handoff: Handoff, expected_version: Option<i64>, now: DateTime<Utc>) -> Commit {
    Commit {
        handoff,
        expected_version,
        events: Vec::new(),
        schedule: Vec::new(),
        cancel: Vec::new(),
        consumed: None,
        outbox: Vec::new(),
        offered: Vec::new(),
        now,
    }
}

fn event(id: u32, minutes: i64, kind: EventKind) -> Event {
    Event {
        handoff: HandoffId::new(id),
        at: t(minutes),
        actor: Actor::Staff(ana()),
        kind,
    }
}

/// Hand-off `id` opened, declined with a reason, then cancelled with one and closed
/// at minute `closed`: four events, two with words.
async fn a_hand_off_with_words(store: &Store, id: u32, closed: i64) {
    let open = handoff(id, State::Offering { step: 0, round: 1 });
    let mut c = commit(open.clone(), None, t(0));
    c.events = vec![
        event(id, 0, EventKind::StepStarted { step: 0 }),
        event(
            id,
            1,
            EventKind::Declined {
                person: ana(),
                reason: Some("at the clinic with a client".to_owned()),
            },
        ),
    ];
    store.commit(c).await.unwrap_or_else(|e| panic!("{e}"));
    let closed_state = State::Cancelled {
        by: Actor::Staff(ana()),
        reason: Some("he walked off toward Penn Ave".to_owned()),
    };
    let mut c = commit(handoff(id, closed_state), Some(1), t(closed));
    c.events = vec![
        event(id, closed, EventKind::Unstaffed),
        event(
            id,
            closed,
            EventKind::Cancelled {
                reason: Some("he walked off toward Penn Ave".to_owned()),
            },
        ),
    ];
    store.commit(c).await.unwrap_or_else(|e| panic!("{e}"));
}

async fn verify_whole(store: &Store) -> Verified {
    match store
        .verify_audit(None)
        .await
        .unwrap_or_else(|e| panic!("{e}"))
    {
        Ok(verified) => verified,
        Err(broken) => panic!("the chain is broken at {broken}"),
    }
}

async fn first_break(store: &Store) -> Break {
    match store
        .verify_audit(None)
        .await
        .unwrap_or_else(|e| panic!("{e}"))
    {
        Ok(verified) => panic!("the chain verified: {verified:?}"),
        Err(broken) => broken,
    }
}

async fn execute(store: &Store, sql: &'static str) {
    sqlx::query(sql)
        .execute(store.pool())
        .await
        .unwrap_or_else(|e| panic!("{sql}: {e}"));
}

/// What someone editing the log by hand does first: drop the triggers that keep it
/// append-only.
async fn drop_the_triggers(store: &Store) {
    match store.backend() {
        Backend::Sqlite => {
            execute(store, "DROP TRIGGER events_no_update").await;
            execute(store, "DROP TRIGGER events_no_delete").await;
        }
        Backend::Postgres => {
            execute(store, "DROP TRIGGER events_no_update_or_delete ON events").await;
        }
    }
}

async fn seqs(store: &Store) -> Vec<i64> {
    sqlx::query_scalar("SELECT seq FROM events ORDER BY seq")
        .fetch_all(store.pool())
        .await
        .unwrap_or_else(|e| panic!("{e}"))
}

#[tokio::test]
async fn events_appended_by_every_path_of_the_store_form_one_chain_that_verifies() {
    on_every_backend(async |_, store| {
        assert_eq!(
            verify_whole(&store).await.events,
            0,
            "an empty log verifies"
        );
        a_hand_off_with_words(&store, 1001, 10).await;

        // An inbound message's write, with a hand-off change and its event.
        let mut owed = handoff(1002, State::Offering { step: 0, round: 1 });
        owed.intake_due = Some(t(600));
        let mut opening = commit(owed, None, t(20));
        opening.events = vec![event(1002, 20, EventKind::StepStarted { step: 0 })];
        let write = InboundWrite {
            message_id: "SM-audit-1".to_owned(),
            sender: "+14125550101".to_owned(),
            sender_version: None,
            contact: None,
            about: Some(HandoffId::new(1002)),
            handoff: Some(opening),
            replies: Vec::new(),
            now: t(20),
        };
        store.receive(&write).await.unwrap();
        // The intake recorded from the command line.
        assert!(
            store
                .complete_intake(HandoffId::new(1002), t(30))
                .await
                .unwrap()
        );

        let verified = verify_whole(&store).await;
        assert_eq!(verified.events, 6);
        assert_eq!(verified.head_seq, 6);
        assert_eq!(verified.legacy_through, 0);
        assert_eq!(seqs(&store).await, [1, 2, 3, 4, 5, 6]);
        let last: String = sqlx::query_scalar("SELECT hash FROM events WHERE seq = 6")
            .fetch_one(store.pool())
            .await
            .unwrap();
        assert_eq!(verified.head_hash.to_hex(), last);
        // Only the events with words have a words' hash and a salt.
        let with_words: Vec<i64> = sqlx::query_scalar(
            "SELECT seq FROM events WHERE words_hash IS NOT NULL AND words_salt IS NOT NULL \
             ORDER BY seq",
        )
        .fetch_all(store.pool())
        .await
        .unwrap();
        assert_eq!(with_words, [2, 4]);
    })
    .await;
}

#[tokio::test]
async fn retention_blanks_the_words_and_their_salt_and_the_chain_still_verifies() {
    on_every_backend(async |_, store| {
        a_hand_off_with_words(&store, 1001, 10).await;
        a_hand_off_with_words(&store, 1002, 100).await;
        let done = store.forget_text(t(50), t(200)).await.unwrap();
        assert_eq!(done.events, 2);

        let rows = sqlx::query(
            "SELECT seq, details, words_hash, words_salt FROM events \
             WHERE words_hash IS NOT NULL ORDER BY seq",
        )
        .fetch_all(store.pool())
        .await
        .unwrap();
        let blanked: Vec<(i64, String, Option<String>)> = rows
            .iter()
            .map(|r| (r.get("seq"), r.get("details"), r.get("words_salt")))
            .collect();
        assert_eq!(blanked.len(), 4, "the words' hashes stay");
        for (seq, details, salt) in &blanked[..2] {
            assert!(
                !details.contains("clinic") && !details.contains("Penn"),
                "{seq}: {details}"
            );
            assert_eq!(*salt, None, "{seq}: the salt goes with the words");
        }
        for (seq, details, salt) in &blanked[2..] {
            assert!(
                details.contains("clinic") || details.contains("Penn"),
                "{seq}: {details}"
            );
            assert!(salt.is_some(), "{seq}");
        }
        assert_eq!(verify_whole(&store).await.events, 8);
    })
    .await;
}

#[tokio::test]
async fn an_event_edited_by_hand_is_named_by_its_seq_and_hand_off() {
    on_every_backend(async |_, store| {
        a_hand_off_with_words(&store, 1001, 10).await;
        a_hand_off_with_words(&store, 1002, 20).await;
        drop_the_triggers(&store).await;

        // A timing moved by a minute.
        execute(&store, "UPDATE events SET at = at + 60000 WHERE seq = 6").await;
        let broken = first_break(&store).await;
        assert_eq!(
            (broken.seq, broken.handoff, &broken.problem),
            (6, Some(1002), &Problem::HashMismatch)
        );
        execute(&store, "UPDATE events SET at = at - 60000 WHERE seq = 6").await;
        assert_eq!(
            verify_whole(&store).await.events,
            8,
            "put back, it verifies"
        );

        // A reason reworded.
        execute(
            &store,
            "UPDATE events SET details = REPLACE(details, 'clinic', 'gym') WHERE seq = 2",
        )
        .await;
        let broken = first_break(&store).await;
        assert_eq!((broken.seq, broken.problem), (2, Problem::WordsMismatch));
    })
    .await;
}

#[tokio::test]
async fn a_log_rewritten_with_its_chain_recomputed_fails_against_a_head_noted_before() {
    on_every_backend(async |_, store| {
        a_hand_off_with_words(&store, 1001, 10).await;
        let noted = verify_whole(&store).await;
        let anchor = Anchor {
            seq: noted.head_seq,
            hash: noted.head_hash,
        };

        // The decline moved ten minutes later, then every link from it recomputed
        // with the service's own code, head included.
        drop_the_triggers(&store).await;
        execute(&store, "UPDATE events SET at = at + 600000 WHERE seq = 2").await;
        let rows = sqlx::query(
            "SELECT seq, handoff_id, kind, actor, at, details FROM events ORDER BY seq",
        )
        .fetch_all(store.pool())
        .await
        .unwrap();
        let mut prev = Hash::GENESIS;
        for row in &rows {
            let stored = StoredEvent {
                seq: row.get("seq"),
                handoff_id: row.get("handoff_id"),
                kind: row.get("kind"),
                actor: row.get("actor"),
                at: row.get("at"),
                details: row.get("details"),
            };
            let kind: EventKind = serde_json::from_str(&stored.details).unwrap();
            let link = Link::new(&stored, &kind, prev, Salt::random).unwrap();
            sqlx::query(
                "UPDATE events SET prev_hash = $2, hash = $3, words_hash = $4, words_salt = $5 \
                 WHERE seq = $1",
            )
            .bind(stored.seq)
            .bind(link.prev.to_hex())
            .bind(link.hash.to_hex())
            .bind(link.words.map(|(_, h)| h.to_hex()))
            .bind(link.words.map(|(s, _)| s.to_hex()))
            .execute(store.pool())
            .await
            .unwrap();
            prev = link.hash;
        }
        sqlx::query("UPDATE audit_head SET hash = $1 WHERE id = 1")
            .bind(prev.to_hex())
            .execute(store.pool())
            .await
            .unwrap();

        // On its own the rewritten chain holds: that is what a hash chain cannot
        // tell. Against the head noted before, it does not.
        assert_eq!(verify_whole(&store).await.events, 4);
        let broken = store.verify_audit(Some(anchor)).await.unwrap().unwrap_err();
        assert_eq!(
            (broken.seq, broken.problem),
            (anchor.seq, Problem::AnchorMismatch)
        );
    })
    .await;
}

#[tokio::test]
async fn an_event_deleted_or_added_by_hand_is_found() {
    on_every_backend(async |_, store| {
        a_hand_off_with_words(&store, 1001, 10).await;
        drop_the_triggers(&store).await;
        execute(
            &store,
            "INSERT INTO events (seq, handoff_id, kind, actor, at, details) \
             VALUES (5, 1001, 'unstaffed', '{\"type\":\"system\"}', 0, '{\"event\":\"unstaffed\"}')",
        )
        .await;
        let broken = first_break(&store).await;
        assert_eq!((broken.seq, broken.problem), (5, Problem::PastHead));

        execute(&store, "DELETE FROM events WHERE seq = 5").await;
        execute(&store, "DELETE FROM events WHERE seq = 2").await;
        let broken = first_break(&store).await;
        assert_eq!(
            (broken.seq, broken.problem),
            (3, Problem::Missing { from: 2, to: 2 })
        );
    })
    .await;
}

#[tokio::test]
async fn once_chained_an_events_audit_columns_stay_and_its_salt_can_only_go() {
    on_every_backend(async |_, store| {
        a_hand_off_with_words(&store, 1001, 10).await;
        for sql in [
            "UPDATE events SET hash = prev_hash WHERE seq = 2",
            "UPDATE events SET prev_hash = hash WHERE seq = 2",
            "UPDATE events SET words_hash = NULL WHERE seq = 2",
            "UPDATE events SET words_salt = words_hash WHERE seq = 2",
            "UPDATE events SET hash = NULL WHERE seq = 1",
            "DELETE FROM events WHERE seq = 4",
        ] {
            let result = sqlx::query(sql).execute(store.pool()).await;
            assert!(result.is_err(), "{sql} succeeded");
        }
        // What retention does is allowed (here without blanking the words, which
        // the chain then reports).
        execute(&store, "UPDATE events SET words_salt = NULL WHERE seq = 2").await;
        let broken = first_break(&store).await;
        assert_eq!(
            (broken.seq, broken.problem),
            (2, Problem::BlankedWrongly("the salt is gone"))
        );
    })
    .await;
}

/// The last migration before the chain.
const BEFORE_THE_CHAIN: i64 = 20_261_206_000_001;

/// A database at the schema before the chain, with hand-off 1001 and five events
/// written the way that version wrote them (on PostgreSQL with a gap in the seqs
/// where an insert was rolled back).
async fn a_log_from_before_the_chain(db: &Db) {
    let pool = db.migrated_to(BEFORE_THE_CHAIN).await;
    // Closed at minute 10, so that retention reaches it.
    let cancelled = handoff(
        1001,
        State::Cancelled {
            by: Actor::Staff(ana()),
            reason: None,
        },
    );
    sqlx::query(
        "INSERT INTO handoffs (id, site, kind, officer, agency, state, data, version, \
         requested_at, closed_at) VALUES (1001, 'north-county', 'arrest_diversion', \
         'deputy-ruiz', 'sheriff', 'cancelled', $1, 1, $2, $3)",
    )
    .bind(serde_json::to_string(&cancelled).unwrap_or_else(|e| panic!("{e}")))
    .bind(t(0).timestamp_millis())
    .bind(t(10).timestamp_millis())
    .execute(&pool)
    .await
    .unwrap_or_else(|e| panic!("{e}"));
    let kinds = [
        EventKind::StepStarted { step: 0 },
        EventKind::Declined {
            person: ana(),
            reason: Some("on another call".to_owned()),
        },
        EventKind::Unstaffed,
        EventKind::Cancelled { reason: None },
        EventKind::Arrived { person: ana() },
    ];
    for (n, kind) in (0..).zip(kinds) {
        if n == 2 && matches!(db, Db::Postgres { .. }) {
            let mut tx = pool.begin().await.unwrap_or_else(|e| panic!("{e}"));
            legacy_insert(&mut tx, &EventKind::Unstaffed, n).await;
            tx.rollback().await.unwrap_or_else(|e| panic!("{e}"));
        }
        let mut conn = pool.acquire().await.unwrap_or_else(|e| panic!("{e}"));
        legacy_insert(&mut conn, &kind, n).await;
    }
    pool.close().await;
}

async fn legacy_insert(conn: &mut sqlx::AnyConnection, kind: &EventKind, minute: i64) {
    sqlx::query(
        "INSERT INTO events (handoff_id, kind, actor, at, details) VALUES (1001, $1, $2, $3, $4)",
    )
    .bind(kind.name())
    .bind(serde_json::to_string(&Actor::Staff(ana())).unwrap_or_else(|e| panic!("{e}")))
    .bind(t(minute).timestamp_millis())
    .bind(serde_json::to_string(kind).unwrap_or_else(|e| panic!("{e}")))
    .execute(conn)
    .await
    .unwrap_or_else(|e| panic!("{e}"));
}

#[tokio::test]
async fn a_log_from_before_the_chain_is_chained_at_the_first_start_and_appended_to_after() {
    for db in every_backend().await {
        a_log_from_before_the_chain(&db).await;
        let store = db.connect().await;
        eprintln!("on {:?}", store.backend());
        let legacy = seqs(&store).await;
        let last_legacy = *legacy.last().unwrap();
        match store.backend() {
            Backend::Sqlite => assert_eq!(legacy, [1, 2, 3, 4, 5]),
            Backend::Postgres => assert_eq!(legacy, [1, 2, 4, 5, 6], "3 was rolled back"),
        }
        let unchained: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM events WHERE hash IS NULL")
            .fetch_one(store.pool())
            .await
            .unwrap();
        assert_eq!(unchained, 0, "every legacy row is chained at start");

        // New events follow the legacy ones, with the next seqs.
        let mut c = commit(handoff(1002, State::Unstaffed), None, t(30));
        c.events = vec![
            event(1002, 30, EventKind::StepStarted { step: 0 }),
            event(1002, 30, EventKind::Unstaffed),
        ];
        store.commit(c).await.unwrap();
        let all = seqs(&store).await;
        assert_eq!(&all[5..], [last_legacy + 1, last_legacy + 2]);

        let verified = verify_whole(&store).await;
        assert_eq!(verified.events, 7);
        assert_eq!(verified.legacy_through, last_legacy);

        // A second start chains nothing again, and retention blanks a legacy word.
        store.close().await;
        let store = db.connect().await;
        let year = t(24 * 60 * 365);
        let done = store.forget_text(year, year).await.unwrap();
        assert_eq!(done.events, 1, "the legacy decline's reason");
        assert_eq!(verify_whole(&store).await.events, 7);

        // And a legacy row edited after the upgrade is caught like any other.
        drop_the_triggers(&store).await;
        execute(&store, "UPDATE events SET at = at + 1 WHERE seq = 1").await;
        assert_eq!(first_break(&store).await.seq, 1);
        store.close().await;
        db.dispose().await;
    }
}

#[tokio::test]
async fn instances_appending_at_once_build_one_chain_with_no_gap() {
    for db in every_backend().await {
        let first = db.connect().await;
        let second = db.connect().await;
        eprintln!("on {:?}", first.backend());
        let mut writers = Vec::new();
        for n in 0..40u32 {
            let store = if n % 2 == 0 {
                first.clone()
            } else {
                second.clone()
            };
            writers.push(tokio::spawn(async move {
                let id = 2000 + n;
                let mut c = commit(handoff(id, State::Unstaffed), None, t(0));
                c.events = vec![
                    event(id, 0, EventKind::StepStarted { step: 0 }),
                    event(
                        id,
                        0,
                        EventKind::Declined {
                            person: ana(),
                            reason: Some(format!("reason {n}")),
                        },
                    ),
                    event(id, 0, EventKind::Unstaffed),
                ];
                store.commit(c).await.unwrap();
            }));
        }
        for writer in writers {
            writer.await.unwrap();
        }
        let verified = verify_whole(&first).await;
        assert_eq!(verified.events, 120);
        assert_eq!(seqs(&first).await, (1..=120).collect::<Vec<i64>>());
        // Each hand-off's three events are together: a commit's events are
        // appended under the chain's lock, one commit after another.
        let ids: Vec<i64> = sqlx::query_scalar("SELECT handoff_id FROM events ORDER BY seq")
            .fetch_all(first.pool())
            .await
            .unwrap();
        for three in ids.chunks(3) {
            assert!(three.iter().all(|id| *id == three[0]), "{ids:?}");
        }
        first.close().await;
        second.close().await;
        db.dispose().await;
    }
}

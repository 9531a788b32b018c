//! The hash chain in the database (see `crate::audit` for what is hashed and why):
//! appending events to it, chaining the events written before it existed, and
//! reading it back page by page for `handoff audit verify`.
//!
//! Ordering. A chain needs a total order in which each event's predecessor is
//! well defined. Every append reads the last link from the one-row `audit_head`,
//! inserts its events with the next seqs (given explicitly, not drawn from the
//! table's sequence), and moves the head, all in the transaction that records
//! them:
//!
//! - on SQLite writers take turns already (the store's write lock and `BEGIN
//!   IMMEDIATE`), so the head is read plainly;
//! - on PostgreSQL several instances commit at once, so the head is read with
//!   `SELECT ... FOR UPDATE`: a second appender waits for the first to commit or
//!   roll back, then reads the head it left (read committed re-reads a locked row
//!   once the lock is released). Seqs are therefore handed out in the order the
//!   chain is built, one after another, with no gap even when a transaction rolls
//!   back.
//!
//! Each append is two statements on PostgreSQL (the head locked and read; the
//! rows inserted and the head moved, in one statement) and three on SQLite.
//!
//! Why appends come last in their transaction: the head's lock is held until
//! commit, so it should cover as little as possible, and a transaction that holds
//! it must never wait for a row lock another appender holds (that would be a
//! deadlock). Taking it after every other write of the transaction, with only
//! inserts of new event rows and the head's update after it, gives both. The
//! price is that on PostgreSQL commits that log events are serialised from that
//! point to their commit (fsync included). Measured on 2 shared cores, debug
//! build: the two-instance journeys (`tests/concurrent_webhooks.rs`,
//! `tests/instances.rs`) take as long as before within noise; a burst of 16
//! writers committing three events each peaks at ~300-500 commits/s on
//! PostgreSQL instead of ~1,000, and ~600 instead of ~700 on SQLite. Hand-offs
//! come at human pace, a few inputs a second at the busiest; if a program ever
//! needs more, the way out is chaining behind the commit, as the rollup reads the
//! log (`store::rollup`), at the price of a short window in which new rows are not
//! yet chained.

use sqlx::any::AnyRow;
use sqlx::{AnyConnection, Row};

use super::codec::{corrupt, db_id, from_json, millis, to_json};
use super::{Backend, Store, StoreError};
use crate::audit::{
    Anchor, Break, ChainedEvent, Hash, Head, Link, Problem, Salt, StoredEvent, Verified, Verifier,
};
use crate::event::{Event, EventKind};

/// Rows read per page by verify, and chained per transaction at the first start
/// after the upgrade: bounded memory, and short transactions.
const PAGE: i64 = 1_000;

const HEAD: &str = "audit_head";

/// Appends `events` to the log and the chain; the caller owns the transaction, and
/// calls this after its other writes (see the module's comment).
pub(super) async fn append(
    conn: &mut AnyConnection,
    backend: Backend,
    events: &[Event],
) -> Result<(), StoreError> {
    if events.is_empty() {
        return Ok(());
    }
    let (head, mut prev) = locked_head(conn, backend).await?;
    let mut rows = Vec::with_capacity(events.len());
    for (seq, event) in (head.seq + 1..).zip(events) {
        let stored = StoredEvent {
            seq,
            handoff_id: db_id(event.handoff),
            kind: event.kind.name().to_owned(),
            actor: to_json("an event's actor", &event.actor)?,
            at: millis(event.at),
            details: to_json("an event", &event.kind)?,
        };
        let link = Link::new(&stored, &event.kind, prev, Salt::random).map_err(|source| {
            StoreError::Encode {
                what: "an event without its words",
                source,
            }
        })?;
        prev = link.hash;
        rows.push((stored, link));
    }
    let last = head.seq + i64::try_from(rows.len()).unwrap_or(i64::MAX);
    // One statement for the rows and the head on PostgreSQL, where each round trip
    // is spent holding the head's lock; SQLite has no INSERT inside WITH.
    let sql = match backend {
        Backend::Postgres => format!(
            "WITH appended AS ({}) UPDATE audit_head SET seq = $1, hash = $2 WHERE id = 1",
            insert_sql(rows.len(), 3)
        ),
        Backend::Sqlite => insert_sql(rows.len(), 1),
    };
    // Audited: built from constants and placeholders only.
    let mut query = sqlx::query(sqlx::AssertSqlSafe(sql));
    if backend == Backend::Postgres {
        query = query.bind(last).bind(prev.to_hex());
    }
    for (stored, link) in rows {
        query = query
            .bind(stored.seq)
            .bind(stored.handoff_id)
            .bind(stored.kind)
            .bind(stored.actor)
            .bind(stored.at)
            .bind(stored.details)
            .bind(link.prev.to_hex())
            .bind(link.hash.to_hex())
            .bind(link.words.map(|(_, words)| words.to_hex()))
            .bind(link.words.map(|(salt, _)| salt.to_hex()));
    }
    query.execute(&mut *conn).await?;
    if backend == Backend::Sqlite {
        move_head(conn, last, prev).await?;
    }
    Ok(())
}

/// The columns of an appended event, in bind order.
const COLUMNS: [&str; 10] = [
    "seq",
    "handoff_id",
    "kind",
    "actor",
    "at",
    "details",
    "prev_hash",
    "hash",
    "words_hash",
    "words_salt",
];

/// `INSERT INTO events (COLUMNS) VALUES (...), ...` for `rows` rows, numbering the
/// placeholders from `$first`.
fn insert_sql(rows: usize, first: usize) -> String {
    let values: Vec<String> = (0..rows)
        .map(|row| {
            let start = first + row * COLUMNS.len();
            let params: Vec<String> = (start..start + COLUMNS.len())
                .map(|n| format!("${n}"))
                .collect();
            format!("({})", params.join(", "))
        })
        .collect();
    format!(
        "INSERT INTO events ({}) VALUES {}",
        COLUMNS.join(", "),
        values.join(", ")
    )
}

/// The head, and its hash parsed, locked against other appenders until the
/// transaction ends.
async fn locked_head(
    conn: &mut AnyConnection,
    backend: Backend,
) -> Result<(Head, Hash), StoreError> {
    let sql = match backend {
        Backend::Sqlite => "SELECT seq, hash, legacy_through FROM audit_head WHERE id = 1",
        Backend::Postgres => {
            "SELECT seq, hash, legacy_through FROM audit_head WHERE id = 1 FOR UPDATE"
        }
    };
    let row = sqlx::query(sql).fetch_optional(&mut *conn).await?;
    let head = decode_head(row.as_ref())?;
    let hash = Hash::from_hex(&head.hash)
        .ok_or_else(|| corrupt(HEAD, 1, format!("`{}` is not a hash", head.hash)))?;
    Ok((head, hash))
}

async fn move_head(conn: &mut AnyConnection, seq: i64, hash: Hash) -> Result<(), StoreError> {
    sqlx::query("UPDATE audit_head SET seq = $1, hash = $2 WHERE id = 1")
        .bind(seq)
        .bind(hash.to_hex())
        .execute(&mut *conn)
        .await?;
    Ok(())
}

fn decode_head(row: Option<&AnyRow>) -> Result<Head, StoreError> {
    let row = row.ok_or_else(|| corrupt(HEAD, 1, "the row is missing".to_owned()))?;
    Ok(Head {
        seq: row.try_get("seq")?,
        hash: row.try_get("hash")?,
        legacy_through: row.try_get("legacy_through")?,
    })
}

fn decode_stored(row: &AnyRow) -> Result<StoredEvent, StoreError> {
    Ok(StoredEvent {
        seq: row.try_get("seq")?,
        handoff_id: row.try_get("handoff_id")?,
        kind: row.try_get("kind")?,
        actor: row.try_get("actor")?,
        at: row.try_get("at")?,
        details: row.try_get("details")?,
    })
}

impl Store {
    /// Chains the events written before the chain existed, in seq order, a page per
    /// transaction; a no-op (one read) once they are. Run by [`Store::connect`]
    /// before the store is handed out, so nothing is appended before them. Returns
    /// how many it chained.
    pub(super) async fn chain_legacy(&self) -> Result<u64, StoreError> {
        let row = sqlx::query("SELECT seq, hash, legacy_through FROM audit_head WHERE id = 1")
            .fetch_optional(self.pool())
            .await?;
        let head = decode_head(row.as_ref())?;
        if head.seq >= head.legacy_through {
            return Ok(0);
        }
        tracing::info!(
            through = head.legacy_through,
            "chaining the events written before the audit chain existed"
        );
        let mut chained = 0;
        loop {
            let _guard = self.write_lock().await?;
            let mut tx = self.begin_write().await?;
            let result = chain_legacy_page(&mut tx, self.backend()).await;
            let done = Store::finish(tx, result).await?;
            if done == 0 {
                break;
            }
            chained += done;
        }
        tracing::info!(events = chained, "the event log is chained");
        Ok(chained)
    }

    /// Checks the whole chain, a page at a time, and that it passes through
    /// `anchor` if one is given: `Ok(Err(..))` names the first broken link; `Err` is
    /// a failure to read.
    ///
    /// The head is read first and rows up to it are checked: its rows were
    /// committed with it, and events appended meanwhile are left for the next check
    /// (except that a row past the head without a hash, one written outside the
    /// service, is reported). Retention blanking words meanwhile is harmless: each
    /// row is read whole, and blanked or not it verifies.
    pub async fn verify_audit(
        &self,
        anchor: Option<Anchor>,
    ) -> Result<Result<Verified, Break>, StoreError> {
        let row = sqlx::query("SELECT seq, hash, legacy_through FROM audit_head WHERE id = 1")
            .fetch_optional(self.pool())
            .await?;
        let Some(row) = row else {
            return Ok(Err(Break {
                seq: 0,
                handoff: None,
                problem: Problem::NoHead,
            }));
        };
        let head = decode_head(Some(&row))?;
        let mut verifier = Verifier::new(head.legacy_through, anchor);
        loop {
            let rows = sqlx::query(
                "SELECT seq, handoff_id, kind, actor, at, details, prev_hash, hash, words_hash, \
                 words_salt FROM events WHERE seq > $1 AND seq <= $2 ORDER BY seq LIMIT $3",
            )
            .bind(verifier.last_seq())
            .bind(head.seq)
            .bind(PAGE)
            .fetch_all(self.pool())
            .await?;
            if rows.is_empty() {
                break;
            }
            for row in &rows {
                let chained = ChainedEvent {
                    event: decode_stored(row)?,
                    prev_hash: row.try_get("prev_hash")?,
                    hash: row.try_get("hash")?,
                    words_hash: row.try_get("words_hash")?,
                    words_salt: row.try_get("words_salt")?,
                };
                if let Err(broken) = verifier.push(&chained) {
                    return Ok(Err(broken));
                }
            }
        }
        let verified = match verifier.finish(&head) {
            Ok(verified) => verified,
            Err(broken) => return Ok(Err(broken)),
        };
        let past = sqlx::query(
            "SELECT seq, handoff_id FROM events WHERE seq > $1 AND hash IS NULL \
             ORDER BY seq LIMIT 1",
        )
        .bind(head.seq)
        .fetch_optional(self.pool())
        .await?;
        if let Some(row) = past {
            return Ok(Err(Break {
                seq: row.try_get("seq")?,
                handoff: Some(row.try_get("handoff_id")?),
                problem: Problem::PastHead,
            }));
        }
        Ok(Ok(verified))
    }
}

/// One page of the legacy rows after the head: links them and moves the head.
/// Returns how many it chained (0: none left).
async fn chain_legacy_page(conn: &mut AnyConnection, backend: Backend) -> Result<u64, StoreError> {
    let (head, mut prev) = locked_head(conn, backend).await?;
    let rows = sqlx::query(
        "SELECT seq, handoff_id, kind, actor, at, details FROM events \
         WHERE seq > $1 AND seq <= $2 ORDER BY seq LIMIT $3",
    )
    .bind(head.seq)
    .bind(head.legacy_through)
    .bind(PAGE)
    .fetch_all(&mut *conn)
    .await?;
    let mut seq = head.seq;
    for row in &rows {
        let stored = decode_stored(row)?;
        let kind: EventKind = from_json("events", stored.seq, &stored.details)?;
        let link =
            Link::new(&stored, &kind, prev, Salt::random).map_err(|source| StoreError::Encode {
                what: "an event without its words",
                source,
            })?;
        // `hash IS NULL`: a row is chained once; the trigger refuses a second time.
        sqlx::query(
            "UPDATE events SET prev_hash = $2, hash = $3, words_hash = $4, words_salt = $5 \
             WHERE seq = $1 AND hash IS NULL",
        )
        .bind(stored.seq)
        .bind(link.prev.to_hex())
        .bind(link.hash.to_hex())
        .bind(link.words.map(|(_, words)| words.to_hex()))
        .bind(link.words.map(|(salt, _)| salt.to_hex()))
        .execute(&mut *conn)
        .await?;
        seq = stored.seq;
        prev = link.hash;
    }
    if rows.is_empty() {
        return Ok(0);
    }
    move_head(conn, seq, prev).await?;
    Ok(u64::try_from(rows.len()).unwrap_or(u64::MAX))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_insert_numbers_every_placeholder_once_from_the_first() {
        assert_eq!(
            insert_sql(2, 3),
            "INSERT INTO events (seq, handoff_id, kind, actor, at, details, prev_hash, hash, \
             words_hash, words_salt) VALUES ($3, $4, $5, $6, $7, $8, $9, $10, $11, $12), \
             ($13, $14, $15, $16, $17, $18, $19, $20, $21, $22)"
        );
    }
}

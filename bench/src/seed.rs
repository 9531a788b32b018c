//! A synthetic but realistic program history for the dashboard benchmark: three
//! sites in three time zones, five agencies, 400 officers, 24 case managers, busy
//! afternoons and quiet nights, and every way a hand-off ends (diverted, not
//! diverted, given up, cancelled after an accept, unstaffed, expired, answered out
//! of hours, given back, still open), with the events the engine would have
//! logged for each. Inserted straight into the tables in bulk (multi-row INSERTs,
//! one transaction per chunk), since a million hand-offs through the engine would
//! take hours. The `handoffs` rows carry placeholder JSON: neither the rollup nor
//! the board reads it. The events are chained as the store chains them
//! (`handoff_dispatcher::audit`), so the seeded log verifies and the service
//! appends after it. The loading steps (`open_for_loading`, [`Chain`],
//! `insert_events`) also load the timer benchmark's open hand-offs (`pending`).

use std::time::{Duration, Instant};

use anyhow::Context;
use chrono::NaiveDate;
use handoff_dispatcher::audit::{Hash, Link, Salt, StoredEvent};
use handoff_dispatcher::{Event, HandoffKind};
use sqlx::{Connection, Row, SqliteConnection};

use crate::history::{Made, Plan, Rng};

/// Hand-offs inserted per transaction.
const CHUNK: usize = 20_000;
/// Rows per INSERT statement (SQLite allows 32,766 bound values).
const ROWS_PER_INSERT: usize = 500;

/// What was seeded.
pub struct Seeded {
    pub handoffs: u64,
    pub events: u64,
    pub elapsed: Duration,
    /// Each hand-off's request instant (epoch milliseconds) and site (index in
    /// `history::SITES`), to check the board's counts against.
    pub requests: Vec<(i64, usize)>,
}

/// Inserts `count` hand-offs requested over `days` days from `start`, numbered from
/// `first_id`, into the SQLite file at `path` (already migrated).
pub async fn seed(
    path: &std::path::Path,
    start: NaiveDate,
    days: u32,
    count: u64,
    first_id: u32,
    seed: u64,
) -> anyhow::Result<Seeded> {
    let started = Instant::now();
    let mut conn = open_for_loading(path).await?;
    let mut chain = Chain::read(&mut conn).await?;
    let mut rng = Rng::new(seed);
    let mut plan = Plan::new(start, days, count, first_id);
    let mut seeded = Seeded {
        handoffs: 0,
        events: 0,
        elapsed: Duration::ZERO,
        requests: Vec::new(),
    };
    loop {
        let chunk = plan.next_chunk(&mut rng, CHUNK);
        if chunk.is_empty() {
            break;
        }
        let mut events: Vec<Event> = chunk.iter().flat_map(|h| h.events.clone()).collect();
        // The log is in commit order: interleave the chunk's hand-offs by time.
        events.sort_by_key(|e| e.at);
        let chained = chain.link(&events)?;
        let mut tx = conn.begin().await?;
        for rows in chunk.chunks(ROWS_PER_INSERT) {
            insert_handoffs(&mut tx, rows).await?;
        }
        for rows in chained.chunks(ROWS_PER_INSERT) {
            insert_events(&mut tx, rows).await?;
        }
        chain.write_head(&mut tx).await?;
        tx.commit().await?;
        seeded.handoffs += chunk.len() as u64;
        seeded.requests.extend(
            chunk
                .iter()
                .map(|h| (h.requested_at.timestamp_millis(), h.site_index)),
        );
        seeded.events += events.len() as u64;
    }
    finish_loading(conn).await?;
    seeded.elapsed = started.elapsed();
    Ok(seeded)
}

/// A connection to the SQLite file at `path` (already migrated) set up for bulk
/// loading. Only for loading: a crash would lose a half-seeded benchmark file,
/// nothing else. Foreign keys hold by construction (each hand-off before its
/// events).
pub async fn open_for_loading(path: &std::path::Path) -> anyhow::Result<SqliteConnection> {
    let url = format!("sqlite://{}", path.display());
    let mut conn = SqliteConnection::connect(&url)
        .await
        .context("opening the database to seed")?;
    for pragma in [
        "PRAGMA journal_mode = WAL",
        "PRAGMA synchronous = OFF",
        "PRAGMA foreign_keys = OFF",
        "PRAGMA cache_size = -262144",
    ] {
        sqlx::query(pragma).execute(&mut conn).await?;
    }
    Ok(conn)
}

/// Folds the write-ahead log into the file and closes the connection.
pub async fn finish_loading(mut conn: SqliteConnection) -> anyhow::Result<()> {
    sqlx::query("PRAGMA wal_checkpoint(TRUNCATE)")
        .execute(&mut conn)
        .await?;
    conn.close().await?;
    Ok(())
}

/// The event log's hash chain as it is being extended: the last sequence number
/// and hash. It continues from the stored head, so a second seeding appends to
/// the first.
pub struct Chain {
    seq: i64,
    prev: Hash,
}

impl Chain {
    pub async fn read(conn: &mut SqliteConnection) -> anyhow::Result<Chain> {
        let head = sqlx::query("SELECT seq, hash FROM audit_head WHERE id = 1")
            .fetch_one(&mut *conn)
            .await
            .context("reading the audit chain's head")?;
        let hash: String = head.try_get("hash")?;
        Ok(Chain {
            seq: head.try_get("seq")?,
            prev: Hash::from_hex(&hash).context("the audit chain's head is not a hash")?,
        })
    }

    /// The last sequence number given.
    pub fn seq(&self) -> i64 {
        self.seq
    }

    /// Numbers and links `events`, in the order given, after the chain's head.
    pub fn link(&mut self, events: &[Event]) -> anyhow::Result<Vec<(StoredEvent, Link)>> {
        let mut chained = Vec::with_capacity(events.len());
        for event in events {
            self.seq += 1;
            let stored = StoredEvent {
                seq: self.seq,
                handoff_id: i64::from(event.handoff.get()),
                kind: event.kind.name().to_owned(),
                actor: serde_json::to_string(&event.actor)?,
                at: event.at.timestamp_millis(),
                details: serde_json::to_string(&event.kind)?,
            };
            let link = Link::new(&stored, &event.kind, self.prev, Salt::random)?;
            self.prev = link.hash;
            chained.push((stored, link));
        }
        Ok(chained)
    }

    /// Moves the stored head to the last event linked.
    pub async fn write_head(&self, conn: &mut SqliteConnection) -> anyhow::Result<()> {
        sqlx::query("UPDATE audit_head SET seq = ?, hash = ? WHERE id = 1")
            .bind(self.seq)
            .bind(self.prev.to_hex())
            .execute(&mut *conn)
            .await?;
        Ok(())
    }
}

/// `INSERT INTO table (columns) VALUES (?, ?), (?, ?)` for `rows` rows. Plain `?`
/// rather than `$n`: SQLite finds the name of a numbered parameter by walking a
/// list, so binding thousands of them costs time quadratic in their number.
pub fn multi_row_insert(head: &str, columns: usize, rows: usize) -> String {
    let row = format!("({})", vec!["?"; columns].join(", "));
    format!("{head} VALUES {}", vec![row; rows].join(", "))
}

async fn insert_handoffs(conn: &mut SqliteConnection, rows: &[Made]) -> anyhow::Result<()> {
    let sql = multi_row_insert(
        "INSERT INTO handoffs (id, site, kind, officer, agency, state, assignee, data, \
         version, requested_at, closed_at)",
        11,
        rows.len(),
    );
    // Audited: the statement holds placeholders only.
    let mut query = sqlx::query(sqlx::AssertSqlSafe(sql));
    for h in rows {
        query = query
            .bind(i64::from(h.id.get()))
            .bind(h.site.as_str().to_owned())
            .bind(kind_name(h.kind))
            .bind(h.officer.as_str().to_owned())
            .bind(h.agency.as_str().to_owned())
            .bind(h.state)
            .bind(h.assignee.as_ref().map(|p| p.as_str().to_owned()))
            .bind("{}")
            .bind(i64::from(u32::try_from(h.events.len()).unwrap_or(u32::MAX)))
            .bind(h.requested_at.timestamp_millis())
            .bind(h.closed_at.map(|at| at.timestamp_millis()));
    }
    query.execute(&mut *conn).await?;
    Ok(())
}

pub async fn insert_events(
    conn: &mut SqliteConnection,
    rows: &[(StoredEvent, Link)],
) -> anyhow::Result<()> {
    let sql = multi_row_insert(
        "INSERT INTO events (seq, handoff_id, kind, actor, at, details, prev_hash, hash, \
         words_hash, words_salt)",
        10,
        rows.len(),
    );
    let mut query = sqlx::query(sqlx::AssertSqlSafe(sql));
    for (event, link) in rows {
        query = query
            .bind(event.seq)
            .bind(event.handoff_id)
            .bind(event.kind.clone())
            .bind(event.actor.clone())
            .bind(event.at)
            .bind(event.details.clone())
            .bind(link.prev.to_hex())
            .bind(link.hash.to_hex())
            .bind(link.words.map(|(_, words)| words.to_hex()))
            .bind(link.words.map(|(salt, _)| salt.to_hex()));
    }
    query.execute(&mut *conn).await?;
    Ok(())
}

pub fn kind_name(kind: HandoffKind) -> &'static str {
    match kind {
        HandoffKind::ArrestDiversion => "arrest_diversion",
        HandoffKind::SocialContactReferral => "social_contact_referral",
    }
}

#[cfg(test)]
mod tests {
    use handoff_dispatcher::Store;

    use super::*;

    #[tokio::test]
    async fn a_seeded_log_is_chained_and_a_second_seeding_continues_the_chain() {
        let dir = tempfile::TempDir::new().unwrap();
        let path = dir.path().join("bench.db");
        let url = format!("sqlite://{}", path.display());
        Store::connect(&url).await.unwrap().close().await;
        let day = NaiveDate::from_ymd_opt(2026, 3, 2).unwrap();
        let first = seed(&path, day, 3, 300, 1001, 7).await.unwrap();
        let later = day.succ_opt().unwrap();
        let more = seed(&path, later, 1, 40, 1301, 8).await.unwrap();

        let store = Store::connect(&url).await.unwrap();
        let verified = store.verify_audit(None).await.unwrap().unwrap();
        assert_eq!(verified.events, first.events + more.events);
        assert!(first.events > 300, "{} events", first.events);
        store.close().await;
    }
}

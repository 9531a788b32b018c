//! Retention in the database: for hand-offs closed before a cut-off, the words
//! are blanked (their `data` and the reasons in their events) and their delivered
//! messages deleted; messages about no hand-off, webhook ids and refusal records
//! older than the cut-off are deleted too, and so are the sandbox provider's texts
//! (its conversations are words, like any message). Timings and events stay.
//!
//! On SQLite every connection runs with `secure_delete`, so what is blanked or
//! deleted is overwritten in the file, and a pass that changed anything ends with a
//! `wal_checkpoint(TRUNCATE)`, so no older copy waits in the write-ahead log.
//! PostgreSQL keeps dead row versions until it vacuums them (autovacuum does).

use chrono::{DateTime, Utc};
use sqlx::{AnyConnection, Executor, Row};

use super::codec::{db_id, millis, to_json};
use super::log::decode_event;
use super::pending;
use super::{Backend, Store, StoreError};
use crate::event::EventKind;
use crate::handoff::Handoff;
use crate::outbox::OutboxStatus;

/// Hand-offs handled per transaction: a pass never holds the write lock for long.
const BATCH: i64 = 100;

/// What one retention pass did.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Forgotten {
    /// Closed hand-offs whose words were blanked.
    pub handoffs: u64,
    /// Events whose reason was blanked.
    pub events: u64,
    /// Delivered or failed messages deleted.
    pub messages: u64,
    /// Webhook ids and refusal records deleted.
    pub records: u64,
    /// Texts of the sandbox provider's conversations deleted.
    pub sandbox: u64,
}

impl Forgotten {
    pub fn is_empty(&self) -> bool {
        *self == Forgotten::default()
    }
}

impl Store {
    /// Forgets the words of every hand-off closed before `closed_before`, and
    /// deletes messages about no hand-off, webhook ids, refusal records and sandbox
    /// texts older than it. `now` is recorded as when each hand-off's words were forgotten.
    pub async fn forget_text(
        &self,
        closed_before: DateTime<Utc>,
        now: DateTime<Utc>,
    ) -> Result<Forgotten, StoreError> {
        let mut done = Forgotten::default();
        loop {
            let batch = self.forget_batch(closed_before, now).await?;
            done.handoffs += batch.handoffs;
            done.events += batch.events;
            done.messages += batch.messages;
            // A batch short of full was the last. (Rows changed under a batch are
            // skipped and counted short, so a pass never spins on them; the next
            // pass takes them up.)
            if batch.handoffs < u64::try_from(BATCH).unwrap_or(u64::MAX) {
                break;
            }
        }
        let _guard = self.write_lock().await?;
        let mut tx = self.begin_write().await?;
        let result = async {
            let cut = millis(closed_before);
            let messages = sqlx::query(
                "DELETE FROM outbox WHERE handoff_id IS NULL AND status <> $1 AND created_at < $2",
            )
            .bind(OutboxStatus::Pending.name())
            .bind(cut)
            .execute(&mut *tx)
            .await?
            .rows_affected();
            let seen = sqlx::query("DELETE FROM inbound_seen WHERE at < $1")
                .bind(cut)
                .execute(&mut *tx)
                .await?
                .rows_affected();
            let senders = sqlx::query("DELETE FROM senders WHERE last_at < $1")
                .bind(cut)
                .execute(&mut *tx)
                .await?
                .rows_affected();
            // By when each was texted, not by its hand-off: a sandbox conversation
            // is a demonstration's transcript, and spans hand-offs.
            let sandbox = sqlx::query("DELETE FROM sandbox_log WHERE at < $1")
                .bind(cut)
                .execute(&mut *tx)
                .await?
                .rows_affected();
            Ok((messages, seen + senders, sandbox))
        }
        .await;
        let (messages, records, sandbox) = Store::finish(tx, result).await?;
        done.messages += messages;
        done.records += records;
        done.sandbox += sandbox;
        if !done.is_empty() && self.backend() == Backend::Sqlite {
            // Old page images of what was just overwritten may still sit in the
            // write-ahead log: fold it into the file and empty it.
            self.pool()
                .execute("PRAGMA wal_checkpoint(TRUNCATE)")
                .await?;
        }
        Ok(done)
    }

    /// One transaction: up to `BATCH` hand-offs closed before the cut-off.
    async fn forget_batch(
        &self,
        closed_before: DateTime<Utc>,
        now: DateTime<Utc>,
    ) -> Result<Forgotten, StoreError> {
        let _guard = self.write_lock().await?;
        let mut tx = self.begin_write().await?;
        let result = async {
            let rows = sqlx::query(
                "SELECT id, data, version FROM handoffs WHERE closed_at IS NOT NULL \
                 AND closed_at < $1 AND text_forgotten_at IS NULL ORDER BY closed_at, id LIMIT $2",
            )
            .bind(millis(closed_before))
            .bind(BATCH)
            .fetch_all(&mut *tx)
            .await?;
            let mut done = Forgotten::default();
            for row in rows {
                let id: i64 = row.try_get("id")?;
                let data: String = row.try_get("data")?;
                let version: i64 = row.try_get("version")?;
                let mut handoff: Handoff = super::codec::from_json("handoffs", id, &data)?;
                handoff.forget_text();
                let updated = sqlx::query(
                    "UPDATE handoffs SET data = $2, text_forgotten_at = $3, version = version + 1 \
                     WHERE id = $1 AND version = $4",
                )
                .bind(id)
                .bind(to_json("a hand-off", &handoff)?)
                .bind(millis(now))
                .bind(version)
                .execute(&mut *tx)
                .await?
                .rows_affected();
                if updated == 0 {
                    continue;
                }
                // Closed, so this only clears rows it might still have: kept
                // beside every write of `data` all the same (see `store::pending`).
                pending::rewrite(&mut tx, &handoff).await?;
                done.handoffs += 1;
                done.events += forget_event_text(&mut tx, &handoff).await?;
                done.messages +=
                    sqlx::query("DELETE FROM outbox WHERE handoff_id = $1 AND status <> $2")
                        .bind(db_id(handoff.id))
                        .bind(OutboxStatus::Pending.name())
                        .execute(&mut *tx)
                        .await?
                        .rows_affected();
            }
            Ok(done)
        }
        .await;
        Store::finish(tx, result).await
    }
}

/// Blanks the reasons in one hand-off's events; returns how many changed.
async fn forget_event_text(conn: &mut AnyConnection, handoff: &Handoff) -> Result<u64, StoreError> {
    let placeholders: Vec<String> = (0..EventKind::WITH_TEXT.len())
        .map(|n| format!("${}", n + 2))
        .collect();
    let sql = format!(
        "SELECT seq, handoff_id, kind, actor, at, details FROM events \
         WHERE handoff_id = $1 AND kind IN ({}) ORDER BY seq",
        placeholders.join(", ")
    );
    // The statement is built from constants only (one placeholder per kind).
    let mut query = sqlx::query(sqlx::AssertSqlSafe(sql)).bind(db_id(handoff.id));
    for kind in EventKind::WITH_TEXT {
        query = query.bind(kind);
    }
    let rows = query.fetch_all(&mut *conn).await?;
    let mut changed = 0;
    for row in rows {
        let seq: i64 = row.try_get("seq")?;
        let mut event = decode_event(&row)?;
        if event.kind.forget_text() {
            // The salt goes with the words: kept, it would let the words' hash
            // (which stays, for the chain) be checked against guesses.
            sqlx::query("UPDATE events SET details = $2, words_salt = NULL WHERE seq = $1")
                .bind(seq)
                .bind(to_json("an event", &event.kind)?)
                .execute(&mut *conn)
                .await?;
            changed += 1;
        }
    }
    Ok(changed)
}

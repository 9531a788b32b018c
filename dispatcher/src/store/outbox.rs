//! The outbox table: messages waiting for delivery, and what became of each. Rows
//! are written by [`Store::commit`]; transports read the due ones and report back.

use chrono::{DateTime, Utc};
use sqlx::any::AnyRow;
use sqlx::{AnyConnection, Row};

use super::codec::{count, db_id, from_json, handoff_id, instant, millis, opt_instant, to_json};
use super::{Store, StoreError, codec};
use crate::outbox::{NewOutbound, OutboxItem, OutboxStatus};

/// A `SELECT` of every column of `outbox`, followed by `$rest`.
macro_rules! select_outbox {
    ($rest:literal) => {
        concat!(
            "SELECT id, idempotency_key, handoff_id, recipient, message, status, attempts, \
             next_attempt_at, provider_id, last_error, created_at, sent_at FROM outbox ",
            $rest
        )
    };
}

/// Puts one message in the outbox as pending, due at once; the caller owns the
/// transaction. A key already present is skipped: replaying a decision or a retried
/// webhook cannot queue a message twice.
pub(super) async fn insert_outbound(
    conn: &mut AnyConnection,
    out: &NewOutbound,
    now_ms: i64,
) -> Result<(), StoreError> {
    sqlx::query(
        "INSERT INTO outbox (idempotency_key, handoff_id, recipient, message, status, \
         attempts, next_attempt_at, created_at) VALUES ($1, $2, $3, $4, $5, 0, $6, $6) \
         ON CONFLICT (idempotency_key) DO NOTHING",
    )
    .bind(out.key.as_str())
    .bind(out.message.handoff().map(db_id))
    .bind(to_json("an outbox recipient", &out.recipient)?)
    .bind(to_json("an outbox message", &out.message)?)
    .bind(OutboxStatus::Pending.name())
    .bind(now_ms)
    .execute(&mut *conn)
    .await?;
    Ok(())
}

fn decode_item(row: &AnyRow) -> Result<OutboxItem, StoreError> {
    const TABLE: &str = "outbox";
    let id: i64 = row.try_get("id")?;
    let status: String = row.try_get("status")?;
    let recipient: String = row.try_get("recipient")?;
    let message: String = row.try_get("message")?;
    Ok(OutboxItem {
        id,
        key: row.try_get("idempotency_key")?,
        handoff: row
            .try_get::<Option<i64>, _>("handoff_id")?
            .map(|raw| handoff_id(TABLE, id, raw))
            .transpose()?,
        recipient: from_json(TABLE, id, &recipient)?,
        message: from_json(TABLE, id, &message)?,
        status: OutboxStatus::parse(&status)
            .ok_or_else(|| codec::corrupt(TABLE, id, format!("unknown status `{status}`")))?,
        attempts: count(TABLE, id, row.try_get("attempts")?)?,
        next_attempt_at: instant(TABLE, id, row.try_get("next_attempt_at")?)?,
        provider_id: row.try_get("provider_id")?,
        last_error: row.try_get("last_error")?,
        created_at: instant(TABLE, id, row.try_get("created_at")?)?,
        sent_at: opt_instant(TABLE, id, row.try_get("sent_at")?)?,
    })
}

impl Store {
    /// Puts messages that belong to no decision (replies such as HELP, refusals,
    /// errors) in the outbox, in one transaction. A key already present is skipped.
    pub async fn enqueue(
        &self,
        items: &[NewOutbound],
        now: DateTime<Utc>,
    ) -> Result<(), StoreError> {
        let _guard = self.write_lock().await;
        let mut tx = self.begin_write().await?;
        for out in items {
            insert_outbound(&mut tx, out, millis(now)).await?;
        }
        if !items.is_empty() {
            self.announce_outbox(&mut tx).await?;
        }
        tx.commit().await?;
        Ok(())
    }

    /// Every pending message, due or not, oldest first: a transport needs the ones
    /// not yet due too, so that a later message never overtakes an earlier one to
    /// the same person.
    pub async fn outbox_pending(&self, limit: i64) -> Result<Vec<OutboxItem>, StoreError> {
        let rows = sqlx::query(select_outbox!("WHERE status = $1 ORDER BY id LIMIT $2"))
            .bind(OutboxStatus::Pending.name())
            .bind(limit)
            .fetch_all(self.pool())
            .await?;
        rows.iter().map(decode_item).collect()
    }

    /// Pending messages whose next attempt is due at `now`, oldest first, at most
    /// `limit` of them.
    pub async fn outbox_due(
        &self,
        now: DateTime<Utc>,
        limit: i64,
    ) -> Result<Vec<OutboxItem>, StoreError> {
        let rows = sqlx::query(select_outbox!(
            "WHERE status = $1 AND next_attempt_at <= $2 ORDER BY id LIMIT $3"
        ))
        .bind(OutboxStatus::Pending.name())
        .bind(millis(now))
        .bind(limit)
        .fetch_all(self.pool())
        .await?;
        rows.iter().map(decode_item).collect()
    }

    /// Every message, oldest first.
    pub async fn outbox_all(&self) -> Result<Vec<OutboxItem>, StoreError> {
        let rows = sqlx::query(select_outbox!("ORDER BY id"))
            .fetch_all(self.pool())
            .await?;
        rows.iter().map(decode_item).collect()
    }

    /// The message a provider knows by `provider_id` (for delivery receipts).
    pub async fn outbox_by_provider_id(
        &self,
        provider_id: &str,
    ) -> Result<Option<OutboxItem>, StoreError> {
        let row = sqlx::query(select_outbox!("WHERE provider_id = $1 ORDER BY id LIMIT 1"))
            .bind(provider_id)
            .fetch_optional(self.pool())
            .await?;
        row.as_ref().map(decode_item).transpose()
    }

    /// The provider accepted the message. `attempts` counts failed attempts only. A
    /// provider id already recorded is kept when none is given.
    pub async fn outbox_mark_sent(
        &self,
        id: i64,
        provider_id: Option<&str>,
        now: DateTime<Utc>,
    ) -> Result<(), StoreError> {
        let _guard = self.write_lock().await;
        let updated = sqlx::query(
            "UPDATE outbox SET status = $2, provider_id = COALESCE($3, provider_id), \
             sent_at = $4 WHERE id = $1",
        )
        .bind(id)
        .bind(OutboxStatus::Sent.name())
        .bind(provider_id)
        .bind(millis(now))
        .execute(self.pool())
        .await?
        .rows_affected();
        warn_if_missing(id, updated);
        Ok(())
    }

    /// An attempt failed but may succeed later: try again at `at`.
    pub async fn outbox_retry_at(
        &self,
        id: i64,
        at: DateTime<Utc>,
        error: &str,
    ) -> Result<(), StoreError> {
        let _guard = self.write_lock().await;
        let updated = sqlx::query(
            "UPDATE outbox SET attempts = attempts + 1, next_attempt_at = $2, last_error = $3 \
             WHERE id = $1",
        )
        .bind(id)
        .bind(millis(at))
        .bind(error)
        .execute(self.pool())
        .await?
        .rows_affected();
        warn_if_missing(id, updated);
        Ok(())
    }

    /// Delivery failed for good. `next_attempt_at` then records `now`, when delivery
    /// was given up (a failed message has no next attempt).
    pub async fn outbox_mark_failed(
        &self,
        id: i64,
        error: &str,
        now: DateTime<Utc>,
    ) -> Result<(), StoreError> {
        let _guard = self.write_lock().await;
        let updated = sqlx::query(
            "UPDATE outbox SET attempts = attempts + 1, status = $2, last_error = $3, \
             next_attempt_at = $4 WHERE id = $1",
        )
        .bind(id)
        .bind(OutboxStatus::Failed.name())
        .bind(error)
        .bind(millis(now))
        .execute(self.pool())
        .await?
        .rows_affected();
        warn_if_missing(id, updated);
        Ok(())
    }
}

/// A report about a message that is not in the outbox is a transport's bug, not the
/// store's: noted, not fatal.
fn warn_if_missing(id: i64, updated: u64) {
    if updated == 0 {
        tracing::warn!(id, "outbox update for a message that does not exist");
    }
}

//! The outbox table: messages waiting for delivery, and what became of each. Rows
//! are written by [`Store::commit`]; transports read the due ones and report back.
//!
//! The sender's writes are fenced (see `leases`): it claims a pending message with
//! its lease token before handing it to the provider, then marks it sent, retried or
//! failed, and each of those statements also checks, against the database's clock,
//! that the token still holds the lease. A sender that lost its lease gets
//! [`StoreError::LeaseLost`] and has written nothing. A claim leaves the message
//! pending: if its sender dies (or stalls out of its lease) before marking it, the
//! next holder sends it again, so delivery is at least once, never lost.

use chrono::{DateTime, Duration, Utc};
use sqlx::any::AnyRow;
use sqlx::{AnyConnection, Row};

use super::codec::{count, db_id, from_json, handoff_id, instant, millis, opt_instant, to_json};
use super::leases::{LeaseToken, by_backend};
use super::{Store, StoreError, codec};
use crate::contact::Channel;
use crate::handoff::HandoffId;
use crate::outbox::{NewOutbound, OutboxItem, OutboxStatus};

/// A `SELECT` of every column of `outbox`, followed by `$rest`.
macro_rules! select_outbox {
    ($rest:literal) => {
        concat!(
            "SELECT id, idempotency_key, handoff_id, recipient, message, status, attempts, \
             next_attempt_at, provider_id, last_error, created_at, sent_at, channel FROM outbox ",
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
         attempts, next_attempt_at, created_at, channel) VALUES ($1, $2, $3, $4, $5, 0, $6, $6, $7) \
         ON CONFLICT (idempotency_key) DO NOTHING",
    )
    .bind(out.key.as_str())
    .bind(out.message.handoff().map(db_id))
    .bind(to_json("an outbox recipient", &out.recipient)?)
    .bind(to_json("an outbox message", &out.message)?)
    .bind(OutboxStatus::Pending.name())
    .bind(now_ms)
    .bind(out.channel.name())
    .execute(&mut *conn)
    .await?;
    Ok(())
}

// The sender's fenced statements. Each binds the token as `$1` (name), `$2`
// (holder), `$3` (epoch) and the least time the lease must have left as `$4`
// (milliseconds), then the message's id as `$5`: it changes a row only while that
// token holds the lease, by the database's clock at that moment.

const CLAIM: [&str; 2] = by_backend!(
    "UPDATE outbox SET claim_epoch = $3 WHERE id = $5 AND status = $6 AND EXISTS \
     (SELECT 1 FROM leases WHERE name = $1 AND holder = $2 AND epoch = $3 AND until_at > ",
    NOW,
    " + $4",
    LOCK_LEASE,
    ")",
);

const SENT: [&str; 2] = by_backend!(
    "UPDATE outbox SET status = $6, provider_id = COALESCE($7, provider_id), sent_at = $8 \
     WHERE id = $5 AND status = $9 AND claim_epoch = $3 AND EXISTS \
     (SELECT 1 FROM leases WHERE name = $1 AND holder = $2 AND epoch = $3 AND until_at > ",
    NOW,
    " + $4",
    LOCK_LEASE,
    ")",
);

const RETRY: [&str; 2] = by_backend!(
    "UPDATE outbox SET attempts = attempts + 1, next_attempt_at = $6, last_error = $7, \
     claim_epoch = NULL WHERE id = $5 AND status = $8 AND claim_epoch = $3 AND EXISTS \
     (SELECT 1 FROM leases WHERE name = $1 AND holder = $2 AND epoch = $3 AND until_at > ",
    NOW,
    " + $4",
    LOCK_LEASE,
    ")",
);

const FAIL: [&str; 2] = by_backend!(
    "UPDATE outbox SET attempts = attempts + 1, status = $6, last_error = $7, \
     next_attempt_at = $8 WHERE id = $5 AND status = $9 AND claim_epoch = $3 AND EXISTS \
     (SELECT 1 FROM leases WHERE name = $1 AND holder = $2 AND epoch = $3 AND until_at > ",
    NOW,
    " + $4",
    LOCK_LEASE,
    ")",
);

fn decode_item(row: &AnyRow) -> Result<OutboxItem, StoreError> {
    const TABLE: &str = "outbox";
    let id: i64 = row.try_get("id")?;
    let status: String = row.try_get("status")?;
    let recipient: String = row.try_get("recipient")?;
    let message: String = row.try_get("message")?;
    let channel: String = row.try_get("channel")?;
    Ok(OutboxItem {
        channel: Channel::parse(&channel)
            .ok_or_else(|| codec::corrupt(TABLE, id, format!("unknown channel `{channel}`")))?,
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
        let _guard = self.write_lock().await?;
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
    pub async fn outbox_pending(
        &self,
        channel: Channel,
        limit: i64,
    ) -> Result<Vec<OutboxItem>, StoreError> {
        let rows = sqlx::query(select_outbox!(
            "WHERE status = $1 AND channel = $2 ORDER BY id LIMIT $3"
        ))
        .bind(OutboxStatus::Pending.name())
        .bind(channel.name())
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

    /// The messages about one hand-off, in the order they were queued.
    pub async fn outbox_of(&self, handoff: HandoffId) -> Result<Vec<OutboxItem>, StoreError> {
        let rows = sqlx::query(select_outbox!("WHERE handoff_id = $1 ORDER BY id"))
            .bind(db_id(handoff))
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

    /// Claims the pending message `id` for the holder of `token`, before it is handed
    /// to the provider. Succeeds only while the token holds its lease with more than
    /// `margin` left by the database's clock: the margin is longer than a send can
    /// take, so the lease cannot change hands while the send it allows is under way.
    ///
    /// Returns false if the message is no longer pending (someone marked it);
    /// [`StoreError::LeaseLost`] if the lease is lost or runs out within `margin`.
    pub async fn outbox_claim(
        &self,
        token: &LeaseToken,
        id: i64,
        margin: Duration,
    ) -> Result<bool, StoreError> {
        let updated = {
            let _guard = self.write_lock().await?;
            fence(self.dialect(&CLAIM), token, margin)
                .bind(id)
                .bind(OutboxStatus::Pending.name())
                .execute(self.pool())
                .await?
                .rows_affected()
        };
        if updated == 1 {
            return Ok(true);
        }
        self.refused(token, margin).await?;
        Ok(false)
    }

    /// The provider accepted the message the holder of `token` claimed. `attempts`
    /// counts failed attempts only. A provider id already recorded is kept when none
    /// is given.
    pub async fn outbox_sent(
        &self,
        token: &LeaseToken,
        id: i64,
        provider_id: Option<&str>,
        now: DateTime<Utc>,
    ) -> Result<(), StoreError> {
        let updated = {
            let _guard = self.write_lock().await?;
            fence(self.dialect(&SENT), token, Duration::zero())
                .bind(id)
                .bind(OutboxStatus::Sent.name())
                .bind(provider_id)
                .bind(millis(now))
                .bind(OutboxStatus::Pending.name())
                .execute(self.pool())
                .await?
                .rows_affected()
        };
        self.marked(token, id, updated).await
    }

    /// An attempt at the claimed message failed but may succeed later: try again at
    /// `at`. The claim is dropped; the next attempt claims it again.
    pub async fn outbox_retry(
        &self,
        token: &LeaseToken,
        id: i64,
        at: DateTime<Utc>,
        error: &str,
    ) -> Result<(), StoreError> {
        let updated = {
            let _guard = self.write_lock().await?;
            fence(self.dialect(&RETRY), token, Duration::zero())
                .bind(id)
                .bind(millis(at))
                .bind(error)
                .bind(OutboxStatus::Pending.name())
                .execute(self.pool())
                .await?
                .rows_affected()
        };
        self.marked(token, id, updated).await
    }

    /// Delivery of the claimed message failed for good (no number, opted out, refused
    /// or out of retries). `next_attempt_at` then records `now`, when delivery was
    /// given up.
    pub async fn outbox_failed(
        &self,
        token: &LeaseToken,
        id: i64,
        error: &str,
        now: DateTime<Utc>,
    ) -> Result<(), StoreError> {
        let updated = {
            let _guard = self.write_lock().await?;
            fence(self.dialect(&FAIL), token, Duration::zero())
                .bind(id)
                .bind(OutboxStatus::Failed.name())
                .bind(error)
                .bind(millis(now))
                .bind(OutboxStatus::Pending.name())
                .execute(self.pool())
                .await?
                .rows_affected()
        };
        self.marked(token, id, updated).await
    }

    /// After a fenced mark changed `updated` rows: [`StoreError::LeaseLost`] if the
    /// lease is why nothing changed.
    async fn marked(&self, token: &LeaseToken, id: i64, updated: u64) -> Result<(), StoreError> {
        if updated == 0 {
            self.refused(token, Duration::zero()).await?;
            warn_if_missing(id, updated);
        }
        Ok(())
    }

    /// A fenced statement changed nothing: [`StoreError::LeaseLost`] if the token
    /// does not hold its lease with `margin` left. (The statement itself decided;
    /// this second look only names the reason.)
    async fn refused(&self, token: &LeaseToken, margin: Duration) -> Result<(), StoreError> {
        if self.lease_held(token, margin).await? {
            Ok(())
        } else {
            Err(StoreError::LeaseLost {
                name: token.name.clone(),
                epoch: token.epoch,
            })
        }
    }

    /// A delivery receipt says a sent message never arrived: it failed for good.
    /// Receipts may reach any instance, and the message is no longer the sender's,
    /// so this takes no lease. `next_attempt_at` then records `now`, when delivery
    /// was given up (a failed message has no next attempt).
    pub async fn outbox_mark_failed(
        &self,
        id: i64,
        error: &str,
        now: DateTime<Utc>,
    ) -> Result<(), StoreError> {
        let _guard = self.write_lock().await?;
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

impl Store {
    /// Moves the pending Matrix message `id` to SMS, due at once: Matrix could not
    /// deliver it (a failed send, the homeserver unreachable). Only a message still
    /// pending on Matrix moves, so a message another process sent meanwhile stays
    /// sent. Returns whether it moved.
    pub async fn outbox_to_sms(
        &self,
        id: i64,
        reason: &str,
        now: DateTime<Utc>,
    ) -> Result<bool, StoreError> {
        let _guard = self.write_lock().await?;
        let mut tx = self.begin_write().await?;
        let moved = sqlx::query(
            "UPDATE outbox SET channel = $2, next_attempt_at = $3, last_error = $4, \
             claim_epoch = NULL WHERE id = $1 AND status = $5 AND channel = $6",
        )
        .bind(id)
        .bind(Channel::Sms.name())
        .bind(millis(now))
        .bind(reason)
        .bind(OutboxStatus::Pending.name())
        .bind(Channel::Matrix.name())
        .execute(&mut *tx)
        .await?
        .rows_affected();
        if moved > 0 {
            self.announce_outbox(&mut tx).await?;
        }
        tx.commit().await?;
        Ok(moved > 0)
    }
}

/// Binds a token and margin as `$1`..`$4` of a fenced statement.
fn fence<'q>(
    sql: &'static str,
    token: &'q LeaseToken,
    margin: Duration,
) -> sqlx::query::Query<'q, sqlx::Any, sqlx::any::AnyArguments> {
    sqlx::query(sql)
        .bind(token.name.as_str())
        .bind(token.holder.as_str())
        .bind(token.epoch)
        .bind(margin.num_milliseconds())
}

/// A report about a message that is not in the outbox (or, for a fenced mark, not
/// pending under this holder's claim) is a transport's bug, not the store's: noted,
/// not fatal.
fn warn_if_missing(id: i64, updated: u64) {
    if updated == 0 {
        tracing::warn!(id, "outbox update for a message that does not exist");
    }
}

//! Recording one inbound message: its provider id, its sender's new version, what
//! it changes about the sender's address (opt-out, opt-in, a refusal), the change
//! to a hand-off it caused (a [`Commit`]) and every reply, in one transaction. A
//! crash or an error at any point leaves all of it or none of it: the provider's
//! retry, or another instance, then handles the message once.

use std::sync::atomic::Ordering;

use chrono::{DateTime, Utc};
use sqlx::{AnyConnection, Row};

use super::audit;
use super::codec::millis;
use super::commit::{self, Commit};
use super::contacts::{bump_sender, opt_in, opt_out};
use super::outbox::insert_outbound;
use super::{Store, StoreError};
use crate::contact::PhoneNumber;
use crate::handoff::HandoffId;
use crate::outbox::NewOutbound;

/// A change to what is remembered about the sender's phone or address.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ContactWrite {
    OptOut(PhoneNumber),
    OptIn(PhoneNumber),
    /// The address was told it is not registered, now.
    Refused,
}

/// Everything one inbound message changes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InboundWrite {
    /// The provider's id of the message: recorded once; a second time is a retry.
    pub message_id: String,
    /// The sender's address key, and the version of their row the decision read.
    pub sender: String,
    pub sender_version: Option<i64>,
    pub contact: Option<ContactWrite>,
    /// The hand-off the message opened or was about, kept with its id so that a
    /// retry can say which it was.
    pub about: Option<HandoffId>,
    pub handoff: Option<Commit>,
    pub replies: Vec<NewOutbound>,
    pub now: DateTime<Utc>,
}

/// What became of an [`InboundWrite`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Recorded {
    Written,
    /// The message id was recorded before: nothing was written.
    Duplicate,
}

/// The steps of [`Store::receive`], in order, for tests that fail one of them.
pub const INBOUND_STEPS: u32 = 6;

impl Store {
    /// Whether an inbound message with this provider id was recorded. A cheap look
    /// before deciding; [`Store::receive`] checks again in its transaction.
    pub async fn inbound_seen(&self, message_id: &str) -> Result<bool, StoreError> {
        let count: i64 =
            sqlx::query_scalar("SELECT COUNT(*) FROM inbound_seen WHERE provider_id = $1")
                .bind(message_id)
                .fetch_one(self.pool())
                .await?;
        Ok(count > 0)
    }

    /// Whether an inbound message with this provider id was recorded, and if so
    /// the hand-off it opened or was about (`Some(None)`: about none).
    pub async fn inbound_record(
        &self,
        message_id: &str,
    ) -> Result<Option<Option<HandoffId>>, StoreError> {
        let row = sqlx::query("SELECT handoff FROM inbound_seen WHERE provider_id = $1")
            .bind(message_id)
            .fetch_optional(self.pool())
            .await?;
        let Some(row) = row else {
            return Ok(None);
        };
        let handoff: Option<i64> = row.try_get("handoff")?;
        Ok(Some(
            handoff
                .and_then(|n| u32::try_from(n).ok())
                .map(HandoffId::new),
        ))
    }

    /// Records an inbound message and everything it changes, in one transaction.
    /// [`StoreError::Conflict`] or [`StoreError::SenderChanged`]: someone else
    /// changed the hand-off or the sender first; nothing was written: read again and
    /// decide again.
    pub async fn receive(&self, write: &InboundWrite) -> Result<Recorded, StoreError> {
        let _guard = self.write_lock().await?;
        let mut tx = self.begin_write().await?;
        let result = match self.write_inbound(&mut tx, write).await {
            // The commit is the last step a test may fail.
            Ok(Recorded::Written) => self.injected(INBOUND_STEPS - 1).map(|()| Recorded::Written),
            other => other,
        };
        if let Ok(Recorded::Duplicate) = result {
            // Nothing was written; end the transaction without a commit.
            if let Err(rollback) = tx.rollback().await {
                tracing::warn!(%rollback, "rollback after a duplicate message failed");
            }
            return Ok(Recorded::Duplicate);
        }
        Self::finish(tx, result).await
    }

    async fn write_inbound(
        &self,
        conn: &mut AnyConnection,
        write: &InboundWrite,
    ) -> Result<Recorded, StoreError> {
        let now = millis(write.now);
        self.injected(0)?;
        let first = sqlx::query(
            "INSERT INTO inbound_seen (provider_id, at, handoff) VALUES ($1, $2, $3) \
             ON CONFLICT (provider_id) DO NOTHING",
        )
        .bind(write.message_id.as_str())
        .bind(now)
        .bind(write.about.map(|id| i64::from(id.get())))
        .execute(&mut *conn)
        .await?
        .rows_affected();
        if first == 0 {
            return Ok(Recorded::Duplicate);
        }
        self.injected(1)?;
        let refused = matches!(write.contact, Some(ContactWrite::Refused)).then_some(write.now);
        if !bump_sender(
            conn,
            &write.sender,
            write.sender_version,
            refused,
            write.now,
        )
        .await?
        {
            return Err(StoreError::SenderChanged);
        }
        self.injected(2)?;
        match &write.contact {
            Some(ContactWrite::OptOut(phone)) => opt_out(conn, phone, write.now).await?,
            Some(ContactWrite::OptIn(phone)) => opt_in(conn, phone).await?,
            Some(ContactWrite::Refused) | None => {}
        }
        self.injected(3)?;
        if let Some(commit) = &write.handoff {
            commit::write(conn, commit).await?;
        }
        self.injected(4)?;
        for reply in &write.replies {
            insert_outbound(conn, reply, now).await?;
        }
        let queued = !write.replies.is_empty()
            || write.handoff.as_ref().is_some_and(|c| !c.outbox.is_empty());
        if queued {
            self.announce_outbox(conn).await?;
        }
        if let Some(commit) = &write.handoff {
            audit::append(conn, self.backend(), &commit.events).await?;
        }
        Ok(Recorded::Written)
    }

    /// Fails step `step` of an inbound write if a test asked for it.
    fn injected(&self, step: u32) -> Result<(), StoreError> {
        if self.inner.fail_inbound_step.load(Ordering::Relaxed) == step {
            return Err(StoreError::Injected(step));
        }
        Ok(())
    }

    /// Makes step `step` (0 to [`INBOUND_STEPS`] - 1; the last is the commit) of
    /// every inbound write fail, or none with `None`: for tests that prove a failure
    /// at any point leaves nothing behind.
    #[cfg(feature = "testing")]
    pub fn fail_inbound_step(&self, step: Option<u32>) {
        self.inner
            .fail_inbound_step
            .store(step.unwrap_or(u32::MAX), Ordering::Relaxed);
    }
}

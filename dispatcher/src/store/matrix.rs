//! What the Matrix transport keeps between runs: the rooms it uses, by purpose, so
//! a restart finds them rather than creating new ones; and each message it posted,
//! by event ID, so that a reaction on a message names its hand-off and a later
//! "taken by" edits the offer it is about. Ids only, never words: nothing here
//! needs to be forgotten at retention.

use chrono::{DateTime, Utc};
use sqlx::Row;
use sqlx::any::AnyRow;

use super::codec::{db_id, from_json, handoff_id, millis, to_json};
use super::{Store, StoreError};
use crate::handoff::HandoffId;
use crate::message::Recipient;

/// A message the bot posted in a Matrix room, for one recipient.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PostedEvent {
    pub event_id: String,
    pub room_id: String,
    /// The outbox message it carried.
    pub outbox_id: i64,
    pub handoff: Option<HandoffId>,
    pub recipient: Recipient,
    /// The message's variant (`offer`, `assignment`, ...): see `message_name`.
    pub kind: String,
}

const TABLE: &str = "matrix_events";

fn decode(row: &AnyRow) -> Result<PostedEvent, StoreError> {
    let event_id: String = row.try_get("event_id")?;
    let recipient: String = row.try_get("recipient")?;
    Ok(PostedEvent {
        handoff: row
            .try_get::<Option<i64>, _>("handoff_id")?
            .map(|raw| handoff_id(TABLE, &event_id, raw))
            .transpose()?,
        recipient: from_json(TABLE, &event_id, &recipient)?,
        room_id: row.try_get("room_id")?,
        outbox_id: row.try_get("outbox_id")?,
        kind: row.try_get("kind")?,
        event_id,
    })
}

impl Store {
    /// The room kept for `purpose` (`site:<id>`, `direct:<user>`), if any.
    pub async fn matrix_room(&self, purpose: &str) -> Result<Option<String>, StoreError> {
        let room = sqlx::query_scalar("SELECT room_id FROM matrix_rooms WHERE purpose = $1")
            .bind(purpose)
            .fetch_optional(self.pool())
            .await?;
        Ok(room)
    }

    /// Keeps `room_id` for `purpose` unless a room is kept for it already, and
    /// returns the room kept: the first one recorded wins, so two racing creations
    /// settle on one room.
    pub async fn keep_matrix_room(
        &self,
        purpose: &str,
        room_id: &str,
        now: DateTime<Utc>,
    ) -> Result<String, StoreError> {
        {
            let _guard = self.write_lock().await?;
            let mut tx = self.begin_write().await?;
            sqlx::query(
                "INSERT INTO matrix_rooms (purpose, room_id, created_at) VALUES ($1, $2, $3) \
                 ON CONFLICT (purpose) DO NOTHING",
            )
            .bind(purpose)
            .bind(room_id)
            .bind(millis(now))
            .execute(&mut *tx)
            .await?;
            tx.commit().await?;
        }
        Ok(self
            .matrix_room(purpose)
            .await?
            .unwrap_or_else(|| room_id.to_owned()))
    }

    /// Forgets the room kept for `purpose` (the bot was removed from it).
    pub async fn forget_matrix_room(&self, purpose: &str) -> Result<(), StoreError> {
        let _guard = self.write_lock().await?;
        let mut tx = self.begin_write().await?;
        sqlx::query("DELETE FROM matrix_rooms WHERE purpose = $1")
            .bind(purpose)
            .execute(&mut *tx)
            .await?;
        tx.commit().await?;
        Ok(())
    }

    /// Records a message the bot posted. Recording the same event twice is fine.
    pub async fn record_matrix_event(
        &self,
        posted: &PostedEvent,
        now: DateTime<Utc>,
    ) -> Result<(), StoreError> {
        let _guard = self.write_lock().await?;
        let mut tx = self.begin_write().await?;
        sqlx::query(
            "INSERT INTO matrix_events (event_id, room_id, outbox_id, handoff_id, recipient, \
             kind, sent_at) VALUES ($1, $2, $3, $4, $5, $6, $7) \
             ON CONFLICT (event_id, recipient) DO NOTHING",
        )
        .bind(posted.event_id.as_str())
        .bind(posted.room_id.as_str())
        .bind(posted.outbox_id)
        .bind(posted.handoff.map(db_id))
        .bind(to_json("a Matrix event's recipient", &posted.recipient)?)
        .bind(posted.kind.as_str())
        .bind(millis(now))
        .execute(&mut *tx)
        .await?;
        tx.commit().await?;
        Ok(())
    }

    /// The message the bot posted as `event_id`, if it did (for an offer posted
    /// once for several people, the first of them).
    pub async fn matrix_event(&self, event_id: &str) -> Result<Option<PostedEvent>, StoreError> {
        let row = sqlx::query(
            "SELECT event_id, room_id, outbox_id, handoff_id, recipient, kind FROM matrix_events \
             WHERE event_id = $1 ORDER BY outbox_id LIMIT 1",
        )
        .bind(event_id)
        .fetch_optional(self.pool())
        .await?;
        row.as_ref().map(decode).transpose()
    }

    /// The messages of kind `kind` the bot posted to `recipient` about `handoff`,
    /// oldest first.
    pub async fn matrix_events_of(
        &self,
        handoff: HandoffId,
        recipient: &Recipient,
        kind: &str,
    ) -> Result<Vec<PostedEvent>, StoreError> {
        let rows = sqlx::query(
            "SELECT event_id, room_id, outbox_id, handoff_id, recipient, kind FROM matrix_events \
             WHERE handoff_id = $1 AND recipient = $2 AND kind = $3 ORDER BY sent_at, event_id",
        )
        .bind(db_id(handoff))
        .bind(to_json("a Matrix event's recipient", recipient)?)
        .bind(kind)
        .fetch_all(self.pool())
        .await?;
        rows.iter().map(decode).collect()
    }

    /// A value the Matrix transport saved under `name` (its sync position).
    pub async fn matrix_state(&self, name: &str) -> Result<Option<String>, StoreError> {
        let value = sqlx::query_scalar("SELECT value FROM matrix_state WHERE name = $1")
            .bind(name)
            .fetch_optional(self.pool())
            .await?;
        Ok(value)
    }

    pub async fn set_matrix_state(&self, name: &str, value: &str) -> Result<(), StoreError> {
        let _guard = self.write_lock().await?;
        let mut tx = self.begin_write().await?;
        sqlx::query(
            "INSERT INTO matrix_state (name, value) VALUES ($1, $2) \
             ON CONFLICT (name) DO UPDATE SET value = $2",
        )
        .bind(name)
        .bind(value)
        .execute(&mut *tx)
        .await?;
        tx.commit().await?;
        Ok(())
    }
}

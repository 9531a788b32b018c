//! The sandbox SMS provider's conversations: what was typed on the sandbox page as a
//! person and what handoff "sent" them, in the `sandbox_log` table. Rows are numbered
//! by the database (AUTOINCREMENT on SQLite, a sequence on PostgreSQL), so a number
//! is never given twice, across restarts and after retention deleted rows: the
//! sandbox builds its message ids from it. Retention deletes rows older than the
//! program's `message_retention` (see `retention`).

use chrono::{DateTime, Utc};
use sqlx::Row;

use super::codec::{corrupt, instant, millis};
use super::{Store, StoreError};
use crate::contact::PhoneNumber;

/// Who texted whom.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum SandboxDirection {
    /// Typed on the sandbox page as the person, to handoff.
    In,
    /// Texted by handoff to the person.
    Out,
}

impl SandboxDirection {
    /// The name stored in the `direction` column.
    pub fn name(self) -> &'static str {
        match self {
            SandboxDirection::In => "in",
            SandboxDirection::Out => "out",
        }
    }

    pub fn parse(text: &str) -> Option<SandboxDirection> {
        match text {
            "in" => Some(SandboxDirection::In),
            "out" => Some(SandboxDirection::Out),
            _ => None,
        }
    }
}

/// One text of a sandbox conversation.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SandboxEntry {
    /// The row's number: increasing in the order texts were recorded, never reused.
    pub id: i64,
    pub at: DateTime<Utc>,
    pub phone: PhoneNumber,
    pub direction: SandboxDirection,
    pub body: String,
}

/// Where a page's change-polling stands: it changes whenever a text is recorded or
/// retention deletes some.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct SandboxVersion {
    /// The newest row's number (0 when there is none).
    pub newest: i64,
    /// How many rows there are.
    pub count: i64,
}

impl Store {
    /// Records a sandbox text and returns its number. `body` is stored as given: the
    /// caller redacts what a person typed before it gets here.
    pub async fn sandbox_record(
        &self,
        phone: &PhoneNumber,
        direction: SandboxDirection,
        body: &str,
        at: DateTime<Utc>,
    ) -> Result<i64, StoreError> {
        let _guard = self.write_lock().await?;
        let id: i64 = sqlx::query_scalar(
            "INSERT INTO sandbox_log (phone, direction, body, at) VALUES ($1, $2, $3, $4) \
             RETURNING id",
        )
        .bind(phone.as_str())
        .bind(direction.name())
        .bind(body)
        .bind(millis(at))
        .fetch_one(self.pool())
        .await?;
        Ok(id)
    }

    /// The last `limit` texts of `phone`'s conversation, oldest first.
    pub async fn sandbox_conversation(
        &self,
        phone: &PhoneNumber,
        limit: i64,
    ) -> Result<Vec<SandboxEntry>, StoreError> {
        let rows = sqlx::query(
            "SELECT id, direction, body, at FROM sandbox_log WHERE phone = $1 \
             ORDER BY id DESC LIMIT $2",
        )
        .bind(phone.as_str())
        .bind(limit)
        .fetch_all(self.pool())
        .await?;
        let mut entries = rows
            .iter()
            .map(|row| {
                let id: i64 = row.try_get("id")?;
                let direction: String = row.try_get("direction")?;
                let direction = SandboxDirection::parse(&direction).ok_or_else(|| {
                    corrupt(
                        "sandbox_log",
                        id,
                        format!("unknown direction {direction:?}"),
                    )
                })?;
                Ok(SandboxEntry {
                    id,
                    at: instant("sandbox_log", id, row.try_get("at")?)?,
                    phone: phone.clone(),
                    direction,
                    body: row.try_get("body")?,
                })
            })
            .collect::<Result<Vec<_>, StoreError>>()?;
        entries.reverse();
        Ok(entries)
    }

    /// Where the sandbox log stands, for pages polling for changes.
    pub async fn sandbox_version(&self) -> Result<SandboxVersion, StoreError> {
        let row = sqlx::query(
            "SELECT COALESCE(MAX(id), 0) AS newest, COUNT(*) AS count FROM sandbox_log",
        )
        .fetch_one(self.pool())
        .await?;
        Ok(SandboxVersion {
            newest: row.try_get("newest")?,
            count: row.try_get("count")?,
        })
    }
}

//! What the web dashboard keeps: login sessions (by the hash of their token, never
//! the token) and the random keys that sign its cookies and derive its calendar
//! tokens, shared by every instance on the database.

use chrono::{DateTime, Utc};
use sqlx::Row;

use super::codec::{instant, millis};
use super::{Store, StoreError};

/// A live login session, read by the hash of its token.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WebSession {
    pub user: String,
    /// The token every form posted in this session must carry.
    pub csrf: String,
    pub created_at: DateTime<Utc>,
    pub expires_at: DateTime<Utc>,
}

const TABLE: &str = "web_sessions";

impl Store {
    /// The key kept under `name`, keeping `fresh` first if there is none yet. Two
    /// instances racing settle on the first one written.
    pub async fn web_key(&self, name: &str, fresh: &str) -> Result<String, StoreError> {
        {
            let _guard = self.write_lock().await?;
            let mut tx = self.begin_write().await?;
            sqlx::query(
                "INSERT INTO web_keys (name, value) VALUES ($1, $2) ON CONFLICT (name) DO NOTHING",
            )
            .bind(name)
            .bind(fresh)
            .execute(&mut *tx)
            .await?;
            tx.commit().await?;
        }
        let kept: Option<String> = sqlx::query_scalar("SELECT value FROM web_keys WHERE name = $1")
            .bind(name)
            .fetch_optional(self.pool())
            .await?;
        Ok(kept.unwrap_or_else(|| fresh.to_owned()))
    }

    /// Records a new session and deletes every expired one (there are few: one per
    /// login, each living hours).
    pub async fn start_web_session(
        &self,
        token_hash: &str,
        session: &WebSession,
    ) -> Result<(), StoreError> {
        let _guard = self.write_lock().await?;
        let mut tx = self.begin_write().await?;
        sqlx::query("DELETE FROM web_sessions WHERE expires_at <= $1")
            .bind(millis(session.created_at))
            .execute(&mut *tx)
            .await?;
        sqlx::query(
            "INSERT INTO web_sessions (token_hash, user_name, csrf, created_at, expires_at) \
             VALUES ($1, $2, $3, $4, $5)",
        )
        .bind(token_hash)
        .bind(&session.user)
        .bind(&session.csrf)
        .bind(millis(session.created_at))
        .bind(millis(session.expires_at))
        .execute(&mut *tx)
        .await?;
        tx.commit().await?;
        Ok(())
    }

    /// The session whose token hashes to `token_hash`, if it is still alive at `now`.
    pub async fn web_session(
        &self,
        token_hash: &str,
        now: DateTime<Utc>,
    ) -> Result<Option<WebSession>, StoreError> {
        let row = sqlx::query(
            "SELECT user_name, csrf, created_at, expires_at FROM web_sessions \
             WHERE token_hash = $1 AND expires_at > $2",
        )
        .bind(token_hash)
        .bind(millis(now))
        .fetch_optional(self.pool())
        .await?;
        let Some(row) = row else {
            return Ok(None);
        };
        Ok(Some(WebSession {
            user: row.try_get("user_name")?,
            csrf: row.try_get("csrf")?,
            created_at: instant(TABLE, token_hash, row.try_get("created_at")?)?,
            expires_at: instant(TABLE, token_hash, row.try_get("expires_at")?)?,
        }))
    }

    /// Ends one session (logging out). Ending one that is gone is fine.
    pub async fn end_web_session(&self, token_hash: &str) -> Result<(), StoreError> {
        let _guard = self.write_lock().await?;
        let mut tx = self.begin_write().await?;
        sqlx::query("DELETE FROM web_sessions WHERE token_hash = $1")
            .bind(token_hash)
            .execute(&mut *tx)
            .await?;
        tx.commit().await?;
        Ok(())
    }
}

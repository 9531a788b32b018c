//! What is remembered about the addresses that write to handoff: numbers that opted
//! out of SMS (STOP), and each sender's row (its version, which orders one
//! sender's messages, and when an unregistered address was last refused). They are
//! written only inside the transaction of an inbound message (`inbound`).

use std::collections::BTreeSet;

use chrono::{DateTime, Utc};
use sqlx::{AnyConnection, Row};

use super::codec::{millis, opt_instant};
use super::{Store, StoreError};
use crate::contact::PhoneNumber;

/// A sender's row as read before deciding on their message.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct SenderRow {
    /// `None` before their first message.
    pub version: Option<i64>,
    pub refused_at: Option<DateTime<Utc>>,
}

impl Store {
    /// Every number that opted out, as stored (E.164).
    pub async fn opted_out(&self) -> Result<BTreeSet<String>, StoreError> {
        let phones: Vec<String> = sqlx::query_scalar("SELECT phone FROM sms_opt_outs")
            .fetch_all(self.pool())
            .await?;
        Ok(phones.into_iter().collect())
    }

    pub async fn is_opted_out(&self, phone: &PhoneNumber) -> Result<bool, StoreError> {
        let count: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM sms_opt_outs WHERE phone = $1")
            .bind(phone.as_str())
            .fetch_one(self.pool())
            .await?;
        Ok(count > 0)
    }

    /// The row of the sender whose address key is `address`.
    pub async fn sender(&self, address: &str) -> Result<SenderRow, StoreError> {
        let row = sqlx::query("SELECT version, refused_at FROM senders WHERE address = $1")
            .bind(address)
            .fetch_optional(self.pool())
            .await?;
        let Some(row) = row else {
            return Ok(SenderRow::default());
        };
        Ok(SenderRow {
            version: Some(row.try_get("version")?),
            refused_at: opt_instant("senders", address, row.try_get("refused_at")?)?,
        })
    }
}

/// Records that `phone` opted out of SMS at `now`; the caller owns the transaction.
pub(super) async fn opt_out(
    conn: &mut AnyConnection,
    phone: &PhoneNumber,
    now: DateTime<Utc>,
) -> Result<(), StoreError> {
    sqlx::query(
        "INSERT INTO sms_opt_outs (phone, at) VALUES ($1, $2) \
         ON CONFLICT (phone) DO UPDATE SET at = excluded.at",
    )
    .bind(phone.as_str())
    .bind(millis(now))
    .execute(&mut *conn)
    .await?;
    Ok(())
}

/// Records that `phone` opted back in; the caller owns the transaction.
pub(super) async fn opt_in(
    conn: &mut AnyConnection,
    phone: &PhoneNumber,
) -> Result<(), StoreError> {
    sqlx::query("DELETE FROM sms_opt_outs WHERE phone = $1")
        .bind(phone.as_str())
        .execute(&mut *conn)
        .await?;
    Ok(())
}

/// Moves the sender's row from `expected` to the next version (creating it at 1
/// when `expected` is `None`), setting `refused_at` when given. `false` if the row
/// is not at `expected`: another message from the same sender was recorded first.
pub(super) async fn bump_sender(
    conn: &mut AnyConnection,
    address: &str,
    expected: Option<i64>,
    refused_at: Option<DateTime<Utc>>,
    now: DateTime<Utc>,
) -> Result<bool, StoreError> {
    let changed = match expected {
        None => sqlx::query(
            "INSERT INTO senders (address, version, last_at, refused_at) VALUES ($1, 1, $2, $3) \
             ON CONFLICT (address) DO NOTHING",
        )
        .bind(address)
        .bind(millis(now))
        .bind(refused_at.map(millis))
        .execute(&mut *conn)
        .await?
        .rows_affected(),
        Some(version) => sqlx::query(
            "UPDATE senders SET version = version + 1, last_at = $2, \
             refused_at = COALESCE($3, refused_at) WHERE address = $1 AND version = $4",
        )
        .bind(address)
        .bind(millis(now))
        .bind(refused_at.map(millis))
        .bind(version)
        .execute(&mut *conn)
        .await?
        .rows_affected(),
    };
    Ok(changed == 1)
}

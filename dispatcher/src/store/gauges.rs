//! A snapshot of the store for monitoring: how many hand-offs stand in each state,
//! how many messages in each outbox status, the oldest message still waiting, and
//! the next timer due. Read on each scrape of `/metrics`; a few indexed counts.

use std::collections::BTreeMap;

use chrono::{DateTime, Utc};
use sqlx::Row;

use super::{Store, StoreError, codec};
use crate::outbox::OutboxStatus;

/// What the store holds right now, in numbers.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Gauges {
    /// Hand-offs by state name (`offering`, `accepted`, `completed`, ...).
    pub handoffs: BTreeMap<String, u64>,
    /// Outbox messages by status name (`pending`, `sent`, `failed`).
    pub outbox: BTreeMap<String, u64>,
    /// When the oldest message still pending was queued.
    pub oldest_pending: Option<DateTime<Utc>>,
    /// When the earliest pending timer is due.
    pub next_timer_due: Option<DateTime<Utc>>,
}

impl Store {
    pub async fn gauges(&self) -> Result<Gauges, StoreError> {
        let mut gauges = Gauges::default();
        for row in sqlx::query("SELECT state, COUNT(*) AS n FROM handoffs GROUP BY state")
            .fetch_all(self.pool())
            .await?
        {
            let n: i64 = row.try_get("n")?;
            gauges
                .handoffs
                .insert(row.try_get("state")?, u64::try_from(n).unwrap_or(0));
        }
        for row in sqlx::query("SELECT status, COUNT(*) AS n FROM outbox GROUP BY status")
            .fetch_all(self.pool())
            .await?
        {
            let n: i64 = row.try_get("n")?;
            gauges
                .outbox
                .insert(row.try_get("status")?, u64::try_from(n).unwrap_or(0));
        }
        let oldest: Option<i64> =
            sqlx::query_scalar("SELECT MIN(created_at) FROM outbox WHERE status = $1")
                .bind(OutboxStatus::Pending.name())
                .fetch_one(self.pool())
                .await?;
        gauges.oldest_pending = codec::opt_instant("outbox", "min(created_at)", oldest)?;
        gauges.next_timer_due = self.next_timer_due().await?;
        Ok(gauges)
    }
}

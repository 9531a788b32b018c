//! A snapshot of the store for monitoring: how many hand-offs stand in each state,
//! how many messages in each outbox status, the oldest message still waiting, the
//! next timer due, how many intakes are overdue and how many follow-ups wait. Read on each scrape of `/metrics`; a few indexed counts.

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
    /// Accepted diversions whose intake deadline has passed unrecorded.
    pub intakes_overdue: u64,
    /// Closed hand-offs waiting for someone to take their follow-up.
    pub followups_waiting: u64,
}

impl Store {
    pub async fn gauges(&self, now: DateTime<Utc>) -> Result<Gauges, StoreError> {
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
        // The same hand-offs `Store::intake_due` lists as overdue.
        let overdue: i64 = sqlx::query_scalar(
            "SELECT COUNT(*) FROM handoffs WHERE intake_due_at IS NOT NULL \
             AND intake_due_at < $1 AND intake_completed_at IS NULL \
             AND state NOT IN ('cancelled', 'expired')",
        )
        .bind(super::codec::millis(now))
        .fetch_one(self.pool())
        .await?;
        gauges.intakes_overdue = u64::try_from(overdue).unwrap_or(0);
        let waiting: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM handoffs WHERE followup = $1")
            .bind(crate::outcome::FollowUpState::Waiting.name())
            .fetch_one(self.pool())
            .await?;
        gauges.followups_waiting = u64::try_from(waiting).unwrap_or(0);
        Ok(gauges)
    }
}

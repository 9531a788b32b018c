//! What the SMS edge must remember between requests: numbers that opted out (STOP),
//! provider ids of inbound messages already handled (providers retry webhooks), and
//! when an unregistered number was last refused (at most once a day).

use std::collections::BTreeSet;

use chrono::{DateTime, Duration, Utc};

use super::codec::millis;
use super::{Store, StoreError};
use crate::contact::PhoneNumber;

impl Store {
    /// Records that `phone` opted out of SMS at `at`.
    pub async fn opt_out(&self, phone: &PhoneNumber, at: DateTime<Utc>) -> Result<(), StoreError> {
        let _guard = self.write_lock().await;
        sqlx::query(
            "INSERT INTO sms_opt_outs (phone, at) VALUES ($1, $2) \
             ON CONFLICT (phone) DO UPDATE SET at = excluded.at",
        )
        .bind(phone.as_str())
        .bind(millis(at))
        .execute(self.pool())
        .await?;
        Ok(())
    }

    /// Records that `phone` opted back in. `true` if it had opted out.
    pub async fn opt_in(&self, phone: &PhoneNumber) -> Result<bool, StoreError> {
        let _guard = self.write_lock().await;
        let removed = sqlx::query("DELETE FROM sms_opt_outs WHERE phone = $1")
            .bind(phone.as_str())
            .execute(self.pool())
            .await?
            .rows_affected();
        Ok(removed > 0)
    }

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

    /// Remembers an inbound message's provider id. `true` the first time, `false`
    /// if it was seen before (a retried webhook, to acknowledge and ignore).
    pub async fn first_sighting(
        &self,
        provider_id: &str,
        at: DateTime<Utc>,
    ) -> Result<bool, StoreError> {
        let _guard = self.write_lock().await;
        let inserted = sqlx::query(
            "INSERT INTO inbound_seen (provider_id, at) VALUES ($1, $2) \
             ON CONFLICT (provider_id) DO NOTHING",
        )
        .bind(provider_id)
        .bind(millis(at))
        .execute(self.pool())
        .await?
        .rows_affected();
        Ok(inserted > 0)
    }

    /// Forgets an inbound id, so that the provider's retry of a message whose
    /// handling failed is handled again instead of ignored.
    pub async fn forget_sighting(&self, provider_id: &str) -> Result<(), StoreError> {
        let _guard = self.write_lock().await;
        sqlx::query("DELETE FROM inbound_seen WHERE provider_id = $1")
            .bind(provider_id)
            .execute(self.pool())
            .await?;
        Ok(())
    }

    /// Whether an unregistered `phone` may be told it is not registered at `now`: if
    /// it was not told within `quiet` before. Records the refusal when it may.
    pub async fn refusal_allowed(
        &self,
        phone: &PhoneNumber,
        now: DateTime<Utc>,
        quiet: Duration,
    ) -> Result<bool, StoreError> {
        let _guard = self.write_lock().await;
        let updated = sqlx::query(
            "INSERT INTO refusals (phone, last_at) VALUES ($1, $2) \
             ON CONFLICT (phone) DO UPDATE SET last_at = excluded.last_at \
             WHERE refusals.last_at <= $3",
        )
        .bind(phone.as_str())
        .bind(millis(now))
        .bind(millis(now - quiet))
        .execute(self.pool())
        .await?
        .rows_affected();
        Ok(updated > 0)
    }
}

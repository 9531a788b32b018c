//! What closed hand-offs still owe, read for the people who owe it: follow-ups
//! waiting or taken (FOLLOWUP, the opening digest, `handoff followup list`), the
//! intakes a case manager owes (INTAKE), and when each site's opening digest is
//! next due.

use chrono::{DateTime, Utc};
use handoff_schedules::{PersonId, SiteId};
use sqlx::Row;

use super::codec::{instant, millis};
use super::handoffs::handoffs_of;
use super::outbox::insert_outbound;
use super::{Store, StoreError};
use crate::decide::owes_intake;
use crate::handoff::Handoff;
use crate::outbox::NewOutbound;
use crate::outcome::FollowUpState;

impl Store {
    /// Hand-offs whose follow-up is waiting or taken, by number.
    pub async fn open_followups(&self) -> Result<Vec<Handoff>, StoreError> {
        let rows = sqlx::query(
            "SELECT id, data, version FROM handoffs WHERE followup IN ($1, $2) ORDER BY id",
        )
        .bind(FollowUpState::Waiting.name())
        .bind(FollowUpState::Taken.name())
        .fetch_all(self.pool())
        .await?;
        handoffs_of(&rows)
    }

    /// Every hand-off that became a follow-up, done ones too, by number.
    pub async fn all_followups(&self) -> Result<Vec<Handoff>, StoreError> {
        let rows = sqlx::query(
            "SELECT id, data, version FROM handoffs WHERE followup IS NOT NULL ORDER BY id",
        )
        .fetch_all(self.pool())
        .await?;
        handoffs_of(&rows)
    }

    /// The hand-offs `person` accepted that owe intake (by the rule in
    /// `owes_intake`), open or closed, by number.
    pub async fn intakes_owed_by(&self, person: &PersonId) -> Result<Vec<Handoff>, StoreError> {
        let rows = sqlx::query(
            "SELECT id, data, version FROM handoffs WHERE assignee = $1 \
             AND intake_due_at IS NOT NULL AND intake_completed_at IS NULL ORDER BY id",
        )
        .bind(person.as_str())
        .fetch_all(self.pool())
        .await?;
        let mut owed = handoffs_of(&rows)?;
        owed.retain(owes_intake);
        Ok(owed)
    }

    /// When `site`'s opening digest is next due, if it has been planned.
    pub async fn digest_due(&self, site: &SiteId) -> Result<Option<DateTime<Utc>>, StoreError> {
        let row = sqlx::query("SELECT next_at FROM site_digests WHERE site = $1")
            .bind(site.as_str())
            .fetch_optional(self.pool())
            .await?;
        row.map(|row| instant("site_digests", site.as_str(), row.try_get("next_at")?))
            .transpose()
    }

    /// Plans `site`'s next digest for `next_at` and queues `items` (the digest of
    /// the opening just reached, if any), in one transaction: a digest is sent
    /// with its plan moved on, or neither is.
    pub async fn digest_sent(
        &self,
        site: &SiteId,
        next_at: DateTime<Utc>,
        items: &[NewOutbound],
        now: DateTime<Utc>,
    ) -> Result<(), StoreError> {
        let _guard = self.write_lock().await?;
        let mut tx = self.begin_write().await?;
        let result = async {
            sqlx::query(
                "INSERT INTO site_digests (site, next_at) VALUES ($1, $2) \
                 ON CONFLICT (site) DO UPDATE SET next_at = excluded.next_at",
            )
            .bind(site.as_str())
            .bind(millis(next_at))
            .execute(&mut *tx)
            .await?;
            for item in items {
                insert_outbound(&mut tx, item, millis(now)).await?;
            }
            if !items.is_empty() {
                self.announce_outbox(&mut tx).await?;
            }
            Ok(())
        }
        .await;
        Self::finish(tx, result).await
    }
}

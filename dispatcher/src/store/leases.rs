//! Leases: which process does work that must be done by one process at a time when
//! several serve the same database. A lease is a row with a holder and an expiry;
//! taking it succeeds for its holder (a renewal) or for anyone once it has expired.
//!
//! Expiries are instants of the callers' clocks: processes sharing a database are
//! assumed to agree on the time to within a few seconds (NTP), which the margins of
//! the callers absorb.

use chrono::{DateTime, Duration, Utc};

use super::codec::millis;
use super::{Store, StoreError};

impl Store {
    /// Takes or renews the lease `name` for `holder` until `now + ttl`. Returns
    /// whether `holder` now holds it: false while another holder's lease runs.
    pub async fn take_lease(
        &self,
        name: &str,
        holder: &str,
        now: DateTime<Utc>,
        ttl: Duration,
    ) -> Result<bool, StoreError> {
        let _guard = self.write_lock().await;
        // One statement, so two processes taking an expired lease at once cannot
        // both succeed: the row's write lock orders them, and the second sees the
        // first's fresh expiry in the WHERE.
        let taken = sqlx::query(
            "INSERT INTO leases (name, holder, until_at) VALUES ($1, $2, $3) \
             ON CONFLICT (name) DO UPDATE SET holder = excluded.holder, until_at = excluded.until_at \
             WHERE leases.holder = excluded.holder OR leases.until_at < $4",
        )
        .bind(name)
        .bind(holder)
        .bind(millis(now + ttl))
        .bind(millis(now))
        .execute(self.pool())
        .await?
        .rows_affected();
        Ok(taken == 1)
    }

    /// Gives up the lease `name` if `holder` holds it, so another process can take
    /// it at once rather than when it expires.
    pub async fn release_lease(&self, name: &str, holder: &str) -> Result<(), StoreError> {
        let _guard = self.write_lock().await;
        sqlx::query("DELETE FROM leases WHERE name = $1 AND holder = $2")
            .bind(name)
            .bind(holder)
            .execute(self.pool())
            .await?;
        Ok(())
    }
}

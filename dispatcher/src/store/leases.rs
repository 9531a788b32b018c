//! Leases: which process does work that must be done by one process at a time when
//! several serve the same database. A lease is a row with a holder, an expiry and an
//! epoch; taking it succeeds for its holder (a renewal) or for anyone once it has
//! expired.
//!
//! Two rules make a lease safe against a holder that stalls (a long pause, a slow
//! disk, SIGSTOP) rather than dies:
//!
//! - **The database's clock judges expiry.** `until_at` is set and compared with the
//!   database's own time inside the statement, so processes whose clocks disagree
//!   (or a test's mock clock) cannot take a lease that is still running, nor keep
//!   one that has run out.
//! - **Fencing.** Every change of hands (and every take-back of a lease that ran out)
//!   adds one to the lease's `epoch`; the taker gets a [`LeaseToken`] carrying it.
//!   Writes that only the holder may make name the token and check it in the same
//!   statement (see `outbox`), so a holder that wakes after losing its lease has
//!   every such write refused with [`StoreError::LeaseLost`].

use chrono::Duration;
use sqlx::Row;

use super::{Backend, Store, StoreError};

/// The statement `$part`s joined, once per dialect (`[SQLite, PostgreSQL]`), where
/// the bare word `NOW` becomes the database's clock in epoch milliseconds and
/// `LOCK_LEASE` locks the lease row read in a fence on PostgreSQL.
///
/// Why `clock_timestamp()` and not `now()` on PostgreSQL: `now()` is when the
/// transaction began, which for a statement that waited on a row lock can be long
/// before the moment it decides. Why `LOCK_LEASE` (`FOR SHARE`): a fence that read
/// the lease row before a takeover committed would otherwise decide on the old
/// holder; locking it orders every fenced write before or after a takeover, never
/// across it. SQLite needs neither: one writer at a time, and `'now'` is read when
/// the statement runs.
macro_rules! by_backend {
    ($($part:tt),* $(,)?) => {
        [
            concat!($(by_backend!(@sqlite $part)),*),
            concat!($(by_backend!(@postgres $part)),*),
        ]
    };
    (@sqlite NOW) => { "CAST((julianday('now') - 2440587.5) * 86400000 AS INTEGER)" };
    (@sqlite LOCK_LEASE) => { "" };
    (@sqlite $text:literal) => { $text };
    (@postgres NOW) => { "(EXTRACT(EPOCH FROM clock_timestamp()) * 1000)::BIGINT" };
    (@postgres LOCK_LEASE) => { " FOR SHARE" };
    (@postgres $text:literal) => { $text };
}
pub(super) use by_backend;

/// Proof that a process took a lease: its name, the holder and the epoch it was
/// taken at. Only [`Store::take_lease`] makes one, and it stays good only while the
/// lease keeps that epoch and has not run out by the database's clock.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LeaseToken {
    pub(super) name: String,
    pub(super) holder: String,
    pub(super) epoch: i64,
}

impl LeaseToken {
    pub fn name(&self) -> &str {
        &self.name
    }

    pub fn holder(&self) -> &str {
        &self.holder
    }

    /// Grows by one each time the lease changes hands.
    pub fn epoch(&self) -> i64 {
        self.epoch
    }
}

const TAKE: [&str; 2] = by_backend!(
    "INSERT INTO leases (name, holder, until_at, epoch) VALUES ($1, $2, ",
    NOW,
    " + $3, 1) ON CONFLICT (name) DO UPDATE SET holder = excluded.holder, \
     until_at = excluded.until_at, epoch = CASE WHEN leases.holder = excluded.holder \
     AND leases.epoch = $4 AND leases.until_at >= ",
    NOW,
    " THEN leases.epoch ELSE leases.epoch + 1 END \
     WHERE leases.holder = excluded.holder OR leases.until_at < ",
    NOW,
    " RETURNING epoch",
);

const END: [&str; 2] = by_backend!(
    "UPDATE leases SET until_at = ",
    NOW,
    " - 1 WHERE name = $1 AND holder = $2 AND epoch = $3",
);

#[cfg(feature = "testing")]
const EXPIRE: [&str; 2] = by_backend!("UPDATE leases SET until_at = ", NOW, " - 1 WHERE name = $1");

const HELD: [&str; 2] = by_backend!(
    "SELECT COUNT(*) FROM leases WHERE name = $1 AND holder = $2 AND epoch = $3 \
     AND until_at > ",
    NOW,
    " + $4",
);

impl Store {
    /// The statement of `sql` in this store's dialect.
    pub(super) fn dialect(&self, sql: &[&'static str; 2]) -> &'static str {
        match self.backend() {
            Backend::Sqlite => sql[0],
            Backend::Postgres => sql[1],
        }
    }

    /// Takes or renews the lease `name` for `holder` for `ttl` from now by the
    /// database's clock. `held` is the token this process got last time, if any.
    /// Returns the token to use from now on, or `None` while another holder's lease
    /// runs.
    ///
    /// A renewal (`held` still current and not run out) keeps the epoch. Anything
    /// else that succeeds starts a new epoch: a takeover, a take-back of a lease
    /// that ran out, and a process that takes its own name's lease without the
    /// token (restarted after a crash), so whatever an earlier run still had in
    /// flight is fenced off.
    pub async fn take_lease(
        &self,
        name: &str,
        holder: &str,
        held: Option<&LeaseToken>,
        ttl: Duration,
    ) -> Result<Option<LeaseToken>, StoreError> {
        let _guard = self.write_lock().await?;
        // One statement, so two processes taking an expired lease at once cannot
        // both succeed: the row's write lock orders them, and the second sees the
        // first's fresh expiry in the WHERE. Epochs start at 1: -1 matches none.
        let current = held
            .filter(|token| token.name == name && token.holder == holder)
            .map_or(-1, |token| token.epoch);
        let row = sqlx::query(self.dialect(&TAKE))
            .bind(name)
            .bind(holder)
            .bind(ttl.num_milliseconds())
            .bind(current)
            .fetch_optional(self.pool())
            .await?;
        let Some(row) = row else {
            return Ok(None);
        };
        Ok(Some(LeaseToken {
            name: name.to_owned(),
            holder: holder.to_owned(),
            epoch: row.try_get("epoch")?,
        }))
    }

    /// Gives up the lease of `token` if it still holds it, so another process can
    /// take it at once rather than when it expires. The row stays, so the next
    /// holder's epoch is still higher than this one's.
    pub async fn release_lease(&self, token: &LeaseToken) -> Result<(), StoreError> {
        let _guard = self.write_lock().await?;
        sqlx::query(self.dialect(&END))
            .bind(&token.name)
            .bind(&token.holder)
            .bind(token.epoch)
            .execute(self.pool())
            .await?;
        Ok(())
    }

    /// Ends the lease `name` now, whoever holds it, as if its holder had stalled
    /// past its expiry: its holder's token stops being good and anyone may take the
    /// lease. For tests and fire drills of a takeover.
    #[cfg(feature = "testing")]
    pub async fn expire_lease(&self, name: &str) -> Result<(), StoreError> {
        let _guard = self.write_lock().await?;
        sqlx::query(self.dialect(&EXPIRE))
            .bind(name)
            .execute(self.pool())
            .await?;
        Ok(())
    }

    /// Whether `token` still holds its lease with more than `margin` left, by the
    /// database's clock. A fenced write checks this itself, in its own statement;
    /// this only tells why one was refused.
    pub(super) async fn lease_held(
        &self,
        token: &LeaseToken,
        margin: Duration,
    ) -> Result<bool, StoreError> {
        let n: i64 = sqlx::query_scalar(self.dialect(&HELD))
            .bind(&token.name)
            .bind(&token.holder)
            .bind(token.epoch)
            .bind(margin.num_milliseconds())
            .fetch_one(self.pool())
            .await?;
        Ok(n > 0)
    }
}

//! The side table `pending_offers`: whom each open hand-off has an unanswered
//! offer out to, so that a staff member's text finds the hand-offs it may be about
//! by index (`Store::open_handoffs_of_staff`) instead of decoding every open one.
//!
//! Which offers are unanswered is [`Handoff::pending`], and only there: the table
//! is a copy of what it says, never computed in SQL. [`rewrite`] replaces a
//! hand-off's rows from it (and [`insert`] writes a new one's) in the same
//! transaction as every write of the hand-off's `data` (a decision's commit, an
//! intake recorded, retention blanking words), so the copy is never older than
//! the row it was made from.
//! Only open hand-offs have rows, like the query that reads them; one that closes
//! loses its rows, and the table stays as small as the open offers.
//!
//! The hand-offs already open when the table was made get their rows from
//! [`Store::backfill_pending_offers`], once, when a store first connects after the
//! migration (`20261212000000_pending_offers.sql`), before it is handed out.

use std::collections::BTreeSet;

use sqlx::any::AnyRow;
use sqlx::{AnyConnection, Row};

use super::codec::{corrupt, db_id};
use super::handoffs::decode_handoff;
use super::{Backend, Store, StoreError};
use crate::handoff::Handoff;

/// Hand-offs filled per transaction by the backfill: a page holds SQLite's
/// writer lock (which every request's commit waits for) for milliseconds.
const PAGE: i64 = 500;

const BACKFILL: &str = "pending_offers_backfill";

/// Replaces the rows of `handoff` in `pending_offers` by the people
/// [`Handoff::pending`] names, or by none if it is closed. Call it in the
/// transaction that writes the hand-off's row.
pub(super) async fn rewrite(conn: &mut AnyConnection, handoff: &Handoff) -> Result<(), StoreError> {
    sqlx::query("DELETE FROM pending_offers WHERE handoff = $1")
        .bind(db_id(handoff.id))
        .execute(&mut *conn)
        .await?;
    insert(conn, handoff).await
}

/// Writes the rows of a hand-off that has none: one just inserted (rows name an
/// existing hand-off, so a new one cannot have any), which saves a commit the
/// `DELETE` of [`rewrite`].
pub(super) async fn insert(conn: &mut AnyConnection, handoff: &Handoff) -> Result<(), StoreError> {
    if handoff.state.is_closed() {
        return Ok(());
    }
    // A set: a person is in the table once per hand-off, however many of their
    // offers are open.
    let people: BTreeSet<&str> = handoff.pending().map(|o| o.person.as_str()).collect();
    if people.is_empty() {
        return Ok(());
    }
    // Built from placeholders only: one per person after the hand-off's `$1`.
    let mut query =
        sqlx::query(sqlx::AssertSqlSafe(insert_sql(people.len()))).bind(db_id(handoff.id));
    for person in people {
        query = query.bind(person.to_owned());
    }
    query.execute(&mut *conn).await?;
    Ok(())
}

/// `INSERT INTO pending_offers (handoff, person) VALUES ($1, $2), ($1, $3), ...`
/// for `people` people.
fn insert_sql(people: usize) -> String {
    let values: Vec<String> = (2..people + 2).map(|n| format!("($1, ${n})")).collect();
    format!(
        "INSERT INTO pending_offers (handoff, person) VALUES {}",
        values.join(", ")
    )
}

/// How far the backfill has come: the last hand-off number done, and the highest
/// number open when the table was made.
struct Progress {
    through: i64,
    legacy_through: i64,
}

fn decode_progress(row: Option<&AnyRow>) -> Result<Progress, StoreError> {
    let row = row.ok_or_else(|| corrupt(BACKFILL, 1, "the row is missing".to_owned()))?;
    Ok(Progress {
        through: row.try_get("through")?,
        legacy_through: row.try_get("legacy_through")?,
    })
}

impl Store {
    /// Fills `pending_offers` for the hand-offs open before it existed, a page per
    /// transaction; a no-op (one read) once done. Run by [`Store::connect`] before
    /// the store is handed out, so no staff query reads a half-filled table from
    /// this process. Returns how many hand-offs it read.
    ///
    /// Several instances may start at once: each page locks the progress row
    /// first (PostgreSQL's row lock; SQLite's one writer), so they take turns and
    /// each goes on from where the last page left off. The hand-offs of a page are
    /// locked too, so a decision committed meanwhile by an instance already
    /// running either comes before the page (which then reads it) or waits for it
    /// (and then rewrites the rows itself): the page never writes rows from a
    /// hand-off's older `data` over a newer one's.
    pub(super) async fn backfill_pending_offers(&self) -> Result<u64, StoreError> {
        let row =
            sqlx::query("SELECT through, legacy_through FROM pending_offers_backfill WHERE id = 1")
                .fetch_optional(self.pool())
                .await?;
        let progress = decode_progress(row.as_ref())?;
        if progress.through >= progress.legacy_through {
            return Ok(0);
        }
        tracing::info!(
            through = progress.legacy_through,
            "recording the pending offers of the hand-offs open before they were indexed"
        );
        let mut filled = 0;
        loop {
            let _guard = self.write_lock().await?;
            let mut tx = self.begin_write().await?;
            let result = backfill_page(&mut tx, self.backend()).await;
            match Store::finish(tx, result).await? {
                Some(read) => filled += read,
                None => break,
            }
        }
        tracing::info!(handoffs = filled, "the pending offers are indexed");
        Ok(filled)
    }
}

/// One page of the backfill: rewrites the rows of up to [`PAGE`] open hand-offs
/// past the progress row and moves it on. `None` once there is nothing left.
async fn backfill_page(
    conn: &mut AnyConnection,
    backend: Backend,
) -> Result<Option<u64>, StoreError> {
    let (progress_sql, page_sql) = match backend {
        Backend::Sqlite => (
            "SELECT through, legacy_through FROM pending_offers_backfill WHERE id = 1",
            "SELECT id, data, version FROM handoffs WHERE closed_at IS NULL \
             AND id > $1 AND id <= $2 ORDER BY id LIMIT $3",
        ),
        Backend::Postgres => (
            "SELECT through, legacy_through FROM pending_offers_backfill WHERE id = 1 \
             FOR UPDATE",
            "SELECT id, data, version FROM handoffs WHERE closed_at IS NULL \
             AND id > $1 AND id <= $2 ORDER BY id LIMIT $3 FOR UPDATE",
        ),
    };
    let row = sqlx::query(progress_sql).fetch_optional(&mut *conn).await?;
    let progress = decode_progress(row.as_ref())?;
    if progress.through >= progress.legacy_through {
        return Ok(None);
    }
    let rows = sqlx::query(page_sql)
        .bind(progress.through)
        .bind(progress.legacy_through)
        .bind(PAGE)
        .fetch_all(&mut *conn)
        .await?;
    let mut last = progress.through;
    for row in &rows {
        let (handoff, _) = decode_handoff(row)?;
        rewrite(conn, &handoff).await?;
        last = db_id(handoff.id);
    }
    // A short page was the last: nothing open is left up to `legacy_through`.
    let read = u64::try_from(rows.len()).unwrap_or(u64::MAX);
    let through = if read < u64::try_from(PAGE).unwrap_or(u64::MAX) {
        progress.legacy_through
    } else {
        last
    };
    sqlx::query("UPDATE pending_offers_backfill SET through = $1 WHERE id = 1")
        .bind(through)
        .execute(&mut *conn)
        .await?;
    Ok(Some(read))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_insert_gives_every_person_a_placeholder_after_the_hand_offs() {
        assert_eq!(
            insert_sql(3),
            "INSERT INTO pending_offers (handoff, person) VALUES ($1, $2), ($1, $3), ($1, $4)"
        );
    }
}

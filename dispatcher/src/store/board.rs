//! The dashboard's [`Board`], from the rollup table `handoff_stats` as each store
//! holds it in memory ([`BoardRows`]): before each board the store reads the rows
//! written since it last read, then counts in memory.
//!
//! Catching up relies on `handoff_stats.revision`. Every batch a refresh writes
//! takes the next number of the one-row counter `stats_revision` in its own
//! transaction, before its upserts, and stamps its rows with it. The counter's
//! row is locked until that transaction ends (PostgreSQL's row lock; SQLite's one
//! writer), so batches commit in the order of their numbers, and once a reader
//! sees revision `r` every smaller revision is visible too. Reading on in order of
//! (revision, hand-off number) after the last row applied therefore never skips a
//! row, on one instance or several; a row written again comes back with its new
//! revision and replaces its older self.
//!
//! Rows are read in pages of [`PAGE`], each decoded and applied off the async
//! runtime's threads (`spawn_blocking`), like the count itself: a first read of a
//! million rows takes seconds of CPU, and a board over them a few hundred
//! milliseconds, neither of which may hold up a webhook being answered. One catch-up
//! runs at a time per store; a board waits for it.

use std::sync::Arc;

use serde::de::DeserializeOwned;
use serde::de::value::{Error as NameError, StrDeserializer};
use sqlx::Row;
use sqlx::any::AnyRow;
use tokio::sync::{Mutex, RwLock};

use super::codec::{corrupt, date, handoff_id, instant};
use super::{Store, StoreError};
use crate::roster::{AgencyId, OfficerId};
use crate::stats::{Board, BoardFilter, BoardRows, RollupRow};
use handoff_schedules::{PersonId, SiteId};

const TABLE: &str = "handoff_stats";

/// Rows read and applied at a time: ~2 MB of rows, tens of milliseconds each.
pub(crate) const PAGE: i64 = 20_000;

const SINCE: &str = "SELECT id, site, agency, officer, kind, accepted_by, requested_at, \
     week_start, hour_of_week, outcome, not_diverted, after_hours, accepted, \
     time_to_accept_s, time_to_arrival_s, accept_to_arrival_s, eta_error_s, \
     request_to_close_s, given_back, eta_missed, followup, declines, escalations, \
     followed_up, accepted_via, arrival, revision \
     FROM handoff_stats WHERE (revision, id) > ($1, $2) ORDER BY revision, id LIMIT $3";

/// A store's rows in memory, and the lock that lets one catch-up run at a time.
#[derive(Debug, Default)]
pub(super) struct BoardCache {
    rows: Arc<RwLock<BoardRows>>,
    catching_up: Mutex<()>,
}

impl Store {
    /// The board of the hand-offs the filter picks, from the rollup as the last
    /// [`Store::refresh_stats`] left it.
    pub async fn board(&self, filter: &BoardFilter) -> Result<Board, StoreError> {
        self.catch_up_board(PAGE).await?;
        let rows = Arc::clone(&self.inner.board.rows);
        let filter = filter.clone();
        tokio::task::spawn_blocking(move || rows.blocking_read().board(&filter))
            .await
            .map_err(|e| StoreError::Worker(e.to_string()))
    }

    /// Reads the rows written since the last read, `page` at a time, into memory;
    /// returns how many hand-offs are held then.
    pub(crate) async fn catch_up_board(&self, page: i64) -> Result<usize, StoreError> {
        let _one = self.inner.board.catching_up.lock().await;
        loop {
            let (revision, id) = self.inner.board.rows.read().await.position();
            let fetched = sqlx::query(SINCE)
                .bind(revision)
                .bind(id)
                .bind(page.max(1))
                .fetch_all(self.pool())
                .await?;
            let last_page = (fetched.len() as i64) < page.max(1);
            let rows = Arc::clone(&self.inner.board.rows);
            let held = tokio::task::spawn_blocking(move || {
                let decoded = fetched.iter().map(decode).collect::<Result<Vec<_>, _>>()?;
                let mut rows = rows.blocking_write();
                rows.apply(decoded);
                Ok::<usize, StoreError>(rows.len())
            })
            .await
            .map_err(|e| StoreError::Worker(e.to_string()))??;
            if last_page {
                return Ok(held);
            }
        }
    }
}

/// A row of `handoff_stats` with its revision.
fn decode(row: &AnyRow) -> Result<(RollupRow, i64), StoreError> {
    let raw_id: i64 = row.try_get("id")?;
    let id = handoff_id(TABLE, raw_id, raw_id)?;
    let text = |column: &str| row.try_get::<String, _>(column);
    let optional = |column: &str| row.try_get::<Option<String>, _>(column);
    let bad = |detail: String| corrupt(TABLE, raw_id, detail);
    let seconds = |column: &str| row.try_get::<Option<i64>, _>(column);
    let flag = |column: &str| row.try_get::<i64, _>(column).map(|v| v != 0);
    let small = |column: &str| {
        let raw: i64 = row.try_get(column)?;
        u32::try_from(raw).map_err(|_| bad(format!("{column} {raw}")))
    };
    let hour: i64 = row.try_get("hour_of_week")?;
    let decoded = RollupRow {
        id,
        site: SiteId::parse(&text("site")?).map_err(|e| bad(e.to_string()))?,
        agency: AgencyId::parse(&text("agency")?).map_err(|e| bad(e.to_string()))?,
        officer: OfficerId::parse(&text("officer")?).map_err(|e| bad(e.to_string()))?,
        kind: named(raw_id, &text("kind")?)?,
        accepted_by: optional("accepted_by")?
            .map(|p| PersonId::parse(&p).map_err(|e| bad(e.to_string())))
            .transpose()?,
        requested_at: instant(TABLE, raw_id, row.try_get("requested_at")?)?,
        week_start: date(TABLE, raw_id, row.try_get("week_start")?)?,
        hour_of_week: u8::try_from(hour)
            .ok()
            .filter(|h| *h < 168)
            .ok_or_else(|| bad(format!("hour of week {hour}")))?,
        outcome: named(raw_id, &text("outcome")?)?,
        not_diverted: optional("not_diverted")?
            .map(|c| named(raw_id, &c))
            .transpose()?,
        after_hours: flag("after_hours")?,
        accepted: flag("accepted")?,
        time_to_accept_s: seconds("time_to_accept_s")?,
        time_to_arrival_s: seconds("time_to_arrival_s")?,
        accept_to_arrival_s: seconds("accept_to_arrival_s")?,
        eta_error_s: seconds("eta_error_s")?,
        request_to_close_s: seconds("request_to_close_s")?,
        given_back: small("given_back")?,
        eta_missed: small("eta_missed")?,
        followup: optional("followup")?
            .map(|f| named(raw_id, &f))
            .transpose()?,
        declines: small("declines")?,
        escalations: small("escalations")?,
        followed_up: flag("followed_up")?,
        accepted_via: optional("accepted_via")?
            .map(|c| named(raw_id, &c))
            .transpose()?,
        arrival: optional("arrival")?
            .map(|a| named(raw_id, &a))
            .transpose()?,
    };
    Ok((decoded, row.try_get("revision")?))
}

/// A unit variant by the name its serde form gives it (`arrest_diversion`,
/// `completed`, …), as the refresh stored it.
fn named<T: DeserializeOwned>(id: i64, name: &str) -> Result<T, StoreError> {
    T::deserialize(StrDeserializer::<NameError>::new(name))
        .map_err(|_| corrupt(TABLE, id, format!("unknown name `{name}`")))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::handoff::HandoffKind;
    use crate::outcome::{FollowUpReason, NotDivertedCode};
    use crate::stats::Outcome;

    #[test]
    fn stored_names_read_back_as_the_values_the_refresh_wrote() {
        for kind in [
            HandoffKind::ArrestDiversion,
            HandoffKind::SocialContactReferral,
        ] {
            let name = super::super::codec::kind_name(kind);
            assert_eq!(named::<HandoffKind>(1, name).unwrap(), kind);
        }
        for outcome in Outcome::ALL {
            assert_eq!(named::<Outcome>(1, outcome.name()).unwrap(), outcome);
        }
        for arrival in crate::stats::Arrival::ALL {
            assert_eq!(
                named::<crate::stats::Arrival>(1, arrival.name()).unwrap(),
                arrival
            );
        }
        for code in NotDivertedCode::ALL {
            assert_eq!(named::<NotDivertedCode>(1, code.name()).unwrap(), code);
        }
        for reason in [
            FollowUpReason::Referral,
            FollowUpReason::Unstaffed,
            FollowUpReason::Expired,
        ] {
            assert_eq!(named::<FollowUpReason>(1, reason.name()).unwrap(), reason);
        }
        assert!(matches!(
            named::<Outcome>(7, "lost"),
            Err(StoreError::CorruptValue { .. })
        ));
    }
}

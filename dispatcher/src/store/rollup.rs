//! The rollup table `handoff_stats` (one [`RollupRow`] per hand-off), kept up to
//! date from the event log by [`Store::refresh_stats`], and the watermark in
//! `stats_rollup` that says how far into the log it has read.
//!
//! A refresh goes one bounded batch at a time:
//!
//! 1. read the watermark (another instance may have moved it since);
//! 2. take the next [`BATCH_EVENTS`] events past it and note the hand-offs they
//!    touch;
//! 3. read *all* the events of those hand-offs and fold them with
//!    [`stats::metrics`](crate::stats::metrics), the one rule of what a hand-off's
//!    numbers are (hand-offs without a `Requested` event are skipped, as there);
//! 4. in one write transaction, upsert their rows and move the watermark past the
//!    batch.
//!
//! Steps 1–3 read outside the write transaction on purpose: on SQLite a write
//! transaction holds the store's single writer lock, which every request's commit
//! waits for, so it should hold the upserts of a batch (milliseconds) and not the
//! reading and decoding of its events.
//!
//! Several instances may refresh one database at once. Nothing goes backwards:
//!
//! - a row remembers how many events it was folded from (`events`). The log is
//!   append-only, so a hand-off's events read later are a superset of those read
//!   earlier; a row is only replaced by one folded from at least as many events,
//!   so a refresh that read before another cannot overwrite the newer row;
//! - the watermark only moves forward (the upsert's `WHERE`), so a slow refresh
//!   finishing an old batch leaves a newer watermark alone;
//! - no event is skipped: on SQLite one writer commits at a time, so the events
//!   any reader sees are a prefix of the log in `seq` order. On PostgreSQL `seq`
//!   is given at insert, not at commit, so a smaller `seq` can become visible
//!   after a larger one; the log is read in (transaction id, `seq`) order only up
//!   to the oldest transaction still running (see the migration
//!   `20261202000005_rollup.sql`), behind which nothing new can appear. A
//!   transaction left open for long holds the rollup back (it lags, it does not
//!   skip).
//!
//! Two instances may do the same batch twice; that costs time, not correctness.

use std::collections::{BTreeMap, BTreeSet};

use chrono_tz::Tz;
use handoff_schedules::SiteId;
use serde::Serialize;
use sqlx::Row;

use super::codec::{db_id, epoch_day, handoff_id, kind_name, millis};
use super::log::decode_event;
use super::{Backend, Store, StoreError};
use crate::event::Event;
use crate::handoff::HandoffId;
use crate::stats::{self, Counted, RollupRow};

/// The name of the watermark, with the version of the rules the rows are made
/// by (`stats::metrics`, `RollupRow::of`, the table's columns). Changing those
/// rules means changing this name: the next refresh then starts again from the
/// first event and rewrites every row (until it is done, the board mixes rows of
/// both versions).
pub(crate) const ROLLUP: &str = "handoff_stats/3";

/// Events taken past the watermark in one batch. One batch touches at most this
/// many hand-offs, and its write transaction holds SQLite's writer lock for
/// their upserts only: a few milliseconds.
pub(crate) const BATCH_EVENTS: i64 = 4_000;

/// What one [`Store::refresh_stats`] did.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct RefreshReport {
    /// Batches written, each in its own transaction.
    pub batches: u64,
    /// Events read past the watermark.
    pub events: u64,
    /// Rows (re)computed and written; a hand-off touched in two batches counts
    /// twice.
    pub rows: u64,
    /// Hand-offs touched whose events hold no `Requested`: not in the rollup.
    pub skipped: u64,
    /// Events already committed but left for the next refresh, because an older
    /// transaction was still running when this one read (PostgreSQL only: the
    /// horizon is the server's, so a transaction on another database of the same
    /// server counts too). Always 0 on SQLite.
    pub waiting: u64,
}

/// A position in the event log: everything up to and including it is read.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Default)]
struct Mark {
    /// The writing transaction's id on PostgreSQL; 0 on SQLite.
    tx: i64,
    seq: i64,
}

/// The next events past a [`Mark`]: which hand-offs they touch, how many there
/// were and the mark after the last.
struct Batch {
    touched: BTreeSet<HandoffId>,
    events: u64,
    through: Mark,
}

impl Store {
    /// Brings the rollup up to date with the event log, batch by batch, until no
    /// event is left past the watermark. `zone_of` gives each site's time zone,
    /// for the local week and hour of the week of its requests.
    pub async fn refresh_stats(
        &self,
        zone_of: &(dyn Fn(&SiteId) -> Tz + Sync),
    ) -> Result<RefreshReport, StoreError> {
        self.refresh_stats_in_batches(zone_of, BATCH_EVENTS).await
    }

    /// [`Store::refresh_stats`] with batches of at most `batch_events` events.
    pub(crate) async fn refresh_stats_in_batches(
        &self,
        zone_of: &(dyn Fn(&SiteId) -> Tz + Sync),
        batch_events: i64,
    ) -> Result<RefreshReport, StoreError> {
        let mut report = RefreshReport::default();
        loop {
            let from = self.watermark().await?;
            let batch = self.next_batch(from, batch_events.max(1)).await?;
            if batch.events == 0 {
                report.waiting = self.waiting(from).await?;
                return Ok(report);
            }
            let events = self.events_of_all(&batch.touched).await?;
            let mut folded: BTreeMap<HandoffId, i64> = BTreeMap::new();
            for event in &events {
                *folded.entry(event.handoff).or_default() += 1;
            }
            let rows: Vec<StoredRow> = stats::metrics(&events)
                .iter()
                .map(|m| {
                    let events = folded.get(&m.id).copied().unwrap_or_default();
                    StoredRow::new(&RollupRow::of(m, zone_of(&m.site)), events)
                })
                .collect();
            self.write_batch(&rows, batch.through).await?;
            report.batches += 1;
            report.events += batch.events;
            report.rows += rows.len() as u64;
            report.skipped += batch.touched.len().saturating_sub(rows.len()) as u64;
        }
    }

    async fn watermark(&self) -> Result<Mark, StoreError> {
        let row = sqlx::query("SELECT through_tx, through_seq FROM stats_rollup WHERE name = $1")
            .bind(ROLLUP)
            .fetch_optional(self.pool())
            .await?;
        Ok(match row {
            Some(row) => Mark {
                tx: row.try_get("through_tx")?,
                seq: row.try_get("through_seq")?,
            },
            None => Mark::default(),
        })
    }

    /// Events past `from` that [`Store::next_batch`] did not take (see
    /// [`RefreshReport::waiting`]).
    async fn waiting(&self, from: Mark) -> Result<u64, StoreError> {
        if self.backend() == Backend::Sqlite {
            return Ok(0);
        }
        let n: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM events WHERE (tx, seq) > ($1, $2)")
            .bind(from.tx)
            .bind(from.seq)
            .fetch_one(self.pool())
            .await?;
        Ok(u64::try_from(n).unwrap_or_default())
    }

    async fn next_batch(&self, from: Mark, limit: i64) -> Result<Batch, StoreError> {
        // SQLite: one row per hand-off touched, with its last seq and how many
        // events; the batch's events need not cross into Rust one by one.
        const SQLITE: &str = "SELECT handoff_id, MAX(seq) AS seq, COUNT(*) AS n FROM \
             (SELECT handoff_id, seq FROM events WHERE seq > $1 ORDER BY seq LIMIT $2) \
             GROUP BY handoff_id";
        // PostgreSQL: the events themselves, up to the horizon of finished
        // transactions, in (tx, seq) order.
        const POSTGRES: &str = "SELECT handoff_id, tx, seq FROM events \
             WHERE (tx, seq) > ($1, $2) \
             AND tx < pg_snapshot_xmin(pg_current_snapshot())::text::bigint \
             ORDER BY tx, seq LIMIT $3";
        let rows = match self.backend() {
            Backend::Sqlite => {
                sqlx::query(SQLITE)
                    .bind(from.seq)
                    .bind(limit)
                    .fetch_all(self.pool())
                    .await?
            }
            Backend::Postgres => {
                sqlx::query(POSTGRES)
                    .bind(from.tx)
                    .bind(from.seq)
                    .bind(limit)
                    .fetch_all(self.pool())
                    .await?
            }
        };
        let mut batch = Batch {
            touched: BTreeSet::new(),
            events: 0,
            through: from,
        };
        for row in &rows {
            let seq: i64 = row.try_get("seq")?;
            let (tx, n) = match self.backend() {
                Backend::Sqlite => (0, row.try_get::<i64, _>("n")?),
                Backend::Postgres => (row.try_get::<i64, _>("tx")?, 1),
            };
            batch
                .touched
                .insert(handoff_id("events", seq, row.try_get("handoff_id")?)?);
            batch.events += u64::try_from(n).unwrap_or_default();
            batch.through = batch.through.max(Mark { tx, seq });
        }
        Ok(batch)
    }

    /// Every event of the hand-offs, in commit order within each.
    async fn events_of_all(&self, ids: &BTreeSet<HandoffId>) -> Result<Vec<Event>, StoreError> {
        const SQLITE: &str = "SELECT seq, handoff_id, kind, actor, at, details FROM events \
             WHERE handoff_id IN (SELECT value FROM json_each($1)) \
             ORDER BY handoff_id, seq";
        const POSTGRES: &str = "SELECT seq, handoff_id, kind, actor, at, details FROM events \
             WHERE handoff_id IN \
             (SELECT id::bigint FROM jsonb_array_elements_text($1::jsonb) AS id) \
             ORDER BY handoff_id, seq";
        let ids: Vec<i64> = ids.iter().map(|&id| db_id(id)).collect();
        let ids = serde_json::to_string(&ids).map_err(|source| StoreError::Encode {
            what: "hand-off numbers",
            source,
        })?;
        let query = match self.backend() {
            Backend::Sqlite => SQLITE,
            Backend::Postgres => POSTGRES,
        };
        let rows = sqlx::query(query).bind(ids).fetch_all(self.pool()).await?;
        rows.iter().map(decode_event).collect()
    }

    /// Upserts the rows (each only over a row folded from no more events) and
    /// moves the watermark forward to `through`, in one transaction.
    async fn write_batch(&self, rows: &[StoredRow], through: Mark) -> Result<(), StoreError> {
        let rows = serde_json::to_string(rows).map_err(|source| StoreError::Encode {
            what: "rollup rows",
            source,
        })?;
        let upsert = match self.backend() {
            Backend::Sqlite => UPSERT_SQLITE,
            Backend::Postgres => UPSERT_POSTGRES,
        };
        let _guard = self.write_lock().await?;
        let mut tx = self.begin_write().await?;
        let result = async {
            // First, so that the counter's row is locked before anything else is
            // written: see `store::board` for why batches take their numbers so.
            let revision: i64 = sqlx::query_scalar(NEXT_REVISION)
                .fetch_one(&mut *tx)
                .await?;
            sqlx::query(upsert)
                .bind(rows)
                .bind(revision)
                .execute(&mut *tx)
                .await?;
            sqlx::query(ADVANCE)
                .bind(ROLLUP)
                .bind(through.tx)
                .bind(through.seq)
                .execute(&mut *tx)
                .await?;
            Ok::<(), StoreError>(())
        }
        .await;
        Self::finish(tx, result).await
    }
}

/// The batch's revision, one more than the last batch's.
const NEXT_REVISION: &str =
    "UPDATE stats_revision SET revision = revision + 1 WHERE id = 1 RETURNING revision";

const ADVANCE: &str = "INSERT INTO stats_rollup (name, through_tx, through_seq) \
     VALUES ($1, $2, $3) ON CONFLICT (name) DO UPDATE \
     SET through_tx = excluded.through_tx, through_seq = excluded.through_seq \
     WHERE stats_rollup.through_tx < excluded.through_tx \
     OR (stats_rollup.through_tx = excluded.through_tx \
     AND stats_rollup.through_seq < excluded.through_seq)";

/// The columns an upsert sets on conflict, and when: only over a row folded from
/// no more events.
macro_rules! on_conflict {
    () => {
        " ON CONFLICT (id) DO UPDATE SET site = excluded.site, agency = excluded.agency, \
         officer = excluded.officer, kind = excluded.kind, \
         accepted_by = excluded.accepted_by, requested_at = excluded.requested_at, \
         week_start = excluded.week_start, hour_of_week = excluded.hour_of_week, \
         outcome = excluded.outcome, not_diverted = excluded.not_diverted, \
         after_hours = excluded.after_hours, accepted = excluded.accepted, \
         time_to_accept_s = excluded.time_to_accept_s, \
         time_to_arrival_s = excluded.time_to_arrival_s, \
         accept_to_arrival_s = excluded.accept_to_arrival_s, \
         eta_error_s = excluded.eta_error_s, \
         request_to_close_s = excluded.request_to_close_s, \
         given_back = excluded.given_back, eta_missed = excluded.eta_missed, \
         followup = excluded.followup, declines = excluded.declines, \
         escalations = excluded.escalations, followed_up = excluded.followed_up, \
         accepted_via = excluded.accepted_via, arrival = excluded.arrival, \
         counted = excluded.counted, \
         events = excluded.events, \
         revision = excluded.revision \
         WHERE excluded.events >= handoff_stats.events"
    };
}

macro_rules! columns {
    () => {
        "INSERT INTO handoff_stats (id, site, agency, officer, kind, accepted_by, \
         requested_at, week_start, hour_of_week, outcome, not_diverted, after_hours, \
         accepted, time_to_accept_s, time_to_arrival_s, accept_to_arrival_s, eta_error_s, \
         request_to_close_s, given_back, eta_missed, followup, declines, escalations, \
         followed_up, accepted_via, arrival, counted, events, revision) "
    };
}

/// The rows come as one JSON array of [`StoredRow`] objects: one statement and
/// one bind per batch, whatever its size. SQLite parses each object once into its
/// binary form (`jsonb`) before taking it apart; `WHERE true` keeps it from
/// reading `ON CONFLICT` as part of the `SELECT`.
const UPSERT_SQLITE: &str = concat!(
    "WITH r(v) AS MATERIALIZED (SELECT jsonb(value) FROM json_each($1)) ",
    columns!(),
    "SELECT v ->> 'id', v ->> 'site', v ->> 'agency', v ->> 'officer', \
     v ->> 'kind', v ->> 'accepted_by', v ->> 'requested_at', \
     v ->> 'week_start', v ->> 'hour_of_week', v ->> 'outcome', \
     v ->> 'not_diverted', v ->> 'after_hours', v ->> 'accepted', \
     v ->> 'time_to_accept_s', v ->> 'time_to_arrival_s', \
     v ->> 'accept_to_arrival_s', v ->> 'eta_error_s', \
     v ->> 'request_to_close_s', v ->> 'given_back', v ->> 'eta_missed', \
     v ->> 'followup', v ->> 'declines', v ->> 'escalations', \
     v ->> 'followed_up', v ->> 'accepted_via', v ->> 'arrival', v ->> 'counted', \
     v ->> 'events', $2 \
     FROM r WHERE true",
    on_conflict!()
);

const UPSERT_POSTGRES: &str = concat!(
    columns!(),
    "SELECT id, site, agency, officer, kind, accepted_by, requested_at, week_start, \
     hour_of_week, outcome, not_diverted, after_hours, accepted, time_to_accept_s, \
     time_to_arrival_s, accept_to_arrival_s, eta_error_s, request_to_close_s, \
     given_back, eta_missed, followup, declines, escalations, followed_up, accepted_via, \
     arrival, counted, events, $2::BIGINT \
     FROM jsonb_to_recordset($1::jsonb) AS r(id BIGINT, site TEXT, agency TEXT, \
     officer TEXT, kind TEXT, accepted_by TEXT, requested_at BIGINT, week_start BIGINT, \
     hour_of_week BIGINT, outcome TEXT, not_diverted TEXT, after_hours BIGINT, \
     accepted BIGINT, time_to_accept_s BIGINT, time_to_arrival_s BIGINT, \
     accept_to_arrival_s BIGINT, eta_error_s BIGINT, request_to_close_s BIGINT, \
     given_back BIGINT, eta_missed BIGINT, followup TEXT, declines BIGINT, \
     escalations BIGINT, followed_up BIGINT, accepted_via TEXT, arrival TEXT, \
     counted TEXT, events BIGINT)",
    on_conflict!()
);

/// A [`RollupRow`] as the columns of `handoff_stats`, for the JSON of an upsert.
#[derive(Serialize)]
struct StoredRow {
    id: i64,
    site: String,
    agency: String,
    officer: String,
    kind: &'static str,
    accepted_by: Option<String>,
    requested_at: i64,
    week_start: i64,
    hour_of_week: u8,
    outcome: &'static str,
    not_diverted: Option<&'static str>,
    after_hours: u8,
    accepted: u8,
    time_to_accept_s: Option<i64>,
    time_to_arrival_s: Option<i64>,
    accept_to_arrival_s: Option<i64>,
    eta_error_s: Option<i64>,
    request_to_close_s: Option<i64>,
    given_back: u32,
    eta_missed: u32,
    followup: Option<&'static str>,
    declines: u32,
    escalations: u32,
    followed_up: u8,
    accepted_via: Option<&'static str>,
    arrival: Option<&'static str>,
    counted: String,
    events: i64,
}

impl StoredRow {
    fn new(row: &RollupRow, events: i64) -> StoredRow {
        StoredRow {
            id: db_id(row.id),
            site: row.site.as_str().to_owned(),
            agency: row.agency.as_str().to_owned(),
            officer: row.officer.as_str().to_owned(),
            kind: kind_name(row.kind),
            accepted_by: row.accepted_by.as_ref().map(|p| p.as_str().to_owned()),
            requested_at: millis(row.requested_at),
            week_start: epoch_day(row.week_start),
            hour_of_week: row.hour_of_week,
            outcome: row.outcome.name(),
            not_diverted: row.not_diverted.map(|c| c.name()),
            after_hours: u8::from(row.after_hours),
            accepted: u8::from(row.accepted),
            time_to_accept_s: row.time_to_accept_s,
            time_to_arrival_s: row.time_to_arrival_s,
            accept_to_arrival_s: row.accept_to_arrival_s,
            eta_error_s: row.eta_error_s,
            request_to_close_s: row.request_to_close_s,
            given_back: row.given_back,
            eta_missed: row.eta_missed,
            followup: row.followup.map(|f| f.name()),
            declines: row.declines,
            escalations: row.escalations,
            followed_up: u8::from(row.followed_up),
            accepted_via: row.accepted_via.map(|c| c.name()),
            arrival: row.arrival.map(|a| a.name()),
            counted: Counted::of(row).text(),
            events,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::event::EventKind;
    use crate::handoff::{Actor, HandoffKind};
    use crate::roster::{AgencyId, OfficerId};
    use chrono::{DateTime, Utc};
    use chrono_tz::America::New_York;

    fn at(text: &str) -> DateTime<Utc> {
        text.parse().unwrap()
    }

    /// Hand-off 4821 requested, then (if given) closed by `last`.
    fn row(last: Option<EventKind>) -> RollupRow {
        let event = |when: &str, kind| Event {
            handoff: HandoffId::new(4821),
            at: at(when),
            actor: Actor::System,
            kind,
        };
        let mut events = vec![event(
            "2026-05-04T14:00:00Z",
            EventKind::Requested {
                site: SiteId::parse("metro").unwrap(),
                kind: HandoffKind::ArrestDiversion,
                officer: OfficerId::parse("rivera").unwrap(),
                agency: AgencyId::parse("metro-pd").unwrap(),
                zone: None,
                after_hours: false,
            },
        )];
        events.extend(last.map(|kind| event("2026-05-04T14:20:00Z", kind)));
        RollupRow::of(&stats::metrics(&events)[0], New_York)
    }

    async fn stored(store: &Store) -> (String, i64, Mark) {
        let row = sqlx::query("SELECT outcome, events FROM handoff_stats WHERE id = 4821")
            .fetch_one(store.pool())
            .await
            .unwrap();
        let mark = store.watermark().await.unwrap();
        (row.get("outcome"), row.get("events"), mark)
    }

    #[tokio::test]
    async fn a_row_folded_from_fewer_events_never_replaces_one_folded_from_more() {
        let dir = tempfile::tempdir().unwrap();
        let url = format!("sqlite://{}/rollup.db", dir.path().display());
        let store = Store::connect(&url).await.unwrap();
        let newer = StoredRow::new(&row(Some(EventKind::Unstaffed)), 2);
        let older = StoredRow::new(&row(None), 1);
        let mark = |seq| Mark { tx: 0, seq };

        store.write_batch(&[newer], mark(10)).await.unwrap();
        // A refresh that read before the close finishes late.
        store.write_batch(&[older], mark(6)).await.unwrap();
        assert_eq!(
            stored(&store).await,
            ("unstaffed".to_owned(), 2, mark(10)),
            "neither the row nor the watermark went back"
        );

        // As many events, folded by other rules: the row is rewritten.
        let rewritten = StoredRow::new(&row(Some(EventKind::OutOfHours)), 2);
        store.write_batch(&[rewritten], mark(12)).await.unwrap();
        assert_eq!(
            stored(&store).await,
            ("out_of_hours".to_owned(), 2, mark(12))
        );
        store.close().await;
    }
}

//! The event log (append-only, read in commit order; appended to by `audit`, which
//! chains each event to the one before) and the timers waiting to fire.

use chrono::{DateTime, Utc};
use sqlx::Row;
use sqlx::any::AnyRow;

use super::codec::{db_id, from_json, handoff_id, instant, millis};
use super::{Store, StoreError, codec};
use crate::event::{Event, EventKind};
use crate::handoff::{Actor, HandoffId, Timer};

pub(super) fn decode_event(row: &AnyRow) -> Result<Event, StoreError> {
    const TABLE: &str = "events";
    let seq: i64 = row.try_get("seq")?;
    let kind_name: String = row.try_get("kind")?;
    let actor: String = row.try_get("actor")?;
    let details: String = row.try_get("details")?;
    let kind: EventKind = from_json(TABLE, seq, &details)?;
    if kind.name() != kind_name {
        return Err(codec::corrupt(
            TABLE,
            seq,
            format!("kind `{kind_name}` but details of `{}`", kind.name()),
        ));
    }
    Ok(Event {
        handoff: handoff_id(TABLE, seq, row.try_get("handoff_id")?)?,
        at: instant(TABLE, seq, row.try_get("at")?)?,
        actor: from_json::<Actor>(TABLE, seq, &actor)?,
        kind,
    })
}

impl Store {
    /// Events with `from <= at < to` (either bound may be open), in commit order.
    pub async fn events(
        &self,
        from: Option<DateTime<Utc>>,
        to: Option<DateTime<Utc>>,
    ) -> Result<Vec<Event>, StoreError> {
        let rows = sqlx::query(
            "SELECT seq, handoff_id, kind, actor, at, details FROM events \
             WHERE at >= $1 AND at < $2 ORDER BY seq",
        )
        .bind(from.map_or(i64::MIN, millis))
        .bind(to.map_or(i64::MAX, millis))
        .fetch_all(self.pool())
        .await?;
        rows.iter().map(decode_event).collect()
    }

    /// The events of one hand-off, in commit order.
    pub async fn events_of(&self, id: HandoffId) -> Result<Vec<Event>, StoreError> {
        let rows = sqlx::query(
            "SELECT seq, handoff_id, kind, actor, at, details FROM events \
             WHERE handoff_id = $1 ORDER BY seq",
        )
        .bind(db_id(id))
        .fetch_all(self.pool())
        .await?;
        rows.iter().map(decode_event).collect()
    }

    /// Timers due at `now` or before, earliest first, at most `limit` of them. They
    /// stay pending until a commit consumes or cancels them.
    pub async fn due_timers(
        &self,
        now: DateTime<Utc>,
        limit: i64,
    ) -> Result<Vec<(HandoffId, Timer, DateTime<Utc>)>, StoreError> {
        const TABLE: &str = "timers";
        let rows = sqlx::query(
            "SELECT handoff_id, name, due_at FROM timers WHERE due_at <= $1 \
             ORDER BY due_at, handoff_id, name LIMIT $2",
        )
        .bind(millis(now))
        .bind(limit)
        .fetch_all(self.pool())
        .await?;
        rows.iter()
            .map(|row| {
                let raw_id: i64 = row.try_get("handoff_id")?;
                let name: String = row.try_get("name")?;
                let key = format!("({raw_id}, {name})");
                let timer = Timer::parse_name(&name).ok_or_else(|| {
                    codec::corrupt(TABLE, &key, format!("unknown timer `{name}`"))
                })?;
                Ok((
                    handoff_id(TABLE, &key, raw_id)?,
                    timer,
                    instant(TABLE, &key, row.try_get("due_at")?)?,
                ))
            })
            .collect()
    }

    /// Removes a pending timer without handling it: for a timer whose handling
    /// failed, so that it cannot fire (and fail) forever.
    pub async fn drop_timer(&self, id: HandoffId, timer: Timer) -> Result<(), StoreError> {
        let _guard = self.write_lock().await?;
        sqlx::query("DELETE FROM timers WHERE handoff_id = $1 AND name = $2")
            .bind(db_id(id))
            .bind(timer.name())
            .execute(self.pool())
            .await?;
        Ok(())
    }

    /// Whether a timer is still pending.
    pub async fn timer_pending(&self, id: HandoffId, timer: Timer) -> Result<bool, StoreError> {
        let count: i64 =
            sqlx::query_scalar("SELECT COUNT(*) FROM timers WHERE handoff_id = $1 AND name = $2")
                .bind(db_id(id))
                .bind(timer.name())
                .fetch_one(self.pool())
                .await?;
        Ok(count > 0)
    }

    /// When the earliest pending timer is due, if any is pending.
    pub async fn next_timer_due(&self) -> Result<Option<DateTime<Utc>>, StoreError> {
        let due: Option<i64> = sqlx::query_scalar("SELECT MIN(due_at) FROM timers")
            .fetch_one(self.pool())
            .await?;
        codec::opt_instant("timers", "min(due_at)", due)
    }
}

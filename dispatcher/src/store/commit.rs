//! Recording a decision: the hand-off's new state (and the copy of its pending
//! offers in `pending_offers`), its events, timers, outgoing messages and who was
//! offered it, all in one transaction, or nothing at all.

use chrono::{DateTime, Utc};
use handoff_schedules::PersonId;
use sqlx::AnyConnection;

use super::audit;
use super::codec::{db_id, kind_name, millis, to_json};
use super::outbox::insert_outbound;
use super::pending;
use super::{ConflictReason, Store, StoreError};
use crate::event::Event;
use crate::handoff::{Handoff, Timer};
use crate::outbox::NewOutbound;

/// Everything one decision changes. Written by [`Store::commit`] in one transaction.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Commit {
    pub handoff: Handoff,
    /// `None`: insert a new hand-off (its number must be free). `Some(v)`: update it
    /// only if it is still at version `v`. Either way it is then at `v + 1` (new rows
    /// start at 1).
    pub expected_version: Option<i64>,
    /// Appended to the event log, in order.
    pub events: Vec<Event>,
    /// Timers of this hand-off to set, replacing the due instant of a pending one.
    pub schedule: Vec<(Timer, DateTime<Utc>)>,
    /// Timers of this hand-off to drop, if pending.
    pub cancel: Vec<Timer>,
    /// The fired timer this decision handled: deleted, and if it is already gone
    /// another decision handled it, so the commit is refused.
    pub consumed: Option<Timer>,
    /// Messages to send. A key already in the outbox is skipped.
    pub outbox: Vec<NewOutbound>,
    /// People offered the hand-off, and when.
    pub offered: Vec<(PersonId, DateTime<Utc>)>,
    /// When the decision was made: the outbox's `created_at` and first attempt, and
    /// `closed_at` when the hand-off closes.
    pub now: DateTime<Utc>,
}

impl Store {
    /// Records a decision in one transaction. On [`StoreError::Conflict`] (a stale
    /// version, a number already taken, a consumed timer already gone) nothing is
    /// written: reload and decide again.
    ///
    /// Within the transaction the consumed and cancelled timers are deleted before
    /// the scheduled ones are set, so a decision may re-arm a timer of the same name.
    pub async fn commit(&self, commit: Commit) -> Result<(), StoreError> {
        let _guard = self.write_lock().await?;
        let mut tx = self.begin_write().await?;
        let mut result = write(&mut tx, &commit).await;
        if result.is_ok() && !commit.outbox.is_empty() {
            result = self.announce_outbox(&mut tx).await;
        }
        if result.is_ok() {
            result = audit::append(&mut tx, self.backend(), &commit.events).await;
        }
        Self::finish(tx, result).await
    }
}

/// Writes everything of `commit` but its events, which the caller appends with
/// `audit::append` as the last write of the transaction (the chain's lock is held
/// from there to the commit: see `store::audit`).
pub(super) async fn write(conn: &mut AnyConnection, commit: &Commit) -> Result<(), StoreError> {
    let handoff = &commit.handoff;
    let id = handoff.id;
    let now = millis(commit.now);
    match commit.expected_version {
        None => {
            insert_handoff(conn, handoff, now).await?;
            pending::insert(conn, handoff).await?;
        }
        Some(version) => {
            update_handoff(conn, handoff, version, now).await?;
            pending::rewrite(conn, handoff).await?;
        }
    }

    if let Some(timer) = commit.consumed {
        let deleted = sqlx::query("DELETE FROM timers WHERE handoff_id = $1 AND name = $2")
            .bind(db_id(id))
            .bind(timer.name())
            .execute(&mut *conn)
            .await?
            .rows_affected();
        if deleted == 0 {
            return Err(StoreError::Conflict {
                handoff: id,
                reason: ConflictReason::TimerGone(timer),
            });
        }
    }
    for timer in &commit.cancel {
        sqlx::query("DELETE FROM timers WHERE handoff_id = $1 AND name = $2")
            .bind(db_id(id))
            .bind(timer.name())
            .execute(&mut *conn)
            .await?;
    }
    for (timer, due) in &commit.schedule {
        sqlx::query(
            "INSERT INTO timers (handoff_id, name, due_at) VALUES ($1, $2, $3) \
             ON CONFLICT (handoff_id, name) DO UPDATE SET due_at = excluded.due_at",
        )
        .bind(db_id(id))
        .bind(timer.name())
        .bind(millis(*due))
        .execute(&mut *conn)
        .await?;
    }

    for out in &commit.outbox {
        insert_outbound(conn, out, now).await?;
    }

    // The latest offer wins: replaying an older decision never moves it back.
    for (person, at) in &commit.offered {
        sqlx::query(
            "INSERT INTO person_load (person, last_offered_at) VALUES ($1, $2) \
             ON CONFLICT (person) DO UPDATE SET last_offered_at = CASE \
             WHEN person_load.last_offered_at IS NULL \
               OR person_load.last_offered_at < excluded.last_offered_at \
             THEN excluded.last_offered_at ELSE person_load.last_offered_at END",
        )
        .bind(person.as_str())
        .bind(millis(*at))
        .execute(&mut *conn)
        .await?;
    }
    Ok(())
}

/// The columns both writes set, in bind order `$2..$10`.
struct Columns {
    site: String,
    kind: &'static str,
    officer: String,
    agency: String,
    state: &'static str,
    assignee: Option<String>,
    data: String,
    requested_at: i64,
    intake_due_at: Option<i64>,
    intake_completed_at: Option<i64>,
    followup: Option<&'static str>,
}

impl Columns {
    fn of(handoff: &Handoff) -> Result<Columns, StoreError> {
        Ok(Columns {
            site: handoff.request.site.as_str().to_owned(),
            kind: kind_name(handoff.request.kind),
            officer: handoff.request.officer.as_str().to_owned(),
            agency: handoff.request.agency.as_str().to_owned(),
            state: handoff.state.name(),
            assignee: handoff.state.assignee().map(|p| p.as_str().to_owned()),
            data: to_json("a hand-off", handoff)?,
            requested_at: millis(handoff.requested_at),
            intake_due_at: handoff.intake_due.map(millis),
            intake_completed_at: handoff.intake_completed.map(millis),
            followup: handoff.followup.as_ref().map(|f| f.state().name()),
        })
    }
}

async fn insert_handoff(
    conn: &mut AnyConnection,
    handoff: &Handoff,
    now: i64,
) -> Result<(), StoreError> {
    let c = Columns::of(handoff)?;
    // A hand-off may be created closed (out of hours, say).
    let closed_at = handoff.state.is_closed().then_some(now);
    let inserted = sqlx::query(
        "INSERT INTO handoffs (id, site, kind, officer, agency, state, assignee, data, \
         requested_at, intake_due_at, closed_at, intake_completed_at, followup, version) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, 1) \
         ON CONFLICT (id) DO NOTHING",
    )
    .bind(db_id(handoff.id))
    .bind(c.site)
    .bind(c.kind)
    .bind(c.officer)
    .bind(c.agency)
    .bind(c.state)
    .bind(c.assignee)
    .bind(c.data)
    .bind(c.requested_at)
    .bind(c.intake_due_at)
    .bind(closed_at)
    .bind(c.intake_completed_at)
    .bind(c.followup)
    .execute(&mut *conn)
    .await?
    .rows_affected();
    if inserted == 0 {
        return Err(StoreError::Conflict {
            handoff: handoff.id,
            reason: ConflictReason::DuplicateId,
        });
    }
    Ok(())
}

async fn update_handoff(
    conn: &mut AnyConnection,
    handoff: &Handoff,
    version: i64,
    now: i64,
) -> Result<(), StoreError> {
    let c = Columns::of(handoff)?;
    let closing = handoff.state.is_closed().then_some(now);
    // closed_at: set the first time the state is closed, kept while it stays closed.
    let updated = sqlx::query(
        "UPDATE handoffs SET site = $2, kind = $3, officer = $4, agency = $5, state = $6, \
         assignee = $7, data = $8, requested_at = $9, intake_due_at = $10, \
         closed_at = CASE WHEN $11 IS NULL THEN NULL ELSE COALESCE(closed_at, $11) END, \
         intake_completed_at = COALESCE($13, intake_completed_at), followup = $14, \
         version = $12 + 1 \
         WHERE id = $1 AND version = $12",
    )
    .bind(db_id(handoff.id))
    .bind(c.site)
    .bind(c.kind)
    .bind(c.officer)
    .bind(c.agency)
    .bind(c.state)
    .bind(c.assignee)
    .bind(c.data)
    .bind(c.requested_at)
    .bind(c.intake_due_at)
    .bind(closing)
    .bind(version)
    .bind(c.intake_completed_at)
    .bind(c.followup)
    .execute(&mut *conn)
    .await?
    .rows_affected();
    if updated == 0 {
        let found: Option<i64> = sqlx::query_scalar("SELECT version FROM handoffs WHERE id = $1")
            .bind(db_id(handoff.id))
            .fetch_optional(&mut *conn)
            .await?;
        let reason = match found {
            Some(found) => ConflictReason::StaleVersion {
                expected: version,
                found,
            },
            None => ConflictReason::NotFound,
        };
        return Err(StoreError::Conflict {
            handoff: handoff.id,
            reason,
        });
    }
    Ok(())
}

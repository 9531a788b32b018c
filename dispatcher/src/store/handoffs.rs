//! Reading hand-offs, the load snapshot routing decides on, staff caseloads, and
//! intake: the paperwork an accepted arrest diversion owes by a deadline.

use chrono::{DateTime, Utc};
use handoff_schedules::{PersonId, SiteId};
use sqlx::Row;
use sqlx::any::AnyRow;

use super::audit;
use super::codec::{self, db_id, from_json, instant, millis, person};
use super::pending;
use super::{Store, StoreError};
use crate::event::{Event, EventKind};
use crate::handoff::{Actor, Handoff, HandoffId, Timer};
use crate::load::Load;
use crate::roster::OfficerId;

/// An accepted hand-off whose intake is due (or soon due) and not yet recorded.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IntakeItem {
    pub handoff: HandoffId,
    pub assignee: Option<PersonId>,
    pub site: SiteId,
    pub accepted_at: Option<DateTime<Utc>>,
    pub due_at: DateTime<Utc>,
    /// The deadline has passed.
    pub overdue: bool,
}

/// A row of `SELECT id, data, version`: the hand-off and its version.
pub(super) fn decode_handoff(row: &AnyRow) -> Result<(Handoff, i64), StoreError> {
    const TABLE: &str = "handoffs";
    let id: i64 = row.try_get("id")?;
    let data: String = row.try_get("data")?;
    let handoff: Handoff = from_json(TABLE, id, &data)?;
    if db_id(handoff.id) != id {
        return Err(codec::corrupt(
            TABLE,
            id,
            format!("data of hand-off {}", handoff.id),
        ));
    }
    Ok((handoff, row.try_get("version")?))
}

/// The hand-offs of rows of `SELECT id, data, version`, without their versions.
pub(super) fn handoffs_of(rows: &[AnyRow]) -> Result<Vec<Handoff>, StoreError> {
    rows.iter()
        .map(|row| decode_handoff(row).map(|(handoff, _)| handoff))
        .collect()
}

/// The hand-offs people and centers hold (a person on the way to a center takes
/// one of its places): a superset of what counts, which of these make a person
/// busy, count towards a caseload or fill a center is decided in `Load::count`.
/// Read before every decision, so it must cost what the held rows cost, not what
/// the table holds: its condition is, word for word, that of the partial index
/// `handoffs_held` (migration 20261210000000), which both databases then use.
const HELD: &str = "SELECT id, data, version, intake_completed_at FROM handoffs \
     WHERE (assignee IS NOT NULL AND (closed_at IS NULL \
     OR (intake_due_at IS NOT NULL AND intake_completed_at IS NULL))) \
     OR state = 'dropping_off'";

/// The text of `STAFF`, a macro so that tests can prefix `EXPLAIN` to it.
macro_rules! staff {
    () => {
        "SELECT id, data, version FROM handoffs WHERE closed_at IS NULL AND id IN \
         (SELECT id FROM handoffs WHERE assignee = $1 AND closed_at IS NULL \
         UNION SELECT handoff FROM pending_offers WHERE person = $1) ORDER BY id"
    };
}

/// The open hand-offs a staff member (`$1`) may mean: assigned to them (the
/// partial index `handoffs_open_by_assignee`) or with an unanswered offer to them
/// (`pending_offers_by_person`), each then read by number. Written as `id IN (..
/// UNION ..)` rather than `assignee = $1 OR id IN (..)`: PostgreSQL answers the
/// `OR` by filtering every open hand-off against the subquery's hashed result
/// (with 20,000 open, 58 ms against 0.2 ms), while both databases look this form
/// up by index. A unit test below checks SQLite's plan, and
/// `tests/pending_offers.rs` both databases' over a few thousand rows.
const STAFF: &str = staff!();

impl Store {
    /// A hand-off and its version (for [`super::Commit::expected_version`]).
    pub async fn handoff(&self, id: HandoffId) -> Result<Option<(Handoff, i64)>, StoreError> {
        let row = sqlx::query("SELECT id, data, version FROM handoffs WHERE id = $1")
            .bind(db_id(id))
            .fetch_optional(self.pool())
            .await?;
        row.as_ref().map(decode_handoff).transpose()
    }

    /// Hand-offs not closed, by number.
    pub async fn open_handoffs(&self) -> Result<Vec<Handoff>, StoreError> {
        let rows = sqlx::query(
            "SELECT id, data, version FROM handoffs WHERE closed_at IS NULL ORDER BY id",
        )
        .fetch_all(self.pool())
        .await?;
        handoffs_of(&rows)
    }

    /// The open hand-offs `officer` requested, by number: what their STATUS,
    /// CANCEL and relays are about, read without decoding everyone else's.
    pub async fn open_handoffs_of_officer(
        &self,
        officer: &OfficerId,
    ) -> Result<Vec<Handoff>, StoreError> {
        let rows = sqlx::query(
            "SELECT id, data, version FROM handoffs WHERE closed_at IS NULL AND officer = $1 \
             ORDER BY id",
        )
        .bind(officer.as_str())
        .fetch_all(self.pool())
        .await?;
        handoffs_of(&rows)
    }

    /// The hand-offs `officer` asked for at or after `since`, open or closed, by
    /// number.
    pub async fn handoffs_of_officer_since(
        &self,
        officer: &OfficerId,
        since: DateTime<Utc>,
    ) -> Result<Vec<Handoff>, StoreError> {
        let rows = sqlx::query(
            "SELECT id, data, version FROM handoffs WHERE officer = $1 AND requested_at >= $2 \
             ORDER BY id",
        )
        .bind(officer.as_str())
        .bind(millis(since))
        .fetch_all(self.pool())
        .await?;
        handoffs_of(&rows)
    }

    /// The hand-offs on their way to a diversion center (dropped off, not yet
    /// checked in), by number: what a bare `CHECKIN` may be about.
    pub async fn dropping_off_handoffs(&self) -> Result<Vec<Handoff>, StoreError> {
        let rows = sqlx::query(
            "SELECT id, data, version FROM handoffs WHERE state = 'dropping_off' \
             AND closed_at IS NULL ORDER BY id",
        )
        .fetch_all(self.pool())
        .await?;
        handoffs_of(&rows)
    }

    /// The open hand-offs `person` has accepted, by number.
    pub async fn open_handoffs_assigned_to(
        &self,
        person: &PersonId,
    ) -> Result<Vec<Handoff>, StoreError> {
        let rows = sqlx::query(
            "SELECT id, data, version FROM handoffs WHERE closed_at IS NULL AND assignee = $1 \
             ORDER BY id",
        )
        .bind(person.as_str())
        .fetch_all(self.pool())
        .await?;
        handoffs_of(&rows)
    }

    /// Open hand-offs on which `person` has an unanswered offer, by number.
    pub async fn handoffs_with_pending_offer_to(
        &self,
        person: &PersonId,
    ) -> Result<Vec<Handoff>, StoreError> {
        let rows = sqlx::query(
            "SELECT id, data, version FROM handoffs WHERE closed_at IS NULL AND id IN \
             (SELECT handoff FROM pending_offers WHERE person = $1) ORDER BY id",
        )
        .bind(person.as_str())
        .fetch_all(self.pool())
        .await?;
        let mut open = handoffs_of(&rows)?;
        // The table is a copy of this rule (see `store::pending`): the rule decides.
        open.retain(|h| h.pending().any(|o| &o.person == person));
        Ok(open)
    }

    /// The open hand-offs a staff member's message may be about: those assigned to
    /// them and those with an unanswered offer to them, by number. Read for every
    /// text a staff member sends, by index (see `STAFF`).
    pub async fn open_handoffs_of_staff(
        &self,
        person: &PersonId,
    ) -> Result<Vec<Handoff>, StoreError> {
        let rows = sqlx::query(STAFF)
            .bind(person.as_str())
            .fetch_all(self.pool())
            .await?;
        let mut open = handoffs_of(&rows)?;
        // The rows say who may be meant; the hand-off itself says who is.
        open.retain(|h| {
            h.state.assignee() == Some(person) || h.pending().any(|o| &o.person == person)
        });
        Ok(open)
    }

    /// The plan the database makes of the staff query (`STAFF`) for `person`, a
    /// step a line: for tests that check it is looked up by index.
    #[cfg(feature = "testing")]
    pub async fn plan_of_staff_query(&self, person: &PersonId) -> Result<Vec<String>, StoreError> {
        let (explain, column) = match self.backend() {
            super::Backend::Sqlite => (concat!("EXPLAIN QUERY PLAN ", staff!()), "detail"),
            super::Backend::Postgres => (concat!("EXPLAIN ", staff!()), "QUERY PLAN"),
        };
        let rows = sqlx::query(explain)
            .bind(person.as_str())
            .fetch_all(self.pool())
            .await?;
        rows.iter()
            .map(|row| Ok(row.try_get::<String, _>(column)?))
            .collect()
    }

    /// Takes the next hand-off number: one more than both the last number given
    /// and the highest in use, in one statement, so that simultaneous requests (in
    /// this process or another) each get their own. A number taken by a request
    /// that then fails is not given again; numbers need not be contiguous.
    pub async fn allocate_handoff_id(&self) -> Result<HandoffId, StoreError> {
        let _guard = self.write_lock().await?;
        let value: i64 = sqlx::query_scalar(
            "UPDATE counters SET value = (CASE \
               WHEN value > (SELECT COALESCE(MAX(id), 0) FROM handoffs) THEN value \
               ELSE (SELECT COALESCE(MAX(id), 0) FROM handoffs) END) + 1 \
             WHERE name = 'handoff' RETURNING value",
        )
        .fetch_one(self.pool())
        .await?;
        Ok(codec::handoff_id("counters", "handoff", value)?.max(HandoffId::FIRST))
    }

    /// What routing needs to know about people now: the hand-offs people hold
    /// (open, or completed with their intake still owed) and those on their way to
    /// a diversion center, counted by the rule in
    /// [`Load::count`], and when each person was last offered one. `unreachable` is
    /// left empty: reachability is the transports' knowledge, not the store's.
    /// `now` is not needed yet; it keeps the snapshot's instant explicit for callers.
    pub async fn load(&self, _now: DateTime<Utc>) -> Result<Load, StoreError> {
        let mut load = Load::default();
        let rows = sqlx::query(HELD).fetch_all(self.pool()).await?;
        for row in &rows {
            let (handoff, _) = decode_handoff(row)?;
            let recorded: Option<i64> = row.try_get("intake_completed_at")?;
            load.count(&handoff, recorded.is_some());
        }

        let rows = sqlx::query("SELECT person, last_offered_at FROM person_load")
            .fetch_all(self.pool())
            .await?;
        for row in rows {
            const TABLE: &str = "person_load";
            let name: String = row.try_get("person")?;
            let who = person(TABLE, &name, &name)?;
            if let Some(at) = codec::opt_instant(TABLE, &name, row.try_get("last_offered_at")?)? {
                load.last_offered.insert(who, at);
            }
        }
        Ok(load)
    }

    /// Records the intake of hand-off `id` as complete at `at`, with an
    /// `IntakeCompleted` event by the system, in one transaction. `false` if it owes
    /// no intake or it was already recorded.
    pub async fn complete_intake(
        &self,
        id: HandoffId,
        at: DateTime<Utc>,
    ) -> Result<bool, StoreError> {
        let _guard = self.write_lock().await?;
        let mut tx = self.begin_write().await?;
        let result = async {
            let updated = sqlx::query(
                "UPDATE handoffs SET intake_completed_at = $2 WHERE id = $1 \
                 AND intake_due_at IS NOT NULL AND intake_completed_at IS NULL",
            )
            .bind(db_id(id))
            .bind(millis(at))
            .execute(&mut *tx)
            .await?
            .rows_affected();
            if updated == 0 {
                return Ok(false);
            }
            // Keep the hand-off's data saying the same, and stop its reminders:
            // what `Input::IntakeDone` does through the engine.
            let row = sqlx::query("SELECT id, data, version FROM handoffs WHERE id = $1")
                .bind(db_id(id))
                .fetch_one(&mut *tx)
                .await?;
            let (mut handoff, version) = decode_handoff(&row)?;
            handoff.intake_completed = Some(at);
            sqlx::query("UPDATE handoffs SET data = $2, version = $3 WHERE id = $1")
                .bind(db_id(id))
                .bind(codec::to_json("a hand-off", &handoff)?)
                .bind(version.saturating_add(1))
                .execute(&mut *tx)
                .await?;
            pending::rewrite(&mut tx, &handoff).await?;
            for timer in [Timer::IntakeReminder, Timer::IntakeOverdue] {
                sqlx::query("DELETE FROM timers WHERE handoff_id = $1 AND name = $2")
                    .bind(db_id(id))
                    .bind(timer.name())
                    .execute(&mut *tx)
                    .await?;
            }
            let event = Event {
                handoff: id,
                at,
                actor: Actor::System,
                kind: EventKind::IntakeCompleted,
            };
            audit::append(&mut tx, self.backend(), &[event]).await?;
            Ok(true)
        }
        .await;
        Self::finish(tx, result).await
    }

    /// Intakes due by `now + within` and not recorded, of hand-offs neither cancelled
    /// nor expired, soonest deadline first.
    pub async fn intake_due(
        &self,
        now: DateTime<Utc>,
        within: chrono::Duration,
    ) -> Result<Vec<IntakeItem>, StoreError> {
        const TABLE: &str = "handoffs";
        let horizon =
            now.checked_add_signed(within)
                .unwrap_or(if within < chrono::Duration::zero() {
                    DateTime::<Utc>::MIN_UTC
                } else {
                    DateTime::<Utc>::MAX_UTC
                });
        let rows = sqlx::query(
            "SELECT id, data, version, intake_due_at FROM handoffs \
             WHERE intake_due_at IS NOT NULL AND intake_due_at <= $1 \
             AND intake_completed_at IS NULL AND state NOT IN ('cancelled', 'expired') \
             ORDER BY intake_due_at, id",
        )
        .bind(millis(horizon))
        .fetch_all(self.pool())
        .await?;
        rows.iter()
            .map(|row| {
                let (handoff, _) = decode_handoff(row)?;
                let due_at = instant(TABLE, handoff.id, row.try_get("intake_due_at")?)?;
                Ok(IntakeItem {
                    handoff: handoff.id,
                    assignee: handoff.state.assignee().cloned(),
                    site: handoff.request.site,
                    accepted_at: handoff.accepted_at,
                    due_at,
                    overdue: due_at < now,
                })
            })
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// SQLite's plan of `sql` on a fresh, migrated database, one step a line.
    async fn sqlite_plan(sql: &str) -> Vec<String> {
        let dir = tempfile::tempdir().unwrap();
        let url = format!("sqlite://{}", dir.path().join("plan.db").display());
        let store = Store::connect(&url).await.unwrap();
        let explain = format!("EXPLAIN QUERY PLAN {sql}");
        let plan = sqlx::query(sqlx::AssertSqlSafe(explain))
            .fetch_all(store.pool())
            .await
            .unwrap()
            .iter()
            .map(|row| row.try_get::<String, _>("detail").unwrap())
            .collect();
        store.close().await;
        plan
    }

    #[tokio::test]
    async fn routing_reads_the_held_hand_offs_by_their_index_not_every_row() {
        let plan = sqlite_plan(HELD).await;
        assert!(
            plan.iter()
                .any(|step| step.contains("USING INDEX handoffs_held")),
            "{plan:?}"
        );
    }

    #[tokio::test]
    async fn a_staff_members_hand_offs_are_looked_up_by_person_not_scanned() {
        let plan = sqlite_plan(STAFF).await;
        for index in ["handoffs_open_by_assignee", "pending_offers_by_person"] {
            assert!(
                plan.iter().any(|step| step.contains(index)),
                "{index} unused: {plan:?}"
            );
        }
        // Every step over a table is a search by key, none a scan.
        assert!(
            plan.iter().all(|step| !step.starts_with("SCAN")),
            "{plan:?}"
        );
        // And the hand-offs themselves are then read by number.
        assert!(
            plan.iter()
                .any(|step| step.starts_with("SEARCH handoffs") && step.contains("rowid=?")),
            "{plan:?}"
        );
    }
}

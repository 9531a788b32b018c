//! Schedule overrides added on the dashboard (`schedule_overrides`), and the
//! revision that says when they last changed (`counters`, name `overrides`).
//!
//! Every addition and removal bumps the revision in its own transaction, so an
//! instance that reads the same revision as when it last read the overrides knows
//! its copy is current without reading them again. A removal keeps the row, with
//! who removed it and when.

use chrono::{DateTime, Utc};
use handoff_schedules::{Moment, OverrideKind, OverrideSpec, Role, SiteId};
use sqlx::Row;
use sqlx::any::AnyRow;

use super::codec::{corrupt, instant, millis, opt_instant, person};
use super::{Store, StoreError};
use crate::overrides::{Removal, StoredOverride};

const TABLE: &str = "schedule_overrides";

const BUMP: &str = "UPDATE counters SET value = value + 1 WHERE name = 'overrides'";

impl Store {
    /// Keeps `spec` as added by the dashboard user `by` at `at`; its number.
    pub async fn add_override(
        &self,
        spec: &OverrideSpec,
        by: &str,
        at: DateTime<Utc>,
    ) -> Result<i64, StoreError> {
        let (covers, role) = match &spec.kind {
            OverrideKind::Cover { covered, .. } => (Some(covered.as_str()), None),
            OverrideKind::Add { role, .. } => (None, Some(role.as_str())),
            OverrideKind::Remove { .. } => (None, None),
        };
        let sites = spec.sites.as_ref().map(|sites| {
            sites
                .iter()
                .map(SiteId::as_str)
                .collect::<Vec<_>>()
                .join(",")
        });
        let _guard = self.write_lock().await?;
        let mut tx = self.begin_write().await?;
        let inserted: Result<i64, sqlx::Error> = sqlx::query_scalar(
            "INSERT INTO schedule_overrides \
             (kind, person, covers, role, sites, starts, ends, note, added_by, added_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10) RETURNING id",
        )
        .bind(spec.kind.name())
        .bind(spec.kind.person().as_str())
        .bind(covers)
        .bind(role)
        .bind(sites)
        .bind(spec.from.to_string())
        .bind(spec.to.to_string())
        .bind(&spec.note)
        .bind(by)
        .bind(millis(at))
        .fetch_one(&mut *tx)
        .await;
        let result = match inserted {
            Ok(id) => sqlx::query(BUMP)
                .execute(&mut *tx)
                .await
                .map(|_| id)
                .map_err(StoreError::from),
            Err(error) => Err(error.into()),
        };
        Store::finish(tx, result).await
    }

    /// Takes override `id` off the schedule, as the dashboard user `by` at `at`.
    /// `false` if there is no such override or it was already removed.
    pub async fn remove_override(
        &self,
        id: i64,
        by: &str,
        at: DateTime<Utc>,
    ) -> Result<bool, StoreError> {
        let _guard = self.write_lock().await?;
        let mut tx = self.begin_write().await?;
        let updated = sqlx::query(
            "UPDATE schedule_overrides SET removed_by = $1, removed_at = $2 \
             WHERE id = $3 AND removed_at IS NULL",
        )
        .bind(by)
        .bind(millis(at))
        .bind(id)
        .execute(&mut *tx)
        .await;
        let result = match updated {
            Ok(done) if done.rows_affected() == 0 => Ok(false),
            Ok(_) => sqlx::query(BUMP)
                .execute(&mut *tx)
                .await
                .map(|_| true)
                .map_err(StoreError::from),
            Err(error) => Err(error.into()),
        };
        Store::finish(tx, result).await
    }

    /// The overrides in force (not removed), in the order they were added; with
    /// `with_removed`, the removed ones too.
    pub async fn overrides(&self, with_removed: bool) -> Result<Vec<StoredOverride>, StoreError> {
        let query = if with_removed {
            "SELECT * FROM schedule_overrides ORDER BY id"
        } else {
            "SELECT * FROM schedule_overrides WHERE removed_at IS NULL ORDER BY id"
        };
        let rows = sqlx::query(query).fetch_all(self.pool()).await?;
        rows.iter().map(decode).collect()
    }

    /// Bumped by every addition and removal of an override.
    pub async fn overrides_revision(&self) -> Result<i64, StoreError> {
        let revision: Option<i64> =
            sqlx::query_scalar("SELECT value FROM counters WHERE name = 'overrides'")
                .fetch_optional(self.pool())
                .await?;
        Ok(revision.unwrap_or(0))
    }
}

fn decode(row: &AnyRow) -> Result<StoredOverride, StoreError> {
    let id: i64 = row.try_get("id")?;
    let text = |column: &str| -> Result<String, StoreError> { Ok(row.try_get(column)?) };
    let opt_text =
        |column: &str| -> Result<Option<String>, StoreError> { Ok(row.try_get(column)?) };
    let who = person(TABLE, id, &text("person")?)?;
    let kind = match text("kind")?.as_str() {
        "cover" => {
            let covered = opt_text("covers")?
                .ok_or_else(|| corrupt(TABLE, id, "a cover without `covers`".to_owned()))?;
            OverrideKind::Cover {
                covering: who,
                covered: person(TABLE, id, &covered)?,
            }
        }
        "add" => {
            let role = opt_text("role")?
                .ok_or_else(|| corrupt(TABLE, id, "an add without `role`".to_owned()))?;
            OverrideKind::Add {
                person: who,
                role: role
                    .parse::<Role>()
                    .map_err(|e| corrupt(TABLE, id, e.to_string()))?,
            }
        }
        "remove" => OverrideKind::Remove { person: who },
        other => return Err(corrupt(TABLE, id, format!("unknown kind `{other}`"))),
    };
    let sites = opt_text("sites")?
        .map(|list| {
            list.split(',')
                .map(|site| SiteId::parse(site).map_err(|e| corrupt(TABLE, id, e.to_string())))
                .collect::<Result<Vec<_>, _>>()
        })
        .transpose()?;
    let moment = |column: &str| -> Result<Moment, StoreError> {
        text(column)?
            .parse::<Moment>()
            .map_err(|e| corrupt(TABLE, id, e.to_string()))
    };
    let removed = match (
        opt_text("removed_by")?,
        opt_instant(TABLE, id, row.try_get("removed_at")?)?,
    ) {
        (Some(by), Some(at)) => Some(Removal { by, at }),
        _ => None,
    };
    Ok(StoredOverride {
        id,
        spec: OverrideSpec {
            kind,
            sites,
            from: moment("starts")?,
            to: moment("ends")?,
            note: text("note")?,
        },
        added_by: text("added_by")?,
        added_at: instant(TABLE, id, row.try_get("added_at")?)?,
        removed,
    })
}

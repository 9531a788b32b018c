//! `handoff intake`: the follow-up an accepted arrest diversion owes. The program
//! gives it `intake_days` (30 by default) to complete intake; `list` shows what is
//! due or overdue, for the case managers and the project manager, and `done`
//! records one as complete (an `intake_completed` event in the log).

use chrono::{DateTime, Duration, Utc};
use handoff_dispatcher::store::Records;
use handoff_dispatcher::{IntakeItem, StoreError};
use handoff_schedules::SiteId;
use serde::Serialize;

/// One row of `handoff intake list`. Ids only: no location or message.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct IntakeRow {
    pub handoff: u32,
    pub site: String,
    /// The case manager who took the hand-off.
    pub case_manager: Option<String>,
    pub accepted_at: Option<DateTime<Utc>>,
    pub due_at: DateTime<Utc>,
    /// Whole days until the deadline; negative once it has passed.
    pub days_left: i64,
    pub overdue: bool,
}

impl IntakeRow {
    fn of(item: IntakeItem, now: DateTime<Utc>) -> IntakeRow {
        IntakeRow {
            handoff: item.handoff.get(),
            site: item.site.to_string(),
            case_manager: item.assignee.map(|p| p.to_string()),
            accepted_at: item.accepted_at,
            due_at: item.due_at,
            days_left: days_left(item.due_at, now),
            overdue: item.overdue,
        }
    }
}

/// Whole days from `now` to `due`, rounded toward minus infinity: due later today
/// is 0, due yesterday is -1.
fn days_left(due: DateTime<Utc>, now: DateTime<Utc>) -> i64 {
    (due - now).num_seconds().div_euclid(86_400)
}

/// Intakes overdue or due within `within_days` of `now`, of `site` if given.
pub async fn list(
    store: &Records,
    site: Option<&SiteId>,
    within_days: u32,
    now: DateTime<Utc>,
) -> Result<Vec<IntakeRow>, StoreError> {
    let items = store
        .intake_due(now, Duration::days(i64::from(within_days)))
        .await?;
    Ok(items
        .into_iter()
        .filter(|item| site.is_none_or(|s| &item.site == s))
        .map(|item| IntakeRow::of(item, now))
        .collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(text: &str) -> DateTime<Utc> {
        DateTime::parse_from_rfc3339(text).unwrap().to_utc()
    }

    #[test]
    fn days_left_count_whole_days_and_go_negative_once_overdue() {
        let now = at("2026-12-01T12:00:00Z");
        for (due, days) in [
            ("2026-12-01T18:00:00Z", 0),
            ("2026-12-02T12:00:00Z", 1),
            ("2026-12-08T11:59:59Z", 6),
            ("2026-12-01T11:00:00Z", -1),
            ("2026-11-20T12:00:00Z", -11),
        ] {
            assert_eq!(days_left(at(due), now), days, "due {due}");
        }
    }
}

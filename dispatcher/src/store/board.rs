//! The dashboard's [`Board`] from the rollup table: seven `GROUP BY` queries over
//! `handoff_stats`, run at once on separate connections, their groups added up in
//! Rust by [`BoardTally`] (the same adding up `stats::board_of` does in memory).
//! SQL only filters, counts and groups stored columns; what a hand-off's numbers
//! are was decided when its row was written, and whether a group of them was lost
//! is judged in Rust from its grouped columns.
//!
//! Percentiles stay exact without reading every row: a query returns each
//! distinct whole second with how many hand-offs took it, and
//! `Percentiles::of_counts` ranks over those counts.
//!
//! Each query has two forms. Over most of the table (a year of a year's data)
//! `+requested_at` keeps the database off the `requested_at` index: it walks the
//! query's own covering index (see the migration), whose order is the grouping's,
//! never sorting nor touching the table. Over a small part of it the plain form
//! lets it find the few rows by `requested_at` and sort them. Both give the same
//! groups; [`Scan::for_range`] picks.

use chrono::{Days, NaiveDate};
use handoff_schedules::SiteId;
use sqlx::any::{AnyArguments, AnyRow};
use sqlx::query::Query;
use sqlx::{Any, Row};

use super::codec::{corrupt, date, epoch_day, kind_name, millis};
use super::{Store, StoreError};
use crate::outcome::NotDivertedCode;
use crate::stats::{Board, BoardFilter, BoardTally, Bucket, Cohort, Outcome};

const TABLE: &str = "handoff_stats";

/// The board's filter on `handoff_stats`: `$1` ≤ requested_at < `$2`, then site,
/// agency, case manager and kind when given (`$3`..`$6`).
macro_rules! filters {
    () => {
        " >= $1 AND requested_at < $2 \
         AND ($3 IS NULL OR site = $3) AND ($4 IS NULL OR agency = $4) \
         AND ($5 IS NULL OR accepted_by = $5) AND ($6 IS NULL OR kind = $6) "
    };
}

/// A query in its two forms ([`Scan`]): `SELECT …`, further conditions, `GROUP BY …`.
macro_rules! board_query {
    ($name:ident, $select:expr, $where:expr, $group:expr) => {
        const $name: [&str; 2] = [
            concat!(
                $select,
                " FROM handoff_stats WHERE +requested_at",
                filters!(),
                $where,
                " ",
                $group
            ),
            concat!(
                $select,
                " FROM handoff_stats WHERE requested_at",
                filters!(),
                $where,
                " ",
                $group
            ),
        ];
    };
}

board_query!(
    BUCKETS,
    "SELECT site, hour_of_week, outcome, not_diverted, accepted, after_hours, COUNT(*) AS n",
    "",
    "GROUP BY site, hour_of_week, outcome, not_diverted, accepted, after_hours"
);
// `$7`, `$8`: bounds on week_start that every row in the range is within, so that
// the walk of the index, which leads with week_start, covers only those weeks.
board_query!(
    COHORTS,
    "SELECT week_start, agency, accepted_by, outcome, accepted, COUNT(*) AS n",
    "AND week_start >= $7 AND week_start <= $8",
    "GROUP BY week_start, agency, accepted_by, outcome, accepted"
);
board_query!(
    ACCEPTS,
    "SELECT accepted_by, agency, time_to_accept_s AS seconds, COUNT(*) AS n",
    "AND time_to_accept_s IS NOT NULL",
    "GROUP BY accepted_by, agency, time_to_accept_s"
);
board_query!(
    ARRIVALS,
    "SELECT accepted_by, agency, time_to_arrival_s AS seconds, COUNT(*) AS n",
    "AND time_to_arrival_s IS NOT NULL",
    "GROUP BY accepted_by, agency, time_to_arrival_s"
);
board_query!(
    ETA_ERRORS,
    "SELECT eta_error_s AS seconds, COUNT(*) AS n",
    "AND eta_error_s IS NOT NULL",
    "GROUP BY eta_error_s"
);
// 'completed' is `Outcome::Completed.name()`.
board_query!(
    OFFICER_TIMES,
    "SELECT request_to_close_s AS seconds, COUNT(*) AS n",
    "AND outcome = 'completed' AND request_to_close_s IS NOT NULL",
    "GROUP BY request_to_close_s"
);
board_query!(OFFICERS, "SELECT COUNT(DISTINCT officer) AS n", "", "");

/// How the queries find their rows: [`Scan::Whole`] walks each query's covering
/// index from end to end, [`Scan::Range`] looks the range up by `requested_at`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Scan {
    Whole = 0,
    Range = 1,
}

impl Scan {
    /// The share of the table's time span below which a range is looked up: a
    /// lookup costs a jump into the table and a sort per row, a walk a step along
    /// an index per row of the whole table, so lookups win for small ranges only.
    const RANGE_SHARE: i64 = 8;

    /// [`Scan::Range`] when the range covers at most an eighth of the time
    /// between the first and the last request in the table.
    pub(crate) fn for_range(filter: &BoardFilter, first: i64, last: i64) -> Scan {
        let from = millis(filter.from).max(first);
        let to = millis(filter.to).min(last.saturating_add(1));
        let span = last.saturating_sub(first).max(1);
        if to.saturating_sub(from).saturating_mul(Scan::RANGE_SHARE) <= span {
            Scan::Range
        } else {
            Scan::Whole
        }
    }
}

impl Store {
    /// The board of the hand-offs the filter picks, from the rollup as the last
    /// [`Store::refresh_stats`] left it. Its queries run at once on separate
    /// connections, each reading the table as it stands when it starts: a refresh
    /// committing meanwhile can make two figures disagree by the hand-offs it
    /// changed, until the next board.
    pub async fn board(&self, filter: &BoardFilter) -> Result<Board, StoreError> {
        let scan = self.scan_for(filter).await?;
        self.board_with(filter, scan).await
    }

    /// [`Store::board`] with the queries in the given form.
    pub(crate) async fn board_with(
        &self,
        filter: &BoardFilter,
        scan: Scan,
    ) -> Result<Board, StoreError> {
        let form = scan as usize;
        let (first_week, last_week) = week_bounds(filter);
        let cohorts = bind_filter(sqlx::query(COHORTS[form]), filter)
            .bind(epoch_day(first_week))
            .bind(epoch_day(last_week));
        let (buckets, cohorts, accepts, arrivals, eta_errors, officer_times, officers) = tokio::try_join!(
            self.grouped(BUCKETS[form], filter),
            async { Ok::<_, StoreError>(cohorts.fetch_all(self.pool()).await?) },
            self.grouped(ACCEPTS[form], filter),
            self.grouped(ARRIVALS[form], filter),
            self.grouped(ETA_ERRORS[form], filter),
            self.grouped(OFFICER_TIMES[form], filter),
            self.grouped(OFFICERS[form], filter),
        )?;
        let mut tally = BoardTally::new(filter);
        for row in &buckets {
            tally.bucket(&bucket(row)?, count(row, "n")?);
        }
        for row in &cohorts {
            let agency: String = row.try_get("agency")?;
            let case_manager: Option<String> = row.try_get("accepted_by")?;
            let cohort = Cohort {
                week_start: date(TABLE, "week_start", row.try_get("week_start")?)?,
                agency: &agency,
                case_manager: case_manager.as_deref(),
                outcome: outcome(row)?,
                accepted: row.try_get::<i64, _>("accepted")? != 0,
            };
            tally.cohort(&cohort, count(row, "n")?);
        }
        for row in &accepts {
            let (agency, case_manager) = group_key(row)?;
            let seconds = row.try_get("seconds")?;
            tally.accepts(&agency, case_manager.as_deref(), seconds, count(row, "n")?);
        }
        for row in &arrivals {
            let (agency, case_manager) = group_key(row)?;
            let seconds = row.try_get("seconds")?;
            tally.arrivals(&agency, case_manager.as_deref(), seconds, count(row, "n")?);
        }
        for row in &eta_errors {
            tally.eta_error(row.try_get("seconds")?, count(row, "n")?);
        }
        for row in &officer_times {
            tally.officer_time(row.try_get("seconds")?, count(row, "n")?);
        }
        if let Some(row) = officers.first() {
            tally.officers_reached(count(row, "n")?);
        }
        Ok(tally.finish())
    }

    /// Picks the form of the queries from the table's first and last request.
    async fn scan_for(&self, filter: &BoardFilter) -> Result<Scan, StoreError> {
        let row = sqlx::query(
            "SELECT MIN(requested_at) AS first, MAX(requested_at) AS last FROM handoff_stats",
        )
        .fetch_one(self.pool())
        .await?;
        let first: Option<i64> = row.try_get("first")?;
        let last: Option<i64> = row.try_get("last")?;
        Ok(match (first, last) {
            (Some(first), Some(last)) => Scan::for_range(filter, first, last),
            _ => Scan::Range,
        })
    }

    /// Runs one of the board's queries with the filter bound.
    async fn grouped(
        &self,
        query: &'static str,
        filter: &BoardFilter,
    ) -> Result<Vec<AnyRow>, StoreError> {
        let rows = bind_filter(sqlx::query(query), filter)
            .fetch_all(self.pool())
            .await?;
        Ok(rows)
    }
}

fn bind_filter<'q>(
    query: Query<'q, Any, AnyArguments>,
    filter: &BoardFilter,
) -> Query<'q, Any, AnyArguments> {
    query
        .bind(millis(filter.from))
        .bind(millis(filter.to))
        .bind(filter.site.as_ref().map(|s| s.as_str().to_owned()))
        .bind(filter.agency.as_ref().map(|a| a.as_str().to_owned()))
        .bind(filter.case_manager.as_ref().map(|p| p.as_str().to_owned()))
        .bind(filter.kind.map(kind_name))
}

/// Mondays that every request in the range has its local week start within: a
/// site's local date is at most a day from the UTC date.
fn week_bounds(filter: &BoardFilter) -> (NaiveDate, NaiveDate) {
    let first = filter.from.date_naive();
    let first = first.checked_sub_days(Days::new(7)).unwrap_or(first);
    let last = filter.to.date_naive();
    (first, last.checked_add_days(Days::new(1)).unwrap_or(last))
}

/// A count column, which a database never makes negative.
fn count(row: &AnyRow, column: &str) -> Result<u64, StoreError> {
    let n: i64 = row.try_get(column)?;
    u64::try_from(n).map_err(|_| corrupt(TABLE, column, format!("count {n}")))
}

fn group_key(row: &AnyRow) -> Result<(String, Option<String>), StoreError> {
    Ok((row.try_get("agency")?, row.try_get("accepted_by")?))
}

fn outcome(row: &AnyRow) -> Result<Outcome, StoreError> {
    let name: String = row.try_get("outcome")?;
    Outcome::from_name(&name).ok_or_else(|| corrupt(TABLE, "outcome", format!("`{name}`")))
}

fn bucket(row: &AnyRow) -> Result<Bucket, StoreError> {
    let site: String = row.try_get("site")?;
    let hour: i64 = row.try_get("hour_of_week")?;
    let not_diverted: Option<String> = row.try_get("not_diverted")?;
    let bad = |what: &str, value: &str| corrupt(TABLE, &site, format!("{what} `{value}`"));
    Ok(Bucket {
        site: SiteId::parse(&site).map_err(|e| bad("site", &e.to_string()))?,
        hour_of_week: u8::try_from(hour)
            .ok()
            .filter(|h| *h < 168)
            .ok_or_else(|| bad("hour of week", &hour.to_string()))?,
        outcome: outcome(row)?,
        not_diverted: not_diverted
            .map(|code| {
                NotDivertedCode::ALL
                    .into_iter()
                    .find(|c| c.name() == code)
                    .ok_or_else(|| bad("not diverted code", &code))
            })
            .transpose()?,
        accepted: row.try_get::<i64, _>("accepted")? != 0,
        after_hours: row.try_get::<i64, _>("after_hours")? != 0,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::{DateTime, Duration, Utc};
    use chrono_tz::America::New_York;

    fn filter(from: &str, to: &str) -> BoardFilter {
        let at = |text: &str| text.parse::<DateTime<Utc>>().unwrap();
        BoardFilter {
            from: at(from),
            to: at(to),
            site: None,
            agency: None,
            case_manager: None,
            kind: None,
            arrival_target: Duration::minutes(30),
            zone: New_York,
        }
    }

    #[test]
    fn a_year_of_a_year_is_walked_and_a_month_of_it_looked_up() {
        let (first, last) = (
            millis("2025-11-01T00:00:00Z".parse().unwrap()),
            millis("2026-12-01T00:00:00Z".parse().unwrap()),
        );
        let year = filter("2025-12-01T05:00:00Z", "2026-12-01T05:00:00Z");
        let month = filter("2026-06-01T04:00:00Z", "2026-07-01T04:00:00Z");
        let beyond = filter("2027-01-01T00:00:00Z", "2028-01-01T00:00:00Z");
        assert_eq!(Scan::for_range(&year, first, last), Scan::Whole);
        assert_eq!(Scan::for_range(&month, first, last), Scan::Range);
        assert_eq!(Scan::for_range(&beyond, first, last), Scan::Range);
    }

    #[test]
    fn both_forms_of_every_query_differ_only_in_the_plus() {
        for [whole, range] in [
            BUCKETS,
            COHORTS,
            ACCEPTS,
            ARRIVALS,
            ETA_ERRORS,
            OFFICER_TIMES,
            OFFICERS,
        ] {
            assert_eq!(whole.replacen("+requested_at", "requested_at", 1), range);
            for bind in ["$1", "$2", "$3", "$4", "$5", "$6"] {
                assert!(range.contains(bind), "{bind} missing from {range}");
            }
        }
    }

    #[test]
    fn week_bounds_hold_every_local_week_of_the_range() {
        let f = filter("2026-03-02T05:00:00Z", "2026-03-09T04:00:00Z");
        let day = |text: &str| text.parse::<NaiveDate>().unwrap();
        assert_eq!(week_bounds(&f), (day("2026-02-23"), day("2026-03-10")));
    }
}

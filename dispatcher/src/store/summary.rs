//! `handoff report summary` from the rollup table `handoff_stats`: the database
//! picks the selected hand-offs and hands each one's group key and
//! [`Counted`] figures over, all in one value; here they are counted by key,
//! alike hand-offs together and times to the second, and each count goes to
//! the group's [`Tally`] in a [`Grouping`], which hold every rule of what a
//! group's numbers are (shared with `stats::aggregate`). No event is read. A summary is only as fresh as the
//! rollup: callers refresh it first ([`Store::refresh_stats`]).
//!
//! Why one value: a summary over a million hand-offs must take under a second,
//! and on SQLite neither grouping in the database nor reading a row per
//! hand-off gets there. Measured over a million rows on two cores: SQLite's
//! `GROUP BY` sorts its input, ~2 µs a row with several key columns, and a
//! summary needs a sort for its counts and one for each of its two times (4–16 s
//! a summary); the driver hands rows over one at a time, ~1 µs a row for one
//! column and ~4 µs for the dozen a summary needs. Joining each selected row's
//! key and figures (one short text the refresh wrote, `handoff_stats.counted`)
//! into one string is a scan, ~0.4 s, and counting them here a fraction of that.
//!
//! The selection's dates are local dates in each hand-off's site's zone: the
//! rollup keeps each request's local week (`week_start`, days since 1970-01-01)
//! and local hour of the week, so its local date is `week_start + hour_of_week /
//! 24`, in the zone the rollup was computed in.

use std::collections::HashMap;

use chrono::Duration;
use sqlx::Row;

use super::codec::{corrupt, date, epoch_day};
use super::{Store, StoreError};
use crate::stats::{Alike, Counted, GroupBy, GroupStats, Grouping, Key, Selection, Sums, Tally};

const TABLE: &str = "handoff_stats";

/// Every selected hand-off as `KEY FIGURES` (its group key by `$key`, empty for
/// none, then [`Counted::text`]), joined by commas: neither holds a comma. The
/// selection is a site (`$1`) and the first and last local day (`$2`, `$3`, days
/// since 1970-01-01), each `NULL` for any. `string_agg` is SQLite's (3.44 on)
/// and PostgreSQL's. One statement per grouping, so that no row chooses its key.
macro_rules! selected {
    ($key:literal) => {
        concat!(
            "SELECT string_agg(COALESCE(",
            $key,
            ", '') || ' ' || counted, ',') AS selected FROM handoff_stats \
             WHERE (CAST($1 AS TEXT) IS NULL OR site = $1) \
             AND (CAST($2 AS BIGINT) IS NULL OR week_start + hour_of_week / 24 >= $2) \
             AND (CAST($3 AS BIGINT) IS NULL OR week_start + hour_of_week / 24 <= $3)"
        )
    };
}

/// The statement that selects for grouping `by`.
fn selected(by: GroupBy) -> &'static str {
    match by {
        GroupBy::CaseManager => selected!("accepted_by"),
        GroupBy::Channel => selected!("accepted_via"),
        GroupBy::Agency => selected!("agency"),
        GroupBy::Officer => selected!("officer"),
        GroupBy::Site => selected!("site"),
        GroupBy::HourOfWeek => selected!("CAST(hour_of_week AS TEXT)"),
        GroupBy::Week => selected!("CAST(week_start AS TEXT)"),
        GroupBy::All => selected!("NULL"),
    }
}

/// One group's hand-offs: alike ones counted together (a group holds a few
/// dozen kinds at most, so a list is searched), and their times in seconds, to
/// be counted once all are in.
#[derive(Default)]
struct Counts {
    alike: Vec<(Alike, u64, Sums)>,
    responses: Vec<i64>,
    arrivals: Vec<i64>,
}

impl Counts {
    fn add(&mut self, counted: &Counted) {
        match self.alike.iter_mut().find(|(a, _, _)| *a == counted.alike) {
            Some((_, n, sums)) => {
                *n += 1;
                sums.add(counted.sums);
            }
            None => self.alike.push((counted.alike, 1, counted.sums)),
        }
        self.responses.extend(counted.response_s);
        self.arrivals.extend(counted.arrival_s);
    }

    /// Into the group's tally: times as (seconds, how many).
    fn into_tally(mut self, tally: &mut Tally) {
        for (alike, n, sums) in &self.alike {
            tally.alike(alike, *n, *sums);
        }
        for (s, n) in runs(&mut self.responses) {
            tally.response(Duration::seconds(s), n);
        }
        for (s, n) in runs(&mut self.arrivals) {
            tally.arrival(Duration::seconds(s), n);
        }
    }
}

/// The distinct values, sorted, each with how many times it occurs.
fn runs(values: &mut [i64]) -> Vec<(i64, u64)> {
    values.sort_unstable();
    let mut runs: Vec<(i64, u64)> = Vec::new();
    for &v in values.iter() {
        match runs.last_mut() {
            Some((last, n)) if *last == v => *n += 1,
            _ => runs.push((v, 1)),
        }
    }
    runs
}

impl Store {
    /// The summary of the hand-offs `selection` covers, grouped `by`, from the
    /// rollup as the last [`Store::refresh_stats`] left it.
    pub async fn summary(
        &self,
        selection: &Selection,
        by: GroupBy,
    ) -> Result<Vec<GroupStats>, StoreError> {
        let row = sqlx::query(selected(by))
            .bind(selection.site.as_ref().map(|s| s.as_str().to_owned()))
            .bind(selection.from.map(epoch_day))
            .bind(selection.to.map(epoch_day))
            .fetch_one(self.pool())
            .await?;
        let selected: Option<String> = row.try_get("selected")?;
        let selected = selected.unwrap_or_default();
        let mut by_key: HashMap<&str, Counts> = HashMap::new();
        for hand_off in selected.split(',').filter(|h| !h.is_empty()) {
            let parsed = hand_off
                .split_once(' ')
                .and_then(|(key, figures)| Some((key, Counted::parse(figures)?)));
            let Some((key, counted)) = parsed else {
                let detail = format!("`{hand_off}` is not a key and a hand-off's figures");
                return Err(corrupt(TABLE, "counted", detail));
            };
            by_key.entry(key).or_default().add(&counted);
        }
        let mut grouping = Grouping::default();
        for (key, counts) in by_key {
            counts.into_tally(grouping.group(parse_key(key, by)?));
        }
        Ok(grouping.finish())
    }
}

/// A group key as the query gave it (empty: none), as the grouping names it.
fn parse_key(text: &str, by: GroupBy) -> Result<Key, StoreError> {
    let number = || {
        text.parse::<i64>()
            .map_err(|_| corrupt(TABLE, by.name(), format!("group key `{text}`")))
    };
    Ok(match by {
        GroupBy::All => Key::All,
        GroupBy::HourOfWeek => {
            let hour = number()?;
            let bad = || corrupt(TABLE, by.name(), format!("hour of week {hour}"));
            Key::Hour(u32::try_from(hour).map_err(|_| bad())?)
        }
        GroupBy::Week => Key::Week(date(TABLE, by.name(), number()?)?),
        GroupBy::CaseManager
        | GroupBy::Channel
        | GroupBy::Agency
        | GroupBy::Officer
        | GroupBy::Site => Key::Name((!text.is_empty()).then(|| text.to_owned())),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_grouping_selects_its_own_key() {
        let statements: std::collections::BTreeSet<&str> =
            GroupBy::ALL.into_iter().map(selected).collect();
        assert_eq!(statements.len(), GroupBy::ALL.len());
    }

    #[test]
    fn runs_count_each_distinct_value_once_in_order() {
        let mut values = [421, -3, 421, 7_200, 0, 421, -3];
        assert_eq!(runs(&mut values), [(-3, 2), (0, 1), (421, 3), (7_200, 1)]);
        assert!(runs(&mut []).is_empty());
    }

    #[test]
    fn keys_read_back_by_grouping() {
        assert_eq!(
            parse_key("", GroupBy::CaseManager).unwrap(),
            Key::Name(None)
        );
        assert_eq!(
            parse_key("dana", GroupBy::CaseManager).unwrap(),
            Key::Name(Some("dana".to_owned()))
        );
        assert_eq!(
            parse_key("167", GroupBy::HourOfWeek).unwrap(),
            Key::Hour(167)
        );
        assert_eq!(
            parse_key("20388", GroupBy::Week).unwrap(),
            Key::Week(chrono::NaiveDate::from_ymd_opt(2025, 10, 27).unwrap())
        );
        assert_eq!(parse_key("", GroupBy::All).unwrap(), Key::All);
        assert!(parse_key("x", GroupBy::Week).is_err());
        assert!(parse_key("-1", GroupBy::HourOfWeek).is_err());
    }
}

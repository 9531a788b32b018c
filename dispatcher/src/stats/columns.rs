//! The rollup held in memory ([`BoardRows`]): every hand-off's [`RollupRow`] as a
//! few small numbers, its names (site, agency, officer, case manager) numbered
//! once, so that the board of a year over a million hand-offs is one pass over
//! ~60 MB in Rust rather than a pass of the database per figure.
//!
//! Why in memory: the board groups the same hand-offs seven ways (outcomes and
//! the demand map, weeks and groups, four histograms of seconds, distinct
//! officers) under any mix of four filters and any range of dates. Pre-added
//! rollups cannot serve every mix, and seven grouped walks of a million-row index
//! took ~1.4 s on two cores. One pass here groups by small integer keys, then
//! hands each group with its count to [`BoardTally`], which holds every rule of
//! how groups become the board, shared with [`board_of`](super::board_of).
//!
//! Rows are kept in order of hand-off number, so that a row written again (a
//! hand-off with new events) replaces its old self by binary search.

use std::collections::HashMap;
use std::hash::Hash;

use chrono::{DateTime, NaiveDate, Utc};
use handoff_schedules::{PersonId, SiteId};

use super::board::{Board, BoardFilter};
use super::handoffs::{Arrival, Outcome};
use super::rollup::RollupRow;
use super::tally::{BoardTally, Bucket, Cohort, Dimension};
use crate::handoff::{HandoffId, HandoffKind};
use crate::outcome::NotDivertedCode;
use crate::roster::{AgencyId, OfficerId};

/// A name's number in its [`Names`]; [`NOBODY`] for a hand-off nobody accepted.
type Number = u32;
const NOBODY: Number = Number::MAX;

/// Whole seconds in four bytes; `i32::MIN` stands for none. Beyond ±68 years a
/// value is held at the nearest bound: no hand-off phase lasts that long.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Seconds(i32);

impl Seconds {
    const NONE: Seconds = Seconds(i32::MIN);

    fn of(value: Option<i64>) -> Seconds {
        match value {
            None => Seconds::NONE,
            Some(v) => Seconds(v.clamp(i64::from(i32::MIN) + 1, i64::from(i32::MAX)) as i32),
        }
    }

    fn get(self) -> Option<i64> {
        (self != Seconds::NONE).then_some(i64::from(self.0))
    }
}

/// Distinct values of one kind of name, each with its [`Number`].
#[derive(Debug)]
struct Names<T> {
    numbers: HashMap<T, Number>,
    values: Vec<T>,
}

impl<T> Default for Names<T> {
    fn default() -> Names<T> {
        Names {
            numbers: HashMap::new(),
            values: Vec::new(),
        }
    }
}

impl<T: Clone + Eq + Hash> Names<T> {
    fn number(&mut self, value: &T) -> Number {
        if let Some(n) = self.numbers.get(value) {
            return *n;
        }
        // Fewer than 4 billion distinct names: a program has dozens of sites and
        // staff, and thousands of officers at most.
        let n = Number::try_from(self.values.len()).unwrap_or(NOBODY - 1);
        self.values.push(value.clone());
        self.numbers.insert(value.clone(), n);
        n
    }

    fn find(&self, value: &T) -> Option<Number> {
        self.numbers.get(value).copied()
    }

    fn value(&self, n: Number) -> Option<&T> {
        self.values.get(n as usize)
    }
}

/// One hand-off's row, what the board reads of it.
#[derive(Debug, Clone, Copy)]
struct Compact {
    id: HandoffId,
    requested_at: DateTime<Utc>,
    week_start: NaiveDate,
    site: Number,
    agency: Number,
    officer: Number,
    accepted_by: Number,
    kind: HandoffKind,
    hour_of_week: u8,
    outcome: Outcome,
    not_diverted: Option<NotDivertedCode>,
    accepted: bool,
    after_hours: bool,
    arrival: Option<Arrival>,
    time_to_accept: Seconds,
    time_to_arrival: Seconds,
    eta_error: Seconds,
    request_to_close: Seconds,
}

/// Every hand-off's row in memory, and how far into the rollup table they were
/// read ([`BoardRows::position`]).
#[derive(Debug, Default)]
pub(crate) struct BoardRows {
    rows: Vec<Compact>,
    sites: Names<SiteId>,
    agencies: Names<AgencyId>,
    officers: Names<OfficerId>,
    people: Names<PersonId>,
    position: (i64, i64),
}

impl BoardRows {
    /// The (revision, hand-off number) of the last row applied: the table is read
    /// on from just after it.
    pub(crate) fn position(&self) -> (i64, i64) {
        self.position
    }

    /// How many hand-offs are held.
    pub(crate) fn len(&self) -> usize {
        self.rows.len()
    }

    /// Rows read from the table in order of (revision, number), each replacing the
    /// hand-off's older row if there is one.
    pub(crate) fn apply(&mut self, rows: impl IntoIterator<Item = (RollupRow, i64)>) {
        for (row, revision) in rows {
            self.position = self.position.max((revision, i64::from(row.id.get())));
            let compact = self.compact(&row);
            match self.rows.binary_search_by_key(&row.id, |r| r.id) {
                Ok(at) => self.rows[at] = compact,
                // New hand-offs come with the highest numbers yet, but on
                // PostgreSQL a lower number can commit later: it is put in place.
                Err(at) => self.rows.insert(at, compact),
            }
        }
    }

    fn compact(&mut self, row: &RollupRow) -> Compact {
        Compact {
            id: row.id,
            requested_at: row.requested_at,
            week_start: row.week_start,
            site: self.sites.number(&row.site),
            agency: self.agencies.number(&row.agency),
            officer: self.officers.number(&row.officer),
            accepted_by: row
                .accepted_by
                .as_ref()
                .map_or(NOBODY, |p| self.people.number(p)),
            kind: row.kind,
            hour_of_week: row.hour_of_week,
            outcome: row.outcome,
            not_diverted: row.not_diverted,
            accepted: row.accepted,
            after_hours: row.after_hours,
            arrival: row.arrival,
            time_to_accept: Seconds::of(row.time_to_accept_s),
            time_to_arrival: Seconds::of(row.time_to_arrival_s),
            eta_error: Seconds::of(row.eta_error_s),
            request_to_close: Seconds::of(row.request_to_close_s),
        }
    }

    /// The board of the rows the filter picks.
    pub(crate) fn board(&self, filter: &BoardFilter) -> Board {
        let mut groups = Groups::default();
        if let Some(wanted) = self.wanted(filter) {
            for row in self.rows.iter().filter(|r| wanted.admits(r)) {
                groups.add(row);
            }
        }
        groups.tally(self, filter)
    }

    /// The filter in numbers; `None` when it names someone no row holds.
    fn wanted(&self, filter: &BoardFilter) -> Option<Wanted> {
        fn number<T: Clone + Eq + Hash>(
            names: &Names<T>,
            value: Option<&T>,
        ) -> Option<Option<Number>> {
            match value {
                None => Some(None),
                Some(v) => names.find(v).map(Some),
            }
        }
        Some(Wanted {
            from: filter.from,
            to: filter.to,
            site: number(&self.sites, filter.site.as_ref())?,
            agency: number(&self.agencies, filter.agency.as_ref())?,
            case_manager: number(&self.people, filter.case_manager.as_ref())?,
            kind: filter.kind,
        })
    }
}

/// A [`BoardFilter`] with its names as numbers.
struct Wanted {
    from: DateTime<Utc>,
    to: DateTime<Utc>,
    site: Option<Number>,
    agency: Option<Number>,
    case_manager: Option<Number>,
    kind: Option<HandoffKind>,
}

impl Wanted {
    fn admits(&self, row: &Compact) -> bool {
        self.from <= row.requested_at
            && row.requested_at < self.to
            && self.site.is_none_or(|s| s == row.site)
            && self.agency.is_none_or(|a| a == row.agency)
            && self.case_manager.is_none_or(|p| p == row.accepted_by)
            && self.kind.is_none_or(|k| k == row.kind)
    }
}

type BucketKey = (
    Number,
    u8,
    Outcome,
    Option<NotDivertedCode>,
    bool,
    bool,
    Option<Arrival>,
);
type CohortKey = (NaiveDate, Number, Number, Outcome, bool);
/// (case manager or agency, seconds).
type TimeKey = (Number, i64);

/// Seconds counted per case manager, per agency and over all, each apart: a
/// key of (case manager, agency, seconds) would make nearly a group per row,
/// and every group costs the tally a few lookups by name.
#[derive(Default)]
struct Times {
    by_case_manager: HashMap<TimeKey, u64>,
    by_agency: HashMap<TimeKey, u64>,
    all: HashMap<i64, u64>,
}

impl Times {
    fn add(&mut self, case_manager: Number, agency: Number, seconds: i64) {
        *self
            .by_case_manager
            .entry((case_manager, seconds))
            .or_default() += 1;
        *self.by_agency.entry((agency, seconds)).or_default() += 1;
        *self.all.entry(seconds).or_default() += 1;
    }

    fn tally(self, rows: &BoardRows, mut count: impl FnMut(Dimension<'_>, i64, u64)) {
        for ((p, seconds), n) in self.by_case_manager {
            let person = rows.people.value(p).map(|p| p.as_str());
            count(Dimension::CaseManager(person), seconds, n);
        }
        for ((a, seconds), n) in self.by_agency {
            let agency = rows.agencies.value(a).map_or("", |a| a.as_str());
            count(Dimension::Agency(agency), seconds, n);
        }
        for (seconds, n) in self.all {
            count(Dimension::All, seconds, n);
        }
    }
}

/// The rows picked, counted by the keys [`BoardTally`] takes: the same groups
/// the database's `GROUP BY` gave before the rollup was held in memory.
#[derive(Default)]
struct Groups {
    buckets: HashMap<BucketKey, u64>,
    cohorts: HashMap<CohortKey, u64>,
    accepts: Times,
    arrivals: Times,
    eta_errors: HashMap<i64, u64>,
    officer_times: HashMap<i64, u64>,
    officers: Vec<bool>,
}

impl Groups {
    fn add(&mut self, r: &Compact) {
        let bucket = (
            r.site,
            r.hour_of_week,
            r.outcome,
            r.not_diverted,
            r.accepted,
            r.after_hours,
            r.arrival,
        );
        *self.buckets.entry(bucket).or_default() += 1;
        let cohort = (r.week_start, r.agency, r.accepted_by, r.outcome, r.accepted);
        *self.cohorts.entry(cohort).or_default() += 1;
        if let Some(seconds) = r.time_to_accept.get() {
            self.accepts.add(r.accepted_by, r.agency, seconds);
        }
        if let Some(seconds) = r.time_to_arrival.get() {
            self.arrivals.add(r.accepted_by, r.agency, seconds);
        }
        if let Some(seconds) = r.eta_error.get() {
            *self.eta_errors.entry(seconds).or_default() += 1;
        }
        if let (Outcome::Completed, Some(seconds)) = (r.outcome, r.request_to_close.get()) {
            *self.officer_times.entry(seconds).or_default() += 1;
        }
        let officer = r.officer as usize;
        if self.officers.len() <= officer {
            self.officers.resize(officer + 1, false);
        }
        self.officers[officer] = true;
    }

    fn tally(self, rows: &BoardRows, filter: &BoardFilter) -> Board {
        let mut tally = BoardTally::new(filter);
        let person = |n: Number| rows.people.value(n).map(|p| p.as_str());
        let agency = |n: Number| rows.agencies.value(n).map_or("", |a| a.as_str());
        for ((site, hour_of_week, outcome, not_diverted, accepted, after_hours, arrival), n) in
            self.buckets
        {
            let Some(site) = rows.sites.value(site) else {
                continue;
            };
            let bucket = Bucket {
                site: site.clone(),
                hour_of_week,
                outcome,
                not_diverted,
                accepted,
                after_hours,
                arrival,
            };
            tally.bucket(&bucket, n);
        }
        for ((week_start, a, case_manager, outcome, accepted), n) in self.cohorts {
            let cohort = Cohort {
                week_start,
                agency: agency(a),
                case_manager: person(case_manager),
                outcome,
                accepted,
            };
            tally.cohort(&cohort, n);
        }
        self.accepts
            .tally(rows, |into, seconds, n| tally.accepts_in(into, seconds, n));
        self.arrivals
            .tally(rows, |into, seconds, n| tally.arrivals_in(into, seconds, n));
        for (seconds, n) in self.eta_errors {
            tally.eta_error(seconds, n);
        }
        for (seconds, n) in self.officer_times {
            tally.officer_time(seconds, n);
        }
        tally.officers_reached(self.officers.iter().filter(|o| **o).count() as u64);
        tally.finish()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn seconds_keep_none_apart_from_every_value_and_hold_the_extremes_at_the_bounds() {
        assert_eq!(Seconds::of(None).get(), None);
        assert_eq!(Seconds::of(Some(0)).get(), Some(0));
        assert_eq!(Seconds::of(Some(-90)).get(), Some(-90));
        assert_eq!(
            Seconds::of(Some(i64::MIN)).get(),
            Some(i64::from(i32::MIN) + 1)
        );
        assert_eq!(Seconds::of(Some(i64::MAX)).get(), Some(i64::from(i32::MAX)));
    }

    #[test]
    fn a_name_keeps_its_number_and_an_unknown_one_has_none() {
        let mut names: Names<String> = Names::default();
        let a = names.number(&"a".to_owned());
        let b = names.number(&"b".to_owned());
        assert_eq!((a, b), (0, 1));
        assert_eq!(names.number(&"a".to_owned()), a);
        assert_eq!(names.find(&"c".to_owned()), None);
        assert_eq!(names.value(b).map(String::as_str), Some("b"));
    }
}

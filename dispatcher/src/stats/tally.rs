//! Adding up a [`Board`] from groups of alike hand-offs ([`BoardTally`]), and
//! [`board_of`]: the board straight from metrics in memory.
//!
//! The store asks its database for counts grouped by stored columns and feeds each
//! group here with its count; [`board_of`] feeds every hand-off as a group of one.
//! Both therefore share how groups become the board (and the rules judging each
//! group, [`LostKind::judge`] and [`Coverage::judge`]), and differ only in how the
//! hand-offs were picked and grouped: that difference is what the store's tests
//! compare.

use std::collections::{BTreeMap, BTreeSet};

use chrono::{Days, Duration, NaiveDate};
use chrono_tz::Tz;
use handoff_schedules::SiteId;

use super::board::{Board, BoardFilter, DemandCell, EtaAccuracy, GroupRow, Lost, WeekRow};
use super::groups::{NO_CASE_MANAGER, monday_of, week_start};
use super::handoffs::{Arrival, HandoffMetrics, Outcome};
use super::percentiles::Percentiles;
use super::rollup::{Coverage, LostKind, RollupRow};
use crate::outcome::NotDivertedCode;

/// Counts of whole seconds: value → how many hand-offs took it.
type Histogram = BTreeMap<i64, u64>;

/// Hand-offs alike in everything the counts and the demand map tell apart.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Bucket {
    pub(crate) site: SiteId,
    pub(crate) hour_of_week: u8,
    pub(crate) outcome: Outcome,
    pub(crate) not_diverted: Option<NotDivertedCode>,
    pub(crate) accepted: bool,
    pub(crate) after_hours: bool,
    pub(crate) arrival: Option<Arrival>,
}

/// Where a count of seconds goes: one case manager's group (`None`: nobody
/// accepted), one agency's, or the whole board's.
#[derive(Debug, Clone, Copy)]
pub(crate) enum Dimension<'a> {
    CaseManager(Option<&'a str>),
    Agency(&'a str),
    All,
}

/// Hand-offs alike in their week, agency, case manager and ending.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Cohort<'a> {
    pub(crate) week_start: NaiveDate,
    pub(crate) agency: &'a str,
    /// `None`: nobody accepted them.
    pub(crate) case_manager: Option<&'a str>,
    pub(crate) outcome: Outcome,
    pub(crate) accepted: bool,
}

/// What a week, a case manager or an agency adds up.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
struct Counts {
    requests: u64,
    completed: u64,
    lost: u64,
    accepted: u64,
}

impl Counts {
    fn add(&mut self, other: Counts) {
        self.requests += other.requests;
        self.completed += other.completed;
        self.lost += other.lost;
        self.accepted += other.accepted;
    }
}

#[derive(Default)]
struct Group {
    counts: Counts,
    accept: Histogram,
    arrival: Histogram,
}

/// A [`Board`] being added up.
pub(crate) struct BoardTally {
    filter: BoardFilter,
    board: Board,
    weeks: BTreeMap<NaiveDate, Counts>,
    by_case_manager: BTreeMap<String, Group>,
    by_agency: BTreeMap<String, Group>,
    accept: Histogram,
    arrival: Histogram,
    eta_error: Histogram,
    officer_time: Histogram,
    demand: BTreeMap<(SiteId, u8), DemandCell>,
}

impl BoardTally {
    pub(crate) fn new(filter: &BoardFilter) -> BoardTally {
        BoardTally {
            filter: filter.clone(),
            board: Board {
                requests: 0,
                open: 0,
                completed: 0,
                cancelled: 0,
                not_diverted: 0,
                not_diverted_by_code: BTreeMap::new(),
                lost: Lost::default(),
                accepted: 0,
                time_to_accept: Percentiles::default(),
                time_to_arrival: Percentiles::default(),
                arrived: 0,
                field_meets: 0,
                dropoffs: 0,
                arrived_within_target: 0,
                eta: EtaAccuracy::default(),
                officer_time: Percentiles::default(),
                weeks: Vec::new(),
                by_case_manager: Vec::new(),
                by_agency: Vec::new(),
                officers_reached: 0,
                demand: Vec::new(),
            },
            weeks: BTreeMap::new(),
            by_case_manager: BTreeMap::new(),
            by_agency: BTreeMap::new(),
            accept: Histogram::new(),
            arrival: Histogram::new(),
            eta_error: Histogram::new(),
            officer_time: Histogram::new(),
            demand: BTreeMap::new(),
        }
    }

    /// `n` hand-offs of one [`Bucket`]: the overall counts and the demand map.
    pub(crate) fn bucket(&mut self, bucket: &Bucket, n: u64) {
        let b = &mut self.board;
        b.requests += n;
        match bucket.outcome {
            Outcome::Open => b.open += n,
            Outcome::Completed => b.completed += n,
            Outcome::Cancelled => b.cancelled += n,
            Outcome::NotDiverted => b.not_diverted += n,
            Outcome::Unstaffed | Outcome::OutOfHours | Outcome::Expired => {}
        }
        if let Some(code) = bucket.not_diverted {
            *b.not_diverted_by_code.entry(code).or_default() += n;
        }
        match bucket.arrival {
            Some(Arrival::Field) => b.field_meets += n,
            Some(Arrival::DropOff) => b.dropoffs += n,
            None => {}
        }
        match LostKind::judge(bucket.outcome, bucket.accepted) {
            Some(LostKind::Unstaffed) => b.lost.unstaffed += n,
            Some(LostKind::OutOfHours) => b.lost.out_of_hours += n,
            Some(LostKind::Expired) => b.lost.expired += n,
            Some(LostKind::GivenUp) => b.lost.given_up += n,
            None => {}
        }
        if bucket.accepted {
            b.accepted += n;
        }
        let Some(coverage) = Coverage::judge(bucket.outcome, bucket.accepted, bucket.after_hours)
        else {
            return;
        };
        let cell = self
            .demand
            .entry((bucket.site.clone(), bucket.hour_of_week))
            .or_insert_with(|| DemandCell {
                site: bucket.site.clone(),
                hour_of_week: bucket.hour_of_week,
                covered: 0,
                unanswered: 0,
                out_of_hours: 0,
            });
        match coverage {
            Coverage::Covered => cell.covered += n,
            Coverage::Unanswered => cell.unanswered += n,
            Coverage::OutOfHours => cell.out_of_hours += n,
        }
    }

    /// `n` hand-offs of one [`Cohort`]: the weeks, and the case managers' and
    /// agencies' counts.
    pub(crate) fn cohort(&mut self, cohort: &Cohort<'_>, n: u64) {
        let counts = Counts {
            requests: n,
            completed: if cohort.outcome == Outcome::Completed {
                n
            } else {
                0
            },
            lost: if LostKind::judge(cohort.outcome, cohort.accepted).is_some() {
                n
            } else {
                0
            },
            accepted: if cohort.accepted { n } else { 0 },
        };
        self.weeks
            .entry(monday_of(cohort.week_start))
            .or_default()
            .add(counts);
        group(&mut self.by_case_manager, cohort.case_manager)
            .counts
            .add(counts);
        group(&mut self.by_agency, Some(cohort.agency))
            .counts
            .add(counts);
    }

    /// `n` hand-offs of one agency and case manager accepted `seconds` after the
    /// request.
    pub(crate) fn accepts(
        &mut self,
        agency: &str,
        case_manager: Option<&str>,
        seconds: i64,
        n: u64,
    ) {
        self.accepts_in(Dimension::CaseManager(case_manager), seconds, n);
        self.accepts_in(Dimension::Agency(agency), seconds, n);
        self.accepts_in(Dimension::All, seconds, n);
    }

    /// `n` hand-offs of one agency and case manager reached `seconds` after the
    /// request.
    pub(crate) fn arrivals(
        &mut self,
        agency: &str,
        case_manager: Option<&str>,
        seconds: i64,
        n: u64,
    ) {
        self.arrivals_in(Dimension::CaseManager(case_manager), seconds, n);
        self.arrivals_in(Dimension::Agency(agency), seconds, n);
        self.arrivals_in(Dimension::All, seconds, n);
    }

    /// `n` hand-offs accepted `seconds` after the request, counted in one
    /// dimension only: a caller that has added up each dimension on its own
    /// (fewer, larger groups) feeds each here.
    pub(crate) fn accepts_in(&mut self, dimension: Dimension<'_>, seconds: i64, n: u64) {
        let histogram = match dimension {
            Dimension::CaseManager(p) => &mut group(&mut self.by_case_manager, p).accept,
            Dimension::Agency(a) => &mut group(&mut self.by_agency, Some(a)).accept,
            Dimension::All => &mut self.accept,
        };
        *histogram.entry(seconds).or_default() += n;
    }

    /// As [`BoardTally::accepts_in`], for arrivals.
    pub(crate) fn arrivals_in(&mut self, dimension: Dimension<'_>, seconds: i64, n: u64) {
        let histogram = match dimension {
            Dimension::CaseManager(p) => &mut group(&mut self.by_case_manager, p).arrival,
            Dimension::Agency(a) => &mut group(&mut self.by_agency, Some(a)).arrival,
            Dimension::All => &mut self.arrival,
        };
        *histogram.entry(seconds).or_default() += n;
    }

    /// `n` hand-offs that arrived `seconds` after their promised arrival.
    pub(crate) fn eta_error(&mut self, seconds: i64, n: u64) {
        *self.eta_error.entry(seconds).or_default() += n;
    }

    /// `n` completed hand-offs that closed `seconds` after the request.
    pub(crate) fn officer_time(&mut self, seconds: i64, n: u64) {
        *self.officer_time.entry(seconds).or_default() += n;
    }

    pub(crate) fn officers_reached(&mut self, n: u64) {
        self.board.officers_reached = n;
    }

    pub(crate) fn finish(self) -> Board {
        let target = self.filter.arrival_target.num_seconds();
        let arrived_within_target = self.arrival.range(..=target).map(|(_, n)| n).sum();
        Board {
            time_to_accept: percentiles(&self.accept),
            time_to_arrival: percentiles(&self.arrival),
            arrived: self.arrival.values().sum(),
            arrived_within_target,
            eta: eta_accuracy(&self.eta_error),
            officer_time: percentiles(&self.officer_time),
            weeks: week_rows(&self.filter, self.weeks),
            by_case_manager: group_rows(self.by_case_manager),
            by_agency: group_rows(self.by_agency),
            demand: self.demand.into_values().collect(),
            ..self.board
        }
    }
}

/// The group of a key (`None`: [`NO_CASE_MANAGER`]), made if new.
fn group<'g>(groups: &'g mut BTreeMap<String, Group>, key: Option<&str>) -> &'g mut Group {
    groups
        .entry(key.unwrap_or(NO_CASE_MANAGER).to_owned())
        .or_default()
}

fn percentiles(histogram: &Histogram) -> Percentiles {
    let counts: Vec<(Duration, u64)> = histogram
        .iter()
        .map(|(&seconds, &n)| (Duration::seconds(seconds), n))
        .collect();
    Percentiles::of_counts(&counts)
}

fn eta_accuracy(errors: &Histogram) -> EtaAccuracy {
    let mut late = Histogram::new();
    let mut abs_error = Histogram::new();
    for (&seconds, &n) in errors {
        if seconds > 0 {
            late.insert(seconds, n);
        }
        *abs_error.entry(seconds.saturating_abs()).or_default() += n;
    }
    EtaAccuracy {
        with_eta_and_arrival: errors.values().sum(),
        on_time: errors.range(..=0).map(|(_, n)| n).sum(),
        late: percentiles(&late),
        abs_error: percentiles(&abs_error),
    }
}

fn group_rows(groups: BTreeMap<String, Group>) -> Vec<GroupRow> {
    groups
        .into_iter()
        .map(|(key, group)| GroupRow {
            key,
            requests: group.counts.requests,
            completed: group.counts.completed,
            lost: group.counts.lost,
            time_to_accept: percentiles(&group.accept),
            time_to_arrival: percentiles(&group.arrival),
        })
        .collect()
}

/// The most weeks listed from the range alone: of a range of more than twenty
/// years, later weeks are listed only if they had requests, so that the list
/// cannot grow without bound.
const MAX_EMPTY_WEEKS: usize = 1_100;

/// Every week from the range's first to its last, in the filter's zone, and any
/// other week a hand-off fell in (a site in another zone), zeros included.
fn week_rows(filter: &BoardFilter, counted: BTreeMap<NaiveDate, Counts>) -> Vec<WeekRow> {
    let mut weeks: BTreeMap<NaiveDate, Counts> = BTreeMap::new();
    if filter.from < filter.to {
        let last_instant = filter
            .to
            .checked_sub_signed(Duration::milliseconds(1))
            .unwrap_or(filter.from);
        let last = week_start(last_instant, filter.zone);
        let mut week = week_start(filter.from, filter.zone);
        while week <= last && weeks.len() < MAX_EMPTY_WEEKS {
            weeks.insert(week, Counts::default());
            let Some(next) = week.checked_add_days(Days::new(7)) else {
                break;
            };
            week = next;
        }
    }
    for (week, counts) in counted {
        weeks.entry(week).or_default().add(counts);
    }
    weeks
        .into_iter()
        .map(|(week_start, c)| WeekRow {
            week_start,
            requests: c.requests,
            completed: c.completed,
            lost: c.lost,
            accepted: c.accepted,
        })
        .collect()
}

impl BoardFilter {
    /// Whether the board counts this hand-off.
    pub fn admits(&self, row: &RollupRow) -> bool {
        fn matches<T: PartialEq>(wanted: Option<&T>, actual: Option<&T>) -> bool {
            wanted.is_none() || wanted == actual
        }
        self.from <= row.requested_at
            && row.requested_at < self.to
            && matches(self.site.as_ref(), Some(&row.site))
            && matches(self.agency.as_ref(), Some(&row.agency))
            && matches(self.case_manager.as_ref(), row.accepted_by.as_ref())
            && matches(self.kind.as_ref(), Some(&row.kind))
    }
}

/// The board of some hand-offs' metrics, in memory: each becomes its
/// [`RollupRow`] in its site's zone (`zone_of`), the filter picks, and every row
/// is counted as a group of one. The same board `Records::board` gives from the
/// rollup of the same events.
pub fn board_of(
    metrics: &[HandoffMetrics],
    filter: &BoardFilter,
    zone_of: &dyn Fn(&SiteId) -> Tz,
) -> Board {
    let mut tally = BoardTally::new(filter);
    let mut officers = BTreeSet::new();
    for m in metrics {
        let row = RollupRow::of(m, zone_of(&m.site));
        if !filter.admits(&row) {
            continue;
        }
        let bucket = Bucket {
            site: row.site.clone(),
            hour_of_week: row.hour_of_week,
            outcome: row.outcome,
            not_diverted: row.not_diverted,
            accepted: row.accepted,
            after_hours: row.after_hours,
            arrival: row.arrival,
        };
        tally.bucket(&bucket, 1);
        let agency = row.agency.as_str();
        let case_manager = row.accepted_by.as_ref().map(|p| p.as_str());
        let cohort = Cohort {
            week_start: row.week_start,
            agency,
            case_manager,
            outcome: row.outcome,
            accepted: row.accepted,
        };
        tally.cohort(&cohort, 1);
        if let Some(seconds) = row.time_to_accept_s {
            tally.accepts(agency, case_manager, seconds, 1);
        }
        if let Some(seconds) = row.time_to_arrival_s {
            tally.arrivals(agency, case_manager, seconds, 1);
        }
        if let Some(seconds) = row.eta_error_s {
            tally.eta_error(seconds, 1);
        }
        if let (Outcome::Completed, Some(seconds)) = (row.outcome, row.request_to_close_s) {
            tally.officer_time(seconds, 1);
        }
        officers.insert(row.officer.clone());
    }
    tally.officers_reached(officers.len() as u64);
    tally.finish()
}

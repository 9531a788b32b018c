//! The questions a schedule answers, each a pure function of an explicit instant:
//! who is on duty, is the site open, when does it next open, and how was a span of
//! time covered (for gap reports and calendar feeds).
//!
//! `coverage` cuts time at every instant where anything could change (a window's
//! edge, a closure's midnight, a rotation's handover, an override's ends) and asks
//! the point query at each cut. The point query is the single source of truth, so a
//! calendar can never disagree with what the dispatcher is told.
//!
//! Every query is bounded: a point query looks at a few local days, `next_opening`
//! at most `OPENING_HORIZON_DAYS`, and a span query at the days of its span within
//! the years the schedules answer for (see `bounds`), each day costing a fixed
//! number of checks per rule however often or seldom the rule matches.

use std::collections::BTreeSet;

use chrono::{DateTime, Utc};
use chrono_tz::Tz;

use crate::bounds;
use crate::closures::closure_boundaries;
use crate::ids::{PersonId, Role};
use crate::interval::Interval;
use crate::overrides;
use crate::schedule::SiteSchedule;
use crate::week::Window;

/// A stretch of time during which the site's openness and duty list do not change.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CoverageSegment {
    pub span: Interval,
    pub open: bool,
    pub on_duty: Vec<(PersonId, Role)>,
}

/// One person's continuous stretch of duty in one role.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct DutyInterval {
    pub person: PersonId,
    pub role: Role,
    pub span: Interval,
}

/// How far ahead `next_opening` looks before it says the site never opens.
pub const OPENING_HORIZON_DAYS: i64 = 400;

impl SiteSchedule {
    pub fn is_open(&self, at: DateTime<Utc>) -> bool {
        self.open_at(at)
    }

    /// Who is on duty at `at`, as what: regular shifts and rotations, then the
    /// overrides in force. Sorted by role, then person; each pair listed once.
    pub fn on_duty(&self, at: DateTime<Utc>) -> Vec<(PersonId, Role)> {
        if !bounds::in_range(at) {
            return Vec::new();
        }
        let open = self.open_at(at);
        let mut duty: Vec<(PersonId, Role)> = Vec::new();
        for shift in &self.shifts {
            if shift.availability.admits(self.tz, at, open) {
                duty.push((shift.person.clone(), shift.role));
            }
        }
        for rotation in &self.rotations {
            if rotation.availability.admits(self.tz, at, open)
                && let Some(person) = rotation.member_at(self.tz, at)
            {
                duty.push((person.clone(), rotation.role));
            }
        }
        overrides::apply(&self.overrides, at, &mut duty);
        duty.sort_by(|a, b| (a.1, &a.0).cmp(&(b.1, &b.0)));
        duty.dedup();
        duty
    }

    /// The first instant after `after` at which the site goes from closed to open,
    /// in the site's zone; `None` if it does not open within `OPENING_HORIZON_DAYS`
    /// (or before the end of the years the schedules answer for).
    /// If the site is open at `after`, this is the start of its *next* opening.
    pub fn next_opening(&self, after: DateTime<Utc>) -> Option<DateTime<Tz>> {
        if !bounds::in_range(after)
            || self.hours.is_empty() && self.closures.iter().all(|c| c.reduced_hours.is_empty())
        {
            return None;
        }
        let mut was_open = self.open_at(after);
        let horizon = bounds::add_days(after, OPENING_HORIZON_DAYS)
            .unwrap_or_else(bounds::end_of_range)
            .min(bounds::end_of_range());
        let mut from = after;
        // A week at a time keeps each boundary list short.
        while from < horizon {
            let to = bounds::add_days(from, 7).map_or(horizon, |t| t.min(horizon));
            for cut in self.open_boundaries(from, to) {
                if cut <= after {
                    continue;
                }
                let open = self.open_at(cut);
                if open && !was_open {
                    return Some(cut.with_timezone(&self.tz));
                }
                was_open = open;
            }
            from = to;
        }
        None
    }

    /// The stretches of `[from, to)` with their openness and duty list, each maximal;
    /// only the part within the years the schedules answer for (see `bounds`).
    pub fn coverage(&self, from: DateTime<Utc>, to: DateTime<Utc>) -> Vec<CoverageSegment> {
        let Some((from, to)) = bounds::clip(from, to) else {
            return Vec::new();
        };
        let mut cuts = self.open_boundaries(from, to);
        cuts.extend(self.staff_boundaries(from, to));
        cuts.insert(from);
        let cuts: Vec<DateTime<Utc>> = cuts.into_iter().filter(|t| *t >= from && *t < to).collect();
        let mut segments: Vec<CoverageSegment> = Vec::new();
        for (i, start) in cuts.iter().enumerate() {
            let end = cuts.get(i + 1).copied().unwrap_or(to);
            let Some(span) = Interval::new(*start, end) else {
                continue;
            };
            let open = self.open_at(*start);
            let on_duty = self.on_duty(*start);
            match segments.last_mut() {
                Some(last) if last.open == open && last.on_duty == on_duty => last.span.end = end,
                _ => segments.push(CoverageSegment {
                    span,
                    open,
                    on_duty,
                }),
            }
        }
        segments
    }

    /// The site's open spans within `[from, to)`, clipped to it.
    pub fn open_intervals(&self, from: DateTime<Utc>, to: DateTime<Utc>) -> Vec<Interval> {
        let mut out: Vec<Interval> = Vec::new();
        let Some((from, to)) = bounds::clip(from, to) else {
            return out;
        };
        let mut cuts = self.open_boundaries(from, to);
        cuts.insert(from);
        let cuts: Vec<DateTime<Utc>> = cuts.into_iter().filter(|t| *t >= from && *t < to).collect();
        for (i, start) in cuts.iter().enumerate() {
            let end = cuts.get(i + 1).copied().unwrap_or(to);
            if !self.open_at(*start) {
                continue;
            }
            match out.last_mut() {
                Some(last) if last.end == *start => last.end = end,
                _ => out.extend(Interval::new(*start, end)),
            }
        }
        out
    }

    /// Each person's continuous duty stretches within `[from, to)`, clipped to it,
    /// ordered by start: what a calendar feed shows, one event per stretch.
    pub fn duty_intervals(&self, from: DateTime<Utc>, to: DateTime<Utc>) -> Vec<DutyInterval> {
        let mut open: Vec<DutyInterval> = Vec::new();
        let mut done: Vec<DutyInterval> = Vec::new();
        for segment in self.coverage(from, to) {
            let (continuing, ended): (Vec<DutyInterval>, Vec<DutyInterval>) =
                open.into_iter().partition(|d| {
                    segment
                        .on_duty
                        .iter()
                        .any(|(p, r)| *p == d.person && *r == d.role)
                });
            done.extend(ended);
            open = continuing;
            for (person, role) in &segment.on_duty {
                match open
                    .iter_mut()
                    .find(|d| d.person == *person && d.role == *role)
                {
                    Some(duty) => duty.span.end = segment.span.end,
                    None => open.push(DutyInterval {
                        person: person.clone(),
                        role: *role,
                        span: segment.span,
                    }),
                }
            }
        }
        done.extend(open);
        done.sort_by(|a, b| {
            (a.span.start, a.role, &a.person).cmp(&(b.span.start, b.role, &b.person))
        });
        done
    }

    /// Where openness may change in `[from, to)`: operating-hour edges and closures.
    fn open_boundaries(&self, from: DateTime<Utc>, to: DateTime<Utc>) -> BTreeSet<DateTime<Utc>> {
        let mut cuts = window_edges(&self.hours, self.tz, from, to);
        cuts.extend(closure_boundaries(&self.closures, self.tz, from, to));
        cuts.retain(|t| from <= *t && *t < to);
        cuts
    }

    /// Where the duty list may change in `[from, to)` besides openness.
    fn staff_boundaries(&self, from: DateTime<Utc>, to: DateTime<Utc>) -> BTreeSet<DateTime<Utc>> {
        let mut cuts = BTreeSet::new();
        for shift in &self.shifts {
            cuts.extend(window_edges(&shift.availability.windows, self.tz, from, to));
        }
        for rotation in &self.rotations {
            cuts.extend(window_edges(
                &rotation.availability.windows,
                self.tz,
                from,
                to,
            ));
            cuts.extend(rotation.handovers(self.tz, from, to));
        }
        for entry in &self.overrides {
            cuts.extend([entry.during.start, entry.during.end]);
        }
        cuts.retain(|t| from <= *t && *t < to);
        cuts
    }
}

fn window_edges(
    windows: &[Window],
    tz: Tz,
    from: DateTime<Utc>,
    to: DateTime<Utc>,
) -> BTreeSet<DateTime<Utc>> {
    windows
        .iter()
        .flat_map(|w| w.intervals(tz, from, to))
        .flat_map(|span| [span.start, span.end])
        .collect()
}

/// Who is on duty at `site` at the instant `at`.
pub fn on_duty(site: &SiteSchedule, at: DateTime<Utc>) -> Vec<(PersonId, Role)> {
    site.on_duty(at)
}

/// Whether `site` keeps its operating hours at `at`.
pub fn is_open(site: &SiteSchedule, at: DateTime<Utc>) -> bool {
    site.is_open(at)
}

/// When `site` next opens after `after`.
pub fn next_opening(site: &SiteSchedule, after: DateTime<Utc>) -> Option<DateTime<Tz>> {
    site.next_opening(after)
}

/// How `[from, to)` was covered at `site`.
pub fn coverage(
    site: &SiteSchedule,
    from: DateTime<Utc>,
    to: DateTime<Utc>,
) -> Vec<CoverageSegment> {
    site.coverage(from, to)
}

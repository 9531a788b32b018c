//! Gaps in coverage: the stretches when a request would find nobody to offer it
//! to, for a project manager to staff before they happen. Two kinds:
//!
//! - the site is open and no case manager is on duty;
//! - the site is closed and no outreach and intake coordinator is on call.
//!
//! Derived from `coverage`, so a gap report can never disagree with who the
//! dispatcher finds on duty at an instant; pure, like every query.

use chrono::{DateTime, Utc};
use serde::Serialize;

use crate::ids::Role;
use crate::interval::Interval;
use crate::schedule::SiteSchedule;

/// Which kind of gap.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum GapKind {
    /// Open, with no case manager on duty.
    NoCaseManager,
    /// Closed, with no coordinator on call.
    NoOnCall,
}

/// One stretch of one kind of gap, maximal.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Gap {
    pub kind: GapKind,
    pub span: Interval,
}

impl SiteSchedule {
    /// The gaps in coverage within `[from, to)`, in order.
    pub fn gaps(&self, from: DateTime<Utc>, to: DateTime<Utc>) -> Vec<Gap> {
        let mut gaps: Vec<Gap> = Vec::new();
        for segment in self.coverage(from, to) {
            let has = |role: Role| segment.on_duty.iter().any(|(_, r)| *r == role);
            let kind = match (segment.open, has(Role::CaseManager), has(Role::Coordinator)) {
                (true, false, _) => GapKind::NoCaseManager,
                (false, _, false) => GapKind::NoOnCall,
                _ => continue,
            };
            match gaps.last_mut() {
                Some(last) if last.kind == kind && last.span.end == segment.span.start => {
                    last.span.end = segment.span.end;
                }
                _ => gaps.push(Gap {
                    kind,
                    span: segment.span,
                }),
            }
        }
        gaps
    }
}

//! One hand-off as the rollup keeps it ([`RollupRow`]): its [`HandoffMetrics`]
//! flattened into the plain columns a database can filter, count and group (what
//! the dashboard's board and `handoff report summary` read); and
//! the board's two judgements of a hand-off, whether it was lost ([`LostKind`])
//! and how it shows on the demand map ([`Coverage`]). Those rules live here, in
//! Rust, as functions of a few stored columns: the database groups by those
//! columns, and each group is judged here, so SQL never holds the rule.

use chrono::{DateTime, Duration, NaiveDate, Utc};
use chrono_tz::Tz;
use handoff_schedules::{PersonId, SiteId};

use super::groups::{hour_of_week, week_start};
use super::handoffs::{Arrival, HandoffMetrics, Outcome};
use crate::contact::Channel;
use crate::handoff::{HandoffId, HandoffKind};
use crate::outcome::{FollowUpReason, NotDivertedCode};
use crate::roster::{AgencyId, OfficerId};

/// Why a request never reached a case manager who came (see
/// [`Lost`](super::Lost)).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum LostKind {
    Unstaffed,
    OutOfHours,
    Expired,
    /// Cancelled before any accept.
    GivenUp,
}

impl LostKind {
    pub const ALL: [LostKind; 4] = [
        LostKind::Unstaffed,
        LostKind::OutOfHours,
        LostKind::Expired,
        LostKind::GivenUp,
    ];

    pub fn name(self) -> &'static str {
        match self {
            LostKind::Unstaffed => "unstaffed",
            LostKind::OutOfHours => "out_of_hours",
            LostKind::Expired => "expired",
            LostKind::GivenUp => "given_up",
        }
    }

    /// Whether a hand-off was lost, and how.
    pub fn of(m: &HandoffMetrics) -> Option<LostKind> {
        LostKind::judge(m.outcome, m.accepted())
    }

    /// Whether a hand-off that ended so, accepted or not, was lost.
    pub fn judge(outcome: Outcome, accepted: bool) -> Option<LostKind> {
        match outcome {
            Outcome::Unstaffed => Some(LostKind::Unstaffed),
            Outcome::OutOfHours => Some(LostKind::OutOfHours),
            Outcome::Expired => Some(LostKind::Expired),
            Outcome::Cancelled if !accepted => Some(LostKind::GivenUp),
            _ => None,
        }
    }
}

/// Which column of the demand map a request counts in (see
/// [`DemandCell`](super::DemandCell)).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Coverage {
    /// Someone accepted it.
    Covered,
    /// Made while the site was open, never accepted, and ended unanswered.
    Unanswered,
    /// Made while the site was closed (or answered as out of hours), never accepted.
    OutOfHours,
}

impl Coverage {
    pub const ALL: [Coverage; 3] = [
        Coverage::Covered,
        Coverage::Unanswered,
        Coverage::OutOfHours,
    ];

    pub fn name(self) -> &'static str {
        match self {
            Coverage::Covered => "covered",
            Coverage::Unanswered => "unanswered",
            Coverage::OutOfHours => "out_of_hours",
        }
    }

    /// Where a hand-off shows on the demand map, if anywhere: a request still in
    /// flight in open hours, or closed some other way without an accept (not
    /// diverted on the officer's word), is in no column.
    pub fn of(m: &HandoffMetrics) -> Option<Coverage> {
        Coverage::judge(m.outcome, m.accepted(), m.after_hours)
    }

    /// Where a hand-off that ended so, accepted or not, requested while the site
    /// was closed or not, shows on the demand map.
    pub fn judge(outcome: Outcome, accepted: bool, after_hours: bool) -> Option<Coverage> {
        if accepted {
            Some(Coverage::Covered)
        } else if outcome == Outcome::OutOfHours || after_hours {
            Some(Coverage::OutOfHours)
        } else if matches!(
            outcome,
            Outcome::Unstaffed | Outcome::Cancelled | Outcome::Expired
        ) {
            Some(Coverage::Unanswered)
        } else {
            None
        }
    }
}

/// One hand-off as the rollup table `handoff_stats` holds it. Durations are whole
/// seconds, truncated toward zero.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RollupRow {
    pub id: HandoffId,
    pub site: SiteId,
    pub agency: AgencyId,
    pub officer: OfficerId,
    pub kind: HandoffKind,
    /// The first to accept.
    pub accepted_by: Option<PersonId>,
    pub requested_at: DateTime<Utc>,
    /// The Monday of the request's week in the site's time zone.
    pub week_start: NaiveDate,
    /// The request's hour of the week in the site's time zone (0..=167).
    pub hour_of_week: u8,
    pub outcome: Outcome,
    pub not_diverted: Option<NotDivertedCode>,
    pub after_hours: bool,
    pub accepted: bool,
    pub time_to_accept_s: Option<i64>,
    pub time_to_arrival_s: Option<i64>,
    pub accept_to_arrival_s: Option<i64>,
    /// Arrival minus the promised arrival; negative: early.
    pub eta_error_s: Option<i64>,
    /// Request → closed, for any closed hand-off.
    pub request_to_close_s: Option<i64>,
    pub given_back: u32,
    pub eta_missed: u32,
    pub followup: Option<FollowUpReason>,
    /// Declines of offers.
    pub declines: u32,
    /// Steps started beyond the first ([`HandoffMetrics::escalations`]).
    pub escalations: u32,
    /// Its follow-up was done.
    pub followed_up: bool,
    /// The channel the first accept came by.
    pub accepted_via: Option<Channel>,
    /// How the person was reached, if they were: a field meet or a drop-off.
    pub arrival: Option<Arrival>,
}

impl RollupRow {
    /// The row of a hand-off whose site is in `zone`.
    pub fn of(m: &HandoffMetrics, zone: Tz) -> RollupRow {
        let seconds = |d: Option<Duration>| d.map(|d| d.num_seconds());
        RollupRow {
            id: m.id,
            site: m.site.clone(),
            agency: m.agency.clone(),
            officer: m.officer.clone(),
            kind: m.kind,
            accepted_by: m.accepted_by.clone(),
            requested_at: m.requested_at,
            week_start: week_start(m.requested_at, zone),
            // At most 6 * 24 + 23.
            hour_of_week: u8::try_from(hour_of_week(m.requested_at, zone)).unwrap_or(u8::MAX),
            outcome: m.outcome,
            not_diverted: m.not_diverted,
            after_hours: m.after_hours,
            accepted: m.accepted(),
            time_to_accept_s: seconds(m.time_to_accept()),
            time_to_arrival_s: seconds(m.time_to_arrival()),
            accept_to_arrival_s: seconds(m.accept_to_arrival()),
            eta_error_s: seconds(m.eta_error()),
            request_to_close_s: seconds(m.request_to_close()),
            given_back: m.given_back,
            eta_missed: m.eta_missed,
            followup: m.followup,
            declines: m.declines,
            escalations: m.escalations(),
            followed_up: m.followed_up_at.is_some(),
            accepted_via: m.accepted_via,
            arrival: m.arrival,
        }
    }
}

//! The "Is it working" board: what a project manager sees for a range of dates
//! ([`Board`]) and which hand-offs it covers ([`BoardFilter`]). Plain numbers and
//! their definitions; the store fills them from the rollup (`Records::board`), and
//! [`board_of`](super::board_of) from metrics in memory, by the same rules.
//!
//! How everything on the board is counted:
//!
//! - A hand-off belongs to the range when it was *requested* in it: one requested
//!   on the 31st and closed on the 2nd counts in the month of the 31st, once, as its
//!   event log stands now (still open, if it is).
//! - What a hand-off's times and outcome are is decided in one place,
//!   [`metrics`](super::metrics); the board only counts and groups them. Which
//!   hand-offs are *lost* and how the *demand* map colours each one is decided per
//!   hand-off too, in [`RollupRow::of`](super::RollupRow::of).
//! - Times are whole seconds (truncated toward zero), and every percentile is by
//!   nearest rank: the p50 is a time at least half of the hand-offs took at most,
//!   always one that some hand-off took.
//! - Weeks and hours of the week are those of the site's own time zone: a request at
//!   23:30 on Sunday in New York is a Sunday request, whatever UTC says.

use std::collections::BTreeMap;

use chrono::{DateTime, Duration, NaiveDate, Utc};
use chrono_tz::Tz;
use handoff_schedules::{PersonId, SiteId};
use serde::Serialize;

use super::percentiles::Percentiles;
use crate::handoff::HandoffKind;
use crate::outcome::NotDivertedCode;
use crate::roster::AgencyId;

/// Which hand-offs the board counts, and the target it measures arrivals against.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct BoardFilter {
    /// Hand-offs requested at or after this instant…
    pub from: DateTime<Utc>,
    /// …and before this one (exclusive).
    pub to: DateTime<Utc>,
    /// Only this site's hand-offs.
    pub site: Option<SiteId>,
    /// Only the hand-offs of this agency's officers.
    pub agency: Option<AgencyId>,
    /// Only the hand-offs this case manager accepted.
    pub case_manager: Option<PersonId>,
    /// Only arrest diversions, or only social contact referrals.
    pub kind: Option<HandoffKind>,
    /// The arrival time the program aims at (request → case manager on scene), for
    /// [`Board::arrived_within_target`].
    pub arrival_target: Duration,
    /// The time zone the range's weeks are listed in ([`Board::weeks`]); the
    /// program's, or the filtered site's.
    pub zone: Tz,
}

/// The board for one [`BoardFilter`]. Every count is of hand-offs requested in the
/// range and passing the filter.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Board {
    /// Hand-offs requested.
    pub requests: u64,
    /// Not closed yet: still being offered, accepted or on the way.
    pub open: u64,
    /// Closed with the person released to case management (`DONE`): diversions.
    pub completed: u64,
    /// Withdrawn by the officer (or staff), whether or not someone had accepted.
    pub cancelled: u64,
    /// Closed without a diversion, with a reason code…
    pub not_diverted: u64,
    /// …and how many for each code (codes with none are left out).
    pub not_diverted_by_code: BTreeMap<NotDivertedCode, u64>,
    /// Requests that never reached a case manager who came: see [`Lost`].
    pub lost: Lost,
    /// Accepted by a case manager at some point, whatever happened next.
    pub accepted: u64,
    /// Request → first accept, over the accepted hand-offs: how long officers wait
    /// to hear that someone is coming.
    pub time_to_accept: Percentiles,
    /// Request → the case manager's `ARRIVED`, or the check-in at a diversion
    /// center after a drop-off, over the hand-offs reached.
    pub time_to_arrival: Percentiles,
    /// Hand-offs reached, in the field or at a center; the same as
    /// `time_to_arrival.count`.
    pub arrived: u64,
    /// Of those, reached by a case manager in the field (`ARRIVED`)...
    pub field_meets: u64,
    /// ...and checked in at a diversion center after the officer's `DROPOFF`.
    pub dropoffs: u64,
    /// Of those, the ones reached within [`BoardFilter::arrival_target`] of the
    /// request (whole seconds: at most the target's seconds).
    pub arrived_within_target: u64,
    /// How well the case managers' ETAs held: see [`EtaAccuracy`].
    pub eta: EtaAccuracy,
    /// Request → closed, over completed hand-offs: how long a diversion holds the
    /// officer, from the request until the case manager's `DONE`.
    pub officer_time: Percentiles,
    /// Every week (Monday to Sunday, local) the range touches, oldest first, with
    /// zeros for weeks without a request. A week that starts before `from` or ends
    /// after `to` counts only the part in the range.
    pub weeks: Vec<WeekRow>,
    /// One row per case manager who accepted a hand-off in the range, by the
    /// person who first accepted it (a hand-off given back and taken by someone
    /// else stays with the first); never-accepted hand-offs are in the row keyed
    /// `(none)`. Sorted by key.
    pub by_case_manager: Vec<GroupRow>,
    /// One row per agency of the requesting officers, sorted by key.
    pub by_agency: Vec<GroupRow>,
    /// Distinct officers who made at least one request in the range.
    pub officers_reached: u64,
    /// When requests come, per site and hour of the week, and whether anyone
    /// answered: see [`DemandCell`]. Only cells with something in them, sorted by
    /// site then hour.
    pub demand: Vec<DemandCell>,
}

/// Requests that never reached a case manager who came. Each lost hand-off is in
/// exactly one of these; [`Lost::total`] adds them up.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize)]
pub struct Lost {
    /// Every escalation step ran out with nobody accepting.
    pub unstaffed: u64,
    /// The site was closed and nobody was on call: the officer was told at once.
    pub out_of_hours: u64,
    /// Accepted, but the case manager never arrived within the program's limit.
    pub expired: u64,
    /// Cancelled before anyone accepted: the officer gave up waiting.
    pub given_up: u64,
}

impl Lost {
    pub fn total(&self) -> u64 {
        self.unstaffed + self.out_of_hours + self.expired + self.given_up
    }
}

/// How well the ETAs case managers give held, over the hand-offs that had both an
/// ETA and an arrival. The ETA that counts is the last one given before arriving,
/// and it promises the instant it was given plus its minutes; the error is the
/// arrival minus that promise (negative: early).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize)]
pub struct EtaAccuracy {
    /// Hand-offs with an ETA before the arrival, and an arrival.
    pub with_eta_and_arrival: u64,
    /// Of those, arrived at or before the promised instant (error ≤ 0 s).
    pub on_time: u64,
    /// How late the others were (error > 0 s).
    pub late: Percentiles,
    /// How far off the promise was, early or late (the error without its sign),
    /// over all of them.
    pub abs_error: Percentiles,
}

/// One week of [`Board::weeks`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct WeekRow {
    /// Its Monday, in the site's time zone.
    pub week_start: NaiveDate,
    /// Hand-offs requested that week.
    pub requests: u64,
    /// Of those, completed (diversions).
    pub completed: u64,
    /// Of those, lost ([`Lost::total`]).
    pub lost: u64,
    /// Of those, accepted at some point.
    pub accepted: u64,
}

/// One case manager's or agency's hand-offs ([`Board::by_case_manager`],
/// [`Board::by_agency`]).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct GroupRow {
    /// The case manager's or agency's id; `(none)` for hand-offs nobody accepted.
    pub key: String,
    /// Hand-offs in the group.
    pub requests: u64,
    /// Of those, completed.
    pub completed: u64,
    /// Of those, lost ([`Lost::total`]; for a case manager these are hand-offs
    /// they accepted but did not reach in time).
    pub lost: u64,
    /// Request → first accept, over the group's accepted hand-offs.
    pub time_to_accept: Percentiles,
    /// Request → arrival, over the group's hand-offs reached.
    pub time_to_arrival: Percentiles,
}

/// One hour of the week at one site on the demand map: the evidence for when to
/// staff. Each request counts in at most one of the three columns.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct DemandCell {
    pub site: SiteId,
    /// The hour of the week of the requests, in the site's time zone: Monday
    /// 00:00–00:59 is 0, Sunday 23:00–23:59 is 167.
    pub hour_of_week: u8,
    /// Requests someone accepted (in or out of hours).
    pub covered: u64,
    /// Requests made while the site was open that nobody accepted and that ended
    /// unanswered: unstaffed, given up, or expired before an accept.
    pub unanswered: u64,
    /// Requests made while the site was closed that nobody accepted (including
    /// those answered at once with the next opening time).
    pub out_of_hours: u64,
}

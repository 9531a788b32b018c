//! Hand-offs counted and timed by group: case manager, agency, officer, site, hour
//! of the week, week, or all ([`GroupStats`]; added up by [`aggregate`] in
//! `summary`).

use std::collections::BTreeMap;

use chrono::{DateTime, Datelike, Days, NaiveDate, Timelike, Utc};
use chrono_tz::Tz;
use handoff_schedules::SiteId;
use serde::{Deserialize, Serialize, Serializer};

use super::handoffs::metrics;
use super::percentiles::{Percentiles, PercentilesRow};
use super::summary::aggregate;
use crate::event::Event;
use crate::outcome::NotDivertedCode;

/// What hand-offs are grouped by.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum GroupBy {
    /// The person who accepted; never-accepted hand-offs go to [`NO_CASE_MANAGER`].
    CaseManager,
    Agency,
    Officer,
    Site,
    /// The hour of the week of the request in the site's local time: Monday 00:00–00:59
    /// is `0`, Sunday 23:00–23:59 is `167`. Groups sort numerically.
    HourOfWeek,
    /// The ISO week of the request in the site's local time, named by its Monday:
    /// `2024-03-04`.
    Week,
    /// The channel the accept came by (`sms`, `matrix`); never-accepted
    /// hand-offs, and accepts logged before channels were, go to
    /// [`NO_CASE_MANAGER`].
    Channel,
    /// Everything, in one group keyed [`ALL_KEY`].
    All,
}

/// The key of the group of hand-offs nobody accepted, under [`GroupBy::CaseManager`].
pub const NO_CASE_MANAGER: &str = "(none)";
/// The key of the one group of [`GroupBy::All`].
pub const ALL_KEY: &str = "all";

impl GroupBy {
    pub const ALL: [GroupBy; 8] = [
        GroupBy::CaseManager,
        GroupBy::Agency,
        GroupBy::Officer,
        GroupBy::Site,
        GroupBy::HourOfWeek,
        GroupBy::Week,
        GroupBy::Channel,
        GroupBy::All,
    ];

    /// The name used in query strings and file names.
    pub fn name(self) -> &'static str {
        match self {
            GroupBy::CaseManager => "case_manager",
            GroupBy::Agency => "agency",
            GroupBy::Officer => "officer",
            GroupBy::Site => "site",
            GroupBy::HourOfWeek => "hour_of_week",
            GroupBy::Week => "week",
            GroupBy::Channel => "channel",
            GroupBy::All => "all",
        }
    }
}

/// The hour of the week of an instant in a zone: Monday 00:00 = 0 .. Sunday 23:00 = 167.
pub fn hour_of_week(at: DateTime<Utc>, zone: Tz) -> u32 {
    let local = at.with_timezone(&zone);
    local.weekday().num_days_from_monday() * 24 + local.hour()
}

/// The Monday (local date) of the ISO week of an instant in a zone, as `YYYY-MM-DD`.
pub fn week_of(at: DateTime<Utc>, zone: Tz) -> String {
    week_start(at, zone).format("%Y-%m-%d").to_string()
}

/// The Monday (local date) of the ISO week of an instant in a zone.
pub fn week_start(at: DateTime<Utc>, zone: Tz) -> NaiveDate {
    monday_of(at.with_timezone(&zone).date_naive())
}

/// The Monday on or before a date (the date itself at the very start of the
/// calendar, where there is no Monday before it).
pub fn monday_of(date: NaiveDate) -> NaiveDate {
    let back = Days::new(u64::from(date.weekday().num_days_from_monday()));
    date.checked_sub_days(back).unwrap_or(date)
}

/// The counts and times of one group of hand-offs.
///
/// Serializes as one flat row (CSV writers cannot nest): the percentiles become
/// `response_count`, `response_p50_seconds`, … and `arrival_count`, ….
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct GroupStats {
    pub key: String,
    pub requests: u64,
    /// Requests made while the site was closed.
    pub after_hours: u64,
    /// Accepted at some point, whatever the outcome.
    pub accepted: u64,
    pub completed: u64,
    pub cancelled: u64,
    pub unstaffed: u64,
    pub out_of_hours: u64,
    pub expired: u64,
    /// Closed without a diversion, and how many for each code.
    pub not_diverted: u64,
    pub not_diverted_by_code: BTreeMap<NotDivertedCode, u64>,
    /// Not closed yet.
    pub open: u64,
    /// Times a case manager who accepted gave a hand-off back.
    pub given_back: u64,
    /// Hand-offs that became follow-ups, and those followed up.
    pub followups: u64,
    pub followed_up: u64,
    /// Sum of declines.
    pub declines: u64,
    /// Sum of steps started beyond the first.
    pub escalations: u64,
    /// Reached by a case manager in the field (`ARRIVED`)...
    pub field_meets: u64,
    /// ...or checked in at a diversion center after the officer's drop-off.
    pub dropoffs: u64,
    /// Request → accept, over the accepted hand-offs.
    pub response: Percentiles,
    /// Request → arrived, over the hand-offs reached.
    pub arrival: Percentiles,
}

#[derive(Serialize)]
struct GroupRow<'a> {
    key: &'a str,
    requests: u64,
    after_hours: u64,
    accepted: u64,
    completed: u64,
    cancelled: u64,
    unstaffed: u64,
    out_of_hours: u64,
    expired: u64,
    not_diverted: u64,
    not_diverted_declined: u64,
    not_diverted_ineligible: u64,
    not_diverted_left: u64,
    not_diverted_medical: u64,
    not_diverted_booked: u64,
    not_diverted_other: u64,
    open: u64,
    given_back: u64,
    followups: u64,
    followed_up: u64,
    declines: u64,
    escalations: u64,
    field_meets: u64,
    dropoffs: u64,
    response_count: u64,
    response_p50_seconds: Option<i64>,
    response_p90_seconds: Option<i64>,
    response_max_seconds: Option<i64>,
    arrival_count: u64,
    arrival_p50_seconds: Option<i64>,
    arrival_p90_seconds: Option<i64>,
    arrival_max_seconds: Option<i64>,
}

impl Serialize for GroupStats {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let response = PercentilesRow::from(&self.response);
        let arrival = PercentilesRow::from(&self.arrival);
        let code = |c: NotDivertedCode| self.not_diverted_by_code.get(&c).copied().unwrap_or(0);
        GroupRow {
            key: &self.key,
            requests: self.requests,
            after_hours: self.after_hours,
            accepted: self.accepted,
            completed: self.completed,
            cancelled: self.cancelled,
            unstaffed: self.unstaffed,
            out_of_hours: self.out_of_hours,
            expired: self.expired,
            not_diverted: self.not_diverted,
            not_diverted_declined: code(NotDivertedCode::Declined),
            not_diverted_ineligible: code(NotDivertedCode::Ineligible),
            not_diverted_left: code(NotDivertedCode::Left),
            not_diverted_medical: code(NotDivertedCode::Medical),
            not_diverted_booked: code(NotDivertedCode::Booked),
            not_diverted_other: code(NotDivertedCode::Other),
            open: self.open,
            given_back: self.given_back,
            followups: self.followups,
            followed_up: self.followed_up,
            declines: self.declines,
            escalations: self.escalations,
            field_meets: self.field_meets,
            dropoffs: self.dropoffs,
            response_count: response.count,
            response_p50_seconds: response.p50_seconds,
            response_p90_seconds: response.p90_seconds,
            response_max_seconds: response.max_seconds,
            arrival_count: arrival.count,
            arrival_p50_seconds: arrival.p50_seconds,
            arrival_p90_seconds: arrival.p90_seconds,
            arrival_max_seconds: arrival.max_seconds,
        }
        .serialize(serializer)
    }
}

/// [`metrics`] then [`aggregate`]: the groups straight from the event log.
pub fn summarize(
    events: &[Event],
    by: GroupBy,
    zone_of: &dyn Fn(&SiteId) -> Tz,
) -> Vec<GroupStats> {
    aggregate(&metrics(events), by, zone_of)
}

//! Which hand-offs a summary counts ([`Selection`]) and how its groups are added
//! up ([`Grouping`], a [`Tally`] per group). [`aggregate`] hands each hand-off's
//! metrics to its group as a group of one; a [`Tally`] also takes many alike
//! hand-offs at a time, and times as (value, how many), as a database counts
//! them.
//!
//! [`aggregate`]: super::aggregate

use std::collections::BTreeMap;

use chrono::{Duration, NaiveDate};
use chrono_tz::Tz;
use handoff_schedules::SiteId;

use super::groups::{ALL_KEY, GroupBy, GroupStats, NO_CASE_MANAGER, hour_of_week, week_start};
use super::handoffs::{Arrival, HandoffMetrics, Outcome};
use super::percentiles::Percentiles;
use crate::outcome::NotDivertedCode;

/// Which hand-offs a summary or report covers: those of `site` (any if `None`)
/// requested on the local dates `from` to `to`, both included, each date read in
/// the hand-off's own site's time zone (so "November" means November where the
/// officer was).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Selection {
    pub site: Option<SiteId>,
    /// First local date of request, included.
    pub from: Option<NaiveDate>,
    /// Last local date of request, included.
    pub to: Option<NaiveDate>,
}

impl Selection {
    /// Whether the hand-off is covered; `zone` is its site's time zone.
    pub fn admits(&self, m: &HandoffMetrics, zone: Tz) -> bool {
        let day = m.requested_at.with_timezone(&zone).date_naive();
        self.site.as_ref().is_none_or(|site| &m.site == site)
            && self.from.is_none_or(|from| day >= from)
            && self.to.is_none_or(|to| day <= to)
    }
}

/// What a group is named by, as each grouping finds it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Key {
    /// A case manager, channel, agency, officer or site; `None`: nobody
    /// accepted ([`NO_CASE_MANAGER`]).
    Name(Option<String>),
    /// An hour of the week, 0..=167: groups sort numerically.
    Hour(u32),
    /// The Monday of a week.
    Week(NaiveDate),
    /// The one group of [`GroupBy::All`].
    All,
}

impl Key {
    /// The key of a hand-off's group; `zone` is its site's time zone.
    fn of(m: &HandoffMetrics, by: GroupBy, zone: Tz) -> Key {
        match by {
            GroupBy::CaseManager => Key::Name(m.accepted_by.as_ref().map(|p| p.to_string())),
            GroupBy::Channel => Key::Name(m.accepted_via.map(|c| c.name().to_owned())),
            GroupBy::Agency => Key::Name(Some(m.agency.to_string())),
            GroupBy::Officer => Key::Name(Some(m.officer.to_string())),
            GroupBy::Site => Key::Name(Some(m.site.to_string())),
            GroupBy::HourOfWeek => Key::Hour(hour_of_week(m.requested_at, zone)),
            GroupBy::Week => Key::Week(week_start(m.requested_at, zone)),
            GroupBy::All => Key::All,
        }
    }

    /// (place in the order, the key as printed): the number orders hours of the
    /// week, 0 otherwise.
    fn sorted(self) -> (u32, String) {
        match self {
            Key::Name(name) => (0, name.unwrap_or_else(|| NO_CASE_MANAGER.to_owned())),
            Key::Hour(hour) => (hour, hour.to_string()),
            Key::Week(monday) => (0, monday.format("%Y-%m-%d").to_string()),
            Key::All => (0, ALL_KEY.to_owned()),
        }
    }
}

/// Hand-offs alike in everything a group counts them by.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub(crate) struct Alike {
    pub(crate) outcome: Outcome,
    pub(crate) not_diverted: Option<NotDivertedCode>,
    pub(crate) accepted: bool,
    pub(crate) after_hours: bool,
    /// It became a follow-up.
    pub(crate) followup: bool,
    pub(crate) followed_up: bool,
    /// How the person was reached, if they were: a field meet or a drop-off.
    pub(crate) arrival: Option<Arrival>,
}

impl Alike {
    fn of(m: &HandoffMetrics) -> Alike {
        Alike {
            outcome: m.outcome,
            not_diverted: m.not_diverted,
            accepted: m.accepted(),
            after_hours: m.after_hours,
            followup: m.followup.is_some(),
            followed_up: m.followed_up_at.is_some(),
            arrival: m.arrival,
        }
    }
}

/// What a group adds up over its hand-offs rather than counting them.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub(crate) struct Sums {
    pub(crate) given_back: u64,
    pub(crate) declines: u64,
    pub(crate) escalations: u64,
}

impl Sums {
    /// Another hand-off's (or group's) sums added in; saturating, as no real
    /// program comes near the limit and a count must never wrap to a small one.
    pub(crate) fn add(&mut self, other: Sums) {
        self.given_back = self.given_back.saturating_add(other.given_back);
        self.declines = self.declines.saturating_add(other.declines);
        self.escalations = self.escalations.saturating_add(other.escalations);
    }
}

/// A group being added up.
#[derive(Default)]
pub(crate) struct Tally {
    stats: GroupStats,
    /// (request → accept, how many hand-offs took it).
    responses: Vec<(Duration, u64)>,
    /// (request → arrived, how many).
    arrivals: Vec<(Duration, u64)>,
}

impl Tally {
    /// `n` alike hand-offs, with their sums.
    pub(crate) fn alike(&mut self, alike: &Alike, n: u64, sums: Sums) {
        let s = &mut self.stats;
        let of = |yes: bool| if yes { n } else { 0 };
        s.requests += n;
        s.after_hours += of(alike.after_hours);
        s.accepted += of(alike.accepted);
        match alike.outcome {
            Outcome::Open => s.open += n,
            Outcome::Completed => s.completed += n,
            Outcome::Cancelled => s.cancelled += n,
            Outcome::Unstaffed => s.unstaffed += n,
            Outcome::OutOfHours => s.out_of_hours += n,
            Outcome::Expired => s.expired += n,
            Outcome::NotDiverted => s.not_diverted += n,
        }
        if let Some(code) = alike.not_diverted {
            *s.not_diverted_by_code.entry(code).or_default() += n;
        }
        s.followups += of(alike.followup);
        s.followed_up += of(alike.followed_up);
        match alike.arrival {
            Some(Arrival::Field) => s.field_meets += n,
            Some(Arrival::DropOff) => s.dropoffs += n,
            None => {}
        }
        s.given_back += sums.given_back;
        s.declines += sums.declines;
        s.escalations += sums.escalations;
    }

    /// `n` hand-offs accepted `took` after the request.
    pub(crate) fn response(&mut self, took: Duration, n: u64) {
        self.responses.push((took, n));
    }

    /// `n` hand-offs reached `took` after the request.
    pub(crate) fn arrival(&mut self, took: Duration, n: u64) {
        self.arrivals.push((took, n));
    }

    /// One hand-off, a group of one.
    fn add(&mut self, m: &HandoffMetrics) {
        let sums = Sums {
            given_back: u64::from(m.given_back),
            declines: u64::from(m.declines),
            escalations: u64::from(m.escalations()),
        };
        self.alike(&Alike::of(m), 1, sums);
        if let Some(took) = m.time_to_accept() {
            self.response(took, 1);
        }
        if let Some(took) = m.time_to_arrival() {
            self.arrival(took, 1);
        }
    }
}

/// Groups of hand-offs being added up, by key.
#[derive(Default)]
pub(crate) struct Grouping {
    groups: BTreeMap<(u32, String), Tally>,
}

impl Grouping {
    /// The group of `key`, made if new.
    pub(crate) fn group(&mut self, key: Key) -> &mut Tally {
        self.groups.entry(key.sorted()).or_default()
    }

    /// The groups, sorted by key (hour of week numerically).
    pub(crate) fn finish(self) -> Vec<GroupStats> {
        self.groups
            .into_iter()
            .map(|((_, key), tally)| GroupStats {
                key,
                response: Percentiles::of_counts(&tally.responses),
                arrival: Percentiles::of_counts(&tally.arrivals),
                ..tally.stats
            })
            .collect()
    }
}

/// The hand-offs grouped, one [`GroupStats`] per key that has at least one hand-off,
/// sorted by key (hour of week numerically). `zone_of` gives a site's time zone, used
/// only for [`GroupBy::HourOfWeek`] and [`GroupBy::Week`].
pub fn aggregate(
    metrics: &[HandoffMetrics],
    by: GroupBy,
    zone_of: &dyn Fn(&SiteId) -> Tz,
) -> Vec<GroupStats> {
    let mut grouping = Grouping::default();
    for m in metrics {
        grouping.group(Key::of(m, by, zone_of(&m.site))).add(m);
    }
    grouping.finish()
}

//! Temporary changes on top of the regular shifts and rotations, for a span of real
//! time: someone covers for someone else, is added, or is taken off. They are applied
//! in the order they are written, after the regular schedule is worked out.
//!
//! An override is written down once (in the configuration file or on the dashboard)
//! as an [`OverrideSpec`]: its bounds are wall-clock times of each site it names, or
//! exact instants. Placing it in a site's schedule ([`SiteSchedule::add_override`])
//! turns it into an [`Override`] over that site's real time; both sources go through
//! that one step, so an override takes effect the same wherever it was written.

use std::fmt;
use std::str::FromStr;

use chrono::{DateTime, NaiveDateTime, SecondsFormat, Utc};
use chrono_tz::Tz;

use crate::ids::{PersonId, Role, SiteId};
use crate::interval::Interval;
use crate::local::resolve_local;
use crate::schedule::SiteSchedule;

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum OverrideKind {
    /// `covering` takes every duty `covered` would have had, in the same role.
    Cover {
        covering: PersonId,
        covered: PersonId,
    },
    /// `person` is on duty as `role` in addition to the regular schedule.
    Add { person: PersonId, role: Role },
    /// `person` is off duty whatever the regular schedule says (sick, on leave).
    Remove { person: PersonId },
}

impl OverrideKind {
    /// The word the configuration and the dashboard use for the kind.
    pub fn name(&self) -> &'static str {
        match self {
            OverrideKind::Cover { .. } => "cover",
            OverrideKind::Add { .. } => "add",
            OverrideKind::Remove { .. } => "remove",
        }
    }

    /// The person the override is about: who covers, is added or is taken off.
    pub fn person(&self) -> &PersonId {
        match self {
            OverrideKind::Cover { covering, .. } => covering,
            OverrideKind::Add { person, .. } | OverrideKind::Remove { person } => person,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Override {
    pub kind: OverrideKind,
    pub during: Interval,
}

/// Applies the overrides in force at `at`, in order, to the regular duty list.
pub fn apply(overrides: &[Override], at: DateTime<Utc>, duty: &mut Vec<(PersonId, Role)>) {
    for entry in overrides.iter().filter(|o| o.during.contains(at)) {
        match &entry.kind {
            OverrideKind::Cover { covering, covered } => {
                for (person, _) in duty.iter_mut().filter(|(p, _)| p == covered) {
                    *person = covering.clone();
                }
            }
            OverrideKind::Add { person, role } => duty.push((person.clone(), *role)),
            OverrideKind::Remove { person } => duty.retain(|(p, _)| p != person),
        }
    }
}

/// Where an override starts or ends, as written: an exact instant, or a wall-clock
/// time read in each site's own zone (so an override for every site written from
/// 08:00 starts at 08:00 at each, whatever its zone).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Moment {
    Exact(DateTime<Utc>),
    Local(NaiveDateTime),
}

/// How a local moment is written when it is kept: seconds always, no zone.
const LOCAL_FORMAT: &str = "%Y-%m-%dT%H:%M:%S";

impl Moment {
    /// The instant it names at a site in `tz` (a local time in a gap or an overlap
    /// as `resolve_local` reads it).
    pub fn in_zone(self, tz: Tz) -> DateTime<Utc> {
        match self {
            Moment::Exact(at) => at,
            Moment::Local(local) => resolve_local(tz, local),
        }
    }
}

/// `2026-12-28T08:00:00` (local) or `2026-12-28T13:00:00Z` (exact): the form it is
/// kept in, read back by `FromStr`.
impl fmt::Display for Moment {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Moment::Exact(at) => f.write_str(&at.to_rfc3339_opts(SecondsFormat::Secs, true)),
            Moment::Local(local) => write!(f, "{}", local.format(LOCAL_FORMAT)),
        }
    }
}

/// A kept moment that does not read back: the text it was.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("`{0}` is not a kept moment (2026-12-28T08:00:00 or RFC 3339)")]
pub struct BadMoment(pub String);

/// Reads back what `Display` wrote. People's writing is read by the configuration,
/// with its own messages and ranges.
impl FromStr for Moment {
    type Err = BadMoment;

    fn from_str(text: &str) -> Result<Moment, BadMoment> {
        if let Ok(exact) = DateTime::parse_from_rfc3339(text) {
            return Ok(Moment::Exact(exact.with_timezone(&Utc)));
        }
        NaiveDateTime::parse_from_str(text, LOCAL_FORMAT)
            .map(Moment::Local)
            .map_err(|_| BadMoment(text.to_owned()))
    }
}

/// An override as it is written down, before it is placed in the schedules of the
/// sites it names.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OverrideSpec {
    pub kind: OverrideKind,
    /// The sites it applies to; `None`: every site.
    pub sites: Option<Vec<SiteId>>,
    pub from: Moment,
    pub to: Moment,
    /// Why, for the people who keep the schedule (may be empty).
    pub note: String,
}

impl OverrideSpec {
    pub fn applies_to(&self, site: &SiteId) -> bool {
        self.sites.as_ref().is_none_or(|sites| sites.contains(site))
    }

    /// Its span at a site in `tz`, or `None` if there it would end before it starts.
    pub fn during(&self, tz: Tz) -> Option<Interval> {
        Interval::new(self.from.in_zone(tz), self.to.in_zone(tz))
    }

    /// Everyone it names: the person, and whom they cover.
    pub fn people(&self) -> Vec<&PersonId> {
        match &self.kind {
            OverrideKind::Cover { covering, covered } => vec![covering, covered],
            OverrideKind::Add { person, .. } | OverrideKind::Remove { person } => vec![person],
        }
    }
}

impl SiteSchedule {
    /// Places `spec` after the overrides already here, if it applies to this site.
    /// `false` (and nothing placed) if it would end before it starts in this
    /// site's zone.
    pub fn add_override(&mut self, spec: &OverrideSpec) -> bool {
        if !spec.applies_to(&self.site) {
            return true;
        }
        match spec.during(self.tz) {
            Some(during) => {
                self.overrides.push(Override {
                    kind: spec.kind.clone(),
                    during,
                });
                true
            }
            None => false,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::NaiveDate;

    fn local(day: u32, hour: u32) -> NaiveDateTime {
        NaiveDate::from_ymd_opt(2026, 12, day)
            .and_then(|d| d.and_hms_opt(hour, 0, 0))
            .unwrap()
    }

    fn spec(sites: Option<Vec<&str>>) -> OverrideSpec {
        OverrideSpec {
            kind: OverrideKind::Remove {
                person: PersonId::parse("dana").unwrap(),
            },
            sites: sites.map(|s| s.iter().map(|id| SiteId::parse(id).unwrap()).collect()),
            from: Moment::Local(local(28, 8)),
            to: Moment::Local(local(31, 16)),
            note: String::new(),
        }
    }

    #[test]
    fn moments_read_back_what_they_were_kept_as() {
        let exact = Moment::Exact(DateTime::from_timestamp(1_798_000_000, 0).unwrap());
        for moment in [Moment::Local(local(28, 8)), exact] {
            assert_eq!(moment.to_string().parse::<Moment>(), Ok(moment));
        }
        assert_eq!(
            Moment::Local(local(28, 8)).to_string(),
            "2026-12-28T08:00:00"
        );
        assert!("2026-12-28 08:00".parse::<Moment>().is_err());
    }

    #[test]
    fn a_local_override_starts_at_the_same_wall_clock_time_in_every_zone() {
        let spec = spec(None);
        let new_york = spec.during(chrono_tz::America::New_York).unwrap();
        let denver = spec.during(chrono_tz::America::Denver).unwrap();
        assert_eq!(new_york.start.to_rfc3339(), "2026-12-28T13:00:00+00:00");
        assert_eq!(denver.start - new_york.start, chrono::Duration::hours(2));
    }

    #[test]
    fn an_override_is_placed_only_at_the_sites_it_names() {
        let metro = SiteId::parse("metro").unwrap();
        let mut schedule = SiteSchedule::new(metro, chrono_tz::America::New_York);
        assert!(schedule.add_override(&spec(Some(vec!["elsewhere"]))));
        assert!(schedule.overrides.is_empty());
        assert!(schedule.add_override(&spec(Some(vec!["elsewhere", "metro"]))));
        assert!(schedule.add_override(&spec(None)));
        assert_eq!(schedule.overrides.len(), 2);
        let mut reversed = spec(None);
        std::mem::swap(&mut reversed.from, &mut reversed.to);
        assert!(!schedule.add_override(&reversed));
        assert_eq!(schedule.overrides.len(), 2);
    }
}

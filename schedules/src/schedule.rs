//! One site's whole schedule: its zone, operating hours, closures, and the shifts,
//! rotations and overrides of its staff. This is plain data, built by the config
//! crate; the questions asked of it live in `query`.

use chrono::{DateTime, Utc};
use chrono_tz::Tz;

use crate::closures::{Closure, closure_at};
use crate::ids::{PersonId, Role, SiteId};
use crate::overrides::Override;
use crate::rotation::Rotation;
use crate::week::Window;

/// Whether a duty follows the site's hours.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub enum When {
    /// Only while the site is open: regular staff, who are off on holidays.
    #[default]
    Open,
    /// Only while the site is closed: the after-hours on-call coordinator.
    Closed,
    /// Whether or not the site is open: e.g. a project manager always reachable.
    Always,
}

impl When {
    pub fn admits(self, open: bool) -> bool {
        match self {
            When::Open => open,
            When::Closed => !open,
            When::Always => true,
        }
    }
}

/// When a shift or rotation puts someone on duty: within its windows (all the time if
/// it has none), and only when the site's openness is what `when` asks.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Availability {
    pub windows: Vec<Window>,
    pub when: When,
}

impl Availability {
    pub fn admits(&self, tz: Tz, at: DateTime<Utc>, open: bool) -> bool {
        self.when.admits(open)
            && (self.windows.is_empty() || self.windows.iter().any(|w| w.contains(tz, at)))
    }
}

/// A person's regular, recurring duty in one role.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Shift {
    pub person: PersonId,
    pub role: Role,
    pub availability: Availability,
}

#[derive(Debug, Clone, PartialEq)]
pub struct SiteSchedule {
    pub site: SiteId,
    pub tz: Tz,
    /// Operating hours. A site with none is never open (on-call only).
    pub hours: Vec<Window>,
    pub closures: Vec<Closure>,
    pub shifts: Vec<Shift>,
    pub rotations: Vec<Rotation>,
    pub overrides: Vec<Override>,
}

impl SiteSchedule {
    /// An empty schedule: never open, nobody on duty.
    pub fn new(site: SiteId, tz: Tz) -> SiteSchedule {
        SiteSchedule {
            site,
            tz,
            hours: Vec::new(),
            closures: Vec::new(),
            shifts: Vec::new(),
            rotations: Vec::new(),
            overrides: Vec::new(),
        }
    }

    /// Everyone the schedule names: in a shift, a rotation, or an override that
    /// adds or covers. Someone only removed by an override is not named.
    pub fn people(&self) -> std::collections::BTreeSet<PersonId> {
        let mut people: std::collections::BTreeSet<PersonId> =
            self.shifts.iter().map(|s| s.person.clone()).collect();
        for rotation in &self.rotations {
            people.extend(rotation.members.iter().cloned());
        }
        for o in &self.overrides {
            match &o.kind {
                crate::overrides::OverrideKind::Cover {
                    covering: person, ..
                }
                | crate::overrides::OverrideKind::Add { person, .. } => {
                    people.insert(person.clone());
                }
                crate::overrides::OverrideKind::Remove { .. } => {}
            }
        }
        people
    }

    /// Whether the site keeps its operating hours at `at`, closures included; never
    /// outside the years the schedules answer for (see `bounds`).
    pub(crate) fn open_at(&self, at: DateTime<Utc>) -> bool {
        if !crate::bounds::in_range(at) {
            return false;
        }
        match closure_at(&self.closures, self.tz, at) {
            Some(closure) => closure
                .reduced_spans(self.tz, crate::local::to_local(self.tz, at).date())
                .iter()
                .any(|span| span.contains(at)),
            None => self.hours.iter().any(|w| w.contains(self.tz, at)),
        }
    }
}

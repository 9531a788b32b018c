//! Schedule overrides kept in the database: added on the dashboard by an admin
//! (checked there by the configuration's own rules for `[[overrides]]`) and merged
//! into the schedules that decisions see, after the configuration file's own
//! overrides, in the order they were added.
//!
//! A reload of the configuration may since have dropped a person an override names,
//! or a role it adds them in. Such an override is kept, but not applied: routing
//! must never see someone the roster does not know, and the dashboard says why it
//! is not in force.

use chrono::{DateTime, Utc};
use handoff_schedules::{OverrideKind, OverrideSpec, PersonId, Role, SiteSchedule};

use crate::directory::Directory;
use crate::roster::Roster;

/// An override as stored, with who added it and, once removed, who removed it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredOverride {
    /// Its number, in the order overrides were added.
    pub id: i64,
    pub spec: OverrideSpec,
    /// The dashboard user who added it.
    pub added_by: String,
    pub added_at: DateTime<Utc>,
    pub removed: Option<Removal>,
}

/// Who took an override off the schedule, and when.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Removal {
    pub by: String,
    pub at: DateTime<Utc>,
}

/// Why a stored override is not applied under the configuration in force.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum Inapplicable {
    #[error("`{0}` is no longer in the configuration")]
    UnknownPerson(PersonId),
    #[error("`{0}` is no longer a {1}")]
    LacksRole(PersonId, Role),
}

/// Why `spec` cannot be applied with `roster`, if it cannot.
pub fn inapplicable(spec: &OverrideSpec, roster: &Roster) -> Option<Inapplicable> {
    if let Some(gone) = spec
        .people()
        .into_iter()
        .find(|person| !roster.people.contains_key(*person))
    {
        return Some(Inapplicable::UnknownPerson(gone.clone()));
    }
    match &spec.kind {
        OverrideKind::Add { person, role }
            if roster
                .people
                .get(person)
                .is_some_and(|p| !p.roles.contains(role)) =>
        {
            Some(Inapplicable::LacksRole(person.clone(), *role))
        }
        _ => None,
    }
}

/// Places the stored overrides that apply to `schedule`'s site after the overrides
/// already there (the configuration's), in the order given, leaving out removed
/// ones and those [`inapplicable`] with `roster`.
pub fn merge(schedule: &mut SiteSchedule, roster: &Roster, stored: &[StoredOverride]) {
    for entry in stored {
        if entry.removed.is_none() && inapplicable(&entry.spec, roster).is_none() {
            // `false` only where the override would end before it starts in this
            // site's zone (both ends in one skipped hour): nothing to place.
            schedule.add_override(&entry.spec);
        }
    }
}

impl Directory {
    /// This directory with `stored` merged into every site's schedule (see
    /// [`merge`]), and the count of sites each person serves made again.
    pub fn with_stored_overrides(&self, stored: &[StoredOverride]) -> Directory {
        let mut merged = self.clone();
        if stored.is_empty() {
            return merged;
        }
        for entry in merged.sites.values_mut() {
            merge(&mut entry.schedule, &self.roster, stored);
        }
        merged.count_sites_served();
        merged
    }
}

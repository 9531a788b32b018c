//! Temporary changes on top of the regular shifts and rotations, for a span of real
//! time: someone covers for someone else, is added, or is taken off. They are applied
//! in the order they are written, after the regular schedule is worked out.

use chrono::{DateTime, Utc};

use crate::ids::{PersonId, Role};
use crate::interval::Interval;

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

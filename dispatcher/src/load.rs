//! What routing needs to know about people beyond the schedule: who is busy on
//! another hand-off, how many open cases each carries, when each was last offered a
//! hand-off (for fair one-at-a-time order), and who cannot be reached. A snapshot,
//! read from the store before each decision.

use std::collections::{BTreeMap, BTreeSet};

use chrono::{DateTime, Utc};
use handoff_schedules::PersonId;

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Load {
    /// Accepted, en route or at the scene of another hand-off.
    pub busy: BTreeSet<PersonId>,
    /// Open cases: the caseload staff recorded plus accepted hand-offs whose intake is
    /// still pending.
    pub open_cases: BTreeMap<PersonId, u32>,
    /// When each person was last offered any hand-off.
    pub last_offered: BTreeMap<PersonId, DateTime<Utc>>,
    /// People no transport can reach (opted out of SMS and not on Matrix).
    pub unreachable: BTreeSet<PersonId>,
}

impl Load {
    pub fn open_cases(&self, person: &PersonId) -> u32 {
        self.open_cases.get(person).copied().unwrap_or(0)
    }
}

//! What routing needs to know about people beyond the schedule: who is busy on
//! another hand-off, how many open cases each carries, when each was last offered a
//! hand-off (for fair one-at-a-time order), and who cannot be reached. A snapshot,
//! read from the store before each decision.

use std::collections::{BTreeMap, BTreeSet};

use chrono::{DateTime, Utc};
use handoff_schedules::PersonId;

use crate::handoff::{Handoff, State};
use crate::roster::CenterId;

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Load {
    /// Accepted, en route or at the scene of another hand-off.
    pub busy: BTreeSet<PersonId>,
    /// Open cases: hand-offs a person holds (accepted and not closed), and arrest
    /// diversions they completed whose intake is still owed.
    pub open_cases: BTreeMap<PersonId, u32>,
    /// When each person was last offered any hand-off.
    pub last_offered: BTreeMap<PersonId, DateTime<Utc>>,
    /// People no transport can reach (opted out of SMS and not on Matrix).
    pub unreachable: BTreeSet<PersonId>,
    /// People on their way to each diversion center: hand-offs dropped off there
    /// and not yet checked in or closed (what a center's capacity counts).
    pub on_the_way: BTreeMap<CenterId, u32>,
}

impl Load {
    pub fn open_cases(&self, person: &PersonId) -> u32 {
        self.open_cases.get(person).copied().unwrap_or(0)
    }

    /// Counts one hand-off towards its assignee's load: busy while they hold it
    /// (accepted, on the way, at the scene), and one open case while they hold it
    /// or, once completed, until its intake is recorded (`intake_recorded`). The
    /// one place these rules live; the store only finds the candidates.
    pub fn count(&mut self, handoff: &Handoff, intake_recorded: bool) {
        // An overdue drop-off was told to its center and supervisors and holds no
        // place: the person most likely is not coming, and others may be.
        if let State::DroppingOff {
            center,
            overdue: false,
        } = &handoff.state
        {
            let on_the_way = self.on_the_way.entry(center.clone()).or_insert(0);
            *on_the_way = on_the_way.saturating_add(1);
        }
        let Some(person) = handoff.state.assignee() else {
            return;
        };
        let holding = handoff.state.is_active_assignment();
        let intake_owed = matches!(handoff.state, State::Completed { .. })
            && handoff.intake_due.is_some()
            && !intake_recorded;
        if holding {
            self.busy.insert(person.clone());
        }
        if holding || intake_owed {
            let cases = self.open_cases.entry(person.clone()).or_insert(0);
            *cases = cases.saturating_add(1);
        }
    }
}

//! Escalation policies as data: ordered steps, each saying who is offered the
//! hand-off, how (all at once or one at a time) and how long to wait for an answer
//! before the next step starts.

use std::time::Duration;

use handoff_schedules::{PersonId, Role};

use crate::roster::PolicyId;

/// Who a step offers the hand-off to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum StepTarget {
    /// Everyone on duty at the site in this role when the step starts.
    Role(Role),
    /// These people, whatever the schedule says: naming them is the program's way of
    /// saying "always try these" (a supervisor's or manager's own phone).
    People(Vec<PersonId>),
    /// Everyone on duty at the site, whatever their role.
    AllOnDuty,
    /// This person if they are on duty at the site, in any role: the case manager
    /// an officer asked for by name.
    IfOnDuty(PersonId),
}

/// How a step offers.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Strategy {
    /// To all of the step's people at once; the first accept wins.
    Broadcast,
    /// To one person at a time, least recently offered first; each gets the step's
    /// timeout before the next is tried.
    OneAtATime,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Step {
    pub target: StepTarget,
    pub strategy: Strategy,
    /// How long to wait for an accept before moving on; never zero.
    pub timeout: Duration,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EscalationPolicy {
    pub id: PolicyId,
    /// At least one step.
    pub steps: Vec<Step>,
}

//! Who is offered a hand-off next: a pure function of the hand-off, the step, the
//! schedule and the load at an explicit instant.
//!
//! A step is worked in *rounds*. A round is the set of people offered at once, given
//! the step's timeout to answer:
//! - **broadcast**: everyone available in one round; but if the request names a zone
//!   and some of them serve it, they form the first round and the rest the second,
//!   so nearby case managers are asked first without anyone being skipped;
//! - **one at a time**: one person per round, zone first, then least recently offered
//!   (never-offered first), so offers spread fairly over days.
//!
//! Availability is judged when each round starts, not when the step starts: someone
//! who took another hand-off meanwhile is not offered this one.

use chrono::{DateTime, Duration, Utc};
use handoff_schedules::{PersonId, Role, SiteSchedule};

use crate::escalation::{EscalationPolicy, Step, StepTarget, Strategy};
use crate::handoff::Handoff;
use crate::load::Load;
use crate::roster::Roster;

/// Settings of the dispatcher that are not per step.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Settings {
    /// An accepted hand-off whose case manager has not arrived by then expires.
    pub arrival_limit: Duration,
    /// Days an accepted arrest diversion has to complete intake.
    pub intake_days: u32,
}

impl Default for Settings {
    fn default() -> Settings {
        Settings {
            arrival_limit: Duration::hours(3),
            intake_days: 30,
        }
    }
}

/// Everything a decision reads besides the hand-off itself.
#[derive(Debug, Clone, Copy)]
pub struct World<'a> {
    pub site_name: &'a str,
    pub site: &'a SiteSchedule,
    pub policy: &'a EscalationPolicy,
    pub roster: &'a Roster,
    pub load: &'a Load,
    pub settings: &'a Settings,
}

/// When a policy has no step to borrow a timeout from (it always has one: the
/// config refuses empty policies), the on-call coordinator gets this long.
const DEFAULT_ON_CALL_TIMEOUT: std::time::Duration = std::time::Duration::from_secs(5 * 60);

/// The steps a hand-off goes through. A request made while the site is closed first
/// offers the on-call coordinator(s), then follows the policy, whose steps usually
/// find nobody on duty at night and are skipped at once.
pub fn steps(after_hours: bool, policy: &EscalationPolicy) -> Vec<Step> {
    let mut steps = Vec::with_capacity(policy.steps.len() + 1);
    if after_hours {
        steps.push(Step {
            target: StepTarget::Role(Role::Coordinator),
            strategy: Strategy::Broadcast,
            timeout: policy
                .steps
                .first()
                .map_or(DEFAULT_ON_CALL_TIMEOUT, |s| s.timeout),
        });
    }
    steps.extend(policy.steps.iter().cloned());
    steps
}

/// The people the step targets at `now`, before availability is considered.
fn targeted(step: &Step, site: &SiteSchedule, now: DateTime<Utc>) -> Vec<PersonId> {
    let on_duty = site.on_duty(now);
    let mut people: Vec<PersonId> = match &step.target {
        StepTarget::Role(role) => on_duty
            .into_iter()
            .filter(|(_, r)| r == role)
            .map(|(p, _)| p)
            .collect(),
        StepTarget::AllOnDuty => on_duty.into_iter().map(|(p, _)| p).collect(),
        // People named in a policy are asked whatever the schedule says: naming them
        // is the program's way of saying "always try these".
        StepTarget::People(list) => list.clone(),
    };
    let mut seen = std::collections::BTreeSet::new();
    people.retain(|p| seen.insert(p.clone()));
    people
}

/// Why someone targeted by a step is not offered the hand-off.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Unavailable {
    AlreadyOffered,
    Busy,
    AtCaseloadCap,
    Unreachable,
    NotInRoster,
}

pub fn availability(
    person: &PersonId,
    handoff: &Handoff,
    world: &World<'_>,
) -> Result<(), Unavailable> {
    let Some(entry) = world.roster.people.get(person) else {
        return Err(Unavailable::NotInRoster);
    };
    if handoff.was_offered(person) {
        return Err(Unavailable::AlreadyOffered);
    }
    if world.load.busy.contains(person) {
        return Err(Unavailable::Busy);
    }
    if entry
        .caseload_cap
        .is_some_and(|cap| world.load.open_cases(person) >= cap)
    {
        return Err(Unavailable::AtCaseloadCap);
    }
    if world.load.unreachable.contains(person) || (entry.phone.is_none() && entry.matrix.is_none())
    {
        return Err(Unavailable::Unreachable);
    }
    Ok(())
}

/// The people to offer in the next round of `step`, or none if the step is done.
pub fn next_round(
    handoff: &Handoff,
    step: &Step,
    world: &World<'_>,
    now: DateTime<Utc>,
) -> Vec<PersonId> {
    let available: Vec<PersonId> = targeted(step, world.site, now)
        .into_iter()
        .filter(|p| availability(p, handoff, world).is_ok())
        .collect();
    let in_zone = |p: &PersonId| {
        handoff.request.zone.as_ref().is_some_and(|zone| {
            world
                .roster
                .people
                .get(p)
                .is_some_and(|person| person.zones.contains(zone))
        })
    };
    match step.strategy {
        Strategy::Broadcast => {
            let nearby: Vec<PersonId> = available.iter().filter(|p| in_zone(p)).cloned().collect();
            if nearby.is_empty() { available } else { nearby }
        }
        Strategy::OneAtATime => {
            let mut ordered = available;
            ordered.sort_by(|a, b| {
                let key = |p: &PersonId| (!in_zone(p), world.load.last_offered.get(p).copied());
                // `None` (never offered) sorts before any instant.
                key(a).cmp(&key(b)).then_with(|| a.cmp(b))
            });
            ordered.into_iter().take(1).collect()
        }
    }
}

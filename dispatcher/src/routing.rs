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
    /// Days an accepted arrest diversion has to complete intake (a site may set
    /// its own: [`World::intake_days`]).
    pub intake_days: u32,
    /// How long past an ETA, with no ARRIVED, before the case manager is asked for
    /// a new one; as long again before the supervisor hears and the officer is told.
    pub eta_grace: Duration,
    /// Days before the intake deadline to remind the case manager who accepted
    /// (0: no reminder).
    pub intake_reminder_days: u32,
    /// Whether supervisors and the project manager are alerted while the site is
    /// closed (nobody took a request, a case manager is late). Without it those
    /// alerts wait for the digest when the site opens, as follow-ups.
    pub after_hours_alerts: bool,
    /// Who an unregistered sender should contact to be registered, as said in
    /// the reply ("the LEAD coordinator at 412-555-0100").
    pub registration_contact: Option<String>,
}

impl Default for Settings {
    fn default() -> Settings {
        Settings {
            arrival_limit: Duration::hours(3),
            intake_days: 30,
            eta_grace: Duration::minutes(10),
            intake_reminder_days: 7,
            after_hours_alerts: false,
            registration_contact: None,
        }
    }
}

/// Everything a decision reads besides the hand-off itself.
#[derive(Debug, Clone, Copy)]
pub struct World<'a> {
    pub site_name: &'a str,
    pub site: &'a SiteSchedule,
    pub policy: &'a EscalationPolicy,
    /// The policy for requests made while the site is closed, if it has its own.
    pub after_hours_policy: Option<&'a EscalationPolicy>,
    /// The site's own intake deadline in days, if it sets one.
    pub site_intake_days: Option<u32>,
    /// The site's diversion centers, in the order of the file.
    pub centers: &'a [crate::center::Center],
    /// How many sites each person serves (has any duty at): an offer to someone
    /// serving several names the site.
    pub sites_served: &'a std::collections::BTreeMap<PersonId, usize>,
    pub roster: &'a Roster,
    pub load: &'a Load,
    pub settings: &'a Settings,
}

/// When a policy has no step to borrow a timeout from (it always has one: the
/// config refuses empty policies), the on-call coordinator gets this long.
const DEFAULT_ON_CALL_TIMEOUT: std::time::Duration = std::time::Duration::from_secs(5 * 60);

/// The steps a hand-off goes through, the same for its whole life (they are
/// indexed by number in its state and offers):
/// - first, the case manager the officer asked for, if any (skipped at once when
///   they are not on duty or not free), with the first step's timeout;
/// - a request made while the site was closed follows the site's after-hours
///   policy if it has one; otherwise it first offers the on-call coordinator(s),
///   with the first daytime step's timeout, then the daytime policy, whose steps
///   usually find nobody on duty at night and are skipped at once;
/// - any other request follows the site's policy.
pub fn steps(handoff: &Handoff, world: &World<'_>) -> Vec<Step> {
    let daytime = world.policy;
    let policy = match (handoff.after_hours, world.after_hours_policy) {
        (true, Some(night)) => night,
        _ => daytime,
    };
    let first_timeout = policy
        .steps
        .first()
        .map_or(DEFAULT_ON_CALL_TIMEOUT, |s| s.timeout);
    let mut steps = Vec::with_capacity(policy.steps.len() + 2);
    if let Some(person) = &handoff.request.asked_for {
        steps.push(Step {
            target: StepTarget::IfOnDuty(person.clone()),
            strategy: Strategy::Broadcast,
            timeout: first_timeout,
        });
    }
    if handoff.after_hours && world.after_hours_policy.is_none() {
        steps.push(Step {
            target: StepTarget::Role(Role::Coordinator),
            strategy: Strategy::Broadcast,
            timeout: first_timeout,
        });
    }
    steps.extend(policy.steps.iter().cloned());
    steps
}

/// The longest a search for someone can take from `now`, if nobody answers: each
/// step's timeout once per round it would offer, given who is available now (a
/// step with nobody is skipped at once). What the officer is told to expect.
pub fn search_bound(handoff: &Handoff, world: &World<'_>, now: DateTime<Utc>) -> Duration {
    let mut total = Duration::zero();
    for step in steps(handoff, world) {
        let available: Vec<PersonId> = targeted(&step, world.site, now)
            .into_iter()
            .filter(|p| availability(p, handoff, world).is_ok())
            .collect();
        let rounds = match step.strategy {
            _ if available.is_empty() => 0,
            Strategy::OneAtATime => available.len(),
            Strategy::Broadcast => {
                let nearby = available
                    .iter()
                    .filter(|p| in_zone(handoff, world, p))
                    .count();
                if nearby == 0 || nearby == available.len() {
                    1
                } else {
                    2
                }
            }
        };
        let timeout = Duration::from_std(step.timeout).unwrap_or(Duration::MAX);
        let rounds = i32::try_from(rounds).unwrap_or(i32::MAX);
        let step_total = timeout.checked_mul(rounds).unwrap_or(Duration::MAX);
        total = total.checked_add(&step_total).unwrap_or(Duration::MAX);
    }
    total
}

fn in_zone(handoff: &Handoff, world: &World<'_>, person: &PersonId) -> bool {
    handoff.request.zone.as_ref().is_some_and(|zone| {
        world
            .roster
            .people
            .get(person)
            .is_some_and(|p| p.zones.contains(zone))
    })
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
        StepTarget::IfOnDuty(person) => on_duty
            .into_iter()
            .filter(|(p, _)| p == person)
            .map(|(p, _)| p)
            .collect(),
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
    if handoff.offered_this_time(person) {
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
    let in_zone = |p: &PersonId| in_zone(handoff, world, p);
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

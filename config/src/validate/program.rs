//! The `[program]` table (its name, deadlines, limits and settings) and the
//! escalation policies, with their steps.

use std::collections::{BTreeMap, HashSet};
use std::ops::Range;
use std::time::Duration;

use handoff_dispatcher::{EscalationPolicy, Person, PolicyId, Step, StepTarget, Strategy};
use handoff_schedules::{PersonId, Role};
use toml::Spanned;

use super::ranges::{
    ARRIVAL_LIMIT, ETA_GRACE, INTAKE_DAYS, INTAKE_REMINDER_DAYS, Limit, MESSAGE_RETENTION,
    REGISTRATION_CONTACT_CHARS, STEP_TIMEOUT, duration_within, number_within, parse_duration,
};
use super::text::{plain_text, sms_line};
use super::values::{check_unique, parse_with, required};
use super::{
    DEFAULT_AFTER_HOURS_ALERTS, DEFAULT_ARRIVAL_LIMIT, DEFAULT_ETA_GRACE, DEFAULT_INTAKE_DAYS,
    DEFAULT_INTAKE_REMINDER_DAYS, DEFAULT_MESSAGE_RETENTION,
};
use crate::error::Problems;
use crate::model::Program;
use crate::raw::{RawPolicy, RawProgram, RawStep, RawWho, Text};

pub(super) fn program(
    p: &mut Problems,
    raw: Option<&Spanned<RawProgram>>,
    whole_file: Range<usize>,
) -> Program {
    let Some(raw) = raw else {
        p.push(
            whole_file.start..whole_file.start,
            "program",
            "missing: add a [program] table with a `name`",
        );
        return defaults(String::new());
    };
    let name = required(p, &raw.get_ref().name, raw.span(), "program.name")
        .and_then(|t| plain_text(p, t, "program.name"))
        .unwrap_or_default();
    let program = raw.get_ref();
    let intake_days = or_default(program.intake_days.as_ref(), DEFAULT_INTAKE_DAYS, |days| {
        number_within(p, days, "program.intake_days", &INTAKE_DAYS)
    });
    let reminder = intake_reminder(p, program, intake_days);
    let arrival_limit = duration_or_default(
        p,
        program.arrival_limit.as_ref(),
        "program.arrival_limit",
        &ARRIVAL_LIMIT,
        DEFAULT_ARRIVAL_LIMIT,
    );
    let message_retention = duration_or_default(
        p,
        program.message_retention.as_ref(),
        "program.message_retention",
        &MESSAGE_RETENTION,
        DEFAULT_MESSAGE_RETENTION,
    );
    let eta_grace = duration_or_default(
        p,
        program.eta_grace.as_ref(),
        "program.eta_grace",
        &ETA_GRACE,
        DEFAULT_ETA_GRACE,
    );
    Program {
        name,
        intake_days: intake_days.unwrap_or(DEFAULT_INTAKE_DAYS),
        arrival_limit,
        message_retention,
        eta_grace,
        intake_reminder_days: reminder.unwrap_or(DEFAULT_INTAKE_REMINDER_DAYS),
        after_hours_alerts: program
            .after_hours_alerts
            .as_ref()
            .map_or(DEFAULT_AFTER_HOURS_ALERTS, |alerts| *alerts.get_ref()),
        registration_contact: program.registration_contact.as_ref().and_then(|t| {
            sms_line(
                p,
                t,
                "program.registration_contact",
                &REGISTRATION_CONTACT_CHARS,
            )
        }),
    }
}

/// Every setting at its default: what a file without `[program]` is checked with.
fn defaults(name: String) -> Program {
    Program {
        name,
        intake_days: DEFAULT_INTAKE_DAYS,
        arrival_limit: DEFAULT_ARRIVAL_LIMIT,
        message_retention: DEFAULT_MESSAGE_RETENTION,
        eta_grace: DEFAULT_ETA_GRACE,
        intake_reminder_days: DEFAULT_INTAKE_REMINDER_DAYS,
        after_hours_alerts: DEFAULT_AFTER_HOURS_ALERTS,
        registration_contact: None,
    }
}

/// A key's value as `read` reads it, or `default` when the file leaves it out;
/// `None` when it is written but wrong (`read` has reported why).
fn or_default<R, T>(
    value: Option<&R>,
    default: T,
    read: impl FnOnce(&R) -> Option<T>,
) -> Option<T> {
    match value {
        None => Some(default),
        Some(value) => read(value),
    }
}

/// A duration key within `limit`, or `default` when it is left out or wrong (a
/// wrong one is reported, so the default never reaches a running service).
fn duration_or_default(
    p: &mut Problems,
    text: Option<&Text>,
    key: &str,
    limit: &Limit<Duration>,
    default: Duration,
) -> Duration {
    or_default(text, default, |t| duration_within(p, t, key, limit)).unwrap_or(default)
}

/// `intake_reminder_days`, which must come before the program's own deadline
/// (`intake_days`, when that is valid): a reminder as many days before the
/// deadline as it is long would be due by the time the hand-off is accepted.
fn intake_reminder(
    p: &mut Problems,
    program: &RawProgram,
    intake_days: Option<u32>,
) -> Option<u32> {
    let Some(written) = &program.intake_reminder_days else {
        return Some(DEFAULT_INTAKE_REMINDER_DAYS);
    };
    let key = "program.intake_reminder_days";
    let reminder = number_within(p, written, key, &INTAKE_REMINDER_DAYS)?;
    if let Some(days) = intake_days
        && reminder >= days
    {
        p.push(
            written.span(),
            key,
            format!("must be less than program.intake_days ({days}): a reminder {reminder} days before the deadline would be due by the time the hand-off is accepted; use 0 for no reminder"),
        );
        return None;
    }
    Some(reminder)
}

/// The program's `intake_reminder_days` if the file writes a valid one, for the
/// sites that set their own deadline: each must leave room for it. Left to its
/// default, a deadline of that many days or fewer simply has no reminder (the
/// dispatcher skips it), so that a file with a short deadline written before the
/// key existed keeps loading.
pub(super) fn written_reminder(raw: Option<&Spanned<RawProgram>>) -> Option<u32> {
    let days = raw?.get_ref().intake_reminder_days.as_ref()?;
    u32::try_from(*days.get_ref())
        .ok()
        .filter(|days| INTAKE_REMINDER_DAYS.contains(days))
}

pub(super) fn policies(
    p: &mut Problems,
    raws: &[Spanned<RawPolicy>],
) -> BTreeMap<PolicyId, EscalationPolicy> {
    let mut out = BTreeMap::new();
    let mut seen = HashSet::new();
    for (i, raw) in raws.iter().enumerate() {
        let key = format!("escalation_policies[{i}]");
        let policy = raw.get_ref();
        let id = required(p, &policy.id, raw.span(), &format!("{key}.id")).and_then(|t| {
            check_unique(p, &mut seen, t, &format!("{key}.id"), "escalation policy");
            parse_with(p, t, &format!("{key}.id"), PolicyId::parse)
        });
        if policy.steps.is_empty() {
            p.push(
                raw.span(),
                format!("{key}.steps"),
                "an escalation policy needs at least one step",
            );
        }
        let mut steps = Vec::new();
        for (j, raw_step) in policy.steps.iter().enumerate() {
            let key = format!("{key}.steps[{j}]");
            if let Some(step) = step(p, raw_step, &key) {
                steps.push(step);
            }
        }
        if let Some(id) = id
            && steps.len() == policy.steps.len()
            && !steps.is_empty()
        {
            out.insert(id.clone(), EscalationPolicy { id, steps });
        }
    }
    out
}

pub(super) fn step(p: &mut Problems, raw: &Spanned<RawStep>, key: &str) -> Option<Step> {
    let s = raw.get_ref();
    let target = required(p, &s.who, raw.span(), &format!("{key}.who")).and_then(|who| match who.get_ref() {
        RawWho::One(text) if text == "all_on_duty" => Some(StepTarget::AllOnDuty),
        RawWho::One(text) => match text.parse::<Role>() {
            Ok(Role::Center) => {
                p.push(who.span(), format!("{key}.who"), super::values::CENTER_NOT_ON_DUTY);
                None
            }
            Ok(role) => Some(StepTarget::Role(role)),
            Err(_) => {
                p.push(
                    who.span(),
                    format!("{key}.who"),
                    format!("`{text}` is not a role or `all_on_duty`: expected case_manager, coordinator, supervisor, project_manager, all_on_duty, or a list of person ids"),
                );
                None
            }
        },
        RawWho::Many(list) if list.is_empty() => {
            p.push(who.span(), format!("{key}.who"), "an empty list offers nobody: name at least one person");
            None
        }
        RawWho::Many(list) => {
            let ids: Vec<PersonId> = list
                .iter()
                .filter_map(|t| parse_with(p, t, &format!("{key}.who"), PersonId::parse))
                .collect();
            (ids.len() == list.len()).then_some(StepTarget::People(ids))
        }
    });
    let strategy = match &s.strategy {
        None => Some(Strategy::Broadcast),
        Some(text) => match text.get_ref().as_str() {
            "broadcast" => Some(Strategy::Broadcast),
            "one_at_a_time" => Some(Strategy::OneAtATime),
            other => {
                p.push(
                    text.span(),
                    format!("{key}.strategy"),
                    format!("`{other}` is not a strategy: expected broadcast or one_at_a_time"),
                );
                None
            }
        },
    };
    let timeout = required(p, &s.timeout, raw.span(), &format!("{key}.timeout")).and_then(|t| {
        if parse_duration(t.get_ref()).is_ok_and(|timeout| timeout.is_zero()) {
            p.push(
                t.span(),
                format!("{key}.timeout"),
                "a step timeout of zero would skip the step: give at least a few minutes",
            );
            return None;
        }
        duration_within(p, t, &format!("{key}.timeout"), &STEP_TIMEOUT)
    });
    Some(Step {
        target: target?,
        strategy: strategy?,
        timeout: timeout?,
    })
}

/// Checks that people named in escalation steps exist (people are read after policies).
pub(super) fn check_policy_people(
    p: &mut Problems,
    raws: &[Spanned<RawPolicy>],
    people: &BTreeMap<PersonId, Person>,
) {
    for (i, raw) in raws.iter().enumerate() {
        for (j, step) in raw.get_ref().steps.iter().enumerate() {
            if let Some(who) = &step.get_ref().who
                && let RawWho::Many(list) = who.get_ref()
            {
                for text in list {
                    if let Ok(id) = PersonId::parse(text.get_ref())
                        && !people.contains_key(&id)
                    {
                        p.push(
                            text.span(),
                            format!("escalation_policies[{i}].steps[{j}].who"),
                            format!("unknown person `{id}`: no [[people]] entry has this id"),
                        );
                    }
                }
            }
        }
    }
}

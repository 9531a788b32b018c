//! The `[program]` table and the escalation policies, with their steps.

use std::collections::{BTreeMap, HashSet};
use std::ops::Range;

use handoff_dispatcher::{EscalationPolicy, Person, PolicyId, Step, StepTarget, Strategy};
use handoff_schedules::{PersonId, Role};
use toml::Spanned;

use super::ranges::{
    ARRIVAL_LIMIT, INTAKE_DAYS, MESSAGE_RETENTION, STEP_TIMEOUT, duration_within, number_within,
    parse_duration,
};
use super::text::plain_text;
use super::values::{check_unique, parse_with, required};
use super::{DEFAULT_ARRIVAL_LIMIT, DEFAULT_INTAKE_DAYS, DEFAULT_MESSAGE_RETENTION};
use crate::error::Problems;
use crate::model::Program;
use crate::raw::{RawPolicy, RawProgram, RawStep, RawWho};

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
        return Program {
            name: String::new(),
            intake_days: DEFAULT_INTAKE_DAYS,
            arrival_limit: DEFAULT_ARRIVAL_LIMIT,
            message_retention: DEFAULT_MESSAGE_RETENTION,
        };
    };
    let name = required(p, &raw.get_ref().name, raw.span(), "program.name")
        .and_then(|t| plain_text(p, t, "program.name"))
        .unwrap_or_default();
    let program = raw.get_ref();
    let intake_days = program
        .intake_days
        .as_ref()
        .map_or(Some(DEFAULT_INTAKE_DAYS), |days| {
            number_within(p, days, "program.intake_days", &INTAKE_DAYS)
        })
        .unwrap_or(DEFAULT_INTAKE_DAYS);
    let arrival_limit = program
        .arrival_limit
        .as_ref()
        .map_or(Some(DEFAULT_ARRIVAL_LIMIT), |text| {
            duration_within(p, text, "program.arrival_limit", &ARRIVAL_LIMIT)
        })
        .unwrap_or(DEFAULT_ARRIVAL_LIMIT);
    let message_retention = program
        .message_retention
        .as_ref()
        .map_or(Some(DEFAULT_MESSAGE_RETENTION), |text| {
            duration_within(p, text, "program.message_retention", &MESSAGE_RETENTION)
        })
        .unwrap_or(DEFAULT_MESSAGE_RETENTION);
    Program {
        name,
        intake_days,
        arrival_limit,
        message_retention,
    }
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

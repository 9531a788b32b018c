//! From the file as written to the typed `Config`: every value is parsed, every
//! reference checked, and every problem collected with its position, so a person
//! fixing a file sees all that is wrong with it in one go.

use std::collections::{BTreeMap, BTreeSet, HashMap, HashSet};
use std::ops::Range;
use std::time::Duration;

use chrono::{DateTime, NaiveDateTime, Utc};
use chrono_tz::Tz;
use handoff_dispatcher::contact::MatrixUserId;
use handoff_dispatcher::{
    Agency, AgencyId, EscalationPolicy, Officer, OfficerId, Person, PhoneNumber, PolicyId, Roster,
    Step, StepTarget, Strategy,
};
use handoff_schedules::{
    Availability, ClockTime, Closure, ClosureDates, CronRule, Interval, Override, OverrideKind,
    PersonId, Recurrence, Role, Rotation, Shift, SiteId, SiteSchedule, When, Window, ZoneId,
    resolve_local,
};
use toml::Spanned;

use crate::error::Problems;
use crate::model::{
    MatrixTransport, Program, Secret, Server, Site, SmsProvider, SmsSender, SmsTransport,
    Transports, TwilioSettings,
};
use crate::raw::*;

/// Reads an environment variable; injected so validation stays testable.
pub type EnvLookup<'a> = &'a dyn Fn(&str) -> Option<String>;

/// Everything of a `Config` but the file name.
pub struct Validated {
    pub program: Program,
    pub sites: Vec<Site>,
    pub roster: Roster,
    pub policies: BTreeMap<PolicyId, EscalationPolicy>,
    pub transports: Transports,
    pub server: Server,
}

/// Where `handoff serve` listens when the file does not say: loopback only, so a
/// fresh install is not reachable from the network by accident.
pub const DEFAULT_LISTEN: &str = "127.0.0.1:8080";

/// Intake deadline when the file does not set one (the LEAD toolkits' 30 days).
pub const DEFAULT_INTAKE_DAYS: u32 = 30;

/// How long an accepted case manager has to arrive before the hand-off expires and
/// a supervisor is alerted, when the file does not say.
pub const DEFAULT_ARRIVAL_LIMIT: std::time::Duration = std::time::Duration::from_secs(3 * 3600);

pub fn validate(
    raw: RawConfig,
    whole_file: Range<usize>,
    base_dir: &std::path::Path,
    env: EnvLookup<'_>,
) -> Result<Validated, Problems> {
    let mut p = Problems::default();
    let program = program(&mut p, raw.program.as_ref(), whole_file.clone());
    let policies = policies(&mut p, &raw.escalation_policies);
    let people = people(&mut p, &raw.people);
    let declared_policies: BTreeSet<String> = raw
        .escalation_policies
        .iter()
        .filter_map(|policy| policy.get_ref().id.as_ref().map(|id| id.get_ref().clone()))
        .collect();
    let mut sites = sites(
        &mut p,
        &raw.sites,
        &policies,
        &declared_policies,
        whole_file.clone(),
    );
    let (agencies, officers) = agencies(&mut p, &raw.agencies, &sites, &people);
    check_policy_people(&mut p, &raw.escalation_policies, &people);
    shifts(&mut p, &raw.shifts, &people, &mut sites);
    rotations(&mut p, &raw.rotations, &people, &mut sites);
    overrides(&mut p, &raw.overrides, &people, &mut sites);
    let transports = transports(&mut p, &raw.transports, env);
    let server = server(&mut p, raw.server.as_ref(), base_dir);
    if !p.0.is_empty() {
        return Err(p);
    }
    Ok(Validated {
        program,
        sites: sites.built.into_iter().map(|(site, _)| site).collect(),
        roster: Roster {
            people,
            agencies,
            officers,
        },
        policies,
        transports,
        server,
    })
}

// ---------------------------------------------------------------------------
// Small parsers shared by every section.

fn required<'a, T>(
    p: &mut Problems,
    value: &'a Option<T>,
    parent: Range<usize>,
    key: &str,
) -> Option<&'a T> {
    if value.is_none() {
        p.push(parent, key, "missing: this key is required");
    }
    value.as_ref()
}

fn parse_with<T, E: std::fmt::Display>(
    p: &mut Problems,
    text: &Text,
    key: &str,
    parse: impl FnOnce(&str) -> Result<T, E>,
) -> Option<T> {
    match parse(text.get_ref()) {
        Ok(value) => Some(value),
        Err(e) => {
            p.push(text.span(), key, e);
            None
        }
    }
}

fn not_empty(p: &mut Problems, text: &Text, key: &str) -> Option<String> {
    let value = text.get_ref().trim();
    if value.is_empty() {
        p.push(text.span(), key, "may not be empty");
        None
    } else {
        Some(value.to_owned())
    }
}

fn role(p: &mut Problems, text: &Text, key: &str) -> Option<Role> {
    parse_with(p, text, key, |s| s.parse::<Role>())
}

fn when(p: &mut Problems, text: Option<&Text>, default: When, key: &str) -> When {
    let Some(text) = text else { return default };
    match text.get_ref().as_str() {
        "open" => When::Open,
        "closed" => When::Closed,
        "always" => When::Always,
        other => {
            p.push(
                text.span(),
                key,
                format!("`{other}` is not a choice: expected open, closed or always"),
            );
            default
        }
    }
}

fn clock(p: &mut Problems, text: &Text, key: &str) -> Option<ClockTime> {
    parse_with(p, text, key, |s| s.parse::<ClockTime>())
}

/// `90s`, `3m`, `1h`, `1h30m`: a duration a person writes.
pub fn parse_duration(text: &str) -> Result<Duration, String> {
    let bad = || format!("`{text}` is not a duration: write e.g. 90s, 5m, 1h or 1h30m");
    let mut total: u64 = 0;
    let mut number = String::new();
    let trimmed = text.trim();
    if trimmed.is_empty() {
        return Err(bad());
    }
    for c in trimmed.chars() {
        if c.is_ascii_digit() {
            number.push(c);
            continue;
        }
        let unit = match c {
            's' => 1,
            'm' => 60,
            'h' => 3600,
            'd' => 86_400,
            _ => return Err(bad()),
        };
        let n: u64 = number.parse().map_err(|_| bad())?;
        total = n
            .checked_mul(unit)
            .and_then(|v| total.checked_add(v))
            .ok_or_else(bad)?;
        number.clear();
    }
    if !number.is_empty() {
        return Err(bad());
    }
    Ok(Duration::from_secs(total))
}

/// A wall-clock date-time written `2026-11-02T08:00` (seconds optional).
fn parse_local(text: &str) -> Result<NaiveDateTime, String> {
    [
        "%Y-%m-%dT%H:%M",
        "%Y-%m-%dT%H:%M:%S",
        "%Y-%m-%d %H:%M",
        "%Y-%m-%d %H:%M:%S",
    ]
    .iter()
    .find_map(|format| NaiveDateTime::parse_from_str(text.trim(), format).ok())
    .ok_or_else(|| format!("`{text}` is not a local date-time: write e.g. 2026-11-02T08:00"))
}

/// An override's bounds: either an exact instant (with an offset) or a wall-clock time
/// read in each site's own zone.
#[derive(Clone, Copy)]
enum Moment {
    Exact(DateTime<Utc>),
    Local(NaiveDateTime),
}

impl Moment {
    fn parse(text: &str) -> Result<Moment, String> {
        if let Ok(exact) = DateTime::parse_from_rfc3339(text.trim()) {
            return Ok(Moment::Exact(exact.with_timezone(&Utc)));
        }
        parse_local(text)
            .map(Moment::Local)
            .map_err(|_| format!("`{text}` is not a date-time: write 2026-12-24T08:00 (site time) or 2026-12-24T08:00:00-05:00"))
    }

    fn in_zone(self, tz: Tz) -> DateTime<Utc> {
        match self {
            Moment::Exact(at) => at,
            Moment::Local(local) => resolve_local(tz, local),
        }
    }
}

fn window(p: &mut Problems, raw: &Spanned<RawWindow>, key: &str) -> Option<Window> {
    let w = raw.get_ref();
    let end = required(p, &w.end, raw.span(), &format!("{key}.end"))
        .and_then(|t| clock(p, t, &format!("{key}.end")));
    let starts = match (&w.cron, &w.days, &w.start) {
        (Some(cron), None, None) => {
            parse_with(p, cron, &format!("{key}.cron"), |s| s.parse::<CronRule>())
                .map(Recurrence::Cron)
        }
        (None, Some(days), Some(start)) => {
            let days = parse_with(p, days, &format!("{key}.days"), |s| s.parse());
            let at = clock(p, start, &format!("{key}.start"));
            if at.is_some_and(ClockTime::is_end_of_day) {
                p.push(
                    start.span(),
                    format!("{key}.start"),
                    "a window cannot start at 24:00: use 00:00 of the next day",
                );
                return None;
            }
            days.zip(at)
                .map(|(days, at)| Recurrence::Weekly { days, at })
        }
        (Some(cron), _, _) => {
            p.push(
                cron.span(),
                format!("{key}.cron"),
                "give either `cron` or `days` with `start`, not both",
            );
            None
        }
        (None, None, _) => {
            p.push(
                raw.span(),
                format!("{key}.days"),
                "missing: give `days` and `start` (or a `cron` expression)",
            );
            None
        }
        (None, Some(_), None) => {
            p.push(
                raw.span(),
                format!("{key}.start"),
                "missing: give the time the window starts",
            );
            None
        }
    };
    Some(Window {
        starts: starts?,
        end: end?,
    })
}

fn windows(p: &mut Problems, raws: &[Spanned<RawWindow>], key: &str) -> Vec<Window> {
    raws.iter()
        .enumerate()
        .filter_map(|(i, w)| window(p, w, &format!("{key}[{i}]")))
        .collect()
}

fn check_unique(p: &mut Problems, seen: &mut HashSet<String>, text: &Text, key: &str, what: &str) {
    if !seen.insert(text.get_ref().clone()) {
        p.push(
            text.span(),
            key,
            format!(
                "duplicate {what} id `{}`: an earlier entry already uses it",
                text.get_ref()
            ),
        );
    }
}

// ---------------------------------------------------------------------------
// Sections.

fn program(
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
        };
    };
    let name = required(p, &raw.get_ref().name, raw.span(), "program.name")
        .and_then(|t| not_empty(p, t, "program.name"))
        .unwrap_or_default();
    let intake_days = match &raw.get_ref().intake_days {
        None => DEFAULT_INTAKE_DAYS,
        Some(days) => match u32::try_from(*days.get_ref()) {
            Ok(d) if (1..=365).contains(&d) => d,
            _ => {
                p.push(
                    days.span(),
                    "program.intake_days",
                    "must be a number of days from 1 to 365",
                );
                DEFAULT_INTAKE_DAYS
            }
        },
    };
    let arrival_limit = match &raw.get_ref().arrival_limit {
        None => DEFAULT_ARRIVAL_LIMIT,
        Some(text) => match parse_duration(text.get_ref()) {
            Ok(limit)
                if limit >= std::time::Duration::from_secs(10 * 60)
                    && limit <= std::time::Duration::from_secs(24 * 3600) =>
            {
                limit
            }
            Ok(_) => {
                p.push(
                    text.span(),
                    "program.arrival_limit",
                    "must be from 10m to 24h",
                );
                DEFAULT_ARRIVAL_LIMIT
            }
            Err(e) => {
                p.push(text.span(), "program.arrival_limit", e);
                DEFAULT_ARRIVAL_LIMIT
            }
        },
    };
    Program {
        name,
        intake_days,
        arrival_limit,
    }
}

fn policies(p: &mut Problems, raws: &[Spanned<RawPolicy>]) -> BTreeMap<PolicyId, EscalationPolicy> {
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

fn step(p: &mut Problems, raw: &Spanned<RawStep>, key: &str) -> Option<Step> {
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
        let timeout = parse_with(p, t, &format!("{key}.timeout"), parse_duration)?;
        if timeout.is_zero() {
            p.push(
                t.span(),
                format!("{key}.timeout"),
                "a step timeout of zero would skip the step: give at least a few minutes",
            );
            return None;
        }
        Some(timeout)
    });
    Some(Step {
        target: target?,
        strategy: strategy?,
        timeout: timeout?,
    })
}

/// Checks that people named in escalation steps exist (people are read after policies).
fn check_policy_people(
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

fn people(p: &mut Problems, raws: &[Spanned<RawPerson>]) -> BTreeMap<PersonId, Person> {
    let mut out = BTreeMap::new();
    let mut seen = HashSet::new();
    let mut phones: HashMap<PhoneNumber, String> = HashMap::new();
    for (i, raw) in raws.iter().enumerate() {
        let key = format!("people[{i}]");
        let person = raw.get_ref();
        let id = required(p, &person.id, raw.span(), &format!("{key}.id")).and_then(|t| {
            check_unique(p, &mut seen, t, &format!("{key}.id"), "person");
            parse_with(p, t, &format!("{key}.id"), PersonId::parse)
        });
        let name = required(p, &person.name, raw.span(), &format!("{key}.name"))
            .and_then(|t| not_empty(p, t, &format!("{key}.name")));
        if person.roles.is_empty() {
            p.push(raw.span(), format!("{key}.roles"), "missing: give at least one role (case_manager, coordinator, supervisor, project_manager)");
        }
        let roles: BTreeSet<Role> = person
            .roles
            .iter()
            .filter_map(|t| role(p, t, &format!("{key}.roles")))
            .collect();
        let phone = person.phone.as_ref().and_then(|t| {
            let phone = parse_with(p, t, &format!("{key}.phone"), PhoneNumber::parse)?;
            if let Some(other) = phones.get(&phone) {
                p.push(t.span(), format!("{key}.phone"), format!("{phone} is already the phone of `{other}`: each person needs their own number"));
            }
            phones.insert(phone.clone(), person.id.as_ref().map(|t| t.get_ref().clone()).unwrap_or_default());
            Some(phone)
        });
        let matrix = person
            .matrix
            .as_ref()
            .and_then(|t| parse_with(p, t, &format!("{key}.matrix"), MatrixUserId::parse));
        if person.phone.is_none() && person.matrix.is_none() {
            p.push(
                raw.span(),
                format!("{key}.phone"),
                "missing: give a phone or a matrix ID, or nobody can reach this person",
            );
        }
        let caseload_cap =
            person
                .caseload_cap
                .as_ref()
                .and_then(|cap| match u32::try_from(*cap.get_ref()) {
                    Ok(c) if c > 0 => Some(c),
                    _ => {
                        p.push(
                            cap.span(),
                            format!("{key}.caseload_cap"),
                            "must be a positive number of cases",
                        );
                        None
                    }
                });
        let zones: BTreeSet<ZoneId> = person
            .zones
            .iter()
            .filter_map(|t| parse_with(p, t, &format!("{key}.zones"), ZoneId::parse))
            .collect();
        // A person whose name has errors is still known by id (the file is rejected
        // anyway), so that references to them are not reported as unknown too.
        if let Some(id) = id {
            out.insert(
                id.clone(),
                Person {
                    id,
                    name: name.unwrap_or_default(),
                    roles,
                    phone,
                    matrix,
                    caseload_cap,
                    zones,
                },
            );
        }
    }
    out
}

/// The sites that were built, each with the byte span of its table, and the ids
/// the file declares (valid or not), so that a reference to a site that has errors
/// of its own is not reported a second time as unknown.
struct Sites {
    built: Vec<(Site, Range<usize>)>,
    declared: BTreeSet<String>,
}

impl Sites {
    fn iter(&self) -> impl Iterator<Item = &(Site, Range<usize>)> {
        self.built.iter()
    }
    fn iter_mut(&mut self) -> impl Iterator<Item = &mut (Site, Range<usize>)> {
        self.built.iter_mut()
    }
}

fn sites(
    p: &mut Problems,
    raws: &[Spanned<RawSite>],
    policies: &BTreeMap<PolicyId, EscalationPolicy>,
    declared_policies: &BTreeSet<String>,
    whole_file: Range<usize>,
) -> Sites {
    if raws.is_empty() {
        p.push(
            whole_file.start..whole_file.start,
            "sites",
            "missing: add at least one [[sites]] table",
        );
    }
    let mut out = Vec::new();
    let mut seen = HashSet::new();
    let declared = raws
        .iter()
        .filter_map(|site| site.get_ref().id.as_ref().map(|id| id.get_ref().clone()))
        .collect();
    for (i, raw) in raws.iter().enumerate() {
        let key = format!("sites[{i}]");
        let site = raw.get_ref();
        let id = required(p, &site.id, raw.span(), &format!("{key}.id")).and_then(|t| {
            check_unique(p, &mut seen, t, &format!("{key}.id"), "site");
            parse_with(p, t, &format!("{key}.id"), SiteId::parse)
        });
        let name = site
            .name
            .as_ref()
            .and_then(|t| not_empty(p, t, &format!("{key}.name")));
        let tz =
            required(p, &site.time_zone, raw.span(), &format!("{key}.time_zone")).and_then(|t| {
                parse_with(p, t, &format!("{key}.time_zone"), |s| {
                    s.parse::<Tz>().map_err(|_| {
                        format!(
                            "unknown time zone `{s}`: use an IANA name such as America/New_York"
                        )
                    })
                })
            });
        let policy = required(p, &site.escalation, raw.span(), &format!("{key}.escalation")).and_then(|t| {
            let id = parse_with(p, t, &format!("{key}.escalation"), PolicyId::parse)?;
            // A policy that exists but has errors of its own is reported there, not here.
            if !policies.contains_key(&id) && !declared_policies.contains(id.as_str()) {
                p.push(t.span(), format!("{key}.escalation"), format!("unknown escalation policy `{id}`: no [[escalation_policies]] entry has this id"));
                return None;
            }
            Some(id)
        });
        let zones = site
            .zones
            .iter()
            .filter_map(|t| parse_with(p, t, &format!("{key}.zones"), ZoneId::parse))
            .collect();
        let hours = windows(p, &site.hours, &format!("{key}.hours"));
        let closures = closures(p, &site.closures, &format!("{key}.closures"));
        if let (Some(id), Some(tz), Some(policy)) = (id, tz, policy) {
            let mut schedule = SiteSchedule::new(id.clone(), tz);
            schedule.hours = hours;
            schedule.closures = closures;
            out.push((
                Site {
                    name: name.unwrap_or_else(|| id.to_string()),
                    id,
                    schedule,
                    policy,
                    zones,
                },
                raw.span(),
            ));
        }
    }
    Sites {
        built: out,
        declared,
    }
}

fn closures(p: &mut Problems, raws: &[Spanned<RawClosure>], key: &str) -> Vec<Closure> {
    let mut out = Vec::new();
    for (i, raw) in raws.iter().enumerate() {
        let key = format!("{key}[{i}]");
        let c = raw.get_ref();
        let name = required(p, &c.name, raw.span(), &format!("{key}.name"))
            .and_then(|t| not_empty(p, t, &format!("{key}.name")));
        let date = |p: &mut Problems, t: &Text, k: &str| {
            parse_with(p, t, &format!("{key}.{k}"), |s| {
                chrono::NaiveDate::parse_from_str(s.trim(), "%Y-%m-%d")
                    .map_err(|_| format!("`{s}` is not a date: write YYYY-MM-DD"))
            })
        };
        let dates = match (&c.date, &c.from, &c.to, &c.cron) {
            (Some(d), None, None, None) => date(p, d, "date").map(ClosureDates::On),
            (None, Some(from), Some(to), None) => {
                let (from_d, to_d) = (date(p, from, "from"), date(p, to, "to"));
                match (from_d, to_d) {
                    (Some(a), Some(b)) if a <= b => Some(ClosureDates::Between(a, b)),
                    (Some(_), Some(_)) => {
                        p.push(
                            to.span(),
                            format!("{key}.to"),
                            "the last day comes before the first",
                        );
                        None
                    }
                    _ => None,
                }
            }
            (None, None, None, Some(cron)) => {
                parse_with(p, cron, &format!("{key}.cron"), |s| s.parse::<CronRule>())
                    .map(ClosureDates::Matching)
            }
            _ => {
                p.push(
                    raw.span(),
                    format!("{key}.date"),
                    "give exactly one of `date`, `from` with `to`, or `cron`",
                );
                None
            }
        };
        let mut reduced = Vec::new();
        for (j, span) in c.open.iter().enumerate() {
            let k = format!("{key}.open[{j}]");
            let start = required(p, &span.get_ref().start, span.span(), &format!("{k}.start"))
                .and_then(|t| clock(p, t, &format!("{k}.start")));
            let end = required(p, &span.get_ref().end, span.span(), &format!("{k}.end"))
                .and_then(|t| clock(p, t, &format!("{k}.end")));
            if let (Some(start), Some(end)) = (start, end) {
                if start < end {
                    reduced.push((start, end));
                } else {
                    p.push(
                        span.span(),
                        format!("{k}.end"),
                        "reduced hours must end after they start, within the day",
                    );
                }
            }
        }
        if let (Some(name), Some(dates)) = (name, dates) {
            out.push(Closure {
                name,
                dates,
                reduced_hours: reduced,
            });
        }
    }
    out
}

fn agencies(
    p: &mut Problems,
    raws: &[Spanned<RawAgency>],
    sites: &Sites,
    people: &BTreeMap<PersonId, Person>,
) -> (BTreeMap<AgencyId, Agency>, BTreeMap<OfficerId, Officer>) {
    let mut agencies = BTreeMap::new();
    let mut officers = BTreeMap::new();
    let mut seen_agencies = HashSet::new();
    let mut seen_officers = HashSet::new();
    let mut phones: HashMap<PhoneNumber, String> = HashMap::new();
    for (i, raw) in raws.iter().enumerate() {
        let key = format!("agencies[{i}]");
        let a = raw.get_ref();
        let id = required(p, &a.id, raw.span(), &format!("{key}.id")).and_then(|t| {
            check_unique(p, &mut seen_agencies, t, &format!("{key}.id"), "agency");
            parse_with(p, t, &format!("{key}.id"), AgencyId::parse)
        });
        let name = required(p, &a.name, raw.span(), &format!("{key}.name"))
            .and_then(|t| not_empty(p, t, &format!("{key}.name")));
        if a.sites.is_empty() {
            p.push(
                raw.span(),
                format!("{key}.sites"),
                "missing: name the site(s) this agency's requests go to",
            );
        }
        let agency_sites = site_refs(p, &a.sites, sites, &format!("{key}.sites"));
        for (j, raw_officer) in a.officers.iter().enumerate() {
            let key = format!("{key}.officers[{j}]");
            let o = raw_officer.get_ref();
            let officer_id =
                required(p, &o.id, raw_officer.span(), &format!("{key}.id")).and_then(|t| {
                    check_unique(p, &mut seen_officers, t, &format!("{key}.id"), "officer");
                    parse_with(p, t, &format!("{key}.id"), OfficerId::parse)
                });
            let officer_name = required(p, &o.name, raw_officer.span(), &format!("{key}.name"))
                .and_then(|t| not_empty(p, t, &format!("{key}.name")));
            let phone = required(p, &o.phone, raw_officer.span(), &format!("{key}.phone")).and_then(|t| {
                let phone = parse_with(p, t, &format!("{key}.phone"), PhoneNumber::parse)?;
                if let Some(person) = people.values().find(|person| person.phone.as_ref() == Some(&phone)) {
                    p.push(
                        t.span(),
                        format!("{key}.phone"),
                        format!("{phone} is also the phone of staff member `{}`: a number must belong to one person, or replies cannot be told apart", person.id),
                    );
                }
                if let Some(other) = phones.get(&phone) {
                    p.push(t.span(), format!("{key}.phone"), format!("{phone} is already the phone of officer `{other}`"));
                }
                phones.insert(phone.clone(), o.id.as_ref().map(|t| t.get_ref().clone()).unwrap_or_default());
                Some(phone)
            });
            let matrix = o
                .matrix
                .as_ref()
                .and_then(|t| parse_with(p, t, &format!("{key}.matrix"), MatrixUserId::parse));
            if let (Some(officer_id), Some(officer_name), Some(phone), Some(agency)) =
                (officer_id, officer_name, phone, id.clone())
            {
                officers.insert(
                    officer_id.clone(),
                    Officer {
                        id: officer_id,
                        agency,
                        name: officer_name,
                        rank: o
                            .rank
                            .as_ref()
                            .map(|t| t.get_ref().trim().to_owned())
                            .unwrap_or_default(),
                        phone,
                        matrix,
                    },
                );
            }
        }
        if let (Some(id), Some(name)) = (id, name) {
            agencies.insert(
                id.clone(),
                Agency {
                    id,
                    name,
                    sites: agency_sites,
                },
            );
        }
    }
    (agencies, officers)
}

/// Resolves a list of site ids; an unknown one is an error.
fn site_refs(p: &mut Problems, texts: &[Text], sites: &Sites, key: &str) -> Vec<SiteId> {
    texts
        .iter()
        .filter_map(|t| {
            let id = parse_with(p, t, key, SiteId::parse)?;
            if sites.iter().any(|(s, _)| s.id == id) {
                Some(id)
            } else if sites.declared.contains(id.as_str()) {
                None // the site has errors of its own, reported there
            } else {
                p.push(
                    t.span(),
                    key,
                    format!("unknown site `{id}`: no [[sites]] entry has this id"),
                );
                None
            }
        })
        .collect()
}

/// The sites a shift, rotation or override applies to: those listed, or all.
fn target_sites(
    p: &mut Problems,
    texts: &Option<Vec<Text>>,
    span: Range<usize>,
    sites: &Sites,
    key: &str,
) -> Vec<SiteId> {
    match texts {
        None => sites.iter().map(|(s, _)| s.id.clone()).collect(),
        Some(list) if list.is_empty() => {
            p.push(
                span,
                key,
                "an empty list names no site: leave the key out to mean every site",
            );
            Vec::new()
        }
        Some(list) => site_refs(p, list, sites, key),
    }
}

fn person_ref<'a>(
    p: &mut Problems,
    text: &Text,
    people: &'a BTreeMap<PersonId, Person>,
    key: &str,
) -> Option<&'a Person> {
    let id = parse_with(p, text, key, PersonId::parse)?;
    let person = people.get(&id);
    if person.is_none() {
        p.push(
            text.span(),
            key,
            format!("unknown person `{id}`: no [[people]] entry has this id"),
        );
    }
    person
}

fn check_has_role(
    p: &mut Problems,
    person: &Person,
    role: Role,
    span: Range<usize>,
    key: &str,
) -> bool {
    if person.roles.contains(&role) {
        return true;
    }
    if person.roles.is_empty() {
        return false; // their roles are missing or all misspelt, reported at the person
    }
    p.push(
        span,
        key,
        format!(
            "`{}` does not have the role {}: add it to their roles",
            person.id,
            role.as_str()
        ),
    );
    false
}

fn for_sites(sites: &mut Sites, ids: &[SiteId], mut add: impl FnMut(&mut SiteSchedule)) {
    for (site, _) in sites.iter_mut().filter(|(s, _)| ids.contains(&s.id)) {
        add(&mut site.schedule);
    }
}

fn shifts(
    p: &mut Problems,
    raws: &[Spanned<RawShift>],
    people: &BTreeMap<PersonId, Person>,
    sites: &mut Sites,
) {
    for (i, raw) in raws.iter().enumerate() {
        let key = format!("shifts[{i}]");
        let s = raw.get_ref();
        let person = required(p, &s.person, raw.span(), &format!("{key}.person"))
            .and_then(|t| person_ref(p, t, people, &format!("{key}.person")));
        let role = match (&s.role, person) {
            (Some(t), _) => role(p, t, &format!("{key}.role")).filter(|r| {
                person.is_none_or(|person| {
                    check_has_role(p, person, *r, t.span(), &format!("{key}.role"))
                })
            }),
            (None, Some(person)) if person.roles.len() == 1 => person.roles.first().copied(),
            // No valid role at all: reported at the person, not as "several roles".
            (None, Some(person)) if person.roles.is_empty() => None,
            (None, Some(person)) => {
                p.push(
                    raw.span(),
                    format!("{key}.role"),
                    format!(
                        "missing: `{}` has several roles, so say which this shift is for",
                        person.id
                    ),
                );
                None
            }
            (None, None) => None,
        };
        let targets = target_sites(p, &s.sites, raw.span(), sites, &format!("{key}.sites"));
        let availability = Availability {
            windows: windows(p, &s.hours, &format!("{key}.hours")),
            when: when(p, s.when.as_ref(), When::Open, &format!("{key}.when")),
        };
        if let (Some(person), Some(role)) = (person, role) {
            for_sites(sites, &targets, |schedule| {
                schedule.shifts.push(Shift {
                    person: person.id.clone(),
                    role,
                    availability: availability.clone(),
                });
            });
        }
    }
}

fn rotations(
    p: &mut Problems,
    raws: &[Spanned<RawRotation>],
    people: &BTreeMap<PersonId, Person>,
    sites: &mut Sites,
) {
    let mut seen = HashSet::new();
    for (i, raw) in raws.iter().enumerate() {
        let key = format!("rotations[{i}]");
        let r = raw.get_ref();
        let id = required(p, &r.id, raw.span(), &format!("{key}.id")).and_then(|t| {
            check_unique(p, &mut seen, t, &format!("{key}.id"), "rotation");
            parse_with(p, t, &format!("{key}.id"), PersonId::parse).map(|_| t.get_ref().clone())
        });
        let rotation_role = required(p, &r.role, raw.span(), &format!("{key}.role"))
            .and_then(|t| role(p, t, &format!("{key}.role")));
        if r.members.is_empty() {
            p.push(
                raw.span(),
                format!("{key}.members"),
                "missing: a rotation needs at least one member",
            );
        }
        let mut members = Vec::new();
        for text in &r.members {
            if let Some(person) = person_ref(p, text, people, &format!("{key}.members")) {
                if let Some(role) = rotation_role {
                    check_has_role(p, person, role, text.span(), &format!("{key}.members"));
                }
                members.push(person.id.clone());
            }
        }
        let anchor = required(p, &r.start, raw.span(), &format!("{key}.start"))
            .and_then(|t| parse_with(p, t, &format!("{key}.start"), parse_local));
        let turn_days = match &r.turn_days {
            None => Some(7),
            Some(days) => match u32::try_from(*days.get_ref()) {
                Ok(d) if d >= 1 => Some(d),
                _ => {
                    p.push(
                        days.span(),
                        format!("{key}.turn_days"),
                        "must be a whole number of days, at least 1",
                    );
                    None
                }
            },
        };
        let targets = target_sites(p, &r.sites, raw.span(), sites, &format!("{key}.sites"));
        let availability = Availability {
            windows: windows(p, &r.hours, &format!("{key}.hours")),
            when: when(p, r.when.as_ref(), When::Always, &format!("{key}.when")),
        };
        if let (Some(name), Some(role), Some(anchor), Some(turn_days)) =
            (id, rotation_role, anchor, turn_days)
            && members.len() == r.members.len()
            && !members.is_empty()
        {
            for_sites(sites, &targets, |schedule| {
                schedule.rotations.push(Rotation {
                    name: name.clone(),
                    role,
                    members: members.clone(),
                    anchor,
                    turn_days,
                    availability: availability.clone(),
                });
            });
        }
    }
}

fn overrides(
    p: &mut Problems,
    raws: &[Spanned<RawOverride>],
    people: &BTreeMap<PersonId, Person>,
    sites: &mut Sites,
) {
    for (i, raw) in raws.iter().enumerate() {
        let key = format!("overrides[{i}]");
        let o = raw.get_ref();
        let person = required(p, &o.person, raw.span(), &format!("{key}.person"))
            .and_then(|t| person_ref(p, t, people, &format!("{key}.person")));
        let kind = required(p, &o.kind, raw.span(), &format!("{key}.kind")).and_then(|t| {
            match t.get_ref().as_str() {
                "cover" => {
                    let covered = required(p, &o.covers, raw.span(), &format!("{key}.covers"))
                        .and_then(|c| person_ref(p, c, people, &format!("{key}.covers")))?;
                    Some(OverrideKind::Cover {
                        covering: person?.id.clone(),
                        covered: covered.id.clone(),
                    })
                }
                "add" => {
                    let role_text = required(p, &o.role, raw.span(), &format!("{key}.role"))?;
                    let added_role = role(p, role_text, &format!("{key}.role"))?;
                    let person = person?;
                    check_has_role(
                        p,
                        person,
                        added_role,
                        role_text.span(),
                        &format!("{key}.role"),
                    )
                    .then(|| OverrideKind::Add {
                        person: person.id.clone(),
                        role: added_role,
                    })
                }
                "remove" => Some(OverrideKind::Remove {
                    person: person?.id.clone(),
                }),
                other => {
                    p.push(
                        t.span(),
                        format!("{key}.kind"),
                        format!(
                            "`{other}` is not a kind of override: expected cover, add or remove"
                        ),
                    );
                    None
                }
            }
        });
        let from = required(p, &o.from, raw.span(), &format!("{key}.from"))
            .and_then(|t| parse_with(p, t, &format!("{key}.from"), Moment::parse));
        let to = required(p, &o.to, raw.span(), &format!("{key}.to"))
            .and_then(|t| parse_with(p, t, &format!("{key}.to"), Moment::parse));
        let targets = target_sites(p, &o.sites, raw.span(), sites, &format!("{key}.sites"));
        let (Some(kind), Some(from), Some(to)) = (kind, from, to) else {
            continue;
        };
        let mut reversed = false;
        for_sites(sites, &targets, |schedule| {
            match Interval::new(from.in_zone(schedule.tz), to.in_zone(schedule.tz)) {
                Some(during) => schedule.overrides.push(Override {
                    kind: kind.clone(),
                    during,
                }),
                None => reversed = true,
            }
        });
        if reversed && let Some(t) = &o.to {
            p.push(
                t.span(),
                format!("{key}.to"),
                "an override must end after it starts",
            );
        }
    }
}

fn env_secret(
    p: &mut Problems,
    text: Option<&Text>,
    parent: Range<usize>,
    key: &str,
    enabled: bool,
    env: EnvLookup<'_>,
) -> Option<(String, Secret)> {
    let Some(text) = text else {
        if enabled {
            p.push(parent, key, "missing: name the environment variable that holds this secret (secrets never go in the file)");
        }
        return None;
    };
    let name = text.get_ref().trim().to_owned();
    let valid_name =
        !name.is_empty() && name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_');
    if !valid_name {
        p.push(
            text.span(),
            key,
            format!("`{name}` is not an environment variable name"),
        );
        return None;
    }
    match env(&name) {
        Some(value) if !value.is_empty() => Some((name, Secret::new(value))),
        _ if enabled => {
            p.push(
                text.span(),
                key,
                format!("the environment variable {name} is not set"),
            );
            None
        }
        _ => None,
    }
}

fn url(p: &mut Problems, text: &Text, key: &str) -> Option<String> {
    let value = text.get_ref().trim().trim_end_matches('/');
    let scheme_ok = value.starts_with("https://") || value.starts_with("http://");
    if scheme_ok && value.len() > "https://".len() && !value.contains(char::is_whitespace) {
        Some(value.to_owned())
    } else {
        p.push(
            text.span(),
            key,
            format!("`{}` is not an http(s) URL", text.get_ref()),
        );
        None
    }
}

fn transports(p: &mut Problems, raw: &RawTransports, env: EnvLookup<'_>) -> Transports {
    let mut out = Transports::default();
    if let Some(sms) = &raw.sms {
        let s = sms.get_ref();
        let enabled = s.enabled.as_ref().is_none_or(|e| *e.get_ref());
        let provider = match s.provider.as_ref().map(|t| t.get_ref().as_str()) {
            None | Some("sandbox") => Some(SmsProvider::Sandbox),
            Some("twilio") => {
                let api_base = s
                    .api_base
                    .as_ref()
                    .map_or(Some("https://api.twilio.com".to_owned()), |t| {
                        url(p, t, "transports.sms.api_base")
                    });
                let account_sid =
                    required(p, &s.account_sid, sms.span(), "transports.sms.account_sid")
                        .and_then(|t| not_empty(p, t, "transports.sms.account_sid"));
                let sender = match (&s.from, &s.messaging_service_sid) {
                    (Some(from), None) => {
                        parse_with(p, from, "transports.sms.from", PhoneNumber::parse)
                            .map(SmsSender::From)
                    }
                    (None, Some(sid)) => not_empty(p, sid, "transports.sms.messaging_service_sid")
                        .map(SmsSender::MessagingService),
                    _ => {
                        p.push(sms.span(), "transports.sms.from", "give exactly one of `from` (a phone number) or `messaging_service_sid`");
                        None
                    }
                };
                let token = env_secret(
                    p,
                    s.auth_token_env.as_ref(),
                    sms.span(),
                    "transports.sms.auth_token_env",
                    enabled,
                    env,
                );
                match (api_base, account_sid, sender, token) {
                    (
                        Some(api_base),
                        Some(account_sid),
                        Some(sender),
                        Some((auth_token_env, auth_token)),
                    ) => Some(SmsProvider::Twilio(TwilioSettings {
                        api_base,
                        account_sid,
                        sender,
                        auth_token_env,
                        auth_token,
                    })),
                    _ => None,
                }
            }
            Some(other) => {
                if let Some(t) = &s.provider {
                    p.push(
                        t.span(),
                        "transports.sms.provider",
                        format!("`{other}` is not a provider: expected sandbox or twilio"),
                    );
                }
                None
            }
        };
        if enabled && let Some(provider) = provider {
            out.sms = Some(SmsTransport { provider });
        }
    }
    if let Some(matrix) = &raw.matrix {
        let m = matrix.get_ref();
        let enabled = m.enabled.as_ref().is_none_or(|e| *e.get_ref());
        let homeserver = required(
            p,
            &m.homeserver,
            matrix.span(),
            "transports.matrix.homeserver",
        )
        .and_then(|t| url(p, t, "transports.matrix.homeserver"));
        let user = required(p, &m.user, matrix.span(), "transports.matrix.user")
            .and_then(|t| parse_with(p, t, "transports.matrix.user", MatrixUserId::parse));
        let password = env_secret(
            p,
            m.password_env.as_ref(),
            matrix.span(),
            "transports.matrix.password_env",
            enabled,
            env,
        );
        if enabled
            && let (Some(homeserver), Some(user), Some((password_env, password))) =
                (homeserver, user, password)
        {
            out.matrix = Some(MatrixTransport {
                homeserver,
                user,
                password_env,
                password,
            });
        }
    }
    out
}

fn server(
    p: &mut Problems,
    raw: Option<&Spanned<RawServer>>,
    base_dir: &std::path::Path,
) -> Server {
    let default_listen: std::net::SocketAddr = match DEFAULT_LISTEN.parse() {
        Ok(addr) => addr,
        Err(_) => std::net::SocketAddr::from(([127, 0, 0, 1], 8080)),
    };
    let section = raw.map(Spanned::get_ref);
    let listen = section
        .and_then(|s| s.listen.as_ref())
        .map_or(default_listen, |text| {
            parse_with(p, text, "server.listen", |s| {
                s.trim()
                    .parse::<std::net::SocketAddr>()
                    .map_err(|_| format!("`{s}` is not an address and port such as 127.0.0.1:8080"))
            })
            .unwrap_or(default_listen)
        });
    let public_url = section
        .and_then(|s| s.public_url.as_ref())
        .and_then(|text| url(p, text, "server.public_url"))
        .unwrap_or_else(|| format!("http://{listen}"));
    let database = match section.and_then(|s| s.database.as_ref()) {
        None => sqlite_url(&base_dir.join("handoff.db")),
        Some(text) => {
            let value = text.get_ref().trim();
            if let Some(path) = value
                .strip_prefix("sqlite://")
                .or_else(|| value.strip_prefix("sqlite:"))
            {
                let path = std::path::Path::new(path);
                if path.is_absolute() {
                    value.to_owned()
                } else {
                    sqlite_url(&base_dir.join(path))
                }
            } else if value.starts_with("postgres://") || value.starts_with("postgresql://") {
                if value.contains('@')
                    && value
                        .split('@')
                        .next()
                        .is_some_and(|auth| auth.matches(':').count() > 1)
                {
                    p.push(
                        text.span(),
                        "server.database",
                        "a password does not belong in the file: pass the URL with --database or HANDOFF_DATABASE_URL instead",
                    );
                }
                value.to_owned()
            } else {
                p.push(
                    text.span(),
                    "server.database",
                    format!("`{value}` is not a database URL: use sqlite://PATH or postgres://..."),
                );
                sqlite_url(&base_dir.join("handoff.db"))
            }
        }
    };
    Server {
        listen,
        public_url,
        database,
    }
}

fn sqlite_url(path: &std::path::Path) -> String {
    format!("sqlite://{}", path.display())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn durations_are_written_with_units() {
        assert_eq!(parse_duration("90s"), Ok(Duration::from_secs(90)));
        assert_eq!(parse_duration("5m"), Ok(Duration::from_secs(300)));
        assert_eq!(parse_duration("1h30m"), Ok(Duration::from_secs(5400)));
        assert!(parse_duration("5").is_err());
        assert!(parse_duration("m").is_err());
        assert!(parse_duration("five minutes").is_err());
    }
}

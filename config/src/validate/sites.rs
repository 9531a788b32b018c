//! Sites: time zones, operating hours, zones, policies (by day and after hours),
//! their own intake deadlines, closures and the Matrix room of their case managers.

use std::collections::{BTreeMap, BTreeSet, HashSet};
use std::ops::Range;

use chrono_tz::Tz;
use handoff_dispatcher::{EscalationPolicy, PolicyId};
use handoff_schedules::{Closure, ClosureDates, SiteId, SiteSchedule, ZoneId};
use toml::Spanned;

use super::ranges::{INTAKE_DAYS, number_within, parse_date};
use super::text::plain_text;
use super::values::{check_unique, clock, parse_with, recurring_cron, required, windows};
use crate::error::Problems;
use crate::model::{MatrixRoomId, Site};
use crate::raw::{RawClosure, RawSite, Text};

/// The sites that were built, each with the byte span of its table, and the ids
/// the file declares (valid or not), so that a reference to a site that has errors
/// of its own is not reported a second time as unknown.
pub(super) struct Sites {
    pub(super) built: Vec<(Site, Range<usize>)>,
    pub(super) declared: BTreeSet<String>,
}

impl Sites {
    pub(super) fn iter(&self) -> impl Iterator<Item = &(Site, Range<usize>)> {
        self.built.iter()
    }
    pub(super) fn iter_mut(&mut self) -> impl Iterator<Item = &mut (Site, Range<usize>)> {
        self.built.iter_mut()
    }
}

pub(super) fn sites(
    p: &mut Problems,
    raws: &[Spanned<RawSite>],
    policies: &BTreeMap<PolicyId, EscalationPolicy>,
    declared_policies: &BTreeSet<String>,
    reminder: Option<u32>,
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
    let known = KnownPolicies {
        built: policies,
        declared: declared_policies,
    };
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
            .and_then(|t| plain_text(p, t, &format!("{key}.name")));
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
        let policy = required(
            p,
            &site.escalation,
            raw.span(),
            &format!("{key}.escalation"),
        )
        .and_then(|t| known.resolve(p, t, &format!("{key}.escalation")));
        let after_hours_policy = site
            .after_hours_escalation
            .as_ref()
            .and_then(|t| known.resolve(p, t, &format!("{key}.after_hours_escalation")));
        let intake_days = site
            .intake_days
            .as_ref()
            .and_then(|days| site_intake_days(p, days, &format!("{key}.intake_days"), reminder));
        let zones = site
            .zones
            .iter()
            .filter_map(|t| parse_with(p, t, &format!("{key}.zones"), ZoneId::parse))
            .collect();
        let hours = windows(p, &site.hours, &format!("{key}.hours"));
        let closures = closures(p, &site.closures, &format!("{key}.closures"));
        let matrix_room = site
            .matrix_room
            .as_ref()
            .and_then(|t| parse_with(p, t, &format!("{key}.matrix_room"), MatrixRoomId::parse));
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
                    after_hours_policy,
                    intake_days,
                    zones,
                    matrix_room,
                    centers: Vec::new(),
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

/// The escalation policies a site may name: those built, and those the file
/// declares, valid or not.
struct KnownPolicies<'a> {
    built: &'a BTreeMap<PolicyId, EscalationPolicy>,
    declared: &'a BTreeSet<String>,
}

impl KnownPolicies<'_> {
    /// The policy `text` names. A policy that exists but has errors of its own is
    /// reported there, not here.
    fn resolve(&self, p: &mut Problems, text: &Text, key: &str) -> Option<PolicyId> {
        let id = parse_with(p, text, key, PolicyId::parse)?;
        if !self.built.contains_key(&id) && !self.declared.contains(id.as_str()) {
            p.push(
                text.span(),
                key,
                format!(
                    "unknown escalation policy `{id}`: no [[escalation_policies]] entry has this id"
                ),
            );
            return None;
        }
        Some(id)
    }
}

/// A site's own intake deadline, which must leave room for the reminder the file
/// sets before deadlines (`reminder`, when written: see `program::written_reminder`).
fn site_intake_days(
    p: &mut Problems,
    days: &Spanned<i64>,
    key: &str,
    reminder: Option<u32>,
) -> Option<u32> {
    let days_value = number_within(p, days, key, &INTAKE_DAYS)?;
    if let Some(reminder) = reminder
        && reminder >= days_value
    {
        p.push(
            days.span(),
            key,
            format!("must be more than program.intake_reminder_days ({reminder}): the reminder would be due by the time the hand-off is accepted; give more days, or lower the reminder"),
        );
        return None;
    }
    Some(days_value)
}

/// A site's or a center's closures.
pub(super) fn closures(p: &mut Problems, raws: &[Spanned<RawClosure>], key: &str) -> Vec<Closure> {
    let mut out = Vec::new();
    for (i, raw) in raws.iter().enumerate() {
        let key = format!("{key}[{i}]");
        let c = raw.get_ref();
        let name = required(p, &c.name, raw.span(), &format!("{key}.name"))
            .and_then(|t| plain_text(p, t, &format!("{key}.name")));
        let date = |p: &mut Problems, t: &Text, k: &str| {
            parse_with(p, t, &format!("{key}.{k}"), parse_date)
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
                recurring_cron(p, cron, &format!("{key}.cron"), None).map(ClosureDates::Matching)
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

//! `handoff on-duty`: for each site, whether it is open at an instant, who is on duty
//! as what, and when it next opens; as text for people or JSON for scripts.

use chrono::{DateTime, SecondsFormat, Utc};
use chrono_tz::Tz;
use handoff_config::{Config, Site};
use handoff_schedules::Role;
use serde::Serialize;

/// What `on-duty --json` prints for one site.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct SiteReport {
    pub site: String,
    pub name: String,
    pub time_zone: String,
    /// The instant asked about, RFC 3339 with the site's offset.
    pub at: String,
    pub open: bool,
    pub on_duty: Vec<DutyEntry>,
    /// RFC 3339 with the site's offset; null if the site never opens.
    pub next_opening: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct DutyEntry {
    pub person: String,
    pub name: String,
    pub role: Role,
}

pub fn rfc3339(at: DateTime<Utc>, tz: Tz) -> String {
    at.with_timezone(&tz)
        .to_rfc3339_opts(SecondsFormat::Secs, false)
}

/// A time as a person reads it on a site's clock: `Mon 2026-11-23 08:00 EST`.
pub fn human(at: DateTime<Utc>, tz: Tz) -> String {
    at.with_timezone(&tz)
        .format("%a %Y-%m-%d %H:%M %Z")
        .to_string()
}

pub fn report(config: &Config, site: &Site, at: DateTime<Utc>) -> SiteReport {
    let schedule = &site.schedule;
    let on_duty = schedule
        .on_duty(at)
        .into_iter()
        .map(|(person, role)| DutyEntry {
            name: config
                .roster
                .people
                .get(&person)
                .map_or_else(|| person.to_string(), |p| p.name.clone()),
            person: person.to_string(),
            role,
        })
        .collect();
    SiteReport {
        site: site.id.to_string(),
        name: site.name.clone(),
        time_zone: schedule.tz.name().to_owned(),
        at: rfc3339(at, schedule.tz),
        open: schedule.is_open(at),
        on_duty,
        next_opening: schedule
            .next_opening(at)
            .map(|t| rfc3339(t.to_utc(), schedule.tz)),
    }
}

/// The text form, one block per site.
pub fn render_text(config: &Config, reports: &[SiteReport], at: DateTime<Utc>) -> String {
    let mut out = String::new();
    for report in reports {
        let Some(site) = config.sites.iter().find(|s| s.id.as_str() == report.site) else {
            continue;
        };
        let tz = site.schedule.tz;
        let state = if report.open { "OPEN" } else { "CLOSED" };
        out.push_str(&format!(
            "{} ({}): {} at {}\n",
            report.name,
            report.site,
            state,
            human(at, tz)
        ));
        if report.on_duty.is_empty() {
            out.push_str("  nobody is on duty or on call\n");
        } else {
            let heading = if report.open { "on duty" } else { "on call" };
            out.push_str(&format!("  {heading}:\n"));
            for entry in &report.on_duty {
                out.push_str(&format!(
                    "    {:<24} {:<10} {}\n",
                    entry.name,
                    entry.person,
                    entry.role.label()
                ));
            }
        }
        match site.schedule.next_opening(at) {
            Some(next) => out.push_str(&format!("  next opening: {}\n", human(next.to_utc(), tz))),
            None => out.push_str("  next opening: none scheduled\n"),
        }
        out.push('\n');
    }
    out
}

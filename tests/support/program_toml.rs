//! Writing a [`ProgramSpec`] as a configuration file: each index is resolved here
//! against what the file holds, so that every reference names something that exists
//! (a shift's role is one of its person's, a rotation's members have its role, an
//! officer's zone belongs to the agency's sites).

use std::fmt::Write;

use chrono::{Duration, NaiveDate, NaiveDateTime};

use crate::random_program::{
    ClockTime, ClosureDays, End, OverrideKind, ProgramSpec, ROLES, SITE_IDS, SiteSpec, Who, Window,
};

const PEOPLE: [(&str, &str); 6] = [
    ("ana", "Ana Kowalski"),
    ("ben", "Ben Mbeki"),
    ("cruz", "Cruz Alvarez"),
    ("dee", "Dee O'Neill"),
    ("eli", "Eli Nakamura"),
    ("fay", "Fay Lindqvist"),
];

fn base_date() -> NaiveDate {
    NaiveDate::from_ymd_opt(2026, 1, 1).unwrap_or_default()
}

/// `days` after 2026-01-01, as `YYYY-MM-DD`.
fn date(days: u32) -> String {
    (base_date() + Duration::days(i64::from(days)))
        .format("%Y-%m-%d")
        .to_string()
}

/// `hours` after 2026-01-01T00:00, local (`2026-03-08T02:00`) or with an offset.
fn moment(hours: u32, with_offset: bool) -> String {
    let at: NaiveDateTime =
        base_date().and_hms_opt(0, 0, 0).unwrap_or_default() + Duration::hours(i64::from(hours));
    if with_offset {
        at.format("%Y-%m-%dT%H:%M:00-05:00").to_string()
    } else {
        at.format("%Y-%m-%dT%H:%M").to_string()
    }
}

fn end_text(end: End) -> String {
    match end {
        End::At(at) => clock_text(at),
        End::Midnight => "24:00".to_owned(),
    }
}

fn clock_text(at: ClockTime) -> String {
    let ClockTime(h, m) = at;
    format!("{h:02}:{m:02}")
}

fn window_text(window: &Window) -> String {
    match window {
        Window::Days { days, start, end } => format!(
            "{{ days = \"{days}\", start = \"{}\", end = \"{}\" }}",
            clock_text(*start),
            end_text(*end)
        ),
        Window::Cron { cron, end } => {
            format!("{{ cron = \"{cron}\", end = \"{}\" }}", end_text(*end))
        }
    }
}

fn windows_text(windows: &[Window]) -> String {
    let items: Vec<String> = windows.iter().map(window_text).collect();
    format!("[{}]", items.join(", "))
}

fn quoted_list<S: AsRef<str>>(items: &[S]) -> String {
    let items: Vec<String> = items
        .iter()
        .map(|s| format!("\"{}\"", s.as_ref()))
        .collect();
    format!("[{}]", items.join(", "))
}

/// Keeps the first of each value, in order.
fn dedup<T: PartialEq + Clone>(items: impl IntoIterator<Item = T>) -> Vec<T> {
    let mut out: Vec<T> = Vec::new();
    for item in items {
        if !out.contains(&item) {
            out.push(item);
        }
    }
    out
}

impl ProgramSpec {
    fn site_count(&self) -> usize {
        self.sites.len()
    }

    /// The site ids a list of picks names, those that exist, in order.
    fn site_ids(&self, picks: &[usize]) -> Vec<&'static str> {
        let ids = dedup(picks.iter().copied().filter(|i| *i < self.site_count()));
        let ids = if ids.is_empty() { vec![0] } else { ids };
        ids.into_iter().map(|i| SITE_IDS[i]).collect()
    }

    fn person_count(&self) -> usize {
        self.people.len().min(PEOPLE.len())
    }

    fn person_id(&self, pick: usize) -> &'static str {
        PEOPLE[pick % self.person_count()].0
    }

    fn roles_of(&self, person: usize) -> Vec<&'static str> {
        let bits = self.people[person % self.person_count()].roles;
        ROLES
            .iter()
            .enumerate()
            .filter(|(i, _)| bits & (1 << i) != 0)
            .map(|(_, r)| *r)
            .collect()
    }

    fn all_zones(&self) -> Vec<&'static str> {
        self.sites.iter().flat_map(|s| s.zones.clone()).collect()
    }

    /// The file, with an SMS sandbox and no secrets.
    pub fn toml(&self) -> String {
        let mut out = String::new();
        let _ = writeln!(
            out,
            "[program]\nname = \"Random LEAD\"\nintake_days = {}\narrival_limit = \"{}\"\nmessage_retention = \"{}\"\n",
            self.intake_days, self.arrival_limit, self.message_retention
        );
        self.write_policies(&mut out);
        for (i, site) in self.sites.iter().enumerate() {
            self.write_site(&mut out, i, site);
        }
        self.write_agencies(&mut out);
        self.write_people(&mut out);
        self.write_duties(&mut out);
        out.push_str("[transports.sms]\nprovider = \"sandbox\"\n");
        out
    }

    fn write_policies(&self, out: &mut String) {
        for (i, steps) in self.policies.iter().enumerate() {
            let _ = writeln!(out, "[[escalation_policies]]\nid = \"policy-{i}\"\n");
            for step in steps {
                let who = match &step.who {
                    Who::Role(r) => format!("\"{}\"", ROLES[r % ROLES.len()]),
                    Who::AllOnDuty => "\"all_on_duty\"".to_owned(),
                    Who::People(picks) => {
                        quoted_list(&dedup(picks.iter().map(|p| self.person_id(*p))))
                    }
                };
                let strategy = if step.one_at_a_time {
                    "one_at_a_time"
                } else {
                    "broadcast"
                };
                let _ = writeln!(
                    out,
                    "[[escalation_policies.steps]]\nwho = {who}\nstrategy = \"{strategy}\"\ntimeout = \"{}\"\n",
                    step.timeout
                );
            }
        }
    }

    fn write_site(&self, out: &mut String, i: usize, site: &SiteSpec) {
        let _ = writeln!(
            out,
            "[[sites]]\nid = \"{}\"\nname = \"Site {i}\"\ntime_zone = \"{}\"\nescalation = \"policy-{}\"\nzones = {}\nhours = {}\n",
            SITE_IDS[i],
            site.time_zone,
            site.policy % self.policies.len().max(1),
            quoted_list(&site.zones),
            windows_text(&site.hours)
        );
        for (k, closure) in site.closures.iter().enumerate() {
            let days = match &closure.days {
                ClosureDays::Date(d) => format!("date = \"{}\"", date(*d)),
                ClosureDays::Range(from, to) => {
                    format!("from = \"{}\"\nto = \"{}\"", date(*from), date(*to))
                }
                ClosureDays::Cron(cron) => format!("cron = \"{cron}\""),
            };
            let _ = writeln!(out, "[[sites.closures]]\nname = \"Closure {k}\"\n{days}");
            if let Some((start, minutes)) = closure.open {
                let ClockTime(h, m) = start;
                let end = (u32::from(h) * 60 + u32::from(m) + minutes).min(24 * 60);
                let _ = writeln!(
                    out,
                    "open = [{{ start = \"{}\", end = \"{:02}:{:02}\" }}]",
                    clock_text(start),
                    end / 60,
                    end % 60
                );
            }
            out.push('\n');
        }
    }

    fn write_agencies(&self, out: &mut String) {
        for (a, agency) in self.agencies.iter().enumerate() {
            let sites = self.site_ids(&agency.sites);
            let zones: Vec<&str> = sites
                .iter()
                .filter_map(|id| SITE_IDS.iter().position(|s| s == id))
                .flat_map(|i| self.sites[i].zones.clone())
                .collect();
            let _ = writeln!(
                out,
                "[[agencies]]\nid = \"agency-{a}\"\nname = \"Agency {a} Police\"\nsites = {}\nofficers = [",
                quoted_list(&sites)
            );
            for (j, officer) in agency.officers.iter().enumerate() {
                let mut line = format!(
                    "  {{ id = \"officer-{a}-{j}\", name = \"Olive Rivera{a}{j}\", rank = \"Ofc.\", phone = \"+1 724 555 02{a}{j}\""
                );
                if officer.matrix {
                    let _ = write!(line, ", matrix = \"@officer{a}{j}:matrix.example.org\"");
                }
                if let (Some(pick), false) = (officer.zone, zones.is_empty()) {
                    let _ = write!(line, ", zone = \"{}\"", zones[pick % zones.len()]);
                }
                let _ = writeln!(out, "{line} }},");
            }
            out.push_str("]\n\n");
        }
    }

    fn write_people(&self, out: &mut String) {
        let zones = self.all_zones();
        for (i, person) in self.people.iter().take(PEOPLE.len()).enumerate() {
            let (id, name) = PEOPLE[i];
            let _ = writeln!(
                out,
                "[[people]]\nid = \"{id}\"\nname = \"{name}\"\nroles = {}",
                quoted_list(&self.roles_of(i))
            );
            if person.phone {
                let _ = writeln!(out, "phone = \"+1 412 555 01{}\"", 10 + i);
            }
            if person.matrix {
                let _ = writeln!(out, "matrix = \"@{id}:matrix.example.org\"");
            }
            if let Some(cap) = person.caseload_cap {
                let _ = writeln!(out, "caseload_cap = {cap}");
            }
            if !zones.is_empty() {
                let picked = dedup(person.zones.iter().map(|z| zones[z % zones.len()]));
                let _ = writeln!(out, "zones = {}", quoted_list(&picked));
            }
            out.push('\n');
        }
    }

    fn write_duties(&self, out: &mut String) {
        for shift in &self.shifts {
            let roles = self.roles_of(shift.person);
            let _ = writeln!(
                out,
                "[[shifts]]\nperson = \"{}\"",
                self.person_id(shift.person)
            );
            if shift.explicit_role || roles.len() > 1 {
                let _ = writeln!(out, "role = \"{}\"", roles[shift.role % roles.len()]);
            }
            self.write_scope(out, shift.sites.as_deref(), &shift.hours, shift.when);
        }
        for (k, rotation) in self.rotations.iter().enumerate() {
            let role = ROLES[rotation.role % ROLES.len()];
            let candidates: Vec<&str> = (0..self.person_count())
                .filter(|p| self.roles_of(*p).contains(&role))
                .map(|p| self.person_id(p))
                .collect();
            if candidates.is_empty() {
                continue;
            }
            let members = dedup(
                rotation
                    .members
                    .iter()
                    .map(|m| candidates[m % candidates.len()]),
            );
            let _ = writeln!(
                out,
                "[[rotations]]\nid = \"rotation-{k}\"\nrole = \"{role}\"\nmembers = {}\nstart = \"{}\"",
                quoted_list(&members),
                rotation.start
            );
            if let Some(days) = rotation.turn_days {
                let _ = writeln!(out, "turn_days = {days}");
            }
            self.write_scope(
                out,
                rotation.sites.as_deref(),
                &rotation.hours,
                rotation.when,
            );
        }
        for change in &self.overrides {
            let person = change.person % self.person_count();
            let _ = writeln!(
                out,
                "[[overrides]]\nperson = \"{}\"",
                self.person_id(person)
            );
            match change.kind {
                OverrideKind::Cover(pick) => {
                    let others = self.person_count() - 1;
                    let covers = (person + 1 + pick % others.max(1)) % self.person_count();
                    let _ = writeln!(
                        out,
                        "kind = \"cover\"\ncovers = \"{}\"",
                        self.person_id(covers)
                    );
                }
                OverrideKind::Add(pick) => {
                    let roles = self.roles_of(person);
                    let _ = writeln!(
                        out,
                        "kind = \"add\"\nrole = \"{}\"",
                        roles[pick % roles.len()]
                    );
                }
                OverrideKind::Remove => out.push_str("kind = \"remove\"\n"),
            }
            let _ = writeln!(
                out,
                "from = \"{}\"\nto = \"{}\"",
                moment(change.from_hour, change.with_offset),
                moment(change.from_hour + change.hours, change.with_offset)
            );
            if let Some(sites) = &change.sites {
                let _ = writeln!(out, "sites = {}", quoted_list(&self.site_ids(sites)));
            }
            if change.note {
                out.push_str("note = \"On leave, back soon\"\n");
            }
            out.push('\n');
        }
    }

    fn write_scope(
        &self,
        out: &mut String,
        sites: Option<&[usize]>,
        hours: &[Window],
        when: Option<&str>,
    ) {
        if let Some(sites) = sites {
            let _ = writeln!(out, "sites = {}", quoted_list(&self.site_ids(sites)));
        }
        if !hours.is_empty() {
            let _ = writeln!(out, "hours = {}", windows_text(hours));
        }
        if let Some(when) = when {
            let _ = writeln!(out, "when = \"{when}\"");
        }
        out.push('\n');
    }
}

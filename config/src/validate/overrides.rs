//! Temporary overrides on top of shifts and rotations, from two places: the file's
//! `[[overrides]]`, and the form of the dashboard's "Overrides" page
//! ([`Config::check_override`]). Both are read by [`one`], so an override typed on
//! the dashboard is held to exactly the rules of one written in the file: people
//! who exist, a role the person has, dates in the supported years, an end after
//! the start at every site it names, and a note of plain text within its length.

use std::collections::BTreeMap;

use handoff_dispatcher::Person;
use handoff_schedules::{OverrideKind, OverrideSpec, PersonId};
use toml::Spanned;

use super::ranges::OVERRIDE_NOTE_CHARS;
use super::references::{check_has_role, person_ref, target_sites};
use super::sites::Sites;
use super::text::plain_text_or_empty;
use super::values::{MISSING, duty_role, moment, parse_with, required};
use crate::error::Problems;
use crate::model::Config;
use crate::raw::{RawOverride, Text};

/// Reads the file's overrides and places each in the schedules of the sites it
/// names, in the order written. Returns them as written, for the dashboard's list.
pub(super) fn overrides(
    p: &mut Problems,
    raws: &[Spanned<RawOverride>],
    people: &BTreeMap<PersonId, Person>,
    sites: &mut Sites,
) -> Vec<OverrideSpec> {
    let mut specs = Vec::new();
    for (i, raw) in raws.iter().enumerate() {
        if let Some(spec) = one(p, &format!("overrides[{i}]"), raw, people, sites) {
            for (site, _) in sites.iter_mut() {
                // `one` checked that it ends after it starts at every site it names.
                site.schedule.add_override(&spec);
            }
            specs.push(spec);
        }
    }
    specs
}

/// One override, its problems reported under `key`.
fn one(
    p: &mut Problems,
    key: &str,
    raw: &Spanned<RawOverride>,
    people: &BTreeMap<PersonId, Person>,
    sites: &Sites,
) -> Option<OverrideSpec> {
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
                let added_role = duty_role(p, role_text, &format!("{key}.role"))?;
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
                    format!("`{other}` is not a kind of override: expected cover, add or remove"),
                );
                None
            }
        }
    });
    let from = required(p, &o.from, raw.span(), &format!("{key}.from"))
        .and_then(|t| parse_with(p, t, &format!("{key}.from"), moment));
    let to = required(p, &o.to, raw.span(), &format!("{key}.to"))
        .and_then(|t| parse_with(p, t, &format!("{key}.to"), moment));
    // The note is for the people who keep the schedule, but it is free text all
    // the same, held to the same rule as every other, and shown in a table.
    let note = match &o.note {
        Some(note) => self::note(p, note, &format!("{key}.note")),
        None => Some(String::new()),
    };
    let targets = target_sites(p, &o.sites, raw.span(), sites, &format!("{key}.sites"));
    let (Some(kind), Some(from), Some(to), Some(note)) = (kind, from, to, note) else {
        return None;
    };
    let spec = OverrideSpec {
        kind,
        sites: o.sites.as_ref().map(|_| targets.clone()),
        from,
        to,
        note,
    };
    let reversed = sites
        .iter()
        .filter(|(site, _)| targets.contains(&site.id))
        .any(|(site, _)| spec.during(site.schedule.tz).is_none());
    if reversed {
        if let Some(t) = &o.to {
            p.push(
                t.span(),
                format!("{key}.to"),
                "an override must end after it starts",
            );
        }
        return None;
    }
    Some(spec)
}

fn note(p: &mut Problems, text: &Text, key: &str) -> Option<String> {
    let note = plain_text_or_empty(p, text, key)?;
    let count = note.chars().count();
    if OVERRIDE_NOTE_CHARS.contains(&count) {
        Some(note)
    } else {
        p.push(
            text.span(),
            key,
            format!("must be {} (it has {count})", OVERRIDE_NOTE_CHARS.shown),
        );
        None
    }
}

/// One override as typed into the dashboard's form, each field as sent; a field
/// left blank is empty. `site` is one site's id, or empty for every site.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct OverrideFields {
    pub kind: String,
    pub person: String,
    pub covers: String,
    pub role: String,
    pub site: String,
    pub from: String,
    pub to: String,
    pub note: String,
}

/// What is wrong with one field of the form: the field's name (`person`,
/// `covers`, `role`, `site`, `from`, `to`, `note` or `kind`) and the message the
/// file would get.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FieldProblem {
    pub field: String,
    pub message: String,
}

/// The prefix of the keys of the form's problems.
const FORM: &str = "override";

impl Config {
    /// Reads an override typed on the dashboard by the rules of `[[overrides]]` in
    /// the file, against this configuration's people and sites: the override, or
    /// every problem of the form, each with its field.
    pub fn check_override(
        &self,
        fields: &OverrideFields,
    ) -> Result<OverrideSpec, Vec<FieldProblem>> {
        let given = |text: &str| (!text.is_empty()).then(|| Spanned::new(0..0, text.to_owned()));
        let raw = RawOverride {
            kind: given(&fields.kind),
            person: given(&fields.person),
            covers: given(&fields.covers),
            role: given(&fields.role),
            sites: given(&fields.site).map(|site| vec![site]),
            from: given(&fields.from),
            to: given(&fields.to),
            note: given(&fields.note),
        };
        let sites = Sites {
            built: self.sites.iter().map(|site| (site.clone(), 0..0)).collect(),
            declared: self.sites.iter().map(|site| site.id.to_string()).collect(),
        };
        let mut p = Problems::default();
        let spec = one(
            &mut p,
            FORM,
            &Spanned::new(0..0, raw),
            &self.roster.people,
            &sites,
        );
        match spec {
            Some(spec) if p.0.is_empty() => Ok(spec),
            _ => Err(p
                .0
                .into_iter()
                .map(|problem| FieldProblem {
                    field: problem
                        .key
                        .strip_prefix(FORM)
                        .map_or(problem.key.as_str(), |key| key.trim_start_matches('.'))
                        .replace("sites", "site"),
                    message: if problem.message == MISSING {
                        "missing: fill this in".to_owned()
                    } else {
                        problem.message
                    },
                })
                .collect()),
        }
    }
}

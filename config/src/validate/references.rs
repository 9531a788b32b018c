//! References from one section to another: site lists and people named by id, with
//! the role a reference needs.

use std::collections::BTreeMap;
use std::ops::Range;

use handoff_dispatcher::Person;
use handoff_schedules::{PersonId, Role, SiteId};

use super::sites::Sites;
use super::values::parse_with;
use crate::error::Problems;
use crate::raw::Text;

/// Resolves a list of site ids; an unknown one is an error.
pub(super) fn site_refs(p: &mut Problems, texts: &[Text], sites: &Sites, key: &str) -> Vec<SiteId> {
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
pub(super) fn target_sites(
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

pub(super) fn person_ref<'a>(
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

pub(super) fn check_has_role(
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

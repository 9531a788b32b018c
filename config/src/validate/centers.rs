//! Diversion centers (`[[sites.centers]]`): each with an id unique in the file, a
//! name and an address that are texted (one line of GSM-7, within their lengths),
//! hours read as a site's (in the site's time zone), optional closures and
//! capacity, and its staff: people of the file with the `center` role. A center
//! may have no staff (its drop-offs are told to supervisors), but everyone with the
//! `center` role must be listed at some center, or nobody would ever tell them
//! anything.

use std::collections::{BTreeMap, BTreeSet, HashSet};

use handoff_dispatcher::CenterId;
use handoff_dispatcher::center::Center;
use handoff_schedules::{PersonId, Role, SiteId, SiteSchedule};
use toml::Spanned;

use super::ranges::{
    CENTER_ADDRESS_CHARS, CENTER_CAPACITY, CENTER_NAME_CHARS, CHECK_IN_WITHIN, duration_within,
    number_within,
};
use super::references::person_ref;
use super::sites::{Sites, closures};
use super::text::sms_line;
use super::values::{check_unique, parse_with, required, windows};
use crate::error::Problems;
use crate::raw::{RawCenter, RawPerson, RawSite};
use handoff_dispatcher::Person;

/// How long a center's staff have to check a dropped-off person in, unless the
/// center says: an hour is a long drive within a county, and a second hour leaves
/// room for the officer's paperwork before they set off.
const DEFAULT_CHECK_IN_WITHIN: std::time::Duration = std::time::Duration::from_secs(2 * 60 * 60);

/// Builds every site's centers into the sites built, and checks that everyone with
/// the `center` role works at one.
pub(super) fn centers(
    p: &mut Problems,
    raw_sites: &[Spanned<RawSite>],
    raw_people: &[Spanned<RawPerson>],
    people: &BTreeMap<PersonId, Person>,
    sites: &mut Sites,
) {
    let mut seen = HashSet::new();
    let mut staffed: BTreeSet<PersonId> = BTreeSet::new();
    for (i, raw_site) in raw_sites.iter().enumerate() {
        let raw_site = raw_site.get_ref();
        let site_id = raw_site
            .id
            .as_ref()
            .and_then(|t| SiteId::parse(t.get_ref()).ok());
        let built = sites
            .iter_mut()
            .find(|(site, _)| Some(&site.id) == site_id.as_ref());
        let mut built_centers = Vec::new();
        for (j, raw) in raw_site.centers.iter().enumerate() {
            // Listed as staff counts even at a center with errors of its own, so
            // those errors are not followed by one about its staff.
            staffed.extend(
                raw.get_ref()
                    .staff
                    .iter()
                    .filter_map(|t| PersonId::parse(t.get_ref()).ok()),
            );
            let key = format!("sites[{i}].centers[{j}]");
            let tz_of = built.as_ref().map(|(site, _)| site.schedule.tz);
            if let Some(center) = center(p, raw, &key, tz_of, people, &mut seen) {
                built_centers.push(center);
            }
        }
        if let Some((site, _)) = built {
            site.centers = built_centers;
        }
    }
    for (i, raw) in raw_people.iter().enumerate() {
        let Some(person) = raw
            .get_ref()
            .id
            .as_ref()
            .and_then(|t| PersonId::parse(t.get_ref()).ok())
            .and_then(|id| people.get(&id))
        else {
            continue;
        };
        if person.roles.contains(&Role::Center) && !staffed.contains(&person.id) {
            p.push(
                raw.span(),
                format!("people[{i}].roles"),
                format!(
                    "`{}` has the `center` role but no [[sites.centers]] lists them in `staff`: add them to a center's staff, or remove the role",
                    person.id
                ),
            );
        }
    }
}

/// One center; `tz` is its site's time zone, when the site itself is valid.
fn center(
    p: &mut Problems,
    raw: &Spanned<RawCenter>,
    key: &str,
    tz: Option<chrono_tz::Tz>,
    people: &BTreeMap<PersonId, Person>,
    seen: &mut HashSet<String>,
) -> Option<Center> {
    let c = raw.get_ref();
    let id = required(p, &c.id, raw.span(), &format!("{key}.id")).and_then(|t| {
        check_unique(p, seen, t, &format!("{key}.id"), "center");
        parse_with(p, t, &format!("{key}.id"), CenterId::parse)
    });
    let name = c
        .name
        .as_ref()
        .and_then(|t| sms_line(p, t, &format!("{key}.name"), &CENTER_NAME_CHARS));
    let address = required(p, &c.address, raw.span(), &format!("{key}.address"))
        .and_then(|t| sms_line(p, t, &format!("{key}.address"), &CENTER_ADDRESS_CHARS));
    if c.hours.is_empty() {
        p.push(
            raw.span(),
            format!("{key}.hours"),
            "missing: a center takes drop-offs only while open, so give its hours (e.g. [{ days = \"daily\", start = \"00:00\", end = \"24:00\" }] for always)",
        );
    }
    let hours = windows(p, &c.hours, &format!("{key}.hours"));
    let closed = closures(p, &c.closures, &format!("{key}.closures"));
    let capacity = c
        .capacity
        .as_ref()
        .and_then(|n| number_within(p, n, &format!("{key}.capacity"), &CENTER_CAPACITY));
    let check_in_within = match &c.check_in_within {
        Some(text) => duration_within(p, text, &format!("{key}.check_in_within"), &CHECK_IN_WITHIN),
        None => Some(DEFAULT_CHECK_IN_WITHIN),
    };
    let staff = staff(p, &c.staff, people, &format!("{key}.staff"));
    let (id, tz, address, check_in_within) = (id?, tz?, address?, check_in_within?);
    // The schedule type gives a center's hours the site's rules: windows past
    // midnight, daylight saving, closures. Its id is only a label here.
    let mut schedule = SiteSchedule::new(SiteId::parse(id.as_str()).ok()?, tz);
    schedule.hours = hours;
    schedule.closures = closed;
    Some(Center {
        name: name.unwrap_or_else(|| id.to_string()),
        id,
        address,
        hours: schedule,
        capacity,
        check_in_within,
        staff,
    })
}

/// The people of a center: each once, known, and with the `center` role.
fn staff(
    p: &mut Problems,
    raws: &[crate::raw::Text],
    people: &BTreeMap<PersonId, Person>,
    key: &str,
) -> Vec<PersonId> {
    let mut out: Vec<PersonId> = Vec::new();
    for text in raws {
        let Some(person) = person_ref(p, text, people, key) else {
            continue;
        };
        if !person.roles.contains(&Role::Center) {
            p.push(
                text.span(),
                key,
                format!(
                    "`{}` does not have the `center` role: add \"center\" to their roles to make them staff of a center",
                    person.id
                ),
            );
        } else if out.contains(&person.id) {
            p.push(text.span(), key, format!("`{}` is listed twice", person.id));
        } else {
            out.push(person.id.clone());
        }
    }
    out
}

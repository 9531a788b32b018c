//! Who is on duty when: regular shifts and rotations, added to the schedules of the
//! sites they name (temporary overrides are read in `overrides`).

use chrono::NaiveDateTime;
use std::collections::{BTreeMap, HashSet};

use handoff_dispatcher::Person;
use handoff_schedules::{Availability, PersonId, Rotation, Shift, SiteId, SiteSchedule, When};
use toml::Spanned;

use super::references::{check_has_role, person_ref, target_sites};
use super::sites::Sites;
use super::values::{
    CENTER_NOT_ON_DUTY, check_unique, duty_role, parse_local, parse_with, required, when, windows,
};
use crate::error::Problems;
use crate::raw::{RawRotation, RawShift};

/// How long a rotation's turn may be, in days: from daily to yearly. A longer turn is
/// not a rota, and a huge one would put its handovers beyond any calendar.
const TURN_DAYS: std::ops::RangeInclusive<u32> = 1..=365;

/// The years a rotation's `start` may fall in: turns are counted from it in both
/// directions, and a start centuries away is a typo, not a rota.
const ROTATION_START_YEARS: std::ops::RangeInclusive<i32> = 2000..=2100;

fn rotation_start(text: &str) -> Result<NaiveDateTime, String> {
    let start = parse_local(text)?;
    if ROTATION_START_YEARS.contains(&chrono::Datelike::year(&start)) {
        Ok(start)
    } else {
        Err(format!(
            "`{text}` is out of range: a rotation starts in a year from {} to {}",
            ROTATION_START_YEARS.start(),
            ROTATION_START_YEARS.end()
        ))
    }
}

pub(super) fn for_sites(sites: &mut Sites, ids: &[SiteId], mut add: impl FnMut(&mut SiteSchedule)) {
    for (site, _) in sites.iter_mut().filter(|(s, _)| ids.contains(&s.id)) {
        add(&mut site.schedule);
    }
}

pub(super) fn shifts(
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
            (Some(t), _) => duty_role(p, t, &format!("{key}.role")).filter(|r| {
                person.is_none_or(|person| {
                    check_has_role(p, person, *r, t.span(), &format!("{key}.role"))
                })
            }),
            (None, Some(person)) if person.roles.len() == 1 => {
                let only = person.roles.first().copied();
                if only == Some(handoff_schedules::Role::Center) {
                    p.push(raw.span(), format!("{key}.person"), CENTER_NOT_ON_DUTY);
                    None
                } else {
                    only
                }
            }
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

pub(super) fn rotations(
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
            .and_then(|t| duty_role(p, t, &format!("{key}.role")));
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
            .and_then(|t| parse_with(p, t, &format!("{key}.start"), rotation_start));
        let turn_days = match &r.turn_days {
            None => Some(7),
            Some(days) => match u32::try_from(*days.get_ref()) {
                Ok(d) if TURN_DAYS.contains(&d) => Some(d),
                _ => {
                    p.push(
                        days.span(),
                        format!("{key}.turn_days"),
                        "must be a whole number of days from 1 to 365",
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

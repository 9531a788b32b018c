//! The staff (`[[people]]`): ids, roles, phones, Matrix ids, preferred channels,
//! caseload caps, zones.

use std::collections::{BTreeMap, BTreeSet, HashMap, HashSet};

use handoff_dispatcher::contact::{Channel, MatrixUserId};
use handoff_dispatcher::{Person, PhoneNumber};
use handoff_schedules::{PersonId, Role, ZoneId};
use toml::Spanned;

use super::ranges::{CASELOAD_CAP, number_within};
use super::text::plain_text;
use super::values::{check_unique, parse_with, required, role};
use crate::error::Problems;
use crate::raw::{RawPerson, Text};

pub(super) fn people(p: &mut Problems, raws: &[Spanned<RawPerson>]) -> BTreeMap<PersonId, Person> {
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
            .and_then(|t| plain_text(p, t, &format!("{key}.name")));
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
        let channel = channel(
            p,
            person.channel.as_ref(),
            &format!("{key}.channel"),
            Reachable {
                phone: person.phone.is_some(),
                matrix: person.matrix.is_some(),
            },
        );
        let caseload_cap = person
            .caseload_cap
            .as_ref()
            .and_then(|cap| number_within(p, cap, &format!("{key}.caseload_cap"), &CASELOAD_CAP));
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
                    channel: channel.unwrap_or(default_channel(matrix.as_ref())),
                    matrix,
                    caseload_cap,
                    zones,
                },
            );
        }
    }
    out
}

/// Matrix for whoever has a Matrix ID, SMS otherwise.
pub(crate) fn default_channel(matrix: Option<&MatrixUserId>) -> Channel {
    if matrix.is_some() {
        Channel::Matrix
    } else {
        Channel::Sms
    }
}

/// Which ways to reach someone the file gives, as written: a phone or Matrix ID that
/// is there but malformed counts, since it is reported on its own line and the
/// channel naming it is not wrong as well.
#[derive(Clone, Copy)]
pub(super) struct Reachable {
    pub(super) phone: bool,
    pub(super) matrix: bool,
}

/// The `channel` a person or officer prefers, if the file says: `matrix` or `sms`,
/// and only one they can be reached by. `None` when absent or refused, so the
/// default applies.
pub(super) fn channel(
    p: &mut Problems,
    text: Option<&Text>,
    key: &str,
    reachable: Reachable,
) -> Option<Channel> {
    let text = text?;
    // Voice is what an answer may come by, never where messages go.
    let Some(channel) = Channel::parse(text.get_ref()).filter(|c| *c != Channel::Voice) else {
        p.push(
            text.span(),
            key,
            format!(
                "`{}` is not a channel: expected matrix or sms",
                text.get_ref()
            ),
        );
        return None;
    };
    let missing = match channel {
        Channel::Matrix if !reachable.matrix => {
            "`matrix` needs a matrix ID: add `matrix = \"@name:server\"` or choose sms"
        }
        Channel::Sms if !reachable.phone => "`sms` needs a phone: add `phone` or choose matrix",
        _ => return Some(channel),
    };
    p.push(text.span(), key, missing);
    None
}

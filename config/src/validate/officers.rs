//! Agencies and their registered officers, and the rule that a phone belongs to one
//! person.

use std::collections::{BTreeMap, HashMap, HashSet};

use handoff_dispatcher::contact::MatrixUserId;
use handoff_dispatcher::{Agency, AgencyId, Officer, OfficerId, Person, PhoneNumber};
use handoff_schedules::{PersonId, ZoneId};
use toml::Spanned;

use super::references::site_refs;
use super::sites::Sites;
use super::staff::{Reachable, channel, default_channel};
use super::text::{plain_text, plain_text_or_empty};
use super::values::{check_unique, parse_with, required};
use crate::error::Problems;
use crate::raw::RawAgency;

pub(super) fn agencies(
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
            .and_then(|t| plain_text(p, t, &format!("{key}.name")));
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
                .and_then(|t| plain_text(p, t, &format!("{key}.name")));
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
            // An officer always has a phone (it is required), so SMS is always open.
            let channel = channel(
                p,
                o.channel.as_ref(),
                &format!("{key}.channel"),
                Reachable {
                    phone: true,
                    matrix: o.matrix.is_some(),
                },
            );
            let zone = o.zone.as_ref().and_then(|t| {
                let zone = parse_with(p, t, &format!("{key}.zone"), ZoneId::parse)?;
                let known: Vec<&ZoneId> = sites
                    .iter()
                    .filter(|(site, _)| agency_sites.contains(&site.id))
                    .flat_map(|(site, _)| &site.zones)
                    .collect();
                if known.contains(&&zone) {
                    Some(zone)
                } else if agency_sites.is_empty() {
                    None
                } else {
                    let names: Vec<String> = known.iter().map(|z| z.to_string()).collect();
                    p.push(
                        t.span(),
                        format!("{key}.zone"),
                        if names.is_empty() {
                            format!("unknown zone `{zone}`: this agency's sites have no zones")
                        } else {
                            format!(
                                "unknown zone `{zone}`: this agency's sites have {}",
                                names.join(", ")
                            )
                        },
                    );
                    None
                }
            });
            let rank = o.rank.as_ref().map_or(Some(String::new()), |t| {
                plain_text_or_empty(p, t, &format!("{key}.rank"))
            });
            if let (Some(officer_id), Some(officer_name), Some(rank), Some(phone), Some(agency)) =
                (officer_id, officer_name, rank, phone, id.clone())
            {
                officers.insert(
                    officer_id.clone(),
                    Officer {
                        id: officer_id,
                        agency,
                        other_agencies: Vec::new(),
                        name: officer_name,
                        rank,
                        phone,
                        channel: channel.unwrap_or(default_channel(matrix.as_ref())),
                        matrix,
                        zone,
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

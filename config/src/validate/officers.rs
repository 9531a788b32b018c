//! Agencies and their registered officers, the further agencies an officer works
//! for, and the rule that a phone belongs to one person.

use std::collections::{BTreeMap, BTreeSet, HashMap, HashSet};

use handoff_dispatcher::contact::MatrixUserId;
use handoff_dispatcher::{Agency, AgencyId, Officer, OfficerId, Person, PhoneNumber};
use handoff_schedules::{PersonId, SiteId, ZoneId};
use toml::Spanned;

use super::references::site_refs;
use super::sites::Sites;
use super::staff::{Reachable, channel, default_channel};
use super::text::{plain_text, plain_text_or_empty};
use super::values::{check_unique, parse_with, required};
use crate::error::Problems;
use crate::raw::{RawAgency, RawOfficer, Text};

/// What the officers read so far tell about the next: the ids and phones taken,
/// and the agency ids the file declares (valid or not, so that an officer naming
/// an agency with errors of its own is not told it is unknown).
struct Registry<'a> {
    sites: &'a Sites,
    people: &'a BTreeMap<PersonId, Person>,
    declared_agencies: BTreeSet<String>,
    officer_ids: HashSet<String>,
    phones: HashMap<PhoneNumber, String>,
}

/// The agency an officer is listed under, as far as it could be read.
struct ListedUnder<'a> {
    id: Option<&'a AgencyId>,
    /// The id as written, to tell it apart in `other_agencies`.
    written: Option<&'a str>,
    sites: &'a [SiteId],
}

pub(super) fn agencies(
    p: &mut Problems,
    raws: &[Spanned<RawAgency>],
    sites: &Sites,
    people: &BTreeMap<PersonId, Person>,
) -> (BTreeMap<AgencyId, Agency>, BTreeMap<OfficerId, Officer>) {
    let mut agencies = BTreeMap::new();
    let mut officers = BTreeMap::new();
    let mut seen_agencies = HashSet::new();
    let mut registry = Registry {
        sites,
        people,
        declared_agencies: raws
            .iter()
            .filter_map(|agency| agency.get_ref().id.as_ref().map(|id| id.get_ref().clone()))
            .collect(),
        officer_ids: HashSet::new(),
        phones: HashMap::new(),
    };
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
        let listed_under = ListedUnder {
            id: id.as_ref(),
            written: a.id.as_ref().map(|t| t.get_ref().as_str()),
            sites: &agency_sites,
        };
        for (j, raw_officer) in a.officers.iter().enumerate() {
            let key = format!("{key}.officers[{j}]");
            if let Some(officer) = officer(p, raw_officer, &key, &listed_under, &mut registry) {
                officers.insert(officer.id.clone(), officer);
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

fn officer(
    p: &mut Problems,
    raw: &Spanned<RawOfficer>,
    key: &str,
    listed_under: &ListedUnder<'_>,
    registry: &mut Registry<'_>,
) -> Option<Officer> {
    let o = raw.get_ref();
    let id = required(p, &o.id, raw.span(), &format!("{key}.id")).and_then(|t| {
        if !registry.officer_ids.insert(t.get_ref().clone()) {
            p.push(
                t.span(),
                format!("{key}.id"),
                format!(
                    "duplicate officer id `{}`: an earlier entry already uses it (an officer who works for several agencies is listed once, with the others in `other_agencies`)",
                    t.get_ref()
                ),
            );
        }
        parse_with(p, t, &format!("{key}.id"), OfficerId::parse)
    });
    let name = required(p, &o.name, raw.span(), &format!("{key}.name"))
        .and_then(|t| plain_text(p, t, &format!("{key}.name")));
    let phone = required(p, &o.phone, raw.span(), &format!("{key}.phone"))
        .and_then(|t| phone(p, t, o, &format!("{key}.phone"), registry));
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
    let zone = o
        .zone
        .as_ref()
        .and_then(|t| zone(p, t, &format!("{key}.zone"), listed_under, registry.sites));
    let rank = o.rank.as_ref().map_or(Some(String::new()), |t| {
        plain_text_or_empty(p, t, &format!("{key}.rank"))
    });
    let other_agencies = other_agencies(
        p,
        &o.other_agencies,
        &format!("{key}.other_agencies"),
        listed_under,
        &registry.declared_agencies,
    );
    Some(Officer {
        id: id?,
        agency: listed_under.id?.clone(),
        other_agencies,
        name: name?,
        rank: rank?,
        phone: phone?,
        channel: channel.unwrap_or(default_channel(matrix.as_ref())),
        matrix,
        zone,
    })
}

/// The officer's phone, which no staff member and no other officer may have:
/// replies from one number must be told apart.
fn phone(
    p: &mut Problems,
    text: &Text,
    o: &RawOfficer,
    key: &str,
    registry: &mut Registry<'_>,
) -> Option<PhoneNumber> {
    let phone = parse_with(p, text, key, PhoneNumber::parse)?;
    if let Some(person) = registry
        .people
        .values()
        .find(|person| person.phone.as_ref() == Some(&phone))
    {
        p.push(
            text.span(),
            key,
            format!("{phone} is also the phone of staff member `{}`: a number must belong to one person, or replies cannot be told apart", person.id),
        );
    }
    if let Some(other) = registry.phones.get(&phone) {
        p.push(
            text.span(),
            key,
            format!("{phone} is already the phone of officer `{other}`"),
        );
    }
    let id =
        o.id.as_ref()
            .map(|t| t.get_ref().clone())
            .unwrap_or_default();
    registry.phones.insert(phone.clone(), id);
    Some(phone)
}

/// The zone the officer usually works: one of the zones of the sites of the
/// agency they are listed under.
fn zone(
    p: &mut Problems,
    text: &Text,
    key: &str,
    listed_under: &ListedUnder<'_>,
    sites: &Sites,
) -> Option<ZoneId> {
    let zone = parse_with(p, text, key, ZoneId::parse)?;
    let known: Vec<&ZoneId> = sites
        .iter()
        .filter(|(site, _)| listed_under.sites.contains(&site.id))
        .flat_map(|(site, _)| &site.zones)
        .collect();
    if known.contains(&&zone) {
        return Some(zone);
    }
    if listed_under.sites.is_empty() {
        return None; // the agency's sites are missing or wrong, reported there
    }
    let names: Vec<String> = known.iter().map(|z| z.to_string()).collect();
    p.push(
        text.span(),
        key,
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

/// `other_agencies`: the agencies an officer works for besides the one they are
/// listed under, so that a part-time officer of two departments is registered
/// once, with one phone. Each must be an agency of the file, named once, and not
/// the one they are listed under.
fn other_agencies(
    p: &mut Problems,
    texts: &[Text],
    key: &str,
    listed_under: &ListedUnder<'_>,
    declared: &BTreeSet<String>,
) -> Vec<AgencyId> {
    let mut out: Vec<AgencyId> = Vec::new();
    for text in texts {
        let Some(id) = parse_with(p, text, key, AgencyId::parse) else {
            continue;
        };
        let problem = if listed_under.written == Some(id.as_str()) {
            Some(format!(
                "`{id}` is the agency this officer is listed under: name only their other agencies"
            ))
        } else if out.contains(&id) {
            Some(format!("`{id}` is named twice: name each agency once"))
        } else if !declared.contains(id.as_str()) {
            Some(format!(
                "unknown agency `{id}`: no [[agencies]] entry has this id"
            ))
        } else {
            None
        };
        match problem {
            Some(problem) => p.push(text.span(), key, problem),
            None => out.push(id),
        }
    }
    out
}

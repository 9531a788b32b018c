//! Where a request goes: which of the officer's agency's sites, and which zone
//! (precinct, beat) within it, so that case managers serving that zone are offered
//! it first.
//!
//! Officers say where they are in their own words. A zone counts as named when its
//! id appears in the request as whole words, ignoring case, with `-`, `_` and
//! spaces alike and the space before a number optional: zone `zone-3` is named by
//! "Zone 3", "zone3" or "ZONE-3", zone `north` by "North side", but `zone-1` is not
//! named by "Zone 10". In order:
//!
//! 1. exactly one zone of the agency's sites named in the request: that site and
//!    zone (an agency serving two counties reaches the other by naming its zone);
//! 2. else the officer's own zone from the configuration, at the first of the
//!    agency's sites that has it;
//! 3. else the agency's first site, with no zone.
//!
//! Two different zones named is no choice at all: the officer's own zone decides.
//!
//! A transport with fields of its own for the place (the JSON API) gives the site,
//! the zone or both instead ([`place_given`]); the words are then not searched.

use handoff_schedules::{SiteId, ZoneId};

use super::command::Placement;

/// A site an agency's requests may go to, with its zones.
#[derive(Debug, Clone, Copy)]
pub struct Candidate<'a> {
    pub site: &'a SiteId,
    pub zones: &'a [ZoneId],
}

/// The site and zone for a request whose text is `text`, from an officer whose
/// configured zone is `own`, of an agency whose sites are `sites` (default first).
/// `None` only when the agency has no site.
pub fn place(
    text: &str,
    own: Option<&ZoneId>,
    sites: &[Candidate<'_>],
) -> Option<(SiteId, Option<ZoneId>)> {
    let words = normalized(text);
    let mut named: Vec<(&SiteId, &ZoneId)> = Vec::new();
    for candidate in sites {
        for zone in candidate.zones {
            if spellings(zone.as_str())
                .iter()
                .any(|spelling| words.contains(&format!(" {spelling} ")))
            {
                named.push((candidate.site, zone));
            }
        }
    }
    if let [(site, zone)] = named.as_slice() {
        return Some(((*site).clone(), Some((*zone).clone())));
    }
    if let Some(own) = own
        && let Some(candidate) = sites.iter().find(|c| c.zones.contains(own))
    {
        return Some((candidate.site.clone(), Some(own.clone())));
    }
    sites.first().map(|c| (c.site.clone(), None))
}

/// The site and zone a request goes to when its transport gave them as fields:
///
/// - a site: that site (if it is one of the agency's), with the zone given if the
///   site has it, else the officer's own zone if the site has that, else none;
/// - a zone alone: the first of the agency's sites that has it, with that zone.
///
/// `None` when nothing was given, or what was given is not the agency's (the API
/// checks both before it asks, so only a reload in between gets here): the
/// request is then placed by its words, as [`place`] does.
pub fn place_given(
    given: &Placement,
    own: Option<&ZoneId>,
    sites: &[Candidate<'_>],
) -> Option<(SiteId, Option<ZoneId>)> {
    match (&given.site, &given.zone) {
        (Some(site), zone) => {
            let candidate = sites.iter().find(|c| c.site == site)?;
            let zone = [zone.as_ref(), own]
                .into_iter()
                .flatten()
                .find(|z| candidate.zones.contains(z));
            Some((site.clone(), zone.cloned()))
        }
        (None, Some(zone)) => sites
            .iter()
            .find(|c| c.zones.contains(zone))
            .map(|c| (c.site.clone(), Some(zone.clone()))),
        (None, None) => None,
    }
}

/// `text` lowercased, with every run of characters other than letters and digits
/// turned into one space, and a space at each end, so whole words can be found by
/// searching for ` words `.
fn normalized(text: &str) -> String {
    let mut out = String::from(" ");
    for c in text.chars().flat_map(char::to_lowercase) {
        if c.is_alphanumeric() {
            out.push(c);
        } else if !out.ends_with(' ') {
            out.push(' ');
        }
    }
    if !out.ends_with(' ') {
        out.push(' ');
    }
    out
}

/// The ways a zone id may be written, normalized: `zone-3` as `zone 3` and `zone3`.
fn spellings(id: &str) -> Vec<String> {
    let spaced = normalized(id).trim().to_owned();
    let mut all = vec![spaced.clone()];
    // "zone 3" may also be written "zone3": join a word to a number after it.
    let words: Vec<&str> = spaced.split(' ').collect();
    if words.len() > 1 {
        let mut joined = String::new();
        for (i, word) in words.iter().enumerate() {
            let before_number = words
                .get(i + 1)
                .is_some_and(|next| next.chars().all(|c| c.is_ascii_digit()));
            joined.push_str(word);
            if i + 1 < words.len() && !before_number {
                joined.push(' ');
            }
        }
        if joined != spaced {
            all.push(joined);
        }
    }
    all
}

#[cfg(test)]
mod tests {
    use super::*;

    fn zone(id: &str) -> ZoneId {
        ZoneId::parse(id).unwrap()
    }

    fn site(id: &str) -> SiteId {
        SiteId::parse(id).unwrap()
    }

    #[test]
    fn a_zone_is_named_by_its_words_in_any_case_and_spacing() {
        let allegheny = site("allegheny");
        let zones = [
            zone("zone-1"),
            zone("zone-3"),
            zone("zone-10"),
            zone("north-side"),
        ];
        let sites = [Candidate {
            site: &allegheny,
            zones: &zones,
        }];
        let table: [(&str, Option<&str>); 12] = [
            ("Zone 3, 5th & Main", Some("zone-3")),
            ("at 5th & Main (zone3)", Some("zone-3")),
            ("ZONE-3 5th and Main", Some("zone-3")),
            ("5th & Main zone_3", Some("zone-3")),
            ("Zone 10 under the bridge", Some("zone-10")),
            ("Zone 1", Some("zone-1")),
            ("North Side, Federal St", Some("north-side")),
            ("north-side", Some("north-side")),
            ("5th & Main, retail theft", None),
            ("zone 4", None),
            ("the ozone 3 bar", None),
            // Two zones named: no choice.
            ("between zone 1 and zone 3", None),
        ];
        for (text, expected) in table {
            let (_, got) = place(text, None, &sites).unwrap();
            assert_eq!(got, expected.map(zone), "{text:?}");
        }
    }

    #[test]
    fn a_named_zone_picks_the_site_and_the_officers_own_zone_is_the_fallback() {
        let beaver = site("beaver");
        let allegheny = site("allegheny");
        let beaver_zones = [zone("east")];
        let allegheny_zones = [zone("zone-1"), zone("zone-2")];
        let sites = [
            Candidate {
                site: &beaver,
                zones: &beaver_zones,
            },
            Candidate {
                site: &allegheny,
                zones: &allegheny_zones,
            },
        ];
        let own = zone("zone-2");
        // (request text, the officer's own zone, the site and zone it goes to)
        type Row<'a> = (&'a str, Option<&'a ZoneId>, (&'a str, Option<&'a str>));
        let table: [Row<'_>; 6] = [
            // Named in the text: that site and zone, whatever the officer's own.
            (
                "Zone 1, Liberty Ave",
                Some(&own),
                ("allegheny", Some("zone-1")),
            ),
            ("East End, Route 51", None, ("beaver", Some("east"))),
            // Nothing named: the officer's own zone, at the site that has it.
            ("Liberty Ave", Some(&own), ("allegheny", Some("zone-2"))),
            // Ambiguous: the officer's own zone decides.
            (
                "from zone 1 to East",
                Some(&own),
                ("allegheny", Some("zone-2")),
            ),
            // Nothing at all: the default site, no zone.
            ("Route 51", None, ("beaver", None)),
            ("from zone 1 to East", None, ("beaver", None)),
        ];
        for (text, own, (want_site, want_zone)) in table {
            let got = place(text, own, &sites).unwrap();
            assert_eq!(got, (site(want_site), want_zone.map(zone)), "{text:?}");
        }
    }

    #[test]
    fn a_site_or_zone_given_as_a_field_places_the_request_without_its_words() {
        let beaver = site("beaver");
        let allegheny = site("allegheny");
        let beaver_zones = [zone("east")];
        let allegheny_zones = [zone("zone-1"), zone("zone-2")];
        let sites = [
            Candidate {
                site: &beaver,
                zones: &beaver_zones,
            },
            Candidate {
                site: &allegheny,
                zones: &allegheny_zones,
            },
        ];
        let own = zone("zone-2");
        // (site given, zone given, the officer's own zone, where it goes)
        type Row<'a> = (
            Option<&'a str>,
            Option<&'a str>,
            Option<&'a ZoneId>,
            Option<(&'a str, Option<&'a str>)>,
        );
        let table: [Row<'_>; 9] = [
            (
                Some("allegheny"),
                Some("zone-1"),
                Some(&own),
                Some(("allegheny", Some("zone-1"))),
            ),
            // The site alone: the officer's own zone if the site has it.
            (
                Some("allegheny"),
                None,
                Some(&own),
                Some(("allegheny", Some("zone-2"))),
            ),
            (Some("beaver"), None, Some(&own), Some(("beaver", None))),
            // A zone the site does not have is no zone there.
            (Some("beaver"), Some("zone-1"), None, Some(("beaver", None))),
            (
                Some("beaver"),
                Some("zone-1"),
                Some(&own),
                Some(("beaver", None)),
            ),
            // A zone alone picks the site that has it.
            (
                None,
                Some("zone-1"),
                None,
                Some(("allegheny", Some("zone-1"))),
            ),
            (
                None,
                Some("east"),
                Some(&own),
                Some(("beaver", Some("east"))),
            ),
            // Not the agency's, or nothing given: placed by the words instead.
            (Some("elsewhere"), Some("zone-1"), None, None),
            (None, Some("west"), None, None),
        ];
        for (given_site, given_zone, own, expected) in table {
            let given = Placement {
                site: given_site.map(site),
                zone: given_zone.map(zone),
            };
            let got = place_given(&given, own, &sites);
            let expected = expected.map(|(s, z)| (site(s), z.map(zone)));
            assert_eq!(got, expected, "{given:?} own {own:?}");
        }
        assert_eq!(place_given(&Placement::default(), Some(&own), &sites), None);
    }

    #[test]
    fn an_agency_without_sites_has_nowhere_to_send_a_request() {
        assert_eq!(place("Zone 1", None, &[]), None);
    }
}

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

use handoff_schedules::{SiteId, ZoneId};

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
    fn an_agency_without_sites_has_nowhere_to_send_a_request() {
        assert_eq!(place("Zone 1", None, &[]), None);
    }
}

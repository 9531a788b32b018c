//! The offer by SMS: one 160-septet segment whatever the officer, agency, site or
//! place, with the reply codes `Y4821` and `N4821` never cut. The place gives way
//! first, then the names, then everything but the codes.

use handoff_dispatcher::{HandoffId, HandoffKind};

use super::{SEGMENT, inline, septets, shorten};

/// The shortest part of a location an offer keeps before the names are shortened.
const MIN_LOCATION: usize = 24;

/// The longest site name an offer shows (to someone who serves several sites).
const MAX_OFFER_SITE: usize = 20;

/// The septets `, ` + ` (` + `)` add around the officer's and agency's names.
const BY_LINE_PUNCTUATION: usize = 5;

/// `LEAD 4821: arrest diversion at 5th & Main, Ofc. Rivera (Metro PD). Reply Y4821
/// to take it, N4821 to pass.`, in one segment; `LEAD 4821 (Allegheny County): ...`
/// for someone who serves several sites.
pub(super) fn offer(
    id: HandoffId,
    kind: HandoffKind,
    location: &str,
    agency: &str,
    officer: &str,
    after_hours: bool,
    site: Option<&str>,
) -> String {
    let site = site
        .map(|site| shorten(&inline(site), MAX_OFFER_SITE))
        .filter(|site| !site.is_empty());
    let when = match (site, after_hours) {
        (Some(site), true) => format!(" ({site}, after hours)"),
        (Some(site), false) => format!(" ({site})"),
        (None, true) => " (after hours)".to_owned(),
        (None, false) => String::new(),
    };
    let head = format!("LEAD {id}{when}: {} at ", kind.label());
    let tail = format!(". Reply Y{id} to take it, N{id} to pass.");
    let location = match inline(location) {
        place if place.is_empty() => "a place not given".to_owned(),
        place => place,
    };
    let (officer, agency) = (inline(officer), inline(agency));
    let room = SEGMENT.saturating_sub(septets(&head) + septets(&tail));

    let mut by = by_line(&officer, &agency);
    let keep = septets(&location).min(MIN_LOCATION);
    if septets(&by) + keep > room {
        // Long names: share what the location leaves, the shorter name whole if it fits.
        let names = room.saturating_sub(keep + BY_LINE_PUNCTUATION);
        let half = names / 2;
        let (o, a) = (septets(&officer), septets(&agency));
        let (o_max, a_max) = if o <= half {
            (o, names - o)
        } else if a <= half {
            (names - a, a)
        } else {
            (half, names - half)
        };
        by = by_line(&shorten(&officer, o_max), &shorten(&agency, a_max));
    }
    let location = shorten(&location, room.saturating_sub(septets(&by)));
    let text = format!("{head}{location}{by}{tail}");
    if septets(&text) <= SEGMENT {
        text
    } else {
        // Only reachable with absurd numbers: the codes matter more than the rest.
        format!(
            "LEAD {id}{when}: {}. Reply Y{id} to take it, N{id} to pass.",
            kind.label()
        )
    }
}

/// `, Ofc. Rivera (Metro PD)`, or what there is of it.
pub(super) fn by_line(officer: &str, agency: &str) -> String {
    match (officer.is_empty(), agency.is_empty()) {
        (false, false) => format!(", {officer} ({agency})"),
        (false, true) => format!(", {officer}"),
        (true, false) => format!(", {agency}"),
        (true, true) => String::new(),
    }
}

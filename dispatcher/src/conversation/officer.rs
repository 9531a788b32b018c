//! What an officer's message does: a request (placed at a site and zone, or
//! answered with the status of the same request sent moments ago), STATUS, CANCEL,
//! DROPOFF at a diversion center, and any other text relayed to the case manager on the way.

use chrono::{DateTime, Utc};

use super::zone::{Candidate, place, place_given};
use super::{
    Action, Address, Command, Inbound, Placement, Plan, REPEAT_WINDOW, Snapshot, choose, cut,
    status,
};
use crate::decide::Input;
use crate::directory::Directory;
use crate::handoff::{Actor, Handoff, HandoffId, HandoffKind, Request};
use crate::message::{Audience, Named, Problem};
use crate::redact::redact;
use crate::roster::{AgencyId, Officer};
use handoff_schedules::PersonId;

pub(super) fn understand(
    plan: &mut Plan,
    officer: &Officer,
    message: &Inbound,
    snapshot: &Snapshot,
    directory: &Directory,
    now: DateTime<Utc>,
) {
    match &message.command {
        Command::Request {
            kind,
            text,
            placement,
        } => {
            let asked = Asked {
                kind: *kind,
                text,
                placement,
            };
            request(plan, officer, &asked, message, snapshot, directory, now);
        }
        Command::Status => plan.reply(status(snapshot.open.iter(), directory, Audience::Officer)),
        Command::NotDiverted { id, code, note } => {
            let open: Vec<HandoffId> = snapshot.open.iter().map(|h| h.id).collect();
            match code {
                None => plan.problem(*id, Problem::BadOutcome, Vec::new()),
                Some(code) => {
                    if let Some(id) = choose(plan, Named::NotDiverted, *id, &open) {
                        let by = Actor::Officer(officer.id.clone());
                        let (code, note) = (*code, note.clone());
                        plan.apply(id, Input::NotDiverted { by, code, note });
                    }
                }
            }
        }
        Command::ReportNumber { id, number } => {
            let open: Vec<HandoffId> = snapshot.open.iter().map(|h| h.id).collect();
            match number {
                None => plan.problem(*id, Problem::BadReportNumber, Vec::new()),
                Some(number) => {
                    if let Some(id) = choose(plan, Named::ReportNumber, *id, &open) {
                        let by = officer.id.clone();
                        let number = number.clone();
                        plan.apply(id, Input::ReportNumber { by, number });
                    }
                }
            }
        }
        Command::Cancel { id, reason } => {
            let open: Vec<HandoffId> = snapshot.open.iter().map(|h| h.id).collect();
            if let Some(id) = choose(plan, Named::Cancel, *id, &open) {
                let by = Actor::Officer(officer.id.clone());
                let reason = reason.clone();
                plan.apply(id, Input::Cancel { by, reason });
            }
        }
        Command::DropOff { id, center } => {
            let open: Vec<HandoffId> = snapshot.open.iter().map(|h| h.id).collect();
            if let Some(id) = choose(plan, Named::DropOff, *id, &open) {
                let by = officer.id.clone();
                let center = center.clone();
                plan.apply(id, Input::DropOff { by, center });
            }
        }
        Command::Text { id, text } => relay(plan, officer, *id, text, snapshot, directory),
        // Staff commands from an officer are ordinary words in a conversation
        // ("done", "here"): relay them if a case manager is on the way.
        Command::Accept { .. }
        | Command::Take { .. }
        | Command::Decline { .. }
        | Command::Eta { .. }
        | Command::BadEta
        | Command::Arrived { .. }
        | Command::Done { .. }
        | Command::GiveBack { .. }
        | Command::FollowUps
        | Command::FollowedUp { .. }
        | Command::Intake { .. }
        | Command::CheckIn { .. }
        | Command::Who => relay(
            plan,
            officer,
            None,
            message.body.trim(),
            snapshot,
            directory,
        ),
        Command::RequestWithoutLocation { .. } | Command::Help => plan.help(Audience::Officer),
        Command::OptOut | Command::OptIn | Command::Empty => {}
    }
}

/// A request as the command gives it.
struct Asked<'a> {
    kind: HandoffKind,
    text: &'a str,
    placement: &'a Placement,
}

fn request(
    plan: &mut Plan,
    officer: &Officer,
    asked: &Asked<'_>,
    message: &Inbound,
    snapshot: &Snapshot,
    directory: &Directory,
    now: DateTime<Utc>,
) {
    let kind = asked.kind;
    // An agency's own system asks for that agency (it may act only for officers
    // who work for it); a text names one at its start, or goes for the first.
    let (agency, text) = match &message.from {
        Address::Agency { agency, .. } => (agency.clone(), asked.text),
        Address::Phone(_) | Address::Matrix(_) => agency_named(asked.text, officer, directory),
    };
    let (asked_for, text) = asked_for(text, directory);
    let candidates: Vec<Candidate<'_>> = directory
        .roster
        .agencies
        .get(&agency)
        .map(|a| a.sites.as_slice())
        .unwrap_or_default()
        .iter()
        .map(|site| Candidate {
            site,
            zones: directory
                .sites
                .get(site)
                .map(|s| s.zones.as_slice())
                .unwrap_or_default(),
        })
        .collect();
    let placed = place_given(asked.placement, officer.zone.as_ref(), &candidates)
        .or_else(|| place(text, officer.zone.as_ref(), &candidates));
    let Some((site, zone)) = placed else {
        // The configuration refuses an agency without sites; a reload race is all
        // that could get here.
        tracing::error!(%agency, "agency has no site");
        plan.help(Audience::Officer);
        return;
    };
    let location = redact(&cut(text));
    if let Some(same) = repeated(&snapshot.open, (kind, &agency), &location, now) {
        tracing::info!(handoff = %same.id, "a request sent again: answered with its status");
        plan.about = Some(same.id);
        plan.reply(status(std::iter::once(same), directory, Audience::Officer));
        return;
    }
    plan.action = Some(Action::Open(Request {
        kind,
        site,
        officer: officer.id.clone(),
        agency,
        location,
        zone,
        asked_for,
    }));
}

fn relay(
    plan: &mut Plan,
    officer: &Officer,
    id: Option<HandoffId>,
    text: &str,
    snapshot: &Snapshot,
    directory: &Directory,
) {
    let accepted: Vec<HandoffId> = snapshot
        .open
        .iter()
        .filter(|h| h.state.is_active_assignment())
        .map(|h| h.id)
        .collect();
    if id.is_none() && accepted.is_empty() {
        // Nobody to relay to: a waiting officer is told where things stand, an
        // officer with nothing open is shown the commands.
        if snapshot.open.is_empty() {
            plan.help(Audience::Officer);
        } else {
            plan.reply(status(snapshot.open.iter(), directory, Audience::Officer));
        }
        return;
    }
    if let Some(id) = choose(plan, Named::Message, id, &accepted) {
        let from = Actor::Officer(officer.id.clone());
        plan.apply(
            id,
            Input::Relay {
                from,
                text: cut(text),
            },
        );
    }
}

/// The open hand-off that a request of `kind` for `agency` at `location`, made at
/// `now`, repeats: same kind and agency (an officer of two agencies may ask for
/// each about one place), same words (ignoring case, spacing and punctuation),
/// requested within [`REPEAT_WINDOW`].
fn repeated<'a>(
    open: &'a [Handoff],
    (kind, agency): (HandoffKind, &AgencyId),
    location: &str,
    now: DateTime<Utc>,
) -> Option<&'a Handoff> {
    let words = |text: &str| -> Vec<String> {
        text.split(|c: char| !c.is_alphanumeric())
            .filter(|w| !w.is_empty())
            .map(str::to_lowercase)
            .collect()
    };
    let these = words(location);
    open.iter().find(|h| {
        h.request.kind == kind
            && &h.request.agency == agency
            && now.signed_duration_since(h.requested_at) < REPEAT_WINDOW
            && words(&h.request.location) == these
    })
}

/// The words after `prefix` at the start of `text` (case-insensitive), if `text`
/// starts with it as whole words: `Metro PD, 5th & Main` after `metro pd`.
fn after_words<'t>(text: &'t str, prefix: &str) -> Option<&'t str> {
    let head = text.get(..prefix.len())?;
    if prefix.is_empty() || !head.eq_ignore_ascii_case(prefix) {
        return None;
    }
    let rest = &text[prefix.len()..];
    if rest.starts_with(|c: char| c.is_alphanumeric()) {
        return None;
    }
    Some(rest.trim_start_matches(|c: char| c.is_whitespace() || ",:;-".contains(c)))
}

/// The agency a request goes out for: one of the officer's agencies named first
/// in the text (by id or name), else their first; with the name taken off.
fn agency_named<'t>(
    text: &'t str,
    officer: &Officer,
    directory: &Directory,
) -> (AgencyId, &'t str) {
    if officer.other_agencies.is_empty() {
        return (officer.agency.clone(), text);
    }
    let mut labels: Vec<(&str, &AgencyId)> = Vec::new();
    for id in std::iter::once(&officer.agency).chain(&officer.other_agencies) {
        labels.push((id.as_str(), id));
        if let Some(agency) = directory.roster.agencies.get(id) {
            labels.push((agency.name.as_str(), id));
        }
    }
    // The longest label first: "County Sheriff" before the id "county".
    labels.sort_by_key(|(label, _)| std::cmp::Reverse(label.len()));
    labels
        .into_iter()
        .find_map(|(label, id)| after_words(text, label).map(|rest| (id.clone(), rest)))
        .unwrap_or((officer.agency.clone(), text))
}

/// The person an officer asked for with `@Name` at the start of the request (by
/// first name or id, case-insensitive), with the name taken off. An `@` that
/// names nobody is left in the text, as the officer wrote it.
fn asked_for<'t>(text: &'t str, directory: &Directory) -> (Option<PersonId>, &'t str) {
    let Some(rest) = text.strip_prefix('@') else {
        return (None, text);
    };
    let end = rest
        .find(|c: char| !(c.is_alphanumeric() || c == '-' || c == '_'))
        .unwrap_or(rest.len());
    let (name, after) = rest.split_at(end);
    let found = directory.roster.people.values().find(|p| {
        p.id.as_str().eq_ignore_ascii_case(name) || p.first_name().eq_ignore_ascii_case(name)
    });
    match found {
        Some(person) if !name.is_empty() => (
            Some(person.id.clone()),
            after.trim_start_matches(|c: char| c.is_whitespace() || ",:;-".contains(c)),
        ),
        _ => (None, text),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::contact::{Channel, PhoneNumber};
    use crate::roster::{Agency, Person};
    use handoff_schedules::Role;

    fn directory() -> Directory {
        let mut directory = Directory::default();
        for (id, name) in [
            ("metro-pd", "Metro PD"),
            ("county-sheriff", "County Sheriff"),
        ] {
            let id = AgencyId::parse(id).unwrap();
            let agency = Agency {
                id: id.clone(),
                name: name.to_owned(),
                sites: Vec::new(),
            };
            directory.roster.agencies.insert(id, agency);
        }
        for (id, name) in [("priya", "Priya Natarajan"), ("dana-w", "Dana Whitfield")] {
            let person = Person {
                id: PersonId::parse(id).unwrap(),
                name: name.to_owned(),
                roles: [Role::CaseManager].into(),
                phone: None,
                matrix: None,
                channel: Channel::Sms,
                caseload_cap: None,
                zones: Default::default(),
            };
            directory.roster.people.insert(person.id.clone(), person);
        }
        directory
    }

    fn officer(others: &[&str]) -> Officer {
        Officer {
            id: crate::roster::OfficerId::parse("johnson").unwrap(),
            agency: AgencyId::parse("metro-pd").unwrap(),
            other_agencies: others.iter().map(|a| AgencyId::parse(a).unwrap()).collect(),
            name: "Tom Johnson".to_owned(),
            rank: "Dep.".to_owned(),
            phone: PhoneNumber::parse("+17245550103").unwrap(),
            matrix: None,
            channel: Channel::Sms,
            zone: None,
        }
    }

    #[test]
    fn an_officer_of_several_agencies_names_one_at_the_start_or_gets_the_first() {
        let d = directory();
        let both = officer(&["county-sheriff"]);
        // (text, agency, the words left)
        let table = [
            ("County Sheriff, 5th & Main", "county-sheriff", "5th & Main"),
            ("county-sheriff: 5th & Main", "county-sheriff", "5th & Main"),
            ("metro pd 5th & Main", "metro-pd", "5th & Main"),
            ("5th & Main", "metro-pd", "5th & Main"),
            // A name inside a word is no name.
            (
                "County Sheriffs office lot",
                "metro-pd",
                "County Sheriffs office lot",
            ),
        ];
        for (text, agency, rest) in table {
            let (got, left) = agency_named(text, &both, &d);
            assert_eq!((got.as_str(), left), (agency, rest), "{text}");
        }
        // An officer of one agency keeps every word as written.
        let one = officer(&[]);
        assert_eq!(
            agency_named("Metro PD, 5th & Main", &one, &d).1,
            "Metro PD, 5th & Main"
        );
    }

    #[test]
    fn the_same_words_again_repeat_a_request_only_for_the_same_kind_and_agency() {
        let at = DateTime::<Utc>::UNIX_EPOCH;
        let sheriff = AgencyId::parse("county-sheriff").unwrap();
        let metro = AgencyId::parse("metro-pd").unwrap();
        let request = Request {
            kind: HandoffKind::ArrestDiversion,
            site: handoff_schedules::SiteId::parse("metro").unwrap(),
            officer: officer(&["county-sheriff"]).id,
            agency: sheriff.clone(),
            location: "5th & Main".to_owned(),
            zone: None,
            asked_for: None,
        };
        let open = [Handoff::opened(HandoffId::new(1001), request, at, false)];
        let lead = HandoffKind::ArrestDiversion;
        let refer = HandoffKind::SocialContactReferral;
        let soon = at + chrono::Duration::minutes(1);
        // (kind, agency, words, when, repeats)
        let table = [
            (lead, &sheriff, "5TH & main.", soon, true),
            (lead, &metro, "5th & Main", soon, false),
            (refer, &sheriff, "5th & Main", soon, false),
            (lead, &sheriff, "5th & Main", at + REPEAT_WINDOW, false),
            (lead, &sheriff, "5th & Main, again", soon, false),
        ];
        for (kind, agency, words, when, repeats) in table {
            let found = repeated(&open, (kind, agency), words, when);
            assert_eq!(
                found.is_some(),
                repeats,
                "{kind:?} {agency} {words:?} {when}"
            );
        }
    }

    #[test]
    fn an_officer_asks_for_a_case_manager_by_first_name_or_id_with_an_at_sign() {
        let d = directory();
        // (text, asked for, the words left)
        let table = [
            ("@Priya 5th & Main", Some("priya"), "5th & Main"),
            ("@priya, 5th & Main", Some("priya"), "5th & Main"),
            ("@dana-w 5th & Main", Some("dana-w"), "5th & Main"),
            ("@Dana 5th & Main", Some("dana-w"), "5th & Main"),
            // Nobody by that name: the words stay as the officer wrote them.
            ("@Zed 5th & Main", None, "@Zed 5th & Main"),
            ("@ 5th & Main", None, "@ 5th & Main"),
            ("5th & Main @Priya", None, "5th & Main @Priya"),
        ];
        for (text, who, rest) in table {
            let (got, left) = asked_for(text, &d);
            assert_eq!(
                (got.as_ref().map(PersonId::as_str), left),
                (who, rest),
                "{text}"
            );
        }
    }
}

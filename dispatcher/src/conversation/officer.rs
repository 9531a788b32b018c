//! What an officer's message does: a request (placed at a site and zone, or
//! answered with the status of the same request sent moments ago), STATUS, CANCEL,
//! and any other text relayed to the case manager on the way.

use chrono::{DateTime, Utc};

use super::zone::{Candidate, place};
use super::{Action, Command, Inbound, Plan, REPEAT_WINDOW, Snapshot, choose, cut, status};
use crate::decide::Input;
use crate::directory::Directory;
use crate::handoff::{Actor, Handoff, HandoffId, HandoffKind, Request};
use crate::message::{Audience, Named};
use crate::redact::redact;
use crate::roster::Officer;

pub(super) fn understand(
    plan: &mut Plan,
    officer: &Officer,
    message: &Inbound,
    snapshot: &Snapshot,
    directory: &Directory,
    now: DateTime<Utc>,
) {
    match &message.command {
        Command::Request { kind, text } => {
            request(plan, officer, *kind, text, snapshot, directory, now);
        }
        Command::Status => plan.reply(status(snapshot.open.iter(), directory)),
        Command::Cancel { id, reason } => {
            let open: Vec<HandoffId> = snapshot.open.iter().map(|h| h.id).collect();
            if let Some(id) = choose(plan, Named::Cancel, *id, &open) {
                let by = Actor::Officer(officer.id.clone());
                let reason = reason.clone();
                plan.apply(id, Input::Cancel { by, reason });
            }
        }
        Command::Text { id, text } => relay(plan, officer, *id, text, snapshot, directory),
        // Staff commands from an officer are ordinary words in a conversation
        // ("done", "here"): relay them if a case manager is on the way.
        Command::Accept { .. }
        | Command::Decline { .. }
        | Command::Eta { .. }
        | Command::BadEta
        | Command::Arrived { .. }
        | Command::Done { .. }
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

fn request(
    plan: &mut Plan,
    officer: &Officer,
    kind: HandoffKind,
    text: &str,
    snapshot: &Snapshot,
    directory: &Directory,
    now: DateTime<Utc>,
) {
    let candidates: Vec<Candidate<'_>> = directory
        .roster
        .agencies
        .get(&officer.agency)
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
    let Some((site, zone)) = place(text, officer.zone.as_ref(), &candidates) else {
        // The configuration refuses an agency without sites; a reload race is all
        // that could get here.
        tracing::error!(agency = %officer.agency, "agency has no site");
        plan.help(Audience::Officer);
        return;
    };
    let location = redact(&cut(text));
    if let Some(same) = repeated(&snapshot.open, kind, &location, now) {
        tracing::info!(handoff = %same.id, "a request sent again: answered with its status");
        plan.reply(status(std::iter::once(same), directory));
        return;
    }
    plan.action = Some(Action::Open(Request {
        kind,
        site,
        officer: officer.id.clone(),
        agency: officer.agency.clone(),
        location,
        zone,
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
            plan.reply(status(snapshot.open.iter(), directory));
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

/// The open hand-off that a request of `kind` at `location`, made at `now`,
/// repeats: same kind, same words (ignoring case, spacing and punctuation),
/// requested within [`REPEAT_WINDOW`].
fn repeated<'a>(
    open: &'a [Handoff],
    kind: HandoffKind,
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
            && now.signed_duration_since(h.requested_at) < REPEAT_WINDOW
            && words(&h.request.location) == these
    })
}

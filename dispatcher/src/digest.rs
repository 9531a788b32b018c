//! The follow-up digest a site's staff get when it opens: one text listing what
//! waits for them (referrals filed overnight, requests nobody could take, hand-offs
//! whose case manager never came), so the promise made to the officer at night
//! ("someone will follow up") reaches someone who can keep it.
//!
//! [`due`] says whether a site's digest is due at `now` and when the next one is;
//! [`digest`] who gets it and what it says. Both are pure; the engine keeps the
//! plan per site in the database and queues the texts (`Engine::send_digests`).

use chrono::{DateTime, Utc};
use handoff_schedules::{PersonId, Role, SiteId};

use crate::conversation::followup_line;
use crate::directory::{Directory, SiteEntry};
use crate::handoff::Handoff;
use crate::message::{Message, Recipient};

/// What to do about a site's digest at `now`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Due {
    /// Send the digest now.
    pub send: bool,
    /// When the next one is due: the start of the site's next opening (`None`:
    /// it never opens again within the schedule's horizon).
    pub next_at: Option<DateTime<Utc>>,
}

/// Whether the digest planned for `planned` is due at `now`. With no plan yet (a
/// new site, a new database) the first is planned for the next opening and none is
/// sent: a start-up in the middle of the day does not text everyone. A planned
/// opening that passed while the site is still open is sent now (late, say after
/// a restart); one that passed while the service was down and the site has closed
/// again waits for the next opening.
pub fn due(entry: &SiteEntry, planned: Option<DateTime<Utc>>, now: DateTime<Utc>) -> Option<Due> {
    let next = || {
        entry
            .schedule
            .next_opening(now)
            .map(|t| t.with_timezone(&Utc))
    };
    match planned {
        None => Some(Due {
            send: false,
            next_at: next(),
        }),
        Some(at) if at <= now => Some(Due {
            send: entry.schedule.is_open(now),
            next_at: next(),
        }),
        Some(_) => None,
    }
}

/// The digest of `site` at `now`: to the case managers on duty (or, with none, the
/// coordinators), and the supervisors and project managers on duty, one text each
/// listing the site's follow-ups not yet done. Nothing when none waits.
pub fn digest(
    site: &SiteId,
    followups: &[Handoff],
    directory: &Directory,
    now: DateTime<Utc>,
) -> Vec<(Recipient, Message)> {
    let Some(entry) = directory.sites.get(site) else {
        return Vec::new();
    };
    let items: Vec<_> = followups
        .iter()
        .filter(|h| &h.request.site == site)
        .filter_map(|h| followup_line(h, directory))
        .collect();
    if items.is_empty() {
        return Vec::new();
    }
    recipients(entry, now)
        .into_iter()
        .map(|person| {
            (
                Recipient::Staff(person),
                Message::FollowUpDigest {
                    site: entry.name.clone(),
                    items: items.clone(),
                },
            )
        })
        .collect()
}

fn recipients(entry: &SiteEntry, now: DateTime<Utc>) -> Vec<PersonId> {
    let on_duty = entry.schedule.on_duty(now);
    let in_role = |role: Role| -> Vec<PersonId> {
        on_duty
            .iter()
            .filter(|(_, r)| *r == role)
            .map(|(p, _)| p.clone())
            .collect()
    };
    let mut people = in_role(Role::CaseManager);
    if people.is_empty() {
        people = in_role(Role::Coordinator);
    }
    people.extend(in_role(Role::Supervisor));
    people.extend(in_role(Role::ProjectManager));
    people.sort();
    people.dedup();
    people
}

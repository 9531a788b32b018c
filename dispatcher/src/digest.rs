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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::roster::PolicyId;
    use chrono_tz::America::New_York;
    use handoff_schedules::{Availability, Recurrence, Shift, SiteSchedule, When, Window};

    fn at(text: &str) -> DateTime<Utc> {
        DateTime::parse_from_rfc3339(text)
            .unwrap_or_else(|e| panic!("{text}: {e}"))
            .with_timezone(&Utc)
    }

    fn weekdays(start: &str, end: &str) -> Window {
        Window {
            starts: Recurrence::Weekly {
                days: "mon-fri".parse().unwrap_or_else(|e| panic!("{e:?}")),
                at: start.parse().unwrap_or_else(|e| panic!("{e:?}")),
            },
            end: end.parse().unwrap_or_else(|e| panic!("{e:?}")),
        }
    }

    fn site() -> SiteEntry {
        let mut schedule = SiteSchedule::new(SiteId::parse("metro").unwrap(), New_York);
        schedule.hours = vec![weekdays("08:00", "17:00")];
        let on = |who: &str, role: Role, when: When| Shift {
            person: PersonId::parse(who).unwrap(),
            role,
            availability: Availability {
                windows: Vec::new(),
                when,
            },
        };
        schedule.shifts = vec![
            on("dana", Role::CaseManager, When::Open),
            on("sam", Role::Coordinator, When::Closed),
            on("pat", Role::Supervisor, When::Open),
            on("morgan", Role::ProjectManager, When::Always),
        ];
        SiteEntry {
            name: "Metro".to_owned(),
            schedule,
            policy: PolicyId::parse("standard").unwrap(),
            after_hours_policy: None,
            intake_days: None,
            zones: Vec::new(),
            centers: Vec::new(),
        }
    }

    #[test]
    fn the_digest_is_due_once_per_opening_across_the_november_change_of_clocks() {
        let site = site();
        // (planned for, now, sent now, next planned for)
        let table = [
            // No plan yet: none sent, the next opening planned.
            (
                None,
                "2026-10-31T02:00:00-04:00",
                false,
                Some("2026-11-02T08:00:00-05:00"),
            ),
            // Clocks went back on Sunday 1 November: Monday opens at 08:00 EST.
            (
                Some("2026-11-02T08:00:00-05:00"),
                "2026-11-02T08:00:30-05:00",
                true,
                Some("2026-11-03T08:00:00-05:00"),
            ),
            // Reached while the service was down and the site closed again: waits.
            (
                Some("2026-11-02T08:00:00-05:00"),
                "2026-11-02T18:00:00-05:00",
                false,
                Some("2026-11-03T08:00:00-05:00"),
            ),
            // Friday's opening leads to Monday's.
            (
                Some("2026-10-30T08:00:00-04:00"),
                "2026-10-30T08:00:00-04:00",
                true,
                Some("2026-11-02T08:00:00-05:00"),
            ),
        ];
        for (planned, now, send, next) in table {
            let got = due(&site, planned.map(at), at(now));
            assert_eq!(
                got,
                Some(Due {
                    send,
                    next_at: next.map(at)
                }),
                "{planned:?} at {now}"
            );
        }
        assert_eq!(
            due(
                &site,
                Some(at("2026-11-02T08:00:00-05:00")),
                at("2026-11-01T23:00:00-05:00")
            ),
            None,
            "not yet due"
        );
    }

    #[test]
    fn the_digest_goes_to_the_case_managers_supervisors_and_project_managers_on_duty() {
        let mut directory = Directory::default();
        let id = SiteId::parse("metro").unwrap();
        directory.sites.insert(id.clone(), site());
        let now = at("2026-11-02T08:00:30-05:00");
        let waiting = Handoff {
            followup: Some(crate::outcome::FollowUp::new(
                crate::outcome::FollowUpReason::Referral,
                at("2026-10-31T02:00:00-04:00"),
            )),
            ..crate::handoff::tests_support::handoff_at(&id, at("2026-10-31T02:00:00-04:00"))
        };
        let sent = digest(&id, &[waiting], &directory, now);
        let to: Vec<String> = sent
            .iter()
            .map(|(r, _)| match r {
                Recipient::Staff(p) => p.to_string(),
                other => format!("{other:?}"),
            })
            .collect();
        assert_eq!(to, ["dana", "morgan", "pat"]);
        assert!(matches!(&sent[0].1, Message::FollowUpDigest { items, .. } if items.len() == 1));
        assert!(
            digest(&id, &[], &directory, now).is_empty(),
            "nothing waiting, nothing sent"
        );
    }
}

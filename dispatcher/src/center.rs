//! Diversion centers: places a site lists where an officer may take a person instead
//! of waiting for a case manager in the field, with their hours, an optional
//! capacity and their staff. This module owns the pure rules of a drop-off: which
//! center a `DROPOFF` goes to at an instant, and why one is refused.
//!
//! - A center takes drop-offs while it is open by its own hours, read exactly as a
//!   site's (its time zone is the site's; a window ending before it starts runs
//!   past midnight; daylight saving as `handoff_schedules::local` resolves it).
//! - Its capacity, if it has one, counts the people on their way to it: hand-offs
//!   dropped off there and not yet checked in or otherwise closed. Once checked in,
//!   a person is the center's own to count; the dispatcher only keeps the door from
//!   being promised to more people at once than the center said it could take.
//! - `DROPOFF 4821` picks the first center of the site, in the order of the file,
//!   that is open and has room; `DROPOFF 4821 <center>` names one by id or name
//!   (ignoring case, spaces and punctuation), which must then be open and have room.

use std::collections::BTreeMap;

use chrono::{DateTime, FixedOffset, Utc};
use handoff_schedules::{PersonId, SiteSchedule};
use serde::{Deserialize, Serialize};

use crate::roster::CenterId;

/// One diversion center, as the configuration gives it.
#[derive(Debug, Clone, PartialEq)]
pub struct Center {
    pub id: CenterId,
    pub name: String,
    /// Where it is, as officers are told.
    pub address: String,
    /// Its hours (and closures), in the site's time zone. Only `hours` and
    /// `closures` are used: nobody is on duty at a center by a schedule.
    pub hours: SiteSchedule,
    /// How many people may be on their way to it at once, if it says.
    pub capacity: Option<u32>,
    /// How long after a drop-off its staff have to check the person in before
    /// they and the supervisors are told.
    pub check_in_within: std::time::Duration,
    /// The people (with the `center` role) told of drop-offs, who check people in.
    pub staff: Vec<PersonId>,
}

impl Center {
    pub fn is_open(&self, at: DateTime<Utc>) -> bool {
        self.hours.is_open(at)
    }

    /// Whether `person` may check people in here: its staff, or, at a center with
    /// no staff on the roster, a supervisor (who is told of its drop-offs instead).
    pub fn may_check_in(&self, person: &PersonId, is_supervisor: bool) -> bool {
        if self.staff.is_empty() {
            is_supervisor
        } else {
            self.staff.contains(person)
        }
    }

    /// Whether one more person may be sent, with `on_the_way` already sent.
    pub fn has_room(&self, on_the_way: u32) -> bool {
        self.capacity.is_none_or(|capacity| on_the_way < capacity)
    }

    /// Whether `words` name this center: its id or its name, ignoring case, spaces
    /// and punctuation (`stabilization ctr`, `Stabilization-Ctr.`), and an `at` or
    /// `to` before it (`DROPOFF 4821 at Stabilization Ctr`).
    pub fn is_named(&self, words: &str) -> bool {
        let id = folded(self.id.as_str());
        let name = folded(&self.name);
        let matches = |text: &str| {
            let wanted = folded(text);
            !wanted.is_empty() && (wanted == id || wanted == name)
        };
        matches(words) || without_preposition(words).is_some_and(matches)
    }
}

/// `words` without a leading `at` or `to`, if it has one.
fn without_preposition(words: &str) -> Option<&str> {
    let (first, rest) = words.trim().split_once(char::is_whitespace)?;
    (first.eq_ignore_ascii_case("at") || first.eq_ignore_ascii_case("to")).then_some(rest)
}

/// Letters and digits only, lowercased.
fn folded(text: &str) -> String {
    text.chars()
        .filter(|c| c.is_alphanumeric())
        .flat_map(char::to_lowercase)
        .collect()
}

/// Why a drop-off cannot go to a center now.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case", tag = "refusal")]
pub enum Refusal {
    /// The site lists no center at all.
    NoCenters,
    /// No center is open now (with when the first of them opens next, if any).
    NoneOpen {
        next: Option<(String, DateTime<FixedOffset>)>,
    },
    /// Every open center is full.
    AllFull,
    /// The words name no center of the site; the open ones are listed.
    Unknown { open: Vec<String> },
    /// The named center is closed now (and opens then, if it ever does).
    Closed {
        name: String,
        opens: Option<DateTime<FixedOffset>>,
    },
    /// The named center is full; other open centers with room are listed.
    Full { name: String, others: Vec<String> },
}

/// The center a drop-off goes to at `now`: the one `named` (if given), else the
/// first open one with room. `on_the_way` counts the people already on their way
/// to each center.
pub fn choose<'a>(
    centers: &'a [Center],
    named: Option<&str>,
    on_the_way: &BTreeMap<CenterId, u32>,
    now: DateTime<Utc>,
) -> Result<&'a Center, Refusal> {
    if centers.is_empty() {
        return Err(Refusal::NoCenters);
    }
    let count = |center: &Center| on_the_way.get(&center.id).copied().unwrap_or(0);
    let takes = |center: &Center| center.is_open(now) && center.has_room(count(center));
    let names = |skip: Option<&CenterId>| -> Vec<String> {
        centers
            .iter()
            .filter(|c| Some(&c.id) != skip && takes(c))
            .map(|c| c.name.clone())
            .collect()
    };
    if let Some(words) = named.filter(|w| !folded(w).is_empty()) {
        let Some(center) = centers.iter().find(|c| c.is_named(words)) else {
            return Err(Refusal::Unknown { open: names(None) });
        };
        if !center.is_open(now) {
            return Err(Refusal::Closed {
                name: center.name.clone(),
                opens: center.hours.next_opening(now).map(|t| t.fixed_offset()),
            });
        }
        if !center.has_room(count(center)) {
            return Err(Refusal::Full {
                name: center.name.clone(),
                others: names(Some(&center.id)),
            });
        }
        return Ok(center);
    }
    if let Some(center) = centers.iter().find(|c| takes(c)) {
        return Ok(center);
    }
    if centers.iter().any(|c| c.is_open(now)) {
        return Err(Refusal::AllFull);
    }
    let next = centers
        .iter()
        .filter_map(|c| c.hours.next_opening(now).map(|t| (c.name.clone(), t)))
        .min_by_key(|(_, t)| t.with_timezone(&Utc))
        .map(|(name, t)| (name, t.fixed_offset()));
    Err(Refusal::NoneOpen { next })
}

/// The center the officer's receipt offers at `now`, if any: the one a bare
/// `DROPOFF` would pick.
pub fn offered<'a>(
    centers: &'a [Center],
    on_the_way: &BTreeMap<CenterId, u32>,
    now: DateTime<Utc>,
) -> Option<&'a Center> {
    choose(centers, None, on_the_way, now).ok()
}

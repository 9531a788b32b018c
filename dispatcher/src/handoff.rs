//! A hand-off and its lifecycle: the identifier officers and case managers type, the
//! kinds of request, the offers made, and the states it moves through:
//!
//! ```text
//! offering(step n, round r) → accepted → en_route(eta) → arrived → completed
//!   ↑    ↘ unstaffed         ↘ not_diverted (with a code: declined, left, ...)
//!   |    ↘ out_of_hours      ↘ cancelled (by the officer, with a reason)
//!   |                        ↘ expired (accepted but never arrived in time)
//!   └── given back by the case manager who accepted: offered again
//!
//! offering / accepted / en_route → dropping_off(center) → checked_in (by its staff)
//!   (the officer takes the person to an open diversion center instead)
//! ```
//!
//! A closed hand-off may still owe work: intake for an accepted arrest diversion,
//! and a follow-up ([`FollowUp`]) for a referral filed out of hours or a request
//! nobody could take.
//!
//! "Requested" is the event that opens a hand-off; routing happens in the same
//! decision, so no hand-off ever rests in a requested state.

use std::fmt;
use std::str::FromStr;

use chrono::{DateTime, Duration, Utc};
use handoff_schedules::{PersonId, SiteId, ZoneId};
use serde::{Deserialize, Serialize};

use crate::outcome::{FollowUp, NotDivertedCode, ReportNumber};
use crate::roster::{AgencyId, CenterId, OfficerId};

/// The number people type to name a hand-off: `4821`. Unique per program.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(transparent)]
pub struct HandoffId(u32);

/// The text is not a hand-off number.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("`{0}` is not a hand-off number: expected digits such as 4821")]
pub struct BadHandoffId(pub String);

impl HandoffId {
    /// The first number handed out: four digits from the start, so every code an
    /// officer sees has the same shape.
    pub const FIRST: HandoffId = HandoffId(1001);

    pub fn new(n: u32) -> HandoffId {
        HandoffId(n)
    }

    pub fn get(self) -> u32 {
        self.0
    }

    pub fn next(self) -> HandoffId {
        HandoffId(self.0.saturating_add(1))
    }
}

impl FromStr for HandoffId {
    type Err = BadHandoffId;
    /// Accepts `4821` and `#4821`.
    fn from_str(text: &str) -> Result<Self, BadHandoffId> {
        let digits = text.trim().trim_start_matches('#');
        if digits.is_empty() || digits.len() > 9 || !digits.chars().all(|c| c.is_ascii_digit()) {
            return Err(BadHandoffId(text.to_owned()));
        }
        digits
            .parse()
            .map(HandoffId)
            .map_err(|_| BadHandoffId(text.to_owned()))
    }
}

impl fmt::Display for HandoffId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.0)
    }
}

/// What the officer asks for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum HandoffKind {
    /// The person is in custody; a case manager comes to divert them from booking.
    ArrestDiversion,
    /// The person is in front of the officer, not under arrest; a referral.
    SocialContactReferral,
}

impl HandoffKind {
    pub fn label(self) -> &'static str {
        match self {
            HandoffKind::ArrestDiversion => "arrest diversion",
            HandoffKind::SocialContactReferral => "social contact referral",
        }
    }
}

/// Who did something.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case", tag = "type", content = "id")]
pub enum Actor {
    Officer(OfficerId),
    Staff(PersonId),
    /// The dispatcher itself: timers, routing.
    System,
}

/// What an officer's request says, parsed at the edge.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Request {
    pub kind: HandoffKind,
    pub site: SiteId,
    pub officer: OfficerId,
    pub agency: AgencyId,
    /// Where, as the officer wrote it (redacted).
    pub location: String,
    pub zone: Option<ZoneId>,
    /// The case manager the officer asked for (`LEAD @Priya ...`): offered first
    /// when on duty and free.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub asked_for: Option<PersonId>,
}

/// How an offer was answered.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case", tag = "answer")]
pub enum Answer {
    Pending,
    Accepted {
        at: DateTime<Utc>,
    },
    Declined {
        at: DateTime<Utc>,
        reason: Option<String>,
    },
    /// The round's timeout passed with no answer.
    TimedOut {
        at: DateTime<Utc>,
    },
    /// The message could not be delivered: counts as unanswered at once.
    Undeliverable {
        at: DateTime<Utc>,
    },
    /// Someone else accepted, or the hand-off closed, first.
    Withdrawn {
        at: DateTime<Utc>,
    },
}

/// One offer to one person.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Offer {
    pub person: PersonId,
    /// Index into the hand-off's steps.
    pub step: usize,
    pub round: u32,
    pub at: DateTime<Utc>,
    pub answer: Answer,
    /// The person has been told the hand-off was taken (or closed): a late answer
    /// of theirs gets no second text.
    #[serde(default)]
    pub told_closed: bool,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case", tag = "state")]
pub enum State {
    /// Offers of `round` in `step` are out, waiting for an answer.
    Offering {
        step: usize,
        round: u32,
    },
    Accepted {
        by: PersonId,
    },
    EnRoute {
        by: PersonId,
        eta: DateTime<Utc>,
    },
    Arrived {
        by: PersonId,
    },
    Completed {
        by: PersonId,
    },
    /// Closed without a diversion, for a reason kept as a code.
    NotDiverted {
        by: Actor,
        code: NotDivertedCode,
        /// Who had accepted it, if anyone.
        #[serde(default)]
        assignee: Option<PersonId>,
    },
    Cancelled {
        by: Actor,
        reason: Option<String>,
    },
    /// The steps ran out with no accept.
    Unstaffed,
    /// The site was closed and nobody was on call.
    OutOfHours,
    /// Accepted, but the case manager never arrived within the limit.
    Expired {
        by: PersonId,
    },
    /// The officer is taking the person to a diversion center (`DROPOFF`); open
    /// until its staff check them in.
    DroppingOff {
        center: CenterId,
        /// No check-in came within the center's `check_in_within`: its staff and
        /// the supervisors were told, and the person no longer counts against the
        /// center's capacity. A late `CHECKIN` still records the arrival.
        #[serde(default)]
        overdue: bool,
    },
    /// Checked in at the center by its staff (`CHECKIN`): the hand-off's arrival,
    /// and its end.
    CheckedIn {
        by: PersonId,
        center: CenterId,
    },
}

impl State {
    /// The name used in the database and reports.
    pub fn name(&self) -> &'static str {
        match self {
            State::Offering { .. } => "offering",
            State::Accepted { .. } => "accepted",
            State::EnRoute { .. } => "en_route",
            State::Arrived { .. } => "arrived",
            State::Completed { .. } => "completed",
            State::NotDiverted { .. } => "not_diverted",
            State::Cancelled { .. } => "cancelled",
            State::Unstaffed => "unstaffed",
            State::OutOfHours => "out_of_hours",
            State::Expired { .. } => "expired",
            State::DroppingOff { .. } => "dropping_off",
            State::CheckedIn { .. } => "checked_in",
        }
    }

    /// The case manager who took it, while and after it was taken.
    pub fn assignee(&self) -> Option<&PersonId> {
        match self {
            State::Accepted { by }
            | State::EnRoute { by, .. }
            | State::Arrived { by }
            | State::Completed { by }
            | State::Expired { by } => Some(by),
            State::NotDiverted { assignee, .. } => assignee.as_ref(),
            _ => None,
        }
    }

    /// Accepted and not yet closed: the case manager is busy with it.
    pub fn is_active_assignment(&self) -> bool {
        matches!(
            self,
            State::Accepted { .. } | State::EnRoute { .. } | State::Arrived { .. }
        )
    }

    pub fn is_closed(&self) -> bool {
        matches!(
            self,
            State::Completed { .. }
                | State::NotDiverted { .. }
                | State::Cancelled { .. }
                | State::Unstaffed
                | State::OutOfHours
                | State::Expired { .. }
                | State::CheckedIn { .. }
        )
    }
}

/// How long after a request that closed with nobody coming the officer may still
/// take the person to a diversion center with `DROPOFF`. An officer holds a person
/// for a diversion an hour or two at most; a `DROPOFF` later than this is about a
/// new encounter, which is a new request, and refusing it keeps a hand-off's
/// numbers from being reopened days later by a typo.
pub const DROP_OFF_REOPENS_WITHIN: Duration = Duration::hours(2);

/// A hand-off as the dispatcher keeps it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Handoff {
    pub id: HandoffId,
    pub request: Request,
    pub requested_at: DateTime<Utc>,
    /// Requested while the site was closed: the on-call step heads the steps.
    pub after_hours: bool,
    pub state: State,
    pub offers: Vec<Offer>,
    pub accepted_at: Option<DateTime<Utc>>,
    /// For accepted arrest diversions: when intake must be complete.
    pub intake_due: Option<DateTime<Utc>>,
    /// The sides of an accepted hand-off whose texts stopped getting through and of
    /// which the other side was told: each is told once. Kept in the hand-off so
    /// that its version check orders two failures decided at once.
    #[serde(default)]
    pub not_getting_through: Vec<Actor>,
    /// Case managers who accepted and gave it back: not offered it again.
    #[serde(default)]
    pub given_back: Vec<PersonId>,
    /// Offers before this index were made before the last give-back: those people
    /// may be offered it again (they were told it was taken, not asked and
    /// refused).
    #[serde(default)]
    pub reoffer_from: usize,
    /// When intake was recorded complete (by text or on the command line).
    #[serde(default)]
    pub intake_completed: Option<DateTime<Utc>>,
    /// The police report number the officer added, the key to the paperwork.
    #[serde(default)]
    pub report_number: Option<ReportNumber>,
    /// The follow-up a referral out of hours, or a request nobody took, leaves.
    #[serde(default)]
    pub followup: Option<FollowUp>,
}

impl Handoff {
    /// A hand-off just requested: no offers yet, offering its first step.
    pub fn opened(
        id: HandoffId,
        request: Request,
        at: DateTime<Utc>,
        after_hours: bool,
    ) -> Handoff {
        Handoff {
            id,
            request,
            requested_at: at,
            after_hours,
            state: State::Offering { step: 0, round: 0 },
            offers: Vec::new(),
            accepted_at: None,
            intake_due: None,
            not_getting_through: Vec::new(),
            given_back: Vec::new(),
            reoffer_from: 0,
            intake_completed: None,
            report_number: None,
            followup: None,
        }
    }

    pub fn offer_to(&self, person: &PersonId) -> Option<&Offer> {
        self.offers.iter().rev().find(|o| &o.person == person)
    }

    pub fn was_offered(&self, person: &PersonId) -> bool {
        self.offers.iter().any(|o| &o.person == person)
    }

    /// Whether `person` may not be offered it (again): offered since the last
    /// give-back, or gave it back themselves.
    pub fn offered_this_time(&self, person: &PersonId) -> bool {
        self.given_back.contains(person)
            || self
                .offers
                .iter()
                .skip(self.reoffer_from)
                .any(|o| &o.person == person)
    }

    /// The step the hand-off was accepted in, while it is accepted.
    pub fn accepted_step(&self) -> Option<usize> {
        let by = self.state.assignee()?;
        self.offers
            .iter()
            .rev()
            .find(|o| &o.person == by && matches!(o.answer, Answer::Accepted { .. }))
            .map(|o| o.step)
    }

    /// Whether a `DROPOFF` may reopen it: it closed with nobody coming (nobody
    /// answered, nobody on call, or the case manager never arrived) and was
    /// asked for at most [`DROP_OFF_REOPENS_WITHIN`] before `now`.
    pub fn reopens_for_drop_off(&self, now: DateTime<Utc>) -> bool {
        matches!(
            self.state,
            State::Unstaffed | State::OutOfHours | State::Expired { .. }
        ) && now
            .signed_duration_since(self.requested_at)
            .le(&DROP_OFF_REOPENS_WITHIN)
    }

    /// Everyone whose offer is still open.
    pub fn pending(&self) -> impl Iterator<Item = &Offer> {
        self.offers.iter().filter(|o| o.answer == Answer::Pending)
    }
}

/// A timer of one hand-off. At most one of each name is pending.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case", tag = "timer")]
pub enum Timer {
    /// The answer window of a round of offers.
    Round { step: usize, round: u32 },
    /// The accepted case manager must arrive by then or the hand-off expires.
    Arrival,
    /// The ETA given passed, by the grace, with no ARRIVED: ask for a new one.
    EtaCheck,
    /// A second grace passed after asking: alert the supervisor, tell the officer.
    Late,
    /// Remind the case manager who accepted that intake is due soon.
    IntakeReminder,
    /// Intake is overdue: tell the supervisor.
    IntakeOverdue,
    /// A drop-off not checked in by then: tell the center's staff and supervisors.
    CheckInDue,
}

impl Timer {
    /// The key of the timer's row: one pending timer per name and hand-off.
    pub fn name(self) -> String {
        match self {
            Timer::Round { step, round } => format!("round:{step}:{round}"),
            Timer::Arrival => "arrival".to_owned(),
            Timer::EtaCheck => "eta_check".to_owned(),
            Timer::Late => "late".to_owned(),
            Timer::IntakeReminder => "intake_reminder".to_owned(),
            Timer::IntakeOverdue => "intake_overdue".to_owned(),
            Timer::CheckInDue => "check_in_due".to_owned(),
        }
    }

    pub fn parse_name(name: &str) -> Option<Timer> {
        match name {
            "arrival" => return Some(Timer::Arrival),
            "eta_check" => return Some(Timer::EtaCheck),
            "late" => return Some(Timer::Late),
            "intake_reminder" => return Some(Timer::IntakeReminder),
            "intake_overdue" => return Some(Timer::IntakeOverdue),
            "check_in_due" => return Some(Timer::CheckInDue),
            _ => {}
        }
        let rest = name.strip_prefix("round:")?;
        let (step, round) = rest.split_once(':')?;
        Some(Timer::Round {
            step: step.parse().ok()?,
            round: round.parse().ok()?,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn handoff_ids_parse_with_or_without_a_hash() {
        assert_eq!("4821".parse::<HandoffId>(), Ok(HandoffId::new(4821)));
        assert_eq!(" #4821 ".parse::<HandoffId>(), Ok(HandoffId::new(4821)));
        assert!("48a1".parse::<HandoffId>().is_err());
        assert!("".parse::<HandoffId>().is_err());
        assert!("-4".parse::<HandoffId>().is_err());
    }

    #[test]
    fn timer_names_round_trip() {
        for timer in [
            Timer::Arrival,
            Timer::EtaCheck,
            Timer::Late,
            Timer::IntakeReminder,
            Timer::IntakeOverdue,
            Timer::CheckInDue,
            Timer::Round { step: 2, round: 3 },
        ] {
            assert_eq!(Timer::parse_name(&timer.name()), Some(timer));
        }
        assert_eq!(Timer::parse_name("round:x:1"), None);
    }
}

/// Hand-offs for the unit tests of other modules.
#[cfg(test)]
pub(crate) mod tests_support {
    use super::*;

    /// A social contact referral at `site`, requested at `at`, closed out of hours.
    pub(crate) fn handoff_at(site: &SiteId, at: DateTime<Utc>) -> Handoff {
        let request = Request {
            kind: HandoffKind::SocialContactReferral,
            site: site.clone(),
            officer: OfficerId::parse("rivera").unwrap(),
            agency: AgencyId::parse("metro-pd").unwrap(),
            location: "Pine St shelter".to_owned(),
            zone: None,
            asked_for: None,
        };
        Handoff {
            state: State::OutOfHours,
            ..Handoff::opened(HandoffId::new(4821), request, at, true)
        }
    }
}

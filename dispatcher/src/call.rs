//! A hand-off asked for by a phone call, as the dispatcher sees it: the call rings
//! the people the hand-off is offered to, one *leg* at a time, and each leg is
//! recorded (who was called, how it ended) in the event log beside the offers.
//!
//! Which person a leg rings is read from the hand-off's offers, in the order the
//! escalation policy made them: leg `n` is offer `n`. The voice transport never
//! works out who is next itself; [`next_leg`] does, from the stored hand-off, so a
//! round that times out while the call is up (and offers the next step) lengthens
//! the list of legs the same call may ring.

use std::fmt;

use handoff_schedules::PersonId;
use serde::{Deserialize, Serialize};

use crate::handoff::{Answer, Handoff};

/// The number of a leg: the index of the offer it rings.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(transparent)]
pub struct Leg(u32);

impl Leg {
    pub fn new(n: u32) -> Leg {
        Leg(n)
    }

    pub fn get(self) -> u32 {
        self.0
    }

    fn index(self) -> usize {
        usize::try_from(self.0).unwrap_or(usize::MAX)
    }

    /// Parses the decimal number a callback URL carries.
    pub fn parse(text: &str) -> Option<Leg> {
        if text.is_empty() || text.len() > 9 || !text.bytes().all(|b| b.is_ascii_digit()) {
            return None;
        }
        text.parse().ok().map(Leg)
    }
}

impl fmt::Display for Leg {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.0)
    }
}

/// How a leg ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum LegOutcome {
    /// The person pressed 1 and took the hand-off: the call was connected.
    Taken,
    /// Answered (by the person or their voicemail) without taking it.
    NotTaken,
    NoAnswer,
    Busy,
    /// The number could not be called.
    Failed,
    /// The officer hung up while it rang.
    Abandoned,
}

impl LegOutcome {
    pub fn name(self) -> &'static str {
        match self {
            LegOutcome::Taken => "taken",
            LegOutcome::NotTaken => "not_taken",
            LegOutcome::NoAnswer => "no_answer",
            LegOutcome::Busy => "busy",
            LegOutcome::Failed => "failed",
            LegOutcome::Abandoned => "abandoned",
        }
    }
}

/// What a leg input records.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LegStep {
    /// The leg began to ring.
    Dialed,
    Ended(LegOutcome),
}

/// The person leg `leg` rings: the one offer `leg` was made to.
pub fn leg_person(handoff: &Handoff, leg: Leg) -> Option<&PersonId> {
    handoff.offers.get(leg.index()).map(|offer| &offer.person)
}

/// The leg to ring after `after` (the first leg with `None`): the next offer, in
/// the order the policy made them, still waiting for an answer, to someone
/// `callable` (who has a phone) and not already rung on this call. `None` when the
/// hand-off is no longer offering, or nobody is left to ring.
pub fn next_leg(
    handoff: &Handoff,
    after: Option<Leg>,
    callable: impl Fn(&PersonId) -> bool,
) -> Option<(Leg, PersonId)> {
    if !matches!(handoff.state, crate::handoff::State::Offering { .. }) {
        return None;
    }
    let from = after.map_or(0, |leg| leg.index().saturating_add(1));
    let rung: Vec<&PersonId> = handoff
        .offers
        .iter()
        .take(from)
        .map(|offer| &offer.person)
        .collect();
    handoff
        .offers
        .iter()
        .enumerate()
        .skip(from)
        .find(|(_, offer)| {
            offer.answer == Answer::Pending
                && callable(&offer.person)
                && !rung.contains(&&offer.person)
        })
        .and_then(|(index, offer)| {
            let leg = Leg(u32::try_from(index).ok()?);
            Some((leg, offer.person.clone()))
        })
}

#[cfg(test)]
mod tests {
    use chrono::{DateTime, Utc};
    use handoff_schedules::{PersonId, SiteId};

    use super::{Leg, leg_person, next_leg};
    use crate::handoff::tests_support::handoff_at;
    use crate::handoff::{Answer, Handoff, Offer, State};

    fn person(id: &str) -> PersonId {
        PersonId::parse(id).unwrap()
    }

    fn offering(offers: &[(&str, Answer)]) -> Handoff {
        let at: DateTime<Utc> = DateTime::from_timestamp(1_800_000_000, 0).unwrap();
        let mut handoff = handoff_at(&SiteId::parse("metro").unwrap(), at);
        handoff.state = State::Offering { step: 0, round: 0 };
        handoff.offers = offers
            .iter()
            .map(|(id, answer)| Offer {
                person: person(id),
                step: 0,
                round: 0,
                at,
                answer: answer.clone(),
                told_closed: false,
            })
            .collect();
        handoff
    }

    #[test]
    fn legs_ring_the_pending_offers_in_the_order_they_were_made() {
        let handoff = offering(&[("dana", Answer::Pending), ("lee", Answer::Pending)]);
        let first = next_leg(&handoff, None, |_| true);
        assert_eq!(first, Some((Leg::new(0), person("dana"))));
        let second = next_leg(&handoff, Some(Leg::new(0)), |_| true);
        assert_eq!(second, Some((Leg::new(1), person("lee"))));
        assert_eq!(next_leg(&handoff, Some(Leg::new(1)), |_| true), None);
        assert_eq!(leg_person(&handoff, Leg::new(1)), Some(&person("lee")));
    }

    #[test]
    fn a_leg_skips_answered_offers_people_without_a_phone_and_people_already_rung() {
        let at = DateTime::from_timestamp(1_800_000_000, 0).unwrap();
        let handoff = offering(&[
            ("dana", Answer::Pending),
            ("lee", Answer::Declined { at, reason: None }),
            ("sam", Answer::Pending),
            ("dana", Answer::Pending),
            ("rosa", Answer::Pending),
        ]);
        let callable = |p: &PersonId| p.as_str() != "sam";
        assert_eq!(
            next_leg(&handoff, Some(Leg::new(0)), callable),
            Some((Leg::new(4), person("rosa")))
        );
    }

    #[test]
    fn no_leg_rings_once_the_hand_off_is_no_longer_offering() {
        let mut handoff = offering(&[("dana", Answer::Pending)]);
        handoff.state = State::Accepted { by: person("lee") };
        assert_eq!(next_leg(&handoff, None, |_| true), None);
    }

    #[test]
    fn leg_numbers_parse_only_from_plain_digits() {
        assert_eq!(Leg::parse("3"), Some(Leg::new(3)));
        assert_eq!(Leg::parse(""), None);
        assert_eq!(Leg::parse("-1"), None);
        assert_eq!(Leg::parse("1e3"), None);
        assert_eq!(Leg::parse("9999999999"), None);
    }
}

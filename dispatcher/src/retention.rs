//! What retention forgets: the words people wrote about a hand-off (the location,
//! reasons given for a decline or a cancel), once the hand-off has been closed for
//! the program's `message_retention`. Its timings, states and who-did-what stay, so
//! every report over it still comes out the same.
//!
//! The typed half lives here (which fields of a hand-off and of its events are
//! words); the store applies it to the rows of closed hand-offs and deletes their
//! delivered messages (`Store::forget_text`).

use crate::event::EventKind;
use crate::handoff::{Answer, Handoff, State};

/// What a forgotten location reads as.
pub const FORGOTTEN: &str = "[expired]";

impl Handoff {
    /// Blanks the location and every reason. Returns whether anything changed.
    pub fn forget_text(&mut self) -> bool {
        let mut changed = false;
        if self.request.location != FORGOTTEN {
            self.request.location = FORGOTTEN.to_owned();
            changed = true;
        }
        if let State::Cancelled { reason, .. } = &mut self.state {
            changed |= reason.take().is_some();
        }
        for offer in &mut self.offers {
            if let Answer::Declined { reason, .. } = &mut offer.answer {
                changed |= reason.take().is_some();
            }
        }
        changed
    }
}

impl EventKind {
    /// Blanks the reason of a decline or a cancel. Returns whether anything changed.
    pub fn forget_text(&mut self) -> bool {
        self.words_slot()
            .is_some_and(|words| words.take().is_some())
    }

    /// The words this event carries (a reason or a note), if any: what retention
    /// blanks, and what the audit chain hashes apart from the rest of the event
    /// (`crate::audit`).
    pub fn words(&self) -> Option<&str> {
        match self {
            EventKind::Declined { reason, .. }
            | EventKind::Cancelled { reason }
            | EventKind::GivenBack { reason, .. } => reason.as_deref(),
            EventKind::NotDiverted { note, .. } | EventKind::FollowedUp { note, .. } => {
                note.as_deref()
            }
            _ => None,
        }
    }

    /// The field that holds this kind's words, if it has one. The arms are those of
    /// [`EventKind::words`]; a test holds the two together.
    fn words_slot(&mut self) -> Option<&mut Option<String>> {
        match self {
            EventKind::Declined { reason, .. }
            | EventKind::Cancelled { reason }
            | EventKind::GivenBack { reason, .. } => Some(reason),
            EventKind::NotDiverted { note, .. } | EventKind::FollowedUp { note, .. } => Some(note),
            _ => None,
        }
    }

    /// The names of the kinds that can carry words.
    pub const WITH_TEXT: [&'static str; 5] = [
        "declined",
        "cancelled",
        "given_back",
        "not_diverted",
        "followed_up",
    ];
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::outcome::NotDivertedCode;
    use handoff_schedules::PersonId;

    fn ana() -> PersonId {
        PersonId::parse("ana").unwrap()
    }

    /// Every kind that has a words field, with words in it.
    fn with_words() -> Vec<EventKind> {
        let words = Some("he left".to_owned());
        vec![
            EventKind::Declined {
                person: ana(),
                reason: words.clone(),
            },
            EventKind::Cancelled {
                reason: words.clone(),
            },
            EventKind::GivenBack {
                person: ana(),
                reason: words.clone(),
            },
            EventKind::NotDiverted {
                code: NotDivertedCode::Left,
                note: words.clone(),
            },
            EventKind::FollowedUp {
                person: ana(),
                note: words,
            },
        ]
    }

    #[test]
    fn the_words_read_are_the_words_forgotten_and_only_the_kinds_listed_carry_them() {
        let kinds = with_words();
        assert_eq!(kinds.len(), EventKind::WITH_TEXT.len());
        for mut kind in kinds {
            assert!(EventKind::WITH_TEXT.contains(&kind.name()), "{kind:?}");
            assert_eq!(kind.words(), Some("he left"));
            assert!(kind.forget_text());
            assert_eq!(kind.words(), None);
            assert!(!kind.forget_text(), "forgetting twice changes nothing");
        }
        let mut plain = EventKind::Arrived { person: ana() };
        assert_eq!(plain.words(), None);
        assert!(!plain.forget_text());
    }
}

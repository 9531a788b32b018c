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
        match self {
            EventKind::Declined { reason, .. }
            | EventKind::Cancelled { reason }
            | EventKind::GivenBack { reason, .. } => reason.take().is_some(),
            EventKind::NotDiverted { note, .. } | EventKind::FollowedUp { note, .. } => {
                note.take().is_some()
            }
            _ => false,
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

//! The dispatcher: who is offered a hand-off, when it escalates, and the record of
//! everything that happened. This crate never knows which transport a message
//! travels on.
//!
//! So far it holds the domain values the configuration builds (contacts, the roster,
//! escalation policies) and the `Clock` that the engine will be given.

pub mod clock;
pub mod contact;
pub mod escalation;
pub mod roster;

pub use clock::{Clock, MockClock, SystemClock};
pub use contact::{MatrixUserId, PhoneNumber};
pub use escalation::{EscalationPolicy, Step, StepTarget, Strategy};
pub use roster::{Agency, AgencyId, Officer, OfficerId, Participant, Person, PolicyId, Roster};

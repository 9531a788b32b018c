//! The dispatcher: who is offered a hand-off, when it escalates, and the record of
//! everything that happened. It never knows which transport a message travels on.
//!
//! - `handoff`, `message`, `event`: the domain as types: states, what is said, what
//!   happened.
//! - `conversation`: what an inbound message means (who sent it, which hand-off,
//!   which command), for every transport; pure.
//! - `routing`, `decide`: pure decisions, functions of an explicit `now`.
//! - `engine`: the clock, `receive` (one inbound message, one transaction), timers
//!   and persistence around them.
//! - `store`: SQLite (embedded default) or PostgreSQL through sqlx; other crates
//!   see `Records` (to read) and `Outbox` (to deliver).
//! - `redact`: dates of birth and SSNs out of every word kept or sent.
//! - `stats`: response times and counts, derived from the event log.
//! - `overrides`: schedule overrides kept in the database, merged into the
//!   configuration's schedules.
//! - `call`: the legs a phone call rings, read from the hand-off's offers.
//! - `center`: diversion centers and the pure rules of a drop-off.
//! - `audit`: the hash chain over the event log that shows a row edited by hand.

pub mod audit;
pub mod call;
pub mod center;
pub mod clock;
pub mod contact;
pub mod conversation;
pub mod decide;
pub mod digest;
pub mod directory;
pub mod engine;
pub mod escalation;
pub mod event;
pub mod handoff;
pub mod load;
pub mod message;
pub mod outbox;
pub mod outcome;
pub mod overrides;
pub mod redact;
pub mod retention;
pub mod roster;
pub mod routing;
pub mod stats;
pub mod store;

pub use clock::{Clock, MockClock, SystemClock, TokioClock};
pub use contact::{Channel, MatrixUserId, PhoneNumber};
pub use decide::{DecideError, Decision, Effect, Input, decide, request};
pub use directory::{Directory, SiteEntry};
pub use engine::{Engine, EngineError, Handled, Receipt, Received};
pub use escalation::{EscalationPolicy, Step, StepTarget, Strategy};
pub use event::{Event, EventKind};
pub use handoff::{Actor, Answer, Handoff, HandoffId, HandoffKind, Offer, Request, State, Timer};
pub use load::Load;
pub use message::{Message, Recipient};
pub use outbox::{NewOutbound, OutboxItem, OutboxStatus};
pub use roster::{
    Agency, AgencyId, CenterId, Officer, OfficerId, Participant, Person, PolicyId, Roster,
};
pub use routing::{Settings, World};
pub use store::{
    Backend, Commit, Forgotten, Gauges, IntakeItem, LeaseToken, PostedEvent, Store, StoreError,
};

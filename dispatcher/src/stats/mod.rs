//! Response times and counts, derived from the event log and from nothing else: the
//! one query API the dashboard and the CSV export call. Pure functions of the events
//! they are given (no I/O, no clock); a site's time zone comes in as a function.
//!
//! Two layers:
//!
//! - [`metrics`]: one [`HandoffMetrics`] per hand-off, folded from its events (when
//!   it was requested, first offered, accepted and by whom, reached, how it ended,
//!   how many declines, steps started and skipped).
//! - [`aggregate`] (or [`summarize`], straight from events): [`GroupStats`] per case
//!   manager, agency, officer, site, hour of the week, week or overall, with counts
//!   and [`Percentiles`] of response time (request → accept) and time to arrival
//!   (request → arrived), for the hand-offs a [`Selection`] covers (`summary`).
//! - The dashboard's [`Board`] for a range of dates: each hand-off flattened into a
//!   [`RollupRow`] (what the store's rollup table keeps, kept up to date from the
//!   log), then counted and grouped, by the store from that table or by
//!   [`board_of`] in memory.
//!
//! How the log is read:
//!
//! - A hand-off opens with its `Requested` event. Events of a hand-off that has no
//!   `Requested` event in the slice are ignored by [`metrics`]; [`orphans`] lists
//!   those hand-offs, for a diagnostic. A second `Requested` for the same hand-off is
//!   ignored.
//! - Within a hand-off, events are taken in order of `at`, ties in slice order, so the
//!   slice need not be sorted (the events of many hand-offs may be interleaved).
//! - The first closing event (`Completed`, `Cancelled`, `Unstaffed`, `OutOfHours`,
//!   `Expired`, `NotDiverted`, `CheckedIn`) fixes the outcome; a closed hand-off
//!   does not change, so any event after it is ignored. A hand-off with no closing
//!   event is [`Outcome::Open`]. A check-in at a diversion center completes it.
//! - The first `Accepted` is the accept; a `LateAccept` never is. The first
//!   `Arrived` is the arrival, a field meet ([`Arrival::Field`]); a `CheckedIn`
//!   after a drop-off is one too ([`Arrival::DropOff`]), which no case manager's
//!   travel or ETA is measured against. The promised arrival is that of the last `Eta` before
//!   the arrival (its instant plus its minutes). `steps_started` and
//!   `steps_skipped` count distinct step indices (a re-logged step is one step);
//!   `declines`, `offers`, `timed_out` and `undeliverable` count events.
//!
//! Percentiles use the nearest-rank method: the p-th percentile of `n` values is the
//! ⌈p·n/100⌉-th smallest (the smallest value with at least p % of values at or below
//! it), always one of the observed values. Durations are serialized as whole seconds,
//! truncated toward zero.

mod board;
mod columns;
mod counted;
mod groups;
mod handoffs;
mod percentiles;
mod rollup;
mod summary;
mod tally;

pub use board::{Board, BoardFilter, DemandCell, EtaAccuracy, GroupRow, Lost, WeekRow};
pub(crate) use columns::BoardRows;
pub(crate) use counted::Counted;
pub use groups::*;
pub use handoffs::*;
pub use percentiles::*;
pub use rollup::{Coverage, LostKind, RollupRow};
pub(crate) use summary::{Alike, Grouping, Key, Sums, Tally};
pub use summary::{Selection, aggregate};
pub use tally::board_of;

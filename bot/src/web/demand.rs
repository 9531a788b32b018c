//! Demand for hand-offs, read for the people who decide staffing: when officers
//! asked (the hour-of-week grid), which hours to add to a site's operating hours
//! first ("what to staff next"), and where the coming weeks' staffing leaves a
//! site open with nobody to send.
//!
//! Pure functions of their inputs: the page fills the demand cells from the store
//! and passes the sites' schedules and an explicit `now`; nothing here reads the
//! clock, the database or the configuration.

pub(crate) mod blocks;
pub(crate) mod candidates;
pub(crate) mod gaps;
pub(crate) mod regular;
pub(crate) mod week;

#[cfg(test)]
#[path = "demand/tests/fixtures.rs"]
mod fixtures;

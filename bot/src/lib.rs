//! The faces of handoff: the command line, the HTTP server with the SMS provider's
//! webhooks and the sandbox page, the SMS command grammar, rendering and delivery.
//! Matrix is a separate crate (`handoff-matrix`) that plugs in through [`chat`].

pub mod audit;
pub mod chat;
pub mod check_config;
pub mod cli;
pub mod followup;
pub mod gaps;
pub(crate) mod healthcheck;
pub mod ics;
pub mod inbound;
pub mod intake;
pub mod metrics;
pub mod on_duty;
pub mod reload;
pub mod render;
pub mod report;
pub mod retention;
pub mod run;
pub mod serve;
pub mod server;
pub mod sms;
pub mod supervise;
pub mod voice;
pub mod web;

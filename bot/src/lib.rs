//! The faces of handoff. For now: the command line (configuration checks, who is on
//! duty, calendar export). SMS, Matrix and the HTTP server join in later steps.

pub mod check_config;
pub mod cli;
pub mod ics;
pub mod on_duty;
pub mod run;

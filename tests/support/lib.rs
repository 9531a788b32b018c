//! Shared support for the end-to-end tests: paths to the example configuration, a
//! way to run the `handoff` command line in-process on a mock clock, random programs
//! and traffic for the property tests, and a headless Chromium for the web pages.

pub mod browser;
pub mod cli;
pub mod dashboard;
pub mod database;
pub mod fake_twilio;
pub mod fake_voice;
pub mod instances;
pub mod journey;
pub mod process;
pub mod program_toml;
pub mod random_program;
pub mod random_traffic;
pub mod service;
pub mod soak;
pub mod synapse;
pub mod twiml_schema;

use std::path::PathBuf;

use chrono::{DateTime, Utc};
use clap::Parser;
use handoff_bot::cli::Cli;
use handoff_bot::run::{describe_failure, run};
use handoff_dispatcher::MockClock;

/// The repository's `config/example.toml`.
pub fn example_config() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../config/example.toml")
}

/// What one run of the command line produced.
#[derive(Debug)]
pub struct Outcome {
    pub code: u8,
    pub stdout: String,
    pub stderr: String,
}

/// Runs `handoff ARGS...` in-process with the clock standing at `now`.
pub fn handoff(args: &[&str], now: DateTime<Utc>) -> Outcome {
    let cli = match Cli::try_parse_from(std::iter::once("handoff").chain(args.iter().copied())) {
        Ok(cli) => cli,
        Err(e) => {
            return Outcome {
                code: 2,
                stdout: String::new(),
                stderr: e.to_string(),
            };
        }
    };
    let mut stdout = Vec::new();
    let result = run(cli, std::sync::Arc::new(MockClock::new(now)), &mut stdout);
    let stdout = String::from_utf8_lossy(&stdout).into_owned();
    match result {
        Ok(()) => Outcome {
            code: 0,
            stdout,
            stderr: String::new(),
        },
        Err(error) => {
            let (code, lines) = describe_failure(&error);
            Outcome {
                code,
                stdout,
                stderr: lines.join("\n"),
            }
        }
    }
}

/// [`handoff`] from async code: the command line starts a runtime of its own, so it
/// runs on a blocking thread.
pub async fn handoff_from_async(args: Vec<String>, now: DateTime<Utc>) -> Outcome {
    tokio::task::spawn_blocking(move || {
        let args: Vec<&str> = args.iter().map(String::as_str).collect();
        handoff(&args, now)
    })
    .await
    .unwrap_or_else(|e| panic!("the command line panicked: {e}"))
}

/// Parses an RFC 3339 literal; for test tables.
pub fn at(text: &str) -> DateTime<Utc> {
    match DateTime::parse_from_rfc3339(text) {
        Ok(t) => t.with_timezone(&Utc),
        Err(e) => panic!("bad instant literal {text}: {e}"),
    }
}

//! The `handoff` binary: parses the command line, runs one command on the system
//! clock, and turns its outcome into an exit code (0 success, 1 failure, 2 invalid
//! configuration).

use std::process::ExitCode;

use clap::Parser;
use handoff_bot::cli::Cli;
use handoff_bot::run::{describe_failure, run};
use handoff_dispatcher::SystemClock;

fn main() -> ExitCode {
    let cli = Cli::parse();
    let mut stdout = std::io::stdout().lock();
    match run(cli, &SystemClock, &mut stdout) {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => {
            let (code, lines) = describe_failure(&error);
            for line in lines {
                eprintln!("{line}");
            }
            ExitCode::from(code)
        }
    }
}

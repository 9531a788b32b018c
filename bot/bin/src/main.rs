//! The `handoff` binary: parses the command line, runs one command on the system
//! clock with every transport (Matrix included), and turns its outcome into an exit
//! code (0 success, 1 failure, 2 invalid configuration).

use std::io::IsTerminal;
use std::process::ExitCode;
use std::sync::Arc;

use clap::Parser;
use handoff_bot::cli::Cli;
use handoff_bot::run::{describe_failure, run_with};
use handoff_dispatcher::SystemClock;

fn main() -> ExitCode {
    let cli = Cli::parse();
    // Logs go to stderr as structured lines; RUST_LOG adjusts the level.
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_default_env()
                .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info,sqlx=warn")),
        )
        .with_ansi(std::io::stderr().is_terminal())
        .with_writer(std::io::stderr)
        .init();
    let mut stdout = std::io::stdout();
    let matrix: Arc<dyn handoff_bot::chat::Chat> = Arc::new(handoff_matrix::MatrixChat);
    match run_with(cli, Arc::new(SystemClock), &mut stdout, Some(matrix)) {
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

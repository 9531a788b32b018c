//! The `handoff` binary: parses the command line, runs one command on the system
//! clock with every transport (Matrix included), and turns its outcome into an exit
//! code (0 success, 1 failure, 2 invalid configuration, 3 a broken audit chain).

use std::io::IsTerminal;
use std::process::ExitCode;
use std::sync::Arc;

use clap::Parser;
use handoff_bot::cli::Cli;
use handoff_bot::run::{describe_failure, run_with};
use handoff_dispatcher::SystemClock;

/// The log level unless RUST_LOG says otherwise. matrix-sdk reports as errors what
/// is normal for a bot (no key backup, no secret storage, each failed request
/// while the homeserver is down, which the sync loop reports once itself).
const DEFAULT_LOG: &str = "info,sqlx=warn,matrix_sdk::http_client=off,matrix_sdk_crypto::backups=error,matrix_sdk=warn,matrix_sdk_crypto=warn,matrix_sdk_base=warn";

fn main() -> ExitCode {
    let cli = Cli::parse();
    // Logs go to stderr as structured lines; RUST_LOG adjusts the level.
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_default_env()
                .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new(DEFAULT_LOG)),
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

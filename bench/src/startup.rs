//! Start-up time of the short-lived commands: `handoff check-config` and
//! `handoff on-duty`, each run to completion several times, wall time per run.

use std::path::Path;
use std::process::Stdio;
use std::time::{Duration, Instant};

use anyhow::{Context, bail};

use crate::service::command;

/// Runs `handoff {subcommand} --config {config}` `runs` times.
pub fn time(
    binary: &Path,
    subcommand: &str,
    config: &Path,
    runs: usize,
) -> anyhow::Result<Vec<Duration>> {
    let mut samples = Vec::with_capacity(runs);
    for _ in 0..runs {
        let started = Instant::now();
        let status = command(binary)
            .args([subcommand, "--config"])
            .arg(config)
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .status()
            .with_context(|| format!("running handoff {subcommand}"))?;
        samples.push(started.elapsed());
        if !status.success() {
            bail!("handoff {subcommand} failed: {status}");
        }
    }
    Ok(samples)
}

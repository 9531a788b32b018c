//! `handoff report summary` over a million hand-offs in SQLite: the real release
//! CLI, run as an operator runs it, on the dashboard part's seeded history
//! (`seed`, 13 months over three sites in three zones), each grouping timed
//! several times beside two baselines from the same run: the same command on an
//! empty database (what any run of the CLI costs: start-up, the configuration,
//! the database opened and migrated), and the summary as it was computed before
//! the rollup served it (every event of the log read and folded in memory,
//! `stats::metrics` then `stats::aggregate`), timed in this process. The
//! latter's CSV must equal the command's, byte for byte, grouping by grouping.
//!
//! The summary reads the rollup (`handoff_stats`) after bringing it up to date.
//! On a log never rolled up, that first refresh folds every event (minutes for
//! a million hand-offs, once, as after an upgrade): it is run and timed here
//! before the command is, and then each timed run only finds nothing new.

use std::path::Path;
use std::process::Stdio;
use std::time::{Duration, Instant};

use anyhow::{Context, bail};
use handoff_bot::report::{self, Format};
use handoff_dispatcher::Store;
use handoff_dispatcher::stats::{self, GroupBy};
use handoff_dispatcher::store::Records;

use crate::dashboard::{DAYS, SEED, start, zone_of};
use crate::history::SITES;
use crate::seed::seed;
use crate::service::{self, command};
use crate::stats::{Spread, ms};
use crate::verdict;

/// The program the command reads: the history's three sites in their zones.
fn program() -> String {
    let mut text = String::from(
        r#"[program]
name = "Bench LEAD"

[[escalation_policies]]
id = "standard"
steps = [{ who = "case_manager", strategy = "broadcast", timeout = "5m" }]
"#,
    );
    for (site, zone) in SITES {
        text.push_str(&format!(
            r#"
[[sites]]
id = "{site}"
name = "{site}"
time_zone = "{zone}"
escalation = "standard"
hours = [{{ days = "mon-fri", start = "08:00", end = "24:00" }}]
"#,
            zone = zone.name()
        ));
    }
    text.push_str(
        r#"
[[agencies]]
id = "metro-pd"
name = "Metro PD"
sites = ["metro"]
officers = [{ id = "officer-0", name = "Officer 0", rank = "Ofc.", phone = "+1 412 555 0120" }]

[[people]]
id = "dana"
name = "Dana Whitfield"
roles = ["case_manager"]
phone = "+1 412 555 0111"
"#,
    );
    text
}

/// Runs the part on `handoffs` hand-offs, in `keep` if given (an existing file
/// there is reused as it is), each grouping `runs` times after a first run.
pub async fn run(handoffs: u64, keep: Option<&Path>, runs: usize) -> anyhow::Result<()> {
    let binary = service::binary()?;
    let dir = tempfile::TempDir::new().context("a temporary directory")?;
    let path = keep.map_or_else(|| dir.path().join("report.db"), Path::to_path_buf);
    let url = format!("sqlite://{}", path.display());
    let config = dir.path().join("report.toml");
    std::fs::write(&config, program()).context("writing the program")?;
    println!("== handoff report summary, SQLite ({})", path.display());
    if path.exists() {
        println!("reusing the database as it is (not seeded by this run)");
    } else {
        Store::connect(&url).await?.close().await;
        let seeded = seed(&path, start(), DAYS, handoffs, 1001, SEED).await?;
        println!(
            "seeded {} hand-offs ({} events) over {DAYS} days in {:.1} s",
            seeded.handoffs,
            seeded.events,
            seeded.elapsed.as_secs_f64()
        );
    }
    let records = Records::open_existing(&url).await?;
    let started = Instant::now();
    let refreshed = records.refresh_stats(&zone_of).await?;
    println!(
        "rollup brought up to date first: {:.1} s ({} events read, {} rows written)",
        started.elapsed().as_secs_f64(),
        refreshed.events,
        refreshed.rows
    );

    let empty = format!("sqlite://{}/empty.db", dir.path().display());
    Store::connect(&empty).await?.close().await;
    let (floor, _) = time_summary(&binary, &config, &empty, GroupBy::All, runs)?;
    println!(
        "baseline: the same command on an empty database: {}",
        spread(&floor)?
    );

    let started = Instant::now();
    let events = records.events(None, None).await?;
    let read = started.elapsed();
    let metrics = stats::metrics(&events);
    let folded = started.elapsed();
    drop(events);
    println!(
        "baseline: the old way, in this process: every event read in {:.1} s, folded by {:.1} s ({} hand-offs)",
        read.as_secs_f64(),
        folded.as_secs_f64(),
        metrics.len()
    );
    records.close().await;

    for by in GroupBy::ALL {
        let (times, csv) = time_summary(&binary, &config, &url, by, runs)?;
        let started = Instant::now();
        let groups = stats::aggregate(&metrics, by, &zone_of);
        let old = folded + started.elapsed();
        let mut expected = Vec::new();
        report::write(&groups, Format::Csv, &mut expected)?;
        let same = if csv == expected {
            "the same CSV as the old way"
        } else {
            "DIFFERENT CSV from the old way"
        };
        let first = times[0];
        let spread = spread(&times[1..])?;
        println!(
            "summary --by {:<12} first {} then {spread}; {} groups, {same}; old way {:.1} s",
            by.name(),
            ms(first),
            groups.len(),
            old.as_secs_f64()
        );
        println!(
            "  goal ≤ 1 s: {}",
            verdict(first.max(spread.max) <= Duration::from_secs(1))
        );
        if csv != expected {
            bail!(
                "handoff report summary --by {} differs from the events folded in memory",
                by.name()
            );
        }
    }
    Ok(())
}

fn spread(samples: &[Duration]) -> anyhow::Result<Spread> {
    Spread::of(samples).context("no samples")
}

/// Runs `handoff report summary --by {by}` once and then `runs` more times, each
/// timed from spawn to exit; the first run's CSV.
fn time_summary(
    binary: &Path,
    config: &Path,
    database: &str,
    by: GroupBy,
    runs: usize,
) -> anyhow::Result<(Vec<Duration>, Vec<u8>)> {
    let mut times = Vec::with_capacity(runs + 1);
    let mut first = None;
    for _ in 0..=runs {
        let started = Instant::now();
        let output = command(binary)
            .args(["report", "summary", "--config"])
            .arg(config)
            .args(["--database", database, "--by", by.name()])
            .stdin(Stdio::null())
            .output()
            .context("running handoff report summary")?;
        times.push(started.elapsed());
        if !output.status.success() {
            bail!(
                "handoff report summary --by {} failed: {}",
                by.name(),
                String::from_utf8_lossy(&output.stderr)
            );
        }
        first.get_or_insert(output.stdout);
    }
    Ok((times, first.unwrap_or_default()))
}

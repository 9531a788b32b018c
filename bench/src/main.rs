//! `handoff-bench`: the benchmark of handoff's hot paths, run against a release
//! `handoff serve` through real HTTP on loopback, with signed webhooks and a fake
//! provider, each figure printed beside a baseline measured in the same run. It is
//! bounded in requests and time and stops by itself.
//!
//! `--dashboard` runs another part instead: the dashboard's board over a million
//! seeded hand-offs in SQLite (`dashboard`). `--timers` runs the escalation
//! timers with 100,000 open hand-offs pending, and a restart among them
//! (`timers`). `--report` runs `handoff report summary` over a million
//! hand-offs (`summary`).

mod baseline;
mod dashboard;
mod history;
mod latency;
mod pending;
mod provider;
mod seed;
mod service;
mod startup;
mod stats;
mod summary;
mod throughput;
mod timers;

use std::path::Path;
use std::time::Duration;

use anyhow::Context;
use clap::Parser;

use crate::provider::Provider;
use crate::service::{MAX_OFFICERS, Serving, Webhooks};
use crate::stats::{Spread, ms};

#[derive(Debug, Parser)]
#[command(about = "Benchmarks a release handoff serve on loopback")]
struct Args {
    /// Sequential requests timed for webhook → first offer.
    #[arg(long, default_value_t = 300)]
    requests: usize,
    /// Seconds of sustained load.
    #[arg(long, default_value_t = 10)]
    seconds: u64,
    /// Requests in flight at once during sustained load.
    #[arg(long, default_value_t = 16)]
    concurrency: usize,
    /// Officers in the program (at most 80).
    #[arg(long, default_value_t = 64)]
    officers: usize,
    /// Runs of each start-up command.
    #[arg(long, default_value_t = 10)]
    startup_runs: usize,
    /// Runs only the dashboard part: a seeded history in SQLite, the rollup's
    /// first refresh and the board's queries, timed.
    #[arg(long)]
    dashboard: bool,
    /// Hand-offs in the dashboard and report parts' history.
    #[arg(long, default_value_t = 1_000_000)]
    dashboard_handoffs: u64,
    /// Keeps the dashboard part's database at this path (reused as it is if it
    /// exists) instead of a temporary directory.
    #[arg(long)]
    dashboard_db: Option<std::path::PathBuf>,
    /// Runs only the timers part: escalation timers' lateness and the service's
    /// memory with many open hand-offs pending, then a restart among them.
    #[arg(long)]
    timers: bool,
    /// Open hand-offs pending in the timers part.
    #[arg(long, default_value_t = 100_000)]
    timer_handoffs: u64,
    /// Seconds over which their timers fall due, evenly spread.
    #[arg(long, default_value_t = 3_600)]
    timer_window: u64,
    /// Seconds of that window measured before the restart.
    #[arg(long, default_value_t = 60)]
    timer_measure: u64,
    /// Seconds measured after the restart.
    #[arg(long, default_value_t = 10)]
    after_restart: u64,
    /// Runs only the report part: `handoff report summary` over a seeded history
    /// of `--dashboard-handoffs` hand-offs in SQLite, every grouping timed.
    #[arg(long)]
    report: bool,
    /// Keeps the report part's database at this path (reused as it is if it
    /// exists) instead of a temporary directory.
    #[arg(long)]
    report_db: Option<std::path::PathBuf>,
    /// Timed runs of each grouping after the first.
    #[arg(long, default_value_t = 5)]
    report_runs: usize,
}

/// A goal to print beside a figure.
fn verdict(met: bool) -> &'static str {
    if met { "met" } else { "MISSED" }
}

fn spread(samples: &[Duration]) -> anyhow::Result<Spread> {
    Spread::of(samples).context("no samples")
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let args = Args::parse();
    if args.dashboard {
        return dashboard::run(args.dashboard_handoffs, args.dashboard_db.as_deref()).await;
    }
    if args.report {
        return summary::run(
            args.dashboard_handoffs,
            args.report_db.as_deref(),
            args.report_runs.max(1),
        )
        .await;
    }
    if args.timers {
        let knobs = timers::Knobs {
            handoffs: args.timer_handoffs,
            window: Duration::from_secs(args.timer_window.max(1)),
            measure: Duration::from_secs(args.timer_measure),
            after_restart: Duration::from_secs(args.after_restart),
        };
        return timers::run(&knobs).await;
    }
    let officers = args.officers.clamp(1, MAX_OFFICERS);
    let binary = service::binary()?;
    let dir = tempfile::TempDir::new().context("a temporary directory")?;

    println!("== baselines (same machine, same run)");
    let bare_http = spread(&baseline::axum_round_trip(args.requests).await?)?;
    println!("bare axum round trip:        {bare_http}");
    let bare_insert = spread(&baseline::sqlite_insert(dir.path(), args.requests).await?)?;
    println!("bare SQLite INSERT (WAL, NORMAL): {bare_insert}");

    let provider = Provider::start().await?;
    let config = dir.path().join("bench.toml");
    std::fs::write(&config, service::program(officers, &provider.base_url()))
        .context("writing the program")?;

    println!("\n== inbound webhook → first offer at the provider (SQLite, sequential)");
    let database = format!("sqlite://{}/latency.db", dir.path().display());
    let serving = Serving::start(&binary, &config, &database)?;
    let webhooks = Webhooks::new(&serving.url)?;
    let timed = latency::sequential(&webhooks, &provider, officers, 20, args.requests).await?;
    drop(serving);
    let to_offer = spread(&timed.to_offer)?;
    println!("webhook → first offer:       {to_offer}");
    println!("  of which webhook answered: {}", spread(&timed.answered)?);
    println!("  of which answer → offer:   {}", spread(&timed.delivery)?);
    println!(
        "goal p99 ≤ 10 ms: {}",
        verdict(to_offer.p99 <= Duration::from_millis(10))
    );

    let sqlite = format!("sqlite://{}/throughput.db", dir.path().display());
    sustained(
        "SQLite", &binary, &config, &sqlite, &provider, officers, &args,
    )
    .await?;
    match std::env::var("DATABASE_URL") {
        Ok(url) if !url.trim().is_empty() => {
            sustained(
                "PostgreSQL",
                &binary,
                &config,
                &url,
                &provider,
                officers,
                &args,
            )
            .await?;
        }
        _ => println!("\n(PostgreSQL: not measured, DATABASE_URL is not set)"),
    }

    println!("\n== start-up (release), {} runs each", args.startup_runs);
    for command in ["check-config", "on-duty"] {
        let times = spread(&startup::time(
            &binary,
            command,
            &config,
            args.startup_runs,
        )?)?;
        println!("handoff {command:<13} {times}  (debug build today: ~650 ms)");
    }
    Ok(())
}

/// The sustained-load run on one database, printed.
async fn sustained(
    backend: &str,
    binary: &Path,
    config: &Path,
    database: &str,
    provider: &Provider,
    officers: usize,
    args: &Args,
) -> anyhow::Result<()> {
    println!(
        "\n== sustained inbound load ({backend}, {} in flight, {} s)",
        args.concurrency, args.seconds
    );
    let serving = Serving::start(binary, config, database)?;
    let webhooks = Webhooks::new(&serving.url)?;
    let run = throughput::run(
        &webhooks,
        provider,
        database,
        officers,
        args.concurrency,
        args.seconds,
    )
    .await?;
    let server_side = webhooks.mean_answer().await?;
    drop(serving);
    println!(
        "{:.0} requests/s: {} answered 200 in {:.1} s, {} refused, {} failed, {} lost",
        run.per_second(),
        run.ok,
        run.elapsed.as_secs_f64(),
        run.refused,
        run.failed,
        run.lost
    );
    println!(
        "texts at the provider: {} of {} within {} after the load stopped",
        run.texts_received,
        run.texts_expected,
        ms(run.drain)
    );
    println!(
        "answered per second, second by second: {:?}",
        run.per_second_trend
    );
    if let Some(mean) = server_side {
        println!(
            "mean webhook time inside handoff (its /metrics): {}; with {} in flight the \
             client sees ~{} per request",
            ms(mean),
            args.concurrency,
            ms(run
                .elapsed
                .mul_f64(args.concurrency as f64 / run.ok.max(1) as f64))
        );
    }
    let clean = run.refused == 0 && run.failed == 0 && run.lost == 0;
    println!(
        "goal ≥ 1,000/s with zero errors and zero lost: {}",
        verdict(clean && run.per_second() >= 1000.0)
    );
    Ok(())
}

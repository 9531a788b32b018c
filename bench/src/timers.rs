//! Escalation timers with many hand-offs open, and a restart among them.
//!
//! A release `handoff serve` runs on a SQLite database seeded (`pending`) with
//! `handoffs` open hand-offs (100,000 by default), each waiting on its first
//! step's answer window, the windows ending evenly spread over `window` from a
//! few seconds after the service starts. For every timer due in the first
//! `measure` of it, the lateness from its due time to the escalation the service
//! recorded (its `step_started` event) and to the escalation's offer reaching
//! the fake provider; beside it, a bare tokio `sleep_until` in this process over
//! the same instants, at the same time. Then the service's memory, from /proc.
//!
//! Then the service is killed (SIGKILL, as a crash) with the rest of the timers
//! pending, and started again. The engine keeps no timer queue in memory: timers
//! are rows, and each turn of its loop reads the earliest due time (`MIN(due_at)`
//! over an index) and the rows due, so nothing is loaded at start however many
//! are pending. What a restart must do before escalations run again is the
//! loop's first pass, which fires what fell due while the service was down
//! before it listens and records the heartbeat `/healthz` checks. "Scheduled
//! again" is therefore start → `/healthz` answering 200, beside the same start on
//! an empty database; then the lateness of the timers due after it.

use std::collections::HashMap;
use std::path::Path;
use std::time::Duration;

use anyhow::Context;
use chrono::{DateTime, Utc};
use handoff_dispatcher::store::Records;
use handoff_dispatcher::{Clock, Store, SystemClock};
use sqlx::{Connection, Row, SqliteConnection};

use crate::pending::{self, FIRST_ID};
use crate::provider::Provider;
use crate::service::{self, Serving};
use crate::stats::{Spread, ms};
use crate::verdict;

/// The program's officers.
const OFFICERS: usize = 64;
/// The supervisor the escalations offer to (the program's second step).
const SUPERVISOR: &str = "+14125550116";
/// From moving the timers into place to the first falling due: time for the
/// service to start.
const LEAD: Duration = Duration::from_secs(5);
/// After the last measured timer fell due, before reading what happened.
const SETTLE: Duration = Duration::from_secs(2);
/// How long a start may take before the run is called failed.
const PATIENCE: Duration = Duration::from_secs(120);
/// Starts of the service on an empty database, for the baseline.
const BASELINE_STARTS: usize = 3;
/// A port the system picks.
const ANY_PORT: &str = "127.0.0.1:0";

/// How big and how long.
pub struct Knobs {
    pub handoffs: u64,
    pub window: Duration,
    pub measure: Duration,
    pub after_restart: Duration,
}

/// A timer: its hand-off's number and its due time (epoch milliseconds).
type Due = (u32, i64);

pub async fn run(knobs: &Knobs) -> anyhow::Result<()> {
    let binary = service::binary()?;
    let dir = tempfile::TempDir::new().context("a temporary directory")?;
    let provider = Provider::start().await?;
    let config_path = dir.path().join("bench.toml");
    let text = service::program(OFFICERS, &provider.base_url());
    std::fs::write(&config_path, &text).context("writing the program")?;
    let token = |_: &str| Some(service::AUTH_TOKEN.to_owned());
    let config = handoff_config::load_str(&config_path, &text, &token)
        .map_err(|e| anyhow::anyhow!("the benchmark's program: {e}"))?;
    let clock = SystemClock;

    println!(
        "== escalation timers with {} open hand-offs pending (SQLite)",
        knobs.handoffs
    );
    let empty = format!("sqlite://{}/empty.db", dir.path().display());
    let (mut banners, mut readies, mut empty_memory) = (Vec::new(), Vec::new(), None);
    for _ in 0..BASELINE_STARTS {
        let serving = start(&binary, &config_path, &empty, ANY_PORT).await?;
        readies.push(serving.healthy(PATIENCE).await?);
        banners.push(serving.banner_after);
        tokio::time::sleep(Duration::from_secs(1)).await;
        empty_memory = Some(serving.memory()?);
    }
    let empty_memory = empty_memory.context("no baseline start")?;
    let empty_ready = Spread::of(&readies).context("no baseline start")?.p50;
    println!(
        "baseline, empty database, {BASELINE_STARTS} starts: banner after {}, /healthz 200 after {}; {empty_memory}",
        spread(&banners)?,
        spread(&readies)?
    );

    let path = dir.path().join("timers.db");
    let url = format!("sqlite://{}", path.display());
    Store::connect(&url).await?.close().await;
    let count = knobs.handoffs.max(1);
    let window_ms = i64::try_from(knobs.window.as_millis())?;
    let offset = |n: u64| window_ms * i64::try_from(n).unwrap_or(0) / count as i64;
    let seeded = pending::seed(
        &path,
        &config.directory(),
        OFFICERS,
        count,
        clock.now(),
        &offset,
    )
    .await?;
    println!(
        "seeded {} open hand-offs ({} events) in {:.1} s",
        seeded.handoffs,
        seeded.events,
        seeded.elapsed.as_secs_f64()
    );
    // `handoff serve` reads the dashboard's rollup into memory as it starts: a
    // rollup that holds the open hand-offs makes the memory figure honest.
    let records = Records::open_existing(&url).await?;
    let started = std::time::Instant::now();
    let refreshed = records
        .refresh_stats(&|_| chrono_tz::America::New_York)
        .await?;
    records.close().await;
    println!(
        "rollup refreshed over them in {:.1} s ({} rows)",
        started.elapsed().as_secs_f64(),
        refreshed.rows
    );

    // The timers were seeded at offsets from zero: move them to start LEAD from now.
    let first_due = clock.now().timestamp_millis() + i64::try_from(LEAD.as_millis())?;
    shift_timers(&path, first_due).await?;
    let due: Vec<Due> = (0..count)
        .map(|n| Ok((FIRST_ID + u32::try_from(n)?, first_due + offset(n))))
        .collect::<anyhow::Result<_>>()?;
    let measure_end = first_due + i64::try_from(knobs.measure.as_millis())?;
    let measured: Vec<Due> = due.iter().copied().filter(|d| d.1 < measure_end).collect();
    let bare = tokio::spawn(bare_sleeps(measured.iter().map(|d| d.1).collect()));

    let seen = provider.count();
    let serving = start(&binary, &config_path, &url, ANY_PORT).await?;
    let ready = serving.healthy(PATIENCE).await?;
    println!(
        "handoff serve with {count} timers pending: banner after {}, /healthz 200 after {}",
        ms(serving.banner_after),
        ms(ready)
    );
    sleep_until_wall(&clock, measure_end + millis(SETTLE)?).await;
    let memory = serving.memory()?;
    let bare = bare.await.context("the baseline's task")?;
    let recorded = escalations(&path, seeded.last_seq).await?;
    let offered = offers(&provider, seen);

    println!(
        "\n-- timers due in the first {} s ({} of them, one every {:.0} ms)",
        knobs.measure.as_secs(),
        measured.len(),
        knobs.window.as_secs_f64() * 1000.0 / count as f64
    );
    let to_event = lateness(&measured, &recorded);
    let to_offer = lateness(&measured, &offered);
    print_lateness("due → escalation recorded", &to_event);
    print_lateness("due → offer at the provider", &to_offer);
    let bare = Spread::of(&bare).context("no baseline samples")?;
    println!("bare tokio sleep_until, same instants: {bare}");
    if let Some(spread) = Spread::of(&to_offer.samples) {
        let met = spread.p99 <= Duration::from_millis(100) && to_offer.missing == 0;
        println!(
            "goal p99 ≤ 100 ms (to the offer, none missing): {}",
            verdict(met)
        );
    }
    println!("memory of handoff serve then: {memory}; empty database: {empty_memory}");
    println!("goal ≤ 256 MB: {}", verdict(memory.hwm_kib <= 256 * 1024));

    restart(
        &binary,
        &config_path,
        &url,
        &provider,
        &due,
        seeded.last_seq,
        serving,
        knobs,
        empty_ready,
    )
    .await
}

/// Kills the service, starts it again on the same database, and reports.
#[allow(clippy::too_many_arguments)]
async fn restart(
    binary: &Path,
    config: &Path,
    url: &str,
    provider: &Provider,
    due: &[Due],
    last_seq: i64,
    serving: Serving,
    knobs: &Knobs,
    empty_ready: Duration,
) -> anyhow::Result<()> {
    let clock = SystemClock;
    let path = url.trim_start_matches("sqlite://");
    let pending = pending_timers(Path::new(path)).await?;
    let listen = serving.listen().to_owned();
    drop(serving);
    let killed = clock.now().timestamp_millis();
    println!("\n-- restart: killed (SIGKILL) with {pending} timers pending");
    let seen = provider.count();
    let serving = start(binary, config, url, &listen).await?;
    let ready = serving.healthy(PATIENCE).await?;
    let ready_at = clock.now().timestamp_millis();
    println!(
        "started again: banner after {}, /healthz 200 after {} (empty database: {})",
        ms(serving.banner_after),
        ms(ready),
        ms(empty_ready)
    );
    println!(
        "goal ≤ 2 s until every pending escalation is scheduled again: {}",
        verdict(ready <= Duration::from_secs(2))
    );
    let end = ready_at + i64::try_from(knobs.after_restart.as_millis())?;
    sleep_until_wall(&clock, end + millis(SETTLE)?).await;
    let memory = serving.memory()?;
    let recorded = escalations(Path::new(path), last_seq).await?;
    let offered = offers(provider, seen);
    let down: Vec<Due> = due
        .iter()
        .copied()
        .filter(|d| killed <= d.1 && d.1 < ready_at)
        .collect();
    let after: Vec<Due> = due
        .iter()
        .copied()
        .filter(|d| ready_at <= d.1 && d.1 < end)
        .collect();
    let caught_up = down.iter().filter_map(|d| recorded.get(&d.0)).max();
    let since_kill = |at: &i64| {
        ms(Duration::from_micros(
            u64::try_from(at - killed * 1000).unwrap_or(0),
        ))
    };
    println!(
        "{} fell due while it was down or starting; {} of them escalated, the last at {} after the kill",
        down.len(),
        down.iter().filter(|d| recorded.contains_key(&d.0)).count(),
        caught_up.map_or_else(|| "—".to_owned(), since_kill)
    );
    println!(
        "-- timers due in the {} s after it was ready ({})",
        knobs.after_restart.as_secs(),
        after.len()
    );
    print_lateness("due → escalation recorded", &lateness(&after, &recorded));
    print_lateness("due → offer at the provider", &lateness(&after, &offered));
    println!("memory of handoff serve then: {memory}");
    drop(serving);
    Ok(())
}

/// `handoff serve` on `listen`, started off the async threads (its start reads a
/// pipe).
async fn start(
    binary: &Path,
    config: &Path,
    database: &str,
    listen: &str,
) -> anyhow::Result<Serving> {
    let (binary, config, database, listen) = (
        binary.to_path_buf(),
        config.to_path_buf(),
        database.to_owned(),
        listen.to_owned(),
    );
    tokio::task::spawn_blocking(move || Serving::start_on(&binary, &config, &database, &listen))
        .await
        .context("starting handoff serve")?
}

fn spread(samples: &[Duration]) -> anyhow::Result<Spread> {
    Spread::of(samples).context("no samples")
}

fn millis(d: Duration) -> anyhow::Result<i64> {
    Ok(i64::try_from(d.as_millis())?)
}

async fn sleep_until_wall(clock: &SystemClock, at_ms: i64) {
    let wait = at_ms - clock.now().timestamp_millis();
    if let Ok(wait) = u64::try_from(wait) {
        tokio::time::sleep(Duration::from_millis(wait)).await;
    }
}

/// Moves every timer by `by_ms` milliseconds.
async fn shift_timers(path: &Path, by_ms: i64) -> anyhow::Result<()> {
    let mut conn = SqliteConnection::connect(&format!("sqlite://{}", path.display())).await?;
    sqlx::query("UPDATE timers SET due_at = due_at + ?")
        .bind(by_ms)
        .execute(&mut conn)
        .await?;
    conn.close().await?;
    Ok(())
}

async fn pending_timers(path: &Path) -> anyhow::Result<i64> {
    let mut conn = SqliteConnection::connect(&format!("sqlite://{}", path.display())).await?;
    let n: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM timers")
        .fetch_one(&mut conn)
        .await?;
    conn.close().await?;
    Ok(n)
}

/// When the service recorded each escalation (a step started after the seeding),
/// by hand-off, in epoch microseconds (the log keeps milliseconds).
async fn escalations(path: &Path, after_seq: i64) -> anyhow::Result<HashMap<u32, i64>> {
    let mut conn = SqliteConnection::connect(&format!("sqlite://{}", path.display())).await?;
    let rows = sqlx::query(
        "SELECT handoff_id, MIN(at) AS at FROM events WHERE seq > ? AND kind = 'step_started' \
         GROUP BY handoff_id",
    )
    .bind(after_seq)
    .fetch_all(&mut conn)
    .await?;
    conn.close().await?;
    rows.iter()
        .map(|row| {
            let id = u32::try_from(row.try_get::<i64, _>("handoff_id")?)?;
            let at: i64 = row.try_get("at")?;
            Ok((id, at * 1000))
        })
        .collect()
}

/// When each escalation's offer reached the provider (the first, by hand-off),
/// in epoch microseconds.
fn offers(provider: &Provider, from: usize) -> HashMap<u32, i64> {
    let mut first = HashMap::new();
    for arrival in provider.since(from) {
        if arrival.to != SUPERVISOR {
            continue;
        }
        if let Some(id) = offered_id(&arrival.body) {
            first.entry(id).or_insert(arrival.wall.timestamp_micros());
        }
    }
    first
}

/// The hand-off an offer is for: `... Reply Y4821 to take it ...`.
fn offered_id(body: &str) -> Option<u32> {
    let rest = body.split("Reply Y").nth(1)?;
    let digits: String = rest.chars().take_while(char::is_ascii_digit).collect();
    digits.parse().ok()
}

/// Each timer's lateness to when something happened for its hand-off (epoch
/// microseconds), and how many timers had nothing happen.
struct Lateness {
    samples: Vec<Duration>,
    missing: usize,
}

fn lateness(due: &[Due], happened: &HashMap<u32, i64>) -> Lateness {
    let mut samples = Vec::with_capacity(due.len());
    let mut missing = 0;
    for (id, at) in due {
        match happened.get(id) {
            Some(when) => samples.push(Duration::from_micros(
                u64::try_from(when - at * 1000).unwrap_or(0),
            )),
            None => missing += 1,
        }
    }
    Lateness { samples, missing }
}

fn print_lateness(name: &str, late: &Lateness) {
    match Spread::of(&late.samples) {
        Some(spread) => println!("{name}: {spread}; {} never happened", late.missing),
        None => println!("{name}: none happened ({} expected)", late.missing),
    }
}

/// The baseline: one task sleeping until each instant in turn with tokio's
/// `sleep`, the way the engine's loop waits for its next timer, and how late it
/// woke.
async fn bare_sleeps(due_ms: Vec<i64>) -> Vec<Duration> {
    let clock = SystemClock;
    let mut late = Vec::with_capacity(due_ms.len());
    for due in due_ms {
        let Some(at) = DateTime::<Utc>::from_timestamp_millis(due) else {
            continue;
        };
        let wait = (at - clock.now()).to_std().unwrap_or(Duration::ZERO);
        tokio::time::sleep(wait).await;
        late.push((clock.now() - at).to_std().unwrap_or(Duration::ZERO));
    }
    late
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_offer_names_its_hand_off_by_the_reply_code() {
        let body = "LEAD 4821: arrest diversion at Bench Ave qaz, Ofc. Officer 3 (Metro PD). \
                    Reply Y4821 to take it, N4821 to pass.";
        assert_eq!(offered_id(body), Some(4821));
        assert_eq!(offered_id("4821 is yours."), None);
    }

    #[test]
    fn lateness_counts_what_never_happened_apart() {
        let due = [(1001, 1_000), (1002, 2_000), (1003, 3_000)];
        let happened = HashMap::from([(1001, 1_040_000), (1003, 2_999_000)]);
        let late = lateness(&due, &happened);
        assert_eq!(late.samples, [Duration::from_millis(40), Duration::ZERO]);
        assert_eq!(late.missing, 1);
    }
}

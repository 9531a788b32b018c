//! The dashboard's "Is it working" board over a million hand-offs in SQLite: the
//! history seeded in bulk (`seed`), the first `refresh_stats` of the rollup timed,
//! then `board()` for a year and for filtered ranges, each beside the goal of
//! under a second, and the board's request counts checked against what was
//! seeded. Last, the cost of keeping the rollup fresh: a refresh after a day of
//! new hand-offs, and one with nothing new.

use std::path::Path;
use std::time::{Duration, Instant};

use anyhow::{Context, bail};
use chrono::{DateTime, NaiveDate, Utc};
use chrono_tz::America::New_York;
use chrono_tz::Tz;
use handoff_dispatcher::Store;
use handoff_dispatcher::stats::{Board, BoardFilter};
use handoff_dispatcher::store::Records;
use handoff_schedules::{PersonId, SiteId};

use crate::history::SITES;
use crate::seed::{Seeded, seed};
use crate::stats::{Spread, ms};
use crate::verdict;

/// The history: 13 months of requests.
pub const DAYS: u32 = 395;
pub const SEED: u64 = 0x5EED_DA5B_0A2D;
/// Timed runs of each board, after the first (reported apart).
const RUNS: usize = 5;

pub fn start() -> NaiveDate {
    NaiveDate::from_ymd_opt(2025, 11, 1).unwrap_or(NaiveDate::MIN)
}

fn instant(text: &str) -> anyhow::Result<DateTime<Utc>> {
    text.parse().context("a literal instant")
}

pub fn zone_of(site: &SiteId) -> Tz {
    SITES
        .iter()
        .find(|(name, _)| *name == site.as_str())
        .map_or(New_York, |(_, zone)| *zone)
}

/// Runs the dashboard part on `handoffs` hand-offs, in `keep` if given (an existing
/// file there is reused as it is: no seeding, and its refresh is incremental).
pub async fn run(handoffs: u64, keep: Option<&Path>) -> anyhow::Result<()> {
    let dir = tempfile::TempDir::new().context("a temporary directory")?;
    let path = keep.map_or_else(|| dir.path().join("dashboard.db"), Path::to_path_buf);
    let url = format!("sqlite://{}", path.display());
    let fresh = !path.exists();
    println!(
        "== dashboard: \"Is it working\" board, SQLite ({})",
        path.display()
    );
    let seeded = if fresh {
        Store::connect(&url).await?.close().await;
        let seeded = seed(&path, start(), DAYS, handoffs, 1001, SEED).await?;
        println!(
            "seeded {} hand-offs ({} events, {:.1} per hand-off) over {DAYS} days in {:.1} s",
            seeded.handoffs,
            seeded.events,
            seeded.events as f64 / seeded.handoffs.max(1) as f64,
            seeded.elapsed.as_secs_f64()
        );
        Some(seeded)
    } else {
        println!("reusing the database as it is (not seeded by this run)");
        None
    };
    let records = Records::open_existing(&url).await?;
    let started = Instant::now();
    let report = records.refresh_stats(&zone_of).await?;
    let took = started.elapsed();
    println!(
        "first refresh_stats: {:.1} s ({} events in {} batches, {} rows, {:.0} events/s)",
        took.as_secs_f64(),
        report.events,
        report.batches,
        report.rows,
        report.events as f64 / took.as_secs_f64().max(f64::EPSILON)
    );
    let started = Instant::now();
    let held = records.read_board_rows().await?;
    println!(
        "rollup read into memory: {held} hand-offs in {:.1} s (once per start; `handoff serve` reads it as it starts)",
        started.elapsed().as_secs_f64()
    );

    let year = BoardFilter {
        from: instant("2025-12-01T05:00:00Z")?,
        to: instant("2026-12-01T05:00:00Z")?,
        site: None,
        agency: None,
        case_manager: None,
        kind: None,
        arrival_target: chrono::Duration::minutes(45),
        zone: New_York,
    };
    let quarter_at_metro = BoardFilter {
        from: instant("2026-06-01T04:00:00Z")?,
        to: instant("2026-09-01T04:00:00Z")?,
        site: Some(SiteId::parse("metro")?),
        ..year.clone()
    };
    let case_manager_year = BoardFilter {
        case_manager: Some(PersonId::parse("cm-lakeside-3")?),
        zone: chrono_tz::America::Chicago,
        ..year.clone()
    };
    let cases = [
        ("one year, every site", &year),
        ("one quarter, one site", &quarter_at_metro),
        ("one year, one case manager", &case_manager_year),
    ];
    for (name, filter) in cases {
        let (board, first, spread) = time_board(&records, filter).await?;
        println!(
            "board(), {name}: first {} then {spread}; {} requests, {} weeks, {} demand cells",
            ms(first),
            board.requests,
            board.weeks.len(),
            board.demand.len()
        );
        println!(
            "  goal ≤ 1 s: {}",
            verdict(first.max(spread.max) <= Duration::from_secs(1))
        );
        if let Some(seeded) = &seeded {
            check(&board, filter, seeded)?;
        }
    }

    if seeded.is_some() {
        incremental(&path, &records, handoffs).await?;
    }
    records.close().await;
    Ok(())
}

/// The board once (the first, with whatever is cold), then [`RUNS`] more.
async fn time_board(
    records: &Records,
    filter: &BoardFilter,
) -> anyhow::Result<(Board, Duration, Spread)> {
    let started = Instant::now();
    let board = records.board(filter).await?;
    let first = started.elapsed();
    let mut samples = Vec::with_capacity(RUNS);
    for _ in 0..RUNS {
        let started = Instant::now();
        records.board(filter).await?;
        samples.push(started.elapsed());
    }
    let spread = Spread::of(&samples).context("no samples")?;
    Ok((board, first, spread))
}

/// The board's request count against the seeded history (site and range filters
/// only; a case manager's count is checked by the store's tests instead).
fn check(board: &Board, filter: &BoardFilter, seeded: &Seeded) -> anyhow::Result<()> {
    if filter.case_manager.is_some() {
        return Ok(());
    }
    let (from, to) = (filter.from.timestamp_millis(), filter.to.timestamp_millis());
    let site = filter
        .site
        .as_ref()
        .and_then(|s| SITES.iter().position(|(name, _)| *name == s.as_str()));
    let expected = seeded
        .requests
        .iter()
        .filter(|(at, s)| from <= *at && *at < to && site.is_none_or(|site| site == *s))
        .count() as u64;
    let lost = board.lost.total();
    let parts = board.open + board.completed + board.cancelled + board.not_diverted;
    let closed_lost = board.lost.unstaffed + board.lost.out_of_hours + board.lost.expired;
    if board.requests != expected || parts + closed_lost != board.requests {
        bail!(
            "the board counts {} requests ({parts} + {closed_lost} by outcome), the history has {expected}",
            board.requests
        );
    }
    println!("  check: {expected} requests as seeded, {lost} lost, every outcome adds up");
    Ok(())
}

/// A refresh after a day of new hand-offs, and one with nothing new.
async fn incremental(path: &Path, records: &Records, seeded: u64) -> anyhow::Result<()> {
    let day = NaiveDate::from_ymd_opt(2026, 12, 1).unwrap_or(NaiveDate::MIN);
    let next_id = u32::try_from(seeded + 1001).context("hand-off numbers")?;
    let more = seed(path, day, 1, 2_500, next_id, SEED + 1).await?;
    let started = Instant::now();
    let report = records.refresh_stats(&zone_of).await?;
    println!(
        "refresh_stats after a day of {} more hand-offs ({} events): {} ({} rows)",
        more.handoffs,
        more.events,
        ms(started.elapsed()),
        report.rows
    );
    let started = Instant::now();
    let report = records.refresh_stats(&zone_of).await?;
    println!(
        "refresh_stats with nothing new: {} ({} events read)",
        ms(started.elapsed()),
        report.events
    );
    let year = BoardFilter {
        from: instant("2025-12-02T05:00:00Z")?,
        to: instant("2026-12-02T05:00:00Z")?,
        site: None,
        agency: None,
        case_manager: None,
        kind: None,
        arrival_target: chrono::Duration::minutes(45),
        zone: New_York,
    };
    let started = Instant::now();
    let board = records.board(&year).await?;
    println!(
        "board(), the year to the new day (the day's rows read into memory first): {}; {} requests",
        ms(started.elapsed()),
        board.requests
    );
    Ok(())
}

//! The command line beside a journey: `handoff report` and `handoff intake` run
//! in-process against the database a journey's service wrote, the way a project
//! manager would run them, and their CSV read back as rows for assertions.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use chrono::{DateTime, Utc};

use crate::{Outcome, handoff_from_async};

/// Writes `program` (TOML without transports) to `dir` for the command line, which
/// needs only its sites to read a service's database.
pub fn program_file_of(dir: &Path, program: &str) -> PathBuf {
    let path = dir.join("program.toml");
    std::fs::write(&path, program).unwrap_or_else(|e| panic!("writing {}: {e}", path.display()));
    path
}

/// `handoff COMMAND REST... --config CONFIG --database DATABASE` at `now`.
pub async fn run(
    command: &str,
    config: &Path,
    database: &str,
    now: DateTime<Utc>,
    rest: &[&str],
) -> Outcome {
    let mut args = vec![command.to_owned()];
    args.extend(rest.iter().map(|s| s.to_string()));
    args.extend([
        "--config".to_owned(),
        config.display().to_string(),
        "--database".to_owned(),
        database.to_owned(),
    ]);
    handoff_from_async(args, now).await
}

/// `handoff report REST...`, which must succeed; its CSV as rows.
pub async fn report_rows(
    config: &Path,
    database: &str,
    now: DateTime<Utc>,
    rest: &[&str],
) -> Vec<BTreeMap<String, String>> {
    let out = run("report", config, database, now, rest).await;
    assert_eq!(out.code, 0, "handoff report {rest:?}: {}", out.stderr);
    rows(&out.stdout)
}

/// The one row of `handoff report handoffs` for hand-off `id`.
pub async fn handoff_row(
    config: &Path,
    database: &str,
    now: DateTime<Utc>,
    id: u32,
) -> BTreeMap<String, String> {
    let rows = report_rows(config, database, now, &["handoffs"]).await;
    let mut mine: Vec<_> = rows
        .into_iter()
        .filter(|r| r.get("id").map(String::as_str) == Some(id.to_string().as_str()))
        .collect();
    assert_eq!(mine.len(), 1, "one row for hand-off {id}: {mine:#?}");
    mine.remove(0)
}

/// The lines `handoff intake list --within DAYS` prints after its header: one per
/// intake owed (`1001,metro,dana,...`).
pub async fn intakes_listed(
    config: &Path,
    database: &str,
    now: DateTime<Utc>,
    within_days: u32,
) -> Vec<String> {
    let within = within_days.to_string();
    let out = run(
        "intake",
        config,
        database,
        now,
        &["list", "--within", &within],
    )
    .await;
    assert_eq!(out.code, 0, "handoff intake list: {}", out.stderr);
    out.stdout.lines().skip(1).map(str::to_owned).collect()
}

/// CSV rows as maps from column name to cell. The reports write no quoted cells:
/// what could need quoting (words) never reaches them.
pub fn rows(csv: &str) -> Vec<BTreeMap<String, String>> {
    let mut lines = csv.lines();
    let Some(header) = lines.next() else {
        return Vec::new();
    };
    let header: Vec<&str> = header.split(',').collect();
    lines
        .map(|line| {
            let cells: Vec<&str> = line.split(',').collect();
            assert_eq!(cells.len(), header.len(), "{line}");
            header
                .iter()
                .zip(cells)
                .map(|(h, c)| (h.to_string(), c.to_owned()))
                .collect()
        })
        .collect()
}

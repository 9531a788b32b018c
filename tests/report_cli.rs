//! `handoff report`, from outside: hand-offs made through the SMS webhooks of a
//! running service, then the command line reading the same database the way a
//! project manager would, as CSV and as JSON.
//!
//! The service's clock is a mock one, so every time in the report is exact.

use std::path::Path;

use handoff_tests::database::on_every_database;
use handoff_tests::journey::{MONDAY, REQUEST, minutes};
use handoff_tests::service::{CHEN, DANA, PROGRAM, RIVERA, Service, program_file};
use handoff_tests::{Outcome, at, handoff_from_async};

async fn report(args: Vec<String>) -> Outcome {
    handoff_from_async(args, at("2026-12-01T12:00:00Z")).await
}

fn args(config: &Path, database: &str, rest: &[&str]) -> Vec<String> {
    let mut all = vec!["report".to_owned()];
    all.extend(rest.iter().map(|s| s.to_string()));
    all.extend([
        "--config".to_owned(),
        config.display().to_string(),
        "--database".to_owned(),
        database.to_owned(),
    ]);
    all
}

/// CSV rows as maps from column name to cell.
fn rows(csv: &str) -> Vec<std::collections::BTreeMap<String, String>> {
    let mut lines = csv.lines();
    let header: Vec<&str> = lines
        .next()
        .unwrap_or_else(|| panic!("no header row in {csv:?}"))
        .split(',')
        .collect();
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

/// Monday 10:00: Rivera's request, taken by Dana at 10:02, reached at 10:20, done.
/// Monday 10:30: Chen's request, unanswered by the case managers (5 min) and the
/// supervisor (10 min): unstaffed at 10:45.
async fn a_monday_of_hand_offs(database: &str) {
    let svc = Service::start_with(PROGRAM, MONDAY, Some(database.to_owned())).await;
    svc.text(RIVERA, REQUEST).await;
    svc.advance(minutes(2)).await;
    svc.text(DANA, "Y1001").await;
    svc.text(DANA, "ETA 15").await;
    svc.advance(minutes(18)).await;
    svc.text(DANA, "ARRIVED").await;
    svc.text(DANA, "DONE").await;
    svc.advance(minutes(10)).await;
    svc.text(CHEN, "LEAD Penn Ave & 9th, trespass").await;
    svc.advance(minutes(5)).await;
    svc.advance(minutes(10)).await;
    svc.stop().await;
}

#[tokio::test]
async fn the_hand_off_report_has_one_row_per_hand_off_with_exact_times_and_outcomes() {
    on_every_database(async |database| {
        let dir = tempfile::TempDir::new().unwrap();
        let config = program_file(dir.path());
        let url = database.unwrap_or_else(|| format!("sqlite://{}/h.db", dir.path().display()));
        a_monday_of_hand_offs(&url).await;

        let out = report(args(&config, &url, &["handoffs"])).await;
        assert_eq!(out.code, 0, "{}", out.stderr);
        let rows = rows(&out.stdout);
        assert_eq!(rows.len(), 2, "{}", out.stdout);

        let taken = &rows[0];
        assert_eq!(taken["id"], "1001");
        assert_eq!(taken["site"], "metro");
        assert_eq!(taken["officer"], "rivera");
        assert_eq!(taken["agency"], "metro-pd");
        assert_eq!(taken["requested_at"], "2026-11-23T15:00:00Z");
        assert_eq!(taken["outcome"], "completed");
        assert_eq!(taken["accepted_by"], "dana");
        assert_eq!(taken["time_to_first_offer_seconds"], "0");
        assert_eq!(taken["time_to_accept_seconds"], "120");
        assert_eq!(taken["time_to_arrival_seconds"], "1200");
        assert_eq!(taken["accept_to_arrival_seconds"], "1080");
        assert_eq!(taken["escalations"], "0");

        let unstaffed = &rows[1];
        assert_eq!(unstaffed["id"], "1002");
        assert_eq!(unstaffed["officer"], "chen");
        assert_eq!(unstaffed["outcome"], "unstaffed");
        assert_eq!(unstaffed["accepted_by"], "");
        assert_eq!(unstaffed["time_to_accept_seconds"], "");
        assert_eq!(unstaffed["timed_out"], "3", "two case managers, then Rosa");
        assert_eq!(unstaffed["escalations"], "1");
        assert_eq!(unstaffed["closed_at"], "2026-11-23T15:45:00Z");

        // What was said never reaches a report: no location, no phone number.
        for secret in ["Main", "Penn", "412", "555"] {
            assert!(!out.stdout.contains(secret), "{secret} in {}", out.stdout);
        }
    })
    .await;
}

#[tokio::test]
async fn the_summary_groups_by_case_manager_with_percentiles_and_as_json() {
    on_every_database(async |database| {
        let dir = tempfile::TempDir::new().unwrap();
        let config = program_file(dir.path());
        let url = database.unwrap_or_else(|| format!("sqlite://{}/h.db", dir.path().display()));
        a_monday_of_hand_offs(&url).await;

        let out = report(args(&config, &url, &["summary", "--by", "case_manager"])).await;
        assert_eq!(out.code, 0, "{}", out.stderr);
        let rows = rows(&out.stdout);
        let keys: Vec<&str> = rows.iter().map(|r| r["key"].as_str()).collect();
        assert_eq!(keys, ["(none)", "dana"]);
        assert_eq!(rows[0]["unstaffed"], "1");
        assert_eq!(rows[1]["completed"], "1");
        assert_eq!(rows[1]["response_p50_seconds"], "120");
        assert_eq!(rows[1]["arrival_max_seconds"], "1200");

        let out = report(args(&config, &url, &["summary", "--json"])).await;
        assert_eq!(out.code, 0, "{}", out.stderr);
        let json: serde_json::Value = serde_json::from_str(&out.stdout).unwrap();
        assert_eq!(json[0]["key"], "all");
        assert_eq!(json[0]["requests"], 2);
        assert_eq!(json[0]["accepted"], 1);
        assert_eq!(json[0]["unstaffed"], 1);
        assert_eq!(json[0]["response_p90_seconds"], 120);
    })
    .await;
}

#[tokio::test]
async fn dates_select_by_the_local_day_of_request() {
    let dir = tempfile::TempDir::new().unwrap();
    let config = program_file(dir.path());
    let url = format!("sqlite://{}/h.db", dir.path().display());
    a_monday_of_hand_offs(&url).await;

    let monday = report(args(
        &config,
        &url,
        &["handoffs", "--from", "2026-11-23", "--to", "2026-11-23"],
    ))
    .await;
    assert_eq!(rows(&monday.stdout).len(), 2);
    let tuesday = report(args(&config, &url, &["handoffs", "--from", "2026-11-24"])).await;
    assert_eq!(tuesday.code, 0, "{}", tuesday.stderr);
    assert_eq!(
        tuesday.stdout.lines().count(),
        0,
        "no rows, and so no header"
    );
    let sunday = report(args(&config, &url, &["handoffs", "--to", "2026-11-22"])).await;
    assert_eq!((sunday.code, sunday.stdout.as_str()), (0, ""));
}

#[tokio::test]
async fn a_missing_database_or_unknown_site_or_backwards_range_is_a_clear_error() {
    let dir = tempfile::TempDir::new().unwrap();
    let config = program_file(dir.path());
    let missing = format!("sqlite://{}/nothing-here.db", dir.path().display());
    let out = report(args(&config, &missing, &["handoffs"])).await;
    assert_eq!(out.code, 1);
    assert!(out.stderr.contains("no database at"), "{}", out.stderr);
    assert!(
        !dir.path().join("nothing-here.db").exists(),
        "a report never creates a database"
    );

    let url = format!("sqlite://{}/h.db", dir.path().display());
    a_monday_of_hand_offs(&url).await;
    let out = report(args(&config, &url, &["handoffs", "--site", "gotham"])).await;
    assert_eq!(out.code, 1);
    assert!(
        out.stderr.contains("known sites are metro"),
        "{}",
        out.stderr
    );

    let out = report(args(
        &config,
        &url,
        &["handoffs", "--from", "2026-11-24", "--to", "2026-11-23"],
    ))
    .await;
    assert_eq!(out.code, 1);
    assert!(out.stderr.contains("is after the last"), "{}", out.stderr);
}

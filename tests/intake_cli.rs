//! Intake follow-up from outside: an arrest diversion accepted through the SMS
//! webhooks owes an intake within the program's 30 days; `handoff intake list`
//! shows it as it comes due and once it is overdue, and `handoff intake done`
//! records it (once), with an event in the log. A referral owes none.

use std::path::Path;

use handoff_tests::database::on_every_database;
use handoff_tests::journey::{MONDAY, REQUEST, minutes};
use handoff_tests::service::{CHEN, DANA, LEE, PROGRAM, RIVERA, Service, program_file};
use handoff_tests::{Outcome, at, handoff_from_async};

async fn intake(config: &Path, database: &str, now: &str, rest: &[&str]) -> Outcome {
    let mut args = vec!["intake".to_owned()];
    args.extend(rest.iter().map(|s| s.to_string()));
    args.extend([
        "--config".to_owned(),
        config.display().to_string(),
        "--database".to_owned(),
        database.to_owned(),
    ]);
    handoff_from_async(args, at(now)).await
}

/// Monday 10:00: Rivera's arrest diversion, taken by Dana at 10:02 and done.
/// Chen's social contact referral, taken by Lee: no intake owed.
async fn an_accepted_diversion_and_a_referral(database: &str) {
    let svc = Service::start_with(PROGRAM, MONDAY, Some(database.to_owned())).await;
    svc.text(RIVERA, REQUEST).await;
    svc.advance(minutes(2)).await;
    svc.text(DANA, "Y1001").await;
    svc.text(DANA, "DONE").await;
    svc.text(CHEN, "REFER Pine St shelter, asked for help")
        .await;
    svc.text(LEE, "Y1002").await;
    svc.stop().await;
}

#[tokio::test]
async fn an_accepted_diversion_is_listed_as_its_intake_comes_due_and_recorded_once() {
    on_every_database(async |database| {
        let dir = tempfile::TempDir::new().unwrap();
        let config = program_file(dir.path());
        let url = database.unwrap_or_else(|| format!("sqlite://{}/h.db", dir.path().display()));
        an_accepted_diversion_and_a_referral(&url).await;

        // Accepted Monday 2026-11-23 15:02 UTC: due 30 days later.
        let soon = intake(&config, &url, "2026-11-23T16:00:00Z", &["list"]).await;
        assert_eq!(
            (soon.code, soon.stdout.as_str()),
            (0, ""),
            "not due within a week"
        );

        let month = intake(
            &config,
            &url,
            "2026-11-23T16:00:00Z",
            &["list", "--within", "30"],
        )
        .await;
        assert_eq!(month.code, 0, "{}", month.stderr);
        let lines: Vec<&str> = month.stdout.lines().collect();
        assert_eq!(
            lines,
            [
                "handoff,site,case_manager,accepted_at,due_at,days_left,overdue",
                "1001,metro,dana,2026-11-23T15:02:00Z,2026-12-23T15:02:00Z,29,false",
            ],
            "the diversion only: a referral owes no intake"
        );

        let late = intake(&config, &url, "2026-12-24T09:00:00Z", &["list", "--json"]).await;
        let json: serde_json::Value = serde_json::from_str(&late.stdout).unwrap();
        assert_eq!(json[0]["handoff"], 1001);
        assert_eq!(json[0]["overdue"], true);
        assert_eq!(json[0]["days_left"], -1);

        let done = intake(
            &config,
            &url,
            "2026-12-24T09:00:00Z",
            &["done", "1001", "--at", "2026-12-20T14:00:00-05:00"],
        )
        .await;
        assert_eq!(done.code, 0, "{}", done.stderr);
        assert_eq!(
            done.stdout,
            "Intake for hand-off 1001 recorded as complete.\n"
        );
        let after = intake(&config, &url, "2026-12-24T09:00:00Z", &["list"]).await;
        assert_eq!(after.stdout, "", "recorded intakes are not listed");

        let again = intake(&config, &url, "2026-12-24T09:00:00Z", &["done", "1001"]).await;
        assert_eq!(again.code, 1);
        assert!(
            again.stderr.contains("already recorded"),
            "{}",
            again.stderr
        );
        let referral = intake(&config, &url, "2026-12-24T09:00:00Z", &["done", "1002"]).await;
        assert_eq!(referral.code, 1, "a referral owes no intake");

        // The log says when it was done.
        let store = handoff_dispatcher::Store::connect(&url).await.unwrap();
        let recorded: Vec<_> = store
            .events(None, None)
            .await
            .unwrap()
            .into_iter()
            .filter(|e| e.kind.name() == "intake_completed")
            .map(|e| (e.handoff.get(), e.at))
            .collect();
        assert_eq!(recorded, [(1001, at("2026-12-20T19:00:00Z"))]);
        store.close().await;
    })
    .await;
}

#[tokio::test]
async fn a_bad_hand_off_number_is_refused_by_the_command_line() {
    let dir = tempfile::TempDir::new().unwrap();
    let config = program_file(dir.path());
    let out = intake(&config, "sqlite:///nowhere.db", MONDAY, &["done", "12ab"]).await;
    assert_eq!(out.code, 2);
    assert!(
        out.stderr.contains("not a hand-off number"),
        "{}",
        out.stderr
    );
}

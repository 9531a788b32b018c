//! `handoff audit verify`, from outside: hand-offs made through the SMS webhooks of
//! a running service (a fake Twilio), then the command line checking the event
//! log's hash chain the way an auditor would. It passes on the log as written and
//! after retention has blanked its words; it fails, naming the event, once a row is
//! edited or deleted by hand (the triggers that keep the log append-only dropped
//! first, as someone set on it would).

use std::path::Path;

use chrono::Duration;
use handoff_tests::cli::run;
use handoff_tests::database::on_every_database;
use handoff_tests::journey::{MONDAY, minutes};
use handoff_tests::service::{CHEN, DANA, LEE, PROGRAM, RIVERA, Service, program_file};
use handoff_tests::{Outcome, at, handoff_from_async};
use sqlx::Connection;

/// `handoff audit verify [REST...] --config CONFIG --database DATABASE`.
async fn verify_with(config: &Path, database: &str, rest: &[&str]) -> Outcome {
    let mut args = vec!["verify"];
    args.extend(rest);
    run("audit", config, database, at("2027-06-01T12:00:00Z"), &args).await
}

async fn verify(config: &Path, database: &str) -> Outcome {
    verify_with(config, database, &[]).await
}

/// The line a whole chain of `events` events prints first.
fn intact(events: usize) -> String {
    format!("The event log's hash chain is intact: {events} events verified.")
}

/// Monday 10:00: Rivera's request; Lee passes with a reason, Dana takes it, comes,
/// and closes it not diverted with a note. 10:30: Chen's request, unanswered:
/// unstaffed at 10:45. Returns the service, still running, and how many events it
/// logged.
async fn a_monday_with_words(database: &str) -> (Service, usize) {
    let svc = Service::start_with(PROGRAM, MONDAY, Some(database.to_owned())).await;
    svc.text(RIVERA, "LEAD blue tent behind the library").await;
    svc.text(LEE, "N1001 with another client").await;
    svc.advance(minutes(2)).await;
    svc.text(DANA, "Y1001").await;
    svc.text(DANA, "ETA 15").await;
    svc.advance(minutes(18)).await;
    svc.text(DANA, "ARRIVED").await;
    svc.text(DANA, "NOTDIVERTED 1001 left went back inside")
        .await;
    svc.advance(minutes(10)).await;
    svc.text(CHEN, "LEAD Penn Ave & 9th, trespass").await;
    svc.advance(minutes(5)).await;
    svc.advance(minutes(10)).await;
    let events = svc.events().await.len();
    (svc, events)
}

async fn connect(database: &str) -> sqlx::AnyConnection {
    sqlx::any::install_default_drivers();
    sqlx::AnyConnection::connect(database)
        .await
        .unwrap_or_else(|e| panic!("connecting to {database}: {e}"))
}

async fn execute(conn: &mut sqlx::AnyConnection, sql: &'static str) {
    sqlx::query(sql)
        .execute(&mut *conn)
        .await
        .unwrap_or_else(|e| panic!("{sql}: {e}"));
}

/// What someone editing the log by hand does first.
async fn drop_the_triggers(conn: &mut sqlx::AnyConnection, database: &str) {
    if database.starts_with("sqlite:") {
        execute(conn, "DROP TRIGGER events_no_update").await;
        execute(conn, "DROP TRIGGER events_no_delete").await;
    } else {
        execute(conn, "DROP TRIGGER events_no_update_or_delete ON events").await;
    }
}

async fn seq_of(conn: &mut sqlx::AnyConnection, kind: &str) -> i64 {
    sqlx::query_scalar("SELECT seq FROM events WHERE kind = $1 ORDER BY seq LIMIT 1")
        .bind(kind)
        .fetch_one(&mut *conn)
        .await
        .unwrap_or_else(|e| panic!("the {kind} event: {e}"))
}

#[tokio::test]
async fn verify_passes_on_the_log_as_written_and_after_retention_blanks_its_words() {
    on_every_database(async |database| {
        let dir = tempfile::TempDir::new().unwrap();
        let config = program_file(dir.path());
        let url = database.unwrap_or_else(|| format!("sqlite://{}/h.db", dir.path().display()));
        let (svc, events) = a_monday_with_words(&url).await;
        assert!(events >= 15, "{events} events");

        let out = verify(&config, &url).await;
        assert_eq!(out.code, 0, "{}", out.stderr);
        let mut lines = out.stdout.lines();
        assert_eq!(lines.next(), Some(intact(events).as_str()));
        let head = lines.next().unwrap_or_default().to_owned();
        assert!(
            head.starts_with(&format!("Head: event {events}, hash ")),
            "{}",
            out.stdout
        );
        // The head to note, as the option that checks it later.
        let anchor = out
            .stdout
            .split("--anchor ")
            .nth(1)
            .map(|rest| rest.trim().to_owned())
            .unwrap_or_else(|| panic!("no anchor in {}", out.stdout));
        assert_eq!(anchor.len(), format!("{events}:").len() + 64, "{anchor}");

        // Ninety days and more after they closed, both hand-offs' words go.
        svc.advance(Duration::days(91)).await;
        let done = svc.running.forget().await.unwrap();
        assert_eq!(done.handoffs, 2);
        assert_eq!(done.events, 2, "Lee's reason and Dana's note");
        let json = serde_json::to_string(&svc.events().await).unwrap();
        for words in ["another client", "went back inside"] {
            assert!(!json.contains(words), "{words} is still in the log");
        }
        svc.stop().await;

        let out = verify_with(&config, &url, &["--anchor", &anchor]).await;
        assert_eq!(out.code, 0, "{}", out.stderr);
        assert!(out.stdout.starts_with(&intact(events)), "{}", out.stdout);
        assert!(
            out.stdout.contains(&format!(
                "It passes through event {events} with the hash noted earlier."
            )),
            "{}",
            out.stdout
        );
        assert!(out.stdout.contains(&head), "the same head: {}", out.stdout);
    })
    .await;
}

#[tokio::test]
async fn verify_fails_naming_the_event_once_a_row_is_edited_or_deleted_by_hand() {
    on_every_database(async |database| {
        let dir = tempfile::TempDir::new().unwrap();
        let config = program_file(dir.path());
        let url = database.unwrap_or_else(|| format!("sqlite://{}/h.db", dir.path().display()));
        let (svc, _) = a_monday_with_words(&url).await;
        svc.stop().await;
        assert_eq!(verify(&config, &url).await.code, 0);

        // Dana's accept moved a minute earlier: a faster response time.
        let mut conn = connect(&url).await;
        drop_the_triggers(&mut conn, &url).await;
        let accepted = seq_of(&mut conn, "accepted").await;
        execute(
            &mut conn,
            "UPDATE events SET at = at - 60000 WHERE kind = 'accepted'",
        )
        .await;
        let out = verify(&config, &url).await;
        assert_eq!(out.code, 3, "{}\n{}", out.stdout, out.stderr);
        assert!(
            out.stderr.starts_with(&format!(
                "error: the event log's hash chain is broken at event {accepted} (hand-off \
                 1001): hash mismatch"
            )),
            "{}",
            out.stderr
        );
        execute(
            &mut conn,
            "UPDATE events SET at = at + 60000 WHERE kind = 'accepted'",
        )
        .await;
        let out = verify(&config, &url).await;
        assert_eq!(out.code, 0, "put back, it passes: {}", out.stderr);

        // Lee's pass deleted: as if Lee had never been asked.
        let declined = seq_of(&mut conn, "declined").await;
        execute(&mut conn, "DELETE FROM events WHERE kind = 'declined'").await;
        let out = verify(&config, &url).await;
        assert_eq!(out.code, 3, "{}\n{}", out.stdout, out.stderr);
        assert!(
            out.stderr.starts_with(&format!(
                "error: the event log's hash chain is broken at event {} (hand-off 1001): \
                 missing row: event {declined} before it was deleted",
                declined + 1
            )),
            "{}",
            out.stderr
        );
        conn.close().await.unwrap();
    })
    .await;
}

#[tokio::test]
async fn verify_needs_only_the_database_and_says_when_it_cannot_read_it() {
    let dir = tempfile::TempDir::new().unwrap();
    let missing = format!("sqlite://{}/none.db", dir.path().display());
    let out = handoff_from_async(
        vec![
            "audit".to_owned(),
            "verify".to_owned(),
            "--database".to_owned(),
            missing,
        ],
        at("2027-06-01T12:00:00Z"),
    )
    .await;
    assert_eq!(out.code, 1, "{}", out.stderr);
    assert!(
        out.stderr
            .contains("none.db: it is created by the first `handoff serve`"),
        "{}",
        out.stderr
    );
}

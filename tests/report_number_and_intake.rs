//! The paperwork after a hand-off, by text: the officer adds the police report
//! number (`RPT 1001 2026-MPD-4512`), which matches the program's records to the
//! agency's and is shown in `handoff report handoffs` but never sent in any text;
//! the case manager records intake (`INTAKE 1001`), and `handoff intake list` stops
//! listing it.
//!
//! Each journey runs on SQLite, and again on PostgreSQL when `DATABASE_URL` names a
//! server.

use chrono::Duration;
use handoff_dispatcher::message::Problem;
use handoff_dispatcher::{Actor, EventKind, HandoffId, Message};
use handoff_tests::at;
use handoff_tests::cli::{handoff_row, intakes_listed, program_file_of};
use handoff_tests::database::on_every_database;
use handoff_tests::journey::{MONDAY, REQUEST, minutes, officer, staff};
use handoff_tests::service::{CHEN, DANA, PROGRAM, RIVERA, Service};

/// The report number's pieces no text may show.
const SECRETS: [&str; 3] = ["4512", "4513", "MPD"];

fn last_problem(told: &[Message]) -> Option<Problem> {
    match told.last() {
        Some(Message::Problem { problem, .. }) => Some(*problem),
        _ => None,
    }
}

#[tokio::test]
async fn the_report_number_is_in_the_report_and_in_no_text_and_intake_by_text_ends_the_listing() {
    on_every_database(async |database| {
        let dir = tempfile::TempDir::new().unwrap();
        let url =
            database.unwrap_or_else(|| format!("sqlite://{}/handoff.db", dir.path().display()));
        let config = program_file_of(dir.path(), PROGRAM);
        let svc = Service::start_with(PROGRAM, MONDAY, Some(url.clone())).await;
        svc.text(RIVERA, REQUEST).await;
        svc.advance(minutes(2)).await;
        svc.text(DANA, "Y1001").await;

        // The officer adds the report number; it is confirmed, not repeated back.
        svc.text(RIVERA, "RPT 1001 2026-MPD-4512").await;
        assert_eq!(
            svc.told(&officer("rivera")).await.last(),
            Some(&Message::ReportNumberRecorded {
                id: HandoffId::FIRST
            })
        );
        assert_eq!(
            svc.last_text_to(RIVERA),
            "The report number for 1001 is recorded. Thank you."
        );
        let recorded = svc.events_named("report_number").await;
        assert_eq!(recorded.len(), 1);
        assert!(matches!(&recorded[0].kind,
            EventKind::ReportNumber { number } if number.as_str() == "2026-MPD-4512"));
        // Another officer cannot set it; a number of the wrong shape is refused.
        svc.text(CHEN, "RPT 1001 2026-MPD-9999").await;
        assert_eq!(
            last_problem(&svc.told(&officer("chen")).await),
            Some(Problem::NotRequester)
        );
        svc.text(RIVERA, "RPT 1001 ABC").await;
        assert_eq!(
            last_problem(&svc.told(&officer("rivera")).await),
            Some(Problem::BadReportNumber)
        );
        assert_eq!(svc.events_named("report_number").await.len(), 1);

        svc.text(DANA, "ARRIVED").await;
        svc.text(DANA, "DONE").await;
        // Closed, it can still be corrected: the paperwork comes after the scene.
        svc.text(RIVERA, "RPT 1001 2026-mpd-4513").await;
        assert_eq!(
            svc.told(&officer("rivera")).await.last(),
            Some(&Message::ReportNumberRecorded {
                id: HandoffId::FIRST
            })
        );
        assert_eq!(
            svc.handoff(1001).await.report_number.map(String::from),
            Some("2026-MPD-4513".to_owned())
        );

        // Intake is owed (accepted Monday 15:02 UTC, due 30 days later).
        let owed = intakes_listed(&config, &url, at("2026-11-23T16:00:00Z"), 30).await;
        assert_eq!(owed.len(), 1, "{owed:?}");
        assert!(owed[0].starts_with("1001,metro,dana,"), "{owed:?}");

        // Dana records it by text.
        svc.advance(minutes(30)).await;
        svc.text(DANA, "INTAKE 1001").await;
        assert_eq!(
            svc.told(&staff("dana")).await.last(),
            Some(&Message::IntakeRecorded {
                id: HandoffId::FIRST
            })
        );
        assert_eq!(
            svc.last_text_to(DANA),
            "Intake for 1001 is recorded. Thank you."
        );
        let intake = svc.events_named("intake_completed").await;
        assert_eq!(intake.len(), 1);
        assert!(matches!(&intake[0].actor, Actor::Staff(p) if p.as_str() == "dana"));
        let owed = intakes_listed(&config, &url, at("2026-12-24T16:00:00Z"), 30).await;
        assert!(owed.is_empty(), "recorded intakes are not listed: {owed:?}");
        // Twice is refused, and changes nothing.
        svc.text(DANA, "INTAKE 1001").await;
        assert_eq!(
            last_problem(&svc.told(&staff("dana")).await),
            Some(Problem::NoIntake)
        );
        assert_eq!(svc.events_named("intake_completed").await.len(), 1);

        // The number was never texted to anyone, in any message.
        for sent in svc.sent() {
            for secret in SECRETS {
                assert!(!sent.body.contains(secret), "{secret} texted: {sent:?}");
            }
        }

        // Retention forgets the hand-off's words, never the number.
        svc.advance(Duration::days(91)).await;
        assert_eq!(svc.running.forget().await.unwrap().handoffs, 1);
        svc.stop().await;
        let row = handoff_row(&config, &url, at("2027-03-01T12:00:00Z"), 1001).await;
        assert_eq!(row["outcome"], "completed");
        assert_eq!(row["report_number"], "2026-MPD-4513");
        assert_eq!(row["intake_completed_at"], "2026-11-23T15:32:00Z");
    })
    .await;
}

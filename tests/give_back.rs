//! A case manager who cannot go gives the hand-off back, and it stays a diversion:
//! it is offered again, from the step it was accepted in, to everyone but who gave
//! it back, and the officer is told another case manager is being found. The one
//! who takes it over accepts with an ETA (`Y1001 20`), and the ETA is watched: a
//! grace past it with no ARRIVED the case manager is asked for a new one, a second
//! grace later the officer is told plainly and, while the site is open, the
//! supervisor alerted. A hand-off may also close without a diversion, with a code
//! (`NOTDIVERTED 1001 declined`) that the reports keep after retention has
//! forgotten the hand-off's words.
//!
//! Each journey runs on SQLite, and again on PostgreSQL when `DATABASE_URL` names a
//! server; the reports are read with the command line, as a project manager would.

use chrono::Duration;
use handoff_dispatcher::outcome::NotDivertedCode;
use handoff_dispatcher::{EventKind, HandoffId, Message, State};
use handoff_tests::at;
use handoff_tests::cli::{handoff_row, intakes_listed, program_file_of, report_rows};
use handoff_tests::database::on_every_database;
use handoff_tests::journey::{MONDAY, REQUEST, officer, seconds, staff};
use handoff_tests::journey::{is_offer_to, minutes};
use handoff_tests::service::{DANA, LEE, PROGRAM, RIVERA, ROSA, SAM, Service, TERRY};

const RECEIPT: &str = "Got it: hand-off 1001 (arrest diversion), 5th & Main, retail theft. \
                       Finding an on-duty case manager (at most 15 min). Reply CANCEL 1001 to \
                       withdraw.";
const OFFER: &str = "LEAD 1001: arrest diversion at 5th & Main, retail theft, Ofc. Rivera \
                     (Metro PD). Reply Y1001 to take it, N1001 to pass.";
const ASSIGNMENT: &str = "1001 is yours: arrest diversion at 5th & Main, retail theft (Metro), \
                          Ofc. Rivera (Metro PD). Reply ETA <min>, ARRIVED, DONE, NOTDIVERTED \
                          1001 <why>, or BACK 1001 if you cannot go. Other texts go to the \
                          officer.";

/// When the command line reads the reports: after every journey here.
const LATER: &str = "2027-03-01T12:00:00Z";

/// The journey program, keeping a closed hand-off's words for 30 days.
fn thirty_days_of_words() -> String {
    let name = "name = \"Journey LEAD\"\n";
    assert!(PROGRAM.contains(name));
    PROGRAM.replacen(name, &format!("{name}message_retention = \"30d\"\n"), 1)
}

/// A database URL the command line can open afterwards: the one given, or a SQLite
/// file in `dir`.
fn url_in(dir: &tempfile::TempDir, database: Option<String>) -> String {
    database.unwrap_or_else(|| format!("sqlite://{}/handoff.db", dir.path().display()))
}

/// Monday 10:00: Rivera's request; Dana takes it at 10:02 and gives it back at
/// 10:05 ("car trouble"); Lee, offered it again, takes it at 10:06 with an ETA of
/// 20 minutes (10:26).
async fn given_back_and_taken_by_lee(program: &str, database: String) -> Service {
    let svc = Service::start_with(program, MONDAY, Some(database)).await;
    svc.text(RIVERA, REQUEST).await;
    svc.advance(minutes(2)).await;
    svc.text(DANA, "Y1001").await;
    assert!(matches!(
        svc.handoff(1001).await.state,
        State::Accepted { by } if by.as_str() == "dana"
    ));
    svc.advance(minutes(3)).await;
    svc.text(DANA, "BACK 1001 car trouble").await;
    svc.advance(minutes(1)).await;
    svc.text(LEE, "Y1001 20").await;
    svc
}

#[tokio::test]
async fn a_hand_off_given_back_is_offered_to_the_others_and_lee_takes_it_with_an_eta_that_is_watched()
 {
    on_every_database(async |database| {
        let dir = tempfile::TempDir::new().unwrap();
        let url = url_in(&dir, database);
        let svc = Service::start_with(PROGRAM, MONDAY, Some(url.clone())).await;
        svc.text(RIVERA, REQUEST).await;
        svc.advance(minutes(2)).await;
        svc.text(DANA, "Y1001").await;
        let before = svc.events().await.len();

        // Dana cannot go after all: she gives it back at 10:05.
        svc.advance(minutes(3)).await;
        svc.text(DANA, "BACK 1001 car trouble").await;
        // It is offered again, to Lee only; Dana is not asked again.
        let events = svc.events().await;
        let tail: Vec<&str> = events[before..].iter().map(|e| e.kind.name()).collect();
        assert_eq!(tail, ["given_back", "step_started", "offered"]);
        let given_back = &events[before];
        assert!(matches!(&given_back.kind,
            EventKind::GivenBack { person, reason: Some(reason) }
                if person.as_str() == "dana" && reason == "car trouble"));
        // From the step it was accepted in: the case managers', in a new round.
        assert_eq!(events[before + 1].kind, EventKind::StepStarted { step: 0 });
        assert!(is_offer_to(&events[before + 2], "lee"));
        assert!(matches!(
            events[before + 2].kind,
            EventKind::Offered {
                step: 0,
                round: 1,
                ..
            }
        ));
        assert!(matches!(
            svc.handoff(1001).await.state,
            State::Offering { step: 0, .. }
        ));
        // Dana hears it is given back; the officer that another is being found.
        assert_eq!(
            svc.told_names(&staff("dana")).await,
            ["offer", "assignment", "give_back_confirmed"]
        );
        assert_eq!(
            svc.told(&officer("rivera")).await.last(),
            Some(&Message::GivenBack {
                id: HandoffId::FIRST,
                first_name: "Dana".to_owned()
            })
        );
        assert_eq!(
            svc.told_names(&staff("lee")).await,
            ["offer", "taken_by_other", "offer"]
        );
        for nobody in ["rosa", "terry", "sam"] {
            assert!(
                svc.told(&staff(nobody)).await.is_empty(),
                "{nobody} was told"
            );
        }

        // Lee takes it at 10:06 with an ETA: the officer hears who and when.
        svc.advance(minutes(1)).await;
        svc.text(LEE, "Y1001 20").await;
        let rivera = svc.told(&officer("rivera")).await;
        assert_eq!(
            handoff_tests::journey::names(&rivera),
            ["received", "assigned", "given_back", "assigned", "eta"]
        );
        assert!(matches!(&rivera[3],
            Message::Assigned { first_name, .. } if first_name == "Lee"));
        assert!(matches!(&rivera[4],
            Message::Eta { first_name, minutes: 20, arrive_by, .. }
                if first_name == "Lee" && *arrive_by == at("2026-11-23T10:26:00-05:00")));
        assert_eq!(
            svc.told_names(&staff("lee")).await,
            ["offer", "taken_by_other", "offer", "assignment"]
        );
        // Dana gave it back: she is not told who took it.
        assert_eq!(svc.told(&staff("dana")).await.len(), 3);

        // The ETA (10:26) passes by the grace of 10 minutes with no ARRIVED: at
        // 10:36, and not a second before, Lee is asked for a new ETA.
        svc.advance(minutes(29) + seconds(59)).await;
        assert_eq!(svc.told(&staff("lee")).await.len(), 4);
        svc.advance(seconds(1)).await;
        assert_eq!(
            svc.told(&staff("lee")).await.last(),
            Some(&Message::EtaPassed {
                id: HandoffId::FIRST,
                minutes: 10
            })
        );
        assert_eq!(svc.events_named("eta_passed").await.len(), 1);
        // The officer is not troubled yet.
        assert_eq!(svc.told(&officer("rivera")).await.len(), 5);

        // Lee arrives at 10:38: the watch stops, nobody is told Lee is late.
        svc.advance(minutes(2)).await;
        svc.text(LEE, "ARRIVED").await;
        assert!(matches!(
            svc.told(&officer("rivera")).await.last(),
            Some(Message::ArrivedAtScene { first_name, .. }) if first_name == "Lee"
        ));
        svc.advance(minutes(30)).await;
        assert!(svc.events_named("late").await.is_empty());
        assert!(svc.told(&staff("rosa")).await.is_empty());
        svc.text(LEE, "DONE").await;
        assert!(matches!(
            svc.handoff(1001).await.state,
            State::Completed { by } if by.as_str() == "lee"
        ));
        assert_eq!(
            svc.told_names(&officer("rivera")).await,
            [
                "received",
                "assigned",
                "given_back",
                "assigned",
                "eta",
                "arrived_at_scene",
                "completed"
            ]
        );
        // Everything the officer read, in order.
        assert_eq!(
            svc.texts_to(RIVERA),
            [
                RECEIPT,
                "Dana (case manager) is taking 1001.",
                "Dana cannot come to 1001 after all. Another case manager is being found. \
                 Reply CANCEL 1001 to withdraw.",
                "Lee (case manager) is taking 1001.",
                "Lee: on the way to 1001, about 20 min (10:26 AM).",
                "Lee has arrived for 1001.",
                "1001 is done: the person is with case management now. Thank you.",
            ]
        );
        // And the case managers: the whole request with the assignment, the
        // give-back confirmed, the ETA asked for again.
        assert_eq!(
            svc.texts_to(DANA),
            [
                OFFER,
                ASSIGNMENT,
                "You gave 1001 back; it is being offered to others."
            ]
        );
        assert_eq!(
            svc.texts_to(LEE),
            [
                OFFER,
                "1001 was taken by Dana.",
                OFFER,
                ASSIGNMENT,
                "1001: your ETA passed 10 min ago. Reply ETA 1001 <min> with a new one, \
                 ARRIVED 1001, or BACK 1001 if you cannot go.",
            ]
        );
        svc.stop().await;

        // The report: completed, given back once, one ETA missed.
        let config = program_file_of(dir.path(), PROGRAM);
        let row = handoff_row(&config, &url, at(LATER), 1001).await;
        assert_eq!(row["outcome"], "completed");
        assert_eq!(row["given_back"], "1");
        assert_eq!(row["eta_missed"], "1");
        assert_eq!(row["not_diverted"], "");
        assert_eq!(row["arrived_at"], "2026-11-23T15:38:00Z");
        assert_eq!(row["closed_at"], "2026-11-23T16:08:00Z");
        assert_eq!(
            row["followup"], "",
            "a diversion that happened owes no follow-up"
        );
    })
    .await;
}

#[tokio::test]
async fn a_hand_off_closed_not_diverted_keeps_its_code_in_the_reports_after_its_words_are_forgotten()
 {
    on_every_database(async |database| {
        let dir = tempfile::TempDir::new().unwrap();
        let url = url_in(&dir, database);
        let program = thirty_days_of_words();
        let svc = given_back_and_taken_by_lee(&program, url.clone()).await;
        svc.advance(minutes(19)).await;
        svc.text(LEE, "ARRIVED").await;

        // The person says no: Lee closes it without a diversion at 10:40.
        svc.advance(minutes(15)).await;
        svc.text(LEE, "NOTDIVERTED 1001 declined").await;
        assert_eq!(
            svc.told(&staff("lee")).await.last(),
            Some(&Message::NotDivertedRecorded {
                id: HandoffId::FIRST,
                code: NotDivertedCode::Declined
            })
        );
        assert_eq!(
            svc.told(&officer("rivera")).await.last(),
            Some(&Message::NotDiverted {
                id: HandoffId::FIRST,
                code: NotDivertedCode::Declined
            })
        );
        assert_eq!(
            svc.last_text_to(RIVERA),
            "1001 is closed without a diversion because the person declined. Please proceed \
             as you normally would."
        );
        assert_eq!(
            svc.last_text_to(LEE),
            "Recorded: 1001 is closed without a diversion because the person declined."
        );
        assert!(matches!(
            svc.handoff(1001).await.state,
            State::NotDiverted {
                code: NotDivertedCode::Declined,
                ..
            }
        ));
        assert!(svc.open_handoffs().await.is_empty());
        let closing = svc.events_named("not_diverted").await;
        assert_eq!(closing.len(), 1);
        assert!(matches!(
            closing[0].kind,
            EventKind::NotDiverted {
                code: NotDivertedCode::Declined,
                ..
            }
        ));
        // Closed: a DONE now is refused, and changes nothing.
        svc.text(LEE, "DONE").await;
        assert!(svc.events_named("completed").await.is_empty());
        let count = svc.events().await.len();

        // A day short of the 30: the words stay.
        svc.advance(Duration::days(29)).await;
        assert_eq!(svc.running.forget().await.unwrap().handoffs, 0);
        // Thirty days and a minute after it closed: its words go, its code stays.
        svc.advance(Duration::days(1) + minutes(1)).await;
        assert_eq!(svc.running.forget().await.unwrap().handoffs, 1);
        assert_eq!(svc.handoff(1001).await.request.location, "[expired]");
        let events = svc.events().await;
        assert_eq!(events.len(), count, "no event is lost");
        assert!(matches!(
            &svc.events_named("given_back").await[0].kind,
            EventKind::GivenBack { reason: None, .. }
        ));
        assert!(matches!(
            svc.events_named("not_diverted").await[0].kind,
            EventKind::NotDiverted {
                code: NotDivertedCode::Declined,
                ..
            }
        ));
        svc.stop().await;

        let config = program_file_of(dir.path(), &program);
        let row = handoff_row(&config, &url, at(LATER), 1001).await;
        assert_eq!(row["outcome"], "not_diverted");
        assert_eq!(row["not_diverted"], "declined");
        assert_eq!(row["given_back"], "1");
        assert_eq!(row["closed_at"], "2026-11-23T15:40:00Z");
        let summary = report_rows(&config, &url, at(LATER), &["summary"]).await;
        assert_eq!(summary.len(), 1, "{summary:#?}");
        assert_eq!(summary[0]["not_diverted"], "1");
        assert_eq!(summary[0]["not_diverted_declined"], "1");
        assert_eq!(summary[0]["completed"], "0");
        assert_eq!(summary[0]["given_back"], "1");
        // Closed without a diversion: no intake is owed.
        let listed = intakes_listed(&config, &url, at("2026-11-24T12:00:00Z"), 60).await;
        assert!(listed.is_empty(), "{listed:?}");
    })
    .await;
}

#[tokio::test]
async fn an_eta_passed_twice_without_an_answer_tells_the_officer_and_alerts_the_supervisor_on_duty()
{
    on_every_database(async |database| {
        let svc = Service::start_with(PROGRAM, MONDAY, database).await;
        svc.text(RIVERA, REQUEST).await;
        // Lee takes it at once, due at 10:20.
        svc.text(LEE, "Y1001 20").await;
        assert!(matches!(
            svc.handoff(1001).await.state,
            State::EnRoute { by, eta } if by.as_str() == "lee"
                && eta == at("2026-11-23T10:20:00-05:00")
        ));

        // 10:30: Lee is asked for a new ETA; there is no answer.
        svc.advance(minutes(30)).await;
        assert_eq!(
            svc.told_names(&staff("lee")).await,
            ["offer", "assignment", "eta_passed"]
        );
        // 10:40, a second grace later: the officer is told plainly, and Rosa, the
        // supervisor on duty, is alerted. Nobody else.
        svc.advance(minutes(9) + seconds(59)).await;
        assert!(svc.told(&staff("rosa")).await.is_empty());
        svc.advance(seconds(1)).await;
        assert_eq!(
            svc.told(&officer("rivera")).await.last(),
            Some(&Message::RunningLate {
                id: HandoffId::FIRST,
                first_name: "Lee".to_owned(),
                supervisor_told: true
            })
        );
        assert_eq!(
            svc.told(&staff("rosa")).await,
            [Message::LateAlert {
                id: HandoffId::FIRST,
                first_name: "Lee".to_owned(),
                site: "Metro".to_owned()
            }]
        );
        assert_eq!(
            svc.last_text_to(RIVERA),
            "Lee is late for 1001 and has not given a new ETA; a supervisor has been told. \
             Reply CANCEL 1001 to withdraw."
        );
        assert_eq!(
            svc.texts_to(ROSA),
            [
                "Lee is late for 1001 (Metro): the ETA passed with no arrival or new ETA. The \
              officer was told; please check in."
            ]
        );
        for nobody in ["terry", "sam"] {
            assert!(
                svc.told(&staff(nobody)).await.is_empty(),
                "{nobody} was told"
            );
        }
        assert_eq!(
            svc.told_names(&staff("dana")).await,
            ["offer", "taken_by_other"]
        );
        let late = svc.events_named("late").await;
        assert_eq!(late.len(), 1);
        assert!(matches!(&late[0].kind, EventKind::Late { person } if person.as_str() == "lee"));
        assert_eq!(late[0].at, at("2026-11-23T10:40:00-05:00"));

        // It is said once: nothing more while Lee stays silent.
        svc.advance(minutes(60)).await;
        assert_eq!(svc.events_named("late").await.len(), 1);
        assert_eq!(svc.told(&staff("rosa")).await.len(), 1);
        // Lee's new ETA, as the text asking for it shows, starts the watch again.
        svc.text(LEE, "ETA 1001 5").await;
        assert_eq!(
            svc.last_text_to(RIVERA),
            "Lee: on the way to 1001, about 5 min (11:45 AM)."
        );
        svc.advance(minutes(15)).await;
        assert_eq!(svc.events_named("eta_passed").await.len(), 2);
        svc.text(LEE, "ARRIVED").await;
        svc.advance(minutes(60)).await;
        assert_eq!(svc.events_named("late").await.len(), 1);
        assert!(svc.texts_to(SAM).is_empty() && svc.texts_to(TERRY).is_empty());
        assert_eq!(svc.texts_to(ROSA).len(), 1);
        svc.stop().await;
    })
    .await;
}

#[tokio::test]
async fn after_closing_a_late_case_manager_is_told_to_the_officer_and_the_supervisor_is_not_woken()
{
    on_every_database(async |database| {
        // Monday 23:30: the site closes at midnight.
        let svc = Service::start_with(PROGRAM, "2026-11-23T23:30:00-05:00", database).await;
        svc.text(RIVERA, REQUEST).await;
        svc.text(LEE, "Y1001 20").await;
        // The ETA (23:50) passes by the grace at midnight, the second grace at
        // 00:10: the site is closed by then.
        svc.advance(minutes(30)).await;
        assert_eq!(
            svc.told_names(&staff("lee")).await,
            ["offer", "assignment", "eta_passed"]
        );
        svc.advance(minutes(10)).await;
        assert!(matches!(
            svc.told(&officer("rivera")).await.last(),
            Some(Message::RunningLate { first_name, supervisor_told: false, .. })
                if first_name == "Lee"
        ));
        // It does not claim a supervisor was told when none was.
        assert_eq!(
            svc.last_text_to(RIVERA),
            "Lee is late for 1001 and has not given a new ETA. Reply CANCEL 1001 to withdraw."
        );
        assert_eq!(svc.events_named("late").await.len(), 1);
        for nobody in ["rosa", "terry", "sam"] {
            assert!(
                svc.told(&staff(nobody)).await.is_empty(),
                "{nobody} was told"
            );
        }
        svc.stop().await;
    })
    .await;
}

#[tokio::test]
async fn a_program_that_asks_for_alerts_after_hours_has_the_supervisor_told_at_night_after_its_own_grace()
 {
    on_every_database(async |database| {
        let name = "name = \"Journey LEAD\"\n";
        let program = PROGRAM.replacen(
            name,
            &format!("{name}eta_grace = \"5m\"\nafter_hours_alerts = true\n"),
            1,
        );
        let svc = Service::start_with(&program, "2026-11-23T23:30:00-05:00", database).await;
        svc.text(RIVERA, REQUEST).await;
        // Due at midnight, when the site closes.
        svc.text(LEE, "Y1001 30").await;
        // The program's grace is 5 minutes: asked at 00:05, not before.
        svc.advance(minutes(34) + seconds(59)).await;
        assert_eq!(svc.told_names(&staff("lee")).await, ["offer", "assignment"]);
        svc.advance(seconds(1)).await;
        assert_eq!(
            svc.told(&staff("lee")).await.last(),
            Some(&Message::EtaPassed {
                id: HandoffId::FIRST,
                minutes: 5
            })
        );
        // 00:10: the officer is told, and Rosa, off duty but the supervisor, is
        // alerted because the program asked for alerts at any hour.
        svc.advance(minutes(5)).await;
        assert!(matches!(
            svc.told(&officer("rivera")).await.last(),
            Some(Message::RunningLate { first_name, supervisor_told: true, .. })
                if first_name == "Lee"
        ));
        assert_eq!(
            svc.told_names(&staff("rosa")).await,
            ["late_alert"],
            "the supervisor hears at night"
        );
        assert!(svc.told(&staff("terry")).await.is_empty());
        svc.stop().await;
    })
    .await;
}

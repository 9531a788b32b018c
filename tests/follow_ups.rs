//! Follow-ups: what is promised at night is kept in the morning. A referral filed
//! while the site is closed and nobody is on call, and a request nobody could take,
//! wait as follow-ups; when the site opens, the timer pass texts one digest naming
//! them to the case managers on duty and the supervisor and project manager on
//! duty. Staff list them (`FOLLOWUP`), take one (`TAKE 1001`) and close it
//! (`FOLLOWED 1001 called her`), and the officer who filed the referral hears the
//! loop is closed. The reports count follow-ups and say when each was done.
//!
//! Each journey runs on SQLite, and again on PostgreSQL when `DATABASE_URL` names a
//! server.

use chrono::{DateTime, Duration, FixedOffset};
use handoff_dispatcher::message::{FollowUpLine, Problem};
use handoff_dispatcher::outcome::{FollowUpReason, FollowUpState};
use handoff_dispatcher::{EventKind, HandoffId, HandoffKind, Message, State};
use handoff_tests::at;
use handoff_tests::cli::{handoff_row, program_file_of, report_rows, run};
use handoff_tests::database::on_every_database;
use handoff_tests::journey::{MONDAY, REQUEST, minutes, officer, seconds, staff};
use handoff_tests::service::{CHEN, DANA, LEE, PROGRAM, RIVERA, ROSA, SAM, Service, TERRY};

/// Monday 02:00 in New York: the site opens at 08:00.
const NIGHT: &str = "2026-11-23T02:00:00-05:00";
/// When the command line reads the reports: after every journey here.
const LATER: &str = "2027-01-04T12:00:00Z";
const REFERRAL: &str = "REFER 5th & Main, wants help with housing";
const FILED: &str = "1001: referral filed. Case management is closed; someone will follow up \
                     after it opens Mon 8:00 AM.";
const DIGEST: &str = "Metro is open. Waiting for follow-up: 1001 referral (Mon 2:00 AM). Reply \
                      FOLLOWUP for details, TAKE 1001 to take one.";
/// Who is on duty when the site opens: the case managers, the supervisor and the
/// project manager (the on-call coordinator only while it is closed).
const MORNING_CREW: [&str; 4] = ["dana", "lee", "rosa", "terry"];

/// The journey program with nobody on call after hours.
fn without_sam() -> String {
    let on_call = "[[shifts]]\nperson = \"sam\"\nwhen = \"closed\"\n";
    assert!(PROGRAM.contains(on_call));
    PROGRAM.replace(on_call, "")
}

fn new_york(text: &str) -> DateTime<FixedOffset> {
    match DateTime::parse_from_rfc3339(text) {
        Ok(t) => t,
        Err(e) => panic!("bad instant literal {text}: {e}"),
    }
}

/// The referral as lists and digests show it.
fn referral_line(taken_by: Option<&str>) -> FollowUpLine {
    FollowUpLine {
        id: HandoffId::FIRST,
        kind: HandoffKind::SocialContactReferral,
        reason: FollowUpReason::Referral,
        site: "Metro".to_owned(),
        requested_at: new_york(NIGHT),
        location: "5th & Main, wants help with housing".to_owned(),
        taken_by: taken_by.map(str::to_owned),
    }
}

fn digest(items: Vec<FollowUpLine>) -> Message {
    Message::FollowUpDigest {
        site: "Metro".to_owned(),
        items,
    }
}

/// A database URL the command line can open afterwards: the one given, or a SQLite
/// file in `dir`.
fn url_in(dir: &tempfile::TempDir, database: Option<String>) -> String {
    database.unwrap_or_else(|| format!("sqlite://{}/handoff.db", dir.path().display()))
}

/// Monday 02:00: Rivera files a referral with nobody on call; the clock then
/// stands at 08:00, when the site opens and the digest has gone out.
async fn referred_at_night(url: &str) -> Service {
    let svc = Service::start_with(&without_sam(), NIGHT, Some(url.to_owned())).await;
    svc.text(RIVERA, REFERRAL).await;
    svc.advance(Duration::hours(6)).await;
    for person in MORNING_CREW {
        assert_eq!(
            svc.told(&staff(person)).await,
            [digest(vec![referral_line(None)])],
            "{person}"
        );
    }
    svc
}

#[tokio::test]
async fn a_referral_filed_at_night_is_in_the_opening_digest_followed_up_and_the_officer_told() {
    on_every_database(async |database| {
        let dir = tempfile::TempDir::new().unwrap();
        let url = url_in(&dir, database);
        let program = without_sam();
        let svc = Service::start_with(&program, NIGHT, Some(url.clone())).await;

        // 02:00: the officer files a referral; the receipt promises a follow-up.
        svc.text(RIVERA, REFERRAL).await;
        assert_eq!(svc.texts_to(RIVERA), [FILED]);
        assert_eq!(svc.sent().len(), 1, "nobody is woken for it");
        let handoff = svc.handoff(1001).await;
        assert!(matches!(handoff.state, State::OutOfHours));
        let followup = handoff.followup.unwrap_or_else(|| panic!("no follow-up"));
        assert_eq!(followup.reason, FollowUpReason::Referral);
        assert_eq!(followup.state(), FollowUpState::Waiting);
        assert_eq!(
            svc.event_kinds().await,
            ["requested", "out_of_hours", "follow_up_opened"]
        );

        // A second before the site opens, nothing; at 08:00, one digest each to
        // those on duty, naming 1001.
        svc.advance(Duration::hours(5) + minutes(59) + seconds(59))
            .await;
        assert_eq!(svc.sent().len(), 1);
        svc.advance(seconds(1)).await;
        for person in MORNING_CREW {
            assert_eq!(
                svc.told(&staff(person)).await,
                [digest(vec![referral_line(None)])],
                "{person}"
            );
        }
        for phone in [DANA, LEE, ROSA, TERRY] {
            assert_eq!(svc.texts_to(phone), [DIGEST], "one text to {phone}");
        }
        assert!(svc.texts_to(SAM).is_empty());
        assert!(svc.texts_to(CHEN).is_empty());
        assert_eq!(svc.texts_to(RIVERA).len(), 1);
        assert_eq!(svc.sent().len(), 5);
        // Once: an hour later nobody has had a second one.
        svc.advance(Duration::hours(1)).await;
        assert_eq!(svc.sent().len(), 5);

        // 09:00: Dana lists the follow-ups.
        svc.text(DANA, "FOLLOWUP").await;
        assert_eq!(
            svc.told(&staff("dana")).await.last(),
            Some(&Message::FollowUps {
                items: vec![referral_line(None)]
            })
        );
        // 09:30: she called the person; the officer hears the loop is closed.
        // Nobody had taken it: she takes it on the way.
        svc.advance(minutes(30)).await;
        svc.text(DANA, "FOLLOWED 1001 called her").await;
        assert_eq!(
            svc.told(&staff("dana")).await.last(),
            Some(&Message::FollowedUpConfirmed {
                id: HandoffId::FIRST
            })
        );
        assert_eq!(
            svc.told(&officer("rivera")).await.last(),
            Some(&Message::FollowedUpForOfficer {
                id: HandoffId::FIRST
            })
        );
        assert_eq!(
            svc.texts_to(RIVERA),
            [
                FILED,
                "Case management has followed up on your referral 1001. Thank you."
            ]
        );
        assert_eq!(
            svc.texts_to(DANA)[1..],
            [
                "1001 referral, Mon 2:00 AM, Metro: 5th & Main, wants help with housing. Waiting.\n\
                 Reply TAKE 1001 to take one.",
                "The follow-up of 1001 is recorded as done. Thank you.",
            ]
        );
        let done = svc.events_named("followed_up").await;
        assert!(matches!(&done[0].kind,
            EventKind::FollowedUp { person, note: Some(note) }
                if person.as_str() == "dana" && note == "called her"));
        svc.text(DANA, "FOLLOWUP").await;
        assert_eq!(
            svc.told(&staff("dana")).await.last(),
            Some(&Message::FollowUps { items: Vec::new() })
        );
        // Nothing waits: the next opening has no digest.
        let before = svc.sent().len();
        svc.advance(Duration::days(1)).await;
        assert_eq!(svc.sent().len(), before);
        svc.stop().await;

        let config = program_file_of(dir.path(), &program);
        let row = handoff_row(&config, &url, at(LATER), 1001).await;
        assert_eq!(row["kind"], "social_contact_referral");
        assert_eq!(row["outcome"], "out_of_hours");
        assert_eq!(row["followup"], "referral");
        assert_eq!(row["followup_taken_at"], "2026-11-23T14:30:00Z");
        assert_eq!(row["followed_up_at"], "2026-11-23T14:30:00Z");
        let summary = report_rows(&config, &url, at(LATER), &["summary"]).await;
        assert_eq!(summary[0]["out_of_hours"], "1");
        assert_eq!(summary[0]["followups"], "1");
        assert_eq!(summary[0]["followed_up"], "1");
        // The words of the referral never reach a report.
        let out = run("report", &config, &url, at(LATER), &["handoffs"]).await;
        assert!(!out.stdout.contains("housing"), "{}", out.stdout);
    })
    .await;
}

#[tokio::test]
async fn take_by_text_claims_a_follow_up_so_that_only_who_took_it_closes_it() {
    on_every_database(async |database| {
        let dir = tempfile::TempDir::new().unwrap();
        let url = url_in(&dir, database);
        let svc = referred_at_night(&url).await;

        // 08:10: Dana takes the referral from the digest.
        svc.advance(minutes(10)).await;
        svc.text(DANA, "TAKE 1001").await;
        assert_eq!(
            svc.told(&staff("dana")).await.last(),
            Some(&Message::FollowUpTaken {
                id: HandoffId::FIRST
            })
        );
        let taken = svc.events_named("follow_up_taken").await;
        assert_eq!(taken.len(), 1);
        assert!(
            matches!(&taken[0].kind, EventKind::FollowUpTaken { person } if person.as_str() == "dana")
        );
        // Lee is a moment late: told Dana has it, and the list says so.
        svc.text(LEE, "TAKE 1001").await;
        assert_eq!(
            svc.told(&staff("lee")).await.last(),
            Some(&Message::FollowUpTakenByOther {
                id: HandoffId::FIRST,
                first_name: "Dana".to_owned()
            })
        );
        svc.text(LEE, "FOLLOWUP").await;
        assert_eq!(
            svc.told(&staff("lee")).await.last(),
            Some(&Message::FollowUps {
                items: vec![referral_line(Some("Dana"))]
            })
        );
        // Only who took it closes it.
        svc.text(LEE, "FOLLOWED 1001").await;
        assert!(matches!(
            svc.told(&staff("lee")).await.last(),
            Some(Message::Problem {
                problem: Problem::NotYours,
                ..
            })
        ));
        assert!(svc.events_named("followed_up").await.is_empty());

        // 08:40: Dana followed up; the officer is told.
        svc.advance(minutes(30)).await;
        svc.text(DANA, "FOLLOWED 1001").await;
        assert_eq!(
            svc.told(&officer("rivera")).await.last(),
            Some(&Message::FollowedUpForOfficer {
                id: HandoffId::FIRST
            })
        );
        svc.stop().await;

        let config = program_file_of(dir.path(), &without_sam());
        let row = handoff_row(&config, &url, at(LATER), 1001).await;
        assert_eq!(row["followup_taken_at"], "2026-11-23T13:10:00Z");
        assert_eq!(row["followed_up_at"], "2026-11-23T13:40:00Z");
    })
    .await;
}

#[tokio::test]
async fn a_request_nobody_could_take_in_the_day_is_a_follow_up_in_the_next_mornings_digest() {
    on_every_database(async |database| {
        let dir = tempfile::TempDir::new().unwrap();
        let url = url_in(&dir, database);
        let svc = Service::start_with(PROGRAM, MONDAY, Some(url.clone())).await;
        svc.text(RIVERA, REQUEST).await;
        // Nobody answers: the supervisor is offered it at 10:05, and it is
        // unstaffed at 10:15; the site is open, so the supervisor and project
        // manager hear at once.
        svc.advance(minutes(5)).await;
        svc.advance(minutes(10)).await;
        assert!(matches!(svc.handoff(1001).await.state, State::Unstaffed));
        for person in ["rosa", "terry"] {
            assert_eq!(
                svc.told_names(&staff(person)).await.last(),
                Some(&"unstaffed_alert"),
                "{person}"
            );
        }
        let line = FollowUpLine {
            id: HandoffId::FIRST,
            kind: HandoffKind::ArrestDiversion,
            reason: FollowUpReason::Unstaffed,
            site: "Metro".to_owned(),
            requested_at: new_york(MONDAY),
            location: "5th & Main, retail theft".to_owned(),
            taken_by: None,
        };
        let opened = svc.events_named("follow_up_opened").await;
        assert!(matches!(
            opened[0].kind,
            EventKind::FollowUpOpened {
                reason: FollowUpReason::Unstaffed
            }
        ));
        svc.text(LEE, "FOLLOWUP").await;
        assert_eq!(
            svc.told(&staff("lee")).await.last(),
            Some(&Message::FollowUps {
                items: vec![line.clone()]
            })
        );

        // No digest the day it happened (the service started with the site open);
        // Tuesday at 08:00 the morning crew gets one naming it.
        let told_before: Vec<usize> = {
            let mut counts = Vec::new();
            for person in MORNING_CREW {
                counts.push(svc.told(&staff(person)).await.len());
            }
            counts
        };
        svc.advance(Duration::hours(21) + minutes(44) + seconds(59))
            .await;
        for (person, before) in MORNING_CREW.iter().zip(&told_before) {
            assert_eq!(svc.told(&staff(person)).await.len(), *before, "{person}");
        }
        svc.advance(seconds(1)).await;
        for person in MORNING_CREW {
            assert_eq!(
                svc.told(&staff(person)).await.last(),
                Some(&digest(vec![line.clone()])),
                "{person}"
            );
        }
        assert!(svc.told(&staff("sam")).await.is_empty());

        // Dana follows up without taking it first: taken and done at once.
        svc.advance(minutes(20)).await;
        svc.text(DANA, "FOLLOWED 1001 left a voicemail").await;
        assert_eq!(
            svc.told(&staff("dana")).await.last(),
            Some(&Message::FollowedUpConfirmed {
                id: HandoffId::FIRST
            })
        );
        svc.stop().await;

        let config = program_file_of(dir.path(), PROGRAM);
        let row = handoff_row(&config, &url, at(LATER), 1001).await;
        assert_eq!(row["outcome"], "unstaffed");
        assert_eq!(row["followup"], "unstaffed");
        assert_eq!(row["followup_taken_at"], "2026-11-24T13:20:00Z");
        assert_eq!(row["followed_up_at"], "2026-11-24T13:20:00Z");
    })
    .await;
}

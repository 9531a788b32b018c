//! Requests while the site is closed (the journey program's site opens Mon-Fri
//! 08:00-24:00 New York; these journeys run on a Sunday at 10:00). With the
//! after-hours coordinator on call the officer is told case management is closed and
//! the coordinator is being asked, and the coordinator gets the offer; with nobody on
//! call the officer is answered at once with the next opening and the option to file
//! a referral, nobody is texted, and the attempt is logged as `out_of_hours`, the
//! evidence a program uses to extend its hours. What nobody could take at night is
//! not alerted at night: it waits, as a follow-up, for the digest at the opening.
//!
//! Each journey runs on SQLite, and again on PostgreSQL when `DATABASE_URL` names a
//! server.

use chrono::Duration;
use handoff_dispatcher::outcome::FollowUpReason;
use handoff_dispatcher::{EventKind, HandoffKind, Message, State, stats};
use handoff_tests::database::on_every_database;
use handoff_tests::journey::{REQUEST, SUNDAY, minutes, staff};
use handoff_tests::service::{CHEN, DANA, LEE, PROGRAM, RIVERA, ROSA, SAM, Service, TERRY};

/// The longest the search can take on a Sunday is the coordinator's 5 minutes:
/// nobody is on duty in the daytime steps.
const SEARCHING: &str = "Got it: hand-off 1001, but case management is closed until Mon 8:00 AM. \
                         Asking the on-call coordinator (at most 5 min). Reply CANCEL 1001 to \
                         withdraw.";
const AFTER_HOURS_OFFER: &str = "LEAD 1001 (after hours): arrest diversion at 5th & Main, retail \
                                 theft, Ofc. Rivera (Metro PD). Reply Y1001 to take it, N1001 to \
                                 pass.";
const CLOSED: &str = "1001: Case management is closed; it opens Mon 8:00 AM. To refer this person \
                      for follow-up, reply REFER with place and notes.";

/// The journey program with nobody on call after hours.
fn without_sam() -> String {
    let on_call = "[[shifts]]\nperson = \"sam\"\nwhen = \"closed\"\n";
    assert!(PROGRAM.contains(on_call));
    PROGRAM.replace(on_call, "")
}

#[tokio::test]
async fn on_sunday_the_officer_is_told_case_management_is_closed_and_sam_on_call_is_offered() {
    on_every_database(async |database| {
        let svc = Service::start_with(PROGRAM, SUNDAY, database).await;
        svc.text(RIVERA, REQUEST).await;
        assert_eq!(svc.texts_to(RIVERA), [SEARCHING]);
        assert_eq!(svc.texts_to(SAM), [AFTER_HOURS_OFFER]);
        for off_duty in [DANA, LEE, ROSA, TERRY] {
            assert!(svc.texts_to(off_duty).is_empty(), "{off_duty} was texted");
        }
        let events = svc.events().await;
        assert_eq!(
            events.iter().map(|e| e.kind.name()).collect::<Vec<_>>(),
            ["requested", "step_started", "offered"]
        );
        assert!(matches!(
            events[0].kind,
            EventKind::Requested {
                after_hours: true,
                ..
            }
        ));
        assert!(matches!(&events[2].kind,
            EventKind::Offered { person, step: 0, .. } if person.as_str() == "sam"));

        // Sam takes it: the officer hears who is coming, by first name and role.
        svc.text(SAM, "Y1001").await;
        assert_eq!(
            svc.last_text_to(RIVERA),
            "Sam (outreach and intake coordinator) is taking 1001."
        );
        svc.text(SAM, "ETA 25").await;
        assert_eq!(
            svc.last_text_to(RIVERA),
            "Sam: on the way to 1001, about 25 min (10:25 AM)."
        );
        assert!(svc.handoff(1001).await.after_hours);
        svc.stop().await;
    })
    .await;
}

#[tokio::test]
async fn when_sam_does_not_answer_on_sunday_the_closed_steps_are_skipped_and_the_officer_told_plainly()
 {
    on_every_database(async |database| {
        let svc = Service::start_with(PROGRAM, SUNDAY, database).await;
        svc.text(RIVERA, REQUEST).await;
        svc.advance(minutes(5)).await;
        assert_eq!(
            svc.last_text_to(RIVERA),
            "1001: nobody could be reached. Please proceed as you normally would. \
             Case management opens Mon 8:00 AM."
        );
        // Nobody is on duty in the policy's steps on a Sunday: both are skipped at
        // once, never waited out. It becomes a follow-up.
        assert_eq!(
            svc.event_kinds().await,
            [
                "requested",
                "step_started",
                "offered",
                "offer_timed_out",
                "step_skipped",
                "step_skipped",
                "unstaffed",
                "follow_up_opened"
            ]
        );
        // Nobody is woken on a Sunday for it, not even the project manager, who is
        // always on duty: the program did not ask for alerts after hours.
        for person in [DANA, LEE, ROSA, TERRY] {
            assert!(svc.texts_to(person).is_empty(), "{person} was texted");
        }
        // Monday at 08:00 the opening digest names it, to everyone on duty then.
        svc.advance(Duration::hours(21) + minutes(55)).await;
        for person in ["dana", "lee", "rosa", "terry"] {
            let told = svc.told(&staff(person)).await;
            assert!(
                matches!(told.as_slice(), [Message::FollowUpDigest { items, .. }]
                    if items.len() == 1 && items[0].id.get() == 1001
                        && items[0].reason == FollowUpReason::Unstaffed),
                "{person}: {told:?}"
            );
        }
        assert_eq!(svc.texts_to(SAM).len(), 1, "the offer only");
        svc.stop().await;
    })
    .await;
}

#[tokio::test]
async fn with_nobody_on_call_the_officer_gets_the_next_opening_and_the_referral_option_at_once() {
    on_every_database(async |database| {
        let svc = Service::start_with(&without_sam(), SUNDAY, database).await;
        svc.text(RIVERA, REQUEST).await;
        assert_eq!(svc.texts_to(RIVERA), [CLOSED]);
        // Nobody else is texted: no offers, no alerts.
        assert_eq!(svc.sent().len(), 1);
        for person in [DANA, LEE, SAM, ROSA, TERRY] {
            assert!(svc.texts_to(person).is_empty(), "{person} was texted");
        }
        // The attempt is logged, with no offer.
        let events = svc.events().await;
        assert_eq!(
            events.iter().map(|e| e.kind.name()).collect::<Vec<_>>(),
            ["requested", "out_of_hours"]
        );
        assert!(matches!(
            events[0].kind,
            EventKind::Requested {
                after_hours: true,
                kind: HandoffKind::ArrestDiversion,
                ..
            }
        ));
        assert!(matches!(svc.handoff(1001).await.state, State::OutOfHours));
        assert!(svc.open_handoffs().await.is_empty());
        let metrics = stats::metrics(&events);
        assert_eq!(metrics[0].outcome, stats::Outcome::OutOfHours);
        assert_eq!(metrics[0].offers, 0);
        // Nothing waits: an hour later nothing more has happened.
        svc.advance(minutes(60)).await;
        assert_eq!(svc.events().await.len(), 2);
        assert_eq!(svc.sent().len(), 1);
        svc.stop().await;
    })
    .await;
}

#[tokio::test]
async fn a_referral_out_of_hours_is_filed_for_follow_up() {
    on_every_database(async |database| {
        let svc = Service::start_with(&without_sam(), SUNDAY, database).await;
        svc.text(RIVERA, REQUEST).await;
        assert_eq!(svc.texts_to(RIVERA), [CLOSED]);
        // The officer takes the option offered.
        svc.text(RIVERA, "REFER 5th & Main, wants help with housing")
            .await;
        assert_eq!(
            svc.last_text_to(RIVERA),
            "1002: referral filed. Case management is closed; someone will follow up after it \
             opens Mon 8:00 AM."
        );
        let handoff = svc.handoff(1002).await;
        assert_eq!(handoff.request.kind, HandoffKind::SocialContactReferral);
        assert_eq!(
            handoff.request.location,
            "5th & Main, wants help with housing"
        );
        let events = svc.events().await;
        let referral: Vec<&str> = events
            .iter()
            .filter(|e| e.handoff.get() == 1002)
            .map(|e| e.kind.name())
            .collect();
        // A referral filed at night is a promise that someone follows up.
        assert_eq!(referral, ["requested", "out_of_hours", "follow_up_opened"]);
        // Another officer's referral is filed the same way, with its own number.
        svc.text(CHEN, "refer: Pine St shelter, asked for a case manager")
            .await;
        assert!(svc.last_text_to(CHEN).starts_with("1003: referral filed."));
        assert_eq!(svc.sent().len(), 3);
        svc.stop().await;
    })
    .await;
}

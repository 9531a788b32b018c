//! An officer may ask for a case manager by name (`LEAD @Lee 5th & Main`), say the
//! one who already knows the person: the one asked for is offered first, alone,
//! when on duty; if they do not take it, the program's policy goes on without
//! them. Asking for someone off duty costs nothing (their step is skipped at once),
//! and a name nobody has is left in the officer's words.
//!
//! Each journey runs on SQLite, and again on PostgreSQL when `DATABASE_URL` names a
//! server.

use handoff_dispatcher::{EventKind, Message};
use handoff_tests::database::on_every_database;
use handoff_tests::journey::{MONDAY, is_offer_to, kinds, minutes, officer, seconds, staff};
use handoff_tests::service::{DANA, PROGRAM, RIVERA, Service};

#[tokio::test]
async fn the_case_manager_asked_for_is_offered_first_and_alone_then_the_others() {
    on_every_database(async |database| {
        let svc = Service::start_with(PROGRAM, MONDAY, database).await;
        svc.text(RIVERA, "LEAD @lee 5th & Main, retail theft").await;
        let handoff = svc.handoff(1001).await;
        assert_eq!(
            handoff.request.asked_for.as_ref().map(|p| p.as_str()),
            Some("lee")
        );
        // The name is not part of the place.
        assert_eq!(handoff.request.location, "5th & Main, retail theft");
        assert!(matches!(
            svc.told(&staff("lee")).await.as_slice(),
            [Message::Offer { location, .. }] if location == "5th & Main, retail theft"
        ));
        assert!(svc.told(&staff("dana")).await.is_empty());
        let events = svc.events().await;
        assert_eq!(kinds(&events), ["requested", "step_started", "offered"]);
        assert!(is_offer_to(&events[2], "lee"));

        // Lee does not answer within the first step's 5 minutes: Dana is offered,
        // and Lee is not asked twice.
        svc.advance(minutes(4) + seconds(59)).await;
        assert!(svc.told(&staff("dana")).await.is_empty());
        svc.advance(seconds(1)).await;
        assert_eq!(svc.told_names(&staff("dana")).await, ["offer"]);
        assert_eq!(svc.told_names(&staff("lee")).await, ["offer"]);
        let offers: Vec<_> = svc.events_named("offered").await;
        assert_eq!(offers.len(), 2);
        assert!(is_offer_to(&offers[1], "dana"));
        assert!(matches!(offers[1].kind, EventKind::Offered { step: 1, .. }));

        svc.text(DANA, "Y1001").await;
        assert!(matches!(
            svc.told(&officer("rivera")).await.last(),
            Some(Message::Assigned { first_name, .. }) if first_name == "Dana"
        ));
        svc.stop().await;
    })
    .await;
}

#[tokio::test]
async fn asking_for_someone_off_duty_skips_them_at_once_and_an_unknown_name_stays_in_the_words() {
    on_every_database(async |database| {
        let svc = Service::start_with(PROGRAM, MONDAY, database).await;
        // Sam is on call only while the site is closed.
        svc.text(RIVERA, "LEAD @Sam 5th & Main, retail theft").await;
        assert_eq!(
            svc.event_kinds().await,
            [
                "requested",
                "step_skipped",
                "step_started",
                "offered",
                "offered"
            ]
        );
        assert!(svc.told(&staff("sam")).await.is_empty());
        for person in ["dana", "lee"] {
            assert_eq!(svc.told_names(&staff(person)).await, ["offer"], "{person}");
        }

        // Nobody is called Priya: the request goes out as written.
        svc.text(RIVERA, "LEAD @Priya Penn Ave & 9th").await;
        let handoff = svc.handoff(1002).await;
        assert_eq!(handoff.request.asked_for, None);
        assert_eq!(handoff.request.location, "@Priya Penn Ave & 9th");
        for person in ["dana", "lee"] {
            assert_eq!(
                svc.told_names(&staff(person)).await,
                ["offer", "offer"],
                "{person}"
            );
        }
        svc.stop().await;
    })
    .await;
}

//! Escalation by SMS: when the case managers on duty do not take a request, the
//! journey program's policy moves on to the supervisor after 5 minutes, and after
//! 10 more tells the officer plainly that nobody could be reached, alerting the
//! supervisor and the project manager. Nobody waits out a timeout that can no longer
//! be met: when every offer of a round is declined or cannot be delivered (refused
//! by the provider, or reported undelivered by its status callback), the next step
//! starts at the same instant.
//!
//! Each journey runs on SQLite, and again on PostgreSQL when `DATABASE_URL` names a
//! server.

use handoff_dispatcher::{EventKind, OutboxStatus, State, stats};
use handoff_tests::database::on_every_database;
use handoff_tests::journey::{MONDAY, REQUEST, is_offer_to, minutes, seconds};
use handoff_tests::service::{DANA, LEE, PROGRAM, RIVERA, ROSA, SAM, Service, TERRY};

const OFFER: &str = "LEAD 1001: arrest diversion at 5th & Main, retail theft, Ofc. Rivera \
                     (Metro PD). Reply Y1001 to take it, N1001 to pass.";
const UNSTAFFED: &str = "1001: nobody could be reached. Please proceed as you normally would.";
const ALERT: &str = "Nobody took 1001 (Metro): arrest diversion at 5th & Main, retail theft, \
                     Metro PD. The officer was told nobody could come.";

#[tokio::test]
async fn unanswered_offers_go_to_the_supervisor_at_five_minutes_and_the_officer_is_told_at_fifteen()
{
    on_every_database(async |database| {
        let svc = Service::start_with(PROGRAM, MONDAY, database).await;
        let start = svc.now();
        svc.text(RIVERA, REQUEST).await;
        assert_eq!(svc.texts_to(DANA), [OFFER]);
        assert_eq!(svc.texts_to(LEE), [OFFER]);

        // One second short of the timeout: nothing moves.
        svc.advance(minutes(4) + seconds(59)).await;
        assert!(svc.texts_to(ROSA).is_empty());
        assert_eq!(
            svc.event_kinds().await,
            ["requested", "step_started", "offered", "offered"]
        );

        // At exactly +5 min the case managers' offers time out and Rosa is offered.
        svc.advance(seconds(1)).await;
        assert_eq!(svc.texts_to(ROSA), [OFFER]);
        let events = svc.events().await;
        assert_eq!(
            events.iter().map(|e| e.kind.name()).collect::<Vec<_>>(),
            [
                "requested",
                "step_started",
                "offered",
                "offered",
                "offer_timed_out",
                "offer_timed_out",
                "step_started",
                "offered",
            ]
        );
        assert_eq!(events[6].kind, EventKind::StepStarted { step: 1 });
        assert!(is_offer_to(&events[7], "rosa"));
        assert!(matches!(
            events[7].kind,
            EventKind::Offered {
                step: 1,
                round: 0,
                ..
            }
        ));
        assert!(events[4..].iter().all(|e| e.at == start + minutes(5)));
        // The officer was told nothing new yet; nor were the case managers.
        assert_eq!(svc.texts_to(RIVERA).len(), 1);
        assert_eq!(svc.texts_to(DANA), [OFFER]);

        // The supervisor's step lasts 10 minutes: at +15 min the steps run out.
        svc.advance(minutes(9) + seconds(59)).await;
        assert_eq!(svc.texts_to(RIVERA).len(), 1);
        svc.advance(seconds(1)).await;
        assert_eq!(svc.last_text_to(RIVERA), UNSTAFFED);
        // Supervisor and project manager are alerted; nobody else hears of it.
        assert_eq!(svc.texts_to(ROSA), [OFFER, ALERT]);
        assert_eq!(svc.texts_to(TERRY), [ALERT]);
        assert_eq!(svc.texts_to(DANA), [OFFER]);
        assert_eq!(svc.texts_to(LEE), [OFFER]);
        assert!(svc.texts_to(SAM).is_empty());

        let events = svc.events().await;
        let tail: Vec<&str> = events[8..].iter().map(|e| e.kind.name()).collect();
        // Nobody came: it waits for someone to follow up.
        assert_eq!(tail, ["offer_timed_out", "unstaffed", "follow_up_opened"]);
        assert!(events[8..].iter().all(|e| e.at == start + minutes(15)));
        assert!(matches!(svc.handoff(1001).await.state, State::Unstaffed));
        assert!(svc.open_handoffs().await.is_empty());
        let metrics = stats::metrics(&events);
        assert_eq!(metrics[0].outcome, stats::Outcome::Unstaffed);
        assert_eq!((metrics[0].timed_out, metrics[0].escalations()), (3, 1));

        // Nothing is left to fire.
        svc.advance(minutes(60)).await;
        assert_eq!(svc.events().await.len(), events.len());
        svc.stop().await;
    })
    .await;
}

#[tokio::test]
async fn when_both_case_managers_decline_the_supervisor_is_offered_at_the_same_instant() {
    on_every_database(async |database| {
        let svc = Service::start_with(PROGRAM, MONDAY, database).await;
        let start = svc.now();
        svc.text(RIVERA, REQUEST).await;
        svc.text(DANA, "N1001 in court").await;
        // One decline of two: the round waits for Lee.
        assert!(svc.texts_to(ROSA).is_empty());
        svc.text(LEE, "PASS 1001").await;
        // No clock advance: Rosa is offered at once.
        assert_eq!(svc.texts_to(ROSA), [OFFER]);
        let events = svc.events().await;
        assert_eq!(
            events.iter().map(|e| e.kind.name()).collect::<Vec<_>>(),
            [
                "requested",
                "step_started",
                "offered",
                "offered",
                "declined",
                "declined",
                "step_started",
                "offered",
            ]
        );
        assert!(events.iter().all(|e| e.at == start));
        assert_eq!(
            events[4].kind,
            EventKind::Declined {
                person: "dana".parse().unwrap_or_else(|e| panic!("{e}")),
                reason: Some("in court".to_owned()),
            }
        );
        // A decline is confirmed, so nobody wonders whether it reached us; the
        // officer waits on.
        assert_eq!(svc.texts_to(DANA), [OFFER, "Passed on 1001."]);
        assert_eq!(svc.texts_to(LEE), [OFFER, "Passed on 1001."]);
        assert_eq!(svc.texts_to(RIVERA).len(), 1);

        // The first round's timer was cancelled: nothing happens at +5 min, and the
        // supervisor's 10 minutes count from the declines.
        svc.advance(minutes(9) + seconds(59)).await;
        assert_eq!(svc.events().await.len(), events.len());
        svc.advance(seconds(1)).await;
        assert_eq!(svc.last_text_to(RIVERA), UNSTAFFED);
        assert_eq!(
            svc.event_kinds().await[events.len()..],
            ["offer_timed_out", "unstaffed", "follow_up_opened"]
        );
        svc.stop().await;
    })
    .await;
}

#[tokio::test]
async fn an_offer_the_provider_refuses_for_good_counts_as_unanswered_at_once() {
    on_every_database(async |database| {
        let svc = Service::start_with(PROGRAM, MONDAY, database).await;
        let start = svc.now();
        // Lee's number is unsubscribed at the carrier (Twilio error 21610).
        svc.fake.reject_number(LEE, 21610);
        svc.text(RIVERA, REQUEST).await;
        assert_eq!(svc.texts_to(DANA), [OFFER]);
        assert!(svc.texts_to(LEE).is_empty());
        assert_eq!(
            svc.event_kinds().await,
            [
                "requested",
                "step_started",
                "offered",
                "offered",
                "offer_undeliverable"
            ]
        );
        let undeliverable = svc.events_named("offer_undeliverable").await;
        assert!(matches!(&undeliverable[0].kind,
            EventKind::OfferUndeliverable { person } if person.as_str() == "lee"));
        let failed: Vec<_> = svc
            .outbox()
            .await
            .into_iter()
            .filter(|m| m.status == OutboxStatus::Failed)
            .collect();
        assert_eq!(failed.len(), 1);
        assert!(failed[0].message.is_offer());
        let error = failed[0].last_error.clone().unwrap_or_default();
        assert!(error.contains("21610"), "{error}");

        // Only Dana is left in the round: her decline ends it at once.
        assert!(svc.texts_to(ROSA).is_empty());
        svc.text(DANA, "N1001").await;
        assert_eq!(svc.texts_to(ROSA), [OFFER]);
        let rosa = svc
            .events()
            .await
            .into_iter()
            .find(|e| is_offer_to(e, "rosa"));
        assert_eq!(rosa.map(|e| e.at), Some(start));
        svc.stop().await;
    })
    .await;
}

#[tokio::test]
async fn when_no_case_manager_can_be_texted_the_supervisor_is_offered_with_the_request() {
    on_every_database(async |database| {
        let svc = Service::start_with(PROGRAM, MONDAY, database).await;
        svc.fake.reject_number(DANA, 21610);
        svc.fake.reject_number(LEE, 21211);
        svc.text(RIVERA, REQUEST).await;
        assert_eq!(svc.texts_to(ROSA), [OFFER]);
        assert_eq!(
            svc.event_kinds().await,
            [
                "requested",
                "step_started",
                "offered",
                "offered",
                "offer_undeliverable",
                "offer_undeliverable",
                "step_started",
                "offered",
            ]
        );
        assert!(svc.events().await.iter().all(|e| e.at == svc.now()));
        svc.stop().await;
    })
    .await;
}

#[tokio::test]
async fn an_undelivered_status_callback_for_an_offer_counts_as_unanswered_at_once() {
    on_every_database(async |database| {
        let svc = Service::start_with(PROGRAM, MONDAY, database).await;
        let start = svc.now();
        svc.text(RIVERA, REQUEST).await;
        let dana_offer = svc.sid_of(DANA, "LEAD 1001");
        let lee_offer = svc.sid_of(LEE, "LEAD 1001");

        // A delivery receipt that says all is well changes nothing.
        let (status, _) = svc
            .fake
            .post_status_callback(&dana_offer, "delivered", None)
            .await;
        assert_eq!(status, 200);
        svc.settle().await;
        assert_eq!(svc.events().await.len(), 4);

        // The carrier could not deliver Dana's offer (30003: unreachable handset).
        let (status, body) = svc
            .fake
            .post_status_callback(&dana_offer, "undelivered", Some("30003"))
            .await;
        assert_eq!(status, 200);
        assert!(body.contains("<Response/>"), "{body}");
        svc.settle().await;
        assert_eq!(svc.event_kinds().await[4..], ["offer_undeliverable"]);
        assert!(svc.texts_to(ROSA).is_empty(), "Lee's offer is still open");
        let row = svc
            .outbox()
            .await
            .into_iter()
            .find(|m| m.provider_id.as_deref() == Some(dana_offer.as_str()))
            .unwrap_or_else(|| panic!("no outbox row for {dana_offer}"));
        assert_eq!(row.status, OutboxStatus::Failed);
        assert_eq!(row.last_error.as_deref(), Some("undelivered 30003"));

        // Lee's fails too (30006: landline): Rosa is offered at the same instant.
        svc.fake
            .post_status_callback(&lee_offer, "failed", Some("30006"))
            .await;
        svc.settle().await;
        assert_eq!(svc.texts_to(ROSA), [OFFER]);
        let events = svc.events().await;
        assert_eq!(
            events[4..]
                .iter()
                .map(|e| e.kind.name())
                .collect::<Vec<_>>(),
            [
                "offer_undeliverable",
                "offer_undeliverable",
                "step_started",
                "offered"
            ]
        );
        assert!(events.iter().all(|e| e.at == start));
        // The same receipt again (providers retry) is not news.
        svc.fake
            .post_status_callback(&lee_offer, "failed", Some("30006"))
            .await;
        svc.settle().await;
        assert_eq!(svc.events().await.len(), events.len());
        svc.stop().await;
    })
    .await;
}

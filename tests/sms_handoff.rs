//! The warm hand-off by SMS, end to end through the provider's signed webhooks and
//! its REST API (a fake Twilio on loopback): an officer's request is offered to the
//! case managers on duty, the first to accept takes it, the others are told, the
//! officer hears who is coming and when, the two talk through the bot without ever
//! seeing each other's number, and the hand-off closes. Around it, the everyday
//! commands: a plain `Y`, `STATUS`, `WHO`, `HELP`, `CANCEL <number> <reason>`, and a
//! bare `CANCEL`, which carriers treat as an opt-out.
//!
//! Each journey runs on SQLite, and again on PostgreSQL when `DATABASE_URL` names a
//! server (`scripts/with-postgres cargo test -p handoff-tests`).

use handoff_dispatcher::{Actor, EventKind, OutboxStatus, Recipient, State, stats};
use handoff_tests::database::on_every_database;
use handoff_tests::journey::{MONDAY, REQUEST, is_offer_to, minutes, shows_phone};
use handoff_tests::service::{
    CHEN, DANA, LEE, PROGRAM, PROGRAM_NUMBER, RIVERA, ROSA, SAM, Service, TERRY,
};

const OFFER: &str = "LEAD 1001: arrest diversion at 5th & Main, retail theft, Ofc. Rivera \
                     (Metro PD). Reply Y1001 to take it, N1001 to pass.";
/// Taking it brings the whole request, and what to reply next.
const ASSIGNMENT: &str = "1001 is yours: arrest diversion at 5th & Main, retail theft (Metro), \
                          Ofc. Rivera (Metro PD). Reply ETA <min>, ARRIVED, DONE, NOTDIVERTED \
                          1001 <why>, or BACK 1001 if you cannot go. Other texts go to the \
                          officer.";
/// The receipt says the longest the search can take: the case managers' 5
/// minutes, then the supervisor's 10.
const RECEIPT: &str = "Got it: hand-off 1001 (arrest diversion), 5th & Main, retail theft. \
                       Finding an on-duty case manager (at most 15 min). Reply CANCEL 1001 to \
                       withdraw.";
const OPTED_OUT: &str = "You are unsubscribed and will get no more texts. Reply START to resume.";

/// A journey's service on `database`, with the officer's request made and the
/// offers delivered.
async fn requested(database: Option<String>) -> Service {
    let svc = Service::start_with(PROGRAM, MONDAY, database).await;
    let (status, _) = svc.text(RIVERA, REQUEST).await;
    assert_eq!(status, 200);
    assert_eq!(svc.texts_to(RIVERA), [RECEIPT]);
    assert_eq!(svc.texts_to(DANA), [OFFER]);
    assert_eq!(svc.texts_to(LEE), [OFFER]);
    svc
}

#[tokio::test]
async fn a_request_is_offered_taken_by_dana_relayed_both_ways_and_closed_when_done() {
    on_every_database(async |database| {
        let svc = requested(database).await;
        // Only the case managers on duty are offered it: not the on-call coordinator
        // (the site is open), not the supervisor or the project manager (yet).
        for nobody in [SAM, ROSA, TERRY, CHEN] {
            assert!(svc.texts_to(nobody).is_empty(), "{nobody} was texted");
        }

        // Dana accepts two minutes later; Lee is told it is taken, the officer who
        // is coming.
        svc.advance(minutes(2)).await;
        svc.text(DANA, "Y1001").await;
        assert_eq!(
            svc.last_text_to(DANA),
            ASSIGNMENT
        );
        assert_eq!(svc.texts_to(LEE), [OFFER, "1001 was taken by Dana."]);
        assert_eq!(
            svc.last_text_to(RIVERA),
            "Dana (case manager) is taking 1001."
        );

        // A minute later, at 10:03, she sends an ETA: the officer gets the local
        // time of arrival.
        svc.advance(minutes(1)).await;
        svc.text(DANA, "ETA 15").await;
        assert_eq!(
            svc.last_text_to(RIVERA),
            "Dana: on the way to 1001, about 15 min (10:18 AM)."
        );

        // They talk through the bot, each side named, neither side's number shown.
        svc.text(RIVERA, "He is calm, sitting in the back of car 12.")
            .await;
        assert_eq!(
            svc.last_text_to(DANA),
            "1001 Ofc. Rivera: He is calm, sitting in the back of car 12."
        );
        svc.text(DANA, "Parking on 5th now, blue jacket.").await;
        assert_eq!(
            svc.last_text_to(RIVERA),
            "1001 Dana: Parking on 5th now, blue jacket."
        );

        svc.advance(minutes(12)).await;
        svc.text(DANA, "ARRIVED").await;
        assert_eq!(svc.last_text_to(RIVERA), "Dana has arrived for 1001.");
        svc.advance(minutes(20)).await;
        svc.text(DANA, "DONE").await;
        assert_eq!(
            svc.last_text_to(RIVERA),
            "1001 is done: the person is with case management now. Thank you."
        );

        // Everything the officer read, in order.
        assert_eq!(
            svc.texts_to(RIVERA),
            [
                RECEIPT,
                "Dana (case manager) is taking 1001.",
                "Dana: on the way to 1001, about 15 min (10:18 AM).",
                "1001 Dana: Parking on 5th now, blue jacket.",
                "Dana has arrived for 1001.",
                "1001 is done: the person is with case management now. Thank you.",
            ]
        );
        // Neither side ever receives the other's phone number: every text comes from
        // the program's number and none shows a personal one.
        for text in svc.texts_to(RIVERA) {
            assert!(!shows_phone(&text, DANA), "Dana's number in: {text}");
            assert!(!shows_phone(&text, LEE), "Lee's number in: {text}");
        }
        for text in svc.texts_to(DANA).into_iter().chain(svc.texts_to(LEE)) {
            assert!(!shows_phone(&text, RIVERA), "Rivera's number in: {text}");
        }
        for sent in svc.sent() {
            assert_eq!(sent.from.as_deref(), Some(PROGRAM_NUMBER), "{sent:?}");
        }

        // The event log tells the same story, in order.
        let events = svc.events().await;
        let kinds: Vec<&str> = events.iter().map(|e| e.kind.name()).collect();
        assert_eq!(
            kinds,
            [
                "requested",
                "step_started",
                "offered",
                "offered",
                "accepted",
                "eta",
                "relayed",
                "relayed",
                "arrived",
                "completed",
            ]
        );
        assert!(events.iter().all(|e| e.handoff.get() == 1001));
        assert!(is_offer_to(&events[2], "dana") || is_offer_to(&events[3], "dana"));
        assert!(is_offer_to(&events[2], "lee") || is_offer_to(&events[3], "lee"));
        assert!(
            matches!(&events[4].kind, EventKind::Accepted { person, .. } if person.as_str() == "dana")
        );
        assert!(matches!(
            &events[5].kind,
            EventKind::Eta { minutes: 15, .. }
        ));
        assert!(matches!(&events[6].actor, Actor::Officer(o) if o.as_str() == "rivera"));
        assert!(matches!(&events[7].actor, Actor::Staff(p) if p.as_str() == "dana"));
        // Response time is request to accept: two minutes.
        assert_eq!(events[4].at - events[0].at, minutes(2));
        let metrics = stats::metrics(&events);
        assert_eq!(metrics.len(), 1);
        assert_eq!(metrics[0].time_to_accept(), Some(minutes(2)));
        assert_eq!(metrics[0].time_to_arrival(), Some(minutes(15)));

        // The hand-off is closed, completed by Dana; every text left the outbox.
        let handoff = svc.handoff(1001).await;
        assert!(matches!(&handoff.state, State::Completed { by } if by.as_str() == "dana"));
        assert!(svc.open_handoffs().await.is_empty());
        let outbox = svc.outbox().await;
        assert_eq!(outbox.len(), svc.sent().len());
        assert!(outbox.iter().all(|m| m.status == OutboxStatus::Sent));
        svc.stop().await;
    })
    .await;
}

#[tokio::test]
async fn a_plain_y_takes_the_one_offer_that_is_open() {
    on_every_database(async |database| {
        let svc = requested(database).await;
        svc.text(LEE, "y").await;
        assert_eq!(
            svc.last_text_to(LEE),
            ASSIGNMENT
        );
        assert_eq!(svc.last_text_to(DANA), "1001 was taken by Lee.");
        assert_eq!(
            svc.last_text_to(RIVERA),
            "Lee (case manager) is taking 1001."
        );
        let accepted = svc.events_named("accepted").await;
        assert_eq!(accepted.len(), 1);
        assert!(
            matches!(&accepted[0].kind, EventKind::Accepted { person, .. } if person.as_str() == "lee")
        );

        // Dana's late plain Y finds no offer open. Her Y1001 is logged as a late
        // accept, but she was told already who took it: not a second time.
        svc.text(DANA, "Y").await;
        assert_eq!(
            svc.last_text_to(DANA),
            "You have no open hand-off this could apply to."
        );
        let told = svc.texts_to(DANA).len();
        svc.text(DANA, "Y1001").await;
        assert_eq!(svc.texts_to(DANA).len(), told);
        assert_eq!(svc.events_named("late_accept").await.len(), 1);
        svc.stop().await;
    })
    .await;
}

#[tokio::test]
async fn a_plain_y_with_two_offers_open_asks_which_and_takes_neither() {
    on_every_database(async |database| {
        let svc = requested(database).await;
        svc.text(CHEN, "LEAD Penn Ave & 9th, trespass").await;
        assert!(svc.last_text_to(DANA).starts_with("LEAD 1002: "));
        svc.text(DANA, "Y").await;
        let answer = svc.last_text_to(DANA);
        assert_eq!(
            answer,
            "You have 1001 and 1002 open: say which, e.g. Y1001."
        );
        assert!(svc.events_named("accepted").await.is_empty());
        svc.text(DANA, "Y1002").await;
        assert_eq!(
            svc.last_text_to(CHEN),
            "Dana (case manager) is taking 1002."
        );
        svc.stop().await;
    })
    .await;
}

#[tokio::test]
async fn status_tells_the_officer_where_each_of_their_hand_offs_stands() {
    on_every_database(async |database| {
        let svc = Service::start_with(PROGRAM, MONDAY, database).await;
        svc.text(RIVERA, "STATUS").await;
        assert_eq!(svc.last_text_to(RIVERA), "You have no open hand-offs.");

        svc.text(RIVERA, REQUEST).await;
        svc.text(RIVERA, "status?").await;
        assert_eq!(
            svc.last_text_to(RIVERA),
            "1001 arrest diversion: finding a case manager"
        );

        svc.text(DANA, "Y1001").await;
        svc.text(RIVERA, "STATUS").await;
        assert_eq!(
            svc.last_text_to(RIVERA),
            "1001 arrest diversion: Dana is taking it"
        );
        svc.text(DANA, "ETA 20").await;
        svc.text(RIVERA, "STATUS").await;
        assert_eq!(
            svc.last_text_to(RIVERA),
            "1001 arrest diversion: Dana on the way, ETA 10:20 AM"
        );
        // Another officer's STATUS does not show Rivera's hand-off.
        svc.text(CHEN, "STATUS").await;
        assert_eq!(svc.last_text_to(CHEN), "You have no open hand-offs.");
        // STATUS is a question: nothing is logged for it.
        assert_eq!(
            svc.event_kinds().await,
            [
                "requested",
                "step_started",
                "offered",
                "offered",
                "accepted",
                "eta"
            ]
        );
        svc.stop().await;
    })
    .await;
}

#[tokio::test]
async fn who_tells_staff_who_is_on_duty_by_first_name_and_role() {
    on_every_database(async |database| {
        let svc = Service::start_with(PROGRAM, MONDAY, database).await;
        svc.text(LEE, "WHO").await;
        let who = svc.last_text_to(LEE);
        assert!(who.starts_with("Metro (open): "), "{who}");
        for needle in [
            "Dana (case manager)",
            "Lee (case manager)",
            "Rosa (supervisor)",
            "Terry (project manager)",
        ] {
            assert!(who.contains(needle), "{needle} missing: {who}");
        }
        // Sam is on call only while the site is closed; nobody's number is shown.
        assert!(!who.contains("Sam"), "{who}");
        for phone in [DANA, LEE, ROSA, TERRY, SAM] {
            assert!(!shows_phone(&who, phone), "{who}");
        }
        assert!(svc.events().await.is_empty());
        svc.stop().await;
    })
    .await;
}

#[tokio::test]
async fn help_lists_the_commands_of_the_senders_role() {
    on_every_database(async |database| {
        let svc = Service::start_with(PROGRAM, MONDAY, database).await;
        svc.text(RIVERA, "HELP").await;
        let officer = svc.last_text_to(RIVERA);
        for needle in [
            "LEAD <place, what happened>",
            "REFER <place, notes>",
            "STATUS",
            "CANCEL <number> <reason>",
            "CANCEL alone stops all texts.",
            "Do not text names or dates of birth.",
        ] {
            assert!(officer.contains(needle), "{needle} missing: {officer}");
        }
        assert!(!officer.contains("Y<number>"), "{officer}");

        for staff in [DANA, ROSA, SAM] {
            svc.text(staff, "help").await;
            let text = svc.last_text_to(staff);
            for needle in [
                "Y<number>: take an offer",
                "N<number>: pass",
                "ETA <min>",
                "ARRIVED, DONE",
                "WHO",
                "Other texts go to the officer.",
            ] {
                assert!(
                    text.contains(needle),
                    "{needle} missing for {staff}: {text}"
                );
            }
            assert!(!text.contains("LEAD <place"), "{text}");
        }

        // A request without a place gets the officer's help too, and opens nothing.
        svc.text(CHEN, "LEAD").await;
        assert_eq!(svc.last_text_to(CHEN), officer);
        assert!(svc.events().await.is_empty());
        // Help replies belong to no hand-off.
        assert!(svc.outbox().await.iter().all(|m| m.handoff.is_none()));
        svc.stop().await;
    })
    .await;
}

#[tokio::test]
async fn cancel_with_a_number_and_reason_withdraws_the_offers_while_offering() {
    on_every_database(async |database| {
        let svc = requested(database).await;
        svc.text(RIVERA, "CANCEL 1001 person left").await;
        assert_eq!(svc.last_text_to(RIVERA), "Hand-off 1001 is cancelled.");
        for cm in [DANA, LEE] {
            assert_eq!(
                svc.texts_to(cm),
                [OFFER, "Offer 1001 is withdrawn; no need to reply."]
            );
        }
        let events = svc.events().await;
        let last = events.last().map(|e| e.kind.clone());
        assert_eq!(
            last,
            Some(EventKind::Cancelled {
                reason: Some("person left".to_owned())
            })
        );
        assert!(matches!(
            svc.handoff(1001).await.state,
            State::Cancelled { .. }
        ));

        // The escalation stopped with it: nobody is offered at +5 min, and a late
        // accept is told it is closed.
        svc.advance(minutes(15)).await;
        assert!(svc.texts_to(ROSA).is_empty());
        assert_eq!(svc.events().await.len(), events.len());
        svc.text(DANA, "Y1001").await;
        assert_eq!(svc.last_text_to(DANA), "1001 is already closed.");
        svc.stop().await;
    })
    .await;
}

#[tokio::test]
async fn a_bare_cancel_is_a_carrier_opt_out_and_nothing_is_texted_afterwards() {
    on_every_database(async |database| {
        let svc = requested(database).await;
        svc.text(RIVERA, "CANCEL").await;
        assert_eq!(svc.texts_to(RIVERA), [RECEIPT, OPTED_OUT]);
        // It is not a cancel of the hand-off: the search goes on.
        assert!(svc.events_named("cancelled").await.is_empty());
        assert!(matches!(
            svc.handoff(1001).await.state,
            State::Offering { .. }
        ));

        // Dana takes it; the officer's phone hears nothing more.
        svc.text(DANA, "Y1001").await;
        svc.text(DANA, "ETA 10").await;
        svc.text(DANA, "Where are you exactly?").await;
        assert_eq!(svc.texts_to(RIVERA), [RECEIPT, OPTED_OUT]);
        let blocked: Vec<_> = svc
            .outbox()
            .await
            .into_iter()
            .filter(|m| m.handoff.is_some() && m.status == OutboxStatus::Failed)
            .collect();
        assert_eq!(blocked.len(), 3, "{blocked:#?}");
        assert!(blocked.iter().all(|m| {
            m.last_error.as_deref() == Some("the number opted out of SMS")
                && matches!(&m.recipient, Recipient::Officer(o) if o.as_str() == "rivera")
        }));
        svc.stop().await;
    })
    .await;
}

#[tokio::test]
async fn a_request_sent_again_within_ten_minutes_is_answered_with_its_status_not_opened_twice() {
    on_every_database(async |database| {
        let svc = requested(database).await;
        // No answer shows at once; the officer sends it again, a little differently.
        svc.advance(minutes(1)).await;
        svc.text(RIVERA, "lead 5th & main -- retail theft!").await;
        assert_eq!(
            svc.last_text_to(RIVERA),
            "1001 arrest diversion: finding a case manager"
        );
        assert_eq!(svc.texts_to(DANA), [OFFER], "no second offer");
        assert_eq!(svc.events_named("requested").await.len(), 1);

        // Somewhere else is a new request.
        svc.text(RIVERA, "LEAD Penn Ave & 9th, trespass").await;
        assert!(svc.last_text_to(DANA).starts_with("LEAD 1002: "));
        // And the same words later on are a new one too.
        svc.advance(minutes(10)).await;
        svc.text(RIVERA, REQUEST).await;
        assert_eq!(svc.events_named("requested").await.len(), 3);
        svc.stop().await;
    })
    .await;
}

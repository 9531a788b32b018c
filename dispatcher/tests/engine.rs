//! The engine with a mock clock on real SQLite files: offers go out, a timeout
//! escalates at exactly its due time and not a moment before, an accept cancels the
//! pending timer, a restarted engine resumes an escalation without sending any offer
//! twice, concurrent accepts have one winner, and an undeliverable offer escalates
//! at once. No test sleeps.

// A whole file of tests: a panic here is a failed test, shared steps included.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::path::Path;
use std::sync::Arc;

use chrono::{DateTime, Duration, Utc};
use handoff_dispatcher::conversation::{Address, Command, Inbound, MessageId};
use handoff_dispatcher::decide::Input;
use handoff_dispatcher::{
    Actor, Engine, HandoffId, HandoffKind, Message, MockClock, OfficerId, Recipient, Request,
    State, Store, Timer,
};
use handoff_schedules::{PersonId, SiteId};

mod support;
use support::every_backend;

const CONFIG: &str = r#"
[program]
name = "Engine test program"
arrival_limit = "2h"

[[escalation_policies]]
id = "standard"
steps = [
  { who = "case_manager", strategy = "broadcast", timeout = "5m" },
  { who = "supervisor", strategy = "broadcast", timeout = "10m" },
]

[[sites]]
id = "metro"
name = "Metro"
time_zone = "America/New_York"
escalation = "standard"
hours = [{ days = "mon-fri", start = "08:00", end = "24:00" }]

[[agencies]]
id = "metro-pd"
name = "Metro PD"
sites = ["metro"]
officers = [
  { id = "rivera", name = "Ana Rivera", rank = "Ofc.", phone = "+1 412 555 0101" },
  { id = "chen", name = "David Chen", rank = "Sgt.", phone = "+1 412 555 0102" },
]

[[people]]
id = "dana"
name = "Dana Whitfield"
roles = ["case_manager"]
phone = "+1 412 555 0111"

[[people]]
id = "lee"
name = "Lee Ortiz"
roles = ["case_manager"]
phone = "+1 412 555 0113"

[[people]]
id = "rosa"
name = "Rosa Delgado"
roles = ["supervisor"]
phone = "+1 412 555 0116"

[[people]]
id = "terry"
name = "Terry Walsh"
roles = ["project_manager"]
phone = "+1 412 555 0117"

[[shifts]]
person = "dana"

[[shifts]]
person = "lee"

[[shifts]]
person = "rosa"

[[shifts]]
person = "terry"
when = "always"
"#;

fn at(text: &str) -> DateTime<Utc> {
    DateTime::parse_from_rfc3339(text)
        .unwrap_or_else(|e| panic!("bad literal {text}: {e}"))
        .to_utc()
}

fn person(id: &str) -> PersonId {
    PersonId::parse(id).unwrap_or_else(|e| panic!("{e}"))
}

fn staff(id: &str) -> Recipient {
    Recipient::Staff(person(id))
}

async fn engine_on(file: &Path, clock: &MockClock) -> Engine {
    engine_at(&format!("sqlite://{}", file.display()), clock).await
}

async fn engine_at(url: &str, clock: &MockClock) -> Engine {
    let config = handoff_config::load_str(Path::new("engine-test.toml"), CONFIG, &|_| None)
        .unwrap_or_else(|e| panic!("{e}"));
    let store = Store::connect(url).await.unwrap_or_else(|e| panic!("{e}"));
    Engine::new(store, Arc::new(clock.clone()), Arc::new(config.directory()))
}

fn rivera_request() -> Request {
    Request {
        kind: HandoffKind::ArrestDiversion,
        site: SiteId::parse("metro").unwrap_or_else(|e| panic!("{e}")),
        officer: OfficerId::parse("rivera").unwrap_or_else(|e| panic!("{e}")),
        agency: handoff_dispatcher::AgencyId::parse("metro-pd").unwrap_or_else(|e| panic!("{e}")),
        location: "5th & Main, retail theft".to_owned(),
        zone: None,
        asked_for: None,
    }
}

/// How many offers of hand-off `id` the outbox holds for each recipient.
async fn offers_in_outbox(engine: &Engine, id: HandoffId) -> Vec<(Recipient, usize)> {
    let mut counts: Vec<(Recipient, usize)> = Vec::new();
    for item in engine
        .records()
        .outbox_all()
        .await
        .unwrap_or_else(|e| panic!("{e}"))
    {
        if matches!(item.message, Message::Offer { id: offer, .. } if offer == id) {
            match counts.iter_mut().find(|(r, _)| *r == item.recipient) {
                Some((_, n)) => *n += 1,
                None => counts.push((item.recipient, 1)),
            }
        }
    }
    counts
}

#[tokio::test]
async fn a_request_is_offered_and_the_timeout_escalates_at_exactly_its_due_time() {
    let dir = tempfile::tempdir().unwrap();
    let clock = MockClock::new(at("2026-11-23T10:00:00-05:00"));
    let engine = engine_on(&dir.path().join("handoff.db"), &clock).await;

    let handled = engine.request(rivera_request()).await.unwrap();
    let id = handled.handoff.id;
    assert_eq!(id, HandoffId::FIRST);
    assert_eq!(handled.handoff.state, State::Offering { step: 0, round: 0 });
    assert_eq!(
        offers_in_outbox(&engine, id).await,
        [(staff("dana"), 1), (staff("lee"), 1)]
    );
    assert_eq!(
        engine.records().next_timer_due().await.unwrap(),
        Some(at("2026-11-23T10:05:00-05:00"))
    );

    clock.set(at("2026-11-23T10:04:59.999-05:00"));
    assert_eq!(
        engine.fire_due().await.unwrap(),
        0,
        "nothing fires before its due time"
    );
    assert_eq!(offers_in_outbox(&engine, id).await.len(), 2);

    clock.set(at("2026-11-23T10:05:00-05:00"));
    assert_eq!(engine.fire_due().await.unwrap(), 1);
    let handoff = engine.records().handoff(id).await.unwrap().unwrap();
    assert_eq!(handoff.state, State::Offering { step: 1, round: 0 });
    assert_eq!(
        offers_in_outbox(&engine, id).await,
        [(staff("dana"), 1), (staff("lee"), 1), (staff("rosa"), 1)]
    );
    let events = engine.records().events_of(id).await.unwrap();
    let rosa_offered = events
        .iter()
        .find(|e| matches!(&e.kind, handoff_dispatcher::EventKind::Offered { person: p, .. } if p.as_str() == "rosa"))
        .unwrap();
    assert_eq!(rosa_offered.at, at("2026-11-23T10:05:00-05:00"));
}

#[tokio::test]
async fn an_accept_cancels_the_pending_timer_and_sets_the_arrival_deadline() {
    let dir = tempfile::tempdir().unwrap();
    let clock = MockClock::new(at("2026-11-23T10:00:00-05:00"));
    let engine = engine_on(&dir.path().join("handoff.db"), &clock).await;
    let id = engine.request(rivera_request()).await.unwrap().handoff.id;

    clock.advance(Duration::seconds(90));
    let handled = engine
        .handle(
            id,
            Input::Accept {
                by: person("lee"),
                via: handoff_dispatcher::Channel::Sms,
                eta: None,
            },
        )
        .await
        .unwrap();
    assert_eq!(handled.handoff.state, State::Accepted { by: person("lee") });
    assert!(handled.messages.contains(&(
        Recipient::Officer(OfficerId::parse("rivera").unwrap()),
        Message::Assigned {
            id,
            first_name: "Lee".to_owned(),
            role: "case manager".to_owned()
        }
    )));
    let far = at("2026-12-31T00:00:00-05:00");
    assert!(
        !engine
            .records()
            .timers_due_by(far, 100)
            .await
            .unwrap()
            .iter()
            .any(|(h, timer, _)| *h == id && *timer == Timer::Round { step: 0, round: 0 })
    );
    assert_eq!(
        engine.records().next_timer_due().await.unwrap(),
        Some(at("2026-11-23T12:01:30-05:00")),
        "the arrival deadline is two hours after the accept"
    );

    // The old round's due time passes: nothing escalates.
    clock.set(at("2026-11-23T10:05:00-05:00"));
    assert_eq!(engine.fire_due().await.unwrap(), 0);
    assert_eq!(offers_in_outbox(&engine, id).await.len(), 2);
}

#[tokio::test]
async fn a_restarted_engine_resumes_the_escalation_on_time_and_sends_no_offer_twice() {
    for db in every_backend().await {
        restart_resumes_the_escalation(db.url()).await;
        db.dispose().await;
    }
}

async fn restart_resumes_the_escalation(url: &str) {
    let clock = MockClock::new(at("2026-11-23T10:00:00-05:00"));
    let id = {
        let engine = engine_at(url, &clock).await;
        let id = engine.request(rivera_request()).await.unwrap().handoff.id;
        engine
            .handle(
                id,
                Input::Decline {
                    by: person("dana"),
                    reason: None,
                },
            )
            .await
            .unwrap();
        engine.close().await;
        id
        // The engine is dropped here, mid-escalation: lee's offer is still open.
    };

    clock.set(at("2026-11-23T10:05:00-05:00"));
    let engine = engine_at(url, &clock).await;
    assert_eq!(
        engine.fire_due().await.unwrap(),
        1,
        "the pending timeout survived the restart"
    );
    assert_eq!(engine.fire_due().await.unwrap(), 0, "and fires once");
    assert_eq!(
        offers_in_outbox(&engine, id).await,
        [(staff("dana"), 1), (staff("lee"), 1), (staff("rosa"), 1)]
    );
    let handoff = engine.records().handoff(id).await.unwrap().unwrap();
    assert_eq!(handoff.state, State::Offering { step: 1, round: 0 });

    // The next step's timeout also survives another restart, and runs the steps out.
    engine.close().await;
    drop(engine);
    clock.set(at("2026-11-23T10:15:00-05:00"));
    let engine = engine_at(url, &clock).await;
    assert_eq!(engine.fire_due().await.unwrap(), 1);
    let handoff = engine.records().handoff(id).await.unwrap().unwrap();
    assert_eq!(handoff.state, State::Unstaffed);
    let outbox = engine.records().outbox_all().await.unwrap();
    assert!(outbox.iter().any(|item| item.recipient
        == Recipient::Officer(OfficerId::parse("rivera").unwrap())
        && matches!(item.message, Message::Unstaffed { .. })));
    let keys: std::collections::BTreeSet<&str> = outbox.iter().map(|i| i.key.as_str()).collect();
    assert_eq!(keys.len(), outbox.len(), "every outbox key is unique");
}

#[tokio::test]
async fn two_accepts_at_the_same_instant_have_exactly_one_winner() {
    let dir = tempfile::tempdir().unwrap();
    let clock = MockClock::new(at("2026-11-23T10:00:00-05:00"));
    let engine = engine_on(&dir.path().join("handoff.db"), &clock).await;
    let id = engine.request(rivera_request()).await.unwrap().handoff.id;

    let (a, b) = tokio::join!(
        engine.handle(
            id,
            Input::Accept {
                by: person("dana"),
                via: handoff_dispatcher::Channel::Sms,
                eta: None,
            }
        ),
        engine.handle(
            id,
            Input::Accept {
                by: person("lee"),
                via: handoff_dispatcher::Channel::Sms,
                eta: None,
            }
        ),
    );
    let (a, b) = (a.unwrap(), b.unwrap());
    let assigned: Vec<&Message> = a
        .messages
        .iter()
        .chain(&b.messages)
        .map(|(_, m)| m)
        .filter(|m| matches!(m, Message::Assigned { .. }))
        .collect();
    assert_eq!(assigned.len(), 1, "the officer is told of one case manager");
    let late: Vec<&Message> = a
        .messages
        .iter()
        .chain(&b.messages)
        .map(|(_, m)| m)
        .filter(|m| {
            matches!(
                m,
                Message::AlreadyTaken { .. } | Message::TakenByOther { .. }
            )
        })
        .collect();
    assert_eq!(late.len(), 1, "the other is told once that it is taken");
    let handoff = engine.records().handoff(id).await.unwrap().unwrap();
    assert!(matches!(handoff.state, State::Accepted { .. }));
}

#[tokio::test]
async fn an_undeliverable_offer_counts_as_unanswered_at_once() {
    let dir = tempfile::tempdir().unwrap();
    let clock = MockClock::new(at("2026-11-23T10:00:00-05:00"));
    let engine = engine_on(&dir.path().join("handoff.db"), &clock).await;
    let id = engine.request(rivera_request()).await.unwrap().handoff.id;
    engine
        .handle(
            id,
            Input::Decline {
                by: person("dana"),
                reason: Some("in court".to_owned()),
            },
        )
        .await
        .unwrap();

    clock.advance(Duration::seconds(3));
    let lee_offer = engine
        .records()
        .outbox_all()
        .await
        .unwrap()
        .into_iter()
        .find(|i| i.recipient == staff("lee") && i.message.is_offer())
        .unwrap();
    engine.delivery_failed(&lee_offer).await.unwrap();

    let handoff = engine.records().handoff(id).await.unwrap().unwrap();
    assert_eq!(
        handoff.state,
        State::Offering { step: 1, round: 0 },
        "escalated without waiting 5 minutes"
    );
    assert_eq!(
        offers_in_outbox(&engine, id).await.last(),
        Some(&(staff("rosa"), 1))
    );
}

#[tokio::test]
async fn an_officer_cancel_withdraws_open_offers_and_closes_the_handoff() {
    let dir = tempfile::tempdir().unwrap();
    let clock = MockClock::new(at("2026-11-23T10:00:00-05:00"));
    let engine = engine_on(&dir.path().join("handoff.db"), &clock).await;
    let id = engine.request(rivera_request()).await.unwrap().handoff.id;
    let rivera = Actor::Officer(OfficerId::parse("rivera").unwrap());
    let chen = Actor::Officer(OfficerId::parse("chen").unwrap());

    let refused = engine
        .handle(
            id,
            Input::Cancel {
                by: chen,
                reason: None,
            },
        )
        .await;
    assert!(refused.is_err(), "another officer cannot cancel it");

    let handled = engine
        .handle(
            id,
            Input::Cancel {
                by: rivera,
                reason: Some("person left".to_owned()),
            },
        )
        .await
        .unwrap();
    assert!(matches!(handled.handoff.state, State::Cancelled { .. }));
    assert_eq!(
        engine.records().next_timer_due().await.unwrap(),
        None,
        "no timer is left"
    );
    let withdrawn: Vec<&Recipient> = handled
        .messages
        .iter()
        .filter(|(_, m)| matches!(m, Message::Withdrawn { .. }))
        .map(|(r, _)| r)
        .collect();
    assert_eq!(withdrawn, [&staff("dana"), &staff("lee")]);
}

#[tokio::test]
async fn the_timer_loop_fires_what_is_due_and_stops_on_shutdown() {
    let dir = tempfile::tempdir().unwrap();
    let clock = MockClock::new(at("2026-11-23T10:00:00-05:00"));
    let engine = engine_on(&dir.path().join("handoff.db"), &clock).await;
    let id = engine.request(rivera_request()).await.unwrap().handoff.id;
    clock.set(at("2026-11-23T10:05:00-05:00"));

    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    let looping = engine.clone();
    let task = tokio::spawn(async move {
        looping
            .run(async {
                let _ = stopped.await;
            })
            .await;
    });
    // The loop's first pass fires the due timeout; wait for it by watching the
    // outbox, with a generous bound so a broken loop fails instead of hanging.
    let escalated = tokio::time::timeout(std::time::Duration::from_secs(10), async {
        loop {
            let signal = engine.outbox_signal().notified();
            tokio::pin!(signal);
            signal.as_mut().enable();
            let handoff = engine.records().handoff(id).await.unwrap().unwrap();
            if handoff.state == (State::Offering { step: 1, round: 0 }) {
                return;
            }
            signal.await;
        }
    })
    .await;
    assert!(escalated.is_ok(), "the loop fired the due timer");
    assert!(engine.heartbeat().is_some());
    stop.send(()).unwrap();
    tokio::time::timeout(std::time::Duration::from_secs(10), task)
        .await
        .expect("the loop stops on shutdown")
        .unwrap();
}

#[tokio::test]
async fn a_case_manager_who_opted_out_of_sms_is_not_offered_at_all() {
    let dir = tempfile::tempdir().unwrap();
    let clock = MockClock::new(at("2026-11-23T10:00:00-05:00"));
    let engine = engine_on(&dir.path().join("handoff.db"), &clock).await;
    let lee_phone = handoff_dispatcher::PhoneNumber::parse("+14125550113").unwrap();
    let text = |id: &str, command| Inbound {
        from: Address::Phone(lee_phone.clone()),
        id: MessageId::parse(id).unwrap(),
        command,
        body: String::new(),
    };
    engine.receive(&text("SM1", Command::OptOut)).await.unwrap();

    let id = engine.request(rivera_request()).await.unwrap().handoff.id;
    assert_eq!(offers_in_outbox(&engine, id).await, [(staff("dana"), 1)]);

    // Opted back in, lee is offered the next request again.
    engine.receive(&text("SM2", Command::OptIn)).await.unwrap();
    let next = engine.request(rivera_request()).await.unwrap().handoff.id;
    assert_eq!(
        offers_in_outbox(&engine, next).await,
        [(staff("dana"), 1), (staff("lee"), 1)]
    );
}

#[tokio::test]
async fn a_request_the_dispatcher_cannot_act_on_is_answered_not_failed() {
    let dir = tempfile::tempdir().unwrap();
    let clock = MockClock::new(at("2026-11-23T10:00:00-05:00"));
    let engine = engine_on(&dir.path().join("handoff.db"), &clock).await;
    // A step timeout past what the calendar holds: refused by the configuration's
    // ranges, put here directly, as a future bug might.
    let mut directory = (*engine.directory()).clone();
    for policy in directory.policies.values_mut() {
        for step in &mut policy.steps {
            step.timeout = std::time::Duration::from_secs(u64::MAX);
        }
    }
    engine.replace_directory(Arc::new(directory));
    let request = Inbound {
        from: Address::Phone(handoff_dispatcher::PhoneNumber::parse("+14125550101").unwrap()),
        id: MessageId::parse("SMfail").unwrap(),
        command: Command::Request {
            kind: HandoffKind::ArrestDiversion,
            text: "5th & Main".to_owned(),
            placement: Default::default(),
        },
        body: "LEAD 5th & Main".to_owned(),
    };
    assert_eq!(
        engine.receive(&request).await.unwrap(),
        handoff_dispatcher::Received::Handled
    );
    assert!(engine.records().open_handoffs().await.unwrap().is_empty());
    let outbox = engine.records().outbox_all().await.unwrap();
    assert_eq!(outbox.len(), 1);
    assert_eq!(
        outbox[0].message,
        Message::Problem {
            id: None,
            problem: handoff_dispatcher::message::Problem::CannotHandle,
            open: Vec::new()
        }
    );
    // Recorded once: the provider's retry changes nothing.
    assert_eq!(
        engine.receive(&request).await.unwrap(),
        handoff_dispatcher::Received::Duplicate
    );
}

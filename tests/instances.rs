//! Two `handoff serve` processes on one database, as a program running a spare
//! would: webhooks may reach either, timers fire in both, and still every text goes
//! out exactly once and in order, from whichever holds the sending lease; when it
//! stops, the other takes over at once; when it dies, once its lease runs out by
//! the database's clock (however far ahead the other's own clock runs); when it
//! stalls past its lease and wakes, it sends nothing more.
//!
//! Each instance has its own fake provider and its own mock clock, so the test sees
//! which instance sent what. Runs on a shared SQLite file and, when `DATABASE_URL`
//! names a server, on PostgreSQL.

use std::sync::Arc;
use std::time::{Duration as StdDuration, Instant};

use chrono::Duration;
use handoff_bot::serve::{self, Options};
use handoff_bot::sms::outbound::{LEASE, Pass, SmsOutbound};
use handoff_dispatcher::{OutboxStatus, SystemClock};
use handoff_tests::database::{on_every_database, postgres_database, postgres_server};
use handoff_tests::fake_twilio::FakeTwilio;
use handoff_tests::instances::{all_sent, assert_each_once, shared};
use handoff_tests::journey::{MONDAY, REQUEST, always_open, minutes};
use handoff_tests::service::{
    ACCOUNT_SID, AUTH_TOKEN, CHEN, DANA, LEE, PROGRAM, PROGRAM_NUMBER, RIVERA, ROSA, Service,
    journey_config,
};

/// The SMS worker of a service (the journeys configure SMS).
fn worker(svc: &Service) -> &SmsOutbound {
    svc.running
        .outbound
        .as_ref()
        .unwrap_or_else(|| panic!("the journey program sends SMS"))
}

/// The `handoff_sms_lease_held` gauge of a service, scraped from `/metrics`.
async fn lease_gauge(svc: &Service) -> String {
    let body = reqwest::get(svc.url("/metrics"))
        .await
        .unwrap_or_else(|e| panic!("scraping /metrics: {e}"))
        .text()
        .await
        .unwrap_or_else(|e| panic!("reading /metrics: {e}"));
    body.lines()
        .find(|line| line.starts_with("handoff_sms_lease_held "))
        .unwrap_or_else(|| panic!("no lease gauge in {body}"))
        .to_owned()
}

#[tokio::test]
async fn two_instances_send_every_text_once_from_the_lease_holder() {
    on_every_database(async |database| {
        let dir = tempfile::TempDir::new().unwrap();
        let url = shared(database, &dir);
        let a = Service::start_with(PROGRAM, MONDAY, Some(url.clone())).await;
        let b = Service::start_with(PROGRAM, MONDAY, Some(url.clone())).await;

        // The request reaches A; before A's worker runs, both instances deliver at
        // once. Exactly one takes the lease and sends each text once.
        let (status, _) = a
            .fake
            .post_inbound(&a.url("/sms/inbound"), RIVERA, PROGRAM_NUMBER, REQUEST)
            .await;
        assert_eq!(status, 200);
        let (x, y) = tokio::join!(a.running.deliver(), b.running.deliver());
        x.unwrap();
        y.unwrap();
        assert_eq!(all_sent(&a, &b).len(), 3, "the receipt and two offers");
        let (holder, other) = if a.sent().is_empty() {
            (&b, &a)
        } else {
            (&a, &b)
        };
        assert!(other.sent().is_empty(), "only the lease holder sends");
        for _ in 0..3 {
            let (x, y) = tokio::join!(a.running.deliver(), b.running.deliver());
            x.unwrap();
            y.unwrap();
        }
        assert_eq!(all_sent(&a, &b).len(), 3, "nothing goes out twice");

        // Dana's accept reaches the other instance: it decides, the holder sends.
        other.text(DANA, "Y1001").await;
        assert!(other.sent().is_empty());
        holder.running.deliver().await.unwrap();
        let texts_to = |phone: &str| -> Vec<String> {
            all_sent(&a, &b)
                .into_iter()
                .filter(|(to, _)| to == phone)
                .map(|(_, body)| body)
                .collect()
        };
        assert_eq!(texts_to(LEE).len(), 2, "the offer, then that Dana took it");
        assert_eq!(texts_to(RIVERA).len(), 2, "the receipt, then who is coming");
        assert_each_once(&all_sent(&a, &b));

        // The holder stops cleanly: the other sends at once what is queued next.
        let (holder, other) = if std::ptr::eq(holder, &a) {
            (a, b)
        } else {
            (b, a)
        };
        holder.stop().await;
        other.text(CHEN, "LEAD Penn Ave & 9th, trespass").await;
        assert_eq!(
            other.texts_to(CHEN).len(),
            1,
            "it took the lease over at once"
        );
        assert!(
            other
                .last_text_to(CHEN)
                .starts_with("Got it: hand-off 1002")
        );
        other.stop().await;
    })
    .await;
}

#[tokio::test]
async fn when_the_lease_holder_dies_another_instance_sends_within_a_minute() {
    on_every_database(async |database| {
        let dir = tempfile::TempDir::new().unwrap();
        let url = shared(database, &dir);
        let a = Service::start_with(PROGRAM, MONDAY, Some(url.clone())).await;
        let b = Service::start_with(PROGRAM, MONDAY, Some(url.clone())).await;
        a.text(RIVERA, REQUEST).await;
        assert_eq!(a.sent().len(), 3);

        // A dies holding the lease (it is never stopped, so never releases it).
        // B queues an answer; while A's lease runs nobody sends it, even though B's
        // own clock runs an hour ahead: expiry is the database's call.
        b.text(DANA, "Y1001").await;
        b.clock.advance(Duration::hours(1));
        b.running.deliver().await.unwrap();
        assert!(b.sent().is_empty(), "A's lease still runs");

        // A minute on, by the database's clock, the lease has run out.
        b.running.engine.outbox().expire_lease(LEASE).await.unwrap();
        b.running.deliver().await.unwrap();
        assert_eq!(b.texts_to(RIVERA).len(), 1, "who is coming, sent by B");
        assert_eq!(b.texts_to(LEE).len(), 1, "that Dana took it");
        b.stop().await;
        drop(a);
    })
    .await;
}

#[tokio::test]
async fn a_holder_that_stalls_past_its_lease_sends_nothing_when_it_wakes_and_the_next_sends_each_text_once_in_order()
 {
    on_every_database(async |database| {
        let dir = tempfile::TempDir::new().unwrap();
        let url = shared(database, &dir);
        let a = Service::start_with(PROGRAM, MONDAY, Some(url.clone())).await;
        let b = Service::start_with(PROGRAM, MONDAY, Some(url.clone())).await;

        // Two requests reach A and nothing is sent yet: six texts wait, two of them
        // to each case manager (the offer of 1001, then of 1002).
        for (officer, body) in [(RIVERA, REQUEST), (CHEN, "LEAD Penn Ave & 9th, trespass")] {
            let (status, _) = a
                .fake
                .post_inbound(&a.url("/sms/inbound"), officer, PROGRAM_NUMBER, body)
                .await;
            assert_eq!(status, 200);
        }

        // A takes the lease and reads its batch...
        let pass = worker(&a).read_pending().await.unwrap();
        match &pass {
            Pass::Batch(batch) => assert_eq!(batch.len(), 6),
            Pass::Nothing(_) => panic!("A holds the lease and has six texts to send"),
        }
        b.running.deliver().await.unwrap();
        assert!(b.sent().is_empty(), "A holds the lease: B does not send");

        // ...then stalls (a long pause, SIGSTOP) until its lease has run out. B
        // takes over and sends everything.
        a.running.engine.outbox().expire_lease(LEASE).await.unwrap();
        b.running.deliver().await.unwrap();
        assert_eq!(b.sent().len(), 6);
        assert_eq!(lease_gauge(&b).await, "handoff_sms_lease_held 1");

        // A wakes and carries on with the batch it read: its first claim is refused,
        // and it sends nothing, not even an attempt.
        worker(&a).send_pending(pass).await.unwrap();
        assert_eq!(a.fake.requests(), 0, "the stalled holder tried to send");
        assert_eq!(lease_gauge(&a).await, "handoff_sms_lease_held 0");
        // Its next pass finds the lease is B's.
        a.running.deliver().await.unwrap();
        assert_eq!(a.fake.requests(), 0);
        assert_eq!(lease_gauge(&a).await, "handoff_sms_lease_held 0");

        // Each text went out once, and each phone's in the order decided.
        let sent = all_sent(&a, &b);
        assert_eq!(sent.len(), 6);
        assert_each_once(&sent);
        for cm in [DANA, LEE] {
            let offers: Vec<String> = b
                .texts_to(cm)
                .iter()
                .map(|t| t.chars().take(9).collect())
                .collect();
            assert_eq!(offers, ["LEAD 1001", "LEAD 1002"], "to {cm}");
        }
        for officer in [RIVERA, CHEN] {
            assert_eq!(b.texts_to(officer).len(), 1, "the receipt to {officer}");
        }
        let outbox = b.running.engine.records().outbox_all().await.unwrap();
        assert!(outbox.iter().all(|m| m.status == OutboxStatus::Sent));
        a.stop().await;
        b.stop().await;
    })
    .await;
}

#[tokio::test]
async fn a_timer_both_instances_fire_at_once_escalates_once() {
    on_every_database(async |database| {
        let dir = tempfile::TempDir::new().unwrap();
        let url = shared(database, &dir);
        let a = Service::start_with(PROGRAM, MONDAY, Some(url.clone())).await;
        let b = Service::start_with(PROGRAM, MONDAY, Some(url.clone())).await;
        a.text(RIVERA, REQUEST).await;

        // Nobody answers: at five minutes both instances' timer loops fire.
        a.clock.advance(minutes(5));
        b.clock.advance(minutes(5));
        let (x, y) = tokio::join!(a.running.engine.fire_due(), b.running.engine.fire_due());
        x.unwrap();
        y.unwrap();
        a.settle().await;
        b.settle().await;
        let to_rosa: Vec<_> = all_sent(&a, &b)
            .into_iter()
            .filter(|(to, _)| to == ROSA)
            .collect();
        assert_eq!(
            to_rosa.len(),
            1,
            "the supervisor is offered once: {to_rosa:?}"
        );
        let timed_out = a
            .events()
            .await
            .iter()
            .filter(|e| e.kind.name() == "offer_timed_out")
            .count();
        assert_eq!(timed_out, 2, "one per case manager");
        assert_each_once(&all_sent(&a, &b));
        a.stop().await;
        b.stop().await;
    })
    .await;
}

/// On PostgreSQL, with their background workers running on the system clock: an
/// answer that reaches the instance without the lease is sent by the holder within
/// moments, woken by the database's notification rather than its next idle look
/// (30 s later).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn on_postgres_the_lease_holder_hears_at_once_what_the_other_instance_queued() {
    let Some(admin) = postgres_server() else {
        eprintln!("skipped: DATABASE_URL names no PostgreSQL server");
        return;
    };
    let database = postgres_database(&admin).await;
    let url = database.url().unwrap_or_else(|| panic!("a PostgreSQL URL"));
    let fake = FakeTwilio::start(ACCOUNT_SID, AUTH_TOKEN).await;
    let config = journey_config(&always_open(), &fake);
    let start = async |url: &str| {
        let options = Options {
            listen: Some(([127, 0, 0, 1], 0).into()),
            database: Some(url.to_owned()),
            public_url: None,
        };
        serve::start(&config, options, Arc::new(SystemClock), true)
            .await
            .unwrap_or_else(|e| panic!("handoff did not start: {e:#}"))
    };
    let a = start(&url).await;
    let (status, _) = fake
        .post_inbound(
            &format!("{}/sms/inbound", a.public_url),
            RIVERA,
            PROGRAM_NUMBER,
            REQUEST,
        )
        .await;
    assert_eq!(status, 200);
    assert_eq!(
        fake.wait_for_sends(3, StdDuration::from_secs(5))
            .await
            .len(),
        3
    );

    let b = start(&url).await;
    let started = Instant::now();
    let (status, _) = fake
        .post_inbound(
            &format!("{}/sms/inbound", b.public_url),
            DANA,
            PROGRAM_NUMBER,
            "Y1001",
        )
        .await;
    assert_eq!(status, 200);
    // Dana's confirmation, Lee's "taken", Rivera's "Dana is coming".
    let sent = fake.wait_for_sends(6, StdDuration::from_secs(10)).await;
    assert_eq!(sent.len(), 6, "{sent:#?}");
    assert!(
        started.elapsed() < StdDuration::from_secs(3),
        "took {:?}: the holder was not woken",
        started.elapsed()
    );
    b.shutdown().await;
    a.shutdown().await;
    database.dispose().await;
}

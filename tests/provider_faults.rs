//! The SMS provider failing or slow, beside delivery.rs's single failures: a
//! minute of mixed faults (500s and 503s, sends it never answers, 429 with
//! `Retry-After`) then a recovery, after which every text has reached its phone
//! exactly once and each phone's texts in the order they were decided; a send that
//! times out is a retry after a backoff, never a text sent, and holds back no
//! other phone's texts; and a provider that takes seconds to answer each send
//! delays no webhook.
//!
//! The minute passes on the service's mock clock; only the client's timeout
//! toward a send that never answers is waited out on the wall clock (a second,
//! set by `[transports.sms] timeout`). The journeys with the service's own
//! background workers run on the wall clock, as `handoff serve` does, and measure it.

use std::collections::BTreeMap;
use std::sync::Arc;
use std::time::{Duration as StdDuration, Instant};

use chrono::Duration;
use handoff_bot::serve::{self, Options, Running};
use handoff_dispatcher::{OutboxItem, OutboxStatus, Recipient, SystemClock};
use handoff_tests::database::on_every_database;
use handoff_tests::fake_twilio::{FakeTwilio, Fault};
use handoff_tests::journey::{MONDAY, REQUEST, always_open, seconds};
use handoff_tests::service::{
    ACCOUNT_SID, AUTH_TOKEN, CHEN, DANA, LEE, PROGRAM, PROGRAM_NUMBER, RIVERA, Service,
    journey_config_with_sms,
};
use tempfile::TempDir;

const OFFER: &str = "LEAD 1001: arrest diversion at 5th & Main, retail theft, Ofc. Rivera \
                     (Metro PD). Reply Y1001 to take it, N1001 to pass.";
const RECEIPT: &str = "Got it: hand-off 1001 (arrest diversion), 5th & Main, retail theft. \
                       Finding an on-duty case manager (at most 15 min). Reply CANCEL 1001 to \
                       withdraw.";
const TAKING: &str = "Dana (case manager) is taking 1001.";

/// The phone an outbox row goes to, in the journey program.
fn phone_of(item: &OutboxItem) -> &'static str {
    let who = match &item.recipient {
        Recipient::Staff(person) => person.as_str().to_owned(),
        Recipient::Officer(officer) => officer.as_str().to_owned(),
        other => panic!("not texted in these journeys: {other:?}"),
    };
    match who.as_str() {
        "rivera" => RIVERA,
        "chen" => CHEN,
        "dana" => DANA,
        "lee" => LEE,
        other => panic!("{other} is not texted in these journeys"),
    }
}

#[tokio::test]
async fn after_a_minute_of_500s_timeouts_and_429s_every_text_reaches_its_phone_once_and_in_order() {
    on_every_database(async |database| {
        let svc =
            Service::start_with_sms(PROGRAM, MONDAY, database, &[], "timeout = \"1s\"\n").await;
        let start = svc.now();
        svc.fake.fail_until_recovered(&[
            Fault::Status(500),
            Fault::Hang,
            Fault::TooMany(20),
            Fault::Status(503),
            Fault::Status(502),
        ]);

        // A minute of conversation while nothing gets through: two requests, both
        // taken, an ETA, words for the case manager.
        let minute = [
            (RIVERA, REQUEST),
            (CHEN, "LEAD Penn Ave & 9th, trespass"),
            (DANA, "Y1001"),
            (DANA, "ETA 15"),
            (RIVERA, "He is calm, by the bus stop"),
            (LEE, "Y1002 20"),
        ];
        for (from, body) in minute {
            let (status, _) = svc.text(from, body).await;
            assert_eq!(status, 200, "{body}");
            svc.advance(seconds(10)).await;
        }
        assert_eq!(svc.now() - start, seconds(60));
        assert!(svc.sent().is_empty(), "accepted during the outage");
        let served = svc.fake.faults_served();
        for fault in [Fault::Status(500), Fault::Hang, Fault::TooMany(20)] {
            assert!(
                served.contains(&fault),
                "{fault:?} never served: {served:?}"
            );
        }

        // The provider recovers; the clock runs on to each retry until none waits.
        // (A text held back behind an earlier one to the same phone may be due
        // already: it goes when that one does.)
        svc.fake.recover();
        svc.settle().await;
        for _ in 0..50 {
            let now = svc.now();
            let next = svc
                .outbox()
                .await
                .into_iter()
                .filter(|m| m.status == OutboxStatus::Pending && m.next_attempt_at > now)
                .map(|m| m.next_attempt_at)
                .min();
            let Some(next) = next else { break };
            svc.advance(next - now).await;
        }

        // Every text was sent, once: each row's provider id is one accepted text,
        // and no text was accepted without its row. Each phone got its texts in
        // the order they were decided.
        let outbox = svc.outbox().await;
        let sent = svc.sent();
        assert_eq!(outbox.len(), sent.len(), "{outbox:#?}\n{sent:#?}");
        let mut decided: BTreeMap<&str, Vec<String>> = BTreeMap::new();
        for row in &outbox {
            assert_eq!(row.status, OutboxStatus::Sent, "{row:?}");
            assert!(
                row.sent_at.is_some_and(|at| at >= start + seconds(60)),
                "{row:?}"
            );
            let sid = row.provider_id.clone().unwrap_or_default();
            decided.entry(phone_of(row)).or_default().push(sid);
        }
        let mut arrived: BTreeMap<&str, Vec<String>> = BTreeMap::new();
        for message in &sent {
            let phone = [RIVERA, CHEN, DANA, LEE]
                .into_iter()
                .find(|p| *p == message.to)
                .unwrap_or_else(|| panic!("texted a stranger: {message:?}"));
            arrived.entry(phone).or_default().push(message.sid.clone());
        }
        assert_eq!(arrived, decided);
        assert_eq!(svc.texts_to(RIVERA)[..2], [RECEIPT, TAKING]);
        svc.stop().await;
    })
    .await;
}

#[tokio::test]
async fn a_send_that_times_out_is_retried_after_a_backoff_and_never_counted_as_sent() {
    let svc = Service::start_with_sms(PROGRAM, MONDAY, None, &[], "timeout = \"1s\"\n").await;
    svc.fake.hang_number(RIVERA);
    let started = Instant::now();
    svc.text(RIVERA, REQUEST).await;
    // Given up after the client's timeout, not the provider's whim.
    assert!(started.elapsed() < StdDuration::from_secs(5));
    // The case managers' offers went out beside the stuck receipt.
    assert_eq!(svc.texts_to(DANA), [OFFER]);
    assert_eq!(svc.texts_to(LEE), [OFFER]);
    assert!(svc.texts_to(RIVERA).is_empty());

    let receipt = svc
        .outbox()
        .await
        .into_iter()
        .find(|m| phone_of(m) == RIVERA)
        .unwrap_or_else(|| panic!("no receipt in the outbox"));
    assert_eq!(
        (receipt.status, receipt.attempts),
        (OutboxStatus::Pending, 1)
    );
    let error = receipt.last_error.clone().unwrap_or_default();
    assert!(error.contains("no answer within 1000 ms"), "{error}");
    // The first backoff, 4 s give or take 20%: not at once.
    let wait = receipt.next_attempt_at - svc.now();
    let ms = wait.num_milliseconds();
    assert!((3_200..=4_800).contains(&ms), "retried after {ms} ms");

    svc.fake.stop_hanging(RIVERA);
    let requests = svc.fake.requests();
    svc.advance(wait - Duration::milliseconds(1)).await;
    assert_eq!(svc.fake.requests(), requests, "retried early");
    svc.advance(Duration::milliseconds(1)).await;
    assert_eq!(svc.texts_to(RIVERA), [RECEIPT]);
    svc.stop().await;
}

/// The journey program on SQLite with the service's own background workers on the
/// wall clock, as `handoff serve` runs, its SMS client giving up on a send after
/// `timeout`.
async fn on_the_wall_clock(fake: &FakeTwilio, timeout: &str) -> (Running, TempDir) {
    let config = journey_config_with_sms(
        &always_open(),
        fake,
        &[],
        &format!("timeout = \"{timeout}\"\n"),
    );
    let dir = TempDir::new().unwrap_or_else(|e| panic!("temporary directory: {e}"));
    let options = Options {
        listen: Some(([127, 0, 0, 1], 0).into()),
        database: Some(format!("sqlite://{}/handoff.db", dir.path().display())),
        public_url: None,
    };
    let running = serve::start(&config, options, Arc::new(SystemClock), true)
        .await
        .unwrap_or_else(|e| panic!("handoff did not start: {e:#}"));
    (running, dir)
}

/// Waits (event-driven, bounded) until `phone` has `n` texts; returns them.
async fn texts_to(fake: &FakeTwilio, phone: &str, n: usize, within: StdDuration) -> Vec<String> {
    let deadline = Instant::now() + within;
    loop {
        let texts: Vec<String> = fake
            .sent()
            .into_iter()
            .filter(|m| m.to == phone)
            .map(|m| m.body)
            .collect();
        if texts.len() >= n || Instant::now() >= deadline {
            return texts;
        }
        let total = fake.sent().len();
        fake.wait_for_sends(total + 1, deadline - Instant::now())
            .await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_phone_whose_send_hangs_holds_back_no_other_phones_texts() {
    let fake = FakeTwilio::start(ACCOUNT_SID, AUTH_TOKEN).await;
    let (running, _dir) = on_the_wall_clock(&fake, "4s").await;
    let url = format!("{}/sms/inbound", running.public_url);
    fake.hang_number(RIVERA);

    // The officer's receipt hangs at the provider; the offers go out beside it.
    let (status, _) = fake
        .post_inbound(&url, RIVERA, PROGRAM_NUMBER, REQUEST)
        .await;
    assert_eq!(status, 200);
    let offers = fake.wait_for_sends(2, StdDuration::from_secs(2)).await;
    assert_eq!(offers.len(), 2, "{offers:#?}");

    // Dana takes it while the receipt still hangs: her assignment and Lee's
    // notice go out at once, not when the officer's send gives up.
    let taken = Instant::now();
    let (status, _) = fake.post_inbound(&url, DANA, PROGRAM_NUMBER, "Y1001").await;
    assert_eq!(status, 200);
    let sent = fake.wait_for_sends(4, StdDuration::from_secs(6)).await;
    let took = taken.elapsed();
    assert_eq!(sent.len(), 4, "{sent:#?}");
    assert!(
        sent[2..].iter().all(|m| m.to == DANA || m.to == LEE),
        "{sent:#?}"
    );
    println!("with another phone's send hanging, Y1001's texts reached the provider in {took:?}");
    assert!(
        took < StdDuration::from_secs(2),
        "held back {took:?} behind the officer's send"
    );

    // The officer's texts follow, once each and in order, after the timeout and
    // a backoff.
    fake.stop_hanging(RIVERA);
    let officer = texts_to(&fake, RIVERA, 2, StdDuration::from_secs(15)).await;
    assert_eq!(officer, [RECEIPT, TAKING]);
    running.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_provider_taking_five_seconds_a_send_delays_no_webhook() {
    let fake = FakeTwilio::start(ACCOUNT_SID, AUTH_TOKEN).await;
    let (running, _dir) = on_the_wall_clock(&fake, "10s").await;
    let url = format!("{}/sms/inbound", running.public_url);
    fake.set_latency(StdDuration::from_secs(5));

    // Six requests one after another, each answered at once while the sends of
    // those before it are stuck at the provider.
    let mut slowest = StdDuration::ZERO;
    for n in 0..6 {
        let officer = if n % 2 == 0 { RIVERA } else { CHEN };
        let started = Instant::now();
        let (status, _) = fake
            .post_inbound(
                &url,
                officer,
                PROGRAM_NUMBER,
                &format!("LEAD {n} Grant St, trespass"),
            )
            .await;
        let took = started.elapsed();
        assert_eq!(status, 200);
        assert!(
            took < StdDuration::from_millis(500),
            "request {n} answered after {took:?}"
        );
        slowest = slowest.max(took);
    }
    assert!(fake.requests() >= 1, "no send was under way");
    assert!(fake.sent().is_empty(), "a send finished early");
    println!("with every send taking 5 s, the slowest of six webhooks took {slowest:?}");

    // The provider speeds up; every receipt and offer arrives.
    fake.set_latency(StdDuration::ZERO);
    let sent = fake.wait_for_sends(18, StdDuration::from_secs(20)).await;
    assert_eq!(sent.len(), 18, "{sent:#?}");
    for phone in [DANA, LEE] {
        assert_eq!(sent.iter().filter(|m| m.to == phone).count(), 6, "{phone}");
    }
    running.shutdown().await;
}

//! Getting texts to phones through an unreliable provider: a send that fails
//! (5xx) is retried with backoff and reaches its person exactly once; a 429's
//! `Retry-After` is honoured; texts to one phone arrive in the order they were
//! decided even when the first needed retries; a number that texted STOP gets
//! nothing more until START (routing passes its owner over, and an offer already
//! queued to it counts as undeliverable at once); an unknown number is told once a
//! day that it is not registered. Last, with its own
//! background workers on the wall clock, the service gets the offers of a request to
//! the provider in milliseconds.

use std::io::Write;
use std::sync::{Arc, Mutex, PoisonError};
use std::time::{Duration as StdDuration, Instant};

use chrono::Duration;
use handoff_bot::serve::{self, Options};
use handoff_bot::sms::outbound::LEASE;
use handoff_dispatcher::{EventKind, OutboxItem, OutboxStatus, Recipient, SystemClock};
use handoff_tests::database::on_every_database;
use handoff_tests::fake_twilio::FakeTwilio;
use handoff_tests::journey::{MONDAY, REQUEST, always_open, minutes, seconds};
use handoff_tests::service::{
    ACCOUNT_SID, AUTH_TOKEN, CHEN, DANA, LEE, PROGRAM, PROGRAM_NUMBER, RIVERA, ROSA, Service,
    journey_config,
};
use tempfile::TempDir;

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
const TAKING: &str = "Dana (case manager) is taking 1001.";
const OPTED_OUT: &str = "You are unsubscribed and will get no more texts. Reply START to resume.";
const OPTED_IN: &str = "You are subscribed again. Reply HELP for commands, STOP to opt out.";
const NOT_REGISTERED: &str = "This number is not registered with the program: please contact \
                              the program coordinator.";

/// Whose outbox row this is: a staff member's or an officer's id.
fn is_for(item: &OutboxItem, who: &str) -> bool {
    match &item.recipient {
        Recipient::Staff(person) => person.as_str() == who,
        Recipient::Officer(officer) => officer.as_str() == who,
        Recipient::Phone(phone) => phone.as_str() == who,
        Recipient::Matrix(user) => user.as_str() == who,
    }
}

/// The outbox row of the offer of hand-off 1001 to `person`.
async fn offer_row(svc: &Service, person: &str) -> OutboxItem {
    svc.outbox()
        .await
        .into_iter()
        .find(|m| m.message.is_offer() && is_for(m, person))
        .unwrap_or_else(|| panic!("no offer to {person} in the outbox"))
}

/// The latest instant a pending row waits for.
async fn last_retry(svc: &Service) -> chrono::DateTime<chrono::Utc> {
    svc.outbox()
        .await
        .into_iter()
        .filter(|m| m.status == OutboxStatus::Pending)
        .map(|m| m.next_attempt_at)
        .max()
        .unwrap_or_else(|| panic!("nothing is waiting for a retry"))
}

#[tokio::test]
async fn an_offer_the_provider_fails_three_times_is_retried_with_backoff_and_delivered_once() {
    on_every_database(async |database| {
        let svc = Service::start_with(PROGRAM, MONDAY, database).await;
        svc.text(RIVERA, REQUEST).await;
        // The supervisor's offer, at +5 min, meets a provider failing three times.
        svc.fake.fail_next(3, 500);
        let requests = svc.fake.requests();
        svc.advance(minutes(5)).await;
        assert_eq!(svc.fake.requests(), requests + 1);
        assert!(svc.texts_to(ROSA).is_empty());

        // Each retry waits 2 s * 2^attempt, give or take 20%: not a millisecond less.
        let mut waits = Vec::new();
        for attempt in 1..=3u32 {
            let row = offer_row(&svc, "rosa").await;
            assert_eq!((row.status, row.attempts), (OutboxStatus::Pending, attempt));
            let error = row.last_error.clone().unwrap_or_default();
            assert!(error.contains("500"), "{error}");
            let wait = row.next_attempt_at - svc.now();
            waits.push(wait);
            svc.advance(wait - Duration::milliseconds(1)).await;
            assert_eq!(
                svc.fake.requests(),
                requests + attempt as usize,
                "retried early"
            );
            svc.advance(Duration::milliseconds(1)).await;
            assert_eq!(svc.fake.requests(), requests + attempt as usize + 1);
        }
        for (attempt, wait) in (1..).zip(&waits) {
            let base = 2_000 * 2i64.pow(attempt);
            let ms = wait.num_milliseconds();
            assert!(
                base * 8 / 10 - 1 <= ms && ms <= base * 12 / 10,
                "wait {attempt}: {ms} ms, expected {base} ms +-20%"
            );
        }

        // Delivered exactly once, on the fourth try.
        assert_eq!(svc.texts_to(ROSA), [OFFER]);
        let row = offer_row(&svc, "rosa").await;
        assert_eq!((row.status, row.attempts), (OutboxStatus::Sent, 3));
        assert_eq!(row.provider_id, Some(svc.sid_of(ROSA, "LEAD 1001")));
        // The escalation clock was not disturbed: Rosa's offer counts from +5 min.
        let offered = svc
            .events()
            .await
            .into_iter()
            .rev()
            .find(|e| e.kind.name() == "offered");
        assert_eq!(
            offered.map(|e| e.at - handoff_tests::at(MONDAY)),
            Some(minutes(5))
        );
        svc.stop().await;
    })
    .await;
}

#[tokio::test]
async fn when_every_first_text_fails_three_times_each_person_still_gets_each_text_once() {
    on_every_database(async |database| {
        let svc = Service::start_with(PROGRAM, MONDAY, database).await;
        // The receipt and both offers go out side by side: three failures a pass.
        svc.fake.fail_next(9, 503);
        svc.text(RIVERA, REQUEST).await;
        for pass in 1..=3 {
            assert!(svc.sent().is_empty(), "pass {pass}");
            assert_eq!(svc.fake.requests(), 3 * pass);
            let at = last_retry(&svc).await;
            svc.advance(at - svc.now()).await;
        }
        assert_eq!(svc.fake.requests(), 12);
        assert_eq!(svc.texts_to(RIVERA), [RECEIPT]);
        assert_eq!(svc.texts_to(DANA), [OFFER]);
        assert_eq!(svc.texts_to(LEE), [OFFER]);
        let outbox = svc.outbox().await;
        assert_eq!(outbox.len(), 3);
        for row in outbox {
            assert_eq!(
                (row.status, row.attempts),
                (OutboxStatus::Sent, 3),
                "{row:?}"
            );
        }
        // Retrying is the transport's business: the hand-off's log shows none of it.
        assert_eq!(
            svc.event_kinds().await,
            ["requested", "step_started", "offered", "offered"]
        );
        svc.stop().await;
    })
    .await;
}

#[tokio::test]
async fn a_429_with_retry_after_is_honoured() {
    on_every_database(async |database| {
        let svc = Service::start_with(PROGRAM, MONDAY, database).await;
        let start = svc.now();
        svc.fake.fail_next_with_retry_after(3, 429, 60);
        svc.text(RIVERA, REQUEST).await;
        // The provider asked for 60 s, well beyond the first backoff (about 4 s).
        for row in svc.outbox().await {
            assert_eq!(row.next_attempt_at, start + seconds(60), "{row:?}");
            let error = row.last_error.clone().unwrap_or_default();
            assert!(error.contains("429"), "{error}");
        }
        svc.advance(seconds(59)).await;
        assert_eq!(svc.fake.requests(), 3);
        assert!(svc.sent().is_empty());
        svc.advance(seconds(1)).await;
        assert_eq!(svc.fake.requests(), 6);
        assert_eq!(svc.texts_to(RIVERA), [RECEIPT]);
        assert_eq!(svc.texts_to(DANA), [OFFER]);
        assert_eq!(svc.texts_to(LEE), [OFFER]);
        svc.stop().await;
    })
    .await;
}

#[tokio::test]
async fn texts_to_one_phone_keep_their_order_when_the_first_needed_retries() {
    on_every_database(async |database| {
        let svc = Service::start_with(PROGRAM, MONDAY, database).await;
        svc.fake.fail_next(3, 500);
        svc.text(RIVERA, REQUEST).await;
        assert!(svc.sent().is_empty());
        // Dana answers at once. "Dana is taking 1001" is due now, but the officer's
        // receipt still waits for its retry: it must not be overtaken.
        svc.text(DANA, "Y1001").await;
        assert!(svc.sent().is_empty());
        assert_eq!(
            svc.fake.requests(),
            3,
            "a later text went ahead of an earlier one"
        );
        let taking = svc
            .outbox()
            .await
            .into_iter()
            .find(|m| matches!(m.message, handoff_dispatcher::Message::Assigned { .. }))
            .unwrap_or_else(|| panic!("no Assigned message in the outbox"));
        assert_eq!((taking.status, taking.attempts), (OutboxStatus::Pending, 0));

        let at = last_retry(&svc).await;
        svc.advance(at - svc.now()).await;
        assert_eq!(svc.texts_to(RIVERA), [RECEIPT, TAKING]);
        assert_eq!(svc.texts_to(DANA), [OFFER, ASSIGNMENT]);
        assert_eq!(svc.texts_to(LEE), [OFFER, "1001 was taken by Dana."]);
        svc.stop().await;
    })
    .await;
}

#[tokio::test]
async fn after_stop_nothing_more_is_texted_to_her_and_she_is_passed_over_until_start() {
    on_every_database(async |database| {
        let svc = Service::start_with(PROGRAM, MONDAY, database).await;
        svc.text(DANA, "STOP").await;
        assert_eq!(svc.texts_to(DANA), [OPTED_OUT]);

        // A request: routing passes over a number that opted out; Lee alone is offered.
        svc.text(RIVERA, REQUEST).await;
        assert_eq!(svc.texts_to(DANA), [OPTED_OUT]);
        assert_eq!(svc.texts_to(LEE), [OFFER]);
        assert_eq!(
            svc.event_kinds().await,
            ["requested", "step_started", "offered"]
        );
        assert!(
            svc.outbox()
                .await
                .iter()
                .all(|m| !(m.message.is_offer() && is_for(m, "dana")))
        );

        // Her own texts get no answer by SMS either.
        svc.text(DANA, "WHO").await;
        assert_eq!(svc.texts_to(DANA), [OPTED_OUT]);
        let who = svc.outbox().await.into_iter().last();
        assert_eq!(
            who.map(|m| (m.status, m.last_error)),
            Some((
                OutboxStatus::Failed,
                Some("the number opted out of SMS".to_owned())
            ))
        );

        // Lee passes: the round had only Lee, so Rosa is offered at once.
        svc.text(LEE, "N1001").await;
        assert_eq!(svc.texts_to(ROSA), [OFFER]);

        // START restores her: the next request is offered to her by SMS.
        svc.text(DANA, "START").await;
        assert_eq!(svc.texts_to(DANA), [OPTED_OUT, OPTED_IN]);
        svc.text(CHEN, "LEAD Penn Ave & 9th, trespass").await;
        let offer = svc.last_text_to(DANA);
        assert!(offer.starts_with("LEAD 1002: "), "{offer}");
        svc.stop().await;
    })
    .await;
}

#[tokio::test]
async fn an_offer_still_queued_at_stop_fails_as_opted_out_and_counts_as_undeliverable_at_once() {
    on_every_database(async |database| {
        let svc = Service::start_with(PROGRAM, MONDAY, database).await;
        // The first texts wait for a retry...
        svc.fake.fail_next(3, 500);
        svc.text(RIVERA, REQUEST).await;
        assert!(svc.sent().is_empty());
        // ...when Dana texts STOP. Her confirmation queues behind her offer.
        svc.text(DANA, "STOP").await;
        assert!(svc.sent().is_empty());

        let at = last_retry(&svc).await;
        svc.advance(at - svc.now()).await;
        // The offer is not sent to a number that opted out; only the confirmation is.
        assert_eq!(svc.texts_to(DANA), [OPTED_OUT]);
        assert_eq!(svc.texts_to(LEE), [OFFER]);
        let row = offer_row(&svc, "dana").await;
        assert_eq!(row.status, OutboxStatus::Failed);
        assert_eq!(
            row.last_error.as_deref(),
            Some("the number opted out of SMS")
        );
        // It counts as unanswered the moment delivery gives up on it.
        let undeliverable = svc.events_named("offer_undeliverable").await;
        assert_eq!(undeliverable.len(), 1);
        assert!(matches!(&undeliverable[0].kind,
            EventKind::OfferUndeliverable { person } if person.as_str() == "dana"));
        assert_eq!(undeliverable[0].at, svc.now());

        // So Lee's pass ends the round at once.
        svc.text(LEE, "N1001").await;
        assert_eq!(svc.texts_to(ROSA), [OFFER]);
        assert_eq!(
            svc.event_kinds().await,
            [
                "requested",
                "step_started",
                "offered",
                "offered",
                "offer_undeliverable",
                "declined",
                "step_started",
                "offered"
            ]
        );
        svc.stop().await;
    })
    .await;
}

#[tokio::test]
async fn a_pass_that_stalls_past_its_lease_sends_nothing_and_the_next_takes_the_lease_back_and_sends_each_text_once()
 {
    on_every_database(async |database| {
        let svc = Service::start_with(PROGRAM, MONDAY, database).await;
        let (status, _) = svc
            .fake
            .post_inbound(&svc.url("/sms/inbound"), RIVERA, PROGRAM_NUMBER, REQUEST)
            .await;
        assert_eq!(status, 200);
        let worker = svc
            .running
            .outbound
            .as_ref()
            .unwrap_or_else(|| panic!("the journey program sends SMS"));

        // The pass reads its batch, then stalls until its lease has run out by the
        // database's clock (nobody else is there to take it).
        let pass = worker.read_pending().await.unwrap();
        svc.running
            .engine
            .outbox()
            .expire_lease(LEASE)
            .await
            .unwrap();
        let wake = worker.send_pending(pass).await.unwrap();
        assert_eq!(svc.fake.requests(), 0, "sent without holding the lease");
        assert_eq!(wake, Some(svc.now()), "it looks again at once");

        // The next pass takes the lease back, under a new epoch, and sends.
        svc.settle().await;
        assert_eq!(svc.fake.requests(), 3);
        assert_eq!(svc.texts_to(RIVERA), [RECEIPT]);
        assert_eq!(svc.texts_to(DANA), [OFFER]);
        assert_eq!(svc.texts_to(LEE), [OFFER]);
        svc.stop().await;
    })
    .await;
}

/// A `tracing` writer into memory, to read what the service logged.
#[derive(Clone, Default)]
struct Captured(Arc<Mutex<Vec<u8>>>);

impl Captured {
    fn text(&self) -> String {
        let bytes = self.0.lock().unwrap_or_else(PoisonError::into_inner);
        String::from_utf8_lossy(&bytes).into_owned()
    }
}

impl Write for Captured {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .extend_from_slice(buf);
        Ok(buf.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

impl<'a> tracing_subscriber::fmt::MakeWriter<'a> for Captured {
    type Writer = Captured;
    fn make_writer(&'a self) -> Captured {
        self.clone()
    }
}

/// A number in no roster.
const STRANGER: &str = "+14125550199";

#[tokio::test]
async fn an_unknown_number_is_told_once_a_day_that_it_is_not_registered_and_the_attempt_is_logged()
{
    // The service runs on this test's thread (a current-thread runtime), so a
    // subscriber set for the thread sees what the webhook handler logs.
    let log = Captured::default();
    let subscriber = tracing_subscriber::fmt()
        .with_writer(log.clone())
        .with_max_level(tracing::Level::WARN)
        .with_ansi(false)
        .finish();
    let _logging = tracing::subscriber::set_default(subscriber);

    let svc = Service::start(MONDAY).await;
    let (status, _) = svc.text(STRANGER, REQUEST).await;
    assert_eq!(status, 200);
    assert_eq!(svc.texts_to(STRANGER), [NOT_REGISTERED]);
    svc.advance(Duration::hours(2)).await;
    svc.text(STRANGER, "hello? anyone there").await;
    assert_eq!(svc.texts_to(STRANGER), [NOT_REGISTERED], "told twice a day");

    // No hand-off was opened, nothing else was texted, and both attempts are in the
    // log, by the number's last four digits only.
    assert!(svc.open_handoffs().await.is_empty());
    assert!(svc.events().await.is_empty());
    assert_eq!(svc.sent().len(), 1);
    let logged = log.text();
    let attempts: Vec<&str> = logged
        .lines()
        .filter(|l| l.contains("text from an unregistered number"))
        .collect();
    assert_eq!(attempts.len(), 2, "{logged}");
    assert!(attempts.iter().all(|l| l.contains("0199")), "{logged}");
    assert!(
        !logged.contains("5550199"),
        "the whole number was logged: {logged}"
    );

    // A day after the refusal, one more.
    svc.advance(Duration::hours(22)).await;
    svc.text(STRANGER, REQUEST).await;
    assert_eq!(svc.texts_to(STRANGER), [NOT_REGISTERED, NOT_REGISTERED]);
    assert!(svc.events().await.is_empty());
    svc.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn with_its_background_workers_the_service_texts_the_offers_within_a_second_of_the_request() {
    let fake = FakeTwilio::start(ACCOUNT_SID, AUTH_TOKEN).await;
    let config = journey_config(&always_open(), &fake);
    let dir = TempDir::new().unwrap_or_else(|e| panic!("temporary directory: {e}"));
    let options = Options {
        listen: Some(([127, 0, 0, 1], 0).into()),
        database: Some(format!("sqlite://{}/handoff.db", dir.path().display())),
        public_url: None,
    };
    let running = serve::start(&config, options, Arc::new(SystemClock), true)
        .await
        .unwrap_or_else(|e| panic!("handoff did not start: {e:#}"));
    let url = format!("{}/sms/inbound", running.public_url);

    for (n, officer) in [(1usize, RIVERA), (2, CHEN)] {
        let started = Instant::now();
        let (status, _) = fake
            .post_inbound(&url, officer, PROGRAM_NUMBER, REQUEST)
            .await;
        let answered = started.elapsed();
        assert_eq!(status, 200);
        // The receipt and the two offers: three texts per request.
        let sent = fake.wait_for_sends(3 * n, StdDuration::from_secs(5)).await;
        let elapsed = started.elapsed();
        assert_eq!(sent.len(), 3 * n, "{sent:#?}");
        let id = 1000 + n;
        for cm in [DANA, LEE] {
            assert!(
                sent.iter()
                    .any(|m| m.to == cm && m.body.starts_with(&format!("LEAD {id}: "))),
                "no offer of {id} to {cm}: {sent:#?}"
            );
        }
        assert!(sent.iter().any(|m| m.to == officer));
        println!(
            "request {id}: webhook answered in {:.1} ms, offers at the provider in {:.1} ms",
            answered.as_secs_f64() * 1000.0,
            elapsed.as_secs_f64() * 1000.0
        );
        assert!(
            elapsed < StdDuration::from_secs(1),
            "the offers took {elapsed:?} on loopback"
        );
    }
    running.shutdown().await;
}

#[tokio::test]
async fn when_the_officers_phone_stops_taking_texts_the_case_manager_is_told_once() {
    on_every_database(async |database| {
        let svc = Service::start_with(PROGRAM, MONDAY, database).await;
        svc.text(RIVERA, REQUEST).await;
        assert_eq!(svc.texts_to(RIVERA), [RECEIPT]);
        // The officer's number starts refusing texts (say, a lost phone).
        svc.fake.reject_number(RIVERA, 21610);
        svc.text(DANA, "Y1001").await;
        assert_eq!(
            svc.texts_to(RIVERA),
            [RECEIPT],
            "\"Dana is coming\" did not get through"
        );
        let told = "1001: texts to Ofc. Rivera are not getting through. Go to the place given, \
                    or reply BACK 1001 if you cannot go.";
        assert_eq!(svc.last_text_to(DANA), told);

        // Her ETA does not get through either: she is not told twice.
        svc.text(DANA, "ETA 15").await;
        let notices = svc.texts_to(DANA).iter().filter(|t| *t == told).count();
        assert_eq!(notices, 1);
        let failed = svc
            .events()
            .await
            .iter()
            .filter(|e| matches!(e.kind, EventKind::NotDelivered { .. }))
            .count();
        assert_eq!(failed, 2, "both failures are in the log");
        svc.stop().await;
    })
    .await;
}

//! The database failing under the service: its SQLite file's write lock held by
//! another process, or its writes refused as by a full disk. A webhook then gets
//! `503` with `Retry-After`, within a bounded time, and nothing of its text is
//! written; once the database takes writes again, the provider's retry of the same
//! `MessageSid` is handled once, and its texts go out once.
//!
//! The lock is taken by a connection of this test (`BEGIN EXCLUSIVE` on the
//! service's own file), as `sqlite3` or another `handoff` would take it. The full
//! disk is a file size limit of zero set on a running `handoff serve` (prlimit,
//! which needs no privilege over one's own child): every write to a file then
//! fails, as on a disk with no space left (EFBIG rather than ENOSPC; SQLite
//! reports an I/O error rather than SQLITE_FULL, and rolls back the same way).

use std::time::{Duration, Instant};

use handoff_tests::database::{connect, count};
use handoff_tests::fake_twilio::{Answer, FakeTwilio, message_sid};
use handoff_tests::journey::{MONDAY, REQUEST, always_open};
use handoff_tests::process::{free_port, program_file, serve_ignoring_sigxfsz, terminate};
use handoff_tests::service::{
    ACCOUNT_SID, AUTH_TOKEN, CHEN, DANA, LEE, PROGRAM, PROGRAM_NUMBER, RIVERA, Service,
};
use rustix::process::{Pid, Resource, Rlimit, getrlimit, prlimit};
use tempfile::TempDir;

/// How long a SQLite connection of the service waits for another's write lock
/// (`PRAGMA busy_timeout` in `dispatcher/src/store`).
const BUSY_TIMEOUT: Duration = Duration::from_secs(5);

/// The rows one inbound text may write, counted: its id, its sender, hand-offs,
/// events, the outbox.
async fn written(rows: &mut sqlx::AnyConnection) -> [i64; 5] {
    [
        count(rows, "SELECT COUNT(*) FROM inbound_seen").await,
        count(rows, "SELECT COUNT(*) FROM senders").await,
        count(rows, "SELECT COUNT(*) FROM handoffs").await,
        count(rows, "SELECT COUNT(*) FROM events").await,
        count(rows, "SELECT COUNT(*) FROM outbox").await,
    ]
}

/// Fails unless the webhook asked the provider to come back later.
fn assert_retry_later(answer: &Answer, what: &str) {
    assert_eq!(answer.status, 503, "{what}: {answer:?}");
    let seconds: Option<u64> = answer.retry_after.as_deref().and_then(|s| s.parse().ok());
    assert!(
        seconds.is_some_and(|s| s >= 1),
        "{what}: no Retry-After in {answer:?}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn while_another_process_holds_the_write_lock_webhooks_get_503_in_bounded_time_and_their_retries_are_handled_once()
 {
    let dir = TempDir::new().unwrap_or_else(|e| panic!("a temporary directory: {e}"));
    let database = format!("sqlite://{}/handoff.db", dir.path().display());
    let svc = Service::start_with(PROGRAM, MONDAY, Some(database.clone())).await;
    let mut rows = connect(&database).await;
    let mut holder = connect(&database).await;
    sqlx::raw_sql("BEGIN EXCLUSIVE")
        .execute(&mut holder)
        .await
        .unwrap_or_else(|e| panic!("taking the write lock: {e}"));

    // Four texts at once, from four phones: two requests, two commands.
    let texts = [
        (message_sid(), RIVERA, REQUEST),
        (message_sid(), CHEN, "LEAD Penn Ave & 9th, trespass"),
        (message_sid(), DANA, "WHO"),
        (message_sid(), LEE, "HELP"),
    ];
    let url = svc.url("/sms/inbound");
    let started = Instant::now();
    let fake = &svc.fake;
    let (a, b, c, d) = tokio::join!(
        timed(fake, &url, &texts[0]),
        timed(fake, &url, &texts[1]),
        timed(fake, &url, &texts[2]),
        timed(fake, &url, &texts[3]),
    );
    let answers = [a, b, c, d];
    // Texts queued behind one another in the service do not add their waits up.
    // At most twice the busy timeout (its turn among the service's writers, then
    // SQLite's wait), well before the provider gives up (Twilio waits 15 s).
    let bound = 2 * BUSY_TIMEOUT + Duration::from_secs(2);
    for ((_, from, body), (answer, took)) in texts.iter().zip(&answers) {
        assert_retry_later(answer, &format!("{body:?} from {from}"));
        assert!(
            *took < bound,
            "{body:?} from {from} was answered after {took:?}"
        );
    }
    println!(
        "four webhooks against a locked database answered 503 within {:?}",
        started.elapsed()
    );
    assert_eq!(written(&mut rows).await, [0; 5], "written while locked");

    // The lock is let go; the provider retries each text with its MessageSid.
    sqlx::raw_sql("ROLLBACK")
        .execute(&mut holder)
        .await
        .unwrap_or_else(|e| panic!("letting the lock go: {e}"));
    for (sid, from, body) in &texts {
        let (status, _) = svc
            .fake
            .post_inbound_with_sid(&url, sid, from, PROGRAM_NUMBER, body)
            .await;
        assert_eq!(status, 200, "the retry of {body:?}");
    }
    svc.settle().await;
    let handled = written(&mut rows).await;
    assert_eq!(handled[..3], [4, 4, 2], "{handled:?}");
    for officer in [RIVERA, CHEN] {
        let receipts = svc.texts_to(officer);
        assert_eq!(receipts.len(), 1, "{receipts:?}");
        assert!(receipts[0].starts_with("Got it: hand-off "), "{receipts:?}");
    }
    for cm in [DANA, LEE] {
        let texts = svc.texts_to(cm);
        let offers = texts.iter().filter(|t| t.starts_with("LEAD 100")).count();
        assert_eq!((texts.len(), offers), (3, 2), "{cm}: {texts:#?}");
    }

    // Retried once more, each is acknowledged and nothing is done again.
    let sent = svc.sent().len();
    for (sid, from, body) in &texts {
        let (status, _) = svc
            .fake
            .post_inbound_with_sid(&url, sid, from, PROGRAM_NUMBER, body)
            .await;
        assert_eq!(status, 200);
    }
    svc.settle().await;
    assert_eq!(written(&mut rows).await, handled);
    assert_eq!(svc.sent().len(), sent);
    svc.stop().await;
}

/// Posts one text with its MessageSid; returns the answer and how long it took.
async fn timed(fake: &FakeTwilio, url: &str, text: &(String, &str, &str)) -> (Answer, Duration) {
    let (sid, from, body) = text;
    let started = Instant::now();
    let answer = fake
        .post_inbound_answer(url, sid, from, PROGRAM_NUMBER, body)
        .await;
    (answer, started.elapsed())
}

/// Sets the soft file size limit of the process `pid` (its hard limit stays).
fn limit_file_size(pid: Pid, bytes: Option<u64>) {
    let ours = getrlimit(Resource::Fsize);
    prlimit(
        Some(pid),
        Resource::Fsize,
        Rlimit {
            current: bytes,
            maximum: ours.maximum,
        },
    )
    .unwrap_or_else(|e| panic!("prlimit on handoff: {e}"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn when_the_disk_refuses_writes_webhooks_get_503_write_nothing_and_once_it_takes_them_the_retries_are_handled_once()
 {
    let fake = FakeTwilio::start(ACCOUNT_SID, AUTH_TOKEN).await;
    let dir = TempDir::new().unwrap_or_else(|e| panic!("a temporary directory: {e}"));
    let config = program_file(&fake, dir.path(), &always_open());
    let database = format!("sqlite://{}/handoff.db", dir.path().display());
    let (mut child, url) = serve_ignoring_sigxfsz(&config, &database, free_port());
    let pid = i32::try_from(child.id())
        .ok()
        .and_then(Pid::from_raw)
        .unwrap_or_else(|| panic!("no pid for handoff"));
    let inbound = format!("{url}/sms/inbound");
    let mut rows = connect(&database).await;

    // A request while the disk is fine: hand-off 1001, offered to Dana and Lee.
    // The provider is slow to take its three texts, and the disk stops taking
    // writes while they are under way: the provider takes them, but the service
    // cannot mark them sent.
    fake.set_latency(Duration::from_millis(800));
    let (status, _) = fake
        .post_inbound(&inbound, RIVERA, PROGRAM_NUMBER, REQUEST)
        .await;
    assert_eq!(status, 200);
    let started = Instant::now();
    while fake.requests() < 3 {
        assert!(started.elapsed() < Duration::from_secs(10), "no sends");
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
    limit_file_size(pid, Some(0));
    assert!(fake.sent().is_empty(), "taken before the disk filled");
    assert_eq!(
        fake.wait_for_sends(3, Duration::from_secs(10)).await.len(),
        3
    );
    fake.set_latency(Duration::ZERO);
    let before = written(&mut rows).await;
    let unsent = "SELECT COUNT(*) FROM outbox WHERE status = 'pending'";
    assert_eq!(count(&mut rows, unsent).await, 3, "marked on a full disk");

    // Dana takes the hand-off, and Chen asks for another: each webhook is
    // answered 503 at once and leaves nothing behind.
    let take = message_sid();
    let ask = message_sid();
    let chen = "LEAD Penn Ave & 9th, trespass";
    for (sid, from, body) in [(&take, DANA, "Y1001"), (&ask, CHEN, chen)] {
        let started = Instant::now();
        let answer = fake
            .post_inbound_answer(&inbound, sid, from, PROGRAM_NUMBER, body)
            .await;
        assert_retry_later(&answer, body);
        let took = started.elapsed();
        assert!(
            took < Duration::from_secs(2),
            "{body}: answered after {took:?}"
        );
    }
    assert_eq!(written(&mut rows).await, before, "written on a full disk");
    let state = "SELECT COUNT(*) FROM handoffs WHERE state = 'offering'";
    assert_eq!(count(&mut rows, state).await, 1);
    assert_eq!(fake.sent().len(), 3);

    // Space is back: the provider's retries are handled, once each, and the
    // texts the provider took before are marked, not sent again.
    limit_file_size(pid, None);
    for (sid, from, body) in [(&take, DANA, "Y1001"), (&ask, CHEN, chen)] {
        let (status, _) = fake
            .post_inbound_with_sid(&inbound, sid, from, PROGRAM_NUMBER, body)
            .await;
        assert_eq!(status, 200, "the retry of {body}");
    }
    // Each phone gets each of its texts once, in order: Rivera the receipt and
    // who comes; Dana her offer and her assignment; Lee his offer, that Dana took
    // it, and Chen's request (Dana, busy now, is not offered it); Chen his receipt.
    let sent = fake.wait_for_sends(8, Duration::from_secs(10)).await;
    assert_eq!(sent.len(), 8, "{sent:#?}");
    let expected: [(&str, &[&str]); 4] = [
        (
            RIVERA,
            &[
                "Got it: hand-off 1001 ",
                "Dana (case manager) is taking 1001.",
            ],
        ),
        (DANA, &["LEAD 1001: ", "1001 is yours"]),
        (
            LEE,
            &["LEAD 1001: ", "1001 was taken by Dana.", "LEAD 1002: "],
        ),
        (CHEN, &["Got it: hand-off 1002 "]),
    ];
    for (phone, starts) in expected {
        let texts: Vec<&str> = sent
            .iter()
            .filter(|m| m.to == phone)
            .map(|m| m.body.as_str())
            .collect();
        assert_eq!(texts.len(), starts.len(), "{phone}: {texts:#?}");
        for (text, start) in texts.iter().zip(starts) {
            assert!(text.starts_with(start), "{phone}: {texts:#?}");
        }
    }
    let handled = written(&mut rows).await;
    assert_eq!(
        handled[..3],
        [before[0] + 2, before[1] + 2, 2],
        "{handled:?}"
    );

    // Retried again, both are acknowledged and nothing is done twice.
    for (sid, from, body) in [(&take, DANA, "Y1001"), (&ask, CHEN, chen)] {
        let (status, _) = fake
            .post_inbound_with_sid(&inbound, sid, from, PROGRAM_NUMBER, body)
            .await;
        assert_eq!(status, 200);
    }
    assert_eq!(written(&mut rows).await, handled);
    assert_eq!(terminate(&mut child), Some(0));
    let sent = fake.sent();
    assert_eq!(sent.len(), 8, "{sent:#?}");
    assert_eq!(count(&mut rows, unsent).await, 0);
    let marked = "SELECT COUNT(DISTINCT provider_id) FROM outbox WHERE status = 'sent'";
    assert_eq!(count(&mut rows, marked).await, 8);
}

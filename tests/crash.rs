//! The `handoff` binary killed with SIGKILL in the middle of its work, and started
//! again: what it had acknowledged is not lost. A request whose webhook was
//! answered 200 is in the database; the texts it decided go out after the restart,
//! each once, at once (the restarted process reclaims its own sending lease); and
//! the hand-off carries on from where it stood.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::Duration;

use handoff_tests::database::{postgres_database, postgres_server};
use handoff_tests::fake_twilio::FakeTwilio;
use handoff_tests::journey::{REQUEST, always_open};
use handoff_tests::service::{ACCOUNT_SID, AUTH_TOKEN, CHEN, DANA, LEE, PROGRAM_NUMBER, RIVERA};

/// The `handoff` binary beside this test's own executable, built if missing.
fn binary() -> PathBuf {
    let exe = std::env::current_exe().unwrap_or_else(|e| panic!("own path: {e}"));
    let dir = exe
        .parent()
        .and_then(Path::parent)
        .unwrap_or_else(|| panic!("no target directory above {}", exe.display()));
    let path = dir.join("handoff");
    if !path.exists() {
        let built = Command::new(env!("CARGO"))
            // Named by package: run from this crate's directory, a bare `--bin`
            // looks for it in `handoff-tests`, which has none.
            .args(["build", "-p", "handoff", "--bin", "handoff"])
            .status()
            .unwrap_or_else(|e| panic!("running cargo: {e}"));
        assert!(
            built.success(),
            "cargo build -p handoff --bin handoff failed"
        );
    }
    path
}

/// A free loopback port, so both runs listen on the same address.
fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .unwrap_or_else(|e| panic!("finding a free port: {e}"))
}

/// Starts `handoff serve` and waits until it says where it listens.
fn serve(config: &Path, database: &str, port: u16) -> (Child, String) {
    let mut child = Command::new(binary())
        .args(["serve", "--config"])
        .arg(config)
        .args([
            "--database",
            database,
            "--listen",
            &format!("127.0.0.1:{port}"),
        ])
        .env("JOURNEY_SMS_TOKEN", AUTH_TOKEN)
        .env_remove("HANDOFF_INSTANCE")
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap_or_else(|e| panic!("starting handoff: {e}"));
    let stdout = child.stdout.take().unwrap_or_else(|| panic!("no stdout"));
    let mut lines = BufReader::new(stdout).lines();
    let url = loop {
        let line = lines
            .next()
            .unwrap_or_else(|| panic!("handoff exited before listening"))
            .unwrap_or_else(|e| panic!("reading its output: {e}"));
        if let Some(url) = line.split(" on ").nth(1) {
            break url.trim().to_owned();
        }
    };
    // Keep reading, so its later lines never meet a closed pipe.
    std::thread::spawn(move || for _ in lines {});
    (child, url)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn texts_decided_before_a_sigkill_go_out_once_after_the_restart() {
    let fake = FakeTwilio::start(ACCOUNT_SID, AUTH_TOKEN).await;
    let dir = tempfile::TempDir::new().unwrap();
    let config = program_with(&fake, dir.path());
    let database = format!("sqlite://{}/handoff.db", dir.path().display());
    let port = free_port();

    // The provider hangs on the receipt and both offers; the request is committed
    // and acknowledged, then the process is killed while its sends hang.
    fake.hang_next(3);
    let (mut first, url) = serve(&config, &database, port);
    let (status, _) = fake
        .post_inbound(
            &format!("{url}/sms/inbound"),
            RIVERA,
            PROGRAM_NUMBER,
            REQUEST,
        )
        .await;
    assert_eq!(status, 200);
    let started = std::time::Instant::now();
    while fake.requests() < 3 {
        assert!(
            started.elapsed() < Duration::from_secs(10),
            "the sends never began"
        );
        tokio::task::yield_now().await;
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
    first.kill().unwrap();
    first.wait().unwrap();
    assert!(
        fake.sent().is_empty(),
        "nothing got through before the kill"
    );

    // Restarted on the same address: everything decided goes out, each once,
    // without waiting for the dead process's lease to run out.
    let restarted = std::time::Instant::now();
    let (mut second, url) = serve(&config, &database, port);
    let sent = fake.wait_for_sends(3, Duration::from_secs(10)).await;
    assert_eq!(sent.len(), 3, "{sent:#?}");
    assert!(
        restarted.elapsed() < Duration::from_secs(10),
        "took {:?}",
        restarted.elapsed()
    );
    for phone in [RIVERA, DANA, LEE] {
        assert_eq!(
            sent.iter().filter(|m| m.to == phone).count(),
            1,
            "{phone}: {sent:#?}"
        );
    }

    // And the hand-off goes on: Dana takes it.
    let (status, _) = fake
        .post_inbound(&format!("{url}/sms/inbound"), DANA, PROGRAM_NUMBER, "Y1001")
        .await;
    assert_eq!(status, 200);
    let sent = fake.wait_for_sends(6, Duration::from_secs(10)).await;
    assert_eq!(sent.len(), 6, "{sent:#?}");
    assert!(
        sent.iter()
            .any(|m| m.to == RIVERA && m.body == "Dana (case manager) is taking 1001."),
        "{sent:#?}"
    );
    let stopped = Command::new("kill")
        .args(["-TERM", &second.id().to_string()])
        .status()
        .unwrap();
    assert!(stopped.success());
    assert_eq!(second.wait().unwrap().code(), Some(0));
}

/// The program of these tests, with the fake provider as its SMS transport.
fn program_with(fake: &FakeTwilio, dir: &Path) -> PathBuf {
    let config = dir.join("program.toml");
    std::fs::write(
        &config,
        format!(
            "{}\n[transports.sms]\nprovider = \"twilio\"\napi_base = \"{}\"\n\
             account_sid = \"{ACCOUNT_SID}\"\nfrom = \"{PROGRAM_NUMBER}\"\n\
             auth_token_env = \"JOURNEY_SMS_TOKEN\"\n",
            always_open(),
            fake.base_url()
        ),
    )
    .unwrap_or_else(|e| panic!("writing the program: {e}"));
    config
}

/// Posts every request of the burst at once; returns which were answered, and how.
async fn burst(
    fake: &std::sync::Arc<FakeTwilio>,
    url: &str,
    requests: &[(String, &'static str, String)],
    answered: &std::sync::Arc<std::sync::atomic::AtomicUsize>,
) -> Vec<Option<u16>> {
    let mut tasks = tokio::task::JoinSet::new();
    for (n, (sid, from, body)) in requests.iter().cloned().enumerate() {
        let (fake, url, answered) = (fake.clone(), url.to_owned(), answered.clone());
        tasks.spawn(async move {
            let inbound = format!("{url}/sms/inbound");
            let got = fake
                .try_post_inbound_with_sid(&inbound, &sid, from, PROGRAM_NUMBER, &body)
                .await;
            answered.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
            (n, got.map(|(status, _)| status))
        });
    }
    let mut statuses = vec![None; requests.len()];
    while let Some(joined) = tasks.join_next().await {
        let (n, status) = joined.unwrap_or_else(|e| panic!("a post panicked: {e}"));
        statuses[n] = status;
    }
    statuses
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_burst_cut_by_a_sigkill_and_retried_by_the_provider_opens_each_request_exactly_once() {
    let dir = tempfile::TempDir::new().unwrap();
    burst_cut_by_a_sigkill(&format!("sqlite://{}/handoff.db", dir.path().display())).await;
    if let Some(admin) = postgres_server() {
        let database = postgres_database(&admin).await;
        let url = database.url().unwrap_or_else(|| panic!("a PostgreSQL URL"));
        burst_cut_by_a_sigkill(&url).await;
        database.dispose().await;
    }
}

/// The burst journey on the database at `database`.
async fn burst_cut_by_a_sigkill(database: &str) {
    let fake = std::sync::Arc::new(FakeTwilio::start(ACCOUNT_SID, AUTH_TOKEN).await);
    let dir = tempfile::TempDir::new().unwrap_or_else(|e| panic!("a temporary directory: {e}"));
    let config = program_with(&fake, dir.path());
    let port = free_port();
    // Two officers, twenty different requests each, each with its own MessageSid.
    let requests: Vec<(String, &'static str, String)> = (0..40)
        .map(|n| {
            let officer = if n % 2 == 0 { RIVERA } else { CHEN };
            (
                format!("SMburst{n:04}"),
                officer,
                format!("LEAD {} Liberty Ave, trespass", 100 + n),
            )
        })
        .collect();

    let (mut first, url) = serve(&config, database, port);
    let answered = std::sync::Arc::new(std::sync::atomic::AtomicUsize::new(0));
    let cut = {
        let (fake, url, requests, answered) = (
            fake.clone(),
            url.clone(),
            requests.clone(),
            answered.clone(),
        );
        tokio::spawn(async move { burst(&fake, &url, &requests, &answered).await })
    };
    // Kill it in the middle of the burst: some requests answered, some in flight.
    let started = std::time::Instant::now();
    while answered.load(std::sync::atomic::Ordering::SeqCst) < 8 {
        assert!(started.elapsed() < Duration::from_secs(30), "no answers");
        tokio::time::sleep(Duration::from_millis(2)).await;
    }
    first.kill().unwrap();
    first.wait().unwrap();
    let before = cut.await.unwrap();
    let acknowledged = before.iter().filter(|s| **s == Some(200)).count();
    assert!(acknowledged >= 8, "{before:?}");
    assert!(
        before.iter().any(|s| *s != Some(200)),
        "the kill came after the whole burst: {before:?}"
    );

    // The provider retries every text of the burst (with the same MessageSid):
    // those handled before the kill are acknowledged, the others handled now.
    let (mut second, url) = serve(&config, database, port);
    let again = std::sync::Arc::new(std::sync::atomic::AtomicUsize::new(0));
    let after = burst(&fake, &url, &requests, &again).await;
    assert!(after.iter().all(|s| *s == Some(200)), "{after:?}");

    // Each request is exactly one hand-off, with its offers and its timer; no one
    // was offered the same step twice.
    let store = handoff_dispatcher::store::Records::open_existing(database)
        .await
        .unwrap();
    let open = store.open_handoffs().await.unwrap();
    assert_eq!(open.len(), requests.len());
    for (_, _, body) in &requests {
        let place = body.trim_start_matches("LEAD ");
        let matching: Vec<_> = open
            .iter()
            .filter(|h| h.request.location == place)
            .collect();
        assert_eq!(matching.len(), 1, "{place}");
        let handoff = matching[0];
        let mut offered: Vec<_> = handoff
            .offers
            .iter()
            .map(|o| (o.person.to_string(), o.step))
            .collect();
        offered.sort();
        assert_eq!(
            offered,
            [("dana".to_owned(), 0), ("lee".to_owned(), 0)],
            "{place}"
        );
    }
    // Later than any answer window the burst could have set.
    let far = chrono::DateTime::from_timestamp(4_102_444_800, 0).unwrap();
    assert_eq!(
        store.timers_due_by(far, 1000).await.unwrap().len(),
        requests.len(),
        "one answer window per hand-off"
    );
    store.close().await;
    second.kill().unwrap();
    second.wait().unwrap();
}

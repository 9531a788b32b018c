//! The `handoff` binary killed with SIGKILL in the middle of its work, and started
//! again: what it had acknowledged is not lost. A request whose webhook was
//! answered 200 is in the database; the texts it decided go out after the restart,
//! each once, at once (the restarted process reclaims its own sending lease); and
//! the hand-off carries on from where it stood.

use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::Duration;

use handoff_tests::fake_twilio::FakeTwilio;
use handoff_tests::journey::{REQUEST, always_open};
use handoff_tests::service::{ACCOUNT_SID, AUTH_TOKEN, DANA, LEE, PROGRAM_NUMBER, RIVERA};

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
            .args(["build", "--bin", "handoff"])
            .status()
            .unwrap_or_else(|e| panic!("running cargo: {e}"));
        assert!(built.success(), "cargo build --bin handoff failed");
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
    let config = dir.path().join("program.toml");
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
    .unwrap();
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

//! The real `handoff` binary, run as a process: exit codes, which stream errors go
//! to, and `--help`.

use std::process::Command;

fn handoff(args: &[&str]) -> std::process::Output {
    Command::new(env!("CARGO_BIN_EXE_handoff"))
        .args(args)
        .current_dir(concat!(env!("CARGO_MANIFEST_DIR"), "/../.."))
        .env_remove("HANDOFF_CONFIG")
        .output()
        .unwrap_or_else(|e| panic!("cannot run the handoff binary: {e}"))
}

#[test]
fn check_config_exits_zero_on_the_example_and_prints_a_summary() {
    let out = handoff(&["check-config", "--config", "config/example.toml"]);
    assert_eq!(out.status.code(), Some(0));
    assert!(String::from_utf8_lossy(&out.stdout).contains("is valid"));
}

#[test]
fn check_config_exits_two_with_errors_on_stderr_for_an_invalid_file() {
    let dir = std::env::temp_dir().join(format!("handoff-bin-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let file = dir.join("bad.toml");
    std::fs::write(&file, "[program]\nname = \"x\"\n\n[[sites]]\nid = \"a\"\ntime_zone = \"Mars/Olympus\"\nescalation = \"p\"\n").unwrap();
    let out = handoff(&["check-config", "--config", file.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains(":6:13: sites[0].time_zone: unknown time zone `Mars/Olympus`"),
        "{stderr}"
    );
    assert!(out.stdout.is_empty());
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn a_missing_file_exits_one_with_a_clear_message() {
    let out = handoff(&["check-config", "--config", "no/such/file.toml"]);
    assert_eq!(out.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&out.stderr).contains("cannot read no/such/file.toml"));
}

#[test]
fn help_lists_every_command() {
    let out = handoff(&["--help"]);
    let help = String::from_utf8_lossy(&out.stdout);
    for command in ["check-config", "on-duty", "schedule", "healthcheck"] {
        assert!(help.contains(command), "{help}");
    }
}

/// Reads lines from the child's stdout until one says where it serves.
fn served_address(stdout: std::process::ChildStdout) -> String {
    use std::io::BufRead;
    let mut lines = std::io::BufReader::new(stdout).lines();
    for line in lines.by_ref() {
        let line = line.unwrap_or_else(|e| panic!("reading serve's output: {e}"));
        if let Some(rest) = line.split(" on http://").nth(1) {
            return rest.trim().to_owned();
        }
    }
    panic!("serve never said where it listens");
}

fn get(addr: &str, path: &str) -> (u16, String) {
    use std::io::{Read, Write};
    let mut stream =
        std::net::TcpStream::connect(addr).unwrap_or_else(|e| panic!("connecting to {addr}: {e}"));
    stream
        .set_read_timeout(Some(std::time::Duration::from_secs(10)))
        .unwrap_or_else(|e| panic!("{e}"));
    write!(
        stream,
        "GET {path} HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\n\r\n"
    )
    .unwrap_or_else(|e| panic!("{e}"));
    let mut response = String::new();
    stream
        .read_to_string(&mut response)
        .unwrap_or_else(|e| panic!("{e}"));
    let code = response
        .split_whitespace()
        .nth(1)
        .and_then(|c| c.parse().ok())
        .unwrap_or_else(|| panic!("no status line in {response:?}"));
    (code, response)
}

#[test]
fn serve_runs_the_sandbox_reports_healthy_to_healthcheck_and_stops_cleanly_on_sigterm() {
    let dir = std::env::temp_dir().join(format!("handoff-serve-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let mut child = Command::new(env!("CARGO_BIN_EXE_handoff"))
        .args([
            "serve",
            "--config",
            "config/example.toml",
            "--listen",
            "127.0.0.1:0",
        ])
        .arg("--database")
        .arg(format!("sqlite://{}/handoff.db", dir.display()))
        .current_dir(concat!(env!("CARGO_MANIFEST_DIR"), "/../.."))
        .env_remove("HANDOFF_CONFIG")
        .env_remove("HANDOFF_DATABASE_URL")
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::null())
        .spawn()
        .unwrap();
    let addr = served_address(child.stdout.take().unwrap());

    let (code, body) = get(&addr, "/healthz");
    assert_eq!(code, 200, "{body}");
    assert!(body.contains("\"status\":\"ok\""), "{body}");
    let (code, page) = get(&addr, "/sandbox");
    assert_eq!(code, 200);
    assert!(
        page.contains("Ofc. Rivera") && page.contains("Dana Whitfield"),
        "every configured phone is on the page"
    );
    let (code, _) = get(&addr, "/sms/inbound");
    assert_eq!(code, 405, "the webhook takes POST only");
    let healthz = format!("http://{addr}/healthz");
    let probe = handoff(&["healthcheck", "--url", &healthz]);
    assert_eq!(
        probe.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&probe.stderr)
    );
    assert!(String::from_utf8_lossy(&probe.stdout).contains("\"status\":\"ok\""));

    let killed = Command::new("kill")
        .args(["-TERM", &child.id().to_string()])
        .status()
        .unwrap();
    assert!(killed.success());
    let started = std::time::Instant::now();
    let status = loop {
        if let Some(status) = child.try_wait().unwrap() {
            break status;
        }
        assert!(
            started.elapsed() < std::time::Duration::from_secs(15),
            "serve did not stop on SIGTERM"
        );
        std::thread::yield_now();
    };
    assert_eq!(status.code(), Some(0), "a clean stop exits 0");
    let probe = handoff(&["healthcheck", "--url", &healthz, "--timeout", "2"]);
    assert_eq!(
        probe.status.code(),
        Some(1),
        "nothing answers once it stopped"
    );
    assert!(
        String::from_utf8_lossy(&probe.stderr)
            .contains(&format!("error: no answer from {healthz}")),
        "{}",
        String::from_utf8_lossy(&probe.stderr)
    );
    assert!(
        dir.join("handoff.db").exists(),
        "the database stays for the next start"
    );
    std::fs::remove_dir_all(&dir).unwrap();
}

/// Polls `check` every 20 ms until it holds, for at most `seconds`: a process
/// reacting to a signal, which a test can only watch from outside.
fn eventually(seconds: u64, mut check: impl FnMut() -> bool) -> bool {
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(seconds);
    while std::time::Instant::now() < deadline {
        if check() {
            return true;
        }
        std::thread::sleep(std::time::Duration::from_millis(20));
    }
    false
}

fn signal(child: &std::process::Child, name: &str) {
    let sent = Command::new("kill")
        .args([&format!("-{name}"), &child.id().to_string()])
        .status()
        .unwrap_or_else(|e| panic!("running kill: {e}"));
    assert!(sent.success());
}

#[test]
fn sighup_reloads_a_valid_file_and_keeps_the_running_one_when_the_file_is_broken() {
    let dir = std::env::temp_dir().join(format!("handoff-hup-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let example = concat!(env!("CARGO_MANIFEST_DIR"), "/../../config/example.toml");
    let original = std::fs::read_to_string(example).unwrap();
    let config = dir.join("program.toml");
    std::fs::write(&config, &original).unwrap();
    let mut child = Command::new(env!("CARGO_BIN_EXE_handoff"))
        .args(["serve", "--listen", "127.0.0.1:0", "--config"])
        .arg(&config)
        .arg("--database")
        .arg(format!("sqlite://{}/handoff.db", dir.display()))
        .env_remove("HANDOFF_CONFIG")
        .env_remove("HANDOFF_DATABASE_URL")
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    let addr = served_address(child.stdout.take().unwrap());
    // Its log, line by line, to wait on what it says.
    let (log_tx, log) = std::sync::mpsc::channel::<String>();
    let stderr = child.stderr.take().unwrap();
    std::thread::spawn(move || {
        use std::io::BufRead;
        for line in std::io::BufReader::new(stderr)
            .lines()
            .map_while(Result::ok)
        {
            let _ = log_tx.send(line);
        }
    });
    let logged = |needle: &str| {
        let deadline = std::time::Instant::now() + std::time::Duration::from_secs(10);
        while let Some(left) = deadline.checked_duration_since(std::time::Instant::now()) {
            match log.recv_timeout(left) {
                Ok(line) if line.contains(needle) => return true,
                Ok(_) => {}
                Err(_) => return false,
            }
        }
        false
    };
    let sandbox = |addr: &str| get(addr, "/sandbox").1;
    assert!(!sandbox(&addr).contains("Kim Novak"));

    // A new case manager in the file, then SIGHUP: her phone is on the sandbox page.
    let with_kim = format!(
        "{original}\n[[people]]\nid = \"kim\"\nname = \"Kim Novak\"\nroles = [\"case_manager\"]\n\
         phone = \"+1 412 555 0118\"\n\n[[shifts]]\nperson = \"kim\"\n"
    );
    std::fs::write(&config, &with_kim).unwrap();
    signal(&child, "HUP");
    assert!(
        logged("configuration reloaded"),
        "the reload was not logged"
    );
    assert!(
        sandbox(&addr).contains("Kim Novak"),
        "the reload did not take"
    );

    // A broken file, then SIGHUP: still serving, still with Kim.
    std::fs::write(
        &config,
        format!("{with_kim}\n[[shifts]]\nperson = \"nobody\"\n"),
    )
    .unwrap();
    signal(&child, "HUP");
    assert!(
        logged("unknown person `nobody`"),
        "the file's error was not logged"
    );
    assert!(logged("reload refused"));
    let (code, page) = get(&addr, "/sandbox");
    assert_eq!(code, 200);
    assert!(
        page.contains("Kim Novak"),
        "the running configuration stays"
    );
    assert_eq!(
        child.try_wait().unwrap(),
        None,
        "a bad file does not stop the service"
    );

    signal(&child, "TERM");
    assert!(eventually(15, || child.try_wait().unwrap().is_some()));
    assert_eq!(child.wait().unwrap().code(), Some(0));
    std::fs::remove_dir_all(&dir).unwrap();
}

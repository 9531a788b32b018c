//! The `handoff` binary as a child process, for journeys that do to it what only
//! the operating system can: kill it with SIGKILL, or limit the size of the files
//! it may write. It is built if missing, started on a loopback port the test picks
//! (so a restart listens where the provider posts), on a program file whose SMS
//! provider is a [`FakeTwilio`], and its banner is read for its address.

use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};

use crate::fake_twilio::FakeTwilio;
use crate::service::{ACCOUNT_SID, AUTH_TOKEN, PROGRAM_NUMBER};

/// The `handoff` binary beside this test's own executable, built if missing.
pub fn binary() -> PathBuf {
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

/// A free loopback port, so that every run of one journey listens on the same
/// address.
pub fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .unwrap_or_else(|e| panic!("finding a free port: {e}"))
}

/// Writes `program` (TOML without transports) to `dir` with the fake provider as
/// its SMS transport; returns the file's path.
pub fn program_file(fake: &FakeTwilio, dir: &Path, program: &str) -> PathBuf {
    let config = dir.join("program.toml");
    std::fs::write(
        &config,
        format!(
            "{program}\n[transports.sms]\nprovider = \"twilio\"\napi_base = \"{}\"\n\
             account_sid = \"{ACCOUNT_SID}\"\nfrom = \"{PROGRAM_NUMBER}\"\n\
             auth_token_env = \"JOURNEY_SMS_TOKEN\"\n",
            fake.base_url()
        ),
    )
    .unwrap_or_else(|e| panic!("writing the program: {e}"));
    config
}

/// `handoff serve` on `config` and `database`, listening on `port`, through
/// `launcher` (a program that runs its arguments, such as `sh -c ...`), or
/// directly. Its standard output is piped for [`banner`].
fn command(config: &Path, database: &str, port: u16, launcher: &[&str]) -> Command {
    let mut command = match launcher.split_first() {
        Some((program, args)) => {
            let mut command = Command::new(program);
            command.args(args).arg(binary());
            command
        }
        None => Command::new(binary()),
    };
    command
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
        .stderr(Stdio::null());
    command
}

/// A `handoff serve` of this test. Dropped, it is killed (if still running), so a
/// test that fails half-way leaves no process behind.
pub struct Handoff(Child);

impl Drop for Handoff {
    fn drop(&mut self) {
        // It may have stopped already: then there is nothing to do.
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

impl Handoff {
    /// Its process id.
    pub fn id(&self) -> u32 {
        self.0.id()
    }
}

/// Starts `handoff serve` without waiting for it: it may still be starting up
/// (migrating, firing the timers that fell due while it was down) when this
/// returns.
pub fn spawn(config: &Path, database: &str, port: u16) -> Handoff {
    Handoff(
        command(config, database, port, &[])
            .spawn()
            .unwrap_or_else(|e| panic!("starting handoff: {e}")),
    )
}

/// Starts `handoff serve` and waits until it says where it listens.
pub fn serve(config: &Path, database: &str, port: u16) -> (Handoff, String) {
    let mut child = spawn(config, database, port);
    let url = banner(&mut child);
    (child, url)
}

/// [`serve`], with SIGXFSZ ignored, as a shell's `trap '' XFSZ` leaves it for
/// the program it runs: a write past the process's file size limit then fails
/// with EFBIG, as a write to a full disk fails, rather than killing the process.
pub fn serve_ignoring_sigxfsz(config: &Path, database: &str, port: u16) -> (Handoff, String) {
    let launcher = ["sh", "-c", "trap '' XFSZ; exec \"$0\" \"$@\""];
    let mut child = Handoff(
        command(config, database, port, &launcher)
            .spawn()
            .unwrap_or_else(|e| panic!("starting handoff: {e}")),
    );
    let url = banner(&mut child);
    (child, url)
}

/// Reads the child's standard output until its banner says where it listens;
/// returns that URL. The rest of its output is read (and dropped) by a thread,
/// so its later lines never meet a closed pipe.
pub fn banner(child: &mut Handoff) -> String {
    let stdout = child.0.stdout.take().unwrap_or_else(|| panic!("no stdout"));
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
    std::thread::spawn(move || for _ in lines {});
    url
}

/// SIGKILL, and waits for the process to be gone.
pub fn kill(child: &mut Handoff) {
    child
        .0
        .kill()
        .unwrap_or_else(|e| panic!("killing handoff: {e}"));
    child
        .0
        .wait()
        .unwrap_or_else(|e| panic!("waiting for handoff: {e}"));
}

/// SIGTERM, and the exit code it stopped with.
pub fn terminate(child: &mut Handoff) -> Option<i32> {
    let stopped = Command::new("kill")
        .args(["-TERM", &child.id().to_string()])
        .status()
        .unwrap_or_else(|e| panic!("running kill: {e}"));
    assert!(stopped.success(), "kill -TERM failed");
    child
        .0
        .wait()
        .unwrap_or_else(|e| panic!("waiting for handoff: {e}"))
        .code()
}

//! A real browser for tests of the web pages: headless Chromium driven over the
//! Chrome DevTools Protocol, as a person would use the pages (typing into fields,
//! clicking buttons, reading the text) with screenshots kept as artifacts.
//!
//! ```ignore
//! let browser = Browser::launch().await?;
//! let mut page = browser.new_page().await?;
//! page.goto(&format!("{base}/login")).await?;
//! page.fill("input[name=username]", "ada").await?;
//! page.fill("input[name=password]", "secret").await?;
//! page.click("button[type=submit]").await?;
//! assert_eq!(page.status(), Some(200));
//! assert!(page.text().await?.contains("Signed in as ada"));
//! page.screenshot_png(dir.join("home.png")).await?;
//! ```
//!
//! Chromium comes from `HANDOFF_TEST_CHROMIUM` (which `scripts/with-chromium` sets,
//! installing Debian's `chromium` if it is missing), else `/usr/bin/chromium`. A
//! browser test without it fails, never skips: a suite that skipped would pass with
//! the pages untested. Each [`Browser`] is a fresh Chromium with an empty profile of
//! its own in a temporary directory; when dropped it is killed with every process
//! of its group (renderers, GPU, network and storage helpers) and the directory is
//! removed. (Its two crash handlers detach into sessions of their own and quit as
//! soon as it has gone. Chromium also quits by itself when its DevTools pipe
//! closes, so a test process that is killed leaves no browser behind either.)

mod connection;
mod page;
mod scripts;

pub use page::{Page, Viewport};

use std::path::{Path, PathBuf};
use std::process::Stdio;
use std::sync::Arc;
use std::time::Duration;

use anyhow::{Context, anyhow, bail};
use serde_json::{Value, json};
use tempfile::TempDir;
use tokio::process::{Child, Command};

use connection::Connection;

/// The variable naming the Chromium to run.
pub const CHROMIUM_VARIABLE: &str = "HANDOFF_TEST_CHROMIUM";

/// Where Debian's `chromium` package puts it.
pub const DEFAULT_CHROMIUM: &str = "/usr/bin/chromium";

/// How long Chromium may take to answer its first command. A start takes ~0.5 s
/// here, but the first one after installing reads a few hundred megabytes from a
/// cold disk on a machine whose two cores may be busy compiling.
const LAUNCH_TIMEOUT: Duration = Duration::from_secs(30);

/// How long a browser-wide command (opening a page, closing) may take.
const BROWSER_TIMEOUT: Duration = Duration::from_secs(15);

/// How long [`Browser::close`] waits for Chromium to exit (it takes ~0.5 s) before
/// it is killed.
const CLOSE_TIMEOUT: Duration = Duration::from_secs(5);

/// The flags of every start. `--no-sandbox`: CI runs as root, where Chromium refuses
/// its sandbox. `--disable-dev-shm-usage`: containers often have a small /dev/shm,
/// which crashes renderers of long pages. The others keep Chromium from reaching the
/// network on its own, showing first-run screens or varying the screenshots.
const FLAGS: &[&str] = &[
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--no-first-run",
    "--no-default-browser-check",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-dev-shm-usage",
    "--hide-scrollbars",
    "--mute-audio",
    "--lang=en-US",
    "--remote-debugging-pipe",
];

/// Chromium reads the DevTools pipe from its descriptor 3 and writes to its
/// descriptor 4. The standard library can hand a child only descriptors 0 to 2, so
/// the shell moves our two pipes there and replaces itself with Chromium (`exec`:
/// Chromium keeps the shell's process ID, which is what we wait for and kill).
const MOVE_PIPES: &str = r#"exec "$0" "$@" 3<&0 4>&1 </dev/null >/dev/null"#;

/// One headless Chromium with a fresh profile. Pages opened by [`Browser::new_page`]
/// share its cookies, as tabs of one browser do. Use it on the tokio runtime that
/// launched it (one browser per test): the task reading its pipe runs there.
pub struct Browser {
    connection: Arc<Connection>,
    child: Child,
    /// Holds the profile and Chromium's log; removed after Chromium is killed.
    profile: TempDir,
}

impl Browser {
    /// Starts the Chromium of `HANDOFF_TEST_CHROMIUM`, else `/usr/bin/chromium`.
    pub async fn launch() -> anyhow::Result<Browser> {
        let program = std::env::var_os(CHROMIUM_VARIABLE)
            .filter(|path| !path.is_empty())
            .map_or_else(|| PathBuf::from(DEFAULT_CHROMIUM), PathBuf::from);
        Browser::launch_at(&program).await
    }

    /// Starts the Chromium at `program`.
    pub async fn launch_at(program: &Path) -> anyhow::Result<Browser> {
        if !is_executable(program) {
            bail!(
                "no Chromium at {}: the browser tests drive a real Chromium. Run them through \
                 `scripts/test` (the whole suite), or e.g. `scripts/with-chromium cargo test -p \
                 handoff-tests --test browser_driver`, which install Debian's chromium if it is \
                 missing and set {CHROMIUM_VARIABLE}",
                program.display()
            );
        }
        let profile = tempfile::Builder::new()
            .prefix("handoff-chromium.")
            .tempdir()
            .context("creating a temporary directory for Chromium's profile")?;
        let log_path = profile.path().join("chromium.log");
        let log = std::fs::File::create(&log_path)
            .with_context(|| format!("creating {}", log_path.display()))?;

        let mut command = Command::new("/bin/sh");
        command
            .arg("-c")
            .arg(MOVE_PIPES)
            .arg(program)
            .args(FLAGS)
            .arg(format!(
                "--user-data-dir={}",
                profile.path().join("profile").display()
            ))
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::from(log))
            // A group of its own, so that dropping the browser can kill every
            // process Chromium starts (renderers, utilities) in one signal.
            .process_group(0)
            .kill_on_drop(true);
        let mut child = command
            .spawn()
            .with_context(|| format!("starting {}", program.display()))?;
        let (Some(to), Some(from)) = (child.stdin.take(), child.stdout.take()) else {
            bail!("starting {}: its pipes were not set up", program.display());
        };
        let browser = Browser {
            connection: Arc::new(Connection::start(to, from)),
            child,
            profile,
        };
        let answer = browser
            .connection
            .call(None, "Browser.getVersion", json!({}), LAUNCH_TIMEOUT)
            .await;
        match answer {
            Ok(_) => Ok(browser),
            Err(error) => {
                let tail = log_tail(&log_path);
                Err(error.context(format!(
                    "starting {} failed; the end of its log:\n{tail}",
                    program.display()
                )))
            }
        }
    }

    /// Opens a tab (at `about:blank`, viewport [`Viewport::DESKTOP`]) sharing this
    /// browser's cookies.
    pub async fn new_page(&self) -> anyhow::Result<Page> {
        Page::open(Arc::clone(&self.connection), None).await
    }

    /// Opens a tab in a browser context of its own, as a private window: it sees
    /// none of the other pages' cookies, nor they its. For a second person signed in
    /// at the same time.
    pub async fn new_private_page(&self) -> anyhow::Result<Page> {
        let reply = self
            .connection
            .call(
                None,
                "Target.createBrowserContext",
                json!({ "disposeOnDetach": true }),
                BROWSER_TIMEOUT,
            )
            .await?;
        let context = reply
            .get("browserContextId")
            .and_then(Value::as_str)
            .ok_or_else(|| {
                anyhow!("Target.createBrowserContext: no browserContextId in {reply}")
            })?;
        Page::open(Arc::clone(&self.connection), Some(context.to_owned())).await
    }

    /// Chromium's process ID, which is also the ID of the process group of every
    /// process it starts; `None` once it has exited.
    pub fn process_id(&self) -> Option<u32> {
        self.child.id()
    }

    /// The temporary directory of Chromium's profile and its log (`chromium.log`,
    /// what it wrote to stderr); removed when the browser is dropped.
    pub fn profile_dir(&self) -> &Path {
        self.profile.path()
    }

    /// Asks Chromium to quit and waits until it has. Dropping the browser kills it
    /// instead; this is the polite way, which also reports a Chromium that hangs.
    pub async fn close(mut self) -> anyhow::Result<()> {
        // The reply often never comes: Chromium closes the pipe as it quits.
        let _ = self
            .connection
            .call(None, "Browser.close", json!({}), CLOSE_TIMEOUT)
            .await;
        match tokio::time::timeout(CLOSE_TIMEOUT, self.child.wait()).await {
            Ok(Ok(_)) => Ok(()),
            Ok(Err(e)) => Err(e).context("waiting for Chromium to exit"),
            Err(_) => Err(anyhow!(
                "Chromium did not exit within {} s of Browser.close; killing it",
                CLOSE_TIMEOUT.as_secs()
            )),
        }
    }
}

impl Drop for Browser {
    fn drop(&mut self) {
        // Only while Chromium has not been reaped does its process ID surely still
        // name its group (and not some later process's).
        if matches!(self.child.try_wait(), Ok(None)) {
            if let Some(group) = self.child.id() {
                kill_group(group);
            }
            let _ = self.child.start_kill();
            // A killed Chromium is gone within milliseconds; wait for it (briefly,
            // blocking: drop cannot await) before removing its profile.
            for _ in 0..100 {
                if !matches!(self.child.try_wait(), Ok(None)) {
                    break;
                }
                std::thread::sleep(Duration::from_millis(20));
            }
        }
        remove_profile(self.profile.path());
    }
}

/// SIGKILL to every process of the group, by bash's `kill` builtin: no unsafe code
/// for the system call, and no crate for it (the safe wrappers would rebuild
/// matrix-sdk's dependencies). Not `sh`: Debian's dash takes no group to kill.
fn kill_group(group: u32) {
    let _ = std::process::Command::new("bash")
        .args(["-c", r#"kill -KILL -- "-$1" 2>/dev/null"#, "bash"])
        .arg(group.to_string())
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status();
}

/// Removes the profile directory. A helper process of Chromium that was finishing a
/// write as it died (or, after [`Browser::close`], one still shutting down) can add
/// a file while the directory is being emptied, so a failed removal is tried again
/// for up to a second. ([`TempDir`] would try once, silently.)
fn remove_profile(dir: &Path) {
    for _ in 0..50 {
        match std::fs::remove_dir_all(dir) {
            Ok(()) => return,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return,
            Err(_) => std::thread::sleep(Duration::from_millis(20)),
        }
    }
}

fn is_executable(program: &Path) -> bool {
    use std::os::unix::fs::PermissionsExt;
    std::fs::metadata(program)
        .is_ok_and(|meta| meta.is_file() && meta.permissions().mode() & 0o111 != 0)
}

/// The last lines of Chromium's log, for an error saying why it did not start.
fn log_tail(path: &Path) -> String {
    match std::fs::read_to_string(path) {
        Ok(log) => {
            let lines: Vec<&str> = log.lines().collect();
            lines[lines.len().saturating_sub(20)..].join("\n")
        }
        Err(e) => format!("(cannot read {}: {e})", path.display()),
    }
}

/// `<target>/browser-artifacts/<name>/`, created empty, for a test's screenshots:
/// CI keeps that directory. Pass `env!("CARGO_TARGET_TMPDIR")` (Cargo's
/// `<target>/tmp`, known only to test crates) as `target_tmpdir`; `name` may contain
/// `/` to group a test file's tests.
pub fn artifacts_dir(target_tmpdir: &str, name: &str) -> anyhow::Result<PathBuf> {
    let target = Path::new(target_tmpdir)
        .parent()
        .ok_or_else(|| anyhow!("{target_tmpdir} has no parent directory"))?;
    let dir = target.join("browser-artifacts").join(name);
    match std::fs::remove_dir_all(&dir) {
        Ok(()) => {}
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
        Err(e) => return Err(e).with_context(|| format!("emptying {}", dir.display())),
    }
    std::fs::create_dir_all(&dir).with_context(|| format!("creating {}", dir.display()))?;
    Ok(dir)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::os::unix::process::CommandExt;

    fn gone_within(child: &mut std::process::Child, limit: Duration) -> bool {
        let deadline = std::time::Instant::now() + limit;
        while std::time::Instant::now() < deadline {
            if !matches!(child.try_wait(), Ok(None)) {
                return true;
            }
            std::thread::sleep(Duration::from_millis(10));
        }
        false
    }

    #[test]
    fn killing_a_group_ends_every_process_in_it() {
        let mut leader = std::process::Command::new("sleep")
            .arg("60")
            .process_group(0)
            .spawn()
            .unwrap();
        let group = leader.id();
        let mut member = std::process::Command::new("sleep")
            .arg("60")
            .process_group(i32::try_from(group).unwrap())
            .spawn()
            .unwrap();
        kill_group(group);
        let leader_gone = gone_within(&mut leader, Duration::from_secs(5));
        let member_gone = gone_within(&mut member, Duration::from_secs(5));
        // Whatever happened, leave nothing running.
        for child in [&mut leader, &mut member] {
            let _ = child.kill();
            let _ = child.wait();
        }
        assert!(
            leader_gone && member_gone,
            "leader gone: {leader_gone}, member gone: {member_gone}"
        );
    }
}

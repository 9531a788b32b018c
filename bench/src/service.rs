//! The service under test: the release `handoff` binary (built first when the
//! benchmark runs under cargo), a program open around the clock with many officers,
//! `handoff serve` started as a child process on a loopback port, and signed
//! inbound webhooks to it as Twilio sends them.

use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use anyhow::{Context, bail};
use handoff_bot::sms::signature;

/// The account the program's SMS settings name.
pub const ACCOUNT_SID: &str = "AC00000000000000000000000000000001";
/// The token that signs webhooks, handed to `handoff` through the environment.
pub const AUTH_TOKEN: &str = "bench-auth-token";
const TOKEN_ENV: &str = "BENCH_SMS_TOKEN";
/// The program's own number.
pub const PROGRAM_NUMBER: &str = "+14125550100";
/// The two case managers every request is offered to.
pub const CASE_MANAGERS: [&str; 2] = ["+14125550111", "+14125550113"];
/// The most officers the fictional 555-01xx block leaves room for.
pub const MAX_OFFICERS: usize = 80;

/// Officer `n`'s phone, in E.164: 555-0120 on, clear of the staff's numbers.
pub fn officer_phone(n: usize) -> String {
    format!("+1412555{:04}", 120 + n % MAX_OFFICERS)
}

/// The benchmark's program: one site open every day around the clock, two case
/// managers asked at once, a supervisor behind them, `officers` officers, and the
/// Twilio provider at `api_base`.
pub fn program(officers: usize, api_base: &str) -> String {
    let mut text = String::from(
        r#"[program]
name = "Bench LEAD"

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
hours = [{ days = "daily", start = "00:00", end = "24:00" }]

[[agencies]]
id = "metro-pd"
name = "Metro PD"
sites = ["metro"]
officers = [
"#,
    );
    for n in 0..officers.min(MAX_OFFICERS) {
        text.push_str(&format!(
            "  {{ id = \"officer-{n}\", name = \"Officer {n}\", rank = \"Ofc.\", phone = \"{}\" }},\n",
            officer_phone(n)
        ));
    }
    text.push_str(&format!(
        r#"]

[[people]]
id = "dana"
name = "Dana Whitfield"
roles = ["case_manager"]
phone = "{dana}"

[[people]]
id = "lee"
name = "Lee Ortiz"
roles = ["case_manager"]
phone = "{lee}"

[[people]]
id = "rosa"
name = "Rosa Delgado"
roles = ["supervisor"]
phone = "+14125550116"

[[shifts]]
person = "dana"

[[shifts]]
person = "lee"

[[shifts]]
person = "rosa"

# Each load worker texts as a few officers far faster than a person types: the
# per-phone flood limit would answer most of them unread and flatter the figures.
[server]
sender_burst = 100000
sender_per_minute = 100000

[transports.sms]
provider = "twilio"
api_base = "{api_base}"
account_sid = "{ACCOUNT_SID}"
from = "{PROGRAM_NUMBER}"
auth_token_env = "{TOKEN_ENV}"
"#,
        dana = CASE_MANAGERS[0],
        lee = CASE_MANAGERS[1],
    ));
    text
}

/// The release `handoff` beside this benchmark's own executable. Under cargo it is
/// built first (a no-op when fresh), so the figures are never an old binary's.
pub fn binary() -> anyhow::Result<PathBuf> {
    let exe = std::env::current_exe().context("the benchmark's own path")?;
    let dir = exe.parent().context("the benchmark has no directory")?;
    if let Ok(cargo) = std::env::var("CARGO") {
        let built = Command::new(cargo)
            .args(["build", "--release", "--bin", "handoff"])
            .status()
            .context("running cargo build --release --bin handoff")?;
        if !built.success() {
            bail!("cargo build --release --bin handoff failed");
        }
    }
    let path = dir.join("handoff");
    if !path.is_file() {
        bail!(
            "{} is missing: run `cargo build --release --bin handoff`",
            path.display()
        );
    }
    Ok(path)
}

/// A `handoff` command with the SMS token in its environment.
pub fn command(binary: &Path) -> Command {
    let mut command = Command::new(binary);
    command
        .env(TOKEN_ENV, AUTH_TOKEN)
        .env("RUST_LOG", "warn")
        .env_remove("HANDOFF_INSTANCE");
    command
}

/// A running `handoff serve`; dropping it kills the process (SIGKILL: as a crash,
/// leaving whatever was pending in the database).
pub struct Serving {
    child: Child,
    pub url: String,
    /// When the process was spawned.
    pub spawned: Instant,
    /// Spawn → its banner (printed once it listens, after the engine's first pass
    /// over the timers).
    pub banner_after: Duration,
}

impl Drop for Serving {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl Serving {
    /// Starts `handoff serve` on `config` and `database`, on a loopback port the
    /// system picks, and waits for its banner.
    pub fn start(binary: &Path, config: &Path, database: &str) -> anyhow::Result<Serving> {
        Serving::start_on(binary, config, database, "127.0.0.1:0")
    }

    /// [`Serving::start`] on the address `listen`. A service restarted on the
    /// address it had keeps its name among instances, and with it the leases it
    /// held (the SMS worker's among them), as a deployment's fixed address does.
    pub fn start_on(
        binary: &Path,
        config: &Path,
        database: &str,
        listen: &str,
    ) -> anyhow::Result<Serving> {
        let spawned = Instant::now();
        let mut child = command(binary)
            .args(["serve", "--config"])
            .arg(config)
            .args(["--database", database, "--listen", listen])
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .spawn()
            .context("starting handoff serve")?;
        let stdout = child.stdout.take().context("handoff's stdout")?;
        let mut lines = BufReader::new(stdout).lines();
        let url = loop {
            let Some(line) = lines.next() else {
                let _ = child.kill();
                bail!("handoff serve exited before listening");
            };
            let line = line.context("reading handoff's output")?;
            if let Some(url) = line.split(" on ").nth(1) {
                break url.trim().to_owned();
            }
        };
        let banner_after = spawned.elapsed();
        // Keep reading, so its later lines never meet a closed pipe.
        std::thread::spawn(move || for _ in lines {});
        Ok(Serving {
            child,
            url,
            spawned,
            banner_after,
        })
    }

    /// The address it listens on, `127.0.0.1:PORT`.
    pub fn listen(&self) -> &str {
        self.url.trim_start_matches("http://")
    }

    /// The process's id, for /proc.
    pub fn pid(&self) -> u32 {
        self.child.id()
    }

    /// Polls `/healthz` every few milliseconds until it answers 200 (the engine's
    /// timer loop has run and no timer is overdue); spawn → that answer.
    pub async fn healthy(&self, patience: Duration) -> anyhow::Result<Duration> {
        let http = reqwest::Client::builder()
            .timeout(Duration::from_secs(5))
            .build()
            .context("building the HTTP client")?;
        let url = format!("{}/healthz", self.url);
        let deadline = Instant::now() + patience;
        loop {
            let ok = matches!(http.get(&url).send().await, Ok(r) if r.status().is_success());
            if ok {
                return Ok(self.spawned.elapsed());
            }
            if Instant::now() > deadline {
                bail!("{url} did not answer 200 within {patience:?}");
            }
            tokio::time::sleep(Duration::from_millis(2)).await;
        }
    }

    /// The process's resident memory now and at its peak, from /proc.
    pub fn memory(&self) -> anyhow::Result<Memory> {
        let status = std::fs::read_to_string(format!("/proc/{}/status", self.pid()))
            .context("reading /proc/PID/status")?;
        let kib = |name: &str| {
            status
                .lines()
                .find_map(|l| {
                    l.strip_prefix(name)?
                        .trim()
                        .strip_suffix("kB")?
                        .trim()
                        .parse()
                        .ok()
                })
                .with_context(|| format!("no {name} in /proc/PID/status"))
        };
        Ok(Memory {
            rss_kib: kib("VmRSS:")?,
            hwm_kib: kib("VmHWM:")?,
        })
    }
}

/// A process's resident set: now (VmRSS) and its peak (VmHWM).
#[derive(Debug, Clone, Copy)]
pub struct Memory {
    pub rss_kib: u64,
    pub hwm_kib: u64,
}

impl std::fmt::Display for Memory {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "VmRSS {:.1} MiB, VmHWM {:.1} MiB",
            self.rss_kib as f64 / 1024.0,
            self.hwm_kib as f64 / 1024.0
        )
    }
}

/// Posts inbound texts to one service, signed as Twilio signs them.
#[derive(Clone)]
pub struct Webhooks {
    http: reqwest::Client,
    url: String,
}

impl Webhooks {
    pub fn new(service_url: &str) -> anyhow::Result<Webhooks> {
        let http = reqwest::Client::builder()
            .timeout(std::time::Duration::from_secs(10))
            .build()
            .context("building the HTTP client")?;
        Ok(Webhooks {
            http,
            url: format!("{service_url}/sms/inbound"),
        })
    }

    /// The service's own mean time answering an inbound webhook (effects
    /// committed), from its `/metrics` histogram: `None` before any.
    pub async fn mean_answer(&self) -> anyhow::Result<Option<std::time::Duration>> {
        let metrics_url = self.url.replace("/sms/inbound", "/metrics");
        let text = self.http.get(&metrics_url).send().await?.text().await?;
        let value = |name: &str| {
            text.lines()
                .find_map(|l| l.strip_prefix(name)?.trim().parse::<f64>().ok())
        };
        let sum = value("handoff_inbound_webhook_duration_seconds_sum");
        let count = value("handoff_inbound_webhook_duration_seconds_count");
        Ok(match (sum, count) {
            (Some(sum), Some(count)) if count > 0.0 => {
                std::time::Duration::try_from_secs_f64(sum / count).ok()
            }
            _ => None,
        })
    }

    /// `from` texts `body` as message `sid`; the service's HTTP status.
    pub async fn text(&self, sid: &str, from: &str, body: &str) -> anyhow::Result<u16> {
        let params: Vec<(String, String)> = [
            ("MessageSid", sid),
            ("SmsSid", sid),
            ("AccountSid", ACCOUNT_SID),
            ("From", from),
            ("To", PROGRAM_NUMBER),
            ("Body", body),
            ("NumMedia", "0"),
            ("NumSegments", "1"),
            ("ApiVersion", "2010-04-01"),
        ]
        .into_iter()
        .map(|(n, v)| (n.to_owned(), v.to_owned()))
        .collect();
        let signed = signature::sign(AUTH_TOKEN, &self.url, &params);
        let response = self
            .http
            .post(&self.url)
            .header("X-Twilio-Signature", signed)
            .form(&params)
            .send()
            .await
            .context("posting the webhook")?;
        let status = response.status().as_u16();
        // Read the body so the connection goes back to the pool.
        let _ = response.bytes().await;
        Ok(status)
    }
}

/// A request's place, unique per `n` and made of letters only, so redaction (which
/// masks digit runs that could be numbers) leaves it whole in the offer.
pub fn tag(n: usize) -> String {
    let mut letters = String::from("q");
    let mut rest = n;
    loop {
        letters.push(char::from(b'a' + (rest % 26) as u8));
        rest /= 26;
        if rest == 0 {
            break;
        }
    }
    letters.push('z');
    letters
}

/// The request text carrying `tag`.
pub fn request(tag: &str) -> String {
    format!("LEAD Bench Ave {tag}, retail theft")
}

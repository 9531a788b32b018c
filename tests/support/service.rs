//! A running handoff for journeys: `handoff serve`'s own start-up on a fresh SQLite
//! file (or a fresh PostgreSQL database), its SMS provider pointed at a fake
//! Twilio-compatible server on loopback, and a mock clock the test moves. The timer
//! loop (timers and the opening digests) and SMS worker do not run on their own:
//! the test steps them (`settle`, `advance`), so every journey is deterministic and
//! never sleeps.

use std::path::Path;
use std::sync::Arc;
use std::time::Duration as StdDuration;

use chrono::{DateTime, Duration, Utc};
use handoff_bot::serve::{self, Options, Running};
use handoff_config::Config;
use handoff_dispatcher::{Event, MockClock};
use tempfile::TempDir;

use crate::fake_twilio::{FakeTwilio, SentMessage};

/// The account the fake provider accepts.
pub const ACCOUNT_SID: &str = "AC00000000000000000000000000000001";
/// Its auth token, which signs webhooks.
pub const AUTH_TOKEN: &str = "journey-test-auth-token";
/// The program's own number, texts come to it.
pub const PROGRAM_NUMBER: &str = "+14125550100";

/// The program of the journeys: one site open Mon-Fri 08:00-24:00 New York with
/// zones north and south, two case managers (dana serving north, lee south), an
/// after-hours coordinator (sam), a supervisor (rosa) and a project manager
/// (terry); two officers of Metro PD.
pub const PROGRAM: &str = r#"
[program]
name = "Journey LEAD"

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
zones = ["north", "south"]
hours = [{ days = "mon-fri", start = "08:00", end = "24:00" }]

[[agencies]]
id = "metro-pd"
name = "Metro PD"
sites = ["metro"]
officers = [
  { id = "rivera", name = "Ana Rivera", rank = "Ofc.", phone = "+1 412 555 0101" },
  { id = "chen", name = "David Chen", rank = "Sgt.", phone = "+1 412 555 0102" },
]

[[people]]
id = "dana"
name = "Dana Whitfield"
roles = ["case_manager"]
phone = "+1 412 555 0111"
zones = ["north"]

[[people]]
id = "lee"
name = "Lee Ortiz"
roles = ["case_manager"]
phone = "+1 412 555 0113"
zones = ["south"]

[[people]]
id = "sam"
name = "Sam Okafor"
roles = ["coordinator"]
phone = "+1 412 555 0115"

[[people]]
id = "rosa"
name = "Rosa Delgado"
roles = ["supervisor"]
phone = "+1 412 555 0116"

[[people]]
id = "terry"
name = "Terry Walsh"
roles = ["project_manager"]
phone = "+1 412 555 0117"

[[shifts]]
person = "dana"

[[shifts]]
person = "lee"

[[shifts]]
person = "rosa"

[[shifts]]
person = "terry"
when = "always"

[[shifts]]
person = "sam"
when = "closed"
"#;

pub const RIVERA: &str = "+14125550101";
pub const CHEN: &str = "+14125550102";
pub const DANA: &str = "+14125550111";
pub const LEE: &str = "+14125550113";
pub const SAM: &str = "+14125550115";
pub const ROSA: &str = "+14125550116";
pub const TERRY: &str = "+14125550117";

pub struct Service {
    pub running: Running,
    pub fake: FakeTwilio,
    pub clock: MockClock,
    pub config: Config,
    _dir: TempDir,
}

fn instant(text: &str) -> DateTime<Utc> {
    DateTime::parse_from_rfc3339(text)
        .unwrap_or_else(|e| panic!("bad instant literal {text}: {e}"))
        .to_utc()
}

/// Writes the journey program (without transports) to `dir`, for the command line:
/// commands that read a service's database need only its sites.
pub fn program_file(dir: &Path) -> std::path::PathBuf {
    let path = dir.join("program.toml");
    std::fs::write(&path, PROGRAM).unwrap_or_else(|e| panic!("writing {}: {e}", path.display()));
    path
}

/// `program` (TOML without transports) with its SMS provider pointed at `fake`.
pub fn journey_config(program: &str, fake: &FakeTwilio) -> Config {
    journey_config_with_env(program, fake, &[])
}

/// [`journey_config`], with more environment variables for the secrets the
/// program names (agencies' API tokens).
pub fn journey_config_with_env(program: &str, fake: &FakeTwilio, env: &[(&str, &str)]) -> Config {
    journey_config_with_sms(program, fake, env, "")
}

/// [`journey_config_with_env`], with more keys of `[transports.sms]` (a line each,
/// such as `timeout = "1s"`).
pub fn journey_config_with_sms(
    program: &str,
    fake: &FakeTwilio,
    env: &[(&str, &str)],
    sms: &str,
) -> Config {
    let text = format!(
        "{program}\n[transports.sms]\nprovider = \"twilio\"\napi_base = \"{base}\"\naccount_sid = \"{ACCOUNT_SID}\"\nfrom = \"{PROGRAM_NUMBER}\"\nauth_token_env = \"JOURNEY_SMS_TOKEN\"\n{sms}",
        base = fake.base_url()
    );
    handoff_config::load_str(Path::new("journey.toml"), &text, &|name| {
        if name == "JOURNEY_SMS_TOKEN" {
            return Some(AUTH_TOKEN.to_owned());
        }
        env.iter()
            .find(|(key, _)| *key == name)
            .map(|(_, value)| (*value).to_owned())
    })
    .unwrap_or_else(|e| panic!("the journey program is invalid:\n{e}"))
}

impl Service {
    /// Starts the journey program at the instant `now` (RFC 3339) on SQLite.
    pub async fn start(now: &str) -> Service {
        Service::start_with(PROGRAM, now, None).await
    }

    /// Starts `program` (TOML without transports) at `now`, on `database` or a fresh
    /// SQLite file.
    pub async fn start_with(program: &str, now: &str, database: Option<String>) -> Service {
        Service::start_with_env(program, now, database, &[]).await
    }

    /// [`Service::start_with`], with more environment variables for the secrets
    /// the program names.
    pub async fn start_with_env(
        program: &str,
        now: &str,
        database: Option<String>,
        env: &[(&str, &str)],
    ) -> Service {
        Service::start_with_sms(program, now, database, env, "").await
    }

    /// [`Service::start_with_env`], with more keys of `[transports.sms]` (see
    /// [`journey_config_with_sms`]).
    pub async fn start_with_sms(
        program: &str,
        now: &str,
        database: Option<String>,
        env: &[(&str, &str)],
        sms: &str,
    ) -> Service {
        let fake = FakeTwilio::start(ACCOUNT_SID, AUTH_TOKEN).await;
        let config = journey_config_with_sms(program, &fake, env, sms);
        let dir = TempDir::new().unwrap_or_else(|e| panic!("temporary directory: {e}"));
        let database =
            database.unwrap_or_else(|| format!("sqlite://{}/handoff.db", dir.path().display()));
        let clock = MockClock::new(instant(now));
        let options = Options {
            listen: Some(([127, 0, 0, 1], 0).into()),
            database: Some(database),
            public_url: None,
        };
        let running = serve::start(&config, options, Arc::new(clock.clone()), false)
            .await
            .unwrap_or_else(|e| panic!("handoff did not start: {e:#}"));
        Service {
            running,
            fake,
            clock,
            config,
            _dir: dir,
        }
    }

    pub fn url(&self, path: &str) -> String {
        format!("{}{}", self.running.public_url, path)
    }

    /// `from` texts `body` to the program, through the provider's signed webhook,
    /// then the service settles (due timers fire, the outbox is delivered).
    pub async fn text(&self, from: &str, body: &str) -> (u16, String) {
        let answer = self
            .fake
            .post_inbound(&self.url("/sms/inbound"), from, PROGRAM_NUMBER, body)
            .await;
        self.settle().await;
        answer
    }

    /// Fires what is due, queues the follow-up digests of sites that opened (as the
    /// timer loop's pass does) and delivers the outbox, until nothing more happens:
    /// no timer fired, no digest was queued and the delivery pass queued nothing new
    /// (a failed offer queues the next step's offers while it is reported).
    pub async fn settle(&self) {
        for _ in 0..10 {
            let fired = self
                .running
                .engine
                .fire_due()
                .await
                .unwrap_or_else(|e| panic!("firing timers: {e}"));
            let digests = self
                .running
                .engine
                .send_digests()
                .await
                .unwrap_or_else(|e| panic!("queueing follow-up digests: {e}"));
            let before = self.outbox_rows().await;
            self.running
                .deliver()
                .await
                .unwrap_or_else(|e| panic!("delivering: {e:#}"));
            if fired == 0 && digests == 0 && self.outbox_rows().await == before {
                return;
            }
        }
    }

    async fn outbox_rows(&self) -> usize {
        self.running
            .engine
            .records()
            .outbox_all()
            .await
            .unwrap_or_else(|e| panic!("reading the outbox: {e}"))
            .len()
    }

    /// Moves the clock forward, then settles.
    pub async fn advance(&self, by: Duration) {
        self.clock.advance(by);
        self.settle().await;
    }

    /// Every text the provider accepted for `phone`, oldest first.
    pub fn texts_to(&self, phone: &str) -> Vec<String> {
        self.fake
            .sent()
            .into_iter()
            .filter(|m| m.to == phone)
            .map(|m| m.body)
            .collect()
    }

    pub fn last_text_to(&self, phone: &str) -> String {
        self.texts_to(phone)
            .pop()
            .unwrap_or_else(|| panic!("nothing was texted to {phone}"))
    }

    pub fn sent(&self) -> Vec<SentMessage> {
        self.fake.sent()
    }

    /// The whole event log.
    pub async fn events(&self) -> Vec<Event> {
        self.running
            .engine
            .records()
            .events(None, None)
            .await
            .unwrap_or_else(|e| panic!("reading the event log: {e}"))
    }

    /// Waits (event-driven, bounded) until the provider has accepted `n` texts.
    pub async fn wait_for_sends(&self, n: usize) -> Vec<SentMessage> {
        self.fake.wait_for_sends(n, StdDuration::from_secs(5)).await
    }

    pub async fn stop(self) {
        self.running.shutdown().await;
    }
}

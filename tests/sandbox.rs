//! The SMS sandbox end to end, through real HTTP to `handoff serve`'s own start-up
//! with `provider = "sandbox"`: README's walkthrough typed on `/sandbox` (Ofc.
//! Rivera asks, Dana takes it, gives an ETA, writes to the officer, arrives, is
//! done), then a restart on the same database and the walkthrough again. Every text
//! gets its answer both times, the second hand-off has its own number, and the page
//! still shows the first conversation after the restart. And a post from another
//! site is refused without anything being handled.
//!
//! Each journey runs on SQLite, and again on PostgreSQL when `DATABASE_URL` names a
//! server (`scripts/with-postgres cargo test -p handoff-tests --test sandbox`).

use std::path::Path;
use std::sync::Arc;

use chrono::Duration;
use handoff_bot::serve::{self, Options, Running};
use handoff_config::Config;
use handoff_dispatcher::MockClock;
use handoff_tests::at;
use handoff_tests::database::on_every_database;
use handoff_tests::journey::{MONDAY, REQUEST};
use handoff_tests::service::PROGRAM;
use reqwest::StatusCode;
use reqwest::redirect::Policy;
use tempfile::TempDir;

/// The journey program with the sandbox as its SMS provider.
fn sandbox_config() -> Config {
    let text = format!("{PROGRAM}\n[transports.sms]\nprovider = \"sandbox\"\n");
    handoff_config::load_str(Path::new("sandbox.toml"), &text, &|_| None)
        .unwrap_or_else(|e| panic!("the sandbox program is invalid:\n{e}"))
}

/// A running service with the sandbox provider; the test steps its timers and
/// delivery, so nothing happens behind its back.
struct Sandbox {
    running: Running,
    http: reqwest::Client,
}

impl Sandbox {
    async fn start(database: &str, clock: &MockClock) -> Sandbox {
        let options = Options {
            listen: Some(([127, 0, 0, 1], 0).into()),
            database: Some(database.to_owned()),
            public_url: None,
        };
        let running = serve::start(&sandbox_config(), options, Arc::new(clock.clone()), false)
            .await
            .unwrap_or_else(|e| panic!("handoff did not start: {e:#}"));
        let http = reqwest::Client::builder()
            .redirect(Policy::none())
            .build()
            .unwrap_or_else(|e| panic!("HTTP client: {e}"));
        Sandbox { running, http }
    }

    fn url(&self, path: &str) -> String {
        format!("{}{}", self.running.public_url, path)
    }

    /// Posts the page's form as a browser on the page would: with the page's own
    /// `Origin` and `Sec-Fetch-Site: same-origin`.
    async fn type_as(&self, from: &str, body: &str) {
        let answer = self
            .post(
                from,
                body,
                &[
                    ("origin", self.running.public_url.as_str()),
                    ("sec-fetch-site", "same-origin"),
                ],
            )
            .await;
        assert_eq!(answer.0, StatusCode::SEE_OTHER, "{}", answer.1);
        self.settle().await;
    }

    async fn post(&self, from: &str, body: &str, headers: &[(&str, &str)]) -> (StatusCode, String) {
        let mut request = self.http.post(self.url("/sandbox/send")).form(&[
            ("from", from),
            ("body", body),
            ("anchor", "x"),
        ]);
        for (name, value) in headers {
            request = request.header(*name, *value);
        }
        let response = request
            .send()
            .await
            .unwrap_or_else(|e| panic!("posting to the sandbox: {e}"));
        let status = response.status();
        (status, response.text().await.unwrap_or_default())
    }

    /// Fires what is due and delivers the outbox until nothing more happens.
    async fn settle(&self) {
        for _ in 0..10 {
            let fired = self
                .running
                .engine
                .fire_due()
                .await
                .unwrap_or_else(|e| panic!("firing timers: {e}"));
            let before = self.version().await;
            self.running
                .deliver()
                .await
                .unwrap_or_else(|e| panic!("delivering: {e:#}"));
            if fired == 0 && self.version().await == before {
                return;
            }
        }
    }

    async fn get(&self, path: &str) -> String {
        let response = self
            .http
            .get(self.url(path))
            .send()
            .await
            .unwrap_or_else(|e| panic!("GET {path}: {e}"));
        assert_eq!(response.status(), StatusCode::OK, "GET {path}");
        response.text().await.unwrap_or_default()
    }

    async fn version(&self) -> String {
        self.get("/sandbox/version").await
    }

    /// The conversation the page shows for the phone at `anchor`: (`in` or `out`,
    /// text), oldest first.
    async fn conversation(&self, anchor: &str) -> Vec<(String, String)> {
        conversation(&self.get("/sandbox").await, anchor)
    }

    async fn last_out(&self, anchor: &str) -> String {
        self.conversation(anchor)
            .await
            .into_iter()
            .rev()
            .find(|(direction, _)| direction == "out")
            .map(|(_, text)| text)
            .unwrap_or_else(|| panic!("nothing was texted to {anchor}"))
    }

    async fn stop(self) {
        self.running.shutdown().await;
    }
}

fn unescape(html: &str) -> String {
    html.replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&quot;", "\"")
        .replace("&#39;", "'")
        .replace("&amp;", "&")
}

/// Reads one phone's messages out of the sandbox page.
fn conversation(page: &str, anchor: &str) -> Vec<(String, String)> {
    let start = page
        .find(&format!("<section id=\"{anchor}\">"))
        .unwrap_or_else(|| panic!("no phone {anchor} on the page"));
    let section = &page[start..];
    let section = &section[..section.find("</section>").unwrap_or(section.len())];
    section
        .split("<div class=\"msg ")
        .skip(1)
        .map(|message| {
            let (direction, rest) = message.split_once("\">").unwrap_or_default();
            let body = rest.split("<span").next().unwrap_or_default();
            (direction.to_owned(), unescape(body))
        })
        .collect()
}

const RIVERA: &str = "+14125550101";
const DANA: &str = "+14125550111";
const OFFICER: &str = "officer-rivera";
const CASE_MANAGER: &str = "staff-dana";

/// README's walkthrough for hand-off `n`: every text typed gets its answer.
async fn walkthrough(sandbox: &Sandbox, n: u32) {
    sandbox.type_as(RIVERA, REQUEST).await;
    assert_eq!(
        sandbox.last_out(OFFICER).await,
        format!(
            "Got it: hand-off {n} (arrest diversion), 5th & Main, retail theft. \
             Finding an on-duty case manager (at most 15 min). Reply CANCEL {n} to withdraw."
        )
    );
    assert_eq!(
        sandbox.last_out(CASE_MANAGER).await,
        format!(
            "LEAD {n}: arrest diversion at 5th & Main, retail theft, Ofc. Rivera \
             (Metro PD). Reply Y{n} to take it, N{n} to pass."
        )
    );

    sandbox.type_as(DANA, &format!("Y{n}")).await;
    assert_eq!(
        sandbox.last_out(CASE_MANAGER).await,
        format!(
            "{n} is yours: arrest diversion at 5th & Main, retail theft (Metro), Ofc. Rivera \
             (Metro PD). Reply ETA <min>, ARRIVED, DONE, NOTDIVERTED {n} <why>, or BACK {n} if \
             you cannot go. Other texts go to the officer."
        )
    );
    assert_eq!(
        sandbox.last_out(OFFICER).await,
        format!("Dana (case manager) is taking {n}.")
    );

    sandbox.type_as(DANA, "ETA 15").await;
    let eta = sandbox.last_out(OFFICER).await;
    assert!(
        eta.starts_with(&format!("Dana: on the way to {n}, about 15 min (")),
        "{eta}"
    );

    // What a person types is kept redacted; the page shows it as kept.
    sandbox
        .type_as(RIVERA, "He is calm, DOB 4/5/1990, in car 12.")
        .await;
    let (direction, typed) = sandbox
        .conversation(OFFICER)
        .await
        .into_iter()
        .rfind(|(direction, _)| direction == "in")
        .unwrap_or_default();
    assert_eq!(direction, "in");
    assert!(
        typed.contains("[redacted]") && !typed.contains("1990"),
        "{typed}"
    );
    let relayed = sandbox.last_out(CASE_MANAGER).await;
    assert!(
        relayed.starts_with(&format!("{n} Ofc. Rivera: He is calm")),
        "{relayed}"
    );

    sandbox
        .type_as(DANA, "Parking on 5th now, blue jacket.")
        .await;
    assert_eq!(
        sandbox.last_out(OFFICER).await,
        format!("{n} Dana: Parking on 5th now, blue jacket.")
    );

    sandbox.type_as(DANA, "ARRIVED").await;
    assert_eq!(
        sandbox.last_out(OFFICER).await,
        format!("Dana has arrived for {n}.")
    );

    sandbox.type_as(DANA, "DONE").await;
    assert_eq!(
        sandbox.last_out(OFFICER).await,
        format!("{n} is done: the person is with case management now. Thank you.")
    );
}

/// `database`, or a SQLite file in `dir`.
fn database_url(database: Option<String>, dir: &TempDir) -> String {
    database.unwrap_or_else(|| format!("sqlite://{}/handoff.db", dir.path().display()))
}

#[tokio::test]
async fn the_walkthrough_works_again_after_a_restart_and_the_page_keeps_the_first_conversation() {
    on_every_database(async |database| {
        let dir = TempDir::new().unwrap_or_else(|e| panic!("temporary directory: {e}"));
        let database = database_url(database, &dir);
        let clock = MockClock::new(at(MONDAY));

        let first = Sandbox::start(&database, &clock).await;
        walkthrough(&first, 1001).await;
        let before = first.conversation(OFFICER).await;
        assert_eq!(before[0], ("in".to_owned(), REQUEST.to_owned()));
        first.stop().await;

        clock.advance(Duration::minutes(30));
        let second = Sandbox::start(&database, &clock).await;
        // After the restart the page still shows what was said, in order.
        assert_eq!(second.conversation(OFFICER).await, before);
        assert!(
            second
                .conversation(CASE_MANAGER)
                .await
                .contains(&("in".to_owned(), "Y1001".to_owned()))
        );

        walkthrough(&second, 1002).await;
        let after = second.conversation(OFFICER).await;
        assert_eq!(
            &after[..before.len()],
            &before[..],
            "the first conversation is kept"
        );
        assert_eq!(after[before.len()], ("in".to_owned(), REQUEST.to_owned()));
        second.stop().await;
    })
    .await;
}

#[tokio::test]
async fn a_post_from_another_site_is_refused_and_nothing_is_handled() {
    on_every_database(async |database| {
        let dir = TempDir::new().unwrap_or_else(|e| panic!("temporary directory: {e}"));
        let database = database_url(database, &dir);
        let clock = MockClock::new(at(MONDAY));
        let sandbox = Sandbox::start(&database, &clock).await;
        let version = sandbox.version().await;

        let own_host = sandbox.running.public_url.clone();
        let other_port = own_host.replace(&format!(":{}", sandbox.running.addr.port()), ":1");
        let refusals: [&[(&str, &str)]; 4] = [
            &[
                ("origin", "https://evil.example"),
                ("sec-fetch-site", "cross-site"),
            ],
            &[("origin", "https://evil.example")],
            &[("origin", other_port.as_str())],
            &[("sec-fetch-site", "cross-site")],
        ];
        for headers in refusals {
            let (status, body) = sandbox.post(RIVERA, REQUEST, headers).await;
            assert_eq!(status, StatusCode::FORBIDDEN, "{headers:?}: {body}");
            assert!(body.starts_with("refused:"), "{body}");
        }
        sandbox.settle().await;
        assert_eq!(sandbox.version().await, version, "nothing was recorded");
        assert!(sandbox.conversation(OFFICER).await.is_empty());
        let requests = sandbox
            .running
            .engine
            .records()
            .events(None, None)
            .await
            .unwrap_or_else(|e| panic!("reading the event log: {e}"));
        assert!(requests.is_empty(), "handled: {requests:?}");

        // A program posting without Origin (no browser, so no forged form) is heard.
        let (status, body) = sandbox.post(RIVERA, REQUEST, &[]).await;
        assert_eq!(status, StatusCode::SEE_OTHER, "{body}");
        sandbox.settle().await;
        assert!(
            sandbox
                .last_out(OFFICER)
                .await
                .starts_with("Got it: hand-off 1001")
        );
        sandbox.stop().await;
    })
    .await;
}

//! The dashboard from outside: a program with a user of each role, and a small
//! HTTP client that keeps cookies and logs in through the form as a browser would
//! (the form's token paired with its cookie).

use std::collections::BTreeMap;
use std::sync::OnceLock;

use reqwest::StatusCode;
use reqwest::header::{HeaderMap, SET_COOKIE};
use reqwest::redirect::Policy;

/// A user of each role, with their passwords.
pub const VIEWER: (&str, &str) = ("vic", "vic's password, long enough");
pub const MANAGER: (&str, &str) = ("pat", "pat's password, long enough");
pub const ADMIN: (&str, &str) = ("ada", "ada's password, long enough");

/// The `[dashboard]` section with the three users (hashed once per test binary:
/// each hash takes a moment, by design).
pub fn dashboard_section() -> &'static str {
    static SECTION: OnceLock<String> = OnceLock::new();
    SECTION.get_or_init(|| {
        let mut text = String::from("\n[dashboard]\narrival_target = \"45m\"\n");
        for ((name, password), role) in [VIEWER, MANAGER, ADMIN]
            .into_iter()
            .zip(["viewer", "manager", "admin"])
        {
            let hash = handoff_bot::web::hash_password(password)
                .unwrap_or_else(|e| panic!("hashing {name}'s password: {e}"));
            text.push_str(&format!(
                "\n[[dashboard.users]]\nname = \"{name}\"\nrole = \"{role}\"\npassword_hash = \"{hash}\"\n"
            ));
        }
        text
    })
}

/// An HTTP client that keeps the server's cookies and follows no redirects.
pub struct WebClient {
    http: reqwest::Client,
    base: String,
    pub cookies: BTreeMap<String, String>,
}

/// A response, read whole.
#[derive(Debug)]
pub struct Page {
    pub status: StatusCode,
    pub headers: HeaderMap,
    pub body: String,
}

impl WebClient {
    pub fn new(base: &str) -> WebClient {
        let http = reqwest::Client::builder()
            .redirect(Policy::none())
            .build()
            .unwrap_or_else(|e| panic!("HTTP client: {e}"));
        WebClient {
            http,
            base: base.trim_end_matches('/').to_owned(),
            cookies: BTreeMap::new(),
        }
    }

    fn cookie_header(&self) -> String {
        self.cookies
            .iter()
            .map(|(k, v)| format!("{k}={v}"))
            .collect::<Vec<_>>()
            .join("; ")
    }

    async fn read(&mut self, response: reqwest::Response) -> Page {
        let status = response.status();
        let headers = response.headers().clone();
        for value in headers.get_all(SET_COOKIE) {
            let text = value.to_str().unwrap_or_default();
            let pair = text.split(';').next().unwrap_or_default();
            if let Some((name, value)) = pair.split_once('=') {
                if text.contains("Max-Age=0") {
                    self.cookies.remove(name);
                } else {
                    self.cookies.insert(name.to_owned(), value.to_owned());
                }
            }
        }
        let body = response
            .text()
            .await
            .unwrap_or_else(|e| panic!("reading a response: {e}"));
        Page {
            status,
            headers,
            body,
        }
    }

    pub async fn get(&mut self, path: &str) -> Page {
        let response = self
            .http
            .get(format!("{}{path}", self.base))
            .header("cookie", self.cookie_header())
            .send()
            .await
            .unwrap_or_else(|e| panic!("GET {path}: {e}"));
        self.read(response).await
    }

    /// Posts a form, with extra headers (an `Origin`, say).
    pub async fn post(
        &mut self,
        path: &str,
        form: &[(&str, &str)],
        extra: &[(&str, &str)],
    ) -> Page {
        let mut request = self
            .http
            .post(format!("{}{path}", self.base))
            .header("cookie", self.cookie_header())
            .form(form);
        for (name, value) in extra {
            request = request.header(*name, *value);
        }
        let response = request
            .send()
            .await
            .unwrap_or_else(|e| panic!("POST {path}: {e}"));
        self.read(response).await
    }

    /// Opens the login form and posts it with `user` and `password`.
    pub async fn login(&mut self, user: &str, password: &str) -> Page {
        let form = self.get("/login").await;
        let token = hidden(&form.body, "csrf");
        self.post(
            "/login",
            &[
                ("user", user),
                ("password", password),
                ("csrf", &token),
                ("next", "/dashboard"),
            ],
            &[],
        )
        .await
    }

    /// The CSRF token of the logged-in session, from the logout form of a page.
    pub async fn csrf(&mut self) -> String {
        let page = self.get("/dashboard").await;
        hidden(&page.body, "csrf")
    }
}

/// The value of the hidden input `name` in `html`.
pub fn hidden(html: &str, name: &str) -> String {
    let marker = format!("name=\"{name}\" value=\"");
    let start = html
        .find(&marker)
        .unwrap_or_else(|| panic!("no hidden {name} in the page:\n{html}"))
        + marker.len();
    html[start..]
        .split('"')
        .next()
        .unwrap_or_default()
        .to_owned()
}

/// Fills a service's log with `count` hand-offs over the weeks after its clock's
/// start, each played through the real conversation core as texts: some taken and
/// completed (with an ETA, sometimes missed), some closed without a diversion,
/// some nobody answered, some withdrawn, some at night when only the on-call
/// coordinator may answer. Deterministic for a given `seed`.
pub async fn seed(service: &crate::service::Service, count: u32, seed: u64) {
    use crate::service::{CHEN, DANA, LEE, RIVERA, SAM};
    use chrono::Duration;
    use handoff_dispatcher::PhoneNumber;
    use handoff_dispatcher::conversation::MessageId;
    use rand::rngs::StdRng;
    use rand::{Rng, SeedableRng};

    // Moves the clock and fires what falls due, without delivering: the outbox
    // of a few hundred hand-offs is not what these tests look at, and delivering
    // it at every step would take minutes.
    let tick = async |by: Duration| {
        service.clock.advance(by);
        let engine = &service.running.engine;
        while engine
            .fire_due()
            .await
            .unwrap_or_else(|e| panic!("firing timers: {e}"))
            > 0
        {}
        engine
            .send_digests()
            .await
            .unwrap_or_else(|e| panic!("queueing digests: {e}"));
    };
    let mut rng = StdRng::seed_from_u64(seed);
    let mut sent = 0u64;
    let mut say = async |from: &str, body: &str| {
        sent += 1;
        let phone = PhoneNumber::parse(from).unwrap_or_else(|e| panic!("{from}: {e:?}"));
        let id = MessageId::parse(&format!("SEED{seed}x{sent}"))
            .unwrap_or_else(|e| panic!("message id: {e:?}"));
        service
            .running
            .inbound
            .text(&phone, body, &id)
            .await
            .unwrap_or_else(|e| panic!("{body}: {e}"));
    };
    for n in 0..count {
        let id = 1001 + n;
        tick(Duration::minutes(rng.random_range(30..=16 * 60))).await;
        let officer = if rng.random_bool(0.6) { RIVERA } else { CHEN };
        let kind = if rng.random_bool(0.7) {
            "LEAD"
        } else {
            "REFER"
        };
        say(officer, &format!("{kind} {n} Main St, seeded request")).await;
        let open = service
            .running
            .engine
            .directory()
            .sites
            .values()
            .any(|site| site.schedule.is_open(service.running.engine.now()));
        let taker = if open {
            if rng.random_bool(0.5) { DANA } else { LEE }
        } else {
            SAM
        };
        let roll: f64 = rng.random();
        tick(Duration::seconds(rng.random_range(20..=280))).await;
        if roll < 0.62 || (!open && roll < 0.75) {
            say(taker, &format!("Y{id}")).await;
            let eta = rng.random_range(5..=40);
            say(taker, &format!("ETA {eta}")).await;
            if roll < 0.52 {
                let late = rng.random_range(-4..=12);
                service
                    .advance(Duration::minutes((eta + late).max(1)))
                    .await;
                say(taker, "ARRIVED").await;
                service
                    .advance(Duration::minutes(rng.random_range(10..=50)))
                    .await;
                say(taker, "DONE").await;
            } else {
                say(taker, &format!("NOTDIVERTED {id} declined")).await;
            }
        } else if roll < 0.85 {
            // Nobody answers: the steps run out.
            tick(Duration::minutes(20)).await;
        } else {
            say(officer, "CANCEL").await;
        }
    }
}

//! The JSON API for agencies end to end, through real HTTP to `handoff serve`'s own
//! start-up with the fake Twilio-compatible provider: Metro PD's dispatch system
//! asks for a case manager for Ofc. Rivera, Dana takes it by text with an ETA, the
//! system sees her first name and ETA, then withdraws it, and Rivera is texted
//! throughout as if she had asked herself. A retry with the same Idempotency-Key
//! opens nothing and offers nothing again; calls without a valid token, for another
//! agency's officer or about its hand-offs, that cannot be read, or while the
//! database is gone are refused in JSON; a request out of hours is answered with
//! the next opening. And README's curl examples work against the example
//! configuration with the sandbox.
//!
//! Each journey runs on SQLite, and again on PostgreSQL when `DATABASE_URL` names a
//! server (`scripts/with-postgres cargo test -p handoff-tests --test api`).

use std::path::Path;
use std::sync::Arc;

use handoff_bot::serve::{self, Options};
use handoff_dispatcher::MockClock;
use handoff_tests::database::on_every_database;
use handoff_tests::journey::{MONDAY, SUNDAY, minutes, shows_phone, staff};
use handoff_tests::service::{CHEN, DANA, LEE, PROGRAM, RIVERA, SAM, Service};
use handoff_tests::{at, example_config};
use reqwest::header::{HeaderMap, HeaderValue};
use serde_json::{Value, json};
use tempfile::TempDir;

const METRO_TOKEN: &str = "metro-0123456789abcdef0123456789abcdef";
const SHERIFF_TOKEN: &str = "sheriff-fedcba9876543210fedcba9876543210";
const TOKENS: [(&str, &str); 2] = [
    ("METRO_API_TOKEN", METRO_TOKEN),
    ("SHERIFF_API_TOKEN", SHERIFF_TOKEN),
];

/// Deputy Johnson, of the County Sheriff, who also works for Metro PD.
const JOHNSON: &str = "+14125550103";

/// The journey program with API tokens for Metro PD and a second agency, the
/// County Sheriff, whose deputy also works for Metro PD.
fn program(base: &str) -> String {
    let metro = "name = \"Metro PD\"\nsites = [\"metro\"]\n";
    assert!(base.contains(metro));
    let with_token = base.replace(
        metro,
        "name = \"Metro PD\"\nsites = [\"metro\"]\napi_token_env = \"METRO_API_TOKEN\"\n",
    );
    format!(
        "{with_token}\n[[agencies]]\nid = \"county-sheriff\"\nname = \"County Sheriff\"\n\
         sites = [\"metro\"]\napi_token_env = \"SHERIFF_API_TOKEN\"\nofficers = [\n  \
         {{ id = \"johnson\", name = \"Tom Johnson\", rank = \"Dep.\", phone = \"+1 412 555 0103\", \
         other_agencies = [\"metro-pd\"] }},\n]\n"
    )
}

async fn start(base: &str, now: &str, database: Option<String>) -> Service {
    Service::start_with_env(&program(base), now, database, &TOKENS).await
}

/// An HTTP answer: its status, headers and JSON body.
struct Reply {
    status: u16,
    headers: reqwest::header::HeaderMap,
    body: Value,
}

impl Reply {
    /// The error code of a JSON error answer, checking its shape.
    fn error(&self) -> &str {
        let message = self.body["error"]["message"].as_str().unwrap_or_default();
        assert!(!message.is_empty(), "not a JSON error: {}", self.body);
        self.body["error"]["code"]
            .as_str()
            .unwrap_or_else(|| panic!("no error code: {}", self.body))
    }

    fn header(&self, name: &str) -> Option<&str> {
        self.headers.get(name).and_then(|v| v.to_str().ok())
    }
}

/// A caller of one service's API.
struct Api {
    base: String,
    http: reqwest::Client,
}

impl Api {
    fn of(svc: &Service) -> Api {
        Api {
            base: svc.url(""),
            http: reqwest::Client::new(),
        }
    }

    async fn send(&self, request: reqwest::RequestBuilder) -> Reply {
        let response = request
            .send()
            .await
            .unwrap_or_else(|e| panic!("calling the API: {e}"));
        let status = response.status().as_u16();
        let headers = response.headers().clone();
        let text = response.text().await.unwrap_or_default();
        let body = serde_json::from_str(&text)
            .unwrap_or_else(|e| panic!("the answer ({status}) is not JSON: {e}: {text:?}"));
        Reply {
            status,
            headers,
            body,
        }
    }

    /// `POST path` with `token`, an Idempotency-Key and a JSON body.
    async fn post(&self, path: &str, token: &str, key: Option<&str>, body: Option<Value>) -> Reply {
        let mut request = self
            .http
            .post(format!("{}{path}", self.base))
            .bearer_auth(token);
        if let Some(key) = key {
            request = request.header("Idempotency-Key", key);
        }
        if let Some(body) = body {
            request = request.json(&body);
        }
        self.send(request).await
    }

    async fn get(&self, path: &str, token: &str) -> Reply {
        let request = self
            .http
            .get(format!("{}{path}", self.base))
            .bearer_auth(token);
        self.send(request).await
    }

    /// Metro PD's system asks for a case manager for `officer`.
    async fn request(&self, key: &str, body: Value) -> Reply {
        self.post("/api/v1/handoffs", METRO_TOKEN, Some(key), Some(body))
            .await
    }
}

fn rivera_at_5th_and_main() -> Value {
    json!({
        "officer": "rivera",
        "kind": "arrest_diversion",
        "location": "5th & Main",
        "notes": "retail theft",
    })
}

#[tokio::test]
async fn a_cad_request_is_taken_by_text_shown_with_the_first_name_and_eta_then_withdrawn() {
    on_every_database(async |database| {
        let svc = start(PROGRAM, MONDAY, database).await;
        let api = Api::of(&svc);

        let opened = api.request("cad-4711", rivera_at_5th_and_main()).await;
        assert_eq!(opened.status, 201, "{}", opened.body);
        assert_eq!(opened.header("location"), Some("/api/v1/handoffs/1001"));
        let body = &opened.body;
        assert_eq!(body["id"], 1001);
        assert_eq!(body["result"], "opened");
        assert_eq!(body["state"], "offering");
        assert_eq!(body["kind"], "arrest_diversion");
        assert_eq!(body["site"], "metro");
        assert_eq!(body["agency"], "metro-pd");
        assert_eq!(body["officer"], "rivera");
        assert_eq!(body["location"], "5th & Main, retail theft");
        assert_eq!(body["requested_at"], "2026-11-23T10:00:00-05:00");
        assert_eq!(body["assignee"], Value::Null);
        assert_eq!(body["outcome"], "open");
        // Rivera is texted the receipt, exactly the words the system was given.
        svc.settle().await;
        assert_eq!(svc.texts_to(RIVERA), [body["message"].as_str().unwrap()]);
        assert!(
            svc.last_text_to(DANA)
                .starts_with("LEAD 1001: arrest diversion")
        );
        assert!(
            svc.last_text_to(LEE)
                .starts_with("LEAD 1001: arrest diversion")
        );

        svc.text(DANA, "Y1001 15").await;
        svc.text(DANA, "parking behind the store").await;
        assert!(
            svc.last_text_to(RIVERA)
                .contains("parking behind the store")
        );
        let shown = api.get("/api/v1/handoffs/1001", METRO_TOKEN).await;
        assert_eq!(shown.status, 200, "{}", shown.body);
        assert_eq!(shown.body["state"], "en_route");
        assert_eq!(shown.body["assignee"], json!({ "first_name": "Dana" }));
        assert_eq!(shown.body["eta"], "2026-11-23T10:15:00-05:00");
        assert_eq!(shown.body["accepted_at"], "2026-11-23T10:00:00-05:00");
        assert!(shown.body.get("result").is_none());
        let text = shown.body.to_string();
        for phone in [DANA, RIVERA, LEE] {
            assert!(!shows_phone(&text, phone), "{phone} in {text}");
        }
        assert!(!text.contains("Whitfield"), "{text}");
        assert!(
            !text.contains("parking"),
            "relayed words are not shown: {text}"
        );

        svc.clock.advance(minutes(3));
        let cancelled = api
            .post(
                "/api/v1/handoffs/1001/cancel",
                METRO_TOKEN,
                None,
                Some(json!({ "reason": "released at the scene" })),
            )
            .await;
        assert_eq!(cancelled.status, 200, "{}", cancelled.body);
        assert_eq!(cancelled.body["result"], "cancelled");
        assert_eq!(cancelled.body["state"], "cancelled");
        assert_eq!(cancelled.body["outcome"], "cancelled");
        assert_eq!(cancelled.body["closed_at"], "2026-11-23T10:03:00-05:00");
        svc.settle().await;
        assert_eq!(
            svc.last_text_to(RIVERA),
            cancelled.body["message"].as_str().unwrap()
        );
        assert!(
            svc.last_text_to(DANA).contains("released at the scene"),
            "{}",
            svc.last_text_to(DANA)
        );
        let shown = api.get("/api/v1/handoffs/1001", METRO_TOKEN).await;
        assert_eq!(shown.body["state"], "cancelled");
        assert_eq!(
            svc.event_kinds().await.last().copied(),
            Some("cancelled"),
            "the withdrawal is in the event log"
        );
        svc.stop().await;
    })
    .await;
}

#[tokio::test]
async fn a_retry_with_the_same_idempotency_key_returns_the_same_handoff_and_sends_nothing_again() {
    on_every_database(async |database| {
        let svc = start(PROGRAM, MONDAY, database).await;
        let api = Api::of(&svc);
        let first = api.request("cad-4711", rivera_at_5th_and_main()).await;
        assert_eq!(first.status, 201, "{}", first.body);
        svc.settle().await;
        let sent = svc.sent().len();

        // The system timed out and sends it again, twice at once.
        let (again, and_again) = tokio::join!(
            api.request("cad-4711", rivera_at_5th_and_main()),
            api.request("cad-4711", rivera_at_5th_and_main()),
        );
        for retry in [&again, &and_again] {
            assert_eq!(retry.status, 200, "{}", retry.body);
            assert_eq!(retry.body["id"], 1001);
            assert_eq!(retry.body["result"], "replayed");
            assert_eq!(retry.body["message"], Value::Null);
        }
        svc.settle().await;
        assert_eq!(svc.sent().len(), sent, "nothing is texted again");
        assert_eq!(svc.events_named("requested").await.len(), 1);
        assert_eq!(svc.told_names(&staff("dana")).await, ["offer"]);

        // Sent again under a new key within minutes, the same request is answered
        // with that hand-off's status, to the system alone.
        let repeat = api.request("cad-4712", rivera_at_5th_and_main()).await;
        assert_eq!(repeat.status, 200, "{}", repeat.body);
        assert_eq!(repeat.body["result"], "repeat");
        assert_eq!(repeat.body["id"], 1001);
        assert!(
            repeat.body["message"]
                .as_str()
                .is_some_and(|m| m.contains("1001")),
            "{}",
            repeat.body
        );
        svc.settle().await;
        assert_eq!(svc.sent().len(), sent);
        assert_eq!(svc.open_handoffs().await.len(), 1);

        // A key is one request's: a cancel under it is a cancel of its own.
        let cancel = api
            .post(
                "/api/v1/handoffs/1001/cancel",
                METRO_TOKEN,
                Some("cad-4711"),
                None,
            )
            .await;
        assert_eq!(cancel.body["result"], "cancelled", "{}", cancel.body);
        let cancel_again = api
            .post(
                "/api/v1/handoffs/1001/cancel",
                METRO_TOKEN,
                Some("cad-4711"),
                None,
            )
            .await;
        assert_eq!(cancel_again.status, 200, "{}", cancel_again.body);
        assert_eq!(cancel_again.body["result"], "replayed");
        // Under a new key it is a withdrawal of a closed hand-off, refused to the
        // system; Rivera is texted nothing about it.
        svc.settle().await;
        let texted = svc.texts_to(RIVERA).len();
        let closed = api
            .post(
                "/api/v1/handoffs/1001/cancel",
                METRO_TOKEN,
                Some("cad-4713"),
                None,
            )
            .await;
        assert_eq!((closed.status, closed.error()), (409, "handoff_closed"));
        svc.settle().await;
        assert_eq!(svc.texts_to(RIVERA).len(), texted);
        svc.stop().await;
    })
    .await;
}

#[tokio::test]
async fn a_call_without_a_valid_token_is_refused_with_a_bearer_challenge() {
    on_every_database(async |database| {
        let svc = start(PROGRAM, MONDAY, database).await;
        let api = Api::of(&svc);
        let url = svc.url("/api/v1/handoffs");
        let anonymous = api
            .send(
                api.http
                    .post(&url)
                    .header("Idempotency-Key", "k1")
                    .json(&rivera_at_5th_and_main()),
            )
            .await;
        assert_eq!(anonymous.status, 401);
        assert_eq!(anonymous.error(), "unauthorized");
        assert_eq!(
            anonymous.header("www-authenticate"),
            Some("Bearer realm=\"handoff\"")
        );
        let wrong_token = format!("{METRO_TOKEN}x");
        let answers = [
            api.post(
                "/api/v1/handoffs",
                &wrong_token,
                Some("k2"),
                Some(rivera_at_5th_and_main()),
            )
            .await,
            api.get("/api/v1/handoffs/1001", "").await,
            api.send(
                api.http
                    .get(svc.url("/api/v1/handoffs/1001"))
                    .basic_auth("metro-pd", Some(METRO_TOKEN)),
            )
            .await,
        ];
        for refused in answers {
            assert_eq!(refused.status, 401, "{}", refused.body);
            assert_eq!(refused.error(), "unauthorized");
            assert_eq!(
                refused.header("www-authenticate"),
                Some("Bearer realm=\"handoff\", error=\"invalid_token\"")
            );
        }
        svc.settle().await;
        assert!(svc.open_handoffs().await.is_empty());
        assert!(svc.sent().is_empty());
        svc.stop().await;
    })
    .await;
}

#[tokio::test]
async fn an_agency_acts_only_for_its_own_officers_and_sees_only_its_own_handoffs() {
    on_every_database(async |database| {
        let svc = start(PROGRAM, MONDAY, database).await;
        let api = Api::of(&svc);
        let sheriff_for =
            |officer: &str| json!({ "officer": officer, "kind": "lead", "location": "Route 51" });
        for officer in ["rivera", "nobody"] {
            let refused = api
                .post(
                    "/api/v1/handoffs",
                    SHERIFF_TOKEN,
                    Some(officer),
                    Some(sheriff_for(officer)),
                )
                .await;
            assert_eq!(refused.status, 403, "{}", refused.body);
            assert_eq!(refused.error(), "officer_not_of_agency");
        }

        let metros = api.request("cad-1", rivera_at_5th_and_main()).await;
        assert_eq!(metros.body["id"], 1001);
        // Another agency's hand-off does not exist for the sheriff.
        let hidden = api.get("/api/v1/handoffs/1001", SHERIFF_TOKEN).await;
        assert_eq!(hidden.status, 404);
        assert_eq!(hidden.error(), "handoff_not_found");
        let not_theirs = api
            .post("/api/v1/handoffs/1001/cancel", SHERIFF_TOKEN, None, None)
            .await;
        assert_eq!(not_theirs.status, 404);
        assert_eq!(svc.handoff(1001).await.state.name(), "offering");

        // Johnson works for both: each agency's system asks for its own agency,
        // and sees only its own hand-off.
        let sheriffs = api
            .post(
                "/api/v1/handoffs",
                SHERIFF_TOKEN,
                Some("s-1"),
                Some(sheriff_for("johnson")),
            )
            .await;
        assert_eq!(sheriffs.status, 201, "{}", sheriffs.body);
        assert_eq!(sheriffs.body["agency"], "county-sheriff");
        let for_metro = api.request("cad-2", sheriff_for("johnson")).await;
        assert_eq!(for_metro.status, 201, "{}", for_metro.body);
        assert_eq!(for_metro.body["agency"], "metro-pd");
        let sheriffs_id = sheriffs.body["id"].as_u64().unwrap();
        let seen = api
            .get(&format!("/api/v1/handoffs/{sheriffs_id}"), METRO_TOKEN)
            .await;
        assert_eq!(seen.status, 404);

        // Only the officer who asked may withdraw it: Sgt. Chen may not, and is
        // not texted about what his agency's system tried.
        let by_chen = api
            .post(
                "/api/v1/handoffs/1001/cancel",
                METRO_TOKEN,
                None,
                Some(json!({ "officer": "chen" })),
            )
            .await;
        assert_eq!(by_chen.status, 403, "{}", by_chen.body);
        assert_eq!(by_chen.error(), "not_requester");
        svc.settle().await;
        assert!(svc.texts_to(CHEN).is_empty());
        assert_eq!(svc.texts_to(JOHNSON).len(), 2, "one receipt per request");
        svc.stop().await;
    })
    .await;
}

#[tokio::test]
async fn requests_that_cannot_be_read_are_refused_in_json_and_nothing_is_handled() {
    on_every_database(async |database| {
        let svc = start(PROGRAM, MONDAY, database).await;
        let api = Api::of(&svc);
        let create = svc.url("/api/v1/handoffs");
        let authorised = || {
            api.http
                .post(&create)
                .bearer_auth(METRO_TOKEN)
                .header("Idempotency-Key", "bad-1")
        };
        let with_body = |kind: &str| {
            json!({ "officer": "rivera", "kind": kind, "location": "5th & Main" })
        };
        let huge = json!({ "officer": "rivera", "kind": "lead", "location": "x".repeat(20_000) });
        // (request, status, code)
        let table: Vec<(reqwest::RequestBuilder, u16, &str)> = vec![
            (authorised().body("{\"officer\": \"rivera\",").header("content-type", "application/json"), 400, "malformed_json"),
            (authorised().form(&[("officer", "rivera")]), 415, "unsupported_media_type"),
            (authorised().body(with_body("lead").to_string()), 415, "unsupported_media_type"),
            (authorised().json(&with_body("burglary")), 422, "unknown_kind"),
            (authorised().json(&json!({ "officer": "rivera", "kind": "lead" })), 422, "invalid_field"),
            (authorised().json(&json!({ "officer": "rivera", "kind": "lead", "location": "5th", "priority": 1 })), 422, "invalid_field"),
            (authorised().json(&json!({ "officer": "rivera", "kind": "lead", "location": "  " })), 422, "location_required"),
            (authorised().json(&json!({ "officer": "rivera", "kind": "lead", "location": "5th", "site": "beaver" })), 422, "unknown_site"),
            (authorised().json(&json!({ "officer": "rivera", "kind": "lead", "location": "5th", "zone": "east" })), 422, "unknown_zone"),
            (authorised().json(&huge), 413, "body_too_large"),
            (api.http.post(&create).bearer_auth(METRO_TOKEN).json(&with_body("lead")), 400, "idempotency_key_required"),
            (api.http.post(&create).bearer_auth(METRO_TOKEN).header("Idempotency-Key", "two words").json(&with_body("lead")), 400, "invalid_idempotency_key"),
            (api.http.get(&create).bearer_auth(METRO_TOKEN), 405, "method_not_allowed"),
            (api.http.get(svc.url("/api/v1/handoffs/abc")).bearer_auth(METRO_TOKEN), 404, "handoff_not_found"),
            (api.http.get(svc.url("/api/v1/handoffs/99999")).bearer_auth(METRO_TOKEN), 404, "handoff_not_found"),
            (api.http.post(svc.url("/api/v1/handoffs/99999/cancel")).bearer_auth(METRO_TOKEN), 404, "handoff_not_found"),
            (api.http.get(svc.url("/api/v2/handoffs")).bearer_auth(METRO_TOKEN), 404, "no_such_route"),
            (api.http.delete(svc.url("/api")), 404, "no_such_route"),
        ];
        for (request, status, code) in table {
            let reply = api.send(request).await;
            assert_eq!((reply.status, reply.error()), (status, code), "{}", reply.body);
        }
        let not_allowed = api.send(api.http.delete(svc.url("/api/v1/handoffs/1"))).await;
        assert_eq!(not_allowed.header("allow"), Some("GET"));
        svc.settle().await;
        assert!(svc.open_handoffs().await.is_empty());
        assert!(svc.events().await.is_empty());
        assert!(svc.sent().is_empty());
        svc.stop().await;
    })
    .await;
}

#[tokio::test]
async fn every_route_the_openapi_file_names_is_served_and_answers_json() {
    let text =
        std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("../docs/openapi.json"))
            .unwrap_or_else(|e| panic!("docs/openapi.json: {e}"));
    let doc: Value = serde_json::from_str(&text).unwrap_or_else(|e| panic!("{e}"));
    let svc = start(PROGRAM, MONDAY, None).await;
    let api = Api::of(&svc);
    let paths = doc["paths"].as_object().unwrap();
    assert_eq!(paths.len(), 3);
    for (path, operations) in paths {
        for method in operations.as_object().unwrap().keys() {
            let url = svc.url(&path.replace("{id}", "1001"));
            let method = reqwest::Method::from_bytes(method.to_uppercase().as_bytes()).unwrap();
            // Without a token each is refused as unauthorised, which only a
            // route that exists can say.
            let reply = api.send(api.http.request(method.clone(), url)).await;
            assert_eq!(
                (reply.status, reply.error()),
                (401, "unauthorized"),
                "{method} {path}"
            );
        }
    }
    svc.stop().await;
}

#[tokio::test]
async fn out_of_hours_the_system_is_told_when_case_management_opens() {
    on_every_database(async |database| {
        // Nobody on call: a hand-off closed at once, and the next opening.
        let on_call = "[[shifts]]\nperson = \"sam\"\nwhen = \"closed\"\n";
        assert!(PROGRAM.contains(on_call));
        let svc = start(&PROGRAM.replace(on_call, ""), SUNDAY, database).await;
        let closed = Api::of(&svc)
            .request("night-1", rivera_at_5th_and_main())
            .await;
        assert_eq!(closed.status, 200, "{}", closed.body);
        assert_eq!(closed.body["result"], "out_of_hours");
        assert_eq!(closed.body["state"], "out_of_hours");
        assert_eq!(closed.body["after_hours"], true);
        let message = closed.body["message"].as_str().unwrap();
        assert!(message.contains("opens Mon 8:00 AM"), "{message}");
        svc.settle().await;
        assert_eq!(svc.texts_to(RIVERA), [message]);
        assert_eq!(svc.event_kinds().await, ["requested", "out_of_hours"]);
        svc.stop().await;
    })
    .await;
    on_every_database(async |database| {
        // With Sam on call: opened, after hours, and Sam is asked.
        let svc = start(PROGRAM, SUNDAY, database).await;
        let opened = Api::of(&svc)
            .request("night-2", rivera_at_5th_and_main())
            .await;
        assert_eq!(opened.status, 201, "{}", opened.body);
        assert_eq!(opened.body["after_hours"], true);
        assert!(
            opened.body["message"]
                .as_str()
                .is_some_and(|m| m.contains("closed until Mon 8:00 AM")),
            "{}",
            opened.body
        );
        svc.settle().await;
        assert!(svc.last_text_to(SAM).starts_with("LEAD 1001 (after hours)"));
        svc.stop().await;
    })
    .await;
}

#[tokio::test]
async fn when_the_database_is_gone_the_api_says_to_retry() {
    let svc = start(PROGRAM, MONDAY, None).await;
    let api = Api::of(&svc);
    assert_eq!(
        api.request("db-1", rivera_at_5th_and_main()).await.status,
        201
    );
    svc.running.engine.close().await;
    let answers = [
        api.request("db-2", rivera_at_5th_and_main()).await,
        api.get("/api/v1/handoffs/1001", METRO_TOKEN).await,
    ];
    for busy in answers {
        assert_eq!(busy.status, 503, "{}", busy.body);
        assert_eq!(busy.error(), "unavailable");
        assert_eq!(busy.header("retry-after"), Some("5"));
    }
    svc.stop().await;
}

/// README's examples, word for word.
const README_REQUEST: &str = r#"{"officer": "rivera", "kind": "arrest_diversion", "location": "5th & Main", "notes": "retail theft"}"#;
const README_CANCEL: &str = r#"{"reason": "released at the scene"}"#;
const README_KEY: &str = "cad-2026-004711";

#[tokio::test]
async fn the_readme_examples_work_against_the_example_configuration_with_the_sandbox() {
    let readme =
        std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("../README.md"))
            .unwrap_or_else(|e| panic!("README.md: {e}"));
    for example in [README_REQUEST, README_CANCEL, README_KEY] {
        assert!(
            readme.contains(example),
            "README.md no longer shows {example}"
        );
    }
    let commented = "# api_token_env = \"METRO_PD_API_TOKEN\"";
    let example = std::fs::read_to_string(example_config()).unwrap_or_else(|e| panic!("{e}"));
    assert!(
        example.contains(commented),
        "the example no longer shows {commented}"
    );
    assert!(
        readme.contains(commented),
        "README.md no longer says what to uncomment"
    );
    let text = example.replacen(commented, "api_token_env = \"METRO_PD_API_TOKEN\"", 1);
    let config = handoff_config::load_str(&example_config(), &text, &|name| {
        (name == "METRO_PD_API_TOKEN").then(|| METRO_TOKEN.to_owned())
    })
    .unwrap_or_else(|e| panic!("the example with its token is invalid:\n{e}"));
    let dir = TempDir::new().unwrap_or_else(|e| panic!("{e}"));
    let options = Options {
        listen: Some(([127, 0, 0, 1], 0).into()),
        database: Some(format!("sqlite://{}/handoff.db", dir.path().display())),
        public_url: None,
    };
    let clock = MockClock::new(at(MONDAY));
    let running = serve::start(&config, options, Arc::new(clock), false)
        .await
        .unwrap_or_else(|e| panic!("handoff did not start: {e:#}"));
    let base = running.public_url.clone();
    let http = reqwest::Client::new();
    let mut json_headers = HeaderMap::new();
    json_headers.insert("content-type", HeaderValue::from_static("application/json"));
    let call = async |request: reqwest::RequestBuilder| -> (u16, Value) {
        let response = request.send().await.unwrap_or_else(|e| panic!("{e}"));
        let status = response.status().as_u16();
        (
            status,
            response.json().await.unwrap_or_else(|e| panic!("{e}")),
        )
    };

    let (status, opened) = call(
        http.post(format!("{base}/api/v1/handoffs"))
            .header("Authorization", format!("Bearer {METRO_TOKEN}"))
            .headers(json_headers.clone())
            .header("Idempotency-Key", README_KEY)
            .body(README_REQUEST),
    )
    .await;
    assert_eq!(status, 201, "{opened}");
    assert_eq!(
        opened,
        readme_answer(&readme),
        "README.md shows another answer"
    );
    assert_eq!(opened["zone"], "zone-1", "Rivera's own zone");
    let (status, shown) = call(
        http.get(format!("{base}/api/v1/handoffs/1001"))
            .header("Authorization", format!("Bearer {METRO_TOKEN}")),
    )
    .await;
    assert_eq!(status, 200, "{shown}");
    assert_eq!(shown["state"], "offering");
    let (status, cancelled) = call(
        http.post(format!("{base}/api/v1/handoffs/1001/cancel"))
            .header("Authorization", format!("Bearer {METRO_TOKEN}"))
            .headers(json_headers)
            .body(README_CANCEL),
    )
    .await;
    assert_eq!(status, 200, "{cancelled}");
    assert_eq!(cancelled["result"], "cancelled");
    assert_eq!(cancelled["state"], "cancelled");
    running.shutdown().await;
}

/// The answer README.md shows to its first example: the JSON block that opens
/// with hand-off 1001.
fn readme_answer(readme: &str) -> Value {
    let start = readme
        .find("```json\n{\n  \"id\": 1001,")
        .unwrap_or_else(|| panic!("README.md shows no answer for hand-off 1001"));
    let block = &readme[start + "```json\n".len()..];
    let end = block
        .find("```")
        .unwrap_or_else(|| panic!("the answer's block in README.md does not end"));
    serde_json::from_str(&block[..end]).unwrap_or_else(|e| panic!("README.md's answer: {e}"))
}

//! A fake Twilio-compatible SMS provider on loopback, for end-to-end tests.
//!
//! It speaks the part of Twilio's Programmable Messaging API that handoff uses:
//! `POST /2010-04-01/Accounts/{AccountSid}/Messages.json`, form-encoded, HTTP basic
//! auth, answered with Twilio's JSON. It records every accepted send, and can be
//! told to fail, hang, or refuse a number, to fail for a while in a pattern of
//! faults (an outage), to hold every send until released, or to answer slowly, so a
//! test can drive every path of the client. In the other direction it plays Twilio's webhooks: it posts delivery
//! status callbacks and inbound texts, signed with `X-Twilio-Signature` as Twilio
//! signs them.
//!
//! ```ignore
//! let fake = FakeTwilio::start("AC123", "token").await;
//! let client = TwilioClient::new(&fake.base_url(), "AC123", "token", sender)?;
//! fake.fail_next(1, 503);
//! // ... the handoff under test sends ...
//! let sent = fake.wait_for_sends(1, Duration::from_secs(5)).await;
//! ```

use std::collections::{HashMap, VecDeque};
use std::net::SocketAddr;
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};
use std::time::Duration;

use axum::Router;
use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::post;
use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use handoff_bot::sms::signature;
use serde_json::json;
use tokio::sync::watch;
use tokio::task::JoinHandle;

/// How long a hung request waits before it answers at all (a 504), unless the fake
/// is dropped first. Far beyond any client timeout a test sets.
pub const HANG: Duration = Duration::from_secs(120);

/// How long Twilio waits for a webhook's answer before it counts it as failed.
pub const ANSWER_PATIENCE: Duration = Duration::from_secs(15);

/// The number a Messaging Service "picks" in status callbacks: Twilio's magic test
/// number that always sends.
pub const SERVICE_NUMBER: &str = "+15005550006";

/// One text the fake accepted.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SentMessage {
    /// `SM` and 32 hex digits.
    pub sid: String,
    /// The account that sent it: the basic-auth user, checked against the path.
    pub account_sid: String,
    pub to: String,
    /// `From`, when the text was sent from a number.
    pub from: Option<String>,
    /// `MessagingServiceSid`, when the text was sent through a Messaging Service.
    pub messaging_service_sid: Option<String>,
    pub body: String,
    pub status_callback: Option<String>,
}

/// A webhook's answer to the fake.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Answer {
    pub status: u16,
    /// Its `Retry-After` header, if any.
    pub retry_after: Option<String>,
    pub body: String,
}

/// What the fake does with one send request instead of accepting it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Fault {
    /// Answers this HTTP status (500, 503, 429, ...) with Twilio's error body.
    Status(u16),
    /// Answers 429 with `Retry-After` of this many seconds.
    TooMany(u64),
    /// Answers nothing (for [`HANG`], or until the fake is dropped), so the client
    /// times out; the text is never accepted.
    Hang,
}

#[derive(Default)]
struct Script {
    sent: Vec<SentMessage>,
    /// How many send requests arrived, whatever became of them.
    requests: usize,
    hangs: usize,
    failures: VecDeque<Fault>,
    /// While set, every request gets the next fault of this pattern, in turn.
    outage: Option<(Vec<Fault>, usize)>,
    /// Every fault served, in order (scripted, of an outage, or a hung number).
    served: Vec<Fault>,
    /// Numbers refused for good, with Twilio's error code.
    rejected: HashMap<String, i64>,
    /// Numbers whose every send hangs.
    hung_numbers: std::collections::HashSet<String>,
    /// How long an accepted send takes to answer.
    latency: Duration,
}

struct Shared {
    account_sid: String,
    auth_token: String,
    script: Mutex<Script>,
    /// The number of accepted sends, so waiters wake on each one.
    sends: watch::Sender<usize>,
    /// Set when the fake is dropped, so hung requests end.
    closed: watch::Sender<bool>,
    /// Set while sends are held (see [`FakeTwilio::hold_sends`]).
    held: watch::Sender<bool>,
}

impl Shared {
    fn script(&self) -> MutexGuard<'_, Script> {
        self.script.lock().unwrap_or_else(PoisonError::into_inner)
    }
}

/// A running fake provider. Dropping it stops the server.
pub struct FakeTwilio {
    addr: SocketAddr,
    shared: Arc<Shared>,
    http: reqwest::Client,
    server: JoinHandle<()>,
}

impl Drop for FakeTwilio {
    fn drop(&mut self) {
        self.shared.closed.send_replace(true);
        self.server.abort();
    }
}

/// A fresh message id: `SM` and 32 lowercase hex digits, as Twilio's.
pub fn message_sid() -> String {
    format!("SM{:032x}", rand::random::<u128>())
}

impl FakeTwilio {
    /// Starts the fake on `127.0.0.1` on a free port, accepting `account_sid` with
    /// `auth_token`.
    pub async fn start(account_sid: &str, auth_token: &str) -> FakeTwilio {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
            .await
            .unwrap_or_else(|e| panic!("fake Twilio cannot listen on loopback: {e}"));
        let addr = listener
            .local_addr()
            .unwrap_or_else(|e| panic!("fake Twilio has no address: {e}"));
        let shared = Arc::new(Shared {
            account_sid: account_sid.to_owned(),
            auth_token: auth_token.to_owned(),
            script: Mutex::new(Script::default()),
            sends: watch::channel(0).0,
            closed: watch::channel(false).0,
            held: watch::channel(false).0,
        });
        let app = Router::new()
            .route(
                "/2010-04-01/Accounts/{sid}/Messages.json",
                post(create_message),
            )
            .fallback(not_found)
            .with_state(shared.clone());
        let server = tokio::spawn(async move {
            if let Err(e) = axum::serve(listener, app).await {
                eprintln!("fake Twilio stopped: {e}");
            }
        });
        let http = reqwest::Client::builder()
            .timeout(Duration::from_secs(10))
            .build()
            .unwrap_or_else(|e| panic!("fake Twilio cannot build its HTTP client: {e}"));
        FakeTwilio {
            addr,
            shared,
            http,
            server,
        }
    }

    /// The API base to give the client, e.g. `http://127.0.0.1:41234`.
    pub fn base_url(&self) -> String {
        format!("http://{}", self.addr)
    }

    pub fn account_sid(&self) -> &str {
        &self.shared.account_sid
    }

    pub fn auth_token(&self) -> &str {
        &self.shared.auth_token
    }

    /// Every text accepted so far, oldest first.
    pub fn sent(&self) -> Vec<SentMessage> {
        self.shared.script().sent.clone()
    }

    /// How many send requests arrived, accepted or not (retries included).
    pub fn requests(&self) -> usize {
        self.shared.script().requests
    }

    /// Waits until at least `n` texts were accepted, or `timeout` passed, and
    /// returns every text accepted by then. It wakes on each send, so it never waits
    /// longer than it must; on a timeout it returns fewer than `n`, for the caller to
    /// assert on.
    pub async fn wait_for_sends(&self, n: usize, timeout: Duration) -> Vec<SentMessage> {
        let mut sends = self.shared.sends.subscribe();
        // The sender lives as long as `self`, so `wait_for` cannot fail here; a
        // timeout simply ends the wait.
        let _ = tokio::time::timeout(timeout, sends.wait_for(|count| *count >= n)).await;
        self.sent()
    }

    /// The next `n` send requests are answered with HTTP `status` (500, 503, 429,
    /// ...) and a Twilio-like error body, without a `Retry-After`.
    pub fn fail_next(&self, n: usize, status: u16) {
        self.script_failures(n, status, None);
    }

    /// Like [`FakeTwilio::fail_next`], with `Retry-After: {seconds}`.
    pub fn fail_next_with_retry_after(&self, n: usize, status: u16, seconds: u64) {
        self.script_failures(n, status, Some(seconds));
    }

    fn script_failures(&self, n: usize, status: u16, retry_after: Option<u64>) {
        let fault = match retry_after {
            Some(seconds) if status == 429 => Fault::TooMany(seconds),
            Some(_) => panic!("the fake gives Retry-After with 429 only"),
            None => Fault::Status(status),
        };
        self.fail_in_turn(&vec![fault; n]);
    }

    /// The next send requests get these faults, one each, in order (after any
    /// [`FakeTwilio::hang_next`]).
    pub fn fail_in_turn(&self, faults: &[Fault]) {
        for fault in faults {
            if let Fault::Status(status) = fault {
                StatusCode::from_u16(*status)
                    .unwrap_or_else(|e| panic!("not an HTTP status {status}: {e}"));
            }
        }
        self.shared.script().failures.extend(faults.iter().copied());
    }

    /// An outage: from now until [`FakeTwilio::recover`], every send request gets
    /// the next fault of `pattern`, in turn, and nothing is accepted.
    pub fn fail_until_recovered(&self, pattern: &[Fault]) {
        assert!(!pattern.is_empty(), "an outage needs at least one fault");
        self.shared.script().outage = Some((pattern.to_vec(), 0));
    }

    /// Ends an outage: sends are accepted again.
    pub fn recover(&self) {
        self.shared.script().outage = None;
    }

    /// Every fault served so far, in order.
    pub fn faults_served(&self) -> Vec<Fault> {
        self.shared.script().served.clone()
    }

    /// From now on every send request waits, unanswered, until
    /// [`FakeTwilio::release_sends`]; then each is answered 503. A held text is
    /// never accepted: whatever becomes of the client meanwhile (it times out, it is
    /// killed), the fake has no text it could have accepted without the client
    /// knowing.
    pub fn hold_sends(&self) {
        self.shared.held.send_replace(true);
    }

    /// Ends [`FakeTwilio::hold_sends`]: the held requests are answered 503, and
    /// sends are taken again.
    pub fn release_sends(&self) {
        self.shared.held.send_replace(false);
    }

    /// Every accepted send answers only after `latency` (the text counts as
    /// accepted when the answer goes out), as a provider under load.
    pub fn set_latency(&self, latency: Duration) {
        self.shared.script().latency = latency;
    }

    /// Every send to `to` hangs (see [`Fault::Hang`]) until
    /// [`FakeTwilio::stop_hanging`].
    pub fn hang_number(&self, to: &str) {
        self.shared.script().hung_numbers.insert(to.to_owned());
    }

    /// Sends to `to` are taken again (those hung so far stay hung).
    pub fn stop_hanging(&self, to: &str) {
        self.shared.script().hung_numbers.remove(to);
    }

    /// The next `n` send requests get no answer (for [`HANG`], or until the fake is
    /// dropped), so the client times out. Hangs come before scripted failures.
    pub fn hang_next(&self, n: usize) {
        self.shared.script().hangs += n;
    }

    /// Every text to `to` is refused from now on with HTTP 400 and Twilio error
    /// `code`: 21610 (unsubscribed recipient), 21211 (invalid number), 21614 (not a
    /// mobile number), or any other.
    pub fn reject_number(&self, to: &str, code: i64) {
        self.shared.script().rejected.insert(to.to_owned(), code);
    }

    /// Posts Twilio's status callback for the accepted message `msg_sid` to the
    /// `StatusCallback` it was sent with: `MessageSid`, `MessageStatus` (`sent`,
    /// `delivered`, `undelivered`, `failed`, ...), `ErrorCode` when given,
    /// `AccountSid`, `From`, `To` and the rest of Twilio's fields, signed. Returns the
    /// receiver's HTTP status and body. Panics if the message is unknown or was sent
    /// without a callback.
    pub async fn post_status_callback(
        &self,
        msg_sid: &str,
        status: &str,
        error_code: Option<&str>,
    ) -> (u16, String) {
        let message = self
            .sent()
            .into_iter()
            .find(|m| m.sid == msg_sid)
            .unwrap_or_else(|| panic!("fake Twilio never accepted a message {msg_sid}"));
        let url = message
            .status_callback
            .clone()
            .unwrap_or_else(|| panic!("message {msg_sid} was sent without a StatusCallback"));
        let from = message
            .from
            .clone()
            .unwrap_or_else(|| SERVICE_NUMBER.to_owned());
        let mut params = vec![
            ("SmsSid", message.sid.clone()),
            ("SmsStatus", status.to_owned()),
            ("MessageStatus", status.to_owned()),
            ("To", message.to.clone()),
            ("MessageSid", message.sid.clone()),
            ("AccountSid", message.account_sid.clone()),
            ("From", from),
            ("ApiVersion", "2010-04-01".to_owned()),
        ];
        if let Some(service) = &message.messaging_service_sid {
            params.push(("MessagingServiceSid", service.clone()));
        }
        if let Some(code) = error_code {
            params.push(("ErrorCode", code.to_owned()));
        }
        let params: Vec<(String, String)> =
            params.into_iter().map(|(k, v)| (k.to_owned(), v)).collect();
        self.post_signed(&url, &params).await
    }

    /// Posts an inbound text the way Twilio does (a new `MessageSid`), signed.
    /// Returns the receiver's HTTP status and body.
    pub async fn post_inbound(&self, url: &str, from: &str, to: &str, body: &str) -> (u16, String) {
        self.post_inbound_with_sid(url, &message_sid(), from, to, body)
            .await
    }

    /// Posts an inbound text with the given `MessageSid`, as Twilio does when it
    /// retries a webhook. Returns the receiver's HTTP status and body.
    pub async fn post_inbound_with_sid(
        &self,
        url: &str,
        sid: &str,
        from: &str,
        to: &str,
        body: &str,
    ) -> (u16, String) {
        let params = self.inbound_params(sid, from, to, body);
        self.post_signed(url, &params).await
    }

    /// Like [`FakeTwilio::post_inbound_with_sid`], but a connection that fails (a
    /// receiver killed mid-request) is `None` rather than a panic, as a provider
    /// sees it: no answer, so the text is to be retried.
    pub async fn try_post_inbound_with_sid(
        &self,
        url: &str,
        sid: &str,
        from: &str,
        to: &str,
        body: &str,
    ) -> Option<(u16, String)> {
        let params = self.inbound_params(sid, from, to, body);
        let signature = signature::sign(self.auth_token(), url, &params);
        self.try_post_form(url, &params, Some(&signature)).await
    }

    /// Like [`FakeTwilio::post_inbound_with_sid`], with the answer's `Retry-After`
    /// too: for tests of a webhook that asks the provider to come back later. It
    /// waits up to [`ANSWER_PATIENCE`] for the answer, as Twilio waits for a
    /// webhook's.
    pub async fn post_inbound_answer(
        &self,
        url: &str,
        sid: &str,
        from: &str,
        to: &str,
        body: &str,
    ) -> Answer {
        let params = self.inbound_params(sid, from, to, body);
        let signature = signature::sign(self.auth_token(), url, &params);
        let response = self
            .form_request(url, &params, Some(&signature))
            .timeout(ANSWER_PATIENCE)
            .send()
            .await
            .unwrap_or_else(|e| panic!("fake Twilio got no answer from {url}: {e}"));
        let status = response.status().as_u16();
        let retry_after = response
            .headers()
            .get(header::RETRY_AFTER)
            .and_then(|v| v.to_str().ok())
            .map(str::to_owned);
        let body = response
            .text()
            .await
            .unwrap_or_else(|e| panic!("reading the answer of {url}: {e}"));
        Answer {
            status,
            retry_after,
            body,
        }
    }

    /// An inbound text's form as Twilio posts it.
    fn inbound_params(&self, sid: &str, from: &str, to: &str, body: &str) -> Vec<(String, String)> {
        let params: Vec<(String, String)> = [
            ("ToCountry", "US"),
            ("ToState", ""),
            ("SmsMessageSid", sid),
            ("NumMedia", "0"),
            ("ToCity", ""),
            ("FromZip", ""),
            ("SmsSid", sid),
            ("FromState", ""),
            ("SmsStatus", "received"),
            ("FromCity", ""),
            ("Body", body),
            ("FromCountry", "US"),
            ("To", to),
            ("ToZip", ""),
            ("NumSegments", "1"),
            ("MessageSid", sid),
            ("AccountSid", self.account_sid()),
            ("From", from),
            ("ApiVersion", "2010-04-01"),
        ]
        .into_iter()
        .map(|(k, v)| (k.to_owned(), v.to_owned()))
        .collect();
        params
    }

    /// Posts `params` form-encoded to `url`, signed with the fake's auth token.
    pub async fn post_signed(&self, url: &str, params: &[(String, String)]) -> (u16, String) {
        let signature = signature::sign(self.auth_token(), url, params);
        self.post_form(url, params, Some(&signature)).await
    }

    /// Posts `params` form-encoded to `url` with the given `X-Twilio-Signature`, or
    /// none: for tests of refused webhooks.
    pub async fn post_form(
        &self,
        url: &str,
        params: &[(String, String)],
        signature: Option<&str>,
    ) -> (u16, String) {
        self.try_post_form(url, params, signature)
            .await
            .unwrap_or_else(|| panic!("fake Twilio got no answer from {url}"))
    }

    /// A form post to `url`, signed with `signature` if given.
    fn form_request(
        &self,
        url: &str,
        params: &[(String, String)],
        signature: Option<&str>,
    ) -> reqwest::RequestBuilder {
        let body = form_urlencoded::Serializer::new(String::new())
            .extend_pairs(params.iter().map(|(k, v)| (k.as_str(), v.as_str())))
            .finish();
        let mut request = self
            .http
            .post(url)
            .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
            .header(header::USER_AGENT, "TwilioProxy/1.1")
            .body(body);
        if let Some(signature) = signature {
            request = request.header("X-Twilio-Signature", signature);
        }
        request
    }

    /// Posts a form; `None` when no answer came (the connection failed).
    async fn try_post_form(
        &self,
        url: &str,
        params: &[(String, String)],
        signature: Option<&str>,
    ) -> Option<(u16, String)> {
        let response = self
            .form_request(url, params, signature)
            .send()
            .await
            .ok()?;
        let status = response.status().as_u16();
        Some((status, response.text().await.ok()?))
    }
}

/// Twilio's error answer.
fn twilio_error(status: StatusCode, code: i64, message: &str) -> Response {
    let body = json!({
        "code": code,
        "message": message,
        "more_info": format!("https://www.twilio.com/docs/errors/{code}"),
        "status": status.as_u16(),
    });
    (status, axum::Json(body)).into_response()
}

async fn not_found() -> Response {
    twilio_error(
        StatusCode::NOT_FOUND,
        20404,
        "The requested resource was not found",
    )
}

/// The basic-auth user and password of a request.
fn basic_auth(headers: &HeaderMap) -> Option<(String, String)> {
    let value = headers.get(header::AUTHORIZATION)?.to_str().ok()?;
    let encoded = value.strip_prefix("Basic ")?;
    let decoded = String::from_utf8(STANDARD.decode(encoded.trim()).ok()?).ok()?;
    let (user, password) = decoded.split_once(':')?;
    Some((user.to_owned(), password.to_owned()))
}

fn unauthorized() -> Response {
    let mut response = twilio_error(StatusCode::UNAUTHORIZED, 20003, "Authenticate");
    response.headers_mut().insert(
        header::WWW_AUTHENTICATE,
        HeaderValue::from_static("Basic realm=\"Twilio API\""),
    );
    response
}

/// Whether `to` looks like an E.164 number, as Twilio requires.
fn is_e164(to: &str) -> bool {
    to.strip_prefix('+').is_some_and(|digits| {
        (8..=15).contains(&digits.len()) && digits.bytes().all(|b| b.is_ascii_digit())
    })
}

fn rejection(code: i64, to: &str) -> Response {
    let message = match code {
        21610 => "Attempt to send to unsubscribed recipient".to_owned(),
        21211 => format!("The 'To' number {to} is not a valid phone number."),
        21614 => format!("'To' number {to} is not a valid mobile number"),
        _ => "Message cannot be sent".to_owned(),
    };
    twilio_error(StatusCode::BAD_REQUEST, code, &message)
}

/// The wall clock, for `date_created`: the fake stands for a remote service, which
/// keeps its own time; nothing in handoff reads these dates.
#[allow(clippy::disallowed_methods)]
fn rfc2822_now() -> String {
    chrono::Utc::now()
        .format("%a, %d %b %Y %H:%M:%S +0000")
        .to_string()
}

async fn create_message(
    State(shared): State<Arc<Shared>>,
    Path(path_sid): Path<String>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let Some((user, password)) = basic_auth(&headers) else {
        return unauthorized();
    };
    if user != shared.account_sid || password != shared.auth_token {
        return unauthorized();
    }
    if path_sid != shared.account_sid {
        return not_found().await;
    }

    let params: Vec<(String, String)> = form_urlencoded::parse(&body).into_owned().collect();
    let param = |name: &str| {
        params
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.clone())
    };

    if *shared.held.borrow() {
        shared.script().requests += 1;
        let mut held = shared.held.subscribe();
        let mut closed = shared.closed.subscribe();
        tokio::select! {
            _ = held.wait_for(|held| !*held) => {}
            _ = closed.wait_for(|closed| *closed) => {}
        }
        return twilio_error(
            StatusCode::SERVICE_UNAVAILABLE,
            20503,
            "Service Unavailable",
        );
    }

    // What the script says, decided under the lock; the waiting happens outside it.
    let (fault, latency) = {
        let mut script = shared.script();
        script.requests += 1;
        let to = param("To").unwrap_or_default();
        let fault = if script.hangs > 0 {
            script.hangs -= 1;
            Some(Fault::Hang)
        } else if script.hung_numbers.contains(&to) {
            Some(Fault::Hang)
        } else if let Some(fault) = script.failures.pop_front() {
            Some(fault)
        } else if let Some((pattern, next)) = script.outage.as_mut() {
            let fault = pattern[*next % pattern.len()];
            *next += 1;
            Some(fault)
        } else {
            None
        };
        if let Some(fault) = fault {
            script.served.push(fault);
        }
        (fault, script.latency)
    };
    match fault {
        Some(Fault::Hang) => {
            let mut closed = shared.closed.subscribe();
            tokio::select! {
                () = tokio::time::sleep(HANG) => {}
                _ = closed.wait_for(|closed| *closed) => {}
            }
            return twilio_error(StatusCode::GATEWAY_TIMEOUT, 20504, "Gateway Timeout");
        }
        Some(Fault::Status(status)) => {
            let status = StatusCode::from_u16(status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
            let message = status.canonical_reason().unwrap_or("Error");
            let code = if status == StatusCode::TOO_MANY_REQUESTS {
                20429
            } else {
                20500
            };
            return twilio_error(status, code, message);
        }
        Some(Fault::TooMany(seconds)) => {
            let mut response =
                twilio_error(StatusCode::TOO_MANY_REQUESTS, 20429, "Too Many Requests");
            response
                .headers_mut()
                .insert(header::RETRY_AFTER, HeaderValue::from(seconds));
            return response;
        }
        None => {}
    }

    let Some(to) = param("To").filter(|t| !t.is_empty()) else {
        return twilio_error(
            StatusCode::BAD_REQUEST,
            21604,
            "A 'To' phone number is required.",
        );
    };
    let Some(body) = param("Body").filter(|b| !b.is_empty()) else {
        return twilio_error(StatusCode::BAD_REQUEST, 21602, "Message body is required.");
    };
    let from = param("From").filter(|f| !f.is_empty());
    let messaging_service_sid = param("MessagingServiceSid").filter(|s| !s.is_empty());
    if from.is_none() && messaging_service_sid.is_none() {
        return twilio_error(
            StatusCode::BAD_REQUEST,
            21603,
            "A 'From' phone number is required.",
        );
    }
    if !is_e164(&to) {
        return rejection(21211, &to);
    }
    if let Some(code) = shared.script().rejected.get(&to).copied() {
        return rejection(code, &to);
    }

    if !latency.is_zero() {
        let mut closed = shared.closed.subscribe();
        tokio::select! {
            () = tokio::time::sleep(latency) => {}
            _ = closed.wait_for(|closed| *closed) => {}
        }
    }

    let message = SentMessage {
        sid: message_sid(),
        account_sid: user,
        to,
        from,
        messaging_service_sid,
        body,
        status_callback: param("StatusCallback").filter(|s| !s.is_empty()),
    };
    let now = rfc2822_now();
    // Through a Messaging Service Twilio answers `accepted` (a number is picked
    // later), from a number `queued`.
    let status = if message.messaging_service_sid.is_some() {
        "accepted"
    } else {
        "queued"
    };
    let answer = json!({
        "account_sid": message.account_sid,
        "api_version": "2010-04-01",
        "body": message.body,
        "date_created": now,
        "date_sent": null,
        "date_updated": now,
        "direction": "outbound-api",
        "error_code": null,
        "error_message": null,
        "from": message.from,
        "messaging_service_sid": message.messaging_service_sid,
        "num_media": "0",
        "num_segments": "1",
        "price": null,
        "price_unit": "USD",
        "sid": message.sid,
        "status": status,
        "subresource_uris": {
            "media": format!("/2010-04-01/Accounts/{}/Messages/{}/Media.json", message.account_sid, message.sid),
        },
        "to": message.to,
        "uri": format!("/2010-04-01/Accounts/{}/Messages/{}.json", message.account_sid, message.sid),
    });
    {
        // Counted under the lock, so waiters never see the count go backwards.
        let mut script = shared.script();
        script.sent.push(message);
        shared.sends.send_replace(script.sent.len());
    }
    (StatusCode::CREATED, axum::Json(answer)).into_response()
}

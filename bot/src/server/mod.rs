//! The HTTP server: the SMS provider's webhooks, the health check, and (with the
//! sandbox provider) the sandbox page. Handlers only translate between HTTP and the
//! inbound router or engine; they decide nothing. What every request must keep to
//! (body size, timeouts, flood limits) is in `guard`, `flood` and `listen`.

pub(crate) mod flood;
pub(crate) mod guard;
pub(crate) mod listen;
pub(crate) mod signed;

use std::collections::BTreeSet;
use std::sync::Arc;

use axum::Router;
use axum::extract::{DefaultBodyLimit, Form, Request, State};
use axum::http::{HeaderMap, StatusCode, Uri, header};
use axum::middleware::{Next, from_fn_with_state};
use axum::response::{Html, IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use chrono::Duration;
use handoff_dispatcher::engine::MAX_IDLE;
use handoff_dispatcher::{PhoneNumber, StoreError};
use serde::Deserialize;

use handoff_dispatcher::conversation::MessageId;

use crate::inbound::Inbound;
use crate::metrics::Metrics;
use crate::sms::sandbox::{self, Sandbox};
use crate::sms::webhook;
use crate::supervise::Loops;
use crate::web::api::ApiAgencies;

/// Webhook bodies are a few hundred bytes; anything near this is not a provider.
/// The dashboard's forms are smaller still; the API has its own, lower limit.
pub const MAX_BODY: usize = 64 * 1024;

/// Set by browsers on every request: whether it came from the page's own origin.
const SEC_FETCH_SITE: header::HeaderName = header::HeaderName::from_static("sec-fetch-site");

/// A timer this late means the engine is not keeping up: the health check fails.
pub const OVERDUE: Duration = Duration::seconds(60);

#[derive(Clone)]
pub struct AppState {
    pub inbound: Inbound,
    /// The provider's auth token, which signs its webhooks; none with the sandbox.
    pub auth_token: Option<String>,
    /// The public base URL the provider posts to, without a trailing slash.
    pub public_url: String,
    pub sandbox: Option<Arc<Sandbox>>,
    /// The program's own numbers (the configured sender): texts from them are
    /// refused, so a forwarding loop cannot make the bot answer itself.
    pub own_numbers: Arc<BTreeSet<PhoneNumber>>,
    pub program: String,
    pub metrics: Arc<Metrics>,
    /// The supervised background loops, for the health check.
    pub loops: Arc<Loops>,
    /// The dashboard's users, sessions and login limits.
    pub web: Arc<crate::web::Web>,
    /// The agencies that may call the JSON API, by their tokens.
    pub api: Arc<ApiAgencies>,
    /// Timeouts and flood limits.
    pub limits: Arc<guard::Limits>,
    /// How calls ring (`[transports.voice]`).
    pub voice: handoff_config::VoiceTransport,
}

pub fn router(state: AppState) -> Router {
    let site = Router::new()
        .route("/", get(root))
        .route("/healthz", get(healthz))
        .route("/metrics", get(metrics))
        .route("/sms/inbound", post(webhook::inbound))
        .route("/sms/status", post(webhook::status))
        .route("/voice/inbound", post(crate::voice::inbound))
        .route("/voice/leg", post(crate::voice::leg))
        .route("/voice/screen", post(crate::voice::screen))
        .route("/voice/answer", post(crate::voice::answer))
        .route("/sandbox", get(sandbox_page))
        .route("/sandbox/version", get(sandbox_version))
        .route("/sandbox/send", post(sandbox_send))
        .merge(crate::web::routes())
        .layer(DefaultBodyLimit::max(MAX_BODY))
        .layer(from_fn_with_state(state.clone(), site_guard));
    // The API keeps its own body limit and answers refusals in JSON.
    let api =
        crate::web::api::routes().layer(from_fn_with_state(state.clone(), crate::web::api::guard));
    site.merge(api).with_state(state)
}

/// [`guard::within`] for every part of the server but the API.
async fn site_guard(State(state): State<AppState>, request: Request, next: Next) -> Response {
    guard::within(&state.limits, MAX_BODY, guard::plain, request, next).await
}

async fn root(State(state): State<AppState>) -> Response {
    if state.sandbox.is_some() {
        Redirect::to("/sandbox").into_response()
    } else {
        "handoff: warm hand-off dispatcher. See /healthz.\n".into_response()
    }
}

/// Prometheus metrics: this process's counters and the store's gauges. Always 200,
/// even when the database does not answer (`handoff_database_up 0` says so), so the
/// scrape itself reports the outage.
async fn metrics(State(state): State<AppState>) -> Response {
    let engine = state.inbound.engine();
    let gauges = match engine.records().gauges(engine.now()).await {
        Ok(gauges) => Some(gauges),
        Err(error) => {
            tracing::warn!(%error, "metrics: the database does not answer");
            None
        }
    };
    let text = state
        .metrics
        .render(gauges.as_ref(), engine.heartbeat(), engine.now());
    (
        [(
            header::CONTENT_TYPE,
            "text/plain; version=0.0.4; charset=utf-8",
        )],
        text,
    )
        .into_response()
}

/// How long a restarted background loop keeps the health check red: long enough
/// for a monitor polling every few minutes to see it.
const RECENT_RESTART: Duration = Duration::minutes(10);

/// What is wrong with the service now, one sentence each (none when healthy):
/// the engine's timer loop silent or a timer overdue, the database not answering,
/// a background loop down or restarted in the last [`RECENT_RESTART`], the Matrix
/// homeserver unreachable. The health check and the dashboard both show it.
pub(crate) async fn problems(state: &AppState) -> Vec<String> {
    let engine = state.inbound.engine();
    let now = engine.now();
    let mut problems: Vec<String> = Vec::new();
    let allowed =
        Duration::from_std(MAX_IDLE * 2).unwrap_or(Duration::seconds(60)) + Duration::seconds(5);
    match engine.heartbeat() {
        None => problems.push("the engine's timer loop has not run".to_owned()),
        Some(beat) if now - beat > allowed => {
            problems.push(format!("the engine's timer loop last ran at {beat}"))
        }
        Some(_) => {}
    }
    match engine.records().next_timer_due().await {
        Ok(Some(due)) if now - due > OVERDUE => {
            problems.push(format!("a timer due at {due} has not fired"))
        }
        Ok(_) => {}
        Err(error) => problems.push(format!("the database does not answer: {error}")),
    }
    for (name, run) in &state.loops.snapshot() {
        if !run.running {
            problems.push(format!(
                "the {name} loop is not running; it is being restarted"
            ));
        }
        if let Some(at) = run.last_failure_at
            && now.signed_duration_since(at) < RECENT_RESTART
        {
            problems.push(format!(
                "the {name} loop was restarted at {at} (the log says why)"
            ));
        }
    }
    if let Some(since) = state.metrics.matrix_down_since() {
        problems.push(format!(
            "the Matrix homeserver has not answered since {since}: messages for Matrix go by SMS"
        ));
    }
    problems
}

/// 200 while [`problems`] finds none; 503 with them otherwise.
async fn healthz(State(state): State<AppState>) -> Response {
    let problems = problems(&state).await;
    let body = serde_json::json!({
        "status": if problems.is_empty() { "ok" } else { "unhealthy" },
        "engine_heartbeat": state.inbound.engine().heartbeat().map(|t| t.to_rfc3339()),
        "loops": state.loops.snapshot(),
        "problems": problems,
    });
    let code = if problems.is_empty() {
        StatusCode::OK
    } else {
        StatusCode::SERVICE_UNAVAILABLE
    };
    (
        code,
        [(header::CONTENT_TYPE, "application/json")],
        body.to_string(),
    )
        .into_response()
}

/// 404 for the sandbox endpoints when the provider is not the sandbox.
fn sandbox_off() -> Response {
    (
        StatusCode::NOT_FOUND,
        "the sandbox is off: the SMS provider is not `sandbox`\n",
    )
        .into_response()
}

/// 500 when the sandbox log cannot be read or written.
fn sandbox_failed(what: &str, error: &StoreError) -> Response {
    tracing::error!(%error, "{what} failed");
    (
        StatusCode::INTERNAL_SERVER_ERROR,
        format!("{what} failed: {error}\n"),
    )
        .into_response()
}

async fn sandbox_page(State(state): State<AppState>) -> Response {
    let Some(sandbox) = &state.sandbox else {
        return sandbox_off();
    };
    let directory = state.inbound.engine().directory();
    match sandbox.page(&directory, &state.program).await {
        Ok(html) => Html(html).into_response(),
        Err(error) => sandbox_failed("reading the sandbox conversations", &error),
    }
}

async fn sandbox_version(State(state): State<AppState>) -> Response {
    let Some(sandbox) = &state.sandbox else {
        return sandbox_off();
    };
    match sandbox.version().await {
        Ok(version) => version.into_response(),
        Err(error) => sandbox_failed("reading the sandbox version", &error),
    }
}

#[derive(Debug, Deserialize)]
pub struct SandboxText {
    from: String,
    body: String,
    #[serde(default)]
    anchor: String,
}

/// A header's value, when present and readable as text.
fn header_text<'a>(headers: &'a HeaderMap, name: &header::HeaderName) -> Option<&'a str> {
    headers.get(name).and_then(|value| value.to_str().ok())
}

/// A text typed on the sandbox page, handled exactly like one from the provider.
/// Refused (403, nothing recorded or handled) unless it comes from the page itself.
async fn sandbox_send(
    State(state): State<AppState>,
    uri: Uri,
    headers: HeaderMap,
    Form(text): Form<SandboxText>,
) -> Response {
    let Some(sandbox) = &state.sandbox else {
        return sandbox_off();
    };
    let host = header_text(&headers, &header::HOST).or_else(|| uri.authority().map(|a| a.as_str()));
    if let Err(refused) = sandbox::check_origin(
        header_text(&headers, &header::ORIGIN),
        header_text(&headers, &SEC_FETCH_SITE),
        host,
        &state.public_url,
    ) {
        tracing::warn!(%refused, "refused a sandbox text not posted from the sandbox page");
        return (StatusCode::FORBIDDEN, format!("refused: {refused}\n")).into_response();
    }
    let Ok(from) = PhoneNumber::parse(&text.from) else {
        return (StatusCode::BAD_REQUEST, "`from` is not a phone number\n").into_response();
    };
    let now = state.inbound.engine().now();
    if !text.body.trim().is_empty() {
        let id = match sandbox.received(&from, &text.body, now).await {
            Ok(id) => id,
            Err(error) => return sandbox_failed("recording a sandbox text", &error),
        };
        let Ok(id) = MessageId::parse(&id) else {
            tracing::error!(%id, "the sandbox made an unusable message id");
            return StatusCode::INTERNAL_SERVER_ERROR.into_response();
        };
        if let Err(error) = state.inbound.text(&from, &text.body, &id).await {
            tracing::error!(%error, "handling a sandbox text failed");
            return (
                StatusCode::INTERNAL_SERVER_ERROR,
                "handling the text failed; the service log says why\n",
            )
                .into_response();
        }
    }
    let anchor: String = text
        .anchor
        .chars()
        .filter(|c| c.is_ascii_alphanumeric() || *c == '-' || *c == '_')
        .collect();
    Redirect::to(&format!("/sandbox#{anchor}")).into_response()
}

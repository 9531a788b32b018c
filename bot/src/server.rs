//! The HTTP server: the SMS provider's webhooks, the health check, and (with the
//! sandbox provider) the sandbox page. Handlers only translate between HTTP and the
//! inbound router or engine; they decide nothing.

use std::collections::BTreeSet;
use std::sync::Arc;

use axum::Router;
use axum::extract::{DefaultBodyLimit, Form, State};
use axum::http::{StatusCode, header};
use axum::response::{Html, IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use chrono::Duration;
use handoff_dispatcher::PhoneNumber;
use handoff_dispatcher::engine::MAX_IDLE;
use serde::Deserialize;

use handoff_dispatcher::conversation::MessageId;

use crate::inbound::Inbound;
use crate::metrics::Metrics;
use crate::sms::sandbox::{self, Sandbox};
use crate::sms::webhook;

/// Webhook bodies are a few hundred bytes; anything near this is not a provider.
const MAX_BODY: usize = 64 * 1024;

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
}

pub fn router(state: AppState) -> Router {
    Router::new()
        .route("/", get(root))
        .route("/healthz", get(healthz))
        .route("/metrics", get(metrics))
        .route("/sms/inbound", post(webhook::inbound))
        .route("/sms/status", post(webhook::status))
        .route("/sandbox", get(sandbox_page))
        .route("/sandbox/version", get(sandbox_version))
        .route("/sandbox/send", post(sandbox_send))
        .layer(DefaultBodyLimit::max(MAX_BODY))
        .with_state(state)
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
    let gauges = match engine.store().gauges(engine.now()).await {
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

/// 200 while the engine's timer loop is alive and no timer is overdue; 503 with the
/// reasons otherwise.
async fn healthz(State(state): State<AppState>) -> Response {
    let engine = state.inbound.engine();
    let now = engine.now();
    let mut problems: Vec<String> = Vec::new();
    let heartbeat = engine.heartbeat();
    let allowed =
        Duration::from_std(MAX_IDLE * 2).unwrap_or(Duration::seconds(60)) + Duration::seconds(5);
    match heartbeat {
        None => problems.push("the engine's timer loop has not run".to_owned()),
        Some(beat) if now - beat > allowed => {
            problems.push(format!("the engine's timer loop last ran at {beat}"))
        }
        Some(_) => {}
    }
    match engine.store().next_timer_due().await {
        Ok(Some(due)) if now - due > OVERDUE => {
            problems.push(format!("a timer due at {due} has not fired"))
        }
        Ok(_) => {}
        Err(error) => problems.push(format!("the database does not answer: {error}")),
    }
    let body = serde_json::json!({
        "status": if problems.is_empty() { "ok" } else { "unhealthy" },
        "engine_heartbeat": heartbeat.map(|t| t.to_rfc3339()),
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

async fn sandbox_page(State(state): State<AppState>) -> Response {
    match &state.sandbox {
        Some(sandbox) => Html(sandbox::page(
            sandbox,
            &state.inbound.engine().directory(),
            &state.program,
        ))
        .into_response(),
        None => (
            StatusCode::NOT_FOUND,
            "the sandbox is off: the SMS provider is not `sandbox`\n",
        )
            .into_response(),
    }
}

async fn sandbox_version(State(state): State<AppState>) -> Response {
    match &state.sandbox {
        Some(sandbox) => sandbox.version().to_string().into_response(),
        None => StatusCode::NOT_FOUND.into_response(),
    }
}

#[derive(Debug, Deserialize)]
pub struct SandboxText {
    from: String,
    body: String,
    #[serde(default)]
    anchor: String,
}

/// A text typed on the sandbox page, handled exactly like one from the provider.
async fn sandbox_send(State(state): State<AppState>, Form(text): Form<SandboxText>) -> Response {
    let Some(sandbox) = &state.sandbox else {
        return StatusCode::NOT_FOUND.into_response();
    };
    let Ok(from) = PhoneNumber::parse(&text.from) else {
        return (StatusCode::BAD_REQUEST, "`from` is not a phone number\n").into_response();
    };
    let now = state.inbound.engine().now();
    if !text.body.trim().is_empty() {
        let id = sandbox.received(&from, &text.body, now);
        let handled = match MessageId::parse(&id) {
            Ok(id) => state.inbound.text(&from, &text.body, &id).await.map(|_| ()),
            Err(error) => {
                tracing::error!(%error, "the sandbox made a bad message id");
                Ok(())
            }
        };
        if let Err(error) = handled {
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

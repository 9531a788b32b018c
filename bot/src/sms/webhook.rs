//! The provider's webhooks: `POST /sms/inbound` (a text to handoff) and
//! `POST /sms/status` (what became of a text handoff sent), both form-encoded and
//! signed with `X-Twilio-Signature`.
//!
//! A request with a missing or wrong signature gets 403 and is logged without its
//! body. A `MessageSid` seen before is acknowledged and ignored, because providers
//! retry webhooks. The answer is an empty TwiML `<Response/>`: every reply goes out
//! through the outbox, so it is durable and retried. The webhook answers only after
//! the text, its effects and its replies are committed in one transaction; if that
//! fails nothing is kept, and 500 lets the provider (or a fallback instance) retry.
//! Refused with 400: no `From`, `Body` or `MessageSid`, an empty or malformed
//! `MessageSid`, a `From` that is no phone number or is the program's own number.

use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};
use handoff_dispatcher::conversation::MessageId;
use handoff_dispatcher::{PhoneNumber, Received};

use crate::metrics::{Endpoint, WebhookResult};
use crate::server::AppState;
use crate::sms::signature;

/// The empty TwiML answer.
pub const EMPTY_TWIML: &str = "<?xml version=\"1.0\" encoding=\"UTF-8\"?><Response/>";

fn twiml() -> Response {
    (
        [(header::CONTENT_TYPE, "text/xml; charset=utf-8")],
        EMPTY_TWIML,
    )
        .into_response()
}

fn param<'a>(params: &'a [(String, String)], name: &str) -> Option<&'a str> {
    params
        .iter()
        .find(|(k, _)| k == name)
        .map(|(_, v)| v.as_str())
}

/// Why a webhook is not taken.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Refused {
    /// No provider signs webhooks (the sandbox): the endpoints are off.
    Off,
    /// The signature is missing or wrong.
    Forbidden,
}

impl Refused {
    /// How the refusal is counted; the sandbox's switched-off endpoints are not.
    fn result(self) -> Option<WebhookResult> {
        match self {
            Refused::Off => None,
            Refused::Forbidden => Some(WebhookResult::Forbidden),
        }
    }
}

impl IntoResponse for Refused {
    fn into_response(self) -> Response {
        match self {
            Refused::Off => StatusCode::NOT_FOUND.into_response(),
            Refused::Forbidden => (StatusCode::FORBIDDEN, "invalid signature\n").into_response(),
        }
    }
}

/// The form's parameters if the request is signed by the provider, else the refusal.
fn verified(
    state: &AppState,
    path: &str,
    headers: &HeaderMap,
    body: &[u8],
) -> Result<Vec<(String, String)>, Refused> {
    let Some(token) = state.auth_token.as_deref() else {
        return Err(Refused::Off);
    };
    let params: Vec<(String, String)> = form_urlencoded::parse(body).into_owned().collect();
    let url = format!("{}{}", state.public_url, path);
    let signature = headers
        .get("X-Twilio-Signature")
        .and_then(|v| v.to_str().ok())
        .unwrap_or("");
    if signature.is_empty() || !signature::verify(token, &url, &params, signature) {
        tracing::warn!(%path, signed = !signature.is_empty(), "webhook refused: bad or missing signature");
        return Err(Refused::Forbidden);
    }
    Ok(params)
}

/// Runs a webhook's handling and counts its result (and time) in the metrics.
async fn counted(
    state: &AppState,
    endpoint: Endpoint,
    handling: impl std::future::Future<Output = (Option<WebhookResult>, Response)>,
) -> Response {
    let started = std::time::Instant::now();
    let (result, response) = handling.await;
    if let Some(result) = result {
        state.metrics.webhook(endpoint, result, started.elapsed());
    }
    response
}

pub async fn inbound(State(state): State<AppState>, headers: HeaderMap, body: Bytes) -> Response {
    counted(
        &state,
        Endpoint::Inbound,
        handle_inbound(&state, &headers, &body),
    )
    .await
}

async fn handle_inbound(
    state: &AppState,
    headers: &HeaderMap,
    body: &[u8],
) -> (Option<WebhookResult>, Response) {
    use WebhookResult::{Accepted, BadRequest, Duplicate, Error};
    let params = match verified(state, "/sms/inbound", headers, body) {
        Ok(params) => params,
        Err(refusal) => return (refusal.result(), refusal.into_response()),
    };
    let (Some(sid), Some(from), Some(text)) = (
        param(&params, "MessageSid"),
        param(&params, "From"),
        param(&params, "Body"),
    ) else {
        tracing::warn!("inbound webhook without MessageSid, From or Body");
        return (
            Some(BadRequest),
            (
                StatusCode::BAD_REQUEST,
                "MessageSid, From and Body are required\n",
            )
                .into_response(),
        );
    };
    let Ok(from) = PhoneNumber::parse(from) else {
        tracing::warn!(%sid, "inbound text from a number that is not E.164");
        return bad_request("From is not a phone number\n");
    };
    let sid = match MessageId::parse(sid) {
        Ok(sid) => sid,
        Err(error) => {
            tracing::warn!(%error, "inbound text with an unusable MessageSid");
            return bad_request("MessageSid must be a non-empty id\n");
        }
    };
    let to = param(&params, "To").and_then(|to| PhoneNumber::parse(to).ok());
    if state.own_numbers.contains(&from) || to.as_ref() == Some(&from) {
        // A text from the program's own number is a loop (a misconfigured
        // forward, another bot answering us): answering it would feed the loop.
        tracing::warn!(%sid, "inbound text from the program's own number refused");
        return bad_request("From is the program's own number\n");
    }
    match state.inbound.text(&from, text, &sid).await {
        Ok(Received::Handled) => (Some(Accepted), twiml()),
        Ok(Received::Duplicate) => {
            tracing::info!(%sid, "inbound text seen before: acknowledged, ignored");
            (Some(Duplicate), twiml())
        }
        Err(error) => {
            // Nothing of the text was kept: the provider's retry (or a fallback
            // instance) handles it once.
            tracing::error!(%sid, %error, "handling an inbound text failed; the provider may retry");
            (
                Some(Error),
                StatusCode::INTERNAL_SERVER_ERROR.into_response(),
            )
        }
    }
}

fn bad_request(why: &'static str) -> (Option<WebhookResult>, Response) {
    (
        Some(WebhookResult::BadRequest),
        (StatusCode::BAD_REQUEST, why).into_response(),
    )
}

pub async fn status(State(state): State<AppState>, headers: HeaderMap, body: Bytes) -> Response {
    counted(
        &state,
        Endpoint::Status,
        handle_status(&state, &headers, &body),
    )
    .await
}

async fn handle_status(
    state: &AppState,
    headers: &HeaderMap,
    body: &[u8],
) -> (Option<WebhookResult>, Response) {
    use WebhookResult::{Accepted, BadRequest, Error};
    let params = match verified(state, "/sms/status", headers, body) {
        Ok(params) => params,
        Err(refusal) => return (refusal.result(), refusal.into_response()),
    };
    let (Some(sid), Some(status)) = (
        param(&params, "MessageSid"),
        param(&params, "MessageStatus"),
    ) else {
        return (
            Some(BadRequest),
            (
                StatusCode::BAD_REQUEST,
                "MessageSid and MessageStatus are required\n",
            )
                .into_response(),
        );
    };
    if !matches!(status, "undelivered" | "failed") {
        return (Some(Accepted), twiml());
    }
    let code = param(&params, "ErrorCode").unwrap_or("");
    let engine = state.inbound.engine();
    let outbox = engine.outbox();
    let item = match outbox.by_provider_id(sid).await {
        Ok(Some(item)) => item,
        Ok(None) => {
            tracing::warn!(%sid, %status, "status for a message handoff did not send");
            return (Some(Accepted), twiml());
        }
        Err(error) => {
            tracing::error!(%sid, %error, "cannot look up a message's status");
            return (
                Some(Error),
                StatusCode::INTERNAL_SERVER_ERROR.into_response(),
            );
        }
    };
    tracing::warn!(%sid, %status, %code, outbox = item.id, "sms not delivered");
    let reason = format!("{status} {code}");
    let result = async {
        outbox
            .receipt_failed(item.id, reason.trim(), engine.now())
            .await?;
        engine.delivery_failed(&item).await?;
        Ok::<(), Box<dyn std::error::Error + Send + Sync>>(())
    }
    .await;
    match result {
        Ok(()) => (Some(Accepted), twiml()),
        Err(error) => {
            tracing::error!(%sid, %error, "cannot record an undelivered message");
            (
                Some(Error),
                StatusCode::INTERNAL_SERVER_ERROR.into_response(),
            )
        }
    }
}

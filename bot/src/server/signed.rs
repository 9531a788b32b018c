//! What every webhook of the provider goes through, whatever it carries (a text,
//! a delivery status, a call or one of its legs): the request taken as it came,
//! its `X-Twilio-Signature` checked over the public URL (path and query as
//! requested) and the decoded form, refusals answered and counted, and the result
//! of the handling counted in the metrics under its endpoint. The SMS and voice
//! handlers start from the signed form and decide only what it means.
//!
//! Refused: a missing or wrong signature (403), a malformed form (400), a body
//! over the limit (413). Past a number of refusals an address is answered 429 with
//! `Retry-After`, logged once in a while rather than per request, and an unsigned
//! request from it is refused before its body is read. A request that is signed
//! right is always taken, wherever it comes from: behind a proxy every request has
//! the proxy's address, the provider's too.

use std::convert::Infallible;
use std::future::Future;
use std::net::IpAddr;

use axum::body::Body;
use axum::extract::{FromRequest, FromRequestParts, Request};
use axum::http::{HeaderMap, StatusCode, Uri, header};
use axum::response::{IntoResponse, Response};
use chrono::Duration;

use crate::metrics::{Endpoint, WebhookResult};
use crate::server::flood::Verdict;
use crate::server::guard::{Peer, retry_after};
use crate::server::{AppState, MAX_BODY};
use crate::sms::form::{self, FormError};
use crate::sms::signature;

/// A webhook's answer, and how it is counted (`None`: not at all).
pub(crate) type Handled = (Option<WebhookResult>, Response);

/// A webhook request as it came: from which address, to which path and query
/// (the signature covers both), its headers, and its body not yet read.
pub(crate) struct Webhook {
    address: IpAddr,
    uri: Uri,
    headers: HeaderMap,
    body: Body,
}

impl<S: Send + Sync> FromRequest<S> for Webhook {
    type Rejection = Infallible;

    async fn from_request(request: Request, state: &S) -> Result<Webhook, Infallible> {
        let (mut parts, body) = request.into_parts();
        let Peer(address) = Peer::from_request_parts(&mut parts, state).await?;
        Ok(Webhook {
            address,
            uri: parts.uri,
            headers: parts.headers,
            body,
        })
    }
}

/// A webhook the provider signed: its form, and the URL it was posted to.
pub(crate) struct Signed {
    pub(crate) params: Vec<(String, String)>,
    pub(crate) uri: Uri,
}

impl Webhook {
    /// Verifies the request and, when it is the provider's, has `handle` answer
    /// its signed form; counts the result (and its time) under `endpoint`.
    pub(crate) async fn serve<F, Fut>(
        self,
        state: AppState,
        endpoint: Endpoint,
        handle: F,
    ) -> Response
    where
        F: FnOnce(AppState, Signed) -> Fut,
        Fut: Future<Output = Handled>,
    {
        let started = std::time::Instant::now();
        let metrics = state.metrics.clone();
        let (result, response) = match self.verified(&state).await {
            Ok(signed) => handle(state, signed).await,
            Err(refusal) => (refusal.result(), refusal.into_response()),
        };
        if let Some(result) = result {
            metrics.webhook(endpoint, result, started.elapsed());
        }
        response
    }

    /// The form, if the request is signed by the provider, else the refusal.
    /// Refusals count against the address; see the module's notes.
    async fn verified(self, state: &AppState) -> Result<Signed, Refused> {
        let Some(token) = state.auth_token.as_deref() else {
            return Err(Refused::Off);
        };
        let Webhook {
            address,
            uri,
            headers,
            body,
        } = self;
        let path = uri
            .path_and_query()
            .map_or_else(|| uri.path().to_owned(), |p| p.as_str().to_owned());
        let now = state.inbound.engine().now();
        let signature = headers
            .get("X-Twilio-Signature")
            .and_then(|v| v.to_str().ok())
            .unwrap_or("");
        if signature.is_empty()
            && let Some(wait) = state.limits.address_limited(address, now)
        {
            // The provider signs every request: an unsigned one from an address
            // already over its limit is not worth reading.
            return Err(Refused::Limited(wait));
        }
        let refusal = match axum::body::to_bytes(body, MAX_BODY).await {
            Ok(body) => match form::decode(&body) {
                Err(error) => Refused::Malformed(error),
                Ok(params) => {
                    let url = format!("{}{}", state.public_url, path);
                    if !signature.is_empty() && signature::verify(token, &url, &params, signature) {
                        return Ok(Signed { params, uri });
                    }
                    Refused::Forbidden
                }
            },
            Err(error) => {
                let too_large = std::error::Error::source(&error)
                    .is_some_and(|source| source.is::<http_body_util::LengthLimitError>());
                if !too_large {
                    // The client went away, or took too long (the guard answers
                    // 408): nothing to hold against its address.
                    return Err(Refused::Unreadable);
                }
                Refused::TooLarge
            }
        };
        match state.limits.refused_from(address, now) {
            Verdict::Allowed => {
                tracing::warn!(%path, %address, signed = !signature.is_empty(), why = %refusal_words(&refusal), "webhook refused");
                Err(refusal)
            }
            Verdict::Limited { retry_after, tell } => {
                if tell {
                    tracing::warn!(
                        %path, %address,
                        "too many refused webhooks from this address: answering its unsigned or \
                         wrongly signed requests with 429, logged again in ten minutes"
                    );
                }
                Err(Refused::Limited(retry_after))
            }
        }
    }
}

/// Why a webhook is not taken.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Refused {
    /// No provider signs webhooks (the sandbox): the endpoints are off.
    Off,
    /// The signature is missing or wrong.
    Forbidden,
    /// The form is malformed (or, once signed, lacks what it must have).
    Malformed(FormError),
    /// The body is larger than any webhook's.
    TooLarge,
    /// The body could not be read (the client went away, or took too long:
    /// then the server's guard answers 408 instead).
    Unreadable,
    /// Too many refused requests from this address: again after this long.
    Limited(Duration),
}

impl Refused {
    /// How the refusal is counted; the sandbox's switched-off endpoints are not.
    pub(crate) fn result(&self) -> Option<WebhookResult> {
        match self {
            Refused::Off => None,
            Refused::Forbidden => Some(WebhookResult::Forbidden),
            Refused::Malformed(_) | Refused::TooLarge | Refused::Unreadable => {
                Some(WebhookResult::BadRequest)
            }
            Refused::Limited(_) => Some(WebhookResult::Limited),
        }
    }
}

/// A signed form that lacks what it must have, or holds it malformed: 400.
pub(crate) fn malformed(error: FormError) -> Handled {
    let refusal = Refused::Malformed(error);
    (refusal.result(), refusal.into_response())
}

impl IntoResponse for Refused {
    fn into_response(self) -> Response {
        match self {
            Refused::Off => StatusCode::NOT_FOUND.into_response(),
            Refused::Forbidden => (StatusCode::FORBIDDEN, "invalid signature\n").into_response(),
            Refused::Malformed(error) => {
                (StatusCode::BAD_REQUEST, format!("{error}\n")).into_response()
            }
            Refused::TooLarge => (
                StatusCode::PAYLOAD_TOO_LARGE,
                format!("the request body is larger than {MAX_BODY} bytes\n"),
            )
                .into_response(),
            Refused::Unreadable => (
                StatusCode::BAD_REQUEST,
                "the request body could not be read\n",
            )
                .into_response(),
            Refused::Limited(wait) => (
                StatusCode::TOO_MANY_REQUESTS,
                [(header::RETRY_AFTER, retry_after(wait))],
                "too many refused requests from this address; try again later\n",
            )
                .into_response(),
        }
    }
}

fn refusal_words(refusal: &Refused) -> String {
    match refusal {
        Refused::Forbidden => "bad or missing signature".to_owned(),
        Refused::Malformed(error) => error.to_string(),
        Refused::TooLarge => format!("a body over {MAX_BODY} bytes"),
        Refused::Off | Refused::Unreadable | Refused::Limited(_) => format!("{refusal:?}"),
    }
}

//! What every request keeps to before its handler decides anything: a body no
//! larger than its part of the server allows (refused with 413 from its
//! `Content-Length` before a byte of it is read, or as it is read when it comes
//! in chunks), and a body that arrives within the client timeout (408 otherwise,
//! so a client that sends its headers and then trickles or stalls holds nothing
//! for long). Also the flood limits the webhooks keep, per sender and per address
//! ([`Limits`]), and the peer's address they are kept by ([`Peer`]).

use std::net::{IpAddr, Ipv4Addr, SocketAddr};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration as StdDuration;

use axum::body::Body;
use axum::extract::{ConnectInfo, FromRequestParts, Request};
use axum::http::request::Parts;
use axum::http::{HeaderValue, StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use chrono::{DateTime, Duration, Utc};
use handoff_dispatcher::PhoneNumber;
use http_body_util::BodyExt;
use tower_http::timeout::{DeadlineBody, TimeoutError};

use super::flood::{Limiter, Rate, Verdict};

/// How often a sender over the limit is told so by text: once is the point; more
/// than once a quarter hour would be a flood of our own.
const TELL_SENDER_EVERY: Duration = Duration::minutes(15);

/// How often an address over the limit is logged: the first refusal says what
/// is going on, the metrics count the rest.
const LOG_ADDRESS_EVERY: Duration = Duration::minutes(10);

/// Refused webhooks (a missing or wrong signature, a malformed form) one address
/// may send before it is answered 429: a provider whose `public_url` is wrong
/// fails every webhook and must be seen in the log, but a forger's thousands
/// need not each be.
const REFUSED_PER_ADDRESS: Rate = Rate {
    burst: 20,
    per_minute: 20,
};

/// The limits the server keeps while running.
#[derive(Debug)]
pub struct Limits {
    /// How long a client has to send a request's headers, and again its body.
    pub client_timeout: StdDuration,
    senders: Mutex<Limiter<PhoneNumber>>,
    addresses: Mutex<Limiter<IpAddr>>,
}

impl Limits {
    pub fn new(server: &handoff_config::Server) -> Limits {
        Limits {
            client_timeout: server.client_timeout,
            senders: Mutex::new(Limiter::new(
                Rate {
                    burst: server.sender_burst,
                    per_minute: server.sender_per_minute,
                },
                TELL_SENDER_EVERY,
            )),
            addresses: Mutex::new(Limiter::new(REFUSED_PER_ADDRESS, LOG_ADDRESS_EVERY)),
        }
    }

    /// Counts one text from `from`, signed by the provider.
    pub(crate) fn text_from(&self, from: &PhoneNumber, now: DateTime<Utc>) -> Verdict {
        match self.senders.lock() {
            Ok(mut senders) => senders.take(from, now),
            // A panic elsewhere while holding the lock: better to let texts through
            // than to refuse every one.
            Err(_) => Verdict::Allowed,
        }
    }

    /// Counts one refused webhook from `address`.
    pub(crate) fn refused_from(&self, address: IpAddr, now: DateTime<Utc>) -> Verdict {
        match self.addresses.lock() {
            Ok(mut addresses) => addresses.take(&address, now),
            Err(_) => Verdict::Allowed,
        }
    }

    /// How long `address` stays over its limit of refused webhooks, if it is.
    pub(crate) fn address_limited(&self, address: IpAddr, now: DateTime<Utc>) -> Option<Duration> {
        self.addresses
            .lock()
            .ok()
            .and_then(|addresses| addresses.limited_for(&address, now))
    }
}

/// The address a request came from: the peer of its connection (a proxy in front
/// is that peer), or unspecified when the server was started without it.
pub(crate) struct Peer(pub(crate) IpAddr);

impl<S: Send + Sync> FromRequestParts<S> for Peer {
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Peer, Self::Rejection> {
        let address = parts
            .extensions
            .get::<ConnectInfo<SocketAddr>>()
            .map_or(IpAddr::V4(Ipv4Addr::UNSPECIFIED), |info| info.0.ip());
        Ok(Peer(address))
    }
}

/// Why [`within`] refused a request.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Refusal {
    /// The body is larger than the limit.
    TooLarge(usize),
    /// The body did not arrive within the client timeout.
    TimedOut(StdDuration),
}

/// The plain-text answer to a refusal, for every part of the server but the API.
pub(crate) fn plain(refusal: Refusal) -> Response {
    match refusal {
        Refusal::TooLarge(most) => (
            StatusCode::PAYLOAD_TOO_LARGE,
            format!("the request body is larger than {most} bytes\n"),
        )
            .into_response(),
        Refusal::TimedOut(timeout) => (
            StatusCode::REQUEST_TIMEOUT,
            format!(
                "the request body did not arrive within {} s\n",
                timeout.as_secs()
            ),
        )
            .into_response(),
    }
}

/// Runs `request` through `next` if its body keeps to `max_body` bytes and
/// arrives within `limits.client_timeout`; otherwise answers with `refuse`, and
/// closes the connection (the rest of such a body is not worth reading).
pub(crate) async fn within(
    limits: &Limits,
    max_body: usize,
    refuse: fn(Refusal) -> Response,
    request: Request,
    next: Next,
) -> Response {
    let declared = request
        .headers()
        .get(header::CONTENT_LENGTH)
        .and_then(|value| value.to_str().ok())
        .and_then(|value| value.trim().parse::<u64>().ok());
    if declared.is_some_and(|length| length > max_body as u64) {
        return closing(refuse(Refusal::TooLarge(max_body)));
    }
    let timeout = limits.client_timeout;
    let expired = Arc::new(AtomicBool::new(false));
    let noticed = Arc::clone(&expired);
    let request = request.map(move |body| {
        // One deadline for the whole body, not one per chunk: a client sending a
        // byte a second never trips a per-chunk timeout.
        Body::new(DeadlineBody::new(timeout, body).map_err(move |error| {
            if error.is::<TimeoutError>() {
                noticed.store(true, Ordering::Relaxed);
            }
            error
        }))
    });
    let response = next.run(request).await;
    if expired.load(Ordering::Relaxed) {
        return closing(refuse(Refusal::TimedOut(timeout)));
    }
    response
}

fn closing(mut response: Response) -> Response {
    response
        .headers_mut()
        .insert(header::CONNECTION, HeaderValue::from_static("close"));
    response
}

/// The `Retry-After` header's value for `wait`: whole seconds, at least one.
pub(crate) fn retry_after(wait: Duration) -> HeaderValue {
    let seconds = (wait.num_milliseconds().max(0) + 999) / 1000;
    HeaderValue::from(seconds.max(1))
}

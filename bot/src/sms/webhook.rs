//! The provider's webhooks: `POST /sms/inbound` (a text to handoff) and
//! `POST /sms/status` (what became of a text handoff sent), both form-encoded and
//! signed with `X-Twilio-Signature`.
//!
//! A request with a missing or wrong signature gets 403 and is logged without its
//! body (`server::signed`). A `MessageSid` seen before is acknowledged and ignored, because providers
//! retry webhooks. The answer is an empty TwiML `<Response/>`: every reply goes out
//! through the outbox, so it is durable and retried. The webhook answers only after
//! the text, its effects and its replies are committed in one transaction; if that
//! fails nothing is kept, and an error status lets the provider (or a fallback
//! instance) retry: 503 with `Retry-After` when the database did not take the write
//! (locked by another writer past the busy timeout, out of space, unreachable),
//! which a retry may well get through; 500 for anything else.
//! Refused with 400: a form that is malformed or lacks its fields (see
//! `sms::form`), or a text from the program's own number.
//!
//! Flood limits (`server::guard::Limits`), checked only once a request is known
//! to be the provider's, or known not to be:
//! - **per sender**: a phone over its limit has its text acknowledged (200) but
//!   not handled, and is told so by a TwiML `<Message>` reply at most once a
//!   quarter hour. Not an error status, because a provider answers those by
//!   trying the number's fallback URL or, with retries configured, sending the
//!   text again, which would multiply the flood. `STOP`/`START` are handled even
//!   then, so the bot always agrees with the carrier about who opted out.
//! - **per address**: see `server::signed`, which verifies every webhook of the
//!   provider, texts' and calls' alike.

use axum::extract::State;
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use chrono::Duration;
use handoff_dispatcher::conversation::Command;
use handoff_dispatcher::{EngineError, Received};

use crate::metrics::{Endpoint, WebhookResult};
use crate::server::AppState;
use crate::server::flood::Verdict;
use crate::server::guard::retry_after;
use crate::server::signed::{Handled, Signed, Webhook, malformed};
use crate::sms::form;
use crate::sms::grammar;

/// The empty TwiML answer.
pub const EMPTY_TWIML: &str = "<?xml version=\"1.0\" encoding=\"UTF-8\"?><Response/>";

fn twiml() -> Response {
    (
        [(header::CONTENT_TYPE, "text/xml; charset=utf-8")],
        EMPTY_TWIML,
    )
        .into_response()
}

/// `text` as XML character data or a double-quoted attribute value: what XML
/// would read as markup escaped. Every TwiML answer (texts and calls) goes
/// through it.
pub(crate) fn xml_escape(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
        .replace('\'', "&apos;")
}

/// TwiML that has the provider text `message` back to the sender.
fn twiml_reply(message: &str) -> Response {
    let escaped = xml_escape(message);
    (
        [(header::CONTENT_TYPE, "text/xml; charset=utf-8")],
        format!(
            "<?xml version=\"1.0\" encoding=\"UTF-8\"?><Response><Message>{escaped}</Message></Response>"
        ),
    )
        .into_response()
}

/// What a sender over the limit is told, in one GSM-7 segment.
pub fn slow_down(wait: Duration) -> String {
    let minutes = ((wait.num_seconds().max(0) + 59) / 60).max(1);
    format!(
        "Too many texts from this phone at once: this one was not read. Wait {minutes} min, then send it again."
    )
}

pub(crate) async fn inbound(State(state): State<AppState>, webhook: Webhook) -> Response {
    webhook.serve(state, Endpoint::Inbound, on_inbound).await
}

async fn on_inbound(state: AppState, signed: Signed) -> Handled {
    use WebhookResult::{Accepted, Duplicate, Error, Limited};
    let text = match form::inbound(&signed.params) {
        Ok(text) => text,
        Err(error) => {
            tracing::warn!(%error, "inbound webhook refused");
            return malformed(error);
        }
    };
    let sid = &text.sid;
    if state.own_numbers.contains(&text.from) || text.to.as_ref() == Some(&text.from) {
        // A text from the program's own number is a loop (a misconfigured
        // forward, another bot answering us): answering it would feed the loop.
        tracing::warn!(%sid, "inbound text from the program's own number refused");
        return (
            Some(WebhookResult::BadRequest),
            (
                StatusCode::BAD_REQUEST,
                "From is the program's own number\n",
            )
                .into_response(),
        );
    }
    let now = state.inbound.engine().now();
    if let Verdict::Limited { retry_after, tell } = state.limits.text_from(&text.from, now)
        && !matches!(grammar::parse(text.body), Command::OptOut | Command::OptIn)
    {
        if !tell {
            return (Some(Limited), twiml());
        }
        tracing::warn!(%sid, "a sender is over its limit of texts: acknowledged, not handled; told once");
        return (Some(Limited), twiml_reply(&slow_down(retry_after)));
    }
    match state.inbound.text(&text.from, text.body, sid).await {
        Ok(Received::Handled) => (Some(Accepted), twiml()),
        Ok(Received::Duplicate) => {
            tracing::info!(%sid, "inbound text seen before: acknowledged, ignored");
            (Some(Duplicate), twiml())
        }
        Err(error) => {
            // Nothing of the text was kept: the provider's retry (or a fallback
            // instance) handles it once.
            tracing::error!(%sid, %error, "handling an inbound text failed; the provider may retry");
            (Some(Error), failed(error.is_transient()))
        }
    }
}

/// How long the provider is asked to wait before retrying a webhook the database
/// did not take: long enough for a lock to be let go or a database to fail over,
/// short enough for an officer waiting at the scene (as the JSON API's `503`).
const RETRY_AFTER: Duration = Duration::seconds(5);

/// The answer to a webhook that could not be recorded: `503` with `Retry-After`
/// when the failure is the database's and may pass (the provider, or whoever
/// looks at its logs, can tell "come back" from "broken"), else `500`.
fn failed(transient: bool) -> Response {
    if transient {
        (
            StatusCode::SERVICE_UNAVAILABLE,
            [(header::RETRY_AFTER, retry_after(RETRY_AFTER))],
            "the database did not take the write; try again\n",
        )
            .into_response()
    } else {
        StatusCode::INTERNAL_SERVER_ERROR.into_response()
    }
}

pub(crate) async fn status(State(state): State<AppState>, webhook: Webhook) -> Response {
    webhook.serve(state, Endpoint::Status, on_status).await
}

async fn on_status(state: AppState, signed: Signed) -> Handled {
    use WebhookResult::{Accepted, Error};
    let form::Status {
        sid,
        status,
        error_code,
    } = match form::status(&signed.params) {
        Ok(found) => found,
        Err(error) => return malformed(error),
    };
    if !matches!(status, "undelivered" | "failed") {
        return (Some(Accepted), twiml());
    }
    let code = error_code.unwrap_or("");
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
            return (Some(Error), failed(error.is_transient()));
        }
    };
    tracing::warn!(%sid, %status, %code, outbox = item.id, "sms not delivered");
    let reason = format!("{status} {code}");
    let result = async {
        outbox
            .receipt_failed(item.id, reason.trim(), engine.now())
            .await?;
        engine.delivery_failed(&item).await?;
        Ok::<(), EngineError>(())
    }
    .await;
    match result {
        Ok(()) => (Some(Accepted), twiml()),
        Err(error) => {
            tracing::error!(%sid, %error, "cannot record an undelivered message");
            (Some(Error), failed(error.is_transient()))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sms::gsm7::{is_gsm7, septets};

    #[test]
    fn the_slow_down_notice_is_one_gsm7_segment_and_rounds_the_wait_up_to_minutes() {
        for (seconds, minutes) in [(0, 1), (6, 1), (60, 1), (61, 2), (6000, 100)] {
            let notice = slow_down(Duration::seconds(seconds));
            assert!(is_gsm7(&notice) && septets(&notice) <= 160, "{notice}");
            assert!(
                notice.contains(&format!("Wait {minutes} min,")),
                "{seconds}: {notice}"
            );
        }
    }

    #[tokio::test]
    async fn a_reply_in_twiml_escapes_what_xml_would_read() {
        let response = twiml_reply("a < b & c > d");
        assert_eq!(
            response
                .headers()
                .get(header::CONTENT_TYPE)
                .map(|v| v.as_bytes()),
            Some(&b"text/xml; charset=utf-8"[..])
        );
        let body = axum::body::to_bytes(response.into_body(), 1024)
            .await
            .unwrap();
        assert!(
            body.ends_with(b"<Response><Message>a &lt; b &amp; c &gt; d</Message></Response>"),
            "{body:?}"
        );
    }
}

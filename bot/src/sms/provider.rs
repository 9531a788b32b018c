//! The SMS provider: Twilio-compatible REST sends.
//!
//! One call, `POST {api_base}/2010-04-01/Accounts/{AccountSid}/Messages.json`, form
//! encoded (`To`, `From` or `MessagingServiceSid`, `Body`, optionally
//! `StatusCallback`), with HTTP basic auth `AccountSid:AuthToken`. The API base is
//! configurable, so Twilio-compatible providers and the tests' fake server work.
//!
//! Every outcome is sorted into what a retry may fix and what it may not:
//! - [`SendError::Transient`]: timeouts, connection failures, 408, 429 (with the
//!   provider's `Retry-After` when it gives one) and 5xx. The caller retries with
//!   [`backoff`]. A timeout after the request went out may mean the provider did
//!   accept the text, so a retry can duplicate it; a duplicate is the lesser harm
//!   for a hand-off, next to an offer never sent.
//! - [`SendError::Permanent`]: every other refusal (bad credentials, invalid number
//!   21211, unsubscribed recipient 21610, ...), with Twilio's error code when the
//!   answer has one.
//!
//! Privacy: message bodies are never logged, and a phone number appears in logs and
//! error reasons as its last four digits at most (the provider's own error messages
//! quote the full number, so they are redacted before they leave this module).

use std::fmt;
use std::time::Duration;

use reqwest::header::{HeaderMap, RETRY_AFTER};
use reqwest::{StatusCode, Url};
use serde::Deserialize;

/// How long one send may take, connecting included, unless
/// [`TwilioClient::with_timeout`] says otherwise. Twilio answers in well under a
/// second; a send stuck longer holds back every later text to that phone (the
/// outbound worker keeps each phone's texts in order), so after this long it
/// becomes a retry instead of a hang. Ten seconds is far below any escalation step
/// (minutes), so a stuck provider costs a step little of its time.
pub const DEFAULT_TIMEOUT: Duration = Duration::from_secs(10);

/// How long connecting may take: the same bound, for the same reason.
pub const CONNECT_TIMEOUT: Duration = Duration::from_secs(10);

/// Who a text is sent as.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Sender {
    /// A phone number of the account, E.164 (`From`).
    From(String),
    /// A Messaging Service, which picks the number (`MessagingServiceSid`).
    MessagingService(String),
}

/// What the provider answered to an accepted send.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Sent {
    /// The provider's id of the message (`SM...`), which its status callbacks quote.
    pub sid: String,
    /// The provider's first status, usually `queued` or `accepted`.
    pub status: String,
}

/// Why a send did not happen.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SendError {
    /// Worth retrying later: timeouts, connection errors, 408, 429 and 5xx.
    #[error("temporary SMS provider failure: {reason}")]
    Transient {
        reason: String,
        /// The provider's `Retry-After`, when it gave one in seconds.
        retry_after: Option<Duration>,
    },
    /// Not worth retrying: the provider refused this text or these credentials.
    #[error("SMS provider refused the message: {reason}")]
    Permanent {
        /// Twilio's error code (21211 invalid number, 21610 unsubscribed, ...).
        code: Option<i64>,
        reason: String,
    },
}

/// Why a client cannot be set up: the configuration is wrong.
#[derive(Debug, thiserror::Error)]
pub enum ClientError {
    #[error("the SMS API base URL {0:?} is not an http(s) URL")]
    ApiBase(String),
    #[error("the SMS account SID is empty or has characters other than letters and digits")]
    AccountSid,
    #[error("the SMS auth token is empty")]
    AuthToken,
    #[error("the SMS sender is empty")]
    Sender,
    #[error("cannot set up the HTTP client: {0}")]
    Http(#[from] reqwest::Error),
}

/// A Twilio-compatible REST client that sends texts.
#[derive(Clone)]
pub struct TwilioClient {
    http: reqwest::Client,
    /// The messages endpoint, built once.
    messages_url: Url,
    account_sid: String,
    auth_token: String,
    sender: Sender,
    timeout: Duration,
}

impl fmt::Debug for TwilioClient {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("TwilioClient")
            .field("messages_url", &self.messages_url.as_str())
            .field("account_sid", &self.account_sid)
            .field("auth_token", &"<redacted>")
            .field("sender", &self.sender)
            .field("timeout", &self.timeout)
            .finish()
    }
}

/// Twilio's answer to an accepted send (only what is used).
#[derive(Deserialize)]
struct MessageResource {
    sid: Option<String>,
    status: Option<String>,
}

/// Twilio's error answer: `{"code": 21211, "message": "...", "more_info": "...",
/// "status": 400}`.
#[derive(Deserialize)]
struct ErrorResource {
    code: Option<i64>,
    message: Option<String>,
}

impl TwilioClient {
    /// A client for the account `account_sid` at `api_base` (for Twilio
    /// `https://api.twilio.com`), sending as `sender`.
    pub fn new(
        api_base: &str,
        account_sid: &str,
        auth_token: &str,
        sender: Sender,
    ) -> Result<Self, ClientError> {
        if account_sid.is_empty() || !account_sid.chars().all(|c| c.is_ascii_alphanumeric()) {
            return Err(ClientError::AccountSid);
        }
        if auth_token.is_empty() {
            return Err(ClientError::AuthToken);
        }
        let sender_id = match &sender {
            Sender::From(s) | Sender::MessagingService(s) => s,
        };
        if sender_id.trim().is_empty() {
            return Err(ClientError::Sender);
        }
        let base = api_base.trim_end_matches('/');
        let messages_url = Url::parse(&format!(
            "{base}/2010-04-01/Accounts/{account_sid}/Messages.json"
        ))
        .ok()
        .filter(|u| matches!(u.scheme(), "http" | "https") && u.host().is_some())
        .ok_or_else(|| ClientError::ApiBase(api_base.to_owned()))?;
        let http = reqwest::Client::builder()
            .connect_timeout(CONNECT_TIMEOUT)
            // A redirect would turn the POST into a GET or resend the credentials
            // elsewhere; a provider that redirects is misconfigured.
            .redirect(reqwest::redirect::Policy::none())
            .user_agent(concat!("handoff/", env!("CARGO_PKG_VERSION")))
            .build()?;
        Ok(TwilioClient {
            http,
            messages_url,
            account_sid: account_sid.to_owned(),
            auth_token: auth_token.to_owned(),
            sender,
            timeout: DEFAULT_TIMEOUT,
        })
    }

    /// The same client with another bound on one send, connecting included.
    pub fn with_timeout(mut self, timeout: Duration) -> Self {
        self.timeout = timeout;
        self
    }

    /// The bound on one send.
    pub fn timeout(&self) -> Duration {
        self.timeout
    }

    /// Sends `body` to `to` (E.164). `status_callback` is where the provider posts
    /// what became of the text (`delivered`, `undelivered`, `failed`).
    pub async fn send(
        &self,
        to: &str,
        body: &str,
        status_callback: Option<&str>,
    ) -> Result<Sent, SendError> {
        let mut form: Vec<(&str, &str)> = Vec::with_capacity(4);
        form.push(("To", to));
        match &self.sender {
            Sender::From(from) => form.push(("From", from)),
            Sender::MessagingService(sid) => form.push(("MessagingServiceSid", sid)),
        }
        form.push(("Body", body));
        if let Some(url) = status_callback {
            form.push(("StatusCallback", url));
        }
        let response = self
            .http
            .post(self.messages_url.clone())
            .basic_auth(&self.account_sid, Some(&self.auth_token))
            .timeout(self.timeout)
            .form(&form)
            .send()
            .await;
        let response = match response {
            Ok(response) => response,
            Err(error) => {
                let error = self.request_error(error);
                tracing::debug!(to = last_four(to), %error, "sms send failed");
                return Err(error);
            }
        };
        let status = response.status();
        let retry_after = retry_after(response.headers());
        let bytes = match response.bytes().await {
            Ok(bytes) => bytes,
            Err(error) => {
                let error = self.request_error(error);
                tracing::debug!(to = last_four(to), %status, %error, "sms send: reading the answer failed");
                return Err(error);
            }
        };
        let outcome = classify(status, retry_after, &bytes);
        match &outcome {
            Ok(sent) => {
                tracing::debug!(to = last_four(to), sid = %sent.sid, status = %sent.status, "sms accepted by the provider")
            }
            Err(error) => {
                tracing::debug!(to = last_four(to), http = %status, %error, "sms not accepted by the provider")
            }
        }
        outcome
    }

    /// A failure before an answer came: timeouts and connection errors are
    /// transient; a request that cannot even be built is not.
    fn request_error(&self, error: reqwest::Error) -> SendError {
        // The URL names the account; the reason does not need it.
        let error = error.without_url();
        if error.is_builder() {
            return SendError::Permanent {
                code: None,
                reason: format!("cannot build the request: {}", chain(&error)),
            };
        }
        let reason = if error.is_timeout() {
            format!("no answer within {} ms", self.timeout.as_millis())
        } else if error.is_connect() {
            format!("cannot connect: {}", chain(&error))
        } else {
            format!("request failed: {}", chain(&error))
        };
        SendError::Transient {
            reason: redact_numbers(&reason),
            retry_after: None,
        }
    }
}

/// Sorts an HTTP answer into sent, transient or permanent.
fn classify(
    status: StatusCode,
    retry_after: Option<Duration>,
    body: &[u8],
) -> Result<Sent, SendError> {
    if status.is_success() {
        return match serde_json::from_slice::<MessageResource>(body) {
            Ok(MessageResource {
                sid: Some(sid),
                status,
            }) if !sid.is_empty() => Ok(Sent {
                sid,
                status: status.unwrap_or_else(|| "queued".to_owned()),
            }),
            // Accepted, but without an id nothing can be matched to its status and
            // a retry could send it twice: report it, do not retry.
            _ => Err(SendError::Permanent {
                code: None,
                reason: format!("HTTP {status} without a message sid in the answer"),
            }),
        };
    }
    let error = serde_json::from_slice::<ErrorResource>(body).ok();
    let code = error.as_ref().and_then(|e| e.code);
    let message = error
        .and_then(|e| e.message)
        .filter(|m| !m.trim().is_empty());
    let reason = match (code, message) {
        (Some(code), Some(message)) => {
            format!("HTTP {status}, error {code}: {}", redact_numbers(&message))
        }
        (None, Some(message)) => format!("HTTP {status}: {}", redact_numbers(&message)),
        (Some(code), None) => format!("HTTP {status}, error {code}"),
        // A body that is not Twilio's JSON is not quoted: it could echo anything.
        (None, None) => format!("HTTP {status}"),
    };
    if status == StatusCode::TOO_MANY_REQUESTS
        || status == StatusCode::REQUEST_TIMEOUT
        || status.is_server_error()
    {
        Err(SendError::Transient {
            reason,
            retry_after,
        })
    } else {
        Err(SendError::Permanent { code, reason })
    }
}

/// `Retry-After` in seconds. The HTTP-date form is ignored (reading it needs the
/// wall clock; the caller's backoff applies instead).
fn retry_after(headers: &HeaderMap) -> Option<Duration> {
    let value = headers.get(RETRY_AFTER)?.to_str().ok()?.trim();
    let seconds: u64 = value.parse().ok()?;
    // A provider asking for more than an hour is not taken literally.
    Some(Duration::from_secs(seconds.min(3600)))
}

/// An error and its sources, joined.
fn chain(error: &dyn std::error::Error) -> String {
    let mut text = error.to_string();
    let mut source = error.source();
    while let Some(inner) = source {
        let inner_text = inner.to_string();
        if !text.contains(&inner_text) {
            text.push_str(": ");
            text.push_str(&inner_text);
        }
        source = inner.source();
    }
    text
}

/// The last four characters of a phone number, for logs.
fn last_four(phone: &str) -> &str {
    let start = phone.char_indices().rev().nth(3).map_or(0, |(i, _)| i);
    phone.get(start..).unwrap_or("")
}

/// `text` with every phone-number-like run (seven digits or more, with `+`,
/// spaces, dots, dashes or parentheses between them) cut to its last four digits.
fn redact_numbers(text: &str) -> String {
    let is_part = |c: char| c.is_ascii_digit() || matches!(c, '+' | '(' | ')' | '-' | '.' | ' ');
    let chars: Vec<char> = text.chars().collect();
    let mut out = String::with_capacity(text.len());
    let mut i = 0;
    while i < chars.len() {
        if chars[i].is_ascii_digit()
            || (matches!(chars[i], '+' | '(') && chars.get(i + 1).is_some_and(char::is_ascii_digit))
        {
            // The run of number characters from here, not ending on a separator.
            let mut end = i;
            let mut last_digit = i;
            while end < chars.len() && is_part(chars[end]) {
                if chars[end].is_ascii_digit() {
                    last_digit = end;
                }
                end += 1;
            }
            let run = &chars[i..=last_digit];
            let digits: Vec<char> = run.iter().copied().filter(char::is_ascii_digit).collect();
            if digits.len() >= 7 {
                out.push_str("***");
                out.extend(&digits[digits.len() - 4..]);
            } else {
                out.extend(run);
            }
            i = last_digit + 1;
        } else {
            out.push(chars[i]);
            i += 1;
        }
    }
    out
}

/// The first retry's base delay.
const BACKOFF_BASE: Duration = Duration::from_secs(2);
/// The longest base delay, before jitter.
const BACKOFF_CAP: Duration = Duration::from_secs(300);

/// How long to wait before retry number `attempt` (0 for the first retry):
/// 2 s·2^attempt, capped at 5 minutes, then spread by ±20 % with `jitter` (a
/// uniform random number in 0..=1: 0 gives -20 %, 0.5 the base, 1 gives +20 %).
/// The jitter applies after the cap, so retries at the cap spread too (4 to 6
/// minutes); it keeps many messages failing together from retrying together.
/// Out-of-range or NaN jitter counts as the middle. Pure: the caller draws the
/// random number.
pub fn backoff(attempt: u32, jitter: f64) -> Duration {
    // 2^8 · 2 s already passes the cap; the shift never overflows.
    let base = BACKOFF_BASE
        .saturating_mul(1 << attempt.min(16))
        .min(BACKOFF_CAP);
    let jitter = if (0.0..=1.0).contains(&jitter) {
        jitter
    } else {
        0.5
    };
    base.mul_f64(0.8 + 0.4 * jitter)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn secs(d: Duration) -> f64 {
        d.as_secs_f64()
    }

    #[test]
    fn backoff_doubles_from_two_seconds_and_caps_at_five_minutes() {
        let base: Vec<f64> = (0..10).map(|a| secs(backoff(a, 0.5))).collect();
        assert_eq!(
            base,
            vec![2.0, 4.0, 8.0, 16.0, 32.0, 64.0, 128.0, 256.0, 300.0, 300.0]
        );
        assert_eq!(backoff(u32::MAX, 0.5), Duration::from_secs(300));
    }

    #[test]
    fn backoff_jitter_spreads_twenty_percent_either_way() {
        assert!((secs(backoff(0, 0.0)) - 1.6).abs() < 1e-9);
        assert!((secs(backoff(0, 1.0)) - 2.4).abs() < 1e-9);
        assert!((secs(backoff(3, 0.25)) - 14.4).abs() < 1e-9);
        assert!((secs(backoff(20, 0.0)) - 240.0).abs() < 1e-9);
        assert!((secs(backoff(20, 1.0)) - 360.0).abs() < 1e-9);
        for jitter in [f64::NAN, -1.0, 1.5, f64::INFINITY] {
            assert_eq!(backoff(2, jitter), Duration::from_secs(8));
        }
        // Monotone in the attempt for a fixed jitter.
        for jitter in [0.0, 0.3, 1.0] {
            for a in 0..12 {
                assert!(backoff(a, jitter) <= backoff(a + 1, jitter));
            }
        }
    }

    #[test]
    fn accepted_answers_give_sid_and_status() {
        let body = br#"{"sid":"SM0123456789abcdef0123456789abcdef","status":"queued","to":"+14125550101"}"#;
        assert_eq!(
            classify(StatusCode::CREATED, None, body),
            Ok(Sent {
                sid: "SM0123456789abcdef0123456789abcdef".to_owned(),
                status: "queued".to_owned()
            })
        );
        assert!(matches!(
            classify(StatusCode::CREATED, None, b"<html>ok</html>"),
            Err(SendError::Permanent { code: None, .. })
        ));
    }

    #[test]
    fn refusals_are_sorted_into_transient_and_permanent() {
        let wait = Some(Duration::from_secs(7));
        let busy = br#"{"code":20429,"message":"Too Many Requests","status":429}"#;
        assert!(matches!(
            classify(StatusCode::TOO_MANY_REQUESTS, wait, busy),
            Err(SendError::Transient { retry_after: Some(d), .. }) if d == Duration::from_secs(7)
        ));
        assert!(matches!(
            classify(StatusCode::BAD_GATEWAY, None, b"bad gateway"),
            Err(SendError::Transient { retry_after: None, ref reason }) if reason == "HTTP 502 Bad Gateway"
        ));
        let unsubscribed = br#"{"code":21610,"message":"Attempt to send to unsubscribed recipient","more_info":"https://www.twilio.com/docs/errors/21610","status":400}"#;
        assert_eq!(
            classify(StatusCode::BAD_REQUEST, None, unsubscribed),
            Err(SendError::Permanent {
                code: Some(21610),
                reason:
                    "HTTP 400 Bad Request, error 21610: Attempt to send to unsubscribed recipient"
                        .to_owned()
            })
        );
        assert!(matches!(
            classify(StatusCode::UNAUTHORIZED, None, b""),
            Err(SendError::Permanent { code: None, .. })
        ));
    }

    #[test]
    fn provider_messages_lose_full_phone_numbers() {
        let invalid = br#"{"code":21211,"message":"The 'To' number +14125550101 is not a valid phone number.","status":400}"#;
        let Err(SendError::Permanent { code, reason }) =
            classify(StatusCode::BAD_REQUEST, None, invalid)
        else {
            panic!("expected a permanent error");
        };
        assert_eq!(code, Some(21211));
        assert!(!reason.contains("5550101"), "{reason}");
        assert!(reason.contains("***0101"), "{reason}");
        assert_eq!(
            redact_numbers("call (412) 555-0101 or +44 20 7946 0958."),
            "call ***0101 or ***0958."
        );
        assert_eq!(
            redact_numbers("error 21211 at 10:47, HTTP 400"),
            "error 21211 at 10:47, HTTP 400"
        );
    }

    #[test]
    fn last_four_digits_only() {
        assert_eq!(last_four("+14125550101"), "0101");
        assert_eq!(last_four("+1"), "+1");
        assert_eq!(last_four(""), "");
    }

    #[test]
    fn retry_after_in_seconds_is_read() {
        let mut headers = HeaderMap::new();
        assert_eq!(retry_after(&headers), None);
        headers.insert(
            RETRY_AFTER,
            reqwest::header::HeaderValue::from_static(" 12 "),
        );
        assert_eq!(retry_after(&headers), Some(Duration::from_secs(12)));
        headers.insert(
            RETRY_AFTER,
            reqwest::header::HeaderValue::from_static("Wed, 21 Oct 2015 07:28:00 GMT"),
        );
        assert_eq!(retry_after(&headers), None);
        headers.insert(
            RETRY_AFTER,
            reqwest::header::HeaderValue::from_static("99999"),
        );
        assert_eq!(retry_after(&headers), Some(Duration::from_secs(3600)));
    }

    #[test]
    fn configuration_is_checked() {
        let from = || Sender::From("+14125550100".to_owned());
        assert!(TwilioClient::new("https://api.twilio.com/", "AC123", "token", from()).is_ok());
        assert!(matches!(
            TwilioClient::new("api.twilio.com", "AC123", "token", from()),
            Err(ClientError::ApiBase(_))
        ));
        assert!(matches!(
            TwilioClient::new("ftp://api.twilio.com", "AC123", "token", from()),
            Err(ClientError::ApiBase(_))
        ));
        assert!(matches!(
            TwilioClient::new("https://api.twilio.com", "AC/../x", "token", from()),
            Err(ClientError::AccountSid)
        ));
        assert!(matches!(
            TwilioClient::new("https://api.twilio.com", "AC123", "", from()),
            Err(ClientError::AuthToken)
        ));
        assert!(matches!(
            TwilioClient::new(
                "https://api.twilio.com",
                "AC123",
                "t",
                Sender::MessagingService(" ".to_owned())
            ),
            Err(ClientError::Sender)
        ));
        let client =
            TwilioClient::new("https://api.twilio.com", "AC123", "secret-token", from()).unwrap();
        assert_eq!(
            client.messages_url.as_str(),
            "https://api.twilio.com/2010-04-01/Accounts/AC123/Messages.json"
        );
        assert_eq!(client.timeout(), DEFAULT_TIMEOUT);
        assert_eq!(
            client
                .clone()
                .with_timeout(Duration::from_millis(300))
                .timeout(),
            Duration::from_millis(300)
        );
        assert!(!format!("{client:?}").contains("secret-token"));
    }
}

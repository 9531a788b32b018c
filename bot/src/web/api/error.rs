//! Every way a call to the JSON API can fail, and how each is answered: a status
//! and `{ "error": { "code": "...", "message": "..." } }`, the code stable for
//! programs to branch on, the message for the people who integrate them. A 401
//! carries `WWW-Authenticate: Bearer` (RFC 6750), a 503 `Retry-After`, a 405
//! `Allow`.

use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use handoff_dispatcher::HandoffId;

/// The realm named in `WWW-Authenticate`.
const REALM: &str = "handoff";

/// How long a caller should wait before retrying after a 503, in seconds: long
/// enough for a database restart or fail-over to finish, short enough for an
/// officer waiting at the scene.
const RETRY_AFTER_SECONDS: u32 = 5;

/// Why the caller could not be told apart from anyone else.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub(crate) enum AuthError {
    #[error("send `Authorization: Bearer <your agency's token>`")]
    Missing,
    #[error("the Authorization header must be `Bearer <token>`")]
    Malformed,
    #[error("the token is not an agency's token")]
    Unknown,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub(crate) enum ApiError {
    #[error("{0}")]
    Unauthorized(AuthError),
    #[error("the agency this token belongs to is no longer in the configuration")]
    AgencyGone,
    #[error("send the body as JSON, with `Content-Type: application/json`")]
    UnsupportedMediaType,
    #[error("the body is larger than {0} bytes")]
    BodyTooLarge(usize),
    #[error("the body could not be read")]
    BodyUnreadable,
    #[error("the body did not arrive within {0} s")]
    RequestTimeout(u64),
    #[error("the body is not valid JSON: {0}")]
    MalformedJson(String),
    /// A field is missing, of the wrong type, unknown or holds a value refused.
    #[error("{message}")]
    Invalid { code: &'static str, message: String },
    #[error("send an `Idempotency-Key` header: a value of your own, new for each request")]
    IdempotencyKeyRequired,
    #[error(
        "the Idempotency-Key must be 1 to {max} printable ASCII characters without spaces",
        max = super::request::MAX_IDEMPOTENCY_KEY
    )]
    BadIdempotencyKey,
    #[error(
        "this Idempotency-Key was used for another request{}; use a new key to ask again",
        .0.map(|id| format!(" (about hand-off {id})")).unwrap_or_default()
    )]
    IdempotencyKeyReused(Option<HandoffId>),
    #[error("no officer `{officer}` is registered with {agency}")]
    OfficerNotOfAgency { officer: String, agency: String },
    #[error("{0}")]
    NotRequester(String),
    #[error("there is no hand-off {0} of your agency")]
    HandoffNotFound(String),
    #[error("{0}")]
    HandoffClosed(String),
    /// The dispatcher refused the command for another reason; its words say why.
    #[error("{0}")]
    Refused(String),
    /// The dispatcher could not act on the request (its words say what to do).
    #[error("{0}")]
    CannotHandle(String),
    #[error("no such endpoint: see docs/openapi.json")]
    NoSuchRoute,
    #[error("this endpoint takes {0} only")]
    MethodNotAllowed(&'static str),
    #[error("the service cannot reach its database just now: retry in a few seconds")]
    Unavailable,
    #[error("the request could not be handled; the service log says why")]
    Internal,
}

impl ApiError {
    pub(crate) fn invalid(code: &'static str, message: impl Into<String>) -> ApiError {
        ApiError::Invalid {
            code,
            message: message.into(),
        }
    }

    pub(crate) fn status(&self) -> StatusCode {
        match self {
            ApiError::Unauthorized(_) | ApiError::AgencyGone => StatusCode::UNAUTHORIZED,
            ApiError::UnsupportedMediaType => StatusCode::UNSUPPORTED_MEDIA_TYPE,
            ApiError::BodyTooLarge(_) => StatusCode::PAYLOAD_TOO_LARGE,
            ApiError::RequestTimeout(_) => StatusCode::REQUEST_TIMEOUT,
            ApiError::BodyUnreadable
            | ApiError::MalformedJson(_)
            | ApiError::IdempotencyKeyRequired
            | ApiError::BadIdempotencyKey => StatusCode::BAD_REQUEST,
            ApiError::Invalid { .. } | ApiError::IdempotencyKeyReused(_) => {
                StatusCode::UNPROCESSABLE_ENTITY
            }
            ApiError::OfficerNotOfAgency { .. } | ApiError::NotRequester(_) => {
                StatusCode::FORBIDDEN
            }
            ApiError::HandoffNotFound(_) | ApiError::NoSuchRoute => StatusCode::NOT_FOUND,
            ApiError::HandoffClosed(_) | ApiError::Refused(_) => StatusCode::CONFLICT,
            ApiError::MethodNotAllowed(_) => StatusCode::METHOD_NOT_ALLOWED,
            ApiError::Unavailable => StatusCode::SERVICE_UNAVAILABLE,
            ApiError::CannotHandle(_) | ApiError::Internal => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }

    /// The stable code programs branch on.
    pub(crate) fn code(&self) -> &'static str {
        match self {
            ApiError::Unauthorized(_) | ApiError::AgencyGone => "unauthorized",
            ApiError::UnsupportedMediaType => "unsupported_media_type",
            ApiError::BodyTooLarge(_) => "body_too_large",
            ApiError::BodyUnreadable => "body_unreadable",
            ApiError::RequestTimeout(_) => "request_timeout",
            ApiError::MalformedJson(_) => "malformed_json",
            ApiError::Invalid { code, .. } => code,
            ApiError::IdempotencyKeyRequired => "idempotency_key_required",
            ApiError::BadIdempotencyKey => "invalid_idempotency_key",
            ApiError::IdempotencyKeyReused(_) => "idempotency_key_reused",
            ApiError::OfficerNotOfAgency { .. } => "officer_not_of_agency",
            ApiError::NotRequester(_) => "not_requester",
            ApiError::HandoffNotFound(_) => "handoff_not_found",
            ApiError::HandoffClosed(_) => "handoff_closed",
            ApiError::Refused(_) => "refused",
            ApiError::CannotHandle(_) => "cannot_handle",
            ApiError::NoSuchRoute => "no_such_route",
            ApiError::MethodNotAllowed(_) => "method_not_allowed",
            ApiError::Unavailable => "unavailable",
            ApiError::Internal => "internal",
        }
    }

    /// The `WWW-Authenticate` challenge of a 401: a caller that sent no
    /// credentials is told the scheme; one whose token failed, also why.
    fn challenge(&self) -> Option<String> {
        match self {
            ApiError::Unauthorized(AuthError::Missing) => Some(format!("Bearer realm=\"{REALM}\"")),
            ApiError::Unauthorized(_) | ApiError::AgencyGone => {
                Some(format!("Bearer realm=\"{REALM}\", error=\"invalid_token\""))
            }
            _ => None,
        }
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let body = serde_json::json!({
            "error": { "code": self.code(), "message": self.to_string() }
        });
        let mut response = (self.status(), axum::Json(body)).into_response();
        let headers = response.headers_mut();
        if let Some(challenge) = self.challenge()
            && let Ok(value) = HeaderValue::from_str(&challenge)
        {
            headers.insert(header::WWW_AUTHENTICATE, value);
        }
        match &self {
            ApiError::Unavailable => {
                headers.insert(header::RETRY_AFTER, HeaderValue::from(RETRY_AFTER_SECONDS));
            }
            ApiError::MethodNotAllowed(allow) => {
                headers.insert(header::ALLOW, HeaderValue::from_static(allow));
            }
            _ => {}
        }
        response
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_error_is_json_with_its_code_and_message() {
        let table = [
            (
                ApiError::Unauthorized(AuthError::Missing),
                401,
                "unauthorized",
            ),
            (
                ApiError::UnsupportedMediaType,
                415,
                "unsupported_media_type",
            ),
            (ApiError::BodyTooLarge(16), 413, "body_too_large"),
            (ApiError::RequestTimeout(10), 408, "request_timeout"),
            (ApiError::MalformedJson("eof".into()), 400, "malformed_json"),
            (ApiError::invalid("unknown_kind", "no"), 422, "unknown_kind"),
            (
                ApiError::HandoffNotFound("9".into()),
                404,
                "handoff_not_found",
            ),
            (
                ApiError::HandoffClosed("closed".into()),
                409,
                "handoff_closed",
            ),
            (ApiError::Unavailable, 503, "unavailable"),
        ];
        for (error, status, code) in table {
            assert_eq!(error.status().as_u16(), status, "{error:?}");
            assert_eq!(error.code(), code, "{error:?}");
            assert!(!error.to_string().is_empty(), "{error:?}");
        }
    }

    #[test]
    fn a_401_challenges_for_a_bearer_token_and_says_when_one_failed() {
        let missing = ApiError::Unauthorized(AuthError::Missing).into_response();
        assert_eq!(
            missing.headers().get(header::WWW_AUTHENTICATE),
            Some(&HeaderValue::from_static("Bearer realm=\"handoff\""))
        );
        let wrong = ApiError::Unauthorized(AuthError::Unknown).into_response();
        assert_eq!(
            wrong.headers().get(header::WWW_AUTHENTICATE),
            Some(&HeaderValue::from_static(
                "Bearer realm=\"handoff\", error=\"invalid_token\""
            ))
        );
        let busy = ApiError::Unavailable.into_response();
        assert_eq!(
            busy.headers().get(header::RETRY_AFTER),
            Some(&HeaderValue::from(5))
        );
    }
}

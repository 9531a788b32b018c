//! Dashboard sessions: a random token in an `HttpOnly`, `SameSite=Strict` cookie,
//! signed with a key kept in the database, and a row keyed by the token's SHA-256.
//!
//! The signature lets a forged or mangled cookie be refused without a database
//! read; the row lets logging out end the session for good (a signed cookie alone
//! would stay valid until it expired) and carries the session's CSRF token. A
//! session lives [`SESSION_LIFETIME`] from login, however active: a phone left
//! logged in on a desk is logged out by the next shift.

use axum::http::{HeaderMap, HeaderValue, header};
use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use chrono::{DateTime, Duration, Utc};
use handoff_config::UserName;
use handoff_dispatcher::StoreError;
use handoff_dispatcher::store::{Records, WebSession};
use hmac::{Hmac, KeyInit, Mac};
use rand::RngCore;
use sha2::{Digest, Sha256};
use subtle::ConstantTimeEq;

type HmacSha256 = Hmac<Sha256>;

/// The session cookie's name.
pub(crate) const COOKIE: &str = "handoff_session";
/// How long a login lasts: a working day and then some.
pub(crate) const SESSION_LIFETIME: Duration = Duration::hours(12);
/// The name of the key that signs session cookies, in `web_keys`.
const SIGNING_KEY: &str = "session-signing";

/// 32 random bytes, URL-safe base64: a token nobody can guess.
pub(crate) fn random_token() -> String {
    let mut bytes = [0u8; 32];
    rand::rng().fill_bytes(&mut bytes);
    URL_SAFE_NO_PAD.encode(bytes)
}

/// Hex SHA-256 of a token: what the database keeps instead of it.
pub(crate) fn token_hash(token: &str) -> String {
    Sha256::digest(token.as_bytes())
        .iter()
        .map(|byte| format!("{byte:02x}"))
        .collect()
}

/// The key that signs cookies, shared by every instance on the database.
pub(crate) struct Signer {
    key: Vec<u8>,
}

impl Signer {
    pub(crate) async fn load(records: &Records, name: &str) -> Result<Signer, StoreError> {
        let key = records.web_key(name, &random_token()).await?;
        Ok(Signer {
            key: key.into_bytes(),
        })
    }

    pub(crate) async fn for_sessions(records: &Records) -> Result<Signer, StoreError> {
        Signer::load(records, SIGNING_KEY).await
    }

    /// URL-safe base64 HMAC-SHA256 of `value`.
    pub(crate) fn sign(&self, value: &str) -> String {
        // A key of any length is accepted by HMAC; `new_from_slice` cannot fail.
        let Ok(mut mac) = HmacSha256::new_from_slice(&self.key) else {
            return String::new();
        };
        mac.update(value.as_bytes());
        URL_SAFE_NO_PAD.encode(mac.finalize().into_bytes())
    }

    /// `token.signature`, the cookie's value.
    fn signed(&self, token: &str) -> String {
        format!("{token}.{}", self.sign(token))
    }

    /// The token of a cookie value whose signature holds.
    fn verified<'a>(&self, value: &'a str) -> Option<&'a str> {
        let (token, signature) = value.split_once('.')?;
        let expected = self.sign(token);
        bool::from(expected.as_bytes().ct_eq(signature.as_bytes())).then_some(token)
    }
}

/// A logged-in user, as a request found them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Session {
    pub(crate) user: UserName,
    pub(crate) csrf: String,
    pub(crate) token_hash: String,
    pub(crate) expires_at: DateTime<Utc>,
}

/// A cookie's value from the request's `Cookie` headers.
pub(crate) fn cookie<'a>(headers: &'a HeaderMap, name: &str) -> Option<&'a str> {
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|value| value.to_str().ok())
        .flat_map(|line| line.split(';'))
        .filter_map(|pair| pair.trim().split_once('='))
        .find(|(key, _)| *key == name)
        .map(|(_, value)| value)
}

/// Starts a session for `user` and returns the `Set-Cookie` value that carries it.
pub(crate) async fn start(
    records: &Records,
    signer: &Signer,
    user: &UserName,
    now: DateTime<Utc>,
    secure: bool,
) -> Result<String, StoreError> {
    let token = random_token();
    let session = WebSession {
        user: user.to_string(),
        csrf: random_token(),
        created_at: now,
        expires_at: now + SESSION_LIFETIME,
    };
    records
        .start_web_session(&token_hash(&token), &session)
        .await?;
    Ok(set_cookie(
        COOKIE,
        &signer.signed(&token),
        SESSION_LIFETIME.num_seconds(),
        secure,
    ))
}

/// The session the request's cookie names, if it is signed, known and alive.
pub(crate) async fn find(
    records: &Records,
    signer: &Signer,
    headers: &HeaderMap,
    now: DateTime<Utc>,
) -> Result<Option<Session>, StoreError> {
    let Some(token) = cookie(headers, COOKIE).and_then(|value| signer.verified(value)) else {
        return Ok(None);
    };
    let hash = token_hash(token);
    let Some(row) = records.web_session(&hash, now).await? else {
        return Ok(None);
    };
    let Some(user) = UserName::parse(&row.user) else {
        return Ok(None);
    };
    Ok(Some(Session {
        user,
        csrf: row.csrf,
        token_hash: hash,
        expires_at: row.expires_at,
    }))
}

/// A `Set-Cookie` value: `HttpOnly` (no script reads it), `SameSite=Strict` (no
/// other site's page sends it), `Secure` when the service is reached over https.
pub(crate) fn set_cookie(name: &str, value: &str, max_age: i64, secure: bool) -> String {
    let secure = if secure { "; Secure" } else { "" };
    format!("{name}={value}; Path=/; Max-Age={max_age}; HttpOnly; SameSite=Strict{secure}")
}

/// A `Set-Cookie` value that deletes the cookie.
pub(crate) fn clear_cookie(name: &str, secure: bool) -> String {
    set_cookie(name, "", 0, secure)
}

/// A header value from text we built ourselves (ASCII, no line breaks).
pub(crate) fn header_value(text: &str) -> HeaderValue {
    HeaderValue::from_str(text).unwrap_or_else(|_| HeaderValue::from_static(""))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn signer() -> Signer {
        Signer {
            key: b"a key for tests".to_vec(),
        }
    }

    #[test]
    fn a_signed_cookie_verifies_and_a_tampered_one_does_not() {
        let signer = signer();
        let value = signer.signed("abc");
        assert_eq!(signer.verified(&value), Some("abc"));
        assert_eq!(signer.verified(&value.replacen("abc", "abd", 1)), None);
        assert_eq!(signer.verified("abc"), None);
        assert_eq!(signer.verified("abc."), None);
        assert_eq!(signer.verified(""), None);
        let other = Signer {
            key: b"another key".to_vec(),
        };
        assert_eq!(other.verified(&value), None);
    }

    #[test]
    fn cookies_are_found_among_others_by_exact_name() {
        let mut headers = HeaderMap::new();
        headers.insert(
            header::COOKIE,
            HeaderValue::from_static("a=1; handoff_session_x=2; handoff_session=3"),
        );
        assert_eq!(cookie(&headers, COOKIE), Some("3"));
        assert_eq!(cookie(&headers, "b"), None);
    }

    #[test]
    fn session_cookies_are_http_only_strict_and_secure_over_https() {
        let cookie = set_cookie(COOKIE, "v", 60, true);
        assert!(cookie.contains("HttpOnly"));
        assert!(cookie.contains("SameSite=Strict"));
        assert!(cookie.ends_with("; Secure"));
        assert!(!set_cookie(COOKIE, "v", 60, false).contains("Secure"));
    }

    #[test]
    fn token_hashes_are_hex_sha256() {
        assert_eq!(
            token_hash("abc"),
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
        );
        assert_ne!(random_token(), random_token());
    }
}

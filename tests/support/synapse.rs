//! A real Matrix homeserver for journeys: the Synapse that `scripts/with-synapse`
//! starts (or any other named by the same two variables), and users registered on it
//! through Synapse's shared-secret admin API. A Matrix journey without a homeserver
//! fails (see [`homeserver`]): skipping would let the suite pass with Matrix untested.

use hmac::{Hmac, KeyInit, Mac};
use serde_json::{Value, json};
use sha1::Sha1;

/// The server name `scripts/with-synapse` gives its homeserver: users are
/// `@localpart:localhost`.
pub const SERVER_NAME: &str = "localhost";

/// A homeserver tests may register users on.
pub struct Homeserver {
    /// Its client-server API, e.g. `http://127.0.0.1:PORT`, without a trailing `/`.
    pub url: String,
    /// Synapse's `registration_shared_secret`.
    secret: String,
}

/// The homeserver of `MATRIX_HOMESERVER_URL` and `MATRIX_REGISTRATION_SECRET`.
/// Panics when either is unset, saying how to run the Matrix journeys: through
/// `scripts/test` or `scripts/with-synapse`, which start a throwaway Synapse.
pub fn homeserver() -> Homeserver {
    let url = std::env::var("MATRIX_HOMESERVER_URL")
        .ok()
        .filter(|url| !url.is_empty())
        .unwrap_or_else(|| {
            panic!(
                "no Matrix homeserver: MATRIX_HOMESERVER_URL is not set. The Matrix journeys \
                 need one: run them through `scripts/test` (the whole suite), or e.g. \
                 `scripts/with-synapse cargo test -p handoff-tests --test matrix_client_smoke`, \
                 which start a throwaway Synapse and set it"
            )
        });
    let secret = std::env::var("MATRIX_REGISTRATION_SECRET")
        .ok()
        .filter(|secret| !secret.is_empty())
        .unwrap_or_else(|| {
            panic!(
                "MATRIX_HOMESERVER_URL is set ({url}) but MATRIX_REGISTRATION_SECRET is not: \
                 set it to the homeserver's registration_shared_secret, or unset both and run \
                 through `scripts/with-synapse`"
            )
        });
    Homeserver {
        url: url.trim_end_matches('/').to_owned(),
        secret,
    }
}

/// `localpart` with a random suffix, so that journeys sharing one homeserver do not
/// meet each other's users: `alice` becomes e.g. `alice-3f9c01a7`.
pub fn unique(localpart: &str) -> String {
    format!("{localpart}-{:08x}", rand::random::<u32>())
}

impl Homeserver {
    /// Registers `@localpart:localhost` (not an admin) with `password`, and returns
    /// that user ID. A user registered already is fine: its ID is returned as it is,
    /// password unchanged. `localpart` must be a valid Matrix localpart (lower case).
    pub async fn register(&self, localpart: &str, password: &str) -> String {
        let endpoint = format!("{}/_synapse/admin/v1/register", self.url);
        let client = reqwest::Client::new();

        // A nonce is good for one registration, within a minute.
        let response = client
            .get(&endpoint)
            .send()
            .await
            .unwrap_or_else(|e| panic!("GET {endpoint}: {e}"));
        let status = response.status();
        let body: Value = response
            .json()
            .await
            .unwrap_or_else(|e| panic!("GET {endpoint}: {status}, body not JSON: {e}"));
        let nonce = body["nonce"]
            .as_str()
            .unwrap_or_else(|| panic!("GET {endpoint}: {status}, no nonce in {body}"));

        let mac = registration_mac(&self.secret, nonce, localpart, password);
        let response = client
            .post(&endpoint)
            .json(&json!({
                "nonce": nonce,
                "username": localpart,
                "password": password,
                "admin": false,
                "mac": mac,
            }))
            .send()
            .await
            .unwrap_or_else(|e| panic!("registering {localpart}: POST {endpoint}: {e}"));
        let status = response.status();
        let body: Value = response
            .json()
            .await
            .unwrap_or_else(|e| panic!("registering {localpart}: {status}, body not JSON: {e}"));
        if status.is_success() {
            return body["user_id"]
                .as_str()
                .unwrap_or_else(|| panic!("registering {localpart}: no user_id in {body}"))
                .to_owned();
        }
        if status == reqwest::StatusCode::BAD_REQUEST && body["errcode"] == "M_USER_IN_USE" {
            return format!("@{localpart}:{SERVER_NAME}");
        }
        panic!("registering {localpart}: {status}: {body}");
    }
}

/// Hex HMAC-SHA1, keyed by the shared secret, of
/// `nonce NUL username NUL password NUL "notadmin"`: what Synapse checks.
fn registration_mac(secret: &str, nonce: &str, username: &str, password: &str) -> String {
    let mut mac =
        Hmac::<Sha1>::new_from_slice(secret.as_bytes()).unwrap_or_else(|e| panic!("HMAC key: {e}"));
    for (i, part) in [nonce, username, password, "notadmin"].iter().enumerate() {
        if i > 0 {
            mac.update(b"\0");
        }
        mac.update(part.as_bytes());
    }
    mac.finalize()
        .into_bytes()
        .iter()
        .map(|byte| format!("{byte:02x}"))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    /// python3 -c 'import hmac,hashlib; print(hmac.new(b"secret", b"abc\0alice\0pw\0notadmin", hashlib.sha1).hexdigest())'
    #[test]
    fn the_mac_is_synapses() {
        assert_eq!(
            registration_mac("secret", "abc", "alice", "pw"),
            "42e32623fe124933c326f9d2d67ff7c617915a10"
        );
    }
}

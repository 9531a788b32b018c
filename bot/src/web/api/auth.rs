//! Who is calling the JSON API: `Authorization: Bearer <token>`, where the token is
//! one agency's (read from the variable its `api_token_env` names) and so names the
//! agency. Only the tokens' SHA-256 digests are kept; the digest of what is
//! presented is compared with every agency's, in constant time and without
//! stopping at a match, so neither whether a token matched nor which agency's it
//! is shows in how long the answer takes. A token is never logged.

use std::collections::BTreeMap;

use axum::http::{HeaderMap, header};
use handoff_config::{ApiToken, Config};
use handoff_dispatcher::AgencyId;
use sha2::{Digest, Sha256};
use subtle::{ConditionallySelectable, ConstantTimeEq};

use super::error::AuthError;

/// The agencies that may call the API, by the digest of their token.
#[derive(Debug, Clone, Default)]
pub struct ApiAgencies {
    agencies: Vec<(AgencyId, [u8; 32])>,
}

impl ApiAgencies {
    pub fn new(tokens: &BTreeMap<AgencyId, ApiToken>) -> ApiAgencies {
        ApiAgencies {
            agencies: tokens
                .iter()
                .map(|(agency, token)| (agency.clone(), digest(token.token.expose())))
                .collect(),
        }
    }

    /// The agencies of a configuration. Built once at start: a changed token
    /// takes effect at the next restart (a reload says so).
    pub fn from_config(config: &Config) -> ApiAgencies {
        ApiAgencies::new(&config.api_tokens)
    }

    /// The agency whose token the request carries.
    pub(crate) fn agency(&self, headers: &HeaderMap) -> Result<AgencyId, AuthError> {
        let token = bearer(headers)?;
        let presented = digest(token);
        // `u32::MAX` until a digest matches; every digest is compared.
        let mut found = u32::MAX;
        for (index, (_, known)) in self.agencies.iter().enumerate() {
            let index = u32::try_from(index).unwrap_or(u32::MAX);
            found.conditional_assign(&index, known.ct_eq(&presented));
        }
        usize::try_from(found)
            .ok()
            .and_then(|index| self.agencies.get(index))
            .map(|(agency, _)| agency.clone())
            .ok_or(AuthError::Unknown)
    }
}

fn digest(token: &str) -> [u8; 32] {
    Sha256::digest(token.as_bytes()).into()
}

/// The token of an `Authorization: Bearer <token>` header. The scheme is
/// case-insensitive (RFC 7235); the token is what follows the one space.
fn bearer(headers: &HeaderMap) -> Result<&str, AuthError> {
    let Some(value) = headers.get(header::AUTHORIZATION) else {
        return Err(AuthError::Missing);
    };
    let value = value.to_str().map_err(|_| AuthError::Malformed)?;
    let (scheme, token) = value.split_once(' ').ok_or(AuthError::Malformed)?;
    let token = token.trim();
    if !scheme.eq_ignore_ascii_case("bearer") || token.is_empty() || token.contains(' ') {
        return Err(AuthError::Malformed);
    }
    Ok(token)
}

#[cfg(test)]
mod tests {
    use super::*;
    use axum::http::HeaderValue;
    use handoff_config::Secret;

    const METRO: &str = "0123456789abcdef0123456789abcdef";
    const SHERIFF: &str = "fedcba9876543210fedcba9876543210";

    fn agencies() -> ApiAgencies {
        let token = |env: &str, value: &str| ApiToken {
            env: env.to_owned(),
            token: Secret::new(value.to_owned()),
        };
        let id = |text: &str| AgencyId::parse(text).unwrap();
        ApiAgencies::new(&BTreeMap::from([
            (id("metro-pd"), token("METRO", METRO)),
            (id("county-sheriff"), token("SHERIFF", SHERIFF)),
        ]))
    }

    fn with(authorization: Option<&str>) -> HeaderMap {
        let mut headers = HeaderMap::new();
        if let Some(value) = authorization {
            headers.insert(header::AUTHORIZATION, HeaderValue::from_str(value).unwrap());
        }
        headers
    }

    #[test]
    fn a_token_names_its_agency_and_nothing_else_names_any() {
        let agencies = agencies();
        let metro = format!("Bearer {METRO}");
        let sheriff = format!("bearer {SHERIFF}");
        let upper = format!("BEARER {METRO}");
        let basic = format!("Basic {METRO}");
        let glued = format!("Bearer{METRO}");
        let longer = format!("Bearer {METRO}0");
        let shorter = format!("Bearer {}", &METRO[1..]);
        let two = format!("Bearer {METRO} {SHERIFF}");
        // (Authorization, the agency or why not)
        let table: [(Option<&str>, Result<&str, AuthError>); 10] = [
            (Some(&metro), Ok("metro-pd")),
            (Some(&sheriff), Ok("county-sheriff")),
            (Some(&upper), Ok("metro-pd")),
            (None, Err(AuthError::Missing)),
            (Some(&basic), Err(AuthError::Malformed)),
            (Some(&glued), Err(AuthError::Malformed)),
            (Some("Bearer "), Err(AuthError::Malformed)),
            (Some(&two), Err(AuthError::Malformed)),
            (Some(&longer), Err(AuthError::Unknown)),
            (Some(&shorter), Err(AuthError::Unknown)),
        ];
        for (authorization, expected) in table {
            let got = agencies.agency(&with(authorization));
            assert_eq!(
                got.as_ref().map(AgencyId::as_str).map_err(|e| *e),
                expected,
                "{authorization:?}"
            );
        }
    }

    #[test]
    fn with_no_agency_configured_no_token_passes() {
        let none = ApiAgencies::default();
        let metro = format!("Bearer {METRO}");
        assert_eq!(none.agency(&with(Some(&metro))), Err(AuthError::Unknown));
    }

    #[test]
    fn a_header_that_is_not_text_is_malformed_not_a_panic() {
        let mut headers = HeaderMap::new();
        headers.insert(
            header::AUTHORIZATION,
            HeaderValue::from_bytes(b"Bearer \xff\xfe").unwrap(),
        );
        assert_eq!(agencies().agency(&headers), Err(AuthError::Malformed));
    }
}

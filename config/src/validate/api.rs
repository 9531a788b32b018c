//! Agencies' tokens for the JSON API. An agency that names `api_token_env` gets the
//! token held in that environment variable, which must be set, long enough that
//! nobody guesses it, printable ASCII (it travels in an `Authorization` header), and
//! no other agency's: the token is all that tells the API which agency is calling.

use std::collections::BTreeMap;

use handoff_dispatcher::AgencyId;
use toml::Spanned;

use super::EnvLookup;
use super::transports::env_secret;
use crate::error::Problems;
use crate::model::{ApiToken, Secret};
use crate::raw::RawAgency;

/// The shortest token accepted: 32 characters of `openssl rand -hex 32` carry 128
/// random bits, beyond guessing at any rate a server answers.
pub const MIN_API_TOKEN_CHARS: usize = 32;

/// The longest token accepted; far beyond any generator's, short enough for any
/// proxy's header limits.
pub const MAX_API_TOKEN_CHARS: usize = 512;

/// Each agency's token, by agency id, for the agencies that name one.
pub(super) fn tokens(
    p: &mut Problems,
    raws: &[Spanned<RawAgency>],
    env: EnvLookup<'_>,
) -> BTreeMap<AgencyId, ApiToken> {
    let mut tokens = BTreeMap::new();
    // (key, variable, token) of each token read so far, to refuse a second use.
    let mut seen: Vec<(String, String, Secret)> = Vec::new();
    for (i, raw) in raws.iter().enumerate() {
        let agency = raw.get_ref();
        let Some(text) = &agency.api_token_env else {
            continue;
        };
        let key = format!("agencies[{i}].api_token_env");
        let Some((name, token)) = env_secret(p, Some(text), raw.span(), &key, true, env) else {
            continue;
        };
        if let Some(weakness) = weakness(token.expose()) {
            p.push(
                text.span(),
                &key,
                format!("the environment variable {name} {weakness}"),
            );
            continue;
        }
        if let Some((other_key, other_name, _)) = seen.iter().find(|(_, _, t)| *t == token) {
            p.push(
                text.span(),
                &key,
                format!(
                    "{name} holds the same token as {other_name} ({other_key}): each agency \
                     needs its own, since the token is what tells the API which agency is calling"
                ),
            );
            continue;
        }
        seen.push((key, name.clone(), token.clone()));
        // An id with errors of its own is reported where agencies are checked.
        let Some(id) = agency
            .id
            .as_ref()
            .and_then(|t| AgencyId::parse(t.get_ref()).ok())
        else {
            continue;
        };
        tokens.insert(id, ApiToken { env: name, token });
    }
    tokens
}

/// What makes `token` unfit, if anything, as the end of "the environment variable
/// X ...".
fn weakness(token: &str) -> Option<String> {
    let chars = token.chars().count();
    if chars < MIN_API_TOKEN_CHARS {
        return Some(format!(
            "holds {chars} characters: an API token needs at least {MIN_API_TOKEN_CHARS} \
             (make one with `openssl rand -hex 32`)"
        ));
    }
    if chars > MAX_API_TOKEN_CHARS {
        return Some(format!(
            "holds {chars} characters: an API token may have at most {MAX_API_TOKEN_CHARS}"
        ));
    }
    if !token.chars().all(|c| c.is_ascii_graphic()) {
        return Some(
            "holds characters other than printable ASCII (a space, a line break, a letter \
             outside ASCII): an API token must fit in an `Authorization: Bearer` header"
                .to_owned(),
        );
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_token_must_be_long_printable_ascii() {
        let long = "a".repeat(MIN_API_TOKEN_CHARS);
        let hex = "0f".repeat(32);
        // (token, fit)
        let table = [
            ("", false),
            ("secret", false),
            (&long[1..], false),
            (long.as_str(), true),
            (hex.as_str(), true),
            ("aB3-_.~+/=aB3-_.~+/=aB3-_.~+/=aB3-_", true),
            ("0123456789abcdef0123456789abcdef\n", false),
            ("0123456789abcdef 0123456789abcdef", false),
            ("0123456789abcdef0123456789abcdeé", false),
        ];
        for (token, fit) in table {
            assert_eq!(weakness(token).is_none(), fit, "{token:?}");
        }
        assert!(weakness(&"x".repeat(MAX_API_TOKEN_CHARS)).is_none());
        assert!(weakness(&"x".repeat(MAX_API_TOKEN_CHARS + 1)).is_some());
    }
}

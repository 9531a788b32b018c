//! Agencies' tokens for the JSON API: an agency that names `api_token_env` gets the
//! token held in that variable, by agency id; an unset, empty, short, spaced or
//! shared token is refused at the agency's `api_token_env` line, naming the
//! variable and never the value. An agency that names none has no token.

#[macro_use]
mod support;

use handoff_dispatcher::AgencyId;
use support::{CASE, Case, check, derive, error, error_at, load};

const TOKEN: &str = "0123456789abcdef0123456789abcdef";
const OTHER_TOKEN: &str = "fedcba9876543210fedcba9876543210";

const METRO_TOKEN: (&str, &str) = (
    "sites = [\"north\"]\nofficers",
    "sites = [\"north\"]\napi_token_env = \"METRO_API_TOKEN\"\nofficers",
);

/// A second agency with a token of its own.
const SHERIFF: &str = r#"
[[agencies]]
id = "sheriff"
name = "County Sheriff"
sites = ["north"]
api_token_env = "SHERIFF_API_TOKEN"
"#;

cases! {
    an_agency_with_its_token_set_loads: Case {
        edits: &[METRO_TOKEN],
        env: &[("METRO_API_TOKEN", TOKEN)],
        ..CASE
    };

    an_unset_api_token_is_an_error_naming_the_variable: Case {
        edits: &[METRO_TOKEN],
        expect: &[error_at("\"METRO_API_TOKEN\"", "agencies[0].api_token_env", "METRO_API_TOKEN is not set")],
        ..CASE
    };

    an_empty_api_token_counts_as_unset: Case {
        edits: &[METRO_TOKEN],
        env: &[("METRO_API_TOKEN", "")],
        expect: &[error("api_token_env", "agencies[0].api_token_env", "METRO_API_TOKEN is not set")],
        ..CASE
    };

    a_short_api_token_is_refused_with_how_to_make_one: Case {
        edits: &[METRO_TOKEN],
        env: &[("METRO_API_TOKEN", "letmein")],
        expect: &[error("api_token_env", "agencies[0].api_token_env", "METRO_API_TOKEN holds 7 characters: an API token needs at least 32 (make one with `openssl rand -hex 32`)")],
        ..CASE
    };

    an_api_token_with_a_trailing_line_break_is_refused: Case {
        edits: &[METRO_TOKEN],
        env: &[("METRO_API_TOKEN", "0123456789abcdef0123456789abcdef\n")],
        expect: &[error("api_token_env", "agencies[0].api_token_env", "must fit in an `Authorization: Bearer` header")],
        ..CASE
    };

    a_variable_name_that_is_no_name_is_refused: Case {
        edits: &[("sites = [\"north\"]\nofficers", "sites = [\"north\"]\napi_token_env = \"metro token\"\nofficers")],
        expect: &[error("api_token_env", "agencies[0].api_token_env", "`metro token` is not an environment variable name")],
        ..CASE
    };

    two_agencies_with_one_token_are_refused_at_the_second: Case {
        edits: &[METRO_TOKEN],
        append: SHERIFF,
        env: &[("METRO_API_TOKEN", TOKEN), ("SHERIFF_API_TOKEN", TOKEN)],
        expect: &[error("SHERIFF_API_TOKEN", "agencies[1].api_token_env", "SHERIFF_API_TOKEN holds the same token as METRO_API_TOKEN (agencies[0].api_token_env)")],
    };
}

#[test]
fn each_agency_that_names_a_token_has_it_by_its_id_and_the_others_none() {
    let text = derive(&[METRO_TOKEN], SHERIFF);
    let sheriff_without = text.replace("api_token_env = \"SHERIFF_API_TOKEN\"\n", "");
    let config =
        load(&sheriff_without, &[("METRO_API_TOKEN", TOKEN)]).unwrap_or_else(|e| panic!("{e}"));
    let metro = AgencyId::parse("metro-pd").unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(config.api_tokens.len(), 1);
    let token = &config.api_tokens[&metro];
    assert_eq!(token.env, "METRO_API_TOKEN");
    assert_eq!(token.token.expose(), TOKEN);

    let both = load(
        &text,
        &[
            ("METRO_API_TOKEN", TOKEN),
            ("SHERIFF_API_TOKEN", OTHER_TOKEN),
        ],
    )
    .unwrap_or_else(|e| panic!("{e}"));
    let ids: Vec<&str> = both.api_tokens.keys().map(AgencyId::as_str).collect();
    assert_eq!(ids, ["metro-pd", "sheriff"]);
}

#[test]
fn an_error_about_a_token_never_shows_the_token() {
    let text = derive(&[METRO_TOKEN], SHERIFF);
    let Err(error) = load(
        &text,
        &[("METRO_API_TOKEN", TOKEN), ("SHERIFF_API_TOKEN", TOKEN)],
    ) else {
        panic!("a shared token must be refused");
    };
    assert!(!error.to_string().contains(TOKEN), "{error}");
    let Err(error) = load(&text, &[("METRO_API_TOKEN", "short-secret")]) else {
        panic!("a short token must be refused");
    };
    assert!(!error.to_string().contains("short-secret"), "{error}");
}

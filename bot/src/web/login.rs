//! Logging in and out. The login form is protected from cross-site posts twice:
//! by its origin (the browser's `Origin` and `Sec-Fetch-Site` headers) and by a
//! token that must match a `SameSite=Strict` cookie set with the form (a page of
//! another site can neither read the cookie nor make the browser send it).

use axum::extract::{Form, Query, State};
use axum::http::{HeaderMap, StatusCode, Uri, header};
use axum::response::{IntoResponse, Redirect, Response};
use handoff_config::UserName;
use maud::{Markup, html};
use serde::Deserialize;
use subtle::ConstantTimeEq;

use super::auth::{self, Allowed};
use super::layout;
use super::session::{self, COOKIE};
use super::unavailable;
use crate::server::AppState;
use crate::server::guard::Peer;

/// The cookie that pairs a login form with the browser it was given to.
const LOGIN_COOKIE: &str = "handoff_login";
/// How long a login form stays usable.
const LOGIN_FORM_SECONDS: i64 = 30 * 60;

#[derive(Debug, Default, Deserialize)]
pub(crate) struct Next {
    #[serde(default)]
    next: String,
}

/// Where to go after logging in: a dashboard path of this server, never another
/// site (an open redirect would let a link log someone in and send them away).
fn next_path(next: &str) -> &str {
    let local = next.starts_with("/dashboard")
        && !next.starts_with("//")
        && next.chars().all(|c| c.is_ascii_graphic() && c != '\\');
    if local { next } else { "/dashboard" }
}

fn form(program: &str, token: &str, next: &str, problem: Option<&str>) -> Markup {
    layout::bare(
        program,
        "Log in",
        html! {
            form.login method="post" action="/login" {
                h1 { (program) }
                p.note { "The dashboard of the hand-off service." }
                @if let Some(problem) = problem {
                    p.bad role="alert" { (problem) }
                }
                input type="hidden" name="csrf" value=(token);
                input type="hidden" name="next" value=(next_path(next));
                label for="user" { "User name" }
                input #user name="user" autocomplete="username" required autofocus;
                label for="password" { "Password" }
                input #password name="password" type="password" autocomplete="current-password" required;
                button type="submit" { "Log in" }
            }
        },
    )
}

/// The form, with a fresh token in its cookie.
fn fresh_form(state: &AppState, status: StatusCode, next: &str, problem: Option<&str>) -> Response {
    let token = session::random_token();
    let cookie = session::set_cookie(LOGIN_COOKIE, &token, LOGIN_FORM_SECONDS, state.web.secure);
    let mut response = layout::respond(form(&state.web.program, &token, next, problem));
    *response.status_mut() = status;
    response
        .headers_mut()
        .append(header::SET_COOKIE, session::header_value(&cookie));
    response
}

pub(crate) async fn page(State(state): State<AppState>, Query(next): Query<Next>) -> Response {
    fresh_form(&state, StatusCode::OK, &next.next, None)
}

#[derive(Debug, Deserialize)]
pub(crate) struct LoginForm {
    #[serde(default)]
    user: String,
    #[serde(default)]
    password: String,
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    next: String,
}

/// Whether a form came from a page of this server, by its headers.
pub(crate) fn same_origin(state: &AppState, uri: &Uri, headers: &HeaderMap) -> bool {
    let text = |name: &header::HeaderName| headers.get(name).and_then(|v| v.to_str().ok());
    let host = text(&header::HOST).or_else(|| uri.authority().map(|a| a.as_str()));
    let fetch_site = headers.get("sec-fetch-site").and_then(|v| v.to_str().ok());
    crate::sms::sandbox::check_origin(text(&header::ORIGIN), fetch_site, host, &state.public_url)
        .is_ok()
}

fn tokens_match(a: &str, b: &str) -> bool {
    !a.is_empty() && bool::from(a.as_bytes().ct_eq(b.as_bytes()))
}

/// Whether a form posted in `access`'s session is one of this site's pages: it
/// comes from this site's origin and carries the session's CSRF token. Every
/// dashboard form but the login form (which has its own cookie) must pass this.
pub(crate) fn form_is_ours(
    state: &AppState,
    uri: &Uri,
    headers: &HeaderMap,
    access: &super::Access,
    token: &str,
) -> bool {
    same_origin(state, uri, headers) && tokens_match(token, &access.csrf)
}

/// The answer to a form that failed [`form_is_ours`]: nothing was done.
pub(crate) fn foreign_form() -> Response {
    tracing::warn!("a dashboard form was refused: not from this site, or without its token");
    (
        StatusCode::FORBIDDEN,
        "refused: this form did not come from this site\n",
    )
        .into_response()
}

pub(crate) async fn submit(
    State(state): State<AppState>,
    Peer(address): Peer,
    uri: Uri,
    headers: HeaderMap,
    Form(login): Form<LoginForm>,
) -> Response {
    let paired = session::cookie(&headers, LOGIN_COOKIE).unwrap_or_default();
    let refusal = if !same_origin(&state, &uri, &headers) {
        Some("This form did not come from this site. Please log in here.")
    } else if !tokens_match(&login.csrf, paired) {
        Some("This form has expired. Please log in again.")
    } else {
        None
    };
    if let Some(refusal) = refusal {
        tracing::warn!(%refusal, "dashboard login form refused");
        return fresh_form(&state, StatusCode::FORBIDDEN, &login.next, Some(refusal));
    }
    let engine = state.inbound.engine();
    let now = engine.now();
    let name = login.user.trim().to_ascii_lowercase();
    let allowed = match state.web.limiter.lock() {
        Ok(mut limiter) => limiter.allowed(&name, address, now),
        Err(_) => Allowed::Yes,
    };
    if let Allowed::NotFor(wait) = allowed {
        tracing::warn!(user = %name, %address, "dashboard login refused: too many failures");
        let mut response = fresh_form(
            &state,
            StatusCode::TOO_MANY_REQUESTS,
            &login.next,
            Some(&format!(
                "Too many failed attempts. Try again in {}.",
                layout::span(wait)
            )),
        );
        response.headers_mut().insert(
            header::RETRY_AFTER,
            session::header_value(&wait.num_seconds().to_string()),
        );
        return response;
    }
    let dashboard = state.web.dashboard();
    let role = match UserName::parse(&name) {
        Some(user) => auth::check(&dashboard, &user, &login.password)
            .await
            .map(|_| user),
        None => None,
    };
    let Some(user) = role else {
        if let Ok(mut limiter) = state.web.limiter.lock() {
            limiter.failed(&name, address, now);
        }
        tracing::info!(user = %name, %address, "dashboard login failed");
        return fresh_form(
            &state,
            StatusCode::UNAUTHORIZED,
            &login.next,
            Some("That user name and password do not match."),
        );
    };
    if let Ok(mut limiter) = state.web.limiter.lock() {
        limiter.succeeded(&name);
    }
    let cookie = match session::start(
        &engine.records(),
        &state.web.signer,
        &user,
        now,
        state.web.secure,
    )
    .await
    {
        Ok(cookie) => cookie,
        Err(error) => return unavailable(&error),
    };
    tracing::info!(user = %user, "dashboard login");
    let mut response = Redirect::to(next_path(&login.next)).into_response();
    let headers = response.headers_mut();
    headers.append(header::SET_COOKIE, session::header_value(&cookie));
    headers.append(
        header::SET_COOKIE,
        session::header_value(&session::clear_cookie(LOGIN_COOKIE, state.web.secure)),
    );
    response
}

#[derive(Debug, Deserialize)]
pub(crate) struct LogoutForm {
    #[serde(default)]
    csrf: String,
}

/// Ends the session for good (its row is deleted) and clears the cookie.
pub(crate) async fn logout(
    State(state): State<AppState>,
    uri: Uri,
    headers: HeaderMap,
    Form(form): Form<LogoutForm>,
) -> Response {
    let access = match super::access(&state, &headers, handoff_config::DashboardRole::Viewer).await
    {
        Ok(access) => access,
        Err(refused) => return refused,
    };
    if !form_is_ours(&state, &uri, &headers, &access, &form.csrf) {
        return foreign_form();
    }
    if let Err(error) = state
        .inbound
        .engine()
        .records()
        .end_web_session(&access.token_hash)
        .await
    {
        return unavailable(&error);
    }
    let mut response = Redirect::to("/login").into_response();
    response.headers_mut().append(
        header::SET_COOKIE,
        session::header_value(&session::clear_cookie(COOKIE, state.web.secure)),
    );
    response
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn after_login_only_dashboard_paths_of_this_server_are_followed() {
        for (next, to) in [
            ("/dashboard/working?site=a", "/dashboard/working?site=a"),
            ("", "/dashboard"),
            ("https://evil.example/dashboard", "/dashboard"),
            ("//evil.example/dashboard", "/dashboard"),
            ("/dashboard\\@evil", "/dashboard"),
            ("/sandbox", "/dashboard"),
            ("/dashboard/a b", "/dashboard"),
        ] {
            assert_eq!(next_path(next), to, "{next}");
        }
    }

    #[test]
    fn empty_tokens_never_match() {
        assert!(!tokens_match("", ""));
        assert!(tokens_match("abc", "abc"));
        assert!(!tokens_match("abc", "abd"));
    }
}

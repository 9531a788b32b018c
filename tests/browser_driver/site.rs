//! The small site `browser_driver` drives: a login form that sets an HttpOnly,
//! Secure, SameSite=Strict cookie and redirects (303) to a page that reads the
//! cookie on the server (401 without it), a 403 page, a long page, a page without a
//! viewport meta tag, and a button that opens nothing.

use std::collections::HashMap;

use axum::Router;
use axum::extract::Form;
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{Html, IntoResponse, Redirect, Response};
use axum::routing::{get, post};

/// Starts the site on a free loopback port and returns its address.
pub(crate) async fn start() -> anyhow::Result<String> {
    let app = Router::new()
        .route("/", get(login_form))
        .route("/login", post(log_in))
        .route("/welcome", get(welcome))
        .route("/forbidden", get(forbidden))
        .route("/long", get(long_page))
        .route("/stay", get(stay))
        .route("/plain", get(plain))
        .route("/bare-403", get(|| async { StatusCode::FORBIDDEN }))
        .route("/to-bare-403", get(to_bare_403));
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
    let address = listener.local_addr()?;
    tokio::spawn(async move { axum::serve(listener, app).await });
    Ok(format!("http://{address}"))
}

fn page(title: &str, body: &str) -> String {
    format!(
        "<!doctype html><html lang=en><head><meta charset=utf-8>\
         <meta name=viewport content='width=device-width, initial-scale=1'>\
         <title>{title}</title></head><body>{body}</body></html>"
    )
}

async fn login_form() -> Html<String> {
    Html(page(
        "Log in",
        "<h1>Log in</h1><form method=post action=/login>\
         <label>Name <input id=name name=name></label>\
         <label>Password <input id=password name=password type=password></label>\
         <select id=site name=site><option value=north>North</option>\
         <option value=south>South</option></select>\
         <button type=submit>Log in</button></form>",
    ))
}

/// The right password sets the session cookie and redirects to /welcome, as a
/// dashboard's login does (303 See Other: the browser follows with a GET). `Secure`
/// although this is plain HTTP: Chromium counts loopback addresses as secure, so a
/// dashboard's cookie, which should be `Secure`, works in these tests as it is.
async fn log_in(Form(fields): Form<HashMap<String, String>>) -> Response {
    let field = |name: &str| fields.get(name).map_or("", String::as_str);
    if field("password") != "secret" {
        return (
            StatusCode::UNAUTHORIZED,
            Html(page("Log in", "<p>Wrong name or password.</p>")),
        )
            .into_response();
    }
    let cookie = format!(
        "session={}.{}; HttpOnly; Secure; SameSite=Strict; Path=/",
        field("name"),
        field("site")
    );
    ([(header::SET_COOKIE, cookie)], Redirect::to("/welcome")).into_response()
}

async fn welcome(headers: HeaderMap) -> Response {
    let session = headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|value| value.to_str().ok())
        .flat_map(|value| value.split(';'))
        .find_map(|pair| pair.trim().strip_prefix("session="));
    match session.and_then(|session| session.split_once('.')) {
        Some((name, site)) => Html(page(
            "Welcome",
            &format!("<h1>Welcome, {name}</h1><p>Site: {site}</p>"),
        ))
        .into_response(),
        None => (
            StatusCode::UNAUTHORIZED,
            Html(page("Log in", "<p>Please log in.</p>")),
        )
            .into_response(),
    }
}

async fn forbidden() -> Response {
    (
        StatusCode::FORBIDDEN,
        Html(page("Forbidden", "<p>You may not see this page.</p>")),
    )
        .into_response()
}

async fn long_page() -> Html<String> {
    Html(page(
        "Long",
        "<div style='height:3000px;background:linear-gradient(#fff,#36c)'>top</div><p>bottom</p>",
    ))
}

/// A page without `<meta name=viewport>`: a phone lays it out 980 px wide.
async fn plain() -> Html<&'static str> {
    Html("<!doctype html><title>Plain</title><h1>Plain</h1><p style='height:4000px'>text</p>")
}

async fn stay() -> Html<String> {
    Html(page(
        "Stay",
        "<button id=stay type=button onclick=\"this.textContent='clicked'\">Click</button>\
         <div style='position:fixed;inset:0;pointer-events:none'></div>\
         <button id=hidden style=display:none>Hidden</button>",
    ))
}

/// A link to the bare 403, for a click that leads to it.
async fn to_bare_403() -> Html<String> {
    Html(page("Link", "<a id=go href=/bare-403>Go</a>"))
}

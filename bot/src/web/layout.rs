//! The frame every dashboard page shares: the head (readable on a phone, no
//! external assets), the navigation a role may use, the logout form, and the 401
//! and 403 pages.

use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use chrono::{DateTime, Duration, Utc};
use chrono_tz::Tz;
use handoff_config::DashboardRole;
use maud::{DOCTYPE, Markup, PreEscaped, html};

use super::Access;

/// Kept small and inline: the dashboard must load on a patrol car's phone.
const STYLE: &str = r#"
*{box-sizing:border-box}
body{font:16px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;margin:0;color:#1b1f24;background:#f6f7f9}
header{background:#1d3557;color:#fff;padding:.6rem 1rem;display:flex;flex-wrap:wrap;gap:.4rem 1rem;align-items:center}
header a{color:#fff;text-decoration:none;padding:.2rem .1rem}
header a.here{border-bottom:2px solid #f1c453}
header .who{margin-left:auto;font-size:.9rem;opacity:.9}
header form{display:inline}
header button{background:none;border:1px solid #fff;color:#fff;border-radius:4px;padding:.1rem .5rem;cursor:pointer}
main{padding:1rem;max-width:72rem;margin:0 auto}
h1{font-size:1.4rem;margin:.2rem 0 1rem}
h2{font-size:1.15rem;margin:1.6rem 0 .5rem}
table{border-collapse:collapse;width:100%;background:#fff;font-size:.95rem}
th,td{text-align:left;padding:.35rem .5rem;border-bottom:1px solid #dde1e6;vertical-align:top}
th{background:#eef1f4;font-weight:600}
td.n,th.n{text-align:right;font-variant-numeric:tabular-nums}
.scroll{overflow-x:auto}
.cards{display:grid;grid-template-columns:repeat(auto-fill,minmax(10rem,1fr));gap:.6rem}
.card{background:#fff;border:1px solid #dde1e6;border-radius:6px;padding:.6rem .8rem}
.card .v{font-size:1.5rem;font-weight:650}
.card .l{font-size:.85rem;color:#4a5562}
.ok{color:#1e7b34}.bad{color:#b42318}
.note{color:#4a5562;font-size:.9rem}
form.filters{display:flex;flex-wrap:wrap;gap:.5rem;align-items:end;background:#fff;padding:.6rem;border:1px solid #dde1e6;border-radius:6px}
form.filters label{display:flex;flex-direction:column;font-size:.85rem}
input,select,button{font:inherit;padding:.3rem .4rem}
svg{max-width:100%;height:auto;background:#fff}
.login{max-width:22rem;margin:3rem auto;background:#fff;padding:1.2rem;border:1px solid #dde1e6;border-radius:8px}
.login label{display:block;margin:.6rem 0 .2rem}
.login input{width:100%}
.login button{margin-top:1rem;width:100%}
"#;

/// The pages of the navigation, with the least role that may open each.
const PAGES: [(&str, &str, DashboardRole); 6] = [
    ("/dashboard", "Now", DashboardRole::Viewer),
    ("/dashboard/working", "Is it working", DashboardRole::Viewer),
    (
        "/dashboard/coverage",
        "Coverage and demand",
        DashboardRole::Viewer,
    ),
    (
        "/dashboard/staffing",
        "What to staff next",
        DashboardRole::Viewer,
    ),
    (
        "/dashboard/review",
        "Workgroup review",
        DashboardRole::Manager,
    ),
    ("/dashboard/overrides", "Overrides", DashboardRole::Admin),
];

/// The head of every page. Its referrer policy is `same-origin`: addresses (a
/// calendar token, a hand-off number) never reach another site, while the
/// browser still sends this site's `Origin` with each form, which the CSRF check
/// needs (`no-referrer` would make it send `Origin: null`).
fn head(title: &str, program: &str) -> Markup {
    html! {
        (DOCTYPE)
        meta charset="utf-8";
        meta name="viewport" content="width=device-width, initial-scale=1";
        meta name="referrer" content="same-origin";
        title { (title) " · " (program) }
        style { (PreEscaped(STYLE)) }
    }
}

/// A whole page for a logged-in user. `here` is the navigation entry it belongs to.
pub(crate) fn page(
    access: &Access,
    program: &str,
    here: &str,
    title: &str,
    body: Markup,
) -> Markup {
    html! {
        (head(title, program))
        header {
            strong { (program) }
            nav {
                @for (path, label, role) in PAGES {
                    @if access.may(role) {
                        a href=(path) class=[(path == here).then_some("here")] { (label) } " "
                    }
                }
            }
            span.who {
                (access.user) " (" (access.role) ") "
                form method="post" action="/logout" {
                    input type="hidden" name="csrf" value=(access.csrf);
                    button type="submit" { "Log out" }
                }
            }
        }
        main {
            h1 { (title) }
            (body)
        }
    }
}

/// A page with no navigation: the login form and the refusals.
pub(crate) fn bare(program: &str, title: &str, body: Markup) -> Markup {
    html! {
        (head(title, program))
        main { (body) }
    }
}

/// 401 (log in first) or 403 (this role may not): a page a person can act on,
/// with the status a script can test.
pub(crate) fn refused(status: StatusCode, who: Option<(&Access, DashboardRole)>) -> Response {
    let body = match who {
        Some((access, needed)) => html! {
            h1 { "Not for your role" }
            p { "You are logged in as " (access.user) ", a " (access.role)
                ". This page needs the " (needed) " role: ask the program's dashboard admin." }
            p { a href="/dashboard" { "Back to the dashboard" } }
        },
        None => html! {
            h1 { "Please log in" }
            p { "This page is for the program's staff. " a href="/login" { "Log in" } }
        },
    };
    let page = bare("handoff", "Refused", body);
    (
        status,
        [(header::CONTENT_TYPE, "text/html; charset=utf-8")],
        page.into_string(),
    )
        .into_response()
}

/// An HTML response that no cache keeps: pages show who is on duty and where.
pub(crate) fn respond(markup: Markup) -> Response {
    (
        [
            (header::CONTENT_TYPE, "text/html; charset=utf-8"),
            (header::CACHE_CONTROL, "no-store"),
        ],
        markup.into_string(),
    )
        .into_response()
}

/// `Mon 2026-11-23 08:00 EST`, on the site's clock.
pub(crate) fn local(at: DateTime<Utc>, tz: Tz) -> String {
    at.with_timezone(&tz)
        .format("%a %Y-%m-%d %H:%M %Z")
        .to_string()
}

/// A duration as people say it: `45 s`, `12 min`, `3 h 05 min`, `2 d 4 h`.
pub(crate) fn span(duration: Duration) -> String {
    let seconds = duration.num_seconds();
    let sign = if seconds < 0 { "-" } else { "" };
    let s = seconds.unsigned_abs();
    match s {
        0..60 => format!("{sign}{s} s"),
        60..3600 => format!("{sign}{} min", s / 60),
        3600..86_400 => format!("{sign}{} h {:02} min", s / 3600, (s % 3600) / 60),
        _ => format!("{sign}{} d {} h", s / 86_400, (s % 86_400) / 3600),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn durations_read_in_the_largest_sensible_unit() {
        for (seconds, shown) in [
            (0, "0 s"),
            (59, "59 s"),
            (60, "1 min"),
            (3599, "59 min"),
            (3600 + 5 * 60, "1 h 05 min"),
            (2 * 86_400 + 4 * 3600, "2 d 4 h"),
            (-90, "-1 min"),
        ] {
            assert_eq!(span(Duration::seconds(seconds)), shown, "{seconds}");
        }
    }
}

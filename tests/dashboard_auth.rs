//! Who may see what on the dashboard, through real HTTP to `handoff serve`: every
//! page, export and form refuses an anonymous request (401) and a role below its
//! own (403); logging in needs the form's own token and this site's origin; failed
//! logins are limited; logging out ends the session for good.

use handoff_tests::dashboard::{ADMIN, MANAGER, VIEWER, WebClient, dashboard_section};
use handoff_tests::database::on_every_database;
use handoff_tests::journey::MONDAY;
use handoff_tests::service::{DANA, PROGRAM, RIVERA, Service};
use reqwest::StatusCode;

/// Every page and export, with the least role that may open it.
const ROUTES: [(&str, &str); 11] = [
    ("/dashboard", "viewer"),
    ("/dashboard/working", "viewer"),
    (
        "/dashboard/working?from=2026-11-01&to=2026-11-30&site=metro&kind=arrest_diversion",
        "viewer",
    ),
    ("/dashboard/coverage", "viewer"),
    ("/dashboard/staffing?blocks=sat+08:00-12:00", "viewer"),
    ("/dashboard/handoffs/1001", "manager"),
    ("/dashboard/review", "manager"),
    ("/dashboard/review?since=2026-11-01", "manager"),
    ("/dashboard/export/handoffs.csv?from=2026-11-01", "manager"),
    ("/dashboard/export/review.csv", "manager"),
    ("/dashboard/overrides", "admin"),
];

/// Every form that changes something (beside logging in and out), all for admins.
const FORMS: [&str; 2] = ["/dashboard/overrides", "/dashboard/overrides/1/remove"];

/// A complete, valid override, as the "Overrides" form posts it.
const OVERRIDE: [(&str, &str); 5] = [
    ("kind", "remove"),
    ("person", "dana"),
    ("from", "2026-11-23T00:00"),
    ("to", "2026-11-24T00:00"),
    ("note", "training"),
];

const RANKS: [&str; 3] = ["viewer", "manager", "admin"];

fn rank(role: &str) -> usize {
    RANKS.iter().position(|r| *r == role).unwrap_or(usize::MAX)
}

async fn service(database: Option<String>) -> Service {
    let program = format!("{PROGRAM}{}", dashboard_section());
    let service = Service::start_with(&program, MONDAY, database).await;
    // One hand-off, so that its timeline exists.
    service.text(RIVERA, "LEAD 5th & Main, retail theft").await;
    service.text(DANA, "Y1001").await;
    service
}

#[tokio::test]
async fn every_page_refuses_an_anonymous_request() {
    let service = service(None).await;
    let mut anonymous = WebClient::new(&service.url(""));
    for (path, _) in ROUTES {
        let page = anonymous.get(path).await;
        assert_eq!(page.status, StatusCode::UNAUTHORIZED, "{path}");
        assert!(page.body.contains("log in"), "{path}: {}", page.body);
    }
    let forged = {
        let mut client = WebClient::new(&service.url(""));
        client
            .cookies
            .insert("handoff_session".to_owned(), "abc.def".to_owned());
        client.get("/dashboard").await
    };
    assert_eq!(forged.status, StatusCode::UNAUTHORIZED);
    let logout = anonymous.post("/logout", &[("csrf", "x")], &[]).await;
    assert_eq!(logout.status, StatusCode::UNAUTHORIZED);
    for path in FORMS {
        let form = [&OVERRIDE[..], &[("csrf", "x")]].concat();
        let posted = anonymous.post(path, &form, &[]).await;
        assert_eq!(posted.status, StatusCode::UNAUTHORIZED, "POST {path}");
    }
    service.stop().await;
}

#[tokio::test]
async fn each_role_opens_its_own_pages_and_is_refused_the_others() {
    let service = service(None).await;
    for ((user, password), role) in [VIEWER, MANAGER, ADMIN].into_iter().zip(RANKS) {
        let mut client = WebClient::new(&service.url(""));
        let login = client.login(user, password).await;
        assert_eq!(
            login.status,
            StatusCode::SEE_OTHER,
            "{user}: {}",
            login.body
        );
        for (path, needed) in ROUTES {
            let page = client.get(path).await;
            let expected = if rank(role) >= rank(needed) {
                StatusCode::OK
            } else {
                StatusCode::FORBIDDEN
            };
            assert_eq!(
                page.status, expected,
                "{user} ({role}) on {path}: {}",
                page.body
            );
        }
        if role != "admin" {
            // With the session's own token: the role alone refuses it.
            let csrf = client.csrf().await;
            for path in FORMS {
                let form = [&OVERRIDE[..], &[("csrf", csrf.as_str())]].concat();
                let posted = client.post(path, &form, &[]).await;
                assert_eq!(posted.status, StatusCode::FORBIDDEN, "{user} POST {path}");
            }
        }
    }
    let kept = service.running.engine.records().overrides(true).await;
    assert!(kept.is_ok_and(|kept| kept.is_empty()), "nothing was stored");
    service.stop().await;
}

#[tokio::test]
async fn a_login_needs_the_forms_own_token_and_this_sites_origin() {
    let service = service(None).await;
    let (user, password) = MANAGER;
    let mut client = WebClient::new(&service.url(""));
    let without_form = client
        .post(
            "/login",
            &[("user", user), ("password", password), ("csrf", "guess")],
            &[],
        )
        .await;
    assert_eq!(without_form.status, StatusCode::FORBIDDEN);
    let form = client.get("/login").await;
    let token = handoff_tests::dashboard::hidden(&form.body, "csrf");
    let cross_site = client
        .post(
            "/login",
            &[("user", user), ("password", password), ("csrf", &token)],
            &[("origin", "https://evil.example")],
        )
        .await;
    assert_eq!(cross_site.status, StatusCode::FORBIDDEN);
    assert!(!client.cookies.contains_key("handoff_session"));
    let good = client.login(user, password).await;
    assert_eq!(good.status, StatusCode::SEE_OTHER);
    let cookie = good
        .headers
        .get_all("set-cookie")
        .iter()
        .filter_map(|v| v.to_str().ok())
        .find(|v| v.starts_with("handoff_session="))
        .unwrap_or_else(|| panic!("no session cookie: {:?}", good.headers))
        .to_owned();
    assert!(cookie.contains("HttpOnly"), "{cookie}");
    assert!(cookie.contains("SameSite=Strict"), "{cookie}");
    service.stop().await;
}

#[tokio::test]
async fn failed_logins_are_limited_per_user_even_with_the_right_password_after() {
    let service = service(None).await;
    let (user, password) = MANAGER;
    let mut client = WebClient::new(&service.url(""));
    for _ in 0..5 {
        let wrong = client.login(user, "not the password").await;
        assert_eq!(wrong.status, StatusCode::UNAUTHORIZED);
        assert!(wrong.body.contains("do not match"));
    }
    let locked = client.login(user, password).await;
    assert_eq!(locked.status, StatusCode::TOO_MANY_REQUESTS);
    let retry_after: i64 = locked
        .headers
        .get("retry-after")
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse().ok())
        .unwrap_or_else(|| panic!("no Retry-After: {:?}", locked.headers));
    assert!((1..=15 * 60).contains(&retry_after), "{retry_after}");
    let (other, other_password) = VIEWER;
    assert_eq!(
        client.login(other, other_password).await.status,
        StatusCode::SEE_OTHER,
        "another user is not locked out by pat's failures"
    );
    service.advance(chrono::Duration::minutes(16)).await;
    assert_eq!(
        client.login(user, password).await.status,
        StatusCode::SEE_OTHER
    );
    service.stop().await;
}

#[tokio::test]
async fn logging_out_ends_the_session_for_good() {
    on_every_database(async |database| {
        let service = service(database).await;
        let (user, password) = MANAGER;
        let mut client = WebClient::new(&service.url(""));
        client.login(user, password).await;
        let stolen = client.cookies.clone();
        let csrf = client.csrf().await;
        let refused = client.post("/logout", &[("csrf", "wrong")], &[]).await;
        assert_eq!(refused.status, StatusCode::FORBIDDEN);
        let out = client.post("/logout", &[("csrf", &csrf)], &[]).await;
        assert_eq!(out.status, StatusCode::SEE_OTHER);
        assert_eq!(
            client.get("/dashboard").await.status,
            StatusCode::UNAUTHORIZED
        );
        let mut thief = WebClient::new(&service.url(""));
        thief.cookies = stolen;
        assert_eq!(
            thief.get("/dashboard").await.status,
            StatusCode::UNAUTHORIZED
        );
        service.stop().await;
    })
    .await;
}

#[tokio::test]
async fn a_session_ends_twelve_hours_after_login() {
    let service = service(None).await;
    let (user, password) = VIEWER;
    let mut client = WebClient::new(&service.url(""));
    client.login(user, password).await;
    service.advance(chrono::Duration::hours(11)).await;
    assert_eq!(client.get("/dashboard").await.status, StatusCode::OK);
    service.advance(chrono::Duration::hours(1)).await;
    assert_eq!(
        client.get("/dashboard").await.status,
        StatusCode::UNAUTHORIZED
    );
    service.stop().await;
}

#[tokio::test]
async fn a_sites_calendar_is_read_with_its_token_and_refused_without() {
    let service = service(None).await;
    let (user, password) = MANAGER;
    let mut client = WebClient::new(&service.url(""));
    client.login(user, password).await;
    let page = client.get("/dashboard/coverage").await;
    let start = page
        .body
        .find("/calendar/metro.ics?token=")
        .unwrap_or_else(|| panic!("no calendar address for managers:\n{}", page.body));
    let path: String = page.body[start..]
        .chars()
        .take_while(|c| *c != '<' && *c != '"')
        .collect();
    let mut anonymous = WebClient::new(&service.url(""));
    let feed = anonymous.get(&path).await;
    assert_eq!(feed.status, StatusCode::OK, "{path}");
    assert!(feed.body.starts_with("BEGIN:VCALENDAR"), "{}", feed.body);
    assert!(feed.body.contains("Dana Whitfield"), "{}", feed.body);
    for wrong in [
        path.replacen("token=", "token=x", 1),
        "/calendar/metro.ics".to_owned(),
        path.replacen("metro.ics", "elsewhere.ics", 1),
    ] {
        assert_eq!(
            anonymous.get(&wrong).await.status,
            StatusCode::NOT_FOUND,
            "{wrong}"
        );
    }
    let (viewer, viewer_password) = VIEWER;
    let mut viewing = WebClient::new(&service.url(""));
    viewing.login(viewer, viewer_password).await;
    let coverage = viewing.get("/dashboard/coverage").await;
    assert!(
        !coverage.body.contains("token="),
        "viewers do not see calendar tokens"
    );
    service.stop().await;
}

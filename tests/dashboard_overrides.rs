//! Schedule overrides on the dashboard, through real HTTP to `handoff serve` and
//! texts through the fake Twilio-compatible provider: an admin takes a case manager
//! off duty and the next request is offered without them (and the "Now" page and
//! `handoff on-duty --database` say so); removing the override brings them back; a
//! form with a problem, or without the session's token, stores nothing.

use handoff_tests::cli::{program_file_of, run};
use handoff_tests::dashboard::{ADMIN, WebClient, dashboard_section, hidden};
use handoff_tests::database::on_every_database;
use handoff_tests::journey::{MONDAY, REQUEST};
use handoff_tests::service::{CHEN, DANA, LEE, PROGRAM, RIVERA, Service};
use reqwest::StatusCode;

const PAGE: &str = "/dashboard/overrides";

fn program() -> String {
    format!("{PROGRAM}{}", dashboard_section())
}

/// Dana off duty all of Monday 2026-11-23, site time.
fn dana_off(csrf: &str) -> Vec<(&'static str, String)> {
    vec![
        ("csrf", csrf.to_owned()),
        ("kind", "remove".to_owned()),
        ("person", "dana".to_owned()),
        ("covers", String::new()),
        ("role", String::new()),
        ("site", String::new()),
        ("from", "2026-11-23T00:00".to_owned()),
        ("to", "2026-11-24T00:00".to_owned()),
        ("note", "Dana at training".to_owned()),
    ]
}

async fn post(client: &mut WebClient, path: &str, form: &[(&str, String)]) -> StatusCode {
    let pairs: Vec<(&str, &str)> = form.iter().map(|(k, v)| (*k, v.as_str())).collect();
    client.post(path, &pairs, &[]).await.status
}

async fn admin(service: &Service) -> (WebClient, String) {
    let mut client = WebClient::new(&service.url(""));
    let (user, password) = ADMIN;
    assert_eq!(
        client.login(user, password).await.status,
        StatusCode::SEE_OTHER
    );
    let page = client.get(PAGE).await;
    assert_eq!(page.status, StatusCode::OK, "{}", page.body);
    let csrf = hidden(&page.body, "csrf");
    (client, csrf)
}

/// How many overrides the service keeps, removed ones included.
async fn kept(service: &Service) -> usize {
    service
        .running
        .engine
        .records()
        .overrides(true)
        .await
        .unwrap_or_else(|e| panic!("reading the overrides: {e}"))
        .len()
}

#[tokio::test]
async fn an_override_added_on_the_dashboard_routes_the_next_request_until_it_is_removed() {
    on_every_database(async |database| {
        let dir = tempfile::TempDir::new().unwrap_or_else(|e| panic!("{e}"));
        let url =
            database.unwrap_or_else(|| format!("sqlite://{}/handoff.db", dir.path().display()));
        let service = Service::start_with(&program(), MONDAY, Some(url.clone())).await;
        let (mut client, csrf) = admin(&service).await;

        let added = client
            .post(
                PAGE,
                &dana_off(&csrf)
                    .iter()
                    .map(|(k, v)| (*k, v.as_str()))
                    .collect::<Vec<_>>(),
                &[],
            )
            .await;
        assert_eq!(added.status, StatusCode::SEE_OTHER, "{}", added.body);
        assert_eq!(
            added.headers.get("location").and_then(|v| v.to_str().ok()),
            Some(PAGE)
        );

        let page = client.get(PAGE).await;
        assert!(
            page.body.contains("Dana Whitfield off duty"),
            "{}",
            page.body
        );
        assert!(page.body.contains("Dana at training"), "{}", page.body);
        assert!(page.body.contains("by ada"), "{}", page.body);
        assert!(page.body.contains("in force now"), "{}", page.body);
        let now = client.get("/dashboard").await;
        assert!(
            now.body.contains("Lee Ortiz (case manager)"),
            "{}",
            now.body
        );
        assert!(
            !now.body.contains("Dana Whitfield (case manager)"),
            "{}",
            now.body
        );

        service.text(RIVERA, REQUEST).await;
        assert!(service.texts_to(DANA).is_empty(), "Dana is off duty");
        assert!(service.last_text_to(LEE).contains("LEAD 1001"));

        // The command line sees it too, given the database.
        let config = program_file_of(dir.path(), &program());
        let on_duty = run(
            "on-duty",
            &config,
            &url,
            service.running.engine.now(),
            &["--json"],
        )
        .await;
        assert_eq!(on_duty.code, 0, "{}", on_duty.stderr);
        assert!(!on_duty.stdout.contains("\"dana\""), "{}", on_duty.stdout);
        assert!(on_duty.stdout.contains("\"lee\""), "{}", on_duty.stdout);

        let start = page
            .body
            .find("/dashboard/overrides/")
            .unwrap_or_else(|| panic!("no remove button:\n{}", page.body));
        let remove: String = page.body[start..]
            .chars()
            .take_while(|c| *c != '"')
            .collect();
        let removed = post(&mut client, &remove, &[("csrf", csrf.clone())]).await;
        assert_eq!(removed, StatusCode::SEE_OTHER);
        assert_eq!(
            post(&mut client, &remove, &[("csrf", csrf.clone())]).await,
            StatusCode::NOT_FOUND,
            "an override is removed once"
        );
        let page = client.get(PAGE).await;
        assert!(
            !page.body.contains("Dana Whitfield off duty"),
            "{}",
            page.body
        );

        service.text(CHEN, "LEAD Penn Ave & 9th, trespass").await;
        assert!(service.last_text_to(DANA).contains("LEAD 1002"));
        assert!(service.last_text_to(LEE).contains("LEAD 1002"));

        let all = service
            .running
            .engine
            .records()
            .overrides(true)
            .await
            .unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(all.len(), 1);
        assert_eq!(all[0].added_by, "ada");
        assert_eq!(
            all[0].removed.as_ref().map(|r| r.by.as_str()),
            Some("ada"),
            "who removed it is kept"
        );
        service.stop().await;
    })
    .await;
}

#[tokio::test]
async fn the_files_own_overrides_to_come_are_listed_read_only() {
    let file = "\n[[overrides]]\nkind = \"cover\"\nperson = \"lee\"\ncovers = \"dana\"\n\
                from = \"2026-11-30T08:00\"\nto = \"2026-12-01T08:00\"\nnote = \"Dana on leave\"\n\
                \n[[overrides]]\nkind = \"remove\"\nperson = \"sam\"\n\
                from = \"2026-11-01T08:00\"\nto = \"2026-11-02T08:00\"\nnote = \"long past\"\n";
    let service = Service::start_with(&format!("{}{file}", program()), MONDAY, None).await;
    let (mut client, _) = admin(&service).await;
    let page = client.get(PAGE).await;
    assert!(
        page.body.contains("Lee Ortiz covers Dana Whitfield"),
        "{}",
        page.body
    );
    assert!(
        page.body.contains("from the configuration file"),
        "{}",
        page.body
    );
    assert!(page.body.contains("to come"), "{}", page.body);
    assert!(
        !page.body.contains("/remove"),
        "no button removes it:\n{}",
        page.body
    );
    assert!(!page.body.contains("long past"), "{}", page.body);
    // The form offers only roles someone can be on duty in.
    assert!(
        page.body.contains(r#"option value="supervisor""#),
        "{}",
        page.body
    );
    assert!(
        !page.body.contains(r#"option value="center""#),
        "{}",
        page.body
    );
    service.stop().await;
}

#[tokio::test]
async fn a_form_with_a_problem_is_shown_again_with_it_and_stores_nothing() {
    let service = Service::start_with(&program(), MONDAY, None).await;
    let (mut client, csrf) = admin(&service).await;
    let with = |changes: &[(&'static str, &str)]| {
        dana_off(&csrf)
            .into_iter()
            .map(
                |(k, v)| match changes.iter().find(|(field, _)| *field == k) {
                    Some((_, value)) => (k, (*value).to_owned()),
                    None => (k, v),
                },
            )
            .collect::<Vec<_>>()
    };
    let long = "x".repeat(201);
    let rows = [
        (
            with(&[("to", "2026-11-22T00:00")]),
            "To: an override must end after it starts",
        ),
        (
            with(&[("from", "1999-11-23T00:00")]),
            "is outside the years 2000 to 2100",
        ),
        (with(&[("person", "nobody")]), "unknown person `nobody`"),
        (with(&[("note", &long)]), "at most 200 characters"),
        (
            with(&[("kind", "add"), ("role", "supervisor")]),
            "does not have the role supervisor",
        ),
        (with(&[("kind", "cover")]), "Covers: missing"),
    ];
    for (form, message) in rows {
        let pairs: Vec<(&str, &str)> = form.iter().map(|(k, v)| (*k, v.as_str())).collect();
        let page = client.post(PAGE, &pairs, &[]).await;
        assert_eq!(page.status, StatusCode::UNPROCESSABLE_ENTITY, "{form:?}");
        assert!(page.body.contains("Nothing was added"), "{}", page.body);
        assert!(page.body.contains(message), "{message}:\n{}", page.body);
    }
    assert_eq!(kept(&service).await, 0);
    service.stop().await;
}

#[tokio::test]
async fn a_post_without_the_sessions_token_or_from_another_site_is_refused_and_stores_nothing() {
    on_every_database(async |database| {
        let service = Service::start_with(&program(), MONDAY, database).await;
        let (mut client, csrf) = admin(&service).await;
        let mut without = dana_off(&csrf);
        without.retain(|(k, _)| *k != "csrf");
        assert_eq!(
            post(&mut client, PAGE, &without).await,
            StatusCode::FORBIDDEN
        );
        assert_eq!(
            post(&mut client, PAGE, &dana_off("a-guessed-token")).await,
            StatusCode::FORBIDDEN
        );
        let form = dana_off(&csrf);
        let pairs: Vec<(&str, &str)> = form.iter().map(|(k, v)| (*k, v.as_str())).collect();
        let cross_site = client
            .post(PAGE, &pairs, &[("origin", "https://evil.example")])
            .await;
        assert_eq!(cross_site.status, StatusCode::FORBIDDEN);
        assert_eq!(kept(&service).await, 0, "nothing was stored");

        // A removal needs the token as much.
        assert_eq!(post(&mut client, PAGE, &form).await, StatusCode::SEE_OTHER);
        let id = service
            .running
            .engine
            .records()
            .overrides(false)
            .await
            .unwrap_or_default()[0]
            .id;
        let remove = format!("{PAGE}/{id}/remove");
        assert_eq!(
            post(&mut client, &remove, &[("csrf", "wrong".to_owned())]).await,
            StatusCode::FORBIDDEN
        );
        let in_force = service
            .running
            .engine
            .records()
            .overrides(false)
            .await
            .unwrap_or_default();
        assert_eq!(in_force.len(), 1, "still in force");
        service.stop().await;
    })
    .await;
}

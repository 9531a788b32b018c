//! The dashboard in a real browser: headless Chromium against `handoff serve`
//! seeded with a few hundred hand-offs played through the conversation core. It
//! logs in through the form, opens every page, checks what each shows (figures,
//! labelled charts with units, tables), follows a hand-off's timeline, logs out,
//! and saves screenshots of the "is it working" and coverage pages, on a desktop
//! and a phone, under `target/browser-artifacts/dashboard/`.

use handoff_tests::browser::{Browser, Page, Viewport, artifacts_dir};
use handoff_tests::dashboard::{MANAGER, dashboard_section, seed};
use handoff_tests::service::{PROGRAM, Service};

/// A Monday morning; the seeded hand-offs run over the following weeks.
const START: &str = "2026-09-07T07:00:00-04:00";

async fn visit(page: &mut Page, url: &str) -> String {
    page.goto(url)
        .await
        .unwrap_or_else(|e| panic!("opening {url}: {e:#}"));
    assert_eq!(page.status(), Some(200), "{url}");
    page.text()
        .await
        .unwrap_or_else(|e| panic!("reading {url}: {e:#}"))
}

/// Every chart on the page has a title and axis labels that name their unit.
async fn charts_are_labelled(page: &Page, url: &str) {
    let labels = page
        .eval("Array.from(document.querySelectorAll('svg')).map(s => s.textContent).join('|')")
        .await
        .unwrap_or_else(|e| panic!("reading the charts of {url}: {e:#}"));
    let labels = labels.as_str().unwrap_or_default().to_owned();
    assert!(!labels.is_empty(), "{url} has no chart");
    assert!(
        labels.contains("(count)") || labels.contains("requests"),
        "{url}: {labels}"
    );
}

#[tokio::test]
async fn a_manager_logs_in_and_reads_every_page_in_a_browser() {
    let program = format!("{PROGRAM}{}", dashboard_section());
    let service = Service::start_with(&program, START, None).await;
    seed(&service, 200, 7).await;
    let shots = artifacts_dir(env!("CARGO_TARGET_TMPDIR"), "dashboard")
        .unwrap_or_else(|e| panic!("artifacts: {e:#}"));
    let browser = Browser::launch()
        .await
        .unwrap_or_else(|e| panic!("Chromium: {e:#}"));
    let mut page = browser
        .new_page()
        .await
        .unwrap_or_else(|e| panic!("a page: {e:#}"));
    let base = service.url("");

    let refused = {
        page.goto(&format!("{base}/dashboard/working"))
            .await
            .unwrap_or_else(|e| panic!("{e:#}"));
        page.status()
    };
    assert_eq!(refused, Some(401), "anonymous");

    visit(&mut page, &format!("{base}/login")).await;
    let (user, password) = MANAGER;
    page.fill("#user", user)
        .await
        .unwrap_or_else(|e| panic!("{e:#}"));
    page.fill("#password", password)
        .await
        .unwrap_or_else(|e| panic!("{e:#}"));
    page.click("button[type=submit]")
        .await
        .unwrap_or_else(|e| panic!("logging in: {e:#}"));
    let after = page.text().await.unwrap_or_default();
    assert_eq!(page.status(), Some(200), "after logging in:\n{after}");
    let now = page.text().await.unwrap_or_else(|e| panic!("{e:#}"));
    assert!(now.contains("Open hand-offs"), "{now}");
    assert!(now.contains("Metro"), "{now}");

    let from = "2026-09-07";
    let to = "2026-12-31";
    let working_url = format!("{base}/dashboard/working?from={from}&to={to}");
    let working = visit(&mut page, &working_url).await;
    for expected in [
        "requests",
        "became a completed hand-off",
        "median time to accept",
        "Lost diversions, by cause",
        "Per case manager",
        "Dana Whitfield",
        "Per agency",
        "Metro PD",
        "registered officers who asked",
    ] {
        assert!(
            working.contains(expected),
            "working page lacks {expected:?}:\n{working}"
        );
    }
    assert!(working.contains("200"), "200 requests seeded:\n{working}");
    charts_are_labelled(&page, &working_url).await;
    page.screenshot_png(shots.join("working.png"))
        .await
        .unwrap_or_else(|e| panic!("{e:#}"));

    let coverage_url = format!("{base}/dashboard/coverage?from={from}&to={to}");
    let coverage = visit(&mut page, &coverage_url).await;
    for expected in [
        "When officers asked",
        "Gaps in the schedule",
        "On-duty calendars",
    ] {
        assert!(
            coverage.contains(expected),
            "coverage page lacks {expected:?}:\n{coverage}"
        );
    }
    charts_are_labelled(&page, &coverage_url).await;
    page.screenshot_png(shots.join("coverage.png"))
        .await
        .unwrap_or_else(|e| panic!("{e:#}"));

    let staffing_url =
        format!("{base}/dashboard/staffing?from={from}&to={to}&blocks=sat+08:00-12:00");
    let staffing = visit(&mut page, &staffing_url).await;
    assert!(staffing.contains("staff-hours a week"), "{staffing}");
    assert!(
        staffing.contains("Sat"),
        "the typed block is ranked:\n{staffing}"
    );
    page.screenshot_png(shots.join("staffing.png"))
        .await
        .unwrap_or_else(|e| panic!("{e:#}"));

    let review = visit(&mut page, &format!("{base}/dashboard/review?since={from}")).await;
    assert!(review.contains("Capacity per case manager"), "{review}");
    assert!(review.contains("1001"), "{review}");

    let timeline = visit(&mut page, &format!("{base}/dashboard/handoffs/1001")).await;
    assert!(timeline.contains("requested"), "{timeline}");
    assert!(
        timeline.contains("request → accepted") || timeline.contains("Phases"),
        "{timeline}"
    );
    assert!(
        !timeline.contains("Main St"),
        "no location on a timeline:\n{timeline}"
    );

    page.set_viewport(Viewport::PHONE)
        .await
        .unwrap_or_else(|e| panic!("{e:#}"));
    visit(&mut page, &working_url).await;
    page.screenshot_png(shots.join("working-phone.png"))
        .await
        .unwrap_or_else(|e| panic!("{e:#}"));
    visit(&mut page, &coverage_url).await;
    page.screenshot_png(shots.join("coverage-phone.png"))
        .await
        .unwrap_or_else(|e| panic!("{e:#}"));
    page.set_viewport(Viewport::DESKTOP)
        .await
        .unwrap_or_else(|e| panic!("{e:#}"));

    visit(&mut page, &format!("{base}/dashboard")).await;
    page.click("header button[type=submit]")
        .await
        .unwrap_or_else(|e| panic!("logging out: {e:#}"));
    assert!(page.url().await.unwrap_or_default().ends_with("/login"));
    page.goto(&format!("{base}/dashboard"))
        .await
        .unwrap_or_else(|e| panic!("{e:#}"));
    assert_eq!(page.status(), Some(401), "logged out");
    eprintln!("screenshots in {}", shots.display());
    browser.close().await.unwrap_or_else(|e| panic!("{e:#}"));
    service.stop().await;
}

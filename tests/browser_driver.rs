//! The browser driver (`support::browser`) against a small site served here (see
//! `site.rs`): logging in through a form, cookies, statuses, scripts, screenshots,
//! errors and timeouts. What the dashboard's own browser journeys rely on is checked
//! here first.
//!
//! Run alone with `scripts/with-chromium cargo test -p handoff-tests --test browser_driver`
//! (add `-- --nocapture` to see where the screenshots went).

#[path = "browser_driver/site.rs"]
mod site;

use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use anyhow::{Context, ensure};
use handoff_tests::browser::{Browser, Viewport, artifacts_dir};
use serde_json::json;

/// Width and height of a PNG file, after checking it is one: the signature, an IHDR
/// chunk first and an IEND chunk last.
fn png_size(path: &Path) -> anyhow::Result<(u32, u32)> {
    let bytes = std::fs::read(path).with_context(|| format!("reading {}", path.display()))?;
    ensure!(
        bytes.len() > 33,
        "{} is too short for a PNG",
        path.display()
    );
    ensure!(
        bytes.starts_with(b"\x89PNG\r\n\x1a\n"),
        "{} has no PNG signature",
        path.display()
    );
    ensure!(
        &bytes[12..16] == b"IHDR",
        "{} does not start with IHDR",
        path.display()
    );
    ensure!(
        &bytes[bytes.len() - 8..bytes.len() - 4] == b"IEND",
        "{} does not end with IEND",
        path.display()
    );
    let number =
        |at: usize| u32::from_be_bytes([bytes[at], bytes[at + 1], bytes[at + 2], bytes[at + 3]]);
    Ok((number(16), number(20)))
}

fn screenshots(test: &str) -> anyhow::Result<PathBuf> {
    let dir = artifacts_dir(
        env!("CARGO_TARGET_TMPDIR"),
        &format!("browser_driver/{test}"),
    )?;
    eprintln!("screenshots of {test}: {}", dir.display());
    Ok(dir)
}

#[tokio::test]
async fn logging_in_through_the_form_sets_a_cookie_that_later_pages_send() -> anyhow::Result<()> {
    let base = site::start().await?;
    let shots = screenshots("logging_in")?;
    let browser = Browser::launch().await?;
    let mut page = browser.new_page().await?;

    page.goto(&format!("{base}/")).await?;
    assert_eq!(page.status(), Some(200));
    assert!(page.text().await?.contains("Log in"));
    page.fill("#name", "Ada").await?;
    page.fill("#password", "secret").await?;
    page.fill("#site", "south").await?;
    page.screenshot_png(shots.join("form.png")).await?;
    page.click("button[type=submit]").await?;

    // The 303 was followed: the status is the welcome page's.
    assert_eq!(page.url().await?, format!("{base}/welcome"));
    assert_eq!(page.status(), Some(200));
    let text = page.text().await?;
    assert!(text.contains("Welcome, Ada"), "{text}");
    assert!(text.contains("Site: south"), "{text}");
    // HttpOnly: the page's scripts cannot read it, yet the server got it.
    assert_eq!(page.eval("document.cookie").await?, json!(""));
    page.screenshot_png(shots.join("welcome.png")).await?;

    // The cookie lasts across navigations and tabs of one browser...
    page.goto(&format!("{base}/forbidden")).await?;
    page.goto(&format!("{base}/welcome")).await?;
    assert!(page.text().await?.contains("Welcome, Ada"));
    let mut tab = browser.new_page().await?;
    tab.goto(&format!("{base}/welcome")).await?;
    assert_eq!(tab.status(), Some(200));
    // ...but not into a private page.
    let mut private = browser.new_private_page().await?;
    private.goto(&format!("{base}/welcome")).await?;
    assert_eq!(private.status(), Some(401));
    assert!(private.text().await?.contains("Please log in."));

    browser.close().await
}

#[tokio::test]
async fn a_wrong_password_leaves_the_browser_on_the_401_answer() -> anyhow::Result<()> {
    let base = site::start().await?;
    let browser = Browser::launch().await?;
    let mut page = browser.new_page().await?;
    page.goto(&format!("{base}/")).await?;
    page.fill("#name", "Ada").await?;
    page.fill("#password", "guess").await?;
    page.click("button[type=submit]").await?;
    assert_eq!(page.url().await?, format!("{base}/login"));
    assert_eq!(page.status(), Some(401));
    assert!(page.text().await?.contains("Wrong name or password."));
    // Typing again replaces what a field held.
    page.goto(&format!("{base}/")).await?;
    page.fill("#name", "Someone else").await?;
    page.fill("#name", "Bo").await?;
    assert_eq!(
        page.eval("document.querySelector('#name').value").await?,
        json!("Bo")
    );
    Ok(())
}

#[tokio::test]
async fn a_forbidden_page_reports_403_and_shows_its_text() -> anyhow::Result<()> {
    let base = site::start().await?;
    let browser = Browser::launch().await?;
    let mut page = browser.new_page().await?;
    page.goto(&format!("{base}/forbidden")).await?;
    assert_eq!(page.status(), Some(403));
    assert_eq!(page.text().await?, "You may not see this page.");
    page.goto(&format!("{base}/")).await?;
    assert_eq!(page.status(), Some(200));
    Ok(())
}

#[tokio::test]
async fn an_error_answer_with_no_body_is_a_page_with_its_status() -> anyhow::Result<()> {
    let base = site::start().await?;
    let browser = Browser::launch().await?;
    let mut page = browser.new_page().await?;
    let bare = format!("{base}/bare-403");
    page.goto(&bare).await?;
    assert_eq!(page.status(), Some(403));
    assert_eq!(page.url().await?, bare);
    // Chromium's own words in place of the empty body.
    assert!(page.text().await?.contains("HTTP ERROR 403"));

    page.goto(&format!("{base}/to-bare-403")).await?;
    assert_eq!(page.status(), Some(200));
    page.click("#go").await?;
    assert_eq!(page.status(), Some(403));
    assert_eq!(page.url().await?, bare);
    Ok(())
}

#[tokio::test]
async fn scripts_give_json_await_promises_and_report_what_they_throw() -> anyhow::Result<()> {
    let base = site::start().await?;
    let browser = Browser::launch().await?;
    let mut page = browser.new_page().await?;
    page.goto(&format!("{base}/")).await?;

    assert_eq!(page.eval("6 * 7").await?, json!(42));
    assert_eq!(
        page.eval("({ title: document.title, list: [1, 'b', null] })")
            .await?,
        json!({ "title": "Log in", "list": [1, "b", null] })
    );
    assert_eq!(page.eval("undefined").await?, json!(null));
    assert_eq!(
        page.eval("new Promise((done) => setTimeout(() => done('later'), 50))")
            .await?,
        json!("later")
    );

    let thrown = page.eval("throw new Error('boom')").await.unwrap_err();
    assert!(format!("{thrown:#}").contains("boom"), "{thrown:#}");
    let rejected = page
        .eval("Promise.reject(new TypeError('late'))")
        .await
        .unwrap_err();
    assert!(
        format!("{rejected:#}").contains("TypeError: late"),
        "{rejected:#}"
    );
    let broken = page.eval("1 +").await.unwrap_err();
    assert!(format!("{broken:#}").contains("SyntaxError"), "{broken:#}");
    // A failed script leaves the page usable.
    assert_eq!(page.eval("1").await?, json!(1));
    Ok(())
}

#[tokio::test]
async fn screenshots_are_pngs_as_wide_as_the_viewport_and_as_long_as_the_page() -> anyhow::Result<()>
{
    let base = site::start().await?;
    let shots = screenshots("screenshots")?;
    let browser = Browser::launch().await?;
    let mut page = browser.new_page().await?;
    assert_eq!(page.viewport(), Viewport::DESKTOP);

    page.goto(&format!("{base}/")).await?;
    page.screenshot_png(shots.join("desktop.png")).await?;
    assert_eq!(png_size(&shots.join("desktop.png"))?, (1280, 900));

    page.goto(&format!("{base}/long")).await?;
    page.screenshot_png(shots.join("desktop-long.png")).await?;
    let (width, height) = png_size(&shots.join("desktop-long.png"))?;
    assert_eq!(width, 1280);
    assert!(
        height > 3000,
        "the whole page is in the shot, not {height} px of it"
    );

    page.set_viewport(Viewport::PHONE).await?;
    page.goto(&format!("{base}/")).await?;
    assert_eq!(page.eval("innerWidth").await?, json!(390));
    page.screenshot_png(shots.join("phone.png")).await?;
    assert_eq!(png_size(&shots.join("phone.png"))?, (390, 844));
    // A phone's touch screen still takes the clicks.
    page.fill("#name", "Ada").await?;
    page.fill("#password", "secret").await?;
    page.click("button[type=submit]").await?;
    assert!(page.text().await?.contains("Welcome, Ada"));
    page.screenshot_png(shots.join("phone-welcome.png")).await?;
    assert_eq!(png_size(&shots.join("phone-welcome.png"))?.0, 390);

    page.goto(&format!("{base}/plain")).await?;
    assert_eq!(page.eval("innerWidth").await?, json!(980));
    page.screenshot_png(shots.join("phone-plain.png")).await?;
    let (width, height) = png_size(&shots.join("phone-plain.png"))?;
    assert_eq!(width, 390);
    assert!(
        height > 1500,
        "the whole page, shrunk as on the phone: {height}"
    );
    Ok(())
}

#[tokio::test]
async fn a_click_that_opens_no_page_fails_within_the_timeout() -> anyhow::Result<()> {
    let base = site::start().await?;
    let browser = Browser::launch().await?;
    let mut page = browser.new_page().await?;
    page.goto(&format!("{base}/stay")).await?;
    page.set_timeout(Duration::from_secs(2));
    let started = Instant::now();
    let error = page.click("#stay").await.unwrap_err();
    assert!(
        started.elapsed() < Duration::from_secs(5),
        "{:?}",
        started.elapsed()
    );
    assert!(
        format!("{error:#}").contains("timed out after 2 s waiting for the click on #stay"),
        "{error:#}"
    );
    // The click itself happened.
    assert_eq!(
        page.eval("document.querySelector('#stay').textContent")
            .await?,
        json!("clicked")
    );
    Ok(())
}

#[tokio::test]
async fn what_a_person_could_not_click_or_type_into_is_an_error_naming_it() -> anyhow::Result<()> {
    let base = site::start().await?;
    let browser = Browser::launch().await?;
    let mut page = browser.new_page().await?;
    page.goto(&format!("{base}/stay")).await?;
    let missing = page.click("#nowhere").await.unwrap_err();
    assert!(
        format!("{missing:#}").contains("nothing matches #nowhere"),
        "{missing:#}"
    );
    let hidden = page.click("#hidden").await.unwrap_err();
    assert!(
        format!("{hidden:#}").contains("#hidden is not visible"),
        "{hidden:#}"
    );
    let button = page.fill("#stay", "words").await.unwrap_err();
    assert!(
        format!("{button:#}").contains("#stay is not a field"),
        "{button:#}"
    );
    page.goto(&format!("{base}/")).await?;
    let option = page.fill("#site", "east").await.unwrap_err();
    assert!(
        format!("{option:#}").contains("#site has no option of value east"),
        "{option:#}"
    );
    Ok(())
}

#[tokio::test]
async fn an_address_nobody_answers_is_an_error_naming_it() -> anyhow::Result<()> {
    // A port bound and closed again: nothing listens there.
    let closed = std::net::TcpListener::bind("127.0.0.1:0")?.local_addr()?;
    let browser = Browser::launch().await?;
    let mut page = browser.new_page().await?;
    let url = format!("http://{closed}/");
    let error = page.goto(&url).await.unwrap_err();
    assert!(
        format!("{error:#}").contains(&format!("opening {url}: net::ERR_CONNECTION_REFUSED")),
        "{error:#}"
    );

    // The same by a click on a link there.
    page.goto("about:blank").await?;
    let link = format!("<a id=dead href='{url}'>dead</a>");
    page.eval(&format!("document.body.innerHTML = {}", json!(link)))
        .await?;
    let error = page.click("#dead").await.unwrap_err();
    let message = format!("{error:#}");
    assert!(
        message.contains(&format!(
            "the click on #dead led to {url}, which did not answer"
        )),
        "{message}"
    );
    Ok(())
}

#[tokio::test]
async fn a_missing_chromium_is_an_error_saying_how_to_run_the_tests() {
    let error = Browser::launch_at(Path::new("/nonexistent/chromium"))
        .await
        .err()
        .unwrap();
    let message = format!("{error:#}");
    assert!(
        message.contains("no Chromium at /nonexistent/chromium"),
        "{message}"
    );
    assert!(message.contains("scripts/test"), "{message}");
}

/// Processes of group `group` that have not exited (zombies have).
fn live_processes_of_group(group: u32) -> Vec<u32> {
    let mut live = Vec::new();
    for entry in std::fs::read_dir("/proc").into_iter().flatten().flatten() {
        let Some(pid) = entry
            .file_name()
            .to_str()
            .and_then(|name| name.parse::<u32>().ok())
        else {
            continue;
        };
        let Ok(stat) = std::fs::read_to_string(entry.path().join("stat")) else {
            continue;
        };
        // After the command's closing parenthesis: state, parent, group, ...
        let fields: Vec<&str> = stat
            .rsplit_once(')')
            .map_or("", |(_, rest)| rest)
            .split_whitespace()
            .collect();
        if fields.get(2) == Some(&group.to_string().as_str()) && fields.first() != Some(&"Z") {
            live.push(pid);
        }
    }
    live
}

#[tokio::test]
async fn dropping_the_browser_ends_its_processes_and_removes_its_profile() -> anyhow::Result<()> {
    let base = site::start().await?;
    let browser = Browser::launch().await?;
    let mut page = browser.new_page().await?;
    page.goto(&format!("{base}/")).await?;
    let group = browser
        .process_id()
        .context("Chromium has exited already")?;
    let before = live_processes_of_group(group);
    assert!(before.len() > 1, "Chromium and its renderers: {before:?}");

    let profile = browser.profile_dir().to_owned();
    assert!(profile.join("chromium.log").is_file());

    drop(page);
    drop(browser);
    assert!(!profile.exists(), "{} is left behind", profile.display());
    let deadline = Instant::now() + Duration::from_secs(5);
    loop {
        let left = live_processes_of_group(group);
        if left.is_empty() {
            return Ok(());
        }
        assert!(
            Instant::now() < deadline,
            "still running 5 s after the drop: {left:?}"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

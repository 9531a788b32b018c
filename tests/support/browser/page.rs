//! One tab: navigating, reading, typing, clicking and screenshots, each bounded by
//! the page's timeout. How a navigation is seen to end is in `navigation`.

mod navigation;

use std::collections::HashMap;
use std::path::Path;
use std::sync::Arc;
use std::time::Duration;

use anyhow::{Context, anyhow, bail};
use base64::Engine;
use serde_json::{Value, json};
use tokio::sync::mpsc;
use tokio::time::Instant;

use super::connection::{Connection, Event};
use super::scripts::{CLICK_POINT, FOCUS_FIELD, js_string};
use navigation::Answer;

/// How long any one step (a navigation, a script, a screenshot) may take by default.
/// A page of the service loads in well under a second here; the margin is for a CI
/// machine whose two cores are compiling, and a failing step still reports quickly.
const DEFAULT_TIMEOUT: Duration = Duration::from_secs(15);

/// The size of the screen the page is shown on, in pixels of a screen with one
/// pixel per CSS pixel: a screenshot is `width` pixels wide.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Viewport {
    pub width: u32,
    pub height: u32,
    /// A phone: touch input, and pages laid out as on a mobile browser.
    pub mobile: bool,
}

impl Viewport {
    /// A laptop's window; every page starts with it.
    pub const DESKTOP: Viewport = Viewport {
        width: 1280,
        height: 900,
        mobile: false,
    };
    /// A current phone held upright.
    pub const PHONE: Viewport = Viewport {
        width: 390,
        height: 844,
        mobile: true,
    };
}

/// A tab of a [`super::Browser`]. Its methods take `&mut self` where they read the
/// page's events.
pub struct Page {
    connection: Arc<Connection>,
    session: String,
    events: mpsc::UnboundedReceiver<Event>,
    main_frame: String,
    /// Each main-frame document answer seen, by loader, until the navigation it
    /// belongs to is over.
    answers: HashMap<String, Answer>,
    /// The answer of the document the last navigation opened.
    answer: Option<Answer>,
    viewport: Viewport,
    timeout: Duration,
}

impl Page {
    /// Creates a tab (in browser context `context`, or the default one), attaches
    /// to it and turns on the events navigation waits for.
    pub(in crate::browser) async fn open(
        connection: Arc<Connection>,
        context: Option<String>,
    ) -> anyhow::Result<Page> {
        let mut params = json!({ "url": "about:blank" });
        if let Some(context) = context {
            params["browserContextId"] = json!(context);
        }
        let reply = connection
            .call(None, "Target.createTarget", params, DEFAULT_TIMEOUT)
            .await?;
        let target = string_at(&reply, "/targetId")?.to_owned();
        let reply = connection
            .call(
                None,
                "Target.attachToTarget",
                json!({ "targetId": target, "flatten": true }),
                DEFAULT_TIMEOUT,
            )
            .await?;
        let session = string_at(&reply, "/sessionId")?.to_owned();
        let events = connection.subscribe(&session);
        let mut page = Page {
            connection,
            session,
            events,
            main_frame: String::new(),
            answers: HashMap::new(),
            answer: None,
            viewport: Viewport::DESKTOP,
            timeout: DEFAULT_TIMEOUT,
        };
        page.call("Page.enable", json!({})).await?;
        page.call("Page.setLifecycleEventsEnabled", json!({ "enabled": true }))
            .await?;
        page.call("Network.enable", json!({})).await?;
        let tree = page.call("Page.getFrameTree", json!({})).await?;
        page.main_frame = string_at(&tree, "/frameTree/frame/id")?.to_owned();
        page.set_viewport(Viewport::DESKTOP).await?;
        Ok(page)
    }

    /// How long each later step may take (default 15 s).
    pub fn set_timeout(&mut self, timeout: Duration) {
        self.timeout = timeout;
    }

    pub fn viewport(&self) -> Viewport {
        self.viewport
    }

    /// Lays the page out in `viewport` from now on (the current document too).
    pub async fn set_viewport(&mut self, viewport: Viewport) -> anyhow::Result<()> {
        self.call(
            "Emulation.setDeviceMetricsOverride",
            json!({
                "width": viewport.width,
                "height": viewport.height,
                "deviceScaleFactor": 1,
                "mobile": viewport.mobile,
            }),
        )
        .await?;
        self.call(
            "Emulation.setTouchEmulationEnabled",
            json!({ "enabled": viewport.mobile }),
        )
        .await?;
        self.viewport = viewport;
        Ok(())
    }

    /// Opens `url` and waits for its load event. An HTTP error status is not an
    /// error here (see [`Page::status`]); no answer at all is.
    pub async fn goto(&mut self, url: &str) -> anyhow::Result<()> {
        self.drain()?;
        let deadline = Instant::now() + self.timeout;
        let reply = self
            .call("Page.navigate", json!({ "url": url }))
            .await
            .with_context(|| format!("opening {url}"))?;
        // Chromium reports the answer before the navigation's outcome.
        self.drain()?;
        let loader = reply.get("loaderId").and_then(Value::as_str);
        if let Some(error) = reply.get("errorText").and_then(Value::as_str)
            && !error.is_empty()
            && !loader.is_some_and(|loader| self.answers.contains_key(loader))
        {
            bail!("opening {url}: {error}");
        }
        // No loader: a move within the document (`#fragment`), nothing to load.
        let Some(loader) = loader else {
            return Ok(());
        };
        self.wait_for_load(loader, deadline, &format!("{url} to load"))
            .await
    }

    /// Clicks the middle of the first element matching `selector` with the mouse,
    /// as a person would (so it must be visible and not covered), and waits until
    /// the document the click leads to has loaded: following a link, submitting a
    /// form, and any redirects after. A click that leads nowhere is an error once the
    /// page's timeout has passed.
    pub async fn click(&mut self, selector: &str) -> anyhow::Result<()> {
        self.drain()?;
        let deadline = Instant::now() + self.timeout;
        self.press(selector).await?;
        let waiting_for = format!("the click on {selector} to open a page");
        let loader = loop {
            let event = self.next_event(deadline, &waiting_for).await?;
            if event.method != "Page.frameNavigated" {
                continue;
            }
            let frame = &event.params["frame"];
            if frame["id"] != self.main_frame.as_str() {
                continue;
            }
            let loader = string_at(frame, "/loaderId")?;
            if let Some(url) = frame.get("unreachableUrl").and_then(Value::as_str)
                && !self.answers.contains_key(loader)
            {
                bail!("the click on {selector} led to {url}, which did not answer");
            }
            break loader.to_owned();
        };
        self.wait_for_load(&loader, deadline, &waiting_for).await
    }

    /// Types `value` into the field matching `selector` (an input or a text area),
    /// replacing what it held; for a `<select>`, picks the option of that value.
    pub async fn fill(&self, selector: &str, value: &str) -> anyhow::Result<()> {
        let script = format!(
            "({FOCUS_FIELD})({}, {})",
            js_string(selector)?,
            js_string(value)?
        );
        let typing = self
            .eval(&script)
            .await
            .with_context(|| format!("filling {selector}"))?;
        if typing == Value::Bool(true) && !value.is_empty() {
            // Typed as a keyboard would, firing the page's input events.
            self.call("Input.insertText", json!({ "text": value }))
                .await
                .with_context(|| format!("typing into {selector}"))?;
        }
        Ok(())
    }

    /// Runs `script` as an expression in the page and returns its value as JSON,
    /// awaiting it if it is a promise (`undefined` is `null`). An exception thrown,
    /// or a promise rejected, is an error carrying its message.
    pub async fn eval(&self, script: &str) -> anyhow::Result<Value> {
        let reply = self
            .call(
                "Runtime.evaluate",
                json!({
                    "expression": script,
                    "awaitPromise": true,
                    "returnByValue": true,
                    "userGesture": true,
                }),
            )
            .await?;
        if let Some(details) = reply.get("exceptionDetails") {
            let exception = &details["exception"];
            let message = exception["description"]
                .as_str()
                .map(str::to_owned)
                .or_else(|| exception.get("value").map(Value::to_string))
                .or_else(|| details["text"].as_str().map(str::to_owned))
                .unwrap_or_else(|| details.to_string());
            bail!("the page's script threw: {message}");
        }
        Ok(reply["result"].get("value").cloned().unwrap_or(Value::Null))
    }

    /// The text of the document's body as it reads on screen (`innerText`).
    pub async fn text(&self) -> anyhow::Result<String> {
        self.eval_string("document.body ? document.body.innerText : ''")
            .await
    }

    /// The address of the current document, after any redirects. For the page
    /// Chromium shows in place of an error answer with no body, the address that
    /// answered.
    pub async fn url(&self) -> anyhow::Result<String> {
        let url = self.eval_string("location.href").await?;
        match &self.answer {
            Some(answer) if url.starts_with("chrome-error:") => Ok(answer.url.clone()),
            _ => Ok(url),
        }
    }

    /// The HTTP status of the document [`Page::goto`] or [`Page::click`] last opened
    /// (after redirects, the last response's); `None` before any, or when the
    /// document came from no HTTP response (`about:blank`, `data:`).
    pub fn status(&self) -> Option<u16> {
        self.answer.as_ref().map(|answer| answer.status)
    }

    /// Saves a PNG of the whole page as the viewport shows it: as wide as the
    /// viewport, as tall as the page's content (at least the viewport). A phone shows
    /// a page without `<meta name=viewport>` laid out wider and shrunk to fit, and so
    /// does the shot. Creates the file's directory if needed.
    pub async fn screenshot_png(&self, path: impl AsRef<Path>) -> anyhow::Result<()> {
        let path = path.as_ref();
        let metrics = self.call("Page.getLayoutMetrics", json!({})).await?;
        let number = |pointer: &str| {
            metrics
                .pointer(pointer)
                .and_then(Value::as_f64)
                .filter(|number| number.is_finite() && *number > 0.0)
        };
        let viewport_width = f64::from(self.viewport.width);
        // In CSS pixels, which `scale` turns into the screenshot's.
        let layout_width = number("/cssLayoutViewport/clientWidth").unwrap_or(viewport_width);
        let scale = viewport_width / layout_width;
        let height = number("/cssContentSize/height")
            .unwrap_or(0.0)
            .max(f64::from(self.viewport.height) / scale);
        let reply = self
            .call(
                "Page.captureScreenshot",
                json!({
                    "format": "png",
                    "captureBeyondViewport": true,
                    "clip": { "x": 0, "y": 0, "width": layout_width, "height": height, "scale": scale },
                }),
            )
            .await
            .with_context(|| format!("taking a screenshot for {}", path.display()))?;
        let png = base64::engine::general_purpose::STANDARD
            .decode(string_at(&reply, "/data")?)
            .context("Page.captureScreenshot: data is not base64")?;
        if let Some(dir) = path.parent() {
            std::fs::create_dir_all(dir).with_context(|| format!("creating {}", dir.display()))?;
        }
        std::fs::write(path, png).with_context(|| format!("writing {}", path.display()))
    }

    async fn call(&self, method: &str, params: Value) -> anyhow::Result<Value> {
        self.connection
            .call(Some(&self.session), method, params, self.timeout)
            .await
    }

    async fn eval_string(&self, script: &str) -> anyhow::Result<String> {
        match self.eval(script).await? {
            Value::String(text) => Ok(text),
            other => Err(anyhow!("{script} gave {other}, not a string")),
        }
    }

    /// A left click, pressed and released, in the middle of `selector`.
    async fn press(&self, selector: &str) -> anyhow::Result<()> {
        let point = self
            .eval(&format!("({CLICK_POINT})({})", js_string(selector)?))
            .await
            .with_context(|| format!("clicking {selector}"))?;
        let (Some(x), Some(y)) = (point["x"].as_f64(), point["y"].as_f64()) else {
            bail!("clicking {selector}: no point to click in {point}");
        };
        for kind in ["mouseMoved", "mousePressed", "mouseReleased"] {
            let button = if kind == "mouseMoved" { "none" } else { "left" };
            self.call(
                "Input.dispatchMouseEvent",
                json!({ "type": kind, "x": x, "y": y, "button": button, "clickCount": 1 }),
            )
            .await
            .with_context(|| format!("clicking {selector}"))?;
        }
        Ok(())
    }
}

/// The string at JSON `pointer` in a reply, or an error naming what is missing.
fn string_at<'a>(reply: &'a Value, pointer: &str) -> anyhow::Result<&'a str> {
    reply
        .pointer(pointer)
        .and_then(Value::as_str)
        .ok_or_else(|| anyhow!("no {pointer} in Chromium's reply {reply}"))
}

//! How a page knows a navigation is over and what it answered, from its events,
//! read in order.
//!
//! A navigation is over at the `load` lifecycle event of its document, told apart
//! from other documents' by the loader ID Chromium gives each navigation. The status
//! of a document is that of the main-frame response `Network.responseReceived`
//! reports for its loader (after redirects: the last response). A navigation that
//! got an HTTP answer opens a page whatever its status: Chromium reports an error
//! status with an empty body as a failed navigation (`ERR_HTTP_RESPONSE_CODE_FAILURE`)
//! and shows a page of its own, but for a test that is the server's answer.

use anyhow::{anyhow, bail};
use serde_json::Value;
use tokio::sync::mpsc;
use tokio::time::Instant;

use super::Page;
use crate::browser::connection::Event;

/// The HTTP answer that a document came from.
#[derive(Debug, Clone)]
pub(super) struct Answer {
    pub(super) status: u16,
    pub(super) url: String,
}

impl Page {
    /// Takes in the events that have arrived, so that a wait starting now sees only
    /// what follows.
    pub(super) fn drain(&mut self) -> anyhow::Result<()> {
        loop {
            match self.events.try_recv() {
                Ok(event) => self.observe(&event),
                Err(mpsc::error::TryRecvError::Empty) => return Ok(()),
                Err(mpsc::error::TryRecvError::Disconnected) => {
                    bail!("{}", self.connection.closed_reason())
                }
            }
        }
    }

    pub(super) async fn next_event(
        &mut self,
        deadline: Instant,
        waiting_for: &str,
    ) -> anyhow::Result<Event> {
        match tokio::time::timeout_at(deadline, self.events.recv()).await {
            Err(_) => Err(anyhow!(
                "timed out after {} s waiting for {waiting_for}",
                self.timeout.as_secs_f32()
            )),
            Ok(None) => Err(anyhow!(
                "waiting for {waiting_for}: {}",
                self.connection.closed_reason()
            )),
            Ok(Some(event)) => {
                self.observe(&event);
                Ok(event)
            }
        }
    }

    /// Waits for the main frame's `load` of the document of `loader`.
    pub(super) async fn wait_for_load(
        &mut self,
        loader: &str,
        deadline: Instant,
        waiting_for: &str,
    ) -> anyhow::Result<()> {
        loop {
            let event = self.next_event(deadline, waiting_for).await?;
            let params = &event.params;
            if event.method == "Page.lifecycleEvent"
                && params["name"] == "load"
                && params["frameId"] == self.main_frame.as_str()
                && params["loaderId"] == loader
            {
                break;
            }
        }
        self.answer = self.answers.remove(loader);
        self.answers.clear();
        Ok(())
    }

    /// Notes each main-frame document answer. The first for a loader is the
    /// server's: Chromium's own error page may load more under the same loader.
    fn observe(&mut self, event: &Event) {
        let params = &event.params;
        if event.method == "Network.responseReceived"
            && params["type"] == "Document"
            && params["frameId"] == self.main_frame.as_str()
            && let (Some(loader), Some(status), Some(url)) = (
                params["loaderId"].as_str(),
                params
                    .pointer("/response/status")
                    .and_then(Value::as_u64)
                    .and_then(|status| u16::try_from(status).ok()),
                params.pointer("/response/url").and_then(Value::as_str),
            )
        {
            let url = url.to_owned();
            self.answers
                .entry(loader.to_owned())
                .or_insert(Answer { status, url });
        }
    }
}

//! A fast fake Twilio-compatible provider on loopback: it accepts every
//! `POST /2010-04-01/Accounts/{sid}/Messages.json` with a 201 and Twilio's JSON, and
//! records when each text arrived (on the monotonic and the wall clock), to whom,
//! and its body. It checks nothing (the end-to-end tests' fake does that); here it
//! only has to be cheap, so that what is timed is handoff, not the provider.

use std::net::SocketAddr;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, PoisonError};
use std::time::{Duration, Instant};

use anyhow::Context;
use axum::Router;
use axum::body::Bytes;
use axum::http::StatusCode;
use axum::response::IntoResponse;
use axum::routing::post;
use axum::serve::ListenerExt;
use chrono::{DateTime, Utc};
use handoff_dispatcher::{Clock, SystemClock};
use tokio::sync::Notify;
use tokio::task::JoinHandle;

/// One text the provider accepted.
#[derive(Debug, Clone)]
pub struct Arrival {
    pub at: Instant,
    /// The same moment on the wall clock, to compare with instants the service
    /// recorded (a timer's due time).
    pub wall: DateTime<Utc>,
    pub to: String,
    pub body: String,
}

#[derive(Default)]
struct Shared {
    arrivals: Mutex<Vec<Arrival>>,
    /// Wakes waiters on every arrival.
    arrived: Notify,
    next_sid: AtomicU64,
}

/// A running fake provider; dropping it stops the server.
pub struct Provider {
    addr: SocketAddr,
    shared: Arc<Shared>,
    server: JoinHandle<()>,
}

impl Drop for Provider {
    fn drop(&mut self) {
        self.server.abort();
    }
}

impl Provider {
    pub async fn start() -> anyhow::Result<Provider> {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
            .await
            .context("the fake provider cannot listen on loopback")?;
        let addr = listener
            .local_addr()
            .context("the fake provider's address")?;
        let shared = Arc::new(Shared::default());
        let state = shared.clone();
        let app = Router::new().route(
            "/2010-04-01/Accounts/{sid}/Messages.json",
            post(move |body: Bytes| accept(state.clone(), body)),
        );
        // Without TCP_NODELAY a small response can sit in Nagle's buffer waiting for
        // the client's delayed ACK (up to 40 ms on Linux), which would be timed as
        // handoff's.
        let listener = listener.tap_io(|tcp| {
            let _ = tcp.set_nodelay(true);
        });
        let server = tokio::spawn(async move {
            if let Err(e) = axum::serve(listener, app).await {
                eprintln!("the fake provider stopped: {e}");
            }
        });
        Ok(Provider {
            addr,
            shared,
            server,
        })
    }

    /// The `api_base` to configure.
    pub fn base_url(&self) -> String {
        format!("http://{}", self.addr)
    }

    pub fn count(&self) -> usize {
        self.arrivals().len()
    }

    /// The texts that arrived from index `from` on.
    pub fn since(&self, from: usize) -> Vec<Arrival> {
        self.arrivals().iter().skip(from).cloned().collect()
    }

    fn arrivals(&self) -> std::sync::MutexGuard<'_, Vec<Arrival>> {
        self.shared
            .arrivals
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
    }

    /// The first arrival from index `from` on that `matches`, waiting at most
    /// `timeout` for it.
    pub async fn wait_for(
        &self,
        from: usize,
        timeout: Duration,
        matches: impl Fn(&Arrival) -> bool,
    ) -> Option<Arrival> {
        let deadline = tokio::time::Instant::now() + timeout;
        loop {
            // Registered before looking, so an arrival between the look and the wait
            // still wakes us.
            let notified = self.shared.arrived.notified();
            tokio::pin!(notified);
            notified.as_mut().enable();
            if let Some(found) = self.arrivals().iter().skip(from).find(|a| matches(a)) {
                return Some(found.clone());
            }
            if tokio::time::timeout_at(deadline, notified).await.is_err() {
                return None;
            }
        }
    }

    /// Waits (at most `timeout`) until `n` texts arrived in all; returns how many did.
    pub async fn wait_for_count(&self, n: usize, timeout: Duration) -> usize {
        let deadline = tokio::time::Instant::now() + timeout;
        loop {
            let notified = self.shared.arrived.notified();
            tokio::pin!(notified);
            notified.as_mut().enable();
            let count = self.count();
            if count >= n || tokio::time::timeout_at(deadline, notified).await.is_err() {
                return self.count();
            }
        }
    }
}

async fn accept(shared: Arc<Shared>, body: Bytes) -> impl IntoResponse {
    let at = Instant::now();
    let wall = SystemClock.now();
    let (mut to, mut text) = (String::new(), String::new());
    for (name, value) in form_urlencoded::parse(&body) {
        match name.as_ref() {
            "To" => to = value.into_owned(),
            "Body" => text = value.into_owned(),
            _ => {}
        }
    }
    let n = shared.next_sid.fetch_add(1, Ordering::Relaxed);
    let sid = format!("SM{n:032x}");
    shared
        .arrivals
        .lock()
        .unwrap_or_else(PoisonError::into_inner)
        .push(Arrival {
            at,
            wall,
            to,
            body: text,
        });
    shared.arrived.notify_waiters();
    (
        StatusCode::CREATED,
        axum::Json(serde_json::json!({ "sid": sid, "status": "queued" })),
    )
}

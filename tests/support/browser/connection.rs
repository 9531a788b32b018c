//! The DevTools pipe to one Chromium: commands out, replies and events in.
//!
//! Chromium started with `--remote-debugging-pipe` reads commands from its file
//! descriptor 3 and writes replies and events to descriptor 4, each one JSON object
//! followed by a NUL byte. A command carries an `id` and, for a page, the `sessionId`
//! of that page's attachment; its reply carries the same `id`. Events carry a
//! `method` and, for a page, its `sessionId`. One task reads the pipe and hands each
//! reply to the call waiting for it and each event to its page's queue.

use std::collections::HashMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};
use std::time::Duration;

use anyhow::{Context, anyhow, bail};
use serde_json::{Value, json};
use tokio::io::{AsyncBufReadExt, AsyncRead, AsyncWrite, AsyncWriteExt, BufReader};
use tokio::sync::{mpsc, oneshot};

/// An event for one page, e.g. `Page.lifecycleEvent` with its `params`.
#[derive(Debug)]
pub(crate) struct Event {
    pub(crate) method: String,
    pub(crate) params: Value,
}

type Reply = Result<Value, String>;

/// Where the reading task sends what it reads.
#[derive(Default)]
struct Routes {
    replies: HashMap<u64, oneshot::Sender<Reply>>,
    sessions: HashMap<String, mpsc::UnboundedSender<Event>>,
    /// Why the pipe ended, once it has: later calls fail at once with it.
    closed: Option<String>,
}

/// Shared between the pages of one browser and the task reading its pipe.
pub(crate) struct Connection {
    writer: tokio::sync::Mutex<Box<dyn AsyncWrite + Send + Unpin>>,
    next_id: AtomicU64,
    routes: Arc<Mutex<Routes>>,
}

/// The routing table. A panic while it is held cannot leave it half-changed (every
/// change is one map operation), so a poisoned lock is used as it is.
fn lock(routes: &Mutex<Routes>) -> MutexGuard<'_, Routes> {
    routes.lock().unwrap_or_else(PoisonError::into_inner)
}

impl Connection {
    /// Starts the task that reads `from` (Chromium's descriptor 4); commands go to
    /// `to` (its descriptor 3).
    pub(crate) fn start(
        to: impl AsyncWrite + Send + Unpin + 'static,
        from: impl AsyncRead + Send + Unpin + 'static,
    ) -> Connection {
        let routes = Arc::new(Mutex::new(Routes::default()));
        tokio::spawn(read_pipe(BufReader::new(from), Arc::clone(&routes)));
        Connection {
            writer: tokio::sync::Mutex::new(Box::new(to)),
            next_id: AtomicU64::new(1),
            routes,
        }
    }

    /// Sends `method` with `params` (to the page attached as `session`, or to the
    /// browser itself) and returns the reply's `result`. A protocol error, a pipe
    /// that closes, or no reply within `timeout` is an error naming the method.
    pub(crate) async fn call(
        &self,
        session: Option<&str>,
        method: &str,
        params: Value,
        timeout: Duration,
    ) -> anyhow::Result<Value> {
        let id = self.next_id.fetch_add(1, Ordering::Relaxed);
        let (sender, receiver) = oneshot::channel();
        {
            let mut routes = lock(&self.routes);
            if let Some(why) = &routes.closed {
                bail!("{method}: {why}");
            }
            routes.replies.insert(id, sender);
        }
        let mut message = json!({ "id": id, "method": method, "params": params });
        if let Some(session) = session {
            message["sessionId"] = json!(session);
        }
        let mut bytes = serde_json::to_vec(&message).context("encoding a DevTools command")?;
        bytes.push(0);

        let exchange = async {
            let mut writer = self.writer.lock().await;
            writer.write_all(&bytes).await?;
            writer.flush().await?;
            drop(writer);
            anyhow::Ok(receiver.await)
        };
        let outcome = tokio::time::timeout(timeout, exchange).await;
        // Whatever happened, this call no longer waits for its reply.
        lock(&self.routes).replies.remove(&id);
        match outcome {
            Err(_) => Err(anyhow!(
                "Chromium did not answer {method} within {} s",
                timeout.as_secs_f32()
            )),
            Ok(Err(e)) => Err(e).with_context(|| format!("{method}: writing to Chromium")),
            Ok(Ok(Err(_))) => Err(anyhow!("{method}: {}", self.closed_reason())),
            Ok(Ok(Ok(Err(error)))) => Err(anyhow!("{method}: {error}")),
            Ok(Ok(Ok(Ok(result)))) => Ok(result),
        }
    }

    /// The queue of the events of the page attached as `session`, from now on.
    pub(crate) fn subscribe(&self, session: &str) -> mpsc::UnboundedReceiver<Event> {
        let (sender, receiver) = mpsc::unbounded_channel();
        let mut routes = lock(&self.routes);
        // Once the pipe has closed the sender is dropped here, and the page's first
        // wait fails saying why.
        if routes.closed.is_none() {
            routes.sessions.insert(session.to_owned(), sender);
        }
        receiver
    }

    /// Why the pipe closed (or that it has not).
    pub(crate) fn closed_reason(&self) -> String {
        lock(&self.routes)
            .closed
            .clone()
            .unwrap_or_else(|| "the DevTools pipe is still open".to_owned())
    }
}

/// Reads NUL-terminated messages until the pipe ends, then fails every waiting call
/// and closes every page's queue.
async fn read_pipe(mut from: BufReader<impl AsyncRead + Unpin>, routes: Arc<Mutex<Routes>>) {
    let mut buffer = Vec::new();
    let why = loop {
        buffer.clear();
        match from.read_until(0, &mut buffer).await {
            Ok(0) => break "Chromium closed the DevTools pipe (it exited or crashed)".to_owned(),
            Ok(_) => {}
            Err(e) => break format!("reading the DevTools pipe: {e}"),
        }
        if buffer.last() == Some(&0) {
            buffer.pop();
        }
        match serde_json::from_slice::<Value>(&buffer) {
            Ok(message) => route(&routes, message),
            Err(e) => break format!("Chromium sent a message that is not JSON: {e}"),
        }
    };
    let mut routes = lock(&routes);
    routes.closed = Some(why);
    // Dropping the senders wakes every waiter with the reason above.
    routes.replies.clear();
    routes.sessions.clear();
}

fn route(routes: &Mutex<Routes>, mut message: Value) {
    let mut routes = lock(routes);
    if let Some(id) = message.get("id").and_then(Value::as_u64) {
        let reply = match message.get_mut("error") {
            Some(error) => Err(error
                .get("message")
                .and_then(Value::as_str)
                .map_or_else(|| error.to_string(), str::to_owned)),
            None => Ok(message.get_mut("result").map_or(Value::Null, Value::take)),
        };
        if let Some(waiter) = routes.replies.remove(&id) {
            // A caller that gave up has removed itself; nothing else can fail here.
            let _ = waiter.send(reply);
        }
        return;
    }
    let text = |key: &str| message.get(key).and_then(Value::as_str).map(str::to_owned);
    let (Some(session), Some(method)) = (text("sessionId"), text("method")) else {
        // The browser's own events: no page waits for them.
        return;
    };
    if let Some(queue) = routes.sessions.get(&session) {
        let params = message.get_mut("params").map_or(Value::Null, Value::take);
        if queue.send(Event { method, params }).is_err() {
            // The page is gone.
            routes.sessions.remove(&session);
        }
    }
}

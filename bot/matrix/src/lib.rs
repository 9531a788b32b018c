//! The Matrix face of handoff: an end-to-end-encrypted bot beside SMS. Case
//! managers are offered hand-offs in their encrypted direct rooms and answer with
//! a ✅ or ❌ reaction or with the SMS commands; officers with a Matrix ID may
//! request and follow a hand-off there too. The dispatcher never knows which
//! transport carried a message: this crate parses events into the commands the
//! engine takes, renders its messages, and delivers them, moving a message to SMS
//! whenever Matrix cannot take it.
//!
//! - `session`: the bot's one device, logged in once and restored after;
//! - `rooms`: the direct and site rooms, kept by purpose across restarts;
//! - `sync`: the sync loop that hands events to the engine;
//! - `events`: what an event asks; `render`: messages in words;
//! - `deliver`: the outbox's Matrix messages, with failover to SMS.
#![recursion_limit = "256"]

mod deliver;
mod events;
mod render;
mod rooms;
mod session;
mod sync;

use std::future::Future;
use std::pin::Pin;
use std::sync::atomic::{AtomicU8, Ordering};
use std::sync::{Arc, Mutex};

use chrono::{DateTime, Utc};
use handoff_bot::chat::{Chat, ChatContext, ChatStarted, LoopFactory};
use handoff_bot::metrics::Metrics;
use handoff_dispatcher::{Engine, EngineError, LeaseToken, StoreError};
use matrix_sdk::Client;
use tokio::sync::Notify;

pub use deliver::LEASE;
pub use session::{SessionError, has_saved_session};

/// Why a Matrix operation failed.
#[derive(Debug, thiserror::Error)]
pub(crate) enum MatrixError {
    #[error("the homeserver: {0}")]
    Sdk(String, bool),
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error(transparent)]
    Engine(#[from] EngineError),
    #[error("the recipient has no Matrix ID")]
    NoMatrixId,
    #[error("there is no room to answer in")]
    NoRoom,
    #[error("the room {0} is not encrypted: no hand-off details are posted there")]
    NotEncrypted(String),
    #[error("the recipient has not joined the room {0}")]
    NotJoined(String),
    #[error("a malformed {0}")]
    BadId(String),
}

impl MatrixError {
    /// An SDK error; whether it means the homeserver could not be reached (as
    /// opposed to an answer refusing the request).
    fn sdk(error: impl Into<matrix_sdk::Error>) -> MatrixError {
        let error = error.into();
        let outage = error.as_client_api_error().is_none();
        MatrixError::Sdk(error.to_string(), outage)
    }

    fn is_outage(&self) -> bool {
        matches!(self, MatrixError::Sdk(_, true))
    }
}

/// The Matrix transport, for `handoff serve`.
pub struct MatrixChat;

impl Chat for MatrixChat {
    fn start(
        &self,
        context: ChatContext,
    ) -> Pin<Box<dyn Future<Output = anyhow::Result<ChatStarted>> + Send + '_>> {
        Box::pin(async move {
            let bot = Arc::new(Bot::connect(context).await?);
            let syncing = bot.clone();
            let delivering = bot.clone();
            let loops: Vec<(&'static str, LoopFactory)> = vec![
                (
                    "matrix_sync",
                    Box::new(move |stop| Box::pin(syncing.clone().sync_loop(stop))),
                ),
                (
                    "matrix_delivery",
                    Box::new(move |stop| Box::pin(delivering.clone().delivery_loop(stop))),
                ),
            ];
            Ok(ChatStarted { loops })
        })
    }
}

/// Connection states, see [`Bot::state`].
const STARTING: u8 = 0;
const UP: u8 = 1;
const DOWN: u8 = 2;

/// The bot: its client and what its loops share.
pub(crate) struct Bot {
    client: Client,
    engine: Engine,
    metrics: Arc<Metrics>,
    /// The bot's own user ID, whose events are passed over.
    me: String,
    device: String,
    /// This process's name for the delivery lease.
    holder: String,
    /// Each site's ID, name and configured room.
    sites: Vec<(String, String, Option<String>)>,
    /// Whether the homeserver answered the last sync: starting, up or down.
    state: AtomicU8,
    /// The delivery lease this process holds, and a conservative local estimate of
    /// when it runs out (so it is renewed only when it runs low).
    lease: Mutex<Option<(LeaseToken, DateTime<Utc>)>>,
    /// Signalled once the first sync has answered and the rooms are prepared.
    ready: Notify,
    /// The site rooms' IDs, once prepared.
    site_rooms: Mutex<Vec<String>>,
}

impl Bot {
    async fn connect(context: ChatContext) -> anyhow::Result<Bot> {
        let settings = context
            .config
            .transports
            .matrix
            .clone()
            .ok_or_else(|| anyhow::anyhow!("Matrix is not configured"))?;
        let client = session::connect(&settings).await?;
        let meta = client
            .session_meta()
            .ok_or_else(|| anyhow::anyhow!("the Matrix client has no session after logging in"))?;
        let (me, device) = (meta.user_id.to_string(), meta.device_id.to_string());
        let sites = context
            .config
            .sites
            .iter()
            .map(|site| {
                (
                    site.id.to_string(),
                    site.name.clone(),
                    site.matrix_room.as_ref().map(|r| r.as_str().to_owned()),
                )
            })
            .collect();
        Ok(Bot {
            client,
            engine: context.engine,
            metrics: context.metrics,
            me,
            device,
            holder: context.instance,
            sites,
            state: AtomicU8::new(STARTING),
            lease: Mutex::new(None),
            ready: Notify::new(),
            site_rooms: Mutex::new(Vec::new()),
        })
    }

    fn is_site_room(&self, room_id: &str) -> bool {
        self.site_rooms
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .iter()
            .any(|r| r == room_id)
    }

    fn is_connected(&self) -> bool {
        self.state.load(Ordering::Relaxed) == UP
    }

    fn is_down(&self) -> bool {
        self.state.load(Ordering::Relaxed) == DOWN
    }

    fn set_connected(&self, up: bool) {
        let was = self
            .state
            .swap(if up { UP } else { DOWN }, Ordering::Relaxed);
        self.metrics.matrix_connected(up, self.engine.now());
        if !up && was != DOWN {
            // Wake the delivery loop, so what waits for Matrix goes by SMS now.
            self.engine.outbox_signal().notify_waiters();
        }
    }
}

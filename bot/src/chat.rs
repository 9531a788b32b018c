//! The seam where a chat transport plugs into `handoff serve`. Matrix lives in its
//! own crate (`handoff-matrix`), so that this crate and everything that tests it do
//! not build or link its SDK; the `handoff` binary hands it in here.
//!
//! A chat transport is started after the database is open and before the server
//! answers anything, so a login the homeserver refuses stops start-up with its
//! reason. What it returns are its background loops, which run supervised beside
//! the SMS worker and show in `/healthz`.

use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;

use handoff_config::Config;
use handoff_dispatcher::{Clock, Engine};

use crate::metrics::Metrics;

/// Resolves when the service stops.
pub type Stop = Pin<Box<dyn Future<Output = ()> + Send>>;
/// One run of a background loop, which must return once its [`Stop`] resolves.
pub type Looping = Pin<Box<dyn Future<Output = ()> + Send>>;
/// Builds a fresh run of a loop, for the first start and after each failure.
pub type LoopFactory = Box<dyn Fn(Stop) -> Looping + Send>;

/// What a chat transport is given to start with.
pub struct ChatContext {
    pub engine: Engine,
    pub config: Config,
    pub metrics: Arc<Metrics>,
    pub clock: Arc<dyn Clock>,
    /// This process's name among those sharing the database (for leases).
    pub instance: String,
}

/// A started chat transport.
pub struct ChatStarted {
    /// Its background loops, by name (shown in `/healthz`).
    pub loops: Vec<(&'static str, LoopFactory)>,
}

/// A chat transport: Matrix.
pub trait Chat: Send + Sync {
    /// Logs in (or restores the saved session) and returns the loops to run. An
    /// error stops `handoff serve` from starting.
    fn start(
        &self,
        context: ChatContext,
    ) -> Pin<Box<dyn Future<Output = anyhow::Result<ChatStarted>> + Send + '_>>;
}

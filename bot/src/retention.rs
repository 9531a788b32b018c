//! The retention worker: once at start and then every hour, the words of hand-offs
//! closed longer ago than the program's `message_retention` are forgotten (see
//! `Store::forget_text`); their timings stay.
//!
//! Why hourly: retention is measured in days, so an hour's slack is nothing, and a
//! pass over a day's closed hand-offs is a few small transactions.

use std::time::Duration as StdDuration;

use chrono::Duration;
use handoff_dispatcher::{Engine, Forgotten, StoreError};

/// How often a pass runs.
pub const EVERY: StdDuration = StdDuration::from_secs(3600);

#[derive(Clone)]
pub struct Retention {
    engine: Engine,
    keep: Duration,
}

impl Retention {
    pub fn new(engine: Engine, keep: std::time::Duration) -> Retention {
        Retention {
            engine,
            // The configuration allows at most ten years, which always fits.
            keep: Duration::from_std(keep).unwrap_or(Duration::days(3650)),
        }
    }

    /// One pass, as of the engine's clock.
    pub async fn pass(&self) -> Result<Forgotten, StoreError> {
        let now = self.engine.now();
        // The clock minus at most ten years: out of range only for a clock set
        // before the year 1; then there is nothing old enough to forget.
        let Some(before) = now.checked_sub_signed(self.keep) else {
            return Ok(Forgotten::default());
        };
        let done = self.engine.forget_text(before).await?;
        if !done.is_empty() {
            tracing::info!(
                handoffs = done.handoffs,
                events = done.events,
                messages = done.messages,
                records = done.records,
                sandbox = done.sandbox,
                "retention: forgot the words of closed hand-offs"
            );
        }
        Ok(done)
    }

    /// Passes until `shutdown`: one now, then every [`EVERY`]. A failed pass is
    /// logged and tried again at the next.
    pub async fn run(&self, shutdown: impl std::future::Future<Output = ()>) {
        tokio::pin!(shutdown);
        loop {
            if let Err(error) = self.pass().await {
                tracing::error!(%error, "retention pass failed; trying again in an hour");
            }
            tokio::select! {
                () = &mut shutdown => return,
                () = tokio::time::sleep(EVERY) => {}
            }
        }
    }
}

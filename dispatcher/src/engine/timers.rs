//! The timer loop: timers are rows with a due time; each pass fires every timer due
//! at the clock's `now` through [`Engine::handle`], then the loop sleeps until the
//! next is due or a new one is set, so a restarted engine resumes every escalation
//! where it stood.

use std::sync::atomic::Ordering;
use std::time::Duration as StdDuration;

use super::{Engine, EngineError, MAX_IDLE, TIMER_BATCH};
use crate::decide::Input;

impl Engine {
    /// Handles every timer due at the clock's `now`. Returns how many fired.
    pub async fn fire_due(&self) -> Result<usize, EngineError> {
        let mut fired = 0;
        loop {
            let now = self.now();
            let due = self.inner.store.due_timers(now, TIMER_BATCH).await?;
            if due.is_empty() {
                return Ok(fired);
            }
            let batch = due.len();
            for (id, timer, at) in due {
                tracing::debug!(handoff = %id, timer = %timer.name(), due = %at, "timer fired");
                match self.handle(id, Input::Timer(timer)).await {
                    Ok(_) => fired += 1,
                    // The database faltered: keep the timer, so the escalation is
                    // not lost, and end the pass; the loop tries again shortly.
                    Err(error) if error.is_transient() => return Err(error),
                    Err(error) => {
                        // A timer that can never be handled must not block the
                        // others, nor fire forever: log it loudly and drop it.
                        tracing::error!(handoff = %id, timer = %timer.name(), %error, "timer failed");
                        self.inner.store.drop_timer(id, timer).await?;
                    }
                }
            }
            if i64::try_from(batch).unwrap_or(i64::MAX) < TIMER_BATCH {
                return Ok(fired);
            }
        }
    }

    /// One pass of the timer loop: fires what is due, then records the heartbeat the
    /// health check reads. `serve` runs one before taking requests, so timers that
    /// fell due while the service was down fire first.
    /// Returns whether every due timer was handled.
    pub async fn pass(&self) -> bool {
        let handled = match self.fire_due().await {
            Ok(_) => true,
            Err(error) => {
                tracing::error!(%error, "timer pass failed; retrying");
                false
            }
        };
        self.inner
            .heartbeat_ms
            .store(self.now().timestamp_millis(), Ordering::Relaxed);
        // A failed digest is tried again on the next pass; it does not hold up
        // the timers, which matter more.
        if let Err(error) = self.send_digests().await {
            tracing::error!(%error, "follow-up digests failed; retrying");
        }
        handled
    }

    /// The timer loop: fires due timers, then sleeps until the next is due (at most
    /// `MAX_IDLE`), or until a new timer is set, until `shutdown` resolves.
    pub async fn run(&self, shutdown: impl std::future::Future<Output = ()>) {
        tokio::pin!(shutdown);
        loop {
            let handled = self.pass().await;
            let sleep = match self.inner.store.next_timer_due().await {
                // A failed pass left due timers in place: wait a moment rather
                // than spin against a database that is not answering.
                _ if !handled => StdDuration::from_secs(1),
                Ok(Some(due)) => (due - self.now())
                    .to_std()
                    .unwrap_or(StdDuration::ZERO)
                    .min(MAX_IDLE),
                Ok(None) => MAX_IDLE,
                Err(error) => {
                    tracing::error!(%error, "cannot read the next timer; retrying");
                    StdDuration::from_secs(1)
                }
            };
            tokio::select! {
                () = tokio::time::sleep(sleep) => {}
                () = self.inner.timers_changed.notified() => {}
                () = &mut shutdown => return,
            }
        }
    }
}

//! Background loops under supervision: the engine's timer loop, SMS delivery, the
//! outbox notification listener and retention each run in a task of their own; if
//! one ends while the service is not stopping (a panic, a bug that returns), it is
//! logged, counted, shown in `/healthz`, and started again after a pause.
//!
//! Why restart rather than exit: a stopped timer loop means escalations that never
//! fire and a stopped sender means texts that never leave, while the webhooks keep
//! answering 200. Restarting keeps hand-offs moving; the health check and the log
//! make sure a person still hears of it.

use std::collections::BTreeMap;
use std::sync::{Arc, Mutex, PoisonError};
use std::time::Duration as StdDuration;

use chrono::{DateTime, Utc};
use handoff_dispatcher::Clock;
use serde::Serialize;
use tokio::sync::watch;
use tokio::task::JoinSet;

/// The first pause before a restart; each restart in a row doubles it, up to
/// [`MAX_PAUSE`], so a loop that fails at once does not spin.
pub const FIRST_PAUSE: StdDuration = StdDuration::from_secs(1);
pub const MAX_PAUSE: StdDuration = StdDuration::from_secs(30);

/// A loop that ran this long before failing resets the pause to [`FIRST_PAUSE`].
const STEADY: StdDuration = StdDuration::from_secs(60);

/// What is known of one loop.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct LoopState {
    pub running: bool,
    pub restarts: u64,
    pub last_failure_at: Option<DateTime<Utc>>,
    /// Why it last ended, for tests and the log only: a panic's text may carry the
    /// values it was about, so the health check (open to anyone who can reach it)
    /// never shows it.
    #[serde(skip)]
    pub last_failure: Option<String>,
}

/// The state of every supervised loop, for `/healthz` and `/metrics`.
#[derive(Debug, Default)]
pub struct Loops {
    states: Mutex<BTreeMap<&'static str, LoopState>>,
}

impl Loops {
    pub fn snapshot(&self) -> BTreeMap<&'static str, LoopState> {
        self.states
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .clone()
    }

    fn update(&self, name: &'static str, change: impl FnOnce(&mut LoopState)) {
        let mut states = self.states.lock().unwrap_or_else(PoisonError::into_inner);
        change(states.entry(name).or_default());
    }
}

/// Aborts the task it holds when dropped: a supervisor aborted at shutdown takes
/// its loop with it.
struct AbortOnDrop(tokio::task::JoinHandle<()>);

impl Drop for AbortOnDrop {
    fn drop(&mut self) {
        self.0.abort();
    }
}

/// Runs the loop `make` builds, under supervision, in `tasks`, until `stop` turns
/// true. `make` is given a future that resolves when the service stops, which the
/// loop must honour by returning.
pub fn spawn<F, Fut>(
    tasks: &mut JoinSet<()>,
    loops: Arc<Loops>,
    clock: Arc<dyn Clock>,
    name: &'static str,
    stop: watch::Receiver<bool>,
    make: F,
) where
    F: Fn(std::pin::Pin<Box<dyn std::future::Future<Output = ()> + Send>>) -> Fut + Send + 'static,
    Fut: std::future::Future<Output = ()> + Send + 'static,
{
    tasks.spawn(async move {
        let mut pause = FIRST_PAUSE;
        loop {
            loops.update(name, |s| s.running = true);
            let started = tokio::time::Instant::now();
            let mut run = AbortOnDrop(tokio::spawn(make(Box::pin(stopped(stop.clone())))));
            let outcome = (&mut run.0).await;
            if *stop.borrow() {
                loops.update(name, |s| s.running = false);
                return;
            }
            let why = match outcome {
                Ok(()) => "it returned without being asked to stop".to_owned(),
                Err(error) if error.is_panic() => panic_text(error.into_panic()),
                Err(error) => error.to_string(),
            };
            tracing::error!(task = name, %why, "a background loop ended unexpectedly; restarting it");
            let at = clock.now();
            loops.update(name, |s| {
                s.running = false;
                s.restarts = s.restarts.saturating_add(1);
                s.last_failure_at = Some(at);
                s.last_failure = Some(why.clone());
            });
            if started.elapsed() >= STEADY {
                pause = FIRST_PAUSE;
            }
            let mut stopping = stop.clone();
            tokio::select! {
                () = tokio::time::sleep(pause) => {}
                _ = stopping.wait_for(|stop| *stop) => return,
            }
            pause = (pause * 2).min(MAX_PAUSE);
        }
    });
}

async fn stopped(mut stop: watch::Receiver<bool>) {
    // An error means the sender is gone, which also means stop.
    let _ = stop.wait_for(|stop| *stop).await;
}

fn panic_text(payload: Box<dyn std::any::Any + Send>) -> String {
    let text = payload
        .downcast_ref::<&str>()
        .map(|s| (*s).to_owned())
        .or_else(|| payload.downcast_ref::<String>().cloned())
        .unwrap_or_else(|| "a panic".to_owned());
    format!("panicked: {text}")
}

#[cfg(test)]
mod tests {
    use std::sync::atomic::{AtomicU32, Ordering};

    use handoff_dispatcher::MockClock;

    use super::{Loops, spawn};

    #[tokio::test(start_paused = true)]
    async fn a_loop_that_panics_is_restarted_counted_and_stopped_with_the_service() {
        let loops = std::sync::Arc::new(Loops::default());
        let clock = std::sync::Arc::new(MockClock::new(chrono::DateTime::UNIX_EPOCH));
        let (stop, stop_rx) = tokio::sync::watch::channel(false);
        let runs = std::sync::Arc::new(AtomicU32::new(0));
        let mut tasks = tokio::task::JoinSet::new();
        let counted = runs.clone();
        spawn(
            &mut tasks,
            loops.clone(),
            clock,
            "timers",
            stop_rx,
            move |stopped| {
                let run = counted.fetch_add(1, Ordering::SeqCst);
                async move {
                    if run < 2 {
                        panic!("boom {run}");
                    }
                    stopped.await;
                }
            },
        );
        // Paused time: the pauses before restarts pass at once.
        while runs.load(Ordering::SeqCst) < 3 {
            tokio::time::sleep(std::time::Duration::from_millis(100)).await;
        }
        tokio::task::yield_now().await;
        let state = loops.snapshot()["timers"].clone();
        assert!(state.running);
        assert_eq!(state.restarts, 2);
        assert_eq!(state.last_failure.as_deref(), Some("panicked: boom 1"));

        stop.send(true).unwrap();
        while tasks.join_next().await.is_some() {}
        assert!(!loops.snapshot()["timers"].running);
        assert_eq!(
            runs.load(Ordering::SeqCst),
            3,
            "not restarted once stopping"
        );
    }

    #[tokio::test(start_paused = true)]
    async fn a_loop_that_returns_on_its_own_is_restarted_too() {
        let loops = std::sync::Arc::new(Loops::default());
        let clock = std::sync::Arc::new(MockClock::new(chrono::DateTime::UNIX_EPOCH));
        let (stop, stop_rx) = tokio::sync::watch::channel(false);
        let runs = std::sync::Arc::new(AtomicU32::new(0));
        let counted = runs.clone();
        let mut tasks = tokio::task::JoinSet::new();
        spawn(
            &mut tasks,
            loops.clone(),
            clock,
            "sms",
            stop_rx,
            move |_stopped| {
                counted.fetch_add(1, Ordering::SeqCst);
                async {}
            },
        );
        while runs.load(Ordering::SeqCst) < 4 {
            tokio::time::sleep(std::time::Duration::from_secs(1)).await;
        }
        let state = loops.snapshot()["sms"].clone();
        assert!(state.restarts >= 3);
        assert_eq!(
            state.last_failure.as_deref(),
            Some("it returned without being asked to stop")
        );
        stop.send(true).unwrap();
        while tasks.join_next().await.is_some() {}
    }
}

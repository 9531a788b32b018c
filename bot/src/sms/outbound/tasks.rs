//! Sending the phones' queues side by side: each phone's queue is sent in order by
//! a task of its own, and the worker's loop does not wait for them all before it
//! looks again, so a send that hangs until the client's timeout holds up its own
//! phone only. A phone stays taken by its task until the task ends; a pass meanwhile
//! leaves it alone (two tasks on one phone could reorder its texts or send one
//! twice), and the task's end brings another pass.

use std::collections::HashSet;
use std::sync::{Arc, Mutex, PoisonError};
use std::time::Duration as StdDuration;

use chrono::{DateTime, Duration, Utc};
use handoff_dispatcher::PhoneNumber;
use tokio::task::JoinSet;

use super::{Batch, MAX_IDLE, OutboundError, Pass, SmsOutbound, Wake, earliest};

/// A phone's queue being sent by one task; the phone is let go when the task ends,
/// however it ends.
struct Taken {
    busy: Arc<Mutex<HashSet<PhoneNumber>>>,
    phone: PhoneNumber,
}

impl Drop for Taken {
    fn drop(&mut self) {
        self.busy
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .remove(&self.phone);
    }
}

/// How one phone's task ended.
enum Finished {
    /// It sent what it could; a retry may be due at the wake.
    Done(Wake),
    /// The database (or the task) failed: try again shortly.
    Failed,
    /// The lease turned out lost.
    LeaseLost,
}

/// What a running pass left: each phone's task, ending with what it did.
type Tasks = JoinSet<Result<Wake, OutboundError>>;

/// How long the worker waits after the database failed it before it tries again.
const AFTER_FAILURE: Duration = Duration::seconds(5);

impl SmsOutbound {
    /// Takes `phone` for a task, unless a task has it already.
    fn take(&self, phone: &PhoneNumber) -> Option<Taken> {
        let mut busy = self.busy.lock().unwrap_or_else(PoisonError::into_inner);
        busy.insert(phone.clone()).then(|| Taken {
            busy: self.busy.clone(),
            phone: phone.clone(),
        })
    }

    /// The second half of a pass: sends what [`SmsOutbound::read_pending`] read,
    /// each phone's queue in order, different phones side by side, and waits for
    /// them all. If the lease turns out lost (the two halves may be far apart in
    /// time), nothing more is sent and the pass ends.
    pub async fn send_pending(&self, pass: Pass) -> Result<Wake, OutboundError> {
        let mut tasks = Tasks::new();
        let mut wake = self.start_pending(pass, &mut tasks).await?;
        let mut lost = false;
        while let Some(joined) = tasks.join_next().await {
            match finished(joined) {
                Finished::Done(w) => wake = earliest(wake, w),
                Finished::Failed => {
                    wake = earliest(wake, Some(self.engine.now() + AFTER_FAILURE));
                }
                Finished::LeaseLost => lost = true,
            }
        }
        if lost {
            // Look again at once: the database says whether this process still
            // holds the lease (and sends) or follows.
            self.lease_lost();
            return Ok(Some(self.engine.now()));
        }
        Ok(wake)
    }

    /// Starts sending what [`SmsOutbound::read_pending`] read: fails at once what
    /// SMS cannot reach, and spawns a task into `tasks` for each phone whose first
    /// text is due, unless a task of an earlier pass still has that phone (its end
    /// brings another pass). Returns when a text not yet due, or a batch left
    /// behind a full one, wants a pass.
    async fn start_pending(&self, pass: Pass, tasks: &mut Tasks) -> Result<Wake, OutboundError> {
        let batch = match pass {
            Pass::Nothing(wake) => return Ok(wake),
            Pass::Batch(batch) => batch,
        };
        let Batch {
            token,
            now,
            send_until,
            unreachable,
            queues,
            opted_out,
            more,
        } = batch;
        let token = Arc::new(token);
        for item in unreachable {
            match self
                .give_up(&token, &item, "no phone number to text", now)
                .await
            {
                Ok(()) => {}
                Err(error) if error.is_lease_lost() => {
                    self.lease_lost();
                    return Ok(Some(self.engine.now()));
                }
                Err(error) => return Err(error),
            }
        }
        let mut wake = None;
        for (phone, queue) in queues {
            if let Some(head) = queue.first()
                && head.next_attempt_at > now
            {
                // Its first text waits for a retry, and holds back the rest.
                wake = earliest(wake, Some(head.next_attempt_at));
                continue;
            }
            let Some(taken) = self.take(&phone) else {
                continue;
            };
            let worker = self.clone();
            let opted_out = opted_out.clone();
            let token = token.clone();
            tasks.spawn(async move {
                let _taken = taken;
                worker
                    .deliver_queue(&token, &phone, queue, &opted_out, now, send_until)
                    .await
            });
        }
        // A full batch may have left messages behind it: look again in a second
        // (not at once: if the batch is all waiting on retries during a provider
        // outage, looking at once would spin).
        Ok(if more {
            earliest(wake, Some(now + Duration::seconds(1)))
        } else {
            wake
        })
    }

    /// Delivers until `shutdown`: a pass whenever messages enter the outbox, when a
    /// phone's task ends, when a retry is due, or after `MAX_IDLE`. Passes do not
    /// wait for the tasks of the passes before them (see the module's notes); at
    /// shutdown, the tasks under way are let finish, so that no text the provider
    /// took is left unmarked to be sent again at the next start.
    pub async fn run(&self, shutdown: impl std::future::Future<Output = ()>) {
        tokio::pin!(shutdown);
        let mut tasks = Tasks::new();
        // After a phone's task failed on the database: no pass before this, unless
        // something else calls for one.
        let mut resume: Option<DateTime<Utc>> = None;
        let mut pass_now = true;
        loop {
            let signal = self.engine.outbox_signal().notified();
            tokio::pin!(signal);
            signal.as_mut().enable();
            let mut wake = resume;
            if pass_now {
                let started = match self.read_pending().await {
                    Ok(pass) => self.start_pending(pass, &mut tasks).await,
                    Err(error) => Err(error),
                };
                wake = earliest(
                    wake,
                    match started {
                        Ok(wake) => wake,
                        Err(error) => {
                            tracing::error!(%error, "delivery pass failed; retrying");
                            Some(self.engine.now() + AFTER_FAILURE)
                        }
                    },
                );
            }
            let sleep = wake.map_or(MAX_IDLE, |at| {
                (at - self.engine.now())
                    .to_std()
                    .unwrap_or(StdDuration::ZERO)
                    .min(MAX_IDLE)
            });
            pass_now = true;
            tokio::select! {
                () = &mut signal => {}
                Some(joined) = tasks.join_next(), if !tasks.is_empty() => match finished(joined) {
                    Finished::Done(_) => {}
                    Finished::Failed => {
                        resume = Some(self.engine.now() + AFTER_FAILURE);
                        pass_now = false;
                    }
                    Finished::LeaseLost => self.lease_lost(),
                },
                () = tokio::time::sleep(sleep) => {
                    if resume.is_some_and(|at| at <= self.engine.now()) {
                        resume = None;
                    }
                }
                () = &mut shutdown => {
                    while tasks.join_next().await.is_some() {}
                    return;
                }
            }
        }
    }
}

/// How a phone's task ended, logged.
fn finished(joined: Result<Result<Wake, OutboundError>, tokio::task::JoinError>) -> Finished {
    match joined {
        Ok(Ok(wake)) => Finished::Done(wake),
        Ok(Err(error)) if error.is_lease_lost() => Finished::LeaseLost,
        Ok(Err(error)) => {
            tracing::error!(%error, "delivering a queue failed; retrying shortly");
            Finished::Failed
        }
        Err(join) => {
            tracing::error!(%join, "a delivery task panicked");
            Finished::Failed
        }
    }
}

//! Delivery of the outbox by SMS: each pending message is rendered, sent through the
//! provider, and marked sent, retried later, or failed.
//!
//! Rules, and why:
//! - **Order per phone.** Messages to one phone go out in the order they were
//!   decided; a message waiting for a retry holds back the later ones to that phone
//!   (an officer must not read "Dana is coming" before "Got it"). Different phones
//!   are served concurrently, so one slow number delays nobody else.
//! - **Retries** on timeouts, 429 and 5xx, with exponential backoff and jitter (so a
//!   provider recovering from an outage is not hit by every retry at once), honouring
//!   `Retry-After`; after `MAX_ATTEMPTS` the message fails.
//! - **Failures reach a person.** A message that fails for good is reported to the
//!   engine: an undeliverable offer counts as unanswered at once, so escalation does
//!   not wait out the timeout.
//! - **Opt-outs.** Nothing is sent by SMS to a number that opted out (STOP), except
//!   the one confirmation of the opt-out itself.
//! - **One sender per database.** When several processes serve one PostgreSQL
//!   database, only the holder of the `sms-delivery` lease sends: that keeps each
//!   phone's order and never sends a text twice. A pass renews the lease once half
//!   of it has run (not on every text: that would be a write per text); a send
//!   starts only while the lease has longer left than a send can take, so no send
//!   outlives it; the others look every few seconds whether it is free, and take it
//!   over within a minute if its holder dies (at once if it stopped cleanly). A
//!   holder is named by its host and listen address, so a process restarted after
//!   a crash reclaims its own lease at once instead of waiting it out.

use std::collections::BTreeSet;
use std::sync::Arc;
use std::sync::atomic::{AtomicI64, Ordering};
use std::time::Duration as StdDuration;

use chrono::{DateTime, Duration, Utc};
use handoff_dispatcher::{Engine, Message, OutboxItem, PhoneNumber, Recipient};
use tokio::task::JoinSet;

use crate::metrics::{Metrics, SendResult};
use crate::render;
use crate::sms::provider::{SendError, Sent, TwilioClient, backoff};
use crate::sms::sandbox::Sandbox;

/// How many times a message is tried before it fails for good: with the backoff
/// this spans about ten minutes, after which an offer is no longer worth sending.
pub const MAX_ATTEMPTS: u32 = 8;

/// The longest the worker sleeps with nothing to do; a missed wake-up costs at most
/// this much delay.
pub const MAX_IDLE: StdDuration = StdDuration::from_secs(30);

/// How many pending messages one pass looks at.
const BATCH: i64 = 500;

/// The lease whose holder is the one process that sends.
pub const LEASE: &str = "sms-delivery";

/// How long a lease runs after each renewal. A holder passes at least every
/// `MAX_IDLE` (30 s), so it renews well before this runs out.
const LEASE_TTL: Duration = Duration::seconds(60);

/// A send starts only while the lease has this long left: longer than the
/// provider's connect and request timeouts together, so no send outlives the lease
/// and overlaps the next holder's.
const SEND_MARGIN: Duration = Duration::seconds(25);

/// How often a process without the lease looks whether it is free.
const FOLLOWER_POLL: Duration = Duration::seconds(5);

/// Where texts go.
#[derive(Clone)]
pub enum Provider {
    Twilio(Arc<TwilioClient>),
    Sandbox(Arc<Sandbox>),
}

impl Provider {
    async fn send(
        &self,
        to: &PhoneNumber,
        body: &str,
        status_callback: Option<&str>,
        now: DateTime<Utc>,
    ) -> Result<Sent, SendError> {
        match self {
            Provider::Twilio(client) => client.send(to.as_str(), body, status_callback).await,
            // The sandbox's database not answering is worth trying again, like a
            // provider's outage.
            Provider::Sandbox(sandbox) => {
                sandbox
                    .deliver(to, body, now)
                    .await
                    .map_err(|error| SendError::Transient {
                        reason: format!("the sandbox could not record the text: {error}"),
                        retry_after: None,
                    })
            }
        }
    }
}

#[derive(Debug, thiserror::Error)]
pub enum OutboundError {
    #[error(transparent)]
    Store(#[from] handoff_dispatcher::StoreError),
    #[error(transparent)]
    Engine(#[from] handoff_dispatcher::EngineError),
}

/// The SMS delivery worker of one engine.
#[derive(Clone)]
pub struct SmsOutbound {
    engine: Engine,
    provider: Provider,
    /// Where the provider reports delivery status (`{public_url}/sms/status`).
    status_callback: Option<String>,
    metrics: Arc<Metrics>,
    /// This process's name in the lease table: its host and listen address.
    holder: Arc<str>,
    /// Until when this process is known to hold the lease (epoch ms; 0: not held),
    /// so that a pass renews it only when it runs low rather than writing to the
    /// database on every text.
    lease_until: Arc<AtomicI64>,
}

/// What a phone's queue did in one pass: when it wants to be looked at again.
type Wake = Option<DateTime<Utc>>;

fn earliest(a: Wake, b: Wake) -> Wake {
    match (a, b) {
        (Some(a), Some(b)) => Some(a.min(b)),
        (a, None) => a,
        (None, b) => b,
    }
}

impl SmsOutbound {
    /// `instance` names this process among those sharing the database (see
    /// `serve::instance_name`).
    pub fn new(
        engine: Engine,
        provider: Provider,
        status_callback: Option<String>,
        metrics: Arc<Metrics>,
        instance: &str,
    ) -> SmsOutbound {
        SmsOutbound {
            engine,
            provider,
            status_callback,
            metrics,
            holder: instance.into(),
            lease_until: Arc::new(AtomicI64::new(0)),
        }
    }

    /// Gives up the sending lease (at shutdown), so another process sends at once.
    pub async fn release(&self) {
        self.lease_until.store(0, Ordering::Relaxed);
        if let Err(error) = self.engine.store().release_lease(LEASE, &self.holder).await {
            tracing::warn!(%error, "could not release the SMS lease; it expires in a minute");
        }
    }

    /// The phone a recipient is texted at, if SMS can reach them.
    fn phone_of(&self, recipient: &Recipient) -> Option<PhoneNumber> {
        let roster = &self.engine.directory().roster;
        match recipient {
            Recipient::Officer(id) => roster.officers.get(id).map(|o| o.phone.clone()),
            Recipient::Staff(id) => roster.people.get(id).and_then(|p| p.phone.clone()),
            Recipient::Phone(phone) => Some(phone.clone()),
        }
    }

    /// Until when this process holds the sending lease, if it does: the expiry it
    /// already knows while more than half the lease is left, else the database's
    /// answer to a renewal.
    async fn lease(&self, now: DateTime<Utc>) -> Result<Option<DateTime<Utc>>, OutboundError> {
        let known = self.lease_until.load(Ordering::Relaxed);
        if let Some(until) = DateTime::from_timestamp_millis(known)
            && known > 0
            && until - now > LEASE_TTL / 2
        {
            return Ok(Some(until));
        }
        let held = self
            .engine
            .store()
            .take_lease(LEASE, &self.holder, now, LEASE_TTL)
            .await?;
        self.metrics.lease(held);
        let until = held.then(|| now + LEASE_TTL);
        self.lease_until
            .store(until.map_or(0, |u| u.timestamp_millis()), Ordering::Relaxed);
        Ok(until)
    }

    /// One pass over the pending outbox. Returns when the next pass is wanted (a
    /// retry's due time), if any message is waiting for one.
    pub async fn deliver_pending(&self) -> Result<Wake, OutboundError> {
        let now = self.engine.now();
        let store = self.engine.store();
        let Some(lease_until) = self.lease(now).await? else {
            return Ok(Some(now + FOLLOWER_POLL));
        };
        let send_until = lease_until - SEND_MARGIN;
        let pending = store.outbox_pending(BATCH).await?;
        if pending.is_empty() {
            return Ok(None);
        }
        // A full batch may have left messages behind it: look again in a second
        // (not at once: if the batch is all waiting on retries during a provider
        // outage, looking at once would spin).
        let more = i64::try_from(pending.len()).unwrap_or(i64::MAX) >= BATCH;
        let opted_out = store.opted_out().await?;
        // Queues per phone, in outbox order.
        let mut queues: Vec<(PhoneNumber, Vec<OutboxItem>)> = Vec::new();
        for item in pending {
            let Some(phone) = self.phone_of(&item.recipient) else {
                store
                    .outbox_mark_failed(item.id, "no phone number to text", now)
                    .await?;
                self.metrics.send(SendResult::Failed);
                self.engine.delivery_failed(&item).await?;
                continue;
            };
            match queues.iter_mut().find(|(p, _)| *p == phone) {
                Some((_, queue)) => queue.push(item),
                None => queues.push((phone, vec![item])),
            }
        }
        let opted_out = Arc::new(opted_out);
        let mut tasks = JoinSet::new();
        for (phone, queue) in queues {
            let worker = self.clone();
            let opted_out = opted_out.clone();
            tasks.spawn(async move {
                worker
                    .deliver_queue(&phone, queue, &opted_out, now, send_until)
                    .await
            });
        }
        let mut wake = None;
        while let Some(joined) = tasks.join_next().await {
            match joined {
                Ok(Ok(w)) => wake = earliest(wake, w),
                Ok(Err(error)) => {
                    tracing::error!(%error, "delivering a queue failed; retrying shortly");
                    wake = earliest(wake, Some(now + Duration::seconds(5)));
                }
                Err(join) => tracing::error!(%join, "a delivery task panicked"),
            }
        }
        Ok(if more {
            earliest(wake, Some(now + Duration::seconds(1)))
        } else {
            wake
        })
    }

    async fn deliver_queue(
        &self,
        phone: &PhoneNumber,
        queue: Vec<OutboxItem>,
        opted_out: &BTreeSet<String>,
        now: DateTime<Utc>,
        send_until: DateTime<Utc>,
    ) -> Result<Wake, OutboundError> {
        let store = self.engine.store();
        for item in queue {
            if self.engine.now() > send_until {
                // The lease may run out during the next send: stop, and let the
                // next pass renew it first.
                return Ok(Some(self.engine.now()));
            }
            if item.next_attempt_at > now {
                // An earlier message waits for its retry: later ones wait behind it.
                return Ok(Some(item.next_attempt_at));
            }
            if opted_out.contains(phone.as_str()) && item.message != Message::OptedOut {
                store
                    .outbox_mark_failed(item.id, "the number opted out of SMS", now)
                    .await?;
                self.metrics.send(SendResult::Failed);
                self.engine.delivery_failed(&item).await?;
                continue;
            }
            let body = render::sms(&item.message);
            match self
                .provider
                .send(phone, &body, self.status_callback.as_deref(), now)
                .await
            {
                Ok(sent) => {
                    store
                        .outbox_mark_sent(item.id, Some(&sent.sid), now)
                        .await?;
                    self.metrics.send(SendResult::Sent);
                    self.metrics
                        .delivered_after(item.created_at, self.engine.now());
                    tracing::info!(outbox = item.id, to = phone.last_four(), sid = %sent.sid, "sms sent");
                }
                Err(SendError::Transient {
                    reason,
                    retry_after,
                }) => {
                    let attempt = item.attempts + 1;
                    if attempt >= MAX_ATTEMPTS {
                        tracing::error!(outbox = item.id, to = phone.last_four(), %reason, "sms failed after retries");
                        store.outbox_mark_failed(item.id, &reason, now).await?;
                        self.metrics.send(SendResult::Failed);
                        self.engine.delivery_failed(&item).await?;
                        continue;
                    }
                    let wait = backoff(attempt, rand::random::<f64>())
                        .max(retry_after.unwrap_or_default());
                    let at = now + Duration::from_std(wait).unwrap_or(Duration::seconds(30));
                    tracing::warn!(outbox = item.id, to = phone.last_four(), %reason, attempt, "sms send failed; retrying");
                    store.outbox_retry_at(item.id, at, &reason).await?;
                    self.metrics.send(SendResult::Retried);
                    return Ok(Some(at));
                }
                Err(SendError::Permanent { code, reason }) => {
                    tracing::error!(outbox = item.id, to = phone.last_four(), ?code, %reason, "sms refused by the provider");
                    let error = match code {
                        Some(code) => format!("{code}: {reason}"),
                        None => reason,
                    };
                    store.outbox_mark_failed(item.id, &error, now).await?;
                    self.metrics.send(SendResult::Failed);
                    self.engine.delivery_failed(&item).await?;
                }
            }
        }
        Ok(None)
    }

    /// Delivers until `shutdown`: a pass whenever messages enter the outbox, when a
    /// retry is due, or after `MAX_IDLE`.
    pub async fn run(&self, shutdown: impl std::future::Future<Output = ()>) {
        tokio::pin!(shutdown);
        loop {
            let signal = self.engine.outbox_signal().notified();
            tokio::pin!(signal);
            signal.as_mut().enable();
            let wake = match self.deliver_pending().await {
                Ok(wake) => wake,
                Err(error) => {
                    tracing::error!(%error, "delivery pass failed; retrying");
                    Some(self.engine.now() + Duration::seconds(5))
                }
            };
            let sleep = wake.map_or(MAX_IDLE, |at| {
                (at - self.engine.now())
                    .to_std()
                    .unwrap_or(StdDuration::ZERO)
                    .min(MAX_IDLE)
            });
            tokio::select! {
                () = &mut signal => {}
                () = tokio::time::sleep(sleep) => {}
                () = &mut shutdown => return,
            }
        }
    }
}

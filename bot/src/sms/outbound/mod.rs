//! Delivery of the outbox by SMS: each pending message is rendered, sent through the
//! provider, and marked sent, retried later, or failed.
//!
//! Rules, and why:
//! - **Order per phone.** Messages to one phone go out in the order they were
//!   decided; a message waiting for a retry holds back the later ones to that phone
//!   (an officer must not read "Dana is coming" before "Got it"). Different phones
//!   are served concurrently, so one slow number delays nobody else: each phone's
//!   queue is sent by a task of its own, and the worker does not wait for them all
//!   before it looks again. A send that hangs until the client's timeout holds up
//!   its own phone only; texts decided meanwhile for other phones go out at once
//!   (a phone whose task is still under way is left to it, so that two tasks never
//!   send to one phone).
//! - **Retries** on timeouts, 429 and 5xx, with exponential backoff and jitter (so a
//!   provider recovering from an outage is not hit by every retry at once), honouring
//!   `Retry-After`; after `MAX_ATTEMPTS` the message fails.
//! - **Failures reach a person.** A message that fails for good is reported to the
//!   engine: an undeliverable offer counts as unanswered at once, so escalation does
//!   not wait out the timeout.
//! - **Opt-outs.** Nothing is sent by SMS to a number that opted out (STOP), except
//!   the one confirmation of the opt-out itself.
//! - **One sender per database, fenced.** When several processes serve one
//!   PostgreSQL database, only the holder of the `sms-delivery` lease sends. The
//!   lease's expiry is judged by the database's clock, and each holder gets a
//!   token with a new epoch. Before handing a text to the provider the holder
//!   claims it in the database with its token, and marks it sent, retried or
//!   failed with it; every one of those writes checks in the same statement that
//!   the token still holds the lease. So a holder that stalls past its lease (a
//!   long pause, a slow disk, SIGSTOP) and wakes after another took over has its
//!   next claim refused and sends nothing more. A claim is granted only while the
//!   lease has longer left than a send can take (`SEND_MARGIN`), so the lease
//!   cannot change hands during a send that started normally.
//! - **At least once.** A text claimed by a holder that died or stalled before
//!   marking it is still pending, and the next holder sends it again: the provider
//!   may or may not have it, and a person waiting on an offer is better served by
//!   a second copy than by none. That gap, between the provider's answer and the
//!   mark, is the one way a text can go out twice. A mark the database refuses
//!   (locked, out of space) is not such a gap: the worker remembers the text as
//!   sent and marks it once the database takes writes again, before it sends
//!   anything more to that phone, rather than sending it again.
//! - **Renewal.** A pass renews the lease once half of it has run (not on every
//!   text: that would be a write per text); the others look every few seconds
//!   whether it is free, and take it over within a minute if its holder dies (at
//!   once if it stopped cleanly). A holder is named by its host and listen address,
//!   so a process restarted after a crash reclaims its own lease at once (with a
//!   new epoch, which fences off anything its previous run still had in flight).
//!
//! This file reads a pass and sends one phone's queue; `tasks` runs the phones'
//! queues side by side and the worker's loop; `lease` keeps the lease.

use std::collections::{BTreeSet, HashMap, HashSet};
use std::sync::{Arc, Mutex, PoisonError};
use std::time::Duration as StdDuration;

use chrono::{DateTime, Duration, Utc};
use handoff_dispatcher::{
    Channel, Engine, LeaseToken, Message, OutboxItem, PhoneNumber, Recipient, StoreError,
};

use crate::metrics::{Metrics, SendResult};
use crate::render;
use crate::sms::provider::{SendError, Sent, TwilioClient, backoff};
use crate::sms::sandbox::Sandbox;

mod lease;
mod tasks;

use lease::Held;

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

/// How long a lease runs after each renewal, by the database's clock. A holder
/// passes at least every `MAX_IDLE` (30 s), so it renews well before this runs out.
const LEASE_TTL: Duration = Duration::seconds(60);

/// A text is claimed (and so a send starts) only while the lease has this long
/// left by the database's clock: longer than the provider's connect and request
/// timeouts together, so a send that starts normally ends before the lease can
/// change hands.
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
    Store(#[from] StoreError),
    #[error(transparent)]
    Engine(#[from] handoff_dispatcher::EngineError),
}

impl OutboundError {
    /// The database refused a write because this process no longer holds the lease.
    fn is_lease_lost(&self) -> bool {
        matches!(self, OutboundError::Store(StoreError::LeaseLost { .. }))
    }
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
    /// The lease this process last took, if any, so that a pass renews it only
    /// when it runs low rather than writing to the database on every text.
    lease: Arc<Mutex<Option<Held>>>,
    /// Phones whose queue a task is sending now: a pass leaves them to it.
    busy: Arc<Mutex<HashSet<PhoneNumber>>>,
    /// Texts the provider took whose mark the database refused, by outbox id, with
    /// the provider's id: marked before anything more is sent to their phone.
    unmarked: Arc<Mutex<HashMap<i64, String>>>,
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

/// The first half of a delivery pass ([`SmsOutbound::read_pending`]): what it read,
/// to be sent by the second ([`SmsOutbound::send_pending`]).
pub enum Pass {
    /// Nothing to send now (another process holds the lease, or nothing is
    /// pending); look again at the wake, if any.
    Nothing(Wake),
    /// Pending messages to send under a lease.
    Batch(Batch),
}

/// Pending messages read under a lease, grouped for sending.
pub struct Batch {
    token: LeaseToken,
    /// The pass's instant: what is due, and when retries are due from.
    now: DateTime<Utc>,
    /// No send starts after this (the local estimate of the lease, less the margin).
    send_until: DateTime<Utc>,
    /// Messages to recipients SMS cannot reach.
    unreachable: Vec<OutboxItem>,
    /// Queues per phone, in outbox order.
    queues: Vec<(PhoneNumber, Vec<OutboxItem>)>,
    opted_out: Arc<BTreeSet<String>>,
    /// The batch was full: more messages may wait behind it.
    more: bool,
}

impl Batch {
    /// How many messages the batch holds.
    pub fn len(&self) -> usize {
        self.unreachable.len() + self.queues.iter().map(|(_, q)| q.len()).sum::<usize>()
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
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
            lease: Arc::new(Mutex::new(None)),
            busy: Arc::new(Mutex::new(HashSet::new())),
            unmarked: Arc::new(Mutex::new(HashMap::new())),
        }
    }

    fn unmarked(&self) -> std::sync::MutexGuard<'_, HashMap<i64, String>> {
        self.unmarked.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// The phone a recipient is texted at, if SMS can reach them.
    fn phone_of(&self, recipient: &Recipient) -> Option<PhoneNumber> {
        let roster = &self.engine.directory().roster;
        match recipient {
            Recipient::Officer(id) => roster.officers.get(id).map(|o| o.phone.clone()),
            Recipient::Staff(id) => roster.people.get(id).and_then(|p| p.phone.clone()),
            Recipient::Phone(phone) => Some(phone.clone()),
            Recipient::Matrix(_) => None,
        }
    }

    /// One pass over the pending outbox: [`SmsOutbound::read_pending`], then
    /// [`SmsOutbound::send_pending`]. Returns when the next pass is wanted (a
    /// retry's due time), if any message is waiting for one.
    pub async fn deliver_pending(&self) -> Result<Wake, OutboundError> {
        let pass = self.read_pending().await?;
        self.send_pending(pass).await
    }

    /// The first half of a pass: takes or renews the lease and reads what is
    /// pending. Writes nothing to the outbox.
    pub async fn read_pending(&self) -> Result<Pass, OutboundError> {
        let now = self.engine.now();
        let outbox = self.engine.outbox();
        let Some(held) = self.lease(now).await? else {
            return Ok(Pass::Nothing(Some(now + FOLLOWER_POLL)));
        };
        let pending = outbox.pending(Channel::Sms, BATCH).await?;
        if pending.is_empty() {
            return Ok(Pass::Nothing(None));
        }
        let more = i64::try_from(pending.len()).unwrap_or(i64::MAX) >= BATCH;
        let opted_out = Arc::new(outbox.opted_out().await?);
        let mut unreachable = Vec::new();
        let mut queues: Vec<(PhoneNumber, Vec<OutboxItem>)> = Vec::new();
        for item in pending {
            let Some(phone) = self.phone_of(&item.recipient) else {
                unreachable.push(item);
                continue;
            };
            match queues.iter_mut().find(|(p, _)| *p == phone) {
                Some((_, queue)) => queue.push(item),
                None => queues.push((phone, vec![item])),
            }
        }
        Ok(Pass::Batch(Batch {
            send_until: held.until - SEND_MARGIN,
            token: held.token,
            now,
            unreachable,
            queues,
            opted_out,
            more,
        }))
    }

    /// Claims `item` and fails it for good with `reason`, telling the engine (an
    /// undeliverable offer counts as unanswered at once).
    async fn give_up(
        &self,
        token: &LeaseToken,
        item: &OutboxItem,
        reason: &str,
        now: DateTime<Utc>,
    ) -> Result<(), OutboundError> {
        let outbox = self.engine.outbox();
        if !outbox.claim(token, item.id, SEND_MARGIN).await? {
            return Ok(());
        }
        outbox.failed(token, item.id, reason, now).await?;
        self.metrics.send(SendResult::Failed);
        self.engine.delivery_failed(item).await?;
        Ok(())
    }

    async fn deliver_queue(
        &self,
        token: &LeaseToken,
        phone: &PhoneNumber,
        queue: Vec<OutboxItem>,
        opted_out: &BTreeSet<String>,
        now: DateTime<Utc>,
        send_until: DateTime<Utc>,
    ) -> Result<Wake, OutboundError> {
        let outbox = self.engine.outbox();
        for item in queue {
            if self.engine.now() > send_until {
                // The lease may run out during the next send: stop, and let the
                // next pass renew it first. (The claim below checks the same by
                // the database's clock; this saves it the round trip.)
                return Ok(Some(self.engine.now()));
            }
            if item.next_attempt_at > now {
                // An earlier message waits for its retry: later ones wait behind it.
                return Ok(Some(item.next_attempt_at));
            }
            let unmarked = self.unmarked().get(&item.id).cloned();
            if let Some(sid) = unmarked {
                // The provider has it: mark it, and send it no second time.
                if outbox.claim(token, item.id, SEND_MARGIN).await? {
                    outbox.sent(token, item.id, Some(&sid), now).await?;
                    self.metrics.send(SendResult::Sent);
                    tracing::info!(outbox = item.id, to = phone.last_four(), %sid, "sms marked sent at last");
                }
                self.unmarked().remove(&item.id);
                continue;
            }
            if opted_out.contains(phone.as_str()) && item.message != Message::OptedOut {
                self.give_up(token, &item, "the number opted out of SMS", now)
                    .await?;
                continue;
            }
            if !outbox.claim(token, item.id, SEND_MARGIN).await? {
                // Marked since this pass read it: nothing left to send.
                continue;
            }
            let body = render::sms(&item.message);
            match self
                .provider
                .send(phone, &body, self.status_callback.as_deref(), now)
                .await
            {
                Ok(sent) => {
                    if let Err(error) = outbox.sent(token, item.id, Some(&sent.sid), now).await {
                        let error = OutboundError::from(error);
                        if error.is_lease_lost() {
                            // The one gap where a text goes out twice: the provider
                            // has it, but the next holder will send it again.
                            tracing::error!(outbox = item.id, to = phone.last_four(), sid = %sent.sid, %error,
                                "sms sent but not marked sent; the next holder of the lease sends it again");
                        } else {
                            // The database refused the mark: remember it, and mark
                            // it when the database takes writes again.
                            tracing::error!(outbox = item.id, to = phone.last_four(), sid = %sent.sid, %error,
                                "sms sent but not marked sent yet; marked when the database takes writes again");
                            self.unmarked().insert(item.id, sent.sid);
                        }
                        return Err(error);
                    }
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
                        outbox.failed(token, item.id, &reason, now).await?;
                        self.metrics.send(SendResult::Failed);
                        self.engine.delivery_failed(&item).await?;
                        continue;
                    }
                    let wait = backoff(attempt, rand::random::<f64>())
                        .max(retry_after.unwrap_or_default());
                    let at = now + Duration::from_std(wait).unwrap_or(Duration::seconds(30));
                    tracing::warn!(outbox = item.id, to = phone.last_four(), %reason, attempt, "sms send failed; retrying");
                    outbox.retry(token, item.id, at, &reason).await?;
                    self.metrics.send(SendResult::Retried);
                    return Ok(Some(at));
                }
                Err(SendError::Permanent { code, reason }) => {
                    tracing::error!(outbox = item.id, to = phone.last_four(), ?code, %reason, "sms refused by the provider");
                    let error = match code {
                        Some(code) => format!("{code}: {reason}"),
                        None => reason,
                    };
                    outbox.failed(token, item.id, &error, now).await?;
                    self.metrics.send(SendResult::Failed);
                    self.engine.delivery_failed(&item).await?;
                }
            }
        }
        Ok(None)
    }
}

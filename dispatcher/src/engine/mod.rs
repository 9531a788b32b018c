//! The engine around the pure core: it owns the clock, the timers and persistence.
//!
//! For each input it loads the hand-off, asks `decide` what follows at the clock's
//! `now`, and commits the new state, its events, timers and outgoing messages in one
//! transaction. Only then can anything be seen: messages leave through the outbox
//! after the commit (durable before visible), and a crash at any point either keeps
//! the whole decision or none of it.
//!
//! Ordering: inputs for one hand-off are processed one at a time (a lock per
//! hand-off), inputs for different hand-offs concurrently. Across processes sharing a
//! PostgreSQL database, the store's version check catches a concurrent writer and
//! the input is decided again on the fresh state.
//!
//! Each decision sees the configuration's directory with the schedule overrides
//! added on the dashboard merged in, brought up to date before it (`overrides`).
//!
//! Timers are rows with a due time. `fire_due` handles every timer due at `now`;
//! `run` calls it in a loop, sleeping until the next due time or until a new timer
//! is set, so a restarted engine resumes every escalation where it stood.

use std::collections::HashMap;
use std::sync::atomic::{AtomicI64, Ordering};
use std::sync::{Arc, Mutex, PoisonError};
use std::time::Duration as StdDuration;

use chrono::{DateTime, Utc};
use tokio::sync::Notify;

mod digests;
mod overrides;
mod receive;
pub use receive::{Receipt, Received};
mod timers;

use crate::clock::Clock;
use crate::decide::{DecideError, Decision, Effect, Input, decide, request};
use crate::directory::Directory;
use crate::event::EventKind;
use crate::handoff::{Actor, Handoff, HandoffId, Request, Timer};
use crate::message::{Message, Recipient};
use crate::outbox::{NewOutbound, OutboxItem};
use crate::store::{Commit, Outbox, Records, Store, StoreError};

#[derive(Debug, thiserror::Error)]
pub enum EngineError {
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error(transparent)]
    Decide(#[from] DecideError),
    #[error("there is no hand-off {0}")]
    UnknownHandoff(HandoffId),
    #[error("site `{0}` or its escalation policy is not configured")]
    UnknownSite(String),
    #[error("hand-off {0} kept changing under a concurrent writer; gave up after {1} tries")]
    Contended(HandoffId, u32),
    #[error("messages from {0} kept arriving at once; gave up after {1} tries")]
    Busy(String, u32),
    /// The task handling an input ended before it answered (a panic, or the
    /// runtime shutting down); whatever it committed stands.
    #[error("handling stopped before it finished: {0}")]
    Stopped(String),
}

impl EngineError {
    /// Whether the same input may succeed later: the database did not answer, or
    /// other writers kept winning. Anything else (no such hand-off, a site gone
    /// from the configuration, corrupt data, an input the state refuses) fails the
    /// same way every time.
    pub fn is_transient(&self) -> bool {
        match self {
            EngineError::Contended(..) | EngineError::Busy(..) => true,
            EngineError::Store(error) => error.is_transient(),
            _ => false,
        }
    }
}

/// What handling an input did: the hand-off as it now stands, and the messages that
/// were put in the outbox.
#[derive(Debug, Clone)]
pub struct Handled {
    pub handoff: Handoff,
    pub messages: Vec<(Recipient, Message)>,
}

/// How many times an input is decided again after a concurrent change.
pub(crate) const MAX_TRIES: u32 = 8;

/// The longest the timer loop sleeps without looking again, even with nothing due:
/// it bounds the damage of a missed wake-up, and the loop's heartbeat (for the
/// health check) never grows older than this.
pub const MAX_IDLE: StdDuration = StdDuration::from_secs(30);

/// How many due timers one pass handles before it looks at the clock again.
pub(crate) const TIMER_BATCH: i64 = 100;

struct Inner {
    store: Store,
    clock: Arc<dyn Clock>,
    /// The configuration's view with the stored overrides merged, swapped whole on
    /// a reload or when the overrides change (see `overrides`). Each decision takes
    /// one snapshot and uses it throughout, so no decision sees half of an old
    /// roster and half of a new one. (A std lock: it is held only to clone an
    /// `Arc`, or to swap in a directory built beside it.)
    directory: std::sync::RwLock<overrides::Merged>,
    /// Held while the stored overrides are read and merged, so that decisions
    /// finding them stale at once read them once.
    merging: tokio::sync::Mutex<()>,
    locks: Mutex<HashMap<HandoffId, Arc<tokio::sync::Mutex<()>>>>,
    /// One lock per sender address, so one sender's messages are decided in turn.
    sender_locks: Mutex<HashMap<String, Arc<tokio::sync::Mutex<()>>>>,
    /// Woken when a timer is set, so the loop can shorten its sleep.
    timers_changed: Notify,
    /// Woken when a message enters the outbox, for the transports.
    outbox_changed: Notify,
    /// When the timer loop last completed a pass (epoch ms); 0 before the first.
    heartbeat_ms: AtomicI64,
}

/// The dispatcher engine. Cheap to clone; clones share everything.
#[derive(Clone)]
pub struct Engine {
    inner: Arc<Inner>,
}

impl Engine {
    pub fn new(store: Store, clock: Arc<dyn Clock>, directory: Arc<Directory>) -> Engine {
        Engine {
            inner: Arc::new(Inner {
                store,
                clock,
                directory: std::sync::RwLock::new(overrides::Merged::new(directory)),
                merging: tokio::sync::Mutex::new(()),
                locks: Mutex::new(HashMap::new()),
                sender_locks: Mutex::new(HashMap::new()),
                timers_changed: Notify::new(),
                outbox_changed: Notify::new(),
                heartbeat_ms: AtomicI64::new(0),
            }),
        }
    }

    /// The records, for reports, metrics and health checks.
    pub fn records(&self) -> Records {
        Records::new(self.inner.store.clone())
    }

    /// The outbox, for the transports that deliver it.
    pub fn outbox(&self) -> Outbox {
        Outbox::new(self.inner.store.clone())
    }

    /// Forgets the words of hand-offs closed before `closed_before` (retention).
    pub async fn forget_text(
        &self,
        closed_before: DateTime<Utc>,
    ) -> Result<crate::store::Forgotten, StoreError> {
        self.inner
            .store
            .forget_text(closed_before, self.now())
            .await
    }

    /// Waits for the database's connections to be returned and closes them: the
    /// engine is unusable afterwards.
    pub async fn close(&self) {
        self.inner.store.close().await;
    }

    pub fn now(&self) -> DateTime<Utc> {
        self.inner.clock.now()
    }

    /// Signalled (`notify_waiters`) whenever messages enter the outbox. To wait
    /// without missing a signal, create and `enable` the `notified()` future before
    /// looking at the outbox, then await it.
    pub fn outbox_signal(&self) -> &Notify {
        &self.inner.outbox_changed
    }

    /// When the timer loop last finished a pass, if it has.
    pub fn heartbeat(&self) -> Option<DateTime<Utc>> {
        let ms = self.inner.heartbeat_ms.load(Ordering::Relaxed);
        (ms > 0)
            .then(|| DateTime::from_timestamp_millis(ms))
            .flatten()
    }

    fn lock_for(&self, id: HandoffId) -> Arc<tokio::sync::Mutex<()>> {
        let mut locks = self
            .inner
            .locks
            .lock()
            .unwrap_or_else(PoisonError::into_inner);
        locks.entry(id).or_default().clone()
    }

    fn forget_lock(&self, id: HandoffId) {
        let mut locks = self
            .inner
            .locks
            .lock()
            .unwrap_or_else(PoisonError::into_inner);
        // Only drop it if nobody else holds a handle to it right now.
        if locks.get(&id).is_some_and(|l| Arc::strong_count(l) == 1) {
            locks.remove(&id);
        }
    }

    /// The load snapshot a decision sees: the store's, plus who no transport can
    /// reach (opted out of SMS, or with no phone, and not deliverable by Matrix), so
    /// that routing skips them rather than offering into silence.
    async fn load(
        &self,
        now: DateTime<Utc>,
        directory: &Directory,
    ) -> Result<crate::load::Load, EngineError> {
        let mut load = self.inner.store.load(now).await?;
        let opted_out = self.inner.store.opted_out().await?;
        for person in directory.roster.people.values() {
            let by_sms = person
                .phone
                .as_ref()
                .is_some_and(|phone| !opted_out.contains(phone.as_str()));
            let by_matrix = directory.matrix_delivery && person.matrix.is_some();
            if !by_sms && !by_matrix {
                load.unreachable.insert(person.id.clone());
            }
        }
        Ok(load)
    }

    /// Opens a new hand-off for an officer's request.
    pub async fn request(&self, new: Request) -> Result<Handled, EngineError> {
        for _ in 0..MAX_TRIES {
            let now = self.now();
            let directory = self.fresh_directory().await?;
            let load = self.load(now, &directory).await?;
            let world = directory
                .world(&new.site, &load)
                .ok_or_else(|| EngineError::UnknownSite(new.site.to_string()))?;
            let id = self.inner.store.allocate_handoff_id().await?;
            let decision = request(id, new.clone(), now, &world)?;
            match self.commit(None, None, decision, now).await {
                // Numbers are allocated atomically, so this is only a number put
                // in by hand (an import): take the next one.
                Err(EngineError::Store(StoreError::Conflict { .. })) => continue,
                other => return other,
            }
        }
        Err(EngineError::Contended(HandoffId::FIRST, MAX_TRIES))
    }

    /// Applies an input to hand-off `id`.
    pub async fn handle(&self, id: HandoffId, input: Input) -> Result<Handled, EngineError> {
        let lock = self.lock_for(id);
        let result = {
            let _serial = lock.lock().await;
            self.handle_locked(id, input).await
        };
        drop(lock);
        if result.as_ref().is_ok_and(|h| h.handoff.state.is_closed()) {
            self.forget_lock(id);
        }
        result
    }

    async fn handle_locked(&self, id: HandoffId, input: Input) -> Result<Handled, EngineError> {
        let consumed = match &input {
            Input::Timer(timer) => Some(*timer),
            _ => None,
        };
        for _ in 0..MAX_TRIES {
            let now = self.now();
            let Some((handoff, version)) = self.inner.store.handoff(id).await? else {
                return Err(EngineError::UnknownHandoff(id));
            };
            let directory = self.fresh_directory().await?;
            let load = self.load(now, &directory).await?;
            let world = directory
                .world(&handoff.request.site, &load)
                .ok_or_else(|| EngineError::UnknownSite(handoff.request.site.to_string()))?;
            let decision = decide(&handoff, input.clone(), now, &world)?;
            match self.commit(Some(version), consumed, decision, now).await {
                Err(EngineError::Store(StoreError::Conflict { .. })) => {
                    // A timer that is gone was handled by someone else: nothing to do.
                    if let Some(timer) = consumed
                        && !self.inner.store.timer_pending(id, timer).await?
                    {
                        return Ok(Handled {
                            handoff,
                            messages: Vec::new(),
                        });
                    }
                    continue;
                }
                other => return other,
            }
        }
        Err(EngineError::Contended(id, MAX_TRIES))
    }

    /// Persists a decision in one transaction, then wakes whoever waits on it.
    async fn commit(
        &self,
        expected_version: Option<i64>,
        consumed: Option<Timer>,
        decision: Decision,
        now: DateTime<Utc>,
    ) -> Result<Handled, EngineError> {
        let directory = self.directory();
        let (commit, messages) = prepare(&directory, expected_version, consumed, decision, now);
        let handoff = commit.handoff.clone();
        let new_timers = !commit.schedule.is_empty();
        let new_messages = !commit.outbox.is_empty();
        self.inner.store.commit(commit).await?;
        self.committed(new_timers, new_messages);
        for (to, message) in &messages {
            tracing::debug!(handoff = %handoff.id, ?to, message = message_name(message), "queued");
        }
        Ok(Handled { handoff, messages })
    }

    /// Wakes the timer loop and the transports after a commit that set timers or
    /// queued messages.
    fn committed(&self, new_timers: bool, new_messages: bool) {
        if new_timers {
            self.inner.timers_changed.notify_one();
        }
        if new_messages {
            self.inner.outbox_changed.notify_waiters();
        }
    }

    /// A transport could not deliver this message. An undeliverable offer counts as
    /// unanswered at once, so escalation does not wait out the timeout; any other
    /// message about a hand-off is recorded, and the first failure towards one side
    /// of an accepted hand-off is told to the other side (once: the hand-off keeps
    /// who was told).
    pub async fn delivery_failed(&self, item: &OutboxItem) -> Result<(), EngineError> {
        tracing::warn!(handoff = ?item.handoff, message = message_name(&item.message), "message could not be delivered");
        if let (Message::Offer { id, .. }, Recipient::Staff(person)) =
            (&item.message, &item.recipient)
        {
            self.handle(*id, Input::Undeliverable { to: person.clone() })
                .await?;
            return Ok(());
        }
        let to = match &item.recipient {
            Recipient::Officer(officer) => Actor::Officer(officer.clone()),
            Recipient::Staff(person) => Actor::Staff(person.clone()),
            // An address outside the roster (a refusal): no hand-off to tell.
            Recipient::Phone(_) | Recipient::Matrix(_) => return Ok(()),
        };
        if let Some(id) = item.message.handoff() {
            self.handle(id, Input::NotDelivered { to }).await?;
        }
        Ok(())
    }
}

/// What a decision writes: the [`Commit`] (with the outbox keys of its messages)
/// and the messages, for the caller.
fn prepare(
    directory: &Directory,
    expected_version: Option<i64>,
    consumed: Option<Timer>,
    decision: Decision,
    now: DateTime<Utc>,
) -> (Commit, Vec<(Recipient, Message)>) {
    let Decision { handoff, effects } = decision;
    let version = expected_version.map_or(1, |v| v.saturating_add(1));
    let mut commit = Commit {
        handoff,
        expected_version,
        events: Vec::new(),
        schedule: Vec::new(),
        cancel: Vec::new(),
        consumed,
        outbox: Vec::new(),
        offered: Vec::new(),
        now,
    };
    let mut messages = Vec::new();
    for (index, effect) in effects.into_iter().enumerate() {
        match effect {
            Effect::Send { to, message } => {
                // Unique per decision: the hand-off, the version this decision
                // creates, and the effect's place in it.
                let key = format!("{}:{}:{}", commit.handoff.id, version, index);
                commit.outbox.push(NewOutbound {
                    key,
                    channel: directory.channel_for(&to),
                    recipient: to.clone(),
                    message: message.clone(),
                });
                messages.push((to, message));
            }
            Effect::Schedule { timer, at } => {
                commit.cancel.retain(|t| *t != timer);
                commit.schedule.push((timer, at));
            }
            Effect::Cancel { timer } => {
                commit.schedule.retain(|(t, _)| *t != timer);
                commit.cancel.push(timer);
            }
            Effect::Record { event } => {
                if let EventKind::Offered { person, .. } = &event.kind {
                    commit.offered.push((person.clone(), event.at));
                }
                commit.events.push(event);
            }
        }
    }
    (commit, messages)
}

/// The variant name of a message, for logs that must not carry its text.
pub fn message_name(message: &Message) -> &'static str {
    match message {
        Message::Received { .. } => "received",
        Message::Assigned { .. } => "assigned",
        Message::Eta { .. } => "eta",
        Message::ArrivedAtScene { .. } => "arrived_at_scene",
        Message::Completed { .. } => "completed",
        Message::Unstaffed { .. } => "unstaffed",
        Message::OutOfHours { .. } => "out_of_hours",
        Message::AfterHoursSearching { .. } => "after_hours_searching",
        Message::CancelledByStaff { .. } => "cancelled_by_staff",
        Message::CancelConfirmed { .. } => "cancel_confirmed",
        Message::Expired { .. } => "expired",
        Message::RelayFromStaff { .. } => "relay_from_staff",
        Message::Offer { .. } => "offer",
        Message::Assignment { .. } => "assignment",
        Message::TakenByOther { .. } => "taken_by_other",
        Message::AlreadyTaken { .. } => "already_taken",
        Message::Withdrawn { .. } => "withdrawn",
        Message::CancelledByOfficer { .. } => "cancelled_by_officer",
        Message::RelayFromOfficer { .. } => "relay_from_officer",
        Message::NotGettingThrough { .. } => "not_getting_through",
        Message::UnstaffedAlert { .. } => "unstaffed_alert",
        Message::ExpiredAlert { .. } => "expired_alert",
        Message::Closed { .. } => "closed",
        Message::Help { .. } => "help",
        Message::NotRegistered { .. } => "not_registered",
        Message::GivenBack { .. } => "given_back",
        Message::NotDiverted { .. } => "not_diverted",
        Message::RunningLate { .. } => "running_late",
        Message::FollowedUpForOfficer { .. } => "followed_up_for_officer",
        Message::ReportNumberRecorded { .. } => "report_number_recorded",
        Message::DeclineConfirmed { .. } => "decline_confirmed",
        Message::GiveBackConfirmed { .. } => "give_back_confirmed",
        Message::NotDivertedRecorded { .. } => "not_diverted_recorded",
        Message::EtaPassed { .. } => "eta_passed",
        Message::LateAlert { .. } => "late_alert",
        Message::IntakeReminder { .. } => "intake_reminder",
        Message::IntakeOverdueAlert { .. } => "intake_overdue_alert",
        Message::IntakeRecorded { .. } => "intake_recorded",
        Message::FollowUpTaken { .. } => "follow_up_taken",
        Message::FollowUpTakenByOther { .. } => "follow_up_taken_by_other",
        Message::FollowedUpConfirmed { .. } => "followed_up_confirmed",
        Message::FollowUpDigest { .. } => "follow_up_digest",
        Message::FollowUps { .. } => "follow_ups",
        Message::OptedOut => "opted_out",
        Message::OptedIn => "opted_in",
        Message::Problem { .. } => "problem",
        Message::Status { .. } => "status",
        Message::OnDutyNow { .. } => "on_duty_now",
        Message::DropOffConfirmed { .. } => "drop_off_confirmed",
        Message::DropOffRefused { .. } => "drop_off_refused",
        Message::CheckedInAtCenter { .. } => "checked_in_at_center",
        Message::DropOffComing { .. } => "drop_off_coming",
        Message::DropOffReleased { .. } => "drop_off_released",
        Message::CheckInRecorded { .. } => "check_in_recorded",
        Message::DropOffCalledOff { .. } => "drop_off_called_off",
        Message::DropOffOverdue { .. } => "drop_off_overdue",
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::decide::DecideError;

    #[test]
    fn only_a_faltering_database_or_lost_races_are_worth_a_retry() {
        let id = HandoffId::new(1001);
        assert!(EngineError::Contended(id, MAX_TRIES).is_transient());
        assert!(EngineError::Store(StoreError::Database(sqlx::Error::PoolTimedOut)).is_transient());
        for permanent in [
            EngineError::UnknownHandoff(id),
            EngineError::UnknownSite("gone".to_owned()),
            EngineError::Decide(DecideError::NotYetAccepted { id }),
            EngineError::Store(StoreError::CorruptValue {
                table: "handoffs",
                id: "1001".to_owned(),
                detail: "unknown state".to_owned(),
            }),
        ] {
            assert!(!permanent.is_transient(), "{permanent}");
        }
    }
}

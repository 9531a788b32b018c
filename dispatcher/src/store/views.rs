//! The store as other crates see it: two narrow views instead of the whole store.
//!
//! - [`Records`]: what reports, metrics, health checks, the command line and the
//!   dashboard read, plus the one fact the command line records (an intake) and
//!   the refresh of the dashboard's rollup (derived from the log, never a fact).
//! - [`Outbox`]: what a transport needs to deliver the outbox: pending messages, the
//!   fenced claim and outcome of each send, the sending lease, opt-outs, and the
//!   sandbox provider's transcript.
//!
//! Everything that changes hand-offs goes through the engine, in one transaction
//! per input; neither view can change one.

use chrono::{DateTime, Duration, Utc};
use chrono_tz::Tz;
use handoff_schedules::SiteId;

use super::{
    Backend, Gauges, IntakeItem, LeaseToken, OutboxListener, PostedEvent, RefreshReport,
    SandboxDirection, SandboxEntry, SandboxVersion, Store, StoreError, WebSession,
};
use crate::contact::{Channel, PhoneNumber};
use crate::event::Event;
use crate::handoff::{Handoff, HandoffId};
use crate::message::Recipient;
use crate::outbox::OutboxItem;
use crate::stats::{Board, BoardFilter, GroupBy, GroupStats, Selection};

/// The program's records, read-only but for recording an intake and keeping the
/// dashboard's rollup (a table derived from the event log) up to date.
#[derive(Debug, Clone)]
pub struct Records {
    store: Store,
}

impl Records {
    pub(crate) fn new(store: Store) -> Records {
        Records { store }
    }

    /// Opens an existing database for reading (reports, intake): a mistyped SQLite
    /// path is an error, not a new empty database.
    pub async fn open_existing(url: &str) -> Result<Records, StoreError> {
        Ok(Records::new(Store::open_existing(url).await?))
    }

    pub fn backend(&self) -> Backend {
        self.store.backend()
    }

    pub async fn close(&self) {
        self.store.close().await;
    }

    /// A hand-off as it stands, if it exists.
    pub async fn handoff(&self, id: HandoffId) -> Result<Option<Handoff>, StoreError> {
        Ok(self.store.handoff(id).await?.map(|(handoff, _)| handoff))
    }

    pub async fn open_handoffs(&self) -> Result<Vec<Handoff>, StoreError> {
        self.store.open_handoffs().await
    }

    /// Events with `from <= at < to` (either bound may be open), in commit order.
    pub async fn events(
        &self,
        from: Option<DateTime<Utc>>,
        to: Option<DateTime<Utc>>,
    ) -> Result<Vec<Event>, StoreError> {
        self.store.events(from, to).await
    }

    pub async fn events_of(&self, id: HandoffId) -> Result<Vec<Event>, StoreError> {
        self.store.events_of(id).await
    }

    /// Every message in the outbox, oldest first.
    pub async fn outbox_all(&self) -> Result<Vec<OutboxItem>, StoreError> {
        self.store.outbox_all().await
    }

    pub async fn gauges(&self, now: DateTime<Utc>) -> Result<Gauges, StoreError> {
        self.store.gauges(now).await
    }

    pub async fn next_timer_due(&self) -> Result<Option<DateTime<Utc>>, StoreError> {
        self.store.next_timer_due().await
    }

    /// Pending timers due by `by`, soonest first, at most `limit`.
    pub async fn timers_due_by(
        &self,
        by: DateTime<Utc>,
        limit: i64,
    ) -> Result<Vec<(HandoffId, crate::handoff::Timer, DateTime<Utc>)>, StoreError> {
        self.store.due_timers(by, limit).await
    }

    /// Whether hand-off `id` has `timer` pending.
    pub async fn timer_pending(
        &self,
        id: HandoffId,
        timer: crate::handoff::Timer,
    ) -> Result<bool, StoreError> {
        self.store.timer_pending(id, timer).await
    }

    pub async fn intake_due(
        &self,
        now: DateTime<Utc>,
        within: Duration,
    ) -> Result<Vec<IntakeItem>, StoreError> {
        self.store.intake_due(now, within).await
    }

    /// Records hand-off `id`'s intake as complete at `at` through the engine, as
    /// `INTAKE 4821` by text does (the same rule, its event, its reminders
    /// stopped), in one transaction. `false` if it owes no intake or it was
    /// already recorded.
    pub async fn complete_intake(
        &self,
        id: HandoffId,
        at: DateTime<Utc>,
        directory: std::sync::Arc<crate::directory::Directory>,
    ) -> Result<bool, crate::engine::EngineError> {
        let clock = std::sync::Arc::new(crate::clock::MockClock::new(at));
        let engine = crate::engine::Engine::new(self.store.clone(), clock, directory);
        let by = crate::handoff::Actor::System;
        match engine
            .handle(id, crate::decide::Input::IntakeDone { by })
            .await
        {
            Ok(_) => Ok(true),
            Err(crate::engine::EngineError::Decide(crate::decide::DecideError::NoIntake {
                ..
            })) => Ok(false),
            Err(error) => Err(error),
        }
    }

    pub async fn web_key(&self, name: &str, fresh: &str) -> Result<String, StoreError> {
        self.store.web_key(name, fresh).await
    }

    pub async fn start_web_session(
        &self,
        token_hash: &str,
        session: &WebSession,
    ) -> Result<(), StoreError> {
        self.store.start_web_session(token_hash, session).await
    }

    pub async fn web_session(
        &self,
        token_hash: &str,
        now: DateTime<Utc>,
    ) -> Result<Option<WebSession>, StoreError> {
        self.store.web_session(token_hash, now).await
    }

    pub async fn end_web_session(&self, token_hash: &str) -> Result<(), StoreError> {
        self.store.end_web_session(token_hash).await
    }

    /// The schedule overrides added on the dashboard and in force, in the order
    /// they were added; with `with_removed`, the removed ones too (with who
    /// removed them). Adding and removing go through the engine.
    pub async fn overrides(
        &self,
        with_removed: bool,
    ) -> Result<Vec<crate::overrides::StoredOverride>, StoreError> {
        self.store.overrides(with_removed).await
    }

    /// The messages queued about one hand-off (its timeline's channels).
    pub async fn outbox_of(&self, handoff: HandoffId) -> Result<Vec<OutboxItem>, StoreError> {
        self.store.outbox_of(handoff).await
    }

    /// What routing knows of each person's load now: who is busy, open cases.
    pub async fn load(&self, now: DateTime<Utc>) -> Result<crate::load::Load, StoreError> {
        self.store.load(now).await
    }

    /// Checks the event log's hash chain (`crate::audit`), a page of rows at a time,
    /// and that it passes through `anchor` if one is given: `Ok(Err(..))` names the
    /// first broken link.
    pub async fn verify_audit(
        &self,
        anchor: Option<crate::audit::Anchor>,
    ) -> Result<Result<crate::audit::Verified, crate::audit::Break>, StoreError> {
        self.store.verify_audit(anchor).await
    }

    /// Brings the dashboard's rollup up to date with the event log: every hand-off
    /// with events past the rollup's watermark is folded again from all its events
    /// (`stats::metrics`) and its row rewritten, a bounded batch per transaction.
    /// Safe to run from several instances at once (see `store::rollup`); an
    /// unchanged log costs one small query. `zone_of` gives each site's time zone.
    pub async fn refresh_stats(
        &self,
        zone_of: &(dyn Fn(&SiteId) -> Tz + Sync),
    ) -> Result<RefreshReport, StoreError> {
        self.store.refresh_stats(zone_of).await
    }

    /// [`Records::refresh_stats`] with batches of `batch_events` events, to test
    /// what spans batches.
    #[cfg(feature = "testing")]
    pub async fn refresh_stats_in_batches(
        &self,
        zone_of: &(dyn Fn(&SiteId) -> Tz + Sync),
        batch_events: i64,
    ) -> Result<RefreshReport, StoreError> {
        self.store
            .refresh_stats_in_batches(zone_of, batch_events)
            .await
    }

    /// The dashboard's board for the hand-offs the filter picks, from the rollup as
    /// the last [`Records::refresh_stats`] left it. The rollup is held in memory,
    /// read on from where the last board left it: the first board after a start
    /// reads every row (seconds for a million hand-offs), later ones only what
    /// changed.
    pub async fn board(&self, filter: &BoardFilter) -> Result<Board, StoreError> {
        self.store.board(filter).await
    }

    /// `handoff report summary`: the hand-offs `selection` covers, grouped `by`,
    /// from the rollup as the last [`Records::refresh_stats`] left it (the groups
    /// `stats::aggregate` gives over the same hand-offs' metrics). Grouped by the
    /// database: no event is read.
    pub async fn summary(
        &self,
        selection: &Selection,
        by: GroupBy,
    ) -> Result<Vec<GroupStats>, StoreError> {
        self.store.summary(selection, by).await
    }

    /// Reads the rollup's rows written since the last read into memory (as
    /// [`Records::board`] does before counting); returns how many hand-offs are
    /// held. `handoff serve` calls it as it starts, so that the dashboard's first
    /// board does not wait for a million rows.
    pub async fn read_board_rows(&self) -> Result<usize, StoreError> {
        self.store.catch_up_board(super::board::PAGE).await
    }

    /// [`Records::read_board_rows`], `page` rows at a time.
    #[cfg(feature = "testing")]
    pub async fn catch_up_board(&self, page: i64) -> Result<usize, StoreError> {
        self.store.catch_up_board(page).await
    }

    /// Hand-offs that became follow-ups (`all`: done ones too), by number.
    pub async fn followups(&self, all: bool) -> Result<Vec<Handoff>, StoreError> {
        if all {
            self.store.all_followups().await
        } else {
            self.store.open_followups().await
        }
    }
}

/// What a transport reads and records while delivering the outbox.
#[derive(Debug, Clone)]
pub struct Outbox {
    store: Store,
}

impl Outbox {
    pub(crate) fn new(store: Store) -> Outbox {
        Outbox { store }
    }

    /// Every pending message, due or not, oldest first, at most `limit`.
    pub async fn pending(
        &self,
        channel: Channel,
        limit: i64,
    ) -> Result<Vec<OutboxItem>, StoreError> {
        self.store.outbox_pending(channel, limit).await
    }

    /// The message a provider knows by `provider_id` (for delivery receipts).
    pub async fn by_provider_id(
        &self,
        provider_id: &str,
    ) -> Result<Option<OutboxItem>, StoreError> {
        self.store.outbox_by_provider_id(provider_id).await
    }

    /// Claims message `id` for a send under the lease `token` (see `Store::outbox_claim`).
    pub async fn claim(
        &self,
        token: &LeaseToken,
        id: i64,
        margin: Duration,
    ) -> Result<bool, StoreError> {
        self.store.outbox_claim(token, id, margin).await
    }

    pub async fn sent(
        &self,
        token: &LeaseToken,
        id: i64,
        provider_id: Option<&str>,
        now: DateTime<Utc>,
    ) -> Result<(), StoreError> {
        self.store.outbox_sent(token, id, provider_id, now).await
    }

    pub async fn retry(
        &self,
        token: &LeaseToken,
        id: i64,
        at: DateTime<Utc>,
        error: &str,
    ) -> Result<(), StoreError> {
        self.store.outbox_retry(token, id, at, error).await
    }

    pub async fn failed(
        &self,
        token: &LeaseToken,
        id: i64,
        error: &str,
        now: DateTime<Utc>,
    ) -> Result<(), StoreError> {
        self.store.outbox_failed(token, id, error, now).await
    }

    /// A delivery receipt said the message failed (not fenced: any instance may
    /// receive the receipt).
    pub async fn receipt_failed(
        &self,
        id: i64,
        error: &str,
        now: DateTime<Utc>,
    ) -> Result<(), StoreError> {
        self.store.outbox_mark_failed(id, error, now).await
    }

    /// Matrix could not deliver message `id`: it goes by SMS instead, at once.
    pub async fn to_sms(
        &self,
        id: i64,
        reason: &str,
        now: DateTime<Utc>,
    ) -> Result<bool, StoreError> {
        self.store.outbox_to_sms(id, reason, now).await
    }

    /// The Matrix room kept for `purpose`, if any.
    pub async fn matrix_room(&self, purpose: &str) -> Result<Option<String>, StoreError> {
        self.store.matrix_room(purpose).await
    }

    /// Keeps a room for `purpose` unless one is kept already; returns the one kept.
    pub async fn keep_matrix_room(
        &self,
        purpose: &str,
        room_id: &str,
        now: DateTime<Utc>,
    ) -> Result<String, StoreError> {
        self.store.keep_matrix_room(purpose, room_id, now).await
    }

    pub async fn forget_matrix_room(&self, purpose: &str) -> Result<(), StoreError> {
        self.store.forget_matrix_room(purpose).await
    }

    pub async fn record_matrix_event(
        &self,
        posted: &PostedEvent,
        now: DateTime<Utc>,
    ) -> Result<(), StoreError> {
        self.store.record_matrix_event(posted, now).await
    }

    pub async fn matrix_event(&self, event_id: &str) -> Result<Option<PostedEvent>, StoreError> {
        self.store.matrix_event(event_id).await
    }

    pub async fn matrix_events_of(
        &self,
        handoff: HandoffId,
        recipient: &Recipient,
        kind: &str,
    ) -> Result<Vec<PostedEvent>, StoreError> {
        self.store.matrix_events_of(handoff, recipient, kind).await
    }

    pub async fn matrix_state(&self, name: &str) -> Result<Option<String>, StoreError> {
        self.store.matrix_state(name).await
    }

    pub async fn set_matrix_state(&self, name: &str, value: &str) -> Result<(), StoreError> {
        self.store.set_matrix_state(name, value).await
    }

    pub async fn take_lease(
        &self,
        name: &str,
        holder: &str,
        held: Option<&LeaseToken>,
        ttl: Duration,
    ) -> Result<Option<LeaseToken>, StoreError> {
        self.store.take_lease(name, holder, held, ttl).await
    }

    pub async fn release_lease(&self, token: &LeaseToken) -> Result<(), StoreError> {
        self.store.release_lease(token).await
    }

    /// Ends lease `name` now, whoever holds it: for tests and drills of a takeover.
    #[cfg(feature = "testing")]
    pub async fn expire_lease(&self, name: &str) -> Result<(), StoreError> {
        self.store.expire_lease(name).await
    }

    /// Every number that opted out of SMS (E.164).
    pub async fn opted_out(&self) -> Result<std::collections::BTreeSet<String>, StoreError> {
        self.store.opted_out().await
    }

    /// Outbox notifications from every process on the database (`None` on SQLite).
    pub async fn listener(&self) -> Result<Option<OutboxListener>, StoreError> {
        self.store.outbox_listener().await
    }

    pub async fn sandbox_record(
        &self,
        phone: &PhoneNumber,
        direction: SandboxDirection,
        body: &str,
        at: DateTime<Utc>,
    ) -> Result<i64, StoreError> {
        self.store.sandbox_record(phone, direction, body, at).await
    }

    pub async fn sandbox_conversation(
        &self,
        phone: &PhoneNumber,
        limit: i64,
    ) -> Result<Vec<SandboxEntry>, StoreError> {
        self.store.sandbox_conversation(phone, limit).await
    }

    pub async fn sandbox_version(&self) -> Result<SandboxVersion, StoreError> {
        self.store.sandbox_version().await
    }
}

//! Delivery of the outbox's Matrix messages: each is posted in its recipient's
//! encrypted direct room, or, for "taken by someone else" and "withdrawn", edits
//! the offer it closes (`m.replace`), so nobody acts on a stale offer. An offer
//! made to several people at once is posted once, in the site's room, for all of
//! them who have joined it (the others get it in their direct room); the first ✅
//! there takes it, and the one message is edited to say by whom.
//!
//! Rules, and why:
//! - **SMS at once when Matrix cannot.** A message whose post fails, times out, or
//!   finds the homeserver unreachable moves to SMS for the same person straight
//!   away (the SMS worker then texts it, or reports it undeliverable, which
//!   escalates an offer): an offer must reach someone within its step.
//! - **One poster per database.** Only the holder of the `matrix-delivery` lease
//!   posts, with the same fencing as SMS: it claims each message with its token
//!   before posting and marks it sent with it.
//! - **In order.** Messages are posted one after another in outbox order, so a
//!   person reads them in the order they were decided.

use std::sync::{Arc, PoisonError};
use std::time::Duration;

use chrono::{DateTime, Utc};
use handoff_bot::chat::Stop;
use handoff_dispatcher::engine::message_name;
use handoff_dispatcher::message::OfferContext;
use handoff_dispatcher::{
    Channel, HandoffId, LeaseToken, MatrixUserId, Message, OutboxItem, PostedEvent, Recipient,
};
use matrix_sdk::ruma::EventId;
use matrix_sdk::ruma::events::room::message::{ReplacementMetadata, RoomMessageEventContent};

use crate::{Bot, MatrixError, render, rooms};

/// The lease whose holder is the one process that posts in Matrix.
pub const LEASE: &str = "matrix-delivery";
const LEASE_TTL: chrono::Duration = chrono::Duration::seconds(60);
/// A post is started only while the lease has this long left: more than
/// [`POST_TIMEOUT`].
const SEND_MARGIN: chrono::Duration = chrono::Duration::seconds(25);
/// A post that takes longer goes by SMS instead.
const POST_TIMEOUT: Duration = Duration::from_secs(10);
/// The longest the worker sleeps with nothing to do.
const MAX_IDLE: Duration = Duration::from_secs(30);
const BATCH: i64 = 200;

impl Bot {
    /// Runs until `stop` resolves.
    pub(crate) async fn delivery_loop(self: Arc<Bot>, stop: Stop) {
        tokio::pin!(stop);
        loop {
            let signal = self.engine.outbox_signal().notified();
            tokio::pin!(signal);
            signal.as_mut().enable();
            let wait = match self.delivery_pass().await {
                Ok(wait) => wait,
                Err(error) => {
                    tracing::warn!(%error, "a Matrix delivery pass failed; trying again shortly");
                    Duration::from_secs(2)
                }
            };
            tokio::select! {
                () = &mut stop => break,
                () = signal => {}
                () = self.ready.notified() => {}
                () = tokio::time::sleep(wait) => {}
            }
        }
        let held = self
            .lease
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .take();
        if let Some((token, _)) = held
            && let Err(error) = self.engine.outbox().release_lease(&token).await
        {
            tracing::warn!(%error, "could not release the Matrix lease; it expires in a minute");
        }
    }

    /// Posts what is pending; returns how long to wait before the next pass.
    async fn delivery_pass(&self) -> Result<Duration, MatrixError> {
        let now = self.engine.now();
        let outbox = self.engine.outbox();
        let pending = outbox.pending(Channel::Matrix, BATCH).await?;
        if pending.is_empty() {
            return Ok(MAX_IDLE);
        }
        if self.is_down() {
            for item in &pending {
                self.to_sms(item, "the Matrix homeserver does not answer")
                    .await?;
            }
            return Ok(MAX_IDLE);
        }
        if !self.is_connected() {
            // Starting: the first sync has not answered yet either way.
            return Ok(Duration::from_millis(200));
        }
        let Some(token) = self.delivery_lease().await? else {
            return Ok(Duration::from_secs(5));
        };
        for item in pending {
            if !outbox.claim(&token, item.id, SEND_MARGIN).await? {
                // The lease ran low or was lost: the next pass asks again.
                *self.lease.lock().unwrap_or_else(PoisonError::into_inner) = None;
                return Ok(Duration::from_secs(1));
            }
            let posted = tokio::time::timeout(POST_TIMEOUT, self.post(&item, now)).await;
            match posted {
                Ok(Ok(event)) => {
                    outbox.record_matrix_event(&event, now).await?;
                    outbox
                        .sent(&token, item.id, Some(&event.event_id), self.engine.now())
                        .await?;
                    self.metrics.matrix_send(true);
                }
                Ok(Err(error)) => self.to_sms(&item, &error.to_string()).await?,
                Err(_) => {
                    self.to_sms(&item, "posting in Matrix took longer than 10 s")
                        .await?
                }
            }
        }
        Ok(MAX_IDLE)
    }

    async fn to_sms(&self, item: &OutboxItem, reason: &str) -> Result<(), MatrixError> {
        tracing::warn!(
            message = message_name(&item.message),
            handoff = ?item.handoff,
            %reason,
            "Matrix cannot take a message; it goes by SMS"
        );
        self.engine
            .outbox()
            .to_sms(item.id, &format!("Matrix: {reason}"), self.engine.now())
            .await?;
        // Wake the SMS worker in this process now (others hear of it through the
        // database's notification); it would otherwise look only at its next idle
        // pass, up to half a minute later.
        self.engine.outbox_signal().notify_waiters();
        self.metrics.matrix_send(false);
        Ok(())
    }

    /// The lease, taken or renewed when less than half of it is left.
    async fn delivery_lease(&self) -> Result<Option<LeaseToken>, MatrixError> {
        let now = self.engine.now();
        let held = self
            .lease
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .clone();
        if let Some((token, until)) = &held
            && *until - now > LEASE_TTL / 2
        {
            return Ok(Some(token.clone()));
        }
        let token = self
            .engine
            .outbox()
            .take_lease(
                LEASE,
                &self.holder,
                held.as_ref().map(|(t, _)| t),
                LEASE_TTL,
            )
            .await?;
        if token.is_some() && held.is_none() {
            tracing::info!("took the Matrix lease: this instance posts in Matrix now");
        }
        *self.lease.lock().unwrap_or_else(PoisonError::into_inner) =
            token.clone().map(|token| (token, now + LEASE_TTL));
        Ok(token)
    }

    /// Posts one message, or edits the offers it closes.
    async fn post(
        &self,
        item: &OutboxItem,
        now: DateTime<Utc>,
    ) -> Result<PostedEvent, MatrixError> {
        let user = self
            .matrix_id_of(&item.recipient)
            .ok_or(MatrixError::NoMatrixId)?;
        if let (Message::Offer { context, .. }, Some(handoff)) = (&item.message, item.handoff)
            && context.together > 1
            && let Some(shared) = self
                .offer_in_site_room(item, handoff, context, &user, now)
                .await?
        {
            return Ok(shared);
        }
        if let (Some(closing), Some(handoff)) = (render::closed_offer(&item.message), item.handoff)
        {
            let offers = self
                .engine
                .outbox()
                .matrix_events_of(handoff, &item.recipient, "offer")
                .await?;
            if let Some(last) = offers.last() {
                for offer in &offers {
                    self.edit(offer, &closing).await?;
                }
                return Ok(posted(item, &last.room_id, &last.event_id));
            }
        }
        let registered = !matches!(item.recipient, Recipient::Matrix(_));
        let room = self.room_for(&user, registered).await?;
        let body = render::matrix(&item.message, now);
        let response = room
            .send(RoomMessageEventContent::text_plain(body))
            .await
            .map_err(MatrixError::sdk)?;
        Ok(posted(
            item,
            room.room_id().as_str(),
            response.response.event_id.as_str(),
        ))
    }

    /// Posts an offer of a round of several people in the site's room, once for
    /// the round: the first of its messages posts it, the others record the same
    /// event for their recipients. `None` when the site has no room, or `user` has
    /// not joined it, or it is not encrypted: the offer then goes to their direct
    /// room.
    async fn offer_in_site_room(
        &self,
        item: &OutboxItem,
        handoff: HandoffId,
        context: &OfferContext,
        user: &MatrixUserId,
        now: DateTime<Utc>,
    ) -> Result<Option<PostedEvent>, MatrixError> {
        let outbox = self.engine.outbox();
        let Some(record) = self.engine.records().handoff(handoff).await? else {
            return Ok(None);
        };
        let Some(room_id) = outbox
            .matrix_room(&rooms::site(record.request.site.as_str()))
            .await?
        else {
            return Ok(None);
        };
        let Some(room) = self.client.get_room(&rooms::parse_room(&room_id)?) else {
            return Ok(None);
        };
        let joined = rooms::is_member(&room, user).await?;
        let encrypted = room
            .latest_encryption_state()
            .await
            .map_err(MatrixError::sdk)?
            .is_encrypted();
        if !joined || !encrypted {
            return Ok(None);
        }
        // The round: its step and its deadline, which no other round shares.
        let round = format!(
            "site-offer:{handoff}:{}:{}",
            context.step,
            context.answer_by.map_or(0, |t| t.timestamp_millis())
        );
        if let Some(event_id) = outbox.matrix_state(&round).await? {
            return Ok(Some(posted(item, &room_id, &event_id)));
        }
        let body = render::matrix(&item.message, now);
        let response = room
            .send(RoomMessageEventContent::text_plain(body))
            .await
            .map_err(MatrixError::sdk)?;
        let event_id = response.response.event_id.to_string();
        outbox.set_matrix_state(&round, &event_id).await?;
        Ok(Some(posted(item, &room_id, &event_id)))
    }

    /// Replaces the text of the bot's message `offer` with `text`, once: an offer
    /// posted for several people is closed by each one's message, with one edit.
    async fn edit(&self, offer: &PostedEvent, text: &str) -> Result<(), MatrixError> {
        let outbox = self.engine.outbox();
        let done = format!("edited:{}", offer.event_id);
        if outbox.matrix_state(&done).await?.as_deref() == Some(text) {
            return Ok(());
        }
        let room_id = rooms::parse_room(&offer.room_id)?;
        let room = self.client.get_room(&room_id).ok_or(MatrixError::NoRoom)?;
        let event_id = EventId::parse(&offer.event_id)
            .map_err(|e| MatrixError::BadId(format!("event ID {}: {e}", offer.event_id)))?;
        let content = RoomMessageEventContent::text_plain(text)
            .make_replacement(ReplacementMetadata::new(event_id, None));
        room.send(content).await.map_err(MatrixError::sdk)?;
        outbox.set_matrix_state(&done, text).await?;
        Ok(())
    }
}

fn posted(item: &OutboxItem, room_id: &str, event_id: &str) -> PostedEvent {
    PostedEvent {
        event_id: event_id.to_owned(),
        room_id: room_id.to_owned(),
        outbox_id: item.id,
        handoff: item.handoff,
        recipient: item.recipient.clone(),
        kind: message_name(&item.message).to_owned(),
    }
}

//! The sync loop: long-polls the homeserver and hands every new message and
//! reaction to the engine, one at a time, in the order the homeserver gave them.
//!
//! Rules, and why:
//! - **Its own loop of `sync_once`**, not `Client::sync`, which waits a second
//!   after every quick answer and so delays every reply by a second.
//! - **Handled before it counts as read.** The sync position is kept in the
//!   database (per device) and moved on only after every event of a batch is
//!   handled; the engine records each event ID with its effects in one commit. A
//!   crash mid-batch replays the batch, and the event IDs make the replay harmless:
//!   delivery is at least once, handling exactly once.
//! - **No history on the first login.** With no position kept, the first sync
//!   returns the rooms' recent past: it is read for the rooms and invites but its
//!   messages are not acted on.
//! - **Backoff.** When the homeserver does not answer, the loop waits 1 s, doubling
//!   to 30 s (with jitter, so instances do not retry in step), and says so in the
//!   log, `/healthz` and `/metrics`; meanwhile messages for Matrix go by SMS.

use std::sync::Arc;
use std::time::Duration;

use handoff_bot::chat::Stop;
use handoff_dispatcher::MatrixUserId;
use handoff_dispatcher::conversation::{Address, Command, Inbound, MessageId};
use matrix_sdk::config::{SyncSettings, SyncToken};
use matrix_sdk::sync::SyncResponse;

use crate::events::{self, Answer, Incoming};
use crate::{Bot, MatrixError, rooms};

/// How long one sync waits on the homeserver for something new.
const LONG_POLL: Duration = Duration::from_secs(30);
const FIRST_BACKOFF: Duration = Duration::from_secs(1);
const MAX_BACKOFF: Duration = Duration::from_secs(30);

impl Bot {
    fn position_name(&self) -> String {
        format!("sync_token:{}", self.device)
    }

    /// Runs until `stop` resolves.
    pub(crate) async fn sync_loop(self: Arc<Bot>, stop: Stop) {
        tokio::pin!(stop);
        let mut backoff = FIRST_BACKOFF;
        let mut rooms_ready = false;
        loop {
            let pass = tokio::select! {
                () = &mut stop => return,
                pass = self.sync_pass() => pass,
            };
            let error = match pass {
                Ok(()) => {
                    if !self.is_connected() {
                        tracing::info!("the Matrix homeserver answers again");
                    }
                    self.set_connected(true);
                    backoff = FIRST_BACKOFF;
                    if !rooms_ready {
                        self.prepare_rooms().await;
                        rooms_ready = true;
                        self.ready.notify_waiters();
                    }
                    continue;
                }
                Err(error) => error,
            };
            match &error {
                // The database, not the homeserver: the batch is read again (its
                // position was not saved) once the database answers.
                MatrixError::Store(_) | MatrixError::Engine(_) => {
                    tracing::error!(%error, "Matrix events could not be handled; reading them again shortly");
                }
                // Whatever else the cause (no answer, a signed-out device, a
                // homeserver error), a failed sync means Matrix cannot be counted
                // on: messages for it go by SMS until a sync succeeds.
                _ => {
                    if !self.is_down() {
                        if error.is_outage() {
                            tracing::warn!(%error, "the Matrix homeserver does not answer; messages for Matrix go by SMS until it does");
                        } else {
                            tracing::error!(%error, "a Matrix sync failed (a signed-out device says so here); messages for Matrix go by SMS until one succeeds");
                        }
                    }
                    self.set_connected(false);
                }
            }
            let pause = jittered(backoff);
            backoff = (backoff * 2).min(MAX_BACKOFF);
            tokio::select! {
                () = &mut stop => return,
                () = tokio::time::sleep(pause) => {}
            }
        }
    }

    /// One sync and the handling of what it brought.
    async fn sync_pass(&self) -> Result<(), MatrixError> {
        let outbox = self.engine.outbox();
        let position = outbox.matrix_state(&self.position_name()).await?;
        let first = position.is_none();
        let settings = SyncSettings::default()
            .timeout(if first { Duration::ZERO } else { LONG_POLL })
            .token(position.map_or(SyncToken::NoToken, SyncToken::Specific));
        let response = self
            .client
            .sync_once(settings)
            .await
            .map_err(MatrixError::sdk)?;
        self.set_connected(true);
        for id in response.rooms.invited.keys() {
            self.on_invite(id).await;
        }
        if !first {
            self.handle_batch(&response).await?;
        }
        outbox
            .set_matrix_state(&self.position_name(), &response.next_batch)
            .await?;
        Ok(())
    }

    async fn handle_batch(&self, response: &SyncResponse) -> Result<(), MatrixError> {
        for (room_id, update) in &response.rooms.joined {
            for event in &update.timeline.events {
                let Some(incoming) = events::incoming(event.raw()) else {
                    continue;
                };
                self.handle(room_id.as_str(), incoming).await?;
            }
        }
        Ok(())
    }

    /// Hands one event to the engine. Events from the bot itself, from IDs that do
    /// not parse, and reactions that answer nothing are passed over.
    async fn handle(&self, room_id: &str, incoming: Incoming) -> Result<(), MatrixError> {
        let (event_id, sender) = match &incoming {
            Incoming::Text {
                event_id, sender, ..
            }
            | Incoming::Reaction {
                event_id, sender, ..
            } => (event_id.clone(), sender.clone()),
        };
        if sender == self.me {
            return Ok(());
        }
        let (Ok(user), Ok(id)) = (MatrixUserId::parse(&sender), MessageId::parse(&event_id)) else {
            return Ok(());
        };
        let outbox = self.engine.outbox();
        let (command, body) = match incoming {
            Incoming::Text { body, reply_to, .. } => {
                let mut command = events::command(&body);
                if matches!(command, Command::Text { .. } | Command::Empty)
                    && self.is_site_room(room_id)
                {
                    // The team's own conversation in the site's room is not for
                    // the officer: only commands count there.
                    return Ok(());
                }
                if let Some(target) = reply_to
                    && let Some(posted) = outbox.matrix_event(&target).await?
                    && let Some(handoff) = posted.handoff
                {
                    command = events::about(command, handoff);
                }
                (command, body)
            }
            Incoming::Reaction { target, answer, .. } => {
                let Some(answer) = answer else {
                    return Ok(());
                };
                let Some(posted) = outbox.matrix_event(&target).await? else {
                    return Ok(());
                };
                let (Some(handoff), "offer") = (posted.handoff, posted.kind.as_str()) else {
                    return Ok(());
                };
                let command = match answer {
                    Answer::Accept => events::about(
                        Command::Accept {
                            id: None,
                            eta: None,
                        },
                        handoff,
                    ),
                    Answer::Decline => events::about(
                        Command::Decline {
                            id: None,
                            reason: None,
                        },
                        handoff,
                    ),
                };
                (command, String::new())
            }
        };
        if self.engine.directory().roster.by_matrix(&user).is_none() {
            // An unregistered user is answered in the room they wrote in.
            outbox
                .keep_matrix_room(&rooms::seen(&user), room_id, self.engine.now())
                .await?;
        }
        let message = Inbound {
            from: Address::Matrix(user),
            id,
            command,
            body,
        };
        self.engine.receive(&message).await?;
        Ok(())
    }
}

/// `pause`, give or take a quarter.
fn jittered(pause: Duration) -> Duration {
    let quarter = pause / 4;
    let extra = rand::random::<f64>() * 2.0;
    pause - quarter + quarter.mul_f64(extra)
}

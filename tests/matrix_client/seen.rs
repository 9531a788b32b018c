//! What a test client has seen in its rooms, and waiting for something to appear
//! there. Event handlers run by the sync loop write; tests read and wait. Every
//! change (a new event, or a sync that may have joined a room) bumps a counter in a
//! `watch` channel, so a waiter re-checks exactly when something may have changed
//! instead of polling.

use std::fmt;
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::Duration;

use matrix_sdk::deserialized_responses::EncryptionInfo;
use matrix_sdk::ruma::events::reaction::OriginalSyncReactionEvent;
use matrix_sdk::ruma::events::room::encrypted::OriginalSyncRoomEncryptedEvent;
use matrix_sdk::ruma::events::room::message::{OriginalSyncRoomMessageEvent, Relation};
use matrix_sdk::ruma::{OwnedEventId, OwnedRoomId, OwnedUserId, UserId};
use matrix_sdk::{Client, Room};
use tokio::sync::watch;
use tokio::time::Instant;

/// What kind of event a [`Seen`] is.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Kind {
    /// An `m.room.message` that is not an edit (any msgtype: `m.text`, `m.notice`,
    /// ...). A reply is one too, with `relates_to` naming the event it answers.
    Message,
    /// An `m.reaction`: `body` is its key (e.g. `✅`), `relates_to` the event
    /// reacted to. Usually unencrypted even in an encrypted room: matrix-sdk and
    /// Element send reactions in the clear.
    Reaction,
    /// An `m.room.message` replacing another (`m.relates_to.rel_type = m.replace`):
    /// `body` is the new body (from `m.new_content`, not the `* ...` fallback),
    /// `relates_to` the event replaced.
    Edit,
    /// An `m.room.encrypted` event this client could not decrypt: `body` is empty.
    /// Seeing one in a journey means keys were not shared with this device.
    Undecryptable,
}

/// One event another user sent into a room this client is in, decrypted.
#[derive(Clone, Debug)]
pub struct Seen {
    pub room_id: OwnedRoomId,
    pub event_id: OwnedEventId,
    pub sender: OwnedUserId,
    pub kind: Kind,
    /// A message's body, a reaction's key, an edit's new body.
    pub body: String,
    /// The msgtype of a message or of an edit's new content (`m.text`,
    /// `m.notice`, ...); `None` for reactions and undecryptable events.
    pub msgtype: Option<String>,
    /// The event a reply answers, a reaction annotates or an edit replaces.
    pub relates_to: Option<OwnedEventId>,
    /// Whether it arrived end-to-end encrypted (and was decrypted).
    pub encrypted: bool,
}

impl fmt::Display for Seen {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{} in {} from {}: ",
            self.event_id, self.room_id, self.sender
        )?;
        if !self.encrypted {
            write!(f, "(unencrypted) ")?;
        }
        let relates_to = self
            .relates_to
            .as_ref()
            .map_or_else(String::new, |id| id.to_string());
        match self.kind {
            Kind::Message if self.relates_to.is_some() => {
                write!(f, "reply to {relates_to}: {:?}", self.body)
            }
            Kind::Message => write!(f, "message {:?}", self.body),
            Kind::Reaction => write!(f, "reaction {} to {relates_to}", self.body),
            Kind::Edit => write!(f, "edit of {relates_to}: {:?}", self.body),
            Kind::Undecryptable => write!(f, "UNDECRYPTABLE"),
        }
    }
}

/// Everything seen so far, in the order the sync loop saw it, and the last sync
/// error (shown when a wait times out, as it is the likely cause).
pub(crate) struct Log {
    who: String,
    seen: Mutex<Vec<Seen>>,
    last_sync_error: Mutex<Option<String>>,
    changes: watch::Sender<u64>,
}

impl Log {
    pub(crate) fn new(who: &str) -> Log {
        Log {
            who: who.to_owned(),
            seen: Mutex::new(Vec::new()),
            last_sync_error: Mutex::new(None),
            changes: watch::Sender::new(0),
        }
    }

    pub(crate) fn record(&self, seen: Seen) {
        lock(&self.seen).push(seen);
        self.changed();
    }

    pub(crate) fn sync_failed(&self, error: String) {
        *lock(&self.last_sync_error) = Some(error);
    }

    /// Wakes every waiter to check its condition again.
    pub(crate) fn changed(&self) {
        self.changes.send_modify(|count| *count += 1);
    }

    pub(crate) fn all(&self) -> Vec<Seen> {
        lock(&self.seen).clone()
    }

    /// The first event seen (earliest first) that `pred` accepts, waiting up to
    /// `timeout` for it; panics with `what` and everything seen so far otherwise.
    pub(crate) async fn wait_for(
        &self,
        what: &str,
        pred: impl Fn(&Seen) -> bool,
        timeout: Duration,
    ) -> Seen {
        let mut found = None;
        self.wait_until(
            what,
            || {
                found = lock(&self.seen).iter().find(|seen| pred(seen)).cloned();
                found.is_some()
            },
            timeout,
        )
        .await;
        found.unwrap_or_else(|| panic!("{}: {what}: found, then lost", self.who))
    }

    /// Waits until `condition` holds, checking it now and after every change;
    /// panics after `timeout`.
    pub(crate) async fn wait_until(
        &self,
        what: &str,
        mut condition: impl FnMut() -> bool,
        timeout: Duration,
    ) {
        let deadline = Instant::now() + timeout;
        // Subscribed before the first check, so a change between the check and the
        // wait is not missed: it marks the channel changed.
        let mut changes = self.changes.subscribe();
        loop {
            if condition() {
                return;
            }
            match tokio::time::timeout_at(deadline, changes.changed()).await {
                Ok(Ok(())) => {}
                Ok(Err(_)) => unreachable!("the sender lives as long as the log"),
                Err(_) => panic!("{}", self.timed_out(what, timeout)),
            }
        }
    }

    fn timed_out(&self, what: &str, timeout: Duration) -> String {
        let seen = lock(&self.seen);
        let mut message = format!(
            "{}: {what}: not seen within {timeout:?}; seen so far ({}):",
            self.who,
            seen.len()
        );
        for event in seen.iter() {
            message.push_str(&format!("\n  {event}"));
        }
        if let Some(error) = lock(&self.last_sync_error).as_ref() {
            message.push_str(&format!("\nlast sync error: {error}"));
        }
        message
    }
}

/// Records, through event handlers that matrix-sdk runs while processing each
/// sync (after decrypting), every message, edit, reaction and undecryptable event
/// another user sends.
pub(crate) fn record_events(client: &Client, own: &UserId, log: &Arc<Log>) {
    let (own_id, messages) = (own.to_owned(), log.clone());
    client.add_event_handler(
        move |event: OriginalSyncRoomMessageEvent,
              room: Room,
              encryption: Option<EncryptionInfo>| {
            let (own_id, log) = (own_id.clone(), messages.clone());
            async move {
                if event.sender == own_id {
                    return;
                }
                let (kind, body, msgtype, relates_to) = match &event.content.relates_to {
                    Some(Relation::Replacement(replacement)) => (
                        Kind::Edit,
                        replacement.new_content.msgtype.body().to_owned(),
                        replacement.new_content.msgtype.msgtype().to_owned(),
                        Some(replacement.event_id.clone()),
                    ),
                    relation => (
                        Kind::Message,
                        event.content.body().to_owned(),
                        event.content.msgtype().to_owned(),
                        match relation {
                            Some(Relation::Reply(reply)) => {
                                Some(reply.in_reply_to.event_id.clone())
                            }
                            _ => None,
                        },
                    ),
                };
                log.record(Seen {
                    room_id: room.room_id().to_owned(),
                    event_id: event.event_id,
                    sender: event.sender,
                    kind,
                    body,
                    msgtype: Some(msgtype),
                    relates_to,
                    encrypted: encryption.is_some(),
                });
            }
        },
    );

    let (own_id, reactions) = (own.to_owned(), log.clone());
    client.add_event_handler(
        move |event: OriginalSyncReactionEvent, room: Room, encryption: Option<EncryptionInfo>| {
            let (own_id, log) = (own_id.clone(), reactions.clone());
            async move {
                if event.sender == own_id {
                    return;
                }
                log.record(Seen {
                    room_id: room.room_id().to_owned(),
                    event_id: event.event_id,
                    sender: event.sender,
                    kind: Kind::Reaction,
                    body: event.content.relates_to.key,
                    msgtype: None,
                    relates_to: Some(event.content.relates_to.event_id),
                    encrypted: encryption.is_some(),
                });
            }
        },
    );

    // An event still `m.room.encrypted` after the sync was processed is one
    // matrix-sdk could not decrypt.
    let (own_id, undecryptable) = (own.to_owned(), log.clone());
    client.add_event_handler(move |event: OriginalSyncRoomEncryptedEvent, room: Room| {
        let (own_id, log) = (own_id.clone(), undecryptable.clone());
        async move {
            if event.sender == own_id {
                return;
            }
            log.record(Seen {
                room_id: room.room_id().to_owned(),
                event_id: event.event_id,
                sender: event.sender,
                kind: Kind::Undecryptable,
                body: String::new(),
                msgtype: None,
                relates_to: None,
                encrypted: true,
            });
        }
    });
}

/// A poisoned lock only means another test thread panicked holding it; the list
/// itself is still whole, so carry on with it.
fn lock<T>(mutex: &Mutex<T>) -> MutexGuard<'_, T> {
    mutex
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner)
}

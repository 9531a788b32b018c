//! A case manager's Matrix client for journeys, built on matrix-sdk: logs in to a
//! real homeserver with its own encrypted-capable store, keeps syncing in the
//! background, joins every room it is invited to, records everything others send
//! (decrypted), and sends texts, replies, edits and reactions. Only the Matrix test
//! binaries include this module (`#[path = "matrix_client/mod.rs"] mod
//! matrix_client;`, with `#![recursion_limit = "256"]` in the crate root), so the
//! other test binaries never link matrix-sdk.
//!
//! matrix-sdk's defaults already do what a journey needs in encrypted rooms with
//! nobody verified: room keys go to every device of every member, verified or not
//! (`CollectStrategy::AllDevices`), and events from unverified devices are
//! decrypted (`TrustRequirement::Untrusted`); so no encryption setting is changed.

#![allow(dead_code)] // each journey uses part of it

mod seen;

use std::sync::Arc;
use std::time::Duration;

use matrix_sdk::config::SyncSettings;
use matrix_sdk::room::reply::{EnforceThread, Reply};
use matrix_sdk::ruma::api::client::room::create_room::v3::{Request as CreateRoom, RoomPreset};
use matrix_sdk::ruma::events::InitialStateEvent;
use matrix_sdk::ruma::events::reaction::ReactionEventContent;
use matrix_sdk::ruma::events::relation::Annotation;
use matrix_sdk::ruma::events::room::encryption::RoomEncryptionEventContent;
use matrix_sdk::ruma::events::room::message::{
    AddMentions, ReplacementMetadata, RoomMessageEventContent,
    RoomMessageEventContentWithoutRelation,
};
use matrix_sdk::ruma::{EventId, OwnedEventId, OwnedRoomId, OwnedUserId, RoomId, UserId};
use matrix_sdk::{Client, Room, RoomState};
use tempfile::TempDir;
use tokio::task::JoinHandle;

pub use seen::{Kind, Seen};

/// How long one `/sync` long-polls. Synapse answers at once when something
/// arrives, so this only bounds how often an idle client asks again.
const SYNC_TIMEOUT: Duration = Duration::from_secs(30);

/// After a failed sync, the pause before the next: long enough not to spin on a
/// homeserver that is going away, short enough not to delay a journey.
const SYNC_RETRY: Duration = Duration::from_millis(200);

/// A logged-in user that syncs in the background until [`stop`](Self::stop)ped or
/// dropped.
pub struct CaseManager {
    client: Client,
    user_id: OwnedUserId,
    log: Arc<seen::Log>,
    sync: JoinHandle<()>,
    /// The client's sqlite stores (state, crypto, event cache); deleted on drop.
    _store: TempDir,
}

impl CaseManager {
    /// Logs `user_id` (e.g. `@alice:localhost`) in with `password`, as a new device
    /// with its own store in a temporary directory; syncs once (which uploads the
    /// device's keys), joins the rooms it is invited to, then keeps syncing in a
    /// background task.
    pub async fn login(homeserver_url: &str, user_id: &str, password: &str) -> CaseManager {
        let store = TempDir::new().unwrap_or_else(|e| panic!("{user_id}: temporary store: {e}"));
        let client = Client::builder()
            .homeserver_url(homeserver_url)
            // No passphrase: nothing to protect in a test, and no PBKDF2 at start-up.
            .sqlite_store(store.path(), None)
            // Synapse's login answer advertises its `public_baseurl`
            // (https://localhost/ for the test server), which is not where it
            // listens: keep talking to the URL given.
            .respect_login_well_known(false)
            .build()
            .await
            .unwrap_or_else(|e| panic!("{user_id}: building the client: {e}"));
        client
            .matrix_auth()
            .login_username(user_id, password)
            .initial_device_display_name("handoff journey")
            .send()
            .await
            .unwrap_or_else(|e| panic!("{user_id}: logging in: {e}"));
        let own = client
            .user_id()
            .unwrap_or_else(|| panic!("{user_id}: no user ID after logging in"))
            .to_owned();

        let log = Arc::new(seen::Log::new(own.as_str()));
        seen::record_events(&client, &own, &log);

        // The first sync: Synapse answers an initial sync at once.
        let first = client
            .sync_once(SyncSettings::default().timeout(Duration::ZERO))
            .await
            .unwrap_or_else(|e| panic!("{own}: first sync: {e}"));
        join_invited_rooms(&client).await;
        log.changed();
        let sync = tokio::spawn(sync_loop(client.clone(), log.clone(), first.next_batch));

        CaseManager {
            client,
            user_id: own,
            log,
            sync,
            _store: store,
        }
    }

    pub fn user_id(&self) -> &UserId {
        &self.user_id
    }

    /// The matrix-sdk client, for what this type does not wrap.
    pub fn client(&self) -> &Client {
        &self.client
    }

    /// Everything others sent into this user's rooms so far, in the order seen.
    pub fn seen(&self) -> Vec<Seen> {
        self.log.all()
    }

    /// Stops the background sync: nothing more is seen or joined. Dropping does
    /// the same.
    pub fn stop(&self) {
        self.sync.abort();
    }

    /// Creates an end-to-end-encrypted direct room with `invitee` (e.g.
    /// `@bot:localhost`): `m.room.encryption` (megolm, recommended rotation) in
    /// the initial state, `is_direct`, the trusted-private-chat preset (invitee
    /// gets the creator's power level), `invitee` invited. Returns its ID.
    pub async fn create_encrypted_dm(&self, invitee: &str) -> OwnedRoomId {
        let invitee = UserId::parse(invitee)
            .unwrap_or_else(|e| panic!("{}: invitee {invitee}: {e}", self.user_id));
        let mut request = CreateRoom::new();
        request.invite = vec![invitee.clone()];
        request.is_direct = true;
        request.preset = Some(RoomPreset::TrustedPrivateChat);
        request.initial_state = vec![
            InitialStateEvent::with_empty_state_key(
                RoomEncryptionEventContent::with_recommended_defaults(),
            )
            .to_raw_any(),
        ];
        let room =
            self.client.create_room(request).await.unwrap_or_else(|e| {
                panic!("{}: creating a room with {invitee}: {e}", self.user_id)
            });
        room.room_id().to_owned()
    }

    /// Waits until this user has joined `room_id` (it joins rooms it is invited
    /// to by itself).
    pub async fn wait_until_joined(&self, room_id: &RoomId, timeout: Duration) {
        let joined = || {
            self.client
                .get_room(room_id)
                .is_some_and(|room| room.state() == RoomState::Joined)
        };
        self.log
            .wait_until(&format!("joining {room_id}"), joined, timeout)
            .await;
    }

    /// Sends a plain `m.text` message; returns its event ID.
    pub async fn send_text(&self, room_id: &RoomId, body: &str) -> OwnedEventId {
        self.send(room_id, RoomMessageEventContent::text_plain(body), "text")
            .await
    }

    /// Sends a plain `m.text` rich reply to `in_reply_to` (fetched to learn its
    /// sender, who is mentioned); returns its event ID.
    pub async fn reply_text(
        &self,
        room_id: &RoomId,
        in_reply_to: &EventId,
        body: &str,
    ) -> OwnedEventId {
        let content = self
            .room(room_id)
            .make_reply_event(
                RoomMessageEventContentWithoutRelation::text_plain(body),
                Reply {
                    event_id: in_reply_to.to_owned(),
                    enforce_thread: EnforceThread::Unthreaded,
                    add_mentions: AddMentions::Yes,
                },
            )
            .await
            .unwrap_or_else(|e| panic!("{}: replying to {in_reply_to}: {e}", self.user_id));
        self.send(room_id, content, "reply").await
    }

    /// Replaces the text of `original` (an event this user sent) with `new_body`
    /// (`m.replace`); returns the edit's event ID.
    pub async fn edit_text(
        &self,
        room_id: &RoomId,
        original: &EventId,
        new_body: &str,
    ) -> OwnedEventId {
        let content = RoomMessageEventContent::text_plain(new_body)
            .make_replacement(ReplacementMetadata::new(original.to_owned(), None));
        self.send(room_id, content, "edit").await
    }

    /// Reacts to `event_id` with `key` (e.g. `✅`); returns the reaction's event ID.
    pub async fn react(&self, room_id: &RoomId, event_id: &EventId, key: &str) -> OwnedEventId {
        let content = ReactionEventContent::new(Annotation::new(event_id.to_owned(), key.into()));
        self.send(room_id, content, "reaction").await
    }

    /// The first message (not an edit, not a reaction) seen so far, or within
    /// `timeout`, that `pred` accepts; panics listing everything seen otherwise.
    pub async fn wait_for_message(&self, pred: impl Fn(&Seen) -> bool, timeout: Duration) -> Seen {
        self.log
            .wait_for(
                "a message as expected",
                |seen| seen.kind == Kind::Message && pred(seen),
                timeout,
            )
            .await
    }

    /// The first edit of `original` that `pred` accepts (its `body` is the new
    /// body), waiting up to `timeout`.
    pub async fn wait_for_edit(
        &self,
        original: &EventId,
        pred: impl Fn(&Seen) -> bool,
        timeout: Duration,
    ) -> Seen {
        self.log
            .wait_for(
                &format!("an edit of {original} as expected"),
                |seen| {
                    seen.kind == Kind::Edit
                        && seen.relates_to.as_deref() == Some(original)
                        && pred(seen)
                },
                timeout,
            )
            .await
    }

    /// The first reaction with `key` to `event_id`, waiting up to `timeout`.
    pub async fn wait_for_reaction(
        &self,
        event_id: &EventId,
        key: &str,
        timeout: Duration,
    ) -> Seen {
        self.log
            .wait_for(
                &format!("reaction {key} to {event_id}"),
                |seen| {
                    seen.kind == Kind::Reaction
                        && seen.relates_to.as_deref() == Some(event_id)
                        && seen.body == key
                },
                timeout,
            )
            .await
    }

    fn room(&self, room_id: &RoomId) -> Room {
        self.client
            .get_room(room_id)
            .unwrap_or_else(|| panic!("{}: not in room {room_id}", self.user_id))
    }

    /// Sends `content`, encrypted if the room is: matrix-sdk first shares the
    /// room key with every member's devices (querying and claiming keys as
    /// needed), then sends.
    async fn send(
        &self,
        room_id: &RoomId,
        content: impl matrix_sdk::ruma::events::MessageLikeEventContent,
        what: &str,
    ) -> OwnedEventId {
        self.room(room_id)
            .send(content)
            .await
            .unwrap_or_else(|e| panic!("{}: sending a {what} to {room_id}: {e}", self.user_id))
            .response
            .event_id
    }
}

impl Drop for CaseManager {
    fn drop(&mut self) {
        self.sync.abort();
    }
}

/// Long-polls `/sync` from `token` on until aborted, joining new invitations after
/// each answer. Our own loop rather than `Client::sync`, which pauses a second
/// after any sync that returned within a second, delaying every quick reply.
async fn sync_loop(client: Client, log: Arc<seen::Log>, mut token: String) {
    loop {
        let settings = SyncSettings::default()
            .timeout(SYNC_TIMEOUT)
            .token(token.clone());
        match client.sync_once(settings).await {
            Ok(response) => {
                token = response.next_batch;
                join_invited_rooms(&client).await;
                log.changed();
            }
            Err(error) => {
                log.sync_failed(error.to_string());
                tokio::time::sleep(SYNC_RETRY).await;
            }
        }
    }
}

/// Joins every room this client is invited to. A failure is left for the next
/// sync to retry: the room stays in `invited_rooms` until joined.
async fn join_invited_rooms(client: &Client) {
    for room in client.invited_rooms() {
        if let Err(error) = room.join().await {
            eprintln!(
                "joining {} failed (retried after the next sync): {error}",
                room.room_id()
            );
        }
    }
}

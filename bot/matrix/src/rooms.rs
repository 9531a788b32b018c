//! The rooms the bot uses: one encrypted direct room per configured person (offers,
//! assignments, relays) and one encrypted room per site for its staff. The bot
//! creates them, or joins the room a site names in the configuration; it keeps each
//! room's ID in the database by purpose, so a restart finds the same rooms instead
//! of creating new ones. It accepts invites only from configured people, and posts
//! nothing about a hand-off in a room that is not encrypted.

use handoff_dispatcher::{MatrixUserId, Recipient};
use matrix_sdk::ruma::api::client::room::create_room::v3::{Request as CreateRoom, RoomPreset};
use matrix_sdk::ruma::events::InitialStateEvent;
use matrix_sdk::ruma::events::room::encryption::RoomEncryptionEventContent;
use matrix_sdk::ruma::events::room::member::MembershipState;
use matrix_sdk::ruma::{OwnedRoomId, OwnedUserId, RoomId, UserId};
use matrix_sdk::{Room, RoomState};

use crate::{Bot, MatrixError};

/// The purpose under which a person's direct room is kept.
fn direct(user: &MatrixUserId) -> String {
    format!("direct:{}", user.as_str())
}

/// The purpose under which the room of an unregistered user who wrote is kept.
pub(crate) fn seen(user: &MatrixUserId) -> String {
    format!("seen:{}", user.as_str())
}

pub(crate) fn site(id: &str) -> String {
    format!("site:{id}")
}

impl Bot {
    /// The Matrix ID a message to `recipient` goes to, if they have one.
    pub(crate) fn matrix_id_of(&self, recipient: &Recipient) -> Option<MatrixUserId> {
        let directory = self.engine.directory();
        let roster = &directory.roster;
        match recipient {
            Recipient::Officer(id) => roster.officers.get(id).and_then(|o| o.matrix.clone()),
            Recipient::Staff(id) => roster.people.get(id).and_then(|p| p.matrix.clone()),
            Recipient::Matrix(user) => Some(user.clone()),
            Recipient::Phone(_) => None,
        }
    }

    /// The encrypted room a message to `user` is posted in: their direct room,
    /// created if there is none; for an unregistered user, the room they wrote in.
    pub(crate) async fn room_for(
        &self,
        user: &MatrixUserId,
        registered: bool,
    ) -> Result<Room, MatrixError> {
        let room = if registered {
            self.direct_room(user).await?
        } else {
            let kept = self.engine.outbox().matrix_room(&seen(user)).await?;
            let id = kept.ok_or(MatrixError::NoRoom)?;
            self.joined(&parse_room(&id)?).await?
        };
        if !room
            .latest_encryption_state()
            .await
            .map_err(MatrixError::sdk)?
            .is_encrypted()
        {
            return Err(MatrixError::NotEncrypted(room.room_id().to_string()));
        }
        // A person who has not joined (or has left) would never read it: SMS
        // reaches them instead.
        if !is_member(&room, user).await? {
            return Err(MatrixError::NotJoined(room.room_id().to_string()));
        }
        Ok(room)
    }

    /// `user`'s direct room with the bot, created and kept if there is none.
    pub(crate) async fn direct_room(&self, user: &MatrixUserId) -> Result<Room, MatrixError> {
        let outbox = self.engine.outbox();
        let purpose = direct(user);
        if let Some(id) = outbox.matrix_room(&purpose).await? {
            match self.joined(&parse_room(&id)?).await {
                Ok(room) => return Ok(room),
                Err(error) => {
                    tracing::warn!(%error, room = %id, "the kept direct room cannot be used; creating another");
                    outbox.forget_matrix_room(&purpose).await?;
                }
            }
        }
        let user_id = parse_user(user)?;
        let room = self
            .client
            .create_dm(&user_id)
            .await
            .map_err(MatrixError::sdk)?;
        let kept = outbox
            .keep_matrix_room(&purpose, room.room_id().as_str(), self.engine.now())
            .await?;
        tracing::info!(room = %kept, user = %user.as_str(), "created a direct room");
        if kept != room.room_id().as_str() {
            // Another instance created one at the same moment: use the one kept.
            return self.joined(&parse_room(&kept)?).await;
        }
        Ok(room)
    }

    /// The site's staff room: the configured one (joined), or one created with every
    /// configured person invited, kept by purpose.
    pub(crate) async fn site_room(
        &self,
        id: &str,
        name: &str,
        configured: Option<&str>,
    ) -> Result<Room, MatrixError> {
        let outbox = self.engine.outbox();
        let purpose = site(id);
        if let Some(configured) = configured {
            let room = self.joined(&parse_room(configured)?).await?;
            outbox
                .keep_matrix_room(&purpose, configured, self.engine.now())
                .await?;
            return Ok(room);
        }
        if let Some(kept) = outbox.matrix_room(&purpose).await? {
            return self.joined(&parse_room(&kept)?).await;
        }
        let invite: Vec<OwnedUserId> = self
            .engine
            .directory()
            .roster
            .people
            .values()
            .filter_map(|p| p.matrix.as_ref())
            .filter_map(|u| parse_user(u).ok())
            .collect();
        let mut request = CreateRoom::new();
        request.name = Some(format!("{name}: hand-offs"));
        request.invite = invite;
        request.preset = Some(RoomPreset::PrivateChat);
        request.initial_state = vec![
            InitialStateEvent::with_empty_state_key(
                RoomEncryptionEventContent::with_recommended_defaults(),
            )
            .to_raw_any(),
        ];
        let room = self
            .client
            .create_room(request)
            .await
            .map_err(MatrixError::sdk)?;
        let kept = outbox
            .keep_matrix_room(&purpose, room.room_id().as_str(), self.engine.now())
            .await?;
        tracing::info!(room = %kept, site = %id, "created the site's room");
        self.joined(&parse_room(&kept)?).await
    }

    /// The room `id`, joined (joining it if the bot is invited or it is public).
    async fn joined(&self, id: &RoomId) -> Result<Room, MatrixError> {
        if let Some(room) = self.client.get_room(id)
            && room.state() == RoomState::Joined
        {
            return Ok(room);
        }
        self.client
            .join_room_by_id(id)
            .await
            .map_err(MatrixError::sdk)
    }

    /// Creates (or finds) the direct room of every configured person with a Matrix
    /// ID, and every site's room, so that people have joined before the first
    /// offer comes (an offer is encrypted only for the devices of people in the
    /// room when it is sent).
    pub(crate) async fn prepare_rooms(&self) {
        let directory = self.engine.directory();
        let users: Vec<MatrixUserId> = directory
            .roster
            .people
            .values()
            .filter_map(|p| p.matrix.clone())
            .chain(
                directory
                    .roster
                    .officers
                    .values()
                    .filter_map(|o| o.matrix.clone()),
            )
            .collect();
        for user in users {
            if let Err(error) = self.direct_room(&user).await {
                tracing::warn!(%error, user = %user.as_str(), "cannot prepare the direct room");
            }
        }
        for (id, name, configured) in &self.sites {
            match self.site_room(id, name, configured.as_deref()).await {
                Ok(room) => self
                    .site_rooms
                    .lock()
                    .unwrap_or_else(std::sync::PoisonError::into_inner)
                    .push(room.room_id().to_string()),
                Err(error) => {
                    tracing::warn!(%error, site = %id, "cannot prepare the site's room")
                }
            }
        }
    }

    /// An invite: joined if it comes from a configured person, declined otherwise.
    pub(crate) async fn on_invite(&self, id: &RoomId) {
        let Some(room) = self.client.get_room(id) else {
            return;
        };
        let inviter = match room.invite_details().await {
            Ok(invite) => invite.inviter_id.to_string(),
            Err(error) => {
                tracing::warn!(%error, room = %id, "cannot read an invite");
                return;
            }
        };
        let configured = MatrixUserId::parse(&inviter)
            .ok()
            .is_some_and(|user| self.engine.directory().roster.by_matrix(&user).is_some());
        let result = if configured {
            tracing::info!(room = %id, %inviter, "joining a room a configured person invited the bot to");
            room.join().await
        } else {
            tracing::warn!(room = %id, %inviter, "declining an invite from someone not configured");
            room.leave().await
        };
        if let Err(error) = result {
            tracing::warn!(%error, room = %id, "cannot answer an invite");
        }
    }
}

/// Whether `user` has joined `room`, as the bot last synced it.
pub(crate) async fn is_member(room: &Room, user: &MatrixUserId) -> Result<bool, MatrixError> {
    Ok(room
        .get_member_no_sync(&parse_user(user)?)
        .await
        .map_err(MatrixError::sdk)?
        .is_some_and(|m| *m.membership() == MembershipState::Join))
}

pub(crate) fn parse_room(id: &str) -> Result<OwnedRoomId, MatrixError> {
    RoomId::parse(id).map_err(|e| MatrixError::BadId(format!("room ID {id}: {e}")))
}

pub(crate) fn parse_user(user: &MatrixUserId) -> Result<OwnedUserId, MatrixError> {
    UserId::parse(user.as_str())
        .map_err(|e| MatrixError::BadId(format!("user ID {}: {e}", user.as_str())))
}

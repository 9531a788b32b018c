//! `Engine::receive`: one inbound message, whatever carried it, as one engine
//! operation. It reads the sender's snapshot, asks the conversation what the
//! message means, decides the hand-off change it causes, and records the message
//! id, the change, its events and every reply in one transaction
//! (`Store::receive`). `receive_with_receipt` also says which hand-off the message
//! opened or was about and what its sender was told, for a transport that answers
//! its caller itself (the JSON API); the hand-off is kept with the message id, so a
//! retry can name it too.
//!
//! Ordering: one sender's messages are handled one at a time (a lock per sender in
//! this process; across processes the sender row's version makes a concurrent
//! second message decide again on the first one's result), so a request sent twice
//! at the same moment opens one hand-off. A message about an existing hand-off also
//! takes that hand-off's lock, always after the sender's, so timers (which take only
//! the hand-off's) and messages never wait on each other in a circle.

use std::sync::{Arc, PoisonError};

use chrono::{DateTime, Utc};

use super::{Engine, EngineError, prepare};
use crate::conversation::{self, Action, Command, ContactChange, Inbound, Plan, Snapshot};
use crate::decide::{self, decide};
use crate::directory::Directory;
use crate::handoff::{DROP_OFF_REOPENS_WITHIN, Handoff, HandoffId};
use crate::message::{Message, Recipient};
use crate::outbox::NewOutbound;
use crate::roster::Participant;
use crate::store::{Commit, ContactWrite, InboundWrite, Recorded, StoreError};

/// How many times a message may lose a race to another commit before giving up:
/// far more than one phone sends, or one hand-off is answered, at once.
const MAX_RACES: u32 = 1000;

/// What became of an inbound message.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Received {
    /// Its effects and replies are committed.
    Handled,
    /// It was handled before (a provider's retry): nothing was done.
    Duplicate,
}

/// What became of an inbound message, for a transport that answers its caller
/// itself (the JSON API answers in the response to the request).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Receipt {
    pub received: Received,
    /// The hand-off the message opened or was about, if any. It is kept with the
    /// message id, so a retry (a [`Received::Duplicate`]) names it too.
    pub handoff: Option<HandoffId>,
    /// Whether this message opened `handoff` (never for a duplicate).
    pub opened: bool,
    /// What the sender was told, in order: the answers to them, then what the
    /// hand-off's change tells them. Empty for a duplicate.
    pub told: Vec<Message>,
}

impl Engine {
    /// Handles one inbound message: everything it changes and every reply is
    /// committed together, or nothing is. An error is internal (the database): the
    /// caller should let the provider retry, and the retry is handled once.
    pub async fn receive(&self, message: &Inbound) -> Result<Received, EngineError> {
        Ok(self.receive_with_receipt(message).await?.received)
    }

    /// [`Engine::receive`], saying which hand-off the message opened or was about
    /// and what its sender was told.
    pub async fn receive_with_receipt(&self, message: &Inbound) -> Result<Receipt, EngineError> {
        let store = &self.inner.store;
        if let Some(about) = store.inbound_record(message.id.as_str()).await? {
            return Ok(Receipt::duplicate(about));
        }
        let key = message.from.key();
        let lock = self.sender_lock(&key);
        let result = {
            let _serial = lock.lock().await;
            self.receive_locked(message, &key).await
        };
        drop(lock);
        self.forget_sender_lock(&key);
        result
    }

    async fn receive_locked(&self, message: &Inbound, key: &str) -> Result<Receipt, EngineError> {
        // Every lost race here is someone else's progress: another message from
        // the same sender, or another change to the hand-off, was committed first
        // (a broadcast offer answered by many case managers at once through several
        // instances loses once per commit the others make). So none of them is a
        // reason to give up on a valid message; the bound only stops a loop that a
        // bug would otherwise make endless.
        let mut races = 0;
        while races < MAX_RACES {
            let now = self.now();
            let directory = self.fresh_directory().await?;
            let sender = self.inner.store.sender(key).await?;
            let (followups, intakes) = self.owed_of_sender(message, &directory).await?;
            let snapshot = Snapshot {
                open: self.open_of_sender(message, &directory, now).await?,
                refused_at: sender.refused_at,
                followups,
                intakes,
            };
            let plan = conversation::understand(message, &snapshot, &directory, now);
            let contact = contact_write(message, plan.contact);
            let mut replies = plan.replies.clone();
            let (handoff, handoff_lock) = self.act(&plan, &directory, now, &mut replies).await?;
            let receipt = receipt(&plan, handoff.as_ref(), &replies);
            // An agency's system reads the answers to it in its response: they
            // are not sent anywhere.
            if message.from.channel().is_none() {
                replies.clear();
            }
            let write = InboundWrite {
                message_id: message.id.as_str().to_owned(),
                sender: key.to_owned(),
                sender_version: sender.version,
                contact,
                about: receipt.handoff,
                handoff,
                replies: reply_items(message, plan.sender.as_ref(), &directory, replies),
                now,
            };
            let recorded = self.inner.store.receive(&write).await;
            drop(handoff_lock);
            if let Some(Action::Apply { id, .. }) = &plan.action {
                // A number typed by anyone must not leave a lock behind for good.
                self.forget_lock(*id);
            }
            match recorded {
                Ok(Recorded::Written) => {
                    let timers = write
                        .handoff
                        .as_ref()
                        .is_some_and(|c| !c.schedule.is_empty());
                    let queued = !write.replies.is_empty()
                        || write.handoff.as_ref().is_some_and(|c| !c.outbox.is_empty());
                    self.committed(timers, queued);
                    return Ok(receipt);
                }
                Ok(Recorded::Duplicate) => {
                    // Another instance handled the same message meanwhile.
                    let about = self.inner.store.inbound_record(message.id.as_str()).await?;
                    return Ok(Receipt::duplicate(about.flatten()));
                }
                // Another message from this sender, or another change to the
                // hand-off, got there first: decide again on what they left.
                Err(StoreError::SenderChanged | StoreError::Conflict { .. }) => races += 1,
                Err(error) => return Err(error.into()),
            }
        }
        Err(EngineError::Busy(message.from.redacted(), races))
    }

    /// The hand-offs the sender's message may be about.
    async fn open_of_sender(
        &self,
        message: &Inbound,
        directory: &Directory,
        now: DateTime<Utc>,
    ) -> Result<Vec<Handoff>, EngineError> {
        let store = &self.inner.store;
        Ok(match message.from.participant(&directory.roster) {
            Some(Participant::Officer(officer)) => {
                let mut open = store.open_handoffs_of_officer(&officer.id).await?;
                // A bare DROPOFF may also be about a request that closed with
                // nobody coming a short while ago, which it reopens.
                if matches!(message.command, Command::DropOff { .. }) {
                    let since = now
                        .checked_sub_signed(DROP_OFF_REOPENS_WITHIN)
                        .unwrap_or(DateTime::<Utc>::MIN_UTC);
                    let recent = store.handoffs_of_officer_since(&officer.id, since).await?;
                    open.extend(recent.into_iter().filter(|h| h.reopens_for_drop_off(now)));
                }
                open
            }
            Some(Participant::Staff(person)) => {
                let mut open = store.open_handoffs_of_staff(&person.id).await?;
                // A bare CHECKIN is about a drop-off at the sender's center, which
                // they neither hold nor were offered.
                if matches!(message.command, Command::CheckIn { .. }) {
                    open.extend(store.dropping_off_handoffs().await?);
                }
                open
            }
            None => Vec::new(),
        })
    }

    /// For staff commands about work owed after a hand-off (FOLLOWUP, FOLLOWED,
    /// INTAKE): the follow-ups open at any site, and the hand-offs the sender
    /// accepted that owe intake. Read only for those commands.
    async fn owed_of_sender(
        &self,
        message: &Inbound,
        directory: &Directory,
    ) -> Result<(Vec<Handoff>, Vec<Handoff>), EngineError> {
        let Some(Participant::Staff(person)) = message.from.participant(&directory.roster) else {
            return Ok((Vec::new(), Vec::new()));
        };
        let store = &self.inner.store;
        Ok(match message.command {
            Command::FollowUps | Command::FollowedUp { .. } => {
                (store.open_followups().await?, Vec::new())
            }
            Command::Intake { .. } => (Vec::new(), store.intakes_owed_by(&person.id).await?),
            _ => (Vec::new(), Vec::new()),
        })
    }

    /// Decides the plan's action on the hand-offs: the commit it makes, if any, and
    /// the lock of the hand-off it changes (held until the commit). A command the
    /// hand-off refuses, or about a hand-off that does not exist, becomes a plain
    /// reply to the sender instead.
    async fn act(
        &self,
        plan: &Plan,
        directory: &Directory,
        now: DateTime<Utc>,
        replies: &mut Vec<(Recipient, Message)>,
    ) -> Result<(Option<Commit>, Option<tokio::sync::OwnedMutexGuard<()>>), EngineError> {
        let mut refuse = |message: Message| {
            if let Some(to) = &plan.sender {
                replies.push((to.clone(), message));
            }
        };
        match &plan.action {
            None => Ok((None, None)),
            Some(Action::Open(request)) => {
                let load = self.load(now, directory).await?;
                let decided = match directory.world(&request.site, &load) {
                    None => Err(EngineError::UnknownSite(request.site.to_string())),
                    Some(world) => {
                        let id = self.inner.store.allocate_handoff_id().await?;
                        decide::request(id, request.clone(), now, &world).map_err(EngineError::from)
                    }
                };
                match decided {
                    Ok(decision) => {
                        Ok((Some(prepare(directory, None, None, decision, now).0), None))
                    }
                    // The same every time (the configuration, not the database):
                    // answer the officer so they go the usual way, rather than fail
                    // the webhook and leave them waiting on nothing.
                    Err(error) => {
                        tracing::error!(%error, "a request could not be opened");
                        refuse(conversation::cannot_handle());
                        Ok((None, None))
                    }
                }
            }
            Some(Action::Apply { id, input }) => {
                let guard = Arc::clone(&self.lock_for(*id)).lock_owned().await;
                let Some((handoff, version)) = self.inner.store.handoff(*id).await? else {
                    refuse(conversation::unknown(*id));
                    return Ok((None, None));
                };
                let load = self.load(now, directory).await?;
                let Some(world) = directory.world(&handoff.request.site, &load) else {
                    // A reload refuses to drop a site with open hand-offs; a
                    // closed one's site may be gone. Nothing to act on.
                    tracing::error!(handoff = %id, site = %handoff.request.site, "the hand-off's site is not configured");
                    refuse(conversation::cannot_handle());
                    return Ok((None, None));
                };
                match decide(&handoff, input.clone(), now, &world) {
                    // Nothing changes and nothing is said (a pass on a hand-off
                    // already taken): only the message itself is recorded, so it
                    // cannot race anyone for the hand-off.
                    Ok(decision) if decision.effects.is_empty() && decision.handoff == handoff => {
                        Ok((None, None))
                    }
                    Ok(decision) => {
                        let commit = prepare(directory, Some(version), None, decision, now).0;
                        Ok((Some(commit), Some(guard)))
                    }
                    Err(error) => {
                        refuse(conversation::refusal(*id, &error));
                        Ok((None, None))
                    }
                }
            }
        }
    }

    fn sender_lock(&self, key: &str) -> Arc<tokio::sync::Mutex<()>> {
        let mut locks = self
            .inner
            .sender_locks
            .lock()
            .unwrap_or_else(PoisonError::into_inner);
        locks.entry(key.to_owned()).or_default().clone()
    }

    fn forget_sender_lock(&self, key: &str) {
        let mut locks = self
            .inner
            .sender_locks
            .lock()
            .unwrap_or_else(PoisonError::into_inner);
        // Only drop it if nobody else holds a handle to it right now.
        if locks.get(key).is_some_and(|l| Arc::strong_count(l) == 1) {
            locks.remove(key);
        }
    }
}

impl Receipt {
    fn duplicate(handoff: Option<HandoffId>) -> Receipt {
        Receipt {
            received: Received::Duplicate,
            handoff,
            opened: false,
            told: Vec::new(),
        }
    }
}

/// The receipt of a message handled now: the hand-off it changed (or, changing
/// none, the one it named or repeated), and everything said to its sender.
fn receipt(plan: &Plan, commit: Option<&Commit>, replies: &[(Recipient, Message)]) -> Receipt {
    let named = match &plan.action {
        Some(Action::Apply { id, .. }) => Some(*id),
        Some(Action::Open(_)) | None => plan.about,
    };
    let to_sender = |to: &Recipient| plan.sender.as_ref() == Some(to);
    let mut told: Vec<Message> = replies
        .iter()
        .filter(|(to, _)| to_sender(to))
        .map(|(_, message)| message.clone())
        .collect();
    if let Some(commit) = commit {
        told.extend(
            commit
                .outbox
                .iter()
                .filter(|item| to_sender(&item.recipient))
                .map(|item| item.message.clone()),
        );
    }
    Receipt {
        received: Received::Handled,
        handoff: commit.map(|c| c.handoff.id).or(named),
        opened: commit.is_some() && matches!(plan.action, Some(Action::Open(_))),
        told,
    }
}

/// The store's form of a change to the sender's address: opt-outs and opt-ins are
/// about a phone number.
fn contact_write(message: &Inbound, change: Option<ContactChange>) -> Option<ContactWrite> {
    let phone = match &message.from {
        conversation::Address::Phone(phone) => Some(phone.clone()),
        conversation::Address::Matrix(_) | conversation::Address::Agency { .. } => None,
    };
    match change? {
        ContactChange::OptOut => phone.map(ContactWrite::OptOut),
        ContactChange::OptIn => phone.map(ContactWrite::OptIn),
        ContactChange::Refused => Some(ContactWrite::Refused),
    }
}

/// The replies as outbox rows, keyed by the message's provider id so that nothing
/// can answer one message twice. The sender is answered on the channel they wrote
/// on (a case manager who reacts in Matrix reads the answer there, one who texts
/// reads it by text); anyone else by their own channel.
fn reply_items(
    message: &Inbound,
    sender: Option<&Recipient>,
    directory: &Directory,
    replies: Vec<(Recipient, Message)>,
) -> Vec<NewOutbound> {
    replies
        .into_iter()
        .enumerate()
        .map(|(n, (recipient, message_out))| {
            let channel = match message.from.channel() {
                Some(channel) if sender == Some(&recipient) => channel,
                _ => directory.channel_for(&recipient),
            };
            NewOutbound {
                key: format!("reply:{}:{n}", message.id),
                recipient,
                message: message_out,
                channel,
            }
        })
        .collect()
}

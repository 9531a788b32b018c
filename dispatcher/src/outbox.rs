//! The outbox: messages the dispatcher decided to send, stored in the same
//! transaction as the decision, and delivered by transports afterwards. A message
//! leaves the outbox only when a transport reports it sent (or gives up on it), so a
//! crash between deciding and delivering loses nothing.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use crate::contact::Channel;
use crate::handoff::HandoffId;
use crate::message::{Message, Recipient};

/// A message to put in the outbox. `key` is unique: inserting the same key twice
/// stores it once, so a decision replayed after a crash cannot send twice.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewOutbound {
    pub key: String,
    pub recipient: Recipient,
    pub message: Message,
    /// The channel it goes by first (see [`crate::Directory::channel_for`]).
    pub channel: Channel,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum OutboxStatus {
    /// Waiting for (another) delivery attempt at `next_attempt_at`.
    Pending,
    /// The provider accepted it.
    Sent,
    /// Delivery failed for good (an invalid or opted-out number, retries exhausted).
    Failed,
}

impl OutboxStatus {
    pub fn name(self) -> &'static str {
        match self {
            OutboxStatus::Pending => "pending",
            OutboxStatus::Sent => "sent",
            OutboxStatus::Failed => "failed",
        }
    }

    pub fn parse(text: &str) -> Option<OutboxStatus> {
        match text {
            "pending" => Some(OutboxStatus::Pending),
            "sent" => Some(OutboxStatus::Sent),
            "failed" => Some(OutboxStatus::Failed),
            _ => None,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OutboxItem {
    pub id: i64,
    pub key: String,
    /// The hand-off it is about; none for replies such as HELP.
    pub handoff: Option<HandoffId>,
    pub recipient: Recipient,
    pub message: Message,
    pub status: OutboxStatus,
    pub attempts: u32,
    pub next_attempt_at: DateTime<Utc>,
    /// The provider's id for the sent message (Twilio's `sid`).
    pub provider_id: Option<String>,
    pub last_error: Option<String>,
    pub created_at: DateTime<Utc>,
    pub sent_at: Option<DateTime<Utc>>,
    /// The channel it goes by, or went by once sent.
    pub channel: Channel,
}

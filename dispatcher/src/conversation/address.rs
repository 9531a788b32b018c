//! Who sent an inbound message, and which message it was, as the dispatcher sees
//! them: an [`Address`] (a phone number or a Matrix user ID, whatever carried it,
//! or an agency's own system acting for one of its officers) and the provider's
//! [`MessageId`], both parsed at the edge.

use std::fmt;

use crate::contact::{Channel, MatrixUserId, PhoneNumber};
use crate::roster::{AgencyId, OfficerId, Participant, Roster};

/// Where a message came from, transport-neutral: the roster matches it to an
/// officer or a staff member.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum Address {
    Phone(PhoneNumber),
    Matrix(MatrixUserId),
    /// An agency's dispatch (CAD) or mobile system, through the JSON API, acting
    /// for one of its officers: the message is that officer's, for that agency.
    Agency {
        agency: AgencyId,
        officer: OfficerId,
    },
}

impl Address {
    /// The officer or staff member this address belongs to, if anyone. An agency's
    /// system speaks only for an officer who works for it.
    pub fn participant<'a>(&self, roster: &'a Roster) -> Option<Participant<'a>> {
        match self {
            Address::Phone(phone) => roster.by_phone(phone),
            Address::Matrix(user) => roster.by_matrix(user),
            Address::Agency { agency, officer } => {
                roster.officer_of(agency, officer).map(Participant::Officer)
            }
        }
    }

    /// The channel that carried a message from this address, which answers to it
    /// go back on. `None` for an agency's system: it reads its answers in the
    /// response to its own request, so they are not sent anywhere; what the
    /// hand-off itself tells the officer (the receipt, who is coming) still goes to
    /// the officer on their own channel.
    pub fn channel(&self) -> Option<Channel> {
        match self {
            Address::Phone(_) => Some(Channel::Sms),
            Address::Matrix(_) => Some(Channel::Matrix),
            Address::Agency { .. } => None,
        }
    }

    /// The key of the sender's row in the store: the transport's spelling with a
    /// prefix, so a phone, a Matrix ID and an agency's system can never collide.
    pub fn key(&self) -> String {
        match self {
            Address::Phone(phone) => format!("tel:{}", phone.as_str()),
            Address::Matrix(user) => format!("matrix:{}", user.as_str()),
            Address::Agency { agency, officer } => format!("agency:{agency}/{officer}"),
        }
    }

    /// For logs: never the whole phone number.
    pub fn redacted(&self) -> String {
        match self {
            Address::Phone(phone) => format!("phone …{}", phone.last_four()),
            Address::Matrix(user) => user.as_str().to_owned(),
            Address::Agency { agency, officer } => format!("{agency} for {officer}"),
        }
    }
}

/// The id a provider gave an inbound message (Twilio's `MessageSid`, a Matrix event
/// ID): what makes a retried delivery of the same message recognisable.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct MessageId(String);

/// Why a provider's message id is refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum BadMessageId {
    #[error("the message id is empty")]
    Empty,
    #[error("the message id is longer than {MAX_MESSAGE_ID} characters")]
    TooLong,
    #[error("the message id has characters other than letters, digits and -_.:$!@")]
    BadCharacter,
}

/// The longest id accepted. Twilio's are 34 characters, Matrix event IDs are at most
/// 255 bytes.
pub const MAX_MESSAGE_ID: usize = 255;

impl MessageId {
    /// Accepts a non-empty id of printable ASCII without spaces: an empty id would
    /// make every other empty-id message look like a retry of it.
    pub fn parse(text: &str) -> Result<MessageId, BadMessageId> {
        if text.is_empty() {
            return Err(BadMessageId::Empty);
        }
        if text.len() > MAX_MESSAGE_ID {
            return Err(BadMessageId::TooLong);
        }
        if !text.chars().all(|c| c.is_ascii_graphic()) {
            return Err(BadMessageId::BadCharacter);
        }
        Ok(MessageId(text.to_owned()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for MessageId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

#[cfg(test)]
mod tests {
    use super::{BadMessageId, MessageId};

    #[test]
    fn message_ids_must_be_non_empty_printable_and_bounded() {
        assert!(MessageId::parse("SM0123456789abcdef0123456789abcdef").is_ok());
        assert!(MessageId::parse("$event:example.org").is_ok());
        assert_eq!(MessageId::parse(""), Err(BadMessageId::Empty));
        assert_eq!(MessageId::parse("SM 1"), Err(BadMessageId::BadCharacter));
        assert_eq!(MessageId::parse("SM\n1"), Err(BadMessageId::BadCharacter));
        assert_eq!(
            MessageId::parse(&"x".repeat(256)),
            Err(BadMessageId::TooLong)
        );
    }
}

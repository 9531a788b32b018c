//! How a person is reached: an E.164 phone number or a Matrix user ID. Both are parsed
//! where they enter (config, webhooks, Matrix events), so the dispatcher compares and
//! stores one canonical spelling and never a raw string.

use std::fmt;
use std::str::FromStr;

use phonenumber::Mode;

/// The way a message travels to a person: what a person prefers, and what each
/// outbound message went by (kept in the outbox and shown in reports).
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, serde::Serialize, serde::Deserialize,
)]
#[serde(rename_all = "snake_case")]
pub enum Channel {
    Sms,
    Matrix,
    /// A phone call: only ever what an answer came by (a case manager who pressed
    /// 1 on a call), never a way to send a message, so reports can compare it.
    Voice,
}

impl Channel {
    pub fn name(self) -> &'static str {
        match self {
            Channel::Sms => "sms",
            Channel::Matrix => "matrix",
            Channel::Voice => "voice",
        }
    }

    pub fn parse(text: &str) -> Option<Channel> {
        match text {
            "sms" => Some(Channel::Sms),
            "matrix" => Some(Channel::Matrix),
            "voice" => Some(Channel::Voice),
            _ => None,
        }
    }
}

impl fmt::Display for Channel {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// A phone number in E.164 form (`+14125550101`), valid by the numbering plan of its
/// country.
#[derive(
    Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, serde::Serialize, serde::Deserialize,
)]
#[serde(into = "String", try_from = "String")]
pub struct PhoneNumber(String);

impl TryFrom<String> for PhoneNumber {
    type Error = PhoneError;
    fn try_from(text: String) -> Result<Self, PhoneError> {
        PhoneNumber::parse(&text)
    }
}

impl From<PhoneNumber> for String {
    fn from(phone: PhoneNumber) -> String {
        phone.0
    }
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PhoneError {
    #[error(
        "`{0}` is not a phone number in international form: write it as +<country code><number>, e.g. +14125550101"
    )]
    NotInternational(String),
    #[error("`{0}` is not a phone number: {1}")]
    Unparseable(String, String),
    #[error("`{0}` is not a valid number in its country's numbering plan")]
    Invalid(String),
}

impl PhoneNumber {
    /// Parses a number written internationally; spaces, dashes, dots and brackets are
    /// allowed (`+1 (412) 555-0101`). Numbers without a country code are refused rather
    /// than guessed, because a wrong guess would text a stranger.
    pub fn parse(text: &str) -> Result<PhoneNumber, PhoneError> {
        let trimmed = text.trim();
        if !trimmed.starts_with('+') {
            return Err(PhoneError::NotInternational(text.to_owned()));
        }
        let number = phonenumber::parse(None, trimmed)
            .map_err(|e| PhoneError::Unparseable(text.to_owned(), e.to_string()))?;
        if !number.is_valid() {
            return Err(PhoneError::Invalid(text.to_owned()));
        }
        Ok(PhoneNumber(number.format().mode(Mode::E164).to_string()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The last four digits, for logs and screens where the whole number should not
    /// appear.
    pub fn last_four(&self) -> &str {
        let len = self.0.len();
        self.0.get(len.saturating_sub(4)..).unwrap_or("")
    }
}

impl FromStr for PhoneNumber {
    type Err = PhoneError;
    fn from_str(text: &str) -> Result<Self, PhoneError> {
        PhoneNumber::parse(text)
    }
}

impl fmt::Display for PhoneNumber {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// A Matrix user ID, `@localpart:server.name`.
#[derive(
    Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, serde::Serialize, serde::Deserialize,
)]
#[serde(into = "String", try_from = "String")]
pub struct MatrixUserId(String);

impl TryFrom<String> for MatrixUserId {
    type Error = BadMatrixUserId;
    fn try_from(text: String) -> Result<Self, BadMatrixUserId> {
        MatrixUserId::parse(&text)
    }
}

impl From<MatrixUserId> for String {
    fn from(user: MatrixUserId) -> String {
        user.0
    }
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("`{0}` is not a Matrix user ID: expected @name:server, e.g. @dana:matrix.example.org")]
pub struct BadMatrixUserId(pub String);

impl MatrixUserId {
    pub fn parse(text: &str) -> Result<MatrixUserId, BadMatrixUserId> {
        let bad = || BadMatrixUserId(text.to_owned());
        let rest = text.strip_prefix('@').ok_or_else(bad)?;
        let (local, server) = rest.split_once(':').ok_or_else(bad)?;
        // The user ID grammar of the Matrix spec (historical IDs aside): a lowercase
        // localpart and a non-empty server name.
        let local_ok = !local.is_empty()
            && local
                .chars()
                .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || "._=-/+".contains(c));
        let server_ok = !server.is_empty()
            && server
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || ".-:[]".contains(c));
        if local_ok && server_ok && text.len() <= 255 {
            Ok(MatrixUserId(text.to_owned()))
        } else {
            Err(bad())
        }
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl FromStr for MatrixUserId {
    type Err = BadMatrixUserId;
    fn from_str(text: &str) -> Result<Self, BadMatrixUserId> {
        MatrixUserId::parse(text)
    }
}

impl fmt::Display for MatrixUserId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn phone_numbers_are_stored_in_e164() {
        let number = PhoneNumber::parse("+1 (412) 555-0101").unwrap();
        assert_eq!(number.as_str(), "+14125550101");
        assert_eq!(number.last_four(), "0101");
        assert_eq!(
            PhoneNumber::parse("+44 20 7946 0958").unwrap().as_str(),
            "+442079460958"
        );
    }

    #[test]
    fn phone_numbers_without_a_country_code_or_invalid_are_refused() {
        assert!(matches!(
            PhoneNumber::parse("412-555-0101"),
            Err(PhoneError::NotInternational(_))
        ));
        assert!(PhoneNumber::parse("+1 412 555").is_err());
        assert!(PhoneNumber::parse("+1 012 555 0101").is_err());
        assert!(PhoneNumber::parse("+hello").is_err());
    }

    #[test]
    fn matrix_user_ids_need_a_localpart_and_a_server() {
        assert!(MatrixUserId::parse("@dana:matrix.example.org").is_ok());
        assert!(MatrixUserId::parse("@dana:localhost:8448").is_ok());
        assert!(MatrixUserId::parse("dana:example.org").is_err());
        assert!(MatrixUserId::parse("@Dana:example.org").is_err());
        assert!(MatrixUserId::parse("@dana").is_err());
    }
}

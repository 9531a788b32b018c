//! The provider's webhook forms, read strictly at the edge: the
//! `application/x-www-form-urlencoded` body decoded, then the fields handoff
//! reads parsed into typed values. Pure, so every input can be tried on it.
//!
//! Decoding refuses what a provider never sends rather than guessing: a `%` not
//! followed by two hex digits, and bytes that are not UTF-8 once decoded (a lenient
//! decoder would put U+FFFD in their place, and the signature would then be checked
//! over text nobody sent). The fields handoff reads must each be given once: two
//! `From`s would leave it to chance which one the signature check, the limits and
//! the dispatcher each took. A text's `Body` is at most [`MAX_TEXT_CHARS`]
//! characters, the most a provider delivers as one text.

use handoff_dispatcher::PhoneNumber;
use handoff_dispatcher::conversation::MessageId;

/// The longest `Body` a provider delivers as one text (Twilio's limit for a
/// message body); longer is not a text from a phone.
pub const MAX_TEXT_CHARS: usize = 1600;

/// The longest `From` or `To` looked at: an E.164 number has at most 16
/// characters, and a longer value is no phone number, however it is spaced.
const MAX_PHONE_CHARS: usize = 64;

/// Why a webhook's form is refused (with 400); each says what to fix.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum FormError {
    #[error("the form has a malformed %-escape at byte {0}")]
    BadEscape(usize),
    #[error("the form is not UTF-8 once its %-escapes are decoded")]
    NotUtf8,
    #[error("{0} are required")]
    Missing(&'static str),
    #[error("{0} is given more than once")]
    Repeated(&'static str),
    #[error("Body is longer than {MAX_TEXT_CHARS} characters")]
    TooLong,
    #[error("From is not a phone number")]
    NotAPhone,
    #[error("MessageSid must be a non-empty id")]
    BadMessageSid,
}

/// Decodes a form body into its pairs, in order, refusing malformed escapes and
/// text that is not UTF-8. `+` is a space; a pair without `=` has an empty value;
/// empty pairs (`a=1&&b=2`) are skipped, as every form decoder skips them.
pub fn decode(body: &[u8]) -> Result<Vec<(String, String)>, FormError> {
    let mut pairs = Vec::new();
    let mut offset = 0;
    for piece in body.split(|&b| b == b'&') {
        if !piece.is_empty() {
            let (name, value) = match piece.iter().position(|&b| b == b'=') {
                Some(at) => (&piece[..at], &piece[at + 1..]),
                None => (piece, &piece[piece.len()..]),
            };
            let value_offset = offset + name.len() + 1;
            pairs.push((unescape(name, offset)?, unescape(value, value_offset)?));
        }
        offset += piece.len() + 1;
    }
    Ok(pairs)
}

/// One name or value, `+` and `%XX` decoded; `offset` is where it starts in the
/// body, for the error.
fn unescape(bytes: &[u8], offset: usize) -> Result<String, FormError> {
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while let Some(&byte) = bytes.get(i) {
        match byte {
            b'+' => out.push(b' '),
            b'%' => {
                let hex = |at: usize| bytes.get(at).and_then(|b| char::from(*b).to_digit(16));
                let (Some(high), Some(low)) = (hex(i + 1), hex(i + 2)) else {
                    return Err(FormError::BadEscape(offset + i));
                };
                // Two hex digits make at most 255.
                out.push(
                    u8::try_from(high * 16 + low).map_err(|_| FormError::BadEscape(offset + i))?,
                );
                i += 2;
            }
            _ => out.push(byte),
        }
        i += 1;
    }
    String::from_utf8(out).map_err(|_| FormError::NotUtf8)
}

/// The value of `name`, when it is given at most once.
pub(crate) fn single<'a>(
    pairs: &'a [(String, String)],
    name: &'static str,
) -> Result<Option<&'a str>, FormError> {
    let mut found = pairs
        .iter()
        .filter(|(k, _)| k == name)
        .map(|(_, v)| v.as_str());
    let first = found.next();
    if found.next().is_some() {
        return Err(FormError::Repeated(name));
    }
    Ok(first)
}

/// An inbound text, as the provider's webhook gives it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InboundText<'a> {
    pub sid: MessageId,
    pub from: PhoneNumber,
    /// The number texted, when it is one (only the loop check reads it).
    pub to: Option<PhoneNumber>,
    pub body: &'a str,
}

/// The fields of `POST /sms/inbound`.
pub fn inbound(pairs: &[(String, String)]) -> Result<InboundText<'_>, FormError> {
    let sid = single(pairs, "MessageSid")?;
    let from = single(pairs, "From")?;
    let body = single(pairs, "Body")?;
    let to = single(pairs, "To")?;
    let (Some(sid), Some(from), Some(body)) = (sid, from, body) else {
        return Err(FormError::Missing("MessageSid, From and Body"));
    };
    let from = phone(from).ok_or(FormError::NotAPhone)?;
    let sid = MessageId::parse(sid).map_err(|_| FormError::BadMessageSid)?;
    if body.chars().nth(MAX_TEXT_CHARS).is_some() {
        return Err(FormError::TooLong);
    }
    Ok(InboundText {
        sid,
        from,
        to: to.and_then(phone),
        body,
    })
}

/// `text` as a phone number, when it is one (and short enough to look at).
pub(crate) fn phone(text: &str) -> Option<PhoneNumber> {
    if text.chars().nth(MAX_PHONE_CHARS).is_some() {
        return None;
    }
    PhoneNumber::parse(text).ok()
}

/// A delivery status, as the provider's callback gives it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Status<'a> {
    /// The provider's id of the message handoff sent: looked up, never stored.
    pub sid: &'a str,
    pub status: &'a str,
    pub error_code: Option<&'a str>,
}

/// The fields of `POST /sms/status`.
pub fn status(pairs: &[(String, String)]) -> Result<Status<'_>, FormError> {
    let sid = single(pairs, "MessageSid")?;
    let status = single(pairs, "MessageStatus")?;
    let error_code = single(pairs, "ErrorCode")?;
    let (Some(sid), Some(status)) = (sid, status) else {
        return Err(FormError::Missing("MessageSid and MessageStatus"));
    };
    Ok(Status {
        sid,
        status,
        error_code,
    })
}

#[cfg(test)]
#[path = "tests/form.rs"]
pub(crate) mod tests;

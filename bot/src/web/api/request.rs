//! What a call to the JSON API asks, parsed at the edge: the body (JSON only, at
//! most [`MAX_BODY`] bytes), its fields as typed values (an officer id, a kind of
//! hand-off, the place), the `Idempotency-Key` header, and the hand-off number in
//! the path. Whether the officer, site and zone are the calling agency's is
//! checked against the configuration in force ([`check_place`], and the handlers
//! for the officer); what the request then means is the dispatcher's to decide.

use axum::body::Bytes;
use axum::extract::rejection::{BytesRejection, FailedToBufferBody};
use axum::http::{HeaderMap, header};
use handoff_dispatcher::conversation::{MAX_TEXT, MessageId, Placement};
use handoff_dispatcher::directory::Directory;
use handoff_dispatcher::{Agency, AgencyId, HandoffId, HandoffKind, OfficerId};
use handoff_schedules::{SiteId, ZoneId};
use serde::Deserialize;
use serde::de::DeserializeOwned;

use super::error::ApiError;

/// The largest body read: a request's words are at most [`MAX_TEXT`] characters
/// (ten SMS segments), and a few kilobytes more leave room for JSON's escapes.
pub(crate) const MAX_BODY: usize = 16 * 1024;

/// The longest `Idempotency-Key`: room for a UUID, a CAD incident number with a
/// prefix, or a hash.
pub(crate) const MAX_IDEMPOTENCY_KEY: usize = 128;

/// The header a caller names a request with, so that a retry is handled once.
const IDEMPOTENCY_KEY: &str = "idempotency-key";

/// `POST /api/v1/handoffs`, as sent.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct NewHandoffJson {
    officer: String,
    kind: String,
    location: String,
    #[serde(default)]
    notes: Option<String>,
    #[serde(default)]
    zone: Option<String>,
    #[serde(default)]
    site: Option<String>,
}

/// `POST /api/v1/handoffs/{id}/cancel`, as sent (the body is optional).
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct CancelJson {
    #[serde(default)]
    pub(crate) officer: Option<String>,
    #[serde(default)]
    pub(crate) reason: Option<String>,
}

/// An officer's request, parsed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct NewHandoff {
    pub(crate) officer: OfficerId,
    pub(crate) kind: HandoffKind,
    /// The officer's words: the location, then the notes.
    pub(crate) text: String,
    pub(crate) placement: Placement,
}

/// Reads a JSON body: `None` when there is none and `required` is false. The
/// body was buffered by the `Bytes` extractor under the API's own limit
/// ([`MAX_BODY`], set on the API's routes).
pub(crate) fn json<T: DeserializeOwned>(
    headers: &HeaderMap,
    body: Result<Bytes, BytesRejection>,
    required: bool,
) -> Result<Option<T>, ApiError> {
    let bytes = body.map_err(|rejection| match rejection {
        BytesRejection::FailedToBufferBody(FailedToBufferBody::LengthLimitError(_)) => {
            ApiError::BodyTooLarge(MAX_BODY)
        }
        _ => ApiError::BodyUnreadable,
    })?;
    if bytes.is_empty() && !required {
        return Ok(None);
    }
    if !is_json(headers) {
        return Err(ApiError::UnsupportedMediaType);
    }
    parse_json(&bytes).map(Some)
}

/// Whether the request says its body is JSON: `application/json`, with any
/// parameters (`; charset=utf-8`).
fn is_json(headers: &HeaderMap) -> bool {
    headers
        .get(header::CONTENT_TYPE)
        .and_then(|value| value.to_str().ok())
        .and_then(|value| value.split(';').next())
        .is_some_and(|mime| mime.trim().eq_ignore_ascii_case("application/json"))
}

/// A syntax error is malformed JSON (400); a missing, unknown or mistyped field
/// is a request that cannot be processed (422).
pub(crate) fn parse_json<T: DeserializeOwned>(bytes: &[u8]) -> Result<T, ApiError> {
    serde_json::from_slice(bytes).map_err(|error| match error.classify() {
        serde_json::error::Category::Data => ApiError::invalid("invalid_field", error.to_string()),
        _ => ApiError::MalformedJson(error.to_string()),
    })
}

impl NewHandoffJson {
    pub(crate) fn parse(self) -> Result<NewHandoff, ApiError> {
        let officer = OfficerId::parse(self.officer.trim())
            .map_err(|e| ApiError::invalid("invalid_field", format!("officer: {e}")))?;
        let kind = kind(&self.kind)?;
        let location = self.location.trim();
        if !location.chars().any(char::is_alphanumeric) {
            return Err(ApiError::invalid(
                "location_required",
                "location: say where the officer is (an address, a crossing, a landmark)",
            ));
        }
        let text = match self.notes.as_deref().map(str::trim) {
            Some(notes) if !notes.is_empty() => format!("{location}, {notes}"),
            _ => location.to_owned(),
        };
        let chars = text.chars().count();
        if chars > MAX_TEXT {
            return Err(ApiError::invalid(
                "too_long",
                format!("location and notes together hold {chars} characters; at most {MAX_TEXT}"),
            ));
        }
        let placement = Placement {
            site: id_field(self.site.as_deref(), "site", SiteId::parse)?,
            zone: id_field(self.zone.as_deref(), "zone", ZoneId::parse)?,
        };
        Ok(NewHandoff {
            officer,
            kind,
            text,
            placement,
        })
    }
}

/// An optional id field: absent or blank is none.
fn id_field<T, E: std::fmt::Display>(
    value: Option<&str>,
    name: &str,
    parse: impl Fn(&str) -> Result<T, E>,
) -> Result<Option<T>, ApiError> {
    match value.map(str::trim) {
        None | Some("") => Ok(None),
        Some(text) => parse(text)
            .map(Some)
            .map_err(|e| ApiError::invalid("invalid_field", format!("{name}: {e}"))),
    }
}

/// A kind of hand-off by its name (`arrest_diversion`, `social_contact_referral`)
/// or the words officers use for it (`lead`, `refer`, ...), in any case, with `-`
/// or a space for `_`.
pub(crate) fn kind(text: &str) -> Result<HandoffKind, ApiError> {
    let name: String = text
        .trim()
        .chars()
        .map(|c| match c {
            '-' | ' ' => '_',
            c => c.to_ascii_lowercase(),
        })
        .collect();
    match name.as_str() {
        "arrest_diversion" | "lead" | "diversion" => Ok(HandoffKind::ArrestDiversion),
        "social_contact_referral" | "social_contact" | "referral" | "refer" => {
            Ok(HandoffKind::SocialContactReferral)
        }
        _ => Err(ApiError::invalid(
            "unknown_kind",
            "kind: expected arrest_diversion (or lead) or social_contact_referral \
             (or social_contact, referral, refer)",
        )),
    }
}

/// Refuses a site or zone that is not one of `agency`'s: its requests go to its
/// own sites only.
pub(crate) fn check_place(
    placement: &Placement,
    agency: &Agency,
    directory: &Directory,
) -> Result<(), ApiError> {
    let zones_of = |site: &SiteId| -> Vec<ZoneId> {
        directory
            .sites
            .get(site)
            .map(|s| s.zones.clone())
            .unwrap_or_default()
    };
    if let Some(site) = &placement.site
        && !agency.sites.contains(site)
    {
        return Err(ApiError::invalid(
            "unknown_site",
            format!(
                "site: `{site}` is not a site of {}; its sites are {}",
                agency.name,
                listed(agency.sites.iter().map(SiteId::as_str))
            ),
        ));
    }
    if let Some(zone) = &placement.zone {
        let sites: Vec<&SiteId> = match &placement.site {
            Some(site) => vec![site],
            None => agency.sites.iter().collect(),
        };
        let zones: Vec<ZoneId> = sites.into_iter().flat_map(zones_of).collect();
        if !zones.contains(zone) {
            let known = if zones.is_empty() {
                "none are configured".to_owned()
            } else {
                format!("they are {}", listed(zones.iter().map(ZoneId::as_str)))
            };
            return Err(ApiError::invalid(
                "unknown_zone",
                format!("zone: `{zone}` is not a zone of where this request may go; {known}"),
            ));
        }
    }
    Ok(())
}

fn listed<'a>(items: impl Iterator<Item = &'a str>) -> String {
    items
        .map(|item| format!("`{item}`"))
        .collect::<Vec<_>>()
        .join(", ")
}

/// Which request a message id is made for: one key names one request, so a
/// cancel can never be taken for a retry of the request that opened.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Operation {
    Open,
    Cancel,
}

impl Operation {
    fn name(self) -> &'static str {
        match self {
            Operation::Open => "open",
            Operation::Cancel => "cancel",
        }
    }
}

/// The caller's `Idempotency-Key`, if it sent one: 1 to [`MAX_IDEMPOTENCY_KEY`]
/// printable ASCII characters.
pub(crate) fn idempotency_key(headers: &HeaderMap) -> Result<Option<&str>, ApiError> {
    let Some(value) = headers.get(IDEMPOTENCY_KEY) else {
        return Ok(None);
    };
    let key = value.to_str().map_err(|_| ApiError::BadIdempotencyKey)?;
    let fits = !key.is_empty()
        && key.len() <= MAX_IDEMPOTENCY_KEY
        && key.chars().all(|c| c.is_ascii_graphic());
    if fits {
        Ok(Some(key))
    } else {
        Err(ApiError::BadIdempotencyKey)
    }
}

/// The dispatcher's id of the message a call becomes: the agency, the operation
/// and the caller's key (or, without one, a random one, so the call is its own
/// message). Keys are the agency's own: two agencies' keys never meet.
pub(crate) fn message_id(
    agency: &AgencyId,
    operation: Operation,
    key: Option<&str>,
) -> Result<MessageId, ApiError> {
    let key = match key {
        Some(key) => key.to_owned(),
        None => format!("random-{:032x}", rand::random::<u128>()),
    };
    MessageId::parse(&format!("api:{agency}:{}:{key}", operation.name()))
        .map_err(|_| ApiError::BadIdempotencyKey)
}

/// The hand-off number in a path: digits only.
pub(crate) fn handoff_id(text: &str) -> Result<HandoffId, ApiError> {
    let digits = !text.is_empty() && text.len() <= 9 && text.chars().all(|c| c.is_ascii_digit());
    digits
        .then(|| text.parse().ok())
        .flatten()
        .ok_or_else(|| ApiError::HandoffNotFound(text.chars().take(20).collect()))
}

#[cfg(test)]
#[path = "tests/request.rs"]
mod tests;

//! Columns to domain values and back: instants as epoch milliseconds, JSON text,
//! hand-off numbers and identifiers. Every decoding failure names the table and row,
//! so a corrupt row can be found and repaired by hand.

use std::fmt::Display;

use chrono::{DateTime, Days, NaiveDate, Utc};
use handoff_schedules::PersonId;
use serde::Serialize;
use serde::de::DeserializeOwned;

use super::StoreError;
use crate::handoff::{HandoffId, HandoffKind};

/// An instant as stored: milliseconds since the Unix epoch.
pub(super) fn millis(at: DateTime<Utc>) -> i64 {
    at.timestamp_millis()
}

pub(super) fn instant(
    table: &'static str,
    id: impl Display,
    ms: i64,
) -> Result<DateTime<Utc>, StoreError> {
    DateTime::from_timestamp_millis(ms)
        .ok_or_else(|| corrupt(table, id, format!("instant {ms} ms is out of range")))
}

pub(super) fn opt_instant(
    table: &'static str,
    id: impl Display,
    ms: Option<i64>,
) -> Result<Option<DateTime<Utc>>, StoreError> {
    ms.map(|ms| instant(table, id, ms)).transpose()
}

pub(super) fn from_json<T: DeserializeOwned>(
    table: &'static str,
    id: impl Display,
    text: &str,
) -> Result<T, StoreError> {
    serde_json::from_str(text).map_err(|source| StoreError::CorruptJson {
        table,
        id: id.to_string(),
        source,
    })
}

pub(super) fn to_json<T: Serialize>(what: &'static str, value: &T) -> Result<String, StoreError> {
    serde_json::to_string(value).map_err(|source| StoreError::Encode { what, source })
}

pub(super) fn db_id(id: HandoffId) -> i64 {
    i64::from(id.get())
}

pub(super) fn handoff_id(
    table: &'static str,
    id: impl Display,
    raw: i64,
) -> Result<HandoffId, StoreError> {
    u32::try_from(raw)
        .map(HandoffId::new)
        .map_err(|_| corrupt(table, id, format!("{raw} is not a hand-off number")))
}

pub(super) fn person(
    table: &'static str,
    id: impl Display,
    text: &str,
) -> Result<PersonId, StoreError> {
    PersonId::parse(text).map_err(|error| corrupt(table, id, error.to_string()))
}

/// A count or number of attempts, stored as BIGINT.
pub(super) fn count(table: &'static str, id: impl Display, raw: i64) -> Result<u32, StoreError> {
    u32::try_from(raw).map_err(|_| corrupt(table, id, format!("{raw} is not a count")))
}

/// The first day of the Unix epoch, which stored dates count from.
const EPOCH_DAY: NaiveDate = match NaiveDate::from_ymd_opt(1970, 1, 1) {
    Some(date) => date,
    None => NaiveDate::MIN,
};

/// A date as stored: days since 1970-01-01.
pub(super) fn epoch_day(date: NaiveDate) -> i64 {
    (date - EPOCH_DAY).num_days()
}

pub(super) fn date(
    table: &'static str,
    id: impl Display,
    days: i64,
) -> Result<NaiveDate, StoreError> {
    let date = if days >= 0 {
        EPOCH_DAY.checked_add_days(Days::new(days.unsigned_abs()))
    } else {
        EPOCH_DAY.checked_sub_days(Days::new(days.unsigned_abs()))
    };
    date.ok_or_else(|| corrupt(table, id, format!("day {days} is out of range")))
}

/// The `kind` column of `handoffs`: the same names as the JSON.
pub(super) fn kind_name(kind: HandoffKind) -> &'static str {
    match kind {
        HandoffKind::ArrestDiversion => "arrest_diversion",
        HandoffKind::SocialContactReferral => "social_contact_referral",
    }
}

pub(super) fn corrupt(table: &'static str, id: impl Display, detail: String) -> StoreError {
    StoreError::CorruptValue {
        table,
        id: id.to_string(),
        detail,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn kind_names_are_the_json_names() {
        for kind in [
            HandoffKind::ArrestDiversion,
            HandoffKind::SocialContactReferral,
        ] {
            assert_eq!(
                serde_json::to_string(&kind).unwrap(),
                format!("\"{}\"", kind_name(kind))
            );
        }
    }

    #[test]
    fn instants_out_of_range_are_reported_with_their_row() {
        let error = instant("events", 7, i64::MAX).unwrap_err();
        assert!(error.to_string().contains("events row 7"), "{error}");
    }
}

//! Downloads: the hand-offs of a period as CSV (every phase timing and outcome
//! code, no words), the workgroup review as CSV, and each site's on-duty calendar
//! as an iCalendar subscription.
//!
//! CSV cells are neutralised against formula injection: a spreadsheet runs a cell
//! that starts with `=`, `+`, `-`, `@` (or a tab or carriage return) as a formula,
//! so such a cell gets a leading `'`. A calendar program cannot log in, so a site's
//! feed URL carries a token instead: an HMAC of the site's id under a random key
//! kept in the database, unguessable and the same on every instance.

use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};
use chrono::{Duration, NaiveDate};
use handoff_config::DashboardRole;
use handoff_schedules::SiteId;
use serde::{Deserialize, Serialize};
use subtle::ConstantTimeEq;

use super::review::{metrics_between, rows, since_date};
use super::session::Signer;
use super::{access, unavailable};
use crate::server::AppState;

/// The name of the key calendar tokens are derived from, in `web_keys`.
const CALENDAR_KEY: &str = "calendar-feeds";
/// Days a calendar feed covers: two weeks back, eight weeks ahead.
const FEED_DAYS_BEFORE: i64 = 14;
const FEED_DAYS_AFTER: i64 = 56;

/// A cell a spreadsheet would not run as a formula.
pub(crate) fn neutralised(cell: &str) -> std::borrow::Cow<'_, str> {
    if cell.starts_with(['=', '+', '-', '@', '\t', '\r']) {
        format!("'{cell}").into()
    } else {
        cell.into()
    }
}

/// `rows` as CSV with a header, every cell neutralised.
pub(crate) fn csv_of<T: Serialize>(rows: &[T]) -> Result<Vec<u8>, csv::Error> {
    let mut plain = csv::Writer::from_writer(Vec::new());
    for row in rows {
        plain.serialize(row)?;
    }
    let plain = plain
        .into_inner()
        .map_err(|e| csv::Error::from(e.into_error()))?;
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(false)
        .from_reader(plain.as_slice());
    let mut out = csv::Writer::from_writer(Vec::new());
    for record in reader.records() {
        let record = record?;
        out.write_record(record.iter().map(|cell| neutralised(cell).into_owned()))?;
    }
    out.into_inner()
        .map_err(|e| csv::Error::from(e.into_error()))
}

fn download(name: &str, content_type: &'static str, body: Vec<u8>) -> Response {
    (
        [
            (header::CONTENT_TYPE, content_type.to_owned()),
            (
                header::CONTENT_DISPOSITION,
                format!("attachment; filename=\"{name}\""),
            ),
            (header::CACHE_CONTROL, "no-store".to_owned()),
        ],
        body,
    )
        .into_response()
}

fn csv_failed(error: &csv::Error) -> Response {
    tracing::error!(%error, "writing a CSV export failed");
    (
        StatusCode::INTERNAL_SERVER_ERROR,
        "writing the CSV failed\n",
    )
        .into_response()
}

#[derive(Debug, Default, Deserialize)]
pub(crate) struct Period {
    #[serde(default)]
    from: String,
    #[serde(default)]
    to: String,
    #[serde(default)]
    since: String,
}

/// Every hand-off requested in the period, one row each, as `handoff report
/// handoffs` writes them.
pub(crate) async fn handoffs(
    State(state): State<AppState>,
    headers: HeaderMap,
    Query(period): Query<Period>,
) -> Response {
    if let Err(refused) = access(&state, &headers, DashboardRole::Manager).await {
        return refused;
    }
    let engine = state.inbound.engine();
    let now = engine.now();
    let from = since_date(&period.from, now);
    let to = NaiveDate::parse_from_str(period.to.trim(), "%Y-%m-%d").ok();
    let metrics = match metrics_between(&engine.records(), &engine.directory(), from, to).await {
        Ok(metrics) => metrics,
        Err(error) => return unavailable(&error),
    };
    match csv_of(&metrics) {
        Ok(body) => download("handoffs.csv", "text/csv; charset=utf-8", body),
        Err(error) => csv_failed(&error),
    }
}

/// The workgroup review's rows as CSV.
pub(crate) async fn review(
    State(state): State<AppState>,
    headers: HeaderMap,
    Query(period): Query<Period>,
) -> Response {
    if let Err(refused) = access(&state, &headers, DashboardRole::Manager).await {
        return refused;
    }
    let engine = state.inbound.engine();
    let now = engine.now();
    let records = engine.records();
    let directory = engine.directory();
    let from = since_date(&period.since, now);
    let data = async {
        let metrics = metrics_between(&records, &directory, from, None).await?;
        let intakes = records.intake_due(now, Duration::days(36_500)).await?;
        Ok::<_, handoff_dispatcher::StoreError>((metrics, intakes))
    };
    let (metrics, intakes) = match data.await {
        Ok(data) => data,
        Err(error) => return unavailable(&error),
    };
    match csv_of(&rows(&metrics, &intakes, &directory)) {
        Ok(body) => download("review.csv", "text/csv; charset=utf-8", body),
        Err(error) => csv_failed(&error),
    }
}

/// The token in a site's calendar URL.
pub(crate) async fn calendar_token(
    state: &AppState,
    site: &SiteId,
) -> Result<String, handoff_dispatcher::StoreError> {
    let signer = Signer::load(&state.inbound.engine().records(), CALENDAR_KEY).await?;
    Ok(signer.sign(&format!("calendar:{site}")))
}

#[derive(Debug, Default, Deserialize)]
pub(crate) struct Token {
    #[serde(default)]
    token: String,
}

/// A site's on-duty calendar, for a calendar program's subscription: 404 for a
/// wrong token or an unknown site alike, so the URL reveals nothing.
pub(crate) async fn calendar(
    State(state): State<AppState>,
    Path(file): Path<String>,
    Query(token): Query<Token>,
) -> Response {
    let not_found = || (StatusCode::NOT_FOUND, "no such calendar\n").into_response();
    let Some(site) = file
        .strip_suffix(".ics")
        .and_then(|id| id.parse::<SiteId>().ok())
    else {
        return not_found();
    };
    let engine = state.inbound.engine();
    let directory = match super::fresh_directory(&state).await {
        Ok(directory) => directory,
        Err(unavailable) => return unavailable,
    };
    if !directory.sites.contains_key(&site) {
        return not_found();
    }
    let expected = match calendar_token(&state, &site).await {
        Ok(expected) => expected,
        Err(error) => return unavailable(&error),
    };
    if token.token.is_empty() || !bool::from(expected.as_bytes().ct_eq(token.token.as_bytes())) {
        return not_found();
    }
    let now = engine.now();
    let today = now.date_naive();
    let first = today - Duration::days(FEED_DAYS_BEFORE);
    let last = today + Duration::days(FEED_DAYS_AFTER);
    match crate::ics::feed_of(&directory, &state.web.program, &site, first, last, now) {
        Ok(feed) => download(&file, "text/calendar; charset=utf-8", feed.into_bytes()),
        Err(error) => (StatusCode::INTERNAL_SERVER_ERROR, format!("{error}\n")).into_response(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cells_a_spreadsheet_would_run_are_neutralised() {
        for (cell, safe) in [
            ("=HYPERLINK(\"http://x\")", "'=HYPERLINK(\"http://x\")"),
            ("+1 412", "'+1 412"),
            ("-5", "'-5"),
            ("@SUM(A1)", "'@SUM(A1)"),
            ("\tx", "'\tx"),
            ("\rx", "'\rx"),
            ("Dana", "Dana"),
            ("", ""),
            ("1=1", "1=1"),
        ] {
            assert_eq!(neutralised(cell), safe, "{cell:?}");
        }
    }

    #[derive(Serialize)]
    struct Row {
        name: &'static str,
        n: i64,
    }

    #[test]
    fn csv_exports_keep_their_header_and_neutralise_every_cell() {
        let body = csv_of(&[
            Row {
                name: "=cmd|' /C calc'!A0",
                n: -3,
            },
            Row { name: "Lee", n: 4 },
        ])
        .unwrap();
        let text = String::from_utf8(body).unwrap();
        assert_eq!(text, "name,n\n'=cmd|' /C calc'!A0,'-3\nLee,4\n");
    }
}

//! `handoff report`: response times and outcomes from the event log, for the
//! project manager, as CSV (for a spreadsheet) or JSON (for scripts).
//!
//! Two reports, both computed by `dispatcher::stats` from the event log alone:
//!
//! - `handoffs`: one row per hand-off (when it was requested, first offered,
//!   accepted and by whom, reached and closed; declines, offers, steps; the derived
//!   times in seconds). Rows carry ids, never a location, a relayed text or a phone
//!   number, so a report can be shared with the program's partners.
//! - `summary`: one row per group (case manager, agency, officer, site, hour of the
//!   week, week, or all), with counts of each outcome and p50 / p90 / max of
//!   response time and time to arrival.
//!
//! Which hand-offs: those requested on the local dates `--from` to `--to`
//! (inclusive), each date read in the hand-off's own site's time zone, so "November"
//! means November where the officer was ([`Selection`], a pure rule in
//! `dispatcher::stats`; [`select`] applies it).

use chrono::{DateTime, Duration, NaiveDate, NaiveTime, Utc};
use chrono_tz::Tz;
use handoff_config::Config;
use handoff_dispatcher::StoreError;
use handoff_dispatcher::stats::{self, GroupBy, HandoffMetrics};
use handoff_dispatcher::store::Records;
use handoff_schedules::SiteId;
use serde::Serialize;

pub use handoff_dispatcher::stats::Selection;

/// How a report is written.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    /// A header row, then one row per hand-off or group (RFC 4180).
    Csv,
    /// A JSON array of objects with the same fields as the CSV columns.
    Json,
}

impl Format {
    /// JSON with `--json`, else CSV.
    pub fn chosen(json: bool) -> Format {
        if json { Format::Json } else { Format::Csv }
    }
}

#[derive(Debug, thiserror::Error)]
pub enum ReportError {
    #[error("the first date ({from}) is after the last ({to})")]
    Backwards { from: NaiveDate, to: NaiveDate },
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error("writing CSV: {0}")]
    Csv(#[from] csv::Error),
    #[error("writing JSON: {0}")]
    Json(#[from] serde_json::Error),
}

/// The hand-offs of `metrics` that `selection` covers, in the order given.
/// `zone_of` gives each site's time zone.
pub fn select(
    metrics: Vec<HandoffMetrics>,
    selection: &Selection,
    zone_of: &dyn Fn(&SiteId) -> Tz,
) -> Vec<HandoffMetrics> {
    metrics
        .into_iter()
        .filter(|m| selection.admits(m, zone_of(&m.site)))
        .collect()
}

/// The earliest instant any hand-off requested on local date `from` can carry,
/// whatever its zone: midnight UTC a day before (no zone is more than 14 hours
/// ahead of UTC). Events before it are not read.
fn read_from(from: NaiveDate) -> DateTime<Utc> {
    let midnight = from.and_time(NaiveTime::MIN);
    midnight
        .checked_sub_signed(Duration::days(1))
        .unwrap_or(midnight)
        .and_utc()
}

/// Reads the event log and returns the selected hand-offs' metrics. Events after
/// `--to` are read too: a hand-off requested on the last day may be reached the
/// next.
pub async fn handoffs(
    config: &Config,
    store: &Records,
    selection: &Selection,
) -> Result<Vec<HandoffMetrics>, ReportError> {
    forwards(selection)?;
    let events = store.events(selection.from.map(read_from), None).await?;
    let zone_of = zone_lookup(config);
    Ok(select(stats::metrics(&events), selection, &zone_of))
}

/// A selection whose dates run backwards is refused, not read as empty.
fn forwards(selection: &Selection) -> Result<(), ReportError> {
    match (selection.from, selection.to) {
        (Some(from), Some(to)) if from > to => Err(ReportError::Backwards { from, to }),
        _ => Ok(()),
    }
}

/// The selected hand-offs grouped by `by`: the rollup the dashboard reads is
/// brought up to date with the log, then counted (the groups `stats::aggregate`
/// makes of the same hand-offs, read without folding every event, so that a
/// year of a busy program is summed in well under a second).
pub async fn summary(
    config: &Config,
    store: &Records,
    selection: &Selection,
    by: GroupBy,
) -> Result<Vec<stats::GroupStats>, ReportError> {
    forwards(selection)?;
    refresh_fully(config, store).await?;
    Ok(store.summary(selection, by).await?)
}

/// How often, and how long apart, a summary refreshes again while events are
/// left waiting: a second at most.
const WAITING_TRIES: u32 = 50;
const WAITING_PAUSE: std::time::Duration = std::time::Duration::from_millis(20);

/// Brings the rollup up to date with everything committed before the summary was
/// asked for. On PostgreSQL a refresh leaves the events of transactions that
/// committed behind an older one still running anywhere on the server for the
/// next refresh (`RefreshReport::waiting`); such a transaction is usually a
/// moment from its end (another instance's commit, a migration), so the summary
/// waits for it briefly rather than miss hand-offs that are already in the log.
/// A transaction held open for longer only delays the summary by a second.
async fn refresh_fully(config: &Config, store: &Records) -> Result<(), ReportError> {
    for _ in 0..WAITING_TRIES {
        if store.refresh_stats(&zone_lookup(config)).await?.waiting == 0 {
            return Ok(());
        }
        tokio::time::sleep(WAITING_PAUSE).await;
    }
    Ok(())
}

/// A site's zone from the configuration; a site no longer configured (its
/// hand-offs are still in the log) is read in UTC.
fn zone_lookup(config: &Config) -> impl Fn(&SiteId) -> Tz + '_ {
    |site| {
        config
            .sites
            .iter()
            .find(|s| &s.id == site)
            .map_or(Tz::UTC, |s| s.schedule.tz)
    }
}

/// Writes `rows` in `format`.
pub fn write<T: Serialize>(
    rows: &[T],
    format: Format,
    out: &mut dyn std::io::Write,
) -> Result<(), ReportError> {
    match format {
        Format::Csv => {
            let mut writer = csv::Writer::from_writer(out);
            for row in rows {
                writer.serialize(row)?;
            }
            writer.flush().map_err(csv::Error::from)?;
        }
        Format::Json => {
            serde_json::to_writer_pretty(&mut *out, rows)?;
            writeln!(out).map_err(serde_json::Error::io)?;
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use handoff_dispatcher::stats::Outcome;
    use handoff_dispatcher::{AgencyId, HandoffId, HandoffKind, OfficerId};

    fn at(text: &str) -> DateTime<Utc> {
        DateTime::parse_from_rfc3339(text).unwrap().to_utc()
    }

    fn date(text: &str) -> NaiveDate {
        text.parse().unwrap()
    }

    fn requested(id: u32, site: &str, when: &str) -> HandoffMetrics {
        HandoffMetrics {
            id: HandoffId::new(id),
            site: site.parse().unwrap(),
            kind: HandoffKind::ArrestDiversion,
            officer: OfficerId::parse("rivera").unwrap(),
            agency: AgencyId::parse("metro-pd").unwrap(),
            zone: None,
            requested_at: at(when),
            after_hours: false,
            first_offer_at: None,
            accepted_at: None,
            accepted_by: None,
            accepted_via: None,
            arrived_at: None,
            arrival: None,
            center: None,
            eta_promised_at: None,
            closed_at: None,
            offers: 0,
            declines: 0,
            timed_out: 0,
            undeliverable: 0,
            steps_started: 0,
            steps_skipped: 0,
            outcome: Outcome::Open,
            not_diverted: None,
            given_back: 0,
            eta_missed: 0,
            followup: None,
            followup_taken_at: None,
            followed_up_at: None,
            report_number: None,
            intake_completed_at: None,
        }
    }

    fn zones(site: &SiteId) -> Tz {
        match site.as_str() {
            "seattle" => chrono_tz::America::Los_Angeles,
            "sydney" => chrono_tz::Australia::Sydney,
            _ => chrono_tz::America::New_York,
        }
    }

    fn ids(selection: &Selection, metrics: Vec<HandoffMetrics>) -> Vec<u32> {
        select(metrics, selection, &zones)
            .iter()
            .map(|m| m.id.get())
            .collect()
    }

    #[test]
    fn dates_are_read_in_each_hand_offs_own_site_zone() {
        // 2026-12-01T04:30Z is Nov 30 in New York and Seattle, Dec 1 in Sydney.
        let metrics = vec![
            requested(1, "pittsburgh", "2026-12-01T04:30:00Z"),
            requested(2, "seattle", "2026-12-01T04:30:00Z"),
            requested(3, "sydney", "2026-12-01T04:30:00Z"),
            requested(4, "pittsburgh", "2026-12-01T05:30:00Z"),
        ];
        let november = Selection {
            from: Some(date("2026-11-01")),
            to: Some(date("2026-11-30")),
            ..Selection::default()
        };
        assert_eq!(ids(&november, metrics.clone()), [1, 2]);
        let december = Selection {
            from: Some(date("2026-12-01")),
            ..Selection::default()
        };
        assert_eq!(ids(&december, metrics), [3, 4]);
    }

    #[test]
    fn both_ends_of_the_range_are_included() {
        let metrics = vec![
            requested(1, "pittsburgh", "2026-11-02T05:00:00Z"), // Nov 2, 00:00 EST
            requested(2, "pittsburgh", "2026-11-03T04:59:59Z"), // Nov 2, 23:59:59 EST
            requested(3, "pittsburgh", "2026-11-03T05:00:00Z"), // Nov 3
            requested(4, "pittsburgh", "2026-11-02T04:59:59Z"), // Nov 1
        ];
        let one_day = Selection {
            from: Some(date("2026-11-02")),
            to: Some(date("2026-11-02")),
            ..Selection::default()
        };
        assert_eq!(ids(&one_day, metrics), [1, 2]);
    }

    #[test]
    fn a_site_filter_keeps_that_site_only() {
        let metrics = vec![
            requested(1, "pittsburgh", "2026-11-02T15:00:00Z"),
            requested(2, "seattle", "2026-11-02T15:00:00Z"),
        ];
        let seattle = Selection {
            site: Some("seattle".parse().unwrap()),
            ..Selection::default()
        };
        assert_eq!(ids(&seattle, metrics.clone()), [2]);
        assert_eq!(ids(&Selection::default(), metrics), [1, 2]);
    }

    #[test]
    fn events_are_read_from_a_day_before_the_first_date_in_utc() {
        // Kiribati (UTC+14) starts Nov 2 at Nov 1 10:00 UTC: still after the bound.
        assert_eq!(read_from(date("2026-11-02")), at("2026-11-01T00:00:00Z"));
    }

    #[test]
    fn csv_has_a_header_and_one_row_per_hand_off_with_empty_cells_for_what_did_not_happen() {
        let mut out = Vec::new();
        write(
            &[requested(1001, "pittsburgh", "2026-11-02T15:00:00Z")],
            Format::Csv,
            &mut out,
        )
        .unwrap();
        let text = String::from_utf8(out).unwrap();
        let mut lines = text.lines();
        let header: Vec<&str> = lines.next().unwrap().split(',').collect();
        let row: Vec<&str> = lines.next().unwrap().split(',').collect();
        assert_eq!(lines.next(), None);
        assert_eq!(header.len(), row.len());
        let cell = |name: &str| row[header.iter().position(|h| *h == name).unwrap()];
        assert_eq!(cell("id"), "1001");
        assert_eq!(cell("site"), "pittsburgh");
        assert_eq!(cell("outcome"), "open");
        assert_eq!(cell("accepted_at"), "");
        assert_eq!(cell("time_to_accept_seconds"), "");
    }
}

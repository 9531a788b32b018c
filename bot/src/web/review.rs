//! The workgroup review: the biweekly case review the toolkits describe. Every
//! hand-off requested since a date with its kind, agency, officer, outcome code,
//! report number and intake status; the intakes due and overdue first; and each
//! case manager's capacity (hand-offs accepted per week, open caseload against the
//! cap). For managers: it names officers and hand-offs.

use axum::extract::{Query, State};
use axum::http::HeaderMap;
use axum::response::Response;
use chrono::{DateTime, Duration, NaiveDate, Utc};
use chrono_tz::Tz;
use handoff_config::DashboardRole;
use handoff_dispatcher::directory::Directory;
use handoff_dispatcher::load::Load;
use handoff_dispatcher::stats::{self, HandoffMetrics};
use handoff_dispatcher::store::{IntakeItem, Records};
use handoff_dispatcher::{Actor, StoreError};
use maud::{Markup, html};
use serde::{Deserialize, Serialize};

use super::layout::{self, local};
use super::{access, unavailable};
use crate::report::{Selection, select};
use crate::server::AppState;

/// The review covers two weeks unless asked otherwise, as the toolkits' biweekly
/// case review does.
pub(crate) const DEFAULT_DAYS: i64 = 14;

#[derive(Debug, Default, Deserialize)]
pub(crate) struct Since {
    #[serde(default)]
    since: String,
}

/// The first local date covered: `since` if it reads as a date in the supported
/// years, else [`DEFAULT_DAYS`] before today (UTC).
pub(crate) fn since_date(since: &str, now: DateTime<Utc>) -> NaiveDate {
    NaiveDate::parse_from_str(since.trim(), "%Y-%m-%d")
        .ok()
        .filter(|d| (2000..=2100).contains(&chrono::Datelike::year(d)))
        .unwrap_or_else(|| (now - Duration::days(DEFAULT_DAYS)).date_naive())
}

/// The hand-offs requested on local dates `from` to `to` (each in its site's
/// zone), from the event log.
pub(crate) async fn metrics_between(
    records: &Records,
    directory: &Directory,
    from: NaiveDate,
    to: Option<NaiveDate>,
) -> Result<Vec<HandoffMetrics>, StoreError> {
    let read_from = from
        .and_time(chrono::NaiveTime::MIN)
        .checked_sub_signed(Duration::days(1))
        .map(|t| t.and_utc());
    let events = records.events(read_from, None).await?;
    let selection = Selection {
        site: None,
        from: Some(from),
        to,
    };
    let zone_of = |site: &handoff_schedules::SiteId| {
        directory.sites.get(site).map_or(Tz::UTC, |s| s.schedule.tz)
    };
    Ok(select(stats::metrics(&events), &selection, &zone_of))
}

/// One line of the review, as the page and its CSV show it.
#[derive(Debug, Clone, Serialize)]
pub(crate) struct ReviewRow {
    pub(crate) handoff: String,
    pub(crate) requested: String,
    pub(crate) site: String,
    pub(crate) kind: &'static str,
    pub(crate) agency: String,
    pub(crate) officer: String,
    pub(crate) case_manager: String,
    pub(crate) outcome: String,
    pub(crate) report_number: String,
    pub(crate) intake: String,
}

fn intake_status(m: &HandoffMetrics, due: Option<&IntakeItem>, tz: Tz) -> String {
    match (m.intake_completed_at, due) {
        (Some(at), _) => format!("done {}", local(at, tz)),
        (None, Some(item)) if item.overdue => format!("OVERDUE since {}", local(item.due_at, tz)),
        (None, Some(item)) => format!("due {}", local(item.due_at, tz)),
        (None, None) => "—".to_owned(),
    }
}

/// The review's rows: intakes overdue first, then due (soonest first), then the
/// rest by hand-off number.
pub(crate) fn rows(
    metrics: &[HandoffMetrics],
    intakes: &[IntakeItem],
    directory: &Directory,
) -> Vec<ReviewRow> {
    let mut keyed: Vec<((u8, i64, u32), ReviewRow)> = metrics
        .iter()
        .map(|m| {
            let tz = directory
                .sites
                .get(&m.site)
                .map_or(Tz::UTC, |s| s.schedule.tz);
            let due = intakes
                .iter()
                .find(|i| i.handoff == m.id && m.intake_completed_at.is_none());
            let order = match due {
                Some(item) if item.overdue => (0, item.due_at.timestamp(), m.id.get()),
                Some(item) => (1, item.due_at.timestamp(), m.id.get()),
                None => (2, 0, m.id.get()),
            };
            let person = |id: &handoff_schedules::PersonId| {
                directory
                    .roster
                    .people
                    .get(id)
                    .map_or_else(|| id.to_string(), |p| p.name.clone())
            };
            let row = ReviewRow {
                handoff: m.id.to_string(),
                requested: local(m.requested_at, tz),
                site: directory
                    .sites
                    .get(&m.site)
                    .map_or_else(|| m.site.to_string(), |s| s.name.clone()),
                kind: m.kind.label(),
                agency: directory
                    .roster
                    .agencies
                    .get(&m.agency)
                    .map_or_else(|| m.agency.to_string(), |a| a.name.clone()),
                officer: super::timeline::actor(directory, &Actor::Officer(m.officer.clone())),
                case_manager: m.accepted_by.as_ref().map(person).unwrap_or_default(),
                outcome: match m.not_diverted {
                    Some(code) => format!("not diverted: {}", code.name()),
                    None => m.outcome.name().replace('_', " "),
                },
                report_number: m
                    .report_number
                    .as_ref()
                    .map(ToString::to_string)
                    .unwrap_or_default(),
                intake: intake_status(m, due, tz),
            };
            (order, row)
        })
        .collect();
    keyed.sort_by_key(|(order, _)| *order);
    keyed.into_iter().map(|(_, row)| row).collect()
}

/// A case manager's capacity over the review's period.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Capacity {
    pub(crate) name: String,
    pub(crate) accepted: u64,
    pub(crate) per_week: f64,
    pub(crate) open_cases: u32,
    pub(crate) cap: Option<u32>,
}

pub(crate) fn capacity(
    metrics: &[HandoffMetrics],
    load: &Load,
    directory: &Directory,
    days: i64,
) -> Vec<Capacity> {
    let weeks = (days.max(1) as f64) / 7.0;
    directory
        .roster
        .people
        .values()
        .filter(|p| p.roles.contains(&handoff_schedules::Role::CaseManager))
        .map(|p| {
            let accepted = metrics
                .iter()
                .filter(|m| m.accepted_by.as_ref() == Some(&p.id))
                .count() as u64;
            Capacity {
                name: p.name.clone(),
                accepted,
                per_week: accepted as f64 / weeks,
                open_cases: load.open_cases(&p.id),
                cap: p.caseload_cap,
            }
        })
        .collect()
}

pub(crate) async fn page(
    State(state): State<AppState>,
    headers: HeaderMap,
    Query(since): Query<Since>,
) -> Response {
    let access = match access(&state, &headers, DashboardRole::Manager).await {
        Ok(access) => access,
        Err(refused) => return refused,
    };
    let engine = state.inbound.engine();
    let now = engine.now();
    let records = engine.records();
    let directory = engine.directory();
    let from = since_date(&since.since, now);
    let data = async {
        let metrics = metrics_between(&records, &directory, from, None).await?;
        let intakes = records.intake_due(now, Duration::days(36_500)).await?;
        let load = records.load(now).await?;
        Ok::<_, StoreError>((metrics, intakes, load))
    };
    let (metrics, intakes, load) = match data.await {
        Ok(data) => data,
        Err(error) => return unavailable(&error),
    };
    let days = (now.date_naive() - from).num_days();
    let body = html! {
        form.filters method="get" action="/dashboard/review" {
            label { "Since" input type="date" name="since" value=(from.format("%Y-%m-%d")); }
            button type="submit" { "Show" }
            a href={ "/dashboard/export/review.csv?since=" (from.format("%Y-%m-%d")) } { "Download as CSV" }
        }
        h2 { "Hand-offs since " (from.format("%a %Y-%m-%d")) " (" (metrics.len()) ")" }
        (review_table(&rows(&metrics, &intakes, &directory)))
        h2 { "Capacity per case manager" }
        (capacity_table(&capacity(&metrics, &load, &directory, days)))
    };
    layout::respond(layout::page(
        &access,
        &state.web.program,
        "/dashboard/review",
        "Workgroup review",
        body,
    ))
}

fn review_table(rows: &[ReviewRow]) -> Markup {
    html! {
        @if rows.is_empty() { p { "No hand-offs in this period." } } @else {
            div.scroll { table {
                thead { tr { th { "Hand-off" } th { "Requested" } th { "Site" } th { "Kind" } th { "Agency" } th { "Officer" } th { "Case manager" } th { "Outcome" } th { "Report no." } th { "Intake" } } }
                tbody {
                    @for row in rows {
                        tr {
                            td { a href={ "/dashboard/handoffs/" (row.handoff) } { (row.handoff) } }
                            td { (row.requested) } td { (row.site) } td { (row.kind) } td { (row.agency) }
                            td { (row.officer) } td { (row.case_manager) } td { (row.outcome) }
                            td { (row.report_number) }
                            td class=[row.intake.starts_with("OVERDUE").then_some("bad")] { (row.intake) }
                        }
                    }
                }
            } }
        }
    }
}

fn capacity_table(rows: &[Capacity]) -> Markup {
    html! {
        div.scroll { table {
            thead { tr { th { "Case manager" } th.n { "Accepted in period" } th.n { "Per week" } th.n { "Open cases" } th.n { "Cap" } } }
            tbody {
                @for row in rows {
                    @let over = row.cap.is_some_and(|cap| row.open_cases >= cap);
                    tr {
                        td { (row.name) } td.n { (row.accepted) } td.n { (format!("{:.1}", row.per_week)) }
                        td.n class=[over.then_some("bad")] { (row.open_cases) }
                        td.n { (row.cap.map_or("none".to_owned(), |c| c.to_string())) }
                    }
                }
            }
        } }
    }
}

//! "Is it working": for a range of dates and the filters, how many requests became
//! a completed hand-off, how many diversions were lost and why (as rates), how fast
//! case managers accepted and arrived, how often they arrived within the program's
//! target, how good their ETAs were, how long an officer spent per diversion, the
//! weekly trend, the tables per case manager and per agency, and how many of the
//! registered officers used the service. Counts only: any role may see it.
//!
//! The numbers come from the rollup of the event log (`Records::board`), brought up
//! to date first, so a page for a year over a million hand-offs stays fast.

use axum::extract::{Query, State};
use axum::http::HeaderMap;
use axum::response::Response;
use chrono::Duration;
use chrono_tz::Tz;
use handoff_config::DashboardRole;
use handoff_dispatcher::directory::Directory;
use handoff_dispatcher::stats::{Board, GroupRow, Percentiles};
use maud::{Markup, html};

use super::charts::trend::{Series, weekly_trend};
use super::filters::{self, Filters};
use super::layout::{self, span};
use super::{access, unavailable};
use crate::server::AppState;

/// `part` of `whole` as a percentage with one decimal, or a dash for none.
pub(crate) fn rate(part: u64, whole: u64) -> String {
    if whole == 0 {
        "—".to_owned()
    } else {
        format!("{:.1} %", part as f64 * 100.0 / whole as f64)
    }
}

fn time(p: Option<Duration>) -> String {
    p.map_or("—".to_owned(), span)
}

pub(crate) async fn page(
    State(state): State<AppState>,
    headers: HeaderMap,
    Query(query): Query<filters::Query>,
) -> Response {
    let Analysis {
        access,
        directory,
        filters,
        target,
        board,
        ..
    } = match analysis(&state, &headers, &query).await {
        Ok(analysis) => analysis,
        Err(refused) => return refused,
    };
    let body = html! {
        (filters::form("/dashboard/working", &filters, &directory, html! {}))
        (headline(&board, target, &directory))
        h2 { "Requests and completed hand-offs per week" }
        (trend(&board, &filters))
        h2 { "Per case manager" }
        (group_table("Case manager", &board.by_case_manager, &directory, true))
        h2 { "Per agency" }
        (group_table("Agency", &board.by_agency, &directory, false))
        (definitions(target))
    };
    layout::respond(layout::page(
        &access,
        &state.web.program,
        "/dashboard/working",
        "Is it working",
        body,
    ))
}

/// What the three analysis pages start from: the viewer, the configuration in
/// force, the filters read from the query, and the board they pick.
pub(crate) struct Analysis {
    pub(crate) access: super::Access,
    pub(crate) now: chrono::DateTime<chrono::Utc>,
    pub(crate) directory: std::sync::Arc<Directory>,
    pub(crate) filters: Filters,
    pub(crate) target: Duration,
    pub(crate) board: Board,
}

/// Checks the viewer, reads the filters and the board; the refusal or 503 page
/// otherwise.
pub(crate) async fn analysis(
    state: &AppState,
    headers: &HeaderMap,
    query: &filters::Query,
) -> Result<Analysis, Response> {
    let access = access(state, headers, DashboardRole::Viewer).await?;
    let engine = state.inbound.engine();
    let now = engine.now();
    let directory = super::fresh_directory(state).await?;
    let filters = Filters::read(query, &directory, now.date_naive());
    // The target was checked against its range when the file was read.
    let target =
        Duration::from_std(state.web.dashboard().arrival_target).unwrap_or(Duration::hours(1));
    let board = board(state, &directory, &filters, target)
        .await
        .map_err(|error| unavailable(&error))?;
    Ok(Analysis {
        access,
        now,
        directory,
        filters,
        target,
        board,
    })
}

/// Brings the rollup up to date with the log, then reads the board.
pub(crate) async fn board(
    state: &AppState,
    directory: &Directory,
    filters: &Filters,
    target: Duration,
) -> Result<Board, handoff_dispatcher::StoreError> {
    let records = state.inbound.engine().records();
    let zone_of = |site: &handoff_schedules::SiteId| {
        directory.sites.get(site).map_or(Tz::UTC, |s| s.schedule.tz)
    };
    records.refresh_stats(&zone_of).await?;
    records.board(&filters.board(directory, target)).await
}

fn trend(board: &Board, filters: &Filters) -> Markup {
    let series = |name: &str, count: fn(&handoff_dispatcher::stats::WeekRow) -> u64| Series {
        name: name.to_owned(),
        counts: board
            .weeks
            .iter()
            .map(|w| (w.week_start, count(w)))
            .collect(),
    };
    weekly_trend(
        "Requests, completed and lost hand-offs per week",
        "Hand-offs per week (count)",
        filters.first,
        filters.last,
        &[
            series("Requests", |w| w.requests),
            series("Completed", |w| w.completed),
            series("Lost", |w| w.lost),
        ],
    )
}

fn card(value: String, label: &str) -> Markup {
    html! { div.card { div.v { (value) } div.l { (label) } } }
}

fn headline(b: &Board, target: Duration, directory: &Directory) -> Markup {
    let lost = b.lost.unstaffed + b.lost.out_of_hours + b.lost.expired + b.lost.given_up;
    html! {
        div.cards {
            (card(b.requests.to_string(), "requests"))
            (card(rate(b.completed, b.requests), "became a completed hand-off"))
            (card(rate(lost, b.requests), "diversions lost"))
            (card(time(b.time_to_accept.p50), "median time to accept"))
            (card(time(b.time_to_arrival.p50), "median time to arrival"))
            (card(rate(b.arrived_within_target, b.arrived), &format!("arrivals within {}", span(target))))
            (card(format!("{} / {}", b.field_meets, b.dropoffs), "field meets / drop-offs at a center"))
            (card(format!("{} of {}", b.officers_reached, directory.roster.officers.len()), "registered officers who asked"))
        }
        h2 { "Lost diversions, by cause" }
        table {
            thead { tr { th { "Cause" } th.n { "Hand-offs" } th.n { "Share of requests" } } }
            tbody {
                @for (cause, n) in [("nobody answered (unstaffed)", b.lost.unstaffed), ("site closed, nobody on call (out of hours)", b.lost.out_of_hours), ("accepted but nobody arrived (expired)", b.lost.expired), ("officer gave up before an accept", b.lost.given_up)] {
                    tr { td { (cause) } td.n { (n) } td.n { (rate(n, b.requests)) } }
                }
                tr { td { "closed without a diversion (declined, ineligible, ...)" } td.n { (b.not_diverted) } td.n { (rate(b.not_diverted, b.requests)) } }
                tr { td { "still open" } td.n { (b.open) } td.n { (rate(b.open, b.requests)) } }
            }
        }
        h2 { "Response times" }
        table {
            thead { tr { th { "" } th.n { "Hand-offs" } th.n { "p50" } th.n { "p90" } th.n { "max" } } }
            tbody {
                (percentile_row("request → accepted", &b.time_to_accept))
                (percentile_row("request → case manager arrived, or checked in at a center", &b.time_to_arrival))
                (percentile_row("officer's time per diversion (request → done)", &b.officer_time))
                (percentile_row("ETA error (arrival against the promised time, either way)", &b.eta.abs_error))
                (percentile_row("lateness past the ETA, when late", &b.eta.late))
            }
        }
        p {
            "ETAs kept: " (rate(b.eta.on_time, b.eta.with_eta_and_arrival)) " of "
            (b.eta.with_eta_and_arrival) " arrivals that had an ETA came at or before it."
        }
    }
}

fn percentile_row(label: &str, p: &Percentiles) -> Markup {
    html! { tr { td { (label) } td.n { (p.count) } td.n { (time(p.p50)) } td.n { (time(p.p90)) } td.n { (time(p.max)) } } }
}

fn group_table(heading: &str, rows: &[GroupRow], directory: &Directory, people: bool) -> Markup {
    let name = |key: &str| {
        if people {
            key.parse::<handoff_schedules::PersonId>()
                .ok()
                .and_then(|id| directory.roster.people.get(&id))
                .map_or_else(|| key.to_owned(), |p| p.name.clone())
        } else {
            handoff_dispatcher::AgencyId::parse(key)
                .ok()
                .and_then(|id| directory.roster.agencies.get(&id))
                .map_or_else(|| key.to_owned(), |a| a.name.clone())
        }
    };
    html! {
        @if rows.is_empty() { p { "No hand-offs in this range." } } @else {
            div.scroll { table {
                thead { tr { th { (heading) } th.n { "Requests" } th.n { "Completed" } th.n { "Lost" } th.n { "Accept p50" } th.n { "Accept p90" } th.n { "Arrival p50" } th.n { "Arrival p90" } } }
                tbody {
                    @for row in rows {
                        tr {
                            td { (name(&row.key)) } td.n { (row.requests) } td.n { (row.completed) } td.n { (row.lost) }
                            td.n { (time(row.time_to_accept.p50)) } td.n { (time(row.time_to_accept.p90)) }
                            td.n { (time(row.time_to_arrival.p50)) } td.n { (time(row.time_to_arrival.p90)) }
                        }
                    }
                }
            } }
        }
    }
}

fn definitions(target: Duration) -> Markup {
    html! {
        h2 { "How these are counted" }
        ul.note {
            li { "A hand-off counts in the range when it was requested in it, as its log stands now." }
            li { "Completed: the case manager arrived and released the person to case management (DONE)." }
            li { "Lost: nobody took it, the site was closed with nobody on call, the case manager who took it never arrived, or the officer cancelled before anyone took it." }
            li { "Times are from the officer's request. p50 is the median and p90 the time 9 in 10 hand-offs beat; both are times some hand-off actually took." }
            li { "Arrivals within target: arrivals no later than " (span(target)) " after the request (the program's dashboard.arrival_target)." }
            li { "Weeks run Monday to Sunday in the site's time zone." }
        }
    }
}

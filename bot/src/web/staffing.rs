//! "What to staff next": for each hour-of-week block next to a site's operating
//! hours (1 to 3 hours before an opening or after a closing), and any block a
//! project manager types in, how many past requests nobody took in those hours
//! (closed, or open with nobody answering) it would have covered, ranked, with the
//! staff-hours a week it costs. The toolkits' rule: extend hours only where the
//! data shows officers asked. Counts only: any role may see it.

use axum::extract::{Query, State};
use axum::http::HeaderMap;
use axum::response::Response;
use maud::html;

use super::charts::bars::{Bar, bar_list};
use super::coverage::{cells, site_refs};
use super::demand::blocks::parse_blocks;
use super::demand::candidates::{Candidate, DemandRange, staff_next};
use super::demand::regular::regular_week;
use super::filters;
use super::layout;
use super::working::{Analysis, analysis};
use crate::server::AppState;

/// The longest block proposed next to the hours: three hours each way.
const LONGEST_BLOCK: u32 = 3;
/// Rows shown in the ranking.
const SHOWN: usize = 20;

/// The filters always give a first day no later than the last; should that ever
/// fail, the page says so rather than rank nothing.
fn unavailable_range() -> Response {
    use axum::response::IntoResponse;
    (
        axum::http::StatusCode::BAD_REQUEST,
        "The date range is not usable: the first day must not be after the last.\n",
    )
        .into_response()
}

pub(crate) async fn page(
    State(state): State<AppState>,
    headers: HeaderMap,
    Query(query): Query<filters::Query>,
) -> Response {
    let Analysis {
        access,
        now,
        directory,
        filters,
        board,
        ..
    } = match analysis(&state, &headers, &query).await {
        Ok(analysis) => analysis,
        Err(refused) => return refused,
    };
    let (typed, problem) = if query.blocks.trim().is_empty() {
        (Vec::new(), None)
    } else {
        match parse_blocks(&query.blocks) {
            Ok(blocks) => (blocks, None),
            Err(error) => (Vec::new(), Some(error.to_string())),
        }
    };
    let weeks: Vec<_> = site_refs(&directory)
        .into_iter()
        .map(|site| regular_week(site, now))
        .collect();
    let Some(range) = DemandRange::new(filters.first, filters.last) else {
        return unavailable_range();
    };
    let candidates = staff_next(&weeks, &cells(&board), &typed, range, LONGEST_BLOCK);
    let candidates: Vec<&Candidate> = candidates
        .iter()
        .filter(|c| filters.site.as_ref().is_none_or(|site| &c.site == site))
        .take(SHOWN)
        .collect();
    let bars: Vec<Bar> = candidates
        .iter()
        .map(|c| Bar {
            label: format!("{}, {}", c.block.label, c.site_name),
            value: c.requests_covered(),
            note: format!("{} staff-hours a week", c.staff_hours_per_week),
        })
        .collect();
    let extra = html! {
        label { "Blocks to try (e.g. sat 08:00-12:00; mon-fri 06:00-08:00)"
            input name="blocks" size="40" value=(query.blocks); }
    };
    let body = html! {
        (filters::form("/dashboard/staffing", &filters, &directory, extra))
        @if let Some(problem) = problem { p.bad role="alert" { (problem) } }
        p.note {
            "Each block is an extension of a site's regular hours. Requests covered: requests made in those hours between "
            (range.first().format("%Y-%m-%d")) " and " (range.last().format("%Y-%m-%d"))
            " that nobody took (the site was closed, or open with nobody answering). Staff-hours: the block's hours a week times the case managers the site usually has on at once."
        }
        (bar_list("Requests an extension would have covered", "Requests covered (count)", &bars))
        @if !candidates.is_empty() {
            div.scroll { table {
                thead { tr { th { "Block" } th { "Site" } th.n { "Out of hours" } th.n { "Unanswered" } th.n { "Per week" } th.n { "Staff-hours a week" } th.n { "Requests per staff-hour" } } }
                tbody {
                    @for c in &candidates {
                        tr {
                            td { (c.block.label) } td { (c.site_name) }
                            td.n { (c.out_of_hours) } td.n { (c.unanswered) }
                            td.n { (format!("{:.1}", c.requests_per_week())) }
                            td.n { (c.staff_hours_per_week) }
                            td.n { (c.requests_per_staff_hour().map_or("—".to_owned(), |r| format!("{r:.2}"))) }
                        }
                    }
                }
            } }
        }
    };
    layout::respond(layout::page(
        &access,
        &state.web.program,
        "/dashboard/staffing",
        "What to staff next",
        body,
    ))
}

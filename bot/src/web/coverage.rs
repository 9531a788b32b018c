//! "Coverage and demand": when officers asked, by hour of the week, split into
//! requests someone took, requests nobody answered while the site was open, and
//! requests while it was closed; and the gaps in the schedule for the coming
//! weeks (open with no case manager on duty). Managers also find here each site's
//! calendar subscription address. Counts only: any role may see it.

use axum::extract::{Query, State};
use axum::http::HeaderMap;
use axum::response::Response;
use handoff_config::DashboardRole;
use handoff_dispatcher::directory::Directory;
use handoff_dispatcher::stats::Board;
use maud::{Markup, html};

use super::charts::heatmap::{Layers, heatmap};
use super::demand::gaps::coming_gaps;
use super::demand::regular::SiteRef;
use super::demand::week::{Counts, DemandCell, HourOfWeek, week_grid};
use super::filters;
use super::layout;
use super::unavailable;
use super::working::{Analysis, analysis};
use crate::server::AppState;

/// How far ahead the schedule's gaps are listed.
const GAP_WEEKS: u32 = 4;

/// The board's demand cells in the demand module's terms.
pub(crate) fn cells(board: &Board) -> Vec<DemandCell> {
    board
        .demand
        .iter()
        .filter_map(|cell| {
            Some(DemandCell {
                site: cell.site.clone(),
                hour: HourOfWeek::new(u32::from(cell.hour_of_week))?,
                counts: Counts {
                    covered: cell.covered,
                    unanswered: cell.unanswered,
                    out_of_hours: cell.out_of_hours,
                },
            })
        })
        .collect()
}

pub(crate) fn site_refs(directory: &Directory) -> Vec<SiteRef<'_>> {
    directory
        .sites
        .values()
        .map(|site| SiteRef {
            name: &site.name,
            schedule: &site.schedule,
        })
        .collect()
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
    let grid = week_grid(&cells(&board), filters.site.as_ref());
    let totals = grid.totals();
    let gaps = coming_gaps(&site_refs(&directory), now, GAP_WEEKS);
    let calendars = if access.may(DashboardRole::Manager) {
        match calendar_links(&state, &directory).await {
            Ok(links) => Some(links),
            Err(error) => return unavailable(&error),
        }
    } else {
        None
    };
    let body = html! {
        (filters::form("/dashboard/coverage", &filters, &directory, html! {}))
        h2 { "When officers asked" }
        p {
            (totals.total()) " requests: " (totals.covered) " taken, "
            (totals.unanswered) " not answered while the site was open, "
            (totals.out_of_hours) " while it was closed and nobody took them."
        }
        (heatmap("All requests by hour of the week (site's local time)", &grid, Layers::Total))
        h2 { "How they ended, by hour of the week" }
        (heatmap("Requests by hour of the week (site's local time)", &grid, Layers::Split))
        h2 { "Gaps in the schedule, next " (GAP_WEEKS) " weeks" }
        @if gaps.is_empty() {
            p.ok { "None: whenever a site is open, a case manager is on duty." }
        } @else {
            div.scroll { table {
                thead { tr { th { "Site" } th { "When (site's time)" } th.n { "Length" } } }
                tbody { @for gap in &gaps { tr { td { (gap.site_name) } td { (gap.when) } td.n { (gap.length) } } } }
            } }
        }
        @if let Some(links) = calendars { (links) }
    };
    layout::respond(layout::page(
        &access,
        &state.web.program,
        "/dashboard/coverage",
        "Coverage and demand",
        body,
    ))
}

async fn calendar_links(
    state: &AppState,
    directory: &Directory,
) -> Result<Markup, handoff_dispatcher::StoreError> {
    let mut rows = Vec::new();
    for (id, site) in &directory.sites {
        let token = super::export::calendar_token(state, id).await?;
        rows.push((
            site.name.clone(),
            format!("{}/calendar/{id}.ics?token={token}", state.public_url),
        ));
    }
    Ok(html! {
        h2 { "On-duty calendars" }
        p.note { "Subscribe to these in a calendar program. Anyone with an address can read who is on duty at that site: share it only with staff." }
        div.scroll { table {
            thead { tr { th { "Site" } th { "Subscription address" } } }
            tbody { @for (name, url) in &rows { tr { td { (name) } td { code.calendar { (url) } } } } }
        } }
    })
}

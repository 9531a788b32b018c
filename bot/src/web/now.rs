//! The "Now" page: what is happening at this moment. Open hand-offs with their
//! state, age and who holds them (to managers; viewers see the counts), who is on
//! duty at each site, when closed sites next open, the follow-ups waiting, and the
//! engine's health.

use std::collections::BTreeMap;

use axum::extract::State;
use axum::http::HeaderMap;
use axum::response::Response;
use chrono::{DateTime, Utc};
use handoff_config::DashboardRole;
use handoff_dispatcher::directory::Directory;
use handoff_dispatcher::handoff::Handoff;
use maud::{Markup, html};

use super::layout::{self, local, span};
use super::{access, unavailable};
use crate::server::AppState;

/// How often the page reloads itself, so a screen on the office wall stays current.
const REFRESH_SECONDS: u32 = 60;

pub(crate) async fn page(State(state): State<AppState>, headers: HeaderMap) -> Response {
    let access = match access(&state, &headers, DashboardRole::Viewer).await {
        Ok(access) => access,
        Err(refused) => return refused,
    };
    let engine = state.inbound.engine();
    let now = engine.now();
    let records = engine.records();
    let (open, followups) = match (
        records.open_handoffs().await,
        records.followups(false).await,
    ) {
        (Ok(open), Ok(followups)) => (open, followups),
        (Err(error), _) | (_, Err(error)) => return unavailable(&error),
    };
    let problems = crate::server::problems(&state).await;
    let directory = match super::fresh_directory(&state).await {
        Ok(directory) => directory,
        Err(unavailable) => return unavailable,
    };
    let body = html! {
        (health(&problems))
        h2 { "Open hand-offs (" (open.len()) ")" }
        @if access.may(DashboardRole::Manager) {
            (open_table(&open, &directory, now))
        } @else {
            (open_counts(&open))
        }
        h2 { "Sites" }
        (sites(&directory, now))
        h2 { "Follow-ups waiting (" (followups.len()) ")" }
        @if access.may(DashboardRole::Manager) && !followups.is_empty() {
            (followup_table(&followups, &directory, now))
        }
        p.note { "This page reloads itself every minute. Times are each site's local time." }
        script { (maud::PreEscaped(format!("setTimeout(function(){{location.reload()}},{}000);", REFRESH_SECONDS))) }
    };
    layout::respond(layout::page(
        &access,
        &state.web.program,
        "/dashboard",
        "Now",
        body,
    ))
}

fn health(problems: &[String]) -> Markup {
    html! {
        @if problems.is_empty() {
            p.ok { "The dispatcher is healthy: timers are firing and every background loop is running." }
        } @else {
            div.bad role="alert" {
                strong { "The dispatcher needs attention:" }
                ul { @for problem in problems { li { (problem) } } }
            }
        }
    }
}

fn person_name(directory: &Directory, handoff: &Handoff) -> String {
    handoff
        .state
        .assignee()
        .map(|id| {
            directory
                .roster
                .people
                .get(id)
                .map_or_else(|| id.to_string(), |p| p.name.clone())
        })
        .unwrap_or_else(|| "nobody yet".to_owned())
}

fn site_name(directory: &Directory, handoff: &Handoff) -> String {
    directory
        .sites
        .get(&handoff.request.site)
        .map_or_else(|| handoff.request.site.to_string(), |s| s.name.clone())
}

fn open_table(open: &[Handoff], directory: &Directory, now: DateTime<Utc>) -> Markup {
    html! {
        @if open.is_empty() {
            p { "None." }
        } @else {
            div.scroll { table {
                thead { tr { th { "Hand-off" } th { "Site" } th { "Kind" } th { "State" } th.n { "Age" } th { "Held by" } } }
                tbody {
                    @for handoff in open {
                        tr {
                            td { a href={ "/dashboard/handoffs/" (handoff.id) } { (handoff.id) } }
                            td { (site_name(directory, handoff)) }
                            td { (handoff.request.kind.label()) }
                            td { (handoff.state.name()) }
                            td.n { (span(now - handoff.requested_at)) }
                            td { (person_name(directory, handoff)) }
                        }
                    }
                }
            } }
        }
    }
}

fn open_counts(open: &[Handoff]) -> Markup {
    let mut counts: BTreeMap<&'static str, usize> = BTreeMap::new();
    for handoff in open {
        *counts.entry(handoff.state.name()).or_default() += 1;
    }
    html! {
        div.cards {
            @for (state, count) in &counts {
                div.card { div.v { (count) } div.l { (state) } }
            }
        }
    }
}

fn sites(directory: &Directory, now: DateTime<Utc>) -> Markup {
    html! {
        div.scroll { table {
            thead { tr { th { "Site" } th { "Now" } th { "On duty or on call" } th { "Next opening" } } }
            tbody {
                @for entry in directory.sites.values() {
                    @let schedule = &entry.schedule;
                    @let open = schedule.is_open(now);
                    tr {
                        td { (entry.name) }
                        td class=(if open { "ok" } else { "bad" }) { (if open { "open" } else { "closed" }) }
                        td {
                            @let duty = schedule.on_duty(now);
                            @if duty.is_empty() { "nobody" }
                            @for (person, role) in &duty {
                                (directory.roster.people.get(person).map_or_else(|| person.to_string(), |p| p.name.clone()))
                                " (" (role.label()) ")" br;
                            }
                        }
                        td {
                            @if open { "open now" } @else {
                                (schedule.next_opening(now).map_or_else(|| "none scheduled".to_owned(), |at| local(at.to_utc(), schedule.tz)))
                            }
                        }
                    }
                }
            }
        } }
    }
}

fn followup_table(followups: &[Handoff], directory: &Directory, now: DateTime<Utc>) -> Markup {
    html! {
        div.scroll { table {
            thead { tr { th { "Hand-off" } th { "Site" } th { "Why" } th.n { "Waiting" } th { "Taken by" } } }
            tbody {
                @for handoff in followups {
                    @if let Some(followup) = &handoff.followup {
                        tr {
                            td { a href={ "/dashboard/handoffs/" (handoff.id) } { (handoff.id) } }
                            td { (site_name(directory, handoff)) }
                            td { (followup.reason.name()) }
                            td.n { (span(now - followup.since)) }
                            td { (followup.taken_by.as_ref().map_or_else(String::new, |p| directory.roster.people.get(p).map_or_else(|| p.to_string(), |x| x.name.clone()))) }
                        }
                    }
                }
            }
        } }
    }
}

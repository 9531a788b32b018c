//! One hand-off's timeline, for managers: every event with its time and who did
//! it, the time each phase took, the messages sent about it with the channel each
//! went by, and how it ended. Only timings, roles and staff names are shown: no
//! location, relayed words or phone numbers (the words are forgotten at retention
//! anyway, and a timeline is for reviewing the response, not the person).

use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use chrono::{DateTime, Utc};
use chrono_tz::Tz;
use handoff_config::DashboardRole;
use handoff_dispatcher::directory::Directory;
use handoff_dispatcher::engine::message_name;
use handoff_dispatcher::outbox::OutboxItem;
use handoff_dispatcher::stats::{self, HandoffMetrics};
use handoff_dispatcher::{Actor, Event, EventKind, HandoffId, Recipient};
use maud::{Markup, html};

use super::layout::{self, local, span};
use super::{access, unavailable};
use crate::server::AppState;

pub(crate) async fn page(
    State(state): State<AppState>,
    headers: HeaderMap,
    Path(id): Path<String>,
) -> Response {
    let access = match access(&state, &headers, DashboardRole::Manager).await {
        Ok(access) => access,
        Err(refused) => return refused,
    };
    let Some(id) = id.parse::<u32>().ok().map(HandoffId::new) else {
        return (StatusCode::NOT_FOUND, "There is no such hand-off.\n").into_response();
    };
    let engine = state.inbound.engine();
    let records = engine.records();
    let (events, messages) = match (records.events_of(id).await, records.outbox_of(id).await) {
        (Ok(events), Ok(messages)) => (events, messages),
        (Err(error), _) | (_, Err(error)) => return unavailable(&error),
    };
    let Some(metrics) = stats::metrics(&events).into_iter().next() else {
        return (StatusCode::NOT_FOUND, "There is no such hand-off.\n").into_response();
    };
    let directory = engine.directory();
    let tz = directory
        .sites
        .get(&metrics.site)
        .map_or(Tz::UTC, |site| site.schedule.tz);
    let body = html! {
        (summary(&metrics, &directory, tz))
        h2 { "Phases" }
        (phases(&metrics))
        h2 { "Events" }
        (event_table(&events, &directory, tz))
        h2 { "Messages" }
        (message_table(&messages, &directory, tz))
    };
    let title = format!("Hand-off {id}");
    layout::respond(layout::page(
        &access,
        &state.web.program,
        "/dashboard",
        &title,
        body,
    ))
}

fn staff(directory: &Directory, id: &handoff_schedules::PersonId) -> String {
    directory
        .roster
        .people
        .get(id)
        .map_or_else(|| id.to_string(), |p| p.name.clone())
}

pub(crate) fn actor(directory: &Directory, actor: &Actor) -> String {
    match actor {
        Actor::Officer(id) => directory.roster.officers.get(id).map_or_else(
            || format!("officer {id}"),
            |o| format!("{} {}", o.rank, o.name).trim().to_owned(),
        ),
        Actor::Staff(id) => staff(directory, id),
        Actor::System => "dispatcher".to_owned(),
    }
}

fn summary(m: &HandoffMetrics, directory: &Directory, tz: Tz) -> Markup {
    let site = directory
        .sites
        .get(&m.site)
        .map_or_else(|| m.site.to_string(), |s| s.name.clone());
    let outcome = match m.not_diverted {
        Some(code) => format!("{} ({})", m.outcome.name(), code.name()),
        None => m.outcome.name().to_owned(),
    };
    html! {
        div.cards {
            div.card { div.l { "Outcome" } div.v { (outcome) } }
            div.card { div.l { "Kind" } div { (m.kind.label()) } }
            div.card { div.l { "Site" } div { (site) @if let Some(zone) = &m.zone { ", " (zone) } } }
            div.card { div.l { "Agency" } div { (directory.roster.agencies.get(&m.agency).map_or_else(|| m.agency.to_string(), |a| a.name.clone())) } }
            div.card { div.l { "Officer" } div { (actor(directory, &Actor::Officer(m.officer.clone()))) } }
            div.card { div.l { "Requested" } div { (local(m.requested_at, tz)) @if m.after_hours { br; "(site closed)" } } }
            div.card { div.l { "Report number" } div { (m.report_number.as_ref().map_or("none".to_owned(), |n| n.to_string())) } }
            div.card { div.l { "Intake" } div { (m.intake_completed_at.map_or("not recorded".to_owned(), |at| local(at, tz))) } }
        }
    }
}

fn phases(m: &HandoffMetrics) -> Markup {
    let rows: [(&str, Option<chrono::Duration>); 5] = [
        ("request → first offer", m.time_to_first_offer()),
        ("request → accepted", m.time_to_accept()),
        ("accepted → arrived", m.accept_to_arrival()),
        ("request → arrived", m.time_to_arrival()),
        (
            "request → closed",
            m.closed_at.map(|at| at - m.requested_at),
        ),
    ];
    html! {
        table {
            tbody {
                @for (label, took) in rows {
                    tr { th { (label) } td.n { (took.map_or("—".to_owned(), span)) } }
                }
                tr { th { "offers, declines, timed out" } td.n { (m.offers) ", " (m.declines) ", " (m.timed_out) } }
                tr { th { "escalation steps begun, skipped" } td.n { (m.steps_started) ", " (m.steps_skipped) } }
                tr { th { "given back, ETAs missed" } td.n { (m.given_back) ", " (m.eta_missed) } }
            }
        }
    }
}

/// What an event says, without the words people typed.
fn describe(directory: &Directory, kind: &EventKind) -> String {
    let who = |id| staff(directory, id);
    match kind {
        EventKind::Requested { kind, .. } => format!("requested ({})", kind.label()),
        EventKind::StepStarted { step } => format!("escalation step {} began", step + 1),
        EventKind::StepSkipped { step } => format!("step {} skipped: nobody available", step + 1),
        EventKind::Offered {
            person,
            step,
            round,
        } => {
            format!(
                "offered to {} (step {}, round {})",
                who(person),
                step + 1,
                round + 1
            )
        }
        EventKind::Declined { person, .. } => format!("declined by {}", who(person)),
        EventKind::OfferTimedOut { person } => format!("offer to {} timed out", who(person)),
        EventKind::OfferUndeliverable { person } => {
            format!("offer to {} could not be delivered", who(person))
        }
        EventKind::Accepted { person, via } => match via {
            Some(channel) => format!("accepted by {} (by {channel})", who(person)),
            None => format!("accepted by {}", who(person)),
        },
        EventKind::LateAccept { person } => format!("{} answered after it was taken", who(person)),
        EventKind::Eta { person, minutes } => format!("{}: ETA {minutes} min", who(person)),
        EventKind::Arrived { person } => format!("{} arrived", who(person)),
        EventKind::Completed { person } => format!("done: released to {}", who(person)),
        EventKind::Cancelled { .. } => "cancelled".to_owned(),
        EventKind::GivenBack { person, .. } => format!("given back by {}", who(person)),
        EventKind::NotDiverted { code, .. } => format!("not diverted: {}", code.name()),
        EventKind::EtaPassed { person } => {
            format!("{}'s ETA passed: asked for a new one", who(person))
        }
        EventKind::Late { person } => format!("{} late: supervisor alerted", who(person)),
        EventKind::Unstaffed => "nobody took it: officer told".to_owned(),
        EventKind::OutOfHours => "site closed and nobody on call".to_owned(),
        EventKind::Expired { person } => format!("expired: {} never arrived", who(person)),
        EventKind::Relayed { chars } => format!("a message relayed ({chars} characters)"),
        EventKind::NotDelivered { to } => {
            format!("a message to {} was not delivered", actor(directory, to))
        }
        EventKind::IntakeCompleted => "intake recorded".to_owned(),
        EventKind::IntakeReminded { person } => format!("{} reminded of intake", who(person)),
        EventKind::IntakeOverdue => "intake overdue".to_owned(),
        EventKind::ReportNumber { .. } => "report number added".to_owned(),
        EventKind::FollowUpOpened { reason } => format!("follow-up opened ({})", reason.name()),
        EventKind::FollowUpTaken { person } => format!("follow-up taken by {}", who(person)),
        EventKind::FollowedUp { person, .. } => format!("followed up by {}", who(person)),
        EventKind::LegDialed { person, leg } => format!("call leg {leg}: ringing {}", who(person)),
        EventKind::LegEnded {
            person,
            leg,
            outcome,
        } => format!(
            "call leg {leg} to {} ended: {}",
            who(person),
            outcome.name().replace('_', " ")
        ),
        EventKind::DroppedOff { center } => format!("dropped off at diversion center {center}"),
        EventKind::CheckedIn { person, center } => {
            format!("checked in at {center} by {}", who(person))
        }
        EventKind::CheckInOverdue { center } => {
            format!("not checked in at {center} in time: its staff and supervisors told")
        }
    }
}

fn event_table(events: &[Event], directory: &Directory, tz: Tz) -> Markup {
    let first = events.first().map(|e| e.at);
    html! {
        div.scroll { table {
            thead { tr { th { "Time" } th.n { "After request" } th { "By" } th { "What" } } }
            tbody {
                @for event in events {
                    tr {
                        td { (local(event.at, tz)) }
                        td.n { (first.map_or(String::new(), |first| span(event.at - first))) }
                        td { (actor(directory, &event.actor)) }
                        td { (describe(directory, &event.kind)) }
                    }
                }
            }
        } }
    }
}

fn recipient(directory: &Directory, to: &Recipient) -> String {
    match to {
        Recipient::Officer(id) => actor(directory, &Actor::Officer(id.clone())),
        Recipient::Staff(id) => staff(directory, id),
        Recipient::Phone(_) | Recipient::Matrix(_) => "an unregistered sender".to_owned(),
    }
}

fn sent(at: Option<DateTime<Utc>>, tz: Tz) -> String {
    at.map_or_else(|| "—".to_owned(), |at| local(at, tz))
}

fn message_table(messages: &[OutboxItem], directory: &Directory, tz: Tz) -> Markup {
    html! {
        @if messages.is_empty() { p { "None." } } @else {
            div.scroll { table {
                thead { tr { th { "Queued" } th { "To" } th { "Message" } th { "Channel" } th { "Status" } th { "Sent" } } }
                tbody {
                    @for item in messages {
                        tr {
                            td { (local(item.created_at, tz)) }
                            td { (recipient(directory, &item.recipient)) }
                            td { (message_name(&item.message).replace('_', " ")) }
                            td { (item.channel) }
                            td { (item.status.name()) @if item.attempts > 1 { " (" (item.attempts) " tries)" } }
                            td { (sent(item.sent_at, tz)) }
                        }
                    }
                }
            } }
        }
    }
}

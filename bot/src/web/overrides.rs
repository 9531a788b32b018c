//! The "Overrides" page, for admins: the schedule overrides in force and to come,
//! the configuration file's (read-only) and those added here (each with a button
//! that removes it), and the form that adds one.
//!
//! An override typed here is read by the configuration's own rules for
//! `[[overrides]]` (`Config::check_override`) and, if it passes, kept in the
//! database with who added it; the engine merges it after the file's own, and
//! every instance decides with it from its next decision on. Both forms carry the
//! session's CSRF token and must come from this site; each success answers with a
//! redirect to the page (303), so reloading it posts nothing twice.

use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode, Uri};
use axum::response::{IntoResponse, Redirect, Response};
use chrono::{DateTime, Utc};
use chrono_tz::Tz;
use handoff_config::{Config, DashboardRole, FieldProblem, OverrideFields};
use handoff_dispatcher::Directory;
use handoff_dispatcher::overrides::{StoredOverride, inapplicable};
use handoff_schedules::{Moment, OverrideKind, OverrideSpec, PersonId, Role};
use maud::{Markup, html};

use super::login::{foreign_form, form_is_ours};
use super::{Access, access, fresh_directory, layout, unavailable};
use crate::server::AppState;

const PAGE: &str = "/dashboard/overrides";

/// What a form posted: its fields and its CSRF token. Read by hand after the
/// session is checked, so that any request without one is refused (401/403)
/// before its body is looked at.
struct Posted {
    fields: OverrideFields,
    csrf: String,
}

impl Posted {
    fn read(body: &[u8]) -> Posted {
        let mut posted = Posted {
            fields: OverrideFields::default(),
            csrf: String::new(),
        };
        for (name, value) in form_urlencoded::parse(body) {
            let field = match name.as_ref() {
                "kind" => &mut posted.fields.kind,
                "person" => &mut posted.fields.person,
                "covers" => &mut posted.fields.covers,
                "role" => &mut posted.fields.role,
                "site" => &mut posted.fields.site,
                "from" => &mut posted.fields.from,
                "to" => &mut posted.fields.to,
                "note" => &mut posted.fields.note,
                "csrf" => &mut posted.csrf,
                _ => continue,
            };
            *field = value.into_owned();
        }
        posted
    }
}

pub(crate) async fn page(State(state): State<AppState>, headers: HeaderMap) -> Response {
    match access(&state, &headers, DashboardRole::Admin).await {
        Ok(access) => {
            let blank = OverrideFields {
                kind: "cover".to_owned(),
                ..OverrideFields::default()
            };
            render(&state, &access, &blank, &[], StatusCode::OK).await
        }
        Err(refused) => refused,
    }
}

/// Adds the posted override, or shows the form again with what is wrong (422).
pub(crate) async fn add(
    State(state): State<AppState>,
    uri: Uri,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let access = match access(&state, &headers, DashboardRole::Admin).await {
        Ok(access) => access,
        Err(refused) => return refused,
    };
    let posted = Posted::read(&body);
    if !form_is_ours(&state, &uri, &headers, &access, &posted.csrf) {
        return foreign_form();
    }
    match state.web.config().check_override(&posted.fields) {
        Ok(spec) => {
            let engine = state.inbound.engine();
            match engine.add_override(&spec, access.user.as_str()).await {
                Ok(_) => Redirect::to(PAGE).into_response(),
                Err(error) => {
                    tracing::error!(%error, "a schedule override could not be kept");
                    (
                        StatusCode::SERVICE_UNAVAILABLE,
                        "The database does not answer; the override was not added.\n",
                    )
                        .into_response()
                }
            }
        }
        Err(problems) => {
            render(
                &state,
                &access,
                &posted.fields,
                &problems,
                StatusCode::UNPROCESSABLE_ENTITY,
            )
            .await
        }
    }
}

/// Removes a stored override (the row stays, with who removed it and when).
pub(crate) async fn remove(
    State(state): State<AppState>,
    Path(id): Path<String>,
    uri: Uri,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let access = match access(&state, &headers, DashboardRole::Admin).await {
        Ok(access) => access,
        Err(refused) => return refused,
    };
    let posted = Posted::read(&body);
    if !form_is_ours(&state, &uri, &headers, &access, &posted.csrf) {
        return foreign_form();
    }
    let engine = state.inbound.engine();
    let removed = match id.parse::<i64>() {
        Ok(id) => engine.remove_override(id, access.user.as_str()).await,
        Err(_) => Ok(false),
    };
    match removed {
        Ok(true) => Redirect::to(PAGE).into_response(),
        Ok(false) => (
            StatusCode::NOT_FOUND,
            "No such override added on the dashboard, or it was already removed.\n",
        )
            .into_response(),
        Err(error) => {
            tracing::error!(%error, "a schedule override could not be removed");
            (
                StatusCode::SERVICE_UNAVAILABLE,
                "The database does not answer; the override was not removed.\n",
            )
                .into_response()
        }
    }
}

async fn render(
    state: &AppState,
    access: &Access,
    fields: &OverrideFields,
    problems: &[FieldProblem],
    status: StatusCode,
) -> Response {
    let directory = match fresh_directory(state).await {
        Ok(directory) => directory,
        Err(unavailable) => return unavailable,
    };
    let engine = state.inbound.engine();
    let stored = match engine.records().overrides(false).await {
        Ok(stored) => stored,
        Err(error) => return unavailable(&error),
    };
    let config = state.web.config();
    let now = engine.now();
    let body = html! {
        p.note {
            "An override changes the regular schedule for a span of time: someone covers "
            "another's duties, is on duty in addition, or is off. They apply in the order "
            "listed: the configuration file's first, then those added here, oldest first. "
            (zone_note(&directory))
        }
        h2 { "In force and to come" }
        (table(&config, &stored, &directory, access, now))
        h2 { "Add an override" }
        (form(&directory, access, fields, problems))
    };
    let mut response = layout::respond(layout::page(
        access,
        &state.web.program,
        PAGE,
        "Schedule overrides",
        body,
    ));
    *response.status_mut() = status;
    response
}

/// Which zone the times are in: the one zone of every site, or each site's own.
fn zone_note(directory: &Directory) -> String {
    let mut zones = directory.sites.values().map(|site| site.schedule.tz);
    match zones.next() {
        Some(first) if zones.all(|tz| tz == first) => {
            format!("Times are local to {}.", first.name())
        }
        _ => "Times are each site's local time.".to_owned(),
    }
}

/// The zone an override's times are shown in: its first site's, or UTC.
fn shown_zone(spec: &OverrideSpec, directory: &Directory) -> Tz {
    directory
        .sites
        .iter()
        .find(|(id, _)| spec.applies_to(id))
        .map_or(Tz::UTC, |(_, site)| site.schedule.tz)
}

/// Whether `spec` is in force at `now` or comes later at some site it names; an
/// override that names no site there is now is kept in the list, to be removed.
fn current_or_upcoming(spec: &OverrideSpec, directory: &Directory, now: DateTime<Utc>) -> bool {
    let mut zones = directory
        .sites
        .iter()
        .filter(|(id, _)| spec.applies_to(id))
        .map(|(_, site)| site.schedule.tz)
        .peekable();
    zones.peek().is_none() || zones.any(|tz| spec.to.in_zone(tz) > now)
}

fn in_force(spec: &OverrideSpec, directory: &Directory, now: DateTime<Utc>) -> bool {
    directory
        .sites
        .iter()
        .filter(|(id, _)| spec.applies_to(id))
        .any(|(_, site)| {
            spec.during(site.schedule.tz)
                .is_some_and(|s| s.contains(now))
        })
}

fn name(directory: &Directory, person: &PersonId) -> String {
    directory
        .roster
        .people
        .get(person)
        .map_or_else(|| person.to_string(), |p| p.name.clone())
}

fn change(spec: &OverrideSpec, directory: &Directory) -> String {
    match &spec.kind {
        OverrideKind::Cover { covering, covered } => format!(
            "{} covers {}",
            name(directory, covering),
            name(directory, covered)
        ),
        OverrideKind::Add { person, role } => {
            format!("{} on duty as {}", name(directory, person), role.label())
        }
        OverrideKind::Remove { person } => format!("{} off duty", name(directory, person)),
    }
}

fn sites(spec: &OverrideSpec, directory: &Directory) -> String {
    match &spec.sites {
        None => "every site".to_owned(),
        Some(ids) => ids
            .iter()
            .map(|id| {
                directory
                    .sites
                    .get(id)
                    .map_or_else(|| format!("{id} (gone)"), |s| s.name.clone())
            })
            .collect::<Vec<_>>()
            .join(", "),
    }
}

fn moment(at: Moment, tz: Tz) -> String {
    match at {
        Moment::Local(local) => local.format("%a %Y-%m-%d %H:%M").to_string(),
        Moment::Exact(at) => layout::local(at, tz),
    }
}

/// Why a stored override is not in force, if it is not.
fn not_in_force(entry: &StoredOverride, directory: &Directory) -> Option<String> {
    if let Some(why) = inapplicable(&entry.spec, &directory.roster) {
        return Some(why.to_string());
    }
    let names_a_site = directory.sites.keys().any(|id| entry.spec.applies_to(id));
    (!names_a_site).then(|| "it names no site of the configuration".to_owned())
}

fn table(
    config: &Config,
    stored: &[StoredOverride],
    directory: &Directory,
    access: &Access,
    now: DateTime<Utc>,
) -> Markup {
    let from_file: Vec<&OverrideSpec> = config
        .overrides
        .iter()
        .filter(|spec| current_or_upcoming(spec, directory, now))
        .collect();
    let added: Vec<&StoredOverride> = stored
        .iter()
        .filter(|entry| current_or_upcoming(&entry.spec, directory, now))
        .collect();
    let row = |spec: &OverrideSpec, source: Markup, state: Markup, action: Markup| {
        let tz = shown_zone(spec, directory);
        html! {
            tr {
                td { (change(spec, directory)) }
                td { (sites(spec, directory)) }
                td { (moment(spec.from, tz)) }
                td { (moment(spec.to, tz)) }
                td { (spec.note) }
                td { (source) }
                td { (state) }
                td { (action) }
            }
        }
    };
    let status = |spec: &OverrideSpec| {
        if in_force(spec, directory, now) {
            html! { span.ok { "in force now" } }
        } else {
            html! { "to come" }
        }
    };
    html! {
        @if from_file.is_empty() && added.is_empty() {
            p { "None." }
        } @else {
            div.scroll { table {
                thead { tr {
                    th { "Change" } th { "Sites" } th { "From" } th { "To" } th { "Note" }
                    th { "Added" } th { "Now" } th { }
                } }
                tbody {
                    @for spec in &from_file {
                        (row(spec, html! { "from the configuration file" }, status(spec), html! {}))
                    }
                    @for entry in &added {
                        (row(
                            &entry.spec,
                            html! {
                                "by " (entry.added_by) ", "
                                (layout::local(entry.added_at, shown_zone(&entry.spec, directory)))
                            },
                            match not_in_force(entry, directory) {
                                Some(why) => html! { span.bad { "not in force: " (why) } },
                                None => status(&entry.spec),
                            },
                            html! {
                                form method="post" action={ (PAGE) "/" (entry.id) "/remove" } {
                                    input type="hidden" name="csrf" value=(access.csrf);
                                    button type="submit" { "Remove" }
                                }
                            },
                        ))
                    }
                }
            } }
        }
    }
}

/// The label of each field, for the list of problems.
fn label(field: &str) -> &str {
    match field {
        "kind" => "Kind",
        "person" => "Person",
        "covers" => "Covers",
        "role" => "Role",
        "site" => "Site",
        "from" => "From",
        "to" => "To",
        "note" => "Note",
        other => other,
    }
}

fn form(
    directory: &Directory,
    access: &Access,
    fields: &OverrideFields,
    problems: &[FieldProblem],
) -> Markup {
    let people = |chosen: &str, blank: &str| {
        html! {
            option value="" { (blank) }
            @for (id, person) in &directory.roster.people {
                option value=(id) selected[chosen == id.as_str()] { (person.name) " (" (id) ")" }
            }
        }
    };
    html! {
        @if !problems.is_empty() {
            div.bad role="alert" {
                strong { "Nothing was added:" }
                ul { @for problem in problems { li { (label(&problem.field)) ": " (problem.message) } } }
            }
        }
        form.filters method="post" action=(PAGE) {
            input type="hidden" name="csrf" value=(access.csrf);
            label { "Kind" select name="kind" {
                @for (value, text) in [
                    ("cover", "cover: takes over another's duties"),
                    ("add", "add: on duty in addition"),
                    ("remove", "remove: off duty"),
                ] {
                    option value=(value) selected[fields.kind == value] { (text) }
                }
            } }
            label { "Person" select name="person" { (people(&fields.person, "choose")) } }
            label { "Covers (cover)" select name="covers" { (people(&fields.covers, "-")) } }
            label { "Role (add)" select name="role" {
                option value="" { "-" }
                // Only roles someone can be on duty in: `center` would be refused.
                @for role in Role::ALL.into_iter().filter(|r| r.is_duty()) {
                    option value=(role.as_str()) selected[fields.role == role.as_str()] { (role.label()) }
                }
            } }
            label { "Site" select name="site" {
                option value="" { "every site" }
                @for (id, site) in &directory.sites {
                    option value=(id) selected[fields.site == id.as_str()] { (site.name) }
                }
            } }
            label { "From" input type="datetime-local" name="from" value=(fields.from) required; }
            label { "To" input type="datetime-local" name="to" value=(fields.to) required; }
            label { "Note" input type="text" name="note" value=(fields.note) maxlength="200"
                placeholder="e.g. Dana on leave"; }
            button type="submit" { "Add override" }
        }
        p.note { "The note is for the people who keep the schedule: no participant's name or details." }
    }
}

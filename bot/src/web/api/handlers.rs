//! The three endpoints. Each verifies the caller, parses the request, hands the
//! officer's request or withdrawal to the dispatcher as one inbound message from
//! the agency's system acting for the officer (`Engine::receive`, exactly as a
//! text), and renders what the dispatcher decided: the hand-off, and the words
//! the officer is told as `message`. Nothing here decides what a request means.

use axum::Json;
use axum::body::Bytes;
use axum::extract::rejection::{BytesRejection, PathRejection};
use axum::extract::{Path, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use handoff_dispatcher::conversation::{Address, Command, Inbound as Message, MAX_TEXT};
use handoff_dispatcher::message::Problem;
use handoff_dispatcher::{
    AgencyId, EngineError, Handoff, HandoffId, Message as Said, OfficerId, Receipt, Received,
    StoreError,
};
use serde::Serialize;

use super::error::ApiError;
use super::request::{self, CancelJson, NewHandoffJson, Operation};
use super::view::{HandoffView, view};
use crate::render;
use crate::server::AppState;

/// A hand-off with what the call did to it.
#[derive(Debug, Serialize)]
struct Answer {
    #[serde(flatten)]
    handoff: HandoffView,
    /// `opened`, `out_of_hours`, `unstaffed`, `repeat`, `cancelled`, `replayed`.
    result: &'static str,
    /// What the officer is told (or, for a repeat, would be told), as texted.
    message: Option<String>,
}

/// `POST /api/v1/handoffs`: an officer's request.
pub(crate) async fn create(
    State(state): State<AppState>,
    headers: HeaderMap,
    body: Result<Bytes, BytesRejection>,
) -> Response {
    open(&state, &headers, body)
        .await
        .unwrap_or_else(IntoResponse::into_response)
}

/// `GET /api/v1/handoffs/{id}`: where a hand-off of the caller's agency stands.
pub(crate) async fn show(
    State(state): State<AppState>,
    path: Result<Path<String>, PathRejection>,
    headers: HeaderMap,
) -> Response {
    let shown = async {
        let agency = caller(&state, &headers)?;
        let id = path_id(path)?;
        let (handoff, view) = load(&state, &agency, id).await?;
        tracing::debug!(%agency, handoff = %handoff.id, "API: hand-off shown");
        Ok::<Response, ApiError>(Json(view).into_response())
    };
    shown.await.unwrap_or_else(IntoResponse::into_response)
}

/// `POST /api/v1/handoffs/{id}/cancel`: the officer's withdrawal.
pub(crate) async fn cancel(
    State(state): State<AppState>,
    path: Result<Path<String>, PathRejection>,
    headers: HeaderMap,
    body: Result<Bytes, BytesRejection>,
) -> Response {
    withdraw(&state, path, &headers, body)
        .await
        .unwrap_or_else(IntoResponse::into_response)
}

async fn open(
    state: &AppState,
    headers: &HeaderMap,
    body: Result<Bytes, BytesRejection>,
) -> Result<Response, ApiError> {
    let agency = caller(state, headers)?;
    let key = request::idempotency_key(headers)?.ok_or(ApiError::IdempotencyKeyRequired)?;
    let asked = request::json::<NewHandoffJson>(headers, body, true)?
        .ok_or_else(|| ApiError::MalformedJson("the body is empty".to_owned()))?
        .parse()?;
    let directory = state.inbound.engine().directory();
    let entry = directory
        .roster
        .agencies
        .get(&agency)
        .ok_or(ApiError::AgencyGone)?;
    officer_of(&directory.roster, &agency, &entry.name, &asked.officer)?;
    request::check_place(&asked.placement, entry, &directory)?;
    let message = Message {
        from: Address::Agency {
            agency: agency.clone(),
            officer: asked.officer.clone(),
        },
        id: request::message_id(&agency, Operation::Open, Some(key))?,
        command: Command::Request {
            kind: asked.kind,
            text: asked.text.clone(),
            placement: asked.placement,
        },
        body: asked.text,
    };
    let receipt = handle(state, message).await?;
    request_answered(state, &agency, &asked.officer, receipt).await
}

/// The answer to a request, from what the dispatcher did with it.
async fn request_answered(
    state: &AppState,
    agency: &AgencyId,
    officer: &OfficerId,
    receipt: Receipt,
) -> Result<Response, ApiError> {
    let said = words(&receipt.told);
    let Some(id) = receipt.handoff else {
        return Err(match receipt.received {
            Received::Duplicate => ApiError::IdempotencyKeyReused(None),
            // The dispatcher could not act on it: its words say what to do.
            Received::Handled => ApiError::CannotHandle(said.unwrap_or_else(|| {
                "the request could not be handled: proceed as you normally would".to_owned()
            })),
        });
    };
    let (handoff, view) = load(state, agency, id).await?;
    let (status, result) = match receipt.received {
        Received::Duplicate => (StatusCode::OK, "replayed"),
        // The same request sent moments ago: answered with that hand-off.
        Received::Handled if !receipt.opened => (StatusCode::OK, "repeat"),
        // Opened and closed at once: the site is closed with nobody on call, or
        // nobody at all can be asked. Nothing will move.
        Received::Handled if handoff.state.is_closed() => (StatusCode::OK, handoff.state.name()),
        Received::Handled => (StatusCode::CREATED, "opened"),
    };
    tracing::info!(%agency, %officer, handoff = %id, result, "API: request");
    let mut response = answered(status, view, result, said);
    if status == StatusCode::CREATED
        && let Ok(location) = HeaderValue::from_str(&format!("/api/v1/handoffs/{id}"))
    {
        response.headers_mut().insert(header::LOCATION, location);
    }
    Ok(response)
}

fn answered(
    status: StatusCode,
    handoff: HandoffView,
    result: &'static str,
    message: Option<String>,
) -> Response {
    let answer = Answer {
        handoff,
        result,
        message,
    };
    (status, Json(answer)).into_response()
}

async fn withdraw(
    state: &AppState,
    path: Result<Path<String>, PathRejection>,
    headers: &HeaderMap,
    body: Result<Bytes, BytesRejection>,
) -> Result<Response, ApiError> {
    let agency = caller(state, headers)?;
    let id = path_id(path)?;
    let key = request::idempotency_key(headers)?;
    let asked = request::json::<CancelJson>(headers, body, false)?.unwrap_or_default();
    let (handoff, _) = load(state, &agency, id).await?;
    let officer = match asked.officer.as_deref().map(str::trim) {
        None | Some("") => handoff.request.officer.clone(),
        Some(text) => OfficerId::parse(text)
            .map_err(|e| ApiError::invalid("invalid_field", format!("officer: {e}")))?,
    };
    let directory = state.inbound.engine().directory();
    let name = directory
        .roster
        .agencies
        .get(&agency)
        .map_or_else(|| agency.to_string(), |a| a.name.clone());
    officer_of(&directory.roster, &agency, &name, &officer)?;
    let reason = reason(asked.reason)?;
    let message = Message {
        from: Address::Agency {
            agency: agency.clone(),
            officer: officer.clone(),
        },
        id: request::message_id(&agency, Operation::Cancel, key)?,
        command: Command::Cancel {
            id: Some(id),
            reason: reason.clone(),
        },
        body: reason.unwrap_or_default(),
    };
    let receipt = handle(state, message).await?;
    let said = words(&receipt.told);
    let result = match receipt.received {
        Received::Duplicate if receipt.handoff == Some(id) => "replayed",
        Received::Duplicate => return Err(ApiError::IdempotencyKeyReused(receipt.handoff)),
        Received::Handled => withdrawn(id, &receipt.told, said.clone())?,
    };
    let (_, view) = load(state, &agency, id).await?;
    tracing::info!(%agency, %officer, handoff = %id, result, "API: cancel");
    Ok(answered(StatusCode::OK, view, result, said))
}

/// The reason given, if any: at most [`MAX_TEXT`] characters.
fn reason(given: Option<String>) -> Result<Option<String>, ApiError> {
    let reason = given.map(|r| r.trim().to_owned()).filter(|r| !r.is_empty());
    if reason
        .as_ref()
        .is_some_and(|r| r.chars().count() > MAX_TEXT)
    {
        return Err(ApiError::invalid(
            "too_long",
            format!("reason: at most {MAX_TEXT} characters"),
        ));
    }
    Ok(reason)
}

/// Whether the dispatcher withdrew hand-off `id`, by what it told the officer:
/// the confirmation, or the problem it found.
fn withdrawn(id: HandoffId, told: &[Said], said: Option<String>) -> Result<&'static str, ApiError> {
    let words = || said.clone().unwrap_or_default();
    for message in told {
        match message {
            Said::CancelConfirmed { id: confirmed } if *confirmed == id => return Ok("cancelled"),
            Said::Problem { problem, .. } => {
                return Err(match problem {
                    Problem::Closed => ApiError::HandoffClosed(words()),
                    Problem::NotRequester => ApiError::NotRequester(words()),
                    Problem::UnknownHandoff => ApiError::HandoffNotFound(id.to_string()),
                    _ => ApiError::Refused(words()),
                });
            }
            _ => {}
        }
    }
    Err(ApiError::Refused(words()))
}

/// The agency whose token the request carries.
fn caller(state: &AppState, headers: &HeaderMap) -> Result<AgencyId, ApiError> {
    state.api.agency(headers).map_err(|why| {
        tracing::warn!(%why, "API: a request without a valid token refused");
        ApiError::Unauthorized(why)
    })
}

/// Refuses an officer the agency may not act for; an unknown officer is told the
/// same way, so that no agency learns which ids others have.
fn officer_of(
    roster: &handoff_dispatcher::Roster,
    agency: &AgencyId,
    name: &str,
    officer: &OfficerId,
) -> Result<(), ApiError> {
    match roster.officer_of(agency, officer) {
        Some(_) => Ok(()),
        None => Err(ApiError::OfficerNotOfAgency {
            officer: officer.to_string(),
            agency: name.to_owned(),
        }),
    }
}

fn path_id(path: Result<Path<String>, PathRejection>) -> Result<HandoffId, ApiError> {
    match path {
        Ok(Path(text)) => request::handoff_id(&text),
        Err(_) => Err(ApiError::HandoffNotFound(String::new())),
    }
}

/// Hand-off `id` and its view, if it is the agency's: another agency's is
/// answered as if it did not exist.
async fn load(
    state: &AppState,
    agency: &AgencyId,
    id: HandoffId,
) -> Result<(Handoff, HandoffView), ApiError> {
    let engine = state.inbound.engine();
    let records = engine.records();
    let handoff = records
        .handoff(id)
        .await
        .map_err(store_failed)?
        .filter(|h| &h.request.agency == agency)
        .ok_or_else(|| ApiError::HandoffNotFound(id.to_string()))?;
    let events = records.events_of(id).await.map_err(store_failed)?;
    let view = view(&handoff, &events, &engine.directory());
    Ok((handoff, view))
}

async fn handle(state: &AppState, message: Message) -> Result<Receipt, ApiError> {
    state.inbound.message(message).await.map_err(engine_failed)
}

/// The words of what the officer was told, as texted, one message a line.
fn words(told: &[Said]) -> Option<String> {
    (!told.is_empty()).then(|| told.iter().map(render::sms).collect::<Vec<_>>().join("\n"))
}

fn store_failed(error: StoreError) -> ApiError {
    engine_failed(EngineError::Store(error))
}

/// A database that does not answer, or writers that keep winning, is worth a
/// retry (503); anything else is the service's fault (500).
fn engine_failed(error: EngineError) -> ApiError {
    if error.is_transient() {
        tracing::warn!(%error, "API: the request could not be handled now; the caller may retry");
        ApiError::Unavailable
    } else {
        tracing::error!(%error, "API: the request could not be handled");
        ApiError::Internal
    }
}

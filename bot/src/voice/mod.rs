//! Voice: an officer's call to the program's number opens a hand-off as a text
//! would, then rings the people it is offered to, one leg at a time, and connects
//! the first who presses 1. Twilio's Voice webhook shape, signed like the SMS
//! webhooks (`X-Twilio-Signature` over the public URL, query included):
//!
//! - `POST /voice/inbound` — the number's Voice URL. The call becomes one inbound
//!   message of the engine (the same request an SMS `LEAD` makes, the `CallSid`
//!   its provider id, so a retried webhook opens nothing twice), then the first leg.
//! - `POST /voice/leg?handoff=N&leg=K` — the `<Dial>` action when leg K ends:
//!   the leg is logged, then the next one rings, or the officer hears who took it or
//!   what happens next.
//! - `POST /voice/screen?handoff=N&leg=K` — the `<Number url>` run on the called
//!   person's phone when they answer: the offer and "press 1".
//! - `POST /voice/answer?handoff=N&leg=K` — the `<Gather>` action: 1 is the same
//!   `Input::Accept` a text `Y4821` makes (by the voice channel), so a race with a
//!   text has one winner; the winner is connected, anyone else hears it is taken.
//!
//! Nothing here decides who is rung: leg K is offer K of the hand-off, the order
//! the escalation policy made the offers in (`dispatcher::call::next_leg`). The
//! offers by text and Matrix go out as for any request, while the legs ring: the
//! call is a faster way to reach someone, not a different hand-off, and a request
//! must not depend on a call staying up. A text accept while a leg rings ends the
//! dialing at that leg: its screening says it is taken, and the officer then hears
//! who took it instead of another leg.
//!
//! A request that is not the provider's is refused as the SMS webhooks refuse it
//! (403 for a bad signature, 400 for a malformed form or callback URL). A signed
//! one is always answered with TwiML, even when handling it fails (the database
//! busy past its wait or down, the hand-off not found): unlike the SMS webhooks'
//! 503, which the provider retries, an error status on a call only has Twilio read
//! its own error message to someone on the line. So whoever is listening hears
//! what happens instead: a caller whose call opened nothing is asked to text the
//! request; an officer whose hand-off is open, that texts will follow; a case
//! manager on a leg, how to take it by text.

mod form;
mod speech;
mod twiml;

use axum::body::Body;
use axum::extract::State;
use axum::http::{HeaderMap, Uri};
use axum::response::{IntoResponse, Response};
use handoff_dispatcher::call::{Leg, LegOutcome, LegStep, leg_person, next_leg};
use handoff_dispatcher::conversation::{Address, Command, Inbound as Message, Placement};
use handoff_dispatcher::{
    Answer, Channel, EngineError, Handoff, HandoffId, HandoffKind, Input, PhoneNumber,
    State as HandoffState,
};
use handoff_schedules::PersonId;

use crate::metrics::{Endpoint, WebhookResult};
use crate::server::AppState;
use crate::server::guard::Peer;
use crate::sms::webhook::{Refused, counted, verified};
use twiml::{Dial, Verb};

/// How long each leg rings before the next: long enough to reach a phone in a
/// pocket, short enough that the officer waits a few legs, not minutes. Voicemail
/// usually answers after about 25 s, and the screening keeps it out anyway.
pub const LEG_TIMEOUT_SECONDS: u32 = 20;

/// How long the screening waits for a key after the offer is read.
pub const PRESS_TIMEOUT_SECONDS: u32 = 8;

/// The words a call's request carries, for the texts and the log: a call has no
/// location typed in; the officer texts it, or says it once connected.
pub const CALL_REQUEST: &str = "called in, location to follow";

type Handled = (Option<WebhookResult>, Response);

fn refused(refusal: Refused) -> Handled {
    (refusal.result(), refusal.into_response())
}

fn bad_request(error: form::FormError) -> Handled {
    refused(Refused::Malformed(error))
}

/// A webhook that could not be handled (the database busy or down, or anything
/// else going wrong) answers with `words` and hangs up, never with an error
/// status: someone is on the line, and Twilio does not retry a voice webhook as it
/// retries a text's. It would read its own "an application error has occurred"
/// (or fetch the number's fallback URL, which reaches the same database).
fn trouble(error: &EngineError, words: String) -> Handled {
    tracing::error!(%error, transient = error.is_transient(), "a voice webhook could not be handled; told the caller");
    (
        Some(WebhookResult::Error),
        twiml::respond(&[Verb::Say(words), Verb::Hangup]),
    )
}

fn answer(verbs: &[Verb]) -> Handled {
    (Some(WebhookResult::Accepted), twiml::respond(verbs))
}

pub(crate) async fn inbound(
    State(state): State<AppState>,
    Peer(address): Peer,
    headers: HeaderMap,
    body: Body,
) -> Response {
    counted(
        &state,
        Endpoint::Voice,
        handle_inbound(&state, address, &headers, body),
    )
    .await
}

async fn handle_inbound(
    state: &AppState,
    address: std::net::IpAddr,
    headers: &HeaderMap,
    body: Body,
) -> Handled {
    let params = match verified(state, address, "/voice/inbound", headers, body).await {
        Ok(params) => params,
        Err(refusal) => return refused(refusal),
    };
    let call = match form::call(&params) {
        Ok(call) => call,
        Err(error) => return bad_request(error),
    };
    if state.own_numbers.contains(&call.from) {
        tracing::warn!(sid = %call.sid, "a call from the program's own number refused");
        return answer(&[Verb::Hangup]);
    }
    let message = Message {
        from: Address::Phone(call.from.clone()),
        id: call.sid.clone(),
        command: Command::Request {
            kind: HandoffKind::ArrestDiversion,
            text: CALL_REQUEST.to_owned(),
            placement: Placement::default(),
        },
        body: CALL_REQUEST.to_owned(),
    };
    let receipt = match state.inbound.message(message).await {
        Ok(receipt) => receipt,
        // Nothing of the call was kept: a text asks again.
        Err(error) => return trouble(&error, speech::CANNOT_TAKE_CALLS.to_owned()),
    };
    let Some(id) = receipt.handoff else {
        tracing::info!(sid = %call.sid, "a call from a phone that may not ask: refused");
        return answer(&[Verb::Say(speech::refused(&state.program)), Verb::Hangup]);
    };
    let caller_id = caller_id(state, call.to.as_ref());
    match proceed(state, id, None, &caller_id).await {
        Ok(verbs) => answer(&verbs),
        // The hand-off is open and offered by text: say so.
        Err(error) => trouble(&error, speech::trouble(id)),
    }
}

/// The caller ID of the legs: the program's number the officer called, so the
/// case manager sees the program, and neither side sees a personal number.
fn caller_id(state: &AppState, called: Option<&PhoneNumber>) -> String {
    called
        .filter(|to| state.own_numbers.contains(*to))
        .or_else(|| state.own_numbers.iter().next())
        .or(called)
        .map_or_else(String::new, |phone| phone.as_str().to_owned())
}

/// What the officer's call does next, after leg `after` (or at its start): ring
/// the next leg, or say how things stand and hang up.
async fn proceed(
    state: &AppState,
    id: HandoffId,
    after: Option<Leg>,
    caller_id: &str,
) -> Result<Vec<Verb>, EngineError> {
    let engine = state.inbound.engine();
    let handoff = engine
        .records()
        .handoff(id)
        .await?
        .ok_or(EngineError::UnknownHandoff(id))?;
    let directory = engine.fresh_directory().await?;
    let now = engine.now();
    if !matches!(handoff.state, HandoffState::Offering { .. }) {
        return Ok(vec![
            Verb::Say(speech::settled(&handoff, &directory, now)),
            Verb::Hangup,
        ]);
    }
    let phone_of = |person: &PersonId| {
        directory
            .roster
            .people
            .get(person)
            .and_then(|p| p.phone.clone())
    };
    let next = next_leg(&handoff, after, |p| phone_of(p).is_some())
        .and_then(|(leg, person)| Some((leg, phone_of(&person)?, person)));
    let Some((leg, number, person)) = next else {
        return Ok(vec![
            Verb::Say(speech::nobody_answered(&handoff, &directory, now)),
            Verb::Hangup,
        ]);
    };
    engine
        .handle(
            id,
            Input::Leg {
                person,
                leg,
                step: LegStep::Dialed,
            },
        )
        .await?;
    let query = form::callback_query(id, leg);
    let mut verbs = Vec::new();
    if after.is_none() {
        verbs.push(Verb::Say(speech::opened(id)));
    }
    verbs.push(Verb::Dial(Dial {
        action: format!("{}/voice/leg?{query}", state.public_url),
        caller_id: caller_id.to_owned(),
        timeout_seconds: LEG_TIMEOUT_SECONDS,
        number: number.as_str().to_owned(),
        screen: format!("{}/voice/screen?{query}", state.public_url),
    }));
    Ok(verbs)
}

/// The signed form of a callback and the hand-off and leg its URL names. When
/// the hand-off cannot be read, whoever is on the line hears `trouble`'s words.
async fn callback(
    state: &AppState,
    address: std::net::IpAddr,
    uri: &Uri,
    headers: &HeaderMap,
    body: Body,
    trouble_words: fn(HandoffId) -> String,
) -> Result<(Vec<(String, String)>, HandoffId, Leg, Handoff, PersonId), Handled> {
    let path = uri
        .path_and_query()
        .map_or_else(|| uri.path().to_owned(), |p| p.as_str().to_owned());
    let params = verified(state, address, &path, headers, body)
        .await
        .map_err(refused)?;
    let Some((id, leg)) = uri.query().and_then(form::callback) else {
        return Err(bad_request(form::FormError::Missing("handoff and leg")));
    };
    let engine = state.inbound.engine();
    let handoff = match engine.records().handoff(id).await {
        Ok(Some(handoff)) => handoff,
        Ok(None) => {
            return Err(trouble(
                &EngineError::UnknownHandoff(id),
                trouble_words(id),
            ));
        }
        Err(error) => return Err(trouble(&error.into(), trouble_words(id))),
    };
    let Some(person) = leg_person(&handoff, leg).cloned() else {
        return Err(bad_request(form::FormError::Missing(
            "a leg of the hand-off",
        )));
    };
    Ok((params, id, leg, handoff, person))
}

pub(crate) async fn leg(
    State(state): State<AppState>,
    Peer(address): Peer,
    uri: Uri,
    headers: HeaderMap,
    body: Body,
) -> Response {
    counted(
        &state,
        Endpoint::Voice,
        handle_leg(&state, address, &uri, &headers, body),
    )
    .await
}

async fn handle_leg(
    state: &AppState,
    address: std::net::IpAddr,
    uri: &Uri,
    headers: &HeaderMap,
    body: Body,
) -> Handled {
    let (params, id, leg, handoff, person) =
        match callback(state, address, uri, headers, body, speech::trouble).await {
            Ok(found) => found,
            Err(handled) => return handled,
        };
    let (status, called) = match (form::dial_status(&params), form::called(&params)) {
        (Ok(status), Ok(called)) => (status, called),
        (Err(error), _) | (_, Err(error)) => return bad_request(error),
    };
    // Taken by this leg: the person pressed 1 (their accept is committed before
    // they are connected), whatever the status says of the connected call.
    let outcome = if handoff.state.assignee() == Some(&person)
        && handoff
            .offers
            .iter()
            .any(|o| o.person == person && matches!(o.answer, Answer::Accepted { .. }))
        && status == LegOutcome::NotTaken
    {
        LegOutcome::Taken
    } else {
        status
    };
    let engine = state.inbound.engine();
    let ended = Input::Leg {
        person,
        leg,
        step: LegStep::Ended(outcome),
    };
    if let Err(error) = engine.handle(id, ended).await {
        // The officer is still on the line; the hand-off goes on by text.
        return trouble(&error, speech::trouble(id));
    }
    if matches!(outcome, LegOutcome::Taken | LegOutcome::Abandoned) {
        // The conversation is over, or the officer hung up while it rang: nobody
        // is left on the call to ring for.
        return answer(&[Verb::Hangup]);
    }
    match proceed(state, id, Some(leg), &caller_id(state, called.as_ref())).await {
        Ok(verbs) => answer(&verbs),
        // The hand-off is still offered by text.
        Err(error) => trouble(&error, speech::trouble(id)),
    }
}

pub(crate) async fn screen(
    State(state): State<AppState>,
    Peer(address): Peer,
    uri: Uri,
    headers: HeaderMap,
    body: Body,
) -> Response {
    counted(
        &state,
        Endpoint::Voice,
        handle_screen(&state, address, &uri, &headers, body),
    )
    .await
}

async fn handle_screen(
    state: &AppState,
    address: std::net::IpAddr,
    uri: &Uri,
    headers: &HeaderMap,
    body: Body,
) -> Handled {
    let found = callback(state, address, uri, headers, body, speech::trouble_on_leg).await;
    let (_, id, leg, handoff, person) = match found {
        Ok(found) => found,
        Err(handled) => return handled,
    };
    let still_offered = matches!(handoff.state, HandoffState::Offering { .. })
        && handoff
            .offers
            .iter()
            .any(|o| o.person == person && o.answer == Answer::Pending);
    if !still_offered {
        return answer(&[Verb::Say(speech::already_taken(id)), Verb::Hangup]);
    }
    let directory = state.inbound.engine().directory();
    let query = form::callback_query(id, leg);
    answer(&[
        Verb::Gather {
            action: format!("{}/voice/answer?{query}", state.public_url),
            timeout_seconds: PRESS_TIMEOUT_SECONDS,
            prompt: speech::offer(&handoff, &directory),
        },
        // No key (or voicemail): this leg is not connected.
        Verb::Say(speech::not_taken(id)),
        Verb::Hangup,
    ])
}

pub(crate) async fn press(
    State(state): State<AppState>,
    Peer(address): Peer,
    uri: Uri,
    headers: HeaderMap,
    body: Body,
) -> Response {
    counted(
        &state,
        Endpoint::Voice,
        handle_press(&state, address, &uri, &headers, body),
    )
    .await
}

async fn handle_press(
    state: &AppState,
    address: std::net::IpAddr,
    uri: &Uri,
    headers: &HeaderMap,
    body: Body,
) -> Handled {
    let found = callback(state, address, uri, headers, body, speech::trouble_on_leg).await;
    let (params, id, _, _, person) = match found {
        Ok(found) => found,
        Err(handled) => return handled,
    };
    match form::digits(&params) {
        Ok(Some("1")) => {}
        Ok(_) => return answer(&[Verb::Say(speech::not_taken(id)), Verb::Hangup]),
        Err(error) => return bad_request(error),
    }
    let accept = Input::Accept {
        by: person.clone(),
        via: Channel::Voice,
        eta: None,
    };
    match state.inbound.engine().handle(id, accept).await {
        // Theirs (now, or already: a retried callback): the TwiML ends and
        // Twilio connects them to the officer.
        Ok(handled) if handled.handoff.state.assignee() == Some(&person) => {
            answer(&[Verb::Say(speech::yours(id))])
        }
        // Someone was first (by text, or on another leg), or it closed.
        Ok(_) | Err(EngineError::Decide(_)) => {
            answer(&[Verb::Say(speech::already_taken(id)), Verb::Hangup])
        }
        // Nothing was kept: the called person may still take it by text.
        Err(error) => trouble(&error, speech::trouble_on_leg(id)),
    }
}

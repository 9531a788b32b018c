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

use axum::extract::State;
use axum::response::Response;
use handoff_dispatcher::call::{Leg, LegOutcome, LegStep, leg_person, next_leg};
use handoff_dispatcher::conversation::{Address, Command, Inbound as Message, Placement};
use handoff_dispatcher::{
    Answer, Channel, EngineError, Handoff, HandoffId, HandoffKind, Input, PhoneNumber,
    State as HandoffState,
};
use handoff_schedules::PersonId;

use crate::metrics::{Endpoint, WebhookResult};
use crate::server::AppState;
use crate::server::signed::{Handled, Signed, Webhook, malformed};
use twiml::{Dial, Verb};

/// The words a call's request carries, for the texts and the log: a call has no
/// location typed in; the officer texts it, or says it once connected.
pub const CALL_REQUEST: &str = "called in, location to follow";

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

fn respond(verbs: &[Verb]) -> Handled {
    (Some(WebhookResult::Accepted), twiml::respond(verbs))
}

pub(crate) async fn inbound(State(state): State<AppState>, webhook: Webhook) -> Response {
    webhook.serve(state, Endpoint::Voice, on_inbound).await
}

async fn on_inbound(state: AppState, signed: Signed) -> Handled {
    let call = match form::call(&signed.params) {
        Ok(call) => call,
        Err(error) => return malformed(error),
    };
    if state.own_numbers.contains(&call.from) {
        tracing::warn!(sid = %call.sid, "a call from the program's own number refused");
        return respond(&[Verb::Hangup]);
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
        return respond(&[Verb::Say(speech::refused(&state.program)), Verb::Hangup]);
    };
    let caller_id = caller_id(&state, call.to.as_ref());
    match proceed(&state, id, None, &caller_id).await {
        Ok(verbs) => respond(&verbs),
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
        // How long a leg rings and how long a key is waited for are the
        // configuration's (`[transports.voice]`, whole seconds within bounds).
        timeout_seconds: state.voice.ring_timeout.as_secs(),
        number: number.as_str().to_owned(),
        screen: format!("{}/voice/screen?{query}", state.public_url),
    }));
    Ok(verbs)
}

/// A callback about one leg, as its signed form and URL name it.
struct Callback {
    params: Vec<(String, String)>,
    id: HandoffId,
    leg: Leg,
    handoff: Handoff,
    /// Whom the leg rings.
    person: PersonId,
}

/// Who hears a callback's answer, so what they are told when it fails.
#[derive(Clone, Copy)]
enum Listener {
    /// The `<Dial>` action: the officer, whose hand-off is open.
    Officer,
    /// The screening and its key: the person the leg rang.
    Called,
}

impl Listener {
    fn trouble(self, id: HandoffId) -> String {
        match self {
            Listener::Officer => speech::trouble(id),
            Listener::Called => speech::trouble_on_leg(id),
        }
    }
}

/// Serves a callback: its URL must name a hand-off and one of its legs (else
/// 400); when the hand-off cannot be read, `listener` hears the trouble; else
/// `handle` answers.
async fn on_callback<F, Fut>(
    state: AppState,
    signed: Signed,
    listener: Listener,
    handle: F,
) -> Handled
where
    F: FnOnce(AppState, Callback) -> Fut,
    Fut: std::future::Future<Output = Handled>,
{
    let Some((id, leg)) = signed.uri.query().and_then(form::callback) else {
        return malformed(form::FormError::Missing("handoff and leg"));
    };
    let handoff = match state.inbound.engine().records().handoff(id).await {
        Ok(Some(handoff)) => handoff,
        Ok(None) => return trouble(&EngineError::UnknownHandoff(id), listener.trouble(id)),
        Err(error) => return trouble(&error.into(), listener.trouble(id)),
    };
    let Some(person) = leg_person(&handoff, leg).cloned() else {
        return malformed(form::FormError::Missing("a leg of the hand-off"));
    };
    let callback = Callback {
        params: signed.params,
        id,
        leg,
        handoff,
        person,
    };
    handle(state, callback).await
}

pub(crate) async fn leg(State(state): State<AppState>, webhook: Webhook) -> Response {
    let handle = |state, signed| on_callback(state, signed, Listener::Officer, on_leg);
    webhook.serve(state, Endpoint::Voice, handle).await
}

/// The `<Dial>` action: leg `leg` ended. It is logged, then the next leg rings,
/// or the officer hears how things stand.
async fn on_leg(state: AppState, callback: Callback) -> Handled {
    let Callback {
        params,
        id,
        leg,
        handoff,
        person,
    } = callback;
    let (status, called) = match (form::dial_status(&params), form::called(&params)) {
        (Ok(status), Ok(called)) => (status, called),
        (Err(error), _) | (_, Err(error)) => return malformed(error),
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
        return respond(&[Verb::Hangup]);
    }
    match proceed(&state, id, Some(leg), &caller_id(&state, called.as_ref())).await {
        Ok(verbs) => respond(&verbs),
        // The hand-off is still offered by text.
        Err(error) => trouble(&error, speech::trouble(id)),
    }
}

pub(crate) async fn screen(State(state): State<AppState>, webhook: Webhook) -> Response {
    let handle = |state, signed| on_callback(state, signed, Listener::Called, on_screen);
    webhook.serve(state, Endpoint::Voice, handle).await
}

/// The `<Number url>`: the called person answered. They hear the offer and are
/// asked to press 1, unless it is no longer theirs to take.
async fn on_screen(state: AppState, callback: Callback) -> Handled {
    let (id, handoff, person) = (callback.id, &callback.handoff, &callback.person);
    // A round times out on its own clock, whatever the legs are doing: one that
    // timed out while this leg rang left the offer timed out, and a late accept
    // still takes a hand-off that is being offered, as a late `Y4821` does.
    let still_offered = matches!(handoff.state, HandoffState::Offering { .. })
        && handoff.offers.iter().any(|o| {
            &o.person == person && matches!(o.answer, Answer::Pending | Answer::TimedOut { .. })
        });
    if !still_offered {
        return respond(&[Verb::Say(speech::already_taken(id)), Verb::Hangup]);
    }
    let directory = state.inbound.engine().directory();
    let query = form::callback_query(id, callback.leg);
    respond(&[
        Verb::Gather {
            action: format!("{}/voice/answer?{query}", state.public_url),
            timeout_seconds: state.voice.press_timeout.as_secs(),
            prompt: speech::offer(handoff, &directory),
        },
        // No key (or voicemail): this leg is not connected.
        Verb::Say(speech::not_taken(id)),
        Verb::Hangup,
    ])
}

pub(crate) async fn answer(State(state): State<AppState>, webhook: Webhook) -> Response {
    let handle = |state, signed| on_callback(state, signed, Listener::Called, on_answer);
    webhook.serve(state, Endpoint::Voice, handle).await
}

/// The `<Gather>` action: the key the called person pressed. 1 is their accept.
async fn on_answer(state: AppState, callback: Callback) -> Handled {
    let Callback {
        params, id, person, ..
    } = callback;
    match form::digits(&params) {
        Ok(Some("1")) => {}
        Ok(_) => return respond(&[Verb::Say(speech::not_taken(id)), Verb::Hangup]),
        Err(error) => return malformed(error),
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
            respond(&[Verb::Say(speech::yours(id))])
        }
        // Someone was first (by text, or on another leg), or it closed.
        Ok(_) | Err(EngineError::Decide(_)) => {
            respond(&[Verb::Say(speech::already_taken(id)), Verb::Hangup])
        }
        // Nothing was kept: the called person may still take it by text.
        Err(error) => trouble(&error, speech::trouble_on_leg(id)),
    }
}

//! The voice webhooks' forms and callback URLs, read strictly at the edge.
//!
//! Twilio's Voice webhook posts `CallSid`, `AccountSid`, `From`, `To`,
//! `CallStatus`, `Direction` and more; a `<Dial>` action adds `DialCallStatus`
//! and `DialCallSid`, a `<Gather>` action `Digits`. Each field read must be given
//! once. The callback URLs handoff writes into its TwiML carry two things only,
//! `handoff` and `leg`, and those are all a callback's query may hold.

use handoff_dispatcher::PhoneNumber;
use handoff_dispatcher::call::Leg;
use handoff_dispatcher::conversation::MessageId;
use handoff_dispatcher::{HandoffId, call::LegOutcome};

pub(crate) use crate::sms::form::FormError;
use crate::sms::form::{self, phone, single};

/// The officer's call, as `POST /voice/inbound` gives it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Call {
    pub sid: MessageId,
    pub from: PhoneNumber,
    /// The number called, when it is one: the program's.
    pub to: Option<PhoneNumber>,
}

pub(crate) fn call(pairs: &[(String, String)]) -> Result<Call, FormError> {
    let (Some(sid), Some(from)) = (single(pairs, "CallSid")?, single(pairs, "From")?) else {
        return Err(FormError::Missing("CallSid and From"));
    };
    Ok(Call {
        sid: MessageId::parse(sid).map_err(|_| FormError::BadMessageSid)?,
        from: phone(from).ok_or(FormError::NotAPhone)?,
        to: single(pairs, "To")?.and_then(phone),
    })
}

/// The number the call came to, for caller ID on its legs.
pub(crate) fn called(pairs: &[(String, String)]) -> Result<Option<PhoneNumber>, FormError> {
    Ok(single(pairs, "To")?.and_then(phone))
}

/// How a leg ended by `DialCallStatus`, when the person did not take it. Twilio
/// reports `completed` (or `answered`) for a leg that was answered, whether or not
/// it was connected: the screening decides that, so the hand-off's state says
/// whether it was taken and this only says how it was not.
pub(crate) fn dial_status(pairs: &[(String, String)]) -> Result<LegOutcome, FormError> {
    let Some(status) = single(pairs, "DialCallStatus")? else {
        return Err(FormError::Missing("DialCallStatus"));
    };
    Ok(match status {
        "no-answer" => LegOutcome::NoAnswer,
        "busy" => LegOutcome::Busy,
        "failed" => LegOutcome::Failed,
        "canceled" => LegOutcome::Abandoned,
        // completed, answered, or anything newer: it was picked up.
        _ => LegOutcome::NotTaken,
    })
}

/// The key the called person pressed, if any.
pub(crate) fn digits(pairs: &[(String, String)]) -> Result<Option<&str>, FormError> {
    single(pairs, "Digits")
}

/// The hand-off and leg a callback URL names (`?handoff=1001&leg=0`), and nothing
/// else.
pub(crate) fn callback(query: &str) -> Option<(HandoffId, Leg)> {
    let pairs = form::decode(query.as_bytes()).ok()?;
    if pairs.len() != 2 {
        return None;
    }
    let handoff = single(&pairs, "handoff").ok()??.parse().ok()?;
    let leg = Leg::parse(single(&pairs, "leg").ok()??)?;
    Some((handoff, leg))
}

/// The query of a callback about leg `leg` of hand-off `id`.
pub(crate) fn callback_query(id: HandoffId, leg: Leg) -> String {
    format!("handoff={id}&leg={leg}")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sms::form::tests::pairs;

    #[test]
    fn a_call_needs_its_sid_and_a_phone_to_come_from() {
        let call = call(&pairs(&[
            ("CallSid", "CA01"),
            ("From", "+14125550101"),
            ("To", "+14125550100"),
        ]))
        .unwrap();
        assert_eq!(call.from.as_str(), "+14125550101");
        assert_eq!(call.to.map(String::from).as_deref(), Some("+14125550100"));
        assert!(super::call(&pairs(&[("CallSid", "CA01"), ("From", "anonymous")])).is_err());
        assert!(super::call(&pairs(&[("From", "+14125550101")])).is_err());
    }

    #[test]
    fn callbacks_name_a_hand_off_and_a_leg_and_nothing_else() {
        let id = HandoffId::new(1001);
        let query = callback_query(id, Leg::new(2));
        assert_eq!(callback(&query), Some((id, Leg::new(2))));
        assert_eq!(callback("handoff=1001"), None);
        assert_eq!(callback("handoff=1001&leg=2&to=%2B1412"), None);
        assert_eq!(callback("handoff=x&leg=2"), None);
    }

    #[test]
    fn a_dial_status_says_how_a_leg_was_not_taken() {
        let status = |s| dial_status(&pairs(&[("DialCallStatus", s)])).unwrap();
        assert_eq!(status("no-answer"), LegOutcome::NoAnswer);
        assert_eq!(status("busy"), LegOutcome::Busy);
        assert_eq!(status("completed"), LegOutcome::NotTaken);
        assert!(dial_status(&[]).is_err());
    }
}

//! Messages in words for Matrix. Chat has room the SMS segment has not: an offer
//! carries the officer's whole text, the site, the zone, the officer and agency,
//! the escalation step, how long until it moves on, and how to answer. Everything
//! else reads as it does by SMS (the same words, so a case manager who gets one
//! message by each channel is not confused), and the commands are the SMS ones.

use chrono::{DateTime, Utc};
use handoff_dispatcher::Message;
use handoff_dispatcher::message::Audience;
use handoff_dispatcher::message::OfferContext;

/// The text of `message` for a Matrix room, at `now`.
pub fn matrix(message: &Message, now: DateTime<Utc>) -> String {
    match message {
        Message::Offer {
            id,
            kind,
            location,
            agency,
            officer,
            after_hours,
            context,
        } => {
            let when = if *after_hours { " (after hours)" } else { "" };
            let mut text = format!("Hand-off {id}{when}: {}", kind.label());
            if !context.site.is_empty() {
                text.push_str(&format!(" at {}", context.site));
            }
            if let Some(zone) = &context.zone {
                text.push_str(&format!(", zone {zone}"));
            }
            text.push_str(&format!("\n{officer} ({agency}): {location}\n"));
            text.push_str(&escalation(context, now));
            text.push_str(&format!(
                "\nReact ✅ to take it or ❌ to pass, or reply Y{id} / N{id} [reason]."
            ));
            text
        }
        Message::Help { audience } => match audience {
            Audience::Officer => OFFICER_HELP.to_owned(),
            Audience::Staff => STAFF_HELP.to_owned(),
        },
        Message::NotRegistered { .. } => {
            "This Matrix account is not registered with the program, so \
             handoff cannot act on what it writes: please contact the program coordinator."
                .to_owned()
        }
        other => handoff_bot::render::sms(other),
    }
}

/// The commands, as they work in chat (carrier keywords mean nothing here).
const OFFICER_HELP: &str = "What you can write here:\n\
    LEAD <place, what happened>: ask for a case manager\n\
    REFER <place, notes>: refer someone for follow-up\n\
    STATUS: your open hand-offs\n\
    CANCEL [number] [reason]: withdraw one\n\
    Anything else goes to the case manager of your hand-off. Do not write names or dates of birth.";

const STAFF_HELP: &str = "What you can do here:\n\
    React ✅ to an offer to take it, ❌ to pass (or reply Y / N, or Y<number>, N<number> [reason])\n\
    ETA <minutes>: when you will arrive\n\
    ARRIVED, DONE: you are there; the person is released to you\n\
    CANCEL <number> [reason]: call it off\n\
    STATUS: yours. WHO: who is on duty\n\
    In your direct room, anything else goes to the officer; in the site's room only commands count.";

/// "Step 1 of 3; moves on in 4 min if nobody takes it; offered to 2 people."
fn escalation(context: &OfferContext, now: DateTime<Utc>) -> String {
    let mut parts = Vec::new();
    if context.steps > 0 {
        parts.push(format!(
            "Step {} of {}",
            context.step.saturating_add(1),
            context.steps
        ));
    }
    if let Some(due) = context.answer_by {
        let seconds = (due - now).num_seconds().max(0);
        let minutes = (seconds + 59) / 60;
        parts.push(format!("moves on in {minutes} min if nobody takes it"));
    }
    if context.together > 1 {
        parts.push(format!("offered to {} people at once", context.together));
    }
    parts.join("; ") + "."
}

/// What an offer message is edited to say once it is no longer open.
pub fn closed_offer(message: &Message) -> Option<String> {
    match message {
        Message::TakenByOther { id, first_name } => Some(format!(
            "Hand-off {id} was taken by {first_name}. Nothing to do."
        )),
        Message::Withdrawn { id } => Some(format!("Hand-off {id} is withdrawn. Nothing to do.")),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use chrono::TimeZone;
    use handoff_dispatcher::{HandoffId, HandoffKind};

    use super::*;

    #[test]
    fn an_offer_in_matrix_carries_the_whole_request_and_how_to_answer() {
        let now = Utc
            .with_ymd_and_hms(2026, 12, 2, 15, 0, 0)
            .single()
            .unwrap();
        let long = "5th & Main, retail theft; man in a red coat, calm, wants help with housing \
                    and says he has been sleeping at the shelter on Liberty since October";
        let text = matrix(
            &Message::Offer {
                id: HandoffId::new(4821),
                kind: HandoffKind::ArrestDiversion,
                location: long.to_owned(),
                agency: "City Police".to_owned(),
                officer: "Ofc. Rivera".to_owned(),
                after_hours: false,
                context: OfferContext {
                    site: "Allegheny County".to_owned(),
                    zone: Some("zone-1".to_owned()),
                    step: 0,
                    steps: 3,
                    answer_by: Some(now + chrono::Duration::seconds(150)),
                    together: 2,
                },
            },
            now,
        );
        assert!(text.contains(long), "{text}");
        for part in [
            "Hand-off 4821: arrest diversion at Allegheny County, zone zone-1",
            "Ofc. Rivera (City Police)",
            "Step 1 of 3",
            "moves on in 3 min",
            "offered to 2 people",
            "✅",
            "Y4821",
        ] {
            assert!(text.contains(part), "{part:?} missing from {text}");
        }
    }

    #[test]
    fn only_taken_and_withdrawn_close_an_offer_message() {
        let id = HandoffId::new(7);
        assert!(
            closed_offer(&Message::TakenByOther {
                id,
                first_name: "Dana".to_owned()
            })
            .is_some_and(|t| t.contains("taken by Dana"))
        );
        assert!(closed_offer(&Message::Withdrawn { id }).is_some());
        assert!(closed_offer(&Message::Assignment { id }).is_none());
    }
}

//! Messages in words for Matrix. Chat has room the SMS segment has not: an offer
//! carries the officer's whole text, the site, the zone, the officer and agency,
//! the escalation step, how long until it moves on, and how to answer; the
//! assignment carries the whole request the same way; the follow-up digest and
//! the FOLLOWUP answer are lists with every place in full. Everything else reads
//! as it does by SMS (the same words, so a case manager who gets one message by
//! each channel is not confused), and the commands are the SMS ones.

use chrono::{DateTime, Utc};
use handoff_bot::render::{day_and_clock, follow_up_reason};
use handoff_dispatcher::message::{Audience, Brief, FollowUpLine, OfferContext};
use handoff_dispatcher::{HandoffId, Message};

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
        Message::NotRegistered { contact } => {
            let contact = contact.as_deref().map(str::trim).filter(|c| !c.is_empty());
            match contact {
                Some(contact) => format!(
                    "This Matrix account is not registered with the program, so handoff \
                     cannot act on what it writes. To be added, contact {contact}."
                ),
                None => "This Matrix account is not registered with the program, so \
                     handoff cannot act on what it writes: please contact the program coordinator."
                    .to_owned(),
            }
        }
        Message::Assignment {
            id,
            brief: Some(brief),
        } => assignment(*id, brief),
        Message::FollowUpDigest { site, items } if !items.is_empty() => {
            let mut text = format!("{site} is open. Waiting for follow-up:\n");
            text.push_str(&follow_up_list(items));
            text.push_str(&take_one(items, "\nReply FOLLOWUP for details"));
            text
        }
        Message::FollowUps { items } if !items.is_empty() => {
            let mut text = "Follow-ups not yet done:\n".to_owned();
            text.push_str(&follow_up_list(items));
            text.push_str(&take_one(items, ""));
            text.push_str("\nWhen one is done: FOLLOWED <number> [note].");
            text
        }
        other => handoff_bot::render::sms(other),
    }
}

/// The whole request for the case manager who took it, laid out as the offer is.
fn assignment(id: HandoffId, brief: &Brief) -> String {
    let mut text = format!("Hand-off {id} is yours: {}", brief.kind.label());
    if !brief.site.is_empty() {
        text.push_str(&format!(" at {}", brief.site));
    }
    if let Some(zone) = &brief.zone {
        text.push_str(&format!(", zone {zone}"));
    }
    text.push_str(&format!(
        "\n{} ({}): {}\n",
        brief.officer, brief.agency, brief.location
    ));
    text.push_str(&format!(
        "Reply ETA <minutes>, ARRIVED, DONE, NOTDIVERTED {id} <why>, or BACK {id} if you \
         cannot go. In your direct room, anything else goes to the officer."
    ));
    text
}

/// One line per follow-up: `- 4821 referral, Sat 2:14 AM, Allegheny County: Pine
/// St shelter (taken by Lee)`, the place in full.
fn follow_up_list(items: &[FollowUpLine]) -> String {
    items
        .iter()
        .map(|item| {
            let holder = match &item.taken_by {
                Some(name) => format!(" (taken by {name})"),
                None => String::new(),
            };
            format!(
                "- {} {}, {}, {}: {}{holder}",
                item.id,
                follow_up_reason(item.reason),
                day_and_clock(&item.requested_at),
                item.site,
                item.location
            )
        })
        .collect::<Vec<_>>()
        .join("\n")
}

/// `{lead}, TAKE 4821 to take one.` naming the first follow-up nobody took, or
/// `{lead}.` when all are taken (nothing, if `lead` is empty).
fn take_one(items: &[FollowUpLine], lead: &str) -> String {
    let first = items.iter().find(|item| item.taken_by.is_none());
    match (first, lead.is_empty()) {
        (Some(item), true) => format!("\nReply TAKE {} to take one.", item.id),
        (Some(item), false) => format!("{lead}, TAKE {} to take one.", item.id),
        (None, true) => String::new(),
        (None, false) => format!("{lead}."),
    }
}

/// The commands, as they work in chat (carrier keywords mean nothing here).
const OFFICER_HELP: &str = "What you can write here:\n\
    LEAD <place, what happened>: ask for a case manager (LEAD @Name <place>: ask for someone by name)\n\
    REFER <place, notes>: refer someone for follow-up\n\
    STATUS: your open hand-offs\n\
    RPT [number] <report number>: add the police report number\n\
    NOTDIVERTED [number] <declined, ineligible, left, medical, booked or other>: closed without a diversion\n\
    CANCEL [number] [reason]: withdraw one\n\
    Anything else goes to the case manager of your hand-off. Do not write names or dates of birth.";

const STAFF_HELP: &str = "What you can do here:\n\
    React ✅ to an offer to take it, ❌ to pass (or reply Y / N, or Y<number>, N<number> [reason]; \
    Y<number> <minutes> takes it with an ETA)\n\
    ETA <minutes>: when you will arrive\n\
    ARRIVED, DONE: you are there; the person is released to you\n\
    BACK <number> [reason] (or CANCEL <number>): give it back, to be offered to others\n\
    NOTDIVERTED <number> <declined, ineligible, left, medical, booked or other>: closed without a diversion\n\
    FOLLOWUP: the follow-ups waiting. TAKE <number>: take one. FOLLOWED <number> [note]: it is done\n\
    INTAKE <number>: intake is complete\n\
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
    use handoff_dispatcher::HandoffKind;
    use handoff_dispatcher::outcome::{FollowUpReason, NotDivertedCode};

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
                    name_site: false,
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

    fn brief() -> Brief {
        Brief {
            kind: HandoffKind::ArrestDiversion,
            location: "5th & Main, retail theft; man in a red coat, calm, asked about \
                       housing and the shelter on Liberty"
                .to_owned(),
            site: "Allegheny County".to_owned(),
            zone: Some("zone-1".to_owned()),
            officer: "Ofc. Rivera".to_owned(),
            agency: "Metro Police Department".to_owned(),
        }
    }

    fn item(n: u32, reason: FollowUpReason, taken_by: Option<&str>) -> FollowUpLine {
        FollowUpLine {
            id: HandoffId::new(n),
            kind: HandoffKind::SocialContactReferral,
            reason,
            site: "Allegheny County".to_owned(),
            requested_at: DateTime::parse_from_rfc3339("2026-11-21T02:14:00-05:00").unwrap(),
            location: "Pine St shelter, asked for help with an ID and a bed for tonight".to_owned(),
            taken_by: taken_by.map(str::to_owned),
        }
    }

    fn now() -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2026, 12, 2, 15, 0, 0)
            .single()
            .unwrap()
    }

    #[test]
    fn the_assignment_in_matrix_carries_the_whole_request_and_what_to_reply() {
        let text = matrix(
            &Message::Assignment {
                id: HandoffId::new(4821),
                brief: Some(brief()),
            },
            now(),
        );
        assert_eq!(
            text,
            format!(
                "Hand-off 4821 is yours: arrest diversion at Allegheny County, zone zone-1\n\
                 Ofc. Rivera (Metro Police Department): {}\n\
                 Reply ETA <minutes>, ARRIVED, DONE, NOTDIVERTED 4821 <why>, or BACK 4821 if \
                 you cannot go. In your direct room, anything else goes to the officer.",
                brief().location
            )
        );
        let short = matrix(
            &Message::Assignment {
                id: HandoffId::new(4821),
                brief: None,
            },
            now(),
        );
        assert!(short.starts_with("4821 is yours."), "{short}");
    }

    #[test]
    fn the_digest_and_the_followup_answer_are_lists_with_places_in_full() {
        let items = vec![
            item(4821, FollowUpReason::Referral, None),
            item(4822, FollowUpReason::Unstaffed, Some("Lee")),
        ];
        let digest = matrix(
            &Message::FollowUpDigest {
                site: "Allegheny County".to_owned(),
                items: items.clone(),
            },
            now(),
        );
        assert_eq!(
            digest,
            "Allegheny County is open. Waiting for follow-up:\n\
             - 4821 referral, Sat 2:14 AM, Allegheny County: Pine St shelter, asked for help \
             with an ID and a bed for tonight\n\
             - 4822 nobody took it, Sat 2:14 AM, Allegheny County: Pine St shelter, asked for \
             help with an ID and a bed for tonight (taken by Lee)\n\
             Reply FOLLOWUP for details, TAKE 4821 to take one."
        );
        let list = matrix(&Message::FollowUps { items }, now());
        assert!(
            list.starts_with("Follow-ups not yet done:\n- 4821 referral"),
            "{list}"
        );
        assert!(list.contains("\nReply TAKE 4821 to take one."), "{list}");
        assert!(list.ends_with("FOLLOWED <number> [note]."), "{list}");
        let none = matrix(&Message::FollowUps { items: Vec::new() }, now());
        assert_eq!(none, "No follow-ups are waiting.");
    }

    #[test]
    fn a_digest_with_everything_taken_offers_nothing_to_take() {
        let digest = matrix(
            &Message::FollowUpDigest {
                site: "Allegheny County".to_owned(),
                items: vec![item(4821, FollowUpReason::Expired, Some("Lee"))],
            },
            now(),
        );
        assert!(
            digest.ends_with("\nReply FOLLOWUP for details."),
            "{digest}"
        );
        assert!(!digest.contains("TAKE"), "{digest}");
    }

    #[test]
    fn a_stranger_in_matrix_is_told_who_registers_people() {
        let text = matrix(
            &Message::NotRegistered {
                contact: Some("Sam Ortiz, LEAD program coordinator".to_owned()),
            },
            now(),
        );
        assert!(
            text.ends_with("To be added, contact Sam Ortiz, LEAD program coordinator."),
            "{text}"
        );
        let plain = matrix(&Message::NotRegistered { contact: None }, now());
        assert!(
            plain.contains("please contact the program coordinator"),
            "{plain}"
        );
    }

    #[test]
    fn the_help_in_matrix_lists_the_field_commands() {
        let staff = matrix(
            &Message::Help {
                audience: Audience::Staff,
            },
            now(),
        );
        for needle in [
            "BACK <number>",
            "NOTDIVERTED",
            "FOLLOWUP",
            "TAKE",
            "FOLLOWED",
            "INTAKE",
        ] {
            assert!(staff.contains(needle), "{needle} missing: {staff}");
        }
        let officer = matrix(
            &Message::Help {
                audience: Audience::Officer,
            },
            now(),
        );
        for needle in ["LEAD @Name", "RPT", "NOTDIVERTED"] {
            assert!(officer.contains(needle), "{needle} missing: {officer}");
        }
    }

    #[test]
    fn every_other_field_message_reads_as_its_sms() {
        let id = HandoffId::new(4821);
        for message in [
            Message::GivenBack {
                id,
                first_name: "Dana".to_owned(),
            },
            Message::EtaPassed { id, minutes: 10 },
            Message::DeclineConfirmed { id },
            Message::NotDiverted {
                id,
                code: NotDivertedCode::Left,
            },
        ] {
            assert_eq!(matrix(&message, now()), handoff_bot::render::sms(&message));
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
        assert!(closed_offer(&Message::Assignment { id, brief: None }).is_none());
    }
}

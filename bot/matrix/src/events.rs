//! What a Matrix event asks, in the dispatcher's terms: a text message becomes the
//! command the SMS grammar reads in it, and a ✅ or ❌ reaction on an offer becomes
//! an accept or a pass of that offer's hand-off. A reply to one of the bot's
//! messages names that message's hand-off when the command does not. Nothing here
//! decides what the command does: the engine does, as for a text.

use handoff_bot::sms::grammar;
use handoff_dispatcher::HandoffId;
use handoff_dispatcher::conversation::Command;
use matrix_sdk::ruma::events::relation::Annotation;
use matrix_sdk::ruma::events::room::message::{MessageType, Relation};
use matrix_sdk::ruma::events::{
    AnySyncMessageLikeEvent, AnySyncTimelineEvent, SyncMessageLikeEvent,
};
use matrix_sdk::ruma::serde::Raw;

/// An event the bot acts on.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Incoming {
    /// A text message (edits of earlier messages are not acted on).
    Text {
        event_id: String,
        sender: String,
        body: String,
        /// The message it replies to, if any.
        reply_to: Option<String>,
    },
    /// A reaction to a message.
    Reaction {
        event_id: String,
        sender: String,
        target: String,
        answer: Option<Answer>,
    },
}

/// What a reaction says.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Answer {
    Accept,
    Decline,
}

/// The event as the bot reads it, if it is one it acts on.
pub(crate) fn incoming(raw: &Raw<AnySyncTimelineEvent>) -> Option<Incoming> {
    let AnySyncTimelineEvent::MessageLike(event) = raw.deserialize().ok()? else {
        return None;
    };
    match event {
        AnySyncMessageLikeEvent::RoomMessage(SyncMessageLikeEvent::Original(message)) => {
            let MessageType::Text(text) = &message.content.msgtype else {
                return None;
            };
            let reply_to = match &message.content.relates_to {
                Some(Relation::Replacement(_)) => return None,
                Some(Relation::Reply(reply)) => Some(reply.in_reply_to.event_id.to_string()),
                _ => None,
            };
            Some(Incoming::Text {
                event_id: message.event_id.to_string(),
                sender: message.sender.to_string(),
                body: without_reply_fallback(&text.body),
                reply_to,
            })
        }
        AnySyncMessageLikeEvent::Reaction(SyncMessageLikeEvent::Original(reaction)) => {
            let Annotation { event_id, key, .. } = &reaction.content.relates_to;
            Some(Incoming::Reaction {
                event_id: reaction.event_id.to_string(),
                sender: reaction.sender.to_string(),
                target: event_id.to_string(),
                answer: answer(key),
            })
        }
        _ => None,
    }
}

/// ✅ (and its look-alikes) accepts, ❌ passes; any other reaction says nothing.
pub(crate) fn answer(key: &str) -> Option<Answer> {
    // Clients add a variation selector (U+FE0F) to some emoji, and not to others.
    let key: String = key.chars().filter(|c| *c != '\u{fe0f}').collect();
    match key.as_str() {
        "✅" | "✔" | "☑" | "👍" => Some(Answer::Accept),
        "❌" | "✖" | "❎" | "👎" => Some(Answer::Decline),
        _ => None,
    }
}

/// Clients put the quoted message before a reply's own words ("> <@a:b> ..." lines,
/// then a blank line): the command is what follows.
fn without_reply_fallback(body: &str) -> String {
    if !body.starts_with("> ") {
        return body.to_owned();
    }
    let rest: Vec<&str> = body
        .lines()
        .skip_while(|line| line.starts_with('>'))
        .collect();
    rest.join("\n").trim().to_owned()
}

/// The command a text asks for. Carrier keywords mean nothing in chat: a bare
/// CANCEL cancels (by SMS it would opt out), a bare YES accepts, STOP and START do
/// nothing but bring the help text.
pub(crate) fn command(body: &str) -> Command {
    match grammar::parse(body) {
        Command::OptOut if first_word(body) == "CANCEL" => Command::Cancel {
            id: None,
            reason: None,
        },
        Command::OptIn if first_word(body) == "YES" => Command::Accept {
            id: None,
            eta: None,
        },
        Command::OptOut | Command::OptIn => Command::Help,
        other => other,
    }
}

fn first_word(body: &str) -> String {
    body.split_whitespace()
        .next()
        .unwrap_or_default()
        .to_uppercase()
}

/// `command` about hand-off `id` when it names none (a reply to an offer says
/// which hand-off it answers; a `BACK` or `RPT <number>` in reply to a message
/// about a hand-off is about that one).
pub(crate) fn about(command: Command, id: HandoffId) -> Command {
    match command {
        Command::Accept { id: None, eta } => Command::Accept { id: Some(id), eta },
        Command::Decline { id: None, reason } => Command::Decline {
            id: Some(id),
            reason,
        },
        Command::Eta { minutes, id: None } => Command::Eta {
            minutes,
            id: Some(id),
        },
        Command::Arrived { id: None } => Command::Arrived { id: Some(id) },
        Command::Done { id: None } => Command::Done { id: Some(id) },
        Command::Cancel { id: None, reason } => Command::Cancel {
            id: Some(id),
            reason,
        },
        Command::Text { id: None, text } => Command::Text { id: Some(id), text },
        Command::GiveBack { id: None, reason } => Command::GiveBack {
            id: Some(id),
            reason,
        },
        Command::NotDiverted {
            id: None,
            code,
            note,
        } => Command::NotDiverted {
            id: Some(id),
            code,
            note,
        },
        Command::FollowedUp { id: None, note } => Command::FollowedUp { id: Some(id), note },
        Command::Intake { id: None } => Command::Intake { id: Some(id) },
        Command::ReportNumber { id: None, number } => Command::ReportNumber {
            id: Some(id),
            number,
        },
        other => other,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn check_marks_accept_and_crosses_pass_with_or_without_variation_selectors() {
        assert_eq!(answer("✅"), Some(Answer::Accept));
        assert_eq!(answer("✔\u{fe0f}"), Some(Answer::Accept));
        assert_eq!(answer("👍"), Some(Answer::Accept));
        assert_eq!(answer("❌"), Some(Answer::Decline));
        assert_eq!(answer("👎"), Some(Answer::Decline));
        assert_eq!(answer("🎉"), None);
        assert_eq!(answer(""), None);
    }

    #[test]
    fn a_reply_is_read_without_the_quoted_message() {
        assert_eq!(
            without_reply_fallback("> <@bot:example.org> Hand-off 1001: ...\n> more\n\nY"),
            "Y"
        );
        assert_eq!(without_reply_fallback("ETA 15"), "ETA 15");
    }

    #[test]
    fn carrier_keywords_mean_chat_commands_in_matrix() {
        assert_eq!(
            command("cancel"),
            Command::Cancel {
                id: None,
                reason: None
            }
        );
        assert_eq!(
            command("YES"),
            Command::Accept {
                id: None,
                eta: None
            }
        );
        assert_eq!(command("STOP"), Command::Help);
        assert_eq!(
            command("accept"),
            Command::Accept {
                id: None,
                eta: None
            }
        );
        assert_eq!(
            command("N4821 car trouble"),
            Command::Decline {
                id: Some(HandoffId::new(4821)),
                reason: Some("car trouble".to_owned())
            }
        );
    }

    #[test]
    fn a_reply_to_an_offer_names_its_handoff_unless_the_command_names_one() {
        let offer = HandoffId::new(1001);
        assert_eq!(
            about(
                Command::Accept {
                    id: None,
                    eta: None
                },
                offer
            ),
            Command::Accept {
                id: Some(offer),
                eta: None
            }
        );
        let other = HandoffId::new(1002);
        assert_eq!(
            about(
                Command::Accept {
                    id: Some(other),
                    eta: None
                },
                offer
            ),
            Command::Accept {
                id: Some(other),
                eta: None
            }
        );
        assert_eq!(about(Command::Status, offer), Command::Status);
    }

    #[test]
    fn a_reply_with_a_field_command_names_the_hand_off_it_answers() {
        let handoff = HandoffId::new(1001);
        for (body, named) in [
            ("BACK car trouble", "GiveBack"),
            ("NOTDIVERTED left", "NotDiverted"),
            ("FOLLOWED", "FollowedUp"),
            ("INTAKE", "Intake"),
            ("RPT 2026-001234", "ReportNumber"),
        ] {
            let command = about(command(body), handoff);
            let id = match &command {
                Command::GiveBack { id, .. }
                | Command::NotDiverted { id, .. }
                | Command::FollowedUp { id, .. }
                | Command::Intake { id }
                | Command::ReportNumber { id, .. } => *id,
                _ => None,
            };
            assert_eq!(id, Some(handoff), "{body}: {command:?}");
            assert!(format!("{command:?}").starts_with(named), "{command:?}");
        }
        let named = about(command("BACK 1002"), handoff);
        assert_eq!(
            named,
            Command::GiveBack {
                id: Some(HandoffId::new(1002)),
                reason: None
            }
        );
    }
}

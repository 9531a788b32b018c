//! What a text from a phone means, and what happens because of it: the sender is
//! looked up in the roster, the command parsed by `sms::grammar` is checked against
//! what the sender's role may do, and the dispatcher engine is asked to act. Every
//! answer, including errors and help, goes out through the outbox, so it is durable
//! and retried like every other message.
//!
//! Carrier rules come first and apply to every number, registered or not: a bare
//! STOP (or STOPALL, UNSUBSCRIBE, CANCEL, END, QUIT) opts the number out of SMS,
//! START (YES, UNSTOP) opts it back in, HELP answers. An unregistered number is told
//! so at most once a day, so two automated senders cannot ping-pong.

use chrono::Duration;
use handoff_dispatcher::decide::{DecideError, Input};
use handoff_dispatcher::message::{Audience, Named, Problem, SiteNow, StatusLine};
use handoff_dispatcher::redact::redact;
use handoff_dispatcher::{
    Actor, Engine, EngineError, Handoff, HandoffId, Message, NewOutbound, Officer, Participant,
    Person, PhoneNumber, Recipient, Request, State,
};

use crate::sms::grammar::{self, Command};

mod officer;
mod staff;

/// How long an unregistered number waits between two refusals.
pub const REFUSAL_QUIET: Duration = Duration::hours(24);

/// A request repeating one the same officer made this recently (same kind, same
/// words) is the same request sent again, as people do when no answer shows at
/// once: it is answered with that hand-off's status instead of opening another.
pub const REPEAT_WINDOW: Duration = Duration::minutes(10);

/// The longest request or relay text kept: ten SMS segments. Longer is cut, not
/// refused, so nothing an officer wrote is lost without a trace in the reply.
pub const MAX_TEXT: usize = 1530;

#[derive(Debug, thiserror::Error)]
pub enum InboundError {
    #[error(transparent)]
    Engine(#[from] EngineError),
    #[error(transparent)]
    Store(#[from] handoff_dispatcher::StoreError),
}

/// Handles texts for one engine.
#[derive(Clone)]
pub struct Inbound {
    engine: Engine,
}

/// Replies to send because of one text, with keys derived from the text's provider
/// id so that a retried webhook cannot answer twice.
struct Replies {
    key: String,
    items: Vec<NewOutbound>,
}

impl Replies {
    fn push(&mut self, to: Recipient, message: Message) {
        let key = format!("reply:{}:{}", self.key, self.items.len());
        self.items.push(NewOutbound {
            key,
            recipient: to,
            message,
        });
    }
}

fn cut(text: &str) -> String {
    text.chars().take(MAX_TEXT).collect()
}

fn problem_of(error: &EngineError) -> Option<Problem> {
    Some(match error {
        EngineError::UnknownHandoff(_) => Problem::UnknownHandoff,
        EngineError::Decide(decide) => match decide {
            DecideError::NotOffered { .. } => Problem::NotOffered,
            DecideError::NotAssignee { .. } => Problem::NotYours,
            DecideError::NotRequester { .. } => Problem::NotRequester,
            DecideError::NotYetAccepted { .. } => Problem::NotYetAccepted,
            DecideError::Closed { .. } => Problem::Closed,
            DecideError::BadEta { .. } => Problem::BadEta,
        },
        _ => return None,
    })
}

impl Inbound {
    pub fn new(engine: Engine) -> Inbound {
        Inbound { engine }
    }

    pub fn engine(&self) -> &Engine {
        &self.engine
    }

    /// Handles one text from `from`. `message_id` is the provider's id for it (used
    /// to key the replies). Errors are internal (the database): the caller should
    /// let the provider retry.
    pub async fn text(
        &self,
        from: &PhoneNumber,
        body: &str,
        message_id: &str,
    ) -> Result<(), InboundError> {
        let mut replies = Replies {
            key: message_id.to_owned(),
            items: Vec::new(),
        };
        let command = grammar::parse(body);
        let now = self.engine.now();
        let store = self.engine.store();
        let roster = &self.engine.directory().roster;
        let participant = roster.by_phone(from);
        let me = match participant {
            Some(Participant::Officer(o)) => Recipient::Officer(o.id.clone()),
            Some(Participant::Staff(p)) => Recipient::Staff(p.id.clone()),
            None => Recipient::Phone(from.clone()),
        };

        match (&command, participant) {
            (Command::OptOut, _) => {
                store.opt_out(from, now).await?;
                tracing::info!(phone = from.last_four(), "opted out of SMS");
                // Carriers allow one confirmation after STOP; nothing after it.
                replies.push(me, Message::OptedOut);
            }
            (Command::OptIn, _) => {
                store.opt_in(from).await?;
                tracing::info!(phone = from.last_four(), "opted back in to SMS");
                replies.push(me, Message::OptedIn);
            }
            (Command::Empty, _) => {}
            (Command::Help, None) => replies.push(me, Message::NotRegistered),
            (_, None) => {
                tracing::warn!(phone = from.last_four(), "text from an unregistered number");
                if store.refusal_allowed(from, now, REFUSAL_QUIET).await? {
                    replies.push(me, Message::NotRegistered);
                }
            }
            (_, Some(Participant::Officer(officer))) => {
                self.officer(officer, command.clone(), body, &mut replies)
                    .await?;
            }
            (_, Some(Participant::Staff(person))) => {
                self.staff(person, command.clone(), body, &mut replies)
                    .await?;
            }
        }
        if !replies.items.is_empty() {
            store.enqueue(&replies.items, now).await?;
            self.engine.outbox_signal().notify_waiters();
        }
        Ok(())
    }

    /// Runs an engine call; a refusal becomes a `Problem` reply to the sender.
    async fn attempt(
        &self,
        id: HandoffId,
        input: Input,
        me: &Recipient,
        replies: &mut Replies,
    ) -> Result<(), InboundError> {
        match self.engine.handle(id, input).await {
            Ok(_) => Ok(()),
            Err(error) => match problem_of(&error) {
                Some(problem) => {
                    replies.push(
                        me.clone(),
                        Message::Problem {
                            id: Some(id),
                            problem,
                            open: Vec::new(),
                        },
                    );
                    Ok(())
                }
                None => Err(error.into()),
            },
        }
    }

    /// Picks the hand-off a command is about: the one named, or the only candidate.
    fn choose(
        command: Named,
        named: Option<HandoffId>,
        candidates: &[HandoffId],
        me: &Recipient,
        replies: &mut Replies,
    ) -> Option<HandoffId> {
        if let Some(id) = named {
            return Some(id);
        }
        match candidates {
            [only] => Some(*only),
            [] => {
                replies.push(
                    me.clone(),
                    Message::Problem {
                        id: None,
                        problem: Problem::NothingOpen,
                        open: Vec::new(),
                    },
                );
                None
            }
            several => {
                replies.push(
                    me.clone(),
                    Message::Problem {
                        id: None,
                        problem: Problem::NameTheHandoff { command },
                        open: several.to_vec(),
                    },
                );
                None
            }
        }
    }

    async fn open_of_officer(&self, officer: &Officer) -> Result<Vec<Handoff>, InboundError> {
        Ok(self
            .engine
            .store()
            .open_handoffs_of_officer(&officer.id)
            .await?)
    }

    async fn assignments_of(&self, person: &Person) -> Result<Vec<Handoff>, InboundError> {
        Ok(self
            .engine
            .store()
            .open_handoffs_assigned_to(&person.id)
            .await?
            .into_iter()
            .filter(|h| h.state.is_active_assignment())
            .collect())
    }

    /// A STATUS answer listing these hand-offs.
    fn status(&self, handoffs: &[Handoff]) -> Message {
        Message::Status {
            lines: handoffs.iter().map(|h| self.status_line(h)).collect(),
        }
    }

    fn status_line(&self, handoff: &Handoff) -> StatusLine {
        let roster = &self.engine.directory().roster;
        let first_name = handoff
            .state
            .assignee()
            .and_then(|p| roster.people.get(p))
            .map(|p| p.first_name().to_owned());
        let eta = match &handoff.state {
            State::EnRoute { eta, .. } => self
                .engine
                .directory()
                .sites
                .get(&handoff.request.site)
                .map(|site| eta.with_timezone(&site.schedule.tz).fixed_offset()),
            _ => None,
        };
        StatusLine {
            id: handoff.id,
            kind: handoff.request.kind,
            state: handoff.state.name().to_owned(),
            first_name,
            eta,
        }
    }

    /// Who is on duty now at every site, by first name and role.
    fn who(&self) -> Vec<SiteNow> {
        let now = self.engine.now();
        let directory = self.engine.directory();
        directory
            .sites
            .values()
            .map(|site| SiteNow {
                site: site.name.clone(),
                open: site.schedule.is_open(now),
                on_duty: site
                    .schedule
                    .on_duty(now)
                    .into_iter()
                    .map(|(person, role)| {
                        let name = directory
                            .roster
                            .people
                            .get(&person)
                            .map_or_else(|| person.to_string(), |p| p.first_name().to_owned());
                        (name, role.label().to_owned())
                    })
                    .collect(),
                next_opening: site.schedule.next_opening(now).map(|t| t.fixed_offset()),
            })
            .collect()
    }
}

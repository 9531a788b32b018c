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
use crate::zone::{Candidate, place};

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
            .open_handoffs()
            .await?
            .into_iter()
            .filter(|h| h.request.officer == officer.id)
            .collect())
    }

    async fn assignments_of(&self, person: &Person) -> Result<Vec<Handoff>, InboundError> {
        Ok(self
            .engine
            .store()
            .open_handoffs()
            .await?
            .into_iter()
            .filter(|h| h.state.is_active_assignment() && h.state.assignee() == Some(&person.id))
            .collect())
    }

    async fn officer(
        &self,
        officer: &Officer,
        command: Command,
        body: &str,
        replies: &mut Replies,
    ) -> Result<(), InboundError> {
        let me = Recipient::Officer(officer.id.clone());
        let actor = Actor::Officer(officer.id.clone());
        match command {
            Command::Request { kind, text } => {
                let directory = self.engine.directory();
                let candidates: Vec<Candidate<'_>> = directory
                    .roster
                    .agencies
                    .get(&officer.agency)
                    .map(|a| a.sites.as_slice())
                    .unwrap_or_default()
                    .iter()
                    .map(|site| Candidate {
                        site,
                        zones: directory
                            .sites
                            .get(site)
                            .map(|s| s.zones.as_slice())
                            .unwrap_or_default(),
                    })
                    .collect();
                let Some((site, zone)) = place(&text, officer.zone.as_ref(), &candidates) else {
                    tracing::error!(agency = %officer.agency, "agency has no site");
                    replies.push(
                        me,
                        Message::Help {
                            audience: Audience::Officer,
                        },
                    );
                    return Ok(());
                };
                let location = redact(&cut(&text));
                let open = self.open_of_officer(officer).await?;
                if let Some(same) = repeated(&open, kind, &location, self.engine.now()) {
                    tracing::info!(handoff = %same.id, "a request sent again: answered with its status");
                    replies.push(me, self.status(std::slice::from_ref(same)));
                    return Ok(());
                }
                let request = Request {
                    kind,
                    site,
                    officer: officer.id.clone(),
                    agency: officer.agency.clone(),
                    location,
                    zone,
                };
                self.engine.request(request).await?;
            }
            Command::Status => {
                replies.push(me, self.status(&self.open_of_officer(officer).await?));
            }
            Command::Cancel { id, reason } => {
                let open: Vec<HandoffId> = self
                    .open_of_officer(officer)
                    .await?
                    .iter()
                    .map(|h| h.id)
                    .collect();
                if let Some(id) = Self::choose(Named::Cancel, id, &open, &me, replies) {
                    let input = Input::Cancel { by: actor, reason };
                    self.attempt(id, input, &me, replies).await?;
                }
            }
            Command::Text { id, text } => self.officer_relay(officer, id, &text, replies).await?,
            // Staff commands from an officer are ordinary words in a conversation
            // ("done", "here"): relay them if a case manager is on the way.
            Command::Accept { .. }
            | Command::Decline { .. }
            | Command::Eta { .. }
            | Command::BadEta
            | Command::Arrived { .. }
            | Command::Done { .. }
            | Command::Who => {
                self.officer_relay(officer, None, body.trim(), replies)
                    .await?
            }
            Command::RequestWithoutLocation { .. } | Command::Help => {
                replies.push(
                    me,
                    Message::Help {
                        audience: Audience::Officer,
                    },
                );
            }
            Command::OptOut | Command::OptIn | Command::Empty => {}
        }
        Ok(())
    }

    async fn officer_relay(
        &self,
        officer: &Officer,
        id: Option<HandoffId>,
        text: &str,
        replies: &mut Replies,
    ) -> Result<(), InboundError> {
        let me = Recipient::Officer(officer.id.clone());
        let open = self.open_of_officer(officer).await?;
        let accepted: Vec<HandoffId> = open
            .iter()
            .filter(|h| h.state.is_active_assignment())
            .map(|h| h.id)
            .collect();
        if id.is_none() && accepted.is_empty() {
            // Nobody to relay to: a waiting officer is told where things stand, an
            // officer with nothing open is shown the commands.
            if open.is_empty() {
                replies.push(
                    me,
                    Message::Help {
                        audience: Audience::Officer,
                    },
                );
            } else {
                replies.push(me, self.status(&open));
            }
            return Ok(());
        }
        if let Some(id) = Self::choose(Named::Message, id, &accepted, &me, replies) {
            let input = Input::Relay {
                from: Actor::Officer(officer.id.clone()),
                text: cut(text),
            };
            self.attempt(id, input, &me, replies).await?;
        }
        Ok(())
    }

    async fn staff(
        &self,
        person: &Person,
        command: Command,
        body: &str,
        replies: &mut Replies,
    ) -> Result<(), InboundError> {
        let me = Recipient::Staff(person.id.clone());
        let by = person.id.clone();
        match command {
            Command::Accept { id } | Command::Decline { id, .. } => {
                let offered: Vec<HandoffId> = self
                    .engine
                    .store()
                    .handoffs_with_pending_offer_to(&person.id)
                    .await?
                    .iter()
                    .map(|h| h.id)
                    .collect();
                // "N Highland is blocked" from a case manager on the way, with no
                // offer open to them, is news for the officer, not a decline.
                if id.is_none() && offered.is_empty() && matches!(command, Command::Decline { .. })
                {
                    let mine = self.assignment_ids(person).await?;
                    if let [only] = mine.as_slice() {
                        let input = Input::Relay {
                            from: Actor::Staff(by),
                            text: cut(body.trim()),
                        };
                        return self.attempt(*only, input, &me, replies).await;
                    }
                }
                let named = match command {
                    Command::Decline { .. } => Named::Decline,
                    _ => Named::Accept,
                };
                if let Some(id) = Self::choose(named, id, &offered, &me, replies) {
                    let input = match command {
                        Command::Decline { reason, .. } => Input::Decline { by, reason },
                        _ => Input::Accept { by },
                    };
                    self.attempt(id, input, &me, replies).await?;
                }
            }
            Command::Eta { minutes, id } => {
                self.assignment(person, Named::Eta, id, Input::Eta { by, minutes }, replies)
                    .await?
            }
            Command::Arrived { id } => {
                self.assignment(person, Named::Arrived, id, Input::Arrived { by }, replies)
                    .await?
            }
            Command::Done { id } => {
                self.assignment(person, Named::Done, id, Input::Done { by }, replies)
                    .await?
            }
            Command::Cancel { id, reason } => {
                let input = Input::Cancel {
                    by: Actor::Staff(by),
                    reason,
                };
                self.assignment(person, Named::Cancel, id, input, replies)
                    .await?;
            }
            Command::BadEta => replies.push(
                me,
                Message::Problem {
                    id: None,
                    problem: Problem::BadEta,
                    open: Vec::new(),
                },
            ),
            Command::Who => {
                let sites = self.who();
                replies.push(me, Message::OnDutyNow { sites });
            }
            Command::Status => {
                replies.push(me, self.status(&self.assignments_of(person).await?));
            }
            Command::Text { id, text } => {
                let input = Input::Relay {
                    from: Actor::Staff(by),
                    text: cut(&text),
                };
                let mine = self.assignment_ids(person).await?;
                if id.is_none() && mine.is_empty() {
                    replies.push(
                        me,
                        Message::Help {
                            audience: Audience::Staff,
                        },
                    );
                } else if let Some(id) = Self::choose(Named::Message, id, &mine, &me, replies) {
                    self.attempt(id, input, &me, replies).await?;
                }
            }
            Command::Request { .. } | Command::RequestWithoutLocation { .. } | Command::Help => {
                replies.push(
                    me,
                    Message::Help {
                        audience: Audience::Staff,
                    },
                );
            }
            Command::OptOut | Command::OptIn | Command::Empty => {}
        }
        Ok(())
    }

    /// Runs a command on one of the person's accepted hand-offs.
    async fn assignment(
        &self,
        person: &Person,
        command: Named,
        id: Option<HandoffId>,
        input: Input,
        replies: &mut Replies,
    ) -> Result<(), InboundError> {
        let me = Recipient::Staff(person.id.clone());
        let mine = self.assignment_ids(person).await?;
        if let Some(id) = Self::choose(command, id, &mine, &me, replies) {
            self.attempt(id, input, &me, replies).await?;
        }
        Ok(())
    }

    async fn assignment_ids(&self, person: &Person) -> Result<Vec<HandoffId>, InboundError> {
        Ok(self
            .assignments_of(person)
            .await?
            .iter()
            .map(|h| h.id)
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

/// The open hand-off that a request of `kind` at `location`, made at `now`,
/// repeats: same kind, same words (ignoring case, spacing and punctuation),
/// requested within [`REPEAT_WINDOW`].
fn repeated<'a>(
    open: &'a [Handoff],
    kind: handoff_dispatcher::HandoffKind,
    location: &str,
    now: chrono::DateTime<chrono::Utc>,
) -> Option<&'a Handoff> {
    let words = |text: &str| -> Vec<String> {
        text.split(|c: char| !c.is_alphanumeric())
            .filter(|w| !w.is_empty())
            .map(str::to_lowercase)
            .collect()
    };
    let these = words(location);
    open.iter().find(|h| {
        h.request.kind == kind
            && now - h.requested_at < REPEAT_WINDOW
            && words(&h.request.location) == these
    })
}

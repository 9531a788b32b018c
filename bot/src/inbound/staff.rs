//! What a staff member's text does: accept or pass an offer, ETA, ARRIVED, DONE,
//! CANCEL, WHO, STATUS, and any other text relayed to the officer.

use super::*;

impl Inbound {
    pub(super) async fn staff(
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
}

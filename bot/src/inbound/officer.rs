//! What an officer's text does: a request (routed to a site and zone, or answered
//! with the status of the same request sent moments ago), STATUS, CANCEL, and any
//! other text relayed to the case manager on the way.

use super::*;
use crate::zone::{Candidate, place};

impl Inbound {
    pub(super) async fn officer(
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

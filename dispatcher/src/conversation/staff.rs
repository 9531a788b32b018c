//! What a staff member's message does: accept or pass an offer, ETA, ARRIVED, DONE,
//! BACK (and CANCEL, which gives back too), NOTDIVERTED, WHO, STATUS, the
//! follow-up queue (FOLLOWUP, TAKE, FOLLOWED), INTAKE, CHECKIN at a diversion
//! center, and any other text relayed to the officer.

use chrono::{DateTime, Utc};

use super::{Command, Inbound, Plan, Snapshot, choose, cut, status, who};
use crate::contact::Channel;
use crate::decide::Input;
use crate::directory::Directory;
use crate::handoff::{Actor, Answer, Handoff, HandoffId, State};
use crate::message::{Audience, Message, Named, Problem};
use crate::roster::Person;

pub(super) fn understand(
    plan: &mut Plan,
    person: &Person,
    message: &Inbound,
    snapshot: &Snapshot,
    directory: &Directory,
    now: DateTime<Utc>,
) {
    let by = person.id.clone();
    let mine: Vec<&Handoff> = snapshot
        .open
        .iter()
        .filter(|h| h.state.is_active_assignment() && h.state.assignee() == Some(&by))
        .collect();
    let mine_ids: Vec<HandoffId> = mine.iter().map(|h| h.id).collect();
    match &message.command {
        Command::Take { id: Some(id), .. }
            if !snapshot
                .open
                .iter()
                .any(|h| h.id == *id && h.pending().any(|o| o.person == by)) =>
        {
            // Not an offer open to them: the follow-up of that hand-off.
            plan.apply(*id, Input::TakeFollowUp { by });
        }
        Command::Accept { id, .. } | Command::Take { id, .. } | Command::Decline { id, .. } => {
            let offered: Vec<HandoffId> = snapshot
                .open
                .iter()
                .filter(|h| {
                    h.offers
                        .iter()
                        .any(|o| o.person == by && o.answer == Answer::Pending)
                })
                .map(|h| h.id)
                .collect();
            let declining = matches!(message.command, Command::Decline { .. });
            // "N Highland is blocked" from a case manager on the way, with no offer
            // open to them, is news for the officer, not a decline.
            if id.is_none()
                && offered.is_empty()
                && declining
                && let [only] = mine_ids.as_slice()
            {
                let text = cut(message.body.trim());
                plan.apply(
                    *only,
                    Input::Relay {
                        from: Actor::Staff(by),
                        text,
                    },
                );
                return;
            }
            let named = if declining {
                Named::Decline
            } else {
                Named::Accept
            };
            if let Some(id) = choose(plan, named, *id, &offered) {
                let input = match &message.command {
                    Command::Decline { reason, .. } => Input::Decline {
                        by,
                        reason: reason.clone(),
                    },
                    Command::Accept { eta, .. } | Command::Take { eta, .. } => Input::Accept {
                        by,
                        // Staff always write on a channel: an agency's system
                        // speaks only for officers.
                        via: message.from.channel().unwrap_or(Channel::Sms),
                        eta: *eta,
                    },
                    _ => return,
                };
                plan.apply(id, input);
            }
        }
        Command::Eta { minutes, id } => {
            let input = Input::Eta {
                by,
                minutes: *minutes,
            };
            assignment(plan, Named::Eta, *id, &mine_ids, input);
        }
        Command::Arrived { id } => {
            assignment(plan, Named::Arrived, *id, &mine_ids, Input::Arrived { by });
        }
        Command::Done { id } => {
            assignment(plan, Named::Done, *id, &mine_ids, Input::Done { by });
        }
        Command::Cancel { id, reason } => {
            let input = Input::Cancel {
                by: Actor::Staff(by),
                reason: reason.clone(),
            };
            assignment(plan, Named::Cancel, *id, &mine_ids, input);
        }
        // "Back door, please" or "back in 5" to the officer is news, not a give-back:
        // words after BACK without a number are relayed, as with N. Giving back
        // takes the bare word or the number.
        Command::GiveBack {
            id: None,
            reason: Some(_),
        } if !mine_ids.is_empty() => {
            if let Some(id) = choose(plan, Named::Message, None, &mine_ids) {
                let text = cut(message.body.trim());
                plan.apply(
                    id,
                    Input::Relay {
                        from: Actor::Staff(by),
                        text,
                    },
                );
            }
        }
        Command::GiveBack { id, reason } => {
            let input = Input::GiveBack {
                by,
                reason: reason.clone(),
            };
            assignment(plan, Named::GiveBack, *id, &mine_ids, input);
        }
        Command::NotDiverted { id, code, note } => match code {
            None => plan.problem(*id, Problem::BadOutcome, Vec::new()),
            Some(code) => {
                let input = Input::NotDiverted {
                    by: Actor::Staff(by),
                    code: *code,
                    note: note.clone(),
                };
                assignment(plan, Named::NotDiverted, *id, &mine_ids, input);
            }
        },
        Command::FollowUps => {
            let items = snapshot
                .followups
                .iter()
                .filter_map(|h| super::followup_line(h, directory))
                .collect();
            plan.reply(Message::FollowUps { items });
        }
        Command::FollowedUp { id, note } => {
            let taken: Vec<HandoffId> = snapshot
                .followups
                .iter()
                .filter(|h| {
                    h.followup
                        .as_ref()
                        .is_some_and(|f| f.taken_by.as_ref() == Some(&by))
                })
                .map(|h| h.id)
                .collect();
            if let Some(id) = choose(plan, Named::FollowedUp, *id, &taken) {
                let note = note.clone();
                plan.apply(id, Input::FollowedUp { by, note });
            }
        }
        Command::Intake { id } => {
            let owed: Vec<HandoffId> = snapshot.intakes.iter().map(|h| h.id).collect();
            if let Some(id) = choose(plan, Named::Intake, *id, &owed) {
                plan.apply(
                    id,
                    Input::IntakeDone {
                        by: Actor::Staff(by),
                    },
                );
            }
        }
        Command::CheckIn { id } => {
            let arriving = arriving_at_centers_of(person, snapshot, directory);
            if let Some(id) = choose(plan, Named::CheckIn, *id, &arriving) {
                plan.apply(id, Input::CheckIn { by });
            }
        }
        Command::BadEta => plan.problem(None, Problem::BadEta, Vec::new()),
        Command::Who => plan.reply(Message::OnDutyNow {
            sites: who(directory, now),
        }),
        Command::Status => plan.reply(status(mine.iter().copied(), directory, Audience::Staff)),
        Command::Text { id, text } => {
            if id.is_none() && mine_ids.is_empty() {
                plan.help(Audience::Staff);
            } else if let Some(id) = choose(plan, Named::Message, *id, &mine_ids) {
                let input = Input::Relay {
                    from: Actor::Staff(by),
                    text: cut(text),
                };
                plan.apply(id, input);
            }
        }
        Command::Request { .. }
        | Command::RequestWithoutLocation { .. }
        | Command::ReportNumber { .. }
        | Command::DropOff { .. }
        | Command::Help => {
            plan.help(Audience::Staff);
        }
        Command::OptOut | Command::OptIn | Command::Empty => {}
    }
}

/// The hand-offs on their way to a center where `person` may check people in.
fn arriving_at_centers_of(
    person: &Person,
    snapshot: &Snapshot,
    directory: &Directory,
) -> Vec<HandoffId> {
    let is_supervisor = person.roles.contains(&handoff_schedules::Role::Supervisor);
    snapshot
        .open
        .iter()
        .filter(|h| {
            let State::DroppingOff { center, .. } = &h.state else {
                return false;
            };
            directory
                .sites
                .get(&h.request.site)
                .and_then(|site| site.centers.iter().find(|c| &c.id == center))
                .is_some_and(|c| c.may_check_in(&person.id, is_supervisor))
        })
        .map(|h| h.id)
        .collect()
}

/// A command on one of the person's accepted hand-offs: the one named, or their
/// only one.
fn assignment(
    plan: &mut Plan,
    command: Named,
    named: Option<HandoffId>,
    mine: &[HandoffId],
    input: Input,
) {
    if let Some(id) = choose(plan, command, named, mine) {
        plan.apply(id, input);
    }
}

#[cfg(test)]
mod tests {
    use super::super::{Action, Address, MessageId, understand};
    use super::*;
    use crate::contact::{Channel, PhoneNumber};
    use crate::handoff::{HandoffKind, Request, State};
    use crate::roster::{AgencyId, OfficerId};
    use handoff_schedules::{PersonId, Role, SiteId};

    const LEE: &str = "+14125550113";

    fn directory() -> Directory {
        let mut directory = Directory::default();
        let lee = Person {
            id: PersonId::parse("lee").unwrap(),
            name: "Lee Ortiz".to_owned(),
            roles: [Role::CaseManager].into(),
            phone: Some(PhoneNumber::parse(LEE).unwrap()),
            matrix: None,
            channel: Channel::Sms,
            caseload_cap: None,
            zones: Default::default(),
        };
        directory.roster.people.insert(lee.id.clone(), lee);
        directory
    }

    /// Lee holds hand-off 4821.
    fn holding() -> Snapshot {
        let request = Request {
            kind: HandoffKind::ArrestDiversion,
            site: SiteId::parse("metro").unwrap(),
            officer: OfficerId::parse("rivera").unwrap(),
            agency: AgencyId::parse("metro-pd").unwrap(),
            location: "5th & Main".to_owned(),
            zone: None,
            asked_for: None,
        };
        let now = DateTime::<Utc>::UNIX_EPOCH;
        let handoff = Handoff {
            state: State::Accepted {
                by: PersonId::parse("lee").unwrap(),
            },
            ..Handoff::opened(HandoffId::new(4821), request, now, false)
        };
        Snapshot {
            open: vec![handoff],
            ..Snapshot::default()
        }
    }

    fn plan_for(command: Command, body: &str) -> Plan {
        let message = Inbound {
            from: Address::Phone(PhoneNumber::parse(LEE).unwrap()),
            id: MessageId::parse("SM1").unwrap(),
            command,
            body: body.to_owned(),
        };
        understand(
            &message,
            &holding(),
            &directory(),
            DateTime::<Utc>::UNIX_EPOCH,
        )
    }

    #[test]
    fn back_with_words_but_no_number_is_news_for_the_officer_and_bare_back_gives_it_back() {
        let id = HandoffId::new(4821);
        // (the command as parsed, the body, gives it back)
        let table = [
            (None, Some("door, please"), "back door, please", false),
            (None, None, "BACK", true),
            (Some(id), Some("car trouble"), "BACK 4821 car trouble", true),
        ];
        for (named, reason, body, gives_back) in table {
            let command = Command::GiveBack {
                id: named,
                reason: reason.map(str::to_owned),
            };
            let plan = plan_for(command, body);
            let Some(Action::Apply { id: got, input }) = plan.action else {
                panic!("{body}: {plan:?}");
            };
            assert_eq!(got, id, "{body}");
            assert_eq!(
                matches!(input, Input::GiveBack { .. }),
                gives_back,
                "{body}: {input:?}"
            );
            if !gives_back {
                assert!(matches!(input, Input::Relay { ref text, .. } if text == body));
            }
        }
    }

    #[test]
    fn a_number_that_reads_as_a_birth_date_is_not_said_back() {
        for (typed, said) in [(10011940, None), (4822, Some(4822))] {
            let id = HandoffId::new(typed);
            let Message::Problem { id: shown, .. } = super::super::unknown(id) else {
                panic!("not a problem");
            };
            assert_eq!(shown, said.map(HandoffId::new), "{typed}");
        }
    }
}

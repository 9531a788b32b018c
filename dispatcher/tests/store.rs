//! The durable store against real databases: every test runs on a fresh SQLite file,
//! and again on a fresh PostgreSQL database of its own when `DATABASE_URL` points at a
//! PostgreSQL server (`scripts/with-postgres cargo test ...` starts a throwaway one).

use chrono::{DateTime, Duration, Utc};
use handoff_dispatcher::Clock;
use handoff_dispatcher::call::{Leg, LegOutcome};
use handoff_dispatcher::outcome::{FollowUpReason, NotDivertedCode, ReportNumber};
use handoff_dispatcher::store::{
    ConflictReason, ContactWrite, INBOUND_STEPS, InboundWrite, Recorded,
};
use handoff_dispatcher::{
    Actor, AgencyId, Answer, Backend, CenterId, Commit, Event, EventKind, Handoff, HandoffId,
    HandoffKind, IntakeItem, LeaseToken, Message, NewOutbound, Offer, OfficerId, OutboxStatus,
    Recipient, Request, State, Store, StoreError, SystemClock, Timer,
};
use handoff_schedules::{PersonId, SiteId, ZoneId};

mod support;
use support::on_every_backend;
use tempfile::TempDir;

// ---- domain fixtures ----

/// `minutes` after 2025-03-14 09:00 UTC.
fn t(minutes: i64) -> DateTime<Utc> {
    let base = DateTime::from_timestamp(1_741_942_800, 0).unwrap_or_else(|| panic!("base instant"));
    base + Duration::minutes(minutes)
}

fn person(name: &str) -> PersonId {
    PersonId::parse(name).unwrap_or_else(|e| panic!("{name}: {e}"))
}

fn officer() -> OfficerId {
    OfficerId::parse("deputy-ruiz").unwrap_or_else(|e| panic!("officer: {e}"))
}

fn handoff(id: u32, state: State) -> Handoff {
    let request = Request {
        kind: HandoffKind::ArrestDiversion,
        site: SiteId::parse("north-county").unwrap_or_else(|e| panic!("site: {e}")),
        officer: officer(),
        agency: AgencyId::parse("sheriff").unwrap_or_else(|e| panic!("agency: {e}")),
        location: "5th and Main".to_owned(),
        zone: Some(ZoneId::parse("downtown").unwrap_or_else(|e| panic!("zone: {e}"))),
        asked_for: None,
    };
    Handoff {
        state,
        ..Handoff::opened(HandoffId::new(id), request, t(0), false)
    }
}

fn offering() -> State {
    State::Offering { step: 0, round: 1 }
}

/// A commit of `handoff` changing nothing else, as of `now`.
fn commit(handoff: Handoff, expected_version: Option<i64>, now: DateTime<Utc>) -> Commit {
    Commit {
        handoff,
        expected_version,
        events: Vec::new(),
        schedule: Vec::new(),
        cancel: Vec::new(),
        consumed: None,
        outbox: Vec::new(),
        offered: Vec::new(),
        now,
    }
}

async fn insert(store: &Store, handoff: Handoff) {
    let id = handoff.id;
    store
        .commit(commit(handoff, None, t(0)))
        .await
        .unwrap_or_else(|e| panic!("inserting {id}: {e}"));
}

fn event(id: u32, minutes: i64, actor: Actor, kind: EventKind) -> Event {
    Event {
        handoff: HandoffId::new(id),
        at: t(minutes),
        actor,
        kind,
    }
}

fn offer_message(id: u32, key: &str, to: &str) -> NewOutbound {
    NewOutbound {
        key: key.to_owned(),
        recipient: Recipient::Staff(person(to)),
        channel: handoff_dispatcher::Channel::Sms,
        message: Message::Offer {
            id: HandoffId::new(id),
            kind: HandoffKind::ArrestDiversion,
            location: "5th and Main".to_owned(),
            agency: "Sheriff".to_owned(),
            officer: "Deputy Ruiz".to_owned(),
            after_hours: false,
            context: Default::default(),
        },
    }
}

fn assert_conflict(result: Result<(), StoreError>, expected: ConflictReason) {
    match result {
        Err(StoreError::Conflict { reason, .. }) => assert_eq!(reason, expected),
        other => panic!("expected a conflict ({expected}), got {other:?}"),
    }
}

/// One of every kind of event; the match fails to compile when a kind is added.
fn every_event_kind() -> Vec<EventKind> {
    let ana = person("ana");
    let kinds = vec![
        EventKind::Requested {
            site: SiteId::parse("north-county").unwrap_or_else(|e| panic!("{e}")),
            kind: HandoffKind::SocialContactReferral,
            officer: officer(),
            agency: AgencyId::parse("sheriff").unwrap_or_else(|e| panic!("{e}")),
            zone: None,
            after_hours: true,
        },
        EventKind::StepStarted { step: 0 },
        EventKind::StepSkipped { step: 1 },
        EventKind::Offered {
            person: ana.clone(),
            step: 2,
            round: 3,
        },
        EventKind::Declined {
            person: ana.clone(),
            reason: Some("in court".to_owned()),
        },
        EventKind::OfferTimedOut {
            person: ana.clone(),
        },
        EventKind::OfferUndeliverable {
            person: ana.clone(),
        },
        EventKind::Accepted {
            person: ana.clone(),
            via: None,
        },
        EventKind::LateAccept {
            person: person("ben"),
        },
        EventKind::Eta {
            person: ana.clone(),
            minutes: 25,
        },
        EventKind::Arrived {
            person: ana.clone(),
        },
        EventKind::Completed {
            person: ana.clone(),
        },
        EventKind::Cancelled { reason: None },
        EventKind::Unstaffed,
        EventKind::OutOfHours,
        EventKind::Expired {
            person: ana.clone(),
        },
        EventKind::Relayed { chars: 140 },
        EventKind::NotDelivered {
            to: Actor::Officer(officer()),
        },
        EventKind::IntakeCompleted,
        EventKind::GivenBack {
            person: ana.clone(),
            reason: Some("car trouble".to_owned()),
        },
        EventKind::NotDiverted {
            code: NotDivertedCode::Left,
            note: Some("ran off".to_owned()),
        },
        EventKind::EtaPassed {
            person: ana.clone(),
        },
        EventKind::Late {
            person: ana.clone(),
        },
        EventKind::IntakeReminded {
            person: ana.clone(),
        },
        EventKind::IntakeOverdue,
        EventKind::ReportNumber {
            number: ReportNumber::parse("2026-4512").unwrap_or_else(|e| panic!("{e}")),
        },
        EventKind::FollowUpOpened {
            reason: FollowUpReason::Unstaffed,
        },
        EventKind::FollowUpTaken {
            person: ana.clone(),
        },
        EventKind::FollowedUp {
            person: ana.clone(),
            note: Some("called back".to_owned()),
        },
        EventKind::LegDialed {
            person: ana.clone(),
            leg: Leg::new(1),
        },
        EventKind::LegEnded {
            person: ana.clone(),
            leg: Leg::new(1),
            outcome: LegOutcome::Taken,
        },
        EventKind::DroppedOff {
            center: CenterId::parse("stab").unwrap_or_else(|e| panic!("{e}")),
        },
        EventKind::CheckedIn {
            person: person("jo"),
            center: CenterId::parse("stab").unwrap_or_else(|e| panic!("{e}")),
        },
        EventKind::CheckInOverdue {
            center: CenterId::parse("stab").unwrap_or_else(|e| panic!("{e}")),
        },
    ];
    for kind in &kinds {
        match kind {
            EventKind::Requested { .. }
            | EventKind::StepStarted { .. }
            | EventKind::StepSkipped { .. }
            | EventKind::Offered { .. }
            | EventKind::Declined { .. }
            | EventKind::OfferTimedOut { .. }
            | EventKind::OfferUndeliverable { .. }
            | EventKind::Accepted { .. }
            | EventKind::LateAccept { .. }
            | EventKind::Eta { .. }
            | EventKind::Arrived { .. }
            | EventKind::Completed { .. }
            | EventKind::Cancelled { .. }
            | EventKind::Unstaffed
            | EventKind::OutOfHours
            | EventKind::Expired { .. }
            | EventKind::Relayed { .. }
            | EventKind::NotDelivered { .. }
            | EventKind::IntakeCompleted
            | EventKind::GivenBack { .. }
            | EventKind::NotDiverted { .. }
            | EventKind::EtaPassed { .. }
            | EventKind::Late { .. }
            | EventKind::IntakeReminded { .. }
            | EventKind::IntakeOverdue
            | EventKind::ReportNumber { .. }
            | EventKind::FollowUpOpened { .. }
            | EventKind::FollowUpTaken { .. }
            | EventKind::FollowedUp { .. }
            | EventKind::LegDialed { .. }
            | EventKind::LegEnded { .. }
            | EventKind::DroppedOff { .. }
            | EventKind::CheckedIn { .. }
            | EventKind::CheckInOverdue { .. } => {}
        }
    }
    kinds
}

// ---- hand-offs and versions ----

#[tokio::test]
async fn a_new_handoff_starts_at_version_one_and_updates_must_name_the_version_they_read() {
    on_every_backend(async |_, store| {
        let mut h = handoff(1001, offering());
        insert(&store, h.clone()).await;
        assert_eq!(store.handoff(h.id).await.unwrap(), Some((h.clone(), 1)));

        h.state = State::Accepted { by: person("ana") };
        h.accepted_at = Some(t(3));
        store
            .commit(commit(h.clone(), Some(1), t(3)))
            .await
            .unwrap();
        assert_eq!(store.handoff(h.id).await.unwrap(), Some((h.clone(), 2)));

        let mut stale = h.clone();
        stale.state = State::Unstaffed;
        assert_conflict(
            store.commit(commit(stale, Some(1), t(4))).await,
            ConflictReason::StaleVersion {
                expected: 1,
                found: 2,
            },
        );
        assert_eq!(store.handoff(h.id).await.unwrap(), Some((h, 2)));

        assert_conflict(
            store
                .commit(commit(handoff(2000, offering()), Some(1), t(4)))
                .await,
            ConflictReason::NotFound,
        );
        assert_eq!(store.handoff(HandoffId::new(2000)).await.unwrap(), None);
    })
    .await;
}

#[tokio::test]
async fn a_new_handoff_with_a_number_already_taken_is_a_conflict_and_writes_nothing() {
    on_every_backend(async |_, store| {
        let first = handoff(1001, offering());
        insert(&store, first.clone()).await;

        let mut again = commit(handoff(1001, State::OutOfHours), None, t(1));
        again
            .events
            .push(event(1001, 1, Actor::System, EventKind::OutOfHours));
        again.outbox.push(offer_message(1001, "dup", "ana"));
        assert_conflict(store.commit(again).await, ConflictReason::DuplicateId);

        assert_eq!(store.handoff(first.id).await.unwrap(), Some((first, 1)));
        assert!(
            store
                .events_of(HandoffId::new(1001))
                .await
                .unwrap()
                .is_empty()
        );
        assert!(store.outbox_all().await.unwrap().is_empty());
    })
    .await;
}

#[tokio::test]
async fn the_next_number_starts_at_the_first_and_follows_the_highest() {
    on_every_backend(async |_, store| {
        assert_eq!(store.allocate_handoff_id().await.unwrap(), HandoffId::FIRST);
        insert(&store, handoff(1005, offering())).await;
        insert(&store, handoff(1002, offering())).await;
        assert_eq!(
            store.allocate_handoff_id().await.unwrap(),
            HandoffId::new(1006)
        );
    })
    .await;
}

#[tokio::test]
async fn open_handoffs_leave_out_closed_ones_and_pending_offers_are_found_by_person() {
    on_every_backend(async |_, store| {
        let ana = person("ana");
        let offer = |who: &PersonId, answer: Answer| Offer {
            person: who.clone(),
            step: 0,
            round: 1,
            at: t(1),
            answer,
            told_closed: false,
        };
        let mut pending = handoff(1003, offering());
        pending.offers = vec![
            offer(&person("ben"), Answer::Pending),
            offer(&ana, Answer::Pending),
        ];
        let mut declined = handoff(1001, offering());
        declined.offers = vec![offer(
            &ana,
            Answer::Declined {
                at: t(2),
                reason: None,
            },
        )];
        let mut closed = handoff(1002, offering());
        closed.offers = vec![offer(&ana, Answer::Pending)];
        for h in [pending.clone(), declined.clone(), closed.clone()] {
            insert(&store, h).await;
        }
        closed.state = State::Cancelled {
            by: Actor::Officer(officer()),
            reason: None,
        };
        store
            .commit(commit(closed.clone(), Some(1), t(5)))
            .await
            .unwrap();

        assert_eq!(
            store.open_handoffs().await.unwrap(),
            vec![declined, pending.clone()]
        );
        assert_eq!(
            store.handoffs_with_pending_offer_to(&ana).await.unwrap(),
            vec![pending]
        );

        // closed_at records the first closing, however often the closed hand-off changes.
        closed.offers[0].answer = Answer::Withdrawn { at: t(5) };
        store
            .commit(commit(closed.clone(), Some(2), t(9)))
            .await
            .unwrap();
        let closed_at: Option<i64> =
            sqlx::query_scalar("SELECT closed_at FROM handoffs WHERE id = $1")
                .bind(1002_i64)
                .fetch_one(store.pool())
                .await
                .unwrap();
        assert_eq!(closed_at, Some(t(5).timestamp_millis()));
    })
    .await;
}

// ---- timers ----

#[tokio::test]
async fn timers_are_set_replaced_cancelled_and_consumed() {
    on_every_backend(async |_, store| {
        let round = Timer::Round { step: 0, round: 1 };
        let mut h = handoff(1001, offering());
        let mut first = commit(h.clone(), None, t(0));
        first.schedule = vec![(round, t(5)), (Timer::Arrival, t(30))];
        store.commit(first).await.unwrap();
        assert_eq!(store.next_timer_due().await.unwrap(), Some(t(5)));
        assert_eq!(
            store.due_timers(t(10), 10).await.unwrap(),
            vec![(h.id, round, t(5))]
        );

        let mut replace = commit(h.clone(), Some(1), t(1));
        replace.schedule = vec![(round, t(7))];
        replace.cancel = vec![Timer::Arrival, Timer::Round { step: 9, round: 9 }];
        store.commit(replace).await.unwrap();
        assert_eq!(
            store.due_timers(t(60), 10).await.unwrap(),
            vec![(h.id, round, t(7))]
        );

        h.state = State::Offering { step: 0, round: 2 };
        let next_round = Timer::Round { step: 0, round: 2 };
        let mut fired = commit(h.clone(), Some(2), t(7));
        fired.consumed = Some(round);
        fired.schedule = vec![(next_round, t(12))];
        store.commit(fired).await.unwrap();
        assert_eq!(
            store.due_timers(t(60), 10).await.unwrap(),
            vec![(h.id, next_round, t(12))]
        );

        // A decision may re-arm the timer it consumed.
        let mut rearm = commit(h.clone(), Some(3), t(12));
        rearm.consumed = Some(next_round);
        rearm.schedule = vec![(next_round, t(20))];
        store.commit(rearm).await.unwrap();
        assert_eq!(store.next_timer_due().await.unwrap(), Some(t(20)));

        let mut last = commit(h, Some(4), t(20));
        last.consumed = Some(next_round);
        store.commit(last).await.unwrap();
        assert_eq!(store.next_timer_due().await.unwrap(), None);
        assert!(store.due_timers(t(1000), 10).await.unwrap().is_empty());
    })
    .await;
}

#[tokio::test]
async fn consuming_a_timer_that_is_gone_refuses_the_whole_commit() {
    on_every_backend(async |_, store| {
        let round = Timer::Round { step: 0, round: 1 };
        let h = handoff(1001, offering());
        let mut first = commit(h.clone(), None, t(0));
        first.schedule = vec![(Timer::Arrival, t(30))];
        first.events = vec![event(
            1001,
            0,
            Actor::System,
            EventKind::StepStarted { step: 0 },
        )];
        store.commit(first).await.unwrap();
        let events_before = store.events(None, None).await.unwrap();

        let mut late = commit(handoff(1001, State::Unstaffed), Some(1), t(6));
        late.consumed = Some(round);
        late.events = vec![event(1001, 6, Actor::System, EventKind::Unstaffed)];
        late.schedule = vec![(Timer::Round { step: 1, round: 1 }, t(11))];
        late.cancel = vec![Timer::Arrival];
        late.outbox = vec![offer_message(1001, "late", "ana")];
        late.offered = vec![(person("ana"), t(6))];
        assert_conflict(store.commit(late).await, ConflictReason::TimerGone(round));

        assert_eq!(store.handoff(h.id).await.unwrap(), Some((h.clone(), 1)));
        assert_eq!(store.events(None, None).await.unwrap(), events_before);
        assert_eq!(
            store.due_timers(t(1000), 10).await.unwrap(),
            vec![(h.id, Timer::Arrival, t(30))]
        );
        assert!(store.outbox_all().await.unwrap().is_empty());
        assert!(store.load(t(6)).await.unwrap().last_offered.is_empty());
        assert_eq!(store.open_handoffs().await.unwrap(), vec![h]);
    })
    .await;
}

#[tokio::test]
async fn due_timers_come_earliest_first_up_to_the_limit() {
    on_every_backend(async |_, store| {
        let due = [
            (1001, Timer::Arrival, 40),
            (1002, Timer::Round { step: 0, round: 1 }, 5),
            (1003, Timer::Round { step: 1, round: 2 }, 20),
            (1003, Timer::Arrival, 90),
            (1004, Timer::Round { step: 0, round: 1 }, 5),
        ];
        for id in [1001, 1002, 1003, 1004] {
            let mut c = commit(handoff(id, offering()), None, t(0));
            c.schedule = due
                .iter()
                .filter(|(of, ..)| *of == id)
                .map(|&(_, timer, minutes)| (timer, t(minutes)))
                .collect();
            store.commit(c).await.unwrap();
        }
        let round = |step, round| Timer::Round { step, round };
        let expected = vec![
            (HandoffId::new(1002), round(0, 1), t(5)),
            (HandoffId::new(1004), round(0, 1), t(5)),
            (HandoffId::new(1003), round(1, 2), t(20)),
            (HandoffId::new(1001), Timer::Arrival, t(40)),
        ];
        assert_eq!(store.due_timers(t(40), 10).await.unwrap(), expected);
        assert_eq!(
            store.due_timers(t(40), 2).await.unwrap(),
            expected[..2].to_vec()
        );
        assert_eq!(store.due_timers(t(4), 10).await.unwrap(), vec![]);
        assert_eq!(store.next_timer_due().await.unwrap(), Some(t(5)));
    })
    .await;
}

// ---- outbox ----

#[tokio::test]
async fn an_outbox_key_used_twice_is_stored_once() {
    on_every_backend(async |_, store| {
        let mut first = commit(handoff(1001, offering()), None, t(1));
        first.outbox = vec![
            offer_message(1001, "1001:offer:ana", "ana"),
            offer_message(1001, "1001:offer:ana", "ana"),
        ];
        store.commit(first).await.unwrap();
        let mut replay = commit(handoff(1001, offering()), Some(1), t(2));
        replay.outbox = vec![
            offer_message(1001, "1001:offer:ana", "ana"),
            offer_message(1001, "1001:offer:ben", "ben"),
        ];
        store.commit(replay).await.unwrap();

        let all = store.outbox_all().await.unwrap();
        assert_eq!(all.len(), 2, "{all:#?}");
        let ana = &all[0];
        assert_eq!(ana.key, "1001:offer:ana");
        assert_eq!(ana.handoff, Some(HandoffId::new(1001)));
        assert_eq!(ana.recipient, Recipient::Staff(person("ana")));
        assert_eq!(ana.message, offer_message(1001, "", "ana").message);
        assert_eq!(ana.status, OutboxStatus::Pending);
        assert_eq!(ana.attempts, 0);
        assert_eq!((ana.created_at, ana.next_attempt_at), (t(1), t(1)));
        assert_eq!(
            (ana.provider_id.clone(), ana.last_error.clone(), ana.sent_at),
            (None, None, None)
        );
        assert_eq!(all[1].key, "1001:offer:ben");
        assert_eq!(all[1].created_at, t(2));
        assert!(all[0].id < all[1].id);
    })
    .await;
}

#[tokio::test]
async fn outbox_messages_are_retried_sent_or_failed() {
    on_every_backend(async |_, store| {
        let mut c = commit(handoff(1001, offering()), None, t(0));
        c.outbox = ["a", "b", "c"]
            .map(|key| offer_message(1001, key, "ana"))
            .to_vec();
        store.commit(c).await.unwrap();
        let ids: Vec<i64> = store
            .outbox_all()
            .await
            .unwrap()
            .iter()
            .map(|i| i.id)
            .collect();
        assert_eq!(store.outbox_due(t(0), 10).await.unwrap().len(), 3);
        assert_eq!(
            store
                .outbox_due(t(0), 2)
                .await
                .unwrap()
                .iter()
                .map(|i| i.id)
                .collect::<Vec<_>>(),
            ids[..2]
        );

        let lease = sender(&store).await;
        for id in &ids {
            assert!(store.outbox_claim(&lease, *id, margin()).await.unwrap());
        }
        store
            .outbox_retry(&lease, ids[0], t(5), "timeout")
            .await
            .unwrap();
        // A retry drops the claim: the next attempt claims it again.
        assert!(store.outbox_claim(&lease, ids[0], margin()).await.unwrap());
        let due: Vec<i64> = store
            .outbox_due(t(1), 10)
            .await
            .unwrap()
            .iter()
            .map(|i| i.id)
            .collect();
        assert_eq!(due, ids[1..]);
        let retried = &store.outbox_due(t(5), 10).await.unwrap()[0];
        assert_eq!(retried.id, ids[0]);
        assert_eq!(
            (retried.status, retried.attempts),
            (OutboxStatus::Pending, 1)
        );
        assert_eq!(retried.next_attempt_at, t(5));
        assert_eq!(retried.last_error.as_deref(), Some("timeout"));

        store
            .outbox_sent(&lease, ids[0], Some("SM123"), t(6))
            .await
            .unwrap();
        store
            .outbox_failed(&lease, ids[1], "invalid number", t(6))
            .await
            .unwrap();
        store.outbox_sent(&lease, ids[2], None, t(7)).await.unwrap();
        assert!(store.outbox_due(t(100), 10).await.unwrap().is_empty());
        // What is no longer pending cannot be claimed again.
        assert!(!store.outbox_claim(&lease, ids[0], margin()).await.unwrap());

        let sent = store.outbox_by_provider_id("SM123").await.unwrap().unwrap();
        assert_eq!(sent.id, ids[0]);
        assert_eq!(
            (sent.status, sent.attempts, sent.sent_at),
            (OutboxStatus::Sent, 1, Some(t(6)))
        );
        assert_eq!(store.outbox_by_provider_id("SM999").await.unwrap(), None);

        let all = store.outbox_all().await.unwrap();
        assert_eq!((all[1].status, all[1].attempts), (OutboxStatus::Failed, 1));
        assert_eq!(all[1].last_error.as_deref(), Some("invalid number"));
        assert_eq!(all[1].sent_at, None);
        assert_eq!(
            (all[2].status, all[2].provider_id.clone(), all[2].sent_at),
            (OutboxStatus::Sent, None, Some(t(7)))
        );

        // A late receipt reporting failure of a sent message is recorded too.
        store
            .outbox_mark_failed(ids[0], "undelivered", t(8))
            .await
            .unwrap();
        let failed = store.outbox_by_provider_id("SM123").await.unwrap().unwrap();
        assert_eq!((failed.status, failed.attempts), (OutboxStatus::Failed, 2));
    })
    .await;
}

// ---- load ----

#[tokio::test]
async fn load_knows_who_is_busy_their_open_cases_and_when_each_was_last_offered() {
    on_every_backend(async |_, store| {
        let with_intake = |id, state| {
            let mut h = handoff(id, state);
            h.intake_due = Some(t(120));
            h
        };
        insert(
            &store,
            with_intake(1001, State::Accepted { by: person("ana") }),
        )
        .await;
        insert(
            &store,
            handoff(
                1002,
                State::EnRoute {
                    by: person("ben"),
                    eta: t(20),
                },
            ),
        )
        .await;
        insert(&store, handoff(1003, State::Arrived { by: person("cy") })).await;
        insert(
            &store,
            with_intake(1004, State::Completed { by: person("dee") }),
        )
        .await;
        insert(
            &store,
            with_intake(1005, State::Completed { by: person("eve") }),
        )
        .await;
        insert(
            &store,
            with_intake(1006, State::Expired { by: person("fay") }),
        )
        .await;
        insert(
            &store,
            with_intake(1007, State::Arrived { by: person("ana") }),
        )
        .await;
        assert!(
            store
                .complete_intake(HandoffId::new(1005), t(60))
                .await
                .unwrap()
        );

        let mut offers = commit(handoff(1008, offering()), None, t(10));
        offers.offered = vec![(person("ana"), t(10)), (person("ivy"), t(10))];
        store.commit(offers).await.unwrap();
        let mut later = commit(handoff(1008, offering()), Some(1), t(12));
        later.offered = vec![(person("ana"), t(12))];
        store.commit(later).await.unwrap();
        let mut replayed = commit(handoff(1008, offering()), Some(2), t(13));
        replayed.offered = vec![(person("ana"), t(11))];
        store.commit(replayed).await.unwrap();

        let load = store.load(t(15)).await.unwrap();
        let names = |people: Vec<&str>| people.into_iter().map(person).collect();
        assert_eq!(load.busy, names(vec!["ana", "ben", "cy"]));
        // Held hand-offs of any kind count, and completed ones until their intake
        // is recorded; expired and recorded ones do not.
        assert_eq!(
            load.open_cases,
            [("ana", 2), ("ben", 1), ("cy", 1), ("dee", 1)]
                .map(|(p, n)| (person(p), n))
                .into()
        );
        assert_eq!(load.open_cases(&person("hal")), 0);
        assert_eq!(
            load.last_offered,
            [("ana", t(12)), ("ivy", t(10))]
                .map(|(p, at)| (person(p), at))
                .into()
        );
        assert!(load.unreachable.is_empty());
    })
    .await;
}

// ---- events ----

#[tokio::test]
async fn every_kind_of_event_round_trips_in_commit_order() {
    on_every_backend(async |_, store| {
        let actors = [
            Actor::System,
            Actor::Officer(officer()),
            Actor::Staff(person("ana")),
        ];
        let kinds = every_event_kind();
        let all: Vec<Event> = kinds
            .into_iter()
            .enumerate()
            .map(|(i, kind)| {
                let minutes = i64::try_from(i).unwrap();
                event(1001, minutes, actors[i % 3].clone(), kind)
            })
            .collect();
        let (first, second) = all.split_at(7);
        let mut c = commit(handoff(1001, offering()), None, t(0));
        c.events = first.to_vec();
        store.commit(c).await.unwrap();
        let mut other = commit(handoff(1002, offering()), None, t(0));
        other.events = vec![event(
            1002,
            3,
            Actor::System,
            EventKind::StepStarted { step: 0 },
        )];
        store.commit(other.clone()).await.unwrap();
        let mut c = commit(handoff(1001, offering()), Some(1), t(7));
        c.events = second.to_vec();
        store.commit(c).await.unwrap();

        assert_eq!(store.events_of(HandoffId::new(1001)).await.unwrap(), all);
        assert_eq!(
            store.events_of(HandoffId::new(1002)).await.unwrap(),
            other.events
        );
        assert!(
            store
                .events_of(HandoffId::new(1003))
                .await
                .unwrap()
                .is_empty()
        );

        let everything = store.events(None, None).await.unwrap();
        let mut expected = first.to_vec();
        expected.extend(other.events.clone());
        expected.extend(second.to_vec());
        assert_eq!(everything, expected);

        // [from, to): 3 and 4 of 1001 and the one of 1002 at minute 3; not minute 5.
        let window = store.events(Some(t(3)), Some(t(5))).await.unwrap();
        assert_eq!(
            window,
            vec![all[3].clone(), all[4].clone(), other.events[0].clone()]
        );
        assert_eq!(
            store.events(Some(t(16)), None).await.unwrap(),
            all[16..].to_vec()
        );
        assert_eq!(
            store.events(None, Some(t(1))).await.unwrap(),
            all[..1].to_vec()
        );
    })
    .await;
}

#[tokio::test]
async fn the_event_log_refuses_updates_and_deletes() {
    on_every_backend(async |_, store| {
        let mut c = commit(handoff(1001, offering()), None, t(0));
        c.events = vec![event(1001, 0, Actor::System, EventKind::Unstaffed)];
        store.commit(c).await.unwrap();
        for sql in [
            "UPDATE events SET at = 0",
            "UPDATE events SET kind = 'completed'",
            "UPDATE events SET actor = '\"system\"', handoff_id = 1002",
            "UPDATE events SET seq = seq + 100",
            "DELETE FROM events",
        ] {
            let result = sqlx::query(sql).execute(store.pool()).await;
            assert!(result.is_err(), "{sql} succeeded");
        }
        assert_eq!(
            store.events(None, None).await.unwrap()[0],
            event(1001, 0, Actor::System, EventKind::Unstaffed)
        );
    })
    .await;
}

// ---- retention ----

/// Hand-off `id`, closed (cancelled with a reason) at `closed`, after a decline
/// with a reason, with its messages sent.
async fn closed_with_words(store: &Store, id: u32, closed: i64) {
    let mut open = handoff(id, offering());
    open.request.location = "under the 5th St bridge, grey hoodie".to_owned();
    let mut c = commit(open.clone(), None, t(0));
    c.events = vec![event(
        id,
        1,
        Actor::Staff(person("ana")),
        EventKind::Declined {
            person: person("ana"),
            reason: Some("at the clinic with a client".to_owned()),
        },
    )];
    c.outbox = vec![offer_message(id, &format!("offer-{id}"), "ana")];
    store
        .commit(c)
        .await
        .unwrap_or_else(|e| panic!("committing {id}: {e}"));
    let sent = store
        .outbox_all()
        .await
        .unwrap_or_else(|e| panic!("reading the outbox: {e}"));
    for item in sent
        .iter()
        .filter(|m| m.handoff == Some(HandoffId::new(id)))
    {
        mark_sent(store, item.id, Some("SM1"), t(1)).await;
    }
    let mut cancelled = open;
    cancelled.offers = vec![Offer {
        person: person("ana"),
        step: 0,
        round: 1,
        at: t(0),
        answer: Answer::Declined {
            at: t(1),
            reason: Some("at the clinic with a client".to_owned()),
        },
        told_closed: false,
    }];
    cancelled.state = State::Cancelled {
        by: Actor::Officer(officer()),
        reason: Some("he walked off toward Penn Ave".to_owned()),
    };
    let mut c = commit(cancelled, Some(1), t(closed));
    c.events = vec![event(
        id,
        closed,
        Actor::Officer(officer()),
        EventKind::Cancelled {
            reason: Some("he walked off toward Penn Ave".to_owned()),
        },
    )];
    store
        .commit(c)
        .await
        .unwrap_or_else(|e| panic!("committing {id}: {e}"));
}

#[tokio::test]
async fn retention_blanks_the_words_of_hand_offs_closed_before_the_cut_off_and_keeps_their_timings()
{
    on_every_backend(async |_, store| {
        closed_with_words(&store, 1001, 10).await;
        closed_with_words(&store, 1002, 100).await;
        insert(&store, handoff(1003, offering())).await;
        let before: Vec<Event> = store.events(None, None).await.unwrap();

        let done = store.forget_text(t(50), t(200)).await.unwrap();
        assert_eq!(done.handoffs, 1);
        assert_eq!(done.events, 2, "the decline's and the cancel's reasons");
        assert_eq!(done.messages, 1, "hand-off 1001's sent offer");

        let (old, version) = store.handoff(HandoffId::new(1001)).await.unwrap().unwrap();
        assert_eq!(old.request.location, "[expired]");
        assert_eq!(
            old.state,
            State::Cancelled {
                by: Actor::Officer(officer()),
                reason: None
            }
        );
        assert!(matches!(
            old.offers[0].answer,
            Answer::Declined { reason: None, .. }
        ));
        assert_eq!(version, 3, "retention is a change like any other");
        // The newer closed one and the open one keep their words.
        let (newer, _) = store.handoff(HandoffId::new(1002)).await.unwrap().unwrap();
        assert_eq!(
            newer.request.location,
            "under the 5th St bridge, grey hoodie"
        );
        let (open, _) = store.handoff(HandoffId::new(1003)).await.unwrap().unwrap();
        assert_eq!(open.request.location, "5th and Main");

        // Same events, same instants, same order; only 1001's reasons are gone.
        let after = store.events(None, None).await.unwrap();
        assert_eq!(after.len(), before.len());
        for (b, a) in before.iter().zip(&after) {
            assert_eq!(
                (b.handoff, b.at, &b.actor, b.kind.name()),
                (a.handoff, a.at, &a.actor, a.kind.name())
            );
            let mut forgotten = b.kind.clone();
            if b.handoff == HandoffId::new(1001) {
                forgotten.forget_text();
            }
            assert_eq!(a.kind, forgotten);
        }
        let messages = store.outbox_all().await.unwrap();
        assert!(
            messages
                .iter()
                .all(|m| m.handoff != Some(HandoffId::new(1001)))
        );
        assert!(
            messages
                .iter()
                .any(|m| m.handoff == Some(HandoffId::new(1002)))
        );

        // A second pass finds nothing more to do.
        assert!(store.forget_text(t(50), t(300)).await.unwrap().is_empty());
    })
    .await;
}

#[tokio::test]
async fn retention_deletes_old_replies_webhook_ids_and_refusals_but_never_a_pending_message() {
    on_every_backend(async |_, store| {
        let phone = handoff_dispatcher::PhoneNumber::parse("+14125550199").unwrap();
        let tel = format!("tel:{}", phone.as_str());
        let seen = |id: &str, version, at| inbound(id, &tel, version, None, at);
        store.receive(&seen("SMold", None, t(0))).await.unwrap();
        store
            .receive(&seen("SMnew", Some(1), t(100)))
            .await
            .unwrap();
        let other = inbound(
            "SMx",
            "tel:+14125550198",
            None,
            Some(ContactWrite::Refused),
            t(0),
        );
        store.receive(&other).await.unwrap();
        let reply = |key: &str| NewOutbound {
            key: key.to_owned(),
            recipient: Recipient::Phone(phone.clone()),
            message: Message::NotRegistered { contact: None },
            channel: handoff_dispatcher::Channel::Sms,
        };
        store
            .enqueue(&[reply("sent"), reply("pending")], t(0))
            .await
            .unwrap();
        let sent = store.outbox_all().await.unwrap()[0].id;
        mark_sent(&store, sent, None, t(0)).await;

        let done = store.forget_text(t(50), t(200)).await.unwrap();
        assert_eq!(done.messages, 1);
        assert_eq!(
            done.records, 3,
            "the old webhook ids and the sender not heard from since"
        );
        let left = store.outbox_all().await.unwrap();
        assert_eq!(left.len(), 1);
        assert_eq!(left[0].status, OutboxStatus::Pending);
        assert!(store.inbound_seen("SMnew").await.unwrap(), "kept");
        assert!(!store.inbound_seen("SMold").await.unwrap(), "forgotten");
        assert_eq!(store.sender(&tel).await.unwrap().version, Some(2), "kept");
        assert_eq!(
            store.sender("tel:+14125550198").await.unwrap().version,
            None,
            "forgotten"
        );
    })
    .await;
}

#[tokio::test]
async fn on_sqlite_forgotten_words_cannot_be_read_back_from_the_file() {
    on_every_backend(async |_, store| {
        if store.backend() != Backend::Sqlite {
            return;
        }
        closed_with_words(&store, 1001, 10).await;
        let path: String =
            sqlx::query_scalar("SELECT file FROM pragma_database_list WHERE name = 'main'")
                .fetch_one(store.pool())
                .await
                .unwrap();
        let read = || {
            let mut bytes = std::fs::read(&path).unwrap();
            bytes.extend(std::fs::read(format!("{path}-wal")).unwrap_or_default());
            String::from_utf8_lossy(&bytes).into_owned()
        };
        store.forget_text(t(50), t(200)).await.unwrap();
        let file = read();
        for words in ["grey hoodie", "at the clinic", "toward Penn Ave"] {
            assert!(
                !file.contains(words),
                "{words:?} is still in the database file"
            );
        }
    })
    .await;
}

// ---- intake ----

#[tokio::test]
async fn intake_due_lists_unfinished_intakes_and_completing_one_is_recorded_once() {
    on_every_backend(async |_, store| {
        let ana = person("ana");
        let intake = |id, state, due: i64| {
            let mut h = handoff(id, state);
            h.accepted_at = Some(t(1));
            h.intake_due = Some(t(due));
            h
        };
        insert(
            &store,
            intake(1001, State::Accepted { by: ana.clone() }, 60),
        )
        .await;
        insert(
            &store,
            intake(1002, State::Completed { by: person("ben") }, 30),
        )
        .await;
        insert(
            &store,
            intake(
                1003,
                State::Cancelled {
                    by: Actor::Staff(ana.clone()),
                    reason: None,
                },
                10,
            ),
        )
        .await;
        insert(&store, intake(1004, State::Expired { by: ana.clone() }, 10)).await;
        insert(
            &store,
            intake(1005, State::Accepted { by: ana.clone() }, 500),
        )
        .await;
        insert(&store, handoff(1006, State::Accepted { by: ana.clone() })).await;

        let site = SiteId::parse("north-county").unwrap();
        let item = |id, who: &str, due, overdue| IntakeItem {
            handoff: HandoffId::new(id),
            assignee: Some(person(who)),
            site: site.clone(),
            accepted_at: Some(t(1)),
            due_at: t(due),
            overdue,
        };
        assert_eq!(
            store
                .intake_due(t(45), Duration::minutes(30))
                .await
                .unwrap(),
            vec![item(1002, "ben", 30, true), item(1001, "ana", 60, false)]
        );
        // The three hand-offs ana holds, whatever their intake.
        assert_eq!(store.load(t(45)).await.unwrap().open_cases(&ana), 3);

        assert!(
            store
                .complete_intake(HandoffId::new(1001), t(50))
                .await
                .unwrap()
        );
        assert!(
            !store
                .complete_intake(HandoffId::new(1001), t(51))
                .await
                .unwrap()
        );
        assert!(
            !store
                .complete_intake(HandoffId::new(1006), t(51))
                .await
                .unwrap()
        );
        assert!(
            !store
                .complete_intake(HandoffId::new(4242), t(51))
                .await
                .unwrap()
        );

        assert_eq!(
            store
                .intake_due(t(45), Duration::minutes(30))
                .await
                .unwrap(),
            vec![item(1002, "ben", 30, true)]
        );
        // She still holds all three: an intake recorded early frees no one.
        assert_eq!(store.load(t(50)).await.unwrap().open_cases(&ana), 3);
        assert_eq!(
            store.events(None, None).await.unwrap(),
            vec![event(1001, 50, Actor::System, EventKind::IntakeCompleted)]
        );
        // The hand-off's data says so too (a new version), so the engine stops its
        // reminders and a second INTAKE by text is refused.
        let (recorded, version) = store.handoff(HandoffId::new(1001)).await.unwrap().unwrap();
        assert_eq!(recorded.intake_completed, Some(t(50)));
        assert_eq!(version, 2);
    })
    .await;
}

// ---- connecting, files and concurrency ----

#[tokio::test]
async fn reopening_the_database_after_dropping_the_store_keeps_everything() {
    on_every_backend(async |db, store| {
        let mut h = handoff(1001, State::Accepted { by: person("ana") });
        h.intake_due = Some(t(60));
        let mut c = commit(h.clone(), None, t(2));
        c.events = vec![event(
            1001,
            2,
            Actor::Staff(person("ana")),
            EventKind::Accepted {
                person: person("ana"),
                via: None,
            },
        )];
        c.schedule = vec![(Timer::Arrival, t(45))];
        c.outbox = vec![offer_message(1001, "k", "ana")];
        c.offered = vec![(person("ana"), t(1))];
        store.commit(c).await.unwrap();
        let before = (
            store.events(None, None).await.unwrap(),
            store.outbox_all().await.unwrap(),
            store.load(t(3)).await.unwrap(),
            store.intake_due(t(3), Duration::hours(2)).await.unwrap(),
        );
        drop(store);

        let store = db.connect().await;
        assert_eq!(store.handoff(h.id).await.unwrap(), Some((h, 1)));
        assert_eq!(
            store.due_timers(t(45), 10).await.unwrap(),
            vec![(HandoffId::new(1001), Timer::Arrival, t(45))]
        );
        let after = (
            store.events(None, None).await.unwrap(),
            store.outbox_all().await.unwrap(),
            store.load(t(3)).await.unwrap(),
            store.intake_due(t(3), Duration::hours(2)).await.unwrap(),
        );
        assert_eq!(after, before);
        assert_eq!(after.2.open_cases(&person("ana")), 1);
        assert_eq!(
            store.allocate_handoff_id().await.unwrap(),
            HandoffId::new(1002)
        );
    })
    .await;
}

#[tokio::test]
async fn every_sqlite_connection_uses_wal_and_the_chosen_pragmas() {
    on_every_backend(async |_, store| {
        if store.backend() != Backend::Sqlite {
            return;
        }
        // Several connections at once, so the pool must open more than one.
        let mut conns = Vec::new();
        for _ in 0..3 {
            conns.push(store.pool().acquire().await.unwrap());
        }
        for conn in &mut conns {
            let mode: String = sqlx::query_scalar("PRAGMA journal_mode")
                .fetch_one(&mut **conn)
                .await
                .unwrap();
            assert_eq!(mode, "wal");
            let synchronous: i64 = sqlx::query_scalar("PRAGMA synchronous")
                .fetch_one(&mut **conn)
                .await
                .unwrap();
            assert_eq!(synchronous, 1, "NORMAL");
            let busy: i64 = sqlx::query_scalar("PRAGMA busy_timeout")
                .fetch_one(&mut **conn)
                .await
                .unwrap();
            assert_eq!(busy, 5000);
            let foreign_keys: i64 = sqlx::query_scalar("PRAGMA foreign_keys")
                .fetch_one(&mut **conn)
                .await
                .unwrap();
            assert_eq!(foreign_keys, 1);
            let secure_delete: i64 = sqlx::query_scalar("PRAGMA secure_delete")
                .fetch_one(&mut **conn)
                .await
                .unwrap();
            assert_eq!(secure_delete, 1);
        }
    })
    .await;
}

#[tokio::test]
async fn sqlite_urls_without_slashes_create_the_file_and_other_schemes_are_refused() {
    let dir = TempDir::new().unwrap();
    let path = dir.path().join("plain.db");
    let store = Store::connect(&format!("sqlite:{}", path.display()))
        .await
        .unwrap();
    assert_eq!(store.backend(), Backend::Sqlite);
    insert(&store, handoff(1001, offering())).await;
    assert!(path.exists());
    store.close().await;

    for url in [
        "mysql://localhost/db",
        "sqlite::memory:",
        "file:///tmp/x.db",
    ] {
        assert!(
            matches!(
                Store::connect(url).await,
                Err(StoreError::UnsupportedUrl(_))
            ),
            "{url}"
        );
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn concurrent_commits_on_one_version_let_exactly_one_win_and_others_all_succeed() {
    on_every_backend(async |_, store| {
        insert(&store, handoff(1001, offering())).await;
        let mut tasks = Vec::new();
        for i in 0..8 {
            let store = store.clone();
            tasks.push(tokio::spawn(async move {
                let name = format!("p{i}");
                let mut c = commit(
                    handoff(1001, State::Accepted { by: person(&name) }),
                    Some(1),
                    t(1),
                );
                c.events = vec![event(
                    1001,
                    1,
                    Actor::System,
                    EventKind::Accepted {
                        person: person(&name),
                        via: None,
                    },
                )];
                let same = store.commit(c).await;
                let other = store
                    .commit(commit(handoff(2000 + i, offering()), None, t(1)))
                    .await;
                (same, other)
            }));
        }
        let mut won = 0;
        for task in tasks {
            let (same, other) = task.await.unwrap();
            match same {
                Ok(()) => won += 1,
                Err(StoreError::Conflict {
                    reason:
                        ConflictReason::StaleVersion {
                            expected: 1,
                            found: 2,
                        },
                    ..
                }) => {}
                Err(e) => panic!("unexpected {e}"),
            }
            other.unwrap();
        }
        assert_eq!(won, 1);
        assert_eq!(
            store
                .handoff(HandoffId::new(1001))
                .await
                .unwrap()
                .unwrap()
                .1,
            2
        );
        assert_eq!(store.events(None, None).await.unwrap().len(), 1);
        assert_eq!(store.open_handoffs().await.unwrap().len(), 9);
    })
    .await;
}

#[tokio::test]
async fn an_inbound_message_records_its_id_its_sender_and_opt_outs_once() {
    on_every_backend(async |_db, store: Store| {
        let phone = handoff_dispatcher::PhoneNumber::parse("+14125550199").unwrap();
        let tel = format!("tel:{}", phone.as_str());
        assert!(!store.is_opted_out(&phone).await.unwrap());
        let stop = inbound(
            "SM1",
            &tel,
            None,
            Some(ContactWrite::OptOut(phone.clone())),
            t(0),
        );
        assert_eq!(store.receive(&stop).await.unwrap(), Recorded::Written);
        assert!(store.is_opted_out(&phone).await.unwrap());
        assert!(store.opted_out().await.unwrap().contains("+14125550199"));
        assert!(store.inbound_seen("SM1").await.unwrap());
        assert_eq!(
            store.receive(&stop).await.unwrap(),
            Recorded::Duplicate,
            "a retried webhook is seen"
        );

        // A decision made on a stale sender version is refused whole.
        let stale = inbound(
            "SM2",
            &tel,
            None,
            Some(ContactWrite::OptIn(phone.clone())),
            t(1),
        );
        assert!(matches!(
            store.receive(&stale).await,
            Err(StoreError::SenderChanged)
        ));
        assert!(store.is_opted_out(&phone).await.unwrap(), "nothing written");
        assert!(!store.inbound_seen("SM2").await.unwrap(), "nothing written");

        let start = inbound(
            "SM2",
            &tel,
            Some(1),
            Some(ContactWrite::OptIn(phone.clone())),
            t(1),
        );
        store.receive(&start).await.unwrap();
        assert!(!store.is_opted_out(&phone).await.unwrap());

        let refused = inbound("SM3", &tel, Some(2), Some(ContactWrite::Refused), t(60));
        store.receive(&refused).await.unwrap();
        let row = store.sender(&tel).await.unwrap();
        assert_eq!((row.version, row.refused_at), (Some(3), Some(t(60))));
        // A later message without a refusal keeps when the last one was.
        store
            .receive(&inbound("SM4", &tel, Some(3), None, t(61)))
            .await
            .unwrap();
        assert_eq!(store.sender(&tel).await.unwrap().refused_at, Some(t(60)));
    })
    .await;
}

#[tokio::test]
async fn an_inbound_write_failing_at_any_step_leaves_nothing_behind() {
    on_every_backend(async |_db, store: Store| {
        let phone = handoff_dispatcher::PhoneNumber::parse("+14125550199").unwrap();
        let tel = format!("tel:{}", phone.as_str());
        let mut write = inbound(
            "SM9",
            &tel,
            None,
            Some(ContactWrite::OptOut(phone.clone())),
            t(0),
        );
        write.handoff = Some(commit(handoff(1001, offering()), None, t(0)));
        write.replies = vec![NewOutbound {
            key: "reply:SM9:0".to_owned(),
            recipient: Recipient::Phone(phone.clone()),
            message: Message::OptedOut,
            channel: handoff_dispatcher::Channel::Sms,
        }];
        for step in 0..INBOUND_STEPS {
            store.fail_inbound_step(Some(step));
            assert!(
                matches!(store.receive(&write).await, Err(StoreError::Injected(s)) if s == step),
                "step {step}"
            );
            assert!(!store.inbound_seen("SM9").await.unwrap(), "step {step}");
            assert_eq!(
                store.sender(&tel).await.unwrap().version,
                None,
                "step {step}"
            );
            assert!(!store.is_opted_out(&phone).await.unwrap(), "step {step}");
            assert_eq!(
                store.handoff(HandoffId::new(1001)).await.unwrap(),
                None,
                "step {step}"
            );
            assert!(store.outbox_all().await.unwrap().is_empty(), "step {step}");
        }
        store.fail_inbound_step(None);
        assert_eq!(store.receive(&write).await.unwrap(), Recorded::Written);
        assert!(store.inbound_seen("SM9").await.unwrap());
        assert!(store.is_opted_out(&phone).await.unwrap());
        assert!(store.handoff(HandoffId::new(1001)).await.unwrap().is_some());
        assert_eq!(store.outbox_all().await.unwrap().len(), 1);
    })
    .await;
}

fn inbound(
    id: &str,
    sender: &str,
    version: Option<i64>,
    contact: Option<ContactWrite>,
    at: DateTime<Utc>,
) -> InboundWrite {
    InboundWrite {
        message_id: id.to_owned(),
        sender: sender.to_owned(),
        sender_version: version,
        contact,
        about: None,
        handoff: None,
        replies: Vec::new(),
        now: at,
    }
}

#[tokio::test]
async fn replies_outside_any_handoff_enter_the_outbox_once_per_key() {
    on_every_backend(async |_db, store: Store| {
        let phone = handoff_dispatcher::PhoneNumber::parse("+14125550199").unwrap();
        let reply = NewOutbound {
            key: "reply:SM1".to_owned(),
            recipient: Recipient::Phone(phone.clone()),
            message: Message::NotRegistered { contact: None },
            channel: handoff_dispatcher::Channel::Sms,
        };
        store
            .enqueue(std::slice::from_ref(&reply), t(0))
            .await
            .unwrap();
        store.enqueue(&[reply], t(1)).await.unwrap();
        let pending = store
            .outbox_pending(handoff_dispatcher::Channel::Sms, 10)
            .await
            .unwrap();
        assert_eq!(pending.len(), 1);
        assert_eq!(pending[0].handoff, None);
        assert_eq!(pending[0].recipient, Recipient::Phone(phone));
        let lease = sender(&store).await;
        assert!(
            store
                .outbox_claim(&lease, pending[0].id, margin())
                .await
                .unwrap()
        );
        store
            .outbox_retry(&lease, pending[0].id, t(10), "timeout")
            .await
            .unwrap();
        assert!(store.outbox_due(t(5), 10).await.unwrap().is_empty());
        assert_eq!(
            store
                .outbox_pending(handoff_dispatcher::Channel::Sms, 10)
                .await
                .unwrap()
                .len(),
            1,
            "pending even when not due"
        );
    })
    .await;
}

// ---- leases ----

const SMS: &str = "sms-delivery";

/// The claim margin the tests use: a send may take up to a second.
fn margin() -> Duration {
    Duration::seconds(1)
}

/// Takes the SMS lease as holder "sender".
async fn sender(store: &Store) -> LeaseToken {
    store
        .take_lease(SMS, "sender", None, Duration::seconds(60))
        .await
        .unwrap_or_else(|e| panic!("taking the lease: {e}"))
        .unwrap_or_else(|| panic!("the lease is free"))
}

/// Sends `id` as the holder of the SMS lease does: claimed, then marked sent.
async fn mark_sent(store: &Store, id: i64, provider_id: Option<&str>, at: DateTime<Utc>) {
    let lease = sender(store).await;
    let claimed = store.outbox_claim(&lease, id, margin()).await;
    assert!(claimed.unwrap_or_else(|e| panic!("claiming: {e}")));
    store
        .outbox_sent(&lease, id, provider_id, at)
        .await
        .unwrap_or_else(|e| panic!("marking sent: {e}"));
}

fn assert_lease_lost<T: std::fmt::Debug>(result: Result<T, StoreError>, epoch: i64) {
    match result {
        Err(StoreError::LeaseLost { name, epoch: e }) => {
            assert_eq!((name.as_str(), e), (SMS, epoch));
        }
        other => panic!("expected LeaseLost at epoch {epoch}, got {other:?}"),
    }
}

#[tokio::test]
async fn a_lease_is_held_by_one_holder_until_it_expires_or_is_released_and_each_new_hand_holds_a_higher_epoch()
 {
    on_every_backend(async |_, store| {
        let ttl = Duration::seconds(60);
        let a = store
            .take_lease(SMS, "a", None, ttl)
            .await
            .unwrap()
            .unwrap();
        assert_eq!(a.epoch(), 1);
        assert_eq!(store.take_lease(SMS, "b", None, ttl).await.unwrap(), None);
        // The holder renews with its token and keeps its epoch; another lease name
        // is independent.
        let renewed = store.take_lease(SMS, "a", Some(&a), ttl).await.unwrap();
        assert_eq!(renewed.as_ref(), Some(&a));
        assert!(
            store
                .take_lease("other", "b", None, ttl)
                .await
                .unwrap()
                .is_some()
        );

        // Its lease runs out (as if it stalled): b takes it with a new epoch, and a
        // cannot renew with its old token.
        store.expire_lease(SMS).await.unwrap();
        let b = store
            .take_lease(SMS, "b", None, ttl)
            .await
            .unwrap()
            .unwrap();
        assert_eq!(b.epoch(), 2);
        assert_eq!(
            store.take_lease(SMS, "a", Some(&a), ttl).await.unwrap(),
            None
        );

        // Released by its holder only (a's stale token releases nothing); then free
        // at once, and the epoch keeps counting.
        store.release_lease(&a).await.unwrap();
        assert_eq!(store.take_lease(SMS, "c", None, ttl).await.unwrap(), None);
        store.release_lease(&b).await.unwrap();
        let c = store
            .take_lease(SMS, "c", None, ttl)
            .await
            .unwrap()
            .unwrap();
        assert_eq!(c.epoch(), 3);

        // A process restarted under c's name reclaims it at once, with a new epoch
        // that fences off whatever the old run still had in flight.
        let restarted = store
            .take_lease(SMS, "c", None, ttl)
            .await
            .unwrap()
            .unwrap();
        assert_eq!(restarted.epoch(), 4);
        // A holder whose own lease ran out unclaimed takes it back with a new epoch.
        store.expire_lease(SMS).await.unwrap();
        let back = store
            .take_lease(SMS, "c", Some(&restarted), ttl)
            .await
            .unwrap()
            .unwrap();
        assert_eq!(back.epoch(), 5);
    })
    .await;
}

#[tokio::test]
async fn a_lease_runs_out_by_the_databases_clock() {
    on_every_backend(async |db, store| {
        // A lease of 60 s: its expiry is the database's time plus 60 s, whatever
        // the callers' clocks say (they are not asked).
        let before = SystemClock.now();
        sender(&store).await;
        let after = SystemClock.now();
        let until: i64 = sqlx::query_scalar("SELECT until_at FROM leases WHERE name = $1")
            .bind(SMS)
            .fetch_one(store.pool())
            .await
            .unwrap();
        let slack = Duration::seconds(2).num_milliseconds();
        let ttl = Duration::seconds(60).num_milliseconds();
        assert!(
            before.timestamp_millis() + ttl - slack <= until
                && until <= after.timestamp_millis() + ttl + slack,
            "until_at {until} is not the database's time plus the lease"
        );

        // Another process cannot take it, however far ahead its own clock runs.
        let other = db.connect().await;
        assert_eq!(
            other
                .take_lease(SMS, "other", None, Duration::seconds(60))
                .await
                .unwrap(),
            None
        );

        // A short lease: live at once, free once the database's clock passes it.
        store.expire_lease(SMS).await.unwrap();
        let short = store
            .take_lease(SMS, "short", None, Duration::milliseconds(300))
            .await
            .unwrap()
            .unwrap();
        assert_eq!(
            other
                .take_lease(SMS, "other", None, Duration::seconds(60))
                .await
                .unwrap(),
            None
        );
        tokio::time::sleep(std::time::Duration::from_millis(400)).await;
        let taken = other
            .take_lease(SMS, "other", None, Duration::seconds(60))
            .await
            .unwrap()
            .unwrap();
        assert_eq!(taken.epoch(), short.epoch() + 1);
        other.close().await;
    })
    .await;
}

#[tokio::test]
async fn a_stale_token_can_neither_claim_nor_mark_a_message_and_the_new_holder_sends_it_again() {
    on_every_backend(async |_, store| {
        let mut c = commit(handoff(1001, offering()), None, t(0));
        c.outbox = ["a", "b", "c"]
            .map(|key| offer_message(1001, key, "ana"))
            .to_vec();
        store.commit(c).await.unwrap();
        let ids: Vec<i64> = store
            .outbox_all()
            .await
            .unwrap()
            .iter()
            .map(|i| i.id)
            .collect();
        let ttl = Duration::seconds(60);

        // A claims the first message, then stalls past its lease; B takes over.
        let a = store
            .take_lease(SMS, "a", None, ttl)
            .await
            .unwrap()
            .unwrap();
        assert!(store.outbox_claim(&a, ids[0], margin()).await.unwrap());
        store.expire_lease(SMS).await.unwrap();
        let b = store
            .take_lease(SMS, "b", None, ttl)
            .await
            .unwrap()
            .unwrap();

        // A wakes: every write under its token is refused, and nothing changes.
        let before = store.outbox_all().await.unwrap();
        assert_lease_lost(store.outbox_claim(&a, ids[1], margin()).await, a.epoch());
        assert_lease_lost(
            store.outbox_sent(&a, ids[0], Some("SM-A"), t(1)).await,
            a.epoch(),
        );
        assert_lease_lost(
            store.outbox_retry(&a, ids[0], t(2), "timeout").await,
            a.epoch(),
        );
        assert_lease_lost(
            store.outbox_failed(&a, ids[0], "refused", t(1)).await,
            a.epoch(),
        );
        assert_eq!(store.outbox_all().await.unwrap(), before);

        // B sends A's claimed message again (at least once), and its own.
        assert!(store.outbox_claim(&b, ids[0], margin()).await.unwrap());
        store
            .outbox_sent(&b, ids[0], Some("SM-B"), t(1))
            .await
            .unwrap();
        // B cannot mark what it did not claim.
        store
            .outbox_sent(&b, ids[1], Some("SM-X"), t(1))
            .await
            .unwrap();
        let all = store.outbox_all().await.unwrap();
        assert_eq!(
            (all[0].status, all[0].provider_id.as_deref()),
            (OutboxStatus::Sent, Some("SM-B"))
        );
        assert_eq!(
            (all[1].status, all[1].provider_id.as_deref()),
            (OutboxStatus::Pending, None)
        );

        // A claim needs the lease to outlast the send: not granted with less left,
        // though B still holds it.
        assert_lease_lost(
            store.outbox_claim(&b, ids[1], Duration::seconds(61)).await,
            b.epoch(),
        );
        // B's own lease runs out with nobody taking it: refused too, until B takes
        // it back, under a new epoch.
        store.expire_lease(SMS).await.unwrap();
        assert_lease_lost(store.outbox_claim(&b, ids[1], margin()).await, b.epoch());
        let b2 = store
            .take_lease(SMS, "b", Some(&b), ttl)
            .await
            .unwrap()
            .unwrap();
        assert_eq!(b2.epoch(), b.epoch() + 1);
        assert!(store.outbox_claim(&b2, ids[1], margin()).await.unwrap());
        assert_lease_lost(
            store.outbox_failed(&b, ids[1], "refused", t(1)).await,
            b.epoch(),
        );
        store
            .outbox_failed(&b2, ids[1], "refused", t(1))
            .await
            .unwrap();
        let all = store.outbox_all().await.unwrap();
        assert_eq!((all[1].status, all[1].attempts), (OutboxStatus::Failed, 1));
        assert_eq!(all[2].status, OutboxStatus::Pending);
    })
    .await;
}

#[tokio::test]
async fn of_many_processes_racing_for_an_expired_lease_exactly_one_gets_it() {
    on_every_backend(async |db, store| {
        let old = store
            .take_lease(SMS, "old", None, Duration::seconds(60))
            .await
            .unwrap()
            .unwrap();
        store.expire_lease(SMS).await.unwrap();
        let mut racers = tokio::task::JoinSet::new();
        for n in 0..8 {
            // A store each, as separate processes would have.
            let url = db.url().to_owned();
            racers.spawn(async move {
                let own = Store::connect(&url).await.unwrap();
                let won = own
                    .take_lease(SMS, &format!("p{n}"), None, Duration::seconds(60))
                    .await
                    .unwrap();
                own.close().await;
                won
            });
        }
        let mut winners = Vec::new();
        while let Some(won) = racers.join_next().await {
            winners.extend(won.unwrap());
        }
        assert_eq!(winners.len(), 1);
        assert_eq!(winners[0].epoch(), old.epoch() + 1);
    })
    .await;
}

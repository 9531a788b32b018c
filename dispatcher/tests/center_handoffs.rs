//! What `DROPOFF` and `CHECKIN` do to a hand-off in each state, and who is told,
//! in tables of literal date-times in New York: drop-offs while offering, after an
//! accept, after the request closed with nobody coming, the check-in and its
//! deadline. The world is in `center_world/mod.rs`.

mod center_world;

use center_world::{
    CHECK_IN_WITHIN, EVENING, Fixture, ID, LATER, accept, at, center_id, check_in, drop_off,
    events, local, officer, on_the_way, person, rivera, staff, told,
};

use handoff_dispatcher::center::Refusal;
use handoff_dispatcher::message::AfterRefusal;
use handoff_dispatcher::{
    Actor, DecideError, Decision, Effect, EventKind, HandoffId, HandoffKind, Input, Load, Message,
    State, Timer,
};

#[test]
fn the_receipt_offers_the_center_a_bare_dropoff_would_pick_only_while_one_takes_people() {
    let fixture = Fixture::new();
    let center_of = |decision: &Decision| -> Option<String> {
        told(decision, &rivera()).into_iter().find_map(|m| match m {
            Message::Received { center, .. } => center,
            _ => None,
        })
    };
    assert_eq!(
        center_of(&fixture.open(EVENING)),
        Some("Stabilization Ctr".to_owned())
    );
    // Noon: the site is open, no center is.
    assert_eq!(center_of(&fixture.open("2026-12-02T12:00:00-05:00")), None);
    // Stabilization full at 21:00, Sobering closed: nothing to offer.
    let full = Fixture {
        load: Load {
            on_the_way: on_the_way(2, 0),
            ..Load::default()
        },
        ..Fixture::new()
    };
    assert_eq!(center_of(&full.open(EVENING)), None);
}

#[test]
fn a_dropoff_while_offering_withdraws_the_offers_and_tells_the_centers_staff() {
    let fixture = Fixture::new();
    let opened = fixture.open(EVENING).handoff;
    assert!(matches!(opened.state, State::Offering { .. }));
    let decision = fixture
        .apply(&opened, drop_off("rivera", None), LATER)
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(decision.handoff.state, dropping_off_at_stab(false));
    let id = HandoffId::new(ID);
    assert_eq!(
        told(&decision, &staff("dana")),
        vec![Message::Withdrawn { id }]
    );
    assert_eq!(
        told(&decision, &staff("jo")),
        vec![Message::DropOffComing {
            id,
            kind: HandoffKind::ArrestDiversion,
            center: "Stabilization Ctr".to_owned(),
            officer: "Ofc. Rivera".to_owned(),
            agency: "Metro PD".to_owned(),
        }]
    );
    assert_eq!(
        told(&decision, &rivera()),
        vec![Message::DropOffConfirmed {
            id,
            center: "Stabilization Ctr".to_owned(),
            address: "12 Penn Ave".to_owned(),
            staff_told: true,
        }]
    );
    assert!(told(&decision, &staff("pat")).is_empty());
    assert_eq!(
        events(&decision),
        vec![EventKind::DroppedOff {
            center: center_id("stab")
        }]
    );
    assert!(
        decision.effects.contains(&Effect::Cancel {
            timer: Timer::Round { step: 0, round: 0 }
        }),
        "{:?}",
        decision.effects
    );
}

#[test]
fn a_dropoff_after_an_accept_releases_the_case_manager_and_stops_her_clocks() {
    let fixture = Fixture::new();
    let opened = fixture.open(EVENING).handoff;
    let accepted = fixture.step(&opened, accept("dana"), "2026-12-02T21:02:00-05:00");
    assert!(accepted.intake_due.is_some());
    let decision = fixture
        .apply(&accepted, drop_off("rivera", Some("stab")), LATER)
        .unwrap_or_else(|e| panic!("{e}"));
    let id = HandoffId::new(ID);
    assert_eq!(
        told(&decision, &staff("dana")),
        vec![Message::DropOffReleased {
            id,
            center: "Stabilization Ctr".to_owned()
        }]
    );
    assert_eq!(decision.handoff.intake_due, None);
    for timer in [Timer::Arrival, Timer::IntakeReminder, Timer::IntakeOverdue] {
        assert!(
            decision.effects.contains(&Effect::Cancel { timer }),
            "{timer:?} not cancelled: {:?}",
            decision.effects
        );
    }
    // The accept stays in the record: the response time was met.
    assert!(decision.handoff.accepted_at.is_some());
}

#[test]
fn a_refused_dropoff_changes_nothing_and_says_why() {
    let fixture = Fixture::new();
    let opened = fixture.open(EVENING).handoff;
    let table: Vec<(Option<&str>, Refusal)> = vec![
        (
            Some("sobering"),
            Refusal::Closed {
                name: "Sobering Center".to_owned(),
                opens: Some(local("2026-12-03T01:00:00-05:00")),
            },
        ),
        (
            Some("the shelter"),
            Refusal::Unknown {
                open: vec!["Stabilization Ctr".to_owned()],
            },
        ),
    ];
    for (named, refusal) in table {
        let decision = fixture
            .apply(&opened, drop_off("rivera", named), LATER)
            .unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(decision.handoff, opened, "{named:?}");
        assert_eq!(
            decision.effects,
            vec![Effect::Send {
                to: rivera(),
                message: Message::DropOffRefused {
                    id: HandoffId::new(ID),
                    refusal,
                    then: AfterRefusal::Searching,
                },
            }],
            "{named:?}"
        );
    }
}

#[test]
fn only_the_requesting_officer_may_drop_off_and_not_once_the_case_manager_is_there() {
    let fixture = Fixture::new();
    let opened = fixture.open(EVENING).handoff;
    let id = HandoffId::new(ID);
    assert_eq!(
        fixture.apply(&opened, drop_off("chen", None), LATER).err(),
        Some(DecideError::NotRequester { id })
    );
    let accepted = fixture.step(&opened, accept("dana"), "2026-12-02T21:02:00-05:00");
    let arrived = fixture.step(
        &accepted,
        Input::Arrived { by: person("dana") },
        "2026-12-02T21:15:00-05:00",
    );
    assert_eq!(
        fixture
            .apply(&arrived, drop_off("rivera", None), LATER)
            .err(),
        Some(DecideError::AlreadyArrived { id })
    );
    let dropped = fixture.step(&opened, drop_off("rivera", None), LATER);
    assert_eq!(
        fixture
            .apply(&dropped, drop_off("rivera", Some("stab")), LATER)
            .err(),
        Some(DecideError::AlreadyDroppingOff { id })
    );
    let cancelled = fixture.step(
        &opened,
        Input::Cancel {
            by: Actor::Officer(officer("rivera")),
            reason: None,
        },
        LATER,
    );
    assert_eq!(
        fixture
            .apply(&cancelled, drop_off("rivera", None), LATER)
            .err(),
        Some(DecideError::Closed {
            id,
            state: "cancelled"
        })
    );
}

#[test]
fn checkin_by_the_centers_staff_is_the_arrival_and_closes_the_hand_off() {
    let fixture = Fixture::new();
    let opened = fixture.open(EVENING).handoff;
    let dropped = fixture.step(&opened, drop_off("rivera", None), LATER);
    let id = HandoffId::new(ID);
    let checkin_at = "2026-12-02T21:40:00-05:00";
    for (who, refused) in [
        ("dana", DecideError::NotCenterStaff { id }),
        ("pat", DecideError::NotCenterStaff { id }),
    ] {
        assert_eq!(
            fixture.apply(&dropped, check_in(who), checkin_at).err(),
            Some(refused),
            "{who}"
        );
    }
    let decision = fixture
        .apply(&dropped, check_in("jo"), checkin_at)
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(
        decision.handoff.state,
        State::CheckedIn {
            by: person("jo"),
            center: center_id("stab")
        }
    );
    assert!(decision.handoff.state.is_closed());
    assert_eq!(
        told(&decision, &rivera()),
        vec![Message::CheckedInAtCenter {
            id,
            center: "Stabilization Ctr".to_owned(),
            first_name: "Jo".to_owned(),
        }]
    );
    assert_eq!(
        told(&decision, &staff("jo")),
        vec![Message::CheckInRecorded { id }]
    );
    assert_eq!(
        events(&decision),
        vec![EventKind::CheckedIn {
            person: person("jo"),
            center: center_id("stab")
        }]
    );
    assert_eq!(
        fixture
            .apply(&decision.handoff, check_in("jo"), checkin_at)
            .err(),
        Some(DecideError::Closed {
            id,
            state: "checked_in"
        })
    );
    // Not dropped off: nothing to check in.
    assert_eq!(
        fixture.apply(&opened, check_in("jo"), checkin_at).err(),
        Some(DecideError::NotDroppingOff { id })
    );
}

#[test]
fn a_center_without_staff_has_its_dropoffs_told_to_the_supervisor_who_may_check_in() {
    let fixture = Fixture::new();
    // Asked at 23:30 and, as the decision is taken on its own, still searching at
    // 01:10, when only the Sobering Center (no staff) is open.
    let night = "2026-12-02T23:30:00-05:00";
    let opened = fixture.open(night).handoff;
    let decision = fixture
        .apply(
            &opened,
            drop_off("rivera", Some("sobering")),
            "2026-12-03T01:10:00-05:00",
        )
        .unwrap_or_else(|e| panic!("{e}"));
    let id = HandoffId::new(ID);
    assert!(told(&decision, &staff("jo")).is_empty());
    assert!(matches!(
        told(&decision, &staff("pat")).as_slice(),
        [Message::DropOffComing { .. }]
    ));
    assert!(matches!(
        told(&decision, &rivera()).as_slice(),
        [Message::DropOffConfirmed {
            staff_told: false,
            ..
        }]
    ));
    let dropped = decision.handoff;
    let later = "2026-12-03T01:30:00-05:00";
    assert_eq!(
        fixture.apply(&dropped, check_in("jo"), later).err(),
        Some(DecideError::NotCenterStaff { id })
    );
    let checked = fixture.step(&dropped, check_in("pat"), later);
    assert_eq!(
        checked.state,
        State::CheckedIn {
            by: person("pat"),
            center: center_id("sobering")
        }
    );
}

// ---------------------------------------------------------------------------------
// Closed with nobody coming: the closing texts offer a center, and DROPOFF reopens
// ---------------------------------------------------------------------------------

/// The hand-off requested at [`EVENING`], with nobody answering dana's offer: it
/// closes unstaffed when her five minutes run out.
fn unstaffed(fixture: &Fixture, when: &str) -> handoff_dispatcher::Decision {
    let opened = fixture.open(EVENING).handoff;
    fixture.fire(&opened, Timer::Round { step: 0, round: 0 }, when)
}

/// The center each closing text to the officer offers, by kind of close.
fn offered_on_close(decision: &handoff_dispatcher::Decision) -> Vec<Option<String>> {
    told(decision, &rivera())
        .into_iter()
        .filter_map(|m| match m {
            Message::Unstaffed { center, .. }
            | Message::Expired { center, .. }
            | Message::OutOfHours { center, .. } => Some(center),
            _ => None,
        })
        .collect()
}

#[test]
fn every_text_that_closes_a_request_with_nobody_coming_offers_an_open_center() {
    let fixture = Fixture::new();
    let stab = Some("Stabilization Ctr".to_owned());
    // Nobody answered, 21:05: Stabilization is open.
    let decision = unstaffed(&fixture, "2026-12-02T21:05:00-05:00");
    assert_eq!(decision.handoff.state, State::Unstaffed);
    assert_eq!(offered_on_close(&decision), vec![stab.clone()]);
    // The case manager never arrived: the arrival limit ran out at 23:00.
    let opened = fixture.open(EVENING).handoff;
    let accepted = fixture.step(&opened, accept("dana"), "2026-12-02T21:01:00-05:00");
    let expired = fixture.fire(&accepted, Timer::Arrival, "2026-12-02T23:00:00-05:00");
    assert!(matches!(expired.handoff.state, State::Expired { .. }));
    assert_eq!(offered_on_close(&expired), vec![stab.clone()]);
    // Saturday 21:00: the site is closed, nobody is on call, Stabilization open.
    let saturday = fixture.open("2026-12-05T21:00:00-05:00");
    assert_eq!(saturday.handoff.state, State::OutOfHours);
    assert_eq!(offered_on_close(&saturday), vec![stab]);
    // Saturday noon: no center is open either, so none is offered.
    let noon = fixture.open("2026-12-05T12:00:00-05:00");
    assert_eq!(offered_on_close(&noon), vec![None]);
    // Stabilization full: nothing to offer.
    let full = Fixture {
        load: Load {
            on_the_way: on_the_way(2, 0),
            ..Load::default()
        },
        ..Fixture::new()
    };
    let decision = unstaffed(&full, "2026-12-02T21:05:00-05:00");
    assert_eq!(offered_on_close(&decision), vec![None]);
}

#[test]
fn a_dropoff_reopens_a_request_closed_with_nobody_coming_for_two_hours_after_it() {
    let fixture = Fixture::new();
    let closed = unstaffed(&fixture, "2026-12-02T21:05:00-05:00").handoff;
    let id = HandoffId::new(ID);
    // Up to two hours after the request at 21:00, to the minute.
    for when in ["2026-12-02T21:06:00-05:00", "2026-12-02T23:00:00-05:00"] {
        let decision = fixture
            .apply(&closed, drop_off("rivera", None), when)
            .unwrap_or_else(|e| panic!("{when}: {e}"));
        assert_eq!(
            decision.handoff.state,
            dropping_off_at_stab(false),
            "{when}"
        );
        assert!(!decision.handoff.state.is_closed());
        assert_eq!(
            events(&decision),
            vec![EventKind::DroppedOff {
                center: center_id("stab")
            }]
        );
        assert!(
            told(&decision, &staff("jo"))
                .iter()
                .any(|m| matches!(m, Message::DropOffComing { .. })),
            "{when}"
        );
        // Nobody held it: no case manager is released, no offer withdrawn.
        assert!(told(&decision, &staff("dana")).is_empty(), "{when}");
    }
    let too_late = fixture.apply(
        &closed,
        drop_off("rivera", None),
        "2026-12-02T23:00:01-05:00",
    );
    assert_eq!(
        too_late.err(),
        Some(DecideError::Closed {
            id,
            state: "unstaffed"
        })
    );
    // A hand-off that ended otherwise never reopens: cancelled by the officer.
    let opened = fixture.open(EVENING).handoff;
    let cancelled = fixture.step(
        &opened,
        Input::Cancel {
            by: Actor::Officer(officer("rivera")),
            reason: None,
        },
        "2026-12-02T21:02:00-05:00",
    );
    assert_eq!(
        fixture
            .apply(&cancelled, drop_off("rivera", None), LATER)
            .err(),
        Some(DecideError::Closed {
            id,
            state: "cancelled"
        })
    );
    // Only the officer who asked.
    assert_eq!(
        fixture.apply(&closed, drop_off("chen", None), LATER).err(),
        Some(DecideError::NotRequester { id })
    );
}

#[test]
fn a_refused_dropoff_on_a_closed_request_leaves_it_closed_and_says_so() {
    let fixture = Fixture::new();
    let closed = unstaffed(&fixture, "2026-12-02T21:05:00-05:00").handoff;
    let decision = fixture
        .apply(&closed, drop_off("rivera", Some("sobering")), LATER)
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(decision.handoff, closed);
    assert_eq!(
        told(&decision, &rivera()),
        vec![Message::DropOffRefused {
            id: HandoffId::new(ID),
            refusal: Refusal::Closed {
                name: "Sobering Center".to_owned(),
                opens: Some(local("2026-12-03T01:00:00-05:00")),
            },
            then: AfterRefusal::Closed,
        }]
    );
    // While a case manager is coming, the refusal says so.
    let opened = fixture.open(EVENING).handoff;
    let accepted = fixture.step(&opened, accept("dana"), "2026-12-02T21:01:00-05:00");
    let decision = fixture
        .apply(&accepted, drop_off("rivera", Some("sobering")), LATER)
        .unwrap_or_else(|e| panic!("{e}"));
    assert!(told(&decision, &rivera()).iter().any(|m| matches!(
        m,
        Message::DropOffRefused {
            then: AfterRefusal::Coming,
            ..
        }
    )));
}

#[test]
fn a_dropoff_not_checked_in_in_time_is_told_once_and_frees_its_place() {
    let fixture = Fixture::new();
    let opened = fixture.open(EVENING).handoff;
    let dropped = fixture
        .apply(&opened, drop_off("rivera", None), LATER)
        .unwrap_or_else(|e| panic!("{e}"));
    let due =
        at(LATER) + chrono::Duration::from_std(CHECK_IN_WITHIN).unwrap_or_else(|e| panic!("{e}"));
    assert!(dropped.effects.contains(&Effect::Schedule {
        timer: Timer::CheckInDue,
        at: due,
    }));
    let dropped = dropped.handoff;
    let mut load = Load::default();
    load.count(&dropped, false);
    assert_eq!(load.on_the_way.get(&center_id("stab")), Some(&1));
    // 22:50, Wednesday: the site is open, so the supervisor hears of it too.
    let fired = fixture.fire(&dropped, Timer::CheckInDue, "2026-12-02T22:50:00-05:00");
    let overdue = Message::DropOffOverdue {
        id: HandoffId::new(ID),
        center: "Stabilization Ctr".to_owned(),
        officer: "Ofc. Rivera".to_owned(),
        minutes: 90,
    };
    assert_eq!(told(&fired, &staff("jo")), vec![overdue.clone()]);
    assert_eq!(told(&fired, &staff("pat")), vec![overdue]);
    assert!(told(&fired, &rivera()).is_empty());
    assert_eq!(
        events(&fired),
        vec![EventKind::CheckInOverdue {
            center: center_id("stab")
        }]
    );
    assert_eq!(fired.handoff.state, dropping_off_at_stab(true));
    let mut load = Load::default();
    load.count(&fired.handoff, false);
    assert!(load.on_the_way.is_empty(), "{:?}", load.on_the_way);
    // Told once: the timer again (a retry) does nothing.
    let again = fixture.fire(
        &fired.handoff,
        Timer::CheckInDue,
        "2026-12-02T22:51:00-05:00",
    );
    assert!(again.effects.is_empty(), "{:?}", again.effects);
    // A late check-in still records the arrival.
    let late = fixture
        .apply(&fired.handoff, check_in("jo"), "2026-12-02T23:30:00-05:00")
        .unwrap_or_else(|e| panic!("{e}"));
    assert!(matches!(late.handoff.state, State::CheckedIn { .. }));
    // Checked in first: the deadline is stopped, and a timer that fires all the
    // same finds nothing to do.
    let checking = fixture
        .apply(&dropped, check_in("jo"), "2026-12-02T21:40:00-05:00")
        .unwrap_or_else(|e| panic!("{e}"));
    assert!(checking.effects.contains(&Effect::Cancel {
        timer: Timer::CheckInDue
    }));
    let after = fixture.fire(
        &checking.handoff,
        Timer::CheckInDue,
        "2026-12-02T22:50:00-05:00",
    );
    assert!(after.effects.is_empty(), "{:?}", after.effects);
}

#[test]
fn at_night_an_overdue_dropoff_is_told_to_the_center_but_waits_for_the_supervisors() {
    let fixture = Fixture::new();
    // Saturday 21:00: the site is closed; the request closed out of hours.
    let closed = fixture.open("2026-12-05T21:00:00-05:00").handoff;
    let dropped = fixture.step(
        &closed,
        drop_off("rivera", None),
        "2026-12-05T21:10:00-05:00",
    );
    let fired = fixture.fire(&dropped, Timer::CheckInDue, "2026-12-05T22:40:00-05:00");
    assert_eq!(told(&fired, &staff("jo")).len(), 1);
    assert!(told(&fired, &staff("pat")).is_empty());
}

/// On the way to the Stabilization Center, `overdue` or not.
fn dropping_off_at_stab(overdue: bool) -> State {
    State::DroppingOff {
        center: center_id("stab"),
        overdue,
    }
}

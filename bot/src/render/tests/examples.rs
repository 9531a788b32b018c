//! The examples of DESIGN.md, word for word: offers, receipts, who took it and
//! the ETA, and a closed program's opening.

use handoff_dispatcher::{HandoffKind, Message};

use crate::render::fixtures::{at, id, monday_eight, offer_of};
use crate::render::{SEGMENT, septets, sms};

#[test]
fn an_offer_reads_like_the_design_example() {
    assert_eq!(
        sms(&offer_of("5th & Main", "Metro PD", "Ofc. Rivera", false)),
        "LEAD 4821: arrest diversion at 5th & Main, Ofc. Rivera (Metro PD). \
         Reply Y4821 to take it, N4821 to pass."
    );
}

#[test]
fn an_after_hours_offer_says_so() {
    assert_eq!(
        sms(&offer_of("5th & Main", "Metro PD", "Ofc. Rivera", true)),
        "LEAD 4821 (after hours): arrest diversion at 5th & Main, Ofc. Rivera (Metro PD). \
         Reply Y4821 to take it, N4821 to pass."
    );
}

#[test]
fn the_officer_is_told_the_request_was_received_and_how_to_withdraw_it() {
    let message = Message::Received {
        id: id(),
        kind: HandoffKind::ArrestDiversion,
        location: "5th & Main, retail theft".to_owned(),
        search_minutes: None,
        center: None,
    };
    assert_eq!(
        sms(&message),
        "Got it: hand-off 4821 (arrest diversion), 5th & Main, retail theft. \
         Finding an on-duty case manager. Reply CANCEL 4821 to withdraw."
    );
}

#[test]
fn a_receipt_offers_an_open_center_leaving_out_the_longest_search_time_to_fit() {
    let receipt = |location: &str, center: &str| {
        sms(&Message::Received {
            id: id(),
            kind: HandoffKind::ArrestDiversion,
            location: location.to_owned(),
            search_minutes: Some(15),
            center: Some(center.to_owned()),
        })
    };
    assert_eq!(
        receipt("5th & Main", "Stabilization Ctr"),
        "Got it: hand-off 4821 (arrest diversion), 5th & Main. Finding a case manager, or \
         DROPOFF 4821 at Stabilization Ctr. Reply CANCEL 4821 to withdraw."
    );
    // A long place and a long name share the room: the officer knows the place,
    // so it keeps no more than its start; the name is cut as every text cuts one.
    let long = receipt(
        "5th & Main, retail theft, behind the bus shelter",
        "Allegheny Crisis Stabilization Center",
    );
    assert_eq!(
        long,
        "Got it: hand-off 4821 (arrest diversion), 5th & Main, ret... Finding a case manager, \
         or DROPOFF 4821 at Allegheny Crisis Stab... Reply CANCEL 4821 to withdraw."
    );
    assert!(septets(&long) <= SEGMENT);
}

#[test]
fn the_case_manager_who_accepts_is_told_what_to_reply() {
    assert_eq!(
        sms(&Message::Assignment {
            id: id(),
            brief: None
        }),
        "4821 is yours. Reply ETA <minutes>, ARRIVED, DONE. Other texts go to the officer."
    );
}

#[test]
fn the_others_are_told_who_took_it() {
    let message = Message::TakenByOther {
        id: id(),
        first_name: "Dana".to_owned(),
    };
    assert_eq!(sms(&message), "4821 was taken by Dana.");
}

#[test]
fn the_officer_is_told_who_is_taking_it() {
    let message = Message::Assigned {
        id: id(),
        first_name: "Dana".to_owned(),
        role: "case manager".to_owned(),
    };
    assert_eq!(sms(&message), "Dana (case manager) is taking 4821.");
}

#[test]
fn the_officer_is_told_the_eta_in_minutes_and_local_clock_time() {
    let message = Message::Eta {
        id: id(),
        first_name: "Dana".to_owned(),
        minutes: 15,
        arrive_by: at("2026-11-23T10:47:00-05:00"),
    };
    assert_eq!(
        sms(&message),
        "Dana: on the way to 4821, about 15 min (10:47 AM)."
    );
}

#[test]
fn the_officer_is_told_when_a_closed_program_opens_and_how_to_refer() {
    let message = Message::OutOfHours {
        id: id(),
        kind: HandoffKind::ArrestDiversion,
        next_opening: Some(monday_eight()),
        center: None,
    };
    assert_eq!(
        sms(&message),
        "4821: Case management is closed; it opens Mon 8:00 AM. \
         To refer this person for follow-up, reply REFER with place and notes."
    );
}

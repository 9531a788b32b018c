//! The words that offer a diversion center when a request closes with nobody
//! coming or waits on the on-call coordinator, a refused drop-off's last sentence,
//! and the notice of a drop-off nobody checked in: each as the officer or the
//! center's staff reads it, and each in one segment whatever the names.

use handoff_dispatcher::center::Refusal;
use handoff_dispatcher::message::AfterRefusal;
use handoff_dispatcher::{HandoffKind, Message};

use super::fixtures::{id, monday_eight, one_of_each};
use super::{SEGMENT, septets, sms};

const STAB: &str = "Stabilization Ctr";

#[test]
fn the_after_hours_receipt_offers_an_open_center_and_drops_the_longest_time_to_fit() {
    let text = sms(&Message::AfterHoursSearching {
        id: id(),
        next_opening: Some(monday_eight()),
        search_minutes: Some(5),
        center: Some(STAB.to_owned()),
    });
    assert_eq!(
        text,
        "Got it: 4821. Case management is closed until Mon 8:00 AM; asking the on-call \
         coordinator, or DROPOFF 4821 at Stabilization Ctr. Reply CANCEL 4821 to withdraw."
    );
    let short = sms(&Message::AfterHoursSearching {
        id: id(),
        next_opening: None,
        search_minutes: Some(5),
        center: Some("Sobering".to_owned()),
    });
    assert_eq!(
        short,
        "Got it: hand-off 4821. Case management is closed; asking the on-call coordinator \
         (at most 5 min), or DROPOFF 4821 at Sobering. Reply CANCEL 4821 to withdraw."
    );
}

#[test]
fn texts_closing_a_request_with_nobody_coming_offer_the_center_first() {
    let unstaffed = sms(&Message::Unstaffed {
        id: id(),
        next_opening: Some(monday_eight()),
        center: Some(STAB.to_owned()),
    });
    assert_eq!(
        unstaffed,
        "4821: nobody could be reached. Reply DROPOFF 4821 to take them to Stabilization \
         Ctr. Or proceed as you normally would. Case management opens Mon 8:00 AM."
    );
    let expired = sms(&Message::Expired {
        id: id(),
        center: Some(STAB.to_owned()),
    });
    assert_eq!(
        expired,
        "4821: the case manager did not arrive in time, so it is closed. Reply DROPOFF 4821 \
         to take them to Stabilization Ctr. Or proceed as you normally would."
    );
    let out_of_hours = sms(&Message::OutOfHours {
        id: id(),
        kind: HandoffKind::ArrestDiversion,
        next_opening: Some(monday_eight()),
        center: Some(STAB.to_owned()),
    });
    assert_eq!(
        out_of_hours,
        "4821: Case management is closed; it opens Mon 8:00 AM. Reply DROPOFF 4821 for \
         Stabilization Ctr. Or REFER with place and notes for follow-up."
    );
    // Without a center the words are as they always were.
    assert_eq!(
        sms(&Message::Expired {
            id: id(),
            center: None,
        }),
        "4821: the case manager did not arrive in time, so it is closed. Please proceed as \
         you normally would."
    );
}

#[test]
fn every_text_offering_a_center_fits_one_segment_and_names_the_dropoff() {
    for words in ["Dana", &"very long words ".repeat(40), "Ünïcödé 🚓 名前"] {
        for message in one_of_each(words) {
            let offers = match &message {
                Message::Unstaffed { center, .. }
                | Message::Expired { center, .. }
                | Message::AfterHoursSearching { center, .. } => center.is_some(),
                Message::OutOfHours { center, kind, .. } => {
                    center.is_some() && *kind == HandoffKind::ArrestDiversion
                }
                _ => false,
            };
            if !offers {
                continue;
            }
            let text = sms(&message);
            assert!(
                septets(&text) <= SEGMENT,
                "{} septets: {text}",
                septets(&text)
            );
            assert!(text.contains("DROPOFF 4821"), "{text}");
        }
    }
}

#[test]
fn a_refused_dropoff_ends_with_what_still_stands() {
    let refused = |then| {
        sms(&Message::DropOffRefused {
            id: id(),
            refusal: Refusal::AllFull,
            then,
        })
    };
    assert_eq!(
        refused(AfterRefusal::Searching),
        "4821: every open center is full. The search for a case manager goes on."
    );
    assert_eq!(
        refused(AfterRefusal::Coming),
        "4821: every open center is full. The case manager is still coming."
    );
    assert_eq!(
        refused(AfterRefusal::Closed),
        "4821: every open center is full. Please proceed as you normally would."
    );
}

#[test]
fn an_overdue_dropoff_tells_the_center_how_long_and_how_to_check_in() {
    let text = sms(&Message::DropOffOverdue {
        id: id(),
        center: STAB.to_owned(),
        officer: "Ofc. Rivera".to_owned(),
        minutes: 120,
    });
    assert_eq!(
        text,
        "4821: nobody checked in the drop-off at Stabilization Ctr from Ofc. Rivera within \
         2 h. Staff there: reply CHECKIN 4821 if they arrived."
    );
    assert!(septets(&text) <= SEGMENT);
}

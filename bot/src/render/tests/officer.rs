//! The other texts an officer gets: proceeding unstaffed, a referral filed for
//! follow-up, an after-hours search, a cancel by staff, relayed texts.

use handoff_dispatcher::{HandoffKind, Message};

use crate::render::fixtures::{id, monday_eight};
use crate::render::{sms, to_gsm7};

#[test]
fn an_unstaffed_hand_off_while_open_just_says_to_proceed() {
    let message = Message::Unstaffed {
        id: id(),
        next_opening: None,
        center: None,
    };
    assert_eq!(
        sms(&message),
        "4821: nobody could be reached. Please proceed as you normally would."
    );
}

#[test]
fn a_referral_out_of_hours_is_filed_for_follow_up() {
    let message = Message::OutOfHours {
        id: id(),
        kind: HandoffKind::SocialContactReferral,
        next_opening: Some(monday_eight()),
        center: None,
    };
    assert_eq!(
        sms(&message),
        "4821: referral filed. Case management is closed; someone will follow up after it \
         opens Mon 8:00 AM."
    );
}

#[test]
fn an_after_hours_search_says_who_is_asked_and_how_to_withdraw() {
    let message = Message::AfterHoursSearching {
        id: id(),
        next_opening: Some(monday_eight()),
        search_minutes: None,
        center: None,
    };
    assert_eq!(
        sms(&message),
        "Got it: hand-off 4821, but case management is closed until Mon 8:00 AM. \
         Asking the on-call coordinator. Reply CANCEL 4821 to withdraw."
    );
}

#[test]
fn a_cancel_by_staff_gives_the_reason_sanitised() {
    let message = Message::CancelledByStaff {
        id: id(),
        first_name: "Dana".to_owned(),
        reason: Some("person “declined” — left\nthe scene".to_owned()),
    };
    assert_eq!(
        sms(&message),
        "Dana cancelled 4821: person \"declined\" - left the scene. \
         Please proceed as you normally would."
    );
    let without = Message::CancelledByOfficer {
        id: id(),
        reason: None,
    };
    assert_eq!(sms(&without), "The officer cancelled 4821. No need to go.");
}

#[test]
fn relayed_texts_are_prefixed_with_the_number_and_passed_whole() {
    let long = format!("I’m at the back door — {}", "and here is more ".repeat(30));
    let text = sms(&Message::RelayFromStaff {
        id: id(),
        first_name: "Dana".to_owned(),
        text: long.clone(),
    });
    assert_eq!(text, format!("4821 Dana: {}", to_gsm7(long.trim())));
    assert!(text.starts_with("4821 Dana: I'm at the back door - and here"));
    let text = sms(&Message::RelayFromOfficer {
        id: id(),
        officer: "Ofc. Rivera".to_owned(),
        text: "He’s ready\nline two".to_owned(),
    });
    assert_eq!(text, "4821 Ofc. Rivera: He's ready\nline two");
}

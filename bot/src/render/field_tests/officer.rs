//! What the officer gets: the search's limit, give-backs, not-diverted outcomes in
//! plain words, a late and silent case manager, report numbers, followed-up referrals.

use handoff_dispatcher::outcome::NotDivertedCode;
use handoff_dispatcher::{HandoffKind, Message};

use crate::render::fixtures::{at, id};
use crate::render::{SEGMENT, septets, sms};

#[test]
fn a_receipt_says_how_long_the_search_can_take_at_most() {
    let received = |search_minutes| Message::Received {
        id: id(),
        kind: HandoffKind::ArrestDiversion,
        location: "5th & Main".to_owned(),
        search_minutes,
        center: None,
    };
    assert_eq!(
        sms(&received(Some(15))),
        "Got it: hand-off 4821 (arrest diversion), 5th & Main. Finding an on-duty case \
         manager (at most 15 min). Reply CANCEL 4821 to withdraw."
    );
    assert!(sms(&received(Some(65))).contains("(at most 1 h 5 min)"));
    // No limit is promised where none is known.
    assert!(!sms(&received(Some(0))).contains("at most"));
    assert!(!sms(&received(None)).contains("at most"));
}

#[test]
fn an_after_hours_search_says_how_long_the_coordinator_is_asked() {
    let text = sms(&Message::AfterHoursSearching {
        id: id(),
        next_opening: Some(at("2026-11-23T08:00:00-05:00")),
        search_minutes: Some(65),
        center: None,
    });
    assert_eq!(
        text,
        "Got it: hand-off 4821, but case management is closed until Mon 8:00 AM. Asking the \
         on-call coordinator (at most 1 h 5 min). Reply CANCEL 4821 to withdraw."
    );
    assert!(septets(&text) <= SEGMENT);
}

#[test]
fn the_officer_hears_plainly_that_the_case_manager_gave_it_back() {
    assert_eq!(
        sms(&Message::GivenBack {
            id: id(),
            first_name: "Dana".to_owned(),
        }),
        "Dana cannot come to 4821 after all. Another case manager is being found. \
         Reply CANCEL 4821 to withdraw."
    );
}

#[test]
fn a_hand_off_closed_without_a_diversion_says_why_in_plain_words() {
    assert_eq!(
        sms(&Message::NotDiverted {
            id: id(),
            code: NotDivertedCode::Left,
        }),
        "4821 is closed without a diversion because the person left the scene. \
         Please proceed as you normally would."
    );
    assert_eq!(
        sms(&Message::NotDivertedRecorded {
            id: id(),
            code: NotDivertedCode::Declined,
        }),
        "Recorded: 4821 is closed without a diversion because the person declined."
    );
    for code in NotDivertedCode::ALL {
        for message in [
            Message::NotDiverted { id: id(), code },
            Message::NotDivertedRecorded { id: id(), code },
        ] {
            assert!(sms(&message).contains(code.words()), "{message:?}");
        }
    }
}

#[test]
fn the_officer_is_told_when_the_case_manager_is_late_and_silent() {
    assert_eq!(
        sms(&Message::RunningLate {
            id: id(),
            first_name: "Dana".to_owned(),
            supervisor_told: true,
        }),
        "Dana is late for 4821 and has not given a new ETA; a supervisor has been told. \
         Reply CANCEL 4821 to withdraw."
    );
    // At night, with no alert sent, no promise of one.
    assert_eq!(
        sms(&Message::RunningLate {
            id: id(),
            first_name: "Dana".to_owned(),
            supervisor_told: false,
        }),
        "Dana is late for 4821 and has not given a new ETA. Reply CANCEL 4821 to withdraw."
    );
}

#[test]
fn a_report_number_is_confirmed_without_repeating_it() {
    let text = sms(&Message::ReportNumberRecorded { id: id() });
    assert_eq!(text, "The report number for 4821 is recorded. Thank you.");
    let digits: String = text.chars().filter(char::is_ascii_digit).collect();
    assert_eq!(digits, "4821");
}

#[test]
fn the_officer_of_a_referral_hears_it_was_followed_up() {
    assert_eq!(
        sms(&Message::FollowedUpForOfficer { id: id() }),
        "Case management has followed up on your referral 4821. Thank you."
    );
}

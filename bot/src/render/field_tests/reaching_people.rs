//! Reaching people: an unregistered number, and what each side can still do when a
//! text does not get through.

use handoff_dispatcher::Message;

use crate::render::fixtures::id;
use crate::render::{SEGMENT, septets, sms};

#[test]
fn an_unregistered_number_is_told_who_registers_people() {
    let text = sms(&Message::NotRegistered {
        contact: Some("Sam Ortiz, LEAD program coordinator".to_owned()),
    });
    assert_eq!(
        text,
        "This number is not registered with the program. To be added, contact Sam Ortiz, \
         LEAD program coordinator."
    );
    let long = sms(&Message::NotRegistered {
        contact: Some("the coordinator ".repeat(20)),
    });
    assert!(septets(&long) <= SEGMENT, "{long}");
    let blank = sms(&Message::NotRegistered {
        contact: Some("  ".to_owned()),
    });
    assert_eq!(blank, sms(&Message::NotRegistered { contact: None }));
}

#[test]
fn not_getting_through_says_what_each_side_can_still_do() {
    let to_officer = sms(&Message::NotGettingThrough {
        id: id(),
        to: "Dana".to_owned(),
        for_officer: true,
    });
    assert_eq!(
        to_officer,
        "4821: texts to Dana are not getting through; the case manager may still be on the \
         way. Reply STATUS for news or CANCEL 4821 to withdraw."
    );
    let to_staff = sms(&Message::NotGettingThrough {
        id: id(),
        to: "Ofc. Rivera".to_owned(),
        for_officer: false,
    });
    assert_eq!(
        to_staff,
        "4821: texts to Ofc. Rivera are not getting through. Go to the place given, or reply \
         BACK 4821 if you cannot go."
    );
    for text in [to_officer, to_staff] {
        assert!(septets(&text) <= SEGMENT, "{text}");
    }
}

//! Confirmations: short, and saying what happens next.

use handoff_dispatcher::Message;

use crate::render::fixtures::id;
use crate::render::sms;

#[test]
fn confirmations_are_short_and_say_what_happens_next() {
    let table = [
        (Message::DeclineConfirmed { id: id() }, "Passed on 4821."),
        (
            Message::GiveBackConfirmed { id: id() },
            "You gave 4821 back; it is being offered to others.",
        ),
        (
            Message::FollowUpTaken { id: id() },
            "The follow-up of 4821 is yours. Reply FOLLOWED 4821 when it is done, with a note \
             if you like.",
        ),
        (
            Message::FollowUpTakenByOther {
                id: id(),
                first_name: "Lee".to_owned(),
            },
            "Lee already took the follow-up of 4821.",
        ),
        (
            Message::FollowedUpConfirmed { id: id() },
            "The follow-up of 4821 is recorded as done. Thank you.",
        ),
    ];
    for (message, expected) in table {
        assert_eq!(sms(&message), expected);
    }
}

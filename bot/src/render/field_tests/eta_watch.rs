//! The ETA watch and intake: a passed ETA, supervisors told who is late, and the
//! intake texts with their due date.

use handoff_dispatcher::Message;

use crate::render::fixtures::{at, id};
use crate::render::{SEGMENT, septets, sms};

#[test]
fn a_passed_eta_asks_for_a_new_one_arrival_or_a_give_back() {
    assert_eq!(
        sms(&Message::EtaPassed {
            id: id(),
            minutes: 10,
        }),
        "4821: your ETA passed 10 min ago. Reply ETA 4821 <min> with a new one, ARRIVED 4821, \
         or BACK 4821 if you cannot go."
    );
}

#[test]
fn supervisors_hear_who_is_late_where_in_one_segment() {
    let late = |first_name: &str, site: &str| {
        sms(&Message::LateAlert {
            id: id(),
            first_name: first_name.to_owned(),
            site: site.to_owned(),
        })
    };
    assert_eq!(
        late("Dana", "Allegheny County"),
        "Dana is late for 4821 (Allegheny County): the ETA passed with no arrival or new ETA. \
         The officer was told; please check in."
    );
    let long = late(&"Maximiliana".repeat(5), &"Allegheny County ".repeat(5));
    assert!(septets(&long) <= SEGMENT, "{long}");
}

#[test]
fn intake_texts_give_the_due_date_and_the_command() {
    let due = at("2026-12-28T17:00:00-05:00");
    assert_eq!(
        sms(&Message::IntakeReminder { id: id(), due }),
        "Intake for 4821 is due by Mon Dec 28. Reply INTAKE 4821 when it is done."
    );
    assert_eq!(
        sms(&Message::IntakeOverdueAlert {
            id: id(),
            first_name: "Dana".to_owned(),
            due,
        }),
        "Intake for 4821 is overdue: it was due Mon Dec 28 and Dana has not recorded it."
    );
    assert_eq!(
        sms(&Message::IntakeRecorded { id: id() }),
        "Intake for 4821 is recorded. Thank you."
    );
}

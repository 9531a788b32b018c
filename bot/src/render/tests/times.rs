//! Times in the SMS words: the arrive-by offset of an ETA, long ETAs in hours, and
//! openings as day and local time.

use handoff_dispatcher::Message;

use crate::render::fixtures::{at, id};
use crate::render::sms;

#[test]
fn the_eta_is_shown_in_the_arrive_by_offset() {
    let eta = |arrive_by: &str| Message::Eta {
        id: id(),
        first_name: "Dana".to_owned(),
        minutes: 15,
        arrive_by: at(arrive_by),
    };
    assert!(sms(&eta("2026-11-23T10:47:00-05:00")).contains("(10:47 AM)"));
    // The same instant, carried in UTC, is shown as UTC.
    assert!(sms(&eta("2026-11-23T15:47:00+00:00")).contains("(3:47 PM)"));
    assert!(sms(&eta("2026-11-23T00:05:00+05:30")).contains("(12:05 AM)"));
}

#[test]
fn long_etas_read_in_hours() {
    let eta = |minutes| Message::Eta {
        id: id(),
        first_name: "Dana".to_owned(),
        minutes,
        arrive_by: at("2026-11-23T12:02:00-05:00"),
    };
    assert!(sms(&eta(1)).contains("about 1 min (12:02 PM)"));
    assert!(sms(&eta(60)).contains("about 1 h ("));
    assert!(sms(&eta(90)).contains("about 1 h 30 min ("));
}

#[test]
fn an_opening_is_shown_as_day_and_local_time() {
    let message = Message::Unstaffed {
        id: id(),
        next_opening: Some(at("2026-11-24T13:30:00-08:00")),
        center: None,
    };
    assert_eq!(
        sms(&message),
        "4821: nobody could be reached. Please proceed as you normally would. \
         Case management opens Tue 1:30 PM."
    );
}

//! What the case manager gets: the whole request and what to reply, never cut, under
//! each status line, and offers that name the site.

use handoff_dispatcher::message::{Brief, OfferContext, StatusLine};
use handoff_dispatcher::{HandoffKind, Message};

use crate::render::fixtures::{at, id};
use crate::render::{SEGMENT, septets, sms};

fn brief() -> Brief {
    Brief {
        kind: HandoffKind::ArrestDiversion,
        location: "5th & Main, retail theft".to_owned(),
        site: "Allegheny County".to_owned(),
        zone: Some("zone-1".to_owned()),
        officer: "Ofc. Rivera".to_owned(),
        agency: "Metro Police Department".to_owned(),
    }
}

#[test]
fn the_case_manager_who_takes_it_gets_the_whole_request_and_what_to_reply() {
    let text = sms(&Message::Assignment {
        id: id(),
        brief: Some(brief()),
    });
    assert_eq!(
        text,
        "4821 is yours: arrest diversion at 5th & Main, retail theft (Allegheny County, \
         zone-1), Ofc. Rivera (Metro Police Department). Reply ETA <min>, ARRIVED, DONE, \
         NOTDIVERTED 4821 <why>, or BACK 4821 if you cannot go. Other texts go to the officer."
    );
}

#[test]
fn the_whole_request_is_never_cut_however_long() {
    let location = "Corner of 5th Avenue & Main Street, behind the bus shelter, ".repeat(5);
    let text = sms(&Message::Assignment {
        id: id(),
        brief: Some(Brief {
            location: location.clone(),
            zone: None,
            ..brief()
        }),
    });
    assert!(text.contains(location.trim()), "{text}");
    assert!(text.contains("(Allegheny County), Ofc. Rivera"), "{text}");
    assert!(septets(&text) > SEGMENT, "the test needs a long request");
}

#[test]
fn a_staff_status_shows_each_request_under_its_line() {
    let text = sms(&Message::Status {
        lines: vec![StatusLine {
            id: id(),
            kind: HandoffKind::ArrestDiversion,
            state: "en_route".to_owned(),
            first_name: Some("Dana".to_owned()),
            eta: Some(at("2026-11-23T10:47:00-05:00")),
            brief: Some(brief()),
        }],
    });
    assert_eq!(
        text,
        "4821 arrest diversion: Dana on the way, ETA 10:47 AM\n\
         at 5th & Main, retail theft (Allegheny County, zone-1), Ofc. Rivera (Metro Police \
         Department)"
    );
}

#[test]
fn an_offer_to_someone_serving_several_sites_names_the_site() {
    let offer = |site: &str, after_hours| Message::Offer {
        id: id(),
        kind: HandoffKind::ArrestDiversion,
        location: "5th & Main".to_owned(),
        agency: "Metro PD".to_owned(),
        officer: "Ofc. Rivera".to_owned(),
        after_hours,
        context: OfferContext {
            site: site.to_owned(),
            name_site: true,
            ..Default::default()
        },
    };
    assert_eq!(
        sms(&offer("Allegheny County", false)),
        "LEAD 4821 (Allegheny County): arrest diversion at 5th & Main, Ofc. Rivera (Metro PD). \
         Reply Y4821 to take it, N4821 to pass."
    );
    let text = sms(&offer("Allegheny County Diversion Program, North", true));
    assert!(
        text.starts_with("LEAD 4821 (Allegheny County..., after hours): "),
        "{text}"
    );
    let mut unnamed = offer("Allegheny County", false);
    if let Message::Offer { context, .. } = &mut unnamed {
        context.name_site = false;
    }
    assert!(sms(&unnamed).starts_with("LEAD 4821: arrest"));
}

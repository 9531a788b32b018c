//! STATUS and WHO: one compact line per hand-off and per site.

use handoff_dispatcher::message::{SiteNow, StatusLine};
use handoff_dispatcher::{HandoffId, HandoffKind, Message};

use crate::render::fixtures::{at, id, monday_eight};
use crate::render::sms;

#[test]
fn status_shows_one_compact_line_per_hand_off() {
    let message = Message::Status {
        lines: vec![
            StatusLine {
                id: id(),
                kind: HandoffKind::ArrestDiversion,
                state: "en_route".to_owned(),
                first_name: Some("Dana".to_owned()),
                eta: Some(at("2026-11-23T10:47:00-05:00")),
                brief: None,
            },
            StatusLine {
                id: HandoffId::new(4822),
                kind: HandoffKind::SocialContactReferral,
                state: "offering".to_owned(),
                first_name: None,
                eta: None,
                brief: None,
            },
        ],
    };
    assert_eq!(
        sms(&message),
        "4821 arrest diversion: Dana on the way, ETA 10:47 AM\n\
         4822 social contact referral: finding a case manager"
    );
    assert_eq!(
        sms(&Message::Status { lines: Vec::new() }),
        "You have no open hand-offs."
    );
}

#[test]
fn who_shows_one_compact_line_per_site() {
    let message = Message::OnDutyNow {
        sites: vec![
            SiteNow {
                site: "Downtown".to_owned(),
                open: true,
                on_duty: vec![
                    ("Dana".to_owned(), "case manager".to_owned()),
                    ("Lee".to_owned(), "case manager".to_owned()),
                ],
                next_opening: None,
            },
            SiteNow {
                site: "Eastside".to_owned(),
                open: false,
                on_duty: Vec::new(),
                next_opening: Some(monday_eight()),
            },
        ],
    };
    assert_eq!(
        sms(&message),
        "Downtown (open): Dana (case manager), Lee (case manager)\n\
         Eastside (closed, opens Mon 8:00 AM): nobody on duty"
    );
}

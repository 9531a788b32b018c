//! Follow-ups: the opening digest and the FOLLOWUP list, one line each, cut short
//! with a count of the rest.

use handoff_dispatcher::Message;
use handoff_dispatcher::message::FollowUpLine;
use handoff_dispatcher::outcome::FollowUpReason;

use crate::render::fixtures::{at, follow_up_of};
use crate::render::{septets, sms};

fn waiting(n: u32, reason: FollowUpReason, time: &str) -> FollowUpLine {
    FollowUpLine {
        site: "Allegheny County".to_owned(),
        location: "Pine St shelter, asked for help".to_owned(),
        requested_at: at(time),
        ..follow_up_of(n, reason, "", None)
    }
}

#[test]
fn the_opening_digest_lists_what_waits_in_one_text() {
    let items = vec![
        waiting(4821, FollowUpReason::Referral, "2026-11-21T02:14:00-05:00"),
        waiting(4822, FollowUpReason::Unstaffed, "2026-11-21T03:40:00-05:00"),
        FollowUpLine {
            taken_by: Some("Lee".to_owned()),
            ..waiting(4823, FollowUpReason::Expired, "2026-11-22T23:05:00-05:00")
        },
    ];
    assert_eq!(
        sms(&Message::FollowUpDigest {
            site: "Allegheny County".to_owned(),
            items,
        }),
        "Allegheny County is open. Waiting for follow-up: 4821 referral (Sat 2:14 AM), \
         4822 nobody took it (Sat 3:40 AM), 4823 nobody arrived (Sun 11:05 PM, taken by Lee). \
         Reply FOLLOWUP for details, TAKE 4821 to take one."
    );
}

#[test]
fn a_digest_with_everything_taken_offers_nothing_to_take() {
    let items = vec![FollowUpLine {
        taken_by: Some("Lee".to_owned()),
        ..waiting(4821, FollowUpReason::Referral, "2026-11-21T02:14:00-05:00")
    }];
    let text = sms(&Message::FollowUpDigest {
        site: "Allegheny County".to_owned(),
        items,
    });
    assert!(text.ends_with("Reply FOLLOWUP for details."), "{text}");
    assert!(!text.contains("TAKE"), "{text}");
}

#[test]
fn a_long_digest_counts_what_it_cannot_list() {
    let items: Vec<FollowUpLine> = (0..50)
        .map(|n| {
            waiting(
                4821 + n,
                FollowUpReason::Unstaffed,
                "2026-11-21T02:14:00-05:00",
            )
        })
        .collect();
    let text = sms(&Message::FollowUpDigest {
        site: "Allegheny County".to_owned(),
        items,
    });
    assert!(
        septets(&text) <= 3 * 153,
        "{} septets: {text}",
        septets(&text)
    );
    let listed = text.matches("nobody took it").count();
    assert!(listed > 3, "{text}");
    assert!(
        text.contains(&format!(", and {} more.", 50 - listed)),
        "{text}"
    );
}

#[test]
fn followup_lists_one_line_each_with_place_reason_time_and_who_has_it() {
    let items = vec![
        waiting(4821, FollowUpReason::Referral, "2026-11-21T02:14:00-05:00"),
        FollowUpLine {
            taken_by: Some("Lee".to_owned()),
            location: "5th & Main".to_owned(),
            ..waiting(4822, FollowUpReason::Unstaffed, "2026-11-21T03:40:00-05:00")
        },
    ];
    assert_eq!(
        sms(&Message::FollowUps { items }),
        "4821 referral, Sat 2:14 AM, Allegheny County: Pine St shelter, asked for help. \
         Waiting.\n\
         4822 nobody took it, Sat 3:40 AM, Allegheny County: 5th & Main. Taken by Lee.\n\
         Reply TAKE 4821 to take one."
    );
    assert_eq!(
        sms(&Message::FollowUps { items: Vec::new() }),
        "No follow-ups are waiting."
    );
}

#[test]
fn a_long_followup_list_stops_at_ten_and_counts_the_rest() {
    let items: Vec<FollowUpLine> = (0..14)
        .map(|n| {
            waiting(
                4821 + n,
                FollowUpReason::Referral,
                "2026-11-21T02:14:00-05:00",
            )
        })
        .collect();
    let text = sms(&Message::FollowUps { items });
    assert_eq!(text.matches("Waiting.").count(), 10, "{text}");
    assert!(text.contains("\nand 4 more\n"), "{text}");
}

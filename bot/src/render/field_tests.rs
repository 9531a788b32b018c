//! The tests of the field workflow's SMS words: the whole request, the search's
//! limit, offers naming their site, give-backs, not-diverted outcomes, the ETA
//! watch, intake, follow-ups and their digest, and the replies about reaching
//! people.

use handoff_dispatcher::message::{Brief, FollowUpLine, OfferContext, Problem};
use handoff_dispatcher::outcome::{FollowUpReason, NotDivertedCode};
use proptest::prelude::*;

use super::fixtures::{at, follow_up_of, id, one_of_each, variant};
use super::tests::unicode;
use super::{SEGMENT, is_gsm7, septets, sms};
use crate::sms::grammar::{Command, parse};
use handoff_dispatcher::message::StatusLine;
use handoff_dispatcher::{HandoffId, HandoffKind, Message};

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

fn problem(id: Option<HandoffId>, problem: Problem) -> String {
    sms(&Message::Problem {
        id,
        problem,
        open: Vec::new(),
    })
}

// ---- what the case manager gets ----

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

// ---- what the officer gets ----

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

// ---- the ETA watch and intake ----

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

// ---- confirmations ----

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

// ---- follow-ups ----

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

// ---- reaching people ----

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

// ---- problems ----

#[test]
fn an_eta_out_of_range_gives_the_range_and_a_fitting_example() {
    assert_eq!(
        problem(Some(id()), Problem::EtaOutOfRange { max: 45 }),
        "4821: Send an ETA from 1 to 45 minutes, e.g. ETA 15."
    );
    assert!(problem(None, Problem::EtaOutOfRange { max: 5 }).ends_with("e.g. ETA 5."));
    assert!(problem(None, Problem::BadEta).ends_with("e.g. ETA 15."));
    assert!(!problem(None, Problem::BadEta).contains("600"));
}

#[test]
fn a_bad_outcome_lists_every_code() {
    let text = problem(Some(id()), Problem::BadOutcome);
    for code in NotDivertedCode::ALL {
        assert!(text.contains(code.name()), "{code} missing: {text}");
    }
}

#[test]
fn no_follow_up_and_no_intake_name_the_hand_off() {
    assert_eq!(
        problem(Some(id()), Problem::NoFollowUp),
        "4821 has no follow-up waiting."
    );
    assert_eq!(
        problem(Some(id()), Problem::NoIntake),
        "4821 has no intake to record."
    );
}

#[test]
fn the_examples_problems_give_are_commands_the_grammar_takes() {
    let example = |text: &str| {
        let (_, after) = text
            .rsplit_once("e.g. ")
            .unwrap_or_else(|| panic!("no example in {text}"));
        parse(after.trim_end_matches('.'))
    };
    match example(&problem(Some(id()), Problem::BadOutcome)) {
        Command::NotDiverted {
            id: named, code, ..
        } => {
            assert_eq!((named, code), (Some(id()), Some(NotDivertedCode::Left)));
        }
        other => panic!("{other:?}"),
    }
    match example(&problem(Some(id()), Problem::BadReportNumber)) {
        Command::ReportNumber { id: named, number } => {
            assert_eq!(named, Some(id()));
            assert!(number.is_some());
        }
        other => panic!("{other:?}"),
    }
    match example(&problem(None, Problem::BadReportNumber)) {
        Command::ReportNumber { id: None, number } => assert!(number.is_some()),
        other => panic!("{other:?}"),
    }
    match example(&problem(None, Problem::EtaOutOfRange { max: 30 })) {
        Command::Eta { minutes: 15, .. } => {}
        other => panic!("{other:?}"),
    }
}

// ---- every text ----

/// The variants of the field workflow in `fixtures::variant`.
const FIELD_VARIANTS: std::ops::RangeFrom<usize> = 30..;

#[test]
fn every_field_text_but_the_lists_fits_one_segment_whatever_the_names() {
    let mut checked = 0;
    for message in one_of_each(&"very long words ".repeat(40)) {
        let field = FIELD_VARIANTS.contains(&variant(&message))
            || matches!(
                message,
                Message::NotGettingThrough { .. } | Message::NotRegistered { .. }
            );
        let lists = matches!(
            message,
            Message::FollowUps { .. } | Message::FollowUpDigest { .. }
        );
        if field && !lists {
            let text = sms(&message);
            assert!(septets(&text) <= SEGMENT, "{message:?}: {text}");
            checked += 1;
        }
    }
    assert!(checked > 20, "only {checked} checked");
}

proptest! {
    #[test]
    fn an_offer_naming_any_site_is_gsm7_in_one_segment_with_its_codes(
        location in unicode(300),
        site in unicode(80),
        officer in unicode(60),
        number in 1001u32..,
        after_hours in any::<bool>(),
    ) {
        let message = Message::Offer {
            id: HandoffId::new(number),
            kind: HandoffKind::SocialContactReferral,
            location,
            agency: "Metro PD".to_owned(),
            officer,
            after_hours,
            context: OfferContext { site, name_site: true, ..Default::default() },
        };
        let text = sms(&message);
        prop_assert!(is_gsm7(&text), "{}", text);
        prop_assert!(septets(&text) <= SEGMENT, "{} septets: {}", septets(&text), text);
        let codes = format!("Reply Y{number} to take it, N{number} to pass.");
        prop_assert!(text.ends_with(&codes), "{}", text);
    }

    #[test]
    fn a_digest_of_any_size_stays_within_three_segments(
        count in 1usize..80,
        site in unicode(60),
    ) {
        let items: Vec<FollowUpLine> = (0..count)
            .map(|n| follow_up_of(4821 + n as u32, FollowUpReason::Referral, "x", None))
            .collect();
        let text = sms(&Message::FollowUpDigest { site, items });
        prop_assert!(is_gsm7(&text));
        prop_assert!(septets(&text) <= 3 * 153, "{} septets: {}", septets(&text), text);
        prop_assert!(text.ends_with("TAKE 4821 to take one."), "{}", text);
    }
}

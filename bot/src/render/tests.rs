//! The tests of the SMS words: the design's examples, every variant in GSM-7, offers
//! and receipts in one segment.

use handoff_dispatcher::message::{Named, Problem};
use proptest::prelude::*;

use super::fixtures::{
    VARIANTS, all_named, all_problems, at, id, monday_eight, offer_of, one_of_each, variant,
};
use super::{SEGMENT, is_gsm7, septets, sms, to_gsm7};
use handoff_dispatcher::message::{Audience, SiteNow, StatusLine};
use handoff_dispatcher::{HandoffId, HandoffKind, Message};

// ---- the examples of DESIGN.md ----

#[test]
fn an_offer_reads_like_the_design_example() {
    assert_eq!(
        sms(&offer_of("5th & Main", "Metro PD", "Ofc. Rivera", false)),
        "LEAD 4821: arrest diversion at 5th & Main, Ofc. Rivera (Metro PD). \
         Reply Y4821 to take it, N4821 to pass."
    );
}

#[test]
fn an_after_hours_offer_says_so() {
    assert_eq!(
        sms(&offer_of("5th & Main", "Metro PD", "Ofc. Rivera", true)),
        "LEAD 4821 (after hours): arrest diversion at 5th & Main, Ofc. Rivera (Metro PD). \
         Reply Y4821 to take it, N4821 to pass."
    );
}

#[test]
fn the_officer_is_told_the_request_was_received_and_how_to_withdraw_it() {
    let message = Message::Received {
        id: id(),
        kind: HandoffKind::ArrestDiversion,
        location: "5th & Main, retail theft".to_owned(),
        search_minutes: None,
        center: None,
    };
    assert_eq!(
        sms(&message),
        "Got it: hand-off 4821 (arrest diversion), 5th & Main, retail theft. \
         Finding an on-duty case manager. Reply CANCEL 4821 to withdraw."
    );
}

#[test]
fn a_receipt_offers_an_open_center_leaving_out_the_longest_search_time_to_fit() {
    let receipt = |location: &str, center: &str| {
        sms(&Message::Received {
            id: id(),
            kind: HandoffKind::ArrestDiversion,
            location: location.to_owned(),
            search_minutes: Some(15),
            center: Some(center.to_owned()),
        })
    };
    assert_eq!(
        receipt("5th & Main", "Stabilization Ctr"),
        "Got it: hand-off 4821 (arrest diversion), 5th & Main. Finding a case manager, or \
         DROPOFF 4821 at Stabilization Ctr. Reply CANCEL 4821 to withdraw."
    );
    // A long place and a long name share the room: the officer knows the place,
    // so it keeps no more than its start; the name is cut as every text cuts one.
    let long = receipt(
        "5th & Main, retail theft, behind the bus shelter",
        "Allegheny Crisis Stabilization Center",
    );
    assert_eq!(
        long,
        "Got it: hand-off 4821 (arrest diversion), 5th & Main, ret... Finding a case manager, \
         or DROPOFF 4821 at Allegheny Crisis Stab... Reply CANCEL 4821 to withdraw."
    );
    assert!(septets(&long) <= SEGMENT);
}

#[test]
fn the_case_manager_who_accepts_is_told_what_to_reply() {
    assert_eq!(
        sms(&Message::Assignment {
            id: id(),
            brief: None
        }),
        "4821 is yours. Reply ETA <minutes>, ARRIVED, DONE. Other texts go to the officer."
    );
}

#[test]
fn the_others_are_told_who_took_it() {
    let message = Message::TakenByOther {
        id: id(),
        first_name: "Dana".to_owned(),
    };
    assert_eq!(sms(&message), "4821 was taken by Dana.");
}

#[test]
fn the_officer_is_told_who_is_taking_it() {
    let message = Message::Assigned {
        id: id(),
        first_name: "Dana".to_owned(),
        role: "case manager".to_owned(),
    };
    assert_eq!(sms(&message), "Dana (case manager) is taking 4821.");
}

#[test]
fn the_officer_is_told_the_eta_in_minutes_and_local_clock_time() {
    let message = Message::Eta {
        id: id(),
        first_name: "Dana".to_owned(),
        minutes: 15,
        arrive_by: at("2026-11-23T10:47:00-05:00"),
    };
    assert_eq!(
        sms(&message),
        "Dana: on the way to 4821, about 15 min (10:47 AM)."
    );
}

#[test]
fn the_officer_is_told_when_a_closed_program_opens_and_how_to_refer() {
    let message = Message::OutOfHours {
        id: id(),
        kind: HandoffKind::ArrestDiversion,
        next_opening: Some(monday_eight()),
        center: None,
    };
    assert_eq!(
        sms(&message),
        "4821: Case management is closed; it opens Mon 8:00 AM. \
         To refer this person for follow-up, reply REFER with place and notes."
    );
}

// ---- every variant ----

#[test]
fn the_table_has_one_of_each_variant() {
    let mut seen = [false; VARIANTS];
    for message in one_of_each("x") {
        seen[variant(&message)] = true;
    }
    assert!(seen.iter().all(|s| *s), "missing variants: {seen:?}");
}

#[test]
fn every_variant_renders_gsm7_even_from_unicode_input() {
    let messy = "“Dana” — José’s café… 🚓 naïve Œuvre ﬁ\u{200B}\u{301}\t北京";
    for message in one_of_each(messy).iter().chain(&one_of_each("Dana")) {
        let text = sms(message);
        assert!(is_gsm7(&text), "{message:?} rendered non-GSM-7: {text}");
        assert!(!text.trim().is_empty(), "{message:?} rendered nothing");
    }
}

#[test]
fn our_own_words_use_only_the_basic_gsm7_set() {
    for message in one_of_each("Dana") {
        let text = sms(&message);
        assert_eq!(septets(&text), text.chars().count(), "{message:?}: {text}");
    }
}

#[test]
fn every_message_about_a_hand_off_names_its_number() {
    for message in one_of_each("Dana") {
        if let Some(id) = message.handoff() {
            let text = sms(&message);
            assert!(text.contains(&id.to_string()), "{message:?}: {text}");
        }
    }
}

#[test]
fn cancel_is_never_shown_bare() {
    for message in one_of_each("Dana") {
        let text = sms(&message);
        for (at, _) in text.match_indices("CANCEL") {
            let after = &text[at + "CANCEL".len()..];
            assert!(
                after.starts_with(" <") || after.starts_with(" 4") || after.starts_with(" alone"),
                "{message:?}: {text}"
            );
        }
    }
}

#[test]
fn offers_and_receipts_fit_one_segment() {
    for message in one_of_each(&"very long words ".repeat(40)) {
        if matches!(
            message,
            Message::Offer { .. } | Message::Received { .. } | Message::UnstaffedAlert { .. }
        ) {
            assert!(septets(&sms(&message)) <= SEGMENT, "{message:?}");
        }
    }
}

// ---- offers in one segment ----

#[test]
fn an_offer_with_a_300_character_location_fits_one_segment_with_its_codes() {
    let location = "Corner of 5th Avenue & Main Street, behind the bus shelter ".repeat(6);
    let location: String = location.chars().take(300).collect();
    for after_hours in [false, true] {
        let text = sms(&offer_of(&location, "Metro PD", "Ofc. Rivera", after_hours));
        assert!(
            septets(&text) <= SEGMENT,
            "{} septets: {text}",
            septets(&text)
        );
        assert!(text.contains("Y4821") && text.contains("N4821"), "{text}");
        assert!(text.contains("5th Avenue & Main Street"), "{text}");
        assert!(text.contains("..., Ofc. Rivera (Metro PD)."), "{text}");
    }
}

#[test]
fn an_offer_with_long_names_too_fits_one_segment_with_its_codes() {
    let location = "x".repeat(300);
    let agency = "Metropolitan Police Department of the Greater Riverside County Area";
    let officer =
        "Senior Community Outreach Officer Maximiliana Rivera-Montgomery-Featherstonehaugh";
    for after_hours in [false, true] {
        let message = Message::Offer {
            id: HandoffId::new(u32::MAX),
            kind: HandoffKind::SocialContactReferral,
            location: location.clone(),
            agency: agency.to_owned(),
            officer: officer.to_owned(),
            after_hours,
            context: Default::default(),
        };
        let text = sms(&message);
        assert!(
            septets(&text) <= SEGMENT,
            "{} septets: {text}",
            septets(&text)
        );
        assert!(text.contains(&format!(
            "Reply Y{} to take it, N{} to pass.",
            u32::MAX,
            u32::MAX
        )));
        assert!(text.contains("xxxxxxxxxxxxxxxxxxxx..."), "{text}");
    }
}

#[test]
fn an_offer_counts_extension_characters_as_two_septets() {
    let text = sms(&offer_of(
        &"[€]".repeat(100),
        "Metro PD",
        "Ofc. Rivera",
        false,
    ));
    assert!(
        septets(&text) <= SEGMENT,
        "{} septets: {text}",
        septets(&text)
    );
    assert!(text.contains("Y4821") && text.contains("N4821"));
}

#[test]
fn an_offer_folds_line_breaks_in_the_location() {
    let text = sms(&offer_of(
        "5th &\n Main\r\n\tbehind",
        "Metro PD",
        "Ofc. Rivera",
        false,
    ));
    assert!(text.contains("at 5th & Main behind, Ofc."), "{text}");
}

// ---- times ----

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

// ---- the other officer texts ----

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

// ---- help and refusals ----

/// Help lists every command a person may send, in three segments at most.
const MAX_HELP: usize = 3 * 153;

#[test]
fn officer_help_lists_the_officer_commands_and_the_privacy_reminder() {
    let text = sms(&Message::Help {
        audience: Audience::Officer,
    });
    for needle in [
        "LEAD <place, what happened>",
        "REFER <place, notes>",
        "LEAD @Name",
        "STATUS",
        "RPT <number>",
        "NOTDIVERTED <number>",
        "CANCEL <number>",
        "DROPOFF <number>",
        "reason",
        "Do not text names or dates of birth.",
    ] {
        assert!(text.contains(needle), "{needle} missing: {text}");
    }
    assert!(septets(&text) <= MAX_HELP, "{} septets", septets(&text));
}

#[test]
fn staff_help_lists_the_staff_commands() {
    let text = sms(&Message::Help {
        audience: Audience::Staff,
    });
    for needle in [
        "Y<number>",
        "N<number>",
        "ETA <min>",
        "ARRIVED",
        "DONE",
        "BACK <number>",
        "NOTDIVERTED <number>",
        "FOLLOWUP",
        "TAKE <number>",
        "FOLLOWED <number>",
        "INTAKE <number>",
        "CHECKIN <number>",
        "WHO",
    ] {
        assert!(text.contains(needle), "{needle} missing: {text}");
    }
    assert!(septets(&text) <= MAX_HELP, "{} septets", septets(&text));
}

#[test]
fn an_unregistered_number_gets_one_short_line() {
    let text = sms(&Message::NotRegistered { contact: None });
    assert!(!text.contains('\n'));
    assert!(text.contains("not registered") && text.contains("program coordinator"));
    assert!(septets(&text) <= SEGMENT);
}

#[test]
fn an_opt_out_is_confirmed_with_how_to_resume() {
    let text = sms(&Message::OptedOut);
    assert!(
        text.contains("no more texts") && text.contains("Reply START"),
        "{text}"
    );
}

#[test]
fn naming_the_hand_off_lists_the_open_ones_with_the_command_that_was_meant() {
    let cases = [
        (Named::Accept, "Y4821"),
        (Named::Decline, "N4821"),
        (Named::Eta, "ETA 4821 15"),
        (Named::Arrived, "ARRIVED 4821"),
        (Named::Done, "DONE 4821"),
        (Named::Cancel, "CANCEL 4821"),
        (Named::Message, "#4821 your message"),
        (Named::GiveBack, "BACK 4821"),
        (Named::NotDiverted, "NOTDIVERTED 4821 left"),
        (Named::Intake, "INTAKE 4821"),
        (Named::ReportNumber, "RPT 4821 <report number>"),
        (Named::FollowedUp, "FOLLOWED 4821"),
        (Named::DropOff, "DROPOFF 4821"),
        (Named::CheckIn, "CHECKIN 4821"),
    ];
    for named in all_named() {
        assert!(
            cases.iter().any(|(command, _)| *command == named),
            "{named:?} has no example here"
        );
    }
    for (command, example) in cases {
        let message = Message::Problem {
            id: None,
            problem: Problem::NameTheHandoff { command },
            open: vec![id(), HandoffId::new(4822)],
        };
        assert_eq!(
            sms(&message),
            format!("You have 4821 and 4822 open: say which, e.g. {example}.")
        );
        // The example is itself a command that names the hand-off.
        use crate::sms::grammar::{Command, parse};
        let parsed = parse(&example.replace("your message", "he is calm"));
        let named = match &parsed {
            Command::Accept { id, .. }
            | Command::Decline { id, .. }
            | Command::Eta { id, .. }
            | Command::Arrived { id }
            | Command::Done { id }
            | Command::Cancel { id, .. }
            | Command::GiveBack { id, .. }
            | Command::NotDiverted { id, .. }
            | Command::Intake { id }
            | Command::ReportNumber { id, .. }
            | Command::FollowedUp { id, .. }
            | Command::DropOff { id, .. }
            | Command::CheckIn { id }
            | Command::Text { id, .. } => *id,
            _ => None,
        };
        assert_eq!(named, Some(id()), "{example} parses as {parsed:?}");
    }
}

#[test]
fn every_problem_is_one_sentence_and_lists_the_open_hand_offs() {
    for problem in all_problems() {
        let alone = sms(&Message::Problem {
            id: None,
            problem,
            open: Vec::new(),
        });
        let sentences = alone.replace("e.g.", "eg").matches(". ").count() + 1;
        assert_eq!(sentences, 1, "{problem:?}: {alone}");
        assert!(alone.ends_with('.'), "{problem:?}: {alone}");
        let with_open = sms(&Message::Problem {
            id: Some(id()),
            problem,
            open: vec![
                HandoffId::new(4822),
                HandoffId::new(4823),
                HandoffId::new(4824),
            ],
        });
        assert!(
            with_open.contains("4822, 4823 and 4824"),
            "{problem:?}: {with_open}"
        );
    }
}

#[test]
fn problems_name_the_hand_off_they_are_about() {
    let text = |problem| {
        sms(&Message::Problem {
            id: Some(id()),
            problem,
            open: Vec::new(),
        })
    };
    assert_eq!(text(Problem::Closed), "4821 is already closed.");
    assert_eq!(text(Problem::NotYours), "4821 is not assigned to you.");
    assert_eq!(text(Problem::UnknownHandoff), "There is no hand-off 4821.");
    assert!(text(Problem::BadEta).contains("ETA 15"));
}

// ---- status and who ----

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

/// Any text of up to `max` characters, from all of Unicode.
pub(super) fn unicode(max: usize) -> impl Strategy<Value = String> {
    proptest::collection::vec(any::<char>(), 0..max).prop_map(String::from_iter)
}

proptest! {
    #[test]
    fn an_offer_of_any_unicode_is_gsm7_in_one_segment(
        location in unicode(400),
        agency in unicode(120),
        officer in unicode(120),
        number in 1001u32..,
        after_hours in any::<bool>(),
    ) {
        let message = Message::Offer {
            id: HandoffId::new(number),
            kind: HandoffKind::ArrestDiversion,
            location,
            agency,
            officer,
            after_hours,
            context: Default::default(),
        };
        let text = sms(&message);
        prop_assert!(is_gsm7(&text), "{}", text);
        prop_assert!(septets(&text) <= SEGMENT, "{} septets: {}", septets(&text), text);
        let codes = format!("Reply Y{number} to take it, N{number} to pass.");
        prop_assert!(text.ends_with(&codes), "{}", text);
    }

    #[test]
    fn a_receipt_of_any_unicode_is_gsm7_in_one_segment(
        location in unicode(400),
        search_minutes in proptest::option::of(any::<u32>()),
        center in proptest::option::of(unicode(80)),
        number in prop_oneof![Just(4821u32), 1001u32..],
    ) {
        let text = sms(&Message::Received {
            id: HandoffId::new(number),
            kind: HandoffKind::SocialContactReferral,
            location,
            search_minutes,
            center: center.clone(),
        });
        prop_assert!(is_gsm7(&text));
        prop_assert!(septets(&text) <= SEGMENT, "{} septets: {}", septets(&text), text);
        let withdraw = format!("Reply CANCEL {number} to withdraw.");
        prop_assert!(text.ends_with(&withdraw), "{}", text);
        // A center with a name worth showing is offered whenever the segment has
        // room for it, which it has with a four-digit number.
        let named = center.as_deref().is_some_and(|c| !to_gsm7(c).trim().is_empty());
        if named && number == 4821 {
            let offer = format!(", or DROPOFF {number} at ");
            prop_assert!(text.contains(&offer), "{}", text);
        }
    }
}

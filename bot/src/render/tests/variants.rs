//! Every variant of the SMS words: GSM-7 even from Unicode input, our own words in
//! the basic set, hand-off numbers named, CANCEL never bare, one-segment offers.

use handoff_dispatcher::Message;

use crate::render::fixtures::{VARIANTS, one_of_each, variant};
use crate::render::{SEGMENT, is_gsm7, septets, sms};

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

//! Offers and receipts in one segment: long locations and names, extension
//! characters, line breaks, and any Unicode at all.

use handoff_dispatcher::{HandoffId, HandoffKind, Message};
use proptest::prelude::*;

use super::unicode;
use crate::render::fixtures::offer_of;
use crate::render::{SEGMENT, is_gsm7, septets, sms, to_gsm7};

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

//! Every text of the field workflow fits its segments, whatever the names.

use handoff_dispatcher::message::{FollowUpLine, OfferContext};
use handoff_dispatcher::outcome::FollowUpReason;
use handoff_dispatcher::{HandoffId, HandoffKind, Message};
use proptest::prelude::*;

use crate::render::fixtures::{follow_up_of, one_of_each, variant};
use crate::render::tests::unicode;
use crate::render::{SEGMENT, is_gsm7, septets, sms};

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

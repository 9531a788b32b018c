//! Properties of the grammar over generated texts: it never panics, plain text is
//! relayed unchanged, and every id and minute count is read back.

use handoff_dispatcher::HandoffId;
use proptest::prelude::*;

use super::{KEYWORDS, accept, decline, eta, lead, relay_to, text};
use crate::sms::grammar::parse;

proptest! {
    #[test]
    fn parse_never_panics_on_arbitrary_strings(body in any::<String>()) {
        let _ = parse(&body);
    }

    #[test]
    fn parse_never_panics_on_keywords_followed_by_anything(
        lead_in in "[ \t#.!\"]{0,3}",
        keyword in proptest::sample::select(KEYWORDS.to_vec()),
        glue in "[ #:,.\\-]{0,2}",
        tail in "\\PC{0,40}|[0-9# mM]{0,12}",
    ) {
        let _ = parse(&format!("{lead_in}{keyword}{glue}{tail}"));
        let _ = parse(&format!("{lead_in}{}{glue}{tail}", keyword.to_lowercase()));
    }

    #[test]
    fn text_not_starting_with_a_keyword_is_relayed_trimmed_and_unchanged(
        space in "\\s{0,3}",
        word in "[a-zA-Z]{1,10}",
        rest in "([^a-zA-Z]\\PC{0,60})?",
        end in "\\s{0,3}",
    ) {
        prop_assume!(!KEYWORDS.iter().any(|k| word.eq_ignore_ascii_case(k)));
        let body = format!("{space}{word}{rest}{end}");
        prop_assert_eq!(parse(&body), text(body.trim()));
    }

    #[test]
    fn y_followed_by_any_id_accepts_that_id(n in 1u32..=999_999_999) {
        let expected = accept(Some(n));
        prop_assert_eq!(parse(&format!("Y{n}")), expected.clone());
        prop_assert_eq!(parse(&format!("y#{n}")), expected.clone());
        prop_assert_eq!(parse(&format!(" Y {n}. ")), expected.clone());
        prop_assert_eq!(parse(&format!("ACCEPT #{}", HandoffId::new(n))), expected);
    }

    #[test]
    fn n_followed_by_any_id_declines_that_id(n in 1u32..=999_999_999) {
        prop_assert_eq!(parse(&format!("N{n}")), decline(Some(n), None));
        prop_assert_eq!(parse(&format!("n#{n} busy")), decline(Some(n), Some("busy")));
    }

    #[test]
    fn eta_accepts_every_minute_count_from_one_to_six_hundred(
        minutes in 1u32..=handoff_dispatcher::decide::MAX_ETA_MINUTES,
        n in 1000u32..=999_999_999,
    ) {
        prop_assert_eq!(parse(&format!("ETA {minutes}")), eta(minutes, None));
        prop_assert_eq!(parse(&format!("eta {minutes} min")), eta(minutes, None));
        prop_assert_eq!(parse(&format!("ETA {n} {minutes}")), eta(minutes, Some(n)));
        prop_assert_eq!(parse(&format!("ETA {minutes}m #{n}")), eta(minutes, Some(n)));
    }

    #[test]
    fn a_request_keeps_its_text_with_whitespace_collapsed(
        words in proptest::collection::vec("[\\p{L}\\p{N}][\\p{L}\\p{N}&,.']{0,8}", 1..8),
        gap in "\\s{1,3}",
    ) {
        let body = format!("LEAD{gap}{}", words.join(&gap));
        prop_assert_eq!(parse(&body), lead(&words.join(" ")));
    }

    #[test]
    fn a_hash_prefixed_relay_names_its_handoff(
        n in 1u32..=999_999_999,
        words in "[a-zA-Z][a-zA-Z ]{0,30}[a-zA-Z]",
    ) {
        prop_assert_eq!(parse(&format!("#{n} {words}")), relay_to(n, &words));
    }
}

//! Redaction of likely personal identifiers from text that is relayed or stored:
//! dates that may be dates of birth, US Social Security numbers, and long digit runs
//! that may be other ID numbers. It errs on the side of removing: a location or note
//! loses little by losing a date, and a participant's record may fall under 42 CFR
//! Part 2. Phone numbers typed by a person are left alone; they chose to share them.

use std::sync::LazyLock;

use regex::Regex;

/// What replaces a redacted span: GSM-7 safe, and plainly a redaction.
pub const REDACTED: &str = "[redacted]";

// Applied in this order. Numbers come before dates of birth: the date-of-birth
// pattern takes numbers after the date ("born April 5, 1990"), and would otherwise
// take the first group of an SSN that follows it ("DOB 4/5/1990 123-45-6789"),
// leaving the rest ("-45-6789") for no pattern to recognise.
static PATTERNS: LazyLock<Vec<Regex>> = LazyLock::new(|| {
    [
        // SSN: 123-45-6789, 123 45 6789
        r"\b\d{3}[\s\-]\d{2}[\s\-]\d{4}\b",
        // "SSN 123456789", "social 123456789"
        r"(?i)\b(ssn|social security( number| no\.?)?|social)\s*[:#]?\s*\d[\d\s\-]{6,}\d",
        // nine or more digits in a row: an SSN or another ID number
        r"\b\d{9,}\b",
        // "DOB 4/5/1990", "d.o.b: 1990-04-05", "born 04/05/90"
        // "born April 5 1990", "DOB Apr 5th, 1990"
        r"(?i)\b(d\.?\s?o\.?\s?b\.?|date of birth|born)\s*[:\-]?\s*\S+(\s+\d{1,4}(st|nd|rd|th)?(,?\s*\d{2,4})?)?",
        // written dates with a year, wherever they stand: "April 5, 1990",
        // "5th Apr 1990". A warm hand-off has no other use for a full date.
        r"(?i)\b(jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec)[a-z]*\.?\s+\d{1,2}(st|nd|rd|th)?,?\s+\d{4}\b",
        r"(?i)\b\d{1,2}(st|nd|rd|th)?\s+(jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec)[a-z]*\.?,?\s+\d{4}\b",
        // numeric dates: 4/5/1990, 04-05-90, 4.5.1990, 1990-04-05
        r"\b\d{1,2}[/.\-]\d{1,2}[/.\-]\d{2,4}\b",
        r"\b\d{4}[/.\-]\d{1,2}[/.\-]\d{1,2}\b",
    ]
    .iter()
    .filter_map(|p| Regex::new(p).ok())
    .collect()
});

/// Compiles the patterns ahead of the first text. A service calls this at start,
/// so the first request after a start does not pay for it on the hot path.
pub fn prepare() {
    LazyLock::force(&PATTERNS);
}

/// The text with likely identifiers replaced by `[redacted]`.
pub fn redact(text: &str) -> String {
    let mut out = text.to_owned();
    for pattern in PATTERNS.iter() {
        out = pattern.replace_all(&out, REDACTED).into_owned();
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn dates_of_birth_and_ssns_are_redacted() {
        let cases = [
            ("DOB 4/5/1990 at 5th and Main", "[redacted] at 5th and Main"),
            ("born 1990-04-05", "[redacted]"),
            ("he says 04-05-90", "he says [redacted]"),
            ("ssn 123-45-6789", "ssn [redacted]"),
            ("SSN: 123456789 ok", "[redacted] ok"),
            ("id 1234567890", "id [redacted]"),
            // An SSN right after a date of birth is not cut in two.
            ("DOB 4/5/1990 123-45-6789", "[redacted] [redacted]"),
            ("born April 5, 1990 123 45 6789", "[redacted] [redacted]"),
            (
                "born April 5 1990, at the bus stop",
                "[redacted], at the bus stop",
            ),
            ("DOB Apr 5th, 1990", "[redacted]"),
            (
                "he gave April 5, 1990 as his birthday",
                "he gave [redacted] as his birthday",
            ),
            ("says 5 April 1990", "says [redacted]"),
        ];
        for (input, expected) in cases {
            assert_eq!(redact(input), expected, "input: {input}");
        }
    }

    #[test]
    fn ordinary_locations_and_times_are_kept() {
        for text in [
            "5th & Main, retail theft",
            "ETA 15",
            "at the 7-11 on Penn Ave",
            "room 12, 3rd floor",
            "call 412 555 0101",
        ] {
            assert_eq!(redact(text), text);
        }
    }

    proptest! {
        #[test]
        fn no_ssn_survives_whatever_surrounds_it(prefix in "[a-zA-Z ,.]{0,20}", a in 100u32..999, b in 10u32..99, c in 1000u32..9999, suffix in "[a-zA-Z ,.]{0,20}") {
            let text = format!("{prefix} {a}-{b}-{c} {suffix}");
            let out = redact(&text);
            let needle = format!("{a}-{b}-{c}");
            prop_assert!(!out.contains(&needle));
        }

        #[test]
        fn no_numeric_date_survives(prefix in "[a-zA-Z ,]{0,20}", m in 1u32..12, d in 1u32..28, y in 1930u32..2020) {
            let text = format!("{prefix} {m}/{d}/{y}");
            let out = redact(&text);
            let needle = format!("{m}/{d}/{y}");
            prop_assert!(!out.contains(&needle));
        }

        #[test]
        fn no_written_date_with_a_year_survives(prefix in "[a-zA-Z ,]{0,20}", m in 0usize..12, d in 1u32..31, y in 1930u32..2020, comma in proptest::bool::ANY) {
            let months = ["January", "Feb", "March", "Apr.", "May", "June", "Jul", "August", "Sept", "October", "Nov", "December"];
            let text = format!("{prefix} {} {d}{} {y}", months[m], if comma { "," } else { "" });
            let out = redact(&text);
            prop_assert!(!out.contains(&y.to_string()), "{} -> {}", text, out);
        }

        #[test]
        fn text_without_digits_is_unchanged(text in "[a-zA-Z ,.&']{0,60}") {
            prop_assume!(!text.to_lowercase().contains("born") && !text.to_lowercase().contains("dob") && !text.to_lowercase().contains("d.o.b") && !text.to_lowercase().contains("date of birth"));
            prop_assert_eq!(redact(&text), text);
        }
    }
}

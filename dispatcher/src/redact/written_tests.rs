//! Dates of birth and SSNs in the many ways a person types them, labelled or
//! not, in any case, set among arbitrary text (any script, symbols, control
//! characters, just no digits): none of their digits survive redaction. And no
//! text at all, however strange, makes redaction panic.
//!
//! Case counts are small enough for CI; `PROPTEST_CASES=100000` hunts longer.

use proptest::collection::vec;
use proptest::prelude::*;

use super::{is_invisible, redact};

/// The number of cases to run: `default`, or `PROPTEST_CASES` for a longer hunt.
fn cases(default: u32) -> u32 {
    std::env::var("PROPTEST_CASES")
        .ok()
        .and_then(|n| n.parse().ok())
        .unwrap_or(default)
}

const MONTHS: [&str; 12] = [
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
];

/// A month as written: in full, in three letters, with a period, or `Sept`.
fn month(m: u32, style: u8) -> String {
    let full = MONTHS[(m as usize + 11) % 12];
    let short: String = full.chars().take(3).collect();
    match style % 4 {
        0 => full.to_owned(),
        1 => short,
        2 => format!("{short}."),
        _ if m == 9 => "Sept".to_owned(),
        _ => short.to_uppercase(),
    }
}

fn ordinal(d: u32) -> &'static str {
    match d {
        1 | 21 | 31 => "st",
        2 | 22 => "nd",
        3 | 23 => "rd",
        _ => "th",
    }
}

/// The marks people put between the numbers of a date or an SSN.
const MARKS: [&str; 9] = ["/", "-", ".", "\\", "_", " / ", " - ", " . ", "-"];

/// A date of birth with its year, written in form `form`: needs no label.
fn dated(form: u8, m: u32, d: u32, y: u32, pick: u8) -> String {
    let yy = y % 100;
    let k = MARKS[usize::from(pick) % MARKS.len()];
    let mon = month(m, pick / 9);
    let th = ordinal(d);
    match form % 28 {
        0 => format!("{m}{k}{d}{k}{y}"),
        1 => format!("{m:02}{k}{d:02}{k}{y}"),
        2 => format!("{m}{k}{d}{k}{yy:02}"),
        3 => format!("{m:02}{k}{d:02}{k}{yy:02}"),
        4 => format!("{d}{k}{m}{k}{y}"),
        5 => format!("{d:02}.{m:02}.{y}"),
        6 => format!("{y}-{m:02}-{d:02}"),
        7 => format!("{y}{k}{m}{k}{d}"),
        8 => format!("{m} {d} {y}"),
        9 => format!("{m:02} {d:02} {y}"),
        10 => format!("{m:02}{d:02}{y}"),
        11 => format!("{d:02}{m:02}{y}"),
        12 => format!("{y}{m:02}{d:02}"),
        13 => format!("{mon} {d}, {y}"),
        14 => format!("{mon} {d} {y}"),
        15 => format!("{mon} {d}{th}, {y}"),
        16 => format!("{d} {mon} {y}"),
        17 => format!("{d}{th} of {mon}, {y}"),
        18 => format!("the {d}{th} of {mon} {y}"),
        19 => format!("{d:02}-{mon}-{y}"),
        20 => format!("{d:02}{}{y}", mon.trim_end_matches('.').to_uppercase()),
        21 => format!("{mon}-{d:02}-{y}"),
        22 => format!("{y}-{mon}-{d:02}"),
        23 => format!("{y} {mon} {d}"),
        24 => format!("{mon} {d} '{yy:02}"),
        25 => format!("{d}-{mon}-{yy:02}"),
        26 => format!("{mon} {d}{th} {y}"),
        _ => format!("{m}/{d}/'{yy:02}"),
    }
}

/// A date of birth that only its label makes one, written in form `form`.
fn undated(form: u8, m: u32, d: u32, y: u32, pick: u8) -> String {
    let k = MARKS[usize::from(pick) % MARKS.len()];
    let mon = month(m, pick / 9);
    let th = ordinal(d);
    match form % 9 {
        0 => format!("{m}{k}{d}"),
        1 => format!("{mon} {d}"),
        2 => format!("{mon} {d}{th}"),
        3 => format!("the {d}{th} of {mon}"),
        4 => format!("{m:02}{d:02}{:02}", y % 100),
        5 => format!("{y}"),
        6 => format!("{mon} {y}"),
        7 => format!("{m:02}-{d:02}"),
        _ => format!("{d} {mon}"),
    }
}

/// What says a date of birth follows, as people type it.
const LABELS: [&str; 24] = [
    "DOB",
    "DOB:",
    "dob",
    "D.O.B.",
    "d.o.b:",
    "DOB -",
    "DOB=",
    "DOB#",
    "(DOB",
    "Date of Birth:",
    "date of birth",
    "birth date",
    "birthdate",
    "Birthday:",
    "bday",
    "b-day",
    "born",
    "born on",
    "born in",
    "Born:",
    "DOB is",
    "dob was",
    "his DOB is",
    "DOB of",
];

/// An SSN in form `form`.
fn ssn(form: u8, a: u32, b: u32, c: u32, pick: u8) -> String {
    let k = MARKS[usize::from(pick) % MARKS.len()];
    let digits = format!("{a:03}{b:02}{c:04}");
    match form % 22 {
        0 => format!("{a:03}-{b:02}-{c:04}"),
        1 => format!("{a:03} {b:02} {c:04}"),
        2 => format!("{a:03}{k}{b:02}{k}{c:04}"),
        3 => digits,
        4 => format!("{a:03} - {b:02} - {c:04}"),
        5 => digits
            .chars()
            .map(String::from)
            .collect::<Vec<_>>()
            .join(" "),
        6 => format!("ssn{digits}"),
        7 => format!("SSN#{a:03}-{b:02}-{c:04}"),
        8 => format!("SSN: {a:03} {b:02} {c:04}"),
        9 => format!("SS# {digits}"),
        10 => format!("social {a:03}-{b:02}-{c:04}"),
        11 => format!("social security number {digits}"),
        12 => format!("SSN ending in {c:04}"),
        13 => format!("last four of SSN {c:04}"),
        14 => format!("xxx-xx-{c:04}"),
        15 => format!("XXX-XX-{c:04}"),
        16 => format!("***-**-{c:04}"),
        17 => format!("SSN {a:03}-{b:02}-{c:04}"),
        18 => format!("s.s.n. {digits}"),
        19 => format!("SSN is {a:03}{b:02}-{c:04}"),
        20 => format!("Social Security #: {digits}"),
        _ => format!("ssn last four {c:04}"),
    }
}

/// `text` with the case of its letters changed where `flips` says.
fn recase(text: &str, flips: &[bool]) -> String {
    text.chars()
        .enumerate()
        .map(|(i, c)| {
            if flips.get(i % flips.len().max(1)).copied().unwrap_or(false) {
                if c.is_lowercase() {
                    c.to_ascii_uppercase()
                } else {
                    c.to_ascii_lowercase()
                }
            } else {
                c
            }
        })
        .collect()
}

/// Arbitrary text without a digit or a number of any script (every digit in the
/// result must then have come from the identifier).
fn around() -> impl Strategy<Value = String> {
    prop_oneof![
        2 => any::<String>(),
        2 => vec("[a-zA-Z]{1,9}[,.;:!?]?", 0..6).prop_map(|w| w.join(" ")),
        1 => "[\\p{Greek}\\p{Cyrillic}\\p{Han}\\p{Arabic} ,.]{0,20}",
    ]
    .prop_map(|text| text.chars().filter(|c| !c.is_numeric()).collect())
}

/// What people put between an identifier and the words around it.
fn gap() -> impl Strategy<Value = &'static str> {
    proptest::sample::select(vec![
        " ", "\n", ", ", ": ", " (", ") ", "; ", " - ", "\t", "  ", " \"", "\" ",
    ])
}

fn no_digits(text: &str) -> bool {
    !text.chars().any(|c| c.is_ascii_digit())
}

proptest! {
    #![proptest_config(ProptestConfig {
        cases: cases(800),
        failure_persistence: None,
        ..ProptestConfig::default()
    })]

    #[test]
    fn a_date_of_birth_with_its_year_is_redacted_however_it_is_written(
        before in around(), after in around(), gaps in (gap(), gap()),
        form in any::<u8>(), pick in any::<u8>(), labelled in any::<bool>(),
        label in proptest::sample::select(LABELS.to_vec()),
        m in 1u32..=12, d in 1u32..=28, y in 1930u32..=2012,
        flips in vec(any::<bool>(), 1..12),
    ) {
        let date = dated(form, m, d, y, pick);
        let date = if labelled { format!("{label} {date}") } else { date };
        let text = format!("{before}{}{}{}{after}", gaps.0, recase(&date, &flips), gaps.1);
        let sent = redact(&text);
        prop_assert!(no_digits(&sent), "{:?} ({:?}) -> {:?}", text, date, sent);
    }

    #[test]
    fn a_labelled_date_of_birth_without_its_year_is_redacted_however_it_is_written(
        before in around(), after in around(), gaps in (gap(), gap()),
        form in any::<u8>(), pick in any::<u8>(),
        label in proptest::sample::select(LABELS.to_vec()),
        m in 1u32..=12, d in 1u32..=28, y in 1930u32..=2012,
        flips in vec(any::<bool>(), 1..12),
    ) {
        let date = format!("{label} {}", undated(form, m, d, y, pick));
        let text = format!("{before}{}{}{}{after}", gaps.0, recase(&date, &flips), gaps.1);
        let sent = redact(&text);
        prop_assert!(no_digits(&sent), "{:?} ({:?}) -> {:?}", text, date, sent);
    }

    #[test]
    fn an_ssn_is_redacted_however_it_is_written(
        before in around(), after in around(), gaps in (gap(), gap()),
        form in any::<u8>(), pick in any::<u8>(),
        a in 1u32..=899, b in 1u32..=99, c in 1u32..=9999,
        flips in vec(any::<bool>(), 1..12),
    ) {
        let number = ssn(form, a, b, c, pick);
        let text = format!("{before}{}{}{}{after}", gaps.0, recase(&number, &flips), gaps.1);
        let sent = redact(&text);
        prop_assert!(no_digits(&sent), "{:?} ({:?}) -> {:?}", text, number, sent);
    }

    #[test]
    fn any_text_is_redacted_without_panicking_and_comes_back_without_invisible_characters(
        text in prop_oneof![any::<String>(), "\\PC{0,400}", vec(any::<char>(), 0..2000).prop_map(String::from_iter)],
    ) {
        let sent = redact(&text);
        let hidden = |c: char| is_invisible(c) && !matches!(c, '\n' | '\r');
        prop_assert!(!sent.chars().any(hidden), "{:?} -> {:?}", text, sent);
    }
}

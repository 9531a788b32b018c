//! Redaction (`handoff_dispatcher::redact`) meets GSM-7 rendering: whatever Unicode
//! look-alikes a date of birth or an SSN is typed with, none of its digits reach a
//! text as sent (`to_gsm7`), and redaction folds every character the way rendering
//! will, so what it checked is what is sent.

// The generators below are test code too: a panic there is a failed test.
#![allow(clippy::unwrap_used)]

use handoff_bot::sms::gsm7::to_gsm7;
use handoff_dispatcher::redact::redact;
use proptest::prelude::*;

const MONTHS: [[&str; 3]; 12] = [
    ["January", "Jan", "Jan."],
    ["February", "Feb", "Feb."],
    ["March", "Mar", "Mar."],
    ["April", "Apr", "Apr."],
    ["May", "May", "May"],
    ["June", "Jun", "Jun."],
    ["July", "Jul", "Jul."],
    ["August", "Aug", "Aug."],
    ["September", "Sept", "Sep."],
    ["October", "Oct", "Oct."],
    ["November", "Nov", "Nov."],
    ["December", "Dec", "Dec."],
];

const BIRTH_WORDS: [&str; 9] = [
    "DOB",
    "DOB:",
    "dob",
    "d.o.b.",
    "D.O.B",
    "date of birth",
    "born",
    "born on",
    "birthday",
];

fn ordinal(d: u32) -> &'static str {
    match d {
        1 | 21 | 31 => "st",
        2 | 22 => "nd",
        3 | 23 => "rd",
        _ => "th",
    }
}

/// A date written in one of the ways people write one, and whether it needs a
/// word saying it is a date of birth to be one.
fn date_form(form: u8, m: u32, d: u32, y: u32, pick: u8) -> (String, bool) {
    let yy = y % 100;
    let mark = ["/", "-", ".", " / ", " - ", "\\"][usize::from(pick) % 6];
    let month = MONTHS[usize::try_from(m - 1).unwrap()][usize::from(pick) % 3];
    let month = if pick.is_multiple_of(4) {
        month.to_uppercase()
    } else {
        month.to_owned()
    };
    let ord = if pick.is_multiple_of(2) {
        ordinal(d)
    } else {
        ""
    };
    match form % 16 {
        0 => (format!("{m}{mark}{d}{mark}{y}"), false),
        1 => (format!("{m:02}{mark}{d:02}{mark}{yy:02}"), false),
        2 => (format!("{d}{mark}{m}{mark}{y}"), false),
        3 => (format!("{y}{mark}{m:02}{mark}{d:02}"), false),
        4 => (format!("{m} {d} {y}"), false),
        5 => (format!("{m:02} {d:02} {yy:02}"), true),
        6 => (format!("{m:02}{d:02}{y}"), false),
        7 => (format!("{y}{m:02}{d:02}"), false),
        8 => (format!("{m:02}{d:02}{yy:02}"), true),
        9 => (format!("{month} {d}{ord}, {y}"), false),
        10 => (format!("{d}{ord} {month} {y}"), false),
        11 => (format!("the {d}{ord} of {month} {y}"), false),
        12 => (format!("{d:02}{}{y}", month.to_uppercase()), false),
        13 => (format!("{y} {month} {d}{ord}"), false),
        14 => (format!("{month} {d}{ord}"), true),
        _ => (format!("{m}{mark}{d}"), true),
    }
}

/// An SSN written in one of the ways people write one.
fn ssn_form(form: u8, a: u32, b: u32, c: u32) -> String {
    let digits = format!("{a:03}{b:02}{c:04}");
    match form % 10 {
        0 => format!("{a:03}-{b:02}-{c:04}"),
        1 => format!("{a:03} {b:02} {c:04}"),
        2 => format!("{a:03}.{b:02}.{c:04}"),
        3 => digits,
        4 => format!("{a:03} - {b:02} - {c:04}"),
        5 => digits
            .chars()
            .map(String::from)
            .collect::<Vec<_>>()
            .join(" "),
        6 => format!("ssn{digits}"),
        7 => format!("SSN#{a:03}-{b:02}-{c:04}"),
        8 => format!("{} {} {}", &digits[..3], &digits[3..6], &digits[6..]),
        _ => format!("{a:03}/{b:02}/{c:04}"),
    }
}

/// `text` with its digits, dashes, slashes, dots and spaces swapped for Unicode
/// look-alikes and invisible characters slipped in, as chosen by `choices`.
fn disguise(text: &str, choices: &[u8]) -> String {
    let mut out = String::new();
    for (i, c) in text.chars().enumerate() {
        let pick = choices.get(i % choices.len()).copied().unwrap_or(0);
        let alike = |options: &[char]| options[usize::from(pick) % options.len()];
        let shown = match c {
            '0'..='9' => {
                let digit = c.to_digit(10).unwrap();
                let zero = [0x30, 0xFF10, 0x660, 0x6F0, 0x966, 0x1D7CE, 0x1D7F6, 0xFF10]
                    [usize::from(pick) % 8];
                char::from_u32(zero + digit).unwrap()
            }
            '-' => alike(&[
                '-', '\u{2013}', '\u{2014}', '\u{2212}', '\u{2010}', '\u{2011}', '\u{FF0D}',
            ]),
            '/' => alike(&['/', '\u{FF0F}', '\u{2215}', '\u{2044}']),
            '.' => alike(&['.', '\u{FF0E}', '\u{B7}', '\u{3002}']),
            ' ' => alike(&[' ', '\u{A0}', '\u{2009}', '\u{202F}', '\u{3000}']),
            'a'..='z' | 'A'..='Z' if pick % 5 == 0 => {
                char::from_u32(u32::from(c) - 0x21 + 0xFF01).unwrap()
            }
            _ => c,
        };
        out.push(shown);
        match pick % 7 {
            0 => out.push('\u{200B}'),
            1 => out.push('\u{FEFF}'),
            2 => out.push('\u{2060}'),
            _ => {}
        }
    }
    out
}

fn words() -> impl Strategy<Value = String> {
    proptest::collection::vec("[a-zA-Z]{1,8}[,.;]?", 0..6).prop_map(|w| w.join(" "))
}

fn no_digits(text: &str) -> bool {
    !text.chars().any(|c| c.is_ascii_digit())
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(3000))]

    #[test]
    fn no_digit_of_a_date_of_birth_is_sent_however_it_is_written(
        before in words(), after in words(),
        form in any::<u8>(), pick in any::<u8>(), word in 0usize..BIRTH_WORDS.len(),
        with_word in any::<bool>(),
        m in 1u32..=12, d in 1u32..=28, y in 1930u32..=2010,
        choices in proptest::collection::vec(any::<u8>(), 1..40),
    ) {
        let (date, needs_word) = date_form(form, m, d, y, pick);
        let date = if needs_word || with_word {
            format!("{} {date}", BIRTH_WORDS[word])
        } else {
            date
        };
        let text = format!("{before} {} {after}", disguise(&date, &choices));
        let sent = to_gsm7(&redact(&text));
        prop_assert!(no_digits(&sent), "{:?} ({}) -> {:?}", text, date, sent);
    }

    #[test]
    fn no_digit_of_an_ssn_is_sent_however_it_is_written(
        before in words(), after in words(), form in any::<u8>(),
        a in 1u32..=899, b in 1u32..=99, c in 1u32..=9999,
        choices in proptest::collection::vec(any::<u8>(), 1..40),
    ) {
        let ssn = ssn_form(form, a, b, c);
        let text = format!("{before} {} {after}", disguise(&ssn, &choices));
        let sent = to_gsm7(&redact(&text));
        prop_assert!(no_digits(&sent), "{:?} ({}) -> {:?}", text, ssn, sent);
    }

    #[test]
    fn numbers_that_are_not_identifiers_survive_next_to_ones_that_are(
        keep in 0usize..KEEP.len(), between in words(),
        form in any::<u8>(), pick in any::<u8>(), word in 0usize..BIRTH_WORDS.len(),
        m in 1u32..=12, d in 1u32..=28, y in 1930u32..=2010,
        a in 1u32..=899, b in 1u32..=99, c in 1u32..=9999, ssn in any::<u8>(),
    ) {
        let (date, _) = date_form(form, m, d, y, pick);
        let text = format!(
            "{}, {between} {} {date} and {}",
            KEEP[keep], BIRTH_WORDS[word], ssn_form(ssn, a, b, c)
        );
        let sent = to_gsm7(&redact(&text));
        let kept = format!("{},", KEEP[keep]);
        prop_assert!(sent.starts_with(&kept), "{:?} -> {:?}", text, sent);
        prop_assert!(no_digits(&sent[kept.len()..]), "{:?} -> {:?}", text, sent);
    }
}

const KEEP: [&str; 14] = [
    "at 10:47",
    "back at 9:30pm",
    "Y4821",
    "#4821",
    "ETA 15",
    "20 min",
    "1400 Liberty Ave",
    "5th & Main",
    "the 7-11 on Penn Ave",
    "room 12, 3rd floor",
    "Zone 3",
    "since 2019",
    "call me at 412 555 0101",
    "+1 412-555-0101",
];

#[test]
fn redaction_folds_each_character_as_sms_rendering_does() {
    for c in (0..=0x2_FFFF).filter_map(char::from_u32) {
        let typed = c.to_string();
        let rendered = to_gsm7(&typed);
        let redacted = redact(&typed);
        // The same once rendered, except where GSM-7 has nothing better than `?`
        // (an Arabic-Indic digit, an ideographic full stop): redaction reads those
        // as the digit or separator they are.
        assert!(
            to_gsm7(&redacted) == rendered || rendered == "?",
            "U+{:04X}: rendered {rendered:?}, redacted {redacted:?}",
            u32::from(c)
        );
        // Whatever rendering turns into digits, separators, spaces or nothing,
        // redaction has already turned into the same, so it saw what is sent.
        if rendered
            .chars()
            .all(|r| r.is_ascii_digit() || " -/.\n".contains(r))
        {
            assert_eq!(redacted, rendered, "U+{:04X}", u32::from(c));
        }
    }
}

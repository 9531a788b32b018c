//! The shapes of a date of birth and of a Social Security number, as regular
//! expressions over normalised text (ASCII digits and separators, see
//! `normalise`).
//!
//! The regex engine has no look-around, so "not next to another digit" is written
//! as a consumed `(?:^|[^0-9])` before and `(?:[^0-9]|$)` after the identifier,
//! which is captured as the group `id`; the search resumes at the end of `id`, so
//! the character after one identifier can be the one before the next.

use regex::Regex;

/// A month's name: full, short, or short with a period ("Sept." too).
const MONTH: &str = r"(?:jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?|sep(?:t(?:ember)?)?|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?)\.?";
/// A day of the month, with or without an ordinal suffix.
const DAY_ORD: &str = r"(?:0?[1-9]|[12][0-9]|3[01])(?:st|nd|rd|th)?";
const DAY: &str = r"(?:0?[1-9]|[12][0-9]|3[01])";
const MONTH_NUM: &str = r"(?:0?[1-9]|1[0-2])";
/// A year a living person was born in, when nothing else says it is a year.
const YEAR4: &str = r"(?:1[89][0-9]{2}|20[0-9]{2})";
/// Around a month's name: "April 5, 1990", "5-Apr-90", "05APR1990", "Apr. 5 '90".
const NAME_SEP: &str = r"[\s,./\\'-]*";
/// Between the numbers of a numeric date: a mark, maybe spaced ("4 / 5 / 1990").
const MARK: &str = r"\s*[-/.\\_]\s*";
/// Between the groups of a number: a mark or spaces.
const GROUP_SEP: &str = r"(?:\s*[-/.\\_]\s*|\s+)";
/// What says the next date is a date of birth.
const BIRTH: &str =
    r"(?:d\s?\.?\s?o\s?\.?\s?b\.?|date\s*of\s*birth|birth\s*date|birth\s*day|b-?day|born)";
/// Words between "DOB"/"born" and the date: "born on the 12th", "DOB is 4/5".
const BIRTH_LINK: &str =
    r"(?:'s)?(?:[\s:#=.,-]|\b(?:is|was|on|of|in|the|as|about|around|approx)\b)*";
/// What says the next number is a Social Security number.
const SSN: &str =
    r"(?:ssn|ss\s?#|s\.\s?s\.\s?n\.?|social(?:\s+security)?(?:\s+(?:number|num|no\.?|#))?)";
const SSN_LINK: &str =
    r"(?:\s*(?:[:#=.,-]|\b(?:is|was|number|no|ends?|ending|in|with)\b|\blast\s*(?:4|four)\b))*\s*";

/// An SSN masked but for its last four: `xxx-xx-6789`, `***-**-6789`, `###-##-6789`.
const MASKED: &str =
    r"(?:x{3}|\*{3}|#{3})(?:\s*[-/.\\_]\s*|\s+)?(?:x{2}|\*{2}|#{2})(?:\s*[-/.\\_]\s*|\s+)?[0-9]{4}";

const START: &str = r"(?:^|[^0-9])";
const START_WORD: &str = r"(?:^|[^0-9a-z])";
const END: &str = r"(?:[^0-9]|$)";

/// How a match is judged before it is redacted.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum Rule {
    /// Whatever matched is an identifier.
    Always,
    /// Digits in groups (spaced, dashed, dotted): an SSN when there are exactly
    /// nine of them. Ten or more are a phone number or nothing we know.
    NineDigits,
    /// A number right after "SSN": all of it, or its last four.
    AtLeastFourDigits,
}

/// One identifier shape: its expression (with the group `id`) and its rule.
pub(super) struct Shape {
    pub(super) regex: Regex,
    pub(super) rule: Rule,
}

/// The sources of every shape, with what each is for.
pub(super) fn sources() -> Vec<(String, Rule)> {
    let date_with_year_numeric = format!(
        r"(?i){START}(?P<id>(?:{MONTH_NUM}{MARK}{DAY}|{DAY}{MARK}{MONTH_NUM}){MARK}(?:[0-9]{{4}}|'?[0-9]{{2}})|(?:{MONTH_NUM}\s+{DAY}|{DAY}\s+{MONTH_NUM})\s+{YEAR4}|[0-9]{{4}}{MARK}{MONTH_NUM}{MARK}{DAY}|{YEAR4}\s+{MONTH_NUM}\s+{DAY}|(?:0[1-9]|1[0-2])(?:0[1-9]|[12][0-9]|3[01])(?:19|20)[0-9]{{2}}|(?:0[1-9]|[12][0-9]|3[01])(?:0[1-9]|1[0-2])(?:19|20)[0-9]{{2}}|(?:19|20)[0-9]{{2}}(?:0[1-9]|1[0-2])(?:0[1-9]|[12][0-9]|3[01])){END}"
    );
    let year = r"(?:[0-9]{4}|'?[0-9]{2})";
    let date_with_year_named = format!(
        r"(?i){START_WORD}(?P<id>{MONTH}{NAME_SEP}{DAY_ORD}{NAME_SEP}{year}|{DAY_ORD}(?:\s*of)?{NAME_SEP}{MONTH}{NAME_SEP}{year}|{YEAR4}{NAME_SEP}{MONTH}{NAME_SEP}{DAY_ORD}){END}"
    );
    let after_birth = format!(
        r"(?i)\b(?P<id>{BIRTH}{BIRTH_LINK}(?:{MONTH}{NAME_SEP}{DAY_ORD}(?:{NAME_SEP}{year})?|{DAY_ORD}(?:\s*of)?{NAME_SEP}{MONTH}(?:{NAME_SEP}{year}|\b)|{YEAR4}{NAME_SEP}{MONTH}(?:{NAME_SEP}{DAY_ORD})?|{MONTH}{NAME_SEP}{YEAR4}|[0-9]{{1,4}}(?:{GROUP_SEP}[0-9]{{1,4}}){{1,2}}|[0-9]{{4,8}})){END}"
    );
    let before_birth = format!(
        r"(?i){START_WORD}(?P<id>{MONTH}{NAME_SEP}{DAY_ORD}|{DAY_ORD}(?:\s*of)?{NAME_SEP}{MONTH}|{MONTH_NUM}{MARK}{DAY}|{DAY}{MARK}{MONTH_NUM})[\s,:;()-]*(?:(?:is|was|=)\s*)?(?:(?:his|her|their|the|my|a)\s+)?{BIRTH}\b"
    );
    let digit_groups = format!(r"{START}(?P<id>[0-9]+(?:{GROUP_SEP}[0-9]+)*){END}");
    let ssn_shape =
        format!(r"{START}(?P<id>[0-9]{{3}}{GROUP_SEP}?[0-9]{{2}}{GROUP_SEP}?[0-9]{{4}}){END}");
    // Nine or more digits in a row: an SSN or another ID number. One written with a
    // leading + is a phone number in international form, and is left alone.
    let long_run = format!(r"(?:^|[^0-9+])(?P<id>[0-9]{{9,}}){END}");
    let after_ssn =
        format!(r"(?i)\b{SSN}{SSN_LINK}(?P<id>{MASKED}|[0-9]+(?:{GROUP_SEP}[0-9]+)*){END}");
    let masked_ssn = format!(r"(?i){START_WORD}(?P<id>{MASKED}){END}");
    vec![
        (date_with_year_numeric, Rule::Always),
        (date_with_year_named, Rule::Always),
        (after_birth, Rule::Always),
        (before_birth, Rule::Always),
        (digit_groups, Rule::NineDigits),
        (ssn_shape, Rule::Always),
        (long_run, Rule::Always),
        (after_ssn, Rule::AtLeastFourDigits),
        (masked_ssn, Rule::Always),
    ]
}

/// Every shape, compiled. A source that does not compile is left out, which a
/// test rules out; redaction must never fail the text it protects.
pub(super) fn compile() -> Vec<Shape> {
    sources()
        .into_iter()
        .filter_map(|(source, rule)| Regex::new(&source).ok().map(|regex| Shape { regex, rule }))
        .collect()
}

impl Rule {
    /// Whether `found` (the `id` group of a match) is to be redacted.
    pub(super) fn accepts(self, found: &str) -> bool {
        let digits = found.chars().filter(char::is_ascii_digit).count();
        match self {
            Rule::Always => true,
            Rule::NineDigits => digits == 9,
            Rule::AtLeastFourDigits => digits >= 4,
        }
    }
}

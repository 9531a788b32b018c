//! Folding text into the form it is sent in, before it is searched for identifiers.
//!
//! An SMS is rendered through GSM-7 (`to_gsm7` in the bot), which turns an en dash
//! into `-`, a full-width `４` into `4` and drops a zero-width space. If redaction
//! read the text before that, `4–5–1990` or `4/5/19\u{200B}90` would pass unseen and
//! arrive as `4-5-1990`. So redaction reads, and returns, the text with every
//! character that can stand in for a digit, a separator or a space folded the way
//! GSM-7 rendering folds it. Characters GSM-7 cannot send at all (it would send `?`)
//! are folded further where they plainly are a digit or a separator: any Unicode
//! decimal digit, superscript and subscript digits, ideographic full stops. Other
//! characters (letters, emoji, quotes of other kinds) are left for rendering.

/// The zero of every run of Unicode decimal digits (general category Nd) other
/// than ASCII, as of Unicode 16. Each run holds the ten digits 0 to 9 in order, and
/// adjacent runs (the mathematical digits) are whole runs of ten, so a digit's value
/// is its distance from the start of its run, modulo ten.
const DIGIT_ZEROS: &[u32] = &[
    0x660, 0x6F0, 0x7C0, 0x966, 0x9E6, 0xA66, 0xAE6, 0xB66, 0xBE6, 0xC66, 0xCE6, 0xD66, 0xDE6,
    0xE50, 0xED0, 0xF20, 0x1040, 0x1090, 0x17E0, 0x1810, 0x1946, 0x19D0, 0x1A80, 0x1A90, 0x1B50,
    0x1BB0, 0x1C40, 0x1C50, 0xA620, 0xA8D0, 0xA900, 0xA9D0, 0xA9F0, 0xAA50, 0xABF0, 0xFF10,
    0x104A0, 0x10D30, 0x10D40, 0x11066, 0x110F0, 0x11136, 0x111D0, 0x112F0, 0x11450, 0x114D0,
    0x11650, 0x116C0, 0x116D0, 0x116DA, 0x11730, 0x118E0, 0x11950, 0x11BF0, 0x11C50, 0x11D50,
    0x11DA0, 0x11F50, 0x16130, 0x16A60, 0x16AC0, 0x16B50, 0x16D70, 0x1CCF0, 0x1D7CE, 0x1E140,
    0x1E2F0, 0x1E4F0, 0x1E5F1, 0x1E950, 0x1FBF0,
];

/// `text` with digits, separators, spaces and invisible characters folded as they
/// will be sent (see the module comment).
pub(super) fn normalise(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match fold(c) {
            Folded::Keep => out.push(c),
            Folded::To(s) => out.push_str(s),
            Folded::Digit(d) => out.push(d),
        }
    }
    out
}

enum Folded {
    Keep,
    To(&'static str),
    Digit(char),
}

fn fold(c: char) -> Folded {
    if matches!(c, ' '..='~' | '\n' | '\r') {
        return Folded::Keep;
    }
    if let Some(d) = decimal_digit(c) {
        return Folded::Digit(d);
    }
    // The same order as GSM-7 rendering: its stand-ins, then line separators, then
    // spaces, then invisible characters.
    if let Some(s) = stand_in(c) {
        return Folded::To(s);
    }
    if matches!(c, '\u{2028}' | '\u{2029}') {
        Folded::To("\n")
    } else if c.is_whitespace() {
        Folded::To(" ")
    } else if is_invisible(c) {
        Folded::To("")
    } else {
        Folded::Keep
    }
}

/// The ASCII digit a Unicode decimal, superscript or subscript digit stands for.
fn decimal_digit(c: char) -> Option<char> {
    let code = u32::from(c);
    let value = match c {
        '¹' => 1,
        '²' => 2,
        '³' => 3,
        '\u{2070}' => 0,
        '\u{2074}'..='\u{2079}' => code - 0x2070,
        '\u{2080}'..='\u{2089}' => code - 0x2080,
        _ => {
            // The last run whose zero is at or below `code`; mathematical digits
            // are five runs in a row, hence the modulo.
            let i = DIGIT_ZEROS.partition_point(|&zero| zero <= code);
            let zero = *DIGIT_ZEROS.get(i.checked_sub(1)?)?;
            let offset = code - zero;
            let run_end = if zero == 0x1D7CE { 50 } else { 10 };
            if offset >= run_end {
                return None;
            }
            offset % 10
        }
    };
    char::from_digit(value, 10)
}

/// What GSM-7 rendering sends for a character that may form part of a date or a
/// number (and a few more it cannot send, which plainly are a separator).
fn stand_in(c: char) -> Option<&'static str> {
    let code = u32::from(c);
    match c {
        '´' | '‘' | '’' | '‚' | '‛' | '′' | 'ʹ' | 'ʻ' | 'ʼ' | 'ˈ' | '‹' | '›' => {
            Some("'")
        }
        '‐' | '‑' | '‒' | '–' | '—' | '―' | '−' | '⁃' | '﹘' | '﹣' | '•' | '◦' | '‣' => {
            Some("-")
        }
        '\u{2E3A}' | '\u{2E3B}' | '\u{FE31}' | '\u{FE32}' | '\u{207B}' | '\u{208B}' => Some("-"),
        '…' => Some("..."),
        '·' | '∙' | '\u{2024}' | '\u{3002}' | '\u{FF61}' | '\u{FE52}' => Some("."),
        '⁄' | '∕' | '÷' | '\u{29F8}' => Some("/"),
        '\u{29F9}' => Some("\\"),
        '¼' => Some("1/4"),
        '½' => Some("1/2"),
        '¾' => Some("3/4"),
        '\u{FF01}'..='\u{FF5E}' => {
            // Full-width ASCII, as GSM-7 rendering reads it (its grave accent is a
            // straight quote there).
            const ASCII_FROM_BANG: &str = "!\"#$%&'()*+,-./0123456789:;<=>?@\
                ABCDEFGHIJKLMNOPQRSTUVWXYZ[\\]^_'abcdefghijklmnopqrstuvwxyz{|}~";
            let i = usize::try_from(code - 0xFF01).ok()?;
            ASCII_FROM_BANG.get(i..i + 1)
        }
        _ => None,
    }
}

/// Characters that show nothing by themselves: redaction drops them, and so does
/// GSM-7 rendering (`bot/src/sms/gsm7.rs` uses this very function), so a date
/// broken up by zero-width spaces is read as the date it will be sent as.
pub fn is_invisible(c: char) -> bool {
    c.is_control()
        || matches!(
            c,
            '\u{AD}'
                | '\u{300}'..='\u{36F}'
                | '\u{1AB0}'..='\u{1AFF}'
                | '\u{1DC0}'..='\u{1DFF}'
                | '\u{200B}'..='\u{200F}'
                | '\u{202A}'..='\u{202E}'
                | '\u{2060}'..='\u{206F}'
                | '\u{20D0}'..='\u{20FF}'
                | '\u{FE00}'..='\u{FE0F}'
                | '\u{FE20}'..='\u{FE2F}'
                | '\u{FEFF}'
                | '\u{1F3FB}'..='\u{1F3FF}'
                | '\u{E0000}'..='\u{E0FFF}'
        )
}

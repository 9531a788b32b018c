//! Free text a person writes that ends up in messages, pages and the iCalendar feed:
//! the program's, sites', agencies', people's and officers' names, ranks, closure
//! names, notes, the registration contact, and the provider ids that go into
//! request URLs. It must be plain
//! text on one line: a line break or tab would break an SMS template or an iCalendar
//! line, and a bidi override or zero-width mark would make a name read differently
//! from what it is.

use super::ranges::Limit;
use crate::error::Problems;
use crate::raw::Text;

/// The text, trimmed; an error if it is empty or holds a hidden character.
pub(super) fn plain_text(p: &mut Problems, text: &Text, key: &str) -> Option<String> {
    let value = text.get_ref().trim();
    if value.is_empty() {
        p.push(text.span(), key, "may not be empty");
        return None;
    }
    check_plain(p, text, key).then(|| value.to_owned())
}

/// As `plain_text`, but an empty text is allowed (an officer without a rank).
pub(super) fn plain_text_or_empty(p: &mut Problems, text: &Text, key: &str) -> Option<String> {
    check_plain(p, text, key).then(|| text.get_ref().trim().to_owned())
}

/// Plain text that is texted as it is written (the registration contact): one
/// line, within `length` characters, in the GSM-7 basic set, and without a carrier
/// keyword as a word of its own.
pub(super) fn sms_line(
    p: &mut Problems,
    text: &Text,
    key: &str,
    length: &Limit<usize>,
) -> Option<String> {
    let value = plain_text(p, text, key)?;
    let count = value.chars().count();
    if !length.contains(&count) {
        p.push(
            text.span(),
            key,
            format!("must be {} (it has {count})", length.shown),
        );
        return None;
    }
    if let Some((position, c)) = value.chars().enumerate().find(|&(_, c)| !is_gsm7_basic(c)) {
        p.push(
            text.span(),
            key,
            format!(
                "`{c}` (character {}) is outside the GSM-7 basic alphabet that SMS uses: write plain letters, digits and punctuation (not [ ] {{ }} \\ ^ ~ | ` or curly quotes)",
                position + 1
            ),
        );
        return None;
    }
    if let Some(word) = value
        .split(|c: char| !c.is_alphanumeric())
        .find(|word| CARRIER_KEYWORDS.contains(word))
    {
        p.push(
            text.span(),
            key,
            format!("holds `{word}` as a word: a reply of it is taken by the carrier as an opt-out, so it may not appear in a text"),
        );
        return None;
    }
    Some(value)
}

/// The printable characters of the GSM 03.38 basic set that are not ASCII.
const GSM7_BASIC_BEYOND_ASCII: &str = "£¥èéùìòÇØøÅåΔΦΓΛΩΠΨΣΘΞÆæßÉ¤¡ÄÖÑÜ§¿äöñüà";

/// Whether `c` is a printable character of the GSM 03.38 basic set: printable
/// ASCII but for the backtick (not in GSM-7 at all) and the eight characters only
/// its extension table has (each costs two septets, and some phones show them
/// wrongly), and the letters and signs above. Kept here rather than shared with the SMS transport so that
/// the configuration does not depend on it; a configured text checked here is
/// sent as written, one septet a character.
fn is_gsm7_basic(c: char) -> bool {
    match c {
        ' '..='~' => !matches!(c, '`' | '^' | '{' | '}' | '\\' | '[' | ']' | '~' | '|'),
        _ => GSM7_BASIC_BEYOND_ASCII.contains(c),
    }
}

/// Words a carrier reads as an opt-out when they are the whole reply: a text that
/// shows one bare invites a reply that silences every later text.
const CARRIER_KEYWORDS: [&str; 2] = ["CANCEL", "STOP"];

fn check_plain(p: &mut Problems, text: &Text, key: &str) -> bool {
    let Some((position, c)) = text
        .get_ref()
        .chars()
        .enumerate()
        .find(|&(_, c)| is_hidden(c))
    else {
        return true;
    };
    let what = match c {
        '\n' | '\r' | '\u{2028}' | '\u{2029}' => "a line break",
        '\t' => "a tab",
        c if c.is_control() => "a control character",
        _ => "an invisible formatting character",
    };
    p.push(
        text.span(),
        key,
        format!(
            "holds {what} (U+{:04X}) at character {}: write it as plain text on one line",
            u32::from(c),
            position + 1
        ),
    );
    false
}

/// Control characters (C0, DEL, C1), line and paragraph separators, and the Unicode
/// format characters that are invisible but change how text reads or is cut: bidi
/// marks, embeddings, overrides and isolates, zero-width spaces and joiners, the
/// soft hyphen, the byte-order mark, interlinear annotation and tag characters.
fn is_hidden(c: char) -> bool {
    c.is_control()
        || matches!(
            c,
            '\u{00AD}'
                | '\u{0600}'..='\u{0605}'
                | '\u{061C}'
                | '\u{06DD}'
                | '\u{070F}'
                | '\u{08E2}'
                | '\u{180E}'
                | '\u{200B}'..='\u{200F}'
                | '\u{2028}'..='\u{202E}'
                | '\u{2060}'..='\u{206F}'
                | '\u{FEFF}'
                | '\u{FFF9}'..='\u{FFFB}'
                | '\u{E0000}'..='\u{E007F}'
        )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn letters_of_any_script_punctuation_and_emoji_are_plain() {
        for c in "Zoë O'Brien-Ng, Ofc. Jr. 李小龙 محمد Ψ ☕ 👮".chars() {
            assert!(!is_hidden(c), "{c:?}");
        }
    }

    #[test]
    fn every_printable_character_of_the_gsm7_basic_set_is_accepted() {
        // GSM 03.38's basic set, as the SMS transport lists it, without its
        // line feed and carriage return (a contact is one line).
        let basic = "@£$¥èéùìòÇØøÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !\"#¤%&'()*+,-./0123456789:;<=>?\
                     ¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà";
        assert_eq!(basic.chars().count(), 128 - 3);
        for c in basic.chars() {
            assert!(is_gsm7_basic(c), "{c:?}");
        }
    }

    #[test]
    fn the_extension_table_the_backtick_and_other_letters_are_refused() {
        for c in "^{}\\[~]|€`’“”–…áçÁ☕👮李\n\r\t".chars() {
            assert!(!is_gsm7_basic(c), "{c:?}");
        }
    }

    #[test]
    fn controls_breaks_bidi_and_zero_width_characters_are_hidden() {
        for c in [
            '\0',
            '\t',
            '\n',
            '\r',
            '\u{7f}',
            '\u{85}',
            '\u{2028}',
            '\u{2029}',
            '\u{200b}',
            '\u{200d}',
            '\u{200e}',
            '\u{202e}',
            '\u{2066}',
            '\u{2069}',
            '\u{feff}',
            '\u{ad}',
            '\u{e0041}',
        ] {
            assert!(is_hidden(c), "{c:?}");
        }
    }
}

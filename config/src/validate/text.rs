//! Free text a person writes that ends up in messages, pages and the iCalendar feed:
//! the program's, sites', agencies', people's and officers' names, ranks, closure
//! names, notes, and the provider ids that go into request URLs. It must be plain
//! text on one line: a line break or tab would break an SMS template or an iCalendar
//! line, and a bidi override or zero-width mark would make a name read differently
//! from what it is.

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

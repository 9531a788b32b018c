//! The GSM-7 alphabet of GSM 03.38, which every SMS we send stays inside: a text
//! with one character outside it (an emoji, a curly quote) is sent as UCS-2, at 70
//! characters a segment instead of 160. [`to_gsm7`] transliterates what people and
//! the configuration wrote, [`is_gsm7`] checks, and [`septets`] counts a text's
//! length as the network does (extension-table characters cost two).

use handoff_dispatcher::redact::is_invisible;

/// Septets in a single-part SMS.
pub const SEGMENT: usize = 160;

/// The GSM 03.38 basic character set (all 128 codes but the escape to the
/// extension table), as Unicode.
const BASIC: &str = "@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !\"#¤%&'()*+,-./0123456789:;<=>?\
                     ¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà";

/// The printable characters of the GSM 03.38 extension table: each is sent as an
/// escape plus one code, so it costs two septets. (Its form feed is treated as a
/// space.)
const EXTENSION: &str = "^{}\\[~]|€";

fn is_basic(c: char) -> bool {
    match c {
        ' '..='~' => !matches!(c, '`' | '^' | '{' | '}' | '\\' | '[' | ']' | '~' | '|'),
        _ => BASIC.contains(c),
    }
}

fn is_extension(c: char) -> bool {
    EXTENSION.contains(c)
}

/// Whether `text` can be sent in the GSM-7 alphabet (basic set or extension table).
pub fn is_gsm7(text: &str) -> bool {
    text.chars().all(|c| is_basic(c) || is_extension(c))
}

/// Septets one character takes: two for the extension table, one otherwise.
pub fn char_septets(c: char) -> usize {
    if is_extension(c) { 2 } else { 1 }
}

/// How many septets `text` takes in GSM-7: two for each extension-table character,
/// one for every other. Meant for GSM-7 text ([`to_gsm7`] first): a character
/// outside the alphabet is counted as one.
pub fn septets(text: &str) -> usize {
    text.chars().map(char_septets).sum()
}

/// `text` in the GSM-7 alphabet, for an SMS.
///
/// GSM-7 characters, extension-table ones included (`^{}\[~]|€`, two septets
/// each), are kept as they are: they were typed on purpose, and [`septets`] counts
/// them right. Everything else is transliterated: curly quotes and primes become
/// straight quotes, dashes and minus signs `-`, `…` becomes `...`, letters with
/// accents not in GSM-7 their base letter (`á` → `a`, `ç` → `c`, `Œ` → `OE`),
/// full-width forms their ASCII letter, unusual spaces and tabs a space, and line
/// and paragraph separators a line break. Invisible characters (controls,
/// zero-width and direction marks, combining accents, variation selectors, emoji
/// skin tones) are dropped; anything else, emoji included, becomes `?`.
pub fn to_gsm7(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        if is_basic(c) || is_extension(c) {
            out.push(c);
        } else if let Some(ascii) = transliterate(c) {
            out.push_str(ascii);
        } else if matches!(c, '\u{2028}' | '\u{2029}') {
            out.push('\n');
        } else if c.is_whitespace() {
            out.push(' ');
        } else if is_invisible(c) {
            // Dropped: nothing to show.
        } else {
            out.push('?');
        }
    }
    out
}

/// Latin-1 letters U+00C0 to U+00FF: the GSM-7 ones are kept before this table is
/// read, the rest lose their accent.
const LATIN_1: [&str; 64] = [
    "A", "A", "A", "A", "Ä", "Å", "Æ", "Ç", "E", "É", "E", "E", "I", "I", "I", "I", //
    "D", "Ñ", "O", "O", "O", "O", "Ö", "x", "Ø", "U", "U", "U", "Ü", "Y", "Th", "ß", //
    "à", "a", "a", "a", "ä", "å", "æ", "c", "è", "é", "e", "e", "ì", "i", "i", "i", //
    "d", "ñ", "ò", "o", "o", "o", "ö", "/", "ø", "ù", "u", "u", "ü", "y", "th", "y",
];

/// Latin Extended-A, U+0100 to U+017F, without accents.
const LATIN_EXTENDED_A: [&str; 128] = [
    "A", "a", "A", "a", "A", "a", "C", "c", "C", "c", "C", "c", "C", "c", "D", "d", //
    "D", "d", "E", "e", "E", "e", "E", "e", "E", "e", "E", "e", "G", "g", "G", "g", //
    "G", "g", "G", "g", "H", "h", "H", "h", "I", "i", "I", "i", "I", "i", "I", "i", //
    "I", "i", "IJ", "ij", "J", "j", "K", "k", "k", "L", "l", "L", "l", "L", "l", "L", //
    "l", "L", "l", "N", "n", "N", "n", "N", "n", "n", "N", "n", "O", "o", "O", "o", //
    "O", "o", "OE", "oe", "R", "r", "R", "r", "R", "r", "S", "s", "S", "s", "S", "s", //
    "S", "s", "T", "t", "T", "t", "T", "t", "U", "u", "U", "u", "U", "u", "U", "u", //
    "U", "u", "U", "u", "W", "w", "Y", "y", "Y", "Z", "z", "Z", "z", "Z", "z", "s",
];

/// Printable ASCII from `!`, for full-width forms (U+FF01 to U+FF5E).
const ASCII_FROM_BANG: &str = "!\"#$%&'()*+,-./0123456789:;<=>?@ABCDEFGHIJKLMNOPQRSTUVWXYZ[\\]^_'\
                               abcdefghijklmnopqrstuvwxyz{|}~";

/// A GSM-7 stand-in for a character outside GSM-7, where there is a good one.
fn transliterate(c: char) -> Option<&'static str> {
    let code = u32::from(c);
    let from = |table: &'static [&'static str], start: u32| {
        usize::try_from(code - start)
            .ok()
            .and_then(|i| table.get(i).copied())
    };
    match c {
        '`' | '´' | '‘' | '’' | '‚' | '‛' | '′' | 'ʹ' | 'ʻ' | 'ʼ' | 'ˈ' | '‹' | '›' => {
            Some("'")
        }
        '“' | '”' | '„' | '‟' | '″' | '«' | '»' | '〝' | '〞' => Some("\""),
        '‐' | '‑' | '‒' | '–' | '—' | '―' | '−' | '⁃' | '﹘' | '﹣' | '•' | '◦' | '‣' => {
            Some("-")
        }
        '…' => Some("..."),
        '·' | '∙' => Some("."),
        '⁄' | '∕' => Some("/"),
        '¦' => Some("|"),
        '¢' => Some("c"),
        '©' => Some("(c)"),
        '®' => Some("(R)"),
        '™' => Some("TM"),
        '№' => Some("No."),
        '¹' => Some("1"),
        '²' => Some("2"),
        '³' => Some("3"),
        '¼' => Some("1/4"),
        '½' => Some("1/2"),
        '¾' => Some("3/4"),
        'ª' => Some("a"),
        'º' => Some("o"),
        'Ș' => Some("S"),
        'ș' => Some("s"),
        'Ț' => Some("T"),
        'ț' => Some("t"),
        '\u{C0}'..='\u{FF}' => from(&LATIN_1, 0xC0),
        '\u{100}'..='\u{17F}' => from(&LATIN_EXTENDED_A, 0x100),
        '\u{FF01}'..='\u{FF5E}' => {
            let i = usize::try_from(code - 0xFF01).ok()?;
            ASCII_FROM_BANG.get(i..i + 1)
        }
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn the_basic_set_has_127_distinct_characters_and_the_extension_table_9() {
        let mut basic: Vec<char> = BASIC.chars().collect();
        basic.sort_unstable();
        basic.dedup();
        assert_eq!(basic.len(), 127);
        assert_eq!(EXTENSION.chars().count(), 9);
        assert!(basic.iter().all(|c| is_basic(*c) && !is_extension(*c)));
    }

    #[test]
    fn extension_characters_count_two_septets() {
        assert_eq!(septets("abc"), 3);
        assert_eq!(septets("€5 [x]"), 9);
        assert!(is_gsm7("^{}\\[~]|€ @£$¥ ÄÖÑÜ§¿ äöñüà\r\n"));
        assert!(!is_gsm7("`"));
        assert!(!is_gsm7("’"));
        assert!(!is_gsm7("🚓"));
    }

    #[test]
    fn to_gsm7_transliterates_common_characters() {
        assert_eq!(
            to_gsm7("“quoted” ‘single’ `tick`"),
            "\"quoted\" 'single' 'tick'"
        );
        assert_eq!(to_gsm7("a – b — c … d"), "a - b - c ... d");
        assert_eq!(
            to_gsm7("José Ibáñez, Łódź, Ørsted, Œuvre, façade"),
            "José Ibañez, Lodz, Ørsted, OEuvre, facade"
        );
        assert_eq!(to_gsm7("Müller Straße"), "Müller Straße");
        assert_eq!(to_gsm7("ＡＢＣ１２３ａｚ！～｀"), "ABC123az!~'");
        assert_eq!(to_gsm7("50€ [a] {b}"), "50€ [a] {b}");
    }

    #[test]
    fn to_gsm7_drops_invisible_characters_and_marks_the_rest() {
        assert_eq!(to_gsm7("e\u{301}t\u{200B}e\u{FEFF}"), "ete");
        assert_eq!(to_gsm7("tab\there\u{A0}nbsp"), "tab here nbsp");
        assert_eq!(to_gsm7("line\u{2028}break"), "line\nbreak");
        assert_eq!(to_gsm7("ok 👍🏽 ❤\u{FE0F} 北"), "ok ? ? ?");
        assert_eq!(to_gsm7("bell\u{7}"), "bell");
    }

    #[test]
    fn to_gsm7_leaves_gsm7_text_as_it_is() {
        let text =
            "@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !\"#¤%&'()*+,-./09:;<=>?¡AZÄÖÑÜ§¿azäöñüà^{}\\[~]|€";
        assert_eq!(to_gsm7(text), text);
    }

    #[test]
    fn to_gsm7_of_every_character_is_gsm7() {
        for c in (0..=0x2_FFFF).filter_map(char::from_u32) {
            let text = to_gsm7(&c.to_string());
            assert!(is_gsm7(&text), "U+{:04X} -> {text:?}", u32::from(c));
        }
    }

    fn unicode(max: usize) -> impl Strategy<Value = String> {
        proptest::collection::vec(any::<char>(), 0..max).prop_map(String::from_iter)
    }

    proptest! {
        #[test]
        fn to_gsm7_output_is_always_gsm7(text in unicode(400)) {
            let out = to_gsm7(&text);
            prop_assert!(is_gsm7(&out));
            prop_assert_eq!(to_gsm7(&out), out.clone());
        }
    }
}

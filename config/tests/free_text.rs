//! Free text that reaches messages, pages and the iCalendar feed (names, ranks,
//! closure names, notes, provider ids) must be plain text on one line: a line break,
//! tab, control character or invisible bidi or zero-width mark is refused at its
//! file, line, column and key. Zone ids, being identifiers, refuse them too. Letters
//! of any script load.

#[macro_use]
mod support;

use support::{CASE, Case, check, error_at};

const SHERIFF: &str = r#"
[[agencies]]
id = "sheriff"
name = "County Sheriff"
sites = ["north"]
"#;

cases! {
    a_program_name_with_a_line_break_is_refused: Case {
        edits: &[("name = \"Test LEAD\"", "name = \"Test\\nLEAD\"")],
        expect: &[error_at("\"Test\\nLEAD\"", "program.name", "holds a line break (U+000A) at character 5")],
        ..CASE
    };

    a_site_name_with_a_tab_is_refused: Case {
        edits: &[("escalation = \"standard\"\nhours", "escalation = \"standard\"\nname = \"North\\tSide\"\nhours")],
        expect: &[error_at("\"North\\tSide\"", "sites[0].name", "holds a tab (U+0009)")],
        ..CASE
    };

    an_agency_name_with_a_right_to_left_override_is_refused: Case {
        edits: &[("name = \"Metro PD\"", "name = \"Metro \\u202EDP\"")],
        expect: &[error_at("\"Metro \\u202EDP\"", "agencies[0].name", "holds an invisible formatting character (U+202E) at character 7")],
        ..CASE
    };

    an_officer_name_with_a_zero_width_space_is_refused: Case {
        edits: &[("name = \"Ana Rivera\"", "name = \"Ana\\u200BRivera\"")],
        expect: &[error_at("\"Ana\\u200BRivera\"", "agencies[0].officers[0].name", "U+200B")],
        ..CASE
    };

    an_officer_rank_with_a_line_break_is_refused: Case {
        edits: &[("rank = \"Ofc.\"", "rank = \"Ofc.\\r\"")],
        expect: &[error_at("\"Ofc.\\r\"", "agencies[0].officers[0].rank", "holds a line break (U+000D)")],
        ..CASE
    };

    an_officer_without_a_rank_loads: Case {
        edits: &[("rank = \"Ofc.\", ", "")],
        ..CASE
    };

    a_persons_name_with_a_bidi_isolate_is_refused: Case {
        edits: &[("name = \"Dana Whitfield\"", "name = \"Dana \\u2066Whitfield\\u2069\"")],
        expect: &[error_at("\"Dana \\u2066Whitfield\\u2069\"", "people[0].name", "U+2066")],
        ..CASE
    };

    a_closure_name_with_a_control_character_is_refused: Case {
        append: "\n[[sites.closures]]\nname = \"Bell\\u0007Day\"\ndate = \"2026-12-24\"\n",
        expect: &[error_at("\"Bell\\u0007Day\"", "sites[0].closures[0].name", "holds a control character (U+0007)")],
        ..CASE
    };

    an_override_note_spanning_two_lines_is_refused: Case {
        append: "\n[[overrides]]\nkind = \"remove\"\nperson = \"dana\"\nfrom = \"2026-12-28T08:00\"\nto = \"2026-12-31T16:00\"\nnote = \"\"\"on leave\nback Monday\"\"\"\n",
        expect: &[error_at("\"\"\"on leave", "overrides[0].note", "holds a line break")],
        ..CASE
    };

    a_zone_id_with_a_line_break_is_refused: Case {
        edits: &[("escalation = \"standard\"\nhours", "escalation = \"standard\"\nzones = [\"zone-1\", \"zone\\n2\"]\nhours")],
        expect: &[error_at("\"zone\\n2\"", "sites[0].zones", "is not a valid identifier")],
        ..CASE
    };

    an_officer_zone_with_a_zero_width_joiner_is_refused: Case {
        edits: &[
            ("escalation = \"standard\"\nhours", "escalation = \"standard\"\nzones = [\"zone-1\"]\nhours"),
            ("phone = \"+1 412 555 0101\" }", "phone = \"+1 412 555 0101\", zone = \"zone-1\\u200D\" }"),
        ],
        expect: &[error_at("\"zone-1\\u200D\"", "agencies[0].officers[0].zone", "is not a valid identifier")],
        ..CASE
    };

    an_sms_account_sid_with_a_line_break_is_refused: Case {
        append: "\n[transports.sms]\nprovider = \"twilio\"\naccount_sid = \"AC01\\n23\"\nfrom = \"+1 412 555 0100\"\nauth_token_env = \"TEST_SMS_TOKEN\"\n",
        env: &[("TEST_SMS_TOKEN", "s3cret")],
        expect: &[error_at("\"AC01\\n23\"", "transports.sms.account_sid", "holds a line break")],
        ..CASE
    };

    names_in_any_script_with_accents_apostrophes_and_emoji_load: Case {
        edits: &[
            ("name = \"Test LEAD\"", "name = \"Tři Řeky LEAD ☕\""),
            ("name = \"Dana Whitfield\"", "name = \"Dana O'Brien-Nguyễn\""),
            ("name = \"Rosa Delgado\"", "name = \"روزا دلگادو\""),
            ("name = \"Ana Rivera\"", "name = \"李安娜\""),
        ],
        append: SHERIFF,
        ..CASE
    };
}

//! The `[program]` settings of the field workflow (`eta_grace`,
//! `intake_reminder_days`, `after_hours_alerts`, `registration_contact`): left out,
//! each has its documented default, in the config and in the dispatcher's settings;
//! the edges of each range load; a value beyond them, negative, huge or of the wrong
//! type is refused at its line and key, never a panic.

#[macro_use]
mod support;

use std::time::Duration;

use handoff_dispatcher::routing::Settings;
use support::{BASE, CASE, Case, check, derive, error, error_at, load};

const NAME: &str = "name = \"Test LEAD\"\n";

/// The base with `lines` added to its `[program]` table.
fn with_program(lines: &str) -> String {
    derive(&[(NAME, &format!("{NAME}{lines}\n"))], "")
}

#[test]
fn left_out_the_settings_have_their_documented_defaults() {
    let config = load(BASE, &[]).unwrap();
    assert_eq!(config.program.eta_grace, Duration::from_secs(10 * 60));
    assert_eq!(config.program.intake_reminder_days, 7);
    assert!(!config.program.after_hours_alerts);
    assert_eq!(config.program.registration_contact, None);
    let settings = config.directory().settings;
    assert_eq!(settings.eta_grace, chrono::Duration::minutes(10));
    assert_eq!(settings.intake_reminder_days, 7);
    assert!(!settings.after_hours_alerts);
    assert_eq!(settings.registration_contact, None);
}

#[test]
fn left_out_the_settings_are_the_dispatchers_own_defaults() {
    let config = load(BASE, &[]).unwrap();
    let ours = config.directory().settings;
    let theirs = Settings::default();
    assert_eq!(
        (
            ours.arrival_limit,
            ours.intake_days,
            ours.eta_grace,
            ours.intake_reminder_days,
            ours.after_hours_alerts,
            ours.registration_contact,
        ),
        (
            theirs.arrival_limit,
            theirs.intake_days,
            theirs.eta_grace,
            theirs.intake_reminder_days,
            theirs.after_hours_alerts,
            theirs.registration_contact,
        )
    );
}

#[test]
fn written_settings_reach_the_dispatcher() {
    let text = with_program(
        "eta_grace = \"1h30m\"\nintake_reminder_days = 3\nafter_hours_alerts = true\nregistration_contact = \"the LEAD coordinator, 412-555-0100\"",
    );
    let config = load(&text, &[]).unwrap();
    let settings = config.directory().settings;
    assert_eq!(settings.eta_grace, chrono::Duration::minutes(90));
    assert_eq!(settings.intake_reminder_days, 3);
    assert!(settings.after_hours_alerts);
    assert_eq!(
        settings.registration_contact.as_deref(),
        Some("the LEAD coordinator, 412-555-0100")
    );
}

#[test]
fn a_registration_contact_is_trimmed() {
    let text = with_program("registration_contact = \"  Sam at the front desk  \"");
    let config = load(&text, &[]).unwrap();
    assert_eq!(
        config.program.registration_contact.as_deref(),
        Some("Sam at the front desk")
    );
}

#[test]
fn a_registration_contact_may_use_the_letters_of_the_gsm7_basic_set() {
    let contact = "Señora Müller, Øresund desk: ¿dudas? @lead_intake £5 & 100%";
    let text = with_program(&format!("registration_contact = \"{contact}\""));
    let config = load(&text, &[]).unwrap();
    assert_eq!(
        config.program.registration_contact.as_deref(),
        Some(contact)
    );
}

#[test]
fn the_reminder_left_to_its_default_does_not_refuse_a_short_deadline() {
    // A week's reminder cannot come before a 5-day deadline: the dispatcher
    // sends none, and a file written before the key existed keeps loading.
    let text = with_program("intake_days = 5");
    let config = load(&text, &[]).unwrap();
    assert_eq!(config.program.intake_days, 5);
    assert_eq!(config.program.intake_reminder_days, 7);
}

const ETA: &str = "program.eta_grace";
const REMINDER: &str = "program.intake_reminder_days";
const ALERTS: &str = "after_hours_alerts";
const CONTACT: &str = "program.registration_contact";

cases! {
    an_eta_grace_of_one_minute_loads: Case {
        edits: &[(NAME, "name = \"Test LEAD\"\neta_grace = \"1m\"\n")],
        ..CASE
    };

    an_eta_grace_of_two_hours_loads: Case {
        edits: &[(NAME, "name = \"Test LEAD\"\neta_grace = \"2h\"\n")],
        ..CASE
    };

    an_eta_grace_under_a_minute_is_refused: Case {
        edits: &[(NAME, "name = \"Test LEAD\"\neta_grace = \"59s\"\n")],
        expect: &[error_at("\"59s\"", ETA, "must be from 1m to 2h")],
        ..CASE
    };

    an_eta_grace_over_two_hours_is_refused: Case {
        edits: &[(NAME, "name = \"Test LEAD\"\neta_grace = \"2h1s\"\n")],
        expect: &[error_at("\"2h1s\"", ETA, "must be from 1m to 2h")],
        ..CASE
    };

    an_eta_grace_of_zero_is_refused: Case {
        edits: &[(NAME, "name = \"Test LEAD\"\neta_grace = \"0m\"\n")],
        expect: &[error_at("\"0m\"", ETA, "must be from 1m to 2h")],
        ..CASE
    };

    an_eta_grace_of_thirteen_digits_of_hours_is_too_long: Case {
        edits: &[(NAME, "name = \"Test LEAD\"\neta_grace = \"9999999999999h\"\n")],
        expect: &[error_at("\"9999999999999h\"", ETA, "is too long")],
        ..CASE
    };

    a_negative_eta_grace_is_not_a_duration: Case {
        edits: &[(NAME, "name = \"Test LEAD\"\neta_grace = \"-10m\"\n")],
        expect: &[error_at("\"-10m\"", ETA, "is not a duration")],
        ..CASE
    };

    an_eta_grace_without_a_unit_is_not_a_duration: Case {
        edits: &[(NAME, "name = \"Test LEAD\"\neta_grace = \"10\"\n")],
        expect: &[error_at("\"10\"", ETA, "is not a duration")],
        ..CASE
    };

    an_eta_grace_written_as_a_number_is_of_the_wrong_type: Case {
        edits: &[(NAME, "name = \"Test LEAD\"\neta_grace = 10\n")],
        expect: &[error("eta_grace = 10", "eta_grace", "invalid type")],
        ..CASE
    };

    no_intake_reminder_loads: Case {
        edits: &[(NAME, "name = \"Test LEAD\"\nintake_days = 1\nintake_reminder_days = 0\n")],
        ..CASE
    };

    a_reminder_a_day_before_the_longest_deadline_loads: Case {
        edits: &[(NAME, "name = \"Test LEAD\"\nintake_days = 365\nintake_reminder_days = 364\n")],
        ..CASE
    };

    a_reminder_a_day_before_the_programs_deadline_loads: Case {
        edits: &[(NAME, "name = \"Test LEAD\"\nintake_days = 8\nintake_reminder_days = 7\n")],
        ..CASE
    };

    a_reminder_as_early_as_the_deadline_is_long_is_refused: Case {
        edits: &[(NAME, "name = \"Test LEAD\"\nintake_days = 7\nintake_reminder_days = 7 # reminder\n")],
        expect: &[error_at("7 # reminder", REMINDER, "must be less than program.intake_days (7)")],
        ..CASE
    };

    a_reminder_earlier_than_the_default_deadline_is_refused: Case {
        edits: &[(NAME, "name = \"Test LEAD\"\nintake_reminder_days = 30\n")],
        expect: &[error_at("30", REMINDER, "must be less than program.intake_days (30)")],
        ..CASE
    };

    a_reminder_beside_a_wrong_deadline_is_not_also_refused: Case {
        edits: &[(NAME, "name = \"Test LEAD\"\nintake_days = 0 # none\nintake_reminder_days = 7\n")],
        expect: &[error_at("0 # none", "program.intake_days", "from 1 to 365")],
        ..CASE
    };

    a_reminder_of_a_year_is_refused: Case {
        edits: &[(NAME, "name = \"Test LEAD\"\nintake_days = 365\nintake_reminder_days = 365 # a year\n")],
        expect: &[error_at("365 # a year", REMINDER, "must be a whole number of days from 0 (no reminder) to 364")],
        ..CASE
    };

    a_negative_reminder_is_refused: Case {
        edits: &[(NAME, "name = \"Test LEAD\"\nintake_reminder_days = -1\n")],
        expect: &[error_at("-1", REMINDER, "from 0 (no reminder) to 364")],
        ..CASE
    };

    a_reminder_beyond_any_32_bit_number_is_refused: Case {
        edits: &[(NAME, "name = \"Test LEAD\"\nintake_reminder_days = 9999999999999\n")],
        expect: &[error_at("9999999999999", REMINDER, "from 0 (no reminder) to 364")],
        ..CASE
    };

    a_reminder_beyond_any_toml_number_is_refused_at_its_key: Case {
        edits: &[(NAME, "name = \"Test LEAD\"\nintake_reminder_days = 99999999999999999999\n")],
        expect: &[error("99999999999999999999", "intake_reminder_days", "invalid type")],
        ..CASE
    };

    a_reminder_written_as_text_is_of_the_wrong_type: Case {
        edits: &[(NAME, "name = \"Test LEAD\"\nintake_reminder_days = \"7\"\n")],
        expect: &[error("intake_reminder_days", "intake_reminder_days", "invalid type")],
        ..CASE
    };

    after_hours_alerts_may_be_turned_on: Case {
        edits: &[(NAME, "name = \"Test LEAD\"\nafter_hours_alerts = true\n")],
        ..CASE
    };

    after_hours_alerts_written_as_yes_are_of_the_wrong_type: Case {
        edits: &[(NAME, "name = \"Test LEAD\"\nafter_hours_alerts = \"yes\"\n")],
        expect: &[error("\"yes\"", ALERTS, "invalid type")],
        ..CASE
    };

    after_hours_alerts_written_as_a_number_are_of_the_wrong_type: Case {
        edits: &[(NAME, "name = \"Test LEAD\"\nafter_hours_alerts = 1\n")],
        expect: &[error("after_hours_alerts = 1", ALERTS, "invalid type")],
        ..CASE
    };

    a_registration_contact_of_one_character_loads: Case {
        edits: &[(NAME, "name = \"Test LEAD\"\nregistration_contact = \"X\"\n")],
        ..CASE
    };

    a_registration_contact_of_eighty_characters_loads: Case {
        edits: &[(NAME, "name = \"Test LEAD\"\nregistration_contact = \"Sam Okafor, outreach and intake coordinator, weekdays 8-8, 412-555-0100 ext. 12.\"\n")],
        ..CASE
    };

    a_registration_contact_of_eighty_one_characters_is_refused: Case {
        edits: &[(NAME, "name = \"Test LEAD\"\nregistration_contact = \"Sam Okafor, outreach and intake coordinator, weekdays 8-8, 412-555-0100 ext. 123.\"\n")],
        expect: &[error_at("\"Sam Okafor", CONTACT, "must be from 1 to 80 characters (it has 81)")],
        ..CASE
    };

    an_empty_registration_contact_is_refused: Case {
        edits: &[(NAME, "name = \"Test LEAD\"\nregistration_contact = \"  \"\n")],
        expect: &[error_at("\"  \"", CONTACT, "may not be empty")],
        ..CASE
    };

    a_registration_contact_with_an_emoji_is_refused_naming_it: Case {
        edits: &[(NAME, "name = \"Test LEAD\"\nregistration_contact = \"Sam ☎ 412-555-0100\"\n")],
        expect: &[error_at("\"Sam", CONTACT, "`☎` (character 5) is outside the GSM-7 basic alphabet")],
        ..CASE
    };

    a_registration_contact_with_curly_quotes_is_refused: Case {
        edits: &[(NAME, "name = \"Test LEAD\"\nregistration_contact = \"the “intake” desk\"\n")],
        expect: &[error_at("\"the", CONTACT, "`“` (character 5) is outside the GSM-7 basic alphabet")],
        ..CASE
    };

    a_registration_contact_with_brackets_of_the_extension_table_is_refused: Case {
        edits: &[(NAME, "name = \"Test LEAD\"\nregistration_contact = \"Sam [intake]\"\n")],
        expect: &[error_at("\"Sam", CONTACT, "`[` (character 5) is outside the GSM-7 basic alphabet")],
        ..CASE
    };

    a_registration_contact_on_two_lines_is_refused: Case {
        edits: &[(NAME, "name = \"Test LEAD\"\nregistration_contact = \"Sam\\n412-555-0100\"\n")],
        expect: &[error_at("\"Sam", CONTACT, "holds a line break")],
        ..CASE
    };

    a_registration_contact_naming_a_carrier_keyword_is_refused: Case {
        edits: &[(NAME, "name = \"Test LEAD\"\nregistration_contact = \"the coordinator (never reply STOP)\"\n")],
        expect: &[error_at("\"the", CONTACT, "holds `STOP` as a word")],
        ..CASE
    };

    a_registration_contact_may_say_stop_by_in_lowercase: Case {
        edits: &[(NAME, "name = \"Test LEAD\"\nregistration_contact = \"stop by the LEAD office, 5th floor\"\n")],
        ..CASE
    };

    a_registration_contact_written_as_a_number_is_of_the_wrong_type: Case {
        edits: &[(NAME, "name = \"Test LEAD\"\nregistration_contact = 4125550100\n")],
        expect: &[error("4125550100", "registration_contact", "invalid type")],
        ..CASE
    };
}

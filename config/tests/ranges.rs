//! Every number, duration and date of a configuration has a documented range, and a
//! value outside it is refused by `load_str` (so by `check-config`) at its file, line,
//! column and key, before anything downstream could overflow on it. The limits
//! themselves load.

#[macro_use]
mod support;

use support::{CASE, Case, check, error, error_at};

const TIMEOUT: &str = "timeout = \"5m\"";
const NAME: &str = "name = \"Test LEAD\"\n";
const PHONE: &str = "phone = \"+1 412 555 0111\"\n";
const STEP: &str = "escalation_policies[0].steps[0].timeout";

cases! {
    a_step_timeout_of_a_hundred_million_days_is_too_long: Case {
        edits: &[(TIMEOUT, "timeout = \"100000000d\"")],
        expect: &[error_at("\"100000000d\"", STEP, "is too long: no duration may be longer than 36500d")],
        ..CASE
    };

    a_step_timeout_with_more_digits_than_any_number_is_too_long: Case {
        edits: &[(TIMEOUT, "timeout = \"99999999999999999999999s\"")],
        expect: &[error_at("\"99999999999999999999999s\"", STEP, "is too long")],
        ..CASE
    };

    a_step_timeout_over_a_day_is_refused: Case {
        edits: &[(TIMEOUT, "timeout = \"24h1s\"")],
        expect: &[error_at("\"24h1s\"", STEP, "must be from 10s to 24h")],
        ..CASE
    };

    a_step_timeout_under_ten_seconds_is_refused: Case {
        edits: &[(TIMEOUT, "timeout = \"9s\"")],
        expect: &[error_at("\"9s\"", STEP, "must be from 10s to 24h")],
        ..CASE
    };

    step_timeouts_of_ten_seconds_and_of_a_day_load: Case {
        edits: &[(TIMEOUT, "timeout = \"10s\"\n\n[[escalation_policies.steps]]\nwho = \"supervisor\"\ntimeout = \"24h\"")],
        ..CASE
    };

    an_arrival_limit_of_thirteen_digits_of_hours_is_too_long: Case {
        edits: &[(NAME, "name = \"Test LEAD\"\narrival_limit = \"9999999999999h\"\n")],
        expect: &[error_at("\"9999999999999h\"", "program.arrival_limit", "is too long")],
        ..CASE
    };

    an_arrival_limit_over_a_day_is_refused: Case {
        edits: &[(NAME, "name = \"Test LEAD\"\narrival_limit = \"25h\"\n")],
        expect: &[error_at("\"25h\"", "program.arrival_limit", "must be from 10m to 24h")],
        ..CASE
    };

    an_arrival_limit_under_ten_minutes_is_refused: Case {
        edits: &[(NAME, "name = \"Test LEAD\"\narrival_limit = \"9m59s\"\n")],
        expect: &[error_at("\"9m59s\"", "program.arrival_limit", "must be from 10m to 24h")],
        ..CASE
    };

    a_message_retention_over_ten_years_is_refused: Case {
        edits: &[(NAME, "name = \"Test LEAD\"\nmessage_retention = \"3651d\"\n")],
        expect: &[error_at("\"3651d\"", "program.message_retention", "must be from 1d to 3650d")],
        ..CASE
    };

    a_message_retention_of_a_hundred_million_days_is_too_long: Case {
        edits: &[(NAME, "name = \"Test LEAD\"\nmessage_retention = \"100000000d\"\n")],
        expect: &[error_at("\"100000000d\"", "program.message_retention", "is too long")],
        ..CASE
    };

    the_limits_of_arrival_limit_message_retention_and_intake_days_load: Case {
        edits: &[(NAME, "name = \"Test LEAD\"\narrival_limit = \"24h\"\nmessage_retention = \"3650d\"\nintake_days = 365\n")],
        ..CASE
    };

    an_intake_of_zero_days_is_refused: Case {
        edits: &[(NAME, "name = \"Test LEAD\"\nintake_days = 0 # none\n")],
        expect: &[error_at("0 # none", "program.intake_days", "must be a whole number of days from 1 to 365")],
        ..CASE
    };

    an_intake_over_a_year_is_refused: Case {
        edits: &[(NAME, "name = \"Test LEAD\"\nintake_days = 366\n")],
        expect: &[error_at("366", "program.intake_days", "from 1 to 365")],
        ..CASE
    };

    a_negative_intake_is_refused: Case {
        edits: &[(NAME, "name = \"Test LEAD\"\nintake_days = -30\n")],
        expect: &[error_at("-30", "program.intake_days", "from 1 to 365")],
        ..CASE
    };

    a_caseload_cap_of_zero_is_refused: Case {
        edits: &[(PHONE, "phone = \"+1 412 555 0111\"\ncaseload_cap = 0 # none\n")],
        expect: &[error_at("0 # none", "people[0].caseload_cap", "must be a whole number of cases from 1 to 1000")],
        ..CASE
    };

    a_caseload_cap_over_a_thousand_is_refused: Case {
        edits: &[(PHONE, "phone = \"+1 412 555 0111\"\ncaseload_cap = 1001\n")],
        expect: &[error_at("1001", "people[0].caseload_cap", "from 1 to 1000")],
        ..CASE
    };

    a_caseload_cap_beyond_any_32_bit_number_is_refused: Case {
        edits: &[(PHONE, "phone = \"+1 412 555 0111\"\ncaseload_cap = 9999999999999\n")],
        expect: &[error_at("9999999999999", "people[0].caseload_cap", "from 1 to 1000")],
        ..CASE
    };

    a_caseload_cap_of_a_thousand_loads: Case {
        edits: &[(PHONE, "phone = \"+1 412 555 0111\"\ncaseload_cap = 1000\n")],
        ..CASE
    };

    an_override_note_of_two_hundred_characters_loads: Case {
        append: concat!(
            "\n[[overrides]]\nkind = \"remove\"\nperson = \"dana\"\nfrom = \"2026-12-28T08:00\"\nto = \"2026-12-31T16:00\"\nnote = \"",
            "Dana on leave, back after the new year; Lee covers the north zone. ",
            "Dana on leave, back after the new year; Lee covers the north zone. ",
            "Dana on leave, back after the new year; Lee covers the north zone.",
            "\"\n"
        ),
        ..CASE
    };

    an_override_note_over_two_hundred_characters_is_refused: Case {
        append: concat!(
            "\n[[overrides]]\nkind = \"remove\"\nperson = \"dana\"\nfrom = \"2026-12-28T08:00\"\nto = \"2026-12-31T16:00\"\nnote = \"",
            "Dana on leave, back after the new year; Lee covers the north zone. ",
            "Dana on leave, back after the new year; Lee covers the north zone. ",
            "Dana on leave, back after the new year; Lee covers the north zone!!",
            "\"\n"
        ),
        expect: &[error_at("\"Dana on leave", "overrides[0].note", "must be at most 200 characters (it has 201)")],
        ..CASE
    };

    an_override_starting_before_2000_is_refused: Case {
        append: "\n[[overrides]]\nkind = \"remove\"\nperson = \"dana\"\nfrom = \"1999-12-31T08:00\"\nto = \"2026-01-01T08:00\"\n",
        expect: &[error_at("\"1999-12-31T08:00\"", "overrides[0].from", "is outside the years 2000 to 2100")],
        ..CASE
    };

    an_override_ending_after_2100_is_refused_with_an_offset_too: Case {
        append: "\n[[overrides]]\nkind = \"remove\"\nperson = \"dana\"\nfrom = \"2026-12-31T08:00\"\nto = \"2101-01-01T00:00:00-05:00\"\n",
        expect: &[error_at("\"2101-01-01T00:00:00-05:00\"", "overrides[0].to", "is outside the years 2000 to 2100")],
        ..CASE
    };

    an_override_in_year_262143_is_not_a_date_time: Case {
        append: "\n[[overrides]]\nkind = \"remove\"\nperson = \"dana\"\nfrom = \"2026-12-31T08:00\"\nto = \"262143-01-01T00:00\"\n",
        expect: &[error_at("\"262143-01-01T00:00\"", "overrides[0].to", "not a date-time")],
        ..CASE
    };

    an_override_from_the_first_to_the_last_supported_minute_loads: Case {
        append: "\n[[overrides]]\nkind = \"remove\"\nperson = \"dana\"\nfrom = \"2000-01-01T00:00\"\nto = \"2100-12-31T23:59\"\n",
        ..CASE
    };

    a_closure_date_before_2000_is_refused: Case {
        append: "\n[[sites.closures]]\nname = \"Old\"\ndate = \"1999-12-25\"\n",
        expect: &[error_at("\"1999-12-25\"", "sites[0].closures[0].date", "is outside the years 2000 to 2100")],
        ..CASE
    };

    a_closure_ending_after_2100_is_refused: Case {
        append: "\n[[sites.closures]]\nname = \"Long\"\nfrom = \"2100-12-30\"\nto = \"2101-01-02\"\n",
        expect: &[error_at("\"2101-01-02\"", "sites[0].closures[0].to", "is outside the years 2000 to 2100")],
        ..CASE
    };

    a_closure_whose_last_day_is_before_its_first_is_refused: Case {
        append: "\n[[sites.closures]]\nname = \"Backwards\"\nfrom = \"2026-11-27\"\nto = \"2026-11-26\"\n",
        expect: &[error_at("\"2026-11-26\"", "sites[0].closures[0].to", "the last day comes before the first")],
        ..CASE
    };

    closures_on_the_first_and_last_supported_days_load: Case {
        append: "\n[[sites.closures]]\nname = \"First\"\ndate = \"2000-01-01\"\n\n[[sites.closures]]\nname = \"Last\"\nfrom = \"2100-12-30\"\nto = \"2100-12-31\"\n",
        ..CASE
    };

    server_limits_outside_their_ranges_are_refused: Case {
        append: "\n[server]\nclient_timeout = \"0s\"\nsender_burst = 0 # never\nsender_per_minute = 100001\n",
        expect: &[
            error_at("\"0s\"", "server.client_timeout", "must be from 1s to 5m"),
            error_at("0 # never", "server.sender_burst", "must be a whole number from 1 to 100000"),
            error_at("100001", "server.sender_per_minute", "must be a whole number from 1 to 100000"),
        ],
        ..CASE
    };

    a_client_timeout_over_five_minutes_and_a_negative_burst_are_refused: Case {
        append: "\n[server]\nclient_timeout = \"5m1s\"\nsender_burst = -9223372036854775808\n",
        expect: &[
            error_at("\"5m1s\"", "server.client_timeout", "must be from 1s to 5m"),
            error_at("-9223372036854775808", "server.sender_burst", "must be a whole number from 1 to 100000"),
        ],
        ..CASE
    };

    an_sms_timeout_under_a_second_or_over_twenty_seconds_is_refused: Case {
        append: "\n[transports.sms]\nprovider = \"twilio\"\naccount_sid = \"AC1\"\nfrom = \"+1 412 555 0100\"\nauth_token_env = \"SMS_TOKEN\"\ntimeout = \"21s\"\n",
        env: &[("SMS_TOKEN", "secret")],
        expect: &[error_at("\"21s\"", "transports.sms.timeout", "must be from 1s to 20s")],
        ..CASE
    };

    an_sms_timeout_of_no_time_is_refused: Case {
        append: "\n[transports.sms]\nprovider = \"twilio\"\naccount_sid = \"AC1\"\nfrom = \"+1 412 555 0100\"\nauth_token_env = \"SMS_TOKEN\"\ntimeout = \"0s\"\n",
        env: &[("SMS_TOKEN", "secret")],
        expect: &[error_at("\"0s\"", "transports.sms.timeout", "must be from 1s to 20s")],
        ..CASE
    };

    a_ring_timeout_under_five_seconds_and_a_press_timeout_over_thirty_are_refused: Case {
        append: "\n[transports.voice]\nring_timeout = \"4s\"\npress_timeout = \"31s\"\n",
        expect: &[
            error_at("\"4s\"", "transports.voice.ring_timeout", "must be from 5s to 60s"),
            error_at("\"31s\"", "transports.voice.press_timeout", "must be from 3s to 30s"),
        ],
        ..CASE
    };

    a_ring_timeout_over_a_minute_and_a_press_timeout_under_three_seconds_are_refused: Case {
        append: "\n[transports.voice]\nring_timeout = \"1m1s\"\npress_timeout = \"2s\"\n",
        expect: &[
            error_at("\"1m1s\"", "transports.voice.ring_timeout", "must be from 5s to 60s"),
            error_at("\"2s\"", "transports.voice.press_timeout", "must be from 3s to 30s"),
        ],
        ..CASE
    };

    voice_timeouts_longer_than_any_duration_or_not_durations_at_all_are_refused: Case {
        append: "\n[transports.voice]\nring_timeout = \"99999999999999999999s\"\npress_timeout = \"eight\"\n",
        expect: &[
            error_at("\"99999999999999999999s\"", "transports.voice.ring_timeout", "is too long"),
            error_at("\"eight\"", "transports.voice.press_timeout", "is not a duration"),
        ],
        ..CASE
    };

    a_voice_section_with_a_key_it_does_not_have_is_refused: Case {
        append: "\n[transports.voice]\nring = \"20s\"\n",
        expect: &[error("ring = ", "ring", "unknown field `ring`")],
        ..CASE
    };

    the_limits_of_the_voice_timings_load: Case {
        append: "\n[transports.voice]\nring_timeout = \"5s\"\npress_timeout = \"30s\"\n",
        ..CASE
    };

    the_limits_of_the_server_limits_load: Case {
        append: "\n[server]\nclient_timeout = \"5m\"\nsender_burst = 100000\nsender_per_minute = 1\n",
        ..CASE
    };
}

#[test]
fn server_limits_default_when_the_file_does_not_set_them_and_are_read_when_it_does() {
    let config = support::load(support::BASE, &[]).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(
        config.server.client_timeout,
        std::time::Duration::from_secs(10)
    );
    assert_eq!(
        (config.server.sender_burst, config.server.sender_per_minute),
        (20, 10)
    );
    let set = format!(
        "{}\n[server]\nclient_timeout = \"1s\"\nsender_burst = 3\nsender_per_minute = 2\n",
        support::BASE
    );
    let config = support::load(&set, &[]).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(
        config.server.client_timeout,
        std::time::Duration::from_secs(1)
    );
    assert_eq!(
        (config.server.sender_burst, config.server.sender_per_minute),
        (3, 2)
    );
}

#[test]
fn the_sms_timeout_defaults_to_ten_seconds_and_is_read_when_the_file_sets_it() {
    let sms = |timeout: &str| {
        let text = format!(
            "{}\n[transports.sms]\nprovider = \"twilio\"\naccount_sid = \"AC1\"\n\
             from = \"+1 412 555 0100\"\nauth_token_env = \"SMS_TOKEN\"\n{timeout}",
            support::BASE
        );
        let config =
            support::load(&text, &[("SMS_TOKEN", "secret")]).unwrap_or_else(|e| panic!("{e}"));
        match config.transports.sms.map(|s| s.provider) {
            Some(handoff_config::SmsProvider::Twilio(settings)) => settings.timeout,
            other => panic!("not the Twilio provider: {other:?}"),
        }
    };
    assert_eq!(sms(""), std::time::Duration::from_secs(10));
    assert_eq!(sms("timeout = \"1s\"\n"), std::time::Duration::from_secs(1));
    assert_eq!(
        sms("timeout = \"20s\"\n"),
        std::time::Duration::from_secs(20)
    );
}

#[test]
fn voice_timings_default_to_twenty_and_eight_seconds_and_are_read_when_the_file_sets_them() {
    let voice = |section: &str| {
        let text = format!("{}{section}", support::BASE);
        let config = support::load(&text, &[]).unwrap_or_else(|e| panic!("{e}"));
        let voice = config.transports.voice;
        (voice.ring_timeout.as_secs(), voice.press_timeout.as_secs())
    };
    assert_eq!(voice(""), (20, 8));
    assert_eq!(voice("\n[transports.voice]\n"), (20, 8));
    assert_eq!(
        voice("\n[transports.voice]\nring_timeout = \"1m\"\npress_timeout = \"3s\"\n"),
        (60, 3)
    );
    assert_eq!(
        voice("\n[transports.voice]\npress_timeout = \"12s\"\n"),
        (20, 12)
    );
}

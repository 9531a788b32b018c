//! Configuration errors as a person fixing a file sees them: for each kind of mistake
//! (bad time zone, phone, duration or reference, duplicate ids, shared phones, missing
//! contacts, missing secrets, role mismatches, reversed overrides, TOML syntax and
//! unknown keys), `load_str` reports exactly the expected errors, each on the right
//! line with the right key and message, and all of a file's errors at once without
//! errors that merely follow from another. Also: the tutorial `example.toml` loads,
//! and an error displays as `FILE:LINE:COL: key: message`.
//!
//! Each broken file is derived from one small valid base by replacing lines (see
//! `support`), and the expected line of an error is found by searching the broken
//! text for a marker.

#[macro_use]
mod support;

use handoff_config::SmsProvider;
use handoff_dispatcher::StepTarget;
use support::{BASE, CASE, Case, check, derive, error, error_at, errors_of, line_of, load, render};

const TWILIO: &str = r#"
[transports.sms]
provider = "twilio"
account_sid = "AC0123456789"
from = "+1 412 555 0100"
auth_token_env = "TEST_SMS_TOKEN"
"#;

const TWILIO_DISABLED: &str = r#"
[transports.sms]
enabled = false
provider = "twilio"
account_sid = "AC0123456789"
from = "+1 412 555 0100"
auth_token_env = "TEST_SMS_TOKEN"
"#;

const MATRIX: &str = r#"
[transports.matrix]
homeserver = "https://matrix.example.org"
user = "@handoff:matrix.example.org"
password_env = "TEST_MATRIX_PASSWORD"
"#;

cases! {
    the_base_config_loads_without_errors: CASE;

    an_officer_zone_of_one_of_the_agencys_sites_loads: Case {
        edits: &[
            ("escalation = \"standard\"\nhours", "escalation = \"standard\"\nzones = [\"zone-1\", \"zone-2\"]\nhours"),
            ("phone = \"+1 412 555 0101\" }", "phone = \"+1 412 555 0101\", zone = \"zone-2\" }"),
        ],
        ..CASE
    };

    an_officer_zone_that_no_site_of_the_agency_has_is_an_error_naming_the_zones: Case {
        edits: &[
            ("escalation = \"standard\"\nhours", "escalation = \"standard\"\nzones = [\"zone-1\", \"zone-2\"]\nhours"),
            ("phone = \"+1 412 555 0101\" }", "phone = \"+1 412 555 0101\", zone = \"zone-9\" }"),
        ],
        expect: &[error("\"zone-9\"", "agencies[0].officers[0].zone", "unknown zone `zone-9`: this agency's sites have zone-1, zone-2")],
        ..CASE
    };

    a_message_retention_under_a_day_is_refused: Case {
        edits: &[("name = \"Test LEAD\"\n", "name = \"Test LEAD\"\nmessage_retention = \"12h\"\n")],
        expect: &[error("\"12h\"", "program.message_retention", "must be from 1d to 3650d")],
        ..CASE
    };

    a_message_retention_without_a_unit_is_refused: Case {
        edits: &[("name = \"Test LEAD\"\n", "name = \"Test LEAD\"\nmessage_retention = \"90\"\n")],
        expect: &[error("\"90\"", "program.message_retention", "not a duration")],
        ..CASE
    };

    an_unknown_time_zone_is_reported_on_the_time_zone_line: Case {
        edits: &[("America/New_York", "Mars/Olympus")],
        expect: &[error("Mars/Olympus", "sites[0].time_zone", "unknown time zone `Mars/Olympus`")],
        ..CASE
    };

    a_phone_number_invalid_in_its_numbering_plan_is_an_error: Case {
        edits: &[("+1 412 555 0111", "+1 412 555")],
        expect: &[error("+1 412 555\"", "people[0].phone", "`+1 412 555` is not a")],
        ..CASE
    };

    a_phone_number_without_a_plus_is_refused_as_not_international: Case {
        edits: &[("+1 412 555 0111", "412 555 0111")],
        expect: &[error("412 555 0111", "people[0].phone", "international form")],
        ..CASE
    };

    an_officer_phone_without_a_plus_is_refused_too: Case {
        edits: &[("+1 412 555 0101", "412-555-0101")],
        expect: &[error("412-555-0101", "agencies[0].officers[0].phone", "international form")],
        ..CASE
    };

    a_shift_naming_an_unknown_person_is_an_error: Case {
        edits: &[("person = \"dana\"", "person = \"nobody\"")],
        expect: &[error("nobody", "shifts[0].person", "unknown person `nobody`")],
        ..CASE
    };

    a_step_offered_to_a_list_of_people_loads: Case {
        edits: &[("who = \"case_manager\"", "who = [\"rosa\", \"dana\"]")],
        ..CASE
    };

    a_step_offered_to_an_unknown_person_is_an_error_at_that_id: Case {
        edits: &[("who = \"case_manager\"", "who = [\"rosa\",\n  \"nobody\"]")],
        expect: &[error_at("\"nobody\"", "escalation_policies[0].steps[0].who", "unknown person `nobody`")],
        ..CASE
    };

    a_step_offered_to_an_empty_list_is_an_error: Case {
        edits: &[("who = \"case_manager\"", "who = []")],
        expect: &[error("who = []", "escalation_policies[0].steps[0].who", "offers nobody")],
        ..CASE
    };

    a_step_offered_to_a_number_is_an_error_naming_the_forms: Case {
        edits: &[("who = \"case_manager\"", "who = 3")],
        expect: &[error("who = 3", "who", "a role, \"all_on_duty\", or a list of person ids")],
        ..CASE
    };

    an_escalation_policy_with_no_steps_is_an_error_without_cascading_to_its_site: Case {
        edits: &[("[[escalation_policies.steps]]\nwho = \"case_manager\"\ntimeout = \"5m\"\n", "")],
        expect: &[error("[[escalation_policies]]", "escalation_policies[0].steps", "at least one step")],
        ..CASE
    };

    a_step_timeout_of_zero_is_an_error: Case {
        edits: &[("timeout = \"5m\"", "timeout = \"0m\"")],
        expect: &[error("timeout", "escalation_policies[0].steps[0].timeout", "timeout of zero")],
        ..CASE
    };

    a_duration_without_a_unit_is_an_error: Case {
        edits: &[("timeout = \"5m\"", "timeout = \"5\"")],
        expect: &[error("timeout", "escalation_policies[0].steps[0].timeout", "`5` is not a duration")],
        ..CASE
    };

    a_duplicate_person_id_is_an_error_on_the_second: Case {
        edits: &[("id = \"rosa\"", "id = \"dana\" # again")],
        expect: &[error("# again", "people[1].id", "duplicate person id `dana`")],
        ..CASE
    };

    a_duplicate_site_id_is_an_error_on_the_second: Case {
        append: "\n[[sites]]\nid = \"north\" # again\ntime_zone = \"America/Chicago\"\nescalation = \"standard\"\n",
        expect: &[error("# again", "sites[1].id", "duplicate site id `north`")],
        ..CASE
    };

    a_duplicate_officer_id_in_another_agency_is_an_error: Case {
        append: r#"
[[agencies]]
id = "sheriff"
name = "County Sheriff"
sites = ["north"]
officers = [
  { id = "rivera", name = "Luis Rivera", phone = "+1 724 555 0103" }, # again
]
"#,
        expect: &[error("# again", "agencies[1].officers[0].id", "duplicate officer id `rivera`")],
        ..CASE
    };

    an_officer_phone_that_is_also_a_staff_members_is_an_error: Case {
        edits: &[("phone = \"+1 412 555 0101\"", "phone = \"+1 (412) 555-0111\"")],
        expect: &[error("Ana Rivera", "agencies[0].officers[0].phone", "also the phone of staff member `dana`")],
        ..CASE
    };

    a_person_with_neither_phone_nor_matrix_is_an_error_at_their_table: Case {
        edits: &[
            ("[[people]]\nid = \"rosa\"", "[[people]] # rosa\nid = \"rosa\""),
            ("matrix = \"@rosa:matrix.example.org\"\n", ""),
        ],
        expect: &[error("# rosa", "people[1].phone", "give a phone or a matrix ID")],
        ..CASE
    };

    an_unset_sms_secret_is_an_error_when_twilio_is_enabled: Case {
        append: TWILIO,
        expect: &[error("auth_token_env", "transports.sms.auth_token_env", "TEST_SMS_TOKEN is not set")],
        ..CASE
    };

    an_empty_sms_secret_counts_as_unset: Case {
        append: TWILIO,
        env: &[("TEST_SMS_TOKEN", "")],
        expect: &[error("auth_token_env", "transports.sms.auth_token_env", "TEST_SMS_TOKEN is not set")],
        ..CASE
    };

    a_set_sms_secret_lets_twilio_load: Case {
        append: TWILIO,
        env: &[("TEST_SMS_TOKEN", "s3cret")],
        ..CASE
    };

    an_unset_sms_secret_is_no_error_when_sms_is_disabled: Case {
        append: TWILIO_DISABLED,
        ..CASE
    };

    the_sandbox_sms_provider_needs_no_secret: Case {
        append: "\n[transports.sms]\nprovider = \"sandbox\"\n",
        ..CASE
    };

    an_unset_matrix_password_is_an_error_when_matrix_is_enabled: Case {
        append: MATRIX,
        env: &[("TEST_SMS_TOKEN", "not the one asked for")],
        expect: &[error("password_env", "transports.matrix.password_env", "TEST_MATRIX_PASSWORD is not set")],
        ..CASE
    };

    an_unset_matrix_password_is_no_error_when_matrix_is_disabled: Case {
        append: "\n[transports.matrix]\nenabled = false\nhomeserver = \"https://matrix.example.org\"\nuser = \"@handoff:matrix.example.org\"\npassword_env = \"TEST_MATRIX_PASSWORD\"\n",
        ..CASE
    };

    a_set_matrix_password_lets_matrix_load: Case {
        append: MATRIX,
        env: &[("TEST_MATRIX_PASSWORD", "hunter2")],
        ..CASE
    };

    a_broken_phone_an_unknown_zone_and_an_unknown_person_are_all_reported_in_file_order: Case {
        edits: &[
            ("America/New_York", "Mars/Olympus"),
            ("+1 412 555 0111", "+1 412 555"),
            ("person = \"dana\"", "person = \"nobody\""),
        ],
        expect: &[
            error("Mars/Olympus", "sites[0].time_zone", "unknown time zone"),
            error("+1 412 555\"", "people[0].phone", "is not a"),
            error("nobody", "shifts[0].person", "unknown person `nobody`"),
        ],
        ..CASE
    };

    a_site_with_an_invalid_zone_causes_no_unknown_site_errors_where_it_is_named: Case {
        edits: &[("America/New_York", "Mars/Olympus")],
        append: r#"
[[rotations]]
id = "on-call"
role = "supervisor"
members = ["rosa"]
sites = ["north"]
start = "2026-11-02T08:00"
when = "closed"

[[overrides]]
kind = "remove"
person = "dana"
sites = ["north"]
from = "2026-12-28T08:00"
to = "2026-12-31T16:00"
"#,
        expect: &[error("Mars/Olympus", "sites[0].time_zone", "unknown time zone")],
        ..CASE
    };

    a_toml_syntax_error_is_reported_alone_with_its_line_and_key: Case {
        edits: &[
            ("name = \"Test LEAD\"", "name = \"Test LEAD"),
            ("America/New_York", "Mars/Olympus"),
        ],
        expect: &[error("Test LEAD", "name", "string")],
        ..CASE
    };

    a_duplicate_toml_key_is_reported_with_its_line_and_key: Case {
        edits: &[("roles = [\"supervisor\"]", "roles = [\"supervisor\"]\nroles = [\"coordinator\"]")],
        expect: &[error("coordinator", "roles", "duplicate key")],
        ..CASE
    };

    an_unknown_key_is_reported_with_its_line_and_key: Case {
        edits: &[("phone = \"+1 412 555 0111\"", "phone = \"+1 412 555 0111\"\ncolour = \"red\"")],
        expect: &[error("colour", "colour", "unknown field `colour`")],
        ..CASE
    };

    an_unknown_key_in_an_inline_table_is_reported_with_that_key: Case {
        edits: &[("rank = \"Ofc.\"", "rank = \"Ofc.\", badge = \"7\"")],
        expect: &[error("badge", "badge", "unknown field `badge`")],
        ..CASE
    };

    a_value_of_the_wrong_type_is_reported_with_its_line_and_key: Case {
        edits: &[("phone = \"+1 412 555 0111\"", "phone = \"+1 412 555 0111\"\ncaseload_cap = \"ten\"")],
        expect: &[error("caseload_cap", "caseload_cap", "invalid type")],
        ..CASE
    };

    a_value_of_the_wrong_type_in_an_inline_table_is_reported_with_its_key: Case {
        edits: &[("rank = \"Ofc.\"", "rank = 3")],
        expect: &[error("rank = 3", "rank", "invalid type")],
        ..CASE
    };

    a_shift_for_a_person_with_several_roles_must_say_which_role: Case {
        edits: &[
            ("roles = [\"case_manager\"]", "roles = [\"case_manager\", \"coordinator\"]"),
            ("[[shifts]]", "[[shifts]] # no role"),
        ],
        expect: &[error("# no role", "shifts[0].role", "`dana` has several roles")],
        ..CASE
    };

    a_shift_that_names_one_of_several_roles_loads: Case {
        edits: &[
            ("roles = [\"case_manager\"]", "roles = [\"case_manager\", \"coordinator\"]"),
            ("person = \"dana\"", "person = \"dana\"\nrole = \"coordinator\""),
        ],
        ..CASE
    };

    a_shift_in_a_role_the_person_lacks_is_an_error: Case {
        edits: &[("person = \"dana\"", "person = \"dana\"\nrole = \"supervisor\"")],
        expect: &[error("role = \"supervisor\"", "shifts[0].role", "`dana` does not have the role supervisor")],
        ..CASE
    };

    a_misspelt_only_role_is_reported_once_and_not_as_several_roles_in_a_shift: Case {
        edits: &[("roles = [\"case_manager\"]", "roles = [\"case_manger\"]")],
        expect: &[error("case_manger", "people[0].roles", "unknown role `case_manger`")],
        ..CASE
    };

    a_rotation_member_lacking_the_rotations_role_is_an_error: Case {
        append: r#"
[[rotations]]
id = "after-hours"
role = "coordinator"
members = ["rosa", "dana"]
start = "2026-11-02T08:00"
when = "closed"
"#,
        expect: &[
            error("members", "rotations[0].members", "`rosa` does not have the role coordinator"),
            error("members", "rotations[0].members", "`dana` does not have the role coordinator"),
        ],
        ..CASE
    };

    a_rotation_member_whose_only_role_is_misspelt_is_reported_once: Case {
        edits: &[("roles = [\"supervisor\"]", "roles = [\"supervisr\"]")],
        append: r#"
[[rotations]]
id = "after-hours"
role = "supervisor"
members = ["rosa"]
start = "2026-11-02T08:00"
"#,
        expect: &[error("supervisr", "people[1].roles", "unknown role `supervisr`")],
        ..CASE
    };

    a_person_missing_a_name_is_not_also_an_unknown_person_in_their_shift: Case {
        edits: &[
            ("[[people]]\nid = \"dana\"", "[[people]] # dana\nid = \"dana\""),
            ("name = \"Dana Whitfield\"\n", ""),
        ],
        expect: &[error("# dana", "people[0].name", "missing")],
        ..CASE
    };

    an_override_whose_to_is_before_its_from_is_an_error: Case {
        append: r#"
[[overrides]]
kind = "remove"
person = "dana"
from = "2026-12-28T08:00"
to = "2026-12-27T08:00"
note = "typo in the dates"
"#,
        expect: &[error("to = ", "overrides[0].to", "must end after it starts")],
        ..CASE
    };

    an_override_with_exact_times_in_reverse_is_an_error_too: Case {
        append: r#"
[[overrides]]
kind = "cover"
person = "rosa"
covers = "dana"
from = "2026-12-28T08:00:00-05:00"
to = "2026-12-28T07:59:00-05:00"
"#,
        expect: &[error("to = ", "overrides[0].to", "must end after it starts")],
        ..CASE
    };
}

#[test]
fn the_example_file_loads_with_two_sites_eight_people_two_agencies_three_officers_and_a_center() {
    let config = match load(include_str!("../example.toml"), &[]) {
        Ok(config) => config,
        Err(e) => panic!("example.toml has errors:\n{e}"),
    };
    assert_eq!(config.program.name, "Three Rivers LEAD");
    assert_eq!(config.sites.len(), 2);
    assert_eq!(config.roster.people.len(), 8);
    assert_eq!(config.roster.agencies.len(), 2);
    assert_eq!(config.roster.officers.len(), 3);
    let centers: Vec<&str> = config
        .sites
        .iter()
        .flat_map(|site| site.centers.iter().map(|c| c.id.as_str()))
        .collect();
    assert_eq!(centers, ["stab"]);
    for site in &config.sites {
        let rotations: Vec<&str> = site
            .schedule
            .rotations
            .iter()
            .map(|r| r.name.as_str())
            .collect();
        assert_eq!(rotations, ["after-hours"], "site {}", site.id);
    }
    assert_eq!(
        config.transports.sms.map(|sms| sms.provider),
        Some(SmsProvider::Sandbox)
    );
    assert!(
        config.transports.matrix.is_none(),
        "matrix is disabled in the example"
    );
}

#[test]
fn a_step_written_as_a_list_of_people_offers_exactly_those_people_in_order() {
    let text = derive(
        &[("who = \"case_manager\"", "who = [\"rosa\", \"dana\"]")],
        "",
    );
    let config = load(&text, &[]).unwrap();
    let policy = config.policies.values().next().unwrap();
    let StepTarget::People(ids) = &policy.steps[0].target else {
        panic!(
            "expected a list of people, got {:?}",
            policy.steps[0].target
        )
    };
    let ids: Vec<&str> = ids.iter().map(|id| id.as_str()).collect();
    assert_eq!(ids, ["rosa", "dana"]);
}

#[test]
fn the_sms_token_is_read_from_the_injected_environment() {
    let text = derive(&[], TWILIO);
    let config = load(&text, &[("TEST_SMS_TOKEN", "s3cret")]).unwrap();
    let Some(SmsProvider::Twilio(twilio)) = config.transports.sms.map(|sms| sms.provider) else {
        panic!("expected the twilio provider")
    };
    assert_eq!(twilio.auth_token_env, "TEST_SMS_TOKEN");
    assert_eq!(twilio.auth_token.expose(), "s3cret");
    assert_eq!(twilio.api_base, "https://api.twilio.com");
}

#[test]
fn the_base_config_has_what_its_comment_says() {
    let config = load(BASE, &[]).unwrap();
    assert_eq!(config.sites.len(), 1);
    assert_eq!(config.policies.len(), 1);
    assert_eq!(config.roster.people.len(), 2);
    assert_eq!(config.roster.agencies.len(), 1);
    assert_eq!(config.roster.officers.len(), 1);
    assert_eq!(config.sites[0].schedule.shifts.len(), 1);
}

#[test]
fn all_errors_of_a_file_come_at_once_on_their_real_lines() {
    // Literal lines: 10 has the bad zone, 17 the bad phone, 20 the unknown person.
    let text = r#"[program]
name = "Test LEAD"
[[escalation_policies]]
id = "standard"
[[escalation_policies.steps]]
who = "case_manager"
timeout = "5m"
[[sites]]
id = "north"
time_zone = "Europe/Atlantis"
escalation = "standard"
hours = [{ days = "mon-fri", start = "08:00", end = "17:00" }]
[[people]]
id = "dana"
name = "Dana Whitfield"
roles = ["case_manager"]
phone = "+1 412 555"
[[shifts]]
sites = ["north"]
person = "dana-w"
[[agencies]]
id = "metro-pd"
name = "Metro PD"
sites = ["north"]
officers = [{ id = "rivera", name = "Ana Rivera", phone = "+1 412 555 0101" }]
"#;
    let errors = errors_of(text, &[]);
    let placed: Vec<(usize, &str)> = errors.iter().map(|e| (e.line, e.key.as_str())).collect();
    assert_eq!(
        placed,
        [
            (10, "sites[0].time_zone"),
            (17, "people[0].phone"),
            (20, "shifts[0].person"),
        ],
        "{}",
        render(&errors)
    );
}

#[test]
fn an_error_displays_as_file_line_column_key_message() {
    let text = derive(
        &[
            ("America/New_York", "Mars/Olympus"),
            ("person = \"dana\"", "person = \"nobody\""),
        ],
        "",
    );
    let (zone_line, person_line) = (line_of(&text, "Mars/Olympus"), line_of(&text, "nobody"));
    let errors = errors_of(&text, &[]);
    assert_eq!(errors.len(), 2, "{}", render(&errors));
    // `time_zone = "` is 12 characters: the value starts in column 13.
    let zone = format!(
        "handoff.toml:{zone_line}:13: sites[0].time_zone: unknown time zone `Mars/Olympus`: \
         use an IANA name such as America/New_York"
    );
    let person = format!(
        "handoff.toml:{person_line}:10: shifts[0].person: unknown person `nobody`: \
         no [[people]] entry has this id"
    );
    assert_eq!(errors[0].to_string(), zone);
    assert_eq!(errors[1].to_string(), person);
    // The whole `LoadError` shows its errors one a line, in file order.
    let Err(e) = load(&text, &[]) else {
        panic!("expected errors")
    };
    assert_eq!(e.to_string(), format!("{zone}\n{person}"));
}

#[test]
fn a_syntax_error_displays_with_file_line_and_column() {
    let text = derive(&[("name = \"Test LEAD\"", "name = \"Test LEAD")], "");
    let errors = errors_of(&text, &[]);
    assert_eq!(errors.len(), 1, "{}", render(&errors));
    let shown = errors[0].to_string();
    assert!(shown.starts_with("handoff.toml:2:"), "{shown}");
    assert!(shown.contains(": name: "), "{shown}");
}

//! The Matrix side of a configuration: the `[transports.matrix]` keys (homeserver,
//! bot user, password variable, data directory, device name), a site's
//! `matrix_room` and a person's or officer's preferred `channel`. Each mistake is
//! reported at its file, line, column and key; the password is needed only while no
//! session is saved in the data directory, which is resolved against the directory
//! of the configuration file; a disabled section is checked for the form of its
//! values only.

#[macro_use]
mod support;

use std::path::{Path, PathBuf};

use handoff_config::{Config, LoadError, load_str};
use handoff_dispatcher::{Channel, OfficerId};
use handoff_schedules::PersonId;
use support::{BASE, CASE, Case, FILE, check, derive, error, error_at, load};

const MATRIX: &str = r#"
[transports.matrix]
homeserver = "https://matrix.example.org"
user = "@handoff:matrix.example.org"
password_env = "TEST_MATRIX_PASSWORD"
"#;

const PASSWORD: &[(&str, &str)] = &[("TEST_MATRIX_PASSWORD", "hunter2")];

const SITE_HOURS: &str = "escalation = \"standard\"\nhours";
const DANA_PHONE: &str = "phone = \"+1 412 555 0111\"\n";
const ROSA_MATRIX: &str = "matrix = \"@rosa:matrix.example.org\"\n";
const OFFICER_PHONE: &str = "phone = \"+1 412 555 0101\" }";

/// The Matrix section with one more line, to append to the base.
fn with_matrix(line: &str) -> String {
    format!("{MATRIX}{line}\n")
}

/// A site's `matrix_room` line (before its `hours`) with a room ID of `bytes` bytes.
fn room_of_bytes(bytes: usize) -> String {
    let server = ":matrix.example.org";
    let opaque = "a".repeat(bytes - 1 - server.len());
    let room = format!("!{opaque}{server}");
    assert_eq!(room.len(), bytes);
    format!("escalation = \"standard\"\nmatrix_room = \"{room}\"\nhours")
}

cases! {
    an_unset_matrix_password_without_a_saved_session_names_the_variable_and_the_directory: Case {
        append: MATRIX,
        expect: &[error_at(
            "\"TEST_MATRIX_PASSWORD\"",
            "transports.matrix.password_env",
            "the environment variable TEST_MATRIX_PASSWORD is not set, and there is no saved session in matrix: the first start logs in with it",
        )],
        ..CASE
    };

    an_empty_matrix_password_counts_as_unset: Case {
        append: MATRIX,
        env: &[("TEST_MATRIX_PASSWORD", "")],
        expect: &[error_at("\"TEST_MATRIX_PASSWORD\"", "transports.matrix.password_env", "TEST_MATRIX_PASSWORD is not set")],
        ..CASE
    };

    a_missing_password_env_is_an_error_at_the_matrix_table: Case {
        append: "\n[transports.matrix] # here\nhomeserver = \"https://matrix.example.org\"\nuser = \"@handoff:matrix.example.org\"\n",
        env: PASSWORD,
        expect: &[error("# here", "transports.matrix.password_env", "missing: name the environment variable")],
        ..CASE
    };

    a_password_env_that_is_no_variable_name_is_an_error: Case {
        append: "\n[transports.matrix]\nhomeserver = \"https://matrix.example.org\"\nuser = \"@handoff:matrix.example.org\"\npassword_env = \"$PASSWORD\"\n",
        env: PASSWORD,
        expect: &[error_at("\"$PASSWORD\"", "transports.matrix.password_env", "`$PASSWORD` is not an environment variable name")],
        ..CASE
    };

    a_homeserver_without_a_scheme_is_an_error_at_its_value: Case {
        append: &MATRIX.replace("https://matrix.example.org", "matrix.example.org"),
        env: PASSWORD,
        expect: &[error_at("\"matrix.example.org\"", "transports.matrix.homeserver", "is not an http(s) URL")],
        ..CASE
    };

    a_missing_homeserver_and_user_are_errors_at_the_matrix_table: Case {
        append: "\n[transports.matrix] # here\npassword_env = \"TEST_MATRIX_PASSWORD\"\n",
        env: PASSWORD,
        expect: &[
            error("# here", "transports.matrix.homeserver", "missing: this key is required"),
            error("# here", "transports.matrix.user", "missing: this key is required"),
        ],
        ..CASE
    };

    an_empty_data_dir_is_an_error: Case {
        append: &with_matrix("data_dir = \" \""),
        env: PASSWORD,
        expect: &[error_at("\" \"", "transports.matrix.data_dir", "may not be empty")],
        ..CASE
    };

    a_data_dir_under_the_home_tilde_is_an_error_since_tilde_is_not_expanded: Case {
        append: &with_matrix("data_dir = \"~/handoff/matrix\""),
        env: PASSWORD,
        expect: &[error_at("\"~/handoff/matrix\"", "transports.matrix.data_dir", "`~` is not expanded")],
        ..CASE
    };

    a_data_dir_with_a_line_break_is_an_error: Case {
        append: &with_matrix("data_dir = \"matrix\\nstate\""),
        env: PASSWORD,
        expect: &[error_at("\"matrix\\nstate\"", "transports.matrix.data_dir", "holds a line break")],
        ..CASE
    };

    a_device_name_of_65_characters_is_too_long: Case {
        append: &with_matrix(&format!("device_name = \"{}\"", "a".repeat(65))),
        env: PASSWORD,
        expect: &[error("device_name", "transports.matrix.device_name", "must be from 1 to 64 characters (it has 65)")],
        ..CASE
    };

    a_device_name_of_64_characters_of_two_bytes_each_loads: Case {
        append: &with_matrix(&format!("device_name = \"{}\"", "é".repeat(64))),
        env: PASSWORD,
        ..CASE
    };

    an_empty_device_name_is_an_error: Case {
        append: &with_matrix("device_name = \"\""),
        env: PASSWORD,
        expect: &[error_at("\"\"", "transports.matrix.device_name", "may not be empty")],
        ..CASE
    };

    a_device_name_with_a_tab_is_an_error: Case {
        append: &with_matrix("device_name = \"handoff\\tbot\""),
        env: PASSWORD,
        expect: &[error_at("\"handoff\\tbot\"", "transports.matrix.device_name", "holds a tab")],
        ..CASE
    };

    every_error_of_the_matrix_section_comes_at_once_in_file_order: Case {
        append: "\n[transports.matrix]\nhomeserver = \"matrix.example.org\"\nuser = \"handoff\"\npassword_env = \"TEST_MATRIX_PASSWORD\"\ndevice_name = \"\"\n",
        expect: &[
            error_at("\"matrix.example.org\"", "transports.matrix.homeserver", "is not an http(s) URL"),
            error_at("\"handoff\"", "transports.matrix.user", "is not a Matrix user ID"),
            error_at("\"TEST_MATRIX_PASSWORD\"", "transports.matrix.password_env", "no saved session in matrix"),
            error_at("\"\"", "transports.matrix.device_name", "may not be empty"),
        ],
        ..CASE
    };

    a_disabled_matrix_section_without_a_password_loads: Case {
        append: "\n[transports.matrix]\nenabled = false\nhomeserver = \"https://matrix.example.org\"\nuser = \"@handoff:matrix.example.org\"\npassword_env = \"TEST_MATRIX_PASSWORD\"\n",
        ..CASE
    };

    a_disabled_matrix_section_may_leave_every_key_out: Case {
        append: "\n[transports.matrix]\nenabled = false\n",
        ..CASE
    };

    a_disabled_matrix_section_still_refuses_a_malformed_value: Case {
        append: "\n[transports.matrix]\nenabled = false\nhomeserver = \"matrix.example.org\"\ndevice_name = \"a\\nb\"\n",
        expect: &[
            error_at("\"matrix.example.org\"", "transports.matrix.homeserver", "is not an http(s) URL"),
            error_at("\"a\\nb\"", "transports.matrix.device_name", "holds a line break"),
        ],
        ..CASE
    };

    a_site_room_id_loads: Case {
        edits: &[(SITE_HOURS, "escalation = \"standard\"\nmatrix_room = \"!AbCdEfGh:matrix.example.org\"\nhours")],
        ..CASE
    };

    a_site_room_on_a_server_with_a_port_or_an_ipv6_address_loads: Case {
        edits: &[(SITE_HOURS, "escalation = \"standard\"\nmatrix_room = \"!x_Y-1.2=+/:[::1]:8448\"\nhours")],
        ..CASE
    };

    a_site_room_given_as_an_alias_is_an_error_saying_so: Case {
        edits: &[(SITE_HOURS, "escalation = \"standard\"\nmatrix_room = \"#lead-north:matrix.example.org\"\nhours")],
        expect: &[error_at("\"#lead-north:matrix.example.org\"", "sites[0].matrix_room", "is a room alias, not a room ID")],
        ..CASE
    };

    a_site_room_without_a_server_is_an_error: Case {
        edits: &[(SITE_HOURS, "escalation = \"standard\"\nmatrix_room = \"!AbCdEfGh\"\nhours")],
        expect: &[error_at("\"!AbCdEfGh\"", "sites[0].matrix_room", "is not a Matrix room ID: expected !opaque:server")],
        ..CASE
    };

    a_site_room_without_the_exclamation_mark_is_an_error: Case {
        edits: &[(SITE_HOURS, "escalation = \"standard\"\nmatrix_room = \"AbCdEfGh:matrix.example.org\"\nhours")],
        expect: &[error_at("\"AbCdEfGh:matrix.example.org\"", "sites[0].matrix_room", "is not a Matrix room ID")],
        ..CASE
    };

    a_site_room_with_an_empty_opaque_part_is_an_error: Case {
        edits: &[(SITE_HOURS, "escalation = \"standard\"\nmatrix_room = \"!:matrix.example.org\"\nhours")],
        expect: &[error_at("\"!:matrix.example.org\"", "sites[0].matrix_room", "is not a Matrix room ID")],
        ..CASE
    };

    a_site_room_with_a_space_is_an_error: Case {
        edits: &[(SITE_HOURS, "escalation = \"standard\"\nmatrix_room = \"!AbCd EfGh:matrix.example.org\"\nhours")],
        expect: &[error_at("\"!AbCd EfGh:matrix.example.org\"", "sites[0].matrix_room", "is not a Matrix room ID")],
        ..CASE
    };

    a_site_room_with_a_zero_width_space_is_an_error: Case {
        edits: &[(SITE_HOURS, "escalation = \"standard\"\nmatrix_room = \"!AbCd\\u200BEfGh:matrix.example.org\"\nhours")],
        expect: &[error_at("\"!AbCd\\u200BEfGh:matrix.example.org\"", "sites[0].matrix_room", "is not a Matrix room ID")],
        ..CASE
    };

    a_site_room_of_255_bytes_loads: Case {
        edits: &[(SITE_HOURS, &room_of_bytes(255))],
        ..CASE
    };

    a_site_room_of_256_bytes_is_too_long: Case {
        edits: &[(SITE_HOURS, &room_of_bytes(256))],
        expect: &[error("matrix_room", "sites[0].matrix_room", "longer than 255 bytes")],
        ..CASE
    };

    a_person_preferring_matrix_without_a_matrix_id_is_an_error: Case {
        edits: &[(DANA_PHONE, "phone = \"+1 412 555 0111\"\nchannel = \"matrix\"\n")],
        expect: &[error_at("\"matrix\"", "people[0].channel", "`matrix` needs a matrix ID")],
        ..CASE
    };

    a_person_preferring_sms_without_a_phone_is_an_error: Case {
        edits: &[(ROSA_MATRIX, "matrix = \"@rosa:matrix.example.org\"\nchannel = \"sms\"\n")],
        expect: &[error_at("\"sms\"", "people[1].channel", "`sms` needs a phone")],
        ..CASE
    };

    a_channel_that_is_neither_matrix_nor_sms_is_an_error: Case {
        edits: &[(DANA_PHONE, "phone = \"+1 412 555 0111\"\nchannel = \"email\"\n")],
        expect: &[error_at("\"email\"", "people[0].channel", "`email` is not a channel: expected matrix or sms")],
        ..CASE
    };

    voice_is_no_channel_to_send_by: Case {
        edits: &[(DANA_PHONE, "phone = \"+1 412 555 0111\"\nchannel = \"voice\"\n")],
        expect: &[error_at("\"voice\"", "people[0].channel", "`voice` is not a channel: expected matrix or sms")],
        ..CASE
    };

    a_channel_in_capitals_is_an_error: Case {
        edits: &[(DANA_PHONE, "phone = \"+1 412 555 0111\"\nchannel = \"SMS\"\n")],
        expect: &[error_at("\"SMS\"", "people[0].channel", "is not a channel")],
        ..CASE
    };

    a_person_preferring_matrix_with_a_malformed_matrix_id_is_reported_once_at_the_id: Case {
        edits: &[(DANA_PHONE, "phone = \"+1 412 555 0111\"\nmatrix = \"dana@example.org\"\nchannel = \"matrix\"\n")],
        expect: &[error_at("\"dana@example.org\"", "people[0].matrix", "is not a Matrix user ID")],
        ..CASE
    };

    a_person_with_both_ways_may_prefer_either: Case {
        edits: &[(DANA_PHONE, "phone = \"+1 412 555 0111\"\nmatrix = \"@dana:matrix.example.org\"\nchannel = \"sms\"\n")],
        ..CASE
    };

    an_officer_preferring_matrix_without_a_matrix_id_is_an_error: Case {
        edits: &[(OFFICER_PHONE, "phone = \"+1 412 555 0101\", channel = \"matrix\" }")],
        expect: &[error_at("\"matrix\" }", "agencies[0].officers[0].channel", "`matrix` needs a matrix ID")],
        ..CASE
    };

    an_officer_with_a_matrix_id_may_prefer_matrix_or_sms: Case {
        edits: &[(OFFICER_PHONE, "phone = \"+1 412 555 0101\", matrix = \"@arivera:matrix.example.org\", channel = \"sms\" }")],
        append: "\n[[agencies]]\nid = \"sheriff\"\nname = \"County Sheriff\"\nsites = [\"north\"]\nofficers = [\n  { id = \"johnson\", name = \"Tom Johnson\", phone = \"+1 724 555 0103\", matrix = \"@tjohnson:matrix.example.org\", channel = \"matrix\" },\n]\n",
        ..CASE
    };

    an_officer_channel_that_is_not_a_channel_is_an_error: Case {
        edits: &[(OFFICER_PHONE, "phone = \"+1 412 555 0101\", channel = \"radio\" }")],
        expect: &[error_at("\"radio\" }", "agencies[0].officers[0].channel", "`radio` is not a channel")],
        ..CASE
    };
}

/// Loads `text` as the file `handoff.toml` in `dir`, with the Matrix password set to
/// `password` if given.
fn load_in(dir: &Path, text: &str, password: Option<&str>) -> Result<Config, LoadError> {
    let lookup = |name: &str| {
        (name == "TEST_MATRIX_PASSWORD")
            .then(|| password.map(str::to_owned))
            .flatten()
    };
    load_str(&dir.join(FILE), text, &lookup)
}

fn loaded(dir: &Path, text: &str, password: Option<&str>) -> Config {
    load_in(dir, text, password).unwrap_or_else(|e| panic!("expected the file to load:\n{e}"))
}

fn temp_dir() -> tempfile::TempDir {
    tempfile::tempdir().unwrap_or_else(|e| panic!("cannot make a temporary directory: {e}"))
}

/// Writes `DIR/session.json` as the Matrix transport leaves it after a first login.
fn save_session(dir: &Path) {
    std::fs::create_dir_all(dir).unwrap_or_else(|e| panic!("{e}"));
    std::fs::write(dir.join("session.json"), "{}").unwrap_or_else(|e| panic!("{e}"));
}

fn matrix_of(config: &Config) -> &handoff_config::MatrixTransport {
    config
        .transports
        .matrix
        .as_ref()
        .unwrap_or_else(|| panic!("expected the Matrix transport"))
}

#[test]
fn the_data_dir_defaults_to_matrix_beside_the_config_file() {
    let config = loaded(
        Path::new("/srv/handoff"),
        &derive(&[], MATRIX),
        Some("hunter2"),
    );
    let matrix = matrix_of(&config);
    assert_eq!(matrix.data_dir, Path::new("/srv/handoff/matrix"));
    assert_eq!(
        matrix.session_file(),
        Path::new("/srv/handoff/matrix/session.json")
    );
    assert_eq!(matrix.device_name, "handoff");
    assert_eq!(matrix.homeserver, "https://matrix.example.org");
    assert_eq!(matrix.user.as_str(), "@handoff:matrix.example.org");
    assert_eq!(matrix.password_env, "TEST_MATRIX_PASSWORD");
    assert_eq!(
        matrix.password.as_ref().map(|p| p.expose()),
        Some("hunter2")
    );
}

#[test]
fn a_relative_data_dir_is_resolved_against_the_config_files_directory() {
    let text = derive(&[], &with_matrix("data_dir = \"state/bot\""));
    let config = loaded(Path::new("/srv/handoff"), &text, Some("hunter2"));
    assert_eq!(
        matrix_of(&config).data_dir,
        Path::new("/srv/handoff/state/bot")
    );
    // A file named without a directory resolves against the working directory, as
    // its database does.
    let config = load(&text, PASSWORD).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(matrix_of(&config).data_dir, Path::new("state/bot"));
    assert_eq!(config.server.database, "sqlite://handoff.db");
}

#[test]
fn an_absolute_data_dir_is_kept_as_written() {
    let text = derive(&[], &with_matrix("data_dir = \"/var/lib/handoff/matrix\""));
    let config = loaded(Path::new("/srv/handoff"), &text, Some("hunter2"));
    assert_eq!(
        matrix_of(&config).data_dir,
        Path::new("/var/lib/handoff/matrix")
    );
}

#[test]
fn the_device_name_is_kept_trimmed() {
    let text = derive(
        &[],
        &with_matrix("device_name = \" Three Rivers handoff \""),
    );
    let config = loaded(Path::new("/srv/handoff"), &text, Some("hunter2"));
    assert_eq!(matrix_of(&config).device_name, "Three Rivers handoff");
}

#[test]
fn with_a_saved_session_the_matrix_password_may_be_unset() {
    let dir = temp_dir();
    save_session(&dir.path().join("matrix"));
    let config = loaded(dir.path(), &derive(&[], MATRIX), None);
    let matrix = matrix_of(&config);
    assert_eq!(matrix.password, None);
    assert_eq!(matrix.data_dir, dir.path().join("matrix"));
    assert!(config.directory().matrix_delivery);
}

#[test]
fn with_a_saved_session_a_set_password_is_still_read() {
    let dir = temp_dir();
    save_session(&dir.path().join("matrix"));
    let config = loaded(dir.path(), &derive(&[], MATRIX), Some("hunter2"));
    assert_eq!(
        matrix_of(&config).password.as_ref().map(|p| p.expose()),
        Some("hunter2")
    );
}

#[test]
fn a_session_saved_in_another_directory_than_data_dir_does_not_count() {
    let dir = temp_dir();
    save_session(&dir.path().join("matrix"));
    let text = derive(&[], &with_matrix("data_dir = \"elsewhere\""));
    let Err(LoadError::Invalid(errors)) = load_in(dir.path(), &text, None) else {
        panic!("expected the missing password to be an error")
    };
    assert_eq!(errors.len(), 1, "{errors:?}");
    let elsewhere: PathBuf = dir.path().join("elsewhere");
    assert_eq!(errors[0].key, "transports.matrix.password_env");
    assert_eq!(errors[0].line, support::line_of(&text, "password_env"));
    assert_eq!(
        errors[0].message,
        format!(
            "the environment variable TEST_MATRIX_PASSWORD is not set, and there is no saved session in {}: the first start logs in with it",
            elsewhere.display()
        )
    );
}

#[test]
fn a_directory_named_session_json_is_no_saved_session() {
    let dir = temp_dir();
    let session = dir.path().join("matrix").join("session.json");
    std::fs::create_dir_all(&session).unwrap_or_else(|e| panic!("{e}"));
    assert!(load_in(dir.path(), &derive(&[], MATRIX), None).is_err());
}

#[test]
fn a_disabled_matrix_section_gives_no_transport_and_no_matrix_delivery() {
    let text = derive(
        &[],
        "\n[transports.matrix]\nenabled = false\nhomeserver = \"https://matrix.example.org\"\nuser = \"@handoff:matrix.example.org\"\npassword_env = \"TEST_MATRIX_PASSWORD\"\n",
    );
    let config = load(&text, &[]).unwrap_or_else(|e| panic!("{e}"));
    assert!(config.transports.matrix.is_none());
    assert!(!config.directory().matrix_delivery);
}

#[test]
fn an_enabled_matrix_transport_turns_matrix_delivery_on() {
    let config = load(&derive(&[], MATRIX), PASSWORD).unwrap_or_else(|e| panic!("{e}"));
    assert!(config.transports.matrix.is_some());
    assert!(config.directory().matrix_delivery);
    let without = load(BASE, &[]).unwrap_or_else(|e| panic!("{e}"));
    assert!(!without.directory().matrix_delivery);
}

#[test]
fn a_site_keeps_its_room_id_and_a_site_without_one_has_none() {
    let text = derive(
        &[(
            SITE_HOURS,
            "escalation = \"standard\"\nmatrix_room = \"!AbCdEfGh:matrix.example.org\"\nhours",
        )],
        "\n[[sites]]\nid = \"south\"\ntime_zone = \"America/Chicago\"\nescalation = \"standard\"\n",
    );
    let config = load(&text, &[]).unwrap_or_else(|e| panic!("{e}"));
    let rooms: Vec<Option<&str>> = config
        .sites
        .iter()
        .map(|site| site.matrix_room.as_ref().map(|room| room.as_str()))
        .collect();
    assert_eq!(rooms, [Some("!AbCdEfGh:matrix.example.org"), None]);
}

fn person_channel(config: &Config, id: &str) -> Channel {
    let id = PersonId::parse(id).unwrap_or_else(|e| panic!("{e}"));
    config.roster.people[&id].channel
}

fn officer_channel(config: &Config, id: &str) -> Channel {
    let id = OfficerId::parse(id).unwrap_or_else(|e| panic!("{e}"));
    config.roster.officers[&id].channel
}

#[test]
fn without_a_channel_whoever_has_a_matrix_id_prefers_matrix_and_the_rest_sms() {
    let text = derive(
        &[(
            OFFICER_PHONE,
            "phone = \"+1 412 555 0101\", matrix = \"@arivera:matrix.example.org\" }",
        )],
        "\n[[people]]\nid = \"sam\"\nname = \"Sam Okafor\"\nroles = [\"coordinator\"]\nphone = \"+1 412 555 0115\"\nmatrix = \"@sam:matrix.example.org\"\n\n[[agencies]]\nid = \"sheriff\"\nname = \"County Sheriff\"\nsites = [\"north\"]\nofficers = [{ id = \"johnson\", name = \"Tom Johnson\", phone = \"+1 724 555 0103\" }]\n",
    );
    let config = load(&text, &[]).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(person_channel(&config, "dana"), Channel::Sms, "phone only");
    assert_eq!(
        person_channel(&config, "rosa"),
        Channel::Matrix,
        "Matrix only"
    );
    assert_eq!(person_channel(&config, "sam"), Channel::Matrix, "both");
    assert_eq!(officer_channel(&config, "rivera"), Channel::Matrix);
    assert_eq!(officer_channel(&config, "johnson"), Channel::Sms);
}

#[test]
fn a_channel_in_the_file_overrides_the_default() {
    let text = derive(
        &[
            (
                DANA_PHONE,
                "phone = \"+1 412 555 0111\"\nmatrix = \"@dana:matrix.example.org\"\nchannel = \"sms\"\n",
            ),
            (
                OFFICER_PHONE,
                "phone = \"+1 412 555 0101\", matrix = \"@arivera:matrix.example.org\", channel = \"sms\" }",
            ),
            (
                ROSA_MATRIX,
                "matrix = \"@rosa:matrix.example.org\"\nchannel = \"matrix\"\n",
            ),
        ],
        "",
    );
    let config = load(&text, &[]).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(person_channel(&config, "dana"), Channel::Sms);
    assert_eq!(person_channel(&config, "rosa"), Channel::Matrix);
    assert_eq!(officer_channel(&config, "rivera"), Channel::Sms);
}

const EXAMPLE: &str = include_str!("../example.toml");

#[test]
fn the_example_matrix_section_loads_when_enabled_with_its_data_dir_beside_the_file() {
    let text = EXAMPLE
        .replacen("enabled = false\n", "enabled = true\n", 1)
        .replacen("HANDOFF_MATRIX_PASSWORD", "TEST_MATRIX_PASSWORD", 1);
    assert_ne!(text, EXAMPLE);
    let config = loaded(Path::new("/etc/handoff"), &text, Some("hunter2"));
    let matrix = matrix_of(&config);
    assert_eq!(matrix.data_dir, Path::new("/etc/handoff/matrix"));
    assert_eq!(matrix.device_name, "handoff");
}

#[test]
fn the_example_sites_commented_room_loads_when_uncommented() {
    let commented = "# matrix_room = \"!AbCdEfGhIjKlMnOp:matrix.example.org\"";
    assert!(
        EXAMPLE.contains(commented),
        "the example lost its matrix_room"
    );
    let text = EXAMPLE.replacen(commented, commented.trim_start_matches("# "), 1);
    let config = load(&text, &[]).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(
        config.sites[0]
            .matrix_room
            .as_ref()
            .map(|room| room.as_str()),
        Some("!AbCdEfGhIjKlMnOp:matrix.example.org")
    );
}

#[test]
fn the_example_person_with_a_channel_prefers_it() {
    let config = load(EXAMPLE, &[]).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(person_channel(&config, "dana"), Channel::Sms);
    assert_eq!(person_channel(&config, "sam"), Channel::Matrix);
}

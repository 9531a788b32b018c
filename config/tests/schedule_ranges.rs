//! The ranges the configuration keeps schedules in, as a person fixing a file sees
//! them: a rotation's `turn_days` (1 to 365) and `start` (years 2000 to 2100), and
//! cron rules for windows and closures that must match some day of every year and
//! start a window at most 24 times a day. Each refusal is reported at the value's
//! own line and column; values at the edges of a range load.

mod support;

use handoff_config::ConfigError;

/// A valid program with one site, one case manager on a shift and a rotation; the
/// markers in capitals are replaced by each case.
const BASE: &str = r#"[program]
name = "Test LEAD"

[[escalation_policies]]
id = "standard"

[[escalation_policies.steps]]
who = "case_manager"
timeout = "5m"

[[sites]]
id = "north"
time_zone = "America/New_York"
escalation = "standard"
hours = [{ HOURS, end = "24:00" }]

[[sites.closures]]
name = "Holiday"
CLOSURE

[[agencies]]
id = "metro-pd"
name = "Metro PD"
sites = ["north"]
officers = [
  { id = "rivera", name = "Ana Rivera", rank = "Ofc.", phone = "+1 412 555 0101" },
]

[[people]]
id = "dana"
name = "Dana Whitfield"
roles = ["case_manager", "coordinator"]
phone = "+1 412 555 0111"

[[shifts]]
person = "dana"
role = "case_manager"

[[rotations]]
id = "after-hours"
role = "coordinator"
members = ["dana"]
start = START
turn_days = TURN
when = "closed"
"#;

/// The file with each marker replaced; the defaults are valid.
fn file(hours: &str, closure: &str, start: &str, turn: &str) -> String {
    BASE.replace("HOURS", hours)
        .replace("CLOSURE", closure)
        .replace("START", start)
        .replace("TURN", turn)
}

fn valid() -> [&'static str; 4] {
    [
        r#"days = "mon-fri", start = "08:00""#,
        r#"cron = "0 0 25 12 *""#,
        r#""2026-11-02T08:00""#,
        "7",
    ]
}

/// The file must fail with exactly one error, at the first character of `value` (on
/// the line that has it after the word `field`), on `key`, with a message containing
/// `message`.
fn refused(text: &str, (field, value): (&str, &str), key: &str, message: &str) {
    let errors: Vec<ConfigError> = support::errors_of(text, &[]);
    let (line, column) = text
        .lines()
        .enumerate()
        .find_map(|(i, l)| {
            let after = l.find(field)?;
            let c = after + l[after..].find(value)?;
            Some((i + 1, l[..c].chars().count() + 1))
        })
        .unwrap_or_else(|| panic!("{value} is not in the file"));
    let shown: Vec<String> = errors.iter().map(ToString::to_string).collect();
    assert_eq!(errors.len(), 1, "{shown:#?}");
    let error = &errors[0];
    assert_eq!((error.line, error.column), (line, column), "{shown:#?}");
    assert_eq!(error.key, key, "{shown:#?}");
    assert!(error.message.contains(message), "{shown:#?}");
}

fn loads(text: &str) {
    if let Err(e) = support::load(text, &[]) {
        panic!("expected the file to load, got:\n{e}\nfile:\n{text}");
    }
}

#[test]
fn the_base_file_loads() {
    let [hours, closure, start, turn] = valid();
    loads(&file(hours, closure, start, turn));
}

#[test]
fn a_turn_of_a_hundred_million_days_is_refused_at_its_value() {
    let [hours, closure, start, _] = valid();
    refused(
        &file(hours, closure, start, "100000000"),
        ("turn_days", "100000000"),
        "rotations[0].turn_days",
        "must be a whole number of days from 1 to 365",
    );
}

#[test]
fn turns_of_zero_days_and_of_366_days_are_refused() {
    let [hours, closure, start, _] = valid();
    for turn in ["0", "366", "-7"] {
        refused(
            &file(hours, closure, start, turn),
            ("turn_days", turn),
            "rotations[0].turn_days",
            "from 1 to 365",
        );
    }
}

#[test]
fn turns_of_one_day_and_of_365_days_load() {
    let [hours, closure, start, _] = valid();
    loads(&file(hours, closure, start, "1"));
    loads(&file(hours, closure, start, "365"));
}

#[test]
fn a_rotation_starting_before_2000_or_after_2100_is_refused_at_its_value() {
    let [hours, closure, _, turn] = valid();
    for start in [
        r#""1999-12-31T08:00""#,
        r#""2101-01-01T08:00""#,
        r#""+99999-01-01T08:00""#,
    ] {
        refused(
            &file(hours, closure, start, turn),
            ("start", start),
            "rotations[0].start",
            "a rotation starts in a year from 2000 to 2100",
        );
    }
}

#[test]
fn rotations_starting_in_2000_and_in_2100_load() {
    let [hours, closure, _, turn] = valid();
    loads(&file(hours, closure, r#""2000-01-01T00:00""#, turn));
    loads(&file(hours, closure, r#""2100-12-31T23:59""#, turn));
}

#[test]
fn site_hours_on_a_cron_rule_that_never_fires_are_refused_at_the_rule() {
    let [_, closure, start, turn] = valid();
    refused(
        &file(r#"cron = "0 0 31 2 *""#, closure, start, turn),
        ("cron", r#""0 0 31 2 *""#),
        "sites[0].hours[0].cron",
        "`0 0 31 2 *` does not match a day of every year",
    );
}

#[test]
fn site_hours_only_on_leap_days_are_refused() {
    let [_, closure, start, turn] = valid();
    refused(
        &file(r#"cron = "0 8 29 2 *""#, closure, start, turn),
        ("cron", r#""0 8 29 2 *""#),
        "sites[0].hours[0].cron",
        "must match at least once in any 366 days",
    );
}

#[test]
fn site_hours_starting_every_minute_are_refused_at_the_rule() {
    let [_, closure, start, turn] = valid();
    refused(
        &file(r#"cron = "* 8 * * *""#, closure, start, turn),
        ("cron", r#""* 8 * * *""#),
        "sites[0].hours[0].cron",
        "starts the window 60 times a day: at most 24 (hourly)",
    );
}

#[test]
fn site_hours_starting_hourly_and_yearly_load() {
    let [_, closure, start, turn] = valid();
    loads(&file(r#"cron = "0 * * * *""#, closure, start, turn));
    loads(&file(r#"cron = "0 8 1 1 *""#, closure, start, turn));
}

#[test]
fn a_closure_on_a_cron_rule_that_never_fires_is_refused_at_the_rule() {
    let [hours, _, start, turn] = valid();
    refused(
        &file(hours, r#"cron = "0 0 30 2 *""#, start, turn),
        ("cron", r#""0 0 30 2 *""#),
        "sites[0].closures[0].cron",
        "does not match a day of every year",
    );
}

//! Every form of a value that README.md and config/example.toml document loads. The
//! forms of an escalation step (`who`, `strategy`, `timeout`) are read out of the
//! example's own comment and the window forms out of README.md, so documentation
//! that drifts from what the loader accepts fails here; the other documented forms
//! are written out below, each beside where it is documented.

#[macro_use]
mod support;

use support::{CASE, Case, check, load};

const EXAMPLE: &str = include_str!("../example.toml");
const README: &str = include_str!("../../README.md");

/// Loads the example with its first step's `old` line replaced by `new`.
fn example_with(old: &str, new: &str) {
    assert!(EXAMPLE.contains(old), "{old:?} not in the example");
    let text = EXAMPLE.replacen(old, new, 1);
    if let Err(e) = load(&text, &[]) {
        panic!("the documented form `{new}` is refused:\n{e}");
    }
}

/// The text of the example's escalation comment after `#   {key} =`, up to the next key.
fn documented(key: &str) -> String {
    let start = format!("#   {key}");
    let mut lines = EXAMPLE.lines().skip_while(|line| !line.starts_with(&start));
    let first = lines
        .next()
        .unwrap_or_else(|| panic!("no `{start}` comment"));
    let Some((_, value)) = first.split_once('=') else {
        panic!("no `=` in {first:?}")
    };
    let mut text = value.to_owned();
    for line in lines.take_while(|line| line.starts_with("#              ")) {
        text.push(' ');
        text.push_str(line.trim_start_matches('#').trim());
    }
    text
}

#[test]
fn every_who_form_of_the_example_comment_loads() {
    let text = documented("who");
    let (_, roles) = text.split_once("a role (").unwrap();
    let (roles, rest) = roles.split_once(')').unwrap();
    let roles: Vec<&str> = roles.split(',').map(str::trim).collect();
    assert_eq!(roles.len(), 4, "{text}");
    for role in roles {
        example_with("who = \"case_manager\"", &format!("who = \"{role}\""));
    }
    assert!(rest.contains("\"all_on_duty\""), "{text}");
    example_with("who = \"case_manager\"", "who = \"all_on_duty\"");
    let (_, list) = rest.split_once("e.g. ").unwrap();
    assert!(list.starts_with('['), "{text}");
    example_with("who = \"case_manager\"", &format!("who = {}", list.trim()));
}

#[test]
fn every_strategy_of_the_example_comment_loads() {
    let text = documented("strategy");
    let quoted: Vec<&str> = text.split('"').skip(1).step_by(2).collect();
    assert_eq!(quoted, ["broadcast", "one_at_a_time"], "{text}");
    for strategy in quoted {
        example_with(
            "strategy = \"broadcast\"",
            &format!("strategy = \"{strategy}\""),
        );
    }
}

#[test]
fn every_timeout_of_the_example_comment_and_its_limits_load() {
    let text = documented("timeout");
    let (examples, range) = text.split_once("(from ").unwrap();
    let (least, most) = range.trim_end_matches(')').split_once(" to ").unwrap();
    let mut forms: Vec<&str> = examples
        .split(',')
        .map(str::trim)
        .filter(|form| *form != "...")
        .collect();
    forms.extend([least, most]);
    assert_eq!(forms, ["90s", "5m", "1h30m", "10s", "24h"], "{text}");
    for timeout in forms {
        example_with("timeout = \"5m\"", &format!("timeout = \"{timeout}\""));
    }
}

#[test]
fn every_window_form_of_the_readme_loads() {
    let section = README
        .split("## The configuration")
        .nth(1)
        .and_then(|rest| rest.split("\n## ").next())
        .unwrap();
    let windows: Vec<&str> = section
        .split('`')
        .skip(1)
        .step_by(2)
        .filter(|code| code.starts_with("{ ") && code.contains("end ="))
        .collect();
    assert_eq!(windows.len(), 2, "the README documents two window forms");
    for window in windows {
        example_with(
            "hours = [{ days = \"mon-fri\", start = \"08:00\", end = \"20:00\" }]",
            &format!("hours = [{window}]"),
        );
    }
}

cases! {
    // README "Closures": `date`, `from`/`to`, yearly `cron`, reduced `open` hours.
    every_closure_form_loads: Case {
        append: r#"
[[sites.closures]]
name = "One day"
date = "2026-11-26"

[[sites.closures]]
name = "Two days"
from = "2026-12-24"
to = "2026-12-25"

[[sites.closures]]
name = "Yearly"
cron = "0 0 25 12 *"

[[sites.closures]]
name = "Reduced hours"
date = "2026-12-31"
open = [{ start = "08:00", end = "14:00" }]
"#,
        ..CASE
    };

    // README "`when`" and the example's shifts: open, closed, always.
    every_when_of_a_shift_loads: Case {
        append: r#"
[[shifts]]
person = "rosa"
when = "open"

[[shifts]]
person = "rosa"
when = "closed"

[[shifts]]
person = "rosa"
when = "always"
"#,
        ..CASE
    };

    // README `[[rotations]]`, every key.
    a_rotation_with_every_documented_key_loads: Case {
        append: r#"
[[rotations]]
id = "on-call"
role = "supervisor"
members = ["rosa"]
start = "2026-11-02T08:00"
turn_days = 7
sites = ["north"]
hours = [{ days = "sat,sun", start = "00:00", end = "24:00" }]
when = "always"
"#,
        ..CASE
    };

    // README `[[overrides]]`: cover, add and remove; site-local and RFC 3339 times.
    every_kind_of_override_and_both_time_forms_load: Case {
        edits: &[("roles = [\"supervisor\"]", "roles = [\"supervisor\", \"case_manager\"]")],
        append: r#"
[[overrides]]
kind = "cover"
person = "rosa"
covers = "dana"
from = "2026-12-28T08:00"
to = "2026-12-31T16:00"
note = "Dana on leave"

[[overrides]]
kind = "add"
person = "rosa"
role = "case_manager"
sites = ["north"]
from = "2026-12-24T08:00:00-05:00"
to = "2026-12-24T14:00:00-05:00"

[[overrides]]
kind = "remove"
person = "dana"
from = "2026-12-24 08:00"
to = "2026-12-24 14:00:30"
"#,
        ..CASE
    };

    // README `[transports.sms]`: twilio with a messaging service instead of `from`.
    twilio_with_a_messaging_service_loads: Case {
        append: r#"
[transports.sms]
provider = "twilio"
api_base = "https://api.twilio.com"
account_sid = "AC0123456789"
messaging_service_sid = "MG0123456789"
auth_token_env = "TEST_SMS_TOKEN"
"#,
        env: &[("TEST_SMS_TOKEN", "s3cret")],
        ..CASE
    };

    // README `[server]`: a relative sqlite path and a postgres URL without password.
    a_server_with_a_postgres_database_loads: Case {
        append: r#"
[server]
listen = "0.0.0.0:8080"
public_url = "https://handoff.example.org"
database = "postgres://handoff@db.example.org/handoff"
"#,
        ..CASE
    };
}

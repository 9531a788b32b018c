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

/// The range the example's comment just above `line` gives, written `(A to B`
/// or `(optional; A to B`.
fn range_above(line: &str) -> (String, String) {
    let at = EXAMPLE
        .find(line)
        .unwrap_or_else(|| panic!("{line:?} not in the example"));
    let comment: Vec<&str> = EXAMPLE[..at]
        .lines()
        .rev()
        .take_while(|l| l.starts_with('#'))
        .map(|l| l.trim_start_matches('#').trim())
        .collect();
    let text = comment.into_iter().rev().collect::<Vec<_>>().join(" ");
    let (_, range) = text
        .split_once('(')
        .unwrap_or_else(|| panic!("no range above {line:?}: {text}"));
    let (before, rest) = range
        .split_once(" to ")
        .unwrap_or_else(|| panic!("no `A to B` above {line:?}: {text}"));
    let least = before.rsplit(' ').next().unwrap_or_default();
    let most = rest.split([')', ';', ',', ' ']).next().unwrap_or_default();
    (least.to_owned(), most.to_owned())
}

#[test]
fn the_eta_grace_range_of_the_example_comment_loads_at_both_ends() {
    let line = "eta_grace = \"10m\"";
    let (least, most) = range_above(line);
    assert_eq!((least.as_str(), most.as_str()), ("1m", "2h"));
    for edge in [least, most] {
        example_with(line, &format!("eta_grace = \"{edge}\""));
    }
}

#[test]
fn the_intake_reminder_range_of_the_example_comment_loads_at_both_ends() {
    let line = "intake_reminder_days = 7";
    let (least, most) = range_above(line);
    assert_eq!((least.as_str(), most.as_str()), ("0", "364"));
    example_with(line, &format!("intake_reminder_days = {least}"));
    // The most needs the longest deadline, at the program and at Beaver.
    let text = EXAMPLE
        .replacen("intake_days = 30", "intake_days = 365", 1)
        .replacen("intake_days = 14", "intake_days = 365", 1)
        .replacen(line, &format!("intake_reminder_days = {most}"), 1);
    if let Err(e) = load(&text, &[]) {
        panic!("the documented reminder of {most} days is refused:\n{e}");
    }
}

#[test]
fn a_site_deadline_of_the_example_comment_loads_at_both_ends() {
    let line = "intake_days = 14";
    let (least, most) = range_above(line);
    assert_eq!((least.as_str(), most.as_str()), ("1", "365"));
    // "and more than `intake_reminder_days`": a day's deadline needs none.
    let text = EXAMPLE
        .replacen("intake_reminder_days = 7", "intake_reminder_days = 0", 1)
        .replacen(line, &format!("intake_days = {least}"), 1);
    if let Err(e) = load(&text, &[]) {
        panic!("the documented site deadline of {least} day is refused:\n{e}");
    }
    example_with(line, &format!("intake_days = {most}"));
}

#[test]
fn a_registration_contact_of_each_documented_length_loads() {
    let line = "registration_contact = \"the LEAD coordinator, 412-555-0100\"";
    assert!(EXAMPLE.contains("1 to 80 characters"));
    for length in [1, 80] {
        example_with(
            line,
            &format!("registration_contact = \"{}\"", "x".repeat(length)),
        );
    }
}

#[test]
fn the_example_fills_the_settings_the_night_policy_and_the_deputys_second_agency() {
    use handoff_dispatcher::{AgencyId, OfficerId, PolicyId};
    use handoff_schedules::SiteId;

    let config = load(EXAMPLE, &[]).unwrap_or_else(|e| panic!("{e}"));
    let directory = config.directory();
    let settings = &directory.settings;
    assert_eq!(settings.eta_grace, chrono::Duration::minutes(10));
    assert_eq!(settings.intake_reminder_days, 7);
    assert!(!settings.after_hours_alerts);
    assert_eq!(
        settings.registration_contact.as_deref(),
        Some("the LEAD coordinator, 412-555-0100")
    );
    let site = |id: &str| &directory.sites[&SiteId::parse(id).unwrap()];
    let night = PolicyId::parse("night").unwrap();
    assert_eq!(site("beaver").after_hours_policy, Some(night.clone()));
    assert_eq!(site("beaver").intake_days, Some(14));
    assert_eq!(site("allegheny").after_hours_policy, None);
    assert_eq!(site("allegheny").intake_days, None);
    assert_eq!(directory.policies[&night].steps.len(), 1);
    let johnson = &directory.roster.officers[&OfficerId::parse("johnson").unwrap()];
    assert_eq!(johnson.agency, AgencyId::parse("county-sheriff").unwrap());
    assert_eq!(
        johnson.other_agencies,
        [AgencyId::parse("metro-pd").unwrap()]
    );
}

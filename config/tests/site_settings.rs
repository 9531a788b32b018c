//! A site's own settings: `after_hours_escalation`, the policy its requests follow
//! while it is closed, and `intake_days`, its own deadline. Left out, the
//! dispatcher's defaults apply; written, they reach the dispatcher's site entry; a
//! policy no entry declares, a deadline out of range or leaving no room for the
//! program's reminder is refused at its line and key.

#[macro_use]
mod support;

use handoff_dispatcher::PolicyId;
use handoff_schedules::SiteId;
use support::{BASE, CASE, Case, check, derive, error, error_at, load};

const ESCALATION: &str = "escalation = \"standard\"\n";
const NAME: &str = "name = \"Test LEAD\"\n";

/// A second policy, for the night.
const NIGHT: &str = r#"
[[escalation_policies]]
id = "night"

[[escalation_policies.steps]]
who = "supervisor"
timeout = "10m"
"#;

/// The base with `lines` added to its site.
fn site_with(lines: &str) -> String {
    derive(&[(ESCALATION, &format!("{ESCALATION}{lines}\n"))], NIGHT)
}

fn north() -> SiteId {
    SiteId::parse("north").unwrap_or_else(|e| panic!("{e}"))
}

#[test]
fn left_out_a_site_has_no_policy_of_its_own_after_hours_nor_deadline() {
    let config = load(BASE, &[]).unwrap();
    let entry = &config.directory().sites[&north()];
    assert_eq!(entry.after_hours_policy, None);
    assert_eq!(entry.intake_days, None);
}

#[test]
fn a_sites_after_hours_policy_and_deadline_reach_the_dispatcher() {
    let text = site_with("after_hours_escalation = \"night\"\nintake_days = 14");
    let config = load(&text, &[]).unwrap();
    let directory = config.directory();
    let entry = &directory.sites[&north()];
    assert_eq!(
        entry.after_hours_policy,
        Some(PolicyId::parse("night").unwrap())
    );
    assert_eq!(entry.intake_days, Some(14));
    assert_eq!(entry.policy, PolicyId::parse("standard").unwrap());
    let load = handoff_dispatcher::Load::default();
    let world = directory.world(&north(), &load).unwrap();
    assert_eq!(
        world.after_hours_policy.map(|p| p.id.as_str()),
        Some("night")
    );
    assert_eq!(world.site_intake_days, Some(14));
}

#[test]
fn a_policy_declared_after_the_site_may_be_its_after_hours_policy() {
    let text = derive(
        &[(
            ESCALATION,
            "escalation = \"standard\"\nafter_hours_escalation = \"night\"\n",
        )],
        NIGHT,
    );
    assert!(text.find("after_hours_escalation") < text.find("id = \"night\""));
    assert!(load(&text, &[]).is_ok());
}

const AFTER_HOURS: &str = "sites[0].after_hours_escalation";
const DAYS: &str = "sites[0].intake_days";

cases! {
    the_daytime_policy_may_also_be_the_after_hours_policy: Case {
        edits: &[(ESCALATION, "escalation = \"standard\"\nafter_hours_escalation = \"standard\"\n")],
        ..CASE
    };

    an_unknown_after_hours_policy_is_an_error_at_its_line: Case {
        edits: &[(ESCALATION, "escalation = \"standard\"\nafter_hours_escalation = \"nightly\"\n")],
        expect: &[error_at("\"nightly\"", AFTER_HOURS, "unknown escalation policy `nightly`: no [[escalation_policies]] entry has this id")],
        ..CASE
    };

    an_after_hours_policy_that_is_no_id_is_an_error: Case {
        edits: &[(ESCALATION, "escalation = \"standard\"\nafter_hours_escalation = \"Night Shift\"\n")],
        expect: &[error_at("\"Night Shift\"", AFTER_HOURS, "Night Shift")],
        ..CASE
    };

    an_after_hours_policy_with_errors_of_its_own_is_reported_there_only: Case {
        edits: &[(ESCALATION, "escalation = \"standard\"\nafter_hours_escalation = \"night\"\n")],
        append: "\n[[escalation_policies]] # no steps\nid = \"night\"\n",
        expect: &[error("# no steps", "escalation_policies[1].steps", "at least one step")],
        ..CASE
    };

    an_after_hours_policy_written_as_a_list_is_of_the_wrong_type: Case {
        edits: &[(ESCALATION, "escalation = \"standard\"\nafter_hours_escalation = [\"night\"]\n")],
        expect: &[error("after_hours_escalation", "after_hours_escalation", "invalid type")],
        ..CASE
    };

    a_site_deadline_of_one_day_and_one_of_a_year_load: Case {
        edits: &[(ESCALATION, "escalation = \"standard\"\nintake_days = 1\n")],
        append: "\n[[sites]]\nid = \"south\"\ntime_zone = \"America/Chicago\"\nescalation = \"standard\"\nintake_days = 365\n",
        ..CASE
    };

    a_site_deadline_of_zero_days_is_refused: Case {
        edits: &[(ESCALATION, "escalation = \"standard\"\nintake_days = 0 # none\n")],
        expect: &[error_at("0 # none", DAYS, "must be a whole number of days from 1 to 365")],
        ..CASE
    };

    a_site_deadline_over_a_year_is_refused: Case {
        edits: &[(ESCALATION, "escalation = \"standard\"\nintake_days = 366 # days\n")],
        expect: &[error_at("366 # days", DAYS, "from 1 to 365")],
        ..CASE
    };

    a_negative_site_deadline_is_refused: Case {
        edits: &[(ESCALATION, "escalation = \"standard\"\nintake_days = -14\n")],
        expect: &[error_at("-14", DAYS, "from 1 to 365")],
        ..CASE
    };

    a_site_deadline_beyond_any_32_bit_number_is_refused: Case {
        edits: &[(ESCALATION, "escalation = \"standard\"\nintake_days = 9999999999999\n")],
        expect: &[error_at("9999999999999", DAYS, "from 1 to 365")],
        ..CASE
    };

    a_site_deadline_written_as_text_is_of_the_wrong_type: Case {
        edits: &[(ESCALATION, "escalation = \"standard\"\nintake_days = \"14\"\n")],
        expect: &[error("intake_days = \"14\"", "intake_days", "invalid type")],
        ..CASE
    };

    a_site_deadline_a_day_longer_than_the_written_reminder_loads: Case {
        edits: &[
            (NAME, "name = \"Test LEAD\"\nintake_reminder_days = 7\n"),
            (ESCALATION, "escalation = \"standard\"\nintake_days = 8\n"),
        ],
        ..CASE
    };

    a_site_deadline_no_longer_than_the_written_reminder_is_refused_at_the_site: Case {
        edits: &[
            (NAME, "name = \"Test LEAD\"\nintake_reminder_days = 7\n"),
            (ESCALATION, "escalation = \"standard\"\nintake_days = 7 # site\n"),
        ],
        expect: &[error_at("7 # site", DAYS, "must be more than program.intake_reminder_days (7)")],
        ..CASE
    };

    a_short_site_deadline_beside_the_default_reminder_loads_without_one: Case {
        edits: &[(ESCALATION, "escalation = \"standard\"\nintake_days = 3\n")],
        ..CASE
    };

    a_short_site_deadline_beside_no_reminder_loads: Case {
        edits: &[
            (NAME, "name = \"Test LEAD\"\nintake_reminder_days = 0\n"),
            (ESCALATION, "escalation = \"standard\"\nintake_days = 1\n"),
        ],
        ..CASE
    };

    a_wrong_reminder_is_reported_once_and_not_again_at_each_site: Case {
        edits: &[
            (NAME, "name = \"Test LEAD\"\nintake_reminder_days = 400\n"),
            (ESCALATION, "escalation = \"standard\"\nintake_days = 7\n"),
        ],
        expect: &[error_at("400", "program.intake_reminder_days", "from 0 (no reminder) to 364")],
        ..CASE
    };
}

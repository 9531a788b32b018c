//! Diversion centers (`[[sites.centers]]`): a valid center reaches the dispatcher
//! with its hours, capacity and staff; every mistake in one is refused at its line
//! and key (a missing address or hours, a capacity out of range, a name too long
//! or outside SMS's alphabet, unknown or duplicate ids, staff who are not people of
//! the file or lack the `center` role, bad hours); and the `center` role is kept
//! off schedules and escalation steps, and must belong to some center.

#[macro_use]
mod support;

use std::time::Duration;

use chrono::{DateTime, Utc};
use handoff_schedules::SiteId;
use support::{CASE, Case, check, derive, error, error_at, load};

/// Where a center goes: right after the site's hours, inside its table.
const SITE_HOURS: &str = "hours = [{ days = \"mon-fri\", start = \"08:00\", end = \"17:00\" }]\n";

/// Jo, staff of a center.
const JO: &str = r#"
[[people]] # jo
id = "jo"
name = "Jo Bauer"
roles = ["center"]
phone = "+1 412 555 0118"
"#;

/// A center, as the tests vary it.
const STAB: &str = r#"
[[sites.centers]] # stab
id = "stab"
name = "Stabilization Ctr"
address = "12 Penn Ave"
hours = [{ days = "daily", start = "20:00", end = "08:00" }]
capacity = 4
staff = ["jo"]
"#;

/// The base with `center` (TOML of one or more `[[sites.centers]]`) in its site
/// and Jo among its people.
fn with_center(center: &str) -> String {
    derive(&[(SITE_HOURS, &format!("{SITE_HOURS}{center}"))], JO)
}

fn at(text: &str) -> DateTime<Utc> {
    DateTime::parse_from_rfc3339(text)
        .unwrap_or_else(|e| panic!("{text}: {e}"))
        .with_timezone(&Utc)
}

#[test]
fn a_center_reaches_the_dispatcher_with_its_hours_capacity_and_staff() {
    let config = load(&with_center(STAB), &[]).unwrap_or_else(|e| panic!("{e}"));
    let directory = config.directory();
    let north = SiteId::parse("north").unwrap_or_else(|e| panic!("{e}"));
    let centers = &directory.sites[&north].centers;
    assert_eq!(centers.len(), 1);
    let stab = &centers[0];
    assert_eq!(stab.id.as_str(), "stab");
    assert_eq!(stab.name, "Stabilization Ctr");
    assert_eq!(stab.address, "12 Penn Ave");
    assert_eq!(stab.capacity, Some(4));
    assert_eq!(
        stab.check_in_within,
        Duration::from_secs(2 * 60 * 60),
        "the default"
    );
    assert_eq!(
        stab.staff.iter().map(|p| p.as_str()).collect::<Vec<_>>(),
        ["jo"]
    );
    // Its hours run past midnight, in the site's zone.
    assert!(stab.is_open(at("2026-12-02T23:30:00-05:00")));
    assert!(stab.is_open(at("2026-12-03T07:59:00-05:00")));
    assert!(!stab.is_open(at("2026-12-03T08:00:00-05:00")));
    assert!(!stab.is_open(at("2026-12-03T19:59:00-05:00")));
}

#[test]
fn a_center_without_a_name_capacity_or_staff_loads_named_by_its_id() {
    let center = "\n[[sites.centers]]\nid = \"sobering\"\naddress = \"40 Liberty Ave\"\n\
                  hours = [{ days = \"daily\", start = \"00:00\", end = \"24:00\" }]\n";
    // Jo must then work somewhere: at a second center.
    let stab = STAB.replace("capacity = 4", "capacity = 4\ncheck_in_within = \"45m\"");
    let config =
        load(&with_center(&format!("{center}{stab}")), &[]).unwrap_or_else(|e| panic!("{e}"));
    let directory = config.directory();
    let north = SiteId::parse("north").unwrap_or_else(|e| panic!("{e}"));
    let sobering = &directory.sites[&north].centers[0];
    assert_eq!(sobering.name, "sobering");
    assert_eq!(sobering.capacity, None);
    let stab = &directory.sites[&north].centers[1];
    assert_eq!(stab.check_in_within, Duration::from_secs(45 * 60));
    assert!(sobering.staff.is_empty());
}

cases! {
    a_valid_center_loads: Case {
        edits: &[(SITE_HOURS, "hours = [{ days = \"mon-fri\", start = \"08:00\", end = \"17:00\" }]\n\n[[sites.centers]]\nid = \"stab\"\naddress = \"12 Penn Ave\"\nhours = [{ days = \"daily\", start = \"20:00\", end = \"08:00\" }]\nstaff = [\"jo\"]\n")],
        append: JO,
        ..CASE
    };

    a_center_without_an_address_or_hours_is_refused_at_its_table: Case {
        edits: &[(SITE_HOURS, "hours = [{ days = \"mon-fri\", start = \"08:00\", end = \"17:00\" }]\n\n[[sites.centers]] # bare\nid = \"stab\"\nstaff = [\"jo\"]\n")],
        append: JO,
        expect: &[
            error("# bare", "sites[0].centers[0].address", "missing: this key is required"),
            error("# bare", "sites[0].centers[0].hours", "missing: a center takes drop-offs only while open"),
        ],
        ..CASE
    };

    a_capacity_of_none_is_refused: Case {
        edits: &[(SITE_HOURS, &const_format_center("capacity = 0"))],
        append: JO,
        expect: &[error_at("0 # cap", "sites[0].centers[0].capacity", "must be a whole number from 1 to 10000")],
        ..CASE
    };

    a_capacity_past_ten_thousand_is_refused: Case {
        edits: &[(SITE_HOURS, &const_format_center("capacity = 10001"))],
        append: JO,
        expect: &[error_at("10001 # cap", "sites[0].centers[0].capacity", "must be a whole number from 1 to 10000")],
        ..CASE
    };

    a_negative_capacity_is_refused: Case {
        edits: &[(SITE_HOURS, &const_format_center("capacity = -3"))],
        append: JO,
        expect: &[error_at("-3 # cap", "sites[0].centers[0].capacity", "must be a whole number from 1 to 10000")],
        ..CASE
    };

    a_check_in_time_under_ten_minutes_is_refused: Case {
        edits: &[(SITE_HOURS, &const_format_center("check_in_within = \"9m\""))],
        append: JO,
        expect: &[error("\"9m\"", "sites[0].centers[0].check_in_within", "must be from 10m to 12h")],
        ..CASE
    };

    a_check_in_time_past_half_a_day_is_refused: Case {
        edits: &[(SITE_HOURS, &const_format_center("check_in_within = \"13h\""))],
        append: JO,
        expect: &[error("\"13h\"", "sites[0].centers[0].check_in_within", "must be from 10m to 12h")],
        ..CASE
    };

    a_check_in_time_that_is_no_duration_is_refused: Case {
        edits: &[(SITE_HOURS, &const_format_center("check_in_within = \"99999999999999999999d\""))],
        append: JO,
        expect: &[error("99999999999999999999d", "sites[0].centers[0].check_in_within", "")],
        ..CASE
    };

    a_name_longer_than_forty_characters_is_refused: Case {
        edits: &[(SITE_HOURS, &const_format_center("name = \"The Allegheny County Crisis Stabilization Center\""))],
        append: JO,
        expect: &[error("Crisis Stabilization", "sites[0].centers[0].name", "must be from 1 to 40 characters")],
        ..CASE
    };

    an_address_outside_the_sms_alphabet_is_refused: Case {
        edits: &[(SITE_HOURS, &const_format_center("address = \"12 Penn Ave [rear door]\""))],
        append: JO,
        expect: &[error("rear door", "sites[0].centers[0].address", "outside the GSM-7 basic alphabet")],
        ..CASE
    };

    an_address_saying_stop_is_refused: Case {
        edits: &[(SITE_HOURS, &const_format_center("address = \"Last STOP before the bridge\""))],
        append: JO,
        expect: &[error("Last STOP", "sites[0].centers[0].address", "STOP")],
        ..CASE
    };

    an_hour_past_the_day_is_refused_in_a_centers_hours: Case {
        edits: &[(SITE_HOURS, &const_format_center("hours = [{ days = \"daily\", start = \"20:00\", end = \"25:00\" }]"))],
        append: JO,
        expect: &[error("25:00", "sites[0].centers[0].hours[0].end", "")],
        ..CASE
    };

    a_center_id_used_twice_is_refused: Case {
        edits: &[(SITE_HOURS, "hours = [{ days = \"mon-fri\", start = \"08:00\", end = \"17:00\" }]\n\n[[sites.centers]]\nid = \"stab\"\naddress = \"1 A St\"\nhours = [{ days = \"daily\", start = \"20:00\", end = \"08:00\" }]\nstaff = [\"jo\"]\n\n[[sites.centers]]\nid = \"stab\" # again\naddress = \"2 B St\"\nhours = [{ days = \"daily\", start = \"20:00\", end = \"08:00\" }]\n")],
        append: JO,
        expect: &[error("# again", "sites[0].centers[1].id", "duplicate center id `stab`")],
        ..CASE
    };

    a_staff_member_who_is_nobody_is_refused: Case {
        edits: &[(SITE_HOURS, &const_format_center("staff = [\"jo\", \"ghost\"]"))],
        append: JO,
        expect: &[error("\"ghost\"", "sites[0].centers[0].staff", "unknown person `ghost`")],
        ..CASE
    };

    a_staff_member_without_the_center_role_is_refused: Case {
        edits: &[(SITE_HOURS, &const_format_center("staff = [\"jo\", \"dana\"]"))],
        append: JO,
        expect: &[error("[\"jo\", \"dana\"]", "sites[0].centers[0].staff", "`dana` does not have the `center` role")],
        ..CASE
    };

    someone_with_the_center_role_at_no_center_is_refused_at_their_table: Case {
        append: JO,
        expect: &[error("# jo", "people[2].roles", "`jo` has the `center` role but no [[sites.centers]] lists them")],
        ..CASE
    };

    a_shift_for_center_staff_is_refused: Case {
        edits: &[(SITE_HOURS, &const_format_center(""))],
        append: "\n[[people]] # jo\nid = \"jo\"\nname = \"Jo Bauer\"\nroles = [\"center\"]\nphone = \"+1 412 555 0118\"\n\n[[shifts]] # jo's\nperson = \"jo\"\n",
        expect: &[error("# jo's", "shifts[1].person", "`center` staff are never on duty by a schedule")],
        ..CASE
    };

    a_step_offering_center_staff_is_refused: Case {
        edits: &[
            ("who = \"case_manager\"", "who = \"center\""),
            (SITE_HOURS, &const_format_center("")),
        ],
        append: JO,
        expect: &[error("who = \"center\"", "escalation_policies[0].steps[0].who", "`center` staff are never on duty")],
        ..CASE
    };

    an_unknown_key_in_a_center_is_refused: Case {
        edits: &[(SITE_HOURS, &const_format_center("phone = \"+1 412 555 0199\""))],
        append: JO,
        expect: &[error("phone = \"+1 412 555 0199\"", "phone", "unknown field `phone`")],
        ..CASE
    };
}

/// The site's hours, then a valid center with `line` added after its hours (and
/// `# cap` after it, to find the line and column).
fn const_format_center(line: &str) -> String {
    let marked = if line.is_empty() {
        String::new()
    } else if line.starts_with("capacity") {
        format!("{line} # cap\n")
    } else {
        format!("{line}\n")
    };
    // A key written twice is a TOML error: `line` replaces the default of its key.
    let key = line.split(' ').next().unwrap_or_default();
    let mut center = String::from("\n[[sites.centers]] # stab\n");
    for (name, value) in [
        ("id", "id = \"stab\"\n"),
        ("address", "address = \"12 Penn Ave\"\n"),
        (
            "hours",
            "hours = [{ days = \"daily\", start = \"20:00\", end = \"08:00\" }]\n",
        ),
        ("staff", "staff = [\"jo\"]\n"),
    ] {
        if name != key {
            center.push_str(value);
        }
    }
    center.push_str(&marked);
    format!("{SITE_HOURS}{center}")
}

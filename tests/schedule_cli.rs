//! The foundation journey, through the command line a program's staff use: check a
//! configuration, ask who is on duty at a literal instant, and export the schedule as
//! an iCalendar feed. Runs in-process on a mock clock.

use handoff_tests::{at, example_config, handoff};
use serde_json::Value;

fn example() -> String {
    example_config().display().to_string()
}

#[test]
fn the_example_configuration_checks_clean_with_a_summary() {
    let out = handoff(
        &["check-config", "--config", &example()],
        at("2026-11-23T10:00:00-05:00"),
    );
    assert_eq!(out.code, 0, "{}", out.stderr);
    assert!(
        out.stdout.contains("is valid: Three Rivers LEAD"),
        "{}",
        out.stdout
    );
    assert!(
        out.stdout
            .contains("2 sites, 8 people, 2 agencies, 3 officers"),
        "{}",
        out.stdout
    );
    assert!(out.stdout.contains("site allegheny"), "{}", out.stdout);
    assert!(
        out.stdout.contains("center stab") && out.stdout.contains("capacity 4; staff jo"),
        "{}",
        out.stdout
    );
    assert!(
        out.stdout.contains("next opening Tue 2026-11-24 08:00 EST"),
        "{}",
        out.stdout
    );
}

#[test]
fn a_broken_copy_reports_all_three_errors_with_their_lines_and_exits_two() {
    let text = std::fs::read_to_string(example_config()).unwrap();
    let broken = text
        .replacen("phone = \"+1 412 555 0112\"", "phone = \"+1 412 55\"", 1)
        .replacen(
            "time_zone = \"America/New_York\"",
            "time_zone = \"America/Pittsburg\"",
            1,
        )
        .replacen("person = \"priya\"", "person = \"pryia\"", 1);
    let line_of = |needle: &str| broken.lines().position(|l| l.contains(needle)).unwrap() + 1;
    let dir = std::env::temp_dir().join(format!("handoff-broken-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let file = dir.join("broken.toml");
    std::fs::write(&file, &broken).unwrap();
    let path = file.display().to_string();

    let out = handoff(
        &["check-config", "--config", &path],
        at("2026-11-23T10:00:00-05:00"),
    );

    assert_eq!(out.code, 2);
    let errors: Vec<&str> = out.stderr.lines().collect();
    assert_eq!(errors.len(), 4, "three errors and a count:\n{}", out.stderr);
    assert!(
        errors[0].starts_with(&format!("{path}:{}:", line_of("America/Pittsburg"))),
        "{}",
        errors[0]
    );
    assert!(errors[0].contains("sites[0].time_zone: unknown time zone `America/Pittsburg`"));
    assert!(
        errors[1].starts_with(&format!("{path}:{}:", line_of("+1 412 55\""))),
        "{}",
        errors[1]
    );
    assert!(errors[1].contains("people[1].phone"));
    assert!(
        errors[2].starts_with(&format!("{path}:{}:", line_of("pryia"))),
        "{}",
        errors[2]
    );
    assert!(errors[2].contains("unknown person `pryia`"));
    assert_eq!(errors[3], "3 errors in the configuration");
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn on_a_monday_morning_the_first_site_lists_its_case_managers() {
    let out = handoff(
        &[
            "on-duty",
            "--config",
            &example(),
            "--site",
            "allegheny",
            "--at",
            "2026-11-23T10:00:00-05:00",
            "--json",
        ],
        at("2026-01-01T00:00:00Z"),
    );
    assert_eq!(out.code, 0, "{}", out.stderr);
    let json: Value = serde_json::from_str(&out.stdout).unwrap();
    let site = &json.as_array().unwrap()[0];
    assert_eq!(site["site"], "allegheny");
    assert_eq!(site["open"], true);
    assert_eq!(site["at"], "2026-11-23T10:00:00-05:00");
    let case_managers: Vec<&str> = site["on_duty"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|d| d["role"] == "case_manager")
        .map(|d| d["person"].as_str().unwrap())
        .collect();
    assert_eq!(case_managers, ["dana", "priya"]);
    assert_eq!(site["next_opening"], "2026-11-24T08:00:00-05:00");
}

#[test]
fn on_a_sunday_the_site_is_closed_with_the_coordinator_on_call_and_opens_monday_at_eight() {
    let out = handoff(
        &[
            "on-duty",
            "--config",
            &example(),
            "--site",
            "allegheny",
            "--at",
            "2026-11-22T10:00:00-05:00",
            "--json",
        ],
        at("2026-01-01T00:00:00Z"),
    );
    assert_eq!(out.code, 0, "{}", out.stderr);
    let json: Value = serde_json::from_str(&out.stdout).unwrap();
    let site = &json[0];
    assert_eq!(site["open"], false);
    let roles: Vec<(&str, &str)> = site["on_duty"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| (d["person"].as_str().unwrap(), d["role"].as_str().unwrap()))
        .collect();
    assert_eq!(
        roles,
        [("sam", "coordinator"), ("terry", "project_manager")]
    );
    assert_eq!(site["next_opening"], "2026-11-23T08:00:00-05:00");

    let text = handoff(
        &[
            "on-duty",
            "--config",
            &example(),
            "--site",
            "allegheny",
            "--at",
            "2026-11-22T10:00:00-05:00",
        ],
        at("2026-01-01T00:00:00Z"),
    );
    assert!(
        text.stdout.contains("CLOSED at Sun 2026-11-22 10:00 EST"),
        "{}",
        text.stdout
    );
    assert!(text.stdout.contains("on call:"), "{}", text.stdout);
    assert!(text.stdout.contains("Sam Okafor"), "{}", text.stdout);
    assert!(
        text.stdout
            .contains("next opening: Mon 2026-11-23 08:00 EST"),
        "{}",
        text.stdout
    );
}

#[test]
fn on_duty_defaults_to_the_clocks_now_and_to_every_site() {
    let out = handoff(
        &["on-duty", "--config", &example(), "--json"],
        at("2026-11-26T12:00:00-05:00"),
    );
    let json: Value = serde_json::from_str(&out.stdout).unwrap();
    let sites: Vec<&str> = json
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["site"].as_str().unwrap())
        .collect();
    assert_eq!(sites, ["allegheny", "beaver"]);
    // Thanksgiving: both sites closed, next opening the Monday after the closure.
    for site in json.as_array().unwrap() {
        assert_eq!(site["open"], false);
        assert_eq!(site["next_opening"], "2026-11-30T08:00:00-05:00");
    }
}

#[test]
fn an_unknown_site_is_a_clear_error_naming_the_known_ones() {
    let out = handoff(
        &["on-duty", "--config", &example(), "--site", "erie"],
        at("2026-11-23T10:00:00-05:00"),
    );
    assert_eq!(out.code, 1);
    assert!(out.stderr.contains("no site `erie`"), "{}", out.stderr);
    assert!(out.stderr.contains("allegheny, beaver"), "{}", out.stderr);
}

#[test]
fn the_calendar_feed_parses_and_has_one_event_per_stretch_of_duty() {
    let out = handoff(
        &[
            "schedule",
            "ics",
            "--config",
            &example(),
            "--site",
            "allegheny",
            "--from",
            "2026-11-23",
            "--to",
            "2026-11-30",
        ],
        at("2026-11-20T12:00:00Z"),
    );
    assert_eq!(out.code, 0, "{}", out.stderr);
    let feed = &out.stdout;
    assert!(feed.starts_with("BEGIN:VCALENDAR\r\n"), "{feed}");
    assert!(feed.contains("VERSION:2.0\r\n"));
    assert!(feed.trim_end().ends_with("END:VCALENDAR"));
    // RFC 5545: lines end in CRLF and are at most 75 octets.
    assert!(
        feed.split("\r\n")
            .all(|line| line.len() <= 75 && !line.contains('\n'))
    );
    let unfolded = icalendar::parser::unfold(feed);
    let calendar = icalendar::parser::read_calendar(&unfolded).unwrap();
    let events: Vec<_> = calendar
        .components
        .iter()
        .filter(|c| c.name == "VEVENT")
        .collect();
    let summary =
        |c: &&icalendar::parser::Component| c.find_prop("SUMMARY").unwrap().val.to_string();
    let dana: Vec<_> = events
        .iter()
        .filter(|e| summary(e).starts_with("Dana Whitfield"))
        .collect();
    // Mon to Wed and the next Monday; Thanksgiving Thursday and Friday are closed.
    assert_eq!(dana.len(), 4, "{feed}");
    assert_eq!(
        dana[0].find_prop("DTSTART").unwrap().val.to_string(),
        "20261123T130000Z"
    );
    assert_eq!(
        dana[0].find_prop("DTEND").unwrap().val.to_string(),
        "20261123T210000Z"
    );
    // Marcus, on turn that week, covers the holiday weekend as one stretch from
    // Wednesday midnight to Monday 08:00: one event, not one per night.
    let on_call: Vec<_> = events
        .iter()
        .filter(|e| summary(e) == "Marcus Bell: outreach and intake coordinator on call")
        .collect();
    assert!(
        on_call.iter().any(|e| {
            e.find_prop("DTSTART").unwrap().val == "20261126T050000Z"
                && e.find_prop("DTEND").unwrap().val == "20261130T130000Z"
        }),
        "{feed}"
    );
    for event in &events {
        assert!(event.find_prop("UID").is_some() && event.find_prop("DTSTAMP").is_some());
    }
}

#[test]
fn a_feed_whose_last_day_is_before_its_first_is_refused() {
    let out = handoff(
        &[
            "schedule",
            "ics",
            "--config",
            &example(),
            "--site",
            "allegheny",
            "--from",
            "2026-11-23",
            "--to",
            "2026-11-01",
        ],
        at("2026-11-20T12:00:00Z"),
    );
    assert_eq!(out.code, 1);
    assert!(
        out.stderr.contains("--to is before --from"),
        "{}",
        out.stderr
    );
}

#[test]
fn the_example_has_no_gaps_in_coverage_over_thanksgiving_week() {
    let out = handoff(
        &[
            "schedule",
            "gaps",
            "--config",
            &example(),
            "--from",
            "2026-11-23",
            "--to",
            "2026-11-29",
        ],
        at("2026-11-23T10:00:00-05:00"),
    );
    assert_eq!(out.code, 0, "{}", out.stderr);
    assert_eq!(
        out.stdout,
        "Allegheny County: no gaps: someone can be offered every request.\n\
         Beaver County: no gaps: someone can be offered every request.\n"
    );
}

#[test]
fn gaps_show_the_nights_and_the_holiday_nobody_is_on_call() {
    // The example with its after-hours rotation on call only Friday to Sunday.
    let text = std::fs::read_to_string(example_config()).unwrap();
    let rotation = "members = [\"sam\", \"marcus\"]\nstart = \"2026-11-02T08:00\"\nturn_days = 7\nwhen = \"closed\"\n";
    assert!(text.contains(rotation));
    let weekends = text.replace(
        rotation,
        &format!(
            "{rotation}hours = [{{ days = \"fri-sun\", start = \"00:00\", end = \"24:00\" }}]\n"
        ),
    );
    let dir = tempfile::TempDir::new().unwrap();
    let file = dir.path().join("weekends.toml");
    std::fs::write(&file, weekends).unwrap();
    let file = file.display().to_string();
    let now = at("2026-11-23T10:00:00-05:00");

    let out = handoff(
        &[
            "schedule",
            "gaps",
            "--config",
            &file,
            "--site",
            "allegheny",
            "--to",
            "2026-11-26",
        ],
        now,
    );
    assert_eq!(out.code, 0, "{}", out.stderr);
    assert_eq!(
        out.stdout,
        "Allegheny County: 4 gap(s) in coverage\n  \
         Mon 2026-11-23 00:00 to 08:00 EST (8h): closed, nobody on call\n  \
         Tue 2026-11-24 00:00 to 08:00 EST (8h): closed, nobody on call\n  \
         Wed 2026-11-25 00:00 to 08:00 EST (8h): closed, nobody on call\n  \
         Thu 2026-11-26 00:00 to Fri 2026-11-27 00:00 EST (24h): closed, nobody on call\n"
    );

    let json = handoff(
        &[
            "schedule",
            "gaps",
            "--config",
            &file,
            "--site",
            "allegheny",
            "--from",
            "2026-11-26",
            "--to",
            "2026-11-26",
            "--json",
        ],
        now,
    );
    let gaps: Value = serde_json::from_str(&json.stdout).unwrap();
    assert_eq!(gaps.as_array().map(Vec::len), Some(1));
    assert_eq!(gaps[0]["kind"], "no_on_call");
    assert_eq!(gaps[0]["start"], "2026-11-26T00:00:00-05:00");
    assert_eq!(gaps[0]["minutes"], 1440, "Thanksgiving, all day");
}

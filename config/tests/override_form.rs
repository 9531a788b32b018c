//! An override typed on the dashboard's form is read by the rules of `[[overrides]]`
//! in the file (`Config::check_override`): the same override comes out of both, and
//! each problem the file would have is reported against the form's field.

#[macro_use]
mod support;

use handoff_config::{Config, OverrideFields};
use handoff_schedules::{Moment, OverrideKind, PersonId};
use support::{BASE, load};

/// The base program with a second site in another zone and a second case manager.
const MORE: &str = r#"
[[sites]]
id = "south"
time_zone = "America/Denver"
escalation = "standard"
hours = [{ days = "mon-fri", start = "08:00", end = "17:00" }]

[[people]]
id = "lee"
name = "Lee Ortiz"
roles = ["case_manager"]
phone = "+1 412 555 0113"
"#;

fn config(extra: &str) -> Config {
    load(&format!("{BASE}{MORE}{extra}"), &[])
        .unwrap_or_else(|e| panic!("the program is invalid:\n{e}"))
}

fn cover() -> OverrideFields {
    OverrideFields {
        kind: "cover".to_owned(),
        person: "lee".to_owned(),
        covers: "dana".to_owned(),
        from: "2026-12-28T08:00".to_owned(),
        to: "2026-12-31T16:00".to_owned(),
        note: "Dana on leave".to_owned(),
        ..OverrideFields::default()
    }
}

fn person(id: &str) -> PersonId {
    PersonId::parse(id).unwrap_or_else(|e| panic!("{id}: {e}"))
}

#[test]
fn an_override_typed_on_the_form_is_the_one_the_file_would_hold() {
    let typed = config("")
        .check_override(&cover())
        .unwrap_or_else(|p| panic!("{p:?}"));
    let written = config(
        "\n[[overrides]]\nkind = \"cover\"\nperson = \"lee\"\ncovers = \"dana\"\n\
         from = \"2026-12-28T08:00\"\nto = \"2026-12-31T16:00\"\nnote = \"Dana on leave\"\n",
    );
    assert_eq!(written.overrides, vec![typed.clone()]);
    assert_eq!(
        typed.kind,
        OverrideKind::Cover {
            covering: person("lee"),
            covered: person("dana"),
        }
    );
    assert_eq!(typed.sites, None, "every site");
    assert!(matches!(typed.from, Moment::Local(_)));
    // Placed in each site's schedule, at each site's own 08:00.
    let starts: Vec<String> = written
        .sites
        .iter()
        .map(|site| site.schedule.overrides[0].during.start.to_rfc3339())
        .collect();
    assert_eq!(
        starts,
        ["2026-12-28T13:00:00+00:00", "2026-12-28T15:00:00+00:00"]
    );
}

#[test]
fn a_form_for_one_site_adding_a_role_the_person_has_is_read() {
    let fields = OverrideFields {
        kind: "add".to_owned(),
        person: "rosa".to_owned(),
        role: "supervisor".to_owned(),
        site: "south".to_owned(),
        note: String::new(),
        ..cover()
    };
    let spec = config("")
        .check_override(&fields)
        .unwrap_or_else(|p| panic!("{p:?}"));
    assert_eq!(spec.sites.as_deref().map(|s| s[0].as_str()), Some("south"));
    assert_eq!(spec.note, "");
}

#[test]
fn each_problem_the_file_would_have_is_named_by_the_forms_field() {
    let config = config("");
    let long = "x".repeat(201);
    let rows: Vec<(OverrideFields, &str, &str)> = vec![
        (
            OverrideFields {
                person: "nobody".to_owned(),
                ..cover()
            },
            "person",
            "unknown person `nobody`",
        ),
        (
            OverrideFields {
                kind: "swap".to_owned(),
                ..cover()
            },
            "kind",
            "is not a kind of override",
        ),
        (
            OverrideFields {
                covers: String::new(),
                ..cover()
            },
            "covers",
            "missing",
        ),
        (
            OverrideFields {
                kind: "add".to_owned(),
                ..cover()
            },
            "role",
            "missing",
        ),
        (
            OverrideFields {
                kind: "add".to_owned(),
                role: "chef".to_owned(),
                ..cover()
            },
            "role",
            "unknown role `chef`",
        ),
        (
            OverrideFields {
                kind: "add".to_owned(),
                person: "dana".to_owned(),
                role: "supervisor".to_owned(),
                ..cover()
            },
            "role",
            "does not have the role supervisor",
        ),
        (
            OverrideFields {
                from: "2026-12-31T16:00".to_owned(),
                to: "2026-12-28T08:00".to_owned(),
                ..cover()
            },
            "to",
            "must end after it starts",
        ),
        (
            OverrideFields {
                from: "1999-12-31T08:00".to_owned(),
                ..cover()
            },
            "from",
            "outside the years 2000 to 2100",
        ),
        (
            OverrideFields {
                to: "tomorrow".to_owned(),
                ..cover()
            },
            "to",
            "not a date-time",
        ),
        (
            OverrideFields {
                note: "on leave\nback Monday".to_owned(),
                ..cover()
            },
            "note",
            "holds a line break",
        ),
        (
            OverrideFields {
                note: long,
                ..cover()
            },
            "note",
            "must be at most 200 characters (it has 201)",
        ),
        (
            OverrideFields {
                site: "nowhere".to_owned(),
                ..cover()
            },
            "site",
            "unknown site `nowhere`",
        ),
    ];
    for (fields, field, message) in rows {
        let problems = config
            .check_override(&fields)
            .expect_err(&format!("{fields:?} must be refused"));
        assert_eq!(problems.len(), 1, "{fields:?}: {problems:?}");
        assert_eq!(problems[0].field, field, "{fields:?}: {problems:?}");
        assert!(
            problems[0].message.contains(message),
            "{fields:?}: {problems:?}"
        );
    }
}

#[test]
fn a_blank_form_names_every_field_it_needs() {
    let problems = config("")
        .check_override(&OverrideFields::default())
        .expect_err("a blank form is refused");
    let fields: Vec<&str> = problems.iter().map(|p| p.field.as_str()).collect();
    assert_eq!(fields, ["person", "kind", "from", "to"]);
    assert!(
        problems
            .iter()
            .all(|p| p.message == "missing: fill this in")
    );
}

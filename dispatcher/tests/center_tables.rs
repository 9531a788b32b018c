//! Decision tables for diversion centers, with literal date-times in New York: which
//! center a `DROPOFF` goes to (hours past midnight, both changes of clocks, full
//! and named centers). The world is in `center_world/mod.rs`.

mod center_world;

use center_world::{at, centers, local, on_the_way};

use std::collections::BTreeMap;

use handoff_dispatcher::center::{Center, Refusal, choose};

#[derive(Debug, PartialEq)]
enum Chosen {
    To(&'static str),
    Refused(Refusal),
}

fn chosen(result: Result<&Center, Refusal>) -> Chosen {
    match result {
        Ok(center) => Chosen::To(match center.id.as_str() {
            "stab" => "stab",
            "sobering" => "sobering",
            other => panic!("unexpected center {other}"),
        }),
        Err(refusal) => Chosen::Refused(refusal),
    }
}

#[test]
fn a_bare_drop_off_goes_to_the_first_open_center_with_room_at_each_instant() {
    use Chosen::{Refused, To};
    let table: Vec<(&str, (u32, u32), Chosen)> = vec![
        // Past midnight: the window of the evening before is still open.
        ("2026-12-02T20:00:00-05:00", (0, 0), To("stab")),
        (
            "2026-12-02T19:59:00-05:00",
            (0, 0),
            Refused(Refusal::NoneOpen {
                next: Some((
                    "Stabilization Ctr".to_owned(),
                    local("2026-12-02T20:00:00-05:00"),
                )),
            }),
        ),
        ("2026-12-03T07:59:00-05:00", (0, 0), To("stab")),
        (
            "2026-12-03T08:00:00-05:00",
            (0, 0),
            Refused(Refusal::NoneOpen {
                next: Some((
                    "Stabilization Ctr".to_owned(),
                    local("2026-12-03T20:00:00-05:00"),
                )),
            }),
        ),
        // Both open: the order of the file decides, then room.
        ("2026-12-03T02:00:00-05:00", (0, 0), To("stab")),
        ("2026-12-03T02:00:00-05:00", (1, 0), To("stab")),
        ("2026-12-03T02:00:00-05:00", (2, 0), To("sobering")),
        ("2026-12-03T02:00:00-05:00", (2, 40), To("sobering")),
        (
            "2026-12-02T21:00:00-05:00",
            (2, 0),
            Refused(Refusal::AllFull),
        ),
        // Spring forward (8 March 2026): 01:00-03:00 lasts one real hour.
        ("2026-03-08T06:59:00Z", (2, 0), To("sobering")),
        (
            "2026-03-08T03:00:00-04:00",
            (2, 0),
            Refused(Refusal::AllFull),
        ),
        // Stabilization still open on the wall clock past the change.
        ("2026-03-08T07:59:00-04:00", (0, 0), To("stab")),
        (
            "2026-03-08T08:00:00-04:00",
            (0, 0),
            Refused(Refusal::NoneOpen {
                next: Some((
                    "Stabilization Ctr".to_owned(),
                    local("2026-03-08T20:00:00-04:00"),
                )),
            }),
        ),
        // Fall back (1 November 2026): 01:00-03:00 lasts three real hours, through
        // both 01:30s; the night's 20:00-08:00 lasts thirteen.
        ("2026-11-01T01:30:00-04:00", (2, 0), To("sobering")),
        ("2026-11-01T01:30:00-05:00", (2, 0), To("sobering")),
        ("2026-11-01T02:59:00-05:00", (2, 0), To("sobering")),
        (
            "2026-11-01T03:00:00-05:00",
            (2, 0),
            Refused(Refusal::AllFull),
        ),
        ("2026-11-01T07:59:00-05:00", (0, 0), To("stab")),
        (
            "2026-11-01T08:00:00-05:00",
            (0, 0),
            Refused(Refusal::NoneOpen {
                next: Some((
                    "Stabilization Ctr".to_owned(),
                    local("2026-11-01T20:00:00-05:00"),
                )),
            }),
        ),
    ];
    let centers = centers();
    for (when, (stab, sobering), expected) in table {
        let got = chosen(choose(
            &centers,
            None,
            &on_the_way(stab, sobering),
            at(when),
        ));
        assert_eq!(got, expected, "at {when} with {stab}+{sobering} on the way");
    }
}

#[test]
fn a_named_drop_off_goes_there_or_says_why_not() {
    use Chosen::{Refused, To};
    let table: Vec<(&str, &str, u32, Chosen)> = vec![
        ("2026-12-03T02:00:00-05:00", "sobering", 0, To("sobering")),
        (
            "2026-12-03T02:00:00-05:00",
            "Sobering Center",
            0,
            To("sobering"),
        ),
        (
            "2026-12-03T02:00:00-05:00",
            "at sobering-center.",
            0,
            To("sobering"),
        ),
        (
            "2026-12-03T02:00:00-05:00",
            "to the stab",
            0,
            Refused(Refusal::Unknown {
                open: vec!["Stabilization Ctr".to_owned(), "Sobering Center".to_owned()],
            }),
        ),
        (
            "2026-12-03T02:00:00-05:00",
            "STABILIZATION CTR",
            1,
            To("stab"),
        ),
        (
            "2026-12-03T02:00:00-05:00",
            "stab",
            2,
            Refused(Refusal::Full {
                name: "Stabilization Ctr".to_owned(),
                others: vec!["Sobering Center".to_owned()],
            }),
        ),
        (
            "2026-12-02T21:00:00-05:00",
            "stab",
            2,
            Refused(Refusal::Full {
                name: "Stabilization Ctr".to_owned(),
                others: Vec::new(),
            }),
        ),
        (
            "2026-12-02T21:00:00-05:00",
            "sobering",
            0,
            Refused(Refusal::Closed {
                name: "Sobering Center".to_owned(),
                opens: Some(local("2026-12-03T01:00:00-05:00")),
            }),
        ),
        // The spring-forward night: its one hour, then closed until the next night.
        (
            "2026-03-08T03:00:00-04:00",
            "sobering",
            0,
            Refused(Refusal::Closed {
                name: "Sobering Center".to_owned(),
                opens: Some(local("2026-03-09T01:00:00-04:00")),
            }),
        ),
        (
            "2026-12-03T12:00:00-05:00",
            "shelter",
            0,
            Refused(Refusal::Unknown { open: Vec::new() }),
        ),
    ];
    let centers = centers();
    for (when, named, stab, expected) in table {
        let got = chosen(choose(
            &centers,
            Some(named),
            &on_the_way(stab, 0),
            at(when),
        ));
        assert_eq!(
            got, expected,
            "{named:?} at {when} with {stab} on the way to stab"
        );
    }
}

#[test]
fn a_site_without_centers_refuses_every_drop_off() {
    let none: Vec<Center> = Vec::new();
    let now = at("2026-12-03T02:00:00-05:00");
    assert_eq!(
        choose(&none, None, &BTreeMap::new(), now).err(),
        Some(Refusal::NoCenters)
    );
    assert_eq!(
        choose(&none, Some("stab"), &BTreeMap::new(), now).err(),
        Some(Refusal::NoCenters)
    );
}

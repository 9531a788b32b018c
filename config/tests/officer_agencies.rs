//! An officer who works for several agencies is listed once, under one of them,
//! with the others in `other_agencies`: they fill the dispatcher's
//! `Officer::other_agencies` in order. An agency no entry declares, one named twice
//! or the one they are listed under is refused at its line; listing the same
//! officer again under another agency is still a duplicate, and says how to write
//! it instead.

#[macro_use]
mod support;

use handoff_dispatcher::{AgencyId, OfficerId};
use support::{BASE, CASE, Case, check, derive, error, error_at, load};

const RIVERA: &str = "phone = \"+1 412 555 0101\" }";

/// Two more agencies, declared after the officer who names them.
const MORE_AGENCIES: &str = r#"
[[agencies]]
id = "sheriff"
name = "County Sheriff"
sites = ["north"]

[[agencies]]
id = "transit-pd"
name = "Transit Police"
sites = ["north"]
"#;

fn rivera_with(other_agencies: &str) -> String {
    derive(
        &[(
            RIVERA,
            &format!("phone = \"+1 412 555 0101\", other_agencies = {other_agencies} }}"),
        )],
        MORE_AGENCIES,
    )
}

fn agency_ids(config: &handoff_config::Config) -> (AgencyId, Vec<AgencyId>) {
    let rivera = OfficerId::parse("rivera").unwrap_or_else(|e| panic!("{e}"));
    let rivera = &config.roster.officers[&rivera];
    (rivera.agency.clone(), rivera.other_agencies.clone())
}

fn agency(id: &str) -> AgencyId {
    AgencyId::parse(id).unwrap_or_else(|e| panic!("{e}"))
}

#[test]
fn left_out_an_officer_works_for_the_agency_they_are_listed_under_only() {
    let config = load(BASE, &[]).unwrap();
    assert_eq!(agency_ids(&config), (agency("metro-pd"), Vec::new()));
}

#[test]
fn an_officers_other_agencies_reach_the_dispatcher_in_the_order_written() {
    let config = load(&rivera_with("[\"transit-pd\", \"sheriff\"]"), &[]).unwrap();
    assert_eq!(
        agency_ids(&config),
        (
            agency("metro-pd"),
            vec![agency("transit-pd"), agency("sheriff")]
        )
    );
    let directory = config.directory();
    let rivera = &directory.roster.officers[&OfficerId::parse("rivera").unwrap()];
    assert_eq!(
        rivera.other_agencies,
        [agency("transit-pd"), agency("sheriff")]
    );
}

#[test]
fn an_empty_list_of_other_agencies_is_the_same_as_none() {
    let config = load(&rivera_with("[]"), &[]).unwrap();
    assert_eq!(agency_ids(&config), (agency("metro-pd"), Vec::new()));
}

const KEY: &str = "agencies[0].officers[0].other_agencies";

cases! {
    an_officer_of_an_agency_declared_later_loads: Case {
        edits: &[(RIVERA, "phone = \"+1 412 555 0101\", other_agencies = [\"sheriff\"] }")],
        append: MORE_AGENCIES,
        ..CASE
    };

    an_unknown_other_agency_is_an_error_at_its_line_and_column: Case {
        edits: &[(RIVERA, "phone = \"+1 412 555 0101\",\n    other_agencies = [\"sheriff\",\n      \"county-sheriff\"] }")],
        append: MORE_AGENCIES,
        expect: &[error_at("\"county-sheriff\"", KEY, "unknown agency `county-sheriff`: no [[agencies]] entry has this id")],
        ..CASE
    };

    an_other_agency_named_twice_is_an_error_at_the_second: Case {
        edits: &[(RIVERA, "phone = \"+1 412 555 0101\",\n    other_agencies = [\"sheriff\",\n      \"sheriff\"] }")],
        append: MORE_AGENCIES,
        expect: &[error_at("\"sheriff\"]", KEY, "`sheriff` is named twice")],
        ..CASE
    };

    the_agency_an_officer_is_listed_under_is_not_one_of_their_others: Case {
        edits: &[(RIVERA, "phone = \"+1 412 555 0101\", other_agencies = [\"metro-pd\"] }")],
        expect: &[error_at("\"metro-pd\"]", KEY, "`metro-pd` is the agency this officer is listed under")],
        ..CASE
    };

    an_other_agency_that_is_no_id_is_an_error: Case {
        edits: &[(RIVERA, "phone = \"+1 412 555 0101\", other_agencies = [\"County Sheriff\"] }")],
        append: MORE_AGENCIES,
        expect: &[error_at("\"County Sheriff\"]", KEY, "County Sheriff")],
        ..CASE
    };

    an_other_agency_with_errors_of_its_own_is_reported_there_only: Case {
        edits: &[(RIVERA, "phone = \"+1 412 555 0101\", other_agencies = [\"sheriff\"] }")],
        append: "\n[[agencies]] # no sites\nid = \"sheriff\"\nname = \"County Sheriff\"\n",
        expect: &[error("# no sites", "agencies[1].sites", "missing")],
        ..CASE
    };

    other_agencies_written_as_one_text_are_of_the_wrong_type: Case {
        edits: &[(RIVERA, "phone = \"+1 412 555 0101\", other_agencies = \"sheriff\" }")],
        append: MORE_AGENCIES,
        expect: &[error("other_agencies = \"sheriff\"", "other_agencies", "invalid type")],
        ..CASE
    };

    the_same_officer_listed_again_under_another_agency_is_a_duplicate_saying_how_to_write_it: Case {
        append: r#"
[[agencies]]
id = "sheriff"
name = "County Sheriff"
sites = ["north"]
officers = [
  { id = "rivera", name = "Ana Rivera", rank = "Ofc.", phone = "+1 412 555 0101" }, # again
]
"#,
        expect: &[
            error("# again", "agencies[1].officers[0].id", "duplicate officer id `rivera`: an earlier entry already uses it (an officer who works for several agencies is listed once, with the others in `other_agencies`)"),
            error("# again", "agencies[1].officers[0].phone", "is already the phone of officer `rivera`"),
        ],
        ..CASE
    };
}

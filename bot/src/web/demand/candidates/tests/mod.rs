//! "What to staff next": which blocks of hours are proposed, how they rank, typed
//! blocks, clock changes, and the bounds of the range and of N.

use chrono_tz::America::New_York;
use handoff_schedules::SiteId;

use super::{Candidate, DemandRange, MAX_BLOCK_HOURS, staff_next};
use crate::web::demand::blocks::{Origin, parse_blocks};
use crate::web::demand::fixtures::{at, cell, new_york_site, window};
use crate::web::demand::regular::{RegularWeek, SiteRef, regular_week};
use crate::web::demand::week::{Counts, DemandCell, HourOfWeek, WeekGrid, WeekHours};

fn range(first: &str, last: &str) -> DemandRange {
    DemandRange::new(first.parse().unwrap(), last.parse().unwrap()).unwrap()
}

/// Two weeks of demand.
fn two_weeks() -> DemandRange {
    range("2026-01-05", "2026-01-18")
}

fn regular(site: &str, name: &str, open: &str, staff_at_once: u32) -> RegularWeek {
    RegularWeek {
        site: SiteId::parse(site).unwrap(),
        name: name.to_owned(),
        open: parse_blocks(open).unwrap()[0].hours,
        staff_at_once,
    }
}

fn labels(candidates: &[Candidate]) -> Vec<&str> {
    candidates.iter().map(|c| c.block.label.as_str()).collect()
}

#[test]
fn blocks_of_one_to_n_hours_are_proposed_on_both_sides_of_the_hours() {
    let site = regular("downtown", "Downtown", "mon-fri 08:00-18:00", 1);
    let all = staff_next(&[site], &[], &[], two_weeks(), 2);
    assert_eq!(all.len(), 5 * 4);
    let monday: Vec<&str> = labels(&all)
        .into_iter()
        .filter(|l| l.starts_with("Mon"))
        .collect();
    assert_eq!(
        monday,
        [
            "Mon 07:00-08:00",
            "Mon 18:00-19:00",
            "Mon 06:00-08:00",
            "Mon 18:00-20:00"
        ]
    );
    // With no demand every block ties at zero: the cheaper ones come first.
    assert!(
        all.windows(2)
            .all(|w| w[0].staff_hours_per_week <= w[1].staff_hours_per_week)
    );
    assert!(all.iter().all(|c| c.block.origin == Origin::Adjacent));
}

#[test]
fn a_site_open_around_the_clock_has_no_candidates() {
    let site = regular("downtown", "Downtown", "daily 00:00-24:00", 1);
    assert_eq!(staff_next(&[site], &[], &[], two_weeks(), 4), []);
}

#[test]
fn a_site_that_never_opens_has_only_the_typed_blocks() {
    let site = RegularWeek {
        open: WeekHours::default(),
        ..regular("downtown", "Downtown", "sat 08:00-09:00", 1)
    };
    let typed = parse_blocks("sat 08:00-10:00").unwrap();
    let all = staff_next(&[site], &[], &typed, two_weeks(), 4);
    assert_eq!(labels(&all), ["Sat 08:00-10:00"]);
}

#[test]
fn a_gap_shorter_than_n_is_proposed_once_and_never_past_the_next_opening() {
    let site = regular("downtown", "Downtown", "daily 00:00-23:00", 1);
    let all = staff_next(&[site], &[], &[], two_weeks(), 3);
    assert_eq!(
        labels(&all),
        [
            "Mon 23:00-24:00",
            "Tue 23:00-24:00",
            "Wed 23:00-24:00",
            "Thu 23:00-24:00",
            "Fri 23:00-24:00",
            "Sat 23:00-24:00",
            "Sun 23:00-24:00",
        ]
    );
}

#[test]
fn candidates_rank_by_requests_covered_then_by_fewer_staff_hours() {
    let north = regular("north", "North", "mon-fri 08:00-18:00", 2);
    let south = regular("south", "South", "mon-fri 08:00-18:00", 1);
    let cells = [
        // Monday 07:00-08:00 at north: 3 out of hours, 1 unanswered, 9 covered.
        cell("north", 7, 9, 1, 3),
        // Friday 18:00-19:00 at south: 4 out of hours.
        cell("south", 4 * 24 + 18, 0, 0, 4),
        // Tuesday 18:00-19:00 at south: 1.
        cell("south", 24 + 18, 0, 0, 1),
    ];
    let all = staff_next(&[north, south], &cells, &[], two_weeks(), 2);
    let top: Vec<(&str, &str, u64, u32)> = all
        .iter()
        .take(6)
        .map(|c| {
            (
                c.site.as_str(),
                c.block.label.as_str(),
                c.requests_covered(),
                c.staff_hours_per_week,
            )
        })
        .collect();
    assert_eq!(
        top,
        [
            // 4 each: the 1-hour blocks cost least. North's costs two people.
            ("south", "Fri 18:00-19:00", 4, 1),
            ("north", "Mon 07:00-08:00", 4, 2),
            ("south", "Fri 18:00-20:00", 4, 2),
            ("north", "Mon 06:00-08:00", 4, 4),
            ("south", "Tue 18:00-19:00", 1, 1),
            ("south", "Tue 18:00-20:00", 1, 2),
        ]
    );
    let best = &all[0];
    assert_eq!((best.out_of_hours, best.unanswered), (4, 0));
    // Two weeks of data: 2 requests a week for 1 staff-hour a week.
    assert_eq!(best.requests_per_week(), 2.0);
    assert_eq!(best.requests_per_staff_hour(), Some(2.0));
    assert_eq!(all[1].requests_per_staff_hour(), Some(1.0));
    assert!(all.iter().skip(6).all(|c| c.requests_covered() == 0));
}

#[test]
fn a_typed_block_counts_and_costs_only_the_hours_it_adds() {
    let site = regular("downtown", "Downtown", "mon-fri 08:00-18:00", 2);
    let cells = [
        cell("downtown", 16, 5, 2, 0),
        cell("downtown", 18, 0, 1, 3),
        cell("downtown", 19, 0, 0, 2),
    ];
    let typed = parse_blocks("mon 16:00-20:00; mon 09:00-10:00").unwrap();
    let all = staff_next(&[site], &cells, &typed, two_weeks(), 1);
    let extension = all
        .iter()
        .find(|c| c.block.label == "Mon 16:00-20:00")
        .unwrap();
    assert_eq!(extension.block.origin, Origin::Typed);
    assert_eq!(extension.added_hours, 2);
    assert_eq!(extension.staff_hours_per_week, 4);
    assert_eq!((extension.out_of_hours, extension.unanswered), (5, 1));
    let already_open = all
        .iter()
        .find(|c| c.block.label == "Mon 09:00-10:00")
        .unwrap();
    assert_eq!(already_open.added_hours, 0);
    assert_eq!(already_open.requests_covered(), 0);
    assert_eq!(already_open.requests_per_staff_hour(), None);
}

#[test]
fn a_typed_block_equal_to_an_adjacent_one_replaces_it() {
    let site = regular("downtown", "Downtown", "mon-fri 08:00-18:00", 1);
    let typed = parse_blocks("monday 7:00-8:00").unwrap();
    let all = staff_next(&[site], &[], &typed, two_weeks(), 1);
    let mondays: Vec<&Candidate> = all
        .iter()
        .filter(|c| c.block.label == "Mon 07:00-08:00")
        .collect();
    assert_eq!(mondays.len(), 1);
    assert_eq!(mondays[0].block.origin, Origin::Typed);
    assert_eq!(all.len(), 10);
}

#[test]
fn blocks_across_the_clock_changes_count_requests_by_the_wall_clock_hour() {
    // Closed from midnight to 03:00 every night.
    let schedule = new_york_site(&[window("daily", "03:00", "24:00")]);
    let site = regular_week(
        SiteRef {
            name: "Downtown",
            schedule: &schedule,
        },
        at("2026-11-01T05:30:00Z"),
    );
    let nobody_came = [
        // Spring forward, Sunday 2026-03-08: 01:59 EST, then 03:00 EDT.
        "2026-03-08T06:59:00Z",
        // Fall back, Sunday 2026-11-01: 01:30 EDT, 01:30 EST, 02:30 EST.
        "2026-11-01T05:30:00Z",
        "2026-11-01T06:30:00Z",
        "2026-11-01T07:30:00Z",
    ];
    let mut grid = WeekGrid::default();
    for instant in nobody_came {
        let counts = Counts {
            out_of_hours: 1,
            ..Counts::default()
        };
        grid.add(HourOfWeek::of(at(instant), New_York), counts);
    }
    let cells: Vec<DemandCell> = grid
        .iter()
        .filter(|(_, counts)| counts.total() > 0)
        .map(|(hour, counts)| DemandCell {
            site: schedule.site.clone(),
            hour,
            counts,
        })
        .collect();
    let all = staff_next(&[site], &cells, &[], range("2026-03-01", "2026-11-07"), 3);
    let covered = |label: &str| {
        all.iter()
            .find(|c| c.block.label == label)
            .map(|c| (c.requests_covered(), c.staff_hours_per_week))
    };
    assert_eq!(covered("Sun 02:00-03:00"), Some((1, 1)));
    assert_eq!(covered("Sun 01:00-03:00"), Some((4, 2)));
    assert_eq!(covered("Sun 00:00-03:00"), Some((4, 3)));
    assert_eq!(covered("Sun 00:00-01:00"), Some((0, 1)));
    assert_eq!(labels(&all)[0], "Sun 01:00-03:00");
}

#[test]
fn a_demand_range_counts_both_its_ends() {
    assert_eq!(range("2026-01-05", "2026-01-18").days(), 14);
    assert_eq!(range("2026-01-05", "2026-01-05").days(), 1);
    assert_eq!(
        DemandRange::new("2026-01-06".parse().unwrap(), "2026-01-05".parse().unwrap()),
        None
    );
    let r = two_weeks();
    assert_eq!(
        (r.first().to_string(), r.last().to_string()),
        ("2026-01-05".to_owned(), "2026-01-18".to_owned())
    );
}

#[test]
fn n_is_kept_between_one_and_the_longest_block() {
    let site = regular("downtown", "Downtown", "sat 08:00-09:00", 1);
    assert_eq!(
        staff_next(std::slice::from_ref(&site), &[], &[], two_weeks(), 0).len(),
        2
    );
    let longest = staff_next(&[site], &[], &[], two_weeks(), 1000);
    assert_eq!(longest.len(), 2 * MAX_BLOCK_HOURS as usize);
}

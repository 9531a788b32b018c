//! Schedules built directly with values the configuration refuses (a rule that never
//! fires, one that fires every minute, a turn of a hundred million days, instants at
//! the ends of what can be represented) are still answered at once and without a
//! panic: overflow means no coverage, and a rare rule never sends a query scanning
//! through the years.

use std::time::{Duration as Elapsed, Instant};

use chrono::{DateTime, Duration, NaiveDate, NaiveDateTime, Utc};
use chrono_tz::Tz;
use handoff_schedules::{
    Availability, Closure, ClosureDates, PersonId, Recurrence, Role, Rotation, Shift, SiteId,
    SiteSchedule, When, Window,
};

fn at(text: &str) -> DateTime<Utc> {
    DateTime::parse_from_rfc3339(text)
        .unwrap_or_else(|e| panic!("`{text}`: {e}"))
        .with_timezone(&Utc)
}

/// Parses a literal; a malformed one fails the test naming the text.
fn parse<T: std::str::FromStr<Err: std::fmt::Display>>(text: &str) -> T {
    text.parse()
        .unwrap_or_else(|e| panic!("`{text}` does not parse: {e}"))
}

fn cron_window(cron: &str, end: &str) -> Window {
    Window {
        starts: Recurrence::Cron(parse(cron)),
        end: parse(end),
    }
}

fn person(id: &str) -> PersonId {
    PersonId::parse(id).unwrap_or_else(|e| panic!("`{id}`: {e}"))
}

/// A site whose hours, closures and shift all hang on a rule: `0 0 31 2 *` never fires.
fn site_with(cron: &str) -> SiteSchedule {
    let tz: Tz = parse("America/New_York");
    let mut site = SiteSchedule::new(SiteId::parse("north").unwrap_or_else(|e| panic!("{e}")), tz);
    site.hours = vec![cron_window(cron, "24:00")];
    site.closures = vec![Closure {
        name: "holiday".to_owned(),
        dates: ClosureDates::Matching(parse(cron)),
        reduced_hours: vec![(parse("08:00"), parse("12:00"))],
    }];
    site.shifts = vec![Shift {
        person: person("dana"),
        role: Role::CaseManager,
        availability: Availability {
            windows: vec![cron_window(cron, "17:00")],
            when: When::Open,
        },
    }];
    site
}

fn rotation(anchor: NaiveDateTime, turn_days: u32) -> Rotation {
    Rotation {
        name: "after-hours".to_owned(),
        role: Role::Coordinator,
        members: vec![person("sam"), person("marcus")],
        anchor,
        turn_days,
        availability: Availability {
            windows: Vec::new(),
            when: When::Always,
        },
    }
}

/// Runs `query`, failing if it takes longer than `limit` (generous for a debug build
/// on a busy machine; the scans these guard against took seconds to minutes).
fn within<T>(limit: Elapsed, what: &str, query: impl FnOnce() -> T) -> T {
    let started = Instant::now();
    let answer = query();
    let took = started.elapsed();
    assert!(took < limit, "{what} took {took:?}, more than {limit:?}");
    answer
}

#[test]
fn next_opening_on_a_schedule_that_never_fires_answers_none_at_once() {
    let site = site_with("0 0 31 2 *");
    let now = at("2026-11-23T12:00:00Z");
    let next = within(Elapsed::from_millis(100), "next_opening", || {
        site.next_opening(now)
    });
    assert_eq!(next, None);
    let (open, duty) = within(Elapsed::from_millis(100), "point queries", || {
        (site.is_open(now), site.on_duty(now))
    });
    assert!(!open);
    assert!(duty.is_empty());
}

#[test]
fn a_year_of_gaps_on_a_schedule_that_never_fires_is_one_gap_found_at_once() {
    let site = site_with("0 0 31 2 *");
    let (from, to) = (at("2026-01-01T05:00:00Z"), at("2027-01-01T05:00:00Z"));
    let gaps = within(Elapsed::from_secs(1), "a year of gaps", || {
        site.gaps(from, to)
    });
    assert_eq!(gaps.len(), 1);
    assert_eq!((gaps[0].span.start, gaps[0].span.end), (from, to));
}

#[test]
fn a_rule_that_fires_every_minute_costs_no_more_than_one_that_fires_daily() {
    let site = site_with("* * * * *");
    let now = at("2026-11-23T12:00:00Z");
    let next = within(Elapsed::from_millis(100), "next_opening", || {
        site.next_opening(now)
    });
    // Open all day every day (each day a closure with reduced hours 08:00-12:00 wins).
    assert_eq!(
        next.map(|t| t.to_rfc3339()).as_deref(),
        Some("2026-11-23T08:00:00-05:00")
    );
    let (from, to) = (at("2026-01-01T05:00:00Z"), at("2027-01-01T05:00:00Z"));
    let gaps = within(Elapsed::from_secs(1), "a year of gaps", || {
        site.gaps(from, to)
    });
    assert!(!gaps.is_empty());
}

#[test]
fn a_turn_of_a_hundred_million_days_means_the_first_member_until_the_end_of_time() {
    let tz: Tz = "America/New_York".parse().unwrap();
    let anchor = NaiveDate::from_ymd_opt(2026, 11, 2)
        .unwrap()
        .and_hms_opt(8, 0, 0)
        .unwrap();
    let mut site = SiteSchedule::new(SiteId::parse("north").unwrap(), tz);
    site.rotations = vec![rotation(anchor, 100_000_000)];
    let after = at("2027-06-01T12:00:00Z");
    assert_eq!(
        site.on_duty(after),
        vec![(person("sam"), Role::Coordinator)]
    );
    // Before the anchor is turn -1, whose start is before anything representable.
    let before = at("2026-06-01T12:00:00Z");
    assert_eq!(
        site.on_duty(before),
        vec![(person("marcus"), Role::Coordinator)]
    );
    let segments = site.coverage(before, after);
    assert_eq!(segments.len(), 2);
    assert_eq!(segments[1].span.start, at("2026-11-02T13:00:00Z"));
    assert_eq!(site.next_opening(after), None);
}

#[test]
fn extreme_anchors_turns_and_instants_answer_nobody_without_a_panic() {
    let tz: Tz = "Australia/Sydney".parse().unwrap();
    let mut site = site_with("0 8 * * mon-fri");
    site.tz = tz;
    site.rotations = vec![
        rotation(NaiveDateTime::MIN, u32::MAX),
        rotation(NaiveDateTime::MAX, u32::MAX),
        rotation(NaiveDateTime::MIN, 1),
        rotation(NaiveDateTime::MAX, 0),
    ];
    for instant in [
        DateTime::<Utc>::MIN_UTC,
        DateTime::<Utc>::MAX_UTC,
        at("1899-12-31T23:59:59Z"),
        at("2200-01-01T00:00:00Z"),
    ] {
        assert!(site.on_duty(instant).is_empty(), "{instant:?}");
        assert!(!site.is_open(instant), "{instant:?}");
        assert_eq!(site.next_opening(instant), None, "{instant:?}");
    }
    assert!(
        site.coverage(DateTime::<Utc>::MIN_UTC, at("1900-01-01T00:00:00Z"))
            .is_empty()
    );
    let last_day = site.gaps(at("2199-12-31T00:00:00Z"), DateTime::<Utc>::MAX_UTC);
    assert!(
        last_day
            .iter()
            .all(|g| g.span.end <= at("2200-01-01T00:00:00Z"))
    );
    let inside = at("2150-06-01T00:00:00Z");
    for rotation in &site.rotations {
        assert!(rotation.member_at(tz, inside).is_some(), "{rotation:?}");
    }
    let week = site.coverage(inside, inside + Duration::days(7));
    assert!(!week.is_empty());
}

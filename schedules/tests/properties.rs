//! Random schedules within the ranges the configuration accepts (weekday and cron
//! windows, overnight ones and ones ending at 24:00, closures with reduced hours,
//! rotations of 1 to 365 days starting 2000 to 2100, overrides) in zones with and
//! without daylight saving, asked about random instants (near clock changes, and
//! anywhere from 1900 to 2199): no query panics, and the answers agree with each
//! other — the point queries with `coverage`, `next_opening` with `open_intervals`,
//! and every gap with who is on duty at its start.

use chrono::{DateTime, Duration, NaiveDate, NaiveDateTime, Utc};
use chrono_tz::Tz;
use handoff_schedules::{
    Availability, ClockTime, Closure, ClosureDates, CronRule, Gap, GapKind, Interval, Override,
    OverrideKind, PersonId, Recurrence, Role, Rotation, Shift, SiteId, SiteSchedule, Weekdays,
    When, Window, resolve_local,
};
use proptest::prelude::*;

const ZONES: [Tz; 10] = [
    chrono_tz::America::New_York,
    chrono_tz::Europe::London,
    chrono_tz::Australia::Sydney,
    chrono_tz::Australia::Lord_Howe,
    chrono_tz::America::St_Johns,
    chrono_tz::Pacific::Apia,
    chrono_tz::Pacific::Chatham,
    chrono_tz::Asia::Kolkata,
    chrono_tz::America::Phoenix,
    chrono_tz::UTC,
];

/// Cron rules that pass the configuration: they fire some day of every year and at
/// most 24 times a day.
const WINDOW_CRONS: [&str; 7] = [
    "0 16 * * mon-fri",
    "30 8 * * *",
    "0 */2 * * sat,sun",
    "0 9 1 * *",
    "0 22 * * 5L",
    "15 7 * * 4#4",
    "0 0 * * *",
];
const CLOSURE_CRONS: [&str; 4] = ["0 0 25 12 *", "0 0 * * 4#4", "0 0 1 1 *", "0 0 L * *"];
const PEOPLE: [&str; 4] = ["dana", "lee", "sam", "marcus"];

fn parse<T: std::str::FromStr<Err: std::fmt::Display>>(text: &str) -> T {
    text.parse()
        .unwrap_or_else(|e| panic!("`{text}` does not parse: {e}"))
}

fn person(index: usize) -> PersonId {
    let id = PEOPLE[index % PEOPLE.len()];
    PersonId::parse(id).unwrap_or_else(|e| panic!("`{id}`: {e}"))
}

fn date(year: i32, month: u32, day: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(year, month, day.min(28))
        .unwrap_or_else(|| panic!("{year}-{month}-{day}"))
}

fn clock(minutes: u16) -> ClockTime {
    ClockTime::hm(minutes / 60, minutes % 60).unwrap_or_else(|| panic!("{minutes} minutes"))
}

/// A start of day, `00:00` to `23:59`, mostly on the quarter hour.
fn start_time() -> impl Strategy<Value = ClockTime> {
    prop_oneof![
        (0u16..96).prop_map(|q| clock(q * 15)),
        (0u16..1440).prop_map(clock)
    ]
}

/// An end of day, `00:00` to `24:00`.
fn end_time() -> impl Strategy<Value = ClockTime> {
    prop_oneof![
        Just(ClockTime::END_OF_DAY),
        (0u16..96).prop_map(|q| clock(q * 15)),
        (0u16..=1440).prop_map(clock),
    ]
}

fn weekdays() -> impl Strategy<Value = Weekdays> {
    (1u8..128).prop_map(|bits| {
        let days = [
            chrono::Weekday::Mon,
            chrono::Weekday::Tue,
            chrono::Weekday::Wed,
            chrono::Weekday::Thu,
            chrono::Weekday::Fri,
            chrono::Weekday::Sat,
            chrono::Weekday::Sun,
        ];
        days.iter()
            .enumerate()
            .filter(|(i, _)| bits & (1 << i) != 0)
            .fold(Weekdays::default(), |set, (_, day)| set.with(*day))
    })
}

fn window() -> impl Strategy<Value = Window> {
    let weekly = (weekdays(), start_time(), end_time()).prop_map(|(days, at, end)| Window {
        starts: Recurrence::Weekly { days, at },
        end,
    });
    let cron = (0..WINDOW_CRONS.len(), end_time()).prop_map(|(i, end)| Window {
        starts: Recurrence::Cron(parse::<CronRule>(WINDOW_CRONS[i])),
        end,
    });
    prop_oneof![3 => weekly, 1 => cron]
}

fn when() -> impl Strategy<Value = When> {
    prop_oneof![Just(When::Open), Just(When::Closed), Just(When::Always)]
}

fn availability() -> impl Strategy<Value = Availability> {
    (prop::collection::vec(window(), 0..3), when())
        .prop_map(|(windows, when)| Availability { windows, when })
}

fn role() -> impl Strategy<Value = Role> {
    prop_oneof![
        Just(Role::CaseManager),
        Just(Role::Coordinator),
        Just(Role::Supervisor)
    ]
}

fn closure() -> impl Strategy<Value = Closure> {
    let dates = prop_oneof![
        (2020i32..2036, 1u32..13, 1u32..29).prop_map(|(y, m, d)| ClosureDates::On(date(y, m, d))),
        (2020i32..2036, 1u32..13, 1u32..29, 0i64..10).prop_map(|(y, m, d, n)| {
            let first = date(y, m, d);
            ClosureDates::Between(first, first + Duration::days(n))
        }),
        (0..CLOSURE_CRONS.len()).prop_map(|i| ClosureDates::Matching(parse(CLOSURE_CRONS[i]))),
    ];
    let reduced = prop::collection::vec(
        (0u16..1440, 1u16..=1440)
            .prop_map(|(start, length)| (clock(start), clock((start + length).min(1440)))),
        0..2,
    )
    .prop_map(|spans| spans.into_iter().filter(|(s, e)| s < e).collect());
    (dates, reduced).prop_map(|(dates, reduced_hours)| Closure {
        name: "closure".to_owned(),
        dates,
        reduced_hours,
    })
}

fn local_time(years: std::ops::Range<i32>) -> impl Strategy<Value = NaiveDateTime> {
    (years, 1u32..13, 1u32..29, 0u32..24, 0u32..60).prop_map(|(y, mo, d, h, mi)| {
        date(y, mo, d)
            .and_hms_opt(h, mi, 0)
            .unwrap_or_else(|| panic!("{h}:{mi}"))
    })
}

fn rotation() -> impl Strategy<Value = Rotation> {
    (
        prop::collection::vec(0..PEOPLE.len(), 1..4),
        local_time(2000..2101),
        1u32..=365,
        role(),
        availability(),
    )
        .prop_map(
            |(members, anchor, turn_days, role, availability)| Rotation {
                name: "rota".to_owned(),
                role,
                members: members.into_iter().map(person).collect(),
                anchor,
                turn_days,
                availability,
            },
        )
}

/// An instant near a clock change (spring and autumn months, small hours), or
/// anywhere in the years the schedules answer for.
fn instant(tz: Tz) -> impl Strategy<Value = DateTime<Utc>> {
    let near_change = (
        1990i32..2060,
        prop::sample::select(vec![3u32, 4, 9, 10, 11]),
        1u32..29,
        0u32..5,
        0u32..60,
        0u32..60,
    )
        .prop_map(move |(y, mo, d, h, mi, s)| {
            let local = date(y, mo, d)
                .and_hms_opt(h, mi, s)
                .unwrap_or_else(|| panic!("{h}:{mi}:{s}"));
            resolve_local(tz, local)
        });
    let anywhere = (-2_208_988_800i64..7_258_118_400)
        .prop_map(|s| DateTime::<Utc>::from_timestamp(s, 0).unwrap_or_default());
    prop_oneof![2 => near_change, 1 => anywhere]
}

fn override_near(at: DateTime<Utc>) -> impl Strategy<Value = Override> {
    let kind = prop_oneof![
        (0..PEOPLE.len(), 0..PEOPLE.len()).prop_map(|(a, b)| OverrideKind::Cover {
            covering: person(a),
            covered: person(b),
        }),
        (0..PEOPLE.len(), role()).prop_map(|(p, role)| OverrideKind::Add {
            person: person(p),
            role,
        }),
        (0..PEOPLE.len()).prop_map(|p| OverrideKind::Remove { person: person(p) }),
    ];
    (kind, -48i64..48, 1i64..96).prop_map(move |(kind, from, hours)| {
        let start = at + Duration::hours(from);
        Override {
            kind,
            during: Interval::new(start, start + Duration::hours(hours))
                .unwrap_or_else(|| panic!("{start}")),
        }
    })
}

/// A schedule and an instant to ask it about.
fn case() -> impl Strategy<Value = (SiteSchedule, DateTime<Utc>)> {
    prop::sample::select(ZONES.to_vec()).prop_flat_map(|tz| {
        instant(tz).prop_flat_map(move |at| {
            (
                prop::collection::vec(window(), 0..3),
                prop::collection::vec(closure(), 0..3),
                prop::collection::vec(
                    (0..PEOPLE.len(), role(), availability()).prop_map(
                        |(p, role, availability)| Shift {
                            person: person(p),
                            role,
                            availability,
                        },
                    ),
                    0..3,
                ),
                prop::collection::vec(rotation(), 0..2),
                prop::collection::vec(override_near(at), 0..2),
            )
                .prop_map(move |(hours, closures, shifts, rotations, overrides)| {
                    let site = SiteSchedule {
                        site: SiteId::parse("site").unwrap_or_else(|e| panic!("{e}")),
                        tz,
                        hours,
                        closures,
                        shifts,
                        rotations,
                        overrides,
                    };
                    (site, at)
                })
        })
    })
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 400, ..ProptestConfig::default() })]

    #[test]
    fn point_queries_agree_with_the_coverage_around_them((site, at) in case()) {
        let duty = site.on_duty(at);
        let mut sorted = duty.clone();
        sorted.sort_by(|a, b| (a.1, &a.0).cmp(&(b.1, &b.0)));
        sorted.dedup();
        prop_assert_eq!(&duty, &sorted, "the duty list is sorted, each pair once");
        let coverage = site.coverage(at - Duration::days(1), at + Duration::days(1));
        let segment = coverage.iter().find(|s| s.span.contains(at));
        let segment = segment.ok_or_else(|| TestCaseError::fail("no segment covers the instant"))?;
        prop_assert_eq!(segment.open, site.is_open(at));
        prop_assert_eq!(&segment.on_duty, &duty);
    }

    #[test]
    fn the_next_opening_is_later_open_and_the_first_one((site, at) in case()) {
        let next = site.next_opening(at).map(|t| t.with_timezone(&Utc));
        match next {
            Some(next) => {
                prop_assert!(next > at, "{next} is not after {at}");
                prop_assert!(site.is_open(next), "closed at its opening {next}");
                prop_assert!(!site.is_open(next - Duration::nanoseconds(1)), "already open before {next}");
                // Between the instant and the opening, the site is at most still open
                // from before: no other opening comes first.
                let open = site.open_intervals(at, next);
                prop_assert!(open.len() <= 1, "{open:?}");
                prop_assert!(open.iter().all(|span| span.start == at && site.is_open(at)), "{open:?}");
            }
            None => {
                let horizon = at + Duration::days(handoff_schedules::query::OPENING_HORIZON_DAYS);
                let open = site.open_intervals(at, horizon);
                prop_assert!(open.iter().all(|span| span.start == at), "it does open: {open:?}");
            }
        }
    }

    #[test]
    fn every_gap_is_in_range_in_order_and_what_its_start_shows(
        (site, at) in case(),
        hours in 1i64..(10 * 24),
    ) {
        let to = at + Duration::hours(hours);
        let gaps: Vec<Gap> = site.gaps(at, to);
        for pair in gaps.windows(2) {
            prop_assert!(pair[0].span.end <= pair[1].span.start, "{pair:?}");
        }
        for gap in &gaps {
            prop_assert!(at <= gap.span.start && gap.span.end <= to, "{gap:?}");
            let open = site.is_open(gap.span.start);
            let duty = site.on_duty(gap.span.start);
            let has = |role: Role| duty.iter().any(|(_, r)| *r == role);
            match gap.kind {
                GapKind::NoCaseManager => prop_assert!(open && !has(Role::CaseManager), "{gap:?}"),
                GapKind::NoOnCall => prop_assert!(!open && !has(Role::Coordinator), "{gap:?}"),
            }
        }
    }
}

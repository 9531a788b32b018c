//! Random programs for the property tests: configuration files drawn from the
//! ranges README.md ("The configuration") and `config/example.toml` document, built
//! so that the loader should accept every one of them. References between tables
//! (a shift's person, a rotation's members, an officer's zone) are drawn as indices
//! and resolved when the file is written, so every reference names something that
//! exists and every role asked of a person is one of theirs.

use proptest::collection::vec;
use proptest::option;
use proptest::prop_oneof;
use proptest::sample::{select, subsequence};
use proptest::strategy::{BoxedStrategy, Just, Strategy};

/// Time zones with the shapes that trouble schedules: daylight saving either side
/// of the equator, half-hour offsets and a half-hour daylight-saving shift.
pub const TIME_ZONES: [&str; 8] = [
    "America/New_York",
    "Europe/London",
    "Australia/Sydney",
    "Australia/Lord_Howe",
    "Asia/Kolkata",
    "America/St_Johns",
    "Pacific/Chatham",
    "UTC",
];

pub const ROLES: [&str; 4] = [
    "case_manager",
    "coordinator",
    "supervisor",
    "project_manager",
];

/// Each site's zones are drawn from its own pool, so no zone is in two sites.
const ZONE_POOLS: [&[&str]; 2] = [&["zone-1", "zone-2", "zone-3"], &["zone-4", "harbor"]];

pub const SITE_IDS: [&str; 2] = ["site-a", "site-b"];

/// A time of day, `HH:MM`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ClockTime(pub u8, pub u8);

/// Where a window ends: a time of day (before its start: past midnight) or the
/// midnight that ends the day.
#[derive(Debug, Clone, Copy)]
pub enum End {
    At(ClockTime),
    Midnight,
}

#[derive(Debug, Clone)]
pub enum Window {
    Days {
        days: &'static str,
        start: ClockTime,
        end: End,
    },
    Cron {
        cron: String,
        end: End,
    },
}

#[derive(Debug, Clone)]
pub enum ClosureDays {
    /// Days after 2026-01-01.
    Date(u32),
    Range(u32, u32),
    Cron(&'static str),
}

#[derive(Debug, Clone)]
pub struct Closure {
    pub days: ClosureDays,
    /// Reduced hours that day: a start, and minutes after it.
    pub open: Option<(ClockTime, u32)>,
}

#[derive(Debug, Clone)]
pub struct SiteSpec {
    pub time_zone: &'static str,
    pub policy: usize,
    pub zones: Vec<&'static str>,
    pub hours: Vec<Window>,
    pub closures: Vec<Closure>,
}

#[derive(Debug, Clone)]
pub enum Who {
    Role(usize),
    AllOnDuty,
    People(Vec<usize>),
}

#[derive(Debug, Clone)]
pub struct StepSpec {
    pub who: Who,
    pub one_at_a_time: bool,
    pub timeout: &'static str,
}

#[derive(Debug, Clone)]
pub struct PersonSpec {
    /// A bit per role of [`ROLES`]; never zero.
    pub roles: u8,
    pub phone: bool,
    pub matrix: bool,
    pub caseload_cap: Option<u32>,
    /// Indices into all the sites' zones.
    pub zones: Vec<usize>,
}

#[derive(Debug, Clone)]
pub struct OfficerSpec {
    /// An index into the zones of the agency's sites.
    pub zone: Option<usize>,
    pub matrix: bool,
}

#[derive(Debug, Clone)]
pub struct AgencySpec {
    /// Site indices, the default first.
    pub sites: Vec<usize>,
    pub officers: Vec<OfficerSpec>,
}

#[derive(Debug, Clone)]
pub struct ShiftSpec {
    pub person: usize,
    pub role: usize,
    /// Whether to write `role` when the person has only one.
    pub explicit_role: bool,
    pub sites: Option<Vec<usize>>,
    pub hours: Vec<Window>,
    pub when: Option<&'static str>,
}

#[derive(Debug, Clone)]
pub struct RotationSpec {
    pub role: usize,
    /// Picks among the people with the role (wrapping).
    pub members: Vec<usize>,
    pub start: &'static str,
    pub turn_days: Option<u32>,
    pub sites: Option<Vec<usize>>,
    pub hours: Vec<Window>,
    pub when: Option<&'static str>,
}

#[derive(Debug, Clone)]
pub enum OverrideKind {
    Cover(usize),
    Add(usize),
    Remove,
}

#[derive(Debug, Clone)]
pub struct OverrideSpec {
    pub kind: OverrideKind,
    pub person: usize,
    /// Hours after 2026-01-01T00:00, and the length in hours.
    pub from_hour: u32,
    pub hours: u32,
    /// Written with an offset (RFC 3339) rather than in each site's local time.
    pub with_offset: bool,
    pub sites: Option<Vec<usize>>,
    pub note: bool,
}

/// A whole program, as indices and choices; [`ProgramSpec::toml`] writes it.
#[derive(Debug, Clone)]
pub struct ProgramSpec {
    pub intake_days: u32,
    pub arrival_limit: &'static str,
    pub message_retention: &'static str,
    pub sites: Vec<SiteSpec>,
    pub policies: Vec<Vec<StepSpec>>,
    pub people: Vec<PersonSpec>,
    pub agencies: Vec<AgencySpec>,
    pub shifts: Vec<ShiftSpec>,
    pub rotations: Vec<RotationSpec>,
    pub overrides: Vec<OverrideSpec>,
}

fn clock_time() -> BoxedStrategy<ClockTime> {
    (0u8..24, select(vec![0u8, 15, 30, 45]))
        .prop_map(|(h, m)| ClockTime(h, m))
        .boxed()
}

fn end() -> BoxedStrategy<End> {
    prop_oneof![clock_time().prop_map(End::At), Just(End::Midnight)].boxed()
}

fn window() -> BoxedStrategy<Window> {
    let days = select(vec![
        "mon-fri",
        "daily",
        "sat,sun",
        "mon,wed,fri",
        "tue-thu",
        "sun",
        "fri-mon",
    ]);
    let cron = (
        select(vec!["0", "30"]),
        select(vec!["8", "16", "22", "0", "*/6", "9,21", "*"]),
        select(vec!["*", "*", "1", "13", "1-7"]),
        select(vec!["*", "mon-fri", "sat,sun", "1-5", "0"]),
    )
        .prop_map(|(minute, hour, dom, dow)| format!("{minute} {hour} {dom} * {dow}"));
    prop_oneof![
        (days, clock_time(), end()).prop_map(|(days, start, end)| {
            // A window that ends where it starts is no window: make it run to
            // midnight.
            let end = match end {
                End::At(at) if at == start => End::Midnight,
                other => other,
            };
            Window::Days { days, start, end }
        }),
        (cron, end()).prop_map(|(cron, end)| Window::Cron { cron, end }),
    ]
    .boxed()
}

fn closure() -> BoxedStrategy<Closure> {
    let days = prop_oneof![
        (0u32..730).prop_map(ClosureDays::Date),
        (0u32..730, 0u32..10).prop_map(|(from, len)| ClosureDays::Range(from, from + len)),
        select(vec![
            "0 0 25 12 *",
            "0 0 * * sun",
            "0 0 1 * *",
            "0 0 1-7 * mon",
            "0 0 * * *",
        ])
        .prop_map(ClosureDays::Cron),
    ];
    let open = option::of((
        (0u8..23, select(vec![0u8, 30])).prop_map(|(h, m)| ClockTime(h, m)),
        30u32..600,
    ));
    (days, open)
        .prop_map(|(days, open)| Closure { days, open })
        .boxed()
}

fn site(index: usize) -> BoxedStrategy<SiteSpec> {
    let pool = ZONE_POOLS[index % ZONE_POOLS.len()].to_vec();
    let zones_len = pool.len();
    (
        select(TIME_ZONES.to_vec()),
        0usize..2,
        subsequence(pool, 0..=zones_len),
        // Mostly open some of the time; often always; now and then never.
        prop_oneof![
            1 => Just(Vec::new()),
            2 => Just(vec![Window::Days {
                days: "daily",
                start: ClockTime(0, 0),
                end: End::Midnight,
            }]),
            5 => vec(window(), 1..=2),
        ],
        vec(closure(), 0..=2),
    )
        .prop_map(|(time_zone, policy, zones, hours, closures)| SiteSpec {
            time_zone,
            policy,
            zones,
            hours,
            closures,
        })
        .boxed()
}

fn step() -> BoxedStrategy<StepSpec> {
    let who = prop_oneof![
        (0usize..4).prop_map(Who::Role),
        Just(Who::AllOnDuty),
        vec(0usize..6, 1..=3).prop_map(Who::People),
    ];
    (
        who,
        proptest::bool::ANY,
        select(vec!["10s", "90s", "5m", "1h30m", "24h"]),
    )
        .prop_map(|(who, one_at_a_time, timeout)| StepSpec {
            who,
            one_at_a_time,
            timeout,
        })
        .boxed()
}

fn person() -> BoxedStrategy<PersonSpec> {
    (
        1u8..16,
        0u8..10,
        proptest::bool::ANY,
        option::of(select(vec![1u32, 2, 12, 1000])),
        vec(0usize..5, 0..=2),
    )
        .prop_map(|(roles, reach, matrix, caseload_cap, zones)| PersonSpec {
            roles,
            // One in ten has no phone, only a Matrix ID (unreachable until a
            // Matrix transport delivers).
            phone: reach != 0,
            matrix: matrix || reach == 0,
            caseload_cap,
            zones,
        })
        .boxed()
}

fn sites_subset() -> BoxedStrategy<Vec<usize>> {
    prop_oneof![
        Just(vec![0]),
        Just(vec![1]),
        Just(vec![0, 1]),
        Just(vec![1, 0])
    ]
    .boxed()
}

fn agency() -> BoxedStrategy<AgencySpec> {
    let officer = (option::of(0usize..5), proptest::bool::ANY)
        .prop_map(|(zone, matrix)| OfficerSpec { zone, matrix });
    (sites_subset(), vec(officer, 1..=3))
        .prop_map(|(sites, officers)| AgencySpec { sites, officers })
        .boxed()
}

fn when() -> BoxedStrategy<Option<&'static str>> {
    prop_oneof![
        3 => Just(None),
        1 => Just(Some("open")),
        1 => Just(Some("closed")),
        1 => Just(Some("always")),
    ]
    .boxed()
}

fn shift() -> BoxedStrategy<ShiftSpec> {
    (
        0usize..6,
        0usize..4,
        proptest::bool::ANY,
        option::of(sites_subset()),
        // Mostly the site's own hours.
        prop_oneof![2 => Just(Vec::new()), 1 => vec(window(), 1..=2)],
        when(),
    )
        .prop_map(
            |(person, role, explicit_role, sites, hours, when)| ShiftSpec {
                person,
                role,
                explicit_role,
                sites,
                hours,
                when,
            },
        )
        .boxed()
}

fn rotation() -> BoxedStrategy<RotationSpec> {
    (
        0usize..4,
        vec(0usize..6, 1..=3),
        select(vec![
            "2026-11-02T08:00",
            "2000-01-01T00:00",
            "2100-12-31T23:30",
            "2026-03-08T02:30",
            "2026-10-04T02:00",
        ]),
        option::of(select(vec![1u32, 2, 7, 14, 365])),
        option::of(sites_subset()),
        vec(window(), 0..=1),
        when(),
    )
        .prop_map(
            |(role, members, start, turn_days, sites, hours, when)| RotationSpec {
                role,
                members,
                start,
                turn_days,
                sites,
                hours,
                when,
            },
        )
        .boxed()
}

fn override_spec() -> BoxedStrategy<OverrideSpec> {
    let kind = prop_oneof![
        (0usize..5).prop_map(OverrideKind::Cover),
        (0usize..4).prop_map(OverrideKind::Add),
        Just(OverrideKind::Remove),
    ];
    (
        kind,
        0usize..6,
        0u32..(730 * 24),
        1u32..240,
        proptest::bool::ANY,
        option::of(sites_subset()),
        proptest::bool::ANY,
    )
        .prop_map(
            |(kind, person, from_hour, hours, with_offset, sites, note)| OverrideSpec {
                kind,
                person,
                from_hour,
                hours,
                with_offset,
                sites,
                note,
            },
        )
        .boxed()
}

/// Random programs: 1-2 sites, 1-2 policies of 1-3 steps, 2-6 people, 1-2
/// agencies of 1-3 officers, and shifts, rotations and overrides over them.
pub fn program() -> BoxedStrategy<ProgramSpec> {
    let sites = prop_oneof![
        site(0).prop_map(|a| vec![a]),
        (site(0), site(1)).prop_map(|(a, b)| vec![a, b]),
    ];
    let header = (
        select(vec![1u32, 30, 365]),
        select(vec!["10m", "1h30m", "3h", "24h"]),
        select(vec!["1d", "90d", "3650d"]),
    );
    (
        header,
        sites,
        vec(vec(step(), 1..=3), 1..=2),
        vec(person(), 2..=6),
        vec(agency(), 1..=2),
        vec(shift(), 1..=6),
        vec(rotation(), 0..=2),
        vec(override_spec(), 0..=2),
    )
        .prop_map(
            |(
                (intake_days, arrival_limit, message_retention),
                sites,
                policies,
                people,
                agencies,
                shifts,
                rotations,
                overrides,
            )| ProgramSpec {
                intake_days,
                arrival_limit,
                message_retention,
                sites,
                policies,
                people,
                agencies,
                shifts,
                rotations,
                overrides,
            },
        )
        .boxed()
}

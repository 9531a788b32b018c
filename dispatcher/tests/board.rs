//! The dashboard's board added up in memory (`stats::board_of`) from hand-written
//! logs with literal instants: every count, percentile, week and demand cell of a
//! fortnight that spans New York's spring-forward, the filters, the boundaries of
//! the range, which hand-offs are lost and where each shows on the demand map, and
//! the promised arrival an ETA makes.

// A whole file of tests: a panic here is a failed test, shared steps included.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::collections::BTreeMap;

use chrono::{DateTime, Duration, NaiveDate, Utc};
use chrono_tz::America::{Chicago, New_York};
use chrono_tz::Tz;
use handoff_dispatcher::outcome::NotDivertedCode;
use handoff_dispatcher::stats::{
    Board, BoardFilter, Coverage, DemandCell, EtaAccuracy, GroupRow, Lost, LostKind, Percentiles,
    RollupRow, WeekRow, board_of, metrics,
};
use handoff_dispatcher::{Actor, AgencyId, Event, EventKind, HandoffId, HandoffKind, OfficerId};
use handoff_schedules::{PersonId, SiteId};

fn at(text: &str) -> DateTime<Utc> {
    text.parse().unwrap()
}

fn date(text: &str) -> NaiveDate {
    text.parse().unwrap()
}

fn person(id: &str) -> PersonId {
    PersonId::parse(id).unwrap()
}

fn riverton(_: &SiteId) -> Tz {
    New_York
}

fn secs(n: i64) -> Option<Duration> {
    Some(Duration::seconds(n))
}

/// Count, p50, p90 and max, in seconds.
fn p(count: u64, p50: i64, p90: i64, max: i64) -> Percentiles {
    Percentiles {
        count,
        p50: secs(p50),
        p90: secs(p90),
        max: secs(max),
    }
}

/// A hand-off's log, written in order.
struct Log {
    id: u32,
    events: Vec<Event>,
}

impl Log {
    fn requested(id: u32, when: &str, officer: &str, agency: &str, after_hours: bool) -> Log {
        let mut log = Log {
            id,
            events: Vec::new(),
        };
        log.push(
            when,
            EventKind::Requested {
                site: SiteId::parse("riverton").unwrap(),
                kind: HandoffKind::ArrestDiversion,
                officer: OfficerId::parse(officer).unwrap(),
                agency: AgencyId::parse(agency).unwrap(),
                zone: None,
                after_hours,
            },
        );
        log
    }

    fn push(&mut self, when: &str, kind: EventKind) -> &mut Log {
        self.events.push(Event {
            handoff: HandoffId::new(self.id),
            at: at(when),
            actor: Actor::System,
            kind,
        });
        self
    }

    fn offered(&mut self, when: &str, who: &str) -> &mut Log {
        let kind = EventKind::Offered {
            person: person(who),
            step: 0,
            round: 0,
        };
        self.push(when, kind)
    }

    fn accepted(&mut self, when: &str, who: &str) -> &mut Log {
        let kind = EventKind::Accepted {
            person: person(who),
            via: None,
        };
        self.push(when, kind)
    }

    fn eta(&mut self, when: &str, who: &str, minutes: u32) -> &mut Log {
        let kind = EventKind::Eta {
            person: person(who),
            minutes,
        };
        self.push(when, kind)
    }

    fn arrived(&mut self, when: &str, who: &str) -> &mut Log {
        self.push(
            when,
            EventKind::Arrived {
                person: person(who),
            },
        )
    }
}

/// A fortnight at Riverton (New York time), 2026-03-02 to 03-15, over the
/// spring-forward of Sunday 03-08, and one request on each side of it.
fn fortnight() -> Vec<Event> {
    let mut logs = Vec::new();
    // Before the range: Sunday 03-01, 23:59 EST.
    logs.push(Log::requested(
        1000,
        "2026-03-02T04:59:00Z",
        "ortiz",
        "metro-pd",
        true,
    ));
    // Sunday 03-08 01:59 EST: hour 145 of the week of 03-02. Early by 90 s.
    let mut h1 = Log::requested(1001, "2026-03-08T06:59:00Z", "ortiz", "metro-pd", false);
    h1.offered("2026-03-08T06:59:10Z", "dana")
        .accepted("2026-03-08T07:01:00Z", "dana")
        .eta("2026-03-08T07:02:00Z", "dana", 15)
        .arrived("2026-03-08T07:15:30Z", "dana")
        .push(
            "2026-03-08T08:00:00Z",
            EventKind::Completed {
                person: person("dana"),
            },
        );
    logs.push(h1);
    // Sunday 03:30 EDT, half an hour later by the clock on the wall: hour 147.
    // Late by 240 s; not diverted.
    let mut h2 = Log::requested(1002, "2026-03-08T07:30:00Z", "kim", "sheriff", false);
    h2.accepted("2026-03-08T07:35:00Z", "lee")
        .eta("2026-03-08T07:36:00Z", "lee", 10)
        .arrived("2026-03-08T07:50:00Z", "lee")
        .push(
            "2026-03-08T08:10:00Z",
            EventKind::NotDiverted {
                code: NotDivertedCode::Left,
                note: None,
            },
        );
    logs.push(h2);
    // Monday 03-09 00:30 EDT (still Sunday in EST): hour 0 of the next week.
    let mut h3 = Log::requested(1003, "2026-03-09T04:30:00Z", "ortiz", "metro-pd", true);
    h3.push("2026-03-09T04:30:00Z", EventKind::OutOfHours);
    logs.push(h3);
    // Monday 10:00: given up before anyone accepted.
    let mut h4 = Log::requested(1004, "2026-03-09T14:00:00Z", "ortiz", "metro-pd", false);
    h4.offered("2026-03-09T14:00:05Z", "dana")
        .offered("2026-03-09T14:00:05Z", "lee")
        .push(
            "2026-03-09T14:04:00Z",
            EventKind::Cancelled { reason: None },
        );
    logs.push(h4);
    // Tuesday 11:00: unstaffed.
    let mut h5 = Log::requested(1005, "2026-03-10T15:00:00Z", "kim", "sheriff", false);
    h5.offered("2026-03-10T15:00:05Z", "lee")
        .push("2026-03-10T15:15:00Z", EventKind::Unstaffed);
    logs.push(h5);
    // Wednesday 12:00: accepted, an ETA, never there.
    let mut h6 = Log::requested(1006, "2026-03-11T16:00:00Z", "diaz", "metro-pd", false);
    h6.accepted("2026-03-11T16:10:00Z", "dana")
        .eta("2026-03-11T16:10:00Z", "dana", 30)
        .push(
            "2026-03-11T16:50:00Z",
            EventKind::EtaPassed {
                person: person("dana"),
            },
        )
        .push(
            "2026-03-11T18:10:00Z",
            EventKind::Expired {
                person: person("dana"),
            },
        );
    logs.push(h6);
    // Thursday 13:00: accepted in 45 s, there after 1,500 s with no ETA; still open.
    let mut h7 = Log::requested(1007, "2026-03-12T17:00:00Z", "ortiz", "metro-pd", false);
    h7.accepted("2026-03-12T17:00:45Z", "lee")
        .arrived("2026-03-12T17:25:00Z", "lee");
    logs.push(h7);
    // Friday 14:00: accepted, then cancelled by the officer.
    let mut h8 = Log::requested(1008, "2026-03-13T18:00:00Z", "kim", "sheriff", false);
    h8.accepted("2026-03-13T18:03:00Z", "dana").push(
        "2026-03-13T18:05:00Z",
        EventKind::Cancelled { reason: None },
    );
    logs.push(h8);
    // After the range: Monday 03-23 00:00 EDT.
    logs.push(Log::requested(
        1009,
        "2026-03-23T04:00:00Z",
        "ortiz",
        "metro-pd",
        false,
    ));
    logs.into_iter().flat_map(|log| log.events).collect()
}

/// Monday 03-02 00:00 EST to Monday 03-23 00:00 EDT: three weeks, the last empty.
fn three_weeks() -> BoardFilter {
    BoardFilter {
        from: at("2026-03-02T05:00:00Z"),
        to: at("2026-03-23T04:00:00Z"),
        site: None,
        agency: None,
        case_manager: None,
        kind: None,
        arrival_target: Duration::minutes(20),
        zone: New_York,
    }
}

fn board(filter: &BoardFilter) -> Board {
    board_of(&metrics(&fortnight()), filter, &riverton)
}

fn group(key: &str, counts: [u64; 3], accept: Percentiles, arrival: Percentiles) -> GroupRow {
    GroupRow {
        key: key.to_owned(),
        requests: counts[0],
        completed: counts[1],
        lost: counts[2],
        time_to_accept: accept,
        time_to_arrival: arrival,
    }
}

fn cell(hour: u8, covered: u64, unanswered: u64, out_of_hours: u64) -> DemandCell {
    DemandCell {
        site: SiteId::parse("riverton").unwrap(),
        hour_of_week: hour,
        covered,
        unanswered,
        out_of_hours,
    }
}

fn week(monday: &str, requests: u64, completed: u64, lost: u64, accepted: u64) -> WeekRow {
    WeekRow {
        week_start: date(monday),
        requests,
        completed,
        lost,
        accepted,
    }
}

#[test]
fn a_fortnight_over_the_spring_forward_adds_up_to_every_figure_of_the_board() {
    let none = Percentiles::default();
    let expected = Board {
        requests: 8,
        open: 1,
        completed: 1,
        cancelled: 2,
        not_diverted: 1,
        not_diverted_by_code: BTreeMap::from([(NotDivertedCode::Left, 1)]),
        lost: Lost {
            unstaffed: 1,
            out_of_hours: 1,
            expired: 1,
            given_up: 1,
        },
        accepted: 5,
        // 45, 120, 180, 300, 600 s.
        time_to_accept: p(5, 180, 600, 600),
        // 990, 1200, 1500 s.
        time_to_arrival: p(3, 1200, 1500, 1500),
        arrived: 3,
        // All three by a case manager in the field: no drop-off this fortnight.
        field_meets: 3,
        dropoffs: 0,
        // 1,200 s is within a 20-minute target; 1,500 s is not.
        arrived_within_target: 2,
        eta: EtaAccuracy {
            with_eta_and_arrival: 2,
            on_time: 1,
            late: p(1, 240, 240, 240),
            abs_error: p(2, 90, 240, 240),
        },
        officer_time: p(1, 3660, 3660, 3660),
        weeks: vec![
            week("2026-03-02", 2, 1, 0, 2),
            week("2026-03-09", 6, 0, 4, 3),
            week("2026-03-16", 0, 0, 0, 0),
        ],
        by_case_manager: vec![
            group("(none)", [3, 0, 3], none, none),
            group("dana", [3, 1, 1], p(3, 180, 600, 600), p(1, 990, 990, 990)),
            group("lee", [2, 0, 0], p(2, 45, 300, 300), p(2, 1200, 1500, 1500)),
        ],
        by_agency: vec![
            group(
                "metro-pd",
                [5, 1, 3],
                p(3, 120, 600, 600),
                p(2, 990, 1500, 1500),
            ),
            group(
                "sheriff",
                [3, 0, 1],
                p(2, 180, 300, 300),
                p(1, 1200, 1200, 1200),
            ),
        ],
        officers_reached: 3,
        demand: vec![
            cell(0, 0, 0, 1),
            cell(10, 0, 1, 0),
            cell(35, 0, 1, 0),
            cell(60, 1, 0, 0),
            cell(85, 1, 0, 0),
            cell(110, 1, 0, 0),
            cell(145, 1, 0, 0),
            cell(147, 1, 0, 0),
        ],
    };
    assert_eq!(board(&three_weeks()), expected);
}

#[test]
fn the_filters_pick_by_agency_case_manager_site_and_kind() {
    let sheriff = board(&BoardFilter {
        agency: Some(AgencyId::parse("sheriff").unwrap()),
        ..three_weeks()
    });
    assert_eq!((sheriff.requests, sheriff.officers_reached), (3, 1));
    assert_eq!(sheriff.by_agency.len(), 1);

    let dana = board(&BoardFilter {
        case_manager: Some(person("dana")),
        ..three_weeks()
    });
    assert_eq!(dana.requests, 3);
    assert_eq!(dana.lost.expired, 1);
    let keys: Vec<&str> = dana
        .by_case_manager
        .iter()
        .map(|g| g.key.as_str())
        .collect();
    assert_eq!(keys, ["dana"]);
    assert_eq!(dana.time_to_accept, p(3, 180, 600, 600));

    let elsewhere = board(&BoardFilter {
        site: Some(SiteId::parse("lakeside").unwrap()),
        ..three_weeks()
    });
    assert_eq!(elsewhere.requests, 0);
    assert_eq!(elsewhere.weeks.len(), 3, "empty weeks are still listed");
    assert!(elsewhere.by_agency.is_empty() && elsewhere.demand.is_empty());

    let referrals = board(&BoardFilter {
        kind: Some(HandoffKind::SocialContactReferral),
        ..three_weeks()
    });
    assert_eq!(referrals.requests, 0);
}

#[test]
fn the_range_includes_its_first_instant_and_excludes_its_last() {
    let first_only = board(&BoardFilter {
        from: at("2026-03-08T06:59:00Z"),
        to: at("2026-03-08T07:30:00Z"),
        ..three_weeks()
    });
    assert_eq!(first_only.requests, 1);
    assert_eq!(first_only.weeks, [week("2026-03-02", 1, 1, 0, 1)]);

    let empty = board(&BoardFilter {
        from: at("2026-03-08T07:30:00Z"),
        to: at("2026-03-08T07:30:00Z"),
        ..three_weeks()
    });
    assert_eq!(empty.requests, 0);
    assert!(empty.weeks.is_empty());
}

#[test]
fn weeks_are_listed_in_the_filters_zone_and_hand_offs_in_their_sites() {
    // From Monday 03-09 00:00 Chicago time: in New York that is 01:00, so the
    // range starts in New York's week of 03-09 and the 00:30 request (hour 0 in
    // New York) is outside it.
    let chicago = board(&BoardFilter {
        from: at("2026-03-09T05:00:00Z"),
        to: at("2026-03-16T05:00:00Z"),
        zone: Chicago,
        ..three_weeks()
    });
    assert_eq!(chicago.weeks, [week("2026-03-09", 5, 0, 3, 3)]);
}

#[test]
fn each_ending_is_lost_or_not_and_shows_in_one_column_of_the_demand_map() {
    use handoff_dispatcher::stats::HandoffMetrics;
    let rows: Vec<(u32, Option<LostKind>, Option<Coverage>)> = metrics(&fortnight())
        .iter()
        .map(|m: &HandoffMetrics| (m.id.get(), LostKind::of(m), Coverage::of(m)))
        .collect();
    assert_eq!(
        rows,
        [
            (1000, None, Some(Coverage::OutOfHours)), // after hours, still open
            (1001, None, Some(Coverage::Covered)),
            (1002, None, Some(Coverage::Covered)),
            (1003, Some(LostKind::OutOfHours), Some(Coverage::OutOfHours)),
            (1004, Some(LostKind::GivenUp), Some(Coverage::Unanswered)),
            (1005, Some(LostKind::Unstaffed), Some(Coverage::Unanswered)),
            (1006, Some(LostKind::Expired), Some(Coverage::Covered)),
            (1007, None, Some(Coverage::Covered)),
            (1008, None, Some(Coverage::Covered)),
            (1009, None, None), // in open hours and still waiting
        ]
    );
}

#[test]
fn local_weeks_and_hours_follow_new_york_over_both_changes_of_the_clock() {
    let table = [
        ("2026-03-08T06:59:00Z", "2026-03-02", 145), // Sun 01:59 EST
        ("2026-03-08T07:00:00Z", "2026-03-02", 147), // Sun 03:00 EDT
        ("2026-03-09T03:59:00Z", "2026-03-02", 167), // Sun 23:59 EDT
        ("2026-03-09T04:30:00Z", "2026-03-09", 0),   // Mon 00:30 EDT
        ("2026-11-01T05:30:00Z", "2026-10-26", 145), // Sun 01:30 EDT
        ("2026-11-01T06:30:00Z", "2026-10-26", 145), // Sun 01:30 EST, again
        ("2026-11-02T04:30:00Z", "2026-10-26", 167), // Sun 23:30 EST
        ("2026-11-02T05:00:00Z", "2026-11-02", 0),   // Mon 00:00 EST
    ];
    for (instant, monday, hour) in table {
        let log = Log::requested(1, instant, "ortiz", "metro-pd", false).events;
        let row = RollupRow::of(&metrics(&log)[0], New_York);
        assert_eq!(
            (row.week_start, row.hour_of_week),
            (date(monday), hour),
            "{instant}"
        );
    }
}

#[test]
fn the_promise_is_the_last_eta_before_the_arrival() {
    let mut log = Log::requested(1, "2026-05-04T14:00:00Z", "ortiz", "metro-pd", false);
    log.accepted("2026-05-04T14:01:00Z", "dana")
        .eta("2026-05-04T14:02:00Z", "dana", 10) // 14:12
        .eta("2026-05-04T14:10:00Z", "dana", 15) // 14:25
        .arrived("2026-05-04T14:20:00Z", "dana")
        .eta("2026-05-04T14:21:00Z", "dana", 30); // after arriving: ignored
    let m = &metrics(&log.events)[0];
    assert_eq!(m.eta_promised_at, Some(at("2026-05-04T14:25:00Z")));
    assert_eq!(m.eta_error(), secs(-300));
    let row = RollupRow::of(m, New_York);
    assert_eq!(row.eta_error_s, Some(-300));
    assert_eq!(row.accept_to_arrival_s, Some(1140));
    assert_eq!(row.request_to_close_s, None, "still open");
}

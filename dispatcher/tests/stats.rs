//! Statistics derived from the event log: each per-hand-off metric on small
//! hand-written logs with literal instants, hour of week and week across the New York
//! daylight-saving changes, nearest-rank percentiles on a literal list, and ten
//! thousand generated hand-offs whose groups must match the generator's own record of
//! what it made them do.

use std::collections::BTreeMap;

use chrono::{DateTime, Duration, NaiveDate, TimeZone, Utc};
use chrono_tz::America::{Los_Angeles, New_York};
use chrono_tz::Tz;
use handoff_dispatcher::stats::{
    self, GroupBy, GroupStats, HandoffMetrics, Outcome, Percentiles, aggregate, metrics,
    nearest_rank, summarize,
};
use handoff_dispatcher::{Actor, AgencyId, Event, EventKind, HandoffId, HandoffKind, OfficerId};
use handoff_schedules::{PersonId, SiteId};

// ---- helpers for hand-written logs -------------------------------------------------

fn at(text: &str) -> DateTime<Utc> {
    text.parse()
        .unwrap_or_else(|e| panic!("`{text}` is not an instant: {e}"))
}

fn site(id: &str) -> SiteId {
    SiteId::parse(id).unwrap_or_else(|e| panic!("site `{id}`: {e}"))
}

fn person(id: &str) -> PersonId {
    PersonId::parse(id).unwrap_or_else(|e| panic!("person `{id}`: {e}"))
}

fn officer(id: &str) -> OfficerId {
    OfficerId::parse(id).unwrap_or_else(|e| panic!("officer `{id}`: {e}"))
}

fn agency(id: &str) -> AgencyId {
    AgencyId::parse(id).unwrap_or_else(|e| panic!("agency `{id}`: {e}"))
}

fn event(id: u32, when: &str, kind: EventKind) -> Event {
    Event {
        handoff: HandoffId::new(id),
        at: at(when),
        actor: Actor::System,
        kind,
    }
}

fn requested_at_site(id: u32, when: &str, site_id: &str, after_hours: bool) -> Event {
    event(
        id,
        when,
        EventKind::Requested {
            site: site(site_id),
            kind: HandoffKind::ArrestDiversion,
            officer: officer("ortiz"),
            agency: agency("metro-pd"),
            zone: None,
            after_hours,
        },
    )
}

fn requested(id: u32, when: &str) -> Event {
    requested_at_site(id, when, "riverton", false)
}

fn offered(id: u32, when: &str, who: &str, step: usize) -> Event {
    event(
        id,
        when,
        EventKind::Offered {
            person: person(who),
            step,
            round: 0,
        },
    )
}

fn declined(id: u32, when: &str, who: &str) -> Event {
    event(
        id,
        when,
        EventKind::Declined {
            person: person(who),
            reason: None,
        },
    )
}

fn accepted(id: u32, when: &str, who: &str) -> Event {
    event(
        id,
        when,
        EventKind::Accepted {
            person: person(who),
            via: None,
        },
    )
}

fn arrived(id: u32, when: &str, who: &str) -> Event {
    event(
        id,
        when,
        EventKind::Arrived {
            person: person(who),
        },
    )
}

fn completed(id: u32, when: &str, who: &str) -> Event {
    event(
        id,
        when,
        EventKind::Completed {
            person: person(who),
        },
    )
}

fn step_started(id: u32, when: &str, step: usize) -> Event {
    event(id, when, EventKind::StepStarted { step })
}

fn step_skipped(id: u32, when: &str, step: usize) -> Event {
    event(id, when, EventKind::StepSkipped { step })
}

fn only(events: &[Event]) -> HandoffMetrics {
    let mut all = metrics(events);
    assert_eq!(all.len(), 1, "expected exactly one hand-off: {all:?}");
    all.remove(0)
}

fn secs(n: i64) -> Duration {
    Duration::seconds(n)
}

fn new_york(_: &SiteId) -> Tz {
    New_York
}

/// Riverton and Lakeside keep New York time, Bayview and Hillcrest Los Angeles time.
fn zone_of(site: &SiteId) -> Tz {
    match site.as_str() {
        "bayview" | "hillcrest" => Los_Angeles,
        _ => New_York,
    }
}

fn keys(groups: &[GroupStats]) -> Vec<&str> {
    groups.iter().map(|g| g.key.as_str()).collect()
}

fn requests_per_key(groups: &[GroupStats]) -> Vec<(&str, u64)> {
    groups
        .iter()
        .map(|g| (g.key.as_str(), g.requests))
        .collect()
}

// ---- one hand-off at a time --------------------------------------------------------

#[test]
fn a_completed_handoff_yields_every_time_and_count() {
    let log = [
        requested(1001, "2024-05-06T14:00:00Z"),
        step_started(1001, "2024-05-06T14:00:00Z", 0),
        offered(1001, "2024-05-06T14:00:05Z", "ana", 0),
        offered(1001, "2024-05-06T14:00:05Z", "ben", 0),
        declined(1001, "2024-05-06T14:01:00Z", "ben"),
        event(
            1001,
            "2024-05-06T14:05:00Z",
            EventKind::OfferTimedOut {
                person: person("ana"),
            },
        ),
        step_started(1001, "2024-05-06T14:05:00Z", 1),
        offered(1001, "2024-05-06T14:05:00Z", "cruz", 1),
        declined(1001, "2024-05-06T14:06:00Z", "cruz"),
        offered(1001, "2024-05-06T14:06:30Z", "dana", 1),
        accepted(1001, "2024-05-06T14:07:30Z", "dana"),
        event(
            1001,
            "2024-05-06T14:08:00Z",
            EventKind::LateAccept {
                person: person("cruz"),
            },
        ),
        event(
            1001,
            "2024-05-06T14:08:00Z",
            EventKind::Eta {
                person: person("dana"),
                minutes: 30,
            },
        ),
        arrived(1001, "2024-05-06T14:40:00Z", "dana"),
        completed(1001, "2024-05-06T15:30:00Z", "dana"),
    ];
    let m = only(&log);
    assert_eq!(m.id, HandoffId::new(1001));
    assert_eq!(m.site, site("riverton"));
    assert_eq!(m.officer, officer("ortiz"));
    assert_eq!(m.agency, agency("metro-pd"));
    assert_eq!(m.kind, HandoffKind::ArrestDiversion);
    assert!(!m.after_hours);
    assert_eq!(m.requested_at, at("2024-05-06T14:00:00Z"));
    assert_eq!(m.first_offer_at, Some(at("2024-05-06T14:00:05Z")));
    assert_eq!(m.time_to_first_offer(), Some(secs(5)));
    assert_eq!(
        m.accepted_by,
        Some(person("dana")),
        "a late accept never counts"
    );
    assert_eq!(m.time_to_accept(), Some(secs(7 * 60 + 30)));
    assert_eq!(m.time_to_arrival(), Some(secs(40 * 60)));
    assert_eq!(m.accept_to_arrival(), Some(secs(32 * 60 + 30)));
    assert_eq!(m.offers, 4);
    assert_eq!(m.declines, 2);
    assert_eq!(m.timed_out, 1);
    assert_eq!(m.steps_started, 2);
    assert_eq!(m.steps_skipped, 0);
    assert_eq!(m.escalations(), 1);
    assert_eq!(m.outcome, Outcome::Completed);
    assert_eq!(m.closed_at, Some(at("2024-05-06T15:30:00Z")));
}

#[test]
fn a_handoff_cancelled_after_its_accept_still_counts_as_accepted() {
    let log = [
        requested(1002, "2024-05-06T14:00:00Z"),
        step_started(1002, "2024-05-06T14:00:00Z", 0),
        offered(1002, "2024-05-06T14:00:00Z", "ana", 0),
        accepted(1002, "2024-05-06T14:02:00Z", "ana"),
        event(
            1002,
            "2024-05-06T14:10:00Z",
            EventKind::Cancelled {
                reason: Some("released".to_owned()),
            },
        ),
    ];
    let m = only(&log);
    assert_eq!(m.outcome, Outcome::Cancelled);
    assert!(m.accepted());
    assert_eq!(m.accepted_by, Some(person("ana")));
    assert_eq!(m.time_to_accept(), Some(secs(120)));
    assert_eq!(m.time_to_arrival(), None);
    assert_eq!(m.accept_to_arrival(), None);

    let groups = aggregate(&[m], GroupBy::All, &new_york);
    assert_eq!(groups.len(), 1);
    assert_eq!((groups[0].accepted, groups[0].cancelled), (1, 1));
    assert_eq!(groups[0].response.p50, Some(secs(120)));
    assert_eq!(groups[0].arrival, Percentiles::default());
}

#[test]
fn an_unstaffed_handoff_counts_skipped_steps_apart_from_started_ones() {
    let log = [
        requested(1003, "2024-05-06T14:00:00Z"),
        step_skipped(1003, "2024-05-06T14:00:00Z", 0),
        step_started(1003, "2024-05-06T14:00:00Z", 1),
        offered(1003, "2024-05-06T14:00:00Z", "ana", 1),
        event(
            1003,
            "2024-05-06T14:00:01Z",
            EventKind::OfferUndeliverable {
                person: person("ana"),
            },
        ),
        step_started(1003, "2024-05-06T14:05:00Z", 2),
        offered(1003, "2024-05-06T14:05:00Z", "ben", 2),
        declined(1003, "2024-05-06T14:06:00Z", "ben"),
        step_skipped(1003, "2024-05-06T14:06:00Z", 3),
        event(1003, "2024-05-06T14:06:00Z", EventKind::Unstaffed),
    ];
    let m = only(&log);
    assert_eq!(m.outcome, Outcome::Unstaffed);
    assert_eq!(m.closed_at, Some(at("2024-05-06T14:06:00Z")));
    assert_eq!((m.steps_started, m.steps_skipped), (2, 2));
    assert_eq!(m.escalations(), 1);
    assert_eq!((m.declines, m.undeliverable), (1, 1));
    assert!(!m.accepted());
    assert_eq!(m.time_to_accept(), None);
}

#[test]
fn an_out_of_hours_request_closes_at_once_with_no_steps() {
    let log = [
        requested_at_site(1004, "2024-05-06T04:00:00Z", "riverton", true),
        event(1004, "2024-05-06T04:00:00Z", EventKind::OutOfHours),
    ];
    let m = only(&log);
    assert_eq!(m.outcome, Outcome::OutOfHours);
    assert!(m.after_hours);
    assert_eq!((m.steps_started, m.offers), (0, 0));
    assert_eq!(m.time_to_first_offer(), None);

    let all = &aggregate(&[m], GroupBy::All, &new_york)[0];
    assert_eq!((all.requests, all.after_hours, all.out_of_hours), (1, 1, 1));
    assert_eq!(all.escalations, 0, "no step started is no escalation");
}

#[test]
fn a_handoff_without_a_closing_event_is_open() {
    let log = [
        requested(1005, "2024-05-06T14:00:00Z"),
        step_started(1005, "2024-05-06T14:00:00Z", 0),
        offered(1005, "2024-05-06T14:00:00Z", "ana", 0),
        accepted(1005, "2024-05-06T14:03:00Z", "ana"),
        arrived(1005, "2024-05-06T14:30:00Z", "ana"),
    ];
    let m = only(&log);
    assert_eq!(m.outcome, Outcome::Open);
    assert_eq!(m.closed_at, None);
    assert_eq!(m.time_to_arrival(), Some(secs(30 * 60)));
    assert_eq!(aggregate(&[m], GroupBy::All, &new_york)[0].open, 1);
}

#[test]
fn events_after_the_closing_event_change_nothing() {
    let log = [
        requested(1006, "2024-05-06T14:00:00Z"),
        step_started(1006, "2024-05-06T14:00:00Z", 0),
        offered(1006, "2024-05-06T14:00:00Z", "ana", 0),
        event(1006, "2024-05-06T14:05:00Z", EventKind::Unstaffed),
        declined(1006, "2024-05-06T14:09:00Z", "ana"),
        accepted(1006, "2024-05-06T14:10:00Z", "ana"),
        event(
            1006,
            "2024-05-06T14:11:00Z",
            EventKind::Cancelled { reason: None },
        ),
    ];
    let m = only(&log);
    assert_eq!(m.outcome, Outcome::Unstaffed);
    assert_eq!(m.closed_at, Some(at("2024-05-06T14:05:00Z")));
    assert_eq!(m.declines, 0);
    assert!(!m.accepted());
}

#[test]
fn a_dropoff_after_nobody_came_reopens_and_its_checkin_is_a_dropoff_arrival() {
    let stab = || handoff_dispatcher::CenterId::parse("stab").unwrap_or_else(|e| panic!("{e}"));
    let log = [
        requested(1007, "2024-05-06T14:00:00Z"),
        step_started(1007, "2024-05-06T14:00:00Z", 0),
        offered(1007, "2024-05-06T14:00:00Z", "ana", 0),
        event(1007, "2024-05-06T14:05:00Z", EventKind::Unstaffed),
        event(
            1007,
            "2024-05-06T14:20:00Z",
            EventKind::DroppedOff { center: stab() },
        ),
    ];
    let m = only(&log);
    assert_eq!((m.outcome, m.closed_at), (Outcome::Open, None));
    assert_eq!(m.center, Some(stab()));
    let mut log = log.to_vec();
    log.push(event(
        1007,
        "2024-05-06T14:50:00Z",
        EventKind::CheckInOverdue { center: stab() },
    ));
    log.push(event(
        1007,
        "2024-05-06T15:10:00Z",
        EventKind::CheckedIn {
            person: person("jo"),
            center: stab(),
        },
    ));
    let m = only(&log);
    assert_eq!(m.outcome, Outcome::Completed);
    assert_eq!(m.closed_at, Some(at("2024-05-06T15:10:00Z")));
    assert_eq!(m.arrival, Some(stats::Arrival::DropOff));
    assert_eq!(m.time_to_arrival(), Some(secs(70 * 60)));
    assert!(!m.accepted());
}

#[test]
fn interleaved_handoffs_are_told_apart_and_returned_by_id_without_orphans() {
    let log = [
        requested(2002, "2024-05-06T14:00:00Z"),
        event(7777, "2024-05-06T14:00:00Z", EventKind::Unstaffed),
        requested(2001, "2024-05-06T14:00:30Z"),
        accepted(2002, "2024-05-06T14:01:00Z", "ben"),
        accepted(2001, "2024-05-06T14:02:00Z", "ana"),
        declined(7777, "2024-05-06T14:03:00Z", "ana"),
        arrived(2001, "2024-05-06T14:20:00Z", "ana"),
        arrived(2002, "2024-05-06T14:25:00Z", "ben"),
    ];
    let all = metrics(&log);
    let ids: Vec<u32> = all.iter().map(|m| m.id.get()).collect();
    assert_eq!(
        ids,
        [2001, 2002],
        "hand-off 7777 has no request and is ignored"
    );
    assert_eq!(all[0].accepted_by, Some(person("ana")));
    assert_eq!(all[0].time_to_accept(), Some(secs(90)));
    assert_eq!(all[0].time_to_arrival(), Some(secs(19 * 60 + 30)));
    assert_eq!(all[1].accepted_by, Some(person("ben")));
    assert_eq!(all[1].time_to_accept(), Some(secs(60)));
    assert_eq!(all[1].accept_to_arrival(), Some(secs(24 * 60)));
    assert_eq!(stats::orphans(&log), [HandoffId::new(7777)]);
}

#[test]
fn events_out_of_slice_order_are_taken_in_time_order() {
    let log = [
        accepted(3001, "2024-05-06T14:09:00Z", "ben"),
        requested(3001, "2024-05-06T14:00:00Z"),
        accepted(3001, "2024-05-06T14:04:00Z", "ana"),
    ];
    let m = only(&log);
    assert_eq!(m.accepted_by, Some(person("ana")));
    assert_eq!(m.time_to_accept(), Some(secs(240)));
}

// ---- grouping ----------------------------------------------------------------------

#[test]
fn hour_of_week_and_week_follow_new_york_local_time_across_both_dst_changes() {
    let ny = |id, when| requested_at_site(id, when, "riverton", false);
    let log = [
        // Sunday 10 March 2024: 01:30 EST, then (clocks jump 02:00 → 03:00) 03:30 EDT.
        ny(1, "2024-03-10T06:30:00Z"),
        ny(2, "2024-03-10T07:30:00Z"),
        // Sunday 23:59 EDT is still the week of 4 March, though it is Monday in UTC.
        ny(3, "2024-03-11T03:59:00Z"),
        ny(4, "2024-03-11T04:00:00Z"),
        // Sunday 3 November 2024: 01:30 happens twice, EDT then EST, an hour apart.
        ny(5, "2024-11-03T05:30:00Z"),
        ny(6, "2024-11-03T06:30:00Z"),
        // Monday 00:00 EST is hour 5 in UTC.
        ny(7, "2024-03-04T05:00:00Z"),
        // Monday 09:30 EDT.
        ny(9, "2024-03-11T13:30:00Z"),
        // Los Angeles: Sunday 10 March 21:00 PDT.
        requested_at_site(8, "2024-03-11T04:00:00Z", "bayview", false),
    ];
    let hours = summarize(&log, GroupBy::HourOfWeek, &zone_of);
    assert_eq!(
        requests_per_key(&hours),
        [
            ("0", 2),
            ("9", 1),
            ("145", 3),
            ("147", 1),
            ("165", 1),
            ("167", 1)
        ],
        "hours sort as numbers, not text"
    );
    let weeks = summarize(&log, GroupBy::Week, &zone_of);
    assert_eq!(
        requests_per_key(&weeks),
        [("2024-03-04", 5), ("2024-03-11", 2), ("2024-10-28", 2)]
    );
    assert_eq!(stats::hour_of_week(at("2024-03-11T04:00:00Z"), New_York), 0);
    assert_eq!(
        stats::week_of(at("2024-03-11T03:59:00Z"), New_York),
        "2024-03-04"
    );
    assert_eq!(
        stats::week_of(at("2024-03-11T03:59:00Z"), Tz::UTC),
        "2024-03-11"
    );
}

#[test]
fn case_manager_groups_put_never_accepted_handoffs_under_none() {
    let log = [
        requested(1, "2024-05-06T14:00:00Z"),
        requested(2, "2024-05-06T14:00:00Z"),
        requested(3, "2024-05-06T14:00:00Z"),
        requested(4, "2024-05-06T14:00:00Z"),
        accepted(1, "2024-05-06T14:01:00Z", "ben"),
        accepted(2, "2024-05-06T14:03:00Z", "ana"),
        accepted(3, "2024-05-06T14:05:00Z", "ben"),
        event(4, "2024-05-06T14:10:00Z", EventKind::Unstaffed),
    ];
    let groups = summarize(&log, GroupBy::CaseManager, &new_york);
    assert_eq!(keys(&groups), ["(none)", "ana", "ben"]);
    assert_eq!((groups[0].requests, groups[0].accepted), (1, 0));
    assert_eq!(groups[0].unstaffed, 1);
    assert_eq!(groups[0].response.count, 0);
    assert_eq!(groups[0].response.p50, None);
    let ben = &groups[2];
    assert_eq!(ben.requests, 2);
    assert_eq!(ben.response.count, 2);
    assert_eq!(ben.response.p50, Some(secs(60)));
    assert_eq!(ben.response.p90, Some(secs(300)));
    assert_eq!(ben.response.max, Some(secs(300)));
}

#[test]
fn nearest_rank_percentiles_pick_the_ceiling_rank_of_a_literal_list() {
    let ten = [7, 3, 10, 1, 9, 2, 8, 4, 6, 5];
    let mut sorted = ten;
    sorted.sort_unstable();
    assert_eq!(nearest_rank(&sorted, 50), Some(5), "⌈0.5·10⌉ = 5th");
    assert_eq!(nearest_rank(&sorted, 90), Some(9), "⌈0.9·10⌉ = 9th");
    assert_eq!(nearest_rank(&sorted, 91), Some(10), "⌈9.1⌉ = 10th");
    assert_eq!(nearest_rank(&sorted, 100), Some(10));
    assert_eq!(nearest_rank(&sorted, 0), Some(1), "the rank is at least 1");
    assert_eq!(nearest_rank(&[15, 20, 35, 40, 50], 50), Some(35));
    assert_eq!(nearest_rank(&[15, 20, 35, 40, 50], 90), Some(50));
    assert_eq!(nearest_rank::<i32>(&[], 50), None);

    let seven: Vec<Duration> = [300, 60, 45, 600, 120, 90, 30].map(secs).to_vec();
    assert_eq!(
        Percentiles::of(&seven),
        Percentiles {
            count: 7,
            p50: Some(secs(90)),  // ⌈3.5⌉ = 4th of 30 45 60 90 120 300 600
            p90: Some(secs(600)), // ⌈6.3⌉ = 7th
            max: Some(secs(600)),
        }
    );
    assert_eq!(
        Percentiles::of(&[secs(42)]),
        Percentiles {
            count: 1,
            p50: Some(secs(42)),
            p90: Some(secs(42)),
            max: Some(secs(42)),
        }
    );
    assert_eq!(
        Percentiles::of(&[]),
        Percentiles {
            count: 0,
            p50: None,
            p90: None,
            max: None,
        }
    );
}

#[test]
fn statistics_serialize_durations_as_whole_seconds_in_flat_rows() {
    let log = [
        requested(1, "2024-05-06T14:00:00Z"),
        offered(1, "2024-05-06T14:00:00Z", "ana", 0),
        accepted(1, "2024-05-06T14:01:30.900Z", "ana"),
        arrived(1, "2024-05-06T14:30:00Z", "ana"),
    ];
    let group = serde_json::to_value(&summarize(&log, GroupBy::All, &new_york)[0])
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(group["key"], "all");
    assert_eq!(group["requests"], 1);
    assert_eq!(group["response_count"], 1);
    assert_eq!(
        group["response_p50_seconds"], 90,
        "90.9 s is 90 whole seconds"
    );
    assert_eq!(group["arrival_max_seconds"], 1800);
    let percentiles = serde_json::to_value(Percentiles::of(&[])).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(
        percentiles,
        serde_json::json!({"count": 0, "p50_seconds": null, "p90_seconds": null, "max_seconds": null})
    );
    let row = serde_json::to_value(&metrics(&log)[0]).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(row["id"], 1);
    assert_eq!(row["outcome"], "open");
    assert_eq!(row["accepted_by"], "ana");
    assert_eq!(row["time_to_accept_seconds"], 90);
    assert_eq!(row["accept_to_arrival_seconds"], 1709);
    assert_eq!(
        serde_json::to_value(GroupBy::HourOfWeek).unwrap_or_else(|e| panic!("{e}")),
        GroupBy::HourOfWeek.name()
    );
}

// ---- ten thousand generated hand-offs ----------------------------------------------

/// xorshift64*: small, seeded, the same sequence on every platform.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        let mut x = self.0;
        x ^= x >> 12;
        x ^= x << 25;
        x ^= x >> 27;
        self.0 = x;
        x.wrapping_mul(0x2545_f491_4f6c_dd1d)
    }

    /// Uniform enough in `0..n` for n far below 2^64.
    fn below(&mut self, n: u64) -> u64 {
        self.next() % n
    }

    fn chance(&mut self, percent: u64) -> bool {
        self.below(100) < percent
    }

    fn pick<T: Copy>(&mut self, items: &[T]) -> T {
        items[self.below(items.len() as u64) as usize]
    }

    fn millis(&mut self, from: i64, to: i64) -> Duration {
        Duration::milliseconds(from + self.below((to - from) as u64) as i64)
    }
}

const SITES: [(&str, Tz); 4] = [
    ("riverton", New_York),
    ("lakeside", New_York),
    ("bayview", Los_Angeles),
    ("hillcrest", Los_Angeles),
];
const AGENCIES: [&str; 3] = ["metro-pd", "county-sheriff", "state-patrol"];
const CASE_MANAGERS: [&str; 6] = ["ana", "ben", "cruz", "dana", "eli", "fay"];
const ON_CALL: [&str; 2] = ["gus", "hana"];
/// How long a step waits before the next starts.
const STEP_MS: i64 = 5 * 60 * 1000;

/// What the generator made one hand-off do, recorded as it chose it.
#[derive(Debug)]
struct Truth {
    id: u32,
    site: &'static str,
    agency: &'static str,
    officer: String,
    requested_at: DateTime<Utc>,
    /// Local to the site: Monday 00:00 = 0.
    hour_of_week: u32,
    /// The Monday of the local week.
    week: String,
    after_hours: bool,
    case_manager: Option<&'static str>,
    response: Option<Duration>,
    arrival: Option<Duration>,
    declines: u64,
    steps_started: u64,
    steps_skipped: u64,
    outcome: Outcome,
}

/// The hand-off's fate, chosen before its events are written.
#[derive(Clone, Copy, PartialEq)]
enum Fate {
    OutOfHours,
    Unstaffed,
    CancelledWaiting,
    StillOffering,
    Taken,
}

struct Generator {
    rng: Rng,
    events: Vec<Event>,
    truths: Vec<Truth>,
}

impl Generator {
    fn push(&mut self, id: u32, at: DateTime<Utc>, actor: Actor, kind: EventKind) {
        self.events.push(Event {
            handoff: HandoffId::new(id),
            at,
            actor,
            kind,
        });
    }

    fn system(&mut self, id: u32, at: DateTime<Utc>, kind: EventKind) {
        self.push(id, at, Actor::System, kind);
    }

    fn staff(&mut self, id: u32, at: DateTime<Utc>, who: &str, kind: EventKind) {
        self.push(id, at, Actor::Staff(person(who)), kind);
    }

    /// A local time in `zone` during 2024 that exists there (not in the spring gap),
    /// with its hour of week and week named by construction, not by conversion.
    fn local_instant(&mut self, zone: Tz) -> (DateTime<Utc>, u32, String) {
        let first_monday = NaiveDate::from_ymd_opt(2024, 1, 1)
            .unwrap_or_else(|| panic!("1 January 2024 is a date"));
        loop {
            let week = self.rng.below(52) as i64;
            let day = self.rng.below(7) as u32;
            let hour = self.rng.below(24) as u32;
            let monday = first_monday + Duration::days(7 * week);
            let naive = (monday + Duration::days(i64::from(day)))
                .and_hms_milli_opt(
                    hour,
                    self.rng.below(60) as u32,
                    self.rng.below(60) as u32,
                    self.rng.below(1000) as u32,
                )
                .unwrap_or_else(|| panic!("a valid time of day"));
            if let Some(local) = zone.from_local_datetime(&naive).earliest() {
                return (
                    local.with_timezone(&Utc),
                    day * 24 + hour,
                    monday.format("%Y-%m-%d").to_string(),
                );
            }
        }
    }

    /// The people a step offers to: one to three case managers, or the on-call pair.
    fn people(&mut self, after_hours: bool) -> Vec<&'static str> {
        if after_hours && self.rng.chance(70) {
            return ON_CALL.to_vec();
        }
        let start = self.rng.below(CASE_MANAGERS.len() as u64) as usize;
        let n = 1 + self.rng.below(3) as usize;
        (0..n)
            .map(|i| CASE_MANAGERS[(start + i) % CASE_MANAGERS.len()])
            .collect()
    }

    /// A person's answer before `deadline` (an offset from `from`) in a step that
    /// moves on: a decline, an undeliverable message or silence until it times out.
    /// Returns whether it was a decline.
    fn refuse(&mut self, id: u32, from: DateTime<Utc>, who: &str, deadline: i64) -> bool {
        match self.rng.below(10) {
            0..4 => {
                let when = from + self.rng.millis(0, deadline);
                let reason = self.rng.chance(30).then(|| "with a client".to_owned());
                self.staff(
                    id,
                    when,
                    who,
                    EventKind::Declined {
                        person: person(who),
                        reason,
                    },
                );
                true
            }
            4 => {
                let when = from + self.rng.millis(0, 2000.min(deadline));
                self.system(
                    id,
                    when,
                    EventKind::OfferUndeliverable {
                        person: person(who),
                    },
                );
                false
            }
            _ => {
                self.system(
                    id,
                    from + Duration::milliseconds(deadline),
                    EventKind::OfferTimedOut {
                        person: person(who),
                    },
                );
                false
            }
        }
    }

    fn handoff(&mut self, id: u32) {
        let (site_id, zone) = self.rng.pick(&SITES);
        let agency_id = self.rng.pick(&AGENCIES);
        let officer_id = format!("{agency_id}-{}", 1 + self.rng.below(4));
        let (t0, hour_of_week, week) = self.local_instant(zone);
        // Open Monday to Saturday, 07:00 to 23:00 local.
        let (day, hour) = (hour_of_week / 24, hour_of_week % 24);
        let after_hours = day == 6 || !(7..23).contains(&hour);
        let kind = if self.rng.chance(60) {
            HandoffKind::ArrestDiversion
        } else {
            HandoffKind::SocialContactReferral
        };
        self.push(
            id,
            t0,
            Actor::Officer(officer(&officer_id)),
            EventKind::Requested {
                site: site(site_id),
                kind,
                officer: officer(&officer_id),
                agency: agency(agency_id),
                zone: None,
                after_hours,
            },
        );
        let mut truth = Truth {
            id,
            site: site_id,
            agency: agency_id,
            officer: officer_id,
            requested_at: t0,
            hour_of_week,
            week,
            after_hours,
            case_manager: None,
            response: None,
            arrival: None,
            declines: 0,
            steps_started: 0,
            steps_skipped: 0,
            outcome: Outcome::Open,
        };

        let fate = match self.rng.below(100) {
            _ if after_hours && self.rng.chance(35) => Fate::OutOfHours,
            0..8 => Fate::Unstaffed,
            8..13 => Fate::CancelledWaiting,
            13..16 => Fate::StillOffering,
            _ => Fate::Taken,
        };
        if fate == Fate::OutOfHours {
            self.system(id, t0, EventKind::OutOfHours);
            truth.outcome = Outcome::OutOfHours;
            self.truths.push(truth);
            return;
        }

        let started = match self.rng.below(100) {
            0..60 => 1,
            60..88 => 2,
            _ => 3,
        };
        let mut index = 0;
        let mut step_at = t0;
        for j in 0..started {
            while truth.steps_skipped < 2 && self.rng.chance(10) {
                self.system(id, step_at, EventKind::StepSkipped { step: index });
                truth.steps_skipped += 1;
                index += 1;
            }
            self.system(id, step_at, EventKind::StepStarted { step: index });
            truth.steps_started += 1;
            let people = self.people(after_hours);
            for &who in &people {
                self.system(
                    id,
                    step_at,
                    EventKind::Offered {
                        person: person(who),
                        step: index,
                        round: 0,
                    },
                );
            }
            if j + 1 < started {
                // Everyone refuses; a second round sometimes reaches someone else.
                for &who in &people {
                    truth.declines += u64::from(self.refuse(id, step_at, who, STEP_MS));
                }
                if self.rng.chance(20) {
                    let round_at = step_at + Duration::milliseconds(STEP_MS / 2);
                    let who = self.rng.pick(&CASE_MANAGERS);
                    self.system(
                        id,
                        round_at,
                        EventKind::Offered {
                            person: person(who),
                            step: index,
                            round: 1,
                        },
                    );
                    truth.declines += u64::from(self.refuse(id, round_at, who, STEP_MS / 2));
                }
                step_at += Duration::milliseconds(STEP_MS);
                index += 1;
                continue;
            }
            // The last step started: the fate plays out.
            match fate {
                Fate::OutOfHours => {}
                Fate::Unstaffed => {
                    for &who in &people {
                        truth.declines += u64::from(self.refuse(id, step_at, who, STEP_MS));
                    }
                    let end = step_at + Duration::milliseconds(STEP_MS);
                    if self.rng.chance(30) {
                        self.system(id, end, EventKind::StepSkipped { step: index + 1 });
                        truth.steps_skipped += 1;
                    }
                    self.system(id, end, EventKind::Unstaffed);
                    truth.outcome = Outcome::Unstaffed;
                    if self.rng.chance(5) {
                        // A late "no" after the hand-off closed: not a decline.
                        let who = people[0];
                        self.staff(
                            id,
                            end + Duration::minutes(3),
                            who,
                            EventKind::Declined {
                                person: person(who),
                                reason: None,
                            },
                        );
                    }
                }
                Fate::CancelledWaiting => {
                    let cancel = self.rng.millis(1000, STEP_MS);
                    for &who in &people {
                        if self.rng.chance(40) {
                            let when = step_at + self.rng.millis(0, cancel.num_milliseconds());
                            self.staff(
                                id,
                                when,
                                who,
                                EventKind::Declined {
                                    person: person(who),
                                    reason: None,
                                },
                            );
                            truth.declines += 1;
                        }
                    }
                    self.push(
                        id,
                        step_at + cancel,
                        Actor::Officer(officer(&truth.officer)),
                        EventKind::Cancelled {
                            reason: Some("person left".to_owned()),
                        },
                    );
                    truth.outcome = Outcome::Cancelled;
                }
                Fate::StillOffering => {
                    for &who in &people {
                        if self.rng.chance(40) {
                            let when = step_at + self.rng.millis(0, STEP_MS);
                            self.staff(
                                id,
                                when,
                                who,
                                EventKind::Declined {
                                    person: person(who),
                                    reason: None,
                                },
                            );
                            truth.declines += 1;
                        }
                    }
                }
                Fate::Taken => self.taken(&mut truth, step_at, &people, kind),
            }
        }
        self.truths.push(truth);
    }

    /// Someone of the last step accepts, then arrives and completes, or not.
    fn taken(
        &mut self,
        truth: &mut Truth,
        step_at: DateTime<Utc>,
        people: &[&'static str],
        kind: HandoffKind,
    ) {
        let id = truth.id;
        let taker = people[people.len() - 1];
        let response = self.rng.millis(1000, STEP_MS);
        let accept_at = step_at + response;
        for &who in &people[..people.len() - 1] {
            if self.rng.chance(40) {
                let when = step_at + self.rng.millis(0, response.num_milliseconds());
                self.staff(
                    id,
                    when,
                    who,
                    EventKind::Declined {
                        person: person(who),
                        reason: None,
                    },
                );
                truth.declines += 1;
            }
        }
        self.staff(
            id,
            accept_at,
            taker,
            EventKind::Accepted {
                person: person(taker),
                via: channel_of(taker),
            },
        );
        truth.case_manager = Some(taker);
        truth.response = Some(accept_at - truth.requested_at);
        if people.len() > 1 && self.rng.chance(15) {
            let late = people[0];
            let when = accept_at + self.rng.millis(1, 60_000);
            self.staff(
                id,
                when,
                late,
                EventKind::LateAccept {
                    person: person(late),
                },
            );
        }
        self.staff(
            id,
            accept_at + Duration::seconds(20),
            taker,
            EventKind::Eta {
                person: person(taker),
                minutes: 25,
            },
        );
        let arrive_at = accept_at + self.rng.millis(5 * 60_000, 90 * 60_000);
        let arrive = |g: &mut Generator, truth: &mut Truth| {
            g.staff(
                id,
                arrive_at,
                taker,
                EventKind::Arrived {
                    person: person(taker),
                },
            );
            truth.arrival = Some(arrive_at - truth.requested_at);
        };
        if self.rng.chance(30) {
            let chars = self.rng.below(200) as usize;
            self.staff(
                id,
                accept_at + Duration::minutes(2),
                taker,
                EventKind::Relayed { chars },
            );
        }
        let closed_at = match self.rng.below(92) {
            0..70 => {
                arrive(self, truth);
                let done = arrive_at + self.rng.millis(10 * 60_000, 120 * 60_000);
                if kind == HandoffKind::ArrestDiversion {
                    self.system(id, done - Duration::minutes(1), EventKind::IntakeCompleted);
                }
                self.staff(
                    id,
                    done,
                    taker,
                    EventKind::Completed {
                        person: person(taker),
                    },
                );
                truth.outcome = Outcome::Completed;
                Some(done)
            }
            70..78 => {
                let expired = accept_at + Duration::hours(2);
                self.system(
                    id,
                    expired,
                    EventKind::Expired {
                        person: person(taker),
                    },
                );
                truth.outcome = Outcome::Expired;
                Some(expired)
            }
            78..86 => {
                let cancel = if self.rng.chance(50) {
                    arrive(self, truth);
                    arrive_at + Duration::minutes(15)
                } else {
                    accept_at + self.rng.millis(1000, 60 * 60_000)
                };
                self.staff(id, cancel, taker, EventKind::Cancelled { reason: None });
                truth.outcome = Outcome::Cancelled;
                Some(cancel)
            }
            _ => {
                if self.rng.chance(50) {
                    arrive(self, truth);
                }
                None
            }
        };
        if let Some(closed_at) = closed_at
            && people.len() > 1
            && self.rng.chance(5)
        {
            // An accept that came after the hand-off closed.
            let late = people[0];
            self.staff(
                id,
                closed_at + Duration::minutes(1),
                late,
                EventKind::LateAccept {
                    person: person(late),
                },
            );
        }
    }
}

/// `n` hand-offs numbered from 1001, plus events of a few hand-offs never requested
/// (which the statistics must ignore), interleaved and sorted by time.
fn generate(seed: u64, n: u32) -> (Vec<Event>, Vec<Truth>) {
    let mut g = Generator {
        rng: Rng(seed),
        events: Vec::new(),
        truths: Vec::new(),
    };
    for id in 1001..1001 + n {
        g.handoff(id);
    }
    for orphan in 0..20 {
        let when = g.events[orphan * 97].at;
        let kind = if orphan % 2 == 0 {
            EventKind::Unstaffed
        } else {
            EventKind::Accepted {
                person: person("ana"),
                via: None,
            }
        };
        g.system(900_000 + orphan as u32, when, kind);
    }
    g.events.sort_by_key(|e| e.at);
    (g.events, g.truths)
}

/// The group key of a generated hand-off, from what the generator chose.
fn truth_key(truth: &Truth, by: GroupBy) -> String {
    match by {
        GroupBy::CaseManager => truth.case_manager.unwrap_or("(none)").to_owned(),
        GroupBy::Agency => truth.agency.to_owned(),
        GroupBy::Officer => truth.officer.clone(),
        GroupBy::Site => truth.site.to_owned(),
        GroupBy::HourOfWeek => truth.hour_of_week.to_string(),
        GroupBy::Week => truth.week.clone(),
        GroupBy::Channel => truth
            .case_manager
            .and_then(channel_of)
            .map_or_else(|| "(none)".to_owned(), |c| c.name().to_owned()),
        GroupBy::All => "all".to_owned(),
    }
}

/// The channel a generated case manager answers by: some by Matrix, some by SMS,
/// and one whose accepts predate the recording of channels.
fn channel_of(person: &str) -> Option<handoff_dispatcher::Channel> {
    match person.len() % 3 {
        0 => Some(handoff_dispatcher::Channel::Matrix),
        1 => Some(handoff_dispatcher::Channel::Sms),
        _ => None,
    }
}

/// Percentiles by counting: the smallest value with at least q % of the values at or
/// below it.
fn percentiles_by_counting(values: &[Duration]) -> Percentiles {
    let mut sorted = values.to_vec();
    sorted.sort();
    let n = sorted.len();
    let at_least = |q: usize| (0..n).find(|i| (i + 1) * 100 >= q * n).map(|i| sorted[i]);
    Percentiles {
        count: n as u64,
        p50: at_least(50),
        p90: at_least(90),
        max: sorted.iter().max().copied(),
    }
}

/// The groups recomputed from the generator's record, straightforwardly.
fn expected_groups(truths: &[Truth], by: GroupBy) -> Vec<GroupStats> {
    let mut groups: BTreeMap<String, Vec<&Truth>> = BTreeMap::new();
    for truth in truths {
        groups.entry(truth_key(truth, by)).or_default().push(truth);
    }
    let mut expected: Vec<GroupStats> = groups
        .into_iter()
        .map(|(key, members)| {
            let outcome = |o: Outcome| members.iter().filter(|t| t.outcome == o).count() as u64;
            let responses: Vec<Duration> = members.iter().filter_map(|t| t.response).collect();
            let arrivals: Vec<Duration> = members.iter().filter_map(|t| t.arrival).collect();
            GroupStats {
                key,
                requests: members.len() as u64,
                after_hours: members.iter().filter(|t| t.after_hours).count() as u64,
                accepted: responses.len() as u64,
                completed: outcome(Outcome::Completed),
                cancelled: outcome(Outcome::Cancelled),
                unstaffed: outcome(Outcome::Unstaffed),
                out_of_hours: outcome(Outcome::OutOfHours),
                expired: outcome(Outcome::Expired),
                open: outcome(Outcome::Open),
                declines: members.iter().map(|t| t.declines).sum(),
                escalations: members
                    .iter()
                    .map(|t| t.steps_started.saturating_sub(1))
                    .sum(),
                // The generator's case managers arrive in the field; nobody
                // drops anyone off.
                field_meets: arrivals.len() as u64,
                response: percentiles_by_counting(&responses),
                arrival: percentiles_by_counting(&arrivals),
                ..GroupStats::default()
            }
        })
        .collect();
    if by == GroupBy::HourOfWeek {
        expected.sort_by_key(|g| {
            g.key
                .parse::<u32>()
                .unwrap_or_else(|e| panic!("hour `{}`: {e}", g.key))
        });
    }
    expected
}

#[test]
fn aggregates_of_ten_thousand_generated_handoffs_match_the_generators_own_record() {
    let (events, truths) = generate(0x5eed_cafe_f00d_0001, 10_000);
    assert_eq!(truths.len(), 10_000);

    // The log has the variety it claims.
    let count = |o: Outcome| truths.iter().filter(|t| t.outcome == o).count();
    for outcome in [
        Outcome::Open,
        Outcome::Completed,
        Outcome::Cancelled,
        Outcome::Unstaffed,
        Outcome::OutOfHours,
        Outcome::Expired,
    ] {
        assert!(count(outcome) >= 100, "{outcome:?}: {}", count(outcome));
    }
    assert!(truths.iter().any(|t| t.steps_skipped > 0));
    assert!(truths.iter().any(|t| t.steps_started == 3));
    assert!(
        truths
            .iter()
            .any(|t| t.outcome == Outcome::Cancelled && t.response.is_some())
    );
    assert!(
        truths
            .iter()
            .any(|t| t.outcome == Outcome::Cancelled && t.response.is_none())
    );
    assert!(
        events.windows(2).all(|w| w[0].at <= w[1].at),
        "the log is in time order"
    );
    assert!(
        events[..1000]
            .windows(2)
            .filter(|w| w[0].handoff != w[1].handoff)
            .count()
            > 100,
        "hand-offs are interleaved"
    );

    // Hand-off by hand-off.
    let all = metrics(&events);
    assert_eq!(all.len(), truths.len(), "orphans are ignored");
    assert_eq!(stats::orphans(&events).len(), 20);
    for (m, t) in all.iter().zip(&truths) {
        assert_eq!(m.id.get(), t.id);
        let context = format!("hand-off {}: {m:?}\nvs {t:?}", t.id);
        assert_eq!(m.site.as_str(), t.site, "{context}");
        assert_eq!(m.after_hours, t.after_hours, "{context}");
        assert_eq!(m.outcome, t.outcome, "{context}");
        assert_eq!(
            m.accepted_by.as_ref().map(PersonId::as_str),
            t.case_manager,
            "{context}"
        );
        assert_eq!(m.time_to_accept(), t.response, "{context}");
        assert_eq!(m.time_to_arrival(), t.arrival, "{context}");
        assert_eq!(u64::from(m.declines), t.declines, "{context}");
        assert_eq!(u64::from(m.steps_started), t.steps_started, "{context}");
        assert_eq!(u64::from(m.steps_skipped), t.steps_skipped, "{context}");
    }

    // Every grouping.
    for by in GroupBy::ALL {
        let actual = aggregate(&all, by, &zone_of);
        let expected = expected_groups(&truths, by);
        assert_eq!(keys(&actual), keys(&expected), "{by:?}: keys");
        for (a, e) in actual.iter().zip(&expected) {
            assert_eq!(a, e, "{by:?}: group `{}`", e.key);
        }
        assert_eq!(
            actual.iter().map(|g| g.requests).sum::<u64>(),
            10_000,
            "{by:?}: every hand-off in exactly one group"
        );
    }
    assert_eq!(aggregate(&all, GroupBy::HourOfWeek, &zone_of).len(), 168);
    assert_eq!(summarize(&events, GroupBy::Site, &zone_of).len(), 4);
}

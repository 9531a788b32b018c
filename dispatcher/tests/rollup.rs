//! The dashboard's rollup on real databases (SQLite files, and PostgreSQL when
//! `DATABASE_URL` names a server): hand-offs committed through the real engine
//! with a mock clock, every ending among them, over New York's fall-back; then the
//! board the store queries from its rollup must equal the board added up in memory
//! from the event log (`stats::metrics`, `stats::board_of`), and agree with
//! `stats::aggregate`: one rule, two paths; so must the summary the store counts
//! from its rollup (`handoff report summary`), for every grouping and selection.
//! Refreshes are incremental (only what
//! changed is read again, an unchanged log reads nothing), a hand-off closed after
//! it was first rolled up is picked up, and refreshes racing each other in small
//! batches end where one alone would.

// A whole file of tests: a panic here is a failed test, shared steps included.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::path::Path;
use std::sync::Arc;

use chrono::{DateTime, Duration, Utc};
use chrono_tz::America::{Los_Angeles, New_York};
use chrono_tz::Tz;
use handoff_dispatcher::decide::Input;
use handoff_dispatcher::outcome::NotDivertedCode;
use handoff_dispatcher::stats::{
    Board, BoardFilter, GroupBy, HandoffMetrics, Outcome, Percentiles, Selection, aggregate,
    board_of, metrics,
};
use handoff_dispatcher::store::{Records, RefreshReport};
use handoff_dispatcher::{
    Actor, AgencyId, Channel, Engine, HandoffId, HandoffKind, MockClock, OfficerId, Request, Store,
};
use handoff_schedules::{PersonId, SiteId};

mod support;
use support::every_backend;

const CONFIG: &str = r#"
[program]
name = "Rollup test program"
arrival_limit = "2h"

[[escalation_policies]]
id = "standard"
steps = [
  { who = "case_manager", strategy = "broadcast", timeout = "5m" },
  { who = "supervisor", strategy = "broadcast", timeout = "10m" },
]

[[sites]]
id = "metro"
name = "Metro"
time_zone = "America/New_York"
escalation = "standard"
hours = [{ days = "mon-fri", start = "08:00", end = "24:00" }]

[[sites.centers]]
id = "stab"
name = "Stabilization Ctr"
address = "12 Penn Ave"
hours = [{ days = "daily", start = "00:00", end = "24:00" }]
staff = ["jo"]

[[sites]]
id = "harbor"
name = "Harbor"
time_zone = "America/Los_Angeles"
escalation = "standard"
hours = [{ days = "daily", start = "00:00", end = "24:00" }]

[[agencies]]
id = "metro-pd"
name = "Metro PD"
sites = ["metro"]
officers = [
  { id = "rivera", name = "Ana Rivera", rank = "Ofc.", phone = "+1 412 555 0101" },
  { id = "chen", name = "David Chen", rank = "Sgt.", phone = "+1 412 555 0102" },
]

[[agencies]]
id = "harbor-pd"
name = "Harbor PD"
sites = ["harbor"]
officers = [
  { id = "ng", name = "Kim Ng", rank = "Ofc.", phone = "+1 412 555 0103" },
]

[[people]]
id = "dana"
name = "Dana Whitfield"
roles = ["case_manager"]
phone = "+1 412 555 0111"

[[people]]
id = "lee"
name = "Lee Ortiz"
roles = ["case_manager"]
phone = "+1 412 555 0113"

[[people]]
id = "rosa"
name = "Rosa Delgado"
roles = ["supervisor"]
phone = "+1 412 555 0116"

[[people]]
id = "jo"
name = "Jo Bauer"
roles = ["center"]
phone = "+1 412 555 0118"

[[shifts]]
person = "dana"

[[shifts]]
person = "lee"

[[shifts]]
person = "rosa"
"#;

fn at(text: &str) -> DateTime<Utc> {
    DateTime::parse_from_rfc3339(text).unwrap().to_utc()
}

fn person(id: &str) -> PersonId {
    PersonId::parse(id).unwrap()
}

fn zone_of(site: &SiteId) -> Tz {
    match site.as_str() {
        "harbor" => Los_Angeles,
        _ => New_York,
    }
}

/// An engine with a mock clock on one database.
struct Scene {
    engine: Engine,
    clock: MockClock,
}

/// How a hand-off's story goes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Story {
    /// Accepted with an ETA, reached, done.
    Completed,
    /// Accepted, a late ETA, reached, booked after all.
    NotDiverted,
    /// Cancelled by the officer before anyone accepted.
    GivenUp,
    CancelledAfterAccept,
    /// Nobody answers, the supervisor neither.
    Unstaffed,
    /// Accepted, never there.
    Expired,
    /// Accepted, given back, taken by the other, reached, done.
    GivenBack,
    /// Made while the site is closed: answered at once.
    OutOfHours,
    /// Accepted with an ETA and left running.
    Open,
    /// One case manager declines, the other accepts by Matrix, reached, done.
    DeclinedThenMatrix,
    /// Nobody answers; the supervisor takes the follow-up and does it.
    FollowedUp,
    /// Accepted, then the officer drops the person off at the center, where Jo
    /// checks them in: reached by a drop-off.
    DroppedOff,
}

impl Scene {
    async fn on(url: &str, start: &str) -> Scene {
        let config = handoff_config::load_str(Path::new("rollup-test.toml"), CONFIG, &|_| None)
            .unwrap_or_else(|e| panic!("{e}"));
        let clock = MockClock::new(at(start));
        let store = Store::connect(url).await.unwrap();
        let engine = Engine::new(store, Arc::new(clock.clone()), Arc::new(config.directory()));
        Scene { engine, clock }
    }

    fn records(&self) -> Records {
        self.engine.records()
    }

    fn after(&self, minutes: i64) {
        self.clock.advance(Duration::minutes(minutes));
    }

    async fn input(&self, id: HandoffId, input: Input) {
        self.engine
            .handle(id, input.clone())
            .await
            .unwrap_or_else(|e| panic!("{id}: {input:?}: {e}"));
    }

    async fn accept(&self, id: HandoffId, by: &str, eta: Option<u32>) {
        let input = Input::Accept {
            by: person(by),
            via: Channel::Sms,
            eta,
        };
        self.input(id, input).await;
    }

    /// Plays a story from `start`; the hand-off's number.
    async fn play(&self, story: Story, start: &str, officer: &str, kind: HandoffKind) -> HandoffId {
        self.clock.set(at(start));
        let (site, agency) = match officer {
            "ng" => ("harbor", "harbor-pd"),
            _ => ("metro", "metro-pd"),
        };
        let request = Request {
            kind,
            site: SiteId::parse(site).unwrap(),
            officer: OfficerId::parse(officer).unwrap(),
            agency: AgencyId::parse(agency).unwrap(),
            location: "5th & Main".to_owned(),
            zone: None,
            asked_for: None,
        };
        let id = self.engine.request(request).await.unwrap().handoff.id;
        let by_officer = Actor::Officer(OfficerId::parse(officer).unwrap());
        match story {
            Story::Completed => {
                self.after(2);
                self.accept(id, "dana", Some(15)).await;
                self.after(14);
                self.input(id, Input::Arrived { by: person("dana") }).await;
                self.after(40);
                self.input(id, Input::Done { by: person("dana") }).await;
            }
            Story::NotDiverted => {
                self.after(2);
                self.accept(id, "lee", None).await;
                self.after(1);
                let eta = Input::Eta {
                    by: person("lee"),
                    minutes: 10,
                };
                self.input(id, eta).await;
                self.after(13);
                self.input(id, Input::Arrived { by: person("lee") }).await;
                self.after(5);
                let close = Input::NotDiverted {
                    by: Actor::Staff(person("lee")),
                    code: NotDivertedCode::Booked,
                    note: None,
                };
                self.input(id, close).await;
            }
            Story::GivenUp => {
                self.after(3);
                let cancel = Input::Cancel {
                    by: by_officer,
                    reason: None,
                };
                self.input(id, cancel).await;
            }
            Story::CancelledAfterAccept => {
                self.after(1);
                self.accept(id, "dana", None).await;
                self.after(5);
                let cancel = Input::Cancel {
                    by: by_officer,
                    reason: None,
                };
                self.input(id, cancel).await;
            }
            Story::Unstaffed => {
                for minutes in [5, 10] {
                    self.after(minutes);
                    self.engine.fire_due().await.unwrap();
                }
            }
            Story::Expired => {
                self.after(1);
                self.accept(id, "lee", Some(20)).await;
                self.after(121);
                self.engine.fire_due().await.unwrap();
            }
            Story::GivenBack => {
                self.after(1);
                self.accept(id, "dana", None).await;
                self.after(2);
                let back = Input::GiveBack {
                    by: person("dana"),
                    reason: None,
                };
                self.input(id, back).await;
                self.after(1);
                self.accept(id, "lee", Some(10)).await;
                self.after(9);
                self.input(id, Input::Arrived { by: person("lee") }).await;
                self.after(20);
                self.input(id, Input::Done { by: person("lee") }).await;
            }
            Story::OutOfHours => {}
            Story::DeclinedThenMatrix => {
                self.after(1);
                let decline = Input::Decline {
                    by: person("lee"),
                    reason: None,
                };
                self.input(id, decline).await;
                self.after(2);
                let accept = Input::Accept {
                    by: person("dana"),
                    via: Channel::Matrix,
                    eta: Some(12),
                };
                self.input(id, accept).await;
                self.after(11);
                self.input(id, Input::Arrived { by: person("dana") }).await;
                self.after(30);
                self.input(id, Input::Done { by: person("dana") }).await;
            }
            Story::FollowedUp => {
                for minutes in [5, 10] {
                    self.after(minutes);
                    self.engine.fire_due().await.unwrap();
                }
                self.after(60);
                let take = Input::TakeFollowUp { by: person("rosa") };
                self.input(id, take).await;
                self.after(30);
                let done = Input::FollowedUp {
                    by: person("rosa"),
                    note: None,
                };
                self.input(id, done).await;
            }
            Story::Open => {
                self.after(1);
                self.accept(id, "dana", Some(30)).await;
            }
            Story::DroppedOff => {
                self.after(1);
                self.accept(id, "dana", Some(25)).await;
                self.after(3);
                let drop_off = Input::DropOff {
                    by: OfficerId::parse(officer).unwrap(),
                    center: None,
                };
                self.input(id, drop_off).await;
                self.after(20);
                self.input(id, Input::CheckIn { by: person("jo") }).await;
            }
        }
        id
    }
}

const ARREST: HandoffKind = HandoffKind::ArrestDiversion;
const REFERRAL: HandoffKind = HandoffKind::SocialContactReferral;

/// Two weeks of stories at both sites, over the fall-back of Sunday 2026-11-01,
/// ending with one left open.
async fn two_weeks(scene: &Scene) -> HandoffId {
    let stories = [
        (
            Story::Completed,
            "2026-10-26T10:00:00-04:00",
            "rivera",
            ARREST,
        ),
        (
            Story::NotDiverted,
            "2026-10-26T13:00:00-04:00",
            "chen",
            ARREST,
        ),
        (
            Story::GivenUp,
            "2026-10-26T16:00:00-04:00",
            "rivera",
            REFERRAL,
        ),
        (
            Story::CancelledAfterAccept,
            "2026-10-27T10:00:00-04:00",
            "chen",
            ARREST,
        ),
        (
            Story::Unstaffed,
            "2026-10-27T13:00:00-04:00",
            "rivera",
            ARREST,
        ),
        (
            Story::Expired,
            "2026-10-28T10:00:00-04:00",
            "chen",
            REFERRAL,
        ),
        (
            Story::GivenBack,
            "2026-10-28T16:00:00-04:00",
            "rivera",
            ARREST,
        ),
        (Story::Completed, "2026-10-28T23:30:00-07:00", "ng", ARREST),
        (
            Story::DroppedOff,
            "2026-10-29T11:00:00-04:00",
            "rivera",
            ARREST,
        ),
        (
            Story::OutOfHours,
            "2026-10-31T10:00:00-04:00",
            "rivera",
            ARREST,
        ),
        (
            Story::OutOfHours,
            "2026-11-01T01:30:00-04:00",
            "chen",
            REFERRAL,
        ),
        (
            Story::OutOfHours,
            "2026-11-01T01:30:00-05:00",
            "rivera",
            ARREST,
        ),
        (
            Story::Completed,
            "2026-11-01T01:30:00-07:00",
            "ng",
            REFERRAL,
        ),
        (
            Story::NotDiverted,
            "2026-11-01T01:30:00-08:00",
            "ng",
            ARREST,
        ),
        (
            Story::Completed,
            "2026-11-02T08:05:00-05:00",
            "chen",
            ARREST,
        ),
        (
            Story::Unstaffed,
            "2026-11-02T12:00:00-05:00",
            "ng",
            REFERRAL,
        ),
        (
            Story::GivenUp,
            "2026-11-03T09:00:00-05:00",
            "rivera",
            ARREST,
        ),
        (
            Story::Completed,
            "2026-11-03T11:00:00-05:00",
            "rivera",
            REFERRAL,
        ),
        (
            Story::DeclinedThenMatrix,
            "2026-11-03T14:00:00-05:00",
            "chen",
            ARREST,
        ),
        (
            Story::FollowedUp,
            "2026-11-03T15:00:00-08:00",
            "ng",
            REFERRAL,
        ),
        (
            Story::DroppedOff,
            "2026-11-04T08:30:00-05:00",
            "chen",
            REFERRAL,
        ),
    ];
    for (story, start, officer, kind) in stories {
        scene.play(story, start, officer, kind).await;
    }
    scene
        .play(Story::Open, "2026-11-04T10:00:00-05:00", "chen", ARREST)
        .await
}

/// Refreshes until nothing is left waiting behind another transaction (only ever
/// the case on PostgreSQL, whose horizon is shared by every database of the
/// server the tests run on).
/// How many hand-offs' rows the rollup wrote after `revision`, each once. Not
/// `RefreshReport::rows`: on PostgreSQL a transaction of another test on the same
/// server can hold the horizon back, so a hand-off's events are read over two
/// refreshes and its row written twice; the rows the table holds are what counts.
async fn rows_after(url: &str, revision: i64) -> i64 {
    let store = Store::connect(url).await.unwrap();
    let n = sqlx::query_scalar("SELECT COUNT(*) FROM handoff_stats WHERE revision > $1")
        .bind(revision)
        .fetch_one(store.pool())
        .await
        .unwrap();
    store.close().await;
    n
}

/// The rollup's latest revision, 0 when empty.
async fn latest_revision(url: &str) -> i64 {
    let store = Store::connect(url).await.unwrap();
    let n = sqlx::query_scalar("SELECT COALESCE(MAX(revision), 0) FROM handoff_stats")
        .fetch_one(store.pool())
        .await
        .unwrap();
    store.close().await;
    n
}

async fn refresh(records: &Records) -> RefreshReport {
    let mut total = RefreshReport::default();
    for _ in 0..200 {
        let report = records.refresh_stats(&zone_of).await.unwrap();
        total.batches += report.batches;
        total.events += report.events;
        total.rows += report.rows;
        total.skipped += report.skipped;
        if report.waiting == 0 {
            return total;
        }
        tokio::time::sleep(std::time::Duration::from_millis(20)).await;
    }
    panic!("events still waiting after 200 refreshes");
}

fn filter(from: &str, to: &str) -> BoardFilter {
    BoardFilter {
        from: at(from),
        to: at(to),
        site: None,
        agency: None,
        case_manager: None,
        kind: None,
        arrival_target: Duration::minutes(15),
        zone: New_York,
    }
}

fn whole() -> BoardFilter {
    filter("2026-10-01T00:00:00Z", "2026-12-01T00:00:00Z")
}

/// The filters every comparison runs: the whole time, each filter alone, a
/// narrow range and the week of the fall-back in Los Angeles time.
fn filters() -> Vec<BoardFilter> {
    vec![
        whole(),
        BoardFilter {
            site: Some(SiteId::parse("harbor").unwrap()),
            ..whole()
        },
        BoardFilter {
            agency: Some(AgencyId::parse("metro-pd").unwrap()),
            ..whole()
        },
        BoardFilter {
            case_manager: Some(person("dana")),
            ..whole()
        },
        BoardFilter {
            kind: Some(REFERRAL),
            arrival_target: Duration::minutes(10),
            ..whole()
        },
        filter("2026-10-27T14:00:00-04:00", "2026-10-31T00:00:00-04:00"),
        BoardFilter {
            zone: Los_Angeles,
            ..filter("2026-10-26T00:00:00-07:00", "2026-11-02T00:00:00-08:00")
        },
    ]
}

/// The rollup's board against the board of the whole log in memory, filter by
/// filter, both as `records` holds it (read on since its last board) and as a
/// store opened afresh reads it, three rows at a time; the metrics of the log.
async fn assert_both_paths_agree(records: &Records, url: &str) -> Vec<HandoffMetrics> {
    let all = metrics(&records.events(None, None).await.unwrap());
    let fresh = Records::open_existing(url).await.unwrap();
    assert_eq!(fresh.catch_up_board(3).await.unwrap(), all.len());
    for filter in filters() {
        let in_memory = board_of(&all, &filter, &zone_of);
        assert_eq!(
            records.board(&filter).await.unwrap(),
            in_memory,
            "{filter:?}"
        );
        assert_eq!(fresh.board(&filter).await.unwrap(), in_memory, "{filter:?}");
    }
    fresh.close().await;
    all
}

fn seconds(p: &Percentiles) -> (u64, Option<i64>, Option<i64>, Option<i64>) {
    let s = |d: Option<Duration>| d.map(|d| d.num_seconds());
    (p.count, s(p.p50), s(p.p90), s(p.max))
}

/// The board of the whole time against `stats::aggregate`, which counts and
/// groups by code of its own.
fn assert_agrees_with_aggregate(board: &Board, all: &[HandoffMetrics]) {
    let total = &aggregate(all, GroupBy::All, &zone_of)[0];
    assert_eq!(
        (board.requests, board.open, board.completed, board.cancelled),
        (total.requests, total.open, total.completed, total.cancelled)
    );
    assert_eq!(
        (
            board.not_diverted,
            &board.not_diverted_by_code,
            board.accepted
        ),
        (
            total.not_diverted,
            &total.not_diverted_by_code,
            total.accepted
        )
    );
    let lost = &board.lost;
    assert_eq!(
        (lost.unstaffed, lost.out_of_hours, lost.expired),
        (total.unstaffed, total.out_of_hours, total.expired)
    );
    assert_eq!(
        (board.field_meets, board.dropoffs),
        (total.field_meets, total.dropoffs)
    );
    assert_eq!(board.arrived, board.field_meets + board.dropoffs);
    assert_eq!(seconds(&board.time_to_accept), seconds(&total.response));
    assert_eq!(seconds(&board.time_to_arrival), seconds(&total.arrival));
    for (by, rows) in [
        (GroupBy::CaseManager, &board.by_case_manager),
        (GroupBy::Agency, &board.by_agency),
    ] {
        let groups = aggregate(all, by, &zone_of);
        let expected: Vec<_> = groups
            .iter()
            .map(|g| {
                let counts = (g.key.as_str(), g.requests, g.completed);
                (counts, seconds(&g.response), seconds(&g.arrival))
            })
            .collect();
        let queried: Vec<_> = rows
            .iter()
            .map(|r| {
                let counts = (r.key.as_str(), r.requests, r.completed);
                (
                    counts,
                    seconds(&r.time_to_accept),
                    seconds(&r.time_to_arrival),
                )
            })
            .collect();
        assert_eq!(queried, expected, "{by:?}");
    }
}

#[tokio::test]
async fn the_rollup_gives_the_board_of_the_event_log_and_keeps_up_with_it() {
    for db in every_backend().await {
        rollup_keeps_up(db.url()).await;
        db.dispose().await;
    }
}

async fn rollup_keeps_up(url: &str) {
    let scene = Scene::on(url, "2026-10-26T09:00:00-04:00").await;
    let records = scene.records();
    let open = two_weeks(&scene).await;

    let first = refresh(&records).await;
    let all = assert_both_paths_agree(&records, url).await;
    assert_eq!(rows_after(url, 0).await, all.len() as i64);
    assert_eq!(
        first.events,
        records.events(None, None).await.unwrap().len() as u64
    );
    let board = records.board(&whole()).await.unwrap();
    assert_agrees_with_aggregate(&board, &all);
    let outcomes: std::collections::BTreeSet<Outcome> = all.iter().map(|m| m.outcome).collect();
    assert_eq!(
        outcomes.len(),
        Outcome::ALL.len(),
        "every ending is there: {outcomes:?}"
    );
    assert_eq!((board.open, board.lost.given_up), (1, 2));
    assert_eq!(board.dropoffs, 2, "the two drop-offs checked in");
    assert!(board.field_meets > 0);
    assert!(board.eta.with_eta_and_arrival > 0 && board.eta.on_time > 0);
    assert!(board.eta.late.count > 0, "the ETAs held and missed both");

    assert_eq!(
        refresh(&records).await,
        RefreshReport::default(),
        "an unchanged log reads nothing"
    );

    // The open hand-off closes, and one more comes: only those two are read again.
    let before = records.events(None, None).await.unwrap().len();
    let revision = latest_revision(url).await;
    scene.after(20);
    scene
        .input(open, Input::Arrived { by: person("dana") })
        .await;
    scene.after(30);
    scene.input(open, Input::Done { by: person("dana") }).await;
    scene
        .play(
            Story::Completed,
            "2026-11-04T14:00:00-05:00",
            "rivera",
            ARREST,
        )
        .await;
    let after = records.events(None, None).await.unwrap().len();
    let second = refresh(&records).await;
    assert_eq!(rows_after(url, revision).await, 2);
    assert!(second.rows >= 2);
    assert_eq!(second.events as usize, after - before);
    let all = assert_both_paths_agree(&records, url).await;
    let board = records.board(&whole()).await.unwrap();
    assert_agrees_with_aggregate(&board, &all);
    assert_eq!(board.open, 0, "the hand-off closed after the first refresh");
    scene.engine.close().await;
}

#[tokio::test]
async fn refreshes_racing_in_small_batches_end_where_one_alone_would() {
    for db in every_backend().await {
        racing_refreshes(db.url()).await;
        db.dispose().await;
    }
}

async fn racing_refreshes(url: &str) {
    let scene = Scene::on(url, "2026-10-26T09:00:00-04:00").await;
    two_weeks(&scene).await;
    let (a, b) = (scene.records(), Records::open_existing(url).await.unwrap());
    let (x, y, z) = tokio::join!(
        a.refresh_stats_in_batches(&zone_of, 2),
        b.refresh_stats_in_batches(&zone_of, 3),
        a.refresh_stats_in_batches(&zone_of, 7),
    );
    let batches = x.unwrap().batches + y.unwrap().batches + z.unwrap().batches;
    assert!(batches > 3, "small batches: {batches}");
    refresh(&a).await;
    assert_eq!(refresh(&b).await, RefreshReport::default());
    let all = assert_both_paths_agree(&b, url).await;
    assert_eq!(b.board(&whole()).await.unwrap().requests, all.len() as u64);
    b.close().await;
    scene.engine.close().await;
}

#[tokio::test]
async fn the_summary_from_the_rollup_is_that_of_the_event_log_for_every_grouping() {
    for db in every_backend().await {
        summary_agrees(db.url()).await;
        db.dispose().await;
    }
}

/// The selections every grouping is compared under: everything, one site, a
/// few days, the day of the fall-back in each site's own zone, each end alone,
/// and a range nothing was requested in.
fn selections() -> Vec<Selection> {
    let day = |text: &str| text.parse::<chrono::NaiveDate>().unwrap();
    vec![
        Selection::default(),
        Selection {
            site: Some(SiteId::parse("harbor").unwrap()),
            ..Selection::default()
        },
        Selection {
            from: Some(day("2026-10-27")),
            to: Some(day("2026-10-31")),
            ..Selection::default()
        },
        Selection {
            site: Some(SiteId::parse("metro").unwrap()),
            from: Some(day("2026-11-01")),
            to: Some(day("2026-11-01")),
        },
        Selection {
            from: Some(day("2026-11-01")),
            to: Some(day("2026-11-01")),
            ..Selection::default()
        },
        Selection {
            from: Some(day("2026-11-02")),
            ..Selection::default()
        },
        Selection {
            to: Some(day("2026-10-28")),
            ..Selection::default()
        },
        Selection {
            from: Some(day("2027-01-01")),
            ..Selection::default()
        },
    ]
}

async fn summary_agrees(url: &str) {
    let scene = Scene::on(url, "2026-10-26T09:00:00-04:00").await;
    let records = scene.records();
    two_weeks(&scene).await;
    refresh(&records).await;
    let all = metrics(&records.events(None, None).await.unwrap());
    assert!(all.iter().any(|m| m.declines > 0), "a decline");
    assert!(all.iter().any(|m| m.escalations() > 0), "an escalation");
    assert!(
        all.iter().any(|m| m.followed_up_at.is_some()),
        "a follow-up done"
    );
    assert!(
        all.iter().any(|m| m.accepted_via == Some(Channel::Matrix)),
        "an accept by Matrix"
    );
    assert!(all.iter().any(|m| m.not_diverted.is_some()), "a code");
    let mut compared = 0;
    for selection in selections() {
        let picked: Vec<HandoffMetrics> = all
            .iter()
            .filter(|m| selection.admits(m, zone_of(&m.site)))
            .cloned()
            .collect();
        for by in GroupBy::ALL {
            let expected = aggregate(&picked, by, &zone_of);
            let counted = records.summary(&selection, by).await.unwrap();
            // As the report prints them: durations in whole seconds.
            assert_eq!(
                serde_json::to_value(&counted).unwrap(),
                serde_json::to_value(&expected).unwrap(),
                "{selection:?}, by {by:?}"
            );
            compared += expected.len();
        }
    }
    assert!(compared > 100, "{compared} groups compared");
    scene.engine.close().await;
}

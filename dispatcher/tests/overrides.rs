//! Schedule overrides kept in the database, on a fresh SQLite file and, when
//! `DATABASE_URL` names a PostgreSQL server, on PostgreSQL too: they keep who added
//! and who removed them, every change moves the revision, and two engines sharing a
//! database (two instances) route by each other's changes from their next decision.

// A whole file of tests: a panic here is a failed test, shared steps included.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::path::Path;
use std::sync::Arc;

use chrono::{DateTime, NaiveDate, Utc};
use handoff_dispatcher::overrides::{Inapplicable, inapplicable};
use handoff_dispatcher::{
    AgencyId, Clock, Engine, HandoffId, HandoffKind, Message, MockClock, OfficerId, Recipient,
    Request, Store,
};
use handoff_schedules::{Moment, OverrideKind, OverrideSpec, PersonId, Role, SiteId};

mod support;
use support::{every_backend, on_every_backend};

/// One site open around the clock on weekdays, two case managers on duty whenever
/// it is open.
const CONFIG: &str = r#"
[program]
name = "Overrides test program"

[[escalation_policies]]
id = "standard"
steps = [{ who = "case_manager", strategy = "broadcast", timeout = "5m" }]

[[sites]]
id = "metro"
name = "Metro"
time_zone = "America/New_York"
escalation = "standard"
hours = [{ days = "mon-fri", start = "00:00", end = "24:00" }]

[[agencies]]
id = "metro-pd"
name = "Metro PD"
sites = ["metro"]
officers = [{ id = "rivera", name = "Ana Rivera", rank = "Ofc.", phone = "+1 412 555 0101" }]

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

[[shifts]]
person = "dana"

[[shifts]]
person = "lee"
"#;

fn at(text: &str) -> DateTime<Utc> {
    DateTime::parse_from_rfc3339(text).unwrap().to_utc()
}

fn person(id: &str) -> PersonId {
    PersonId::parse(id).unwrap()
}

fn local(day: u32, hour: u32) -> Moment {
    Moment::Local(
        NaiveDate::from_ymd_opt(2026, 11, day)
            .and_then(|d| d.and_hms_opt(hour, 0, 0))
            .unwrap(),
    )
}

/// `who` off duty from Monday 2026-11-23 08:00 to Friday 17:00, site time.
fn off(who: &str) -> OverrideSpec {
    OverrideSpec {
        kind: OverrideKind::Remove {
            person: person(who),
        },
        sites: None,
        from: local(23, 8),
        to: local(27, 17),
        note: "on leave".to_owned(),
    }
}

async fn engine_at(url: &str, clock: &MockClock) -> Engine {
    let config = handoff_config::load_str(Path::new("overrides-test.toml"), CONFIG, &|_| None)
        .unwrap_or_else(|e| panic!("{e}"));
    let store = Store::connect(url).await.unwrap();
    Engine::new(store, Arc::new(clock.clone()), Arc::new(config.directory()))
}

fn request() -> Request {
    Request {
        kind: HandoffKind::ArrestDiversion,
        site: SiteId::parse("metro").unwrap(),
        officer: OfficerId::parse("rivera").unwrap(),
        agency: AgencyId::parse("metro-pd").unwrap(),
        location: "5th & Main".to_owned(),
        zone: None,
        asked_for: None,
    }
}

/// Who the engine offered hand-off `id` to, by person id.
async fn offered(engine: &Engine, id: HandoffId) -> Vec<String> {
    let mut people: Vec<String> = engine
        .records()
        .outbox_all()
        .await
        .unwrap()
        .into_iter()
        .filter(|item| matches!(item.message, Message::Offer { id: offer, .. } if offer == id))
        .filter_map(|item| match item.recipient {
            Recipient::Staff(person) => Some(person.to_string()),
            _ => None,
        })
        .collect();
    people.sort();
    people
}

#[tokio::test]
async fn stored_overrides_keep_who_added_and_who_removed_them() {
    on_every_backend(async |_, store: Store| {
        assert_eq!(store.overrides_revision().await.unwrap(), 0);
        let added = OverrideSpec {
            kind: OverrideKind::Add {
                person: person("lee"),
                role: Role::Coordinator,
            },
            sites: Some(vec![SiteId::parse("metro").unwrap()]),
            from: Moment::Exact(at("2026-11-28T13:00:00Z")),
            to: local(30, 8),
            note: String::new(),
        };
        let first = store
            .add_override(&off("dana"), "ada", at("2026-11-20T10:00:00Z"))
            .await
            .unwrap();
        let second = store
            .add_override(&added, "bo", at("2026-11-20T11:00:00Z"))
            .await
            .unwrap();
        assert!(second > first);
        assert_eq!(store.overrides_revision().await.unwrap(), 2);

        let kept = store.overrides(false).await.unwrap();
        assert_eq!(kept.len(), 2);
        assert_eq!((kept[0].id, &kept[0].spec), (first, &off("dana")));
        assert_eq!(kept[0].added_by, "ada");
        assert_eq!(kept[0].added_at, at("2026-11-20T10:00:00Z"));
        assert_eq!((kept[1].id, &kept[1].spec), (second, &added));
        assert!(kept.iter().all(|o| o.removed.is_none()));

        assert!(
            store
                .remove_override(first, "bo", at("2026-11-21T09:00:00Z"))
                .await
                .unwrap()
        );
        assert_eq!(store.overrides_revision().await.unwrap(), 3);
        assert!(
            !store
                .remove_override(first, "ada", at("2026-11-21T09:30:00Z"))
                .await
                .unwrap(),
            "an override is removed once"
        );
        assert!(
            !store
                .remove_override(9999, "ada", at("2026-11-21T09:30:00Z"))
                .await
                .unwrap()
        );
        assert_eq!(
            store.overrides_revision().await.unwrap(),
            3,
            "nothing changed"
        );

        let in_force = store.overrides(false).await.unwrap();
        assert_eq!(in_force.iter().map(|o| o.id).collect::<Vec<_>>(), [second]);
        let all = store.overrides(true).await.unwrap();
        let removal = all[0].removed.as_ref().expect("the removal is kept");
        assert_eq!(
            (removal.by.as_str(), removal.at),
            ("bo", at("2026-11-21T09:00:00Z"))
        );
    })
    .await;
}

#[tokio::test]
async fn an_override_added_through_one_instance_routes_the_next_request_of_another() {
    for db in every_backend().await {
        let clock = MockClock::new(at("2026-11-24T10:00:00-05:00"));
        let a = engine_at(db.url(), &clock).await;
        let b = engine_at(db.url(), &clock).await;

        let first = b.request(request()).await.unwrap().handoff.id;
        assert_eq!(offered(&b, first).await, ["dana", "lee"]);

        let id = a.add_override(&off("lee"), "ada").await.unwrap();
        let second = b.request(request()).await.unwrap().handoff.id;
        assert_eq!(
            offered(&b, second).await,
            ["dana"],
            "b's next decision sees a's override"
        );
        let on_duty = b.directory().sites[&SiteId::parse("metro").unwrap()]
            .schedule
            .on_duty(clock.now());
        assert_eq!(on_duty, [(person("dana"), Role::CaseManager)]);

        assert!(a.remove_override(id, "ada").await.unwrap());
        let third = b.request(request()).await.unwrap().handoff.id;
        assert_eq!(offered(&b, third).await, ["dana", "lee"], "and its removal");

        a.close().await;
        b.close().await;
        db.dispose().await;
    }
}

#[tokio::test]
async fn an_override_naming_someone_the_configuration_no_longer_has_is_not_applied() {
    let db = support::sqlite_db();
    let clock = MockClock::new(at("2026-11-24T10:00:00-05:00"));
    let engine = engine_at(db.url(), &clock).await;
    let ghost = OverrideSpec {
        kind: OverrideKind::Add {
            person: person("ghost"),
            role: Role::CaseManager,
        },
        ..off("dana")
    };
    let promoted = OverrideSpec {
        kind: OverrideKind::Add {
            person: person("lee"),
            role: Role::Supervisor,
        },
        ..off("dana")
    };
    engine.add_override(&ghost, "ada").await.unwrap();
    engine.add_override(&promoted, "ada").await.unwrap();
    let directory = engine.fresh_directory().await.unwrap();
    assert_eq!(
        inapplicable(&ghost, &directory.roster),
        Some(Inapplicable::UnknownPerson(person("ghost")))
    );
    assert_eq!(
        inapplicable(&promoted, &directory.roster),
        Some(Inapplicable::LacksRole(person("lee"), Role::Supervisor))
    );
    let metro = &directory.sites[&SiteId::parse("metro").unwrap()].schedule;
    assert_eq!(
        metro.on_duty(clock.now()),
        [
            (person("dana"), Role::CaseManager),
            (person("lee"), Role::CaseManager)
        ]
    );
    let id = engine.request(request()).await.unwrap().handoff.id;
    assert_eq!(offered(&engine, id).await, ["dana", "lee"]);
    engine.close().await;
}

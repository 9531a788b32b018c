//! An agency's own system (its dispatch or mobile app, through the JSON API) acting
//! for one of its officers, through the same `Engine::receive` as a text, on
//! SQLite and (with `DATABASE_URL`) PostgreSQL: it opens a hand-off for the agency
//! that asks, the officer gets the hand-off's own messages on their channel while
//! the answers to the system come back in its receipt only, a retry names the
//! hand-off the first one opened, and the system speaks for no officer of another
//! agency.

use std::path::Path;
use std::sync::Arc;

use chrono::{DateTime, Utc};
use handoff_dispatcher::conversation::{Address, Command, Inbound, MessageId, Placement};
use handoff_dispatcher::{
    AgencyId, Engine, HandoffId, HandoffKind, Message, MockClock, OfficerId, Received, Recipient,
    State, Store,
};
use handoff_schedules::ZoneId;

mod support;
use support::on_every_backend;

const CONFIG: &str = r#"
[program]
name = "Agency systems"

[[escalation_policies]]
id = "standard"
steps = [{ who = "case_manager", strategy = "broadcast", timeout = "5m" }]

[[sites]]
id = "metro"
name = "Metro"
time_zone = "America/New_York"
escalation = "standard"
zones = ["north", "south"]
hours = [{ days = "mon-fri", start = "08:00", end = "24:00" }]

[[agencies]]
id = "metro-pd"
name = "Metro PD"
sites = ["metro"]
officers = [
  { id = "rivera", name = "Ana Rivera", rank = "Ofc.", phone = "+1 412 555 0101" },
  { id = "chen", name = "David Chen", rank = "Sgt.", phone = "+1 412 555 0102" },
]

[[agencies]]
id = "county-sheriff"
name = "County Sheriff"
sites = ["metro"]
officers = [
  { id = "johnson", name = "Tom Johnson", rank = "Dep.", phone = "+1 412 555 0103", other_agencies = ["metro-pd"] },
]

[[people]]
id = "dana"
name = "Dana Whitfield"
roles = ["case_manager"]
phone = "+1 412 555 0111"
zones = ["north"]

[[people]]
id = "lee"
name = "Lee Ortiz"
roles = ["case_manager"]
phone = "+1 412 555 0113"
zones = ["south"]

[[shifts]]
person = "dana"

[[shifts]]
person = "lee"
"#;

/// A Monday at 10:00 in New York: the site is open.
fn monday() -> DateTime<Utc> {
    DateTime::parse_from_rfc3339("2026-11-23T10:00:00-05:00")
        .unwrap_or_else(|e| panic!("{e}"))
        .to_utc()
}

fn engine(store: Store) -> Engine {
    let config = handoff_config::load_str(Path::new("agency-systems.toml"), CONFIG, &|_| None)
        .unwrap_or_else(|e| panic!("{e}"));
    Engine::new(
        store,
        Arc::new(MockClock::new(monday())),
        Arc::new(config.directory()),
    )
}

fn system(agency: &str, officer: &str) -> Address {
    Address::Agency {
        agency: AgencyId::parse(agency).unwrap_or_else(|e| panic!("{e}")),
        officer: OfficerId::parse(officer).unwrap_or_else(|e| panic!("{e}")),
    }
}

fn message(from: Address, id: &str, command: Command) -> Inbound {
    Inbound {
        from,
        id: MessageId::parse(id).unwrap_or_else(|e| panic!("{e}")),
        command,
        body: String::new(),
    }
}

fn lead(text: &str) -> Command {
    Command::Request {
        kind: HandoffKind::ArrestDiversion,
        text: text.to_owned(),
        placement: Placement::default(),
    }
}

fn officer(id: &str) -> Recipient {
    Recipient::Officer(OfficerId::parse(id).unwrap_or_else(|e| panic!("{e}")))
}

/// What the outbox holds for `to`, in order.
async fn outbox_for(engine: &Engine, to: &Recipient) -> Vec<Message> {
    engine
        .records()
        .outbox_all()
        .await
        .unwrap_or_else(|e| panic!("{e}"))
        .into_iter()
        .filter(|item| &item.recipient == to)
        .map(|item| item.message)
        .collect()
}

#[tokio::test]
async fn a_system_opens_a_handoff_the_officer_is_told_of_and_a_retry_names_it() {
    on_every_backend(async |_, store| {
        let engine = engine(store);
        let request = message(system("metro-pd", "rivera"), "api:1", lead("5th & Main"));
        let receipt = engine.receive_with_receipt(&request).await.unwrap();
        assert_eq!(receipt.received, Received::Handled);
        assert!(receipt.opened);
        assert_eq!(receipt.handoff, Some(HandoffId::new(1001)));
        assert!(
            matches!(receipt.told.as_slice(), [Message::Received { id, .. }] if id.get() == 1001),
            "{:?}",
            receipt.told
        );
        // The hand-off's receipt goes to the officer's own channel, as for a text.
        let told = outbox_for(&engine, &officer("rivera")).await;
        assert_eq!(told, receipt.told);

        let retry = engine.receive_with_receipt(&request).await.unwrap();
        assert_eq!(retry.received, Received::Duplicate);
        assert_eq!(retry.handoff, Some(HandoffId::new(1001)));
        assert!(!retry.opened && retry.told.is_empty());
        assert_eq!(engine.records().open_handoffs().await.unwrap().len(), 1);
        assert_eq!(outbox_for(&engine, &officer("rivera")).await, told);
    })
    .await;
}

#[tokio::test]
async fn the_answer_to_a_repeat_or_a_refusal_goes_to_the_system_not_the_officers_phone() {
    on_every_backend(async |_, store| {
        let engine = engine(store);
        let rivera = system("metro-pd", "rivera");
        let first = message(rivera.clone(), "api:1", lead("5th & Main"));
        engine.receive_with_receipt(&first).await.unwrap();
        let before = outbox_for(&engine, &officer("rivera")).await;

        let again = message(rivera, "api:2", lead("5th & main!"));
        let repeat = engine.receive_with_receipt(&again).await.unwrap();
        assert!(!repeat.opened);
        assert_eq!(repeat.handoff, Some(HandoffId::new(1001)));
        assert!(matches!(repeat.told.as_slice(), [Message::Status { .. }]));

        // Chen did not ask: his withdrawal is refused, to the system alone.
        let cancel = Command::Cancel {
            id: Some(HandoffId::new(1001)),
            reason: None,
        };
        let refused = engine
            .receive_with_receipt(&message(system("metro-pd", "chen"), "api:3", cancel))
            .await
            .unwrap();
        assert_eq!(refused.handoff, Some(HandoffId::new(1001)));
        assert!(matches!(refused.told.as_slice(), [Message::Problem { .. }]));
        assert!(outbox_for(&engine, &officer("chen")).await.is_empty());
        assert_eq!(outbox_for(&engine, &officer("rivera")).await, before);
    })
    .await;
}

#[tokio::test]
async fn a_system_speaks_only_for_officers_of_its_agency() {
    on_every_backend(async |_, store| {
        let engine = engine(store);
        let theirs = message(
            system("county-sheriff", "rivera"),
            "api:1",
            lead("5th & Main"),
        );
        let receipt = engine.receive_with_receipt(&theirs).await.unwrap();
        assert_eq!(receipt.handoff, None);
        assert!(receipt.told.is_empty());
        assert!(engine.records().open_handoffs().await.unwrap().is_empty());
        assert!(engine.records().outbox_all().await.unwrap().is_empty());
    })
    .await;
}

#[tokio::test]
async fn an_officer_of_two_agencies_asks_for_the_agency_whose_system_calls() {
    on_every_backend(async |_, store| {
        let engine = engine(store);
        // A text naming the other agency would go out for it; the system's own
        // agency decides, and the words stay as they were sent.
        let words = "County Sheriff, 5th & Main";
        let by_metro = message(system("metro-pd", "johnson"), "api:1", lead(words));
        let id = engine
            .receive_with_receipt(&by_metro)
            .await
            .unwrap()
            .handoff
            .unwrap();
        let handoff = engine.records().handoff(id).await.unwrap().unwrap();
        assert_eq!(handoff.request.agency.as_str(), "metro-pd");
        assert_eq!(handoff.request.location, words);
        // The same words for the sheriff are a request of its own, not a repeat.
        let by_sheriff = message(system("county-sheriff", "johnson"), "api:2", lead(words));
        let second = engine.receive_with_receipt(&by_sheriff).await.unwrap();
        assert!(second.opened);
        assert_ne!(second.handoff, Some(id));
    })
    .await;
}

#[tokio::test]
async fn a_zone_given_as_a_field_places_the_request_and_its_words_do_not() {
    on_every_backend(async |_, store| {
        let engine = engine(store);
        let south = ZoneId::parse("south").unwrap();
        let placed = Command::Request {
            kind: HandoffKind::SocialContactReferral,
            text: "North Side, Federal St".to_owned(),
            placement: Placement {
                site: None,
                zone: Some(south.clone()),
            },
        };
        let receipt = engine
            .receive_with_receipt(&message(system("metro-pd", "rivera"), "api:1", placed))
            .await
            .unwrap();
        let handoff = engine
            .records()
            .handoff(receipt.handoff.unwrap())
            .await
            .unwrap()
            .unwrap();
        assert_eq!(handoff.request.zone, Some(south));
        assert_eq!(handoff.request.kind, HandoffKind::SocialContactReferral);
        assert!(matches!(handoff.state, State::Offering { .. }));
    })
    .await;
}

//! The store when its SQLite file refuses a write for want of space: the write
//! fails whole (SQLITE_FULL, SQLite's own "database or disk is full"), and once
//! there is room again every later write succeeds, on whichever pooled connection
//! it lands.
//!
//! The space runs out for real, not by an injected error: each of the pool's
//! connections is held to the file's present size with `PRAGMA max_page_count`
//! (a per-connection setting), so a write that needs one more page fails as on a
//! full disk. SQLite then rolls the whole transaction back by itself, as it does
//! for a full disk or an I/O error at commit.

use chrono::{DateTime, Utc};
use handoff_dispatcher::{Channel, Message, NewOutbound, Recipient, Store, StoreError};
use tempfile::TempDir;

/// Sets `PRAGMA max_page_count` on every connection of the store's pool (opening
/// them all): `Some(1)` holds each to the file's present size (SQLite never sets
/// it below that), after a `VACUUM` has given back the free pages the migrations
/// left; `None` lifts the limit.
async fn limit_pages(store: &Store, pages: Option<u32>) {
    let pool = store.pool();
    if pages.is_some() {
        sqlx::query("VACUUM")
            .execute(pool)
            .await
            .unwrap_or_else(|e| panic!("VACUUM: {e}"));
    }
    let mut held = Vec::new();
    for _ in 0..pool.options().get_max_connections() {
        held.push(pool.acquire().await.unwrap_or_else(|e| panic!("{e}")));
    }
    let pragma = match pages {
        Some(1) => "PRAGMA max_page_count = 1",
        Some(other) => panic!("only the present size is used here, not {other} pages"),
        None => "PRAGMA max_page_count = 4294967294",
    };
    for conn in &mut held {
        sqlx::query(pragma)
            .fetch_all(&mut **conn)
            .await
            .unwrap_or_else(|e| panic!("{pragma}: {e}"));
    }
}

/// Twenty replies with words enough that they cannot fit in the file's free space.
fn replies(round: &str) -> Vec<NewOutbound> {
    let phone =
        handoff_dispatcher::PhoneNumber::parse("+14125550199").unwrap_or_else(|e| panic!("{e}"));
    (0..20)
        .map(|n| NewOutbound {
            key: format!("reply:{round}:{n}"),
            recipient: Recipient::Phone(phone.clone()),
            channel: Channel::Sms,
            message: Message::NotRegistered {
                contact: Some(format!("{n} {}", "the program office ".repeat(60))),
            },
        })
        .collect()
}

fn at() -> DateTime<Utc> {
    DateTime::from_timestamp(1_741_942_800, 0).unwrap_or_else(|| panic!("an instant"))
}

#[tokio::test]
async fn on_sqlite_a_write_refused_for_want_of_space_leaves_nothing_and_every_later_write_succeeds_once_there_is_room()
 {
    let dir = TempDir::new().unwrap_or_else(|e| panic!("{e}"));
    let url = format!("sqlite://{}/handoff.db", dir.path().display());
    let store = Store::connect(&url).await.unwrap_or_else(|e| panic!("{e}"));

    limit_pages(&store, Some(1)).await;
    match store.enqueue(&replies("full"), at()).await {
        Err(StoreError::Database(sqlx::Error::Database(error))) => {
            assert_eq!(error.code().as_deref(), Some("13"), "SQLITE_FULL: {error}");
        }
        other => panic!("the write went through a full file: {other:?}"),
    }
    assert!(
        store
            .outbox_all()
            .await
            .unwrap_or_else(|e| panic!("{e}"))
            .is_empty()
    );

    // Room again. Writes land on the pool's connections in turn; each, the one
    // that met the full file included, takes its write.
    limit_pages(&store, None).await;
    let connections = store.pool().options().get_max_connections();
    for round in 0..connections {
        store
            .enqueue(&replies(&format!("after{round}")), at())
            .await
            .unwrap_or_else(|e| panic!("write {round} after the space came back: {e}"));
    }
    let rows = store.outbox_all().await.unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(rows.len(), 20 * usize::try_from(connections).unwrap_or(0));
    store.close().await;
}

//! The sandbox provider's conversations in the store, on SQLite and (with
//! `DATABASE_URL`) PostgreSQL: numbering across reconnects and deletions, the bound
//! on what is read back, the change token, and retention.

use chrono::{DateTime, Duration, Utc};
use handoff_dispatcher::PhoneNumber;
use handoff_dispatcher::store::{SandboxDirection, SandboxVersion};

mod support;
use support::{every_backend, on_every_backend};

/// `minutes` after 2025-03-14 09:00 UTC.
fn t(minutes: i64) -> DateTime<Utc> {
    let base = DateTime::from_timestamp(1_741_942_800, 0).unwrap_or_else(|| panic!("base instant"));
    base + Duration::minutes(minutes)
}

fn phone(text: &str) -> PhoneNumber {
    PhoneNumber::parse(text).unwrap_or_else(|e| panic!("{text}: {e}"))
}

#[tokio::test]
async fn a_conversation_reads_back_in_order_and_only_its_own_phone() {
    on_every_backend(async |_, store| {
        let rivera = phone("+14125550101");
        let dana = phone("+14125550111");
        store
            .sandbox_record(&rivera, SandboxDirection::In, "LEAD 5th & Main", t(0))
            .await
            .unwrap();
        store
            .sandbox_record(&dana, SandboxDirection::Out, "Offer #1001", t(1))
            .await
            .unwrap();
        store
            .sandbox_record(&rivera, SandboxDirection::Out, "Got it: #1001", t(1))
            .await
            .unwrap();
        let conversation = store.sandbox_conversation(&rivera, 10).await.unwrap();
        let seen: Vec<(SandboxDirection, &str)> = conversation
            .iter()
            .map(|e| (e.direction, e.body.as_str()))
            .collect();
        assert_eq!(
            seen,
            [
                (SandboxDirection::In, "LEAD 5th & Main"),
                (SandboxDirection::Out, "Got it: #1001")
            ]
        );
        assert_eq!(conversation[0].at, t(0));
        assert!(conversation.iter().all(|e| e.phone == rivera));
    })
    .await;
}

#[tokio::test]
async fn only_the_newest_texts_up_to_the_limit_are_read_oldest_first() {
    on_every_backend(async |_, store| {
        let rivera = phone("+14125550101");
        for n in 0..7 {
            store
                .sandbox_record(&rivera, SandboxDirection::Out, &n.to_string(), t(n))
                .await
                .unwrap();
        }
        let bodies: Vec<String> = store
            .sandbox_conversation(&rivera, 3)
            .await
            .unwrap()
            .into_iter()
            .map(|e| e.body)
            .collect();
        assert_eq!(bodies, ["4", "5", "6"]);
    })
    .await;
}

#[tokio::test]
async fn numbers_are_never_given_twice_across_reconnects_and_after_deletions() {
    for db in every_backend().await {
        let rivera = phone("+14125550101");
        let store = db.connect().await;
        let first = store
            .sandbox_record(&rivera, SandboxDirection::In, "one", t(0))
            .await
            .unwrap();
        let second = store
            .sandbox_record(&rivera, SandboxDirection::In, "two", t(0))
            .await
            .unwrap();
        assert!(second > first);
        // Retention deletes the newest row too: its number must not come back.
        let done = store.forget_text(t(10), t(10)).await.unwrap();
        assert_eq!(done.sandbox, 2);
        store.close().await;

        let store = db.connect().await;
        let third = store
            .sandbox_record(&rivera, SandboxDirection::In, "three", t(20))
            .await
            .unwrap();
        assert!(third > second, "{third} after {second}");
        store.close().await;
        db.dispose().await;
    }
}

#[tokio::test]
async fn the_version_changes_when_a_text_is_recorded_or_deleted() {
    on_every_backend(async |_, store| {
        let rivera = phone("+14125550101");
        assert_eq!(
            store.sandbox_version().await.unwrap(),
            SandboxVersion::default()
        );
        store
            .sandbox_record(&rivera, SandboxDirection::In, "old", t(0))
            .await
            .unwrap();
        let newest = store
            .sandbox_record(&rivera, SandboxDirection::Out, "new", t(100))
            .await
            .unwrap();
        let before = store.sandbox_version().await.unwrap();
        assert_eq!(before, SandboxVersion { newest, count: 2 });
        store.forget_text(t(50), t(200)).await.unwrap();
        let after = store.sandbox_version().await.unwrap();
        assert_ne!(after, before);
        assert_eq!(after.count, 1);
    })
    .await;
}

#[tokio::test]
async fn retention_deletes_sandbox_texts_older_than_the_cut_off_only() {
    on_every_backend(async |_, store| {
        let rivera = phone("+14125550101");
        store
            .sandbox_record(&rivera, SandboxDirection::In, "LEAD old", t(0))
            .await
            .unwrap();
        store
            .sandbox_record(&rivera, SandboxDirection::In, "LEAD new", t(100))
            .await
            .unwrap();
        let done = store.forget_text(t(50), t(200)).await.unwrap();
        assert_eq!(done.sandbox, 1);
        let left: Vec<String> = store
            .sandbox_conversation(&rivera, 10)
            .await
            .unwrap()
            .into_iter()
            .map(|e| e.body)
            .collect();
        assert_eq!(left, ["LEAD new"]);
    })
    .await;
}

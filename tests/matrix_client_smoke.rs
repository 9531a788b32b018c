//! The journeys' Matrix client against a real homeserver, before any bot: two
//! users talk in an end-to-end-encrypted direct room, with a reaction and an edit,
//! and each decrypts what the other sent. Needs a homeserver: run it through
//! `scripts/test` or `scripts/with-synapse cargo test -p handoff-tests --test
//! matrix_client_smoke`. Each step's time is printed (`--nocapture` shows it).

// Spawning matrix-sdk's sync future needs a deeper trait-resolution limit (E0275).
#![recursion_limit = "256"]

#[path = "matrix_client/mod.rs"]
mod matrix_client;

use std::time::{Duration, Instant};

use handoff_tests::synapse::{homeserver, unique};
use matrix_client::CaseManager;

/// Generous for loopback, where each step takes well under a second: a slow CI
/// machine must not fail the journey, and a real failure shows at the deadline.
const STEP: Duration = Duration::from_secs(20);

/// Prints how long a step took since `started`, and restarts the clock.
fn step(started: &mut Instant, what: &str) {
    eprintln!("{what}: {} ms", started.elapsed().as_millis());
    *started = Instant::now();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_users_talk_react_and_edit_in_an_encrypted_direct_room() {
    let server = homeserver();
    let password = "correct horse battery staple";
    let mut started = Instant::now();

    let alice_id = server.register(&unique("alice"), password).await;
    let bob_id = server.register(&unique("bob"), password).await;
    step(&mut started, "registering two users");

    let (alice, bob) = tokio::join!(
        CaseManager::login(&server.url, &alice_id, password),
        CaseManager::login(&server.url, &bob_id, password),
    );
    assert_eq!(alice.user_id().as_str(), alice_id);
    assert_eq!(bob.user_id().as_str(), bob_id);
    step(&mut started, "logging both in (with a first sync)");

    let room = alice.create_encrypted_dm(&bob_id).await;
    bob.wait_until_joined(&room, STEP).await;
    let encrypted = alice
        .client()
        .get_room(&room)
        .unwrap_or_else(|| panic!("alice is not in {room}"))
        .latest_encryption_state()
        .await
        .unwrap_or_else(|e| panic!("encryption state of {room}: {e}"))
        .is_encrypted();
    assert!(encrypted, "{room} is not encrypted");
    step(
        &mut started,
        "alice creating an encrypted DM, bob joining it",
    );

    let hello = alice
        .send_text(&room, "Y1001 taken? I can be there in 15")
        .await;
    let seen = bob
        .wait_for_message(|seen| seen.event_id == hello, STEP)
        .await;
    assert_eq!(seen.room_id, room);
    assert_eq!(seen.sender.as_str(), alice_id);
    assert_eq!(seen.body, "Y1001 taken? I can be there in 15");
    assert_eq!(seen.msgtype.as_deref(), Some("m.text"));
    assert!(
        seen.encrypted,
        "alice's text reached bob unencrypted: {seen}"
    );
    step(&mut started, "alice's first encrypted text reaching bob");

    let reaction = bob.react(&room, &hello, "✅").await;
    let seen = alice.wait_for_reaction(&hello, "✅", STEP).await;
    assert_eq!(seen.event_id, reaction);
    assert_eq!(seen.sender.as_str(), bob_id);
    // Not asserted encrypted: matrix-sdk, like Element, sends reactions in the
    // clear even in encrypted rooms.
    step(&mut started, "bob's reaction reaching alice");

    let edit = alice
        .edit_text(&room, &hello, "Y1001 taken, there in 20")
        .await;
    let seen = bob.wait_for_edit(&hello, |_| true, STEP).await;
    assert_eq!(seen.event_id, edit);
    assert_eq!(seen.body, "Y1001 taken, there in 20");
    assert!(
        seen.encrypted,
        "alice's edit reached bob unencrypted: {seen}"
    );
    step(&mut started, "alice's edit reaching bob");

    let answer = bob
        .reply_text(&room, &hello, "thanks, waiting at 5th & Main")
        .await;
    let seen = alice
        .wait_for_message(|seen| seen.sender == bob.user_id(), STEP)
        .await;
    assert_eq!(seen.event_id, answer);
    assert_eq!(seen.body, "thanks, waiting at 5th & Main");
    assert_eq!(seen.relates_to.as_ref(), Some(&hello));
    assert!(
        seen.encrypted,
        "bob's reply reached alice unencrypted: {seen}"
    );
    step(&mut started, "bob's encrypted reply reaching alice");

    for (who, client) in [("alice", &alice), ("bob", &bob)] {
        let undecryptable: Vec<String> = client
            .seen()
            .iter()
            .filter(|seen| seen.kind == matrix_client::Kind::Undecryptable)
            .map(ToString::to_string)
            .collect();
        assert!(
            undecryptable.is_empty(),
            "{who} could not decrypt: {undecryptable:?}"
        );
    }
    alice.stop();
    bob.stop();
}

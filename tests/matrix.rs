//! Case managers take hand-offs in end-to-end-encrypted Matrix rooms, against a real
//! Synapse, with the officer on SMS (the fake provider). Two independent clients
//! play Dana and Lee; `handoff serve`'s own start-up runs with the Matrix transport
//! on the real clock, its homeserver reached through a relay the journey can cut.
//!
//! Run through `scripts/test` (or `scripts/with-synapse cargo test -p handoff-tests
//! --test matrix`); it fails without a homeserver. It runs on SQLite, and on
//! PostgreSQL too when `DATABASE_URL` names a server.

// Spawning matrix-sdk's sync future needs a deeper trait-resolution limit (E0275).
#![recursion_limit = "256"]

#[path = "matrix_client/mod.rs"]
mod matrix_client;
#[path = "matrix_journey/proxy.rs"]
mod proxy;

use std::path::Path;
use std::sync::Arc;
use std::time::{Duration, Instant};

use handoff_bot::serve::{self, Options, Running};
use handoff_config::Config;
use handoff_dispatcher::{Channel, SystemClock};
use handoff_tests::database::on_every_database;
use handoff_tests::fake_twilio::FakeTwilio;
use handoff_tests::journey::{REQUEST, always_open};
use handoff_tests::service::{ACCOUNT_SID, AUTH_TOKEN, CHEN, LEE, PROGRAM_NUMBER, RIVERA, ROSA};
use handoff_tests::synapse::{homeserver, unique};
use matrix_client::{CaseManager, Seen};
use proxy::Relay;
use tempfile::TempDir;

/// Generous for loopback, where each step takes well under a second.
const STEP: Duration = Duration::from_secs(30);
const PASSWORD: &str = "journey matrix password";

/// The journey program with Dana and Lee on Matrix, the bot on `homeserver`.
fn config(
    homeserver: &str,
    bot: &str,
    dana: &str,
    lee: &str,
    data: &Path,
    fake: &FakeTwilio,
) -> Config {
    config_with_password(homeserver, bot, dana, lee, data, fake, PASSWORD)
}

fn config_with_password(
    homeserver: &str,
    bot: &str,
    dana: &str,
    lee: &str,
    data: &Path,
    fake: &FakeTwilio,
    password: &str,
) -> Config {
    let program = always_open()
        .replace(
            "phone = \"+1 412 555 0111\"\n",
            &format!("phone = \"+1 412 555 0111\"\nmatrix = \"{dana}\"\n"),
        )
        .replace(
            "phone = \"+1 412 555 0113\"\n",
            &format!("phone = \"+1 412 555 0113\"\nmatrix = \"{lee}\"\n"),
        );
    assert!(program.contains(dana) && program.contains(lee));
    let text = format!(
        "{program}\n[transports.sms]\nprovider = \"twilio\"\napi_base = \"{base}\"\n\
         account_sid = \"{ACCOUNT_SID}\"\nfrom = \"{PROGRAM_NUMBER}\"\nauth_token_env = \"JOURNEY_SMS_TOKEN\"\n\
         \n[transports.matrix]\nhomeserver = \"{homeserver}\"\nuser = \"{bot}\"\n\
         password_env = \"JOURNEY_MATRIX_PASSWORD\"\ndata_dir = \"{data}\"\n",
        base = fake.base_url(),
        data = data.display(),
    );
    handoff_config::load_str(Path::new("journey.toml"), &text, &|name| match name {
        "JOURNEY_SMS_TOKEN" => Some(AUTH_TOKEN.to_owned()),
        "JOURNEY_MATRIX_PASSWORD" => Some(password.to_owned()),
        _ => None,
    })
    .unwrap_or_else(|e| panic!("the journey program is invalid:\n{e}"))
}

async fn start(config: &Config, database: &str) -> Running {
    let options = Options {
        listen: Some(([127, 0, 0, 1], 0).into()),
        database: Some(database.to_owned()),
        public_url: None,
    };
    serve::start_with(
        config,
        options,
        Arc::new(SystemClock),
        true,
        Some(Arc::new(handoff_matrix::MatrixChat)),
    )
    .await
    .unwrap_or_else(|e| panic!("handoff did not start: {e:#}"))
}

/// `from` texts `body` to the program through the provider's signed webhook.
async fn text(fake: &FakeTwilio, running: &Running, from: &str, body: &str) {
    let (status, _) = fake
        .post_inbound(
            &format!("{}/sms/inbound", running.public_url),
            from,
            PROGRAM_NUMBER,
            body,
        )
        .await;
    assert_eq!(status, 200, "the webhook refused {body:?}");
}

/// Waits until the provider has a text to `phone` that `pred` accepts.
async fn text_to(fake: &FakeTwilio, phone: &str, pred: impl Fn(&str) -> bool) -> String {
    let deadline = Instant::now() + STEP;
    loop {
        if let Some(found) = fake
            .sent()
            .into_iter()
            .find(|m| m.to == phone && pred(&m.body))
        {
            return found.body;
        }
        let left = deadline.saturating_duration_since(Instant::now());
        assert!(
            !left.is_zero(),
            "no text to {phone} as expected; texts: {:#?}",
            fake.sent()
                .iter()
                .map(|m| (m.to.clone(), m.body.clone()))
                .collect::<Vec<_>>()
        );
        let count = fake.sent().len();
        fake.wait_for_sends(count + 1, left.min(Duration::from_millis(500)))
            .await;
    }
}

fn from_bot<'a>(bot: &'a str, needle: &'a str) -> impl Fn(&Seen) -> bool + 'a {
    move |seen| seen.sender.as_str() == bot && seen.body.contains(needle)
}

/// How many rooms `who` has joined.
fn joined(who: &CaseManager) -> usize {
    who.client().joined_rooms().len()
}

async fn wait_for_rooms(who: &CaseManager, n: usize) {
    let deadline = Instant::now() + STEP;
    while joined(who) < n {
        assert!(
            Instant::now() < deadline,
            "{} joined {} rooms, not {n}",
            who.user_id(),
            joined(who)
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

/// The site's room among `who`'s rooms: the bot names it "<site>: hand-offs".
fn site_room(who: &CaseManager) -> matrix_sdk::ruma::OwnedRoomId {
    who.client()
        .joined_rooms()
        .into_iter()
        .find(|room| {
            room.name()
                .is_some_and(|name| name.ends_with(": hand-offs"))
        })
        .map(|room| room.room_id().to_owned())
        .unwrap_or_else(|| panic!("{} is not in the site's room", who.user_id()))
}

/// `who` asks WHO in the site's room and waits for the answer: once it comes, the
/// bot has seen them in that room.
async fn ask_who(who: &CaseManager, bot: &str) {
    let earlier: Vec<_> = who.seen().into_iter().map(|s| s.event_id).collect();
    who.send_text(&site_room(who), "WHO").await;
    who.wait_for_message(
        |s| s.sender.as_str() == bot && s.body.contains("Metro") && !earlier.contains(&s.event_id),
        STEP,
    )
    .await;
}

/// Waits until `who` sees `user` leave `room` (a declined invite is a leave).
async fn wait_until_left(who: &CaseManager, room: &matrix_sdk::ruma::RoomId, user: &str) {
    let user = matrix_sdk::ruma::UserId::parse(user).unwrap_or_else(|e| panic!("{user}: {e}"));
    let deadline = Instant::now() + STEP;
    loop {
        let room = who
            .client()
            .get_room(room)
            .unwrap_or_else(|| panic!("{} is not in {room}", who.user_id()));
        let member = room
            .get_member_no_sync(&user)
            .await
            .unwrap_or_else(|e| panic!("members of {}: {e}", room.room_id()));
        if member.is_some_and(|m| {
            *m.membership() == matrix_sdk::ruma::events::room::member::MembershipState::Leave
        }) {
            return;
        }
        assert!(
            Instant::now() < deadline,
            "{user} did not decline the invite to {}",
            room.room_id()
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

fn saved_device(data: &Path) -> String {
    let text = std::fs::read_to_string(data.join("session.json"))
        .unwrap_or_else(|e| panic!("reading the saved session: {e}"));
    let json: serde_json::Value =
        serde_json::from_str(&text).unwrap_or_else(|e| panic!("the saved session: {e}"));
    json["device_id"].as_str().unwrap_or_default().to_owned()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn case_managers_take_handoffs_in_encrypted_matrix_rooms_with_sms_failover() {
    on_every_database(async |database| journey(database).await).await;
}

async fn journey(database: Option<String>) {
    let _ = tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_default_env()
                .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new(
                    "warn,handoff_matrix=info,matrix_sdk=off,matrix_sdk_crypto=off,matrix_sdk_base=off",
                )),
        )
        .with_test_writer()
        .try_init();
    let server = homeserver();
    let relay = Relay::start(&server.url).await;
    let bot = server.register(&unique("handoff"), PASSWORD).await;
    let dana_id = server.register(&unique("dana"), PASSWORD).await;
    let lee_id = server.register(&unique("lee"), PASSWORD).await;
    let fake = FakeTwilio::start(ACCOUNT_SID, AUTH_TOKEN).await;
    let dir = TempDir::new().unwrap_or_else(|e| panic!("temporary directory: {e}"));
    let data = dir.path().join("matrix");
    let database =
        database.unwrap_or_else(|| format!("sqlite://{}/handoff.db", dir.path().display()));
    let config = config(&relay.url, &bot, &dana_id, &lee_id, &data, &fake);
    let (dana, lee) = tokio::join!(
        CaseManager::login(&server.url, &dana_id, PASSWORD),
        CaseManager::login(&server.url, &lee_id, PASSWORD),
    );

    // The bot logs in, creates a direct room with each and the site's room, and
    // they accept its invites.
    let running = start(&config, &database).await;
    let device = saved_device(&data);
    assert!(!device.is_empty());
    wait_for_rooms(&dana, 2).await;
    wait_for_rooms(&lee, 2).await;
    // A command written in the site's room is answered too.
    ask_who(&dana, &bot).await;
    ask_who(&lee, &bot).await;

    // The bot accepts invites only from configured people: a stranger's is declined.
    let stranger_id = server.register(&unique("stranger"), PASSWORD).await;
    let stranger = CaseManager::login(&server.url, &stranger_id, PASSWORD).await;
    let strangers_room = stranger.create_encrypted_dm(&bot).await;
    wait_until_left(&stranger, &strangers_room, &bot).await;

    // An officer texts a request: both are offered it in Matrix, encrypted, with
    // the whole request and how to answer; nobody is texted an offer.
    text(&fake, &running, RIVERA, REQUEST).await;
    let offer = dana
        .wait_for_message(from_bot(&bot, "Hand-off 1001"), STEP)
        .await;
    let lee_offer = lee
        .wait_for_message(from_bot(&bot, "Hand-off 1001"), STEP)
        .await;
    for seen in [&offer, &lee_offer] {
        assert!(seen.encrypted, "the offer was not encrypted: {seen}");
        for part in [
            "5th & Main, retail theft",
            "Metro",
            "Ofc. Rivera (Metro PD)",
            "Step 1 of 2",
            "✅",
        ] {
            assert!(
                seen.body.contains(part),
                "{part:?} missing from the offer: {seen}"
            );
        }
    }
    assert!(
        fake.sent().iter().all(|m| !m.body.contains("Y1001")),
        "an offer was texted"
    );
    // Offered to both at once, it was posted once, in the site's room.
    assert_eq!(
        offer.event_id, lee_offer.event_id,
        "the round's offer was posted twice"
    );
    assert!(
        offer.body.contains("offered to 2 people at once"),
        "{}",
        offer.body
    );

    // Dana's ✅ accepts: the officer is texted her first name, well under a second
    // later; Lee's offer is edited to say who took it.
    let reacted = Instant::now();
    dana.react(&offer.room_id, &offer.event_id, "✅").await;
    text_to(&fake, RIVERA, |body| body.contains("Dana")).await;
    let took = reacted.elapsed();
    eprintln!(
        "from Dana's reaction to the officer's SMS handed to the provider: {} ms",
        took.as_millis()
    );
    assert!(
        took < Duration::from_secs(2),
        "the officer heard after {took:?}"
    );
    lee.wait_for_edit(
        &lee_offer.event_id,
        |seen| seen.body.contains("taken by Dana"),
        STEP,
    )
    .await;
    let assignment = dana
        .wait_for_message(from_bot(&bot, "1001 is yours"), STEP)
        .await;
    let dana_room = assignment.room_id.clone();
    assert_ne!(dana_room, offer.room_id, "the assignment is Dana's alone");
    // Her ETA, written in her direct room, reaches the officer by SMS.
    dana.send_text(&dana_room, "ETA 15").await;
    text_to(&fake, RIVERA, |body| body.contains("15 min")).await;
    // Chat in the site's room stays there; words in her direct room reach the
    // officer. (Handled in order: once the second arrives, the first was passed over.)
    dana.send_text(&site_room(&dana), "lunch at noon, anyone?")
        .await;
    dana.send_text(&dana_room, "Parking now").await;
    text_to(&fake, RIVERA, |body| body.contains("Parking now")).await;
    assert!(
        !fake.sent().iter().any(|m| m.body.contains("lunch")),
        "the site room's chat was relayed to the officer"
    );

    // A second request: Dana is busy, so Lee alone is offered; his ❌ moves it to
    // the next step (the supervisor, by SMS).
    text(&fake, &running, CHEN, REQUEST).await;
    let second = lee
        .wait_for_message(from_bot(&bot, "Hand-off 1002"), STEP)
        .await;
    lee.react(&second.room_id, &second.event_id, "❌").await;
    text_to(&fake, ROSA, |body| body.contains("1002")).await;
    // Dana, who was not offered 1002, is told so and changes nothing.
    dana.send_text(&dana_room, "Y1002").await;
    dana.wait_for_message(
        |s| s.sender.as_str() == bot && s.body.contains("1002") && s.event_id != second.event_id,
        STEP,
    )
    .await;
    let events = running
        .engine
        .records()
        .events(None, None)
        .await
        .unwrap_or_else(|e| panic!("events: {e}"));
    assert!(
        !events
            .iter()
            .any(|e| e.handoff.get() == 1002 && e.kind.name() == "accepted"),
        "a pass or a stranger's accept took 1002"
    );
    // The log keeps the channel Dana's accept came by, for reports.
    assert!(events.iter().any(|e| {
        e.handoff.get() == 1001
            && matches!(
                e.kind,
                handoff_dispatcher::EventKind::Accepted {
                    via: Some(Channel::Matrix),
                    ..
                }
            )
    }));

    // Restart: the same device, the same rooms, and old events are not answered
    // again.
    let bot_messages = |who: &CaseManager| {
        who.seen()
            .iter()
            .filter(|s| s.sender.as_str() == bot && s.kind == matrix_client::Kind::Message)
            .count()
    };
    let before = (
        bot_messages(&dana),
        bot_messages(&lee),
        joined(&dana),
        joined(&lee),
    );
    running.shutdown().await;
    let running = start(&config, &database).await;
    assert_eq!(saved_device(&data), device, "the bot became a new device");
    let earlier: Vec<_> = dana.seen().into_iter().map(|s| s.event_id).collect();
    dana.send_text(&dana_room, "STATUS").await;
    dana.wait_for_message(
        |s| s.sender.as_str() == bot && s.body.contains("1001") && !earlier.contains(&s.event_id),
        STEP,
    )
    .await;
    let status_seen = dana
        .seen()
        .iter()
        .filter(|s| s.sender.as_str() == bot && s.kind == matrix_client::Kind::Message)
        .count();
    assert_eq!(
        status_seen,
        before.0 + 1,
        "old events were answered again after the restart"
    );
    assert_eq!(
        (bot_messages(&lee), joined(&dana), joined(&lee)),
        (before.1, before.2, before.3)
    );

    // The homeserver goes away: the next offer to Lee goes by SMS within seconds,
    // well within its step, and the outbox says which channel it went by.
    relay.cut();
    let cut = Instant::now();
    text(&fake, &running, RIVERA, "LEAD 9th & Penn").await;
    text_to(&fake, LEE, |body| body.contains("1003")).await;
    eprintln!(
        "offer by SMS {} ms after the homeserver went away",
        cut.elapsed().as_millis()
    );
    assert!(cut.elapsed() < Duration::from_secs(60));
    // The outage shows in the health check and the metrics.
    let health = reqwest::get(format!("{}/healthz", running.public_url))
        .await
        .unwrap_or_else(|e| panic!("GET /healthz: {e}"));
    assert_eq!(health.status().as_u16(), 503);
    let health = health.text().await.unwrap_or_default();
    assert!(
        health.contains("Matrix homeserver has not answered"),
        "{health}"
    );
    let metrics = reqwest::get(format!("{}/metrics", running.public_url))
        .await
        .unwrap_or_else(|e| panic!("GET /metrics: {e}"))
        .text()
        .await
        .unwrap_or_default();
    assert!(
        metrics.contains("\nhandoff_matrix_connected 0\n"),
        "{metrics}"
    );
    assert!(
        metrics.contains("handoff_matrix_messages_total{result=\"moved_to_sms\"} 1"),
        "{metrics}"
    );
    let outbox = running
        .engine
        .records()
        .outbox_all()
        .await
        .unwrap_or_else(|e| panic!("outbox: {e}"));
    let by_sms = outbox
        .iter()
        .find(|m| m.handoff.is_some_and(|h| h.get() == 1003) && m.message.is_offer())
        .unwrap_or_else(|| panic!("no offer of 1003 in the outbox"));
    assert_eq!(by_sms.channel, Channel::Sms);
    assert!(outbox.iter().any(|m| m.channel == Channel::Matrix
        && m.handoff.is_some_and(|h| h.get() == 1001)
        && m.message.is_offer()));
    relay.restore();
    running.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_login_the_homeserver_refuses_stops_start_up_with_its_reason() {
    let server = homeserver();
    let bot = server.register(&unique("handoff"), PASSWORD).await;
    let dana = server.register(&unique("dana"), PASSWORD).await;
    let lee = server.register(&unique("lee"), PASSWORD).await;
    let fake = FakeTwilio::start(ACCOUNT_SID, AUTH_TOKEN).await;
    let dir = TempDir::new().unwrap_or_else(|e| panic!("temporary directory: {e}"));
    let data = dir.path().join("matrix");
    let config = config_with_password(&server.url, &bot, &dana, &lee, &data, &fake, "wrong");
    let options = Options {
        listen: Some(([127, 0, 0, 1], 0).into()),
        database: Some(format!("sqlite://{}/handoff.db", dir.path().display())),
        public_url: None,
    };
    let started = serve::start_with(
        &config,
        options,
        Arc::new(SystemClock),
        true,
        Some(Arc::new(handoff_matrix::MatrixChat)),
    )
    .await;
    let Err(error) = started else {
        panic!("handoff started with a password the homeserver refuses");
    };
    let error = format!("{error:#}");
    assert!(error.contains("refused the login"), "{error}");
    assert!(error.contains(&bot), "{error}");
    assert!(
        !data.join("session.json").exists(),
        "a refused login saved a session"
    );
}

//! Many people at once: fifty requests arriving in the same instant, as at a shift
//! change or a large event, are each acknowledged (200, never a 500 that the
//! provider would not retry), each get a hand-off number of their own, and each is
//! offered to every case manager on duty; then all ten case managers take the same
//! hand-off in the same instant, and exactly one gets it; each of the others is told
//! once that it is taken. With the service's background workers on the system
//! clock, on SQLite and, when `DATABASE_URL` names a server, PostgreSQL.

use std::collections::BTreeSet;
use std::sync::Arc;
use std::time::Duration as StdDuration;

use handoff_bot::serve::{self, Options};
use handoff_dispatcher::SystemClock;
use handoff_dispatcher::engine::message_name;
use handoff_tests::database::on_every_database;
use handoff_tests::fake_twilio::FakeTwilio;
use handoff_tests::service::{ACCOUNT_SID, AUTH_TOKEN, PROGRAM_NUMBER, journey_config};

const OFFICERS: usize = 50;
const CASE_MANAGERS: usize = 10;

fn officer_phone(i: usize) -> String {
    format!("+1412555{:04}", 2000 + i)
}

/// A site open around the clock, one agency of `OFFICERS` officers, and
/// `CASE_MANAGERS` case managers always on shift.
fn program() -> String {
    let mut text = String::from(
        "[program]\nname = \"Busy night\"\n\n[[escalation_policies]]\nid = \"standard\"\n\
         steps = [{ who = \"case_manager\", strategy = \"broadcast\", timeout = \"5m\" }]\n\n\
         [[sites]]\nid = \"metro\"\nname = \"Metro\"\ntime_zone = \"America/New_York\"\n\
         escalation = \"standard\"\nhours = [{ days = \"daily\", start = \"00:00\", end = \"24:00\" }]\n\n\
         [[agencies]]\nid = \"pd\"\nname = \"PD\"\nsites = [\"metro\"]\nofficers = [\n",
    );
    for i in 0..OFFICERS {
        text.push_str(&format!(
            "  {{ id = \"o{i}\", name = \"Officer {i}\", rank = \"Ofc.\", phone = \"{}\" }},\n",
            officer_phone(i)
        ));
    }
    text.push_str("]\n");
    for i in 0..CASE_MANAGERS {
        text.push_str(&format!(
            "\n[[people]]\nid = \"cm{i}\"\nname = \"Case Manager {i}\"\nroles = [\"case_manager\"]\n\
             phone = \"+1412555{:04}\"\n\n[[shifts]]\nperson = \"cm{i}\"\n",
            3000 + i
        ));
    }
    text
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn fifty_simultaneous_requests_are_each_numbered_and_offered_and_ten_accepts_have_one_winner()
{
    on_every_database(async |database| {
        let dir = tempfile::TempDir::new().unwrap();
        let fake = Arc::new(FakeTwilio::start(ACCOUNT_SID, AUTH_TOKEN).await);
        let config = journey_config(&program(), &fake);
        let options = Options {
            listen: Some(([127, 0, 0, 1], 0).into()),
            database: Some(
                database.unwrap_or_else(|| format!("sqlite://{}/h.db", dir.path().display())),
            ),
            public_url: None,
        };
        let running = serve::start(&config, options, Arc::new(SystemClock), true)
            .await
            .unwrap();
        let url = format!("{}/sms/inbound", running.public_url);

        let mut requests = tokio::task::JoinSet::new();
        for i in 0..OFFICERS {
            let (fake, url) = (fake.clone(), url.clone());
            requests.spawn(async move {
                fake.post_inbound(&url, &officer_phone(i), PROGRAM_NUMBER, "LEAD 5th & Main")
                    .await
            });
        }
        while let Some(answer) = requests.join_next().await {
            let (status, body) = answer.unwrap();
            assert_eq!(status, 200, "{body}");
        }

        // A receipt for each officer and an offer to each case manager per request.
        let expected = OFFICERS * (1 + CASE_MANAGERS);
        let sent = fake
            .wait_for_sends(expected, StdDuration::from_secs(30))
            .await;
        assert_eq!(sent.len(), expected);
        let mut numbers = BTreeSet::new();
        for i in 0..OFFICERS {
            let receipts: Vec<_> = sent.iter().filter(|m| m.to == officer_phone(i)).collect();
            assert_eq!(receipts.len(), 1, "officer {i}: {receipts:#?}");
            let number = receipts[0]
                .body
                .strip_prefix("Got it: hand-off ")
                .and_then(|rest| rest.split(' ').next())
                .unwrap_or_else(|| panic!("not a receipt: {}", receipts[0].body))
                .to_owned();
            numbers.insert(number);
        }
        assert_eq!(numbers.len(), OFFICERS, "every request has its own number");

        // Every case manager takes the first hand-off in the same instant.
        let first = numbers.iter().next().unwrap().clone();
        let mut accepts = tokio::task::JoinSet::new();
        for i in 0..CASE_MANAGERS {
            let (fake, url, code) = (fake.clone(), url.clone(), format!("Y{first}"));
            accepts.spawn(async move {
                fake.post_inbound(
                    &url,
                    &format!("+1412555{:04}", 3000 + i),
                    PROGRAM_NUMBER,
                    &code,
                )
                .await
            });
        }
        while let Some(answer) = accepts.join_next().await {
            let (status, body) = answer.unwrap();
            assert_eq!(status, 200, "{body}");
        }
        // Every webhook was answered, so every decision is committed: one accept
        // won, everyone else offered was told once who took it, and the Ys that
        // lost are logged as late, not answered a second time.
        let outbox = running.engine.records().outbox_all().await.unwrap();
        let told: Vec<&str> = outbox
            .iter()
            .filter(|m| m.handoff.is_some_and(|h| h.to_string() == first))
            .map(|m| message_name(&m.message))
            .collect();
        let count = |name: &str| told.iter().filter(|n| **n == name).count();
        assert_eq!(count("assignment"), 1, "one wins: {told:?}");
        assert_eq!(count("assigned"), 1, "the officer hears who: {told:?}");
        assert_eq!(
            count("taken_by_other"),
            CASE_MANAGERS - 1,
            "the others are told not to go: {told:?}"
        );
        assert_eq!(count("already_taken"), 0, "and told only once: {told:?}");
        let events = running.engine.records().events(None, None).await.unwrap();
        let late = events
            .iter()
            .filter(|e| e.handoff.to_string() == first && e.kind.name() == "late_accept")
            .count();
        assert_eq!(late, CASE_MANAGERS - 1);
        // And that is what the provider was given: nothing more.
        let race = 1 + CASE_MANAGERS;
        let sent = fake
            .wait_for_sends(expected + race, StdDuration::from_secs(30))
            .await;
        assert_eq!(sent.len(), expected + race);
        running.shutdown().await;
    })
    .await;
}

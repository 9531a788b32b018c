//! Webhooks that race across two `handoff serve` instances on one database, as
//! when a provider's texts are spread over a primary and a spare: an officer who
//! taps send twice (the same words, two `MessageSid`s, one reaching each instance)
//! opens one hand-off and is answered both times; a provider retry landing on the
//! other instance while the first is still working is handled once; case managers
//! racing to take one hand-off through both instances leave one winner, each of the
//! others told once that it is taken; and a mixed burst of requests and commands
//! about hand-offs that do not exist is answered in full. Every webhook is answered 200: a 500 would make the provider
//! retry, which is safe but means the race was lost rather than handled.
//!
//! Each burst is posted from many tasks released together at a barrier, on a
//! multi-threaded runtime, so the instances really do handle them at once. Runs on
//! a shared SQLite file and, when `DATABASE_URL` names a server, on PostgreSQL.

use std::collections::BTreeSet;

use handoff_dispatcher::Handoff;
use handoff_dispatcher::engine::message_name;
use handoff_tests::database::on_every_database;
use handoff_tests::fake_twilio::message_sid;
use handoff_tests::instances::{Pair, Post, assert_each_once};
use handoff_tests::journey::staff;
use handoff_tests::service::{CHEN, DANA, LEE, PROGRAM, RIVERA, ROSA};

/// How many times each race is run: a lost race shows up in a few of them.
const ROUNDS: usize = 20;

/// A place only round `n` uses: no two rounds are the same request.
fn place(n: usize) -> String {
    format!("Block {n} of Liberty Ave, retail theft")
}

fn request(n: usize) -> String {
    format!("LEAD {}", place(n))
}

/// Fails unless every webhook of the burst was answered 200.
fn assert_all_ok(answers: &[(Post, u16, String)]) {
    for (post, status, body) in answers {
        assert_eq!(*status, 200, "{post:?} was answered {status}: {body}");
    }
}

/// The hand-off number an officer's receipt gives.
fn receipt_number(text: &str) -> String {
    text.strip_prefix("Got it: hand-off ")
        .and_then(|rest| rest.split(' ').next())
        .unwrap_or_else(|| panic!("not a receipt: {text}"))
        .to_owned()
}

/// The open hand-off of this number.
fn numbered<'a>(open: &'a [Handoff], number: &str) -> &'a Handoff {
    open.iter()
        .find(|h| h.id.to_string() == number)
        .unwrap_or_else(|| panic!("hand-off {number} is not open: {open:#?}"))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_same_request_sent_twice_at_once_to_two_instances_opens_one_hand_off_and_is_answered_twice()
 {
    on_every_database(async |database| {
        let pair = Pair::start(PROGRAM, database).await;
        let mut numbers = BTreeSet::new();
        for round in 0..ROUNDS {
            let text = request(round);
            let answers = pair
                .burst(&[Post::new(0, RIVERA, &text), Post::new(1, RIVERA, &text)])
                .await;
            assert_all_ok(&answers);
            pair.deliver().await;

            let open = pair.a.open_handoffs().await;
            assert_eq!(open.len(), round + 1, "round {round}: {open:#?}");
            let to_officer = pair.texts_to(RIVERA);
            let receipts: Vec<&String> = to_officer
                .iter()
                .filter(|t| t.starts_with("Got it:") && t.contains(&format!("Block {round} of")))
                .collect();
            assert_eq!(receipts.len(), 1, "round {round}: {to_officer:#?}");
            let number = receipt_number(receipts[0]);
            assert!(numbers.insert(number.clone()), "{number} given twice");
            assert!(
                numbered(&open, &number)
                    .request
                    .location
                    .contains(&format!("Block {round} of"))
            );
            // The second copy is answered with where the first stands.
            let status = format!("{number} arrest diversion: finding a case manager");
            let answered = to_officer.iter().filter(|t| **t == status).count();
            assert_eq!(answered, 1, "round {round}: {to_officer:#?}");
            assert_eq!(to_officer.len(), 2 * (round + 1), "{to_officer:#?}");
            for cm in [DANA, LEE] {
                assert_eq!(
                    pair.texts_to(cm).len(),
                    round + 1,
                    "one offer a round to {cm}"
                );
            }
        }
        assert_each_once(&pair.sent());
        pair.stop().await;
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_provider_retry_reaching_the_other_instance_at_the_same_moment_is_handled_once() {
    on_every_database(async |database| {
        let pair = Pair::start(PROGRAM, database).await;
        for round in 0..ROUNDS {
            let sid = message_sid();
            let post = Post::new(0, RIVERA, &request(round)).with_sid(&sid);
            let retry = Post {
                to: 1,
                ..post.clone()
            };
            let answers = pair.burst(&[post, retry]).await;
            assert_all_ok(&answers);
            pair.deliver().await;

            let open = pair.a.open_handoffs().await;
            assert_eq!(open.len(), round + 1, "round {round}: {open:#?}");
            let to_officer = pair.texts_to(RIVERA);
            assert_eq!(
                to_officer.len(),
                round + 1,
                "one receipt a round: {to_officer:#?}"
            );
            let receipt = to_officer
                .iter()
                .find(|t| t.contains(&format!("Block {round} of")))
                .unwrap_or_else(|| panic!("round {round}: no receipt in {to_officer:#?}"));
            let number = receipt_number(receipt);
            numbered(&open, &number);
            for cm in [DANA, LEE] {
                assert_eq!(
                    pair.texts_to(cm).len(),
                    round + 1,
                    "one offer a round to {cm}"
                );
            }
        }
        let requested = pair.a.events_named("requested").await;
        assert_eq!(requested.len(), ROUNDS);
        assert_each_once(&pair.sent());
        pair.stop().await;
    })
    .await;
}

/// Six more case managers on duty, serving every zone, beside dana and lee.
const EXTRA_CASE_MANAGERS: usize = 6;

fn extra_phone(i: usize) -> String {
    format!("+1412555{:04}", 3000 + i)
}

/// The journey program with [`EXTRA_CASE_MANAGERS`] more case managers on shift.
fn crowded_program() -> String {
    let mut program = PROGRAM.to_owned();
    for i in 0..EXTRA_CASE_MANAGERS {
        program.push_str(&format!(
            "\n[[people]]\nid = \"cm{i}\"\nname = \"Casey{i} Moss\"\nroles = [\"case_manager\"]\n\
             phone = \"{}\"\n\n[[shifts]]\nperson = \"cm{i}\"\n",
            extra_phone(i)
        ));
    }
    program
}

/// How many hand-offs the case managers race for, one after the other.
const RACES: usize = 5;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn case_managers_taking_one_hand_off_at_once_through_both_instances_leave_one_winner() {
    on_every_database(async |database| {
        let pair = Pair::start(&crowded_program(), database).await;
        let mut case_managers: Vec<String> = vec![DANA.to_owned(), LEE.to_owned()];
        case_managers.extend((0..EXTRA_CASE_MANAGERS).map(extra_phone));
        let extra_ids: Vec<String> = (0..EXTRA_CASE_MANAGERS).map(|i| format!("cm{i}")).collect();
        let mut ids: Vec<&str> = vec!["dana", "lee"];
        ids.extend(extra_ids.iter().map(String::as_str));

        // Every request is offered to every case manager before any is taken.
        let requests: Vec<Post> = (0..RACES)
            .map(|n| Post::new(n, RIVERA, &request(n)))
            .collect();
        for post in &requests {
            let answers = pair.burst(std::slice::from_ref(post)).await;
            assert_all_ok(&answers);
        }
        pair.deliver().await;
        let numbers: Vec<String> = (0..RACES)
            .map(|n| {
                let receipt = pair
                    .texts_to(RIVERA)
                    .into_iter()
                    .find(|t| t.contains(&format!("Block {n} of")))
                    .unwrap_or_else(|| panic!("no receipt for request {n}"));
                receipt_number(&receipt)
            })
            .collect();
        for cm in &case_managers {
            assert_eq!(pair.texts_to(cm).len(), RACES, "every offer reached {cm}");
        }

        for number in &numbers {
            let accepts: Vec<Post> = case_managers
                .iter()
                .enumerate()
                .map(|(i, cm)| Post::new(i, cm, &format!("Y{number}")))
                .collect();
            let answers = pair.burst(&accepts).await;
            assert_all_ok(&answers);
            pair.deliver().await;

            // One wins; each of the others is told once that it is taken, whether
            // their Y came before the winner's or after it.
            let about: Vec<_> = pair
                .a
                .outbox()
                .await
                .into_iter()
                .filter(|m| m.handoff.is_some_and(|h| h.to_string() == *number))
                .collect();
            let winners: Vec<&str> = ids
                .iter()
                .copied()
                .filter(|id| {
                    about.iter().any(|m| {
                        m.recipient == staff(id) && message_name(&m.message) == "assignment"
                    })
                })
                .collect();
            assert_eq!(winners.len(), 1, "hand-off {number}: {about:#?}");
            for id in &ids {
                let told: Vec<&str> = about
                    .iter()
                    .filter(|m| m.recipient == staff(id))
                    .map(|m| message_name(&m.message))
                    .filter(|name| ["taken_by_other", "already_taken"].contains(name))
                    .collect();
                let expected = usize::from(*id != winners[0]);
                assert_eq!(told.len(), expected, "{id} about {number}: {told:?}");
            }
            let accepted = pair.a.events_named("accepted").await;
            let of_this: Vec<_> = accepted
                .iter()
                .filter(|e| e.handoff.to_string() == *number)
                .collect();
            assert_eq!(of_this.len(), 1, "{accepted:#?}");
        }
        // The officer: a receipt and who is taking it, for each hand-off.
        assert_eq!(
            pair.texts_to(RIVERA).len(),
            2 * RACES,
            "{:#?}",
            pair.texts_to(RIVERA)
        );
        assert_each_once(&pair.sent());
        pair.stop().await;
    })
    .await;
}

/// Requests each officer sends in the mixed burst: half reach each instance. Each
/// instance handles one sender's texts one at a time, so a text loses the race
/// for its sender's row only to one the other instance commits: at most
/// `REQUESTS_EACH / 2` times. See the test below for a longer burst.
const REQUESTS_EACH: usize = 10;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_burst_of_requests_and_commands_about_missing_hand_offs_through_both_instances_is_answered_in_full()
 {
    on_every_database(async |database| {
        let pair = Pair::start(PROGRAM, database).await;
        let officers = [RIVERA, CHEN];
        let mut posts: Vec<Post> = Vec::new();
        for n in 0..REQUESTS_EACH {
            for (o, officer) in officers.iter().enumerate() {
                posts.push(Post::new(n + o, officer, &request(n)));
            }
        }
        let commands = [
            (DANA, "Y9999", "There is no hand-off 9999."),
            (LEE, "DONE 9999", "There is no hand-off 9999."),
            (ROSA, "CANCEL 12345 x", "There is no hand-off 12345."),
        ];
        for (i, (staff, command, _)) in commands.iter().enumerate() {
            // Among the requests, not after them.
            posts.insert(i * 5, Post::new(i, staff, command));
        }
        let answers = pair.burst(&posts).await;
        assert_all_ok(&answers);
        pair.deliver().await;

        let open = pair.a.open_handoffs().await;
        assert_eq!(open.len(), officers.len() * REQUESTS_EACH, "{open:#?}");
        let mut numbers = BTreeSet::new();
        for officer in officers {
            let receipts = pair.texts_to(officer);
            assert_eq!(receipts.len(), REQUESTS_EACH, "{officer}: {receipts:#?}");
            for n in 0..REQUESTS_EACH {
                let mine: Vec<&String> = receipts
                    .iter()
                    .filter(|t| t.contains(&format!("Block {n} of")))
                    .collect();
                assert_eq!(mine.len(), 1, "{officer}, request {n}: {receipts:#?}");
                let number = receipt_number(mine[0]);
                let handoff = numbered(&open, &number);
                assert!(handoff.request.location.contains(&format!("Block {n} of")));
                assert!(numbers.insert(number), "a number given twice");
            }
        }
        for (staff, command, answer) in commands {
            let told: Vec<String> = pair
                .texts_to(staff)
                .into_iter()
                .filter(|t| !t.starts_with("LEAD "))
                .collect();
            assert_eq!(told, [answer], "{command} from {staff}");
        }
        for cm in [DANA, LEE] {
            let offers = pair
                .texts_to(cm)
                .iter()
                .filter(|t| t.starts_with("LEAD "))
                .count();
            assert_eq!(offers, officers.len() * REQUESTS_EACH, "offers to {cm}");
        }
        assert_each_once(&pair.sent());
        pair.stop().await;
    })
    .await;
}

/// Texts one officer sends at once in the long burst, half to each instance.
const LONG_BURST: usize = 30;

/// An officer's long burst split over both instances: every text is decided again
/// each time the other instance commits one of the same officer's texts first.
/// Those losses are progress, not contention, so none of them may turn into a
/// 500 (they did, after 8 losses, before they stopped counting as failed tries).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_long_burst_from_one_officer_through_both_instances_is_answered_200_and_opens_each_request()
 {
    on_every_database(async |database| {
        let pair = Pair::start(PROGRAM, database).await;
        let posts: Vec<Post> = (0..LONG_BURST)
            .map(|n| Post::new(n, RIVERA, &request(n)))
            .collect();
        let answers = pair.burst(&posts).await;
        let refused: Vec<&Post> = answers
            .iter()
            .filter(|(_, status, _)| *status != 200)
            .map(|(post, ..)| post)
            .collect();
        assert!(refused.is_empty(), "answered other than 200: {refused:#?}");
        pair.deliver().await;
        assert_eq!(pair.a.open_handoffs().await.len(), LONG_BURST);
        assert_eq!(pair.texts_to(RIVERA).len(), LONG_BURST, "one receipt each");
        pair.stop().await;
    })
    .await;
}

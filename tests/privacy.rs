//! Privacy by default, as people would see it and as an auditor would find it:
//! dates of birth and Social Security numbers an officer or case manager types are
//! redacted in what the other side receives and in what is stored (the hand-off,
//! the outbox, the database file itself); no offer carries anyone's phone number;
//! every text sent stays in the GSM-7 alphabet, offers within one 160-septet
//! segment, whatever people type; and after the program's retention period a
//! closed hand-off's words are gone, from the rows and from the file, while its
//! timings stay.

use std::path::{Path, PathBuf};

use chrono::Duration;
use handoff_bot::render::{is_gsm7, septets};
use handoff_dispatcher::{Message, stats};
use handoff_tests::database::{postgres_database, postgres_server};
use handoff_tests::journey::{MONDAY, SUNDAY, minutes, shows_phone};
use handoff_tests::service::{CHEN, DANA, LEE, PROGRAM, RIVERA, ROSA, SAM, Service, TERRY};
use tempfile::TempDir;

/// What must never be seen again once typed: the date of birth and the SSN, and
/// recognisable pieces of them.
const IDENTIFIERS: [&str; 5] = ["4/5/1990", "1990", "123-45-6789", "45-6789", "6789"];

/// Every phone number of the journey program's roster.
const ROSTER: [&str; 7] = [RIVERA, CHEN, DANA, LEE, SAM, ROSA, TERRY];

fn assert_clean(what: &str, text: &str) {
    for identifier in IDENTIFIERS {
        assert!(!text.contains(identifier), "{identifier} in {what}: {text}");
    }
}

/// Runs `journey` on a SQLite file this test can read afterwards, then on a fresh
/// PostgreSQL database when `DATABASE_URL` names a server.
async fn on_sqlite_file_and_postgres(journey: impl AsyncFn(Option<String>, Option<PathBuf>)) {
    let dir = TempDir::new().unwrap_or_else(|e| panic!("temporary directory: {e}"));
    let file = dir.path().join("privacy.db");
    eprintln!("-- on SQLite");
    journey(Some(format!("sqlite://{}", file.display())), Some(file)).await;
    if let Some(admin) = postgres_server() {
        eprintln!("-- on PostgreSQL");
        let database = postgres_database(&admin).await;
        journey(database.url(), None).await;
        database.dispose().await;
    }
}

/// The bytes of a SQLite database and its write-ahead log, as text.
fn database_bytes(file: &Path) -> String {
    let mut bytes = std::fs::read(file).unwrap_or_else(|e| panic!("reading {file:?}: {e}"));
    let mut wal = file.as_os_str().to_owned();
    wal.push("-wal");
    if let Ok(more) = std::fs::read(PathBuf::from(wal)) {
        bytes.extend(more);
    }
    String::from_utf8_lossy(&bytes).into_owned()
}

#[tokio::test]
async fn a_date_of_birth_and_an_ssn_are_redacted_in_what_people_receive_and_in_what_is_stored() {
    on_sqlite_file_and_postgres(async |database, file| {
        let svc = Service::start_with(PROGRAM, MONDAY, database).await;
        // In the request's location.
        svc.text(
            RIVERA,
            "LEAD 5th & Main, male DOB 4/5/1990 SSN 123-45-6789, retail theft",
        )
        .await;
        let offer = svc.last_text_to(DANA);
        assert!(
            offer.starts_with("LEAD 1001: arrest diversion at 5th & Main, male [redacted]"),
            "{offer}"
        );
        assert!(
            offer.ends_with("Reply Y1001 to take it, N1001 to pass."),
            "{offer}"
        );
        for phone in [DANA, LEE, RIVERA] {
            assert_clean(
                &format!("the texts to {phone}"),
                &svc.texts_to(phone).join("\n"),
            );
        }
        let handoff = svc.handoff(1001).await;
        assert_eq!(
            handoff.request.location,
            "5th & Main, male [redacted] SSN [redacted], retail theft"
        );

        // In relayed messages, both ways.
        svc.text(DANA, "Y1001").await;
        svc.text(RIVERA, "He gave DOB 4/5/1990 and SSN 123-45-6789.")
            .await;
        let relayed = svc.last_text_to(DANA);
        assert!(
            relayed.starts_with("1001 Ofc. Rivera: He gave [redacted]"),
            "{relayed}"
        );
        svc.text(DANA, "Thanks. Is it 123-45-6789, born 4/5/1990? On my way.")
            .await;
        let relayed = svc.last_text_to(RIVERA);
        assert!(
            relayed.starts_with("1001 Dana: Thanks. Is it [redacted]"),
            "{relayed}"
        );
        // The ways people write them next to each other.
        for text in [
            "DOB 4/5/1990 123-45-6789",
            "dob: 4/5/1990, ssn 123 45 6789",
            "d.o.b. 04/05/1990; social 123456789",
            "Date of birth 1990-04-05 SSN:123-45-6789",
        ] {
            svc.text(RIVERA, text).await;
            assert_clean("a relayed text", &svc.last_text_to(DANA));
        }
        // The reason a case manager gives a hand-off back is redacted where it is
        // kept (the event log, checked below); the officer hears no reason.
        svc.text(
            DANA,
            "CANCEL 1001 he is not 4/5/1990 123-45-6789, wrong person",
        )
        .await;
        let given_back = svc.last_text_to(RIVERA);
        assert!(
            given_back.starts_with("Dana cannot come to 1001 after all."),
            "{given_back}"
        );
        // An officer's cancel reason reaches whoever took it over, redacted.
        svc.text(LEE, "Y1001").await;
        svc.text(
            RIVERA,
            "CANCEL 1001 he is not 4/5/1990 123-45-6789, wrong person",
        )
        .await;
        let cancelled = svc.last_text_to(LEE);
        assert!(
            cancelled.starts_with("The officer cancelled 1001: he is not [redacted]"),
            "{cancelled}"
        );

        for phone in [DANA, LEE, RIVERA] {
            assert_clean(
                &format!("the texts to {phone}"),
                &svc.texts_to(phone).join("\n"),
            );
        }

        // What is stored: the hand-off, its events and every outbox row.
        let stored = svc.handoff(1001).await;
        let json = serde_json::to_string(&stored).unwrap_or_else(|e| panic!("{e}"));
        assert_clean("the stored hand-off", &json);
        let events = serde_json::to_string(&svc.events().await).unwrap_or_else(|e| panic!("{e}"));
        assert_clean("the event log", &events);
        let outbox = svc.outbox().await;
        assert!(outbox.len() >= 10, "{outbox:#?}");
        for row in &outbox {
            let json = serde_json::to_string(&row.message).unwrap_or_else(|e| panic!("{e}"));
            assert_clean("an outbox row", &json);
        }
        svc.stop().await;

        // And the database file as a whole, write-ahead log included.
        if let Some(file) = file {
            let bytes = database_bytes(&file);
            assert!(bytes.contains("[redacted]"), "not the database file");
            for identifier in [
                "4/5/1990",
                "1990-04-05",
                "123-45-6789",
                "45-6789",
                "45 6789",
                "123456789",
            ] {
                assert!(!bytes.contains(identifier), "{identifier} is in {file:?}");
            }
        }
    })
    .await;
}

#[tokio::test]
async fn no_offer_ever_carries_an_officers_or_a_case_managers_phone_number() {
    let mut offers = Vec::new();
    // On a weekday: the case managers, then the supervisor.
    let svc = Service::start(MONDAY).await;
    svc.text(RIVERA, "LEAD 5th & Main, retail theft").await;
    svc.text(CHEN, "REFER Pine St shelter, asked for help")
        .await;
    svc.advance(minutes(5)).await;
    // On a Sunday: the coordinator on call.
    let sunday = Service::start(SUNDAY).await;
    sunday.text(CHEN, "LEAD Penn Ave & 9th, trespass").await;
    for sent in svc.sent().into_iter().chain(sunday.sent()) {
        if sent.body.starts_with("LEAD ") {
            offers.push(sent);
        }
    }
    let people: Vec<&str> = offers.iter().map(|m| m.to.as_str()).collect();
    for person in [DANA, LEE, ROSA, SAM] {
        assert!(people.contains(&person), "{person} was offered nothing");
    }
    assert_eq!(offers.len(), 7, "{offers:#?}");
    for offer in &offers {
        for phone in ROSTER {
            assert!(
                !shows_phone(&offer.body, phone),
                "{phone} in an offer: {}",
                offer.body
            );
        }
    }
    // The stored offers have no field for one.
    for row in svc.outbox().await {
        if let Message::Offer { .. } = &row.message {
            let json = serde_json::to_string(&row.message).unwrap_or_else(|e| panic!("{e}"));
            for phone in ROSTER {
                assert!(!shows_phone(&json, phone), "{phone} in {json}");
            }
        }
    }
    svc.stop().await;
    sunday.stop().await;
}

#[tokio::test]
async fn every_text_sent_is_gsm7_and_every_offer_fits_one_segment() {
    let svc = Service::start(MONDAY).await;
    let long_place = format!(
        "Café “Le Marché” — 5th & Main 🚓, behind the bus shelter, {}",
        "near the blue dumpster… ".repeat(12)
    );
    svc.text(RIVERA, &format!("LEAD {long_place}")).await;
    svc.text(CHEN, "REFER Ünïcödé Straße – “quoted” ’n’ emoji 👍🏽, ok")
        .await;
    svc.text(DANA, "Y1001").await;
    svc.text(DANA, "ETA 90").await;
    svc.text(RIVERA, "He’s calm 😊 — “ready” at the café…")
        .await;
    svc.text(DANA, "On my way ✅ parking by the ‘Marché’ sign")
        .await;
    svc.text(LEE, "N1002 «busy» 🙏").await;
    for (phone, text) in [
        (RIVERA, "STATUS"),
        (RIVERA, "HELP"),
        (DANA, "WHO"),
        (DANA, "HELP"),
        (DANA, "ETA soon"),
        (CHEN, "CANCEL 1002 he walked off ‘quickly’"),
        (RIVERA, "+14125550199 called?"),
    ] {
        svc.text(phone, text).await;
    }
    svc.text("+14125550199", "who is this? 🤔").await;
    svc.advance(minutes(15)).await;
    // The rest of the day: escalation and alerts for another request.
    svc.text(CHEN, "LEAD Ünïcödé Straße 12 — “Penn” 🚓").await;
    svc.advance(minutes(15)).await;
    // A Sunday's after-hours texts.
    let sunday = Service::start(SUNDAY).await;
    sunday.text(RIVERA, &format!("LEAD {long_place}")).await;
    sunday.advance(minutes(5)).await;

    let sent: Vec<_> = svc.sent().into_iter().chain(sunday.sent()).collect();
    assert!(sent.len() >= 25, "{sent:#?}");
    let mut offers = 0;
    for message in &sent {
        assert!(is_gsm7(&message.body), "not GSM-7: {:?}", message.body);
        if message.body.starts_with("LEAD ") {
            offers += 1;
            assert!(
                septets(&message.body) <= 160,
                "{} septets: {}",
                septets(&message.body),
                message.body
            );
            assert!(message.body.contains(". Reply Y"), "{}", message.body);
        }
    }
    assert!(offers >= 7, "{offers} offers");
    // The long place was shortened, not the reply codes.
    let offer = svc.texts_to(DANA)[0].clone();
    assert!(
        offer.starts_with("LEAD 1001: arrest diversion at Café \"Le Marché\" - 5th & Main ?,"),
        "{offer}"
    );
    assert!(
        offer.contains("..., Ofc. Rivera (Metro PD). Reply Y1001 to take it, N1001 to pass."),
        "{offer}"
    );
    svc.stop().await;
    sunday.stop().await;
}

/// Words a hand-off carries that retention must forget: its location, what was
/// relayed both ways, and the note given when it closed without a diversion.
const WORDS: [&str; 4] = [
    "blue tent behind the library",
    "he is calm now",
    "parking on Liberty",
    "went back inside",
];

#[tokio::test]
async fn after_the_retention_period_a_hand_offs_words_are_gone_and_its_timings_stay() {
    on_sqlite_file_and_postgres(async |database, file| {
        let svc = Service::start_with(PROGRAM, MONDAY, database).await;
        svc.text(RIVERA, "LEAD blue tent behind the library").await;
        svc.advance(minutes(3)).await;
        svc.text(DANA, "Y1001").await;
        svc.text(RIVERA, "he is calm now").await;
        svc.text(DANA, "parking on Liberty").await;
        svc.advance(minutes(12)).await;
        svc.text(DANA, "ARRIVED").await;
        svc.text(DANA, "NOTDIVERTED 1001 left went back inside")
            .await;
        let timings = stats::metrics(&svc.events().await);
        let count = svc.events().await.len();

        // A day short of the program's 90 days: nothing is forgotten yet.
        svc.advance(Duration::days(89)).await;
        let done = svc.running.forget().await.unwrap();
        assert_eq!(done.handoffs, 0);
        assert_eq!(
            svc.handoff(1001).await.request.location,
            "blue tent behind the library"
        );

        // Ninety days and a minute after it closed: its words go.
        svc.advance(Duration::days(1) + minutes(1)).await;
        let done = svc.running.forget().await.unwrap();
        assert_eq!(done.handoffs, 1);
        let stored = svc.handoff(1001).await;
        assert_eq!(stored.request.location, "[expired]");
        assert!(
            svc.outbox().await.is_empty(),
            "every text of it was delivered, and is gone"
        );
        let events = svc.events().await;
        assert_eq!(events.len(), count, "no event is lost");
        assert_eq!(stats::metrics(&events), timings, "every timing stays");
        let json = serde_json::to_string(&(&stored, &events)).unwrap();
        for words in WORDS {
            assert!(!json.contains(words), "{words:?} is still stored");
        }
        svc.stop().await;

        if let Some(file) = file {
            let bytes = database_bytes(&file);
            for words in WORDS {
                assert!(
                    !bytes.contains(words),
                    "{words:?} is still in the database file"
                );
            }
        }
    })
    .await;
}

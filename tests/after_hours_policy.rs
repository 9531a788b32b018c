//! The hours a program keeps: a site may name its own escalation policy for
//! requests made while it is closed, and failures at night (nobody took a request)
//! wait for the digest texted when the site opens, unless the program asks for
//! alerts at any hour. Also: an officer who works for two agencies names the one a
//! request goes out for. The journey program's site opens Mon-Fri 08:00-24:00 New
//! York; these journeys start on a Sunday at 10:00.
//!
//! Each journey runs on SQLite, and again on PostgreSQL when `DATABASE_URL` names a
//! server.

use chrono::Duration;
use handoff_dispatcher::EventKind;
use handoff_tests::database::on_every_database;
use handoff_tests::journey::{REQUEST, SUNDAY, minutes};
use handoff_tests::service::{DANA, LEE, PROGRAM, RIVERA, ROSA, SAM, Service, TERRY};

/// The journey program with `extra` added to its `[program]` table and `site`
/// lines added to its site.
fn program(extra: &str, site: &str) -> String {
    let head = "[program]\nname = \"Journey LEAD\"\n";
    let hours = "hours = [{ days = \"mon-fri\", start = \"08:00\", end = \"24:00\" }]\n";
    assert!(PROGRAM.contains(head) && PROGRAM.contains(hours));
    PROGRAM
        .replace(head, &format!("{head}{extra}\n"))
        .replace(hours, &format!("{hours}{site}\n"))
}

/// A night policy that asks the supervisor, Rosa, for fifteen minutes.
const NIGHT_POLICY: &str = "\n[[escalation_policies]]\nid = \"night\"\nsteps = [\n  { who = [\"rosa\"], strategy = \"broadcast\", timeout = \"15m\" },\n]\n";

#[tokio::test]
async fn a_site_with_its_own_after_hours_policy_asks_who_it_names_instead_of_the_coordinator() {
    on_every_database(async |database| {
        let text = format!(
            "{}{NIGHT_POLICY}",
            program("", "after_hours_escalation = \"night\"")
        );
        let svc = Service::start_with(&text, SUNDAY, database).await;
        svc.text(RIVERA, REQUEST).await;
        assert!(svc.texts_to(SAM).is_empty(), "the coordinator was asked");
        assert_eq!(svc.texts_to(ROSA).len(), 1);
        assert!(svc.texts_to(ROSA)[0].contains("Y1001"));
        let offered: Vec<String> = svc
            .events()
            .await
            .iter()
            .filter_map(|e| match &e.kind {
                EventKind::Offered { person, .. } => Some(person.to_string()),
                _ => None,
            })
            .collect();
        assert_eq!(offered, ["rosa"]);
        // The night policy's own timeout, not the daytime one's five minutes.
        svc.advance(minutes(14)).await;
        assert_eq!(svc.texts_to(RIVERA).len(), 1, "{:?}", svc.texts_to(RIVERA));
        svc.advance(minutes(1)).await;
        assert!(
            svc.last_text_to(RIVERA).contains("nobody could be reached"),
            "{}",
            svc.last_text_to(RIVERA)
        );
        svc.stop().await;
    })
    .await;
}

#[tokio::test]
async fn nobody_is_alerted_at_night_and_the_opening_digest_brings_the_request_nobody_took() {
    on_every_database(async |database| {
        let svc = Service::start_with(PROGRAM, SUNDAY, database).await;
        svc.text(RIVERA, REQUEST).await;
        // Sam, on call, does not answer; the daytime steps find nobody on duty.
        svc.advance(minutes(5)).await;
        assert!(svc.last_text_to(RIVERA).contains("nobody could be reached"));
        for nobody in [ROSA, TERRY, DANA, LEE] {
            assert!(
                svc.texts_to(nobody).is_empty(),
                "{nobody} was texted at night"
            );
        }
        // Monday 08:00: the site opens and its staff on duty get the digest.
        svc.advance(Duration::hours(22) - minutes(5)).await;
        for told in [DANA, LEE, ROSA, TERRY] {
            let texts = svc.texts_to(told);
            assert_eq!(texts.len(), 1, "{told}: {texts:?}");
            assert!(texts[0].contains("1001"), "{told}: {}", texts[0]);
        }
        // Once per opening.
        svc.advance(minutes(30)).await;
        assert_eq!(svc.texts_to(DANA).len(), 1);
        svc.stop().await;
    })
    .await;
}

#[tokio::test]
async fn with_after_hours_alerts_the_project_manager_on_duty_hears_at_once() {
    on_every_database(async |database| {
        let text = program("after_hours_alerts = true", "");
        let svc = Service::start_with(&text, SUNDAY, database).await;
        svc.text(RIVERA, REQUEST).await;
        svc.advance(minutes(5)).await;
        // Terry is always on duty; Rosa, off duty, is not woken while he is.
        let texts = svc.texts_to(TERRY);
        assert_eq!(texts.len(), 1, "{texts:?}");
        assert!(texts[0].contains("1001"), "{}", texts[0]);
        assert!(svc.texts_to(ROSA).is_empty());
        svc.stop().await;
    })
    .await;
}

#[tokio::test]
async fn an_officer_of_two_agencies_names_the_one_a_request_goes_out_for() {
    on_every_database(async |database| {
        let county = "\n[[agencies]]\nid = \"county\"\nname = \"County Sheriff\"\nsites = [\"metro\"]\nofficers = []\n";
        let rivera = "{ id = \"rivera\", name = \"Ana Rivera\", rank = \"Ofc.\", phone = \"+1 412 555 0101\" }";
        assert!(PROGRAM.contains(rivera));
        let text = PROGRAM.replace(
            rivera,
            "{ id = \"rivera\", name = \"Ana Rivera\", rank = \"Ofc.\", phone = \"+1 412 555 0101\", other_agencies = [\"county\"] }",
        ) + county;
        let svc = Service::start_with(&text, handoff_tests::journey::MONDAY, database).await;
        svc.text(RIVERA, "LEAD County Sheriff, 5th & Main").await;
        svc.text(RIVERA, "LEAD 7th & Pine").await;
        let agencies: Vec<String> = svc
            .events()
            .await
            .iter()
            .filter_map(|e| match &e.kind {
                EventKind::Requested { agency, .. } => Some(agency.to_string()),
                _ => None,
            })
            .collect();
        assert_eq!(agencies, ["county", "metro-pd"]);
        // The agency's name is not part of the place the case managers read.
        assert_eq!(svc.handoff(1001).await.request.location, "5th & Main");
        svc.stop().await;
    })
    .await;
}

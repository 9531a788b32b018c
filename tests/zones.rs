//! Zones from outside: an officer who names a zone in a request, or who works one,
//! has the case managers serving it offered the hand-off first, and the others
//! when that round is over; a request naming no zone goes to everyone on duty.

use handoff_tests::journey::{MONDAY, REQUEST, minutes};
use handoff_tests::service::{CHEN, DANA, LEE, PROGRAM, RIVERA, Service};

fn offered(svc: &Service, phone: &str, id: u32) -> bool {
    svc.texts_to(phone)
        .iter()
        .any(|t| t.starts_with(&format!("LEAD {id}: ")))
}

#[tokio::test]
async fn a_request_naming_a_zone_goes_to_its_case_manager_first_then_to_the_rest() {
    let svc = Service::start_with(PROGRAM, MONDAY, None).await;
    svc.text(RIVERA, "LEAD North side, Federal St & North Ave")
        .await;
    assert!(offered(&svc, DANA, 1001), "dana serves the north");
    assert!(!offered(&svc, LEE, 1001), "lee waits for the next round");
    assert_eq!(
        svc.handoff(1001).await.request.zone.map(|z| z.to_string()),
        Some("north".to_owned())
    );

    // Dana passes: Lee is asked at once.
    svc.text(DANA, "N1001").await;
    assert!(offered(&svc, LEE, 1001));
    svc.stop().await;
}

/// The journey program with Sgt. Chen working the south zone.
fn chen_in_the_south() -> String {
    let chen = r#"phone = "+1 412 555 0102" }"#;
    assert!(PROGRAM.contains(chen));
    PROGRAM.replace(chen, r#"phone = "+1 412 555 0102", zone = "south" }"#)
}

#[tokio::test]
async fn an_officer_who_works_a_zone_has_it_preferred_when_the_request_names_none() {
    let svc = Service::start_with(&chen_in_the_south(), MONDAY, None).await;
    svc.text(CHEN, REQUEST).await;
    assert!(
        offered(&svc, LEE, 1001),
        "chen works the south zone, lee serves it"
    );
    assert!(!offered(&svc, DANA, 1001));
    // Nobody answers in five minutes: the rest of the case managers are asked.
    svc.advance(minutes(5)).await;
    assert!(offered(&svc, DANA, 1001));

    // A request without a zone, from an officer without one: everyone at once.
    svc.text(RIVERA, REQUEST).await;
    assert!(offered(&svc, DANA, 1002) && offered(&svc, LEE, 1002));
    svc.stop().await;
}

//! Reloading the configuration while serving: a case manager added to the file is
//! offered the next request and can answer from her phone at once; one taken off
//! is offered nothing more; what needs a restart is said to need one.

use handoff_bot::reload;
use handoff_tests::journey::{MONDAY, REQUEST};
use handoff_tests::service::{DANA, LEE, PROGRAM, RIVERA, Service, journey_config};

const KIM: &str = "+14125550118";

/// The journey program with Kim added as a case manager on the weekday shift and
/// Lee's shift taken away.
fn kim_instead_of_lee() -> String {
    let lee_shift = "[[shifts]]\nperson = \"lee\"\n";
    assert!(PROGRAM.contains(lee_shift));
    PROGRAM.replace(
        lee_shift,
        "[[people]]\nid = \"kim\"\nname = \"Kim Novak\"\nroles = [\"case_manager\"]\n\
         phone = \"+1 412 555 0118\"\n\n[[shifts]]\nperson = \"kim\"\n",
    )
}

#[tokio::test]
async fn after_a_reload_the_new_roster_is_offered_requests_and_recognised_by_phone() {
    let svc = Service::start_with(PROGRAM, MONDAY, None).await;
    // Before: Kim's number is a stranger's.
    svc.text(KIM, "HELP").await;
    assert_eq!(svc.texts_to(KIM).len(), 1);
    assert!(
        svc.last_text_to(KIM).contains("not registered"),
        "{}",
        svc.last_text_to(KIM)
    );

    let new = journey_config(&kim_instead_of_lee(), &svc.fake);
    let needs_restart = reload::apply(&svc.running.engine, &svc.config, &new);
    assert!(needs_restart.is_empty(), "{needs_restart:?}");

    svc.text(RIVERA, REQUEST).await;
    assert!(svc.last_text_to(DANA).starts_with("LEAD 1001: "));
    assert!(svc.last_text_to(KIM).starts_with("LEAD 1001: "));
    assert!(
        svc.texts_to(LEE).is_empty(),
        "Lee is off the roster's shifts"
    );
    svc.text(KIM, "Y1001").await;
    assert_eq!(
        svc.last_text_to(RIVERA),
        "Kim (case manager) is taking 1001."
    );
    svc.stop().await;
}

#[tokio::test]
async fn what_only_a_restart_applies_is_named() {
    let svc = Service::start_with(PROGRAM, MONDAY, None).await;
    let mut new = svc.config.clone();
    new.server.listen = ([127, 0, 0, 1], 9999).into();
    new.program.message_retention = std::time::Duration::from_secs(7 * 86_400);
    let needs_restart = reload::apply(&svc.running.engine, &svc.config, &new);
    assert_eq!(
        needs_restart,
        [
            "[server] (listen, public_url, database, client_timeout, sender limits)",
            "program.message_retention"
        ]
    );
    svc.stop().await;
}

#[tokio::test]
async fn a_file_that_drops_a_site_with_open_hand_offs_is_refused() {
    let svc = Service::start_with(PROGRAM, MONDAY, None).await;
    svc.text(RIVERA, REQUEST).await;
    let renamed = PROGRAM
        .replace("id = \"metro\"", "id = \"downtown\"")
        .replace("sites = [\"metro\"]", "sites = [\"downtown\"]");
    let new = journey_config(&renamed, &svc.fake);
    let conflicts = reload::conflicts(&svc.running.engine, &new).await.unwrap();
    assert_eq!(
        conflicts,
        [
            "site `metro` is gone from the file but hand-offs 1001 are open there: \
          keep it until they close"
        ]
    );
    // Once it is closed, the same file is fine.
    svc.text(RIVERA, "CANCEL 1001").await;
    assert!(
        reload::conflicts(&svc.running.engine, &new)
            .await
            .unwrap()
            .is_empty()
    );
    svc.stop().await;
}

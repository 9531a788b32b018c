//! A drop-off at a diversion center, end to end by SMS through the fake Twilio: the
//! officer's receipt offers the open center, the officer takes the person there
//! (`DROPOFF 1001`) after a case manager had accepted, so she is released and the
//! center's staff are told; the center's staff check the person in (`CHECKIN`),
//! which is the hand-off's arrival. Around it: a center at capacity is refused and
//! not offered, someone who is not the center's staff cannot check in, and the
//! reports count the drop-off apart from field meets. And when nobody answers,
//! the text that says so offers the center; a bare `DROPOFF` reopens the request,
//! and a drop-off nobody checks in within the center's time is told to its staff
//! and the supervisor, and still takes a late `CHECKIN`.
//!
//! Each journey runs on SQLite, and again on PostgreSQL when `DATABASE_URL` names a
//! server; the reports are read with the command line, as a project manager would.

use std::collections::BTreeMap;

use handoff_bot::render::{SEGMENT, septets};
use handoff_dispatcher::{EventKind, State};
use handoff_tests::at;
use handoff_tests::cli::{handoff_row, program_file_of, report_rows};
use handoff_tests::database::on_every_database;
use handoff_tests::journey::{MONDAY, REQUEST, minutes};
use handoff_tests::service::{CHEN, DANA, LEE, PROGRAM, RIVERA, ROSA, Service};

/// Jo works at the Stabilization Center, open 07:00 to 01:00 every day (past
/// midnight), with room for one person on the way at a time, and 30 minutes to
/// check a person in.
const JO: &str = "+14125550118";

fn program() -> String {
    let center = r#"
[[sites.centers]]
id = "stab"
name = "Stabilization Ctr"
address = "12 Penn Ave"
hours = [{ days = "daily", start = "07:00", end = "01:00" }]
capacity = 1
check_in_within = "30m"
staff = ["jo"]

"#;
    let jo = r#"
[[people]]
id = "jo"
name = "Jo Bauer"
roles = ["center"]
phone = "+1 412 555 0118"
"#;
    format!(
        "{}{jo}",
        PROGRAM.replacen("[[agencies]]", &format!("{center}[[agencies]]"), 1)
    )
}

/// A report row of a hand-off that ended checked in at the Stabilization Center:
/// completed, its arrival the drop-off's check-in at `arrived_at`, `seconds`
/// after the request.
fn checked_in_at_stab(row: &BTreeMap<String, String>, arrived_at: &str, seconds: &str) {
    assert_eq!(row["outcome"], "completed", "{row:?}");
    assert_eq!(row["arrival"], "dropoff", "{row:?}");
    assert_eq!(row["center"], "stab", "{row:?}");
    assert_eq!(row["arrived_at"], arrived_at, "{row:?}");
    assert_eq!(row["time_to_arrival_seconds"], seconds, "{row:?}");
}

/// The receipt offers the center: to keep one segment, the longest the search
/// can take makes way for it.
const RECEIPT: &str = "Got it: hand-off 1001 (arrest diversion), 5th & Main, retail theft. \
                       Finding a case manager, or DROPOFF 1001 at Stabilization Ctr. Reply \
                       CANCEL 1001 to withdraw.";
const CHEN_RECEIPT: &str = "Got it: hand-off 1002 (arrest diversion), Penn Ave & 9th, trespass. \
                            Finding an on-duty case manager (at most 15 min). Reply CANCEL 1002 \
                            to withdraw.";

#[tokio::test]
async fn an_officer_drops_off_at_the_center_the_case_manager_is_released_and_jo_checks_in() {
    on_every_database(async |database| {
        let dir = tempfile::TempDir::new().unwrap();
        let url = database
            .unwrap_or_else(|| format!("sqlite://{}/handoff.db", dir.path().display()));
        let program = program();
        let svc = Service::start_with(&program, MONDAY, Some(url.clone())).await;

        // 10:00 Monday: the request. The receipt offers the open center, in one
        // segment.
        svc.text(RIVERA, REQUEST).await;
        assert_eq!(svc.texts_to(RIVERA), [RECEIPT]);
        assert!(septets(RECEIPT) <= SEGMENT);
        assert!(svc.texts_to(JO).is_empty(), "the center hears of requests only on a drop-off");

        // 10:02 Dana takes it; 10:05 the officer decides to take the person to the
        // center instead.
        svc.advance(minutes(2)).await;
        svc.text(DANA, "Y1001").await;
        svc.advance(minutes(3)).await;
        svc.text(RIVERA, "dropoff 1001").await;
        assert_eq!(
            svc.last_text_to(RIVERA),
            "1001: take them to Stabilization Ctr, 12 Penn Ave. Staff there are told. \
             Reply CANCEL 1001 to withdraw."
        );
        assert_eq!(
            svc.last_text_to(DANA),
            "1001: the officer is taking the person to Stabilization Ctr instead. You are \
             released; no need to go."
        );
        assert_eq!(
            svc.texts_to(JO),
            ["Drop-off 1001 at Stabilization Ctr: Ofc. Rivera (Metro PD), arrest diversion. \
              Reply CHECKIN 1001 when they arrive."]
        );
        assert_eq!(svc.texts_to(LEE).last().map(String::as_str), Some("1001 was taken by Dana."));
        assert!(svc.texts_to(ROSA).is_empty());
        assert!(matches!(
            &svc.handoff(1001).await.state,
            State::DroppingOff {
                center,
                overdue: false,
            } if center.as_str() == "stab"
        ));

        // 10:06 Chen's request: the center is full (one on the way), so his receipt
        // does not offer it, and his drop-off there is refused; the search goes on.
        svc.advance(minutes(1)).await;
        svc.text(CHEN, "LEAD Penn Ave & 9th, trespass").await;
        assert_eq!(svc.texts_to(CHEN), [CHEN_RECEIPT]);
        svc.text(CHEN, "DROPOFF 1002 Stabilization Ctr").await;
        assert_eq!(
            svc.last_text_to(CHEN),
            "1002: Stabilization Ctr is full. The search for a case manager goes on."
        );
        assert!(matches!(svc.handoff(1002).await.state, State::Offering { .. }));

        // 10:30 a case manager cannot check anyone in at the center; Jo can, with a
        // bare CHECKIN since one person is on the way to her center.
        svc.advance(minutes(24)).await;
        svc.text(DANA, "CHECKIN 1001").await;
        assert_eq!(
            svc.last_text_to(DANA),
            "1001 was dropped off at a center you are not staff of."
        );
        svc.text(JO, "CHECKIN").await;
        assert_eq!(svc.last_text_to(JO), "Checked in 1001. Thank you.");
        assert_eq!(
            svc.last_text_to(RIVERA),
            "1001: checked in at Stabilization Ctr by Jo. Thank you."
        );
        assert!(matches!(
            &svc.handoff(1001).await.state,
            State::CheckedIn { by, center } if by.as_str() == "jo" && center.as_str() == "stab"
        ));

        // There is room again: Chen's drop-off goes through now.
        svc.text(CHEN, "DROP OFF 1002").await;
        assert!(
            svc.last_text_to(CHEN).starts_with("1002: take them to Stabilization Ctr"),
            "{}",
            svc.last_text_to(CHEN)
        );
        assert_eq!(svc.last_text_to(DANA), "Offer 1002 is withdrawn; no need to reply.");

        // The event log of 1001 tells the story.
        let events: Vec<_> = svc
            .events()
            .await
            .into_iter()
            .filter(|e| e.handoff.get() == 1001)
            .collect();
        let kinds: Vec<&str> = events.iter().map(|e| e.kind.name()).collect();
        assert_eq!(
            kinds,
            [
                "requested",
                "step_started",
                "offered",
                "offered",
                "accepted",
                "dropped_off",
                "checked_in"
            ]
        );
        assert!(matches!(
            &events[6].kind,
            EventKind::CheckedIn { person, center } if person.as_str() == "jo" && center.as_str() == "stab"
        ));
        let later = at("2026-11-23T11:00:00-05:00");
        svc.advance(minutes(30)).await;
        svc.stop().await;

        // The report: 1001 arrived by drop-off at stab 30 minutes after the
        // request; the summary counts it apart from field meets.
        let config = program_file_of(dir.path(), &program);
        let row = handoff_row(&config, &url, later, 1001).await;
        checked_in_at_stab(&row, "2026-11-23T15:30:00Z", "1800");
        assert_eq!(row["accept_to_arrival_seconds"], "", "no travel by a case manager");
        let open = handoff_row(&config, &url, later, 1002).await;
        assert_eq!(open["outcome"], "open");
        assert_eq!(open["arrival"], "");
        assert_eq!(open["center"], "stab");
        let summary = report_rows(&config, &url, later, &["summary"]).await;
        assert_eq!(summary.len(), 1, "{summary:#?}");
        assert_eq!(summary[0]["arrival_count"], "1");
        assert_eq!(summary[0]["dropoffs"], "1");
        assert_eq!(summary[0]["field_meets"], "0");
    })
    .await;
}

#[tokio::test]
async fn nobody_answers_the_officer_drops_off_anyway_and_a_late_checkin_still_counts() {
    on_every_database(async |database| {
        let dir = tempfile::TempDir::new().unwrap();
        let url =
            database.unwrap_or_else(|| format!("sqlite://{}/handoff.db", dir.path().display()));
        let program = program();
        let svc = Service::start_with(&program, MONDAY, Some(url.clone())).await;

        // 10:00 the request; nobody answers: the case managers' five minutes and
        // the supervisor's ten run out at 10:15, and the text that says so offers
        // the open center.
        svc.text(RIVERA, REQUEST).await;
        svc.advance(minutes(5)).await;
        svc.advance(minutes(10)).await;
        assert_eq!(
            svc.last_text_to(RIVERA),
            "1001: nobody could be reached. Reply DROPOFF 1001 to take them to Stabilization \
             Ctr. Or proceed as you normally would."
        );
        assert_eq!(svc.handoff(1001).await.state, State::Unstaffed);

        // 10:20 a bare DROPOFF: the request that closed reopens as a drop-off.
        svc.advance(minutes(5)).await;
        svc.text(RIVERA, "DROPOFF").await;
        assert_eq!(
            svc.last_text_to(RIVERA),
            "1001: take them to Stabilization Ctr, 12 Penn Ave. Staff there are told. \
             Reply CANCEL 1001 to withdraw."
        );
        assert_eq!(svc.texts_to(JO).len(), 1, "{:?}", svc.texts_to(JO));
        assert!(svc.open_handoffs().await.iter().any(|h| h.id.get() == 1001));

        // 10:50 nobody has checked the person in: Jo and the supervisor on duty
        // are told, once.
        svc.advance(minutes(30)).await;
        let overdue = "1001: nobody checked in the drop-off at Stabilization Ctr from Ofc. \
                       Rivera within 30 min. Staff there: reply CHECKIN 1001 if they arrived.";
        assert_eq!(svc.last_text_to(JO), overdue);
        assert_eq!(svc.last_text_to(ROSA), overdue);
        svc.advance(minutes(5)).await;
        assert_eq!(svc.texts_to(JO).len(), 2, "{:?}", svc.texts_to(JO));
        assert!(matches!(
            svc.handoff(1001).await.state,
            State::DroppingOff { overdue: true, .. }
        ));

        // 11:00 Jo checks the person in after all: that is the arrival.
        svc.advance(minutes(5)).await;
        svc.text(JO, "CHECKIN 1001").await;
        assert_eq!(
            svc.last_text_to(RIVERA),
            "1001: checked in at Stabilization Ctr by Jo. Thank you."
        );
        let kinds: Vec<&str> = svc
            .events()
            .await
            .iter()
            .filter(|e| e.handoff.get() == 1001)
            .map(|e| e.kind.name())
            .filter(|k| ["unstaffed", "dropped_off", "check_in_overdue", "checked_in"].contains(k))
            .collect();
        assert_eq!(
            kinds,
            ["unstaffed", "dropped_off", "check_in_overdue", "checked_in"]
        );
        let later = at("2026-11-23T11:30:00-05:00");
        svc.advance(minutes(30)).await;
        svc.stop().await;

        let config = program_file_of(dir.path(), &program);
        let row = handoff_row(&config, &url, later, 1001).await;
        checked_in_at_stab(&row, "2026-11-23T16:00:00Z", "3600");
    })
    .await;
}

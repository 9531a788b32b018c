//! Voice journeys: an officer calls the program's number. The call opens the
//! hand-off as a text would (same event log, same response times), then rings the
//! people the escalation policy offered it to, one leg at a time in the policy's
//! order, each screened ("press 1 to take it"); the first to press 1 is connected.
//! When nobody takes it, the officer hears what happens next and the hand-off
//! goes on by text. A fake Twilio Voice provider (`support/fake_voice.rs`) plays the
//! phone network, and every TwiML document it receives is checked against Twilio's
//! documented verbs (`support/twiml_schema.rs`). Time moves on the mock clock.
//!
//! The journeys of an answered call run on SQLite, and again on PostgreSQL when
//! `DATABASE_URL` names a server. The database's failures are real ones: the
//! service's SQLite file write-locked by another connection (`BEGIN EXCLUSIVE`),
//! as in `database_faults.rs`; someone on the line then hears what to do, never a
//! provider's error message.

use handoff_dispatcher::call::{Leg, LegOutcome};
use handoff_dispatcher::{Channel, EventKind, State};
use handoff_tests::database::{connect, count, on_every_database};
use handoff_tests::fake_voice::{Call, FakeVoice, Pickup};
use handoff_tests::journey::{MONDAY, SUNDAY, minutes, seconds, shows_phone};
use handoff_tests::service::{
    DANA, LEE, PROGRAM, PROGRAM_NUMBER, RIVERA, ROSA, SAM, Service, TERRY,
};

/// Every staff and officer phone of the journey program.
const PHONES: [&str; 7] = [RIVERA, DANA, LEE, SAM, ROSA, TERRY, "+14125550102"];

/// No document the officer's call received shows a personal number, except as
/// the number a `<Number>` dials.
fn assert_numbers_private(call: &Call) {
    for document in &call.documents {
        let mut outside = document.clone();
        while let (Some(start), Some(end)) = (outside.find("<Number"), outside.find("</Number>")) {
            outside.replace_range(start..end + "</Number>".len(), "");
        }
        for phone in PHONES {
            assert!(!shows_phone(&outside, phone), "{phone} shows in {document}");
        }
    }
}

fn leg_ended(person: &str, leg: u32, outcome: LegOutcome) -> impl Fn(&EventKind) -> bool {
    move |kind| {
        matches!(kind, EventKind::LegEnded { person: p, leg: l, outcome: o }
            if p.as_str() == person && *l == Leg::new(leg) && *o == outcome)
    }
}

#[tokio::test]
async fn a_call_answered_on_the_first_leg_connects_the_case_manager_who_pressed_one() {
    on_every_database(async |database| {
        let svc = Service::start_with(PROGRAM, MONDAY, database).await;
        let voice = FakeVoice::new(&svc);
        let start = svc.now();

        let mut call = voice.call(RIVERA).await;
        assert!(
            call.heard[0].starts_with("Hand-off 1001 is open."),
            "{:?}",
            call.heard
        );
        assert_eq!(call.ringing(), Some(DANA));

        voice.pick_up(&mut call, Pickup::Press('1')).await;
        assert_eq!(call.connected.as_deref(), Some(DANA));
        assert!(call.ended);
        let leg = &call.legs[0];
        assert_eq!(leg.caller_id, PROGRAM_NUMBER);
        assert_eq!(leg.timeout_seconds, 20);
        assert!(
            leg.heard[0].starts_with(
                "Hand-off 1001 from Ofc. Rivera, Metro PD: arrest diversion at called in, \
             location to follow. Press 1 to take it"
            ),
            "{:?}",
            leg.heard
        );
        assert_eq!(
            leg.heard[1],
            "Hand-off 1001 is yours. Connecting you to the officer now."
        );
        assert_numbers_private(&call);

        // The same log as a texted request, with the call's legs beside it.
        assert_eq!(
            svc.event_kinds().await,
            [
                "requested",
                "step_started",
                "offered",
                "offered",
                "leg_dialed",
                "accepted",
                "leg_ended"
            ]
        );
        let events = svc.events().await;
        let accepted = &events[5];
        assert!(matches!(&accepted.kind,
        EventKind::Accepted { person, via: Some(Channel::Voice) } if person.as_str() == "dana"));
        // Picked up after 6 s: the response time, as a text accept would count it.
        assert_eq!(accepted.at - start, seconds(6));
        assert!(leg_ended("dana", 0, LegOutcome::Taken)(&events[6].kind));

        // The texts follow as for any request: the receipt, and who is coming.
        svc.settle().await;
        let officer = svc.texts_to(RIVERA);
        assert!(
            officer[0].starts_with("Got it: hand-off 1001"),
            "{officer:?}"
        );
        assert!(
            officer
                .iter()
                .any(|t| t.starts_with("Dana (case manager) is taking 1001")),
            "{officer:?}"
        );
        assert!(svc.last_text_to(LEE).contains("1001 was taken by Dana"));
        svc.stop().await;
    })
    .await;
}

#[tokio::test]
async fn a_call_nobody_takes_on_the_first_leg_rings_the_next_in_the_policys_order() {
    let svc = Service::start(MONDAY).await;
    let voice = FakeVoice::new(&svc);
    let start = svc.now();

    let mut call = voice.call(RIVERA).await;
    assert_eq!(call.ringing(), Some(DANA));
    voice.pick_up(&mut call, Pickup::NoAnswer).await;
    assert_eq!(call.ringing(), Some(LEE));
    assert!(!call.ended);
    voice.pick_up(&mut call, Pickup::Press('1')).await;
    assert_eq!(call.connected.as_deref(), Some(LEE));
    assert_eq!(call.legs[0].status, "no-answer");
    assert_numbers_private(&call);

    let events = svc.events().await;
    assert!(
        events
            .iter()
            .any(|e| leg_ended("dana", 0, LegOutcome::NoAnswer)(&e.kind))
    );
    assert!(
        events
            .iter()
            .any(|e| leg_ended("lee", 1, LegOutcome::Taken)(&e.kind))
    );
    let accepted = svc.events_named("accepted").await;
    // 20 s of ringing at Dana's, 6 s to pick up at Lee's.
    assert_eq!(accepted[0].at - start, seconds(26));
    assert_eq!(
        svc.handoff(1001)
            .await
            .state
            .assignee()
            .map(|p| p.as_str().to_owned()),
        Some("lee".to_owned())
    );
    // Dana's text offer was answered for her: taken by Lee.
    svc.settle().await;
    assert!(svc.last_text_to(DANA).contains("1001 was taken by Lee"));
    svc.stop().await;
}

#[tokio::test]
async fn when_nobody_takes_the_call_the_officer_hears_the_next_step_and_texts_carry_on() {
    let svc = Service::start(MONDAY).await;
    let voice = FakeVoice::new(&svc);

    let mut call = voice.call(RIVERA).await;
    voice.pick_up(&mut call, Pickup::NoAnswer).await;
    // Lee's voicemail answers: it presses nothing, so the leg is not connected.
    voice.pick_up(&mut call, Pickup::Voicemail).await;
    assert!(call.ended);
    assert_eq!(call.connected, None);
    assert!(
        call.legs[1]
            .heard
            .last()
            .is_some_and(|s| s.starts_with("Not taken."))
    );
    let last = call.heard.last().cloned().unwrap_or_default();
    assert!(
        last.starts_with("Nobody answered the phone. Hand-off 1001 stays open"),
        "{last}"
    );
    let events = svc.events().await;
    assert!(
        events
            .iter()
            .any(|e| leg_ended("lee", 1, LegOutcome::NotTaken)(&e.kind))
    );

    // The hand-off escalates by text as ever: Rosa at five minutes, and takes it.
    assert!(matches!(
        svc.handoff(1001).await.state,
        State::Offering { step: 0, .. }
    ));
    svc.advance(minutes(5)).await;
    assert!(svc.last_text_to(ROSA).starts_with("LEAD 1001"));
    svc.text(ROSA, "Y1001").await;
    assert!(
        svc.last_text_to(RIVERA)
            .starts_with("Rosa (supervisor) is taking 1001")
    );
    svc.stop().await;
}

#[tokio::test]
async fn an_officer_who_hangs_up_while_a_leg_rings_is_not_rung_for_and_texts_carry_on() {
    let svc = Service::start(MONDAY).await;
    let voice = FakeVoice::new(&svc);
    let mut call = voice.call(RIVERA).await;
    voice.pick_up(&mut call, Pickup::CallerHangsUp).await;
    assert!(call.ended && call.legs.len() == 1);
    let events = svc.events().await;
    assert!(
        events
            .iter()
            .any(|e| leg_ended("dana", 0, LegOutcome::Abandoned)(&e.kind))
    );
    assert_eq!(svc.events_named("leg_dialed").await.len(), 1);
    // The offers stand: Lee takes it by text.
    svc.text(LEE, "Y1001").await;
    assert!(
        svc.last_text_to(RIVERA)
            .starts_with("Lee (case manager) is taking 1001")
    );
    svc.stop().await;
}

#[tokio::test]
async fn out_of_hours_the_call_rings_whoever_is_on_call_and_says_when_the_program_opens() {
    let svc = Service::start(SUNDAY).await;
    let voice = FakeVoice::new(&svc);
    let mut call = voice.call(RIVERA).await;
    assert_eq!(call.ringing(), Some(SAM));
    voice.pick_up(&mut call, Pickup::Busy).await;
    let last = call.heard.last().cloned().unwrap_or_default();
    assert!(
        last.starts_with(
            "Nobody answered the phone. Case management is closed. It opens Monday at 8:00 AM. \
             Hand-off 1001 stays open"
        ),
        "{last}"
    );
    assert!(
        svc.events()
            .await
            .iter()
            .any(|e| leg_ended("sam", 0, LegOutcome::Busy)(&e.kind))
    );
    svc.stop().await;

    // With nobody on call, there is nobody to ring: the officer hears it at once.
    let shift = "[[shifts]]\nperson = \"sam\"\nwhen = \"closed\"\n";
    assert!(PROGRAM.contains(shift));
    let svc = Service::start_with(&PROGRAM.replace(shift, ""), SUNDAY, None).await;
    let voice = FakeVoice::new(&svc);
    let call = voice.call(RIVERA).await;
    assert!(call.ended && call.legs.is_empty());
    assert_eq!(
        call.heard,
        [
            "Case management is closed and nobody is on call. It opens Monday at 8:00 AM. \
          To refer this person for follow-up, text REFER with the place and notes. Goodbye."
        ]
    );
    assert_eq!(svc.event_kinds().await, ["requested", "out_of_hours"]);
    svc.stop().await;

    // A diversion center open on Sunday morning: the officer hears how to take
    // the person there, and the text that follows offers it by name.
    let center = "[[sites.centers]]\nid = \"stab\"\nname = \"Stabilization Ctr\"\n\
                  address = \"12 Penn Ave\"\n\
                  hours = [{ days = \"daily\", start = \"00:00\", end = \"24:00\" }]\n\n";
    let program =
        PROGRAM
            .replace(shift, "")
            .replacen("[[agencies]]", &format!("{center}[[agencies]]"), 1);
    let svc = Service::start_with(&program, SUNDAY, None).await;
    let voice = FakeVoice::new(&svc);
    let call = voice.call(RIVERA).await;
    assert_eq!(
        call.heard,
        [
            "Case management is closed and nobody is on call. It opens Monday at 8:00 AM. \
          A diversion center is open now: to take the person there, text DROPOFF 1001. \
          To refer this person for follow-up, text REFER with the place and notes. Goodbye."
        ]
    );
    svc.settle().await;
    assert!(
        svc.last_text_to(RIVERA)
            .contains("DROPOFF 1001 for Stabilization Ctr"),
        "{}",
        svc.last_text_to(RIVERA)
    );
    svc.text(RIVERA, "DROPOFF 1001").await;
    assert!(matches!(
        svc.handoff(1001).await.state,
        State::DroppingOff { .. }
    ));
    svc.stop().await;
}

#[tokio::test]
async fn a_text_accept_while_a_leg_rings_ends_the_dialing_with_who_took_it() {
    on_every_database(async |database| {
        let svc = Service::start_with(PROGRAM, MONDAY, database).await;
        let voice = FakeVoice::new(&svc);
        let mut call = voice.call(RIVERA).await;
        assert_eq!(call.ringing(), Some(DANA));
        svc.text(LEE, "Y1001").await;
        // Dana picks up and presses 1, too late: one winner.
        voice.pick_up(&mut call, Pickup::Press('1')).await;
        assert_eq!(call.connected, None);
        assert!(
            call.legs[0]
                .heard
                .iter()
                .any(|s| s.contains("already been taken")),
            "{:?}",
            call.legs[0].heard
        );
        assert_eq!(
            call.heard.last().map(String::as_str),
            Some("Lee is taking hand-off 1001. Details follow by text. Goodbye.")
        );
        assert!(call.ended);
        let accepted = svc.events_named("accepted").await;
        assert_eq!(accepted.len(), 1);
        assert!(matches!(&accepted[0].kind,
        EventKind::Accepted { person, via: Some(Channel::Sms) } if person.as_str() == "lee"));
        svc.stop().await;
    })
    .await;
}

#[tokio::test]
async fn a_retried_call_webhook_opens_nothing_twice_and_strangers_hear_a_refusal() {
    let svc = Service::start(MONDAY).await;
    let voice = FakeVoice::new(&svc);
    let sid = "CA0000000000000000000000000000beef";
    voice.call_with_sid(RIVERA, sid).await;
    let again = voice.call_with_sid(RIVERA, sid).await;
    assert_eq!(again.ringing(), Some(DANA));
    assert_eq!(svc.events_named("requested").await.len(), 1);
    assert_eq!(svc.open_handoffs().await.len(), 1);

    let stranger = voice.call("+14125550199").await;
    assert!(stranger.ended && stranger.legs.is_empty());
    assert!(
        stranger.heard[0].contains("not registered with Journey LEAD"),
        "{:?}",
        stranger.heard
    );
    assert_eq!(svc.open_handoffs().await.len(), 1);
    svc.stop().await;
}

#[tokio::test]
async fn voice_webhooks_with_a_wrong_signature_or_a_bad_callback_url_are_refused() {
    let svc = Service::start(MONDAY).await;
    let params: Vec<(String, String)> = [
        ("CallSid", "CA01"),
        ("From", RIVERA),
        ("To", PROGRAM_NUMBER),
    ]
    .iter()
    .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
    .collect();
    for path in [
        "/voice/inbound",
        "/voice/leg?handoff=1001&leg=0",
        "/voice/answer?handoff=1001&leg=0",
    ] {
        let (status, _) = svc
            .fake
            .post_form(&svc.url(path), &params, Some("AAAA"))
            .await;
        assert_eq!(status, 403, "{path}");
    }
    let voice = FakeVoice::new(&svc);
    voice.call(RIVERA).await;
    // Signed, but naming more than a hand-off and a leg.
    let url = svc.url("/voice/screen?handoff=1001&leg=0&to=%2B14125550113");
    let (status, _) = voice.post(&url, &[("CallSid", "CA02")]).await;
    assert_eq!(status, 400);
    // A leg the hand-off has no offer for.
    let (status, _) = voice
        .post(
            &svc.url("/voice/screen?handoff=1001&leg=9"),
            &[("CallSid", "CA02")],
        )
        .await;
    assert_eq!(status, 400);
    assert!(svc.events_named("accepted").await.is_empty());
    svc.stop().await;
}

/// The service on a SQLite file of its own, and a connection to that file to
/// take its write lock with.
async fn on_a_lockable_database() -> (Service, sqlx::AnyConnection, tempfile::TempDir) {
    let dir = tempfile::TempDir::new().unwrap_or_else(|e| panic!("a temporary directory: {e}"));
    let database = format!("sqlite://{}/handoff.db", dir.path().display());
    let svc = Service::start_with(PROGRAM, MONDAY, Some(database.clone())).await;
    let holder = connect(&database).await;
    (svc, holder, dir)
}

/// Runs `sql` on the lock holder's connection.
async fn on_holder(holder: &mut sqlx::AnyConnection, sql: &'static str) {
    sqlx::raw_sql(sql)
        .execute(holder)
        .await
        .unwrap_or_else(|e| panic!("{sql}: {e}"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_call_the_locked_database_cannot_take_is_asked_to_text_instead_and_opens_nothing() {
    let (svc, mut holder, _dir) = on_a_lockable_database().await;
    let voice = FakeVoice::new(&svc);
    on_holder(&mut holder, "BEGIN EXCLUSIVE").await;
    // The fake takes only a 200 with valid TwiML: no error status reaches Twilio.
    let call = voice.call(RIVERA).await;
    assert!(call.ended && call.legs.is_empty());
    assert_eq!(call.heard.len(), 1, "{:?}", call.heard);
    assert_eq!(
        call.heard[0],
        "Sorry, we cannot take calls right now. Please text your request to this number. \
         Goodbye."
    );
    assert_eq!(count(&mut holder, "SELECT COUNT(*) FROM handoffs").await, 0);
    on_holder(&mut holder, "ROLLBACK").await;

    // Once the database takes writes again, a call opens the hand-off and rings.
    let call = voice.call(RIVERA).await;
    assert!(
        call.heard[0].starts_with("Hand-off 1001 is open."),
        "{:?}",
        call.heard
    );
    assert_eq!(call.ringing(), Some(DANA));
    svc.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn when_the_database_locks_during_a_leg_the_case_manager_hears_to_text_and_the_officer_that_texts_follow()
 {
    let (svc, mut holder, _dir) = on_a_lockable_database().await;
    let voice = FakeVoice::new(&svc);
    let mut call = voice.call(RIVERA).await;
    assert_eq!(call.ringing(), Some(DANA));
    on_holder(&mut holder, "BEGIN EXCLUSIVE").await;
    // Dana answers (the screening only reads) and presses 1: her accept cannot be
    // written, so she is not connected and hears how to take it by text; then the
    // leg's end cannot be logged, and the officer hears that texts follow.
    voice.pick_up(&mut call, Pickup::Press('1')).await;
    assert_eq!(call.connected, None);
    assert_eq!(
        call.legs[0].heard.last().map(String::as_str),
        Some(
            "Sorry, the hand-off line is having trouble and cannot connect this call. \
             To take hand-off 1001, text Y1001. Goodbye."
        )
    );
    assert_eq!(
        call.heard.last().map(String::as_str),
        Some(
            "Sorry, the hand-off line is having trouble and cannot go on with this call. \
             Hand-off 1001 is open; texts about it will follow. Goodbye."
        )
    );
    assert!(call.ended);
    on_holder(&mut holder, "ROLLBACK").await;

    // Nothing of the press was kept; the offers stand, and Dana takes it by text.
    assert!(svc.events_named("accepted").await.is_empty());
    assert!(svc.events_named("leg_ended").await.is_empty());
    svc.text(DANA, "Y1001").await;
    assert!(
        svc.last_text_to(RIVERA)
            .starts_with("Dana (case manager) is taking 1001")
    );
    svc.stop().await;
}

#[tokio::test]
async fn a_signed_callback_about_a_hand_off_the_database_does_not_hold_is_answered_in_words() {
    let svc = Service::start(MONDAY).await;
    let voice = FakeVoice::new(&svc);
    for path in ["/voice/leg", "/voice/screen", "/voice/answer"] {
        let url = svc.url(&format!("{path}?handoff=4242&leg=0"));
        let (status, body) = voice
            .post(
                &url,
                &[("CallSid", "CA02"), ("DialCallStatus", "no-answer")],
            )
            .await;
        assert_eq!(status, 200, "{path}: {body}");
        assert!(
            body.to_lowercase().contains("hand-off 4242") && body.ends_with("<Hangup/></Response>"),
            "{path}: {body}"
        );
    }
    svc.stop().await;
}

#[tokio::test]
async fn legs_ring_and_wait_for_a_key_as_long_as_the_voice_section_says() {
    let program =
        format!("{PROGRAM}\n[transports.voice]\nring_timeout = \"30s\"\npress_timeout = \"5s\"\n");
    let svc = Service::start_with(&program, MONDAY, None).await;
    let voice = FakeVoice::new(&svc);
    let start = svc.now();
    let mut call = voice.call(RIVERA).await;
    voice.pick_up(&mut call, Pickup::NoAnswer).await;
    voice.pick_up(&mut call, Pickup::Voicemail).await;
    assert_eq!(call.legs[0].timeout_seconds, 30);
    assert!(
        call.documents
            .iter()
            .any(|d| d.contains("<Gather") && d.contains("timeout=\"5\"")),
        "{:#?}",
        call.documents
    );
    // Dana's phone rang 30 s; Lee's voicemail picked up after 6 s, and the
    // screening gave up on a key 5 s later.
    let ended: Vec<_> = svc
        .events_named("leg_ended")
        .await
        .iter()
        .map(|e| e.at - start)
        .collect();
    assert_eq!(ended, [seconds(30), seconds(41)]);
    svc.stop().await;
}

#[tokio::test]
async fn a_leg_still_ringing_when_its_round_times_out_may_still_take_the_hand_off() {
    let step = "{ who = \"case_manager\", strategy = \"broadcast\", timeout = \"5m\" }";
    assert!(PROGRAM.contains(step));
    let program = PROGRAM.replace(step, &step.replace("5m", "30s"));
    let svc = Service::start_with(&program, MONDAY, None).await;
    let voice = FakeVoice::new(&svc);
    let mut call = voice.call(RIVERA).await;
    voice.pick_up(&mut call, Pickup::NoAnswer).await;
    assert_eq!(call.ringing(), Some(LEE));
    // Lee's phone rings past the round's 30 s: the supervisor is offered it.
    svc.advance(seconds(10)).await;
    assert!(svc.last_text_to(ROSA).starts_with("LEAD 1001"));
    voice.pick_up(&mut call, Pickup::Press('1')).await;
    assert_eq!(
        call.connected.as_deref(),
        Some(LEE),
        "{:?}",
        call.legs[1].heard
    );
    let accepted = svc.events_named("accepted").await;
    assert!(matches!(&accepted[..], [one] if matches!(&one.kind,
        EventKind::Accepted { person, via: Some(Channel::Voice) } if person.as_str() == "lee")));
    svc.stop().await;
}

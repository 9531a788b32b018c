//! The provider's webhooks as an attacker, a retrying provider and a sloppy client
//! would call them: only requests signed with the account's auth token over the
//! exact public URL are taken (403 otherwise, with nothing stored), a retried
//! `MessageSid` is acknowledged and handled once, a form without its fields is a
//! 400, and every accepted request is answered with the empty TwiML `<Response/>` as
//! `text/xml`. The signature itself is checked against a vector computed outside
//! Rust.

use handoff_bot::sms::signature;
use handoff_bot::sms::webhook::EMPTY_TWIML;
use handoff_dispatcher::OutboxStatus;
use handoff_tests::database::on_every_database;
use handoff_tests::fake_twilio::message_sid;
use handoff_tests::journey::{MONDAY, REQUEST};
use handoff_tests::service::{
    ACCOUNT_SID, AUTH_TOKEN, DANA, LEE, PROGRAM, PROGRAM_NUMBER, RIVERA, Service,
};

/// An inbound text's form as Twilio posts it (the fields handoff reads, and a few
/// it does not).
fn inbound_form(sid: &str, from: Option<&str>, body: Option<&str>) -> Vec<(String, String)> {
    let mut form = vec![
        ("MessageSid", sid),
        ("SmsSid", sid),
        ("AccountSid", ACCOUNT_SID),
        ("To", PROGRAM_NUMBER),
        ("NumMedia", "0"),
        ("ApiVersion", "2010-04-01"),
    ];
    if let Some(from) = from {
        form.push(("From", from));
    }
    if let Some(body) = body {
        form.push(("Body", body));
    }
    form.into_iter()
        .map(|(k, v)| (k.to_owned(), v.to_owned()))
        .collect()
}

/// Asserts that no request was taken: no hand-off, no event, no outbox row, no text.
async fn assert_nothing_stored(svc: &Service) {
    svc.settle().await;
    assert!(
        svc.open_handoffs().await.is_empty(),
        "a hand-off was opened"
    );
    assert!(svc.events().await.is_empty(), "an event was logged");
    assert!(svc.outbox().await.is_empty(), "a reply was queued");
    assert!(svc.sent().is_empty(), "a text was sent");
}

#[tokio::test]
async fn a_forged_or_missing_signature_is_refused_with_403_and_nothing_is_stored() {
    on_every_database(async |database| {
        let svc = Service::start_with(PROGRAM, MONDAY, database).await;
        let url = svc.url("/sms/inbound");
        let sid = message_sid();
        let form = inbound_form(&sid, Some(RIVERA), Some(REQUEST));

        let wrong_token = signature::sign("not-the-auth-token", &url, &form);
        let mut tampered = form.clone();
        for (name, value) in &mut tampered {
            if name == "Body" {
                *value = "LEAD somewhere else".to_owned();
            }
        }
        let genuine = signature::sign(AUTH_TOKEN, &url, &form);
        for (what, params, signature) in [
            (
                "signed with another token",
                &form,
                Some(wrong_token.as_str()),
            ),
            ("garbage", &form, Some("bm90IGEgc2lnbmF0dXJl")),
            ("empty", &form, Some("")),
            ("missing", &form, None),
            ("over other parameters", &tampered, Some(genuine.as_str())),
        ] {
            let (status, body) = svc.fake.post_form(&url, params, signature).await;
            assert_eq!(status, 403, "{what}: {body}");
            assert!(!body.contains("<Response"), "{what}: {body}");
        }
        assert_nothing_stored(&svc).await;

        // None of them used up the message id: the genuine request is then taken.
        let (status, _) = svc.fake.post_signed(&url, &form).await;
        assert_eq!(status, 200);
        svc.settle().await;
        assert_eq!(svc.open_handoffs().await.len(), 1);
        assert!(
            svc.last_text_to(RIVERA)
                .starts_with("Got it: hand-off 1001")
        );
        svc.stop().await;
    })
    .await;
}

#[tokio::test]
async fn a_signature_over_another_url_is_refused() {
    let svc = Service::start(MONDAY).await;
    let url = svc.url("/sms/inbound");
    let form = inbound_form(&message_sid(), Some(RIVERA), Some(REQUEST));
    let other_urls = [
        svc.url("/sms/status"),
        svc.url("/sms/inbound?site=metro"),
        url.replace("http://", "https://"),
        "https://example.org/sms/inbound".to_owned(),
    ];
    for other in other_urls {
        let signed_elsewhere = signature::sign(AUTH_TOKEN, &other, &form);
        let (status, _) = svc
            .fake
            .post_form(&url, &form, Some(&signed_elsewhere))
            .await;
        assert_eq!(status, 403, "signed over {other}");
    }
    assert_nothing_stored(&svc).await;
    svc.stop().await;
}

#[tokio::test]
async fn a_forged_status_callback_cannot_fail_an_offer() {
    on_every_database(async |database| {
        let svc = Service::start_with(PROGRAM, MONDAY, database).await;
        svc.text(RIVERA, REQUEST).await;
        let offer = svc.sid_of(DANA, "LEAD 1001");
        let form: Vec<(String, String)> = [
            ("MessageSid", offer.as_str()),
            ("MessageStatus", "undelivered"),
            ("ErrorCode", "30003"),
            ("AccountSid", ACCOUNT_SID),
            ("To", DANA),
            ("From", PROGRAM_NUMBER),
        ]
        .into_iter()
        .map(|(k, v)| (k.to_owned(), v.to_owned()))
        .collect();
        let url = svc.url("/sms/status");
        let forged = signature::sign("not-the-auth-token", &url, &form);
        let (status, _) = svc.fake.post_form(&url, &form, Some(&forged)).await;
        assert_eq!(status, 403);
        let (status, _) = svc.fake.post_form(&url, &form, None).await;
        assert_eq!(status, 403);
        svc.settle().await;
        assert_eq!(
            svc.event_kinds().await,
            ["requested", "step_started", "offered", "offered"]
        );
        assert!(
            svc.outbox()
                .await
                .iter()
                .all(|m| m.status == OutboxStatus::Sent)
        );
        svc.stop().await;
    })
    .await;
}

#[tokio::test]
async fn a_retried_message_sid_is_handled_once_and_acknowledged_twice() {
    on_every_database(async |database| {
        let svc = Service::start_with(PROGRAM, MONDAY, database).await;
        let url = svc.url("/sms/inbound");
        let sid = message_sid();
        let first = svc
            .fake
            .post_inbound_with_sid(&url, &sid, RIVERA, PROGRAM_NUMBER, REQUEST)
            .await;
        svc.settle().await;
        let again = svc
            .fake
            .post_inbound_with_sid(&url, &sid, RIVERA, PROGRAM_NUMBER, REQUEST)
            .await;
        svc.settle().await;
        assert_eq!(first, (200, EMPTY_TWIML.to_owned()));
        assert_eq!(again, (200, EMPTY_TWIML.to_owned()));

        assert_eq!(svc.open_handoffs().await.len(), 1);
        assert_eq!(svc.texts_to(RIVERA).len(), 1, "one receipt");
        assert_eq!(svc.texts_to(DANA).len(), 1, "one offer");
        assert_eq!(svc.texts_to(LEE).len(), 1, "one offer");
        assert_eq!(svc.events_named("requested").await.len(), 1);

        // A retried reply-only text (HELP) is answered once too.
        let help = message_sid();
        for _ in 0..2 {
            let (status, _) = svc
                .fake
                .post_inbound_with_sid(&url, &help, DANA, PROGRAM_NUMBER, "HELP")
                .await;
            assert_eq!(status, 200);
            svc.settle().await;
        }
        assert_eq!(svc.texts_to(DANA).len(), 2, "the offer and one help text");
        svc.stop().await;
    })
    .await;
}

#[tokio::test]
async fn a_signed_form_without_from_or_body_or_with_a_bad_number_is_a_bad_request() {
    let svc = Service::start(MONDAY).await;
    let url = svc.url("/sms/inbound");
    for (what, form) in [
        ("no From", inbound_form(&message_sid(), None, Some(REQUEST))),
        ("no Body", inbound_form(&message_sid(), Some(RIVERA), None)),
        (
            "From not E.164",
            inbound_form(&message_sid(), Some("412-555-0101"), Some(REQUEST)),
        ),
        (
            "an empty MessageSid",
            inbound_form("", Some(RIVERA), Some(REQUEST)),
        ),
        (
            "a MessageSid with a space",
            inbound_form("SM 1", Some(RIVERA), Some(REQUEST)),
        ),
        (
            "a MessageSid of 256 characters",
            inbound_form(&"S".repeat(256), Some(RIVERA), Some(REQUEST)),
        ),
        (
            "From the program's own number",
            inbound_form(&message_sid(), Some(PROGRAM_NUMBER), Some(REQUEST)),
        ),
    ] {
        let (status, body) = svc.fake.post_signed(&url, &form).await;
        assert_eq!(status, 400, "{what}: {body}");
    }
    let no_sid: Vec<(String, String)> = inbound_form("", Some(RIVERA), Some(REQUEST))
        .into_iter()
        .filter(|(k, _)| !k.ends_with("Sid") || k == "AccountSid")
        .collect();
    let (status, _) = svc.fake.post_signed(&url, &no_sid).await;
    assert_eq!(status, 400, "no MessageSid");

    let status_url = svc.url("/sms/status");
    let no_status = vec![("MessageSid".to_owned(), message_sid())];
    let (status, _) = svc.fake.post_signed(&status_url, &no_status).await;
    assert_eq!(status, 400, "status callback without MessageStatus");
    assert_nothing_stored(&svc).await;
    svc.stop().await;
}

#[tokio::test]
async fn commands_about_hand_offs_that_do_not_exist_get_a_plain_reply_and_a_200() {
    on_every_database(async |database| {
        let svc = Service::start_with(PROGRAM, MONDAY, database).await;
        for (from, text) in [
            (DANA, "Y9999"),
            (DANA, "N9999 busy"),
            (DANA, "DONE 9999"),
            (DANA, "ETA 9999 15"),
            (DANA, "CANCEL 12345 car trouble"),
            (RIVERA, "CANCEL 12345 x"),
            (RIVERA, "#9999 he is calm now"),
        ] {
            let (status, body) = svc.text(from, text).await;
            assert_eq!(status, 200, "{text}: {body}");
        }
        svc.settle().await;
        let dana = svc.texts_to(DANA);
        let rivera = svc.texts_to(RIVERA);
        assert_eq!(dana.len(), 5, "{dana:#?}");
        assert_eq!(rivera.len(), 2, "{rivera:#?}");
        for text in dana.iter().chain(&rivera) {
            assert!(
                text.contains("There is no hand-off 9999")
                    || text.contains("There is no hand-off 12345"),
                "{text}"
            );
        }
        assert!(svc.open_handoffs().await.is_empty());
        assert!(svc.events().await.is_empty());
        svc.stop().await;
    })
    .await;
}

#[tokio::test]
async fn an_accepted_webhook_is_answered_with_empty_twiml_as_text_xml() {
    let svc = Service::start(MONDAY).await;
    let url = svc.url("/sms/inbound");
    let form = inbound_form(&message_sid(), Some(LEE), Some("WHO"));
    let body = form_urlencoded::Serializer::new(String::new())
        .extend_pairs(form.iter().map(|(k, v)| (k.as_str(), v.as_str())))
        .finish();
    let response = reqwest::Client::new()
        .post(&url)
        .header("Content-Type", "application/x-www-form-urlencoded")
        .header(
            "X-Twilio-Signature",
            signature::sign(AUTH_TOKEN, &url, &form),
        )
        .body(body)
        .send()
        .await
        .unwrap_or_else(|e| panic!("posting to {url}: {e}"));
    assert_eq!(response.status().as_u16(), 200);
    let content_type = response
        .headers()
        .get("content-type")
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
        .to_owned();
    assert!(content_type.starts_with("text/xml"), "{content_type}");
    let text = response
        .text()
        .await
        .unwrap_or_else(|e| panic!("reading the answer: {e}"));
    assert_eq!(text, EMPTY_TWIML);
    assert_eq!(
        text,
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?><Response/>"
    );
    // The answer itself says nothing: the reply goes out through the outbox.
    svc.settle().await;
    assert!(svc.last_text_to(LEE).starts_with("Metro (open): "));
    svc.stop().await;
}

/// The vector, computed with Python's standard library rather than our code:
///
/// ```text
/// python3 -c 'import hmac,hashlib,base64; print(base64.b64encode(hmac.new(b"token", b"https://example.org/sms/inboundBodyhelloFrom+14125550101", hashlib.sha1).digest()).decode())'
/// /NMKrjtwdi2ESo1I4vsPYxb+coc=
/// ```
#[test]
fn sign_and_verify_agree_with_an_independently_computed_vector() {
    const URL: &str = "https://example.org/sms/inbound";
    const VECTOR: &str = "/NMKrjtwdi2ESo1I4vsPYxb+coc=";
    // Given out of order: the parameters are signed sorted by name.
    let params = vec![
        ("From".to_owned(), "+14125550101".to_owned()),
        ("Body".to_owned(), "hello".to_owned()),
    ];
    assert_eq!(signature::sign("token", URL, &params), VECTOR);
    assert!(signature::verify("token", URL, &params, VECTOR));
    assert!(!signature::verify("token2", URL, &params, VECTOR));
    assert!(!signature::verify(
        "token",
        "https://example.org/sms/status",
        &params,
        VECTOR
    ));
    let mut changed = params.clone();
    changed[1].1 = "hello!".to_owned();
    assert!(!signature::verify("token", URL, &changed, VECTOR));
    assert!(!signature::verify("token", URL, &params, ""));
}

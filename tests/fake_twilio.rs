//! The Twilio-compatible client against the fake provider: sends, credentials,
//! transient and permanent failures, timeouts, and signed webhooks back.

use std::time::{Duration, Instant};

use axum::Router;
use axum::body::Bytes;
use axum::extract::State;
use axum::http::HeaderMap;
use axum::routing::post;
use handoff_bot::sms::provider::{SendError, Sender, TwilioClient};
use handoff_bot::sms::signature;
use handoff_tests::fake_twilio::FakeTwilio;
use tokio::sync::mpsc;

const SID: &str = "AC0123456789abcdef0123456789abcdef";
const TOKEN: &str = "fake-auth-token";
const FROM: &str = "+14125550100";
const OFFICER: &str = "+14125550101";

fn client(fake: &FakeTwilio) -> TwilioClient {
    TwilioClient::new(&fake.base_url(), SID, TOKEN, Sender::From(FROM.to_owned()))
        .unwrap_or_else(|e| panic!("client: {e}"))
        .with_timeout(Duration::from_millis(300))
}

/// One webhook as the receiver saw it.
#[derive(Debug)]
struct Hook {
    signature: Option<String>,
    params: Vec<(String, String)>,
}

impl Hook {
    fn param(&self, name: &str) -> Option<&str> {
        self.params
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
    }
}

/// A webhook receiver on loopback: its URL and what it received.
async fn receiver() -> (String, mpsc::UnboundedReceiver<Hook>) {
    async fn hook(
        State(tx): State<mpsc::UnboundedSender<Hook>>,
        headers: HeaderMap,
        body: Bytes,
    ) -> &'static str {
        let signature = headers
            .get("X-Twilio-Signature")
            .and_then(|v| v.to_str().ok())
            .map(str::to_owned);
        let params = form_urlencoded::parse(&body).into_owned().collect();
        let _ = tx.send(Hook { signature, params });
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?><Response/>"
    }
    let (tx, rx) = mpsc::unbounded_channel();
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .unwrap_or_else(|e| panic!("bind: {e}"));
    let addr = listener
        .local_addr()
        .unwrap_or_else(|e| panic!("addr: {e}"));
    let app = Router::new()
        .route("/sms/{kind}", post(hook))
        .with_state(tx);
    tokio::spawn(async move {
        let _ = axum::serve(listener, app).await;
    });
    (format!("http://{addr}"), rx)
}

async fn next_hook(rx: &mut mpsc::UnboundedReceiver<Hook>) -> Hook {
    tokio::time::timeout(Duration::from_secs(5), rx.recv())
        .await
        .unwrap_or_else(|_| panic!("no webhook within 5 s"))
        .unwrap_or_else(|| panic!("receiver closed"))
}

#[tokio::test]
async fn a_send_is_accepted_and_recorded() {
    let fake = FakeTwilio::start(SID, TOKEN).await;
    let sent = client(&fake)
        .send(
            OFFICER,
            "Got it: hand-off 4821.",
            Some("https://handoff.example.org/sms/status"),
        )
        .await
        .unwrap();
    assert_eq!(sent.status, "queued");
    assert!(
        sent.sid.starts_with("SM") && sent.sid.len() == 34,
        "{}",
        sent.sid
    );
    assert!(sent.sid[2..].bytes().all(|b| b.is_ascii_hexdigit()));

    let recorded = fake.sent();
    assert_eq!(recorded.len(), 1);
    let message = &recorded[0];
    assert_eq!(message.sid, sent.sid);
    // Recorded only after basic auth as the account passed.
    assert_eq!(message.account_sid, SID);
    assert_eq!(message.to, OFFICER);
    assert_eq!(message.from.as_deref(), Some(FROM));
    assert_eq!(message.messaging_service_sid, None);
    assert_eq!(message.body, "Got it: hand-off 4821.");
    assert_eq!(
        message.status_callback.as_deref(),
        Some("https://handoff.example.org/sms/status")
    );
    assert_eq!(fake.requests(), 1);
}

#[tokio::test]
async fn a_messaging_service_sends_without_a_from_number() {
    let fake = FakeTwilio::start(SID, TOKEN).await;
    let client = TwilioClient::new(
        &fake.base_url(),
        SID,
        TOKEN,
        Sender::MessagingService("MG0123456789abcdef0123456789abcdef".to_owned()),
    )
    .unwrap();
    let sent = client.send(OFFICER, "hello", None).await.unwrap();
    assert_eq!(sent.status, "accepted");
    let recorded = fake.sent();
    assert_eq!(recorded[0].from, None);
    assert_eq!(
        recorded[0].messaging_service_sid.as_deref(),
        Some("MG0123456789abcdef0123456789abcdef")
    );
    assert_eq!(recorded[0].status_callback, None);
}

#[tokio::test]
async fn bad_credentials_are_permanent() {
    let fake = FakeTwilio::start(SID, TOKEN).await;
    let wrong = TwilioClient::new(
        &fake.base_url(),
        SID,
        "not-the-token",
        Sender::From(FROM.to_owned()),
    )
    .unwrap();
    match wrong.send(OFFICER, "hello", None).await {
        Err(SendError::Permanent { code, reason }) => {
            assert_eq!(code, Some(20003));
            assert!(reason.contains("401"), "{reason}");
        }
        other => panic!("expected a permanent error, got {other:?}"),
    }
    let other_account = TwilioClient::new(
        &fake.base_url(),
        "AC999",
        TOKEN,
        Sender::From(FROM.to_owned()),
    )
    .unwrap();
    assert!(matches!(
        other_account.send(OFFICER, "hello", None).await,
        Err(SendError::Permanent {
            code: Some(20003),
            ..
        })
    ));
    assert!(fake.sent().is_empty());
}

#[tokio::test]
async fn server_errors_are_transient_until_the_provider_recovers() {
    let fake = FakeTwilio::start(SID, TOKEN).await;
    let client = client(&fake);
    fake.fail_next(2, 500);
    for _ in 0..2 {
        match client.send(OFFICER, "hello", None).await {
            Err(SendError::Transient {
                reason,
                retry_after,
            }) => {
                assert!(reason.contains("500"), "{reason}");
                assert_eq!(retry_after, None);
            }
            other => panic!("expected a transient error, got {other:?}"),
        }
    }
    let sent = client.send(OFFICER, "hello", None).await.unwrap();
    assert_eq!(fake.requests(), 3);
    let recorded = fake.sent();
    assert_eq!(recorded.len(), 1);
    assert_eq!(recorded[0].sid, sent.sid);
}

#[tokio::test]
async fn too_many_requests_is_transient_with_retry_after() {
    let fake = FakeTwilio::start(SID, TOKEN).await;
    let client = client(&fake);
    fake.fail_next_with_retry_after(1, 429, 7);
    match client.send(OFFICER, "hello", None).await {
        Err(SendError::Transient {
            reason,
            retry_after,
        }) => {
            assert_eq!(retry_after, Some(Duration::from_secs(7)));
            assert!(reason.contains("20429"), "{reason}");
        }
        other => panic!("expected a transient error, got {other:?}"),
    }
    fake.fail_next(1, 429);
    assert!(matches!(
        client.send(OFFICER, "hello", None).await,
        Err(SendError::Transient {
            retry_after: None,
            ..
        })
    ));
    assert!(client.send(OFFICER, "hello", None).await.is_ok());
}

#[tokio::test]
async fn a_hung_provider_times_out_as_transient() {
    let fake = FakeTwilio::start(SID, TOKEN).await;
    let client = client(&fake);
    fake.hang_next(1);
    let started = Instant::now();
    let outcome = client.send(OFFICER, "hello", None).await;
    let took = started.elapsed();
    match outcome {
        Err(SendError::Transient {
            reason,
            retry_after,
        }) => {
            assert!(reason.contains("no answer within 300 ms"), "{reason}");
            assert_eq!(retry_after, None);
        }
        other => panic!("expected a transient timeout, got {other:?}"),
    }
    assert!(
        took >= Duration::from_millis(250),
        "gave up too early: {took:?}"
    );
    assert!(took < Duration::from_secs(3), "took {took:?}");
    assert!(fake.sent().is_empty());
    // The next request is answered again.
    assert!(client.send(OFFICER, "hello", None).await.is_ok());
}

#[tokio::test]
async fn an_unreachable_provider_is_transient() {
    // A port that was free a moment ago: nothing listens there.
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = listener.local_addr().unwrap();
    drop(listener);
    let client = TwilioClient::new(
        &format!("http://{addr}"),
        SID,
        TOKEN,
        Sender::From(FROM.to_owned()),
    )
    .unwrap()
    .with_timeout(Duration::from_millis(300));
    assert!(matches!(
        client.send(OFFICER, "hello", None).await,
        Err(SendError::Transient { .. })
    ));
}

#[tokio::test]
async fn rejected_numbers_are_permanent_with_twilio_codes() {
    let fake = FakeTwilio::start(SID, TOKEN).await;
    let client = client(&fake);
    fake.reject_number(OFFICER, 21610);
    for _ in 0..2 {
        match client.send(OFFICER, "hello", None).await {
            Err(SendError::Permanent { code, reason }) => {
                assert_eq!(code, Some(21610));
                assert!(reason.contains("unsubscribed recipient"), "{reason}");
            }
            other => panic!("expected a permanent error, got {other:?}"),
        }
    }
    fake.reject_number("+14125550199", 21211);
    match client.send("+14125550199", "hello", None).await {
        Err(SendError::Permanent { code, reason }) => {
            assert_eq!(code, Some(21211));
            // Twilio's message quotes the number; the client keeps the last four.
            assert!(!reason.contains("5550199"), "{reason}");
            assert!(reason.contains("0199"), "{reason}");
        }
        other => panic!("expected a permanent error, got {other:?}"),
    }
    assert!(matches!(
        client.send("12345", "hello", None).await,
        Err(SendError::Permanent {
            code: Some(21211),
            ..
        })
    ));
    // Other numbers still go through.
    assert!(client.send("+14125550102", "hello", None).await.is_ok());
    assert_eq!(fake.sent().len(), 1);
}

#[tokio::test]
async fn missing_to_or_body_is_refused_like_twilio() {
    let fake = FakeTwilio::start(SID, TOKEN).await;
    let url = format!(
        "{}/2010-04-01/Accounts/{SID}/Messages.json",
        fake.base_url()
    );
    let http = reqwest::Client::new();
    let post = |form: Vec<(&'static str, &'static str)>| {
        http.post(&url)
            .basic_auth(SID, Some(TOKEN))
            .form(&form)
            .send()
    };
    let answer = post(vec![("From", FROM), ("Body", "hi")]).await.unwrap();
    assert_eq!(answer.status(), 400);
    let json: serde_json::Value = answer.json().await.unwrap();
    assert_eq!(json["code"], 21604);
    assert_eq!(json["status"], 400);

    let answer = post(vec![("From", FROM), ("To", OFFICER)]).await.unwrap();
    assert_eq!(answer.status(), 400);
    let json: serde_json::Value = answer.json().await.unwrap();
    assert_eq!(json["code"], 21602);

    let answer = http
        .post(&url)
        .form(&[("To", OFFICER)])
        .send()
        .await
        .unwrap();
    assert_eq!(answer.status(), 401);
    let json: serde_json::Value = answer.json().await.unwrap();
    assert_eq!(json["code"], 20003);

    let answer = post(vec![("From", FROM), ("To", OFFICER), ("Body", "hi")])
        .await
        .unwrap();
    assert_eq!(answer.status(), 201);
    let json: serde_json::Value = answer.json().await.unwrap();
    assert_eq!(json["status"], "queued");
    assert_eq!(json["to"], OFFICER);
    assert_eq!(json["from"], FROM);
    assert_eq!(json["body"], "hi");
    assert_eq!(json["account_sid"], SID);
    assert!(
        json["date_created"]
            .as_str()
            .is_some_and(|d| d.ends_with("+0000"))
    );
    assert!(fake.sent().len() == 1);
}

#[tokio::test]
async fn waiting_for_sends_wakes_on_each_send_and_gives_up_at_the_timeout() {
    let fake = FakeTwilio::start(SID, TOKEN).await;
    let client = client(&fake);
    let sender = tokio::spawn(async move {
        tokio::time::sleep(Duration::from_millis(50)).await;
        client.send(OFFICER, "one", None).await.unwrap();
        client.send(OFFICER, "two", None).await.unwrap();
    });
    let started = Instant::now();
    let sent = fake.wait_for_sends(2, Duration::from_secs(10)).await;
    assert_eq!(sent.len(), 2);
    assert!(started.elapsed() < Duration::from_secs(5));
    assert_eq!(sent[0].body, "one");
    assert_eq!(sent[1].body, "two");
    sender.await.unwrap();

    let started = Instant::now();
    let sent = fake.wait_for_sends(3, Duration::from_millis(100)).await;
    assert_eq!(sent.len(), 2);
    assert!(started.elapsed() >= Duration::from_millis(100));
}

#[tokio::test]
async fn status_callbacks_are_signed_like_twilio() {
    let fake = FakeTwilio::start(SID, TOKEN).await;
    let (base, mut hooks) = receiver().await;
    let callback = format!("{base}/sms/status");
    let sent = client(&fake)
        .send(OFFICER, "hello", Some(&callback))
        .await
        .unwrap();

    let (status, _) = fake
        .post_status_callback(&sent.sid, "undelivered", Some("30003"))
        .await;
    assert_eq!(status, 200);
    let hook = next_hook(&mut hooks).await;
    assert_eq!(hook.param("MessageSid"), Some(sent.sid.as_str()));
    assert_eq!(hook.param("MessageStatus"), Some("undelivered"));
    assert_eq!(hook.param("ErrorCode"), Some("30003"));
    assert_eq!(hook.param("AccountSid"), Some(SID));
    assert_eq!(hook.param("From"), Some(FROM));
    assert_eq!(hook.param("To"), Some(OFFICER));
    let signature = hook.signature.clone().unwrap();
    assert!(signature::verify(
        TOKEN,
        &callback,
        &hook.params,
        &signature
    ));
    assert!(!signature::verify(
        "another-token",
        &callback,
        &hook.params,
        &signature
    ));
    assert!(!signature::verify(
        TOKEN,
        &format!("{base}/sms/inbound"),
        &hook.params,
        &signature
    ));

    let (status, _) = fake
        .post_status_callback(&sent.sid, "delivered", None)
        .await;
    assert_eq!(status, 200);
    let hook = next_hook(&mut hooks).await;
    assert_eq!(hook.param("MessageStatus"), Some("delivered"));
    assert_eq!(hook.param("ErrorCode"), None);
    assert!(signature::verify(
        TOKEN,
        &callback,
        &hook.params,
        hook.signature.as_deref().unwrap()
    ));
}

#[tokio::test]
async fn inbound_texts_are_signed_and_can_be_replayed() {
    let fake = FakeTwilio::start(SID, TOKEN).await;
    let (base, mut hooks) = receiver().await;
    let url = format!("{base}/sms/inbound");

    let (status, body) = fake
        .post_inbound(&url, OFFICER, FROM, "LEAD 5th & Main, retail theft")
        .await;
    assert_eq!(status, 200);
    assert!(body.contains("<Response/>"));
    let first = next_hook(&mut hooks).await;
    assert_eq!(first.param("From"), Some(OFFICER));
    assert_eq!(first.param("To"), Some(FROM));
    assert_eq!(first.param("Body"), Some("LEAD 5th & Main, retail theft"));
    assert_eq!(first.param("AccountSid"), Some(SID));
    assert_eq!(first.param("NumMedia"), Some("0"));
    let sid = first.param("MessageSid").unwrap().to_owned();
    assert!(sid.starts_with("SM") && sid.len() == 34, "{sid}");
    assert!(signature::verify(
        TOKEN,
        &url,
        &first.params,
        first.signature.as_deref().unwrap()
    ));

    fake.post_inbound(&url, OFFICER, FROM, "CANCEL").await;
    let second = next_hook(&mut hooks).await;
    assert_ne!(second.param("MessageSid"), Some(sid.as_str()));

    fake.post_inbound_with_sid(&url, &sid, OFFICER, FROM, "LEAD 5th & Main, retail theft")
        .await;
    let replay = next_hook(&mut hooks).await;
    assert_eq!(replay.param("MessageSid"), Some(sid.as_str()));
    assert_eq!(replay.signature, first.signature);

    // A forged request: the receiver sees no valid signature.
    fake.post_form(&url, &first.params, Some("forged")).await;
    let forged = next_hook(&mut hooks).await;
    assert!(!signature::verify(
        TOKEN,
        &url,
        &forged.params,
        forged.signature.as_deref().unwrap()
    ));
}

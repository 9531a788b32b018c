//! `GET /metrics`, scraped as Prometheus would over HTTP from a running service:
//! webhook results, SMS attempts and the store's gauges follow what happened
//! through the public webhooks, and nothing in it names a person or a phone.

use handoff_tests::journey::{MONDAY, REQUEST, minutes};
use handoff_tests::service::{DANA, LEE, PROGRAM, RIVERA, Service};

async fn scrape(svc: &Service) -> String {
    let response = reqwest::get(svc.url("/metrics"))
        .await
        .unwrap_or_else(|e| panic!("scraping /metrics: {e}"));
    assert_eq!(response.status(), 200);
    let kind = response
        .headers()
        .get("content-type")
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
        .to_owned();
    assert!(kind.starts_with("text/plain; version=0.0.4"), "{kind}");
    response
        .text()
        .await
        .unwrap_or_else(|e| panic!("reading /metrics: {e}"))
}

/// The value of the series named exactly `series` (name and labels).
fn value(text: &str, series: &str) -> f64 {
    text.lines()
        .find_map(|line| line.strip_prefix(series)?.strip_prefix(' '))
        .unwrap_or_else(|| panic!("no series {series} in\n{text}"))
        .parse()
        .unwrap_or_else(|e| panic!("{series}: {e}"))
}

#[tokio::test]
async fn metrics_follow_a_hand_off_through_the_webhooks() {
    let svc = Service::start_with(PROGRAM, MONDAY, None).await;
    let before = scrape(&svc).await;
    assert_eq!(value(&before, "handoff_database_up"), 1.0);
    assert_eq!(
        value(
            &before,
            "handoff_webhook_requests_total{endpoint=\"inbound\",result=\"accepted\"}"
        ),
        0.0
    );

    svc.text(RIVERA, REQUEST).await;
    let offering = scrape(&svc).await;
    assert_eq!(
        value(&offering, "handoff_handoffs{state=\"offering\"}"),
        1.0
    );
    // The receipt to the officer and two offers.
    assert_eq!(
        value(
            &offering,
            "handoff_sms_send_attempts_total{result=\"sent\"}"
        ),
        3.0
    );
    assert_eq!(
        value(&offering, "handoff_outbox_messages{status=\"sent\"}"),
        3.0
    );
    assert_eq!(
        value(&offering, "handoff_outbox_messages{status=\"pending\"}"),
        0.0
    );
    assert_eq!(
        value(&offering, "handoff_inbound_webhook_duration_seconds_count"),
        1.0
    );
    // The round's timer is pending and not late; this process sends; no intake owed.
    assert_eq!(value(&offering, "handoff_timer_overdue_seconds"), 0.0);
    assert_eq!(value(&offering, "handoff_sms_lease_held"), 1.0);
    assert_eq!(value(&offering, "handoff_intakes_overdue"), 0.0);

    svc.advance(minutes(1)).await;
    svc.text(DANA, "Y1001").await;
    svc.text(DANA, "DONE").await;
    let done = scrape(&svc).await;
    assert_eq!(value(&done, "handoff_handoffs{state=\"completed\"}"), 1.0);
    assert!(!done.contains("handoff_handoffs{state=\"offering\"}"));
    assert_eq!(
        value(
            &done,
            "handoff_webhook_requests_total{endpoint=\"inbound\",result=\"accepted\"}"
        ),
        3.0
    );

    // A forged webhook is counted as forbidden, and changes nothing else.
    let (status, _) = svc
        .fake
        .post_form(
            &svc.url("/sms/inbound"),
            &[
                ("MessageSid".to_owned(), "SMforged".to_owned()),
                ("From".to_owned(), RIVERA.to_owned()),
                ("Body".to_owned(), REQUEST.to_owned()),
            ],
            Some("bm90IGEgc2lnbmF0dXJl"),
        )
        .await;
    assert_eq!(status, 403);
    let after = scrape(&svc).await;
    assert_eq!(
        value(
            &after,
            "handoff_webhook_requests_total{endpoint=\"inbound\",result=\"forbidden\"}"
        ),
        1.0
    );
    assert_eq!(value(&after, "handoff_handoffs{state=\"completed\"}"), 1.0);

    for secret in [RIVERA, DANA, LEE, "dana", "rivera", "Main"] {
        assert!(!after.contains(secret), "{secret} in /metrics");
    }
    svc.stop().await;
}

#[tokio::test]
async fn a_provider_outage_shows_as_retries_and_a_waiting_outbox() {
    let svc = Service::start_with(PROGRAM, MONDAY, None).await;
    svc.fake.fail_next(100, 503);
    svc.text(RIVERA, REQUEST).await;
    svc.clock.advance(minutes(2));
    let text = scrape(&svc).await;
    assert_eq!(
        value(&text, "handoff_sms_send_attempts_total{result=\"retried\"}"),
        3.0,
        "one attempt per phone, each held back behind its retry"
    );
    assert_eq!(
        value(&text, "handoff_outbox_messages{status=\"pending\"}"),
        3.0
    );
    assert_eq!(
        value(&text, "handoff_outbox_oldest_pending_age_seconds"),
        120.0
    );
    svc.stop().await;
}

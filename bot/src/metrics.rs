//! Prometheus metrics, served at `GET /metrics` in the text exposition format.
//!
//! Two kinds of number:
//!
//! - **Counters and histograms of this process** (since it started): webhook
//!   requests by endpoint and result, how long an inbound webhook took to answer,
//!   SMS send attempts by result, and how long messages waited in the outbox before
//!   the provider took them. Kept in atomics: recording never blocks a request.
//! - **Gauges read from the store on each scrape**: hand-offs by state, outbox
//!   messages by status, the age of the oldest message still waiting, how late the
//!   earliest timer is, and how long ago the engine's loop last ran. Read at scrape
//!   time so that several processes or a restart never make them wrong.
//!
//! No label carries a phone number, a person or an officer: metrics leave the
//! program's hands (a monitoring service), so they say how the system does, never
//! who did what.

use std::fmt::Write as _;
use std::sync::atomic::{AtomicI64, AtomicU64, Ordering};
use std::time::Duration as StdDuration;

use chrono::{DateTime, Utc};
use handoff_dispatcher::Gauges;

/// Which webhook a request came to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Endpoint {
    Inbound,
    Status,
    /// The voice webhooks: the officer's call and its legs' callbacks.
    Voice,
}

impl Endpoint {
    const ALL: [Endpoint; 3] = [Endpoint::Inbound, Endpoint::Status, Endpoint::Voice];
    fn name(self) -> &'static str {
        match self {
            Endpoint::Inbound => "inbound",
            Endpoint::Status => "status",
            Endpoint::Voice => "voice",
        }
    }
}

/// What became of a webhook request.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum WebhookResult {
    /// Handled (its effects committed) and answered 200.
    Accepted,
    /// A `MessageSid` seen before: acknowledged, ignored.
    Duplicate,
    /// Missing or wrong signature: 403.
    Forbidden,
    /// Signed, but missing fields or malformed: 400.
    BadRequest,
    /// Could not be handled: 500, the provider retries.
    Error,
    /// Over a flood limit (a sender's texts, or an address's refused requests):
    /// not handled.
    Limited,
}

impl WebhookResult {
    const ALL: [WebhookResult; 6] = [
        WebhookResult::Accepted,
        WebhookResult::Duplicate,
        WebhookResult::Forbidden,
        WebhookResult::BadRequest,
        WebhookResult::Error,
        WebhookResult::Limited,
    ];
    fn name(self) -> &'static str {
        match self {
            WebhookResult::Accepted => "accepted",
            WebhookResult::Duplicate => "duplicate",
            WebhookResult::Forbidden => "forbidden",
            WebhookResult::BadRequest => "bad_request",
            WebhookResult::Error => "error",
            WebhookResult::Limited => "limited",
        }
    }
}

/// What became of one attempt to hand a message to the SMS provider.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SendResult {
    /// The provider took it.
    Sent,
    /// A transient failure: tried again later.
    Retried,
    /// Failed for good (a permanent error, retries exhausted, opted out, no phone).
    Failed,
}

impl SendResult {
    const ALL: [SendResult; 3] = [SendResult::Sent, SendResult::Retried, SendResult::Failed];
    fn name(self) -> &'static str {
        match self {
            SendResult::Sent => "sent",
            SendResult::Retried => "retried",
            SendResult::Failed => "failed",
        }
    }
}

/// A histogram with fixed upper bounds in seconds; the sum is kept in microseconds
/// so it can be an atomic integer.
#[derive(Debug)]
struct Histogram {
    bounds: &'static [f64],
    /// One count per bound (observations at or below it, not cumulative), then the
    /// ones above every bound.
    counts: Vec<AtomicU64>,
    sum_micros: AtomicU64,
}

impl Histogram {
    fn new(bounds: &'static [f64]) -> Histogram {
        Histogram {
            bounds,
            counts: (0..=bounds.len()).map(|_| AtomicU64::new(0)).collect(),
            sum_micros: AtomicU64::new(0),
        }
    }

    fn observe(&self, value: StdDuration) {
        let seconds = value.as_secs_f64();
        let slot = self
            .bounds
            .iter()
            .position(|bound| seconds <= *bound)
            .unwrap_or(self.bounds.len());
        self.counts[slot].fetch_add(1, Ordering::Relaxed);
        let micros = u64::try_from(value.as_micros()).unwrap_or(u64::MAX);
        self.sum_micros.fetch_add(micros, Ordering::Relaxed);
    }

    fn render(&self, out: &mut String, name: &str, help: &str) {
        header(out, name, "histogram", help);
        let mut cumulative = 0;
        for (bound, count) in self.bounds.iter().zip(&self.counts) {
            cumulative += count.load(Ordering::Relaxed);
            let _ = writeln!(out, "{name}_bucket{{le=\"{bound}\"}} {cumulative}");
        }
        cumulative += self.counts[self.bounds.len()].load(Ordering::Relaxed);
        let _ = writeln!(out, "{name}_bucket{{le=\"+Inf\"}} {cumulative}");
        let sum = self.sum_micros.load(Ordering::Relaxed) as f64 / 1e6;
        let _ = writeln!(out, "{name}_sum {sum}");
        let _ = writeln!(out, "{name}_count {cumulative}");
    }
}

/// Webhook answers are milliseconds; anything past a second is trouble.
const WEBHOOK_BOUNDS: &[f64] = &[
    0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5,
];

/// Outbox waits: milliseconds normally, minutes while a provider is down.
const QUEUE_BOUNDS: &[f64] = &[0.01, 0.05, 0.1, 0.5, 1.0, 5.0, 15.0, 60.0, 300.0, 900.0];

/// The process's counters; shared by the server and the SMS worker.
#[derive(Debug)]
pub struct Metrics {
    webhooks: [[AtomicU64; 6]; Endpoint::ALL.len()],
    webhook_duration: Histogram,
    sends: [AtomicU64; 3],
    queue_wait: Histogram,
    /// Whether this process holds the SMS sending lease: 0 no, 1 yes, 2 no SMS
    /// worker (before its first pass, or no SMS transport).
    lease: AtomicU64,
    /// Whether the Matrix sync loop reaches the homeserver: 0 no, 1 yes, 2 no
    /// Matrix transport (or before its first sync).
    matrix: AtomicU64,
    /// Since when it has not (epoch milliseconds; 0 while it does).
    matrix_down_since_ms: AtomicI64,
    /// Matrix sends by result: posted, moved to SMS.
    matrix_sends: [AtomicU64; 2],
}

impl Default for Metrics {
    fn default() -> Metrics {
        Metrics {
            webhooks: Default::default(),
            webhook_duration: Histogram::new(WEBHOOK_BOUNDS),
            sends: Default::default(),
            queue_wait: Histogram::new(QUEUE_BOUNDS),
            lease: AtomicU64::new(2),
            matrix: AtomicU64::new(2),
            matrix_down_since_ms: AtomicI64::new(0),
            matrix_sends: Default::default(),
        }
    }
}

fn index<T: PartialEq>(all: &[T], item: &T) -> usize {
    all.iter().position(|x| x == item).unwrap_or(0)
}

impl Metrics {
    /// A webhook request ended with `result`; `took` is how long it took to answer
    /// (only accepted inbound texts are timed: the others do no work worth timing).
    pub fn webhook(&self, endpoint: Endpoint, result: WebhookResult, took: StdDuration) {
        let e = index(&Endpoint::ALL, &endpoint);
        let r = index(&WebhookResult::ALL, &result);
        self.webhooks[e][r].fetch_add(1, Ordering::Relaxed);
        if endpoint == Endpoint::Inbound && result == WebhookResult::Accepted {
            self.webhook_duration.observe(took);
        }
    }

    /// One attempt to hand a message to the provider ended with `result`.
    pub fn send(&self, result: SendResult) {
        self.sends[index(&SendResult::ALL, &result)].fetch_add(1, Ordering::Relaxed);
    }

    /// Whether this process's SMS worker holds the sending lease, as of its last pass.
    pub fn lease(&self, held: bool) {
        self.lease.store(u64::from(held), Ordering::Relaxed);
    }

    /// Whether the Matrix homeserver answered the last sync, as of `now`.
    pub fn matrix_connected(&self, connected: bool, now: DateTime<Utc>) {
        let was = self.matrix.swap(u64::from(connected), Ordering::Relaxed);
        if connected {
            self.matrix_down_since_ms.store(0, Ordering::Relaxed);
        } else if was != 0 {
            self.matrix_down_since_ms
                .store(now.timestamp_millis(), Ordering::Relaxed);
        }
    }

    /// Since when the Matrix homeserver has not answered, if it has not.
    pub fn matrix_down_since(&self) -> Option<DateTime<Utc>> {
        if self.matrix.load(Ordering::Relaxed) != 0 {
            return None;
        }
        DateTime::from_timestamp_millis(self.matrix_down_since_ms.load(Ordering::Relaxed))
    }

    /// A message was posted in Matrix (`true`) or moved to SMS (`false`).
    pub fn matrix_send(&self, posted: bool) {
        self.matrix_sends[usize::from(!posted)].fetch_add(1, Ordering::Relaxed);
    }

    /// The provider took a message queued at `queued`, at `now`.
    pub fn delivered_after(&self, queued: DateTime<Utc>, now: DateTime<Utc>) {
        let waited = (now - queued).to_std().unwrap_or(StdDuration::ZERO);
        self.queue_wait.observe(waited);
    }

    /// The exposition text: this process's counters, then `gauges` read from the
    /// store at `now` (`None` if the store did not answer: `handoff_database_up 0`).
    pub fn render(
        &self,
        gauges: Option<&Gauges>,
        heartbeat: Option<DateTime<Utc>>,
        now: DateTime<Utc>,
    ) -> String {
        let mut out = String::new();
        header(
            &mut out,
            "handoff_build_info",
            "gauge",
            "The running version.",
        );
        let _ = writeln!(
            out,
            "handoff_build_info{{version=\"{}\"}} 1",
            env!("CARGO_PKG_VERSION")
        );

        let name = "handoff_webhook_requests_total";
        header(
            &mut out,
            name,
            "counter",
            "Webhook requests from the SMS provider, by endpoint and result.",
        );
        for endpoint in Endpoint::ALL {
            for result in WebhookResult::ALL {
                let n = self.webhooks[index(&Endpoint::ALL, &endpoint)]
                    [index(&WebhookResult::ALL, &result)]
                .load(Ordering::Relaxed);
                let _ = writeln!(
                    out,
                    "{name}{{endpoint=\"{}\",result=\"{}\"}} {n}",
                    endpoint.name(),
                    result.name()
                );
            }
        }
        self.webhook_duration.render(
            &mut out,
            "handoff_inbound_webhook_duration_seconds",
            "Time to handle an inbound text and answer its webhook (effects committed).",
        );

        let name = "handoff_sms_send_attempts_total";
        header(
            &mut out,
            name,
            "counter",
            "Attempts to hand a text to the SMS provider, by result.",
        );
        for result in SendResult::ALL {
            let n = self.sends[index(&SendResult::ALL, &result)].load(Ordering::Relaxed);
            let _ = writeln!(out, "{name}{{result=\"{}\"}} {n}", result.name());
        }
        self.queue_wait.render(
            &mut out,
            "handoff_sms_queue_seconds",
            "Time from a text being decided to the provider taking it.",
        );
        let lease = self.lease.load(Ordering::Relaxed);
        if lease <= 1 {
            gauge(
                &mut out,
                "handoff_sms_lease_held",
                "Whether this process is the one sending texts (of those sharing the database, exactly one should be).",
                lease,
            );
        }

        let matrix = self.matrix.load(Ordering::Relaxed);
        if matrix <= 1 {
            gauge(
                &mut out,
                "handoff_matrix_connected",
                "Whether the Matrix sync loop reaches the homeserver (while it does not, messages for Matrix go by SMS).",
                matrix,
            );
            let name = "handoff_matrix_messages_total";
            header(
                &mut out,
                name,
                "counter",
                "Messages for Matrix: posted in a room, or moved to SMS because Matrix could not take them.",
            );
            for (i, result) in ["posted", "moved_to_sms"].iter().enumerate() {
                let n = self.matrix_sends[i].load(Ordering::Relaxed);
                let _ = writeln!(out, "{name}{{result=\"{result}\"}} {n}");
            }
        }

        let name = "handoff_engine_heartbeat_age_seconds";
        header(
            &mut out,
            name,
            "gauge",
            "Seconds since the engine's timer loop last ran (absent before its first run).",
        );
        if let Some(beat) = heartbeat {
            let _ = writeln!(out, "{name} {}", seconds_since(beat, now));
        }

        gauge(
            &mut out,
            "handoff_database_up",
            "Whether the database answered this scrape.",
            u8::from(gauges.is_some()),
        );
        let Some(gauges) = gauges else {
            return out;
        };
        let name = "handoff_handoffs";
        header(
            &mut out,
            name,
            "gauge",
            "Hand-offs in the database, by state.",
        );
        for (state, n) in &gauges.handoffs {
            let _ = writeln!(out, "{name}{{state=\"{}\"}} {n}", label(state));
        }
        let name = "handoff_outbox_messages";
        header(&mut out, name, "gauge", "Outbox messages, by status.");
        for status in ["pending", "sent", "failed"] {
            let n = gauges.outbox.get(status).copied().unwrap_or(0);
            let _ = writeln!(out, "{name}{{status=\"{status}\"}} {n}");
        }
        gauge(
            &mut out,
            "handoff_outbox_oldest_pending_age_seconds",
            "Age of the oldest message waiting to be sent (0 when none waits).",
            gauges
                .oldest_pending
                .map_or(0.0, |queued| seconds_since(queued, now)),
        );
        gauge(
            &mut out,
            "handoff_intakes_overdue",
            "Accepted diversions whose intake deadline passed unrecorded.",
            gauges.intakes_overdue,
        );
        gauge(
            &mut out,
            "handoff_followups_waiting",
            "Closed hand-offs (referrals out of hours, requests nobody took) waiting for someone to follow up.",
            gauges.followups_waiting,
        );
        gauge(
            &mut out,
            "handoff_timer_overdue_seconds",
            "How late the earliest pending timer is (0 when none is due).",
            gauges
                .next_timer_due
                .map_or(0.0, |due| seconds_since(due, now)),
        );
        out
    }
}

/// A metric's `# HELP` and `# TYPE` lines.
fn header(out: &mut String, name: &str, kind: &str, help: &str) {
    let _ = writeln!(out, "# HELP {name} {help}\n# TYPE {name} {kind}");
}

/// A gauge without labels: its header and its one value.
fn gauge(out: &mut String, name: &str, help: &str, value: impl std::fmt::Display) {
    header(out, name, "gauge", help);
    let _ = writeln!(out, "{name} {value}");
}

/// Seconds from `then` to `now`, never negative, to the millisecond.
fn seconds_since(then: DateTime<Utc>, now: DateTime<Utc>) -> f64 {
    ((now - then).num_milliseconds().max(0) as f64) / 1000.0
}

/// A label value with `\`, `"` and line breaks escaped, as the format requires.
fn label(value: &str) -> String {
    value
        .replace('\\', "\\\\")
        .replace('"', "\\\"")
        .replace('\n', "\\n")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(text: &str) -> DateTime<Utc> {
        DateTime::parse_from_rfc3339(text).unwrap().to_utc()
    }

    fn line<'a>(text: &'a str, prefix: &str) -> &'a str {
        text.lines()
            .find(|l| l.starts_with(prefix))
            .unwrap_or_else(|| panic!("no line {prefix} in\n{text}"))
    }

    #[test]
    fn histogram_buckets_are_cumulative_and_end_with_inf() {
        let metrics = Metrics::default();
        for ms in [1, 3, 3, 40, 5000] {
            metrics.webhook(
                Endpoint::Inbound,
                WebhookResult::Accepted,
                StdDuration::from_millis(ms),
            );
        }
        let text = metrics.render(None, None, at("2026-11-23T15:00:00Z"));
        let h = "handoff_inbound_webhook_duration_seconds";
        assert_eq!(
            line(&text, &format!("{h}_bucket{{le=\"0.001\"}}")),
            format!("{h}_bucket{{le=\"0.001\"}} 1")
        );
        assert_eq!(
            line(&text, &format!("{h}_bucket{{le=\"0.005\"}}")),
            format!("{h}_bucket{{le=\"0.005\"}} 3")
        );
        assert_eq!(
            line(&text, &format!("{h}_bucket{{le=\"0.05\"}}")),
            format!("{h}_bucket{{le=\"0.05\"}} 4")
        );
        assert_eq!(
            line(&text, &format!("{h}_bucket{{le=\"2.5\"}}")),
            format!("{h}_bucket{{le=\"2.5\"}} 4")
        );
        assert_eq!(
            line(&text, &format!("{h}_bucket{{le=\"+Inf\"}}")),
            format!("{h}_bucket{{le=\"+Inf\"}} 5")
        );
        assert_eq!(line(&text, &format!("{h}_count")), format!("{h}_count 5"));
        assert_eq!(line(&text, &format!("{h}_sum")), format!("{h}_sum 5.047"));
    }

    #[test]
    fn every_webhook_result_has_a_series_from_the_start() {
        let metrics = Metrics::default();
        metrics.webhook(
            Endpoint::Status,
            WebhookResult::Forbidden,
            StdDuration::ZERO,
        );
        let text = metrics.render(None, None, at("2026-11-23T15:00:00Z"));
        let series: Vec<&str> = text
            .lines()
            .filter(|l| l.starts_with("handoff_webhook_requests_total{"))
            .collect();
        // Three endpoints (inbound, status, voice), six results each.
        assert_eq!(series.len(), 18);
        assert!(series.contains(
            &"handoff_webhook_requests_total{endpoint=\"status\",result=\"forbidden\"} 1"
        ));
        assert!(
            series.contains(
                &"handoff_webhook_requests_total{endpoint=\"voice\",result=\"accepted\"} 0"
            )
        );
        assert!(series.contains(
            &"handoff_webhook_requests_total{endpoint=\"inbound\",result=\"accepted\"} 0"
        ));
        // A forbidden request is not timed.
        assert!(text.contains("handoff_inbound_webhook_duration_seconds_count 0"));
    }

    #[test]
    fn gauges_say_how_old_and_how_late_things_are() {
        let now = at("2026-11-23T15:00:00Z");
        let mut gauges = Gauges::default();
        gauges.handoffs.insert("offering".into(), 2);
        gauges.handoffs.insert("completed".into(), 7);
        gauges.outbox.insert("pending".into(), 3);
        gauges.oldest_pending = Some(at("2026-11-23T14:59:30Z"));
        gauges.next_timer_due = Some(at("2026-11-23T15:00:05Z"));
        gauges.intakes_overdue = 4;
        gauges.followups_waiting = 2;
        let text =
            Metrics::default().render(Some(&gauges), Some(at("2026-11-23T14:59:59.5Z")), now);
        for expected in [
            "handoff_database_up 1",
            "handoff_handoffs{state=\"offering\"} 2",
            "handoff_handoffs{state=\"completed\"} 7",
            "handoff_outbox_messages{status=\"pending\"} 3",
            "handoff_outbox_messages{status=\"failed\"} 0",
            "handoff_outbox_oldest_pending_age_seconds 30",
            "handoff_timer_overdue_seconds 0",
            "handoff_engine_heartbeat_age_seconds 0.5",
            "handoff_intakes_overdue 4",
            "handoff_followups_waiting 2",
        ] {
            assert!(
                text.lines().any(|l| l == expected),
                "{expected} missing from\n{text}"
            );
        }
    }

    #[test]
    fn without_the_database_the_scrape_still_answers_and_says_so() {
        let text = Metrics::default().render(None, None, at("2026-11-23T15:00:00Z"));
        assert!(text.lines().any(|l| l == "handoff_database_up 0"));
        assert!(!text.contains("handoff_handoffs{"));
    }

    #[test]
    fn queue_wait_is_measured_on_the_clock_from_decision_to_provider() {
        let metrics = Metrics::default();
        metrics.delivered_after(at("2026-11-23T15:00:00Z"), at("2026-11-23T15:00:00.020Z"));
        metrics.delivered_after(at("2026-11-23T15:00:00Z"), at("2026-11-23T15:02:00Z"));
        let text = metrics.render(None, None, at("2026-11-23T15:03:00Z"));
        assert!(text.contains("handoff_sms_queue_seconds_bucket{le=\"0.05\"} 1"));
        assert!(text.contains("handoff_sms_queue_seconds_bucket{le=\"300\"} 2"));
        assert!(text.contains("handoff_sms_queue_seconds_sum 120.02"));
    }

    #[test]
    fn the_sending_lease_shows_once_the_sms_worker_has_looked() {
        let metrics = Metrics::default();
        let now = at("2026-11-23T15:00:00Z");
        assert!(
            !metrics
                .render(None, None, now)
                .contains("handoff_sms_lease_held")
        );
        metrics.lease(false);
        assert!(
            metrics
                .render(None, None, now)
                .contains("\nhandoff_sms_lease_held 0\n")
        );
        metrics.lease(true);
        assert!(
            metrics
                .render(None, None, now)
                .contains("\nhandoff_sms_lease_held 1\n")
        );
    }

    #[test]
    fn label_values_are_escaped() {
        assert_eq!(label("a\"b\\c\nd"), "a\\\"b\\\\c\\nd");
    }
}

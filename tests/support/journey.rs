//! Small things the SMS journeys share: the instants they start at, and looks into a
//! running [`Service`]'s store (hand-offs, the outbox, the event log) for assertions
//! beside the texts people receive: what someone was told, as the dispatcher's typed
//! messages, holds whatever the words a transport renders them in.

use chrono::{DateTime, Duration, Utc};
use handoff_dispatcher::{
    Event, EventKind, Handoff, HandoffId, Message, OfficerId, OutboxItem, Recipient,
};
use handoff_schedules::PersonId;

use crate::service::{PROGRAM, Service};

/// A Monday at 10:00 in New York: the journey program's site is open.
pub const MONDAY: &str = "2026-11-23T10:00:00-05:00";
/// A Sunday at 10:00 in New York: the site is closed; sam is on call.
pub const SUNDAY: &str = "2026-11-22T10:00:00-05:00";

/// The officer's request every journey starts with.
pub const REQUEST: &str = "LEAD 5th & Main, retail theft";

pub fn seconds(n: i64) -> Duration {
    Duration::seconds(n)
}

pub fn minutes(n: i64) -> Duration {
    Duration::minutes(n)
}

/// The names of these events' kinds, in order (`requested`, `offered`, ...).
pub fn kinds(events: &[Event]) -> Vec<&'static str> {
    events.iter().map(|e| e.kind.name()).collect()
}

/// The ways a phone number could be written in a text: E.164, the ten digits, and
/// the last seven with or without a separator.
pub fn spellings(phone: &str) -> Vec<String> {
    let digits: String = phone.chars().filter(char::is_ascii_digit).collect();
    let national = digits.strip_prefix('1').unwrap_or(&digits).to_owned();
    let local = national.get(3..).unwrap_or(&national).to_owned();
    let (exchange, line) = local.split_at(local.len().min(3));
    vec![
        phone.to_owned(),
        national,
        local.clone(),
        format!("{exchange}-{line}"),
        format!("{exchange} {line}"),
    ]
}

/// Whether `text` shows `phone` in any of its usual spellings.
pub fn shows_phone(text: &str, phone: &str) -> bool {
    spellings(phone).iter().any(|s| text.contains(s.as_str()))
}

impl Service {
    /// The clock's instant now.
    pub fn now(&self) -> DateTime<Utc> {
        self.running.engine.now()
    }

    /// Hand-off `id` as stored.
    pub async fn handoff(&self, id: u32) -> Handoff {
        self.running
            .engine
            .records()
            .handoff(HandoffId::new(id))
            .await
            .unwrap_or_else(|e| panic!("reading hand-off {id}: {e}"))
            .unwrap_or_else(|| panic!("there is no hand-off {id}"))
    }

    /// Every hand-off not closed.
    pub async fn open_handoffs(&self) -> Vec<Handoff> {
        self.running
            .engine
            .records()
            .open_handoffs()
            .await
            .unwrap_or_else(|e| panic!("reading open hand-offs: {e}"))
    }

    /// Every outbox row, oldest first.
    pub async fn outbox(&self) -> Vec<OutboxItem> {
        self.running
            .engine
            .records()
            .outbox_all()
            .await
            .unwrap_or_else(|e| panic!("reading the outbox: {e}"))
    }

    /// Everything queued for `to` (delivered or not), as the dispatcher's messages,
    /// oldest first: what they were told, whatever the words.
    pub async fn told(&self, to: &Recipient) -> Vec<Message> {
        self.outbox()
            .await
            .into_iter()
            .filter(|m| &m.recipient == to)
            .map(|m| m.message)
            .collect()
    }

    /// The names of what `to` was told, oldest first.
    pub async fn told_names(&self, to: &Recipient) -> Vec<&'static str> {
        names(&self.told(to).await)
    }

    /// The event kinds logged, in order.
    pub async fn event_kinds(&self) -> Vec<&'static str> {
        kinds(&self.events().await)
    }

    /// The events of this kind (by name), in order.
    pub async fn events_named(&self, name: &str) -> Vec<Event> {
        self.events()
            .await
            .into_iter()
            .filter(|e| e.kind.name() == name)
            .collect()
    }

    /// The sid the provider gave the text to `phone` that starts with `prefix`.
    pub fn sid_of(&self, phone: &str, prefix: &str) -> String {
        self.sent()
            .into_iter()
            .find(|m| m.to == phone && m.body.starts_with(prefix))
            .map(|m| m.sid)
            .unwrap_or_else(|| panic!("no text to {phone} starts with {prefix:?}"))
    }
}

/// A staff member as a recipient (`"dana"`).
pub fn staff(id: &str) -> Recipient {
    Recipient::Staff(PersonId::parse(id).unwrap_or_else(|e| panic!("bad person id {id}: {e}")))
}

/// An officer as a recipient (`"rivera"`).
pub fn officer(id: &str) -> Recipient {
    Recipient::Officer(OfficerId::parse(id).unwrap_or_else(|e| panic!("bad officer id {id}: {e}")))
}

/// The variant names of these messages, in order (`offer`, `assignment`, ...).
pub fn names(messages: &[Message]) -> Vec<&'static str> {
    messages
        .iter()
        .map(handoff_dispatcher::engine::message_name)
        .collect()
}

/// Whether an event is an offer to `person`.
pub fn is_offer_to(event: &Event, person: &str) -> bool {
    matches!(&event.kind, EventKind::Offered { person: p, .. } if p.as_str() == person)
}

/// The journey program with its site open around the clock, so that a check on the
/// wall clock finds the case managers on duty whenever it runs.
pub fn always_open() -> String {
    let weekdays = r#"hours = [{ days = "mon-fri", start = "08:00", end = "24:00" }]"#;
    assert!(PROGRAM.contains(weekdays));
    PROGRAM.replace(
        weekdays,
        r#"hours = [{ days = "daily", start = "00:00", end = "24:00" }]"#,
    )
}

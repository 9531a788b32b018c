//! Runs random traffic through a dispatcher engine on a mock clock and checks,
//! after every step, what must always hold: `receive` and `fire_due` never fail, a
//! provider's retry is recognised as one, no hand-off under way is left without the
//! timer that moves it on, no timer stays overdue after a pass of the timer loop,
//! and every site's schedule answers for the instant. At the end, nothing the
//! outbox holds shows a date of birth or an SSN someone typed, and every text is
//! GSM-7.

use std::io::Write;
use std::sync::{Arc, Mutex, PoisonError};

use chrono::{DateTime, Duration, Utc};
use handoff_bot::render::{SEGMENT, is_gsm7, septets, sms};
use handoff_bot::sms::grammar;
use handoff_config::Config;
use handoff_dispatcher::conversation::{Address, Command, Inbound, MessageId};
use handoff_dispatcher::{
    Directory, Engine, Handoff, Message, MockClock, PhoneNumber, Received, Recipient, State, Store,
    Timer,
};
use tempfile::TempDir;
use tracing::subscriber::DefaultGuard;

use crate::random_traffic::{Body, STRANGERS, Sender, Step};

/// How far past its last step a run keeps firing timers, to see every escalation
/// end: steps with 24-hour rounds, offered one person at a time, take days.
pub const DRAIN: Duration = Duration::days(60);

/// The most timer passes a drain may take before it counts as firing forever.
const MAX_DRAIN_PASSES: usize = 5_000;

/// One engine under test, with what has been said to it.
pub struct Soak {
    pub engine: Engine,
    pub clock: MockClock,
    directory: Arc<Directory>,
    zones: Vec<String>,
    sent: Vec<Inbound>,
    /// The ids of texts that said HELP: carriers require that HELP is always
    /// answered, so its "not registered" reply is outside the once-a-day rule.
    help: Vec<String>,
    secrets: Vec<String>,
    next_id: u64,
    _dir: TempDir,
}

impl Soak {
    /// An engine on a fresh SQLite file for `config`, its clock at `start`.
    pub async fn start(config: &Config, start: DateTime<Utc>) -> Soak {
        let dir = TempDir::new().unwrap_or_else(|e| panic!("temporary directory: {e}"));
        let url = format!("sqlite://{}/soak.db", dir.path().display());
        let store = Store::connect(&url)
            .await
            .unwrap_or_else(|e| panic!("opening {url}: {e}"));
        let clock = MockClock::new(start);
        let directory = Arc::new(config.directory());
        let engine = Engine::new(store, Arc::new(clock.clone()), directory.clone());
        let zones = directory
            .sites
            .values()
            .flat_map(|site| site.zones.iter().map(|z| z.as_str().to_owned()))
            .collect();
        Soak {
            engine,
            clock,
            directory,
            zones,
            sent: Vec::new(),
            help: Vec::new(),
            secrets: Vec::new(),
            next_id: 0,
            _dir: dir,
        }
    }

    /// Where a sender's text comes from in this roster.
    fn address(&self, from: &Sender) -> Address {
        let roster = &self.directory.roster;
        let officers: Vec<_> = roster.officers.values().collect();
        let staff: Vec<_> = roster.people.values().collect();
        let phone = |text: &str| {
            Address::Phone(PhoneNumber::parse(text).unwrap_or_else(|e| panic!("phone {text}: {e}")))
        };
        match from {
            Sender::Officer(i) => Address::Phone(officers[i % officers.len()].phone.clone()),
            Sender::OfficerMatrix(i) => {
                let officer = officers[i % officers.len()];
                match &officer.matrix {
                    Some(user) => Address::Matrix(user.clone()),
                    None => Address::Phone(officer.phone.clone()),
                }
            }
            Sender::Staff(i) | Sender::StaffMatrix(i) => {
                let person = staff[i % staff.len()];
                let matrix_first = matches!(from, Sender::StaffMatrix(_));
                match (&person.phone, &person.matrix) {
                    (Some(_), Some(user)) if matrix_first => Address::Matrix(user.clone()),
                    (Some(number), _) => Address::Phone(number.clone()),
                    (None, Some(user)) => Address::Matrix(user.clone()),
                    (None, None) => panic!("{} has neither phone nor Matrix ID", person.id),
                }
            }
            Sender::Stranger(i) => phone(STRANGERS[i % STRANGERS.len()]),
        }
    }

    /// Runs every step, checking after each.
    pub async fn run(&mut self, steps: &[Step]) {
        self.check_instant().await;
        for (n, step) in steps.iter().enumerate() {
            self.step(step)
                .await
                .unwrap_or_else(|e| panic!("step {n} ({step:?}): {e}"));
            self.check_instant().await;
        }
    }

    /// One step; `Err` says which rule it broke.
    pub async fn step(&mut self, step: &Step) -> Result<(), String> {
        match step {
            Step::Text { from, body } => {
                let this = self.open_ids().await.last().copied().unwrap_or(1001);
                let from = self.address(from);
                self.say(from, body, this).await?;
            }
            Step::Offered(n, body) => {
                let mut asked: Vec<(Address, u32)> = Vec::new();
                for handoff in self.open().await {
                    let people = handoff
                        .pending()
                        .map(|offer| offer.person.clone())
                        .chain(handoff.state.assignee().cloned());
                    for person in people {
                        if let Some(from) = self.staff_address(person.as_str()) {
                            asked.push((from, handoff.id.get()));
                        }
                    }
                }
                if !asked.is_empty() {
                    let (from, this) = asked.swap_remove(n % asked.len());
                    self.say(from, body, this).await?;
                }
            }
            Step::Requester(n, body) => {
                let open = self.open().await;
                if !open.is_empty() {
                    let handoff = &open[n % open.len()];
                    let officer = self
                        .directory
                        .roster
                        .officers
                        .get(&handoff.request.officer)
                        .ok_or_else(|| format!("{} has no officer", handoff.id))?;
                    let from = Address::Phone(officer.phone.clone());
                    self.say(from, body, handoff.id.get()).await?;
                }
            }
            Step::Retry(back) => {
                let Some(count) = self.sent.len().checked_sub(1) else {
                    return Ok(());
                };
                let message = self.sent[count - back % (count + 1)].clone();
                let received = self
                    .engine
                    .receive(&message)
                    .await
                    .map_err(|e| format!("receive of a retry failed: {e}"))?;
                if received != Received::Duplicate {
                    return Err(format!(
                        "the retry of {} was handled again: {received:?}",
                        message.id
                    ));
                }
            }
            Step::Advance(seconds) => self.clock.advance(Duration::seconds(*seconds)),
            Step::FireDue => self.pass().await?,
        }
        Ok(())
    }

    /// `from` texts `body` about hand-off `this`: a new message, handled once.
    async fn say(&mut self, from: Address, body: &Body, this: u32) -> Result<(), String> {
        let written = body.write(&self.zones, this);
        self.next_id += 1;
        let id =
            MessageId::parse(&format!("SMsoak{:06}", self.next_id)).map_err(|e| e.to_string())?;
        let message = Inbound {
            from,
            id,
            command: grammar::parse(&written.text),
            body: written.text.clone(),
        };
        self.secrets.extend(written.secrets);
        if message.command == Command::Help {
            self.help.push(format!("reply:{}:", message.id));
        }
        let received = self
            .engine
            .receive(&message)
            .await
            .map_err(|e| format!("receive({:?}) failed: {e}", written.text))?;
        self.sent.push(message);
        if received != Received::Handled {
            return Err(format!(
                "a new message id was taken for a retry: {received:?}"
            ));
        }
        Ok(())
    }

    /// A staff member's address: their phone, else their Matrix ID.
    fn staff_address(&self, person: &str) -> Option<Address> {
        let person = self
            .directory
            .roster
            .people
            .values()
            .find(|p| p.id.as_str() == person)?;
        match (&person.phone, &person.matrix) {
            (Some(phone), _) => Some(Address::Phone(phone.clone())),
            (None, Some(user)) => Some(Address::Matrix(user.clone())),
            (None, None) => None,
        }
    }

    async fn open(&self) -> Vec<Handoff> {
        self.engine
            .records()
            .open_handoffs()
            .await
            .unwrap_or_else(|e| panic!("reading open hand-offs: {e}"))
    }

    async fn open_ids(&self) -> Vec<u32> {
        self.open().await.iter().map(|h| h.id.get()).collect()
    }

    /// A pass of the timer loop, after which nothing may be overdue.
    async fn pass(&self) -> Result<(), String> {
        self.engine
            .fire_due()
            .await
            .map_err(|e| format!("fire_due failed: {e}"))?;
        let now = self.engine.now();
        let overdue = self
            .engine
            .records()
            .timers_due_by(now, 10)
            .await
            .map_err(|e| format!("reading due timers: {e}"))?;
        if !overdue.is_empty() {
            return Err(format!(
                "timers still due at {now} after a pass: {overdue:?}"
            ));
        }
        Ok(())
    }

    /// What must hold at every instant visited: each site's schedule answers, and
    /// each hand-off under way has the timer that moves it on.
    async fn check_instant(&self) {
        let now = self.engine.now();
        for (id, site) in &self.directory.sites {
            let schedule = &site.schedule;
            let open = schedule.is_open(now);
            let duty = schedule.on_duty(now);
            let mut unique = duty.clone();
            unique.dedup();
            assert_eq!(duty, unique, "{id} at {now}: a duty listed twice");
            if let Some(next) = schedule.next_opening(now) {
                let next = next.to_utc();
                assert!(
                    next > now,
                    "{id} at {now} (open: {open}): next opening {next} is not after it"
                );
                assert!(
                    schedule.is_open(next),
                    "{id}: closed at its next opening {next} (asked at {now})"
                );
                let before = next - Duration::seconds(1);
                assert!(
                    before <= now || !schedule.is_open(before),
                    "{id}: open at {before}, just before its next opening {next} (asked at {now})"
                );
            }
        }
        let store = self.engine.records();
        let open = store
            .open_handoffs()
            .await
            .unwrap_or_else(|e| panic!("reading open hand-offs: {e}"));
        for handoff in open {
            let timer = match handoff.state {
                State::Offering { step, round } => Timer::Round { step, round },
                State::Accepted { .. } | State::EnRoute { .. } => Timer::Arrival,
                // Waiting for the case manager's DONE: no timer moves it on.
                _ => continue,
            };
            let pending = store
                .timer_pending(handoff.id, timer)
                .await
                .unwrap_or_else(|e| panic!("reading timers: {e}"));
            assert!(
                pending,
                "hand-off {} is {} at {now} with no {} timer: it would wait forever",
                handoff.id,
                handoff.state.name(),
                timer.name()
            );
        }
    }

    /// Fires every timer due within [`DRAIN`] from now, moving the clock to each in
    /// turn; afterwards only hand-offs waiting for their case manager's DONE may
    /// be open.
    pub async fn drain(&mut self) {
        let end = self.engine.now() + DRAIN;
        for _ in 0..MAX_DRAIN_PASSES {
            let next = self
                .engine
                .records()
                .next_timer_due()
                .await
                .unwrap_or_else(|e| panic!("reading the next timer: {e}"));
            match next {
                Some(due) if due <= end => {
                    self.clock.set(due.max(self.engine.now()));
                    self.pass()
                        .await
                        .unwrap_or_else(|e| panic!("draining: {e}"));
                    self.check_instant().await;
                }
                _ => {
                    self.clock.set(end);
                    self.pass()
                        .await
                        .unwrap_or_else(|e| panic!("draining: {e}"));
                    self.check_instant().await;
                    let open = self
                        .engine
                        .records()
                        .open_handoffs()
                        .await
                        .unwrap_or_else(|e| panic!("reading open hand-offs: {e}"));
                    for handoff in open {
                        assert!(
                            matches!(handoff.state, State::Arrived { .. }),
                            "hand-off {} is still {} {} days on",
                            handoff.id,
                            handoff.state.name(),
                            DRAIN.num_days()
                        );
                    }
                    return;
                }
            }
        }
        panic!("timers kept falling due: {MAX_DRAIN_PASSES} passes did not reach the end");
    }

    /// What the outbox holds, rendered as texts: no typed date of birth or SSN,
    /// only GSM-7, offers in one segment, and at most one "not registered" a day
    /// to each stranger.
    pub async fn check_outbox(&self) {
        let items = self
            .engine
            .records()
            .outbox_all()
            .await
            .unwrap_or_else(|e| panic!("reading the outbox: {e}"));
        let mut refused: Vec<(String, DateTime<Utc>)> = Vec::new();
        for item in &items {
            let text = sms(&item.message);
            for secret in &self.secrets {
                assert!(
                    !text.contains(secret.as_str()),
                    "{secret} in the text to {:?}: {text}",
                    item.recipient
                );
            }
            assert!(is_gsm7(&text), "not GSM-7: {text:?}");
            if matches!(item.message, Message::Offer { .. }) {
                assert!(
                    septets(&text) <= SEGMENT,
                    "an offer of {} septets: {text}",
                    septets(&text)
                );
            }
            let answers_help = self
                .help
                .iter()
                .any(|key| item.key.starts_with(key.as_str()));
            if let (Message::NotRegistered { .. }, Recipient::Phone(phone), false) =
                (&item.message, &item.recipient, answers_help)
            {
                let phone = phone.as_str().to_owned();
                if let Some((_, last)) = refused.iter().rev().find(|(p, _)| *p == phone) {
                    assert!(
                        item.created_at - *last >= Duration::hours(24),
                        "{phone} told twice within a day that it is not registered"
                    );
                }
                refused.push((phone, item.created_at));
            }
        }
    }
}

/// What was logged at ERROR level on this thread while the guard lives: the timer
/// loop logs a timer it had to drop, rather than failing the pass.
pub struct ErrorLog {
    lines: Arc<Mutex<Vec<u8>>>,
    _guard: DefaultGuard,
}

struct Lines(Arc<Mutex<Vec<u8>>>);

impl Write for Lines {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .extend_from_slice(buf);
        Ok(buf.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

impl ErrorLog {
    /// Collects this thread's ERROR events (run the engine on a current-thread
    /// runtime so that they are logged here).
    pub fn capture() -> ErrorLog {
        let lines = Arc::new(Mutex::new(Vec::new()));
        let writer = lines.clone();
        let subscriber = tracing_subscriber::fmt()
            .with_max_level(tracing::Level::ERROR)
            .with_ansi(false)
            .with_writer(move || Lines(writer.clone()))
            .finish();
        ErrorLog {
            lines,
            _guard: tracing::subscriber::set_default(subscriber),
        }
    }

    pub fn text(&self) -> String {
        String::from_utf8_lossy(&self.lines.lock().unwrap_or_else(PoisonError::into_inner))
            .into_owned()
    }
}

//! Properties of the whole dispatcher, over inputs nobody wrote by hand: random
//! configurations within the documented ranges, and random sequences of texts
//! (every form of the SMS grammar, from officers, staff and strangers, with
//! provider retries), clock jumps across daylight-saving changes and passes of the
//! timer loop. Whatever comes, `receive` and the timer loop never fail or panic,
//! escalation never stalls, the schedules answer for every instant, and no text
//! shows a date of birth or SSN someone typed. The README's example program also
//! runs a fixed long sequence.

use std::path::Path;

use chrono::{DateTime, Utc};
use handoff_config::{Config, LoadError};
use handoff_dispatcher::{HandoffId, State};
use handoff_tests::example_config;
use handoff_tests::random_program::{ProgramSpec, program};
use handoff_tests::random_traffic::{Body, Dob, Sender, Step, Words, start, step};
use handoff_tests::soak::{ErrorLog, Soak};
use proptest::collection::vec;
use proptest::test_runner::{Config as ProptestConfig, TestCaseError, TestRunner};
use proptest::{prop_assume, proptest};

/// The number of cases to run: `default`, or `PROPTEST_CASES` for a longer hunt.
fn cases(default: u32) -> u32 {
    std::env::var("PROPTEST_CASES")
        .ok()
        .and_then(|n| n.parse().ok())
        .unwrap_or(default)
}

fn load(spec: &ProgramSpec) -> Result<Config, LoadError> {
    handoff_config::load_str(Path::new("random.toml"), &spec.toml(), &|_| None)
}

/// Runs `steps` against `config` from `start` on a runtime of this thread, then
/// drains the timers, checks the outbox and runs `after`; nothing may be logged
/// as an error.
fn soak(config: &Config, start: DateTime<Utc>, steps: &[Step], after: impl AsyncFnOnce(&Soak)) {
    let errors = ErrorLog::capture();
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap_or_else(|e| panic!("runtime: {e}"));
    runtime.block_on(async {
        let mut soak = Soak::start(config, start).await;
        soak.run(steps).await;
        soak.drain().await;
        soak.check_outbox().await;
        after(&soak).await;
    });
    let logged = errors.text();
    assert!(logged.is_empty(), "errors were logged:\n{logged}");
}

#[test]
fn every_generated_program_is_one_the_loader_accepts() {
    let mut runner = TestRunner::new(ProptestConfig {
        cases: cases(64),
        failure_persistence: None,
        ..ProptestConfig::default()
    });
    let outcome = runner.run(&program(), |spec| match load(&spec) {
        Ok(_) => Ok(()),
        Err(error) => Err(TestCaseError::fail(format!(
            "refused:\n{error}\n--- the file ---\n{}",
            spec.toml()
        ))),
    });
    if let Err(failure) = outcome {
        panic!("{failure}");
    }
}

proptest! {
    #![proptest_config(ProptestConfig {
        cases: cases(32),
        max_shrink_iters: 400,
        failure_persistence: None,
        ..ProptestConfig::default()
    })]

    #[test]
    fn random_programs_and_random_texts_never_fail_stall_or_leak(
        spec in program(),
        start in start(),
        steps in vec(step(), 1..=40),
    ) {
        let config = load(&spec);
        prop_assume!(config.is_ok());
        if let Ok(config) = config {
            soak(&config, start, &steps, async |_| {});
        }
    }
}

/// Exactly these words from `from`.
fn said(from: Sender, text: &'static str) -> Step {
    Step::Text {
        from,
        body: Body::Said(text),
    }
}

fn advance_minutes(minutes: i64) -> Step {
    Step::Advance(minutes * 60)
}

/// The example's roster, in the order the soak resolves senders (by id).
const CHEN: Sender = Sender::Officer(0);
const JOHNSON: Sender = Sender::Officer(1);
const RIVERA: Sender = Sender::Officer(2);
const DANA: Sender = Sender::Staff(0);
const LEE: Sender = Sender::Staff(1);
const MARCUS: Sender = Sender::Staff(2);
const PRIYA: Sender = Sender::Staff(3);
const SAM: Sender = Sender::Staff(5);
const TERRY: Sender = Sender::Staff(6);

/// A week of the example program, starting on a Monday at 10:00 in New York: a
/// hand-off taken through to DONE with a date of birth in a relayed text, one in a
/// zone that nobody answers, a referral at the second site, a provider's retry,
/// strangers, opt-out and back, and the evenings and weekend after hours.
fn example_week(week: u32) -> Vec<Step> {
    let dob = Words {
        place: "he says",
        zone: None,
        dob: Some(Dob {
            label: "DOB ",
            form: week as u8 % 8,
            day: 5,
            month: 4,
            year: 1990,
        }),
        ssn: None,
    };
    vec![
        said(RIVERA, "LEAD 5th & Main, retail theft"),
        said(DANA, "Y"),
        said(DANA, "ETA 15"),
        Step::Text {
            from: RIVERA,
            body: Body::Relay {
                id: None,
                words: dob,
            },
        },
        advance_minutes(12),
        Step::FireDue,
        said(DANA, "ARRIVED"),
        said(DANA, "DONE"),
        said(CHEN, "LEAD Zone 2, Liberty Ave, born April 12 1985"),
        Step::Retry(0),
        said(PRIYA, "N"),
        advance_minutes(6),
        Step::FireDue,
        said(LEE, "Y"),
        advance_minutes(11),
        Step::FireDue,
        said(JOHNSON, "REFER Pine St shelter, asked for help"),
        said(MARCUS, "PASS busy"),
        said(Sender::Stranger(0), "hello?"),
        said(Sender::Stranger(0), "anyone?"),
        said(TERRY, "WHO"),
        said(SAM, "STOP"),
        said(SAM, "START"),
        said(JOHNSON, "STATUS"),
        Step::Advance(12 * 3600),
        Step::FireDue,
        // 22:00 on Monday: Beaver is closed, Allegheny open until midnight.
        said(JOHNSON, "LEAD Route 51, trespass"),
        said(MARCUS, "Y"),
        said(MARCUS, "ETA 601"),
        said(MARCUS, "ETA 0"),
        said(MARCUS, "ETA 30"),
        said(JOHNSON, "CANCEL he left"),
        Step::Advance(5 * 86_400),
        Step::FireDue,
        // Saturday night: both closed; the on-call coordinator is asked.
        said(CHEN, "LEAD Zone 3, 200 Smithfield"),
        said(SAM, "N"),
        said(CHEN, "WITHDRAW"),
        // On to next Monday at 10:00 (11:00 once New York is on summer time).
        Step::Advance(35 * 3600 + 31 * 60),
        Step::FireDue,
    ]
}

#[test]
fn the_readme_example_survives_a_season_of_weeks() {
    let config = handoff_config::load(&example_config())
        .unwrap_or_else(|e| panic!("config/example.toml is refused:\n{e}"));
    // Monday 23 November 2026, 10:00 in New York; sixteen weeks run through
    // Thanksgiving, Christmas, the cover override and into March, past the change
    // to daylight saving time.
    let start = DateTime::parse_from_rfc3339("2026-11-23T10:00:00-05:00")
        .map(|t| t.to_utc())
        .unwrap_or_else(|e| panic!("{e}"));
    let steps: Vec<Step> = (0..16).flat_map(example_week).collect();
    soak(&config, start, &steps, async |soak: &Soak| {
        let first = soak
            .engine
            .records()
            .handoff(HandoffId::new(1001))
            .await
            .unwrap_or_else(|e| panic!("reading 1001: {e}"))
            .unwrap_or_else(|| panic!("no hand-off 1001"));
        assert!(
            matches!(&first.state, State::Completed { by } if by.as_str() == "dana"),
            "{:?}",
            first.state
        );
        let events = soak
            .engine
            .records()
            .events(None, None)
            .await
            .unwrap_or_else(|e| panic!("reading the event log: {e}"));
        let requested = events
            .iter()
            .filter(|e| e.kind.name() == "requested")
            .count();
        assert_eq!(requested, 16 * 5, "five requests a week, each opened once");
    });
}

//! The loader against files nobody meant to write: arbitrary text, TOML-shaped
//! noise built from the real keys, and the tutorial `example.toml` mutated line by
//! line (values swapped for extreme numbers, huge strings, wrong types and deep
//! nesting; lines dropped, repeated or cut short). Whatever the file, `load_str`
//! returns a configuration or `LoadError::Invalid` whose every error names a line
//! of the file, a key and a short message; it never panics.
//!
//! Case counts are small enough for CI; `PROPTEST_CASES=100000` hunts longer.

use std::path::Path;

use handoff_config::{Config, LoadError, load_str};
use proptest::collection::vec;
use proptest::prelude::*;
use proptest::test_runner::{Config as ProptestConfig, TestCaseError, TestRunner};

const EXAMPLE: &str = include_str!("../example.toml");
const FILE: &str = "hostile.toml";

/// The number of cases to run: `default`, or `PROPTEST_CASES` for a longer hunt.
fn cases(default: u32) -> u32 {
    std::env::var("PROPTEST_CASES")
        .ok()
        .and_then(|n| n.parse().ok())
        .unwrap_or(default)
}

fn runner(default: u32) -> TestRunner {
    TestRunner::new(ProptestConfig {
        cases: cases(default),
        failure_persistence: None,
        ..ProptestConfig::default()
    })
}

/// Every secret the file names is set, so that what is refused is the file.
fn load(text: &str) -> Result<Config, LoadError> {
    load_str(Path::new(FILE), text, &|_| {
        Some("a-secret-long-enough-for-every-check-0123456789".to_owned())
    })
}

/// The longest message an error may carry: a person reads it on one screen.
const LONGEST_MESSAGE: usize = 600;

/// Loads `text` and checks that a refusal is a clear one.
fn loads_or_says_why(text: &str) -> Result<(), TestCaseError> {
    let lines = text.lines().count().max(1);
    match load(text) {
        Ok(_) => Ok(()),
        Err(LoadError::Read { .. }) => Err(TestCaseError::fail("load_str reported a read error")),
        Err(LoadError::Invalid(errors)) => {
            prop_assert!(!errors.is_empty(), "refused without saying why");
            for error in &errors {
                prop_assert!(
                    (1..=lines + 1).contains(&error.line),
                    "line {} of a {lines}-line file: {error}",
                    error.line
                );
                prop_assert!(error.column >= 1, "column 0: {error}");
                prop_assert!(!error.key.trim().is_empty(), "no key: {error}");
                prop_assert!(!error.message.trim().is_empty(), "no message: {error}");
                prop_assert!(
                    error.message.chars().count() <= LONGEST_MESSAGE,
                    "a message of {} characters: {}…",
                    error.message.chars().count(),
                    error.message.chars().take(200).collect::<String>()
                );
                let shown = error.to_string();
                let place = format!("{FILE}:{}:{}: ", error.line, error.column);
                prop_assert!(shown.starts_with(&place), "shown as {shown}");
            }
            Ok(())
        }
    }
}

fn run<T: std::fmt::Debug>(
    default: u32,
    strategy: impl Strategy<Value = T>,
    text: fn(&T) -> String,
) {
    let outcome = runner(default).run(&strategy, |value| loads_or_says_why(&text(&value)));
    if let Err(failure) = outcome {
        panic!("{failure}");
    }
}

/// Keys of the real schema, table headers and TOML punctuation, for noise that
/// gets past the TOML parser often enough to reach validation.
fn toml_token() -> impl Strategy<Value = String> {
    let words = [
        "[program]",
        "[[sites]]",
        "[[agencies]]",
        "[[people]]",
        "[[shifts]]",
        "[[escalation_policies]]",
        "[[escalation_policies.steps]]",
        "[server]",
        "[dashboard]",
        "[transports.sms]",
        "[transports.matrix]",
        "[[rotations]]",
        "[[overrides]]",
        "[[sites.closures]]",
        "name",
        "id",
        "time_zone",
        "hours",
        "days",
        "start",
        "end",
        "escalation",
        "zones",
        "phone",
        "roles",
        "who",
        "strategy",
        "timeout",
        "person",
        "sites",
        "officers",
        "intake_days",
        "arrival_limit",
        "message_retention",
        "eta_grace",
        "provider",
        "listen",
        "public_url",
        "database",
        "when",
        "members",
        "turn_days",
        "caseload_cap",
        "=",
        " = ",
        "\n",
        "[",
        "]",
        "{",
        "}",
        ",",
        ".",
        "\"",
        "'",
        "\"\"\"",
        "#",
        "\"sandbox\"",
        "\"America/New_York\"",
        "\"mon-fri\"",
        "\"08:00\"",
        "\"24:00\"",
        "\"5m\"",
        "\"case_manager\"",
        "\"broadcast\"",
        "\"+1 412 555 0101\"",
        "true",
        "1979-05-27",
        "07:32:00",
        "1e999",
        "-0",
        "9223372036854775807",
        "0x7f",
        "nan",
    ];
    prop_oneof![
        8 => proptest::sample::select(words.to_vec()).prop_map(str::to_owned),
        1 => "\\PC{0,12}",
        1 => "-?[0-9]{1,25}",
    ]
}

#[test]
fn arbitrary_text_is_loaded_or_refused_with_errors_on_its_lines() {
    run(600, any::<String>(), Clone::clone);
}

#[test]
fn toml_shaped_noise_is_loaded_or_refused_with_errors_on_its_lines() {
    run(600, vec(toml_token(), 0..80), |tokens| tokens.concat());
}

/// What may replace a value in the example.
fn hostile_value() -> impl Strategy<Value = String> {
    let extremes = [
        "0",
        "-1",
        "-0",
        "2147483648",
        "4294967296",
        "9223372036854775807",
        "-9223372036854775808",
        "1e308",
        "-1e308",
        "inf",
        "-inf",
        "nan",
        "0.5",
        "1_000_000_000_000",
        "0x7fffffffffffffff",
        "0o777",
        "0b1",
        "true",
        "false",
        "[]",
        "{}",
        "[1, \"a\", true]",
        "{ a = 1 }",
        "1979-05-27T07:32:00Z",
        "00:00:00",
        "1979-05-27",
        "\"\"",
        "\" \"",
        "\"\\u0000\"",
        "\"\\t\\n\\r\"",
        "\"99999999999999999999d\"",
        "\"36501d\"",
        "\"0s\"",
        "\"-5m\"",
        "\"1h-30m\"",
        "\"24:01\"",
        "\"25:00\"",
        "\"99:99\"",
        "\"sun-sat-mon\"",
        "\"Mars/Olympus\"",
        "\"+\"",
        "\"+999999999999999999999\"",
        "\"@:\"",
        "\"!:\"",
        "'''\n'''",
    ];
    prop_oneof![
        4 => proptest::sample::select(extremes.to_vec()).prop_map(str::to_owned),
        // Huge strings: of one character, and of ones that look like the real thing.
        1 => (prop_oneof![Just("x"), Just("é"), Just("9"), Just("mon-fri,"), Just("\\u00e9")], 1_000usize..60_000)
            .prop_map(|(unit, n)| format!("\"{}\"", unit.repeat(n / unit.len().max(1)))),
        1 => (1usize..400).prop_map(|n| format!("{}1{}", "[".repeat(n), "]".repeat(n))),
        1 => (1usize..200).prop_map(|n| format!("{}1{}", "{ a = ".repeat(n), " }".repeat(n))),
        1 => vec("[0-9a-z:+@ -]{0,12}", 0..50).prop_map(|items| format!("{items:?}")),
        2 => "\\PC{0,40}".prop_map(|s| format!("{s:?}")),
        1 => "\\PC{0,20}",
    ]
}

/// One change to the example file.
#[derive(Debug, Clone)]
enum Mutation {
    /// The value of the `n`th `key = value` line (counted round) replaced.
    Value(usize, String),
    /// The `n`th line removed.
    Drop(usize),
    /// The `n`th line written twice.
    Repeat(usize),
    /// Text put before the `n`th line.
    Insert(usize, String),
    /// The file cut after its `n`th character (counted round).
    Cut(usize),
}

fn mutation() -> impl Strategy<Value = Mutation> {
    prop_oneof![
        6 => (any::<usize>(), hostile_value()).prop_map(|(n, v)| Mutation::Value(n, v)),
        1 => any::<usize>().prop_map(Mutation::Drop),
        1 => any::<usize>().prop_map(Mutation::Repeat),
        1 => (any::<usize>(), vec(toml_token(), 1..8)).prop_map(|(n, t)| Mutation::Insert(n, t.concat())),
        1 => any::<usize>().prop_map(Mutation::Cut),
    ]
}

fn mutate(text: &str, mutation: &Mutation) -> String {
    let mut lines: Vec<String> = text.lines().map(str::to_owned).collect();
    let count = lines.len().max(1);
    match mutation {
        Mutation::Value(n, value) => {
            let assignments: Vec<usize> = lines
                .iter()
                .enumerate()
                .filter(|(_, line)| !line.trim_start().starts_with('#') && line.contains(" = "))
                .map(|(i, _)| i)
                .collect();
            if let Some(&at) = assignments.get(n % assignments.len().max(1)) {
                let key = lines[at].split(" = ").next().unwrap_or_default().to_owned();
                lines[at] = format!("{key} = {value}");
            }
        }
        Mutation::Drop(n) => {
            lines.remove(n % count);
        }
        Mutation::Repeat(n) => {
            let line = lines[n % count].clone();
            lines.insert(n % count, line);
        }
        Mutation::Insert(n, inserted) => lines.insert(n % count, inserted.clone()),
        Mutation::Cut(n) => {
            let joined = lines.join("\n");
            let at = n % joined.chars().count().max(1);
            return joined.chars().take(at).collect();
        }
    }
    lines.join("\n")
}

#[test]
fn the_example_with_hostile_changes_is_loaded_or_refused_with_errors_on_its_lines() {
    run(100, vec(mutation(), 1..4), |mutations| {
        mutations
            .iter()
            .fold(EXAMPLE.to_owned(), |text, m| mutate(&text, m))
    });
}

#[test]
fn the_example_itself_loads() {
    if let Err(error) = load(EXAMPLE) {
        panic!("example.toml is refused:\n{error}");
    }
}

/// Nesting far past anything a configuration has, written out in full: arrays,
/// inline tables and dotted table headers, each a clear error.
#[test]
fn very_deep_nesting_is_refused_with_a_clear_error() {
    for depth in [1_000, 100_000] {
        let arrays = format!(
            "[program]\nname = {}1{}\n",
            "[".repeat(depth),
            "]".repeat(depth)
        );
        let tables = format!(
            "[program]\nname = {}1{}\n",
            "{ a = ".repeat(depth),
            " }".repeat(depth)
        );
        let headers = format!("[{}]\n", vec!["a"; depth].join("."));
        let unclosed = format!("x = {}", "[".repeat(depth));
        for text in [arrays, tables, headers, unclosed] {
            let outcome = loads_or_says_why(&text);
            assert!(outcome.is_ok(), "depth {depth}: {outcome:?}");
            assert!(load(&text).is_err(), "depth {depth} loaded");
        }
    }
}

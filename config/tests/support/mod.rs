//! The harness the configuration test files share: one small valid base file, the
//! variants derived from it by replacing lines, and the check that loading a
//! variant reports exactly the expected errors, each on its line (and, when asked,
//! in its column) with its key and message. Secrets come from an injected
//! environment, never the process's.

// Each test file uses part of the harness; the rest would be warned about there.
#![allow(dead_code, unused_macros)]

use std::path::Path;

use handoff_config::{ConfigError, LoadError, load_str};

/// A minimal valid program: one site, one policy with one step, two people, one
/// agency with one officer, a shift.
pub const BASE: &str = r#"[program]
name = "Test LEAD"

[[escalation_policies]]
id = "standard"

[[escalation_policies.steps]]
who = "case_manager"
timeout = "5m"

[[sites]]
id = "north"
time_zone = "America/New_York"
escalation = "standard"
hours = [{ days = "mon-fri", start = "08:00", end = "17:00" }]

[[agencies]]
id = "metro-pd"
name = "Metro PD"
sites = ["north"]
officers = [
  { id = "rivera", name = "Ana Rivera", rank = "Ofc.", phone = "+1 412 555 0101" },
]

[[people]]
id = "dana"
name = "Dana Whitfield"
roles = ["case_manager"]
phone = "+1 412 555 0111"

[[people]]
id = "rosa"
name = "Rosa Delgado"
roles = ["supervisor"]
matrix = "@rosa:matrix.example.org"

[[shifts]]
person = "dana"
sites = ["north"]
hours = [{ days = "mon-fri", start = "08:00", end = "16:00" }]
"#;

pub const FILE: &str = "handoff.toml";

/// A variant of `BASE` and what loading it must report.
pub struct Case<'a> {
    /// `(old, new)`: each `old` must occur exactly once in the text so far.
    pub edits: &'a [(&'a str, &'a str)],
    /// Tables added at the end of the file.
    pub append: &'a str,
    /// The environment the secrets are looked up in.
    pub env: &'a [(&'a str, &'a str)],
    /// Every error, in file order; none means the file loads.
    pub expect: &'a [Expect],
}

/// The base as it is: the defaults every row starts from.
pub const CASE: Case<'static> = Case {
    edits: &[],
    append: "",
    env: &[],
    expect: &[],
};

/// One expected error: on the only line of the broken text that contains `at`, with
/// exactly this key and a message containing `message`; when `exact`, also in the
/// column where `at` begins.
pub struct Expect {
    pub at: &'static str,
    pub key: &'static str,
    pub message: &'static str,
    pub exact: bool,
}

pub const fn error(at: &'static str, key: &'static str, message: &'static str) -> Expect {
    Expect {
        at,
        key,
        message,
        exact: false,
    }
}

/// An error in the very column where `at` begins: `at` is the value as written.
pub const fn error_at(at: &'static str, key: &'static str, message: &'static str) -> Expect {
    Expect {
        at,
        key,
        message,
        exact: true,
    }
}

pub fn derive(edits: &[(&str, &str)], append: &str) -> String {
    let mut text = BASE.to_owned();
    for (old, new) in edits {
        assert_eq!(
            text.matches(old).count(),
            1,
            "the edit target {old:?} must occur exactly once in:\n{text}"
        );
        text = text.replacen(old, new, 1);
    }
    text.push_str(append);
    text
}

/// The 1-based number of the only line of `text` that contains `marker`.
pub fn line_of(text: &str, marker: &str) -> usize {
    let lines: Vec<usize> = text
        .lines()
        .enumerate()
        .filter(|(_, line)| line.contains(marker))
        .map(|(i, _)| i + 1)
        .collect();
    assert_eq!(
        lines.len(),
        1,
        "the marker {marker:?} must be on exactly one line of:\n{text}"
    );
    lines[0]
}

/// The 1-based column, in characters, where `marker` begins on its only line.
pub fn column_of(text: &str, marker: &str) -> usize {
    let line = text
        .lines()
        .nth(line_of(text, marker) - 1)
        .unwrap_or_default();
    let before = line.split(marker).next().unwrap_or_default();
    before.chars().count() + 1
}

pub fn load(text: &str, env: &[(&str, &str)]) -> Result<handoff_config::Config, LoadError> {
    let lookup = |name: &str| {
        env.iter()
            .find(|(key, _)| *key == name)
            .map(|(_, value)| (*value).to_owned())
    };
    load_str(Path::new(FILE), text, &lookup)
}

pub fn errors_of(text: &str, env: &[(&str, &str)]) -> Vec<ConfigError> {
    match load(text, env) {
        Ok(_) => panic!("expected errors, but the file loads:\n{text}"),
        Err(LoadError::Invalid(errors)) => errors,
        Err(other) => panic!("expected LoadError::Invalid, got {other:?}"),
    }
}

pub fn render(errors: &[ConfigError]) -> String {
    errors
        .iter()
        .map(|e| format!("  {e}"))
        .collect::<Vec<_>>()
        .join("\n")
}

pub fn check(case: &Case<'_>) {
    let text = derive(case.edits, case.append);
    if case.expect.is_empty() {
        if let Err(e) = load(&text, case.env) {
            panic!("expected the file to load, got:\n{e}\nfile:\n{text}");
        }
        return;
    }
    let errors = errors_of(&text, case.env);
    let wanted: Vec<String> = case
        .expect
        .iter()
        .map(|x| {
            format!(
                "  line {}{}: {}: …{}…",
                line_of(&text, x.at),
                if x.exact {
                    format!(" column {}", column_of(&text, x.at))
                } else {
                    String::new()
                },
                x.key,
                x.message
            )
        })
        .collect();
    let report = || {
        format!(
            "expected:\n{}\ngot:\n{}\nfile:\n{text}",
            wanted.join("\n"),
            render(&errors)
        )
    };
    assert_eq!(errors.len(), case.expect.len(), "{}", report());
    for (got, want) in errors.iter().zip(case.expect) {
        assert_eq!(got.file, Path::new(FILE), "{}", report());
        assert_eq!(got.line, line_of(&text, want.at), "{}", report());
        if want.exact {
            assert_eq!(got.column, column_of(&text, want.at), "{}", report());
        }
        assert_eq!(got.key, want.key, "{}", report());
        assert!(got.message.contains(want.message), "{}", report());
    }
}

/// One test per row: the name says what the row shows. Needs `check` in scope.
macro_rules! cases {
    ($($name:ident: $case:expr;)*) => {
        $(
            #[test]
            fn $name() {
                check(&$case);
            }
        )*
    };
}

//! Configuration errors that say where: file, line, column and key. A file's errors
//! are collected and reported together, so one run of `check-config` shows them all.

use std::fmt;
use std::ops::Range;
use std::path::{Path, PathBuf};

/// One problem, at a byte range of the file, before it is placed on a line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Problem {
    pub span: Range<usize>,
    /// Dotted path of the key, e.g. `people[2].phone`.
    pub key: String,
    pub message: String,
}

/// Collects problems while a file is validated.
#[derive(Debug, Default)]
pub struct Problems(pub Vec<Problem>);

impl Problems {
    pub fn push(&mut self, span: Range<usize>, key: impl Into<String>, message: impl fmt::Display) {
        self.0.push(Problem {
            span,
            key: key.into(),
            message: message.to_string(),
        });
    }
}

/// A problem placed in its file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ConfigError {
    pub file: PathBuf,
    /// 1-based.
    pub line: usize,
    /// 1-based, in characters.
    pub column: usize,
    pub key: String,
    pub message: String,
}

impl fmt::Display for ConfigError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{}:{}:{}: {}: {}",
            self.file.display(),
            self.line,
            self.column,
            self.key,
            self.message
        )
    }
}

/// Why a configuration could not be loaded: the file could not be read, or it has
/// one or more errors (all of them, in file order).
#[derive(Debug, thiserror::Error)]
pub enum LoadError {
    #[error("cannot read {}", file.display())]
    Read {
        file: PathBuf,
        #[source]
        source: std::io::Error,
    },
    #[error("{}", render(.0))]
    Invalid(Vec<ConfigError>),
}

fn render(errors: &[ConfigError]) -> String {
    errors
        .iter()
        .map(ToString::to_string)
        .collect::<Vec<_>>()
        .join("\n")
}

/// The 1-based line and column of a byte offset in `text`.
pub fn line_column(text: &str, offset: usize) -> (usize, usize) {
    let offset = offset.min(text.len());
    let before = text.get(..offset).unwrap_or(text);
    let line = before.matches('\n').count() + 1;
    let line_start = before.rfind('\n').map_or(0, |i| i + 1);
    let column = before.get(line_start..).map_or(0, |s| s.chars().count()) + 1;
    (line, column)
}

/// Places problems on lines of `text` and sorts them in file order.
pub fn place(file: &Path, text: &str, problems: Vec<Problem>) -> Vec<ConfigError> {
    let mut errors: Vec<ConfigError> = problems
        .into_iter()
        .map(|p| {
            let (line, column) = line_column(text, p.span.start);
            ConfigError {
                file: file.to_path_buf(),
                line,
                column,
                key: shortened(&p.key, LONGEST_KEY),
                message: shortened_quotes(&p.message),
            }
        })
        .collect();
    errors.sort_by_key(|e| (e.line, e.column));
    errors.dedup();
    errors
}

/// The most characters of a value an error quotes: enough to recognise it, not a
/// screenful of a runaway string.
const LONGEST_QUOTE: usize = 60;
/// The most characters of a key an error names (a made-up key can be any length).
const LONGEST_KEY: usize = 80;
/// The most characters of a whole message.
const LONGEST_MESSAGE: usize = 500;

/// `text` cut to `most` characters, saying how long it was.
fn shortened(text: &str, most: usize) -> String {
    let count = text.chars().count();
    if count <= most {
        return text.to_owned();
    }
    let kept: String = text.chars().take(most.saturating_sub(20)).collect();
    format!("{kept}… ({count} characters)")
}

/// `message` with each value it quotes in backticks shortened, then the whole
/// shortened, so that an error about a huge value still reads on one screen.
fn shortened_quotes(message: &str) -> String {
    let mut out = String::with_capacity(message.len().min(LONGEST_MESSAGE * 4));
    for (n, part) in message.split('`').enumerate() {
        if n > 0 {
            out.push('`');
        }
        // Odd parts are between backticks: the quoted values.
        if n % 2 == 1 {
            out.push_str(&shortened(part, LONGEST_QUOTE));
        } else {
            out.push_str(part);
        }
    }
    shortened(&out, LONGEST_MESSAGE)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn huge_quoted_values_and_keys_are_shortened_saying_how_long_they_were() {
        let value = "x".repeat(100_000);
        let message = format!("`{value}` is not a duration: write e.g. 90s");
        let shown = shortened_quotes(&message);
        assert!(shown.starts_with("`xxxx"), "{shown}");
        assert!(
            shown.ends_with("… (100000 characters)` is not a duration: write e.g. 90s"),
            "{shown}"
        );
        assert!(shown.chars().count() < 120, "{shown}");
        assert_eq!(shortened_quotes("`5m` is fine"), "`5m` is fine");
        let errors = place(
            Path::new("f.toml"),
            "a = 1\n",
            vec![Problem {
                span: 0..1,
                key: "k".repeat(1000),
                message: "m".repeat(10_000),
            }],
        );
        assert!(errors[0].key.chars().count() <= LONGEST_KEY + 20);
        assert!(errors[0].message.chars().count() <= LONGEST_MESSAGE + 20);
    }

    #[test]
    fn offsets_become_one_based_lines_and_columns() {
        let text = "a = 1\nbé = 2\n";
        assert_eq!(line_column(text, 0), (1, 1));
        assert_eq!(line_column(text, 6), (2, 1));
        assert_eq!(line_column(text, "a = 1\nbé".len()), (2, 3));
        assert_eq!(line_column(text, 999), (3, 1));
    }
}

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
                key: p.key,
                message: p.message,
            }
        })
        .collect();
    errors.sort_by_key(|e| (e.line, e.column));
    errors.dedup();
    errors
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn offsets_become_one_based_lines_and_columns() {
        let text = "a = 1\nbé = 2\n";
        assert_eq!(line_column(text, 0), (1, 1));
        assert_eq!(line_column(text, 6), (2, 1));
        assert_eq!(line_column(text, "a = 1\nbé".len()), (2, 3));
        assert_eq!(line_column(text, 999), (3, 1));
    }
}

//! Reading a configuration file: TOML parsing with positions, then validation, with
//! every error placed on its line. Secrets are looked up in the environment here and
//! nowhere else.

use std::path::Path;

use crate::error::{ConfigError, LoadError, Problem, line_column, place};
use crate::model::Config;
use crate::raw::RawConfig;
use crate::validate::{EnvLookup, validate};

/// Loads and validates the file at `path`, reading secrets from the process
/// environment.
pub fn load(path: &Path) -> Result<Config, LoadError> {
    let text = std::fs::read_to_string(path).map_err(|source| LoadError::Read {
        file: path.to_path_buf(),
        source,
    })?;
    load_str(path, &text, &|name| std::env::var(name).ok())
}

/// Loads and validates `text` as if read from `path`, looking secrets up with `env`.
pub fn load_str(path: &Path, text: &str, env: EnvLookup<'_>) -> Result<Config, LoadError> {
    let raw: RawConfig =
        toml::from_str(text).map_err(|e| LoadError::Invalid(vec![syntax_error(path, text, &e)]))?;
    let base_dir = path.parent().map(Path::to_path_buf).unwrap_or_default();
    match validate(raw, 0..text.len(), &base_dir, env) {
        Ok(valid) => Ok(Config {
            source: path.to_path_buf(),
            program: valid.program,
            sites: valid.sites,
            roster: valid.roster,
            overrides: valid.overrides,
            policies: valid.policies,
            transports: valid.transports,
            server: valid.server,
            dashboard: valid.dashboard,
            api_tokens: valid.api_tokens,
        }),
        Err(problems) => Err(LoadError::Invalid(place(path, text, problems.0))),
    }
}

/// A TOML syntax or shape error. The parser stops at the first of these, so it is
/// reported alone; its key is read from where it points.
fn syntax_error(path: &Path, text: &str, error: &toml::de::Error) -> ConfigError {
    let offset = error.span().map_or(0, |span| span.start);
    let (line, _) = line_column(text, offset);
    let key = key_at(text, offset)
        .or_else(|| {
            text.lines()
                .nth(line.saturating_sub(1))
                .and_then(key_on_line)
        })
        .unwrap_or_else(|| "toml".to_owned());
    let mut placed = place(
        path,
        text,
        vec![Problem {
            span: offset..offset,
            key,
            message: error.message().trim().replace('\n', " "),
        }],
    );
    placed.pop().unwrap_or(ConfigError {
        file: path.to_path_buf(),
        line,
        column: 1,
        key: "toml".to_owned(),
        message: error.message().to_owned(),
    })
}

/// The key an error at `offset` is about, on lines that set keys (so also inside an
/// inline table such as `{ id = "rivera", badge = 7 }`): the key the offset points at
/// (an unknown or duplicate key), else the last key assigned before it (a bad value).
/// `None` on a table header or where no key can be told, left to `key_on_line`.
fn key_at(text: &str, offset: usize) -> Option<String> {
    let line_start = text.get(..offset)?.rfind('\n').map_or(0, |i| i + 1);
    let line_end = text
        .get(offset..)?
        .find('\n')
        .map_or(text.len(), |i| offset + i);
    let (before, after) = (text.get(line_start..offset)?, text.get(offset..line_end)?);
    if before.trim_start().starts_with('[') && !before.contains('=') {
        return None;
    }
    let is_key_char = |c: char| c.is_ascii_alphanumeric() || c == '_' || c == '-';
    let at: String = after.chars().take_while(|&c| is_key_char(c)).collect();
    if !at.is_empty() && after.get(at.len()..)?.trim_start().starts_with('=') {
        return Some(at);
    }
    // The last `=` before the offset that is not inside a string.
    let (mut quote, mut escaped, mut last_equals) = (None, false, None);
    for (i, c) in before.char_indices() {
        match (quote, c) {
            (Some('"'), '\\') if !escaped => {
                escaped = true;
                continue;
            }
            (Some(q), _) if c == q && !escaped => quote = None,
            (None, '"' | '\'') => quote = Some(c),
            (None, '=') => last_equals = Some(i),
            _ => {}
        }
        escaped = false;
    }
    let assigned = before.get(..last_equals?)?.trim_end();
    let start = assigned
        .rfind(|c: char| !(is_key_char(c) || c == '.'))
        .map_or(0, |i| i + 1);
    let key = assigned.get(start..)?;
    (!key.is_empty()).then(|| key.to_owned())
}

/// The key a TOML line sets (`phone = "..."` gives `phone`), or the table it opens.
fn key_on_line(line: &str) -> Option<String> {
    let line = line.trim();
    if let Some(table) = line.strip_prefix('[') {
        // An unfinished header (`[`, `[[ ]]`) names no table.
        let table = table.trim_matches(|c| c == '[' || c == ']' || c == ' ');
        return (!table.is_empty()).then(|| table.to_owned());
    }
    let (key, _) = line.split_once('=')?;
    let key = key.trim();
    (!key.is_empty()).then(|| key.to_owned())
}

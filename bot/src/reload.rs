//! Reloading the configuration while serving (SIGHUP): the roster, sites, schedules,
//! escalation policies and the program's decision settings take effect at once,
//! without a restart, so a shift swap or a new case manager never means a moment
//! with the webhooks down (a provider does not retry a text it could not deliver).
//!
//! A file with errors is refused whole and the running configuration stays, and so
//! is one that drops a site with open hand-offs. What
//! is built once at start (the listen address, public URL and database, the
//! transports, message retention, the agencies' API tokens) keeps its old value
//! until the next restart; the reload says so. Decisions under way finish on the configuration they started
//! with; timers already set keep their due times.

use std::collections::BTreeMap;
use std::sync::Arc;

use handoff_config::Config;
use handoff_dispatcher::{Engine, StoreError};

/// Why `new` cannot replace the running configuration although it is valid: it
/// drops a site that open hand-offs belong to (their timers and answers would
/// fail from then on). One line per site.
pub async fn conflicts(engine: &Engine, new: &Config) -> Result<Vec<String>, StoreError> {
    let mut open_by_site: BTreeMap<String, Vec<String>> = BTreeMap::new();
    for handoff in engine.records().open_handoffs().await? {
        if !new.sites.iter().any(|s| s.id == handoff.request.site) {
            open_by_site
                .entry(handoff.request.site.to_string())
                .or_default()
                .push(handoff.id.to_string());
        }
    }
    Ok(open_by_site
        .into_iter()
        .map(|(site, ids)| {
            format!(
                "site `{site}` is gone from the file but hand-offs {} are open there: \
                 keep it until they close",
                ids.join(", ")
            )
        })
        .collect())
}

/// Puts `new` in force for `engine`, replacing `current`. Returns what differs but
/// needs a restart, one line each. Check [`conflicts`] first.
pub fn apply(engine: &Engine, current: &Config, new: &Config) -> Vec<String> {
    engine.replace_directory(Arc::new(new.directory()));
    let mut needs_restart = Vec::new();
    if new.server != current.server {
        needs_restart.push(
            "[server] (listen, public_url, database, client_timeout, sender limits)".to_owned(),
        );
    }
    if new.transports != current.transports {
        needs_restart.push("[transports]".to_owned());
    }
    if new.program.message_retention != current.program.message_retention {
        needs_restart.push("program.message_retention".to_owned());
    }
    if new.api_tokens != current.api_tokens {
        needs_restart.push("agencies' api_token_env (the JSON API's tokens)".to_owned());
    }
    needs_restart
}

/// Waits for the next SIGHUP; never resolves where there are no such signals, or
/// if they cannot be listened for (which is logged once).
pub struct Hangups {
    #[cfg(unix)]
    signal: Option<tokio::signal::unix::Signal>,
}

impl Hangups {
    pub fn new() -> Hangups {
        #[cfg(unix)]
        {
            use tokio::signal::unix::{SignalKind, signal};
            match signal(SignalKind::hangup()) {
                Ok(signal) => Hangups {
                    signal: Some(signal),
                },
                Err(error) => {
                    tracing::error!(%error, "cannot listen for SIGHUP: reload by restarting");
                    Hangups { signal: None }
                }
            }
        }
        #[cfg(not(unix))]
        Hangups {}
    }

    pub async fn next(&mut self) {
        #[cfg(unix)]
        if let Some(signal) = &mut self.signal
            && signal.recv().await.is_some()
        {
            return;
        }
        std::future::pending::<()>().await;
    }
}

impl Default for Hangups {
    fn default() -> Hangups {
        Hangups::new()
    }
}

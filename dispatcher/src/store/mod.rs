//! The durable store: hand-offs, the event log, timers, the outbox and what routing
//! knows about each person's load, in SQLite (the embedded default) or PostgreSQL.
//!
//! One code path serves both: sqlx's `any` driver, `&'static str` queries with `$1`
//! binds, portable column types (BIGINT epoch milliseconds for instants, TEXT for
//! JSON and names) and one migration folder per dialect, chosen by the URL's scheme.
//! Instants are therefore stored to the millisecond; the `Handoff` itself is kept
//! whole as JSON, so its own instants round-trip exactly.
//!
//! This file owns connecting, the error type and the write discipline; the queries
//! live beside it:
//!
//! - `commit`: the one transaction that records a decision;
//! - `handoffs`: reading hand-offs, the load snapshot, caseloads and intake;
//! - `log`: the event log and due timers;
//! - `audit`: the hash chain over the event log: appends, and its verification;
//! - `outbox`: messages waiting for delivery and their fate;
//! - `sandbox`: the sandbox SMS provider's conversations;
//! - `leases`: one process at a time, fenced by epoch and judged by the database's
//!   clock;
//! - `codec`: turning columns back into domain values;
//! - `rollup`: the per-hand-off statistics table, kept up to date from the log;
//! - `board`: the dashboard's counts and percentiles, queried from that table;
//! - `summary`: `handoff report summary`'s groups, counted from that table;
//! - `overrides`: schedule overrides added on the dashboard, and their revision;
//! - `pending`: who each open hand-off has an unanswered offer out to, copied
//!   from the hand-off with each write of it, for finding a staff member's
//!   hand-offs by index.

mod audit;
mod board;
mod codec;
mod commit;
mod contacts;
mod followups;
mod gauges;
mod handoffs;
mod inbound;
mod leases;
mod log;
mod matrix;
mod notify;
mod outbox;
mod overrides;
mod pending;
mod retention;
mod rollup;
mod sandbox;
mod summary;
mod views;
mod web;

use std::sync::Arc;
use std::sync::atomic::AtomicU32;

use sqlx::AnyPool;
use sqlx::any::AnyPoolOptions;
use sqlx::{Any, Connection, Executor, Transaction};
use tokio::sync::{Mutex, MutexGuard};

use crate::handoff::{HandoffId, Timer};

pub use commit::Commit;
pub use contacts::SenderRow;
pub use gauges::Gauges;
pub use handoffs::IntakeItem;
pub use inbound::{ContactWrite, INBOUND_STEPS, InboundWrite, Recorded};
pub use leases::LeaseToken;
pub use matrix::PostedEvent;
pub use notify::OutboxListener;
pub use retention::Forgotten;
pub use rollup::RefreshReport;
pub use sandbox::{SandboxDirection, SandboxEntry, SandboxVersion};
pub use views::{Outbox, Records};
pub use web::WebSession;

/// Which database a [`Store`] talks to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Backend {
    Sqlite,
    Postgres,
}

/// Why a [`Commit`] was refused: someone else changed the hand-off first.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ConflictReason {
    /// The hand-off is no longer at the version the decision was made on.
    StaleVersion { expected: i64, found: i64 },
    /// An update named a hand-off that does not exist.
    NotFound,
    /// A new hand-off reused an existing number.
    DuplicateId,
    /// The fired timer the decision handled is gone: another decision handled it.
    TimerGone(Timer),
}

impl std::fmt::Display for ConflictReason {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            ConflictReason::StaleVersion { expected, found } => {
                write!(f, "expected version {expected}, found {found}")
            }
            ConflictReason::NotFound => f.write_str("no such hand-off"),
            ConflictReason::DuplicateId => f.write_str("the number is already taken"),
            ConflictReason::TimerGone(timer) => {
                write!(f, "timer `{}` was already handled", timer.name())
            }
        }
    }
}

#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("database error: {0}")]
    Database(#[from] sqlx::Error),

    #[error("database migration failed: {0}")]
    Migrate(#[from] sqlx::migrate::MigrateError),

    /// A JSON column does not decode into the type it was written from.
    #[error("corrupt JSON in {table} row {id}: {source}")]
    CorruptJson {
        table: &'static str,
        id: String,
        #[source]
        source: serde_json::Error,
    },

    /// A plain column holds a value no domain type accepts (a bad identifier, an
    /// unknown state or timer name, an instant out of range).
    #[error("corrupt value in {table} row {id}: {detail}")]
    CorruptValue {
        table: &'static str,
        id: String,
        detail: String,
    },

    /// A value could not be turned into JSON for storing.
    #[error("cannot encode {what} as JSON: {source}")]
    Encode {
        what: &'static str,
        #[source]
        source: serde_json::Error,
    },

    /// Another decision got there first; nothing of the commit was written. Reload the
    /// hand-off and decide again.
    #[error("conflict on hand-off {handoff}: {reason}")]
    Conflict {
        handoff: HandoffId,
        reason: ConflictReason,
    },

    #[error(
        "unsupported database URL `{0}`: expected sqlite://PATH, sqlite:PATH or postgres://..."
    )]
    UnsupportedUrl(String),

    /// Another message from the same sender was recorded first; nothing of this one
    /// was written. Read again and decide again.
    #[error("another message from the same sender was recorded first")]
    SenderChanged,

    /// Work the store handed to a thread of its own (counting the dashboard's
    /// board) panicked or was cancelled.
    #[error("the store's background work failed: {0}")]
    Worker(String),

    /// A failure a test asked for (see [`Store::fail_inbound_step`]).
    #[error("injected failure at step {0} of an inbound write")]
    Injected(u32),
    /// A write only the holder of a lease may make was refused: the token's epoch
    /// no longer holds the lease (another process took it over, or it ran out by
    /// the database's clock), or it runs out too soon to start a send. Nothing was
    /// written; the caller must stop what it was doing under that lease.
    #[error("lease `{name}` is no longer held at epoch {epoch} (or runs out too soon)")]
    LeaseLost { name: String, epoch: i64 },

    /// [`Store::open_existing`] found no SQLite file at the path.
    #[error("no database at {0}: it is created by the first `handoff serve`")]
    NoDatabase(String),

    /// This process's other writes kept the SQLite file's write lock (see
    /// [`Store::write_lock`]) longer than a writer waits for it. Nothing was
    /// written; the same write may succeed later.
    #[error("the database is busy: waited {} s for this process's other writes", WRITE_WAIT.as_secs())]
    Busy,
}

impl StoreError {
    /// Whether the same write or read may succeed later: the database did not
    /// answer, refused the write (locked, out of space) or was busy. Anything else
    /// (corrupt data, a lost race, a lost lease) calls for something else.
    pub fn is_transient(&self) -> bool {
        matches!(self, StoreError::Database(_) | StoreError::Busy)
    }
}

/// How long a SQLite connection waits for another process's write lock (the
/// `busy_timeout` below), and as long a writer of this process waits for its turn
/// at [`Store::write_lock`]: together they bound the time a write waits on a
/// locked database, so a webhook is answered (with a 503) well before a provider
/// gives up on it (Twilio waits 15 s), however many writers queue up.
const WRITE_WAIT: std::time::Duration = std::time::Duration::from_secs(5);

/// The store. Cheap to clone: every clone shares one pool and one write lock.
#[derive(Debug, Clone)]
pub struct Store {
    inner: Arc<Inner>,
}

#[derive(Debug)]
struct Inner {
    pool: AnyPool,
    backend: Backend,
    /// The URL connected to, for connections outside the pool (a listener).
    url: ConnectUrl,
    /// Serialises the write transactions of this store on SQLite (see
    /// [`Store::write_lock`]). Unused on PostgreSQL.
    write_lock: Mutex<()>,
    /// The step of an inbound write that fails on purpose, for tests; `u32::MAX`:
    /// none.
    fail_inbound_step: AtomicU32,
    /// The rollup's rows in memory, for the dashboard's board.
    board: board::BoardCache,
}

/// A database URL, which may hold a password: its `Debug` shows the scheme only.
struct ConnectUrl(String);

impl std::fmt::Debug for ConnectUrl {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let scheme = self.0.split_once(':').map_or("?", |(scheme, _)| scheme);
        write!(f, "{scheme}://…")
    }
}

/// The pragmas every SQLite connection gets. `journal_mode` and `synchronous`:
/// write-ahead logging with a sync per checkpoint rather than per commit (durable
/// across a process crash; a power cut may lose the last commits but never corrupts
/// the file; ~5x cheaper per commit than the default journal);
/// `busy_timeout`: wait up to 5 s (`WRITE_WAIT`) for another process's write
/// lock instead of failing at once; `foreign_keys`: SQLite leaves them off unless
/// asked, per connection; `secure_delete`: what is deleted or overwritten is zeroed in the file, so text
/// that retention forgot cannot be read back from free pages.
const SQLITE_PRAGMAS: [&str; 5] = [
    "PRAGMA busy_timeout = 5000", // WRITE_WAIT
    "PRAGMA journal_mode = WAL",
    "PRAGMA synchronous = NORMAL",
    "PRAGMA foreign_keys = ON",
    "PRAGMA secure_delete = ON",
];

impl Store {
    /// Connects and brings the schema up to date. `sqlite://PATH` or `sqlite:PATH`
    /// (the file is created if missing) or `postgres://...` / `postgresql://...`.
    pub async fn connect(url: &str) -> Result<Store, StoreError> {
        sqlx::any::install_default_drivers();
        let (backend, url) = normalize_url(url)?;
        let options = AnyPoolOptions::new().before_acquire(|conn, _meta| {
            Box::pin(async move {
                // sqlx counts a transaction open until its COMMIT or ROLLBACK
                // succeeds. SQLite rolls a transaction back by itself when a write
                // fails for want of space or with an I/O error (SQLITE_FULL,
                // SQLITE_IOERR: a full disk); the ROLLBACK sqlx then sends fails
                // ("no transaction is active"), and the connection would come back
                // from the pool still counted inside a transaction, refusing every
                // later write ("begin_with at non-zero transaction depth") until a
                // restart, long after the disk has room again. A connection the pool
                // hands out is never inside a transaction (the ping sqlx sends
                // first has flushed any rollback still queued), so one that seems to
                // be is closed, and a fresh one opened.
                if conn.is_in_transaction() {
                    tracing::warn!(
                        "a database connection left inside a failed transaction is closed"
                    );
                    return Ok(false);
                }
                Ok(true)
            })
        });
        let pool = match backend {
            Backend::Sqlite => {
                // After every connect, not once: all four are per-connection settings
                // except journal_mode, which sticks to the file but is harmless to
                // repeat. `connect` opens the pool's first connection alone, so the
                // switch to WAL (which needs the file to itself) happens before any
                // second connection exists.
                options
                    .after_connect(|conn, _meta| {
                        Box::pin(async move {
                            for pragma in SQLITE_PRAGMAS {
                                conn.execute(pragma).await?;
                            }
                            Ok(())
                        })
                    })
                    .connect(&url)
                    .await?
            }
            Backend::Postgres => options.connect(&url).await?,
        };
        match backend {
            Backend::Sqlite => sqlx::migrate!("./migrations/sqlite").run(&pool).await?,
            Backend::Postgres => sqlx::migrate!("./migrations/postgres").run(&pool).await?,
        }
        tracing::debug!(?backend, "store connected and migrated");
        let store = Store {
            inner: Arc::new(Inner {
                pool,
                backend,
                url: ConnectUrl(url.clone()),
                write_lock: Mutex::new(()),
                fail_inbound_step: AtomicU32::new(u32::MAX),
                board: board::BoardCache::default(),
            }),
        };
        // Before anything can append: events written before the chain existed go
        // first on it (once; afterwards this is one read).
        store.chain_legacy().await?;
        // Before a staff member's text can be read: the hand-offs open before
        // their pending offers were indexed get their rows (once).
        store.backfill_pending_offers().await?;
        Ok(store)
    }

    /// Like [`Store::connect`], but a SQLite file must already exist: for readers
    /// such as reports, where a mistyped path should be an error, not a new empty
    /// database.
    pub async fn open_existing(url: &str) -> Result<Store, StoreError> {
        let (backend, normalized) = normalize_url(url)?;
        if backend == Backend::Sqlite {
            let path = normalized
                .strip_prefix("sqlite://")
                .and_then(|rest| rest.split('?').next())
                .unwrap_or_default();
            if !std::path::Path::new(path).is_file() {
                return Err(StoreError::NoDatabase(path.to_owned()));
            }
        }
        Store::connect(url).await
    }

    fn url(&self) -> &str {
        &self.inner.url.0
    }

    pub fn backend(&self) -> Backend {
        self.inner.backend
    }

    /// The underlying pool. Writes through it bypass the store's write lock: write
    /// through the `Store` methods instead.
    #[cfg(not(feature = "testing"))]
    pub(crate) fn pool(&self) -> &AnyPool {
        &self.inner.pool
    }

    /// The underlying pool, for tests that look at rows directly.
    #[cfg(feature = "testing")]
    pub fn pool(&self) -> &AnyPool {
        &self.inner.pool
    }

    /// Waits for every connection to be returned, then closes them (on SQLite this
    /// also checkpoints the write-ahead log into the file). Clones share the pool:
    /// the store is unusable afterwards.
    pub async fn close(&self) {
        self.inner.pool.close().await;
    }

    /// Held for the whole of every write transaction on SQLite.
    ///
    /// Why: SQLite admits one writer at a time. A deferred transaction starts as a
    /// reader; when it first writes it must upgrade to the write lock, and if another
    /// connection committed a write since this transaction's snapshot began, the
    /// upgrade fails at once with SQLITE_BUSY (busy_timeout cannot help: waiting would
    /// not make the stale snapshot fresh). Queuing this store's writers here, in async
    /// code, avoids that and keeps waiting writers from holding pool connections while
    /// blocked in SQLite. Reads take no lock: under WAL they run beside the writer.
    /// Writers are also begun with `BEGIN IMMEDIATE`, so a writer in another process
    /// makes this one wait (up to busy_timeout) at BEGIN rather than fail midway.
    ///
    /// A writer waits for its turn here at most `WRITE_WAIT`, then fails with
    /// [`StoreError::Busy`]. Why: the writer ahead of it may itself be waiting up to
    /// busy_timeout for another process's lock; unbounded, each writer in the queue
    /// would add that wait to the next one's, and with a database locked from
    /// outside the tenth webhook in line would wait fifty seconds for its 503.
    /// Bounded, none waits much more than twice `WRITE_WAIT`.
    ///
    /// PostgreSQL needs no such lock: it has row locks, and the version check of
    /// [`Store::commit`] turns a lost race into [`StoreError::Conflict`].
    async fn write_lock(&self) -> Result<Option<MutexGuard<'_, ()>>, StoreError> {
        match self.inner.backend {
            Backend::Sqlite => tokio::time::timeout(WRITE_WAIT, self.inner.write_lock.lock())
                .await
                .map(Some)
                .map_err(|_| StoreError::Busy),
            Backend::Postgres => Ok(None),
        }
    }

    /// Begins a write transaction (hold [`Store::write_lock`] first).
    async fn begin_write(&self) -> Result<Transaction<'static, Any>, StoreError> {
        let tx = match self.inner.backend {
            Backend::Sqlite => self.inner.pool.begin_with("BEGIN IMMEDIATE").await?,
            Backend::Postgres => self.inner.pool.begin().await?,
        };
        Ok(tx)
    }

    /// Ends a write transaction: commits it if `result` is `Ok`, rolls it back
    /// otherwise. (A helper taking the work as an async closure would read better, but
    /// its future could not be proven `Send`.)
    async fn finish<T>(
        tx: Transaction<'static, Any>,
        result: Result<T, StoreError>,
    ) -> Result<T, StoreError> {
        match result {
            Ok(value) => {
                tx.commit().await?;
                Ok(value)
            }
            Err(error) => {
                if let Err(rollback) = tx.rollback().await {
                    tracing::warn!(%rollback, "rollback after a failed write failed");
                }
                Err(error)
            }
        }
    }
}

/// Recognises the backend and turns `sqlite:` URLs into what sqlx expects, asking for
/// the file to be created if missing (`mode=rwc`) unless the URL sets a mode itself.
fn normalize_url(url: &str) -> Result<(Backend, String), StoreError> {
    if url.starts_with("postgres://") || url.starts_with("postgresql://") {
        return Ok((Backend::Postgres, url.to_owned()));
    }
    let Some(rest) = url.strip_prefix("sqlite:") else {
        // Only the scheme: the rest may hold a password.
        let scheme = url.split_once(':').map_or("(none)", |(scheme, _)| scheme);
        return Err(StoreError::UnsupportedUrl(format!("{scheme}:...")));
    };
    let rest = rest.strip_prefix("//").unwrap_or(rest);
    let (path, query) = match rest.split_once('?') {
        Some((path, query)) => (path, Some(query)),
        None => (rest, None),
    };
    if path.is_empty() || path == ":memory:" {
        // A pool of in-memory databases would be a pool of different databases.
        return Err(StoreError::UnsupportedUrl(url.to_owned()));
    }
    let query = match query {
        None | Some("") => "mode=rwc".to_owned(),
        Some(query) if query.split('&').any(|pair| pair.starts_with("mode=")) => query.to_owned(),
        Some(query) => format!("{query}&mode=rwc"),
    };
    Ok((Backend::Sqlite, format!("sqlite://{path}?{query}")))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sqlite_urls_with_or_without_slashes_create_the_file() {
        for url in ["sqlite:///tmp/a.db", "sqlite:/tmp/a.db"] {
            assert_eq!(
                normalize_url(url).unwrap(),
                (Backend::Sqlite, "sqlite:///tmp/a.db?mode=rwc".to_owned())
            );
        }
        assert_eq!(
            normalize_url("sqlite://a.db?mode=ro").unwrap().1,
            "sqlite://a.db?mode=ro"
        );
        assert_eq!(
            normalize_url("sqlite:a.db?cache=shared").unwrap().1,
            "sqlite://a.db?cache=shared&mode=rwc"
        );
    }

    #[test]
    fn other_schemes_and_in_memory_databases_are_refused() {
        assert_eq!(
            normalize_url("postgresql://x/y").unwrap().0,
            Backend::Postgres
        );
        for url in ["mysql://x/y", "sqlite::memory:", "sqlite://", "/tmp/a.db"] {
            assert!(matches!(
                normalize_url(url),
                Err(StoreError::UnsupportedUrl(_))
            ));
        }
    }
}

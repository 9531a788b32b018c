//! Databases for the dispatcher's tests: a fresh SQLite file always, and a fresh
//! PostgreSQL database of its own when `DATABASE_URL` names a PostgreSQL server
//! (`scripts/test` starts a throwaway one).

#![allow(dead_code)] // each test file uses its own part of this module

use handoff_dispatcher::Store;
use sqlx::Connection;
use tempfile::TempDir;

/// A fresh database for one test.
pub enum Db {
    Sqlite {
        _dir: TempDir,
        url: String,
    },
    Postgres {
        admin: String,
        name: String,
        url: String,
    },
}

impl Db {
    /// A pool on this database with the migrations up to `version` run, and no
    /// later one: the schema an earlier version of the service left, to write
    /// rows as that version did.
    pub async fn migrated_to(&self, version: i64) -> sqlx::AnyPool {
        sqlx::any::install_default_drivers();
        let url = match self {
            Db::Sqlite { .. } => format!("{}?mode=rwc", self.url()),
            Db::Postgres { .. } => self.url().to_owned(),
        };
        let pool = sqlx::AnyPool::connect(&url)
            .await
            .unwrap_or_else(|e| panic!("{e}"));
        let migrated = match self {
            Db::Sqlite { .. } => {
                sqlx::migrate!("./migrations/sqlite")
                    .run_to(version, &pool)
                    .await
            }
            Db::Postgres { .. } => {
                sqlx::migrate!("./migrations/postgres")
                    .run_to(version, &pool)
                    .await
            }
        };
        migrated.unwrap_or_else(|e| panic!("migrating to {version}: {e}"));
        pool
    }

    pub fn url(&self) -> &str {
        match self {
            Db::Sqlite { url, .. } | Db::Postgres { url, .. } => url,
        }
    }

    pub async fn connect(&self) -> Store {
        Store::connect(self.url())
            .await
            .unwrap_or_else(|e| panic!("connecting to {}: {e}", self.url()))
    }

    pub async fn dispose(self) {
        if let Db::Postgres { admin, name, .. } = self {
            let mut conn = admin_connection(&admin).await;
            let sql = format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)");
            sqlx::raw_sql(sqlx::AssertSqlSafe(sql))
                .execute(&mut conn)
                .await
                .unwrap_or_else(|e| panic!("dropping database {name}: {e}"));
        }
    }
}

pub fn sqlite_db() -> Db {
    let dir = TempDir::new().unwrap_or_else(|e| panic!("temporary directory: {e}"));
    let url = format!("sqlite://{}/store.db", dir.path().display());
    Db::Sqlite { _dir: dir, url }
}

async fn admin_connection(url: &str) -> sqlx::AnyConnection {
    sqlx::any::install_default_drivers();
    sqlx::AnyConnection::connect(url)
        .await
        .unwrap_or_else(|e| panic!("connecting to {url}: {e}"))
}

/// Creates `handoff_test_<random>` on the server of `admin` and names it in a URL.
pub async fn postgres_db(admin: &str) -> Db {
    let name = format!("handoff_test_{:016x}", rand::random::<u64>());
    let mut conn = admin_connection(admin).await;
    sqlx::raw_sql(sqlx::AssertSqlSafe(format!("CREATE DATABASE {name}")))
        .execute(&mut conn)
        .await
        .unwrap_or_else(|e| panic!("creating database {name}: {e}"));
    let (base, query) = match admin.split_once('?') {
        Some((base, query)) => (base, format!("?{query}")),
        None => (admin, String::new()),
    };
    let authority_start = base.find("://").map_or(0, |i| i + 3);
    let server = match base[authority_start..].find('/') {
        Some(slash) => &base[..authority_start + slash],
        None => base,
    };
    let url = format!("{server}/{name}{query}");
    Db::Postgres {
        admin: admin.to_owned(),
        name,
        url,
    }
}

/// Runs `test` on a fresh SQLite store, then on a fresh PostgreSQL store if
/// `DATABASE_URL` names a PostgreSQL server.
pub async fn on_every_backend(test: impl AsyncFn(&Db, Store)) {
    let mut dbs = vec![sqlite_db()];
    if let Ok(url) = std::env::var("DATABASE_URL")
        && (url.starts_with("postgres://") || url.starts_with("postgresql://"))
    {
        dbs.push(postgres_db(&url).await);
    }
    for db in dbs {
        let store = db.connect().await;
        eprintln!("on {:?}", store.backend());
        test(&db, store).await;
        db.dispose().await;
    }
}

/// A fresh SQLite database, and a fresh PostgreSQL one if `DATABASE_URL` names a
/// PostgreSQL server: for tests that manage their own connections (restarts).
pub async fn every_backend() -> Vec<Db> {
    let mut dbs = vec![sqlite_db()];
    if let Ok(url) = std::env::var("DATABASE_URL")
        && (url.starts_with("postgres://") || url.starts_with("postgresql://"))
    {
        dbs.push(postgres_db(&url).await);
    }
    dbs
}

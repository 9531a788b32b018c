//! Databases for journeys: a fresh SQLite file always (the service's own default),
//! and a fresh PostgreSQL database of its own when `DATABASE_URL` names a PostgreSQL
//! server (`scripts/with-postgres` starts a throwaway one), so a journey can run on
//! both backends the service supports.

use sqlx::Connection;

/// One database a journey runs on.
pub struct Database {
    /// `None`: the service's fresh SQLite file.
    url: Option<String>,
    /// The server's admin URL and the database's name, to drop it afterwards.
    postgres: Option<(String, String)>,
}

impl Database {
    /// What to give [`crate::service::Service::start_with`].
    pub fn url(&self) -> Option<String> {
        self.url.clone()
    }

    pub fn label(&self) -> &'static str {
        if self.postgres.is_some() {
            "PostgreSQL"
        } else {
            "SQLite"
        }
    }

    /// Drops a PostgreSQL database (and any connection still open to it).
    pub async fn dispose(self) {
        if let Some((admin, name)) = self.postgres {
            let mut conn = admin_connection(&admin).await;
            let sql = format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)");
            sqlx::raw_sql(sqlx::AssertSqlSafe(sql))
                .execute(&mut conn)
                .await
                .unwrap_or_else(|e| panic!("dropping database {name}: {e}"));
        }
    }
}

/// `DATABASE_URL`, if it names a PostgreSQL server.
pub fn postgres_server() -> Option<String> {
    std::env::var("DATABASE_URL")
        .ok()
        .filter(|url| url.starts_with("postgres://") || url.starts_with("postgresql://"))
}

/// A plain connection to the database at `url` (`sqlite://PATH` or PostgreSQL),
/// beside the service's own: to count rows while it runs, or after it died.
pub async fn connect(url: &str) -> sqlx::AnyConnection {
    admin_connection(url).await
}

/// The one number `sql` (a `SELECT COUNT(*) ...`) answers on `conn`.
pub async fn count(conn: &mut sqlx::AnyConnection, sql: &'static str) -> i64 {
    sqlx::query_scalar(sql)
        .fetch_one(conn)
        .await
        .unwrap_or_else(|e| panic!("{sql}: {e}"))
}

async fn admin_connection(url: &str) -> sqlx::AnyConnection {
    sqlx::any::install_default_drivers();
    sqlx::AnyConnection::connect(url)
        .await
        .unwrap_or_else(|e| panic!("connecting to {url}: {e}"))
}

/// Creates `handoff_journey_<random>` on the server of `admin`.
pub async fn postgres_database(admin: &str) -> Database {
    let name = format!("handoff_journey_{:016x}", rand::random::<u64>());
    let mut conn = admin_connection(admin).await;
    sqlx::raw_sql(sqlx::AssertSqlSafe(format!("CREATE DATABASE {name}")))
        .execute(&mut conn)
        .await
        .unwrap_or_else(|e| panic!("creating database {name}: {e}"));
    let (base, query) = match admin.split_once('?') {
        Some((base, query)) => (base, format!("?{query}")),
        None => (admin, String::new()),
    };
    let authority = base.find("://").map_or(0, |i| i + 3);
    let server = match base[authority..].find('/') {
        Some(slash) => &base[..authority + slash],
        None => base,
    };
    Database {
        url: Some(format!("{server}/{name}{query}")),
        postgres: Some((admin.to_owned(), name)),
    }
}

/// SQLite, and PostgreSQL too when `DATABASE_URL` names a server.
pub async fn every_database() -> Vec<Database> {
    let mut databases = vec![Database {
        url: None,
        postgres: None,
    }];
    if let Some(admin) = postgres_server() {
        databases.push(postgres_database(&admin).await);
    }
    databases
}

/// Runs `journey` with each of [`every_database`], one after the other.
pub async fn on_every_database(journey: impl AsyncFn(Option<String>)) {
    for database in every_database().await {
        eprintln!("-- on {}", database.label());
        journey(database.url()).await;
        database.dispose().await;
    }
}

//! What the machine does without handoff, measured in the same run: a bare axum
//! handler's round trip over loopback with the same HTTP client, and a bare SQLite
//! autocommit INSERT in the journal mode and sync level handoff's store uses (WAL,
//! synchronous=NORMAL).

use std::str::FromStr;
use std::time::{Duration, Instant};

use anyhow::Context;
use axum::Router;
use axum::routing::post;
use axum::serve::ListenerExt;
use sqlx::ConnectOptions;
use sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode, SqliteSynchronous};

/// `n` sequential POSTs of a small form to an axum handler that answers 200.
pub async fn axum_round_trip(n: usize) -> anyhow::Result<Vec<Duration>> {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .context("the baseline server cannot listen")?;
    let addr = listener.local_addr().context("the baseline's address")?;
    let app = Router::new().route("/sms/inbound", post(|| async { "<Response/>" }));
    let listener = listener.tap_io(|tcp| {
        let _ = tcp.set_nodelay(true);
    });
    let server = tokio::spawn(async move {
        let _ = axum::serve(listener, app).await;
    });
    let http = reqwest::Client::builder()
        .timeout(Duration::from_secs(10))
        .build()
        .context("building the HTTP client")?;
    let url = format!("http://{addr}/sms/inbound");
    let form = [
        ("From", "+14125550120"),
        ("Body", "LEAD Bench Ave, retail theft"),
    ];
    let mut samples = Vec::with_capacity(n);
    // The first request opens the connection; warm it before timing.
    for i in 0..n + 10 {
        let started = Instant::now();
        let response = http.post(&url).form(&form).send().await?;
        let _ = response.bytes().await?;
        if i >= 10 {
            samples.push(started.elapsed());
        }
    }
    server.abort();
    Ok(samples)
}

/// `n` autocommit INSERTs of one small row into a fresh SQLite file.
pub async fn sqlite_insert(dir: &std::path::Path, n: usize) -> anyhow::Result<Vec<Duration>> {
    let url = format!("sqlite://{}/baseline.db", dir.display());
    let mut conn = SqliteConnectOptions::from_str(&url)?
        .create_if_missing(true)
        .journal_mode(SqliteJournalMode::Wal)
        .synchronous(SqliteSynchronous::Normal)
        .connect()
        .await
        .context("opening the baseline database")?;
    sqlx::query("CREATE TABLE rows (id INTEGER PRIMARY KEY, body TEXT NOT NULL)")
        .execute(&mut conn)
        .await?;
    let mut samples = Vec::with_capacity(n);
    for i in 0..n {
        let started = Instant::now();
        sqlx::query("INSERT INTO rows (body) VALUES ($1)")
            .bind(format!("LEAD Bench Ave {i}, retail theft"))
            .execute(&mut conn)
            .await?;
        samples.push(started.elapsed());
    }
    Ok(samples)
}

//! The timer benchmark's open hand-offs, seeded in bulk: each is what the
//! dispatcher's own decision for a new request makes of it
//! (`handoff_dispatcher::request` on the benchmark's program at the instant of
//! the request), so its state, offers (and their copy in `pending_offers`),
//! events and round timer are the rows `handoff serve` would have committed, only
//! many to a statement. The offers it
//! sent count as delivered: nothing is put in the outbox. Each timer's due time is
//! the caller's, not five minutes after the request: the engine reads nothing
//! but `due_at`, and the benchmark needs them spread over a window of its own.

use std::collections::BTreeSet;
use std::time::{Duration, Instant};

use anyhow::{Context, bail};
use chrono::{DateTime, Utc};
use handoff_dispatcher::{
    AgencyId, Directory, Effect, Event, Handoff, HandoffId, HandoffKind, Load, OfficerId, Request,
    request,
};
use handoff_schedules::SiteId;
use sqlx::{Connection, SqliteConnection};

use crate::seed::{
    Chain, finish_loading, insert_events, kind_name, multi_row_insert, open_for_loading,
};
use crate::service::tag;

/// Hand-offs inserted per transaction.
const CHUNK: u64 = 10_000;
/// Rows per INSERT statement.
const ROWS_PER_INSERT: usize = 500;
/// The first hand-off's number.
pub const FIRST_ID: u32 = 1001;

/// One hand-off as its request's decision left it, and its round timer.
struct Opened {
    handoff: Handoff,
    events: Vec<Event>,
    timer: String,
    due_ms: i64,
}

/// What was seeded.
pub struct Pending {
    pub handoffs: u64,
    pub events: u64,
    pub elapsed: Duration,
    /// The last seeded event's number: what the service logs comes after it.
    pub last_seq: i64,
}

/// Seeds `count` open hand-offs into the SQLite file at `path` (already
/// migrated), numbered from [`FIRST_ID`], requested by the program's `officers`
/// officers at the `metro` site over the hour before `now`; the `n`th one's timer
/// falls due at `due_ms(n)` (epoch milliseconds).
pub async fn seed(
    path: &std::path::Path,
    directory: &Directory,
    officers: usize,
    count: u64,
    now: DateTime<Utc>,
    due_ms: &dyn Fn(u64) -> i64,
) -> anyhow::Result<Pending> {
    let started = Instant::now();
    let mut conn = open_for_loading(path).await?;
    let mut chain = Chain::read(&mut conn).await?;
    let site = SiteId::parse("metro")?;
    let agency = AgencyId::parse("metro-pd")?;
    let load = Load::default();
    let world = directory
        .world(&site, &load)
        .context("the program has no site `metro`")?;
    let hour = chrono::Duration::hours(1);
    let mut seeded = Pending {
        handoffs: 0,
        events: 0,
        elapsed: Duration::ZERO,
        last_seq: 0,
    };
    let mut n = 0;
    while n < count {
        let end = (n + CHUNK).min(count);
        let mut chunk = Vec::with_capacity(usize::try_from(end - n)?);
        for i in n..end {
            let id = HandoffId::new(FIRST_ID + u32::try_from(i)?);
            // Spread over the hour before `now`, in order of number.
            let at = now - hour + hour * i32::try_from(i)? / i32::try_from(count)?;
            let officer = OfficerId::parse(&format!("officer-{}", i as usize % officers))?;
            let new = Request {
                kind: HandoffKind::ArrestDiversion,
                site: site.clone(),
                officer,
                agency: agency.clone(),
                location: format!("Bench Ave {}", tag(i as usize)),
                zone: None,
                asked_for: None,
            };
            chunk.push(opened(request(id, new, at, &world)?, due_ms(i))?);
        }
        let mut events: Vec<Event> = chunk.iter().flat_map(|o| o.events.clone()).collect();
        events.sort_by_key(|e| e.at);
        let chained = chain.link(&events)?;
        let mut tx = conn.begin().await?;
        for rows in chunk.chunks(ROWS_PER_INSERT) {
            insert_handoffs(&mut tx, rows).await?;
            insert_pending_offers(&mut tx, rows).await?;
            insert_timers(&mut tx, rows).await?;
        }
        for rows in chained.chunks(ROWS_PER_INSERT) {
            insert_events(&mut tx, rows).await?;
        }
        chain.write_head(&mut tx).await?;
        tx.commit().await?;
        seeded.handoffs += chunk.len() as u64;
        seeded.events += events.len() as u64;
        n = end;
    }
    finish_loading(conn).await?;
    seeded.last_seq = chain.seq();
    seeded.elapsed = started.elapsed();
    Ok(seeded)
}

/// The hand-off, events and single timer of a new request's decision; an error if
/// it did not leave the hand-off offering with one timer (a closed site, say).
fn opened(decision: handoff_dispatcher::Decision, due_ms: i64) -> anyhow::Result<Opened> {
    let mut events = Vec::new();
    let mut timers = Vec::new();
    for effect in decision.effects {
        match effect {
            Effect::Record { event } => events.push(event),
            Effect::Schedule { timer, .. } => timers.push(timer.name()),
            Effect::Send { .. } | Effect::Cancel { .. } => {}
        }
    }
    let handoff = decision.handoff;
    let [timer] = <[String; 1]>::try_from(timers)
        .map_err(|t| anyhow::anyhow!("hand-off {} set timers {t:?}", handoff.id))?;
    if handoff.state.is_closed() {
        bail!(
            "hand-off {} closed at once: {:?}",
            handoff.id,
            handoff.state
        );
    }
    Ok(Opened {
        handoff,
        events,
        timer,
        due_ms,
    })
}

async fn insert_handoffs(conn: &mut SqliteConnection, rows: &[Opened]) -> anyhow::Result<()> {
    let sql = multi_row_insert(
        "INSERT INTO handoffs (id, site, kind, officer, agency, state, assignee, data, \
         version, requested_at)",
        10,
        rows.len(),
    );
    // Audited: the statement holds placeholders only.
    let mut query = sqlx::query(sqlx::AssertSqlSafe(sql));
    for row in rows {
        let h = &row.handoff;
        query = query
            .bind(i64::from(h.id.get()))
            .bind(h.request.site.as_str().to_owned())
            .bind(kind_name(h.request.kind))
            .bind(h.request.officer.as_str().to_owned())
            .bind(h.request.agency.as_str().to_owned())
            .bind(h.state.name())
            .bind(h.state.assignee().map(|p| p.as_str().to_owned()))
            .bind(serde_json::to_string(h)?)
            .bind(1_i64)
            .bind(h.requested_at.timestamp_millis());
    }
    query.execute(&mut *conn).await?;
    Ok(())
}

/// Who each hand-off's offers are still waiting on, as the store copies them from
/// `Handoff::pending` with every write (none of these is closed).
async fn insert_pending_offers(conn: &mut SqliteConnection, rows: &[Opened]) -> anyhow::Result<()> {
    let mut pairs = BTreeSet::new();
    for row in rows {
        for offer in row.handoff.pending() {
            pairs.insert((row.handoff.id.get(), offer.person.as_str()));
        }
    }
    let pairs: Vec<(u32, &str)> = pairs.into_iter().collect();
    // Two variables a row, well under SQLite's 32,766 a statement.
    for chunk in pairs.chunks(ROWS_PER_INSERT) {
        let sql = multi_row_insert(
            "INSERT INTO pending_offers (handoff, person)",
            2,
            chunk.len(),
        );
        let mut query = sqlx::query(sqlx::AssertSqlSafe(sql));
        for (id, person) in chunk {
            query = query.bind(i64::from(*id)).bind((*person).to_owned());
        }
        query.execute(&mut *conn).await?;
    }
    Ok(())
}

async fn insert_timers(conn: &mut SqliteConnection, rows: &[Opened]) -> anyhow::Result<()> {
    let sql = multi_row_insert(
        "INSERT INTO timers (handoff_id, name, due_at)",
        3,
        rows.len(),
    );
    let mut query = sqlx::query(sqlx::AssertSqlSafe(sql));
    for row in rows {
        query = query
            .bind(i64::from(row.handoff.id.get()))
            .bind(row.timer.clone())
            .bind(row.due_ms);
    }
    query.execute(&mut *conn).await?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use handoff_dispatcher::{Clock, Store, SystemClock};

    use super::*;

    #[tokio::test]
    async fn a_case_manager_finds_the_offers_of_seeded_hand_offs_as_of_served_ones() {
        let dir = tempfile::TempDir::new().unwrap();
        let path = dir.path().join("bench.db");
        let url = format!("sqlite://{}", path.display());
        Store::connect(&url).await.unwrap().close().await;
        let config_path = dir.path().join("bench.toml");
        let text = crate::service::program(4, "http://127.0.0.1:9");
        let token = |_: &str| Some(crate::service::AUTH_TOKEN.to_owned());
        let config = handoff_config::load_str(&config_path, &text, &token).unwrap();
        let now = SystemClock.now();
        let seeded = seed(&path, &config.directory(), 4, 30, now, &|n| n as i64)
            .await
            .unwrap();
        assert_eq!(seeded.handoffs, 30);

        let store = Store::connect(&url).await.unwrap();
        let open = store.open_handoffs().await.unwrap();
        let offered = open
            .iter()
            .flat_map(|h| h.pending())
            .map(|o| o.person.clone())
            .next()
            .expect("the seeded hand-offs are offered to someone");
        let mut expected = open.clone();
        expected.retain(|h| h.pending().any(|o| o.person == offered));
        assert!(!expected.is_empty());
        assert_eq!(
            store.open_handoffs_of_staff(&offered).await.unwrap(),
            expected
        );
        store.close().await;
    }
}

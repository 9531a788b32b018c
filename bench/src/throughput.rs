//! Sustained inbound requests per second: a fixed number of workers post requests
//! back to back for a fixed time, each worker texting as its own officers (one
//! sender's texts are handled one at a time, so sharing senders would measure that
//! queue instead). Every answer is counted; afterwards the database is read to check
//! that each acknowledged request became a hand-off, and the provider is given a
//! bounded time to receive every text they decided.

use std::collections::HashSet;
use std::time::{Duration, Instant};

use anyhow::Context;
use handoff_dispatcher::store::Records;
use tokio::task::JoinSet;

use crate::provider::Provider;
use crate::service::{Webhooks, officer_phone, request, tag};

/// What a sustained run did.
pub struct Sustained {
    pub elapsed: Duration,
    pub ok: usize,
    pub refused: usize,
    pub failed: usize,
    /// Acknowledged requests with no open hand-off carrying their place.
    pub lost: usize,
    /// Texts the provider received against the three each request decides
    /// (a receipt and two offers), after the drain.
    pub texts_received: usize,
    pub texts_expected: usize,
    /// How long after the load stopped the last text arrived (bounded).
    pub drain: Duration,
    /// Requests answered 200 in each whole second of the run: a falling rate
    /// means each request costs more as hand-offs and texts accumulate.
    pub per_second_trend: Vec<usize>,
}

impl Sustained {
    pub fn per_second(&self) -> f64 {
        self.ok as f64 / self.elapsed.as_secs_f64().max(f64::EPSILON)
    }
}

/// One worker's tally: the places of its acknowledged requests, and its failures.
#[derive(Default)]
struct Tally {
    ok: Vec<String>,
    /// When each 200 came, from the start of the run.
    at: Vec<Duration>,
    refused: usize,
    failed: usize,
}

/// Posts for `seconds` with `concurrency` workers over `officers` officers, then
/// checks the database at `database` holds a hand-off for every 200.
pub async fn run(
    webhooks: &Webhooks,
    provider: &Provider,
    database: &str,
    officers: usize,
    concurrency: usize,
    seconds: u64,
) -> anyhow::Result<Sustained> {
    let records = Records::open_existing(database)
        .await
        .context("opening the service's database")?;
    let texts_before = provider.count();
    let workers = concurrency.max(1);
    let started = Instant::now();
    let until = started + Duration::from_secs(seconds);
    let mut tasks = JoinSet::new();
    for w in 0..workers {
        let webhooks = webhooks.clone();
        // Worker w texts as officers w, w + workers, ...: no two workers share one
        // unless there are fewer officers than workers.
        let mine: Vec<String> = (w..officers.max(workers))
            .step_by(workers)
            .map(|n| officer_phone(n % officers.max(1)))
            .collect();
        tasks.spawn(async move {
            let mut tally = Tally::default();
            let mut i = 0usize;
            while Instant::now() < until {
                let n = 1_000_000 + w * 1_000_000 + i;
                let place = tag(n);
                let from = &mine[i % mine.len()];
                match webhooks
                    .text(&format!("SMthr{n:030}"), from, &request(&place))
                    .await
                {
                    Ok(200) => {
                        tally.ok.push(place);
                        tally.at.push(started.elapsed());
                    }
                    Ok(_) => tally.refused += 1,
                    Err(_) => tally.failed += 1,
                }
                i += 1;
            }
            tally
        });
    }
    let mut places = Vec::new();
    let mut per_second_trend = vec![0usize; usize::try_from(seconds).unwrap_or(0) + 1];
    let (mut refused, mut failed) = (0, 0);
    while let Some(joined) = tasks.join_next().await {
        let tally = joined.context("a load worker panicked")?;
        places.extend(tally.ok);
        for at in tally.at {
            let second = usize::try_from(at.as_secs()).unwrap_or(usize::MAX);
            if let Some(count) = per_second_trend.get_mut(second) {
                *count += 1;
            }
        }
        refused += tally.refused;
        failed += tally.failed;
    }
    let elapsed = started.elapsed();

    let texts_expected = places.len() * 3;
    let drained_at = Instant::now();
    let received = provider
        .wait_for_count(texts_before + texts_expected, Duration::from_secs(60))
        .await
        - texts_before;
    let drain = drained_at.elapsed();

    let open = records.open_handoffs().await?;
    let stored: HashSet<String> = open
        .iter()
        .filter_map(|h| h.request.location.split(' ').nth(2))
        .map(|place| place.trim_end_matches(',').to_owned())
        .collect();
    let lost = places.iter().filter(|p| !stored.contains(*p)).count();
    Ok(Sustained {
        elapsed,
        ok: places.len(),
        refused,
        failed,
        lost,
        texts_received: received,
        texts_expected,
        drain,
        per_second_trend,
    })
}

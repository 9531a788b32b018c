//! Inbound webhook → first offer at the provider, one request at a time: each
//! request's clock starts before its webhook is posted and stops when the provider
//! receives the first offer carrying its place. Beside it, the two halves: the
//! webhook's answer (the request committed) and answer → offer (delivery).

use std::time::{Duration, Instant};

use anyhow::bail;

use crate::provider::Provider;
use crate::service::{CASE_MANAGERS, Webhooks, officer_phone, request, tag};

/// The samples of one sequential run.
pub struct Latencies {
    /// Webhook posted → first offer received.
    pub to_offer: Vec<Duration>,
    /// Webhook posted → its 200.
    pub answered: Vec<Duration>,
    /// Its 200 → first offer received (never negative: the offer may be sent
    /// before the answer arrives, which counts as zero).
    pub delivery: Vec<Duration>,
}

/// How long one request may take before the run is called failed.
const PATIENCE: Duration = Duration::from_secs(10);

/// Runs `warmup` untimed requests, then `n` timed ones, each from the next of
/// `officers` officers with a place of its own, one after another.
pub async fn sequential(
    webhooks: &Webhooks,
    provider: &Provider,
    officers: usize,
    warmup: usize,
    n: usize,
) -> anyhow::Result<Latencies> {
    let mut result = Latencies {
        to_offer: Vec::with_capacity(n),
        answered: Vec::with_capacity(n),
        delivery: Vec::with_capacity(n),
    };
    for i in 0..warmup + n {
        let place = tag(i);
        let text = request(&place);
        let needle = format!("Ave {place},");
        let from = officer_phone(i % officers.max(1));
        let seen = provider.count();
        let started = Instant::now();
        let status = webhooks
            .text(&format!("SMlat{i:030}"), &from, &text)
            .await?;
        let answered = Instant::now();
        if status != 200 {
            bail!("request {i} was answered {status}");
        }
        let offer = provider
            .wait_for(seen, PATIENCE, |a| {
                CASE_MANAGERS.contains(&a.to.as_str()) && a.body.contains(&needle)
            })
            .await;
        let Some(offer) = offer else {
            bail!("request {i}'s offer did not reach the provider within {PATIENCE:?}");
        };
        // Every text of this request (receipt and two offers) is out before the next
        // request starts, so requests do not queue behind each other's sends.
        provider.wait_for_count(seen + 3, PATIENCE).await;
        if i >= warmup {
            result
                .to_offer
                .push(offer.at.saturating_duration_since(started));
            result.answered.push(answered.duration_since(started));
            result
                .delivery
                .push(offer.at.saturating_duration_since(answered));
        }
    }
    Ok(result)
}

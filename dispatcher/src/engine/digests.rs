//! The opening digests: on each pass of the timer loop, every site whose digest
//! is due gets it queued, with its next one planned, in one transaction
//! (`Store::digest_sent`). The loop wakes at least every `MAX_IDLE`, so a digest
//! goes out at most that long after the site opens. Two instances may both see it
//! due: the outbox keys name the site and the opening, so it is queued once.

use super::{Engine, EngineError};
use crate::digest::{digest, due};
use crate::outbox::NewOutbound;

impl Engine {
    /// Queues the digest of every site whose opening has come. Returns how many
    /// texts were queued.
    pub async fn send_digests(&self) -> Result<usize, EngineError> {
        let directory = self.fresh_directory().await?;
        let store = &self.inner.store;
        let mut queued = 0;
        let mut followups = None;
        for (site, entry) in &directory.sites {
            let now = self.now();
            let planned = store.digest_due(site).await?;
            let Some(plan) = due(entry, planned, now) else {
                continue;
            };
            let mut items = Vec::new();
            if plan.send {
                if followups.is_none() {
                    followups = Some(store.open_followups().await?);
                }
                let waiting = followups.as_deref().unwrap_or_default();
                let opening = planned.map_or(0, |at| at.timestamp_millis());
                for (n, (recipient, message)) in digest(site, waiting, &directory, now)
                    .into_iter()
                    .enumerate()
                {
                    items.push(NewOutbound {
                        key: format!("digest:{site}:{opening}:{n}"),
                        channel: directory.channel_for(&recipient),
                        recipient,
                        message,
                    });
                }
            }
            // A site that never opens again keeps its plan far off: nothing due.
            let next = plan
                .next_at
                .unwrap_or(chrono::DateTime::<chrono::Utc>::MAX_UTC);
            store.digest_sent(site, next, &items, now).await?;
            if !items.is_empty() {
                tracing::info!(%site, texts = items.len(), "follow-up digest queued");
                queued += items.len();
            }
        }
        if queued > 0 {
            self.committed(false, true);
        }
        Ok(queued)
    }
}

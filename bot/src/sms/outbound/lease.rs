//! The sending lease as this process knows it: taken or renewed at the start of a
//! pass (only once half of it has run, not on every text), counted as run out as
//! soon as the database refuses a write under it, and given back at shutdown. See
//! the notes of `outbound` for why one process sends, fenced by the lease's epoch.

use std::sync::PoisonError;

use chrono::{DateTime, Utc};
use handoff_dispatcher::LeaseToken;

use super::{LEASE, LEASE_TTL, OutboundError, SmsOutbound};

/// The lease as this process knows it: the token the database gave it, and a
/// conservative local estimate of when it runs out (the pass's `now` before the
/// renewal, plus the lease's length: the database started its count later).
#[derive(Debug, Clone)]
pub(super) struct Held {
    pub(super) token: LeaseToken,
    pub(super) until: DateTime<Utc>,
}

impl SmsOutbound {
    fn held(&self) -> Option<Held> {
        self.lease
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .clone()
    }

    fn set_held(&self, held: Option<Held>) {
        *self.lease.lock().unwrap_or_else(PoisonError::into_inner) = held;
    }

    /// Gives up the sending lease (at shutdown), so another process sends at once.
    pub async fn release(&self) {
        let Some(held) = self.held() else {
            return;
        };
        self.set_held(None);
        if let Err(error) = self.engine.outbox().release_lease(&held.token).await {
            tracing::warn!(%error, "could not release the SMS lease; it expires in a minute");
        }
    }

    /// The lease, if this process holds it: the one it already knows while more
    /// than half of it is left, else the database's answer to a renewal.
    pub(super) async fn lease(&self, now: DateTime<Utc>) -> Result<Option<Held>, OutboundError> {
        let known = self.held();
        if let Some(held) = &known
            && held.until - now > LEASE_TTL / 2
        {
            return Ok(known);
        }
        let token = self
            .engine
            .outbox()
            .take_lease(
                LEASE,
                &self.holder,
                known.as_ref().map(|h| &h.token),
                LEASE_TTL,
            )
            .await?;
        self.metrics.lease(token.is_some());
        let known_epoch = known.as_ref().map(|h| h.token.epoch());
        match &token {
            Some(token) if known_epoch != Some(token.epoch()) => {
                tracing::info!(
                    epoch = token.epoch(),
                    "took the SMS lease: this instance sends texts now (any an earlier holder \
                     claimed but never marked are sent again)"
                );
            }
            None if known.is_some() => {
                tracing::warn!("the SMS lease is held by another instance: this one stops sending");
            }
            _ => {}
        }
        let held = token.map(|token| Held {
            token,
            until: now + LEASE_TTL,
        });
        self.set_held(held.clone());
        Ok(held)
    }

    /// The database refused a write under this process's token. Keep the token but
    /// count the lease as run out, so the next pass asks the database at once:
    /// a renewal if it is still ours, a new epoch if it ran out and nobody took it,
    /// nothing if another process holds it.
    pub(super) fn lease_lost(&self) {
        let mut lease = self.lease.lock().unwrap_or_else(PoisonError::into_inner);
        if let Some(held) = lease.as_mut() {
            held.until = DateTime::UNIX_EPOCH;
        }
        self.metrics.lease(false);
        tracing::warn!(
            "the SMS lease was lost or ran low during a pass: sending stops until it is held again"
        );
    }
}

//! Telling other processes that messages entered the outbox. Within one process
//! the engine's signal wakes the delivery worker; when several processes serve one
//! PostgreSQL database, the one delivering may not be the one that decided, so a
//! commit that queues messages also sends `NOTIFY handoff_outbox`, which PostgreSQL
//! delivers to every listener when (and only if) the transaction commits. SQLite
//! has no such thing and needs none: it is served by one process.

use sqlx::AnyConnection;
use sqlx::postgres::PgListener;

use super::{Backend, Store, StoreError};

/// The channel outbox notifications travel on.
const CHANNEL: &str = "handoff_outbox";

/// Notifications that messages entered the outbox, from any process.
pub struct OutboxListener {
    listener: PgListener,
}

impl OutboxListener {
    /// Waits for the next notification. An error means the connection was lost;
    /// the listener reconnects on the next call.
    pub async fn next(&mut self) -> Result<(), StoreError> {
        self.listener.recv().await?;
        Ok(())
    }
}

impl Store {
    /// Within the caller's transaction: announces new outbox rows (PostgreSQL only).
    pub(super) async fn announce_outbox(&self, conn: &mut AnyConnection) -> Result<(), StoreError> {
        if self.backend() == Backend::Postgres {
            sqlx::query("SELECT pg_notify($1, '')")
                .bind(CHANNEL)
                .execute(&mut *conn)
                .await?;
        }
        Ok(())
    }

    /// Listens for outbox notifications from every process on this database; `None`
    /// on SQLite, where there are no other processes to hear from.
    pub async fn outbox_listener(&self) -> Result<Option<OutboxListener>, StoreError> {
        if self.backend() != Backend::Postgres {
            return Ok(None);
        }
        let mut listener = PgListener::connect(self.url()).await?;
        listener.listen(CHANNEL).await?;
        Ok(Some(OutboxListener { listener }))
    }
}

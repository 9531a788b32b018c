//! The directory decisions see: the configuration's, with the schedule overrides
//! added on the dashboard merged in after the file's own (`overrides::merge`), and
//! how it is kept current without a restart.
//!
//! The rule: before every decision (a request, an input to a hand-off, an inbound
//! message, the opening digests) the engine reads the overrides' revision, one row
//! by its key, and reads the overrides again and merges them only when the
//! revision moved. Every addition and removal bumps it in the same transaction, on
//! whichever instance made it, so an instance decides on every override committed
//! before the decision began: on several instances sharing a PostgreSQL database,
//! another's change is picked up by the very next decision, not after a polling
//! period. Dashboard pages that show who is on duty ask the same way. Reading the
//! revision before the rows means a change between the two reads is seen again at
//! the next check (a rebuild too many), never missed.

use std::sync::Arc;

use handoff_schedules::OverrideSpec;

use super::{Engine, EngineError};
use crate::directory::Directory;
use crate::overrides::StoredOverride;
use crate::store::StoreError;

/// The configuration's directory, the stored overrides as last read, and the two
/// merged.
pub(super) struct Merged {
    configured: Arc<Directory>,
    stored: Arc<Vec<StoredOverride>>,
    /// The overrides' revision read before `stored`; `None` before the first read.
    revision: Option<i64>,
    merged: Arc<Directory>,
}

impl Merged {
    /// The configuration alone, until the stored overrides are first read.
    pub(super) fn new(configured: Arc<Directory>) -> Merged {
        Merged {
            merged: configured.clone(),
            configured,
            stored: Arc::new(Vec::new()),
            revision: None,
        }
    }

    /// The merged directory if it was built at `revision` or later.
    fn current_at(&self, revision: i64) -> Option<Arc<Directory>> {
        self.revision
            .is_some_and(|built| built >= revision)
            .then(|| self.merged.clone())
    }
}

impl Engine {
    fn merged<T>(&self, read: impl FnOnce(&Merged) -> T) -> T {
        match self.inner.directory.read() {
            Ok(merged) => read(&merged),
            // A panic while swapping left the old or the new value, both whole.
            Err(poisoned) => read(&poisoned.into_inner()),
        }
    }

    fn merged_mut<T>(&self, write: impl FnOnce(&mut Merged) -> T) -> T {
        match self.inner.directory.write() {
            Ok(mut merged) => write(&mut merged),
            Err(poisoned) => write(&mut poisoned.into_inner()),
        }
    }

    /// The directory as last brought up to date (a snapshot: a reload or a new
    /// override does not change it). Decisions use [`Engine::fresh_directory`].
    pub fn directory(&self) -> Arc<Directory> {
        self.merged(|merged| merged.merged.clone())
    }

    /// The directory with every override committed so far, by any instance: the
    /// stored overrides are read again if their revision moved (see the module's
    /// rule).
    pub async fn fresh_directory(&self) -> Result<Arc<Directory>, StoreError> {
        let revision = self.inner.store.overrides_revision().await?;
        if let Some(current) = self.merged(|merged| merged.current_at(revision)) {
            return Ok(current);
        }
        let _merging = self.inner.merging.lock().await;
        // Another decision may have brought it up to date while this one waited.
        if let Some(current) = self.merged(|merged| merged.current_at(revision)) {
            return Ok(current);
        }
        let stored = Arc::new(self.inner.store.overrides(false).await?);
        Ok(self.merged_mut(|merged| {
            // Onto the configuration in force now: a reload may have come meanwhile.
            merged.merged = Arc::new(merged.configured.with_stored_overrides(&stored));
            merged.stored = stored;
            merged.revision = Some(revision);
            merged.merged.clone()
        }))
    }

    /// Replaces the configuration (a reload), keeping the stored overrides merged
    /// after its own. Decisions already under way finish on the snapshot they
    /// took; timers already set keep their due times.
    pub fn replace_directory(&self, directory: Arc<Directory>) {
        self.merged_mut(|merged| {
            merged.merged = Arc::new(directory.with_stored_overrides(&merged.stored));
            merged.configured = directory;
        });
    }

    /// Keeps `spec`, added by the dashboard user `by`, and puts it in force for the
    /// next decision of every instance. Returns its number. `spec` must have been
    /// checked against the configuration (`Config::check_override`).
    pub async fn add_override(&self, spec: &OverrideSpec, by: &str) -> Result<i64, EngineError> {
        let id = self.inner.store.add_override(spec, by, self.now()).await?;
        tracing::info!(
            override_id = id,
            kind = spec.kind.name(),
            by,
            "schedule override added"
        );
        self.fresh_directory().await?;
        Ok(id)
    }

    /// Takes stored override `id` off the schedule, as the dashboard user `by`
    /// (the row stays, with who removed it and when). `false` if there is no such
    /// override or it was already removed.
    pub async fn remove_override(&self, id: i64, by: &str) -> Result<bool, EngineError> {
        let removed = self.inner.store.remove_override(id, by, self.now()).await?;
        if removed {
            tracing::info!(override_id = id, by, "schedule override removed");
            self.fresh_directory().await?;
        }
        Ok(removed)
    }
}

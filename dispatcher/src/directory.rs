//! The dispatcher's view of the program's configuration: sites with their schedules
//! and policies, the roster and the settings. The config crate builds it; the
//! dispatcher only reads it, so a decision can never change the configuration.

use std::collections::BTreeMap;

use handoff_schedules::{SiteId, SiteSchedule, ZoneId};

use crate::escalation::EscalationPolicy;
use crate::load::Load;
use crate::roster::{PolicyId, Roster};
use crate::routing::{Settings, World};

#[derive(Debug, Clone)]
pub struct SiteEntry {
    pub name: String,
    pub schedule: SiteSchedule,
    pub policy: PolicyId,
    /// The site's zones or precincts, which requests may name.
    pub zones: Vec<ZoneId>,
}

#[derive(Debug, Clone, Default)]
pub struct Directory {
    pub sites: BTreeMap<SiteId, SiteEntry>,
    pub policies: BTreeMap<PolicyId, EscalationPolicy>,
    pub roster: Roster,
    pub settings: Settings,
    /// Whether a transport delivers to Matrix IDs. Until one does, a person is
    /// reachable only by a phone that has not opted out of SMS.
    pub matrix_delivery: bool,
}

impl Directory {
    /// The world a decision about a hand-off at `site` sees, if the site and its
    /// policy exist.
    pub fn world<'a>(&'a self, site: &SiteId, load: &'a Load) -> Option<World<'a>> {
        let entry = self.sites.get(site)?;
        let policy = self.policies.get(&entry.policy)?;
        Some(World {
            site_name: &entry.name,
            site: &entry.schedule,
            policy,
            roster: &self.roster,
            load,
            settings: &self.settings,
        })
    }
}

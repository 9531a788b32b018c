//! The dispatcher's view of the program's configuration: sites with their schedules
//! and policies, the roster and the settings. The config crate builds it; the
//! dispatcher only reads it, so a decision can never change the configuration.

use std::collections::BTreeMap;

use handoff_schedules::{PersonId, SiteId, SiteSchedule, ZoneId};

use crate::center::Center;
use crate::contact::Channel;
use crate::escalation::EscalationPolicy;
use crate::load::Load;
use crate::message::Recipient;
use crate::roster::{PolicyId, Roster};
use crate::routing::{Settings, World};

#[derive(Debug, Clone)]
pub struct SiteEntry {
    pub name: String,
    pub schedule: SiteSchedule,
    pub policy: PolicyId,
    /// The policy for requests made while the site is closed, if not the default
    /// (the on-call coordinator, then `policy`).
    pub after_hours_policy: Option<PolicyId>,
    /// The site's own intake deadline in days, if it sets one.
    pub intake_days: Option<u32>,
    /// The site's zones or precincts, which requests may name.
    pub zones: Vec<ZoneId>,
    /// The site's diversion centers, in the order of the file.
    pub centers: Vec<Center>,
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
    /// How many sites each person has any duty at (filled by [`Directory::count_sites_served`]).
    pub sites_served: BTreeMap<PersonId, usize>,
}

impl Directory {
    /// The channel a message to `recipient` goes by first: their preferred one
    /// when it can reach them, else the other. A phone outside the roster is
    /// texted; a Matrix ID outside it is answered in Matrix. A message that no
    /// channel can carry is queued for SMS, whose delivery reports it undeliverable.
    pub fn channel_for(&self, recipient: &Recipient) -> Channel {
        let (preferred, phone, matrix) = match recipient {
            Recipient::Phone(_) => return Channel::Sms,
            Recipient::Matrix(_) => return Channel::Matrix,
            Recipient::Officer(id) => match self.roster.officers.get(id) {
                Some(o) => (o.channel, true, o.matrix.is_some()),
                None => return Channel::Sms,
            },
            Recipient::Staff(id) => match self.roster.people.get(id) {
                Some(p) => (p.channel, p.phone.is_some(), p.matrix.is_some()),
                None => return Channel::Sms,
            },
        };
        let by_matrix = self.matrix_delivery && matrix;
        match preferred {
            Channel::Matrix if by_matrix => Channel::Matrix,
            Channel::Sms if phone || !by_matrix => Channel::Sms,
            Channel::Sms => Channel::Matrix,
            // Nothing is sent by voice: a preference for it (refused by the
            // configuration) falls back to text.
            Channel::Matrix | Channel::Voice => Channel::Sms,
        }
    }

    /// Fills [`Directory::sites_served`] from the sites' schedules: a person
    /// serves a site where any shift, rotation or override names them.
    pub fn count_sites_served(&mut self) {
        let mut served: BTreeMap<PersonId, usize> = BTreeMap::new();
        for entry in self.sites.values() {
            for person in entry.schedule.people() {
                *served.entry(person).or_default() += 1;
            }
        }
        self.sites_served = served;
    }

    /// The world a decision about a hand-off at `site` sees, if the site and its
    /// policies exist.
    pub fn world<'a>(&'a self, site: &SiteId, load: &'a Load) -> Option<World<'a>> {
        let entry = self.sites.get(site)?;
        let policy = self.policies.get(&entry.policy)?;
        let after_hours_policy = match &entry.after_hours_policy {
            Some(id) => Some(self.policies.get(id)?),
            None => None,
        };
        Some(World {
            site_name: &entry.name,
            site: &entry.schedule,
            policy,
            after_hours_policy,
            site_intake_days: entry.intake_days,
            centers: &entry.centers,
            sites_served: &self.sites_served,
            roster: &self.roster,
            load,
            settings: &self.settings,
        })
    }
}

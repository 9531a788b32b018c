//! The configuration file as written: serde structures that mirror the TOML, with the
//! position of every value kept (`Spanned`) so that each error can name its line and
//! column. Values are left as text here and parsed in `validate`, which reports every
//! problem of a file at once instead of stopping at the first.

use std::fmt;

use serde::Deserialize;
use serde::de::{self, Deserializer, SeqAccess, Visitor};
use toml::Spanned;

pub type Text = Spanned<String>;

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawConfig {
    pub program: Option<Spanned<RawProgram>>,
    #[serde(default)]
    pub sites: Vec<Spanned<RawSite>>,
    #[serde(default)]
    pub agencies: Vec<Spanned<RawAgency>>,
    #[serde(default)]
    pub people: Vec<Spanned<RawPerson>>,
    #[serde(default)]
    pub shifts: Vec<Spanned<RawShift>>,
    #[serde(default)]
    pub rotations: Vec<Spanned<RawRotation>>,
    #[serde(default)]
    pub overrides: Vec<Spanned<RawOverride>>,
    #[serde(default)]
    pub escalation_policies: Vec<Spanned<RawPolicy>>,
    #[serde(default)]
    pub transports: RawTransports,
    pub server: Option<Spanned<RawServer>>,
    pub dashboard: Option<Spanned<RawDashboard>>,
}

/// `[dashboard]`: who may log in to the web dashboard, and its targets.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawDashboard {
    pub arrival_target: Option<Text>,
    #[serde(default)]
    pub users: Vec<Spanned<RawDashboardUser>>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawDashboardUser {
    pub name: Option<Text>,
    pub role: Option<Text>,
    pub password_hash: Option<Text>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawServer {
    pub listen: Option<Text>,
    pub public_url: Option<Text>,
    pub database: Option<Text>,
    pub client_timeout: Option<Text>,
    pub sender_burst: Option<Spanned<i64>>,
    pub sender_per_minute: Option<Spanned<i64>>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawProgram {
    pub name: Option<Text>,
    pub intake_days: Option<Spanned<i64>>,
    pub arrival_limit: Option<Text>,
    pub message_retention: Option<Text>,
    pub eta_grace: Option<Text>,
    pub intake_reminder_days: Option<Spanned<i64>>,
    pub after_hours_alerts: Option<Spanned<bool>>,
    pub registration_contact: Option<Text>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawSite {
    pub id: Option<Text>,
    pub name: Option<Text>,
    pub time_zone: Option<Text>,
    pub escalation: Option<Text>,
    pub after_hours_escalation: Option<Text>,
    pub intake_days: Option<Spanned<i64>>,
    #[serde(default)]
    pub zones: Vec<Text>,
    #[serde(default)]
    pub hours: Vec<Spanned<RawWindow>>,
    #[serde(default)]
    pub closures: Vec<Spanned<RawClosure>>,
    pub matrix_room: Option<Text>,
    #[serde(default)]
    pub centers: Vec<Spanned<RawCenter>>,
}

/// `[[sites.centers]]`: a diversion center of the site.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawCenter {
    pub id: Option<Text>,
    pub name: Option<Text>,
    pub address: Option<Text>,
    #[serde(default)]
    pub hours: Vec<Spanned<RawWindow>>,
    #[serde(default)]
    pub closures: Vec<Spanned<RawClosure>>,
    pub capacity: Option<Spanned<i64>>,
    pub check_in_within: Option<Text>,
    #[serde(default)]
    pub staff: Vec<Text>,
}

/// `{ days = "mon-fri", start = "08:00", end = "24:00" }` or
/// `{ cron = "0 8 * * mon-fri", end = "24:00" }`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawWindow {
    pub days: Option<Text>,
    pub start: Option<Text>,
    pub cron: Option<Text>,
    pub end: Option<Text>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawClosure {
    pub name: Option<Text>,
    pub date: Option<Text>,
    pub from: Option<Text>,
    pub to: Option<Text>,
    pub cron: Option<Text>,
    #[serde(default)]
    pub open: Vec<Spanned<RawSpan>>,
}

/// `{ start = "08:00", end = "14:00" }`: reduced hours within one day.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawSpan {
    pub start: Option<Text>,
    pub end: Option<Text>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawAgency {
    pub id: Option<Text>,
    pub name: Option<Text>,
    #[serde(default)]
    pub sites: Vec<Text>,
    pub api_token_env: Option<Text>,
    #[serde(default)]
    pub officers: Vec<Spanned<RawOfficer>>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawOfficer {
    pub id: Option<Text>,
    pub name: Option<Text>,
    pub rank: Option<Text>,
    pub phone: Option<Text>,
    pub matrix: Option<Text>,
    pub channel: Option<Text>,
    pub zone: Option<Text>,
    /// Agencies the officer works for besides the one they are listed under.
    #[serde(default)]
    pub other_agencies: Vec<Text>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawPerson {
    pub id: Option<Text>,
    pub name: Option<Text>,
    #[serde(default)]
    pub roles: Vec<Text>,
    pub phone: Option<Text>,
    pub matrix: Option<Text>,
    pub channel: Option<Text>,
    pub caseload_cap: Option<Spanned<i64>>,
    #[serde(default)]
    pub zones: Vec<Text>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawShift {
    pub person: Option<Text>,
    pub role: Option<Text>,
    pub sites: Option<Vec<Text>>,
    #[serde(default)]
    pub hours: Vec<Spanned<RawWindow>>,
    pub when: Option<Text>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawRotation {
    pub id: Option<Text>,
    pub role: Option<Text>,
    pub sites: Option<Vec<Text>>,
    #[serde(default)]
    pub members: Vec<Text>,
    pub start: Option<Text>,
    pub turn_days: Option<Spanned<i64>>,
    #[serde(default)]
    pub hours: Vec<Spanned<RawWindow>>,
    pub when: Option<Text>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawOverride {
    pub kind: Option<Text>,
    pub person: Option<Text>,
    pub covers: Option<Text>,
    pub role: Option<Text>,
    pub sites: Option<Vec<Text>>,
    pub from: Option<Text>,
    pub to: Option<Text>,
    pub note: Option<Text>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawPolicy {
    pub id: Option<Text>,
    #[serde(default)]
    pub steps: Vec<Spanned<RawStep>>,
}

/// `who` is a role name, `"all_on_duty"`, or a list of person IDs.
///
/// Read by hand rather than with `#[serde(untagged)]`: an untagged enum buffers the
/// value before trying each variant, and a buffered value has lost the positions
/// that `Spanned` asks for, so a list of ids could never be read at all.
#[derive(Debug)]
pub enum RawWho {
    One(String),
    Many(Vec<Text>),
}

impl<'de> Deserialize<'de> for RawWho {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<RawWho, D::Error> {
        deserializer.deserialize_any(WhoVisitor)
    }
}

struct WhoVisitor;

impl<'de> Visitor<'de> for WhoVisitor {
    type Value = RawWho;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a role, \"all_on_duty\", or a list of person ids")
    }

    fn visit_str<E: de::Error>(self, text: &str) -> Result<RawWho, E> {
        Ok(RawWho::One(text.to_owned()))
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut list: A) -> Result<RawWho, A::Error> {
        let mut ids = Vec::new();
        while let Some(id) = list.next_element::<Text>()? {
            ids.push(id);
        }
        Ok(RawWho::Many(ids))
    }
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawStep {
    pub who: Option<Spanned<RawWho>>,
    pub strategy: Option<Text>,
    pub timeout: Option<Text>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawTransports {
    pub sms: Option<Spanned<RawSms>>,
    pub matrix: Option<Spanned<RawMatrix>>,
    pub voice: Option<Spanned<RawVoice>>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawVoice {
    pub ring_timeout: Option<Text>,
    pub press_timeout: Option<Text>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawSms {
    pub enabled: Option<Spanned<bool>>,
    pub provider: Option<Text>,
    pub api_base: Option<Text>,
    pub account_sid: Option<Text>,
    pub from: Option<Text>,
    pub messaging_service_sid: Option<Text>,
    pub auth_token_env: Option<Text>,
    pub timeout: Option<Text>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawMatrix {
    pub enabled: Option<Spanned<bool>>,
    pub homeserver: Option<Text>,
    pub user: Option<Text>,
    pub password_env: Option<Text>,
    pub data_dir: Option<Text>,
    pub device_name: Option<Text>,
}

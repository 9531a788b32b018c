//! The typed configuration a running handoff works from. Every value here has been
//! checked: a `Config` exists only if the whole file was valid.

use std::collections::BTreeMap;
use std::fmt;
use std::path::PathBuf;

use handoff_dispatcher::contact::MatrixUserId;
use handoff_dispatcher::directory::{Directory, SiteEntry};
use handoff_dispatcher::routing::Settings;
use handoff_dispatcher::{EscalationPolicy, PhoneNumber, PolicyId, Roster};
use handoff_schedules::{SiteId, SiteSchedule, ZoneId};

#[derive(Debug, Clone)]
pub struct Config {
    /// The file it was read from, for messages.
    pub source: PathBuf,
    pub program: Program,
    pub sites: Vec<Site>,
    pub roster: Roster,
    pub policies: BTreeMap<PolicyId, EscalationPolicy>,
    pub transports: Transports,
    pub server: Server,
}

/// Where `handoff serve` listens, how the outside world reaches it, and where it
/// keeps its data.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Server {
    pub listen: std::net::SocketAddr,
    /// The base URL the SMS provider posts webhooks to (signatures are computed on
    /// it), without a trailing slash.
    pub public_url: String,
    /// `sqlite://PATH` (relative paths are relative to the config file) or
    /// `postgres://...`.
    pub database: String,
}

impl Config {
    pub fn site(&self, id: &SiteId) -> Option<&Site> {
        self.sites.iter().find(|s| &s.id == id)
    }

    /// The dispatcher's view of this configuration.
    pub fn directory(&self) -> Directory {
        Directory {
            sites: self
                .sites
                .iter()
                .map(|site| {
                    (
                        site.id.clone(),
                        SiteEntry {
                            name: site.name.clone(),
                            schedule: site.schedule.clone(),
                            policy: site.policy.clone(),
                            zones: site.zones.clone(),
                        },
                    )
                })
                .collect(),
            policies: self.policies.clone(),
            roster: self.roster.clone(),
            settings: Settings {
                arrival_limit: chrono::Duration::from_std(self.program.arrival_limit)
                    .unwrap_or(chrono::Duration::hours(3)),
                intake_days: self.program.intake_days,
            },
            // No Matrix transport delivers yet, whatever the file says.
            matrix_delivery: false,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Program {
    pub name: String,
    /// Days an accepted arrest diversion has to complete intake (30 by default).
    pub intake_days: u32,
    /// An accepted hand-off whose case manager has not arrived by then expires.
    pub arrival_limit: std::time::Duration,
    /// How long the text of a closed hand-off (location, relayed messages, reasons)
    /// is kept; its timings are kept for good.
    pub message_retention: std::time::Duration,
}

#[derive(Debug, Clone)]
pub struct Site {
    pub id: SiteId,
    pub name: String,
    pub schedule: SiteSchedule,
    pub policy: PolicyId,
    pub zones: Vec<ZoneId>,
}

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Transports {
    pub sms: Option<SmsTransport>,
    pub matrix: Option<MatrixTransport>,
}

/// A secret read from the environment. Its `Debug` never shows the value.
#[derive(Clone, PartialEq, Eq)]
pub struct Secret(String);

impl Secret {
    pub fn new(value: String) -> Secret {
        Secret(value)
    }
    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Secret(..)")
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SmsProvider {
    /// Messages are stored, not sent, and shown on the local sandbox page.
    Sandbox,
    /// The Twilio Programmable Messaging API, or any provider with its shape.
    Twilio(TwilioSettings),
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SmsSender {
    From(PhoneNumber),
    MessagingService(String),
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TwilioSettings {
    /// e.g. `https://api.twilio.com`; requests go to `{api_base}/2010-04-01/...`.
    pub api_base: String,
    pub account_sid: String,
    pub sender: SmsSender,
    /// The environment variable that holds the auth token.
    pub auth_token_env: String,
    pub auth_token: Secret,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SmsTransport {
    pub provider: SmsProvider,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MatrixTransport {
    pub homeserver: String,
    pub user: MatrixUserId,
    pub password_env: String,
    pub password: Secret,
}

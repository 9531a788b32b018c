//! The typed configuration a running handoff works from. Every value here has been
//! checked: a `Config` exists only if the whole file was valid.

use std::collections::BTreeMap;
use std::fmt;
use std::path::PathBuf;

use handoff_dispatcher::center::Center;
use handoff_dispatcher::contact::MatrixUserId;
use handoff_dispatcher::directory::{Directory, SiteEntry};
use handoff_dispatcher::routing::Settings;
use handoff_dispatcher::{AgencyId, EscalationPolicy, PhoneNumber, PolicyId, Roster};
use handoff_schedules::{OverrideSpec, SiteId, SiteSchedule, ZoneId};

use crate::dashboard::Dashboard;

#[derive(Debug, Clone)]
pub struct Config {
    /// The file it was read from, for messages.
    pub source: PathBuf,
    pub program: Program,
    pub sites: Vec<Site>,
    pub roster: Roster,
    /// The file's `[[overrides]]` as written, in order (each is also placed in the
    /// schedules of the sites it names): for the dashboard's list of overrides.
    pub overrides: Vec<OverrideSpec>,
    pub policies: BTreeMap<PolicyId, EscalationPolicy>,
    pub transports: Transports,
    pub server: Server,
    pub dashboard: Dashboard,
    /// The bearer tokens of the agencies whose own systems may call the JSON API,
    /// by agency. An agency without one cannot.
    pub api_tokens: BTreeMap<AgencyId, ApiToken>,
}

/// An agency's token for the JSON API, read from the environment variable the
/// file names (`api_token_env`), never from the file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ApiToken {
    /// The variable that holds it, for messages.
    pub env: String,
    pub token: Secret,
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
    /// How long a client has to send a request's headers, and again its body;
    /// also how long an idle connection is kept open.
    pub client_timeout: std::time::Duration,
    /// Texts one phone may send to the program at once...
    pub sender_burst: u32,
    /// ...and a minute once those are spent.
    pub sender_per_minute: u32,
}

impl Config {
    pub fn site(&self, id: &SiteId) -> Option<&Site> {
        self.sites.iter().find(|s| &s.id == id)
    }

    /// The dispatcher's view of this configuration.
    pub fn directory(&self) -> Directory {
        let mut directory = Directory {
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
                            after_hours_policy: site.after_hours_policy.clone(),
                            intake_days: site.intake_days,
                            zones: site.zones.clone(),
                            centers: site.centers.clone(),
                        },
                    )
                })
                .collect(),
            policies: self.policies.clone(),
            roster: self.roster.clone(),
            settings: self.program.settings(),
            // Matrix IDs count as a way to reach someone only while the Matrix
            // transport is enabled (and so valid); otherwise SMS is the only way.
            matrix_delivery: self.transports.matrix.is_some(),
            sites_served: BTreeMap::new(),
        };
        directory.count_sites_served();
        directory
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
    /// How long past an ETA, with no ARRIVED, before the case manager is asked for
    /// a new one; as long again before the supervisor is alerted and the officer
    /// told (10 minutes by default).
    pub eta_grace: std::time::Duration,
    /// Days before the intake deadline the case manager who accepted is reminded
    /// (7 by default; 0: no reminder; none when the deadline is not later).
    pub intake_reminder_days: u32,
    /// Whether supervisors and the project manager are alerted while a site is
    /// closed; without it those alerts wait for the digest when it opens.
    pub after_hours_alerts: bool,
    /// Who an unregistered phone should contact to be registered, named in the
    /// reply to it: one line of GSM-7 text.
    pub registration_contact: Option<String>,
}

impl Program {
    /// The dispatcher's settings. The durations were checked against their ranges
    /// when the file was read, so they always convert; the fallbacks are the
    /// dispatcher's own defaults and are never reached.
    pub fn settings(&self) -> Settings {
        let defaults = Settings::default();
        let convert = |duration: std::time::Duration, fallback: chrono::Duration| {
            chrono::Duration::from_std(duration).unwrap_or(fallback)
        };
        Settings {
            arrival_limit: convert(self.arrival_limit, defaults.arrival_limit),
            intake_days: self.intake_days,
            eta_grace: convert(self.eta_grace, defaults.eta_grace),
            intake_reminder_days: self.intake_reminder_days,
            after_hours_alerts: self.after_hours_alerts,
            registration_contact: self.registration_contact.clone(),
        }
    }
}

#[derive(Debug, Clone)]
pub struct Site {
    pub id: SiteId,
    pub name: String,
    pub schedule: SiteSchedule,
    pub policy: PolicyId,
    /// The policy for requests made while the site is closed, if the file names
    /// one; without it such a request is offered to the on-call coordinator (with
    /// the first step's timeout of `policy`), then follows `policy`.
    pub after_hours_policy: Option<PolicyId>,
    /// The site's own intake deadline in days, if it sets one (else the program's).
    pub intake_days: Option<u32>,
    pub zones: Vec<ZoneId>,
    /// The existing encrypted room the site's case managers share, if the file names
    /// one; without it the Matrix transport creates a room for the site.
    pub matrix_room: Option<MatrixRoomId>,
    /// The site's diversion centers, in the order of the file.
    pub centers: Vec<Center>,
}

/// A Matrix room ID as the file writes it, `!opaque:server.name`: checked for its
/// shape only (the room's own ID, not a `#alias`), so that a typo is reported with
/// its line; whether the room exists and is encrypted is for the transport to find
/// out when it joins.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct MatrixRoomId(String);

/// The longest room ID the Matrix specification allows, in bytes.
const MATRIX_ROOM_ID_MAX_BYTES: usize = 255;

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum BadMatrixRoomId {
    #[error(
        "`{0}` is a room alias, not a room ID: give the room's ID (!opaque:server, shown in the room's advanced settings)"
    )]
    Alias(String),
    #[error(
        "`{0}` is not a Matrix room ID: expected !opaque:server, e.g. !AbCdEfGh:matrix.example.org"
    )]
    Malformed(String),
    #[error("`{0}` is not a Matrix room ID: it is longer than 255 bytes")]
    TooLong(String),
}

impl MatrixRoomId {
    /// `!` and a non-empty opaque part, then `:` and a server name (a host name, an
    /// IPv4 or bracketed IPv6 address, with an optional port), all of it printable
    /// ASCII without spaces, at most 255 bytes.
    pub fn parse(text: &str) -> Result<MatrixRoomId, BadMatrixRoomId> {
        if text.starts_with('#') {
            return Err(BadMatrixRoomId::Alias(text.to_owned()));
        }
        let malformed = || BadMatrixRoomId::Malformed(text.to_owned());
        let rest = text.strip_prefix('!').ok_or_else(malformed)?;
        let (opaque, server) = rest.split_once(':').ok_or_else(malformed)?;
        let opaque_ok = !opaque.is_empty() && opaque.chars().all(|c| c.is_ascii_graphic());
        let server_ok = !server.is_empty()
            && server
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || ".-:[]".contains(c));
        if !(opaque_ok && server_ok) {
            return Err(malformed());
        }
        if text.len() > MATRIX_ROOM_ID_MAX_BYTES {
            return Err(BadMatrixRoomId::TooLong(text.to_owned()));
        }
        Ok(MatrixRoomId(text.to_owned()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for MatrixRoomId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Transports {
    pub sms: Option<SmsTransport>,
    pub matrix: Option<MatrixTransport>,
    /// How calls ring; the defaults when the file has no `[transports.voice]`.
    pub voice: VoiceTransport,
}

/// How an officer's call rings the people it is offered to (README.md, "Voice").
/// Voice webhooks are signed with the SMS transport's token; these are only its
/// timings.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct VoiceTransport {
    /// How long one leg rings before the next: a `<Dial>`'s `timeout`.
    pub ring_timeout: std::time::Duration,
    /// How long the screening waits for a key after the offer is read: a
    /// `<Gather>`'s `timeout`.
    pub press_timeout: std::time::Duration,
}

impl Default for VoiceTransport {
    fn default() -> VoiceTransport {
        VoiceTransport {
            ring_timeout: crate::validate::DEFAULT_RING_TIMEOUT,
            press_timeout: crate::validate::DEFAULT_PRESS_TIMEOUT,
        }
    }
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
    /// How long one send may take, connecting included, before it counts as
    /// failed (and is retried).
    pub timeout: std::time::Duration,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SmsTransport {
    pub provider: SmsProvider,
}

/// Where the Matrix transport keeps its login, below its data directory: the device
/// ID and access token of the bot's one device, written after the first login.
pub const MATRIX_SESSION_FILE: &str = "session.json";

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MatrixTransport {
    /// The homeserver's base URL, without a trailing slash.
    pub homeserver: String,
    /// The bot's own account.
    pub user: MatrixUserId,
    /// The environment variable that holds the bot's password.
    pub password_env: String,
    /// The password, if the variable is set. It is needed only to log in the first
    /// time: once `data_dir` holds a saved session, the variable may be unset.
    pub password: Option<Secret>,
    /// Where the session, the encryption keys and the sync state are kept, resolved
    /// against the configuration file's directory (default `matrix` beside it). It
    /// must survive restarts, or the bot becomes a new device without its keys.
    pub data_dir: PathBuf,
    /// The display name of the bot's device (1 to 64 characters, default `handoff`).
    pub device_name: String,
}

impl MatrixTransport {
    /// `data_dir/session.json`: the saved login, if the bot has logged in before.
    pub fn session_file(&self) -> PathBuf {
        self.data_dir.join(MATRIX_SESSION_FILE)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn room_ids_need_an_opaque_part_and_a_server() {
        for good in [
            "!AbCdEfGh:matrix.example.org",
            "!a:b",
            "!x_Y-1.2=+/:localhost:8448",
            "!abc:[::1]:8448",
        ] {
            assert_eq!(
                MatrixRoomId::parse(good).map(|room| room.to_string()),
                Ok(good.to_owned())
            );
        }
        for bad in [
            "",
            "!",
            "!:",
            "!a:",
            "!:b",
            "a:b",
            "!ab",
            "! a:b",
            "!a:b c",
            "!a:bé",
            "!é:b",
            "!a\u{200b}:b",
            "!a:b\n",
            "\u{0}",
        ] {
            assert_eq!(
                MatrixRoomId::parse(bad),
                Err(BadMatrixRoomId::Malformed(bad.to_owned())),
                "{bad:?}"
            );
        }
    }

    #[test]
    fn a_room_alias_is_told_apart_from_a_malformed_id() {
        assert_eq!(
            MatrixRoomId::parse("#lead:example.org"),
            Err(BadMatrixRoomId::Alias("#lead:example.org".to_owned()))
        );
    }

    #[test]
    fn a_room_id_may_be_255_bytes_long_and_no_longer() {
        let id = |opaque: usize| format!("!{}:example.org", "a".repeat(opaque));
        let longest = id(255 - "!:example.org".len());
        assert_eq!(longest.len(), 255);
        assert!(MatrixRoomId::parse(&longest).is_ok());
        let too_long = id(256 - "!:example.org".len());
        assert_eq!(
            MatrixRoomId::parse(&too_long),
            Err(BadMatrixRoomId::TooLong(too_long.clone()))
        );
    }
}

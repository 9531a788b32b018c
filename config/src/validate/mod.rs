//! From the file as written to the typed `Config`: every value is parsed, every
//! reference checked, and every problem collected with its position, so a person
//! fixing a file sees all that is wrong with it in one go.

use std::collections::{BTreeMap, BTreeSet};
use std::ops::Range;

use handoff_dispatcher::{AgencyId, EscalationPolicy, PolicyId, Roster};
use handoff_schedules::OverrideSpec;

use crate::dashboard::Dashboard;
use crate::error::Problems;
use crate::model::{ApiToken, Program, Server, Site, Transports};
use crate::raw::RawConfig;

mod api;
mod centers;
mod dashboard;
mod duties;
mod officers;
mod overrides;
mod program;
mod ranges;
mod references;
mod sites;
mod staff;
mod text;
mod transports;
mod values;

pub use api::{MAX_API_TOKEN_CHARS, MIN_API_TOKEN_CHARS};
pub use overrides::{FieldProblem, OverrideFields};
pub use ranges::{DurationError, parse_duration};

/// Reads an environment variable; injected so validation stays testable.
pub type EnvLookup<'a> = &'a dyn Fn(&str) -> Option<String>;

/// Everything of a `Config` but the file name.
pub struct Validated {
    pub program: Program,
    pub sites: Vec<Site>,
    pub roster: Roster,
    /// The file's overrides as written (each is also in the schedules it names).
    pub overrides: Vec<OverrideSpec>,
    pub policies: BTreeMap<PolicyId, EscalationPolicy>,
    pub transports: Transports,
    pub server: Server,
    pub dashboard: Dashboard,
    pub api_tokens: BTreeMap<AgencyId, ApiToken>,
}

/// Where `handoff serve` listens when the file does not say: loopback only, so a
/// fresh install is not reachable from the network by accident.
pub const DEFAULT_LISTEN: &str = "127.0.0.1:8080";

/// How long a client has to send a request's headers, and again its body, when
/// the file does not say: a provider sends a webhook at once, and a phone on a
/// poor network still gets a login form through in ten seconds.
pub const DEFAULT_CLIENT_TIMEOUT: std::time::Duration = std::time::Duration::from_secs(10);

/// How long one send to the SMS provider may take when the file does not say:
/// Twilio answers in well under a second, and a send stuck longer holds back the
/// later texts to that phone, so after this long it becomes a retry.
pub const DEFAULT_SMS_TIMEOUT: std::time::Duration = std::time::Duration::from_secs(10);

/// How long one leg of an officer's call rings when the file does not say: long
/// enough to reach a phone in a pocket, short enough that the officer waits a few
/// legs, not minutes. Voicemail usually answers after about 25 s, and the
/// screening keeps it out anyway.
pub const DEFAULT_RING_TIMEOUT: std::time::Duration = std::time::Duration::from_secs(20);

/// How long a leg's screening waits for a key after the offer is read, when the
/// file does not say: time to hear "press 1" and press it.
pub const DEFAULT_PRESS_TIMEOUT: std::time::Duration = std::time::Duration::from_secs(8);

/// Texts one phone may send at once when the file does not say: a quick exchange
/// between an officer and a case manager is a handful; twenty is a phone gone
/// wrong or someone flooding.
pub const DEFAULT_SENDER_BURST: u32 = 20;

/// Texts one phone may send a minute once its burst is spent, when the file does
/// not say: one every six seconds is faster than anyone types for long.
pub const DEFAULT_SENDER_PER_MINUTE: u32 = 10;

/// Intake deadline when the file does not set one (the LEAD toolkits' 30 days).
pub const DEFAULT_INTAKE_DAYS: u32 = 30;

/// How long an accepted case manager has to arrive before the hand-off expires and
/// a supervisor is alerted, when the file does not say.
pub const DEFAULT_ARRIVAL_LIMIT: std::time::Duration = std::time::Duration::from_secs(3 * 3600);

/// How long the text of a closed hand-off is kept when the file does not say:
/// long enough for a program's monthly review, short enough that a phone's
/// worth of street-level detail does not pile up for years.
pub const DEFAULT_MESSAGE_RETENTION: std::time::Duration =
    std::time::Duration::from_secs(90 * 86_400);

/// How long past an ETA before the case manager is asked for a new one, when the
/// file does not say: a few minutes late is traffic, ten is worth a word.
pub const DEFAULT_ETA_GRACE: std::time::Duration = std::time::Duration::from_secs(10 * 60);

/// Days before the intake deadline the case manager is reminded, when the file
/// does not say: a week leaves time to find someone who has gone quiet.
pub const DEFAULT_INTAKE_REMINDER_DAYS: u32 = 7;

/// Whether supervisors are alerted while a site is closed, when the file does not
/// say: no, since a program staffed part of the week must not wake people at
/// night for what the opening digest will tell them.
pub const DEFAULT_AFTER_HOURS_ALERTS: bool = false;

/// An arrival within this time of the request counts as "within target" on the
/// dashboard when the file does not say: the toolkits' hope of a case manager at
/// the scene within the hour.
pub const DEFAULT_ARRIVAL_TARGET: std::time::Duration = std::time::Duration::from_secs(3600);

/// Where the Matrix transport keeps its state when the file does not say: a
/// directory beside the configuration file, as the default database is.
pub const DEFAULT_MATRIX_DATA_DIR: &str = "matrix";

/// The name other Matrix users see on the bot's device when the file does not say.
pub const DEFAULT_MATRIX_DEVICE_NAME: &str = "handoff";

pub fn validate(
    raw: RawConfig,
    whole_file: Range<usize>,
    base_dir: &std::path::Path,
    env: EnvLookup<'_>,
) -> Result<Validated, Problems> {
    let mut p = Problems::default();
    let program = program::program(&mut p, raw.program.as_ref(), whole_file.clone());
    let reminder = program::written_reminder(raw.program.as_ref());
    let policies = program::policies(&mut p, &raw.escalation_policies);
    let people = staff::people(&mut p, &raw.people);
    let declared_policies: BTreeSet<String> = raw
        .escalation_policies
        .iter()
        .filter_map(|policy| policy.get_ref().id.as_ref().map(|id| id.get_ref().clone()))
        .collect();
    let mut sites = sites::sites(
        &mut p,
        &raw.sites,
        &policies,
        &declared_policies,
        reminder,
        whole_file.clone(),
    );
    centers::centers(&mut p, &raw.sites, &raw.people, &people, &mut sites);
    let (agencies, officers) = officers::agencies(&mut p, &raw.agencies, &sites, &people);
    program::check_policy_people(&mut p, &raw.escalation_policies, &people);
    duties::shifts(&mut p, &raw.shifts, &people, &mut sites);
    duties::rotations(&mut p, &raw.rotations, &people, &mut sites);
    let overrides = overrides::overrides(&mut p, &raw.overrides, &people, &mut sites);
    let transports = transports::transports(&mut p, &raw.transports, base_dir, env);
    let server = transports::server(&mut p, raw.server.as_ref(), base_dir);
    let dashboard = dashboard::dashboard(&mut p, raw.dashboard.as_ref());
    let api_tokens = api::tokens(&mut p, &raw.agencies, env);
    if !p.0.is_empty() {
        return Err(p);
    }
    Ok(Validated {
        program,
        sites: sites.built.into_iter().map(|(site, _)| site).collect(),
        roster: Roster {
            people,
            agencies,
            officers,
        },
        overrides,
        policies,
        transports,
        server,
        dashboard,
        api_tokens,
    })
}

//! The `handoff` command line: what a newcomer sees in `--help`, and the dispatch of
//! each subcommand to the module that does its work.

use std::path::PathBuf;

use chrono::{DateTime, NaiveDate, Utc};
use clap::{Args, Parser, Subcommand};
use handoff_dispatcher::HandoffId;
use handoff_dispatcher::audit::Anchor;
use handoff_dispatcher::stats::GroupBy;

/// Dispatches warm hand-offs from police officers to on-duty case managers of a
/// pre-arrest diversion program (LEAD and its peers).
#[derive(Debug, Parser)]
#[command(name = "handoff", version, long_about = None)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Args)]
pub struct ConfigArg {
    /// The program's configuration file (TOML). See config/example.toml.
    #[arg(
        long,
        short = 'c',
        env = "HANDOFF_CONFIG",
        default_value = "handoff.toml"
    )]
    pub config: PathBuf,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Run the service: the HTTP server (SMS webhooks, health check, sandbox page),
    /// the dispatcher engine and SMS delivery, until SIGTERM or Ctrl-C.
    ///
    /// Listen address, public URL and database come from the configuration's
    /// [server] section; these options override it.
    Serve {
        #[command(flatten)]
        config: ConfigArg,
        /// Address and port to listen on, e.g. 127.0.0.1:8080 (port 0: any free port).
        #[arg(long)]
        listen: Option<std::net::SocketAddr>,
        /// Database URL: sqlite://PATH or postgres://USER:PASSWORD@HOST/DB.
        #[arg(long, env = "HANDOFF_DATABASE_URL", hide_env_values = true)]
        database: Option<String>,
        /// The public base URL the SMS provider posts webhooks to; webhook
        /// signatures are checked against it (e.g. https://handoff.example.org).
        #[arg(long)]
        public_url: Option<String>,
    },
    /// Check a configuration file: print a summary, or every error with its line.
    ///
    /// Exits 0 when the file is valid, 2 when it is not (each error printed as
    /// FILE:LINE:COL: key: message), 1 when it cannot be read.
    CheckConfig {
        #[command(flatten)]
        config: ConfigArg,
    },
    /// Show, for each site, whether it is open, who is on duty and when it next opens.
    OnDuty {
        #[command(flatten)]
        config: ConfigArg,
        /// Only this site (its id in the configuration).
        #[arg(long)]
        site: Option<String>,
        /// The instant to ask about, RFC 3339 (e.g. 2026-11-23T10:00:00-05:00). Default: now.
        #[arg(long, value_parser = parse_instant)]
        at: Option<DateTime<Utc>>,
        /// Print a JSON array, one object per site, for scripts.
        #[arg(long)]
        json: bool,
        /// Also apply the schedule overrides added on the dashboard, read from
        /// this database (sqlite://PATH or postgres://USER:PASSWORD@HOST/DB).
        /// Without it, only the configuration file's overrides apply.
        #[arg(long, env = "HANDOFF_DATABASE_URL", hide_env_values = true)]
        database: Option<String>,
    },
    /// Schedules: export who is on duty.
    Schedule {
        #[command(subcommand)]
        command: ScheduleCommand,
    },
    /// Response times and outcomes from the event log, as CSV or JSON.
    Report {
        #[command(subcommand)]
        command: ReportCommand,
    },
    /// Intake follow-up: accepted arrest diversions owe an intake within the
    /// program's intake_days; list what is due and record what is done.
    Intake {
        #[command(subcommand)]
        command: IntakeCommand,
    },
    /// Follow-ups: referrals filed out of hours, requests nobody could take and
    /// hand-offs whose case manager never came, until someone follows up.
    Followup {
        #[command(subcommand)]
        command: FollowupCommand,
    },
    /// Tamper evidence: check that the event log is as the service wrote it.
    Audit {
        #[command(subcommand)]
        command: AuditCommand,
    },
    /// Ask a running service's /healthz once: exit 0 if it answers 200, 1
    /// otherwise (another status, a redirect, no answer), with the reason on
    /// stderr. For a container's HEALTHCHECK, in an image without curl.
    Healthcheck {
        /// The health endpoint to ask.
        #[arg(long, default_value = crate::healthcheck::DEFAULT_URL)]
        url: String,
        /// Seconds to wait for the whole answer (1 to 300).
        #[arg(long, default_value_t = 5, value_parser = clap::value_parser!(u64).range(1..=300))]
        timeout: u64,
    },
    /// Print the argon2 hash of a dashboard password, for `password_hash` in
    /// [[dashboard.users]]. Reads the password from the first line of standard
    /// input (type it, or pipe it), so it never shows in the shell's history.
    HashPassword,
}

#[derive(Debug, Subcommand)]
pub enum AuditCommand {
    /// Check the event log's hash chain row by row, a page at a time: print how
    /// many events were verified and the chain's head (note it somewhere else to
    /// compare later), or the first broken link (an edited, inserted or deleted
    /// row: its seq, hand-off and what differs).
    ///
    /// Exits 0 when the chain is whole (and passes through --anchor), 3 when it is
    /// broken, 1 when the database cannot be read. The configuration is read only for its database when
    /// --database is not given.
    Verify {
        #[command(flatten)]
        db: DatabaseArgs,
        /// A head an earlier run printed, as SEQ:HASH: the chain must still pass
        /// through it. A log rewritten with its chain recomputed verifies on its
        /// own; it cannot give that event the hash it had.
        #[arg(long, value_name = "SEQ:HASH")]
        anchor: Option<Anchor>,
    },
}

#[derive(Debug, Subcommand)]
pub enum FollowupCommand {
    /// Follow-ups waiting or taken (with --all, done ones too), by hand-off number,
    /// as CSV (or JSON).
    List {
        #[command(flatten)]
        db: DatabaseArgs,
        /// Only hand-offs of this site (its id in the configuration).
        #[arg(long)]
        site: Option<String>,
        /// Include the follow-ups already done.
        #[arg(long)]
        all: bool,
        /// Print a JSON array instead of CSV.
        #[arg(long)]
        json: bool,
    },
}

#[derive(Debug, Subcommand)]
pub enum IntakeCommand {
    /// Intakes not yet recorded that are overdue or due within --within days,
    /// soonest first, as CSV (or JSON).
    List {
        #[command(flatten)]
        db: DatabaseArgs,
        /// Only hand-offs of this site (its id in the configuration).
        #[arg(long)]
        site: Option<String>,
        /// Days ahead to look (overdue ones are always listed).
        #[arg(long, default_value_t = 7)]
        within: u32,
        /// Print a JSON array instead of CSV.
        #[arg(long)]
        json: bool,
    },
    /// Record the intake of a hand-off as complete.
    Done {
        #[command(flatten)]
        db: DatabaseArgs,
        /// The hand-off number, e.g. 4821.
        id: HandoffId,
        /// When the intake was completed, RFC 3339. Default: now.
        #[arg(long, value_parser = parse_instant)]
        at: Option<DateTime<Utc>>,
    },
}

#[derive(Debug, Subcommand)]
pub enum ReportCommand {
    /// One row per hand-off: when it was requested, offered, accepted (and by
    /// whom), reached and closed, how it ended, declines and escalation steps, and
    /// the times between in seconds. No locations, texts or phone numbers.
    Handoffs {
        #[command(flatten)]
        args: ReportArgs,
    },
    /// One row per group: requests, each outcome, declines, escalations, and
    /// p50 / p90 / max of response time (request to accept) and of time to arrival.
    Summary {
        #[command(flatten)]
        args: ReportArgs,
        /// How to group: case_manager, agency, officer, site, hour_of_week (0 =
        /// Monday 00:00 local), week (named by its Monday), channel (that the
        /// accept came by: sms or matrix), or all.
        #[arg(long, default_value = "all", value_parser = parse_group)]
        by: GroupBy,
    },
}

/// The configuration, and the database of a running service.
#[derive(Debug, Args)]
pub struct DatabaseArgs {
    #[command(flatten)]
    pub config: ConfigArg,
    /// Database URL (default: the configuration's [server] database), e.g.
    /// sqlite://PATH or postgres://USER:PASSWORD@HOST/DB.
    #[arg(long, env = "HANDOFF_DATABASE_URL", hide_env_values = true)]
    pub database: Option<String>,
}

#[derive(Debug, Args)]
pub struct ReportArgs {
    #[command(flatten)]
    pub db: DatabaseArgs,
    /// Only hand-offs of this site (its id in the configuration).
    #[arg(long)]
    pub site: Option<String>,
    /// First day of request, YYYY-MM-DD, in each hand-off's site's zone. Default:
    /// the beginning of the log.
    #[arg(long)]
    pub from: Option<NaiveDate>,
    /// Last day of request, included. Default: the end of the log.
    #[arg(long)]
    pub to: Option<NaiveDate>,
    /// Print a JSON array instead of CSV.
    #[arg(long)]
    pub json: bool,
}

fn parse_group(text: &str) -> Result<GroupBy, String> {
    GroupBy::ALL
        .into_iter()
        .find(|g| g.name() == text.trim().to_ascii_lowercase().replace('-', "_"))
        .ok_or_else(|| {
            let names: Vec<&str> = GroupBy::ALL.iter().map(|g| g.name()).collect();
            format!(
                "`{text}` is not a grouping: use one of {}",
                names.join(", ")
            )
        })
}

#[derive(Debug, Subcommand)]
pub enum ScheduleCommand {
    /// Print an iCalendar (.ics) feed of who is on duty at a site, one event per
    /// stretch of duty, for import into Google Calendar, Outlook or Apple Calendar.
    Ics {
        #[command(flatten)]
        config: ConfigArg,
        /// The site (its id in the configuration).
        #[arg(long)]
        site: String,
        /// First day of the feed, YYYY-MM-DD in the site's zone. Default: today.
        #[arg(long)]
        from: Option<NaiveDate>,
        /// Last day of the feed, included. Default: 28 days after the first.
        #[arg(long)]
        to: Option<NaiveDate>,
    },
    /// List the gaps in coverage at a site: open with no case manager on duty, or
    /// closed with nobody on call. Staff them before an officer meets one.
    Gaps {
        #[command(flatten)]
        config: ConfigArg,
        /// Only this site (its id in the configuration). Default: every site.
        #[arg(long)]
        site: Option<String>,
        /// First day, YYYY-MM-DD in the site's zone. Default: today.
        #[arg(long)]
        from: Option<NaiveDate>,
        /// Last day, included. Default: 14 days after the first.
        #[arg(long)]
        to: Option<NaiveDate>,
        /// Print a JSON array, one object per gap, for scripts.
        #[arg(long)]
        json: bool,
    },
}

fn parse_instant(text: &str) -> Result<DateTime<Utc>, String> {
    DateTime::parse_from_rfc3339(text)
        .map(|t| t.with_timezone(&Utc))
        .map_err(|e| {
            format!("`{text}` is not an RFC 3339 instant such as 2026-11-23T10:00:00-05:00 ({e})")
        })
}

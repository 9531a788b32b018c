//! Runs one parsed command against an injected clock and output, so the whole command
//! line can be tested in-process with a mock clock; `main` only maps the outcome to
//! an exit code.

use std::io::Write;
use std::sync::Arc;

use anyhow::{Context, bail};
use chrono::{Days, NaiveDate};
use handoff_config::{Config, LoadError, Site};
use handoff_dispatcher::Clock;
use handoff_dispatcher::overrides::merge;
use handoff_schedules::SiteId;

use crate::cli::{
    AuditCommand, Cli, Command, ConfigArg, FollowupCommand, IntakeCommand, ReportArgs,
    ReportCommand, ScheduleCommand,
};
use crate::report::{self, Format, Selection};
use crate::{audit, check_config, followup, gaps, ics, intake, on_duty, serve};
use handoff_dispatcher::stats::GroupBy;
use handoff_dispatcher::store::Records;

/// Exit code for a configuration with errors.
pub const EXIT_INVALID_CONFIG: u8 = 2;

/// The exit code for an error, and the lines to print on standard error.
pub fn describe_failure(error: &anyhow::Error) -> (u8, Vec<String>) {
    if let Some(broken) = error.downcast_ref::<audit::ChainBroken>() {
        return (audit::EXIT_CHAIN_BROKEN, broken.lines());
    }
    match error.downcast_ref::<LoadError>() {
        Some(LoadError::Invalid(errors)) => {
            let mut lines: Vec<String> = errors.iter().map(ToString::to_string).collect();
            lines.push(format!(
                "{} error{} in the configuration",
                errors.len(),
                if errors.len() == 1 { "" } else { "s" }
            ));
            (EXIT_INVALID_CONFIG, lines)
        }
        _ => (1, vec![format!("error: {error:#}")]),
    }
}

fn load(arg: &ConfigArg) -> anyhow::Result<Config> {
    match handoff_config::load(&arg.config) {
        Ok(config) => Ok(config),
        // A newcomer who runs a command without --config lands here: say how
        // to name a file rather than only that the default one is missing.
        Err(error @ handoff_config::LoadError::Read { .. }) if !arg.config.exists() => {
            Err(anyhow::Error::new(error).context(format!(
                "no configuration at {}: pass --config FILE or set HANDOFF_CONFIG \
                 (config/example.toml is a complete example)",
                arg.config.display()
            )))
        }
        Err(error) => Err(error.into()),
    }
}

/// The site `--site` names, or every site.
fn chosen_sites<'a>(config: &'a Config, site: Option<&str>) -> anyhow::Result<Vec<&'a Site>> {
    match site {
        None => Ok(config.sites.iter().collect()),
        Some(id) => Ok(vec![find_site(config, id)?]),
    }
}

/// The id of the site `--site` names, checked against the configuration.
fn chosen_site_id(config: &Config, site: Option<&str>) -> anyhow::Result<Option<SiteId>> {
    site.map(|id| find_site(config, id).map(|s| s.id.clone()))
        .transpose()
}

fn find_site<'a>(config: &'a Config, id: &str) -> anyhow::Result<&'a Site> {
    match config.sites.iter().find(|s| s.id.as_str() == id) {
        Some(site) => Ok(site),
        None => {
            let known: Vec<&str> = config.sites.iter().map(|s| s.id.as_str()).collect();
            bail!(
                "no site `{id}` in {}: known sites are {}",
                config.source.display(),
                known.join(", ")
            )
        }
    }
}

pub fn run(
    cli: Cli,
    shared_clock: Arc<dyn Clock>,
    out: &mut (dyn Write + Send),
) -> anyhow::Result<()> {
    run_with(cli, shared_clock, out, None)
}

/// [`run`], with the chat transport `handoff serve` starts when the configuration
/// enables one.
pub fn run_with(
    cli: Cli,
    shared_clock: Arc<dyn Clock>,
    out: &mut (dyn Write + Send),
    chat: Option<Arc<dyn crate::chat::Chat>>,
) -> anyhow::Result<()> {
    let clock = shared_clock.as_ref();
    match cli.command {
        Command::Serve {
            config,
            listen,
            database,
            public_url,
        } => {
            let config = load(&config)?;
            let options = serve::Options {
                listen,
                database,
                public_url,
            };
            let runtime = tokio::runtime::Builder::new_multi_thread()
                .enable_all()
                .build()
                .context("starting the async runtime")?;
            runtime.block_on(serve::serve(
                &config,
                options,
                shared_clock.clone(),
                out,
                chat,
            ))?;
        }
        Command::CheckConfig { config } => {
            let config = load(&config)?;
            write!(out, "{}", check_config::summary(&config, clock.now()))?;
        }
        Command::OnDuty {
            config,
            site,
            at,
            json,
            database,
        } => {
            let mut config = load(&config)?;
            if let Some(database) = database {
                let stored = with_store(&config, Some(database), async |store| {
                    Ok(store.overrides(false).await?)
                })?;
                for site in &mut config.sites {
                    // After the file's own, as `handoff serve` merges them.
                    merge(&mut site.schedule, &config.roster, &stored);
                }
            }
            let at = at.unwrap_or_else(|| clock.now());
            let sites = chosen_sites(&config, site.as_deref())?;
            let reports: Vec<_> = sites
                .iter()
                .map(|s| on_duty::report(&config, s, at))
                .collect();
            if json {
                writeln!(
                    out,
                    "{}",
                    serde_json::to_string_pretty(&reports).context("rendering JSON")?
                )?;
            } else {
                write!(out, "{}", on_duty::render_text(&config, &reports, at))?;
            }
        }
        Command::Schedule {
            command:
                ScheduleCommand::Ics {
                    config,
                    site,
                    from,
                    to,
                },
        } => {
            let config = load(&config)?;
            let site = find_site(&config, &site)?;
            let today: NaiveDate = clock.now().with_timezone(&site.schedule.tz).date_naive();
            let first = from.unwrap_or(today);
            let last = to.unwrap_or(first.checked_add_days(Days::new(28)).unwrap_or(first));
            let feed = ics::feed(&config, site, first, last, clock.now())
                .context("making the calendar feed")?;
            write!(out, "{feed}")?;
        }
        Command::Schedule {
            command:
                ScheduleCommand::Gaps {
                    config,
                    site,
                    from,
                    to,
                    json,
                },
        } => {
            let config = load(&config)?;
            let sites = chosen_sites(&config, site.as_deref())?;
            let mut all = Vec::new();
            let mut text = String::new();
            for site in sites {
                let today = clock.now().with_timezone(&site.schedule.tz).date_naive();
                let first = from.unwrap_or(today);
                let last = to.unwrap_or(first.checked_add_days(Days::new(14)).unwrap_or(first));
                let rows = gaps::gaps(site, first, last).context("listing the gaps")?;
                text.push_str(&gaps::render_text(site, &rows));
                all.extend(rows);
            }
            if json {
                writeln!(
                    out,
                    "{}",
                    serde_json::to_string_pretty(&all).context("rendering JSON")?
                )?;
            } else {
                write!(out, "{text}")?;
            }
        }
        Command::Report { command } => {
            let (args, by) = match command {
                ReportCommand::Handoffs { args } => (args, None),
                ReportCommand::Summary { args, by } => (args, Some(by)),
            };
            run_report(args, by, out)?;
        }
        Command::Intake { command } => run_intake(command, clock, out)?,
        Command::Followup { command } => run_followup(command, out)?,
        Command::Audit {
            command: AuditCommand::Verify { db, anchor },
        } => {
            // Only the database is needed: an auditor given --database needs no
            // configuration file.
            let database = match db.database {
                Some(database) => database,
                None => load(&db.config)?.server.database,
            };
            with_database(database, async |store| {
                audit::verify(store, anchor, out).await
            })?;
        }
        Command::Healthcheck { url, timeout } => {
            let runtime = tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
                .context("starting the async runtime")?;
            let body = runtime.block_on(crate::healthcheck::probe(
                &url,
                std::time::Duration::from_secs(timeout),
            ))?;
            writeln!(out, "{}", body.trim())?;
        }
        Command::HashPassword => {
            let mut line = String::new();
            std::io::stdin()
                .read_line(&mut line)
                .context("reading the password from standard input")?;
            let password = line.trim_end_matches(['\n', '\r']);
            let hash = crate::web::hash_password(password).map_err(anyhow::Error::msg)?;
            writeln!(out, "{hash}")?;
        }
    }
    Ok(())
}

/// Opens the database a command names (or the configuration's), runs `work` on
/// it in a runtime of its own, and closes it. A missing SQLite file is an error:
/// these commands read a running service's database and never create one.
fn with_store<T>(
    config: &Config,
    database: Option<String>,
    work: impl AsyncFnOnce(&Records) -> anyhow::Result<T>,
) -> anyhow::Result<T> {
    with_database(
        database.unwrap_or_else(|| config.server.database.clone()),
        work,
    )
}

/// [`with_store`] on the database at `database`.
fn with_database<T>(
    database: String,
    work: impl AsyncFnOnce(&Records) -> anyhow::Result<T>,
) -> anyhow::Result<T> {
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .context("starting the async runtime")?;
    runtime.block_on(async {
        let store = Records::open_existing(&database)
            .await
            .with_context(|| format!("opening the database {}", serve::redacted(&database)))?;
        let result = work(&store).await;
        store.close().await;
        result
    })
}

/// `handoff report ...`: a per-hand-off report, or a summary grouped by `by`.
fn run_report(
    args: ReportArgs,
    by: Option<GroupBy>,
    out: &mut (dyn Write + Send),
) -> anyhow::Result<()> {
    let config = load(&args.db.config)?;
    let site = chosen_site_id(&config, args.site.as_deref())?;
    let selection = Selection {
        site,
        from: args.from,
        to: args.to,
    };
    let format = Format::chosen(args.json);
    with_store(&config, args.db.database, async |store| {
        match by {
            None => {
                let rows = report::handoffs(&config, store, &selection).await?;
                report::write(&rows, format, out)?;
            }
            Some(by) => {
                let rows = report::summary(&config, store, &selection, by).await?;
                report::write(&rows, format, out)?;
            }
        }
        Ok(())
    })
}

/// `handoff intake list` and `handoff intake done`.
fn run_intake(
    command: IntakeCommand,
    clock: &dyn Clock,
    out: &mut (dyn Write + Send),
) -> anyhow::Result<()> {
    match command {
        IntakeCommand::List {
            db,
            site,
            within,
            json,
        } => {
            let config = load(&db.config)?;
            let site = chosen_site_id(&config, site.as_deref())?;
            let format = Format::chosen(json);
            let now = clock.now();
            with_store(&config, db.database, async |store| {
                let rows = intake::list(store, site.as_ref(), within, now).await?;
                report::write(&rows, format, out)?;
                Ok(())
            })
        }
        IntakeCommand::Done { db, id, at } => {
            let config = load(&db.config)?;
            let at = at.unwrap_or_else(|| clock.now());
            with_store(&config, db.database, async |store| {
                let directory = std::sync::Arc::new(config.directory());
                if !store.complete_intake(id, at, directory).await? {
                    bail!(
                        "hand-off {id} owes no intake, or its intake is already recorded \
                         (see `handoff intake list`)"
                    );
                }
                writeln!(out, "Intake for hand-off {id} recorded as complete.")?;
                Ok(())
            })
        }
    }
}

/// `handoff followup list`.
fn run_followup(command: FollowupCommand, out: &mut (dyn Write + Send)) -> anyhow::Result<()> {
    let FollowupCommand::List {
        db,
        site,
        all,
        json,
    } = command;
    let config = load(&db.config)?;
    let site = chosen_site_id(&config, site.as_deref())?;
    let format = Format::chosen(json);
    with_store(&config, db.database, async |store| {
        let rows = followup::list(store, site.as_ref(), all).await?;
        report::write(&rows, format, out)?;
        Ok(())
    })
}

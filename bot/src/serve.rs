//! `handoff serve`: one process running the HTTP server, the dispatcher engine's
//! timer loop and the SMS delivery worker on the configured database, until SIGTERM
//! or Ctrl-C. Shutdown stops taking requests, lets in-flight ones finish, and leaves
//! timers and the outbox in the database for the next start.

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration as StdDuration;

use anyhow::Context;
use handoff_config::{Config, SmsProvider, SmsSender};
use handoff_dispatcher::{Clock, Engine, Store};
use tokio::sync::watch;
use tokio::task::JoinSet;

use crate::chat::{Chat, ChatContext, LoopFactory};
use crate::inbound::Inbound;
use crate::metrics::Metrics;
use crate::reload::Hangups;
use crate::retention::Retention;
use crate::server::guard::Limits;
use crate::server::{AppState, listen, router};
use crate::sms::outbound::{Provider, SmsOutbound};
use crate::sms::provider::{Sender, TwilioClient};
use crate::sms::sandbox::Sandbox;
use crate::supervise::{self, Loops};
use crate::web::Web;
use crate::web::api::ApiAgencies;

/// Overrides of the configuration's `[server]` section, from the command line.
#[derive(Debug, Clone, Default)]
pub struct Options {
    pub listen: Option<SocketAddr>,
    pub database: Option<String>,
    pub public_url: Option<String>,
}

/// How long shutdown waits for the server and workers to finish.
const SHUTDOWN_GRACE: StdDuration = StdDuration::from_secs(10);

/// A started service.
pub struct Running {
    pub addr: SocketAddr,
    pub public_url: String,
    pub engine: Engine,
    pub inbound: Inbound,
    pub outbound: Option<SmsOutbound>,
    pub retention: Retention,
    pub sandbox: Option<Arc<Sandbox>>,
    pub web: Arc<Web>,
    stop: watch::Sender<bool>,
    tasks: JoinSet<()>,
}

async fn stopped(mut stop: watch::Receiver<bool>) {
    // An error means the sender is gone, which also means stop.
    let _ = stop.wait_for(|stop| *stop).await;
}

/// This process's name among those sharing a database: `HANDOFF_INSTANCE` if set,
/// else its host name and listen address. Two live processes on one host cannot
/// listen on one address, so names are unique; a process restarted on the same
/// address gets the same name back, and with it the leases it held.
pub fn instance_name(addr: SocketAddr) -> String {
    if let Ok(name) = std::env::var("HANDOFF_INSTANCE")
        && !name.trim().is_empty()
    {
        return name.trim().to_owned();
    }
    let host = std::env::var("HOSTNAME")
        .ok()
        .or_else(|| std::fs::read_to_string("/proc/sys/kernel/hostname").ok())
        .map(|h| h.trim().to_owned())
        .filter(|h| !h.is_empty())
        .unwrap_or_else(|| "localhost".to_owned());
    format!("{host}/{addr}")
}

/// Hides a URL's password for messages.
pub fn redacted(url: &str) -> String {
    match (url.find("://"), url.find('@')) {
        (Some(scheme), Some(at)) if at > scheme => format!("{}://…{}", &url[..scheme], &url[at..]),
        _ => url.to_owned(),
    }
}

/// Starts the service. With `background`, the engine's timer loop and the SMS
/// worker run on their own; without, a test drives them (`fire_due`, `deliver`).
pub async fn start(
    config: &Config,
    options: Options,
    clock: Arc<dyn Clock>,
    background: bool,
) -> anyhow::Result<Running> {
    start_with(config, options, clock, background, None).await
}

/// [`start`], with the chat transport the configuration may ask for.
pub async fn start_with(
    config: &Config,
    options: Options,
    clock: Arc<dyn Clock>,
    background: bool,
    chat: Option<Arc<dyn Chat>>,
) -> anyhow::Result<Running> {
    let database = options
        .database
        .clone()
        .unwrap_or_else(|| config.server.database.clone());
    let store = Store::connect(&database)
        .await
        .with_context(|| format!("opening the database {}", redacted(&database)))?;
    // Compile the redaction patterns now, not inside the first request's
    // webhook: in a debug build that alone costs tens of milliseconds.
    handoff_dispatcher::redact::prepare();
    let engine = Engine::new(store, clock.clone(), Arc::new(config.directory()));
    let inbound = Inbound::new(engine.clone());

    let listen = options.listen.unwrap_or(config.server.listen);
    let listener = tokio::net::TcpListener::bind(listen)
        .await
        .with_context(|| format!("listening on {listen}"))?;
    let addr = listener.local_addr().context("reading the bound address")?;
    // A listen address given on the command line (a port chosen by the system, say)
    // is also the public address unless one is given too.
    let public_url = match (&options.public_url, options.listen) {
        (Some(url), _) => url.trim_end_matches('/').to_owned(),
        (None, Some(_)) => format!("http://{addr}"),
        (None, None) => config.server.public_url.clone(),
    };

    let (provider, auth_token, sandbox) = match config.transports.sms.as_ref().map(|s| &s.provider)
    {
        None => (None, None, None),
        Some(SmsProvider::Sandbox) => {
            if !addr.ip().is_loopback() {
                // The sandbox page shows every conversation and lets anyone text as
                // anyone: fine on one's own machine, not on a network.
                tracing::warn!(
                    %addr,
                    "the SMS sandbox is reachable beyond this machine: anyone who can \
                     reach it can read every conversation and text as anyone"
                );
            }
            let sandbox = Arc::new(Sandbox::new(engine.outbox()));
            (
                Some(Provider::Sandbox(sandbox.clone())),
                None,
                Some(sandbox),
            )
        }
        Some(SmsProvider::Twilio(settings)) => {
            let sender = match &settings.sender {
                SmsSender::From(phone) => Sender::From(phone.as_str().to_owned()),
                SmsSender::MessagingService(sid) => Sender::MessagingService(sid.clone()),
            };
            let client = TwilioClient::new(
                &settings.api_base,
                &settings.account_sid,
                settings.auth_token.expose(),
                sender,
            )
            .context("setting up the SMS provider client")?
            .with_timeout(settings.timeout);
            (
                Some(Provider::Twilio(Arc::new(client))),
                Some(settings.auth_token.expose().to_owned()),
                None,
            )
        }
    };
    let status_callback = auth_token
        .as_ref()
        .map(|_| format!("{public_url}/sms/status"));
    let metrics = Arc::new(Metrics::default());
    let loops = Arc::new(Loops::default());
    let instance = instance_name(addr);
    let outbound = provider.map(|p| {
        SmsOutbound::new(
            engine.clone(),
            p,
            status_callback,
            metrics.clone(),
            &instance,
        )
    });
    if outbound.is_none() {
        tracing::warn!("no SMS transport is configured: nothing will be texted");
    }

    let own_numbers = match config.transports.sms.as_ref().map(|s| &s.provider) {
        Some(SmsProvider::Twilio(settings)) => match &settings.sender {
            SmsSender::From(phone) => std::iter::once(phone.clone()).collect(),
            SmsSender::MessagingService(_) => Default::default(),
        },
        _ => Default::default(),
    };
    let chat_loops = match (&config.transports.matrix, chat) {
        (None, _) => Vec::new(),
        (Some(_), None) => anyhow::bail!(
            "[transports.matrix] is enabled, but this program was built without Matrix"
        ),
        (Some(_), Some(chat)) => {
            let context = ChatContext {
                engine: engine.clone(),
                config: config.clone(),
                metrics: metrics.clone(),
                clock: clock.clone(),
                instance: instance.clone(),
            };
            chat.start(context)
                .await
                .context("starting the Matrix transport")?
                .loops
        }
    };
    let web = Arc::new(
        Web::new(&engine.records(), config, &public_url)
            .await
            .context("reading the dashboard's keys from the database")?,
    );
    let state = AppState {
        web: web.clone(),
        inbound: inbound.clone(),
        own_numbers: Arc::new(own_numbers),
        auth_token,
        public_url: public_url.clone(),
        sandbox: sandbox.clone(),
        program: config.program.name.clone(),
        metrics,
        loops: loops.clone(),
        api: Arc::new(ApiAgencies::from_config(config)),
        limits: Arc::new(Limits::new(&config.server)),
        voice: config.transports.voice,
    };
    let client_timeout = config.server.client_timeout;
    if background {
        // Timers that fell due while the service was down fire before the first
        // request is taken, and the health check is green from its first answer.
        engine.pass().await;
    }
    let retention = Retention::new(engine.clone(), config.program.message_retention);
    let (stop, stop_rx) = watch::channel(false);
    let mut tasks = JoinSet::new();
    let server_stop = stopped(stop_rx.clone());
    // The connection's peer address goes with each request: dashboard logins and
    // refused webhooks are limited per address.
    tasks.spawn(listen::serve(
        listener,
        router(state),
        client_timeout,
        server_stop,
    ));
    if background {
        // The dashboard counts its board from the rollup held in memory: read it
        // now, in the background (seconds for a million hand-offs), rather than at
        // the first page view. A failure here only leaves that to the first view.
        let records = engine.records();
        let stopping = stopped(stop_rx.clone());
        tasks.spawn(async move {
            tokio::select! {
                () = stopping => {}
                read = records.read_board_rows() => match read {
                    Ok(held) => tracing::debug!(held, "the dashboard's rollup is in memory"),
                    Err(error) => tracing::warn!(%error, "cannot read the dashboard's rollup yet"),
                },
            }
        });
        // Each loop restarts if it ends unexpectedly; see `supervise`.
        let mut supervised = |name, make: LoopFactory| {
            supervise::spawn(
                &mut tasks,
                loops.clone(),
                clock.clone(),
                name,
                stop_rx.clone(),
                make,
            )
        };
        let timers = engine.clone();
        supervised(
            "timers",
            Box::new(move |stop| {
                let timers = timers.clone();
                Box::pin(async move { timers.run(stop).await })
            }),
        );
        if let Some(worker) = outbound.clone() {
            supervised(
                "sms_delivery",
                Box::new(move |stop| {
                    let worker = worker.clone();
                    Box::pin(async move { worker.run(stop).await })
                }),
            );
            let listening = engine.clone();
            supervised(
                "outbox_notifications",
                Box::new(move |stop| {
                    let engine = listening.clone();
                    Box::pin(async move { relay_outbox_notifications(engine, stop).await })
                }),
            );
        }
        for (name, make) in chat_loops {
            supervised(name, make);
        }
        let retention = retention.clone();
        supervised(
            "retention",
            Box::new(move |stop| {
                let retention = retention.clone();
                Box::pin(async move { retention.run(stop).await })
            }),
        );
    }
    tracing::info!(%addr, %public_url, %instance, database = %redacted(&database), "handoff is serving");
    Ok(Running {
        addr,
        public_url,
        engine,
        inbound,
        outbound,
        retention,
        sandbox,
        web,
        stop,
        tasks,
    })
}

impl Running {
    /// One delivery pass of the SMS worker (for tests that drive it by hand).
    pub async fn deliver(&self) -> anyhow::Result<()> {
        if let Some(outbound) = &self.outbound {
            outbound.deliver_pending().await?;
        }
        Ok(())
    }

    /// One retention pass (for tests that drive it by hand).
    pub async fn forget(&self) -> anyhow::Result<handoff_dispatcher::Forgotten> {
        Ok(self.retention.pass().await?)
    }

    /// Stops taking requests, lets in-flight work finish, and waits for the tasks.
    pub async fn shutdown(mut self) {
        let _ = self.stop.send(true);
        let drained = tokio::time::timeout(SHUTDOWN_GRACE, async {
            while let Some(joined) = self.tasks.join_next().await {
                if let Err(error) = joined {
                    tracing::error!(%error, "a task ended badly at shutdown");
                }
            }
        })
        .await;
        if drained.is_err() {
            tracing::warn!("shutdown grace period passed; abandoning the remaining tasks");
            self.tasks.abort_all();
        }
        if let Some(outbound) = &self.outbound {
            outbound.release().await;
        }
        self.engine.close().await;
    }
}

/// On PostgreSQL, wakes this process's SMS worker when any process on the database
/// queues messages (the worker holding the lease may not be the one that decided).
/// A lost connection is retried every few seconds; meanwhile the worker still
/// looks on its own at least every `MAX_IDLE`.
async fn relay_outbox_notifications(
    engine: Engine,
    shutdown: impl std::future::Future<Output = ()>,
) {
    tokio::pin!(shutdown);
    loop {
        let outbox = engine.outbox();
        let listener = tokio::select! {
            () = &mut shutdown => return,
            listener = outbox.listener() => listener,
        };
        let mut listener = match listener {
            Ok(Some(listener)) => listener,
            // SQLite: one process, nothing to hear (until shutdown: a loop that
            // returns on its own would be taken for a failure and restarted).
            Ok(None) => return shutdown.await,
            Err(error) => {
                tracing::warn!(%error, "cannot listen for outbox notifications; retrying");
                tokio::select! {
                    () = &mut shutdown => return,
                    () = tokio::time::sleep(StdDuration::from_secs(5)) => continue,
                }
            }
        };
        loop {
            tokio::select! {
                () = &mut shutdown => return,
                heard = listener.next() => match heard {
                    Ok(()) => engine.outbox_signal().notify_waiters(),
                    Err(error) => {
                        tracing::warn!(%error, "outbox notifications interrupted; reconnecting");
                        break;
                    }
                },
            }
        }
    }
}

/// SIGHUP: reads the configuration file again and puts it in force, or keeps the
/// running one if the file has errors. Returns the configuration now in force.
async fn reloaded(running: &Running, current: Config) -> Config {
    match handoff_config::load(&current.source) {
        Ok(new) => {
            let conflicts = match crate::reload::conflicts(&running.engine, &new).await {
                Ok(conflicts) => conflicts,
                Err(error) => vec![format!("cannot read the open hand-offs: {error}")],
            };
            if !conflicts.is_empty() {
                for conflict in conflicts {
                    tracing::error!("{conflict}");
                }
                tracing::error!(
                    file = %current.source.display(),
                    "reload refused; still running on the previous configuration"
                );
                return current;
            }
            running.web.replace_config(&new);
            for what in crate::reload::apply(&running.engine, &current, &new) {
                tracing::warn!(%what, "changed in the file, but applies only after a restart");
            }
            tracing::info!(file = %new.source.display(), "configuration reloaded");
            new
        }
        Err(error) => {
            for line in error.to_string().lines() {
                tracing::error!("{line}");
            }
            tracing::error!(
                file = %current.source.display(),
                "reload refused: the file has errors; still running on the previous configuration"
            );
            current
        }
    }
}

/// Resolves on Ctrl-C or SIGTERM.
async fn termination() {
    let ctrl_c = async {
        if let Err(error) = tokio::signal::ctrl_c().await {
            tracing::error!(%error, "cannot listen for Ctrl-C");
            std::future::pending::<()>().await;
        }
    };
    #[cfg(unix)]
    let term = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut signal) => {
                signal.recv().await;
            }
            Err(error) => {
                tracing::error!(%error, "cannot listen for SIGTERM");
                std::future::pending::<()>().await;
            }
        }
    };
    #[cfg(not(unix))]
    let term = std::future::pending::<()>();
    tokio::select! {
        () = ctrl_c => {}
        () = term => {}
    }
}

/// Runs the service until SIGTERM or Ctrl-C, with the chat transport the
/// configuration may ask for.
pub async fn serve(
    config: &Config,
    options: Options,
    clock: Arc<dyn Clock>,
    out: &mut (dyn std::io::Write + Send),
    chat: Option<Arc<dyn Chat>>,
) -> anyhow::Result<()> {
    let running = start_with(config, options, clock, true, chat).await?;
    let mut banner = format!(
        "handoff is serving {} on http://{}\n",
        config.program.name, running.addr
    );
    if running.sandbox.is_some() {
        banner.push_str(&format!(
            "SMS sandbox: open http://{}/sandbox to text as any officer or staff member\n",
            running.addr
        ));
    }
    banner.push_str(&format!(
        "health: http://{}/healthz  (Ctrl-C to stop)\n",
        running.addr
    ));
    // The banner is a courtesy for whoever started us. If stdout is closed
    // (a supervisor that discards it, a pipe whose reader went away) the
    // service must keep answering webhooks, so a failed write is only logged.
    if let Err(error) = out.write_all(banner.as_bytes()).and_then(|()| out.flush()) {
        tracing::warn!(%error, "could not print the start-up banner; serving anyway");
    }
    let terminated = termination();
    tokio::pin!(terminated);
    let mut hangups = Hangups::new();
    let mut current = config.clone();
    loop {
        tokio::select! {
            () = &mut terminated => break,
            () = hangups.next() => current = reloaded(&running, current).await,
        }
    }
    tracing::info!("shutting down");
    running.shutdown().await;
    Ok(())
}

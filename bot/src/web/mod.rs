//! The web faces of the service beside the webhooks: the dashboard for project
//! managers, supervisors and the workgroup (login, pages, exports), and the JSON API
//! that agencies' dispatch systems call. Like every transport, they verify, parse,
//! render and deliver; what a request means is decided by the dispatcher.
//!
//! Every dashboard page and export goes through [`access`], which answers 401 to a
//! request without a live session and 403 to a role below the page's.

mod auth;
mod charts;
mod coverage;
mod demand;
mod export;
mod filters;
mod layout;
mod login;
mod now;
mod overrides;
mod review;
mod session;
mod staffing;
mod timeline;
mod working;

use std::sync::{Arc, Mutex, RwLock};

pub mod api;

use axum::Router;
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use handoff_config::{Config, Dashboard, DashboardRole, UserName};
use handoff_dispatcher::StoreError;
use handoff_dispatcher::store::Records;

use crate::server::AppState;

pub use auth::hash_password;

/// What the dashboard keeps while serving.
pub struct Web {
    /// The users and targets of the configuration in force (replaced on reload).
    dashboard: RwLock<Arc<Dashboard>>,
    /// The configuration in force (replaced on reload): the file's overrides, and
    /// the people and sites an override typed on the dashboard is checked against.
    config: RwLock<Arc<Config>>,
    limiter: Mutex<auth::Limiter>,
    signer: session::Signer,
    /// Cookies carry `Secure` when the public URL is https.
    secure: bool,
    program: String,
}

impl Web {
    /// Loads (or makes, the first time) the key that signs session cookies.
    pub async fn new(
        records: &Records,
        config: &Config,
        public_url: &str,
    ) -> Result<Web, StoreError> {
        Ok(Web {
            dashboard: RwLock::new(Arc::new(config.dashboard.clone())),
            config: RwLock::new(Arc::new(config.clone())),
            limiter: Mutex::new(auth::Limiter::default()),
            signer: session::Signer::for_sessions(records).await?,
            secure: public_url.starts_with("https://"),
            program: config.program.name.clone(),
        })
    }

    /// Puts a reloaded configuration in force: its users and targets, its
    /// overrides and people. Sessions of users no longer listed stop working at
    /// their next request.
    pub fn replace_config(&self, config: &Config) {
        if let Ok(mut current) = self.dashboard.write() {
            *current = Arc::new(config.dashboard.clone());
        }
        if let Ok(mut current) = self.config.write() {
            *current = Arc::new(config.clone());
        }
    }

    pub(crate) fn config(&self) -> Arc<Config> {
        self.config
            .read()
            .map(|c| Arc::clone(&c))
            .unwrap_or_else(|poisoned| Arc::clone(&poisoned.into_inner()))
    }

    pub(crate) fn dashboard(&self) -> Arc<Dashboard> {
        self.dashboard
            .read()
            .map(|d| Arc::clone(&d))
            .unwrap_or_else(|poisoned| Arc::clone(&poisoned.into_inner()))
    }
}

/// A request's logged-in user, allowed on the page that asked.
#[derive(Debug, Clone)]
pub(crate) struct Access {
    pub(crate) user: UserName,
    pub(crate) role: DashboardRole,
    /// The session's CSRF token, for the forms the page shows.
    pub(crate) csrf: String,
    pub(crate) token_hash: String,
}

impl Access {
    pub(crate) fn may(&self, role: DashboardRole) -> bool {
        self.role >= role
    }
}

/// The user of the request's session if their role is at least `needed`; else
/// the 401 (no live session, or a user no longer configured) or 403 page.
pub(crate) async fn access(
    state: &AppState,
    headers: &HeaderMap,
    needed: DashboardRole,
) -> Result<Access, Response> {
    let engine = state.inbound.engine();
    let found = session::find(&engine.records(), &state.web.signer, headers, engine.now()).await;
    let session = match found {
        Ok(Some(session)) => session,
        Ok(None) => return Err(layout::refused(StatusCode::UNAUTHORIZED, None)),
        Err(error) => return Err(unavailable(&error)),
    };
    let dashboard = state.web.dashboard();
    let Some(user) = dashboard.user(&session.user) else {
        return Err(layout::refused(StatusCode::UNAUTHORIZED, None));
    };
    let access = Access {
        user: user.name.clone(),
        role: user.role,
        csrf: session.csrf,
        token_hash: session.token_hash,
    };
    if !access.may(needed) {
        return Err(layout::refused(
            StatusCode::FORBIDDEN,
            Some((&access, needed)),
        ));
    }
    Ok(access)
}

/// 503 when the database does not answer: the page cannot be built, and saying
/// so beats an empty page that looks like "no hand-offs".
pub(crate) fn unavailable(error: &StoreError) -> Response {
    tracing::error!(%error, "a dashboard page could not read the database");
    (
        StatusCode::SERVICE_UNAVAILABLE,
        "The database does not answer; try again in a minute.\n",
    )
        .into_response()
}

/// The directory with every schedule override committed so far (see
/// `Engine::fresh_directory`), for pages that show who is on duty; else the 503
/// page.
pub(crate) async fn fresh_directory(
    state: &AppState,
) -> Result<Arc<handoff_dispatcher::Directory>, Response> {
    state
        .inbound
        .engine()
        .fresh_directory()
        .await
        .map_err(|error| unavailable(&error))
}

/// Every route of the dashboard, merged into the server's router (the API's
/// routes are merged beside them, under their own limits).
pub(crate) fn routes() -> Router<AppState> {
    Router::new()
        .route("/login", get(login::page).post(login::submit))
        .route("/logout", post(login::logout))
        .route("/dashboard", get(now::page))
        .route("/dashboard/handoffs/{id}", get(timeline::page))
        .route("/dashboard/working", get(working::page))
        .route("/dashboard/coverage", get(coverage::page))
        .route("/dashboard/staffing", get(staffing::page))
        .route("/dashboard/review", get(review::page))
        .route("/dashboard/export/handoffs.csv", get(export::handoffs))
        .route("/dashboard/export/review.csv", get(export::review))
        .route(
            "/dashboard/overrides",
            get(overrides::page).post(overrides::add),
        )
        .route("/dashboard/overrides/{id}/remove", post(overrides::remove))
        .route("/calendar/{file}", get(export::calendar))
}

//! The web faces of the service beside the webhooks: the dashboard for project
//! managers, supervisors and the workgroup (login, pages, exports), and the JSON API
//! that agencies' dispatch systems call. Like every transport, they verify, parse,
//! render and deliver; what a request means is decided by the dispatcher.

pub mod api;

use axum::Router;

use crate::server::AppState;

/// Every route of the dashboard and the API, merged into the server's router.
pub(crate) fn routes() -> Router<AppState> {
    Router::new().merge(api::routes())
}

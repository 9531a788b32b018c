//! The JSON API for agencies whose dispatch (CAD) or mobile systems ask for
//! hand-offs on their officers' behalf: `POST /api/v1/handoffs`,
//! `GET /api/v1/handoffs/{id}` and `POST /api/v1/handoffs/{id}/cancel`, each
//! authorised by the agency's own bearer token (`auth`). A request becomes one
//! inbound message from the agency's system acting for the officer, decided by the
//! same conversation core as a text (`Engine::receive`), so the officer still gets
//! the usual texts; the API verifies, parses (`request`), and renders (`view`).
//! Every failure is JSON (`error`). `docs/openapi.json` describes it; a test holds
//! it to [`ENDPOINTS`].

mod auth;
mod error;
mod handlers;
mod request;
mod view;

use axum::Router;
use axum::extract::{DefaultBodyLimit, Request, State};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use axum::routing::{MethodRouter, any, get, post};

pub use auth::ApiAgencies;
use error::ApiError;

use crate::server::AppState;
use crate::server::guard::{self, Refusal};

/// Every endpoint of the API, as `(method, path)`: the router serves exactly
/// these, and `docs/openapi.json` must describe exactly these.
pub(crate) const ENDPOINTS: [(&str, &str); 3] = [
    ("POST", "/api/v1/handoffs"),
    ("GET", "/api/v1/handoffs/{id}"),
    ("POST", "/api/v1/handoffs/{id}/cancel"),
];

/// The handler of each of [`ENDPOINTS`], in the same order.
fn handlers() -> [MethodRouter<AppState>; 3] {
    [
        post(handlers::create),
        get(handlers::show),
        post(handlers::cancel),
    ]
}

/// The API's routes, to merge into the server's router. Any other path under
/// `/api`, or another method on one of these, is answered in JSON too.
pub(crate) fn routes() -> Router<AppState> {
    let mut router = Router::new();
    for ((method, path), handler) in ENDPOINTS.into_iter().zip(handlers()) {
        let refused = move || async move { ApiError::MethodNotAllowed(method).into_response() };
        router = router.route(path, handler.fallback(refused));
    }
    let unknown = || async { ApiError::NoSuchRoute.into_response() };
    router
        .route("/api", any(unknown))
        .route("/api/{*rest}", any(unknown))
        // The API's own limit, lower than the webhooks': see `request::MAX_BODY`.
        .layer(DefaultBodyLimit::max(request::MAX_BODY))
}

/// [`guard::within`] for the API: its own body limit, and refusals in JSON.
pub(crate) async fn guard(State(state): State<AppState>, request: Request, next: Next) -> Response {
    guard::within(&state.limits, request::MAX_BODY, refused, request, next).await
}

fn refused(refusal: Refusal) -> Response {
    match refusal {
        Refusal::TooLarge(most) => ApiError::BodyTooLarge(most),
        Refusal::TimedOut(timeout) => ApiError::RequestTimeout(timeout.as_secs()),
    }
    .into_response()
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::BTreeSet;

    /// `docs/openapi.json`, read as JSON.
    fn openapi() -> serde_json::Value {
        let path = concat!(env!("CARGO_MANIFEST_DIR"), "/../docs/openapi.json");
        let text = std::fs::read_to_string(path).unwrap_or_else(|e| panic!("{path}: {e}"));
        serde_json::from_str(&text).unwrap_or_else(|e| panic!("{path} is not JSON: {e}"))
    }

    #[test]
    fn the_openapi_file_describes_exactly_the_endpoints_served() {
        let doc = openapi();
        assert_eq!(doc["openapi"].as_str().map(|v| &v[..4]), Some("3.1."));
        let paths = doc["paths"]
            .as_object()
            .unwrap_or_else(|| panic!("no paths in the OpenAPI file"));
        let described: BTreeSet<(String, String)> = paths
            .iter()
            .flat_map(|(path, operations)| {
                let operations = operations
                    .as_object()
                    .unwrap_or_else(|| panic!("{path}: not an object"));
                operations
                    .keys()
                    .filter(|key| {
                        ["get", "put", "post", "delete", "patch", "head", "options"]
                            .contains(&key.as_str())
                    })
                    .map(|method| (method.to_uppercase(), path.clone()))
                    .collect::<Vec<_>>()
            })
            .collect();
        let served: BTreeSet<(String, String)> = ENDPOINTS
            .iter()
            .map(|(method, path)| ((*method).to_owned(), (*path).to_owned()))
            .collect();
        assert_eq!(described, served);
    }

    #[test]
    fn every_operation_says_how_it_is_authorised_and_what_each_error_looks_like() {
        let doc = openapi();
        assert!(doc["components"]["securitySchemes"]["agencyToken"]["scheme"] == "bearer");
        assert!(doc["components"]["schemas"]["Error"].is_object());
        for (method, path) in ENDPOINTS {
            let operation = &doc["paths"][path][method.to_lowercase()];
            assert!(
                operation["responses"]["401"].is_object(),
                "{method} {path}: no 401"
            );
            let security = doc["security"]
                .as_array()
                .or(operation["security"].as_array());
            assert!(security.is_some(), "{method} {path}: no security");
        }
    }
}

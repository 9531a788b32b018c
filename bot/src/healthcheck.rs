//! `handoff healthcheck`: one GET of a running service's `/healthz`, answered by an
//! exit code. It is what a container's HEALTHCHECK runs, so the image needs no curl
//! (and none of curl's libraries) beside the binary.

use std::time::Duration;

use thiserror::Error;

/// Where `handoff healthcheck` asks by default: the port `handoff serve` listens on
/// by default, on the loopback of the container or machine it runs in.
pub(crate) const DEFAULT_URL: &str = "http://127.0.0.1:8080/healthz";

/// How much of an unhealthy answer's body is repeated when it is not the JSON of
/// our own `/healthz` (Docker keeps 4 KiB of a health check's output).
const BODY_SHOWN: usize = 1000;

/// Why the service is not healthy, or could not be asked.
#[derive(Debug, Error)]
pub(crate) enum Unhealthy {
    #[error("`{0}` is not an http:// or https:// URL")]
    NotHttp(String),
    #[error("cannot make an HTTP client: {0}")]
    Client(String),
    #[error("no answer from {url} within {seconds} s")]
    TimedOut { url: String, seconds: u64 },
    #[error("no answer from {url}: {reason}")]
    Unreachable { url: String, reason: String },
    #[error("{url} answered {status}: {body}")]
    Status {
        url: String,
        status: u16,
        body: String,
    },
}

/// Asks `url` once and returns the body of a `200`. Anything else is unhealthy:
/// another status (a `503` lists the problems), a redirect (a health endpoint that
/// redirects is not the one meant), no connection, or no whole answer within
/// `timeout`, which is kept below the container runtime's own so that the reason
/// is ours to give rather than a bare kill.
pub(crate) async fn probe(url: &str, timeout: Duration) -> Result<String, Unhealthy> {
    let target = url.trim();
    if !(target.starts_with("http://") || target.starts_with("https://")) {
        return Err(Unhealthy::NotHttp(target.to_owned()));
    }
    let client = reqwest::Client::builder()
        .timeout(timeout)
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .map_err(|e| Unhealthy::Client(e.to_string()))?;
    let failed = |error: reqwest::Error| {
        if error.is_timeout() {
            Unhealthy::TimedOut {
                url: target.to_owned(),
                seconds: timeout.as_secs(),
            }
        } else {
            Unhealthy::Unreachable {
                url: target.to_owned(),
                reason: error_chain(&error),
            }
        }
    };
    let response = client.get(target).send().await.map_err(failed)?;
    let status = response.status();
    let body = response.text().await.map_err(failed)?;
    if status == reqwest::StatusCode::OK {
        Ok(body)
    } else {
        Err(Unhealthy::Status {
            url: target.to_owned(),
            status: status.as_u16(),
            body: problems(&body).unwrap_or_else(|| shortened(body.trim())),
        })
    }
}

/// reqwest's own message says only "error sending request"; the cause (connection
/// refused, DNS) is further down the chain.
fn error_chain(error: &reqwest::Error) -> String {
    let mut text = error.to_string();
    let mut source = std::error::Error::source(error);
    while let Some(cause) = source {
        text.push_str(": ");
        text.push_str(&cause.to_string());
        source = cause.source();
    }
    text
}

/// The `problems` of `/healthz`'s JSON, joined: what an operator reading
/// `docker inspect` needs, rather than every loop's state.
fn problems(body: &str) -> Option<String> {
    let json: serde_json::Value = serde_json::from_str(body).ok()?;
    let listed: Vec<&str> = json
        .get("problems")?
        .as_array()?
        .iter()
        .filter_map(serde_json::Value::as_str)
        .collect();
    (!listed.is_empty()).then(|| listed.join("; "))
}

fn shortened(body: &str) -> String {
    match body.char_indices().nth(BODY_SHOWN) {
        Some((cut, _)) => format!("{}...", &body[..cut]),
        None => body.to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use axum::Router;
    use axum::http::StatusCode;
    use axum::response::Redirect;
    use axum::routing::get;

    /// Serves `app` on a free loopback port and returns its base URL.
    async fn serving(app: Router) -> String {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
            .await
            .unwrap_or_else(|e| panic!("{e}"));
        let addr = listener.local_addr().unwrap_or_else(|e| panic!("{e}"));
        tokio::spawn(async move { axum::serve(listener, app).await });
        format!("http://{addr}")
    }

    const SECOND: Duration = Duration::from_secs(1);

    #[tokio::test]
    async fn a_200_is_healthy_and_its_body_is_returned() {
        let base =
            serving(Router::new().route("/healthz", get(|| async { "{\"status\":\"ok\"}" }))).await;
        let body = probe(&format!("{base}/healthz"), SECOND)
            .await
            .unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(body, "{\"status\":\"ok\"}");
    }

    #[tokio::test]
    async fn a_503_is_unhealthy_and_the_error_repeats_the_problems() {
        let app = Router::new().route(
            "/healthz",
            get(|| async { (StatusCode::SERVICE_UNAVAILABLE, "timer loop stalled") }),
        );
        let base = serving(app).await;
        let error = probe(&format!("{base}/healthz"), SECOND)
            .await
            .err()
            .unwrap_or_else(|| panic!("a 503 passed"));
        assert!(matches!(error, Unhealthy::Status { status: 503, .. }));
        assert!(error.to_string().contains("timer loop stalled"), "{error}");
    }

    #[tokio::test]
    async fn a_503_of_healthz_is_reported_by_its_problems_alone() {
        let body = r#"{"loops":{"timers":{"running":true}},"problems":["a timer is overdue by 90 s","the Matrix homeserver has not answered"],"status":"unhealthy"}"#;
        let app = Router::new().route(
            "/healthz",
            get(move || async move { (StatusCode::SERVICE_UNAVAILABLE, body) }),
        );
        let base = serving(app).await;
        let error = probe(&format!("{base}/healthz"), SECOND).await.err();
        let Some(Unhealthy::Status { body, .. }) = error else {
            panic!("{error:?}")
        };
        assert_eq!(
            body,
            "a timer is overdue by 90 s; the Matrix homeserver has not answered"
        );
    }

    #[tokio::test]
    async fn a_redirect_is_not_followed_and_counts_as_unhealthy() {
        let app = Router::new()
            .route("/healthz", get(|| async { Redirect::temporary("/login") }))
            .route("/login", get(|| async { "a login page" }));
        let base = serving(app).await;
        let error = probe(&format!("{base}/healthz"), SECOND).await.err();
        assert!(
            matches!(error, Some(Unhealthy::Status { status: 307, .. })),
            "{error:?}"
        );
    }

    #[tokio::test]
    async fn nothing_listening_is_unhealthy_and_says_why() {
        let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap_or_else(|e| panic!("{e}"));
        let addr = listener.local_addr().unwrap_or_else(|e| panic!("{e}"));
        drop(listener);
        let error = probe(&format!("http://{addr}/healthz"), SECOND)
            .await
            .err()
            .unwrap_or_else(|| panic!("a closed port passed"));
        assert!(matches!(error, Unhealthy::Unreachable { .. }), "{error}");
        assert!(
            error.to_string().to_lowercase().contains("refused"),
            "{error}"
        );
    }

    #[tokio::test]
    async fn a_service_that_never_answers_times_out() {
        // Accepts the connection and then says nothing.
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
            .await
            .unwrap_or_else(|e| panic!("{e}"));
        let addr = listener.local_addr().unwrap_or_else(|e| panic!("{e}"));
        tokio::spawn(async move {
            let mut held = Vec::new();
            while let Ok((socket, _)) = listener.accept().await {
                held.push(socket);
            }
        });
        let started = std::time::Instant::now();
        let error = probe(&format!("http://{addr}/healthz"), SECOND).await.err();
        assert!(
            matches!(error, Some(Unhealthy::TimedOut { seconds: 1, .. })),
            "{error:?}"
        );
        assert!(started.elapsed() < Duration::from_secs(5));
    }

    #[tokio::test]
    async fn a_url_without_a_scheme_is_refused_before_asking() {
        let error = probe("127.0.0.1:8080/healthz", SECOND).await.err();
        assert!(matches!(error, Some(Unhealthy::NotHttp(_))), "{error:?}");
    }

    #[test]
    fn a_long_body_is_cut_on_a_character_boundary() {
        let body = "é".repeat(BODY_SHOWN + 10);
        let shown = shortened(&body);
        assert!(shown.ends_with("..."));
        assert_eq!(shown.chars().count(), BODY_SHOWN + 3);
    }
}

//! The listening socket: accepts connections and serves HTTP/1.1 on each with the
//! limits no handler can enforce, because they apply before a request exists:
//! the size and number of header lines, and how long a client may take to send
//! them (which also closes a connection left idle). Shutdown stops accepting,
//! lets requests in flight finish, and closes idle connections.
//!
//! HTTP/1.1 only: the provider, the dashboard's browsers and the agencies' systems
//! all speak it, and a proxy in front (for TLS) speaks it to us; HTTP/2 would add
//! a second set of limits to keep in step for no one.

use std::future::Future;
use std::time::Duration;

use axum::Router;
use axum::body::Body;
use axum::extract::ConnectInfo;
use hyper::body::Incoming;
use hyper::server::conn::http1;
use hyper::service::service_fn;
use hyper_util::rt::{TokioIo, TokioTimer};
use tokio::net::TcpListener;
use tokio::sync::watch;
use tokio::task::JoinSet;
use tower::Service;

/// Header lines a request may have: the provider sends about fifteen, a browser
/// twenty, a proxy adds a few.
pub const MAX_HEADERS: usize = 64;

/// The most bytes of a request line and its headers: the provider's are under
/// 2 KiB, a browser's under 8 KiB.
pub const MAX_HEADER_BYTES: usize = 32 * 1024;

/// How long to wait before accepting again after the system refused a connection
/// (out of file descriptors, say): retrying at once would spin.
const ACCEPT_PAUSE: Duration = Duration::from_millis(100);

/// Serves `app` on `listener` until `shutdown` resolves, then waits for the
/// connections to finish their requests. Clients get `client_timeout` to send a
/// request's headers.
pub async fn serve(
    listener: TcpListener,
    app: Router,
    client_timeout: Duration,
    shutdown: impl Future<Output = ()>,
) {
    let mut builder = http1::Builder::new();
    builder
        .timer(TokioTimer::new())
        .header_read_timeout(client_timeout)
        .max_headers(MAX_HEADERS)
        .max_header_size(MAX_HEADER_BYTES);
    let (closing, closed) = watch::channel(false);
    let mut connections = JoinSet::new();
    tokio::pin!(shutdown);
    loop {
        let accepted = tokio::select! {
            () = &mut shutdown => break,
            accepted = listener.accept() => accepted,
        };
        // Reap the connections that are done, so the set holds only live ones.
        while connections.try_join_next().is_some() {}
        let (stream, peer) = match accepted {
            Ok(accepted) => accepted,
            Err(error) => {
                tracing::warn!(%error, "accepting a connection failed");
                tokio::time::sleep(ACCEPT_PAUSE).await;
                continue;
            }
        };
        // Answers are small and wanted at once: no waiting to fill a segment.
        let _ = stream.set_nodelay(true);
        let app = app.clone();
        let service = service_fn(move |request: hyper::Request<Incoming>| {
            let mut request = request.map(Body::new);
            // The peer's address, for the limits kept per address.
            request.extensions_mut().insert(ConnectInfo(peer));
            app.clone().call(request)
        });
        let connection = builder.serve_connection(TokioIo::new(stream), service);
        let mut closed = closed.clone();
        connections.spawn(async move {
            tokio::pin!(connection);
            let mut draining = false;
            loop {
                tokio::select! {
                    served = connection.as_mut() => {
                        if let Err(error) = served {
                            tracing::debug!(%error, %peer, "connection ended with an error");
                        }
                        break;
                    }
                    changed = closed.wait_for(|closing| *closing), if !draining => {
                        // Finish the request in flight, take no more; an idle
                        // connection closes now. An error means the server is
                        // gone, which is also a reason to close.
                        let _ = changed;
                        draining = true;
                        connection.as_mut().graceful_shutdown();
                    }
                }
            }
        });
    }
    drop(listener);
    let _ = closing.send(true);
    while connections.join_next().await.is_some() {}
}

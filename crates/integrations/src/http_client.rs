//! The one HTTP client of the crate, for Lambda Invoke API endpoints and HTTP Tasks.
//!
//! hyper's connection pool spawns a task per connection on whatever tokio runtime is current
//! when the connection opens, so a client must only ever be used from one runtime, or a
//! connection can outlive the runtime that drives it. Every request of this crate runs on the
//! integrations' own runtime (see the crate docs), so one pooled client is shared by all.
//!
//! TLS is rustls with the *ring* provider (pure crates.io, builds offline). Root certificates
//! come from the operating system, so private CAs installed there work; when none can be
//! loaded, Mozilla's bundled roots are used instead. Loading them takes a moment, so the client
//! is built on first use, not when `Integrations::new` runs.

use std::error::Error as _;
use std::sync::Arc;
use std::time::Duration;

use bytes::Bytes;
use http_body_util::Full;
use hyper_rustls::{HttpsConnector, HttpsConnectorBuilder};
use hyper_util::client::legacy::connect::HttpConnector;
use hyper_util::rt::{TokioExecutor, TokioTimer};

use crate::http_task::guard::{AddressPolicy, GuardedConnector};

/// How long to wait for a TCP connection.
pub(crate) const CONNECT_TIMEOUT: Duration = Duration::from_secs(10);

/// The client for Lambda Invoke API endpoints: they come from the configuration, so any
/// address is allowed (they are often `127.0.0.1`).
pub(crate) type Client =
    hyper_util::client::legacy::Client<HttpsConnector<HttpConnector>, Full<Bytes>>;

/// The client for HTTP Tasks, whose URLs come from definitions: its connector checks every
/// address it connects to (see `http_task::guard`).
pub(crate) type GuardedClient =
    hyper_util::client::legacy::Client<HttpsConnector<GuardedConnector>, Full<Bytes>>;

/// Builds the client for configured endpoints. `Err` only if no TLS configuration at all can
/// be made.
pub(crate) fn build() -> Result<Client, String> {
    let mut http = HttpConnector::new();
    http.enforce_http(false);
    http.set_connect_timeout(Some(CONNECT_TIMEOUT));
    http.set_nodelay(true);
    build_with(http)
}

/// Builds the HTTP Task client, which connects only where `policy` allows.
pub(crate) fn build_guarded(policy: Arc<AddressPolicy>) -> Result<GuardedClient, String> {
    build_with(GuardedConnector::new(policy))
}

/// TLS and pooling around a TCP connector.
fn build_with<C>(
    tcp: C,
) -> Result<hyper_util::client::legacy::Client<HttpsConnector<C>, Full<Bytes>>, String>
where
    C: tower_service::Service<http::Uri> + Clone + Send + Sync + 'static,
    C::Response: hyper_util::client::legacy::connect::Connection
        + hyper::rt::Read
        + hyper::rt::Write
        + Send
        + Unpin
        + 'static,
    C::Future: Send + 'static,
    C::Error: Into<Box<dyn std::error::Error + Send + Sync>>,
{
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let builder =
        match HttpsConnectorBuilder::new().with_provider_and_native_roots(provider.clone()) {
            Ok(builder) => builder,
            Err(native) => {
                tracing::debug!(
                    "no system root certificates ({native}); using Mozilla's bundled roots"
                );
                HttpsConnectorBuilder::new()
                    .with_provider_and_webpki_roots(provider)
                    .map_err(|e| format!("could not set up TLS: {e}"))?
            }
        };
    let https = builder.https_or_http().enable_http1().wrap_connector(tcp);
    Ok(
        hyper_util::client::legacy::Client::builder(TokioExecutor::new())
            .pool_idle_timeout(Duration::from_secs(30))
            .pool_timer(TokioTimer::new())
            .build(https),
    )
}

/// An error and its sources as one line, without repeating a message its source repeats.
pub(crate) fn describe(error: &(dyn std::error::Error + 'static)) -> String {
    let mut parts: Vec<String> = vec![error.to_string()];
    let mut source = error.source();
    while let Some(e) = source {
        let text = e.to_string();
        if !parts.iter().any(|p| p.contains(&text)) {
            parts.push(text);
        }
        source = e.source();
    }
    parts.join(": ")
}

/// Whether an error of the client is a failure to connect (refused, unreachable, DNS, TLS).
pub(crate) fn is_connect_error(error: &hyper_util::client::legacy::Error) -> bool {
    error.is_connect()
        || error
            .source()
            .and_then(|s| s.downcast_ref::<std::io::Error>())
            .is_some()
}

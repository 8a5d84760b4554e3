//! What can go wrong talking to a Step Functions endpoint.

use std::time::Duration;

/// An error from [`crate::Client`].
///
/// AWS-shaped error responses become [`ClientError::Api`], so that callers (tests in
/// particular) can match on the error name AWS documents, e.g. `ExecutionDoesNotExist`.
#[derive(Debug, thiserror::Error)]
pub enum ClientError {
    /// The endpoint URL could not be used.
    #[error("invalid endpoint {url:?}: {reason}")]
    InvalidEndpoint {
        /// The URL as given.
        url: String,
        /// Why it was refused.
        reason: String,
    },
    /// An `https://` endpoint: this client speaks plain HTTP only, for now.
    #[error("endpoint {0:?} uses https, and TLS is not supported yet by switchback-client: use an http:// endpoint")]
    TlsNotSupported(String),
    /// The request could not be sent or its response not read (connection refused, reset, ...).
    #[error("{action}: HTTP transport error: {detail}")]
    Transport {
        /// The API action.
        action: String,
        /// The underlying error with its chain of causes (hyper's own message alone, e.g.
        /// `client error (Connect)`, does not say what happened).
        detail: String,
    },
    /// No response within the client's timeout.
    #[error("{action}: no response within {timeout:?}")]
    Timeout {
        /// The API action.
        action: String,
        /// The timeout in force.
        timeout: Duration,
    },
    /// An AWS-shaped error response: `{"__type": "...#Name", "message": "..."}`.
    #[error("{kind} (HTTP {status}): {message}")]
    Api {
        /// The error name, the part of `__type` after `#` (e.g. `ExecutionDoesNotExist`).
        kind: String,
        /// The error message (may be empty).
        message: String,
        /// The HTTP status code.
        status: u16,
    },
    /// An error status whose body is not an AWS error document.
    #[error("{action}: HTTP {status} with a body that is not an AWS error: {body}")]
    Status {
        /// The API action.
        action: String,
        /// The HTTP status code.
        status: u16,
        /// The body, as text (possibly cut).
        body: String,
    },
    /// A success response whose body is not the JSON expected.
    #[error("{action}: unexpected response: {reason}")]
    Decode {
        /// The API action.
        action: String,
        /// What was wrong with it.
        reason: String,
    },
}

impl ClientError {
    /// The AWS error name of an [`ClientError::Api`] error, `None` for any other error.
    pub fn api_kind(&self) -> Option<&str> {
        match self {
            ClientError::Api { kind, .. } => Some(kind),
            _ => None,
        }
    }
}

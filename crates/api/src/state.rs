//! What every handler shares: the store, the runtime and the configuration.

use std::sync::Arc;

use switchback_runtime::Runtime;
use switchback_store::Store;

use switchback_types::Identity;

use crate::hosts::HostPolicy;
use crate::sessions::Auth;

/// Settings of the API layer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ApiConfig {
    /// The region and account in every ARN this server makes.
    pub identity: Identity,
    /// The largest request body accepted, in bytes. AWS documents 1 MB per request; a larger
    /// body gets HTTP 413 (and the connection stays usable).
    pub max_request_bytes: usize,
    /// The most tags one resource may carry (AWS: 50).
    pub max_tags_per_resource: usize,
    /// The `Host` headers answered (see [`crate::hosts`]); by default the loopback names on
    /// any port, until the server sets its listening address.
    pub hosts: HostPolicy,
    /// The access keys of SigV4 authentication (see [`crate::sigv4`]) and the console's
    /// sessions signed in with them (see [`crate::sessions`]); `None` (the default): any
    /// request is accepted, signed or not.
    pub auth: Option<Arc<Auth>>,
}

impl Default for ApiConfig {
    fn default() -> Self {
        ApiConfig {
            identity: Identity::default(),
            max_request_bytes: 1024 * 1024,
            max_tags_per_resource: 50,
            hosts: HostPolicy::default(),
            auth: None,
        }
    }
}

/// The state of the router: cheap to clone (everything inside is shared).
#[derive(Clone)]
pub struct AppState {
    /// Durable storage.
    pub store: Store,
    /// The execution service.
    pub runtime: Runtime,
    /// Settings.
    pub config: Arc<ApiConfig>,
}

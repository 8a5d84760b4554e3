//! What every handler shares: the store, the runtime and the configuration.

use std::sync::Arc;

use switchback_runtime::Runtime;
use switchback_store::Store;

use crate::arn::ArnBuilder;
use crate::hosts::HostPolicy;
use crate::sessions::Auth;

/// Settings of the API layer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ApiConfig {
    /// The region in every ARN this server makes, e.g. `us-east-1`.
    pub region: String,
    /// The account id in every ARN this server makes.
    pub account_id: String,
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
            region: "us-east-1".to_string(),
            account_id: "123456789012".to_string(),
            max_request_bytes: 1024 * 1024,
            max_tags_per_resource: 50,
            hosts: HostPolicy::default(),
            auth: None,
        }
    }
}

impl ApiConfig {
    /// The ARN builder of this region and account.
    pub fn arns(&self) -> ArnBuilder<'_> {
        ArnBuilder {
            region: &self.region,
            account: &self.account_id,
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

//! Starts the real router on an ephemeral 127.0.0.1 port, over an in-memory store.

#![allow(dead_code)]

use std::net::SocketAddr;
use std::sync::Arc;

use switchback_api::{router, ApiConfig, AppState};
use switchback_runtime::{Runtime, RuntimeConfig};
use switchback_store::{Store, StoreConfig};

/// A running server and the state behind it (tests poke the store directly for setups the
/// API cannot make yet, such as a running execution).
pub struct Server {
    pub addr: SocketAddr,
    pub state: AppState,
}

/// Starts a server with the default configuration.
pub async fn start() -> Server {
    start_with(ApiConfig::default()).await
}

/// Starts a server with `config`.
pub async fn start_with(config: ApiConfig) -> Server {
    let store = Store::open(StoreConfig::in_memory()).expect("open an in-memory store");
    let runtime =
        Runtime::start(store.clone(), RuntimeConfig::default()).expect("start the runtime");
    let state = AppState {
        store,
        runtime,
        config: Arc::new(config),
    };
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind an ephemeral port");
    let addr = listener.local_addr().expect("local address");
    let app = router(state.clone());
    tokio::spawn(async move {
        let _ = axum::serve(listener, app).await;
    });
    Server { addr, state }
}

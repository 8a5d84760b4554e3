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
/// The server's `Host` check knows its address, as in `switchback serve`.
pub async fn start_with(mut config: ApiConfig) -> Server {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind an ephemeral port");
    let addr = listener.local_addr().expect("local address");
    config.hosts.listen = Some(addr);
    let store = Store::open(StoreConfig::in_memory()).expect("open an in-memory store");
    let runtime =
        Runtime::start(store.clone(), RuntimeConfig::default()).expect("start the runtime");
    let state = AppState {
        store,
        runtime,
        config: Arc::new(config),
    };
    let app = router(state.clone());
    tokio::spawn(async move {
        let _ = axum::serve(listener, app).await;
    });
    Server { addr, state }
}

/// How to start a server for tests that need more than the defaults.
#[derive(Default)]
pub struct Options {
    /// A durable store in this directory (so a test can stop the server and start another
    /// on the same data), instead of a throw-away one.
    pub data_dir: Option<std::path::PathBuf>,
    /// Integrations and mocks.
    pub services: switchback_runtime::Services,
    /// How long an idle execution stays in memory before it is parked.
    pub park_after: Option<std::time::Duration>,
}

/// A server started with [`start_options`], which a test can stop.
pub struct Stoppable {
    pub server: Server,
    serving: tokio::task::JoinHandle<()>,
}

impl Stoppable {
    /// Stops serving, stops the runtime (what it committed stays) and closes the store.
    pub async fn stop(self) {
        self.serving.abort();
        let _ = self.serving.await;
        let runtime = self.server.state.runtime.clone();
        tokio::task::spawn_blocking(move || runtime.shutdown())
            .await
            .expect("shut the runtime down");
        self.server.state.store.close().await;
    }
}

/// Starts a server with `options`.
pub async fn start_options(options: Options) -> Stoppable {
    let store_config = match &options.data_dir {
        Some(dir) => StoreConfig::on_disk(dir),
        None => StoreConfig::in_memory(),
    };
    let store = Store::open(store_config).expect("open the store");
    let mut runtime_config = RuntimeConfig::default();
    if let Some(p) = options.park_after {
        runtime_config.park_after = p;
    }
    let runtime = Runtime::start_with(store.clone(), runtime_config, options.services)
        .expect("start the runtime");
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind an ephemeral port");
    let addr = listener.local_addr().expect("local address");
    let mut config = ApiConfig::default();
    config.hosts.listen = Some(addr);
    let state = AppState {
        store,
        runtime,
        config: Arc::new(config),
    };
    let app = router(state.clone());
    let serving = tokio::spawn(async move {
        let _ = axum::serve(listener, app).await;
    });
    Stoppable {
        server: Server { addr, state },
        serving,
    }
}

//! Retention: closed executions are deleted, with their histories, once they are older than
//! the configured retention (AWS keeps them 90 days).

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use switchback_store::{executions, Store};

/// How often the sweep runs.
const EVERY: Duration = Duration::from_secs(3600);

/// Starts the sweeper thread; it ends soon after `stopping` is set.
pub fn spawn(
    store: Store,
    retention: Duration,
    stopping: Arc<AtomicBool>,
) -> std::io::Result<std::thread::JoinHandle<()>> {
    std::thread::Builder::new()
        .name("switchback-retention".into())
        .spawn(move || {
            let mut next = Instant::now();
            while !stopping.load(Ordering::Acquire) {
                if Instant::now() >= next {
                    sweep(&store, retention);
                    next = Instant::now() + EVERY;
                }
                std::thread::sleep(Duration::from_millis(250));
            }
        })
}

/// Deletes what is past retention now.
pub fn sweep(store: &Store, retention: Duration) {
    let before =
        switchback_store::now_micros() - i64::try_from(retention.as_micros()).unwrap_or(i64::MAX);
    match store.write_blocking(move |tx| executions::delete_closed_before(tx, before)) {
        Ok(0) => {}
        Ok(n) => tracing::info!(executions = n, "deleted executions past their retention"),
        Err(e) => tracing::warn!(error = %e, "could not delete executions past their retention"),
    }
}

//! How the runtime runs executions: limits, workers, when to park, how long to keep history.

use std::time::Duration;

use switchback_engine::{Clock, Limits};
use switchback_types::Identity;

/// Settings of a [`Runtime`](crate::Runtime).
#[derive(Debug, Clone)]
pub struct RuntimeConfig {
    /// The region and account of execution ARNs and `$$.Execution.Id`.
    pub identity: Identity,
    /// Payload and history limits (AWS's by default).
    pub limits: Limits,
    /// Threads that run executions. Each runs its executions on one thread (the interpreter
    /// is single-threaded), and executions are spread across them by id.
    pub workers: usize,
    /// A Standard execution whose every strand waits for longer than this is taken out of
    /// memory and woken from the store when its time comes.
    pub park_after: Duration,
    /// How long closed executions are kept (AWS: 90 days).
    pub retention: Duration,
    /// The clock executions read: the real time, unless a test pins it.
    pub clock: Clock,
}

impl Default for RuntimeConfig {
    fn default() -> Self {
        RuntimeConfig {
            identity: Identity::default(),
            limits: Limits::default(),
            workers: std::thread::available_parallelism().map_or(2, |n| n.get()),
            park_after: Duration::from_secs(2),
            retention: Duration::from_secs(90 * 24 * 3600),
            clock: Clock::system(),
        }
    }
}

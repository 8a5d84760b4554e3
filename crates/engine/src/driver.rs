//! What an execution needs from the world: a clock, timers, randomness and tasks.
//!
//! The interpreter never reads a clock or a random source itself. A driver supplies them, so a
//! one-shot run can fast-forward its Wait states on a virtual clock, a test can fix every random
//! number, and a server can persist each event before it acts.

use std::future::Future;
use std::pin::Pin;

use jiff::Timestamp;

use crate::task::{TaskOutcome, TaskRequest};

/// A boxed future borrowed from its driver.
pub type DriverFuture<'a, T> = Pin<Box<dyn Future<Output = T> + 'a>>;

/// The interpreter's window on the world.
pub trait Driver {
    /// The current time.
    fn now(&self) -> Timestamp;
    /// Completes at `deadline` (at once if it has passed).
    fn sleep_until(&self, deadline: Timestamp) -> DriverFuture<'_, ()>;
    /// 64 random bits.
    fn random_u64(&self) -> u64;
    /// Runs a task and reports how it ended.
    fn invoke(&self, request: TaskRequest) -> DriverFuture<'_, TaskOutcome>;
    /// A point where a durable execution may commit what it recorded, though it does not
    /// wait on anything: a map run calls it as each child ends, so that children that never
    /// wait (Pass states only) are not all held in memory until the map run ends.
    fn checkpoint(&self) -> DriverFuture<'_, ()> {
        Box::pin(std::future::ready(()))
    }
}

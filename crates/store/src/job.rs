//! A write job: the caller's closure, type-erased so jobs of any result type share one queue,
//! plus the way its result goes back to the caller.

use std::panic::{catch_unwind, AssertUnwindSafe};
use std::path::Path;

use rusqlite::Transaction;
use tokio::sync::oneshot;

use crate::db::Tx;
use crate::error::panic_message;
use crate::StoreError;

/// Where a job's result goes: an awaiting task or a blocked thread.
pub(crate) enum Reply<R> {
    /// `Store::write`.
    Async(oneshot::Sender<Result<R, StoreError>>),
    /// `Store::write_blocking`: a std channel, so waiting never panics inside a runtime.
    Blocking(std::sync::mpsc::SyncSender<Result<R, StoreError>>),
}

impl<R> Reply<R> {
    /// Sends the result; a caller that stopped waiting is not an error.
    fn send(self, result: Result<R, StoreError>) {
        match self {
            Reply::Async(sender) => {
                let _ = sender.send(result);
            }
            Reply::Blocking(sender) => {
                let _ = sender.send(result);
            }
        }
    }
}

/// One queued write, as the writer thread sees it.
pub(crate) trait Job: Send {
    /// Runs the closure inside the batch transaction; true when it succeeded and its changes
    /// should stay. A panic counts as a failure: the writer thread must survive its jobs. An
    /// SQLite failure for lack of space becomes [`StoreError::Full`] naming `dir`.
    fn run(&mut self, tx: &Transaction<'_>, dir: &Path) -> bool;

    /// True when the job ran and failed for lack of space.
    fn failed_for_space(&self) -> bool;

    /// Delivers the outcome once the batch is settled. `batch_error` is set when the batch
    /// did not commit; a job's own error wins over it because it says more.
    fn finish(self: Box<Self>, batch_error: Option<StoreError>);
}

/// A job with its result type known.
struct TypedJob<R, F> {
    work: Option<F>,
    outcome: Option<Result<R, StoreError>>,
    reply: Reply<R>,
}

/// Boxes a caller's closure as a [`Job`].
pub(crate) fn boxed<R, F>(work: F, reply: Reply<R>) -> Box<dyn Job>
where
    F: FnOnce(&Tx<'_>) -> Result<R, StoreError> + Send + 'static,
    R: Send + 'static,
{
    Box::new(TypedJob {
        work: Some(work),
        outcome: None,
        reply,
    })
}

impl<R, F> Job for TypedJob<R, F>
where
    F: FnOnce(&Tx<'_>) -> Result<R, StoreError> + Send + 'static,
    R: Send + 'static,
{
    fn run(&mut self, tx: &Transaction<'_>, dir: &Path) -> bool {
        let Some(work) = self.work.take() else {
            return false;
        };
        let outcome = catch_unwind(AssertUnwindSafe(|| work(&Tx::new(tx)))).unwrap_or_else(|payload| {
            let message = panic_message(payload.as_ref());
            tracing::error!(%message, "a store write job panicked; its changes are rolled back");
            Err(StoreError::Panicked(message))
        });
        // Classified here, right after the failure, while the connection's last system error
        // is still the one behind it.
        let outcome = outcome.map_err(|e| e.classify(tx, dir));
        let ok = outcome.is_ok();
        self.outcome = Some(outcome);
        ok
    }

    fn failed_for_space(&self) -> bool {
        matches!(&self.outcome, Some(Err(e)) if e.is_full())
    }

    fn finish(self: Box<Self>, batch_error: Option<StoreError>) {
        let TypedJob { outcome, reply, .. } = *self;
        let result = match (outcome, batch_error) {
            (Some(Err(own)), _) => Err(own),
            (_, Some(batch)) => Err(batch),
            (Some(Ok(value)), None) => Ok(value),
            // Never ran and nothing failed: only reachable if the writer is misused.
            (None, None) => Err(StoreError::Closed),
        };
        reply.send(result);
    }
}

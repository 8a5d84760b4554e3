//! The journal: where a durable execution's events go, and where a resumed execution finds the
//! events of its earlier run.
//!
//! A Standard execution is resumed by running it again from its start with its journal
//! attached. Each event the interpreter produces is first looked up by its [`Place`]: when the
//! earlier run recorded it, it is not recorded again, and its id and timestamp are taken from
//! the record, so the run continues exactly where the journal ends. A task whose result was
//! recorded is not dispatched again; one that was scheduled but has no recorded result is
//! dispatched again, with the same idempotency key.

use jiff::Timestamp;

use crate::history::Event;
pub use crate::lane::Place;
use crate::task::TaskOutcome;

/// An event of an earlier run, as the interpreter needs it to go on.
#[derive(Debug, Clone)]
pub struct Recorded {
    /// The event's id in the history.
    pub id: u64,
    /// When the earlier run recorded it.
    pub timestamp: Timestamp,
    /// For the events that end a task (`TaskSucceeded`, `LambdaFunctionFailed`, ...): how it
    /// ended.
    pub task_outcome: Option<TaskOutcome>,
}

/// Durable storage of one execution's events.
pub trait Journal {
    /// The event the earlier run recorded at `place`, if any.
    fn recorded(&self, place: Place) -> Option<Recorded>;
    /// A new event, to be made durable before the execution acts on it.
    fn append(&self, event: &Event, place: Place);
}

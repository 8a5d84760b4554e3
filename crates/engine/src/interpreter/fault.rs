//! Failures on their way up: [`Fault`], and how the interpreter words and records them.

use switchback_asl::errors as names;
use switchback_asl::Failure;

use super::{Frame, Interpreter, StateRun};
use crate::history::EventKind;

/// A failure on its way up: AWS's error and cause, and where a JSONata failure happened.
#[derive(Debug, Clone)]
pub struct Fault {
    /// The error name (`States.TaskFailed`, or a task's own), what Retry and Catch match.
    pub error: String,
    /// The human-readable cause.
    pub cause: String,
    /// For JSONata failures: the field that failed (`Output/FunctionResult`).
    pub location: Option<String>,
    /// Reported as a task's result (its failure event is in the history), rather than raised
    /// by the state itself: `States.ALL` then catches even `States.DataLimitExceeded`.
    pub from_task: bool,
}

impl Fault {
    /// A failure with no location.
    pub(super) fn new(error: impl Into<String>, cause: impl Into<String>) -> Fault {
        Fault {
            error: error.into(),
            cause: cause.into(),
            location: None,
            from_task: false,
        }
    }

    /// A failure a task reported.
    pub(super) fn of_task(error: impl Into<String>, cause: impl Into<String>) -> Fault {
        Fault {
            from_task: true,
            ..Fault::new(error, cause)
        }
    }
}

impl From<Failure> for Fault {
    fn from(f: Failure) -> Fault {
        Fault {
            error: f.error,
            cause: f.cause,
            location: f.location,
            from_task: false,
        }
    }
}

impl Interpreter<'_> {
    /// "An error occurred while executing the state 'X' (entered at the event id #N). "
    pub(super) fn engine_failure(&self, run: &StateRun<'_>, failure: Failure) -> Fault {
        Fault {
            cause: format!(
                "An error occurred while executing the state '{}' (entered at the event id #{}). {}",
                run.state.name, run.entered, failure.cause
            ),
            error: failure.error,
            location: failure.location,
            from_task: false,
        }
    }

    /// Records `EvaluationFailed` for a JSONata failure (AWS does, before the state fails).
    pub(super) fn evaluation_failed(
        &self,
        run: &StateRun<'_>,
        fault: &Fault,
        location: Option<&str>,
        frame: &Frame,
        detached: bool,
    ) -> u64 {
        let prev = if detached {
            run.entered_prev
        } else {
            frame.prev.get()
        };
        let id = self.emit(
            prev,
            EventKind::EvaluationFailed {
                error: fault.error.clone(),
                cause: fault.cause.clone(),
                location: location.map(str::to_string),
                state: run.state.name.clone(),
            },
        );
        frame.prev.set(id);
        id
    }

    /// How an execution that reached the history limit fails.
    pub(super) fn history_limit_fault(&self) -> Fault {
        Fault::new(
            names::RUNTIME,
            format!(
                "The execution reached the maximum number of history events ({}).",
                self.limits.max_history_events
            ),
        )
    }
}

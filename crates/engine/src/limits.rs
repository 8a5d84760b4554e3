//! Limits AWS enforces, with AWS's values as defaults. Each is configurable because users who
//! run their own engine may want more than AWS allows.
//!
//! Also a bound Switchback adds where AWS publishes none: the memory one JSONata or intrinsic
//! evaluation may take ([`Limits::max_evaluation_memory_bytes`]), so a hostile expression
//! fails its state instead of growing the server's memory.

/// Limits applied to one execution.
#[derive(Debug, Clone, Copy)]
pub struct Limits {
    /// Largest state input/output, in bytes of compact JSON (AWS: 256 KiB).
    pub max_payload_bytes: usize,
    /// Most events one execution's history may hold (AWS: 25,000).
    pub max_history_events: usize,
    /// Bytes of values one evaluation may build: one JSONata expression (`{% %}`) or one
    /// intrinsic call (`States.Format(...)` with its nested calls). The count is approximate
    /// (string bytes, a value's size per item or key; see `switchback_jsonata::Limits` and
    /// `switchback_intrinsics::Limits`). Past it the state fails: JSONata with
    /// `States.QueryEvaluationError` (cause `... threw an error during evaluation. U1004: The
    /// memory budget of N bytes for one evaluation was exceeded. ...`), an intrinsic with
    /// `States.Runtime` (cause `... The memory budget of N bytes for one evaluation was
    /// exceeded in States.X`). Default [`DEFAULT_MAX_EVALUATION_MEMORY_BYTES`].
    pub max_evaluation_memory_bytes: usize,
    /// Largest file a Distributed Map's `ResultWriter` writes; past it the results go on in
    /// the next file (`SUCCEEDED_1.json` ...). Default [`DEFAULT_MAX_RESULT_FILE_BYTES`].
    pub max_result_file_bytes: u64,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            max_payload_bytes: 256 * 1024,
            max_history_events: 25_000,
            max_evaluation_memory_bytes: DEFAULT_MAX_EVALUATION_MEMORY_BYTES,
            max_result_file_bytes: DEFAULT_MAX_RESULT_FILE_BYTES,
        }
    }
}

/// The default of [`Limits::max_result_file_bytes`]: 5 GiB, as AWS splits result files.
pub const DEFAULT_MAX_RESULT_FILE_BYTES: u64 = 5 * 1024 * 1024 * 1024;

/// The default of [`Limits::max_evaluation_memory_bytes`]: 64 MiB. AWS's payload limit is
/// 256 KiB, so a value far larger is of no use to a workflow.
pub const DEFAULT_MAX_EVALUATION_MEMORY_BYTES: usize = 64 * 1024 * 1024;

impl Limits {
    /// Makes the evaluators on this thread apply the evaluation limits. The payload templates
    /// that evaluate expressions (`switchback-asl`) take no limits of their own, so the
    /// interpreter calls this before each evaluation (when it builds the evaluation's
    /// environment).
    pub(crate) fn apply_to_evaluators(&self) {
        let bytes = self.max_evaluation_memory_bytes;
        switchback_jsonata::limits::set_thread_limits(switchback_jsonata::Limits {
            max_memory_bytes: bytes,
            ..switchback_jsonata::Limits::default()
        });
        switchback_intrinsics::limits::set_thread_limits(switchback_intrinsics::Limits {
            max_memory_bytes: bytes,
        });
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn evaluators_get_the_budget() {
        std::thread::spawn(|| {
            Limits::default().apply_to_evaluators();
            assert_eq!(
                switchback_jsonata::limits::thread_limits().max_memory_bytes,
                DEFAULT_MAX_EVALUATION_MEMORY_BYTES
            );
            assert_eq!(
                switchback_intrinsics::limits::thread_limits().max_memory_bytes,
                DEFAULT_MAX_EVALUATION_MEMORY_BYTES
            );
        })
        .join()
        .expect("thread");
    }
}

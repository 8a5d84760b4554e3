//! The run-time errors intrinsic functions raise.
//!
//! Real AWS reports every invalid argument (wrong type, wrong count, out of range) of every
//! intrinsic the same way: error `States.Runtime`, cause `Invalid arguments in States.X`, after
//! the engine's "An error occurred while executing the state ..." prefix. Third-party probes of
//! AWS (MathAdd, StringToJson, ArrayRange, ArrayPartition, MathRandom, ...) all show this shape.

use crate::EvalError;

/// The error name AWS gives failed intrinsic calls.
pub const INTRINSIC_RUNTIME_ERROR: &str = "States.Runtime";

/// The failure for any argument AWS refuses in function `name` (e.g. `States.MathAdd`).
pub(crate) fn invalid_args(name: &str) -> EvalError {
    EvalError {
        error: INTRINSIC_RUNTIME_ERROR.to_string(),
        cause: format!("Invalid arguments in {name}"),
    }
}

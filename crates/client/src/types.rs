//! The few API enums the convenience methods take or return.

pub use switchback_types::{ExecutionStatus, StateMachineType};

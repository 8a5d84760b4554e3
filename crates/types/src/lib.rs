//! The vocabulary at the bottom of Switchback: the words every layer shares.
//!
//! The store, the runtime, the API, the console and the client all speak of an execution's
//! status, a state machine's type, the type of a history event, ARNs and the account and region they live in. Each is a
//! type here, spelled once, so that a status cannot be misspelt in one layer and read
//! differently in another. This crate has no logic beyond parsing and printing these words.

pub mod arn;
pub mod event_type;
pub mod identity;
pub mod ids;
pub mod status;

pub use arn::{ActivityArn, ArnError, ExecutionArn, MapRunArn, Qualifier, StateMachineArn};
pub use event_type::{EventType, IterationPhase, StateEvent, StateType, UnknownEventType};
pub use identity::Identity;
pub use status::{ExecutionStatus, StateMachineType, UnknownWord};

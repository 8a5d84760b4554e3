//! The AWS Step Functions API (AWS JSON 1.0) over Switchback's store and runtime.
//!
//! [`router`] is the whole API as an axum router: `POST /` answers the actions named by
//! `X-Amz-Target: AWSStepFunctions.<Action>`, `GET /healthz` answers `ok`.
//!
//! Layout:
//! - [`protocol`]: the wire protocol (body limits, target header, JSON in and out);
//! - [`error`]: AWS-shaped errors; [`input`]: reading request members with AWS's checks;
//! - [`arn`], [`names`], [`paging`]: the rules every action shares;
//! - [`actions`]: one module per group of actions, and the dispatch table;
//! - [`start_target`]: what an execution of a machine, version or alias runs;
//! - [`hosts`]: the `Host` headers the server answers (DNS rebinding);
//! - [`sigv4`]: AWS Signature Version 4, checked when the server has access keys;
//! - [`sessions`]: the console's sign-in sessions and its cross-site checks.

pub mod actions;
pub mod arn;
pub mod child_start;
pub mod definition;
pub mod error;
pub mod hosts;
pub mod ids;
pub mod input;
pub mod map_child_definition;
pub mod names;
pub mod paging;
pub mod protocol;
pub mod sessions;
pub mod settings;
pub mod sigv4;
pub mod start_target;
pub mod state;
pub mod time;

pub use error::ApiError;
pub use protocol::router;
pub use start_target::{resolve_start_target, StartTarget};
pub use state::{ApiConfig, AppState};

//! A small AWS Step Functions API client: AWS JSON 1.0 over plain HTTP/1.1.
//!
//! Switchback's bench and its end-to-end tests drive a server through the same API that AWS's
//! SDKs speak, without pulling the whole AWS SDK (and its TLS and credential stacks) into the
//! binary. The client is deliberately generic: [`Client::call`] sends any action with any JSON
//! body, and a few convenience methods cover what the bench and the tests need.
//!
//! ```no_run
//! # async fn demo() -> Result<(), switchback_client::ClientError> {
//! use switchback_client::{Client, StateMachineType};
//! let client = Client::new("http://127.0.0.1:8083")?;
//! let arn = client
//!     .create_state_machine("hello", r#"{"StartAt":"P","States":{"P":{"Type":"Pass","End":true}}}"#,
//!         "arn:aws:iam::123456789012:role/any", StateMachineType::Standard)
//!     .await?;
//! let execution = client.start_execution(&arn, None, &serde_json::json!({})).await?;
//! # Ok(()) }
//! ```

mod actions;
mod auth;
mod client;
mod endpoint;
mod error;
mod input;
mod response;
mod types;
mod wait;

pub use client::Client;
pub use endpoint::Endpoint;
pub use error::ClientError;
pub use input::ExecutionInput;
pub use types::{ExecutionStatus, StateMachineType};
pub use wait::Poll;

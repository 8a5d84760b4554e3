//! Runs executions inside the server (see the crate description).
//!
//! Placeholder while the runtime is written: the API crate holds a [`Runtime`] in its state.

/// The execution service of a running server.
#[derive(Clone, Default)]
pub struct Runtime {}

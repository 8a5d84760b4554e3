//! Runs executions inside the server (see the crate description).

//! Executions.

//! `switchback test`: test files of cases for a state machine, run in this process on the
//! virtual clock, checked against their expectations.
//!
//! One file per concept:
//!
//! ```text
//! suite.rs     the test file's schema (YAML or JSON), read and checked against the definition
//! history.rs   what a run's history says: the states entered, their input and output, tasks
//! coverage.rs  which states, Choice branches, Catch and Retry rules a suite exercised
//! expect.rs    a case's expectations checked against its run, each miss with a diff
//! junit.rs     the report as JUnit XML, for CI systems
//! ```
//!
//! Why in the binary crate: it is the command's logic, built on the engine's public
//! `run_execution`; nothing else uses it.

pub mod coverage;
pub mod expect;
pub mod history;
pub mod junit;
pub mod suite;

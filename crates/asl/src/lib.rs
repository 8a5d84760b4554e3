//! The Amazon States Language: what a state machine *is*, independent of running it.
//!
//! Loading goes through small passes, each in its own place:
//! 1. text to JSON ([`load`]): a definition may be JSON or YAML;
//! 2. validation (`switchback-validate`): every fault at once, each with its path;
//! 3. building the model ([`build`]): states resolved to indexes, paths, intrinsic calls,
//!    JSONata expressions and Task resources ([`resource`]) parsed once, constant parts of
//!    payload templates folded.
//!
//! The model is then evaluated by the engine with an [`Env`] it supplies: the state's input,
//! the context object, the variables in scope, and a source of randomness. Nothing here does I/O
//! or reads a clock, so every rule is testable on its own.

pub mod build;
pub mod choice;
pub mod env;
pub mod errors;
pub mod load;
pub mod model;
pub mod resource;
pub mod template;
pub mod timestamp;

pub use env::{Env, Failure};
pub use load::{load_definition, LoadError};
pub use model::*;
pub use resource::{IntegrationPattern, Resource, ResourceKind};

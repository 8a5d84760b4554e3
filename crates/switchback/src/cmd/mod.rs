//! The subcommands, one file each.

pub mod bench;
pub mod input;
pub mod options;
pub mod run;
pub mod validate;

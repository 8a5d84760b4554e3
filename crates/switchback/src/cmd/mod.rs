//! The subcommands, one file each.

pub mod bench;
pub mod bench_endpoint;
pub mod config;
pub mod graph;
pub mod input;
pub mod leftovers;
pub mod mock;
pub mod options;
pub mod run;
pub mod serve;
pub mod tasks;
pub mod template;
pub mod test;
pub mod validate;

//! Integration tests of switchback-integrations: real processes, real HTTP servers on
//! 127.0.0.1, through the public API only. One test binary, to keep build and link times down.

mod aws;
mod command;
mod common;
mod config;
mod http_task;
mod invoke_api;
mod processes;
mod runtimes;

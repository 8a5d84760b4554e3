//! `switchback`: run AWS Step Functions state machines on your own machines.
//!
//! A thin binary over the library crates: each subcommand lives in its own file under `cmd/`.

mod cmd;
mod memory;
mod testing;

/// mimalloc: an execution allocates many small JSON values and frees them soon after, where
/// it is markedly faster than the system allocator (measured with `switchback bench`).
/// Wrapped in the JSONata meter: while a JSONata expression is evaluated, the heap it takes on
/// its thread is counted, and past the evaluation memory budget the expression fails
/// (`U1004`) instead of growing the process, even where the evaluator's own guards do not see
/// the value being built. Elsewhere it costs one thread-local read per allocation.
#[global_allocator]
static GLOBAL: switchback_jsonata::MeteredAlloc<mimalloc::MiMalloc> =
    switchback_jsonata::MeteredAlloc(mimalloc::MiMalloc);

use std::process::ExitCode;

use clap::{Parser, Subcommand};

/// Run AWS Step Functions state machines locally: faithful to AWS, fast, one binary.
#[derive(Parser)]
#[command(name = "switchback", version, about)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Run one execution of a definition in this process and print its output.
    Run(cmd::run::RunArgs),
    /// Check a definition and list every fault with its path.
    Validate(cmd::validate::ValidateArgs),
    /// Run the cases of test files (NAME.test.yaml beside the definition) and report each.
    Test(cmd::test::TestArgs),
    /// Mocks for tests: `mock init DEFINITION` writes a test file with a mock per Task state.
    Mock(cmd::mock::MockArgs),
    /// Draw a definition's workflow graph as SVG, Graphviz DOT or Mermaid.
    Graph(cmd::graph::GraphArgs),
    /// Measure executions/s and state transitions/s of a definition, in this process or through
    /// a Step Functions API endpoint (`--endpoint`).
    Bench(cmd::bench::BenchArgs),
    /// Serve the Step Functions API (AWS JSON 1.0) and the web console over HTTP, durable on
    /// embedded SQLite.
    Serve(cmd::serve::ServeArgs),
}

fn main() -> ExitCode {
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_env("SWITCHBACK_LOG")
                .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("warn")),
        )
        .with_writer(std::io::stderr)
        // A log line that cannot be written (stderr on a full disk) is dropped: the default
        // reports it with `eprintln!`, which panics when stderr itself fails.
        .log_internal_errors(false)
        .init();
    memory::prefer_small_pages();
    let cli = Cli::parse();
    let result = match cli.command {
        Command::Run(args) => cmd::run::run(args),
        Command::Validate(args) => cmd::validate::run(args),
        Command::Test(args) => cmd::test::run(args),
        Command::Mock(args) => cmd::mock::run(args),
        Command::Graph(args) => cmd::graph::run(args),
        Command::Bench(args) => cmd::bench::run(args),
        Command::Serve(args) => cmd::serve::run(args),
    };
    match result {
        Ok(code) => code,
        Err(e) => {
            eprintln!("error: {e:#}");
            ExitCode::from(2)
        }
    }
}

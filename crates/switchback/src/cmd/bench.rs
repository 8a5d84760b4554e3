//! `switchback bench`: executions/s and state transitions/s of a definition run in this
//! process, with the history kept, as `switchback run` runs it.

use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Instant;

use anyhow::{bail, Result};
use clap::Args;
use switchback_engine::history::IterationPhase;
use switchback_engine::{run_execution, EventKind, ExecutionStatus};

use super::input;
use super::options::{run_options, ExecutionFlags};

#[derive(Args)]
pub struct BenchArgs {
    /// The state machine definition (JSON or YAML).
    pub definition: PathBuf,
    /// The execution input as JSON text.
    #[arg(long)]
    pub input: Option<String>,
    /// A file holding the execution input.
    #[arg(long)]
    pub input_file: Option<PathBuf>,
    /// How many executions to run.
    #[arg(long, default_value_t = 1000)]
    pub executions: usize,
    /// How many executions run at once (each on its own thread).
    #[arg(long, default_value_t = 1)]
    pub concurrency: usize,
    #[command(flatten)]
    pub flags: ExecutionFlags,
    /// Print one JSON object instead of lines.
    #[arg(long)]
    pub json: bool,
    /// Drive this Step Functions API endpoint (http://host:port) instead of running in this
    /// process: create the state machine there, run the executions through the API, delete it.
    #[arg(long)]
    pub endpoint: Option<String>,
    /// The type of the state machine created on --endpoint.
    #[arg(
        long = "type",
        value_enum,
        default_value = "STANDARD",
        requires = "endpoint"
    )]
    pub machine_type: super::bench_endpoint::MachineType,
}

pub fn run(args: BenchArgs) -> Result<ExitCode> {
    if args.executions == 0 || args.concurrency == 0 {
        bail!("--executions and --concurrency must be at least 1");
    }
    if let Some(endpoint) = &args.endpoint {
        return super::bench_endpoint::run(&args, endpoint);
    }
    let machine = input::definition(&args.definition)?;
    // Read once and shared by every execution, as a caller running many executions of one
    // input would: the figures are the engine's, not the copying of the input.
    let input = input::execution_input(args.input.as_deref(), args.input_file.as_deref())?;
    // One warm-up execution, which also checks that the definition succeeds.
    let mocks = args.flags.mock_source()?;
    let warm = run_execution(&machine, input.clone(), run_options(&args.flags, &mocks));
    if warm.status != ExecutionStatus::Succeeded {
        bail!(
            "the execution does not succeed ({}: {}: {}); bench measures succeeding executions (Task states need --mock; long Maps may need --max-history-events)",
            warm.status.as_str(),
            warm.error.unwrap_or_default(),
            warm.cause.unwrap_or_default()
        );
    }
    let transitions_per_execution = warm
        .events
        .iter()
        .filter(|e| matches!(e.kind, EventKind::StateEntered { .. }))
        .count();
    let items_per_execution = warm
        .events
        .iter()
        .filter(|e| {
            matches!(
                e.kind,
                EventKind::MapIteration {
                    phase: IterationPhase::Started,
                    ..
                }
            )
        })
        .count();
    let events_per_execution = warm.events.len();
    // The warm-up's history is not kept through the timed runs: a figure of memory (a large
    // Map's, say) is then one execution's.
    drop(warm);
    let start = Instant::now();
    let per_thread = args.executions.div_ceil(args.concurrency);
    std::thread::scope(|s| {
        for t in 0..args.concurrency {
            let n = per_thread.min(args.executions.saturating_sub(t * per_thread));
            let (machine, input, flags, mocks) = (&machine, &input, &args.flags, &mocks);
            s.spawn(move || {
                for _ in 0..n {
                    let out = run_execution(machine, input.clone(), run_options(flags, mocks));
                    std::hint::black_box(out.events.len());
                }
            });
        }
    });
    let secs = start.elapsed().as_secs_f64();
    let executions_per_s = args.executions as f64 / secs;
    let transitions_per_s = executions_per_s * transitions_per_execution as f64;
    let items_per_s = executions_per_s * items_per_execution as f64;
    if args.json {
        println!(
            "{}",
            serde_json::json!({
                "executions": args.executions,
                "concurrency": args.concurrency,
                "seconds": secs,
                "executions_per_s": executions_per_s,
                "state_transitions_per_s": transitions_per_s,
                "map_items_per_s": items_per_s,
                "events_per_execution": events_per_execution,
            })
        );
    } else {
        println!("executions: {}", args.executions);
        println!("concurrency: {}", args.concurrency);
        println!("seconds: {secs:.3}");
        println!("executions/s: {executions_per_s:.0}");
        println!("state transitions/s: {transitions_per_s:.0}");
        if items_per_execution > 0 {
            println!("map items/s: {items_per_s:.0}");
        }
        println!("events per execution: {}", events_per_execution);
    }
    Ok(ExitCode::SUCCESS)
}

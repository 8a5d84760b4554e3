//! `switchback run`: one execution in this process, printed when it ends.

use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::{Context, Result};
use clap::Args;
use switchback_engine::mock::Mocks;
use switchback_engine::{run_execution, ExecutionStatus, Limits, RunOptions};

use super::input;

#[derive(Args)]
pub struct RunArgs {
    /// The state machine definition (JSON or YAML).
    pub definition: PathBuf,
    /// The execution input as JSON text (default `{}`).
    #[arg(long)]
    pub input: Option<String>,
    /// A file holding the execution input.
    #[arg(long)]
    pub input_file: Option<PathBuf>,
    /// Print one JSON object: status, output or error and cause, and the history events.
    #[arg(long)]
    pub json: bool,
    /// Mocked Task results: `{"State": [{"Return": ...}, {"Throw": {...}}]}` or AWS's
    /// local-emulator mock configuration.
    #[arg(long)]
    pub mock: Option<PathBuf>,
    /// The test case to use from an AWS-style mock configuration.
    #[arg(long)]
    pub test_case: Option<String>,
    /// Sleep through Wait states and retry back-offs in real time instead of skipping them.
    #[arg(long)]
    pub real_time: bool,
    /// Largest state input/output in bytes (AWS: 262144).
    #[arg(long, default_value_t = Limits::default().max_payload_bytes)]
    pub max_payload_bytes: usize,
    /// Most history events per execution (AWS: 25000).
    #[arg(long, default_value_t = Limits::default().max_history_events)]
    pub max_history_events: usize,
}

pub fn run(args: RunArgs) -> Result<ExitCode> {
    let machine = input::definition(&args.definition)?;
    let input = input::execution_input(args.input.as_deref(), args.input_file.as_deref())?;
    let mocks = match &args.mock {
        Some(p) => {
            let text = std::fs::read_to_string(p)
                .with_context(|| format!("cannot read mock file {}", p.display()))?;
            let doc: serde_json::Value = serde_json::from_str(&text)
                .with_context(|| format!("mock file {} is not valid JSON", p.display()))?;
            Mocks::from_json(&doc, args.test_case.as_deref())
                .map_err(|e| anyhow::anyhow!("{}: {e}", p.display()))?
        }
        None => Mocks::default(),
    };
    let name = args
        .definition
        .file_stem()
        .and_then(|s| s.to_str())
        .unwrap_or("StateMachine");
    let options = RunOptions {
        real_time: args.real_time,
        mocks,
        limits: Limits {
            max_payload_bytes: args.max_payload_bytes,
            max_history_events: args.max_history_events,
        },
        seed: seed(),
        state_machine_name: name.split('.').next().unwrap_or(name).to_string(),
        ..RunOptions::default()
    };
    let outcome = run_execution(&machine, input, options);
    if args.json {
        println!("{}", serde_json::to_string(&outcome.to_json())?);
    } else {
        match outcome.status {
            ExecutionStatus::Succeeded => {
                let out = outcome.output.as_deref().cloned().unwrap_or_default();
                println!("{}", serde_json::to_string_pretty(&out)?);
            }
            status => {
                eprintln!(
                    "{}: {}{}",
                    status.as_str(),
                    outcome.error.as_deref().unwrap_or("(no error)"),
                    outcome
                        .cause
                        .as_deref()
                        .map(|c| format!(": {c}"))
                        .unwrap_or_default()
                );
            }
        }
    }
    Ok(if outcome.status == ExecutionStatus::Succeeded {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(1)
    })
}

/// A seed for `$random`, `States.UUID` and jitter; `SWITCHBACK_SEED` fixes it for reproducible runs.
fn seed() -> u64 {
    if let Some(s) = std::env::var("SWITCHBACK_SEED")
        .ok()
        .and_then(|s| s.parse().ok())
    {
        return s;
    }
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_nanos() as u64)
        .unwrap_or(1)
}

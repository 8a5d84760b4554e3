//! `switchback run`: one execution in this process, printed when it ends.

use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::{bail, Result};
use clap::Args;
use switchback_engine::{run_execution, ExecutionStatus, RunOptions};

use super::input;
use super::options::{self, ExecutionFlags};
use super::tasks;

#[derive(Args)]
pub struct RunArgs {
    /// The state machine definition (JSON or YAML); or give --template and --resource.
    #[arg(required_unless_present = "template")]
    pub definition: Option<PathBuf>,
    #[command(flatten)]
    pub source: input::DefinitionSource,
    /// The execution input as JSON text (default `{}`).
    #[arg(long)]
    pub input: Option<String>,
    /// A file holding the execution input.
    #[arg(long)]
    pub input_file: Option<PathBuf>,
    /// Print one JSON object: status, output or error and cause, and the history events.
    #[arg(long)]
    pub json: bool,
    #[command(flatten)]
    pub flags: ExecutionFlags,
    /// Sleep through Wait states and retry back-offs in real time instead of skipping them.
    #[arg(long)]
    pub real_time: bool,
    /// Run as a STANDARD execution (the default) or an EXPRESS one: its ARN, and what its
    /// context and history show, as the server would give them.
    #[arg(long = "type", value_name = "STANDARD|EXPRESS", default_value = "STANDARD", value_parser = ["STANDARD", "EXPRESS"])]
    pub execution_type: String,
    /// The execution's name (`$$.Execution.Name`, and the last part of its ARN).
    #[arg(long, value_name = "NAME")]
    pub name: Option<String>,
    /// When the execution starts (`$$.Execution.StartTime`, and the clock Wait states count
    /// from), RFC 3339, e.g. 2025-01-01T00:00:00Z [default: now].
    #[arg(long, value_name = "TIME")]
    pub start_time: Option<String>,
    /// Configuration file whose `[functions.NAME]`, `[lambda]`, `[connections.NAME]` and
    /// `[http]` tables say what Task states call [default: ./switchback.toml when it exists].
    #[arg(long, value_name = "FILE")]
    pub config: Option<PathBuf>,
}

pub fn run(args: RunArgs) -> Result<ExitCode> {
    let (text, origin) = args.source.text(args.definition.as_deref())?;
    let machine = input::definition_text(&text, &origin)?;
    let input = input::execution_input(args.input.as_deref(), args.input_file.as_deref())?;
    let mocks = args.flags.mock_source()?;
    let config_file = tasks::run_config_file(args.config.as_deref());
    let config = match &config_file {
        Some(path) => tasks::read_integrations_config(path)?,
        None => Default::default(),
    };
    let integrations = tasks::integrations(config, config_file.as_deref())?;
    let name = match &args.source.resource {
        Some(resource) => resource.as_str(),
        None => origin
            .file_stem()
            .and_then(|s| s.to_str())
            .unwrap_or("StateMachine"),
    };
    let start_time = match &args.start_time {
        Some(t) => Some(t.parse::<jiff::Timestamp>().map_err(|e| {
            anyhow::anyhow!(
                "--start-time {t:?} is not an RFC 3339 time (e.g. 2025-01-01T00:00:00Z): {e}"
            )
        })?),
        None => None,
    };
    let defaults = options::run_options(&args.flags, &mocks);
    let options = RunOptions {
        real_time: args.real_time,
        express: args.execution_type == "EXPRESS",
        execution_name: args.name.clone().unwrap_or(defaults.execution_name.clone()),
        start_time: start_time.or(defaults.start_time),
        seed: seed()?,
        state_machine_name: name.split('.').next().unwrap_or(name).to_string(),
        tasks: Some(std::sync::Arc::new(integrations)),
        ..defaults
    };
    let outcome = run_execution(&machine, input, options);
    if args.json {
        println!("{}", serde_json::to_string(&outcome.to_json())?);
    } else {
        match outcome.status {
            ExecutionStatus::Succeeded => {
                let out = outcome.output.clone().unwrap_or_default();
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
fn seed() -> Result<u64> {
    match std::env::var("SWITCHBACK_SEED") {
        Ok(s) => match s.trim().parse() {
            Ok(n) => Ok(n),
            Err(_) => bail!("SWITCHBACK_SEED must be a whole number, got {s:?}"),
        },
        Err(_) => Ok(std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map(|d| d.as_nanos() as u64)
            .unwrap_or(1)),
    }
}

//! Flags shared by the commands that run executions (`run`, `bench`): mocks and limits.

use std::path::PathBuf;

use anyhow::{anyhow, bail, Context, Result};
use clap::Args;
use serde_json::Value;
use switchback_engine::mock::Mocks;
use switchback_engine::{Limits, RunOptions};

/// How executions run.
#[derive(Args)]
pub struct ExecutionFlags {
    /// Mocked Task results: `{"State": [{"Return": ...}, {"Throw": {...}}]}` or AWS's
    /// local-emulator mock configuration.
    #[arg(long)]
    pub mock: Option<PathBuf>,
    /// The test case to use from an AWS-style mock configuration.
    #[arg(long)]
    pub test_case: Option<String>,
    /// Largest state input/output in bytes (AWS: 262144).
    #[arg(long, default_value_t = Limits::default().max_payload_bytes)]
    pub max_payload_bytes: usize,
    /// Most history events per execution (AWS: 25000).
    #[arg(long, default_value_t = Limits::default().max_history_events)]
    pub max_history_events: usize,
    /// Bytes of values one JSONata expression or intrinsic call may build (64 MiB); past it
    /// the state fails (States.QueryEvaluationError, States.Runtime).
    #[arg(long, default_value_t = Limits::default().max_evaluation_memory_bytes)]
    pub max_evaluation_memory_bytes: usize,
}

/// The mock file's JSON, read once.
pub struct MockSource {
    doc: Option<Value>,
    test_case: Option<String>,
}

impl ExecutionFlags {
    /// Reads the mock file (if any) and checks it once, so that errors name the file.
    pub fn mock_source(&self) -> Result<MockSource> {
        let doc = match &self.mock {
            Some(p) => {
                let text = std::fs::read_to_string(p)
                    .with_context(|| format!("cannot read mock file {}", p.display()))?;
                let doc: Value = serde_json::from_str(&text)
                    .with_context(|| format!("mock file {} is not valid JSON", p.display()))?;
                Mocks::from_json(&doc, self.test_case.as_deref())
                    .map_err(|e| anyhow!("{}: {e}", p.display()))?;
                Some(doc)
            }
            None if self.test_case.is_some() => {
                bail!("--test-case needs a mock file (--mock FILE)")
            }
            None => None,
        };
        Ok(MockSource {
            doc,
            test_case: self.test_case.clone(),
        })
    }

    /// The limits from the flags.
    pub fn limits(&self) -> Limits {
        Limits {
            max_payload_bytes: self.max_payload_bytes,
            max_history_events: self.max_history_events,
            max_evaluation_memory_bytes: self.max_evaluation_memory_bytes,
            max_result_file_bytes: Limits::default().max_result_file_bytes,
        }
    }
}

impl MockSource {
    /// Fresh mocks for one execution (each counts its own invocations).
    pub fn mocks(&self) -> Mocks {
        match &self.doc {
            Some(doc) => Mocks::from_json(doc, self.test_case.as_deref()).unwrap_or_default(),
            None => Mocks::default(),
        }
    }
}

/// Options for one execution.
pub fn run_options(flags: &ExecutionFlags, mocks: &MockSource) -> RunOptions {
    RunOptions {
        mocks: mocks.mocks(),
        limits: flags.limits(),
        ..RunOptions::default()
    }
}

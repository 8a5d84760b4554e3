//! What Task states call, for `serve` and `run`: the integrations of the configuration file
//! (`[functions.NAME]`, `[lambda]`, `[connections.NAME]`, `[http]`) and AWS-style mock files.
//!
//! Both are checked when the command starts, so a bad file stops it with a message naming
//! the file and the field, not a failure at some later state.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use anyhow::{anyhow, bail, Context, Result};
use serde_json::Value;
use switchback_engine::mock::Mocks;
use switchback_integrations::{Integrations, IntegrationsConfig};
use switchback_runtime::MockConfig;

/// Builds the integrations from the configuration file's tables; relative paths resolve
/// against the file's directory (the working directory when there is no file).
pub fn integrations(config: IntegrationsConfig, file: Option<&Path>) -> Result<Integrations> {
    let base = file
        .and_then(Path::parent)
        .filter(|d| !d.as_os_str().is_empty())
        .map(Path::to_path_buf)
        .unwrap_or_else(|| PathBuf::from("."));
    let name = file.map_or_else(
        || super::config::DEFAULT_CONFIG_FILE.to_string(),
        |f| f.display().to_string(),
    );
    Integrations::new(config, base, name).map_err(|e| anyhow!("{e}"))
}

/// Reads the integration tables of a configuration file (other keys are ignored).
pub fn read_integrations_config(path: &Path) -> Result<IntegrationsConfig> {
    let text = std::fs::read_to_string(path)
        .with_context(|| format!("cannot read the configuration file {}", path.display()))?;
    toml::from_str(&text).map_err(|e| {
        anyhow!(
            "configuration file {}: {}",
            path.display(),
            e.to_string().trim_end()
        )
    })
}

/// The configuration file `run` reads: `--config FILE`, else `./switchback.toml` if present.
pub fn run_config_file(given: Option<&Path>) -> Option<PathBuf> {
    match given {
        Some(p) => Some(p.to_path_buf()),
        None => {
            let default = PathBuf::from(super::config::DEFAULT_CONFIG_FILE);
            default.exists().then_some(default)
        }
    }
}

/// Reads and checks an AWS mock configuration file (`--mock-config`, `SFN_MOCK_CONFIG`):
/// every test case of every state machine must name mocked responses that exist and parse.
pub fn mock_config(path: &Path) -> Result<MockConfig> {
    let text = std::fs::read_to_string(path)
        .with_context(|| format!("cannot read the mock configuration {}", path.display()))?;
    let document: Value = serde_json::from_str(&text)
        .with_context(|| format!("mock configuration {} is not valid JSON", path.display()))?;
    // The short form of `switchback run` and `test` ({STATE: responses}): every execution.
    if document.get("StateMachines").is_none() && document.get("MockedResponses").is_none() {
        Mocks::from_json(&document, None)
            .map_err(|e| anyhow!("mock configuration {}: {e}", path.display()))?;
        return Ok(MockConfig {
            document,
            source: path.display().to_string(),
        });
    }
    let Some(machines) = document.get("StateMachines").and_then(Value::as_object) else {
        bail!(
            "mock configuration {}: missing the 'StateMachines' object (AWS's format: \
             {{\"StateMachines\": {{NAME: {{\"TestCases\": {{CASE: {{STATE: MOCK}}}}}}}}, \
             \"MockedResponses\": {{MOCK: {{\"0\": {{\"Return\": ...}}}}}}}})",
            path.display()
        );
    };
    for (machine, m) in machines {
        let Some(cases) = m.get("TestCases").and_then(Value::as_object) else {
            bail!(
                "mock configuration {}: StateMachines.{machine}: missing the 'TestCases' object",
                path.display()
            );
        };
        for case in cases.keys() {
            Mocks::from_json(&document, Some(&format!("{machine}#{case}"))).map_err(|e| {
                anyhow!(
                    "mock configuration {}: StateMachines.{machine}.TestCases.{case}: {e}",
                    path.display()
                )
            })?;
        }
    }
    Ok(MockConfig {
        document,
        source: path.display().to_string(),
    })
}

/// The integrations as the runtime shares them.
pub fn shared(integrations: Integrations) -> switchback_runtime::SharedTaskHandler {
    Arc::new(integrations)
}

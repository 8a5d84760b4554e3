//! Reading definitions and inputs from files, with errors that say what to fix.

use std::path::Path;

use anyhow::{bail, Context, Result};
use switchback_asl::{load_definition, LoadError, StateMachine};
use switchback_json::Json;

/// Reads and loads a definition (JSON or YAML). Invalid definitions are reported with every
/// fault and its path.
pub fn definition(path: &Path) -> Result<StateMachine> {
    let text = std::fs::read_to_string(path)
        .with_context(|| format!("cannot read definition {}", path.display()))?;
    match load_definition(&text) {
        Ok(m) => Ok(m),
        Err(LoadError::Invalid(faults)) => {
            let mut msg = format!(
                "{} is not a valid state machine definition:",
                path.display()
            );
            for f in &faults {
                msg.push_str(&format!(
                    "\n  {}: {} ({})",
                    display_path(&f.path),
                    f.message,
                    f.code
                ));
            }
            msg.push_str(
                "\nRun `switchback validate FILE` to check a definition before running it.",
            );
            bail!(msg)
        }
        Err(e) => bail!("{}: {e}", path.display()),
    }
}

/// The path of a fault, `/` for the top level.
pub fn display_path(p: &str) -> &str {
    if p.is_empty() {
        "/"
    } else {
        p
    }
}

/// The execution input from `--input` or `--input-file` (`{}` when neither is given, as AWS).
pub fn execution_input(inline: Option<&str>, file: Option<&Path>) -> Result<Json> {
    let text = match (inline, file) {
        (Some(_), Some(_)) => bail!("give either --input or --input-file, not both"),
        (Some(s), None) => s.to_string(),
        (None, Some(p)) => std::fs::read_to_string(p)
            .with_context(|| format!("cannot read input {}", p.display()))?,
        (None, None) => return Ok(Json::Object(Default::default())),
    };
    Json::parse(&text).map_err(|e| {
        anyhow::anyhow!("InvalidExecutionInput: the execution input is not valid JSON ({e}); pass a JSON value, e.g. --input '{{\"key\": 1}}'")
    })
}

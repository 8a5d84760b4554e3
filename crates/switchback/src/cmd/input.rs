//! Reading definitions and inputs from files, with errors that say what to fix.

use std::path::{Path, PathBuf};

use anyhow::{bail, Context, Result};
use switchback_asl::{load_definition, LoadError, StateMachine};
use switchback_json::Json;

/// Reads and loads a definition (JSON or YAML). Invalid definitions are reported with every
/// fault and its path.
pub fn definition(path: &Path) -> Result<StateMachine> {
    let text = std::fs::read_to_string(path)
        .with_context(|| format!("cannot read definition {}", path.display()))?;
    definition_text(&text, path)
}

/// Where a definition comes from and its placeholders' values: the flags `run`, `validate`
/// and `graph` share.
#[derive(clap::Args, Default)]
pub struct DefinitionSource {
    /// Read the state machine from this SAM or CloudFormation template (with --resource),
    /// its DefinitionSubstitutions filled in (intrinsic functions get local stand-ins).
    #[arg(long, value_name = "FILE", requires = "resource")]
    pub template: Option<PathBuf>,
    /// The state machine's logical ID in --template.
    #[arg(long, value_name = "NAME", requires = "template")]
    pub resource: Option<String>,
    /// A value for the definition's ${KEY} placeholder (repeatable; wins over the template's).
    #[arg(long = "sub", value_name = "KEY=VALUE")]
    pub subs: Vec<String>,
    /// A file of placeholder values: a JSON or YAML object of KEY: VALUE.
    #[arg(long, value_name = "FILE")]
    pub subs_file: Option<PathBuf>,
}

impl DefinitionSource {
    /// The definition's text, placeholders filled, and where it came from: the file given, or
    /// the template's state machine.
    pub fn text(&self, definition: Option<&Path>) -> Result<(String, PathBuf)> {
        let (text, origin, mut values) = match (&self.template, &self.resource, definition) {
            (Some(_), _, Some(d)) => bail!(
                "give either a definition file ({}) or --template with --resource, not both",
                d.display()
            ),
            (Some(t), Some(r), None) => {
                let m = super::template::read(t, r)?;
                (m.definition, m.origin, m.substitutions)
            }
            (None, _, Some(d)) => (
                std::fs::read_to_string(d)
                    .with_context(|| format!("cannot read definition {}", d.display()))?,
                d.to_path_buf(),
                Default::default(),
            ),
            _ => bail!("give a definition file, or --template FILE --resource NAME"),
        };
        if let Some(file) = &self.subs_file {
            let doc_text = std::fs::read_to_string(file)
                .with_context(|| format!("cannot read {}", file.display()))?;
            let doc = switchback_asl::load::parse_document(&doc_text)
                .map_err(|e| anyhow::anyhow!("{}: {e}", file.display()))?;
            let serde_json::Value::Object(map) = doc else {
                bail!(
                    "{}: placeholder values must be an object of KEY: VALUE",
                    file.display()
                );
            };
            for (k, v) in map {
                let v = match v {
                    serde_json::Value::String(s) => s,
                    other => other.to_string(),
                };
                values.insert(k, v);
            }
        }
        for sub in &self.subs {
            let Some((k, v)) = sub.split_once('=') else {
                bail!("--sub {sub:?} must be KEY=VALUE");
            };
            values.insert(k.to_string(), v.to_string());
        }
        if values.is_empty() {
            return Ok((text, origin));
        }
        let (text, left) = super::template::substitute(&text, &values);
        if !left.is_empty() {
            eprintln!(
                "warning: {} has placeholders with no value: {} (give --sub KEY=VALUE)",
                origin.display(),
                left.iter()
                    .map(|k| format!("${{{k}}}"))
                    .collect::<Vec<_>>()
                    .join(", ")
            );
        }
        Ok((text, origin))
    }
}

/// Loads a definition from its text (read from `origin`), with every fault listed.
pub fn definition_text(text: &str, origin: &Path) -> Result<StateMachine> {
    match load_definition(text) {
        Ok(m) => Ok(m),
        Err(LoadError::Invalid(faults)) => {
            let mut msg = format!(
                "{} is not a valid state machine definition:",
                origin.display()
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
        Err(e) => bail!("{}: {e}", origin.display()),
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

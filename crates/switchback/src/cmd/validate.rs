//! `switchback validate`: every fault of a definition, with its path.

use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::Result;
use clap::Args;
use switchback_asl::load::{load_document, parse_document};
use switchback_asl::LoadError;

use super::input::{display_path, DefinitionSource};

#[derive(Args)]
pub struct ValidateArgs {
    /// The state machine definition (JSON or YAML); or give --template and --resource.
    #[arg(required_unless_present = "template")]
    pub definition: Option<PathBuf>,
    #[command(flatten)]
    pub source: DefinitionSource,
    /// Print the result as JSON (`{"result": "OK"|"FAIL", "diagnostics": [...]}`).
    #[arg(long)]
    pub json: bool,
}

pub fn run(args: ValidateArgs) -> Result<ExitCode> {
    let (text, origin) = args.source.text(args.definition.as_deref())?;
    let faults = match parse_document(&text).and_then(|doc| load_document(&doc).map(|_| ())) {
        Ok(()) => Vec::new(),
        Err(LoadError::Invalid(faults)) => faults
            .into_iter()
            .map(|f| (f.code, f.path, f.message))
            .collect(),
        Err(LoadError::Syntax(m)) => {
            vec![("INVALID_JSON_DESCRIPTION".to_string(), String::new(), m)]
        }
    };
    // What is valid but probably not meant (AWS's WARNING diagnostics).
    let warnings: Vec<(String, String, String)> = parse_document(&text)
        .map(|doc| switchback_validate::warnings(&doc))
        .unwrap_or_default()
        .into_iter()
        .map(|f| (f.code, f.path, f.message))
        .collect();
    if args.json {
        let diagnostic = |severity: &str, (code, path, message): &(String, String, String)| serde_json::json!({"severity": severity, "code": code, "location": path, "message": message});
        let diagnostics: Vec<_> = faults
            .iter()
            .map(|f| diagnostic("ERROR", f))
            .chain(warnings.iter().map(|w| diagnostic("WARNING", w)))
            .collect();
        let result = if faults.is_empty() { "OK" } else { "FAIL" };
        println!(
            "{}",
            serde_json::json!({"result": result, "diagnostics": diagnostics})
        );
    } else {
        for (code, path, message) in &faults {
            println!("{}: {message} ({code})", display_path(path));
        }
        for (code, path, message) in &warnings {
            println!("warning: {}: {message} ({code})", display_path(path));
        }
        if faults.is_empty() {
            println!("valid");
        } else {
            eprintln!("{} fault(s) in {}", faults.len(), origin.display());
        }
    }
    Ok(if faults.is_empty() {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(1)
    })
}

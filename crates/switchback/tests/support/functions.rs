//! The Lambda functions of the corpus's `lambda/**` cases, as fixture functions.
//!
//! A lambda case describes each function it calls in prose (`functions`: ARN -> what the
//! function does). [`FIXTURES`] maps every description the corpus uses to a small python3
//! script under `tests/functions/` that behaves so, run through Switchback's real function
//! integration (`[functions.NAME] command = ["python3", SCRIPT]`: a process per invocation,
//! the event on stdin, the result on stdout). The scripts implement the described behaviour
//! only; no expected result is written into them. A case with a description that is not in
//! the table is skipped (and counted).

use std::collections::BTreeMap;
use std::path::PathBuf;

use serde_json::Value;
use switchback_integrations::{FunctionConfig, Integrations, IntegrationsConfig};

/// Each known description of a function, and the fixture script that behaves so.
pub const FIXTURES: &[(&str, &str)] = &[
    ("returns its input event unchanged", "echo.py"),
    (
        "raises an unhandled Python Exception('Some exception was raised.') (python3.x runtime)",
        "python_exception.py",
    ),
    (
        "python handler returns the bytes object b'\"HelloWorld!\"' (not JSON-serialisable by the runtime)",
        "bytes_hello.py",
    ),
    (
        "python handler returns a bytes object of 257*1024 'a' characters (>256 KiB, not JSON-serialisable)",
        "bytes_large.py",
    ),
];

/// The functions of one case: function name -> fixture script (file name).
pub type CaseFunctions = BTreeMap<String, &'static str>;

/// The directory of the fixture scripts.
pub fn functions_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/functions")
}

/// The function name in a function reference as Lambda reads it: a full or partial ARN
/// (`arn:aws:lambda:REGION:ACCOUNT:function:NAME[:QUALIFIER]`, `ACCOUNT:function:NAME`) or a
/// bare name (`NAME[:QUALIFIER]`).
pub fn function_name(reference: &str) -> Option<String> {
    let rest = match reference.rfind(":function:") {
        Some(i) => &reference[i + ":function:".len()..],
        None if reference.starts_with("arn:") => return None,
        None => reference,
    };
    let name = rest.split(':').next().unwrap_or("");
    (!name.is_empty()).then(|| name.to_string())
}

/// The functions a lambda case needs, by name. `Err` names a description that has no
/// fixture (the case is skipped).
///
/// Each ARN of `functions` gives its name (the `:function:NAME` segment). That also covers
/// the `FunctionName` of `lambda:invoke` in the definition or the input: the integrations
/// resolve a full ARN, a partial ARN or a qualified name to the same NAME, and a name that is
/// none of the case's functions (e.g. `no_such_lambda_function_name`) must stay unconfigured,
/// as the case expects no such function.
pub fn case_functions(case: &Value) -> Result<CaseFunctions, String> {
    let mut functions = CaseFunctions::new();
    for (arn, description) in case["functions"].as_object().into_iter().flatten() {
        let description = description.as_str().unwrap_or_default();
        let Some((_, script)) = FIXTURES.iter().find(|(d, _)| *d == description) else {
            return Err(description.to_string());
        };
        let Some(name) = function_name(arn) else {
            return Err(format!("{description} (no function name in {arn})"));
        };
        functions.insert(name, script);
    }
    Ok(functions)
}

/// The integrations' configuration for `functions`: `[functions.NAME] command = ["python3",
/// "/…/tests/functions/SCRIPT"]`.
pub fn integrations_config(functions: &CaseFunctions) -> IntegrationsConfig {
    let dir = functions_dir();
    let mut config = IntegrationsConfig::default();
    for (name, script) in functions {
        config.functions.insert(
            name.clone(),
            FunctionConfig {
                command: Some(vec![
                    "python3".into(),
                    dir.join(script).display().to_string(),
                ]),
                ..FunctionConfig::default()
            },
        );
    }
    config
}

/// The integrations that run `functions` (relative paths resolve in `tests/functions/`).
pub fn integrations(functions: &CaseFunctions) -> Result<Integrations, String> {
    Integrations::new(
        integrations_config(functions),
        functions_dir(),
        "conformance fixture functions".into(),
    )
    .map_err(|e| e.to_string())
}

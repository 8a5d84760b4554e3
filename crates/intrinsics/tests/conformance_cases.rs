//! Replays the AWS-recorded intrinsic-function cases from `shared/conformance/cases`.
//!
//! A case is replayed when its first state is a JSONPath `Pass` state that ends the execution
//! and whose `Parameters` hold intrinsic calls: the Parameters template is evaluated against
//! the execution input (paths `$...` and `$$.Execution.Input...` are resolved here) and
//! compared with the recorded output, or with the recorded error and cause. Cases needing more
//! of the engine (other context fields, later states) are counted as skipped.

use std::path::PathBuf;

use switchback_intrinsics::{is_intrinsic, parse, Env, EvalError};
use switchback_json::{Json, Object};

/// The prefix the engine puts before every state's cause; stripped before comparing.
fn strip_cause_prefix(cause: &str) -> &str {
    match cause.find("). ") {
        Some(i) if cause.starts_with("An error occurred while executing the state") => {
            &cause[i + 3..]
        }
        _ => cause,
    }
}

/// Resolves definite paths against the execution input; anything else is unsupported.
struct CaseEnv {
    input: Json,
    unsupported: bool,
    counter: u64,
}

impl Env for CaseEnv {
    fn resolve_path(&mut self, path: &str) -> Result<Json, EvalError> {
        let rest = if let Some(rest) = path.strip_prefix("$$.Execution.Input") {
            rest
        } else if path == "$$.StateMachine.Name" {
            // Recorded outputs show this value as a placeholder; any name will do.
            return Ok(Json::from("switchback-test-machine"));
        } else if path.starts_with("$$") || !path.starts_with('$') {
            self.unsupported = true;
            return Err(unsupported());
        } else {
            &path[1..]
        };
        match resolve(&self.input, rest) {
            Some(v) => Ok(v.clone()),
            None => {
                self.unsupported = true;
                Err(unsupported())
            }
        }
    }

    fn random_u64(&mut self) -> u64 {
        self.counter = self
            .counter
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        self.counter
    }
}

fn unsupported() -> EvalError {
    EvalError {
        error: "Test.Unsupported".into(),
        cause: "path not supported by the test harness".into(),
    }
}

/// Follows `.name` and `[n]` steps.
fn resolve<'a>(root: &'a Json, mut rest: &str) -> Option<&'a Json> {
    let mut cur = root;
    while !rest.is_empty() {
        if let Some(after) = rest.strip_prefix('.') {
            let end = after.find(['.', '[']).unwrap_or(after.len());
            cur = cur.as_object()?.get(&after[..end])?;
            rest = &after[end..];
        } else if let Some(after) = rest.strip_prefix('[') {
            let end = after.find(']')?;
            let index: usize = after[..end].parse().ok()?;
            cur = cur.as_array()?.get(index)?;
            rest = &after[end + 1..];
        } else {
            return None;
        }
    }
    Some(cur)
}

/// Evaluates a Parameters template: `key.$` values are paths or intrinsics, others literal.
fn eval_template(template: &Json, env: &mut CaseEnv) -> Result<Json, EvalError> {
    match template {
        Json::Object(map) => {
            let mut out = Object::new();
            for (key, value) in map {
                match (key.strip_suffix(".$"), value) {
                    (Some(name), Json::String(src)) if is_intrinsic(src) => {
                        let call = parse(src).map_err(|e| EvalError {
                            error: "Test.ParseError".into(),
                            cause: e.message,
                        })?;
                        out.insert(name.into(), call.eval(env)?);
                    }
                    (Some(name), Json::String(path)) => {
                        out.insert(name.into(), env.resolve_path(path)?);
                    }
                    _ => {
                        out.insert(key.clone(), eval_template(value, env)?);
                    }
                }
            }
            Ok(Json::Object(out))
        }
        Json::Array(items) => items
            .iter()
            .map(|v| eval_template(v, env))
            .collect::<Result<_, _>>()
            .map(Json::Array),
        other => Ok(other.clone()),
    }
}

/// Recorded values may hold placeholders: whole values listed in `placeholders`, and
/// `<token>` pieces inside strings that stand for any text.
fn matches(expected: &Json, actual: &Json, placeholders: &[String]) -> bool {
    match (expected, actual) {
        (Json::String(e), _) if placeholders.iter().any(|p| *e == *p) => true,
        (Json::String(e), Json::String(a)) => string_matches(e, a),
        (Json::Number(e), Json::Number(a)) => e.as_f64() == a.as_f64(),
        (Json::Array(e), Json::Array(a)) => {
            e.len() == a.len() && e.iter().zip(a).all(|(e, a)| matches(e, a, placeholders))
        }
        (Json::Object(e), Json::Object(a)) => {
            e.len() == a.len()
                && e.iter()
                    .all(|(k, e)| a.get(k).is_some_and(|a| matches(e, a, placeholders)))
        }
        _ => expected == actual,
    }
}

/// `<token>` in the expected string matches any substring of the actual one.
fn string_matches(expected: &str, actual: &str) -> bool {
    let mut literal_parts = Vec::new();
    let mut rest = expected;
    while let Some(open) = rest.find('<') {
        match rest[open..].find('>') {
            Some(close) => {
                literal_parts.push(&rest[..open]);
                rest = &rest[open + close + 1..];
            }
            None => break,
        }
    }
    if literal_parts.is_empty() {
        return expected == actual;
    }
    literal_parts.push(rest);
    let mut pos = 0;
    let last = literal_parts.len() - 1;
    for (i, part) in literal_parts.iter().enumerate() {
        if i == 0 {
            if !actual.starts_with(part) {
                return false;
            }
            pos = part.len();
        } else if i == last {
            return actual.len() >= pos + part.len() && actual.ends_with(part);
        } else {
            match actual[pos..].find(part) {
                Some(at) => pos += at + part.len(),
                None => return false,
            }
        }
    }
    true
}

enum Outcome {
    Pass,
    Fail(String),
    Skip,
}

fn run_case(case: &Json) -> Outcome {
    let def = &case["definition"];
    if def.get("QueryLanguage").and_then(Json::as_str) == Some("JSONata") {
        return Outcome::Skip;
    }
    let Some(start) = def["StartAt"].as_str() else {
        return Outcome::Skip;
    };
    let state = &def["States"][start];
    let simple = state["Type"] == "Pass"
        && state["End"] == true
        && [
            "InputPath",
            "ResultPath",
            "OutputPath",
            "Assign",
            "QueryLanguage",
        ]
        .iter()
        .all(|k| state.get(*k).is_none());
    let Some(params) = state.get("Parameters").filter(|_| simple) else {
        return Outcome::Skip;
    };
    if !params.to_string().contains("States.") {
        return Outcome::Skip;
    }
    let placeholders: Vec<String> = case["placeholders"]
        .as_array()
        .map(|a| {
            a.iter()
                .filter_map(|v| v.as_str().map(String::from))
                .collect()
        })
        .unwrap_or_default();
    let mut env = CaseEnv {
        input: case["input"].clone(),
        unsupported: false,
        counter: 7,
    };
    let result = eval_template(params, &mut env);
    if env.unsupported {
        return Outcome::Skip;
    }
    let expected = &case["expected"];
    match (expected["status"].as_str(), result) {
        (Some("SUCCEEDED"), Ok(out)) if matches(&expected["output"], &out, &placeholders) => {
            Outcome::Pass
        }
        (Some("SUCCEEDED"), other) => Outcome::Fail(format!(
            "expected output {}, got {other:?}",
            expected["output"]
        )),
        (Some("FAILED"), Err(e))
            if expected["error"] == e.error.as_str()
                && expected["cause"].as_str().map(strip_cause_prefix) == Some(e.cause.as_str()) =>
        {
            Outcome::Pass
        }
        (status, other) => Outcome::Fail(format!(
            "expected {status:?} {} / {}, got {other:?}",
            expected["error"], expected["cause"]
        )),
    }
}

#[test]
fn recorded_aws_intrinsic_cases() {
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../../shared/conformance/cases");
    if !root.is_dir() {
        missing_prerequisite(&format!(
            "{} is absent: the recorded AWS cases did not run",
            root.display()
        ));
        return;
    }
    let mut files = Vec::new();
    collect_json_files(&root, &mut files);
    files.sort();
    let (mut passed, mut skipped, mut failures) = (0, 0, Vec::new());
    let mut intrinsic_dir = (0, 0);
    for file in &files {
        let text = std::fs::read_to_string(file).unwrap();
        if !text.contains("States.") {
            continue;
        }
        let case: Json = serde_json::from_str(&text).unwrap();
        let in_intrinsic_dir = file.to_string_lossy().contains("/intrinsic_functions/");
        match run_case(&case) {
            Outcome::Pass => {
                passed += 1;
                if in_intrinsic_dir {
                    intrinsic_dir.0 += 1;
                }
            }
            Outcome::Skip => skipped += 1,
            Outcome::Fail(why) => failures.push(format!("{}: {why}", case["id"])),
        }
        if in_intrinsic_dir {
            intrinsic_dir.1 += 1;
        }
    }
    println!(
        "recorded AWS cases: {passed} reproduced, {} differ, {skipped} skipped (not a single intrinsic Pass state); \
         intrinsic_functions/: {} of {} reproduced",
        failures.len(),
        intrinsic_dir.0,
        intrinsic_dir.1
    );
    assert!(
        failures.is_empty(),
        "cases that differ from AWS:\n{}",
        failures.join("\n")
    );
}

fn collect_json_files(dir: &std::path::Path, out: &mut Vec<PathBuf>) {
    for entry in std::fs::read_dir(dir).unwrap().flatten() {
        let path = entry.path();
        if path.is_dir() {
            collect_json_files(&path, out);
        } else if path.extension().is_some_and(|e| e == "json") {
            out.push(path);
        }
    }
}

/// A prerequisite of a test is missing: a failure on CI (`CI` set), where `.ci/run` provides
/// it; elsewhere a note written past the test harness's capture, so that a reader sees it.
fn missing_prerequisite(what: &str) {
    assert!(
        std::env::var_os("CI").is_none(),
        "{what}: required on CI (.ci/run provides it)"
    );
    use std::io::Write as _;
    let _ = writeln!(std::io::stderr(), "SKIPPED: {what}");
}

//! Shared helpers of the integration tests: where the shared evidence lives, and whether the
//! parsers this crate relies on are complete yet (they are developed in parallel; until they land
//! the tests skip the cases that depend on them, saying so).

#![allow(dead_code)]

use std::path::PathBuf;

/// `<repo>/../shared/<rel>`, if present.
pub fn shared_dir(rel: &str) -> Option<PathBuf> {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../../../shared")
        .join(rel);
    dir.is_dir().then_some(dir)
}

/// A prerequisite of a test is missing: a failure on CI (`CI` set), where `.ci/run` provides
/// it; elsewhere a note written past the test harness's capture, so that a reader sees it.
pub fn missing_prerequisite(what: &str) {
    assert!(
        std::env::var_os("CI").is_none(),
        "{what}: required on CI (.ci/run provides it)"
    );
    use std::io::Write as _;
    let _ = writeln!(std::io::stderr(), "SKIPPED: {what}");
}

/// The intrinsic-function parser accepts a valid call (it was a stub that always failed).
pub fn intrinsics_ready() -> bool {
    switchback_intrinsics::parse("States.Format('{}', $.a)").is_ok()
}

/// The JSONata parser rejects a syntax error (it was a stub that accepted everything).
pub fn jsonata_ready() -> bool {
    switchback_jsonata::Expression::parse("10 + * 2").is_err()
}

/// True when the text holds an intrinsic call (`States.Name(`).
pub fn uses_intrinsics(text: &str) -> bool {
    let mut rest = text;
    while let Some(i) = rest.find("States.") {
        rest = &rest[i + 7..];
        let name_len = rest
            .find(|c: char| !c.is_ascii_alphanumeric())
            .unwrap_or(rest.len());
        if name_len > 0 && rest[name_len..].starts_with('(') {
            return true;
        }
    }
    false
}

/// True when the text holds a JSONata expression.
pub fn uses_jsonata(text: &str) -> bool {
    text.contains("{%")
}

/// Every `*.json` file under `dir`, recursively, sorted.
pub fn json_files(dir: &std::path::Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        let Ok(rd) = std::fs::read_dir(&d) else {
            continue;
        };
        for e in rd.flatten() {
            let p = e.path();
            if p.is_dir() {
                stack.push(p);
            } else if p.extension().is_some_and(|x| x == "json") {
                out.push(p);
            }
        }
    }
    out.sort();
    out
}

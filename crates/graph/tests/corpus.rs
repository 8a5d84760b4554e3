//! Every definition of the conformance corpus lays out cleanly.

mod common;

use std::path::{Path, PathBuf};
use std::time::Instant;

use switchback_graph::{layout, SvgOptions};

fn case_files(dir: &Path, out: &mut Vec<PathBuf>) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    for entry in entries.flatten() {
        let path = entry.path();
        if path.is_dir() {
            case_files(&path, out);
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

#[test]
fn conformance_corpus_lays_out() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../../shared/conformance/cases");
    if !root.is_dir() {
        missing_prerequisite(&format!("no conformance corpus at {}", root.display()));
        return;
    }
    let mut files = Vec::new();
    case_files(&root, &mut files);
    files.sort();
    let mut laid_out = 0;
    let mut largest: Option<(usize, PathBuf, String)> = None;
    let mut elapsed = 0.0;
    let mut failures = Vec::new();
    for file in &files {
        let Ok(text) = std::fs::read_to_string(file) else {
            failures.push(format!("{}: unreadable", file.display()));
            continue;
        };
        let Ok(case) = serde_json::from_str::<serde_json::Value>(&text) else {
            failures.push(format!("{}: not JSON", file.display()));
            continue;
        };
        let Some(def) = case.get("definition") else {
            continue;
        };
        let t = Instant::now();
        let result = layout(def).map(|g| {
            let svg = g.to_svg(&SvgOptions::default());
            (g, svg)
        });
        elapsed += t.elapsed().as_secs_f64();
        match result {
            Ok((g, svg)) => {
                laid_out += 1;
                if let Err(e) = common::check_geometry(&g) {
                    failures.push(format!("{}: {e}", file.display()));
                }
                if common::count(&svg, "<g class=\"edge ") != g.edge_count() {
                    failures.push(format!(
                        "{}: edge groups differ from edge_count",
                        file.display()
                    ));
                }
                let size = g.state_count() * 100 + g.edge_count();
                if largest.as_ref().is_none_or(|l| size > l.0) {
                    let standalone = g.to_svg(&SvgOptions {
                        standalone_style: true,
                    });
                    largest = Some((size, file.clone(), standalone));
                }
            }
            Err(e) => failures.push(format!("{}: {e}", file.display())),
        }
    }
    println!(
        "laid out {laid_out} corpus definitions in {:.1} ms (layout + SVG)",
        elapsed * 1000.0
    );
    if let Some((_, file, svg)) = largest {
        println!("largest: {}", file.display());
        let _ = std::fs::write("/tmp/graph-corpus-largest.svg", svg);
    }
    assert!(
        failures.is_empty(),
        "{} failures:\n{}",
        failures.len(),
        failures.join("\n")
    );
    assert!(laid_out > 0);
}

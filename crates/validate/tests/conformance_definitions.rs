//! Every definition in `shared/conformance/cases` was accepted by real AWS (the executions ran),
//! so every one must validate with zero faults: a fault here is a rule that is wrong.

mod common;

use serde_json::Value;

#[test]
fn aws_accepted_definitions_have_no_faults() {
    let Some(dir) = common::shared_dir("conformance/cases") else {
        common::missing_prerequisite("shared/conformance/cases not found");
        return;
    };
    let intrinsics = common::intrinsics_ready();
    let (mut checked, mut skipped) = (0usize, 0usize);
    let mut failures = Vec::new();
    for file in common::json_files(&dir) {
        let text = std::fs::read_to_string(&file).expect("readable case");
        let case: Value = serde_json::from_str(&text).expect("case is JSON");
        let Some(def) = case.get("definition") else {
            continue;
        };
        let faults = switchback_validate::validate(def);
        if faults.is_empty() {
            checked += 1;
            continue;
        }
        // The intrinsic-function parser is a stub until it lands: it refuses every call.
        if !intrinsics && faults.iter().all(|f| f.message.contains("intrinsic")) {
            skipped += 1;
            continue;
        }
        checked += 1;
        failures.push((case["id"].as_str().unwrap_or("?").to_string(), faults));
    }
    for (id, faults) in &failures {
        println!("REJECTED: {id}");
        for f in faults {
            println!("    {} {} {}", f.code, f.path, f.message);
        }
    }
    println!(
        "{} of {checked} AWS-accepted definitions validate; {skipped} skipped until the intrinsic parser lands",
        checked - failures.len()
    );
    assert!(
        failures.is_empty(),
        "{} AWS-accepted definitions were rejected",
        failures.len()
    );
}

//! Generated state machines for tests and the bench: chains, Choices whose branches rejoin,
//! Catches, loops, a Parallel with three branches and Maps nested in Parallels in Maps.

use serde_json::{json, Map, Value};

/// A JSONPath machine with at least `n` states (nested ones included), ending in a Succeed.
pub fn generated_machine(n: usize) -> Value {
    let mut states = Map::new();
    let mut count = 0;
    let mut k = 0;
    // States whose `Next` is the entry of the following block.
    let mut open: Vec<String> = Vec::new();
    let mut start = None;
    let link = |states: &mut Map<String, Value>, open: &mut Vec<String>, entry: &str| {
        for name in open.drain(..) {
            if let Some(s) = states.get_mut(&name).and_then(Value::as_object_mut) {
                s.insert("Next".into(), json!(entry));
            }
        }
    };
    while count + 1 < n {
        let (entry, added, exits) = block(&mut states, k);
        start.get_or_insert_with(|| entry.clone());
        link(&mut states, &mut open, &entry);
        open = exits;
        count += added;
        k += 1;
    }
    states.insert("Done".into(), json!({"Type": "Succeed"}));
    link(&mut states, &mut open, "Done");
    json!({
        "Comment": format!("generated, {} states", count + 1),
        "StartAt": start.unwrap_or_else(|| "Done".to_string()),
        "States": states,
    })
}

fn task(resource: &str) -> Value {
    json!({"Type": "Task", "Resource": resource})
}

/// Adds block `k`; returns its entry, how many states it added and its open exits.
fn block(states: &mut Map<String, Value>, k: usize) -> (String, usize, Vec<String>) {
    let p = |s: &str| format!("{s} {k}");
    match k % 6 {
        0 => {
            states.insert(p("Load"), json!({"Type": "Task", "Resource": "arn:aws:states:::lambda:invoke", "Next": p("Transform")}));
            states.insert(p("Transform"), json!({"Type": "Pass", "Next": p("Store")}));
            states.insert(p("Store"), task("arn:aws:states:::dynamodb:putItem"));
            (p("Load"), 3, vec![p("Store")])
        }
        1 => {
            let branches = if k % 4 == 1 { 4 } else { 3 };
            let mut rules = Vec::new();
            for j in 0..branches {
                rules.push(json!({"Variable": "$.kind", "StringEquals": format!("k{j}"), "Next": p(&format!("Handle {j}"))}));
            }
            states.insert(
                p("Route"),
                json!({"Type": "Choice", "Choices": rules, "Default": p("Rejected")}),
            );
            for j in 0..branches {
                let next = if j == 0 {
                    p("Handle 0 more")
                } else {
                    p("Join")
                };
                states.insert(
                    p(&format!("Handle {j}")),
                    json!({"Type": "Pass", "Next": next}),
                );
            }
            states.insert(
                p("Handle 0 more"),
                json!({"Type": "Pass", "Next": p("Join")}),
            );
            states.insert(p("Rejected"), json!({"Type": "Fail", "Error": "Rejected"}));
            states.insert(p("Join"), json!({"Type": "Pass"}));
            (p("Route"), branches + 4, vec![p("Join")])
        }
        2 => {
            states.insert(
                p("Charge"),
                json!({"Type": "Task", "Resource": "arn:aws:states:::sqs:sendMessage", "Next": p("Charged"),
                       "Catch": [{"ErrorEquals": ["States.Timeout"], "Next": p("Retry later")},
                                 {"ErrorEquals": ["States.TaskFailed", "Custom.Error"], "Next": p("Charge failed")}]}),
            );
            states.insert(
                p("Retry later"),
                json!({"Type": "Wait", "Seconds": 5, "Next": p("Charged")}),
            );
            states.insert(
                p("Charge failed"),
                json!({"Type": "Fail", "Error": "ChargeFailed"}),
            );
            states.insert(p("Charged"), json!({"Type": "Pass"}));
            (p("Charge"), 4, vec![p("Charged")])
        }
        3 => {
            let inner_map = json!({"Type": "Map", "End": true, "ItemProcessor": {
                "ProcessorConfig": {"Mode": "INLINE"}, "StartAt": p("Deep item"),
                "States": {p("Deep item"): {"Type": "Pass", "End": true}}}});
            let parallel_in_map = json!({"Type": "Parallel", "End": true, "Branches": [
                {"StartAt": p("Inner map"), "States": {p("Inner map"): inner_map}},
                {"StartAt": p("Side"), "States": {p("Side"): {"Type": "Pass", "End": true}}}]});
            let outer_map = json!({"Type": "Map", "End": true, "Iterator": {
                "StartAt": p("Fan out"), "States": {p("Fan out"): parallel_in_map}}});
            states.insert(
                p("In parallel"),
                json!({"Type": "Parallel", "Next": p("After parallel"), "Branches": [
                    {"StartAt": p("A1"), "States": {
                        p("A1"): {"Type": "Pass", "Next": p("A2")},
                        p("A2"): {"Type": "Task", "Resource": "arn:aws:states:::lambda:invoke", "End": true}}},
                    {"StartAt": p("B check"), "States": {
                        p("B check"): {"Type": "Choice", "Choices": [
                            {"Variable": "$.n", "NumericGreaterThan": 5, "Next": p("B big")}],
                            "Default": p("B small")},
                        p("B big"): {"Type": "Pass", "End": true},
                        p("B small"): {"Type": "Succeed"}}},
                    {"StartAt": p("Items"), "States": {p("Items"): outer_map}}
                ]}),
            );
            states.insert(p("After parallel"), json!({"Type": "Pass"}));
            // Parallel, A1, A2, B check, B big, B small, Items, Fan out, Inner map, Deep item,
            // Side, After parallel.
            (p("In parallel"), 12, vec![p("After parallel")])
        }
        4 => {
            states.insert(
                p("Wait"),
                json!({"Type": "Wait", "Seconds": 10, "Next": p("Poll")}),
            );
            states.insert(p("Poll"), json!({"Type": "Task", "Resource": "arn:aws:states:::http:invoke", "Next": p("Ready?")}));
            states.insert(
                p("Ready?"),
                json!({"Type": "Choice", "Choices": [
                    {"And": [{"Variable": "$.status", "IsPresent": true},
                             {"Variable": "$.status", "StringEquals": "DONE"}], "Next": p("Ready")}],
                    "Default": p("Wait")}),
            );
            states.insert(p("Ready"), json!({"Type": "Pass"}));
            (p("Wait"), 4, vec![p("Ready")])
        }
        _ => {
            states.insert(
                p("Each"),
                json!({"Type": "Map", "Next": p("Collected"),
                       "Catch": [{"ErrorEquals": ["States.ALL"], "Next": p("Map failed")}],
                       "ItemProcessor": {"StartAt": p("Fetch"), "States": {
                           p("Fetch"): {"Type": "Task", "Resource": "arn:aws:states:::lambda:invoke", "Next": p("Valid?")},
                           p("Valid?"): {"Type": "Choice", "Choices": [
                               {"Variable": "$.ok", "BooleanEquals": true, "Next": p("Save")}],
                               "Default": p("Skip")},
                           p("Save"): {"Type": "Pass", "End": true},
                           p("Skip"): {"Type": "Pass", "End": true}}}}),
            );
            states.insert(p("Map failed"), json!({"Type": "Fail"}));
            states.insert(p("Collected"), json!({"Type": "Pass"}));
            (p("Each"), 7, vec![p("Collected")])
        }
    }
}

mod common;

use common::{check_geometry, contains, count, gen::generated_machine};
use serde_json::{json, Value};
use switchback_graph::{layout, EdgeKind, Graph, SvgOptions};

/// States in a definition, nested included, counted from the JSON itself.
fn count_states(def: &Value) -> usize {
    let Some(states) = def.get("States").and_then(Value::as_object) else {
        return 0;
    };
    states
        .values()
        .map(|s| {
            let branches: usize = s
                .get("Branches")
                .and_then(Value::as_array)
                .map(|b| b.iter().map(count_states).sum())
                .unwrap_or(0);
            let body = s
                .get("ItemProcessor")
                .or_else(|| s.get("Iterator"))
                .map(count_states)
                .unwrap_or(0);
            1 + branches + body
        })
        .sum()
}

/// Edges as the crate documents them: one per Next, Choice rule, Default, catcher, the start
/// edge, and one per top-level ending state.
fn count_edges(def: &Value, top: bool) -> usize {
    let Some(states) = def.get("States").and_then(Value::as_object) else {
        return 0;
    };
    let mut n = usize::from(top);
    for s in states.values() {
        n += usize::from(s.get("Next").is_some());
        n += s
            .get("Choices")
            .and_then(Value::as_array)
            .map_or(0, |c| c.iter().filter(|r| r.get("Next").is_some()).count());
        n += usize::from(s.get("Default").is_some());
        n += s.get("Catch").and_then(Value::as_array).map_or(0, Vec::len);
        let ty = s.get("Type").and_then(Value::as_str).unwrap_or("");
        let ends = s.get("End") == Some(&json!(true)) || ty == "Succeed" || ty == "Fail";
        n += usize::from(top && ends);
        for b in s
            .get("Branches")
            .and_then(Value::as_array)
            .map(Vec::as_slice)
            .unwrap_or(&[])
        {
            n += count_edges(b, false);
        }
        if let Some(body) = s.get("ItemProcessor").or_else(|| s.get("Iterator")) {
            n += count_edges(body, false);
        }
    }
    n
}

fn svg_of(g: &Graph) -> String {
    g.to_svg(&SvgOptions::default())
}

/// Element nesting of an SVG we wrote: every tag closed in order, nothing but whitespace-free
/// markup, attribute values without raw `<`. A small check, not a full XML parser.
fn well_formed(svg: &str) -> Result<(), String> {
    let mut stack: Vec<&str> = Vec::new();
    let mut rest = svg;
    while let Some(i) = rest.find('<') {
        let text = &rest[..i];
        if text.contains('>') {
            return Err(format!("raw > in text {text:?}"));
        }
        let Some(j) = rest[i..].find('>') else {
            return Err("unclosed tag".into());
        };
        let tag = &rest[i + 1..i + j];
        rest = &rest[i + j + 1..];
        if tag.contains('<') {
            return Err(format!("raw < inside tag {tag:?}"));
        }
        if let Some(name) = tag.strip_prefix('/') {
            match stack.pop() {
                Some(open) if open == name => {}
                other => return Err(format!("</{name}> closes {other:?}")),
            }
        } else if !tag.ends_with('/') {
            let name = tag.split_whitespace().next().unwrap_or("");
            stack.push(name);
        }
        if tag.matches('"').count() % 2 == 1 {
            return Err(format!("unbalanced quotes in {tag:?}"));
        }
    }
    if stack.is_empty() {
        Ok(())
    } else {
        Err(format!("unclosed {stack:?}"))
    }
}

fn hello() -> Value {
    json!({
        "StartAt": "Greet",
        "States": {
            "Greet": {"Type": "Pass", "Next": "Wait a bit"},
            "Wait a bit": {"Type": "Wait", "Seconds": 1, "Next": "Check"},
            "Check": {"Type": "Choice", "Choices": [
                {"Variable": "$.status", "StringEquals": "approved", "Next": "Done"},
                {"Variable": "$.n", "NumericGreaterThan": 5, "Next": "Done"},
                {"Not": {"Variable": "$.x", "IsPresent": true}, "Next": "Call"}
            ], "Default": "Failed"},
            "Call": {"Type": "Task", "Resource": "arn:aws:states:::sqs:sendMessage", "End": true,
                     "Catch": [{"ErrorEquals": ["States.Timeout", "States.TaskFailed"], "Next": "Failed"}]},
            "Done": {"Type": "Succeed"},
            "Failed": {"Type": "Fail", "Error": "Nope"}
        }
    })
}

#[test]
fn simple_machine_counts_and_structure() {
    let def = hello();
    let g = layout(&def).expect("layout");
    assert_eq!(g.state_count(), 6);
    // start 1 + Next 2 + rules 3 + Default 1 + Catch 1 + End edges (Call, Done, Failed) 3
    assert_eq!(g.edge_count(), 11);
    assert_eq!(g.edge_count(), count_edges(&def, true));
    let svg = svg_of(&g);
    well_formed(&svg).expect("well-formed SVG");
    assert!(svg.starts_with(&format!(
        "<svg xmlns=\"http://www.w3.org/2000/svg\" class=\"workflow-graph\" viewBox=\"0 0 {w} {h}\" width=\"{w}\" height=\"{h}\"",
        w = g.width().round(),
        h = g.height().round()
    )) || svg.starts_with("<svg xmlns=\"http://www.w3.org/2000/svg\" class=\"workflow-graph\" viewBox=\"0 0 "));
    assert_eq!(count(&svg, "<g class=\"state\""), 6);
    assert_eq!(count(&svg, "<g class=\"edge "), 11);
    assert_eq!(count(&svg, "<text class=\"status\""), 6);
    assert_eq!(count(&svg, "<text class=\"name\""), 6);
    assert_eq!(count(&svg, "<text class=\"type\""), 6);
    assert_eq!(
        count(&svg, "<g class=\"terminal\" data-terminal=\"start\">"),
        1
    );
    assert_eq!(
        count(&svg, "<g class=\"terminal\" data-terminal=\"end\">"),
        1
    );
    assert!(svg.contains("<g class=\"edge start\" data-from=\"\" data-to=\"Greet\">"));
    assert!(svg.contains("<g class=\"edge end\" data-from=\"Done\" data-to=\"End\">"));
    assert!(svg.contains("<g class=\"edge end\" data-from=\"Failed\" data-to=\"End\">"));
    assert!(svg.contains("<g class=\"edge next\" data-from=\"Greet\" data-to=\"Wait a bit\">"));
    assert!(svg.contains("<g class=\"edge default\" data-from=\"Check\" data-to=\"Failed\">"));
    assert!(svg.contains("<g class=\"edge catch\" data-from=\"Call\" data-to=\"Failed\">"));
    assert!(svg.contains("data-state=\"Call\" data-type=\"Task\""));
    assert!(svg.contains(">Task · sqs:sendMessage</text>"));
    assert!(svg.contains("<marker id=\"wf-arrow\""));
    assert!(!svg.contains("<style>"), "no stylesheet unless asked");
    assert!(!svg.contains("href"), "no external resources");
    check_geometry(&g).expect("geometry");

    let standalone = g.to_svg(&SvgOptions {
        standalone_style: true,
    });
    well_formed(&standalone).expect("well-formed standalone SVG");
    assert!(standalone.contains("<style>"));
    assert!(standalone.contains("stroke-dasharray:5 4"));
}

#[test]
fn choice_and_catch_labels() {
    let g = layout(&hello()).expect("layout");
    let svg = svg_of(&g);
    for label in [
        "<text class=\"label\"",
        "&gt;Default</text>".trim_start_matches("&gt;"),
        "$.status == &quot;approved&quot;</text>",
        "$.n &gt; 5</text>",
        "Not(IsPresent($.x))</text>",
        "States.Timeout, States.TaskFailed</text>",
    ] {
        assert!(svg.contains(label), "missing {label} in SVG");
    }
    let edges = g.edges();
    let labels: Vec<(EdgeKind, Option<&str>)> =
        edges.iter().map(|e| (e.kind, e.label.as_deref())).collect();
    assert!(labels.contains(&(EdgeKind::Choice, Some("$.status == \"approved\""))));
    assert!(labels.contains(&(EdgeKind::Default, Some("Default"))));
    assert!(labels.contains(&(EdgeKind::Catch, Some("States.Timeout, States.TaskFailed"))));
    // Two rules to the same target stay two edges.
    let states = g.states();
    let done = states.iter().position(|s| s.name == "Done");
    assert_eq!(
        edges
            .iter()
            .filter(|e| e.kind == EdgeKind::Choice && e.to == done)
            .count(),
        2
    );
    for e in &edges {
        assert_eq!(e.label.is_some(), e.label_box.is_some());
    }
}

#[test]
fn jsonata_conditions_and_item_processor() {
    let def = json!({
        "QueryLanguage": "JSONata",
        "StartAt": "Pick",
        "States": {
            "Pick": {"Type": "Choice", "Choices": [
                {"Condition": "{% $states.input.n > 3 %}", "Next": "Each"},
                {"Condition": "{% $exists($states.input.x) and $states.input.x = 'a' %}", "Next": "Each"}
            ], "Default": "Stop"},
            "Each": {"Type": "Map", "Items": "{% $states.input.items %}", "ItemProcessor": {
                "ProcessorConfig": {"Mode": "DISTRIBUTED", "ExecutionType": "EXPRESS"},
                "StartAt": "Work", "States": {"Work": {"Type": "Task", "Resource": "arn:aws:states:::lambda:invoke", "End": true}}
            }, "End": true},
            "Stop": {"Type": "Succeed"}
        }
    });
    let g = layout(&def).expect("layout");
    assert_eq!(g.state_count(), 4);
    assert_eq!(g.edge_count(), count_edges(&def, true));
    let svg = svg_of(&g);
    assert!(svg.contains(">$states.input.n &gt; 3</text>"));
    // Long labels are cut in the drawing and whole in the edge's title.
    assert!(
        svg.contains("<title>$exists($states.input.x) and $states.input.x = &apos;a&apos;</title>")
    );
    assert!(svg.contains(">$exists($states.input.x) and $states.input.…</text>"));
    assert!(svg.contains(
        "<g class=\"state container\" data-state=\"Each\" data-type=\"Map\" data-map=\"true\">"
    ));
    assert!(svg.contains(">Map · distributed</text>"));
    check_geometry(&g).expect("geometry");
}

#[test]
fn generated_machine_120_states() {
    let def = generated_machine(120);
    let expected_states = count_states(&def);
    assert!(expected_states >= 120);
    let g = layout(&def).expect("layout");
    assert_eq!(g.state_count(), expected_states);
    assert_eq!(g.edge_count(), count_edges(&def, true));
    let svg = svg_of(&g);
    well_formed(&svg).expect("well-formed SVG");
    let containers = count(&svg, "<g class=\"state container\"");
    assert!(containers >= 10, "containers: {containers}");
    assert_eq!(
        count(&svg, "<g class=\"state\"") + containers,
        expected_states
    );
    assert_eq!(count(&svg, "<g class=\"edge "), g.edge_count());
    assert_eq!(count(&svg, "<g class=\"terminal\""), 2);
    check_geometry(&g).expect("geometry");
    let _ = std::fs::write(
        "/tmp/graph-generated.svg",
        g.to_svg(&SvgOptions {
            standalone_style: true,
        }),
    );
}

#[test]
fn generated_machines_of_many_sizes() {
    for n in [1, 2, 5, 12, 30, 60, 200] {
        let def = generated_machine(n);
        let g = layout(&def).expect("layout");
        assert_eq!(g.state_count(), count_states(&def));
        assert_eq!(g.edge_count(), count_edges(&def, true));
        if let Err(e) = check_geometry(&g) {
            panic!("{n} states: {e}");
        }
    }
}

#[test]
fn loops_lay_out_with_finite_coordinates() {
    let def = json!({
        "StartAt": "Wait",
        "States": {
            "Wait": {"Type": "Wait", "Seconds": 3, "Next": "Poll"},
            "Poll": {"Type": "Task", "Resource": "arn:aws:states:::lambda:invoke", "Next": "Done?",
                     "Catch": [{"ErrorEquals": ["States.ALL"], "Next": "Poll"}]},
            "Done?": {"Type": "Choice", "Choices": [
                {"Variable": "$.done", "BooleanEquals": true, "Next": "Finish"},
                {"Variable": "$.retry", "BooleanEquals": true, "Next": "Done?"}
            ], "Default": "Wait"},
            "Finish": {"Type": "Pass", "Next": "Back"},
            "Back": {"Type": "Choice", "Choices": [{"Variable": "$.again", "IsPresent": true, "Next": "Wait"}], "Default": "Out"},
            "Out": {"Type": "Succeed"}
        }
    });
    let g = layout(&def).expect("layout");
    assert_eq!(g.edge_count(), count_edges(&def, true));
    check_geometry(&g).expect("geometry");
    for e in g.edges() {
        assert!(e.points.len() >= 2, "{e:?}");
    }
    // Flow reads downward: the start state above the states after it.
    let states = g.states();
    let y = |name: &str| {
        states
            .iter()
            .find(|s| s.name == name)
            .map(|s| s.rect.y)
            .unwrap_or(f64::NAN)
    };
    assert!(y("Wait") < y("Poll") && y("Poll") < y("Done?") && y("Done?") < y("Finish"));
    let svg = svg_of(&g);
    well_formed(&svg).expect("well-formed");
    assert!(!svg.contains("NaN") && !svg.contains("inf"));
}

#[test]
fn nested_containers_enclose_their_states() {
    let def = generated_machine(30);
    let g = layout(&def).expect("layout");
    let states = g.states();
    let mut depth_max = 0;
    for (i, s) in states.iter().enumerate() {
        let mut depth = 0;
        let mut p = s.parent;
        while let Some(q) = p {
            assert!(states[q].is_container);
            assert!(
                contains(&states[q].rect, &s.rect),
                "{} not inside {}",
                s.name,
                states[q].name
            );
            depth += 1;
            p = states[q].parent;
        }
        depth_max = depth_max.max(depth);
        let _ = i;
    }
    // Deep item is in a Map in a Parallel in a Map in a Parallel.
    assert_eq!(depth_max, 4);
    // Branches of a Parallel sit side by side.
    let find = |n: &str| {
        states
            .iter()
            .find(|s| s.name == n)
            .map(|s| s.rect)
            .expect(n)
    };
    let (a, b, c) = (find("A1 3"), find("B check 3"), find("Items 3"));
    assert!(a.right() <= b.x && b.right() <= c.x, "{a:?} {b:?} {c:?}");
}

#[test]
fn weird_names_are_escaped() {
    let weird = "a \"quoted\" <tag> & 'x' ünïcödé 🚀 \\n";
    let long = "A very long state name that goes on and on well past any reasonable width";
    let def = json!({
        "StartAt": weird,
        "States": {
            weird: {"Type": "Pass", "Next": long},
            long: {"Type": "Choice", "Choices": [{"Variable": "$.a<b", "StringEquals": "x&y\"z", "Next": "End"}], "Default": weird},
            "End": {"Type": "Succeed"}
        }
    });
    let g = layout(&def).expect("layout");
    let svg = svg_of(&g);
    well_formed(&svg).expect("well-formed");
    assert!(svg.contains(
        "data-state=\"a &quot;quoted&quot; &lt;tag&gt; &amp; &apos;x&apos; ünïcödé 🚀 \\n\""
    ));
    assert!(svg.contains("$.a&lt;b == &quot;x&amp;y\\&quot;z&quot;"));
    // Long names are cut in the box, whole in the title and data-state.
    assert!(svg.contains(&format!("<title>{long}</title>")));
    assert!(svg.contains(&format!("data-state=\"{long}\"")));
    assert!(svg.contains(">A very long state name that goe…</text>"));
    // A state named End is still a state; its end edge is told apart by its class.
    assert!(svg.contains("<g class=\"edge choice\" data-from=\"A very long"));
    assert!(svg.contains("<g class=\"edge end\" data-from=\"End\" data-to=\"End\">"));

    let dot = g.to_dot();
    assert!(dot.contains("a \\\"quoted\\\" <tag> & 'x' ünïcödé 🚀 \\\\n"));
    assert_balanced(&dot, '{', '}');
    let mermaid = g.to_mermaid();
    assert!(mermaid.contains("a #quot;quoted#quot; #lt;tag#gt; #amp; 'x' ünïcödé 🚀 \\n"));
    check_geometry(&g).expect("geometry");
}

/// Braces balance outside double-quoted strings (with backslash escapes).
fn assert_balanced(s: &str, open: char, close: char) {
    let mut depth = 0i64;
    let mut in_str = false;
    let mut escaped = false;
    for c in s.chars() {
        if in_str {
            match (escaped, c) {
                (true, _) => escaped = false,
                (false, '\\') => escaped = true,
                (false, '"') => in_str = false,
                _ => {}
            }
            continue;
        }
        if c == '"' {
            in_str = true;
        } else if c == open {
            depth += 1;
        } else if c == close {
            depth -= 1;
            assert!(depth >= 0, "unbalanced");
        }
    }
    assert!(!in_str, "unterminated string");
    assert_eq!(depth, 0, "unbalanced");
}

#[test]
fn dot_output() {
    let def = generated_machine(40);
    let g = layout(&def).expect("layout");
    let dot = g.to_dot();
    assert!(dot.starts_with("digraph workflow {"));
    assert_balanced(&dot, '{', '}');
    assert_balanced(&dot, '[', ']');
    for s in g.states() {
        assert!(
            dot.contains(&format!("\"{}\\n", s.name)),
            "{} missing",
            s.name
        );
    }
    assert!(dot.contains("subgraph cluster_n"));
    assert!(dot.contains("style=dashed"));
    assert!(dot.contains("compound=true"));
    // One DOT edge per graph edge, plus invisible edges for container entry and exit points.
    let visible = dot
        .lines()
        .filter(|l| l.contains(" -> ") && !l.contains("style=invis"))
        .count();
    assert_eq!(visible, g.edge_count());
}

#[test]
fn mermaid_output() {
    let def = generated_machine(40);
    let g = layout(&def).expect("layout");
    let m = g.to_mermaid();
    assert!(m.starts_with("flowchart TD\n"));
    let opens = m
        .lines()
        .filter(|l| l.trim_start().starts_with("subgraph "))
        .count();
    let ends = m.lines().filter(|l| l.trim() == "end").count();
    assert_eq!(opens, ends);
    assert!(opens > 0);
    for s in g.states() {
        assert!(
            m.contains(&format!("\"{}<br/>", s.name)),
            "{} missing",
            s.name
        );
    }
    assert!(m.contains("-.->|\"States.ALL\"|"));
    assert!(m.contains("==>|\"Default\"|"));
    let edges = m
        .lines()
        .filter(|l| l.contains("-->") || l.contains("-.->") || l.contains("==>"))
        .count();
    assert_eq!(edges, g.edge_count());
    // Quotes balance on every line.
    for line in m.lines() {
        assert_eq!(line.matches('"').count() % 2, 0, "{line}");
    }
}

#[test]
fn legacy_iterator_and_self_loop() {
    let def = json!({
        "StartAt": "Each",
        "States": {
            "Each": {"Type": "Map", "Iterator": {"StartAt": "Try", "States": {
                "Try": {"Type": "Task", "Resource": "arn:aws:lambda:us-east-1:123456789012:function:work",
                        "Catch": [{"ErrorEquals": ["Retryable"], "Next": "Try"}], "End": true}
            }}, "End": true}
        }
    });
    let g = layout(&def).expect("layout");
    assert_eq!(g.state_count(), 2);
    assert_eq!(g.edge_count(), 3);
    check_geometry(&g).expect("geometry");
    let svg = svg_of(&g);
    assert!(svg.contains("<g class=\"edge catch\" data-from=\"Try\" data-to=\"Try\">"));
    assert!(svg.contains(">Task · lambda:work</text>"));
    // The loop and its label stay inside the Map.
    let states = g.states();
    let map = states[0].rect;
    let e = g
        .edges()
        .into_iter()
        .find(|e| e.kind == EdgeKind::Catch)
        .expect("catch edge");
    for &(x, y) in &e.points {
        assert!(x >= map.x && x <= map.right() && y >= map.y && y <= map.bottom());
    }
}

#[test]
fn errors_say_what_is_wrong() {
    let msg = |v: Value| layout(&v).err().map(|e| e.to_string()).unwrap_or_default();
    assert_eq!(msg(json!({"StartAt": "A"})), "States is missing");
    assert_eq!(
        msg(json!({"States": {"A": {"Type": "Pass", "End": true}}})),
        "StartAt is missing"
    );
    assert_eq!(msg(json!([1, 2])), "the definition is not a JSON object");
    assert!(
        msg(json!({"StartAt": "B", "States": {"A": {"Type": "Pass", "End": true}}}))
            .contains("not in States")
    );
    assert!(msg(json!({"StartAt": "A", "States": {"A": {"End": true}}})).contains("has no Type"));
    let nested = msg(
        json!({"StartAt": "P", "States": {"P": {"Type": "Parallel", "End": true,
        "Branches": [{"StartAt": "X", "States": {"X": {"Type": "Pass", "End": true}}}, {"StartAt": "Y"}]}}}),
    );
    assert_eq!(nested, "state \"P\": Branches[1]: States is missing");
    // Odd but drawable: unknown targets are left out, not fatal.
    let g = layout(&json!({"StartAt": "A", "States": {"A": {"Type": "Pass", "Next": "Nowhere"}, "B": {"Type": "Fail"}}}))
        .expect("layout");
    assert_eq!(g.edge_count(), 2);
    check_geometry(&g).expect("geometry");
}

/// When Graphviz is installed, `dot` accepts the DOT output (generated and weird machines).
#[test]
fn graphviz_accepts_the_dot_output() {
    use std::io::Write;
    use std::process::{Command, Stdio};
    let weird = json!({"StartAt": "a\"b\\c<d>{e}", "States": {
        "a\"b\\c<d>{e}": {"Type": "Parallel", "Next": "x\ny", "Branches": [
            {"StartAt": "in", "States": {"in": {"Type": "Pass", "End": true}}}]},
        "x\ny": {"Type": "Choice", "Choices": [{"Variable": "$.a", "StringEquals": "q\"uote\\", "Next": "a\"b\\c<d>{e}"}], "Default": "z"},
        "z": {"Type": "Succeed"}}});
    for def in [generated_machine(60), weird] {
        let dot = layout(&def).expect("layout").to_dot();
        let child = Command::new("dot")
            .arg("-Tsvg")
            .stdin(Stdio::piped())
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .spawn();
        let Ok(mut child) = child else {
            missing_prerequisite("Graphviz `dot` is not installed");
            return;
        };
        if let Some(mut stdin) = child.stdin.take() {
            stdin.write_all(dot.as_bytes()).expect("write to dot");
        }
        let out = child.wait_with_output().expect("dot");
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert!(
            out.status.success() && !stderr.contains("rror"),
            "dot rejected:\n{stderr}\n{dot}"
        );
    }
}

/// Random machines (random targets, so many loops, self-loops, parallel edges and unreachable
/// states, with containers) from a fixed-seed generator: every one lays out cleanly.
#[test]
fn random_machines_lay_out_cleanly() {
    let mut seed: u64 = 0x9E37_79B9_7F4A_7C15;
    let mut rand = move |n: usize| {
        seed ^= seed << 13;
        seed ^= seed >> 7;
        seed ^= seed << 17;
        (seed % n as u64) as usize
    };
    fn machine(rand: &mut dyn FnMut(usize) -> usize, size: usize, depth: usize) -> Value {
        let names: Vec<String> = (0..size).map(|i| format!("S{depth}_{i}")).collect();
        let mut states = serde_json::Map::new();
        for name in &names {
            let target = |r: &mut dyn FnMut(usize) -> usize| json!(names[r(size)]);
            let state = match rand(9) {
                0 | 1 => {
                    json!({"Type": "Choice", "Choices": (0..1 + rand(3)).map(|k| json!({"Variable": "$.v", "NumericEquals": k, "Next": target(rand)})).collect::<Vec<_>>(), "Default": target(rand)})
                }
                2 => {
                    json!({"Type": "Task", "Resource": "arn:aws:states:::lambda:invoke", "Next": target(rand), "Catch": [{"ErrorEquals": ["States.ALL"], "Next": target(rand)}]})
                }
                3 => json!({"Type": "Fail"}),
                4 => json!({"Type": "Succeed"}),
                5 if depth < 2 => {
                    json!({"Type": "Parallel", "Next": target(rand), "Branches": (0..1 + rand(3)).map(|_| {
                    let n = 1 + rand(5);
                    machine(rand, n, depth + 1)
                }).collect::<Vec<_>>()})
                }
                6 if depth < 2 => json!({"Type": "Map", "End": true, "ItemProcessor": ({
                    let n = 1 + rand(6);
                    machine(rand, n, depth + 1)
                })}),
                _ => json!({"Type": "Pass", "Next": target(rand)}),
            };
            states.insert(name.clone(), state);
        }
        json!({"StartAt": names[rand(size)], "States": states})
    }
    for round in 0..150 {
        let size = 1 + rand(40);
        let def = machine(&mut rand, size, 0);
        let g = layout(&def).expect("layout");
        assert_eq!(g.state_count(), count_states(&def), "round {round}");
        assert_eq!(g.edge_count(), count_edges(&def, true), "round {round}");
        if let Err(e) = check_geometry(&g) {
            let _ = std::fs::write("/tmp/graph-random-failure.json", def.to_string());
            panic!("round {round}: {e}");
        }
        let svg = svg_of(&g);
        well_formed(&svg).expect("well-formed");
        assert_eq!(count(&svg, "<g class=\"edge "), g.edge_count());
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

//! Graphviz DOT output, for `dot -Tsvg` and friends.
//!
//! Nodes are `n0`, `n1`, ... (indices, so any name is safe); names only appear in quoted,
//! escaped labels. A container state is a cluster (`cluster_nID`) holding a frame cluster per
//! branch (`cluster_nID_bK`). Graphviz edges cannot end on a cluster, so each container has an
//! invisible entry point `nID_in` and exit point `nID_out` inside it, and edges to and from the
//! container are clipped at the cluster's border with `lhead`/`ltail` (`compound=true`).

use std::fmt::Write;

use crate::model::{EdgeKind, FlowId, Model, NodeKind};

/// `s` as the inside of a DOT double-quoted string. Backslashes are doubled so that no escape
/// sequence of Graphviz (`\n`, `\N`, `\G`, ...) is triggered by a name.
pub(crate) fn quote(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 2);
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' | '\r' => out.push_str("\\n"),
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

/// Where an edge attaches to a node: itself, or the entry/exit point of a container.
fn endpoint(model: &Model, id: usize, exit: bool) -> (String, Option<String>) {
    if model.nodes[id].is_container() {
        let point = if exit {
            format!("n{id}_out")
        } else {
            format!("n{id}_in")
        };
        (point, Some(format!("cluster_n{id}")))
    } else {
        (format!("n{id}"), None)
    }
}

pub(crate) fn render(model: &Model) -> String {
    let mut out = String::new();
    out.push_str("digraph workflow {\n");
    out.push_str("  graph [rankdir=TB, compound=true, fontname=\"Helvetica\", fontsize=11, nodesep=0.4, ranksep=0.45];\n");
    out.push_str("  node [shape=box, style=\"rounded,filled\", fillcolor=\"white\", color=\"#8d99a8\", fontname=\"Helvetica\", fontsize=11];\n");
    out.push_str("  edge [color=\"#7d8998\", fontname=\"Helvetica\", fontsize=9];\n");
    write_flow(&mut out, model, model.root(), 1);
    for edge in &model.edges {
        let (from, ltail) = endpoint(model, edge.from, true);
        let (to, lhead) = endpoint(model, edge.to, false);
        let mut attrs = vec![format!("class={}", quote(edge.kind.as_str()))];
        if let Some(label) = &edge.label {
            attrs.push(format!("label={}", quote(label)));
        }
        match edge.kind {
            EdgeKind::Catch => {
                attrs.push("style=dashed, color=\"#c0392b\", fontcolor=\"#a93226\"".to_string())
            }
            EdgeKind::Default => {
                attrs.push("style=bold, fontname=\"Helvetica-Oblique\"".to_string())
            }
            _ => {}
        }
        if let Some(t) = ltail {
            attrs.push(format!("ltail={t}"));
        }
        if let Some(h) = lhead {
            attrs.push(format!("lhead={h}"));
        }
        let _ = writeln!(out, "  {from} -> {to} [{}];", attrs.join(", "));
    }
    out.push_str("}\n");
    out
}

fn write_flow(out: &mut String, model: &Model, f: FlowId, depth: usize) {
    let Some(flow) = model.flows.get(f) else {
        return;
    };
    let pad = "  ".repeat(depth);
    for &id in &flow.nodes {
        let node = &model.nodes[id];
        match &node.kind {
            NodeKind::Terminal(t) => {
                let text = t.label();
                let _ = writeln!(
                    out,
                    "{pad}n{id} [label={}, shape=box, style=\"rounded,filled\", fillcolor=\"#e9edf2\"];",
                    quote(text)
                );
            }
            NodeKind::State(s) if s.flows.is_empty() => {
                let _ = writeln!(
                    out,
                    "{pad}n{id} [label={}, class={}];",
                    quote(&format!("{}\n{}", node.name, s.type_line)),
                    quote(&s.state_type)
                );
            }
            NodeKind::State(s) => {
                let _ = writeln!(out, "{pad}subgraph cluster_n{id} {{");
                let _ = writeln!(
                    out,
                    "{pad}  label={}; labeljust=l; style=\"rounded,filled\"; fillcolor=\"#f4f6f8\"; color=\"#8d99a8\";",
                    quote(&format!("{}\n{}", node.name, s.type_line))
                );
                let _ = writeln!(
                    out,
                    "{pad}  n{id}_in [shape=point, width=0.01, height=0.01, style=invis];"
                );
                for (k, &inner) in s.flows.iter().enumerate() {
                    let _ = writeln!(out, "{pad}  subgraph cluster_n{id}_b{k} {{");
                    let _ = writeln!(
                        out,
                        "{pad}    label=\"\"; style=\"dashed,filled\"; fillcolor=\"white\"; color=\"#b6bec9\";"
                    );
                    write_flow(out, model, inner, depth + 2);
                    let _ = writeln!(out, "{pad}  }}");
                }
                let _ = writeln!(
                    out,
                    "{pad}  n{id}_out [shape=point, width=0.01, height=0.01, style=invis];"
                );
                let _ = writeln!(out, "{pad}}}");
                // Invisible edges keep the branches between the entry and exit points.
                for &inner in &s.flows {
                    let Some(flow) = model.flows.get(inner) else {
                        continue;
                    };
                    if let Some(start) = flow.start {
                        let (to, lhead) = endpoint(model, start, false);
                        let lhead = lhead.map(|h| format!(", lhead={h}")).unwrap_or_default();
                        let _ = writeln!(out, "{pad}n{id}_in -> {to} [style=invis{lhead}];");
                    }
                    for &n in &flow.nodes {
                        if !flow.edges.iter().any(|&e| model.edges[e].from == n) {
                            let (from, ltail) = endpoint(model, n, true);
                            let ltail = ltail.map(|t| format!(", ltail={t}")).unwrap_or_default();
                            let _ = writeln!(out, "{pad}{from} -> n{id}_out [style=invis{ltail}];");
                        }
                    }
                }
            }
        }
    }
}

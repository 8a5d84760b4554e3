//! Mermaid flowchart output, for Markdown renderers (GitHub, GitLab, docs sites).
//!
//! Node ids are `s0`, `s1`, ... (indices), names only appear in quoted labels, where `"`, `<`,
//! `>`, `&` and `#` become Mermaid entity codes. A container state is a `subgraph` with the
//! container's id, so edges to and from the container attach to the subgraph; a Parallel has a
//! nested subgraph per branch. Catch edges are dotted (`-.->`).

use std::fmt::Write;

use crate::model::{EdgeKind, FlowId, Model, NodeKind};

/// `s` as a quoted Mermaid label.
pub(crate) fn quote(s: &str) -> String {
    format!("\"{}\"", escape(s))
}

/// `s` with the characters that Mermaid would read as syntax replaced by entity codes.
fn escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '"' => out.push_str("#quot;"),
            '<' => out.push_str("#lt;"),
            '>' => out.push_str("#gt;"),
            '&' => out.push_str("#amp;"),
            '#' => out.push_str("#35;"),
            '|' => out.push_str("#124;"),
            '\n' | '\r' => out.push(' '),
            c => out.push(c),
        }
    }
    out
}

pub(crate) fn render(model: &Model) -> String {
    let mut out = String::from("flowchart TD\n");
    write_flow(&mut out, model, model.root(), 1);
    for edge in &model.edges {
        let arrow = match edge.kind {
            EdgeKind::Catch => "-.->",
            EdgeKind::Default => "==>",
            _ => "-->",
        };
        match &edge.label {
            Some(label) => {
                let _ = writeln!(
                    out,
                    "  s{} {arrow}|{}| s{}",
                    edge.from,
                    quote(label),
                    edge.to
                );
            }
            None => {
                let _ = writeln!(out, "  s{} {arrow} s{}", edge.from, edge.to);
            }
        }
    }
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
                let _ = writeln!(out, "{pad}s{id}([{}])", quote(text));
            }
            NodeKind::State(s) if s.flows.is_empty() => {
                let _ = writeln!(out, "{pad}s{id}[{}]", label(&node.name, &s.type_line));
            }
            NodeKind::State(s) => {
                let _ = writeln!(
                    out,
                    "{pad}subgraph s{id} [{}]",
                    label(&node.name, &s.type_line)
                );
                if s.is_map || s.flows.len() == 1 {
                    for &inner in &s.flows {
                        write_flow(out, model, inner, depth + 1);
                    }
                } else {
                    for (k, &inner) in s.flows.iter().enumerate() {
                        let _ = writeln!(
                            out,
                            "{pad}  subgraph s{id}_b{k} [{}]",
                            quote(&format!("Branch {}", k + 1))
                        );
                        write_flow(out, model, inner, depth + 2);
                        let _ = writeln!(out, "{pad}  end");
                    }
                }
                let _ = writeln!(out, "{pad}end");
            }
        }
    }
}

/// A two-line label: name, then type.
fn label(name: &str, type_line: &str) -> String {
    format!("\"{}<br/>{}\"", escape(name), escape(type_line))
}

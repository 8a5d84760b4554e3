//! The SVG rendering, whose structure is a contract with the console (see the crate docs).
//!
//! Every colour and dash is a presentation attribute, so the drawing looks right on its own,
//! and any stylesheet overrides it (CSS rules win over presentation attributes). States come
//! first, container before its children, then edges, so edges and labels are never hidden by a
//! container's background. State groups are siblings, never nested, so a class set on a
//! container's group does not style the states inside it.

use std::fmt::Write;

use crate::layout::{self, branch_frame};
use crate::model::{EdgeKind, FlowId, Model, Node, NodeKind, Seg, Terminal};
use crate::text::{num, xml_escape};
use crate::SvgOptions;

/// The stylesheet of standalone output (`SvgOptions::standalone_style`).
const STANDALONE_STYLE: &str = "\
.workflow-graph{font-family:-apple-system,BlinkMacSystemFont,\"Segoe UI\",Helvetica,Arial,sans-serif}\
.workflow-graph .background{fill:#fff}\
.workflow-graph .state .box{fill:#fff;stroke:#8d99a8}\
.workflow-graph .state.container .box{fill:#f4f6f8;stroke:#8d99a8}\
.workflow-graph .branch{fill:#fff;stroke:#b6bec9;stroke-dasharray:4 3}\
.workflow-graph .name{fill:#16191f}\
.workflow-graph .type,.workflow-graph .status{fill:#5f6b7a}\
.workflow-graph .terminal-box{fill:#e9edf2;stroke:#8d99a8}\
.workflow-graph .edge .line{stroke:#7d8998;fill:none}\
.workflow-graph .edge.catch .line{stroke:#c0392b;stroke-dasharray:5 4}\
.workflow-graph .edge.default .line{stroke:#5f6b7a}\
.workflow-graph .edge.default .label{font-style:italic}\
.workflow-graph .label{fill:#414d5c}\
.workflow-graph .edge.catch .label{fill:#a93226}\
.workflow-graph .label-bg{fill:#fff;fill-opacity:.92}";

pub(crate) fn render(model: &Model, width: f64, height: f64, options: &SvgOptions) -> String {
    let mut out = String::with_capacity(512 + model.nodes.len() * 600 + model.edges.len() * 400);
    let (w, h) = (num(width), num(height));
    let _ = write!(
        out,
        "<svg xmlns=\"http://www.w3.org/2000/svg\" class=\"workflow-graph\" viewBox=\"0 0 {w} {h}\" width=\"{w}\" height=\"{h}\" font-family=\"sans-serif\">"
    );
    out.push_str(
        "<defs><marker id=\"wf-arrow\" viewBox=\"0 0 10 10\" refX=\"10\" refY=\"5\" markerWidth=\"9\" markerHeight=\"9\" markerUnits=\"userSpaceOnUse\" orient=\"auto\"><path class=\"arrowhead\" d=\"M0,1L10,5L0,9z\" fill=\"context-stroke\"/></marker></defs>",
    );
    if options.standalone_style {
        let _ = write!(
            out,
            "<style>{STANDALONE_STYLE}</style><rect class=\"background\" width=\"{w}\" height=\"{h}\" fill=\"#fff\"/>"
        );
    }
    write_flow(&mut out, model, model.root());
    for edge in &model.edges {
        write_edge(&mut out, model, edge);
    }
    out.push_str("</svg>");
    out
}

fn write_flow(out: &mut String, model: &Model, f: FlowId) {
    let Some(flow) = model.flows.get(f) else {
        return;
    };
    for &id in &flow.nodes {
        let node = &model.nodes[id];
        match &node.kind {
            NodeKind::Terminal(t) => write_terminal(out, node, *t),
            NodeKind::State(s) if s.flows.is_empty() => write_state(out, node),
            NodeKind::State(s) => {
                write_container(out, model, node);
                for &inner in &s.flows {
                    write_flow(out, model, inner);
                }
            }
        }
    }
}

fn write_terminal(out: &mut String, node: &Node, t: Terminal) {
    let r = &node.rect;
    let (which, text) = match t {
        Terminal::Start => ("start", "Start"),
        Terminal::End => ("end", "End"),
    };
    let _ = write!(
        out,
        "<g class=\"terminal\" data-terminal=\"{which}\"><rect class=\"terminal-box\" x=\"{}\" y=\"{}\" width=\"{}\" height=\"{}\" rx=\"{}\" fill=\"#e9edf2\" stroke=\"#8d99a8\"/><text class=\"terminal-label\" x=\"{}\" y=\"{}\" text-anchor=\"middle\" font-size=\"12\" fill=\"#16191f\">{text}</text></g>",
        num(r.x),
        num(r.y),
        num(r.width),
        num(r.height),
        num(r.height / 2.0),
        num(r.center_x()),
        num(r.y + r.height / 2.0 + 4.0),
    );
}

fn open_state(out: &mut String, node: &Node, class: &str) {
    let Some(s) = node.state() else {
        return;
    };
    let _ = write!(
        out,
        "<g class=\"{class}\" data-state=\"{}\" data-type=\"{}\"{}><title>{}</title>",
        xml_escape(&node.name),
        xml_escape(&s.state_type),
        if s.is_map { " data-map=\"true\"" } else { "" },
        xml_escape(&node.name),
    );
}

fn write_state(out: &mut String, node: &Node) {
    let Some(s) = node.state() else {
        return;
    };
    let r = &node.rect;
    open_state(out, node, "state");
    let _ = write!(
        out,
        "<rect class=\"box\" x=\"{}\" y=\"{}\" width=\"{}\" height=\"{}\" rx=\"6\" fill=\"#fff\" stroke=\"#8d99a8\"/>\
<text class=\"name\" x=\"{cx}\" y=\"{}\" text-anchor=\"middle\" font-size=\"{}\" fill=\"#16191f\">{}</text>\
<text class=\"type\" x=\"{cx}\" y=\"{}\" text-anchor=\"middle\" font-size=\"{}\" fill=\"#5f6b7a\">{}</text>\
<text class=\"status\" x=\"{}\" y=\"{}\" text-anchor=\"end\" font-size=\"{}\" fill=\"#5f6b7a\"></text></g>",
        num(r.x),
        num(r.y),
        num(r.width),
        num(r.height),
        num(r.y + 21.0),
        num(layout::NAME_FONT),
        xml_escape(&layout::display_name(&node.name)),
        num(r.y + 36.0),
        num(layout::TYPE_FONT),
        xml_escape(&layout::display_type(&s.type_line)),
        num(r.right() - 6.0),
        num(r.bottom() - 4.0),
        num(layout::STATUS_FONT),
        cx = num(r.center_x()),
    );
}

fn write_container(out: &mut String, model: &Model, node: &Node) {
    let Some(s) = node.state() else {
        return;
    };
    let r = &node.rect;
    open_state(out, node, "state container");
    let _ = write!(
        out,
        "<rect class=\"box\" x=\"{}\" y=\"{}\" width=\"{}\" height=\"{}\" rx=\"8\" fill=\"#f4f6f8\" stroke=\"#8d99a8\"/>",
        num(r.x),
        num(r.y),
        num(r.width),
        num(r.height),
    );
    for &f in &s.flows {
        if let Some(flow) = model.flows.get(f) {
            let b = branch_frame(r, &flow.rect);
            let _ = write!(
                out,
                "<rect class=\"branch\" x=\"{}\" y=\"{}\" width=\"{}\" height=\"{}\" rx=\"6\" fill=\"#fff\" stroke=\"#b6bec9\" stroke-dasharray=\"4 3\"/>",
                num(b.x),
                num(b.y),
                num(b.width),
                num(b.height),
            );
        }
    }
    let _ = write!(
        out,
        "<text class=\"name\" x=\"{x}\" y=\"{}\" font-size=\"{}\" font-weight=\"600\" fill=\"#16191f\">{}</text>\
<text class=\"type\" x=\"{x}\" y=\"{}\" font-size=\"{}\" fill=\"#5f6b7a\">{}</text>\
<text class=\"status\" x=\"{}\" y=\"{}\" text-anchor=\"end\" font-size=\"{}\" fill=\"#5f6b7a\"></text></g>",
        num(r.y + 19.0),
        num(layout::NAME_FONT),
        xml_escape(&layout::display_name(&node.name)),
        num(r.y + 34.0),
        num(layout::TYPE_FONT),
        xml_escape(&layout::display_type(&s.type_line)),
        num(r.right() - 10.0),
        num(r.y + 19.0),
        num(layout::STATUS_FONT),
        x = num(r.x + layout::CONTAINER_PAD),
    );
}

fn write_edge(out: &mut String, model: &Model, edge: &crate::model::Edge) {
    let from = match edge.kind {
        EdgeKind::Start => "",
        _ => model.nodes[edge.from].name.as_str(),
    };
    let to = match edge.kind {
        EdgeKind::End => "End",
        _ => model.nodes[edge.to].name.as_str(),
    };
    let kind = edge.kind.as_str();
    let _ = write!(
        out,
        "<g class=\"edge {kind}\" data-from=\"{}\" data-to=\"{}\">",
        xml_escape(from),
        xml_escape(to)
    );
    if let Some(label) = &edge.label {
        let _ = write!(out, "<title>{}</title>", xml_escape(label));
    }
    let mut d = format!("M{},{}", num(edge.path.start.x), num(edge.path.start.y));
    for seg in &edge.path.segs {
        match seg {
            Seg::Line(p) => {
                let _ = write!(d, "L{},{}", num(p.x), num(p.y));
            }
            Seg::Cubic(a, b, p) => {
                let _ = write!(
                    d,
                    "C{},{} {},{} {},{}",
                    num(a.x),
                    num(a.y),
                    num(b.x),
                    num(b.y),
                    num(p.x),
                    num(p.y)
                );
            }
        }
    }
    let (stroke, dash) = match edge.kind {
        EdgeKind::Catch => ("#c0392b", " stroke-dasharray=\"5 4\""),
        _ => ("#7d8998", ""),
    };
    let _ = write!(
        out,
        "<path class=\"line\" d=\"{d}\" fill=\"none\" stroke=\"{stroke}\" stroke-width=\"1.3\"{dash} marker-end=\"url(#wf-arrow)\"/>"
    );
    if let (Some(label), Some(at)) = (&edge.label, edge.label_at) {
        let shown = layout::display_label(label);
        let b = layout::label_box(label, at);
        let style = if edge.kind == EdgeKind::Default {
            " font-style=\"italic\""
        } else {
            ""
        };
        let fill = if edge.kind == EdgeKind::Catch {
            "#a93226"
        } else {
            "#414d5c"
        };
        let _ = write!(
            out,
            "<rect class=\"label-bg\" x=\"{}\" y=\"{}\" width=\"{}\" height=\"{}\" rx=\"3\" fill=\"#fff\" fill-opacity=\"0.92\"/>\
<text class=\"label\" x=\"{}\" y=\"{}\" text-anchor=\"middle\" font-size=\"{}\" fill=\"{fill}\"{style}>{}</text>",
            num(b.x),
            num(b.y),
            num(b.width),
            num(b.height),
            num(at.x),
            num(at.y + 3.8),
            num(layout::LABEL_FONT),
            xml_escape(&shown),
        );
    }
    out.push_str("</g>");
}

//! Layout of a whole [`Model`]: containers inside out.
//!
//! Each flow is laid out on its own by the layered layout in [`layered`]. A container state
//! (Parallel, Map) is laid out first from the inside: its inner flows are laid out, framed and
//! set side by side under a header, and the container then takes part in its parent flow as one
//! node of that size. A last pass moves every flow from its local coordinates to absolute ones.
//!
//! The sizes of text here are shared with the SVG writer, which draws the same strings.

mod layered;
mod order;
mod position;
mod rank;
mod route;

use std::collections::HashMap;

use crate::model::{FlowId, Model, NodeKind, Point, Rect};
use crate::text;

use layered::{LayoutEdge, LayoutNode};

pub(crate) const MARGIN: f64 = 16.0;
pub(crate) const STATE_H: f64 = 52.0;
const STATE_MIN_W: f64 = 150.0;
const STATE_MAX_W: f64 = 290.0;
pub(crate) const TERMINAL_W: f64 = 72.0;
pub(crate) const TERMINAL_H: f64 = 30.0;
pub(crate) const NAME_FONT: f64 = 13.0;
pub(crate) const TYPE_FONT: f64 = 10.5;
pub(crate) const LABEL_FONT: f64 = 11.0;
pub(crate) const STATUS_FONT: f64 = 9.0;
pub(crate) const LABEL_H: f64 = 16.0;
pub(crate) const LABEL_PAD_X: f64 = 5.0;
/// Height of a container's header (name and type).
pub(crate) const HEADER_H: f64 = 44.0;
/// Padding inside a container, around its branch frames.
pub(crate) const CONTAINER_PAD: f64 = 12.0;
/// Padding inside a branch frame, around the branch's flow.
pub(crate) const BRANCH_PAD: f64 = 12.0;
const BRANCH_GAP: f64 = 14.0;
const CONTAINER_MIN_W: f64 = 180.0;

const NAME_MAX_CHARS: usize = 32;
const TYPE_MAX_CHARS: usize = 40;
const LABEL_MAX_CHARS: usize = 44;

/// A state's name as drawn: long names end with an ellipsis.
pub(crate) fn display_name(name: &str) -> String {
    text::truncate(name, NAME_MAX_CHARS)
}

pub(crate) fn display_type(type_line: &str) -> String {
    text::truncate(type_line, TYPE_MAX_CHARS)
}

pub(crate) fn display_label(label: &str) -> String {
    text::truncate(label, LABEL_MAX_CHARS)
}

fn label_size(label: &str) -> (f64, f64) {
    (
        text::width(&display_label(label), LABEL_FONT) + 2.0 * LABEL_PAD_X,
        LABEL_H,
    )
}

/// The background box of `label` drawn centred on `at`.
pub(crate) fn label_box(label: &str, at: Point) -> Rect {
    let (w, h) = label_size(label);
    Rect {
        x: at.x - w / 2.0,
        y: at.y - h / 2.0,
        width: w,
        height: h,
    }
}

/// Lays out `model` and returns the size of the drawing, margins included.
pub(crate) fn run(model: &mut Model) -> (f64, f64) {
    let mut offsets = vec![Point::default(); model.flows.len()];
    let root = model.root();
    let (w, h) = lay_flow(model, root, &mut offsets);
    place(model, root, Point::new(MARGIN, MARGIN), &offsets);
    (w + 2.0 * MARGIN, h + 2.0 * MARGIN)
}

/// Lays out flow `f` in its own coordinates; records where each inner flow sits in its
/// container in `offsets`. Returns the flow's size.
fn lay_flow(model: &mut Model, f: FlowId, offsets: &mut Vec<Point>) -> (f64, f64) {
    let ids = model.flows[f].nodes.clone();
    let mut local: HashMap<usize, usize> = HashMap::with_capacity(ids.len());
    let mut nodes = Vec::with_capacity(ids.len());
    for (i, &id) in ids.iter().enumerate() {
        local.insert(id, i);
        let (w, h) = node_size(model, id, offsets);
        nodes.push(LayoutNode { w, h });
    }
    let edge_ids = model.flows[f].edges.clone();
    let edges: Vec<LayoutEdge> = edge_ids
        .iter()
        .map(|&e| {
            let edge = &model.edges[e];
            LayoutEdge {
                from: local.get(&edge.from).copied().unwrap_or(usize::MAX),
                to: local.get(&edge.to).copied().unwrap_or(usize::MAX),
                label: edge.label.as_deref().map(label_size),
            }
        })
        .collect();
    let start = model.flows[f].start.and_then(|s| local.get(&s).copied());
    let result = layered::layered(&nodes, &edges, start);
    for (i, &id) in ids.iter().enumerate() {
        model.nodes[id].rect = result.boxes[i];
    }
    for (k, &e) in edge_ids.iter().enumerate() {
        model.edges[e].path = result.paths[k].clone();
        model.edges[e].label_at = result.labels[k];
    }
    model.flows[f].rect = Rect {
        x: 0.0,
        y: 0.0,
        width: result.width,
        height: result.height,
    };
    (result.width, result.height)
}

fn node_size(model: &mut Model, id: usize, offsets: &mut Vec<Point>) -> (f64, f64) {
    let node = &model.nodes[id];
    let state = match &node.kind {
        NodeKind::Terminal(_) => return (TERMINAL_W, TERMINAL_H),
        NodeKind::State(s) => s,
    };
    let name_w = text::width(&display_name(&node.name), NAME_FONT);
    let type_w = text::width(&display_type(&state.type_line), TYPE_FONT);
    if state.flows.is_empty() {
        let w = (name_w.max(type_w) + 32.0).clamp(STATE_MIN_W, STATE_MAX_W);
        return (w, STATE_H);
    }
    // A container: its inner flows side by side, each in a frame, under a header.
    let header_w = name_w.max(type_w) + 2.0 * CONTAINER_PAD + 64.0;
    let flows = state.flows.clone();
    let sizes: Vec<(f64, f64)> = flows.iter().map(|&f| lay_flow(model, f, offsets)).collect();
    let content_w = sizes.iter().map(|s| s.0 + 2.0 * BRANCH_PAD).sum::<f64>()
        + BRANCH_GAP * sizes.len().saturating_sub(1) as f64;
    let frame_h = sizes.iter().map(|s| s.1).fold(0.0, f64::max) + 2.0 * BRANCH_PAD;
    let w = (content_w + 2.0 * CONTAINER_PAD)
        .max(header_w)
        .max(CONTAINER_MIN_W);
    let mut x = (w - content_w) / 2.0;
    for (&f, &(fw, _)) in flows.iter().zip(&sizes) {
        if let Some(o) = offsets.get_mut(f) {
            *o = Point::new(x + BRANCH_PAD, HEADER_H + BRANCH_PAD);
        }
        x += fw + 2.0 * BRANCH_PAD + BRANCH_GAP;
    }
    (w, HEADER_H + frame_h + CONTAINER_PAD)
}

/// The frame drawn around an inner flow of a container (a Parallel branch, a Map body): the
/// flow's area plus padding, as tall as the container's tallest frame.
pub(crate) fn branch_frame(container: &Rect, flow: &Rect) -> Rect {
    Rect {
        x: flow.x - BRANCH_PAD,
        y: container.y + HEADER_H,
        width: flow.width + 2.0 * BRANCH_PAD,
        height: container.height - HEADER_H - CONTAINER_PAD,
    }
}

/// Moves flow `f`, laid out at (0, 0), to `origin`, and its inner flows into their containers.
fn place(model: &mut Model, f: FlowId, origin: Point, offsets: &[Point]) {
    let flow = &mut model.flows[f];
    flow.rect.x += origin.x;
    flow.rect.y += origin.y;
    let ids = flow.nodes.clone();
    let edge_ids = flow.edges.clone();
    for id in ids {
        let node = &mut model.nodes[id];
        node.rect.x += origin.x;
        node.rect.y += origin.y;
        let at = Point::new(node.rect.x, node.rect.y);
        let inner = match &node.kind {
            NodeKind::State(s) => s.flows.clone(),
            NodeKind::Terminal(_) => Vec::new(),
        };
        for g in inner {
            let o = offsets.get(g).copied().unwrap_or_default();
            place(model, g, Point::new(at.x + o.x, at.y + o.y), offsets);
        }
    }
    for e in edge_ids {
        let edge = &mut model.edges[e];
        edge.path.translate(origin.x, origin.y);
        if let Some(p) = &mut edge.label_at {
            p.x += origin.x;
            p.y += origin.y;
        }
    }
}

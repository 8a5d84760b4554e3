//! A layered (Sugiyama-style) layout of one flow: nodes of given sizes and directed edges in,
//! boxes and edge paths out.
//!
//! The steps, each in its own module: [`rank`](super::rank) breaks cycles and ranks the nodes,
//! this module turns the ranked graph into layers with a dummy vertex wherever an edge crosses
//! a layer, [`order`](super::order) reduces crossings, [`position`](super::position) assigns x
//! and y, and [`route`](super::route) draws the edges through their dummies.
//!
//! Ranks are doubled: nodes sit on even layers and every edge crosses at least one odd layer.
//! The odd layers hold the edge labels as dummies of the label's size, so a label takes real
//! room in the layout and overlaps neither a box nor another label. A label sits next to the
//! edge's source (where a Choice rule or a catcher is read), also on edges drawn reversed.

use crate::model::{Path, Point, Rect};

use super::{order, position, rank, route};

/// A node to lay out: its box size, and the room its self-loops need on each side.
#[derive(Debug, Clone, Copy)]
pub(crate) struct LayoutNode {
    pub w: f64,
    pub h: f64,
}

/// An edge to lay out, with the size of its label if it has one.
#[derive(Debug, Clone, Copy)]
pub(crate) struct LayoutEdge {
    pub from: usize,
    pub to: usize,
    pub label: Option<(f64, f64)>,
}

/// The layout of one flow, with its origin at (0, 0).
#[derive(Debug, Clone, Default)]
pub(crate) struct LayoutResult {
    pub boxes: Vec<Rect>,
    pub paths: Vec<Path>,
    pub labels: Vec<Option<Point>>,
    pub width: f64,
    pub height: f64,
}

/// A vertex of the layered graph: a node of the flow (`real`) or a dummy on a long edge.
#[derive(Debug, Clone)]
pub(crate) struct Vert {
    pub layer: usize,
    /// Width taken in the layer (a node's box plus its self-loops, a label, or 0).
    pub w: f64,
    pub h: f64,
    pub real: bool,
    /// Centre, once positioned.
    pub x: f64,
}

/// The layered graph shared by the ordering, positioning and routing steps.
#[derive(Debug, Clone, Default)]
pub(crate) struct Layered {
    pub verts: Vec<Vert>,
    /// Vertices of each layer, left to right.
    pub layers: Vec<Vec<usize>>,
    /// Neighbours on the layer above, with the weight of the segment.
    pub up: Vec<Vec<(usize, f64)>>,
    /// Neighbours on the layer below, with the weight of the segment.
    pub down: Vec<Vec<(usize, f64)>>,
    /// Top and height of each layer, once positioned.
    pub layer_top: Vec<f64>,
    pub layer_h: Vec<f64>,
}

impl Layered {
    pub fn layer_bottom(&self, l: usize) -> f64 {
        self.layer_top[l] + self.layer_h[l]
    }
}

/// One edge through the layers: its vertices from the upper end to the lower end.
#[derive(Debug, Clone)]
pub(crate) struct Chain {
    pub verts: Vec<usize>,
    /// Laid out from `to` down to `from`; the path is turned round at the end.
    pub reversed: bool,
    /// The dummy holding the label.
    pub label: Option<usize>,
}

/// Room on each side of a box for self-loops, given the widths of their labels.
pub(crate) fn self_loop_room(label_widths: &[f64]) -> f64 {
    label_widths
        .iter()
        .enumerate()
        .map(|(k, lw)| route::loop_reach(k) + 6.0 + lw)
        .fold(0.0, f64::max)
}

pub(crate) fn layered(
    nodes: &[LayoutNode],
    edges: &[LayoutEdge],
    start: Option<usize>,
) -> LayoutResult {
    let n = nodes.len();
    if n == 0 {
        return LayoutResult {
            paths: vec![Path::default(); edges.len()],
            labels: vec![None; edges.len()],
            ..LayoutResult::default()
        };
    }
    let start = start.filter(|&s| s < n);
    let valid = |e: &LayoutEdge| e.from < n && e.to < n;

    // Self-loops stay out of the layering; they widen their node instead.
    let mut loop_labels: Vec<Vec<f64>> = vec![Vec::new(); n];
    for e in edges.iter().filter(|e| valid(e) && e.from == e.to) {
        loop_labels[e.from].push(e.label.map_or(0.0, |l| l.0));
    }
    let layered_edges: Vec<usize> = (0..edges.len())
        .filter(|&i| valid(&edges[i]) && edges[i].from != edges[i].to)
        .collect();
    let pairs: Vec<(usize, usize)> = layered_edges
        .iter()
        .map(|&i| (edges[i].from, edges[i].to))
        .collect();
    let reversed = rank::back_edges(n, &pairs, start);
    let dag: Vec<(usize, usize)> = pairs
        .iter()
        .zip(&reversed)
        .map(|(&(a, b), &r)| if r { (b, a) } else { (a, b) })
        .collect();
    let ranks = rank::ranks(n, &dag, start);

    let mut g = Layered::default();
    let max_rank = ranks.iter().copied().max().unwrap_or(0);
    g.layers = vec![Vec::new(); 2 * max_rank + 1];
    for (v, node) in nodes.iter().enumerate() {
        let room = self_loop_room(&loop_labels[v]);
        g.verts.push(Vert {
            layer: 2 * ranks[v],
            w: node.w + 2.0 * room,
            h: node.h,
            real: true,
            x: 0.0,
        });
    }
    let mut chains: Vec<Chain> = Vec::with_capacity(layered_edges.len());
    for (k, &(a, b)) in dag.iter().enumerate() {
        let e = &edges[layered_edges[k]];
        let (la, lb) = (2 * ranks[a], 2 * ranks[b]);
        let label_layer = if reversed[k] {
            lb.saturating_sub(1)
        } else {
            la + 1
        };
        let mut verts = vec![a];
        let mut label = None;
        for l in la + 1..lb {
            let (w, h) = match e.label {
                Some(size) if l == label_layer => size,
                _ => (0.0, 0.0),
            };
            let d = g.verts.len();
            g.verts.push(Vert {
                layer: l,
                w,
                h,
                real: false,
                x: 0.0,
            });
            if l == label_layer && e.label.is_some() {
                label = Some(d);
            }
            verts.push(d);
        }
        verts.push(b);
        chains.push(Chain {
            verts,
            reversed: reversed[k],
            label,
        });
    }
    let nv = g.verts.len();
    g.up = vec![Vec::new(); nv];
    g.down = vec![Vec::new(); nv];
    for c in &chains {
        for w in c.verts.windows(2) {
            let (u, v) = (w[0], w[1]);
            let weight = match (g.verts[u].real, g.verts[v].real) {
                (false, false) => 8.0,
                (true, true) => 1.0,
                _ => 2.0,
            };
            g.down[u].push((v, weight));
            g.up[v].push((u, weight));
        }
    }

    order::order(&mut g, start);
    position::assign_x(&mut g);
    position::assign_y(&mut g);

    let mut result = LayoutResult {
        boxes: vec![Rect::default(); n],
        paths: vec![Path::default(); edges.len()],
        labels: vec![None; edges.len()],
        width: 0.0,
        height: 0.0,
    };
    for (v, node) in nodes.iter().enumerate() {
        let vert = &g.verts[v];
        let l = vert.layer;
        result.boxes[v] = Rect {
            x: vert.x - node.w / 2.0,
            y: g.layer_top[l] + (g.layer_h[l] - node.h) / 2.0,
            width: node.w,
            height: node.h,
        };
    }
    let routes = route::route(&g, &chains, &result.boxes);
    for (k, &i) in layered_edges.iter().enumerate() {
        result.paths[i] = routes[k].clone();
        result.labels[i] = chains[k].label.map(|d| {
            let l = g.verts[d].layer;
            Point::new(g.verts[d].x, g.layer_top[l] + g.layer_h[l] / 2.0)
        });
    }
    let mut loop_count = vec![0usize; n];
    for (i, e) in edges.iter().enumerate() {
        if valid(e) && e.from == e.to {
            let k = loop_count[e.from];
            loop_count[e.from] += 1;
            let (path, label_at) =
                route::self_loop(&result.boxes[e.from], k, e.label.map_or(0.0, |l| l.0));
            result.paths[i] = path;
            result.labels[i] = e.label.map(|_| label_at);
        }
    }
    result.width = g.verts.iter().map(|v| v.x + v.w / 2.0).fold(0.0, f64::max);
    result.height =
        g.layer_top.last().copied().unwrap_or(0.0) + g.layer_h.last().copied().unwrap_or(0.0);
    result
}

//! Layering, step 5: edge paths.
//!
//! An edge leaves its source through a port on the bottom side and enters its target through
//! a port on the top side; when a box has several edges on one side, the ports are spread
//! along it in the left-to-right order of where the edges go, so arrowheads do not pile up.
//! Between two layers a path is a cubic curve with vertical tangents; across a layer it runs
//! straight down at its dummy's x, in room the ordering and positioning reserved for it. No
//! path therefore crosses a box: curves stay in the free band between layers, straight runs
//! stay in their slot. Edges laid out reversed (back edges of loops) are routed the same way
//! and turned round, so they climb beside the flow and enter their target from below.

use crate::model::{Path, Point, Rect, Seg};

use super::layered::{Chain, Layered};

/// Largest distance between two ports on one side of a box.
const PORT_SPACING: f64 = 16.0;

pub(crate) fn route(g: &Layered, chains: &[Chain], boxes: &[Rect]) -> Vec<Path> {
    let n = boxes.len();
    // (chain, x of the other end) per real vertex, for its bottom and top sides.
    let mut bottom: Vec<Vec<(usize, f64)>> = vec![Vec::new(); n];
    let mut top: Vec<Vec<(usize, f64)>> = vec![Vec::new(); n];
    for (c, chain) in chains.iter().enumerate() {
        let k = chain.verts.len();
        if k < 2 {
            continue;
        }
        let (u, v) = (chain.verts[0], chain.verts[k - 1]);
        if u < n {
            bottom[u].push((c, g.verts[chain.verts[1]].x));
        }
        if v < n {
            top[v].push((c, g.verts[chain.verts[k - 2]].x));
        }
    }
    let mut out_port = vec![0.0; chains.len()];
    let mut in_port = vec![0.0; chains.len()];
    for v in 0..n {
        spread(&mut bottom[v], &boxes[v], &mut out_port);
        spread(&mut top[v], &boxes[v], &mut in_port);
    }

    chains
        .iter()
        .enumerate()
        .map(|(c, chain)| {
            let k = chain.verts.len();
            if k < 2 || chain.verts[0] >= n || chain.verts[k - 1] >= n {
                return Path::default();
            }
            let (u, v) = (chain.verts[0], chain.verts[k - 1]);
            let mut pts = Vec::with_capacity(2 * k + 2);
            pts.push(Point::new(out_port[c], boxes[u].bottom()));
            pts.push(Point::new(out_port[c], g.layer_bottom(g.verts[u].layer)));
            for &d in &chain.verts[1..k - 1] {
                let l = g.verts[d].layer;
                pts.push(Point::new(g.verts[d].x, g.layer_top[l]));
                pts.push(Point::new(g.verts[d].x, g.layer_bottom(l)));
            }
            pts.push(Point::new(in_port[c], g.layer_top[g.verts[v].layer]));
            pts.push(Point::new(in_port[c], boxes[v].y));
            pts.dedup_by(|a, b| (a.x - b.x).abs() < 0.01 && (a.y - b.y).abs() < 0.01);
            if chain.reversed {
                pts.reverse();
            }
            to_path(&pts)
        })
        .collect()
}

/// Assigns the ports of one side of `b`, ordered by where their edges go.
fn spread(side: &mut [(usize, f64)], b: &Rect, ports: &mut [f64]) {
    side.sort_by(|a, b| a.1.total_cmp(&b.1).then(a.0.cmp(&b.0)));
    let k = side.len();
    if k == 0 {
        return;
    }
    let spacing = if k > 1 {
        PORT_SPACING.min((b.width - 24.0).max(0.0) / (k - 1) as f64)
    } else {
        0.0
    };
    let first = b.center_x() - spacing * (k - 1) as f64 / 2.0;
    for (i, &(c, _)) in side.iter().enumerate() {
        ports[c] = first + spacing * i as f64;
    }
}

/// A path through `pts`: straight where x does not change, else an S-curve with vertical
/// tangents.
fn to_path(pts: &[Point]) -> Path {
    let Some(&start) = pts.first() else {
        return Path::default();
    };
    let mut segs = Vec::with_capacity(pts.len());
    for w in pts.windows(2) {
        let (p, q) = (w[0], w[1]);
        if (p.x - q.x).abs() < 0.5 {
            segs.push(Seg::Line(Point::new(p.x, q.y)));
        } else {
            let my = (p.y + q.y) / 2.0;
            segs.push(Seg::Cubic(Point::new(p.x, my), Point::new(q.x, my), q));
        }
    }
    Path { start, segs }
}

/// How far the `k`-th self-loop of a box reaches out of its right side.
pub(crate) fn loop_reach(k: usize) -> f64 {
    22.0 + 12.0 * k as f64
}

/// The `k`-th self-loop on the right side of `b`, and the centre of its label of width
/// `label_w`.
pub(crate) fn self_loop(b: &Rect, k: usize, label_w: f64) -> (Path, Point) {
    let xr = b.right();
    let cy = b.y + b.height / 2.0;
    let reach = loop_reach(k) / 0.75;
    let path = Path {
        start: Point::new(xr, cy - 8.0),
        segs: vec![Seg::Cubic(
            Point::new(xr + reach, cy - 8.0 - reach * 0.5),
            Point::new(xr + reach, cy + 8.0 + reach * 0.5),
            Point::new(xr, cy + 8.0),
        )],
    };
    let label = Point::new(
        xr + loop_reach(k) + 6.0 + label_w / 2.0,
        b.y + 10.0 + 17.0 * k as f64,
    );
    (path, label)
}

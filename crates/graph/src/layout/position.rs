//! Layering, step 4: coordinates.
//!
//! x: every vertex wants to sit at the weighted mean of its neighbours on the layers above and
//! below (segments between dummies weigh most, so long edges run straight, as in Gansner et
//! al.'s priority method). One layer at a time, the best positions that keep the layer's order
//! and minimum spacing are found exactly: with offsets for the spacing, this is an isotonic
//! regression, solved by pool-adjacent-violators in linear time. Sweeps alternate down and up.
//! This is simpler than Brandes-Köpf, deterministic, and never lets two boxes overlap, because
//! spacing is a hard constraint of every solve.
//!
//! y: layers are stacked with their tallest vertex; the gap between two layers grows with the
//! horizontal distance its segments cover, so that curves stay gentle.

use super::layered::Layered;

/// Space between two boxes in a layer.
const NODE_SEP: f64 = 36.0;
/// Space between a box and an edge passing by.
const EDGE_NODE_SEP: f64 = 18.0;
/// Space between two edges passing by.
const EDGE_SEP: f64 = 12.0;
const SWEEPS: usize = 24;
/// Smallest and largest vertical gap between layers.
const MIN_GAP: f64 = 18.0;
const MAX_GAP: f64 = 44.0;

fn sep(g: &Layered, a: usize, b: usize) -> f64 {
    let (va, vb) = (&g.verts[a], &g.verts[b]);
    let gap = match (va.real, vb.real) {
        (true, true) => NODE_SEP,
        (false, false) => EDGE_SEP,
        _ => EDGE_NODE_SEP,
    };
    (va.w + vb.w) / 2.0 + gap
}

pub(crate) fn assign_x(g: &mut Layered) {
    // Start packed and centred on 0.
    for l in 0..g.layers.len() {
        let mut x = 0.0;
        let layer = g.layers[l].clone();
        for (i, &v) in layer.iter().enumerate() {
            if i > 0 {
                x += sep(g, layer[i - 1], v);
            }
            g.verts[v].x = x;
        }
        for &v in &layer {
            g.verts[v].x -= x / 2.0;
        }
    }
    let nl = g.layers.len();
    let mut targets = Vec::new();
    let mut weights = Vec::new();
    let mut offsets = Vec::new();
    for sweep in 0..SWEEPS {
        let seq: Vec<usize> = if sweep % 2 == 0 {
            (0..nl).collect()
        } else {
            (0..nl).rev().collect()
        };
        for l in seq {
            let layer = &g.layers[l];
            targets.clear();
            weights.clear();
            offsets.clear();
            let mut offset = 0.0;
            for (i, &v) in layer.iter().enumerate() {
                if i > 0 {
                    offset += sep(g, layer[i - 1], v);
                }
                // Down sweeps follow the layer above, up sweeps the layer below (the other
                // side when that one is empty): a vertex with one neighbour there lines up
                // with it exactly, so chains run straight.
                let (first, second) = if sweep % 2 == 0 {
                    (&g.up[v], &g.down[v])
                } else {
                    (&g.down[v], &g.up[v])
                };
                let nbrs = if first.is_empty() { second } else { first };
                let (target, sw) = match weighted_median(g, nbrs) {
                    Some(m) => m,
                    // A tiny pull to where it is keeps vertices without neighbours in place.
                    None => (g.verts[v].x, 1e-3),
                };
                targets.push(target - offset);
                weights.push(sw);
                offsets.push(offset);
            }
            let solved = isotonic(&targets, &weights);
            let layer = g.layers[l].clone();
            for (i, &v) in layer.iter().enumerate() {
                g.verts[v].x = solved[i] + offsets[i];
            }
        }
    }
    let left = g
        .verts
        .iter()
        .map(|v| v.x - v.w / 2.0)
        .fold(f64::INFINITY, f64::min);
    if left.is_finite() {
        for v in &mut g.verts {
            v.x -= left;
        }
    }
}

/// The weighted median of the x of `nbrs`, and their total weight; between the two middle
/// values when the weight splits evenly.
fn weighted_median(g: &Layered, nbrs: &[(usize, f64)]) -> Option<(f64, f64)> {
    if nbrs.is_empty() {
        return None;
    }
    let mut xs: Vec<(f64, f64)> = nbrs.iter().map(|&(u, w)| (g.verts[u].x, w)).collect();
    xs.sort_by(|a, b| a.0.total_cmp(&b.0));
    let total: f64 = xs.iter().map(|p| p.1).sum();
    let mut acc = 0.0;
    for (i, &(x, w)) in xs.iter().enumerate() {
        acc += w;
        if (acc - total / 2.0).abs() < 1e-9 {
            let next = xs.get(i + 1).map_or(x, |p| p.0);
            return Some(((x + next) / 2.0, total));
        }
        if acc > total / 2.0 {
            return Some((x, total));
        }
    }
    xs.last().map(|p| (p.0, total))
}

/// The non-decreasing sequence closest to `targets` in weighted least squares
/// (pool-adjacent-violators).
fn isotonic(targets: &[f64], weights: &[f64]) -> Vec<f64> {
    // (sum of weights, weighted sum, count)
    let mut blocks: Vec<(f64, f64, usize)> = Vec::with_capacity(targets.len());
    for (&t, &w) in targets.iter().zip(weights) {
        blocks.push((w, w * t, 1));
        while blocks.len() >= 2 {
            let last = blocks[blocks.len() - 1];
            let prev = blocks[blocks.len() - 2];
            if prev.1 / prev.0 > last.1 / last.0 {
                blocks.pop();
                let merged = blocks.len() - 1;
                blocks[merged] = (prev.0 + last.0, prev.1 + last.1, prev.2 + last.2);
            } else {
                break;
            }
        }
    }
    let mut out = Vec::with_capacity(targets.len());
    for (w, s, c) in blocks {
        out.extend(std::iter::repeat_n(s / w, c));
    }
    out
}

pub(crate) fn assign_y(g: &mut Layered) {
    let nl = g.layers.len();
    g.layer_h = g
        .layers
        .iter()
        .map(|layer| layer.iter().map(|&v| g.verts[v].h).fold(0.0, f64::max))
        .collect();
    g.layer_top = vec![0.0; nl];
    for l in 1..nl {
        let dx = g.layers[l - 1]
            .iter()
            .flat_map(|&u| g.down[u].iter().map(move |&(v, _)| (u, v)))
            .map(|(u, v)| (g.verts[u].x - g.verts[v].x).abs())
            .fold(0.0, f64::max);
        let gap = (dx * 0.1).clamp(MIN_GAP, MAX_GAP);
        g.layer_top[l] = g.layer_top[l - 1] + g.layer_h[l - 1] + gap;
    }
}

#[cfg(test)]
mod tests {
    use super::isotonic;

    #[test]
    fn pools_violators() {
        assert_eq!(
            isotonic(&[1.0, 3.0, 2.0], &[1.0, 1.0, 1.0]),
            vec![1.0, 2.5, 2.5]
        );
        assert_eq!(isotonic(&[5.0, 0.0], &[3.0, 1.0]), vec![3.75, 3.75]);
        assert_eq!(isotonic(&[0.0, 1.0], &[1.0, 1.0]), vec![0.0, 1.0]);
    }
}

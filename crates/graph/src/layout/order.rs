//! Layering, step 3: order the vertices of each layer to reduce edge crossings.
//!
//! The initial order is a depth-first walk from the start following transitions in the order
//! the definition lists them, so a Choice's rules read left to right. Then barycenter sweeps
//! (down, then up) each followed by adjacent transpositions, keeping the best order seen, as in
//! Gansner et al. and dagre. Crossings between two layers are counted by inversions with a
//! Fenwick tree, in O(E log V).

use super::layered::Layered;

const SWEEPS: usize = 12;

pub(crate) fn order(g: &mut Layered, start: Option<usize>) {
    initial(g, start);
    let mut best = g.layers.clone();
    let mut best_crossings = crossings(g);
    if best_crossings == 0 {
        return;
    }
    let mut pos = positions(g);
    for sweep in 0..SWEEPS {
        let downward = sweep % 2 == 0;
        let nl = g.layers.len();
        let seq: Vec<usize> = if downward {
            (1..nl).collect()
        } else {
            (0..nl.saturating_sub(1)).rev().collect()
        };
        for l in seq {
            let mut keyed: Vec<(f64, usize)> = g.layers[l]
                .iter()
                .map(|&v| {
                    let nbrs = if downward { &g.up[v] } else { &g.down[v] };
                    let key = if nbrs.is_empty() {
                        pos[v] as f64
                    } else {
                        nbrs.iter().map(|&(u, _)| pos[u] as f64).sum::<f64>() / nbrs.len() as f64
                    };
                    (key, v)
                })
                .collect();
            keyed.sort_by(|a, b| a.0.total_cmp(&b.0));
            g.layers[l] = keyed.into_iter().map(|(_, v)| v).collect();
            for (i, &v) in g.layers[l].iter().enumerate() {
                pos[v] = i;
            }
        }
        transpose(g, &mut pos);
        let c = crossings(g);
        if c < best_crossings {
            best_crossings = c;
            best = g.layers.clone();
            if c == 0 {
                break;
            }
        }
    }
    g.layers = best;
}

/// Depth-first order from the start, then from every vertex not reached yet.
fn initial(g: &mut Layered, start: Option<usize>) {
    let nv = g.verts.len();
    for layer in &mut g.layers {
        layer.clear();
    }
    let mut seen = vec![false; nv];
    let mut roots: Vec<usize> = start.into_iter().collect();
    roots.extend((0..nv).filter(|&v| g.up[v].is_empty()));
    roots.extend(0..nv);
    let mut stack: Vec<usize> = Vec::new();
    for root in roots {
        if seen[root] {
            continue;
        }
        stack.push(root);
        while let Some(v) = stack.pop() {
            if seen[v] {
                continue;
            }
            seen[v] = true;
            let l = g.verts[v].layer;
            g.layers[l].push(v);
            // Pushed in reverse so that the first transition is visited first.
            for &(w, _) in g.down[v].iter().rev() {
                if !seen[w] {
                    stack.push(w);
                }
            }
        }
    }
}

fn positions(g: &Layered) -> Vec<usize> {
    let mut pos = vec![0usize; g.verts.len()];
    for layer in &g.layers {
        for (i, &v) in layer.iter().enumerate() {
            pos[v] = i;
        }
    }
    pos
}

/// Swaps neighbours in a layer while that lowers the crossings around them.
fn transpose(g: &mut Layered, pos: &mut [usize]) {
    for _ in 0..4 {
        let mut improved = false;
        for l in 0..g.layers.len() {
            for i in 1..g.layers[l].len() {
                let (u, v) = (g.layers[l][i - 1], g.layers[l][i]);
                let before = pair_crossings(g, pos, u, v);
                let after = pair_crossings(g, pos, v, u);
                if after < before {
                    g.layers[l].swap(i - 1, i);
                    pos[u] = i;
                    pos[v] = i - 1;
                    improved = true;
                }
            }
        }
        if !improved {
            break;
        }
    }
}

/// Crossings between the segments of `left` and those of `right` when `left` is left of
/// `right`, on both sides.
fn pair_crossings(g: &Layered, pos: &[usize], left: usize, right: usize) -> usize {
    let mut c = 0;
    for side in [&g.up, &g.down] {
        for &(a, _) in &side[left] {
            for &(b, _) in &side[right] {
                if pos[a] > pos[b] {
                    c += 1;
                }
            }
        }
    }
    c
}

/// All crossings between consecutive layers.
pub(crate) fn crossings(g: &Layered) -> usize {
    let pos = positions(g);
    let mut total = 0;
    let mut pairs: Vec<(usize, usize)> = Vec::new();
    for l in 0..g.layers.len().saturating_sub(1) {
        pairs.clear();
        for &u in &g.layers[l] {
            for &(v, _) in &g.down[u] {
                pairs.push((pos[u], pos[v]));
            }
        }
        pairs.sort_unstable();
        let size = g.layers[l + 1].len();
        let mut tree = vec![0usize; size + 1];
        for (seen, &(_, b)) in pairs.iter().enumerate() {
            // Earlier segments ending right of b cross this one.
            let mut i = b + 1;
            let mut le = 0;
            while i > 0 {
                le += tree[i];
                i &= i - 1;
            }
            total += seen - le;
            let mut i = b + 1;
            while i <= size {
                tree[i] += 1;
                i += i & i.wrapping_neg();
            }
        }
    }
    total
}

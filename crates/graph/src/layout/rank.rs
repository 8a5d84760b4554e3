//! Layering, steps 1 and 2: break cycles, then give every node a rank.
//!
//! Cycles (a Choice looping back to a Wait, a Catch retrying an earlier state) are broken by a
//! depth-first search from the flow's start: an edge to a node still on the search stack is a
//! back edge and is laid out reversed, then drawn the right way round. Ranks come from the
//! longest path from the sources, which keeps the flow reading top to bottom in the order
//! transitions happen; sources other than the start (unreachable states) are then pulled down
//! next to their successors so that they do not float at the top.

/// For each edge `(from, to)`, whether it must be reversed to make the graph acyclic.
/// The search starts at `start`, then at nodes without incoming edges, then anywhere left, so
/// the result does not depend on hash order and is stable for a given definition.
pub(crate) fn back_edges(n: usize, edges: &[(usize, usize)], start: Option<usize>) -> Vec<bool> {
    let mut out: Vec<Vec<(usize, usize)>> = vec![Vec::new(); n];
    let mut indeg = vec![0usize; n];
    for (i, &(a, b)) in edges.iter().enumerate() {
        out[a].push((i, b));
        indeg[b] += 1;
    }
    let mut roots: Vec<usize> = start.into_iter().collect();
    roots.extend((0..n).filter(|&v| indeg[v] == 0));
    roots.extend(0..n);

    // 0: not seen, 1: on the stack, 2: done.
    let mut mark = vec![0u8; n];
    let mut reversed = vec![false; edges.len()];
    let mut stack: Vec<(usize, usize)> = Vec::new();
    for root in roots {
        if mark[root] != 0 {
            continue;
        }
        mark[root] = 1;
        stack.push((root, 0));
        while let Some(top) = stack.last_mut() {
            let (v, i) = *top;
            if let Some(&(e, w)) = out[v].get(i) {
                top.1 += 1;
                match mark[w] {
                    0 => {
                        mark[w] = 1;
                        stack.push((w, 0));
                    }
                    1 => reversed[e] = true,
                    _ => {}
                }
            } else {
                mark[v] = 2;
                stack.pop();
            }
        }
    }
    reversed
}

/// Ranks of an acyclic graph: longest path from the sources, then sources other than `start`
/// moved down to just above their nearest successor. The smallest rank is 0.
pub(crate) fn ranks(n: usize, edges: &[(usize, usize)], start: Option<usize>) -> Vec<usize> {
    let mut out: Vec<Vec<usize>> = vec![Vec::new(); n];
    let mut indeg = vec![0usize; n];
    for &(a, b) in edges {
        out[a].push(b);
        indeg[b] += 1;
    }
    let sources: Vec<bool> = indeg.iter().map(|&d| d == 0).collect();
    // Kahn's algorithm; the input is acyclic, but anything left over (it cannot be) keeps rank 0.
    let mut rank = vec![0i64; n];
    let mut queue: Vec<usize> = (0..n).filter(|&v| indeg[v] == 0).collect();
    let mut topo = Vec::with_capacity(n);
    let mut head = 0;
    while head < queue.len() {
        let v = queue[head];
        head += 1;
        topo.push(v);
        for &w in &out[v] {
            rank[w] = rank[w].max(rank[v] + 1);
            indeg[w] -= 1;
            if indeg[w] == 0 {
                queue.push(w);
            }
        }
    }
    for &v in topo.iter().rev() {
        if sources[v] && Some(v) != start {
            if let Some(min) = out[v].iter().map(|&w| rank[w]).min() {
                rank[v] = min - 1;
            }
        }
    }
    let lowest = rank.iter().copied().min().unwrap_or(0);
    rank.iter().map(|&r| (r - lowest) as usize).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn loop_is_broken_at_the_back_edge() {
        // 0 -> 1 -> 2 -> 1 (loop), 2 -> 3
        let edges = [(0, 1), (1, 2), (2, 1), (2, 3)];
        let rev = back_edges(4, &edges, Some(0));
        assert_eq!(rev, vec![false, false, true, false]);
        let dag: Vec<(usize, usize)> = edges
            .iter()
            .zip(&rev)
            .map(|(&(a, b), &r)| if r { (b, a) } else { (a, b) })
            .collect();
        assert_eq!(ranks(4, &dag, Some(0)), vec![0, 1, 2, 3]);
    }

    #[test]
    fn stray_sources_are_pulled_down() {
        // 0 -> 1 -> 2 -> 3; 4 -> 3
        let edges = [(0, 1), (1, 2), (2, 3), (4, 3)];
        assert_eq!(ranks(5, &edges, Some(0)), vec![0, 1, 2, 3, 2]);
    }

    #[test]
    fn self_contained_cycle_without_start() {
        let edges = [(0, 1), (1, 0)];
        let rev = back_edges(2, &edges, None);
        assert_eq!(rev.iter().filter(|&&r| r).count(), 1);
    }
}

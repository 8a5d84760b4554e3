//! Checks shared by the integration tests.
#![allow(dead_code)]

pub mod gen;

use switchback_graph::{Graph, Rect};

/// Whether two rectangles overlap (touching edges do not count).
pub fn overlap(a: &Rect, b: &Rect) -> bool {
    a.x < b.right() - 0.01
        && b.x < a.right() - 0.01
        && a.y < b.bottom() - 0.01
        && b.y < a.bottom() - 0.01
}

pub fn contains(outer: &Rect, inner: &Rect) -> bool {
    inner.x >= outer.x - 0.01
        && inner.y >= outer.y - 0.01
        && inner.right() <= outer.right() + 0.01
        && inner.bottom() <= outer.bottom() + 0.01
}

fn finite(r: &Rect) -> bool {
    [r.x, r.y, r.width, r.height].iter().all(|v| v.is_finite()) && r.width > 0.0 && r.height > 0.0
}

/// Every geometric property the drawing promises, with a message for the first one broken:
/// finite coordinates, inside the canvas, no two boxes overlapping unless one holds the other,
/// containers enclosing their states, edges finite and not running through a box they do not
/// start or end at (or lie inside of).
pub fn check_geometry(g: &Graph) -> Result<(), String> {
    let states = g.states();
    let canvas = Rect {
        x: 0.0,
        y: 0.0,
        width: g.width(),
        height: g.height(),
    };
    if !(g.width().is_finite() && g.height().is_finite()) {
        return Err("canvas size is not finite".into());
    }
    let ancestor = |a: usize, mut b: usize| -> bool {
        while let Some(p) = states[b].parent {
            if p == a {
                return true;
            }
            b = p;
        }
        false
    };
    for (i, s) in states.iter().enumerate() {
        if !finite(&s.rect) {
            return Err(format!("state {:?} has a bad box {:?}", s.name, s.rect));
        }
        if !contains(&canvas, &s.rect) {
            return Err(format!("state {:?} is outside the canvas", s.name));
        }
        if let Some(p) = s.parent {
            if !contains(&states[p].rect, &s.rect) {
                return Err(format!(
                    "container {:?} does not enclose {:?}",
                    states[p].name, s.name
                ));
            }
        }
        for (j, t) in states.iter().enumerate().skip(i + 1) {
            if !ancestor(i, j) && !ancestor(j, i) && overlap(&s.rect, &t.rect) {
                return Err(format!(
                    "{:?} {:?} overlaps {:?} {:?}",
                    s.name, s.rect, t.name, t.rect
                ));
            }
        }
        for t in g.terminals() {
            if overlap(&s.rect, &t) {
                return Err(format!("{:?} overlaps a terminal", s.name));
            }
        }
    }
    for e in g.edges() {
        if e.points
            .iter()
            .any(|p| !p.0.is_finite() || !p.1.is_finite())
        {
            return Err(format!("edge {:?} has a coordinate that is not finite", e));
        }
        for (k, s) in states.iter().enumerate() {
            if Some(k) == e.from || Some(k) == e.to {
                continue;
            }
            // Edges inside a container run inside its box.
            let holds_end = |end: Option<usize>| end.is_some_and(|x| ancestor(k, x));
            if holds_end(e.from) || holds_end(e.to) {
                continue;
            }
            let r = &s.rect;
            if let Some(label) = &e.label_box {
                if overlap(label, r) {
                    return Err(format!(
                        "label of {:?} -> {:?} overlaps {:?}",
                        e.from, e.to, s.name
                    ));
                }
            }
            let inner = Rect {
                x: r.x + 1.0,
                y: r.y + 1.0,
                width: r.width - 2.0,
                height: r.height - 2.0,
            };
            if e.points.iter().any(|&(x, y)| {
                x > inner.x && x < inner.right() && y > inner.y && y < inner.bottom()
            }) {
                return Err(format!(
                    "edge {:?} -> {:?} ({:?}) runs through {:?}",
                    e.from, e.to, e.kind, s.name
                ));
            }
        }
    }
    Ok(())
}

/// How many times `needle` occurs in `hay`.
pub fn count(hay: &str, needle: &str) -> usize {
    hay.matches(needle).count()
}

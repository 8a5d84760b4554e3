//! Workflow graphs of Amazon States Language definitions.
//!
//! [`layout`] reads a definition (JSONPath or JSONata, `Iterator` or `ItemProcessor`), lays it
//! out top to bottom like AWS Workflow Studio, and returns a [`Graph`] that renders as SVG
//! ([`Graph::to_svg`], for the console and `switchback graph --format svg`), Graphviz DOT
//! ([`Graph::to_dot`]) or Mermaid ([`Graph::to_mermaid`]).
//!
//! # What is drawn
//!
//! - A Start terminal at the top with an edge to `StartAt`, and an End terminal at the bottom.
//! - One box per state, nested ones included: the name (an ellipsis after 32 characters, the
//!   full name in a `<title>`) and a line with the type (a Task adds its resource's short form,
//!   `arn:aws:states:::sqs:sendMessage` → `sqs:sendMessage`).
//! - Parallel and Map states are containers: a header with the name, then each branch (or the
//!   Map's body) laid out inside its own frame, branches side by side. Branches have no
//!   terminals of their own.
//! - Edges, one per transition, of these kinds (the `class` of the SVG group):
//!   - `start`: Start terminal → `StartAt` (top level only, exactly one);
//!   - `next`: one per `Next`;
//!   - `choice`: one per Choice rule with a `Next`, labelled with the rule in short form
//!     (`$.status == "approved"`, `And($.n > 5, IsPresent($.x))`, a JSONata `Condition`
//!     without `{% %}`). Rules to the same target are **not** merged;
//!   - `default`: a Choice's `Default`, labelled `Default`;
//!   - `catch`: one per catcher, dashed, labelled with its `ErrorEquals` joined by `", "`;
//!   - `end`: one per top-level state that ends the execution (`End: true`, Succeed, Fail) →
//!     End terminal. Inside a branch or a Map body, ending states have no edge: the flow
//!     continues from the container.
//!
//!   So [`Graph::edge_count`] = 1 + Σ over all states (nested included) of
//!   (`Next` ? 1) + (Choice rules with `Next`) + (`Default` ? 1) + (catchers) + (top-level
//!   ending states). A transition to a name that is not a state of its scope is skipped.
//!
//! # SVG contract
//!
//! ```text
//! <svg xmlns="http://www.w3.org/2000/svg" class="workflow-graph" viewBox="0 0 W H" width="W" height="H" font-family="sans-serif">
//!   <defs><marker id="wf-arrow">…</marker></defs>
//!   [<style>…</style><rect class="background"/>]          only with SvgOptions::standalone_style
//!   <g class="terminal" data-terminal="start"><rect class="terminal-box"/><text class="terminal-label">Start</text></g>
//!   <g class="state" data-state="NAME" data-type="Task"><title>NAME</title>
//!     <rect class="box"/><text class="name"/><text class="type"/><text class="status"></text></g>
//!   <g class="state container" data-state="NAME" data-type="Map" data-map="true"><title>NAME</title>
//!     <rect class="box"/><rect class="branch"/>…<text class="name"/><text class="type"/><text class="status"></text></g>
//!   … the container's inner states follow as sibling groups (never nested inside it) …
//!   <g class="terminal" data-terminal="end">…</g>
//!   <g class="edge KIND" data-from="A" data-to="B">[<title>FULL LABEL</title>]<path class="line"/>
//!     [<rect class="label-bg"/><text class="label">LABEL</text>]</g>
//! </svg>
//! ```
//!
//! - States and terminals come first (a container before its inner states), edges last, so no
//!   edge is hidden by a container's background.
//! - `data-state` is the state's full name, `data-type` its ASL `Type`; Map containers add
//!   `data-map="true"`. Every attribute value and text is XML-escaped.
//! - `text.status` is empty, at the bottom right of a state's box (top right of a container's
//!   header), for the console to fill in ("Succeeded").
//! - The start edge has `data-from=""`; end edges have `data-to="End"` (tell them from a state
//!   named `End` by the `end` class).
//! - Colours and dashes are presentation attributes, which any CSS rule overrides. The arrowhead
//!   is filled with `context-stroke`, so it follows the colour a stylesheet gives the path.
//!
//! The layout is a layered (Sugiyama) layout computed here, see the `layout` module.

mod choice_label;
mod dot;
mod layout;
mod mermaid;
mod model;
mod svg;
mod text;

use serde_json::Value;

pub use model::{EdgeKind, GraphError, Rect};
use model::{Model, NodeKind, Seg};

/// Options of [`Graph::to_svg`].
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct SvgOptions {
    /// Adds a small `<style>` and a white background so that the file looks right when opened by
    /// itself. Leave it off when the SVG goes into a page with its own stylesheet.
    pub standalone_style: bool,
}

/// A state machine, laid out.
#[derive(Debug, Clone)]
pub struct Graph {
    model: Model,
    width: f64,
    height: f64,
}

/// A state's box, in absolute coordinates, as [`Graph::states`] returns them.
#[derive(Debug, Clone, PartialEq)]
pub struct StateBox {
    pub name: String,
    /// The ASL `Type`.
    pub state_type: String,
    pub rect: Rect,
    /// The index (in [`Graph::states`]) of the Parallel or Map state holding this one.
    pub parent: Option<usize>,
    pub is_container: bool,
}

/// An edge, in absolute coordinates, as [`Graph::edges`] returns them.
#[derive(Debug, Clone, PartialEq)]
pub struct EdgeInfo {
    pub kind: EdgeKind,
    /// Index in [`Graph::states`]; `None` for the Start terminal.
    pub from: Option<usize>,
    /// Index in [`Graph::states`]; `None` for the End terminal.
    pub to: Option<usize>,
    pub label: Option<String>,
    /// The path as a polyline (curves sampled), from source to target.
    pub points: Vec<(f64, f64)>,
    /// The box of the drawn label (its background rectangle).
    pub label_box: Option<Rect>,
}

/// Builds the graph of `definition` and lays it out.
///
/// The definition is assumed valid, but odd input never panics: a definition without the
/// structure needed to draw it (no `States`, no `StartAt` or one naming no state, a state without
/// `Type`, a Parallel without `Branches`, a Map without `ItemProcessor`/`Iterator`) is an error
/// that says what and where; transitions to unknown states are left out.
pub fn layout(definition: &Value) -> Result<Graph, GraphError> {
    let mut model = Model::build(definition)?;
    let (width, height) = layout::run(&mut model);
    Ok(Graph {
        model,
        width,
        height,
    })
}

impl Graph {
    /// The SVG drawing; see the crate documentation for its structure.
    pub fn to_svg(&self, options: &SvgOptions) -> String {
        svg::render(&self.model, self.width, self.height, options)
    }

    /// Graphviz DOT source, with a cluster per container state.
    pub fn to_dot(&self) -> String {
        dot::render(&self.model)
    }

    /// A Mermaid `flowchart TD`, with a subgraph per container state.
    pub fn to_mermaid(&self) -> String {
        mermaid::render(&self.model)
    }

    /// The number of states, nested ones included.
    pub fn state_count(&self) -> usize {
        self.model
            .nodes
            .iter()
            .filter(|n| n.state().is_some())
            .count()
    }

    /// The number of edges (`g.edge` groups in the SVG).
    pub fn edge_count(&self) -> usize {
        self.model.edges.len()
    }

    pub fn width(&self) -> f64 {
        self.width
    }

    pub fn height(&self) -> f64 {
        self.height
    }

    /// Index of each model node among the states (`None` for terminals).
    fn state_indices(&self) -> Vec<Option<usize>> {
        let mut next = 0;
        self.model
            .nodes
            .iter()
            .map(|n| {
                n.state().map(|_| {
                    next += 1;
                    next - 1
                })
            })
            .collect()
    }

    /// Every state's box, in the order of the SVG (a container before its inner states).
    pub fn states(&self) -> Vec<StateBox> {
        let index = self.state_indices();
        self.model
            .nodes
            .iter()
            .filter_map(|n| {
                let s = n.state()?;
                Some(StateBox {
                    name: n.name.clone(),
                    state_type: s.state_type.clone(),
                    rect: n.rect,
                    parent: n.parent.and_then(|p| index.get(p).copied().flatten()),
                    is_container: !s.flows.is_empty(),
                })
            })
            .collect()
    }

    /// The boxes of the Start and End terminals.
    pub fn terminals(&self) -> Vec<Rect> {
        self.model
            .nodes
            .iter()
            .filter(|n| matches!(n.kind, NodeKind::Terminal(_)))
            .map(|n| n.rect)
            .collect()
    }

    /// Every edge, in the order of the SVG.
    pub fn edges(&self) -> Vec<EdgeInfo> {
        let index = self.state_indices();
        self.model
            .edges
            .iter()
            .map(|e| {
                let mut points = vec![(e.path.start.x, e.path.start.y)];
                let mut last = e.path.start;
                for seg in &e.path.segs {
                    match *seg {
                        Seg::Line(p) => {
                            points.push((p.x, p.y));
                            last = p;
                        }
                        Seg::Cubic(a, b, p) => {
                            for i in 1..=8 {
                                let t = i as f64 / 8.0;
                                let u = 1.0 - t;
                                let x = u * u * u * last.x
                                    + 3.0 * u * u * t * a.x
                                    + 3.0 * u * t * t * b.x
                                    + t * t * t * p.x;
                                let y = u * u * u * last.y
                                    + 3.0 * u * u * t * a.y
                                    + 3.0 * u * t * t * b.y
                                    + t * t * t * p.y;
                                points.push((x, y));
                            }
                            last = p;
                        }
                    }
                }
                EdgeInfo {
                    kind: e.kind,
                    from: index.get(e.from).copied().flatten(),
                    to: index.get(e.to).copied().flatten(),
                    label: e.label.clone(),
                    points,
                    label_box: match (&e.label, e.label_at) {
                        (Some(label), Some(at)) => Some(layout::label_box(label, at)),
                        _ => None,
                    },
                }
            })
            .collect()
    }
}

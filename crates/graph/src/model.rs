//! The graph of a state machine, built from its ASL definition.
//!
//! A [`Model`] is a tree of flows. A flow is one `States` map with its `StartAt`: the top-level
//! machine, one branch of a Parallel state or the body of a Map state. Every transition of ASL
//! stays inside its flow, so each flow is laid out on its own and a container state (Parallel,
//! Map) is, in its parent flow, one big node holding its inner flows. The layout fills in the
//! geometry (`rect`, `path`) later; this module only reads the definition.

use std::collections::HashMap;

use serde_json::{Map, Value};

use crate::choice_label;
use crate::text;

pub(crate) type NodeId = usize;
pub(crate) type FlowId = usize;

/// Why a definition cannot be drawn.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{0}")]
pub struct GraphError(pub(crate) String);

/// The kind of a transition, which is also its CSS class in the SVG.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum EdgeKind {
    /// From the Start terminal to the top-level `StartAt` state.
    Start,
    /// A `Next`.
    Next,
    /// One rule of a Choice state's `Choices`.
    Choice,
    /// A Choice state's `Default`.
    Default,
    /// One catcher of a `Catch`.
    Catch,
    /// From a top-level terminal state (`End: true`, Succeed, Fail) to the End terminal.
    End,
}

impl EdgeKind {
    /// The class name used in the SVG: `start`, `next`, `choice`, `default`, `catch` or `end`.
    pub fn as_str(self) -> &'static str {
        match self {
            EdgeKind::Start => "start",
            EdgeKind::Next => "next",
            EdgeKind::Choice => "choice",
            EdgeKind::Default => "default",
            EdgeKind::Catch => "catch",
            EdgeKind::End => "end",
        }
    }
}

#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub(crate) struct Point {
    pub x: f64,
    pub y: f64,
}

impl Point {
    pub fn new(x: f64, y: f64) -> Point {
        Point { x, y }
    }
}

/// A rectangle by its top-left corner and size.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct Rect {
    pub x: f64,
    pub y: f64,
    pub width: f64,
    pub height: f64,
}

impl Rect {
    pub fn right(&self) -> f64 {
        self.x + self.width
    }
    pub fn bottom(&self) -> f64 {
        self.y + self.height
    }
    pub fn center_x(&self) -> f64 {
        self.x + self.width / 2.0
    }
}

/// One piece of an edge's path after its start point.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) enum Seg {
    Line(Point),
    /// Control points, then the end point.
    Cubic(Point, Point, Point),
}

#[derive(Debug, Clone, Default, PartialEq)]
pub(crate) struct Path {
    pub start: Point,
    pub segs: Vec<Seg>,
}

impl Path {
    pub fn translate(&mut self, dx: f64, dy: f64) {
        let mv = |p: &mut Point| {
            p.x += dx;
            p.y += dy;
        };
        mv(&mut self.start);
        for s in &mut self.segs {
            match s {
                Seg::Line(p) => mv(p),
                Seg::Cubic(a, b, c) => {
                    mv(a);
                    mv(b);
                    mv(c);
                }
            }
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Terminal {
    Start,
    End,
}

impl Terminal {
    /// The word drawn in the terminal.
    pub(crate) fn label(self) -> &'static str {
        match self {
            Terminal::Start => "Start",
            Terminal::End => "End",
        }
    }
}

#[derive(Debug, Clone)]
pub(crate) struct StateData {
    /// The ASL `Type`.
    pub state_type: String,
    /// The small line under the name: the type, with the resource's short form for a Task.
    pub type_line: String,
    /// Inner flows: Parallel branches, or the one body of a Map.
    pub flows: Vec<FlowId>,
    pub is_map: bool,
}

#[derive(Debug, Clone)]
pub(crate) enum NodeKind {
    Terminal(Terminal),
    State(StateData),
}

#[derive(Debug, Clone)]
pub(crate) struct Node {
    pub name: String,
    pub kind: NodeKind,
    /// The container state holding this node's flow, if any.
    pub parent: Option<NodeId>,
    /// Absolute after layout.
    pub rect: Rect,
}

impl Node {
    pub fn state(&self) -> Option<&StateData> {
        match &self.kind {
            NodeKind::State(s) => Some(s),
            NodeKind::Terminal(_) => None,
        }
    }

    pub fn is_container(&self) -> bool {
        self.state().is_some_and(|s| !s.flows.is_empty())
    }
}

#[derive(Debug, Clone)]
pub(crate) struct Edge {
    pub from: NodeId,
    pub to: NodeId,
    pub kind: EdgeKind,
    pub label: Option<String>,
    /// Absolute after layout.
    pub path: Path,
    /// The centre of the label, absolute after layout.
    pub label_at: Option<Point>,
}

#[derive(Debug, Clone, Default)]
pub(crate) struct Flow {
    pub nodes: Vec<NodeId>,
    pub edges: Vec<usize>,
    /// The `StartAt` state, or the Start terminal at the top level.
    pub start: Option<NodeId>,
    /// Absolute after layout: the area of the flow's own layout.
    pub rect: Rect,
}

#[derive(Debug, Clone, Default)]
pub(crate) struct Model {
    pub nodes: Vec<Node>,
    pub edges: Vec<Edge>,
    pub flows: Vec<Flow>,
}

/// Flows nested deeper than this are refused (serde_json already caps nesting at 128 when
/// parsing, but a `Value` may be built by other means).
const MAX_NESTING: usize = 64;

impl Model {
    pub fn root(&self) -> FlowId {
        0
    }

    /// Reads a definition. Errors name what is wrong and where.
    pub fn build(definition: &Value) -> Result<Model, GraphError> {
        let mut model = Model::default();
        model.add_flow(definition, None, "", 0)?;
        Ok(model)
    }

    fn add_node(
        &mut self,
        name: String,
        kind: NodeKind,
        parent: Option<NodeId>,
        flow: FlowId,
    ) -> NodeId {
        let id = self.nodes.len();
        self.nodes.push(Node {
            name,
            kind,
            parent,
            rect: Rect::default(),
        });
        self.flows[flow].nodes.push(id);
        id
    }

    fn add_edge(
        &mut self,
        flow: FlowId,
        from: NodeId,
        to: NodeId,
        kind: EdgeKind,
        label: Option<String>,
    ) {
        self.flows[flow].edges.push(self.edges.len());
        self.edges.push(Edge {
            from,
            to,
            kind,
            label,
            path: Path::default(),
            label_at: None,
        });
    }

    /// Adds the flow of `def` (an object with `StartAt` and `States`). `container` is the
    /// Parallel or Map state holding it, `None` for the machine itself; `at` prefixes errors.
    fn add_flow(
        &mut self,
        def: &Value,
        container: Option<NodeId>,
        at: &str,
        depth: usize,
    ) -> Result<FlowId, GraphError> {
        if depth > MAX_NESTING {
            return Err(GraphError(format!(
                "{at}states are nested more than {MAX_NESTING} deep"
            )));
        }
        let fail = |what: String| GraphError(format!("{at}{what}"));
        let obj = def
            .as_object()
            .ok_or_else(|| fail("the definition is not a JSON object".to_string()))?;
        let states = match obj.get("States") {
            None => return Err(fail("States is missing".to_string())),
            Some(v) => v
                .as_object()
                .ok_or_else(|| fail("States is not an object".to_string()))?,
        };
        let start_at = match obj.get("StartAt") {
            None => return Err(fail("StartAt is missing".to_string())),
            Some(v) => v
                .as_str()
                .ok_or_else(|| fail("StartAt is not a string".to_string()))?,
        };
        if !states.contains_key(start_at) {
            return Err(fail(format!(
                "StartAt names {start_at:?}, which is not in States"
            )));
        }

        let flow = self.flows.len();
        self.flows.push(Flow::default());
        let top = container.is_none();
        let start_terminal = if top {
            Some(self.add_node(
                "Start".to_string(),
                NodeKind::Terminal(Terminal::Start),
                None,
                flow,
            ))
        } else {
            None
        };

        // First every state of the scope, so that transitions can point forward.
        let mut ids: HashMap<&str, NodeId> = HashMap::with_capacity(states.len());
        for (name, state) in states {
            let st = state
                .as_object()
                .ok_or_else(|| fail(format!("state {name:?} is not an object")))?;
            let state_type = st
                .get("Type")
                .and_then(Value::as_str)
                .ok_or_else(|| fail(format!("state {name:?} has no Type")))?;
            let data = StateData {
                state_type: state_type.to_string(),
                type_line: type_line(state_type, st),
                flows: Vec::new(),
                is_map: state_type == "Map",
            };
            let id = self.add_node(name.clone(), NodeKind::State(data), container, flow);
            ids.insert(name.as_str(), id);
            let inner_at = format!("{at}state {name:?}: ");
            let mut inner = Vec::new();
            match state_type {
                "Parallel" => {
                    let branches =
                        st.get("Branches")
                            .and_then(Value::as_array)
                            .ok_or_else(|| {
                                fail(format!("Parallel state {name:?} has no Branches array"))
                            })?;
                    for (i, b) in branches.iter().enumerate() {
                        inner.push(self.add_flow(
                            b,
                            Some(id),
                            &format!("{inner_at}Branches[{i}]: "),
                            depth + 1,
                        )?);
                    }
                }
                "Map" => {
                    let (key, body) = match (st.get("ItemProcessor"), st.get("Iterator")) {
                        (Some(b), _) => ("ItemProcessor", b),
                        (None, Some(b)) => ("Iterator", b),
                        (None, None) => {
                            return Err(fail(format!(
                                "Map state {name:?} has no ItemProcessor or Iterator"
                            )))
                        }
                    };
                    inner.push(self.add_flow(
                        body,
                        Some(id),
                        &format!("{inner_at}{key}: "),
                        depth + 1,
                    )?);
                }
                _ => {}
            }
            if let NodeKind::State(d) = &mut self.nodes[id].kind {
                d.flows = inner;
            }
        }

        let end_terminal = if top {
            Some(self.add_node(
                "End".to_string(),
                NodeKind::Terminal(Terminal::End),
                None,
                flow,
            ))
        } else {
            None
        };
        let start_state = ids.get(start_at).copied();
        self.flows[flow].start = start_terminal.or(start_state);
        if let (Some(s), Some(t)) = (start_terminal, start_state) {
            self.add_edge(flow, s, t, EdgeKind::Start, None);
        }

        // Then the transitions, in the order of the definition. A target that is not a state
        // of this scope is skipped: the definition is assumed valid, the graph never fails on it.
        for (name, state) in states {
            let (Some(&from), Some(st)) = (ids.get(name.as_str()), state.as_object()) else {
                continue;
            };
            let target =
                |v: Option<&Value>| v.and_then(Value::as_str).and_then(|n| ids.get(n).copied());
            let state_type = st.get("Type").and_then(Value::as_str).unwrap_or("");
            if state_type == "Choice" {
                for rule in st
                    .get("Choices")
                    .and_then(Value::as_array)
                    .map(Vec::as_slice)
                    .unwrap_or(&[])
                {
                    if let Some(to) = target(rule.get("Next")) {
                        self.add_edge(
                            flow,
                            from,
                            to,
                            EdgeKind::Choice,
                            Some(choice_label::label(rule)),
                        );
                    }
                }
                if let Some(to) = target(st.get("Default")) {
                    self.add_edge(
                        flow,
                        from,
                        to,
                        EdgeKind::Default,
                        Some("Default".to_string()),
                    );
                }
            }
            if let Some(to) = target(st.get("Next")) {
                self.add_edge(flow, from, to, EdgeKind::Next, None);
            }
            for catcher in st
                .get("Catch")
                .and_then(Value::as_array)
                .map(Vec::as_slice)
                .unwrap_or(&[])
            {
                if let Some(to) = target(catcher.get("Next")) {
                    self.add_edge(flow, from, to, EdgeKind::Catch, Some(catch_label(catcher)));
                }
            }
            let terminal = st.get("End") == Some(&Value::Bool(true))
                || matches!(state_type, "Succeed" | "Fail");
            if let (true, Some(end)) = (terminal, end_terminal) {
                self.add_edge(flow, from, end, EdgeKind::End, None);
            }
        }
        Ok(flow)
    }
}

/// `ErrorEquals` joined by `", "`.
fn catch_label(catcher: &Value) -> String {
    match catcher.get("ErrorEquals").and_then(Value::as_array) {
        Some(errors) => errors
            .iter()
            .map(|e| {
                e.as_str()
                    .map(str::to_string)
                    .unwrap_or_else(|| e.to_string())
            })
            .collect::<Vec<_>>()
            .join(", "),
        None => "?".to_string(),
    }
}

/// The line under a state's name: its type, and for a Task the short form of its resource.
fn type_line(state_type: &str, st: &Map<String, Value>) -> String {
    match state_type {
        "Task" => match st.get("Resource").and_then(Value::as_str) {
            Some(r) => format!("Task · {}", short_resource(r)),
            None => "Task".to_string(),
        },
        "Map" => {
            let distributed = st
                .get("ItemProcessor")
                .and_then(|p| p.get("ProcessorConfig"))
                .and_then(|c| c.get("Mode"))
                .and_then(Value::as_str)
                == Some("DISTRIBUTED");
            if distributed {
                "Map · distributed".to_string()
            } else {
                "Map".to_string()
            }
        }
        other => text::truncate(other, 40),
    }
}

/// `arn:aws:states:::sqs:sendMessage` → `sqs:sendMessage`; a Lambda function ARN →
/// `lambda:NAME`; other ARNs → `service:resource`; anything else as it is.
pub(crate) fn short_resource(resource: &str) -> String {
    let parts: Vec<&str> = resource.splitn(6, ':').collect();
    if parts.len() < 6 || parts[0] != "arn" {
        return resource.to_string();
    }
    let (service, region, account, rest) = (parts[2], parts[3], parts[4], parts[5]);
    if service == "states" && region.is_empty() && account.is_empty() {
        return rest.to_string();
    }
    if service == "lambda" {
        if let Some(f) = rest.strip_prefix("function:") {
            let name = f.split(':').next().unwrap_or(f);
            return format!("lambda:{name}");
        }
    }
    format!("{service}:{rest}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn resources() {
        assert_eq!(
            short_resource("arn:aws:states:::sqs:sendMessage"),
            "sqs:sendMessage"
        );
        assert_eq!(
            short_resource("arn:aws:states:::lambda:invoke"),
            "lambda:invoke"
        );
        assert_eq!(
            short_resource("arn:aws:lambda:us-east-1:123456789012:function:hello:$LATEST"),
            "lambda:hello"
        );
        assert_eq!(
            short_resource("arn:aws:states:us-east-1:123456789012:activity:work"),
            "states:activity:work"
        );
        assert_eq!(short_resource("not an arn"), "not an arn");
    }
}

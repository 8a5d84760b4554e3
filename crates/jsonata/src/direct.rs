//! Direct evaluation: the plain expressions most workflows are made of, evaluated over the
//! workflow's own JSON without jsonata-core.
//!
//! Why: an expression such as `$states.input.order`, `$sum($states.input.items.price)` or
//! `$states.input.step + 1` takes well under a microsecond to compute, but evaluating it with
//! jsonata-core means converting `$states` into jsonata-core's value type (every object and
//! array of the input copied), building an evaluator with its function table and clocks, and
//! converting the result back. For such expressions that overhead is nearly all of the cost
//! of a JSONata state. Here they are compiled, when the definition is parsed, into a small
//! tree ([`Program`]) that reads the state's [`Json`] in place: a path's result shares the
//! input's arrays and objects instead of copying them.
//!
//! Exactness comes from a narrow contract, not from reimplementing JSONata:
//! - only a small part of the syntax compiles (literals, `$states.member` and variable paths of
//!   plain names, arithmetic, comparisons, `and`/`or`, `&`, `? :`, object and array
//!   constructors with literal keys, and a few pure functions); anything else is left to
//!   jsonata-core whole;
//! - at run time only the ordinary case is computed. Whatever jsonata-core would answer with
//!   an error or a special rule (an undefined operand, operands of mixed types, a
//!   non-finite result, an unbound variable, a function name a variable shadows, a result past
//!   the limits ...) makes the evaluation give up ([`GiveUp`]) and the caller evaluates the
//!   expression with jsonata-core, so errors, messages and edge cases stay jsonata-core's;
//! - numbers follow JSONata's doubles: arithmetic is done in `f64`, and a result that carries
//!   numbers from the input is given back as a round trip through doubles would give it
//!   (`1.0` as `1`, integers past 2^53 rounded).
//!
//! The tests (`direct/tests.rs`) compare the two evaluators on generated data and expressions.

use std::sync::Arc;

use jsonata_core::ast::{AstNode, BinaryOp, UnaryOp};
use switchback_json::{Json, Number, Object, Str};

use crate::convert::number;
use crate::env::{Env, StatesMember};
use crate::limits::Limits;

/// An expression compiled for direct evaluation.
#[derive(Debug)]
pub(crate) struct Program {
    root: Node,
}

/// Why direct evaluation stopped: jsonata-core must evaluate the expression instead.
#[derive(Debug)]
pub(crate) struct GiveUp;

/// A value during evaluation: `None` is JSONata's `undefined`.
type Value = Result<Option<Json>, GiveUp>;

/// One node of a compiled expression.
#[derive(Debug)]
enum Node {
    /// A literal (numbers already as JSONata prints them).
    Literal(Json),
    /// `$states.member.step...` or `$name.step...`.
    Path(Path),
    Arithmetic {
        op: Arithmetic,
        lhs: Box<Node>,
        rhs: Box<Node>,
    },
    Compare {
        op: Compare,
        lhs: Box<Node>,
        rhs: Box<Node>,
    },
    /// `=` (or `!=` when negated) between two scalars.
    Equal {
        negated: bool,
        lhs: Box<Node>,
        rhs: Box<Node>,
    },
    And(Box<Node>, Box<Node>),
    Or(Box<Node>, Box<Node>),
    /// `&` between two strings.
    Concat(Box<Node>, Box<Node>),
    Negate(Box<Node>),
    Conditional {
        condition: Box<Node>,
        then: Box<Node>,
        otherwise: Option<Box<Node>>,
    },
    Call {
        function: Function,
        arg: Box<Node>,
    },
    /// `{"key": value, ...}` with literal, distinct keys.
    Object(Box<[(Str, Node)]>),
    /// `[item, ...]`; the flag says the item is itself an array constructor (kept whole, not
    /// flattened into the result).
    Array(Box<[(Node, bool)]>),
}

/// A path of plain names from `$states.member` or a variable.
#[derive(Debug)]
struct Path {
    root: Root,
    /// The names after the root (none for a bare `$name`).
    steps: Box<[Str]>,
}

/// What a [`Path`] starts from.
#[derive(Debug)]
enum Root {
    States(StatesMember),
    Variable(Str),
}

#[derive(Debug, Clone, Copy)]
enum Arithmetic {
    Add,
    Subtract,
    Multiply,
    Divide,
    Modulo,
}

#[derive(Debug, Clone, Copy)]
enum Compare {
    Less,
    LessOrEqual,
    Greater,
    GreaterOrEqual,
}

/// The built-in functions evaluated directly (one argument each).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Function {
    Sum,
    Count,
    Uppercase,
    Lowercase,
    Length,
    Exists,
    Not,
}

impl Function {
    /// Each function with its name (without `$`).
    const NAMES: [(Function, &'static str); 7] = [
        (Function::Sum, "sum"),
        (Function::Count, "count"),
        (Function::Uppercase, "uppercase"),
        (Function::Lowercase, "lowercase"),
        (Function::Length, "length"),
        (Function::Exists, "exists"),
        (Function::Not, "not"),
    ];

    fn named(name: &str) -> Option<Function> {
        Self::NAMES
            .iter()
            .find(|(_, n)| *n == name)
            .map(|(f, _)| *f)
    }

    fn name(self) -> &'static str {
        Self::NAMES
            .iter()
            .find(|(f, _)| *f == self)
            .map_or("", |(_, n)| n)
    }
}

impl Program {
    /// The direct form of a parsed expression, if all of it is in the compiled subset.
    pub(crate) fn compile(ast: &AstNode) -> Option<Arc<Program>> {
        Some(Arc::new(Program {
            root: compile(ast)?,
        }))
    }

    /// Evaluates the expression over `env`: `Ok(None)` is `undefined`.
    pub(crate) fn evaluate(&self, env: &dyn Env, limits: &Limits) -> Value {
        let run = Run {
            env,
            max_sequence: limits.effective_sequence_length(),
        };
        let Some(result) = run.eval(&self.root)? else {
            return Ok(None);
        };
        // A result jsonata-core would refuse as too large is its to report.
        if !within(&result, limits.max_memory_bytes) {
            return Err(GiveUp);
        }
        Ok(Some(as_doubles(result)))
    }
}

/// Whether `value`'s JSON text fits in `limit` bytes. A scalar's bound is read off without
/// counting (a string's text is at most six bytes per byte, `\u00XX`, and two quotes); arrays
/// and objects are counted, and remember their size, which the engine's own payload check of
/// the state's output then reuses.
fn within(value: &Json, limit: usize) -> bool {
    match value {
        Json::Null | Json::Bool(_) | Json::Number(_) => limit >= 64,
        Json::String(s) if s.len() < (limit / 6).saturating_sub(2) => true,
        v => v.size_within(limit).is_some(),
    }
}

fn compile(ast: &AstNode) -> Option<Node> {
    Some(match ast {
        AstNode::String(s) => Node::Literal(Json::from(s.as_str())),
        AstNode::Number(n) if n.is_finite() => Node::Literal(number(*n)),
        AstNode::Boolean(b) => Node::Literal(Json::Bool(*b)),
        AstNode::Null => Node::Literal(Json::Null),
        AstNode::Variable(name) if !name.is_empty() && name != "states" => Node::Path(Path {
            root: Root::Variable(name.as_str().into()),
            steps: Box::new([]),
        }),
        AstNode::Path { steps } => compile_path(steps)?,
        AstNode::Binary { op, lhs, rhs } => compile_binary(*op, lhs, rhs)?,
        AstNode::Unary {
            op: UnaryOp::Negate,
            operand,
        } => Node::Negate(Box::new(compile(operand)?)),
        AstNode::Conditional {
            condition,
            then_branch,
            else_branch,
        } => Node::Conditional {
            condition: Box::new(compile(condition)?),
            then: Box::new(compile(then_branch)?),
            otherwise: match else_branch {
                Some(e) => Some(Box::new(compile(e)?)),
                None => None,
            },
        },
        AstNode::Function {
            name,
            args,
            is_builtin: true,
        } if args.len() == 1 => Node::Call {
            function: Function::named(name)?,
            arg: Box::new(compile(&args[0])?),
        },
        AstNode::Object(pairs) => {
            let mut members: Vec<(Str, Node)> = Vec::with_capacity(pairs.len());
            for (key, value) in pairs {
                let AstNode::String(key) = key else {
                    return None;
                };
                // Two equal keys are jsonata-core's to report.
                if members.iter().any(|(k, _)| k.as_str() == key) {
                    return None;
                }
                members.push((key.as_str().into(), compile(value)?));
            }
            Node::Object(members.into())
        }
        AstNode::Array(items) => Node::Array(
            items
                .iter()
                .map(|item| Some((compile(item)?, matches!(item, AstNode::Array(_)))))
                .collect::<Option<Vec<_>>>()?
                .into(),
        ),
        AstNode::Block(items) if items.len() == 1 => compile(&items[0])?,
        _ => return None,
    })
}

/// `$states.member.name...` or `$variable.name...`: a variable, then plain names (no
/// predicates, wildcards, bindings or quoted oddities).
fn compile_path(steps: &[jsonata_core::ast::PathStep]) -> Option<Node> {
    let plain = |step: &jsonata_core::ast::PathStep| {
        step.stages.is_empty()
            && step.focus.is_none()
            && step.index_var.is_none()
            && step.ancestor_label.is_none()
            && !step.is_tuple
            && !step.inner_tuple
    };
    if !steps.iter().all(plain) {
        return None;
    }
    let (first, rest) = steps.split_first()?;
    let names = |steps: &[jsonata_core::ast::PathStep]| -> Option<Box<[Str]>> {
        steps
            .iter()
            .map(|s| match &s.node {
                AstNode::Name(n) => Some(Str::from(n.as_str())),
                _ => None,
            })
            .collect()
    };
    match &first.node {
        AstNode::Variable(name) if name == "states" => {
            let (member, rest) = rest.split_first()?;
            let AstNode::Name(member) = &member.node else {
                return None;
            };
            Some(Node::Path(Path {
                root: Root::States(StatesMember::named(member)?),
                steps: names(rest)?,
            }))
        }
        AstNode::Variable(name) if !name.is_empty() => Some(Node::Path(Path {
            root: Root::Variable(name.as_str().into()),
            steps: names(rest)?,
        })),
        _ => None,
    }
}

fn compile_binary(op: BinaryOp, lhs: &AstNode, rhs: &AstNode) -> Option<Node> {
    use Arithmetic as A;
    use Compare as C;
    let arithmetic = |op| Some((Some(op), None));
    let compare = |op| Some((None, Some(op)));
    // Which family the operator is in, before the operands are compiled (and moved).
    let family = match op {
        BinaryOp::Add => arithmetic(A::Add),
        BinaryOp::Subtract => arithmetic(A::Subtract),
        BinaryOp::Multiply => arithmetic(A::Multiply),
        BinaryOp::Divide => arithmetic(A::Divide),
        BinaryOp::Modulo => arithmetic(A::Modulo),
        BinaryOp::LessThan => compare(C::Less),
        BinaryOp::LessThanOrEqual => compare(C::LessOrEqual),
        BinaryOp::GreaterThan => compare(C::Greater),
        BinaryOp::GreaterThanOrEqual => compare(C::GreaterOrEqual),
        BinaryOp::Equal
        | BinaryOp::NotEqual
        | BinaryOp::And
        | BinaryOp::Or
        | BinaryOp::Concatenate => Some((None, None)),
        _ => None,
    };
    let (arithmetic, compare) = family?;
    let (lhs, rhs) = (Box::new(compile(lhs)?), Box::new(compile(rhs)?));
    Some(match (arithmetic, compare, op) {
        (Some(op), _, _) => Node::Arithmetic { op, lhs, rhs },
        (_, Some(op), _) => Node::Compare { op, lhs, rhs },
        (_, _, BinaryOp::And) => Node::And(lhs, rhs),
        (_, _, BinaryOp::Or) => Node::Or(lhs, rhs),
        (_, _, BinaryOp::Concatenate) => Node::Concat(lhs, rhs),
        (_, _, op) => Node::Equal {
            negated: op == BinaryOp::NotEqual,
            lhs,
            rhs,
        },
    })
}

/// One evaluation: the environment and the limits it needs.
struct Run<'a> {
    env: &'a dyn Env,
    max_sequence: usize,
}

impl<'e> Run<'e> {
    fn eval(&self, node: &Node) -> Value {
        match node {
            Node::Literal(v) => Ok(Some(v.clone())),
            Node::Path(path) => Ok(self.found(path)?.to_value()),
            Node::Arithmetic { op, lhs, rhs } => {
                let (a, b) = (self.number(lhs)?, self.number(rhs)?);
                let result = match op {
                    Arithmetic::Add => a + b,
                    Arithmetic::Subtract => a - b,
                    Arithmetic::Multiply => a * b,
                    Arithmetic::Divide => a / b,
                    Arithmetic::Modulo => a % b,
                };
                finite(result)
            }
            Node::Compare { op, lhs, rhs } => {
                let (a, b) = (self.defined(lhs)?, self.defined(rhs)?);
                let ordering = match (&a, &b) {
                    (Json::Number(x), Json::Number(y)) => {
                        f64_of(x).partial_cmp(&f64_of(y)).ok_or(GiveUp)?
                    }
                    (Json::String(x), Json::String(y)) => x.as_str().cmp(y.as_str()),
                    _ => return Err(GiveUp),
                };
                Ok(Some(Json::Bool(match op {
                    Compare::Less => ordering.is_lt(),
                    Compare::LessOrEqual => ordering.is_le(),
                    Compare::Greater => ordering.is_gt(),
                    Compare::GreaterOrEqual => ordering.is_ge(),
                })))
            }
            Node::Equal { negated, lhs, rhs } => {
                let (a, b) = (self.scalar(lhs)?, self.scalar(rhs)?);
                let equal = match (&a, &b) {
                    (Json::Number(x), Json::Number(y)) => f64_of(x) == f64_of(y),
                    (Json::String(x), Json::String(y)) => x.as_str() == y.as_str(),
                    (Json::Bool(x), Json::Bool(y)) => x == y,
                    (Json::Null, Json::Null) => true,
                    _ => false,
                };
                Ok(Some(Json::Bool(equal != *negated)))
            }
            Node::And(lhs, rhs) => {
                let result = self.truthy(lhs)? && self.truthy(rhs)?;
                Ok(Some(Json::Bool(result)))
            }
            Node::Or(lhs, rhs) => {
                let result = self.truthy(lhs)? || self.truthy(rhs)?;
                Ok(Some(Json::Bool(result)))
            }
            Node::Concat(lhs, rhs) => {
                let (a, b) = (self.defined(lhs)?, self.defined(rhs)?);
                match (a.as_str(), b.as_str()) {
                    (Some(a), Some(b)) => Ok(Some(Json::from([a, b].concat()))),
                    _ => Err(GiveUp),
                }
            }
            Node::Negate(operand) => finite(-self.number(operand)?),
            Node::Conditional {
                condition,
                then,
                otherwise,
            } => {
                if self.truthy(condition)? {
                    self.eval(then)
                } else {
                    match otherwise {
                        Some(otherwise) => self.eval(otherwise),
                        None => Ok(None),
                    }
                }
            }
            Node::Call { function, arg } => {
                // A variable of the same name is what `$name(...)` calls.
                if self.env.variable(function.name()).is_some() {
                    return Err(GiveUp);
                }
                self.call(*function, arg)
            }
            Node::Object(members) => {
                let mut object = Object::with_capacity(members.len());
                for (key, value) in members.iter() {
                    if let Some(value) = self.eval(value)? {
                        object.insert(key.clone(), value);
                    }
                }
                Ok(Some(Json::Object(object)))
            }
            Node::Array(items) => {
                let mut array = Vec::with_capacity(items.len());
                for (item, nested) in items.iter() {
                    match self.eval(item)? {
                        None => {}
                        Some(Json::Array(inner)) if !nested => array.extend(inner.iter().cloned()),
                        Some(value) => array.push(value),
                    }
                    if array.len() > self.max_sequence {
                        return Err(GiveUp);
                    }
                }
                Ok(Some(Json::Array(array.into())))
            }
        }
    }

    /// What a path finds, borrowed from the environment.
    fn found(&self, path: &Path) -> Result<Found<'e>, GiveUp> {
        let start = match &path.root {
            Root::States(member) => match self.env.states_member(*member) {
                Some(value) => value,
                None => return Ok(Found::Nothing),
            },
            // An unbound name may be a function (`$string` alone) or nothing at all.
            Root::Variable(name) => self.env.variable(name).ok_or(GiveUp)?,
        };
        self.path(start, &path.steps)
    }

    /// A value that must be defined.
    fn defined(&self, node: &Node) -> Result<Json, GiveUp> {
        self.eval(node)?.ok_or(GiveUp)
    }

    /// A value that must be a number.
    fn number(&self, node: &Node) -> Result<f64, GiveUp> {
        match self.defined(node)? {
            Json::Number(n) => Ok(f64_of(&n)),
            _ => Err(GiveUp),
        }
    }

    /// A value that must be `null`, a boolean, a number or a string.
    fn scalar(&self, node: &Node) -> Result<Json, GiveUp> {
        match self.defined(node)? {
            Json::Array(_) | Json::Object(_) => Err(GiveUp),
            v => Ok(v),
        }
    }

    /// JSONata's truth of a scalar value.
    fn truthy(&self, node: &Node) -> Result<bool, GiveUp> {
        truthy(self.defined(node)?)
    }

    fn call(&self, function: Function, arg: &Node) -> Value {
        Ok(Some(match function {
            Function::Sum | Function::Count => return self.aggregate(function, arg),
            Function::Exists => Json::Bool(self.eval(arg)?.is_some()),
            Function::Uppercase => Json::from(string(&self.defined(arg)?)?.to_uppercase()),
            Function::Lowercase => Json::from(string(&self.defined(arg)?)?.to_lowercase()),
            Function::Length => number(string(&self.defined(arg)?)?.chars().count() as f64),
            Function::Not => Json::Bool(!self.truthy(arg)?),
        }))
    }

    /// `$sum` and `$count`, over a path's items where they are (no array is made for them).
    fn aggregate(&self, function: Function, arg: &Node) -> Value {
        let made;
        let found = match arg {
            Node::Path(path) => self.found(path)?,
            _ => {
                made = self.eval(arg)?;
                made.as_ref().map_or(Found::Nothing, Found::One)
            }
        };
        let mut total = 0.0f64;
        let count = found.for_each_item(|item| match (function, item) {
            (Function::Sum, Json::Number(n)) => {
                total += f64_of(n);
                Ok(())
            }
            (Function::Sum, _) => Err(GiveUp),
            _ => Ok(()),
        })?;
        match function {
            Function::Sum => finite(total),
            _ => Ok(Some(number(count as f64))),
        }
    }

    /// The value of `steps` applied to `start`, as a JSONata path does it: each step looks the
    /// name up in every item of the sequence so far (an array's items searched in turn),
    /// arrays found are flattened into the sequence, except that an array which is the only
    /// result of the last step is the result as it is; one item is the item itself, none is
    /// `undefined`.
    fn path(&self, start: &'e Json, steps: &[Str]) -> Result<Found<'e>, GiveUp> {
        // The common case first: while the sequence is one object, a step is a member lookup,
        // read in place (the last value found is the result whether or not it is an array).
        let mut current = start;
        for (i, key) in steps.iter().enumerate() {
            match current {
                Json::Object(members) => match members.get(key.as_str()) {
                    Some(found) => current = found,
                    None => return Ok(Found::Nothing),
                },
                Json::Array(_) => return self.sequence_path(current, &steps[i..]),
                _ => return Ok(Found::Nothing),
            }
        }
        Ok(Found::One(current))
    }

    /// [`Run::path`] from an array on: the general case, with JSONata's sequences (of
    /// borrowed items: nothing is copied until the result is made).
    fn sequence_path(&self, start: &'e Json, steps: &[Str]) -> Result<Found<'e>, GiveUp> {
        let first: &'e [Json] = match start {
            Json::Array(items) => items,
            _ => std::slice::from_ref(start),
        };
        let mut sequence: Vec<&'e Json> = Vec::new();
        for (i, key) in steps.iter().enumerate() {
            let last = i + 1 == steps.len();
            let next = if i == 0 {
                self.step(first.iter(), key, last)?
            } else {
                self.step(sequence.iter().copied(), key, last)?
            };
            match next {
                Step::Kept(array) => return Ok(Found::One(array)),
                Step::Sequence(next) if next.is_empty() => return Ok(Found::Nothing),
                Step::Sequence(next) => sequence = next,
            }
        }
        Ok(match sequence.len() {
            1 => Found::One(sequence[0]),
            _ => Found::Many(sequence),
        })
    }

    /// One step of a path over a sequence: the name looked up in each item, what is found
    /// flattened into the next sequence, except an array that is all the last step found.
    fn step(
        &self,
        items: impl Iterator<Item = &'e Json>,
        key: &str,
        last: bool,
    ) -> Result<Step<'e>, GiveUp> {
        let items = items.into_iter();
        let mut next = Vec::with_capacity(items.size_hint().0);
        // How many items found something, and the first thing found if it is an array.
        let (mut finds, mut first_array) = (0usize, None);
        for item in items {
            // As any JSONata value, what a step found is no sequence when it holds one item
            // (that item, even an array), and nothing when it holds none.
            let found = match lookup(item, key) {
                Found::Many(mut items) if items.len() <= 1 => match items.pop() {
                    Some(one) => Found::One(one),
                    None => Found::Nothing,
                },
                f => f,
            };
            match found {
                Found::Nothing => continue,
                Found::One(v) => {
                    if finds == 0 && v.is_array() {
                        first_array = Some(v);
                    }
                    flatten_into(&mut next, v);
                }
                Found::Many(items) => next.extend(items),
            }
            finds += 1;
            if next.len() > self.max_sequence {
                return Err(GiveUp);
            }
        }
        Ok(match (last, finds, first_array) {
            (true, 1, Some(array)) => Step::Kept(array),
            _ => Step::Sequence(next),
        })
    }
}

/// What one step of a path over a sequence gives.
enum Step<'a> {
    /// The array that was all the last step found: the path's value as it is.
    Kept(&'a Json),
    /// The sequence for the next step (or the result).
    Sequence(Vec<&'a Json>),
}

/// What a path, or one step of it, found (borrowed from the data).
enum Found<'a> {
    Nothing,
    /// One value (an array found whole stays whole).
    One(&'a Json),
    /// A JSONata sequence: flattened into the next step, an array as a result.
    Many(Vec<&'a Json>),
}

impl Found<'_> {
    /// The value found, owned (shared with the data): `None` for nothing.
    fn to_value(&self) -> Option<Json> {
        match self {
            Found::Nothing => None,
            Found::One(v) => Some(Json::clone(v)),
            Found::Many(items) => Some(Json::Array(items.iter().copied().cloned().collect())),
        }
    }

    /// Calls `f` on each item, as a function of an array argument sees them (one value is an
    /// array of one); nothing is `undefined`, which such a function leaves to jsonata-core.
    /// Returns how many there were.
    fn for_each_item(
        &self,
        mut f: impl FnMut(&Json) -> Result<(), GiveUp>,
    ) -> Result<usize, GiveUp> {
        match self {
            Found::Nothing => Err(GiveUp),
            Found::One(Json::Array(items)) => {
                items.iter().try_for_each(&mut f)?;
                Ok(items.len())
            }
            Found::One(v) => f(v).map(|()| 1),
            Found::Many(items) => {
                items.iter().try_for_each(|v| f(v))?;
                Ok(items.len())
            }
        }
    }
}

/// Pushes `value` onto a sequence: an array's items one by one, anything else as it is.
fn flatten_into<'a>(sequence: &mut Vec<&'a Json>, value: &'a Json) {
    match value {
        Json::Array(items) => sequence.extend(items.iter()),
        v => sequence.push(v),
    }
}

/// The member `key` of an object; in an array, the members found in each item, arrays among
/// them flattened; nothing in anything else.
fn lookup<'a>(item: &'a Json, key: &str) -> Found<'a> {
    match item {
        Json::Object(members) => members.get(key).map_or(Found::Nothing, Found::One),
        Json::Array(items) => {
            // Room for one find per item, the usual case (a member of each object of an array),
            // so the sequence is allocated once instead of grown from empty.
            let mut sequence = Vec::with_capacity(items.len());
            for item in items.iter() {
                match lookup(item, key) {
                    Found::One(v) => flatten_into(&mut sequence, v),
                    Found::Many(inner) => sequence.extend(inner),
                    Found::Nothing => {}
                }
            }
            Found::Many(sequence)
        }
        _ => Found::Nothing,
    }
}

/// JSONata's truth of a scalar (arrays and objects have rules of their own).
fn truthy(value: Json) -> Result<bool, GiveUp> {
    Ok(match value {
        Json::Null => false,
        Json::Bool(b) => b,
        Json::Number(n) => f64_of(&n) != 0.0,
        Json::String(s) => !s.as_str().is_empty(),
        Json::Array(_) | Json::Object(_) => return Err(GiveUp),
    })
}

fn string(value: &Json) -> Result<&str, GiveUp> {
    value.as_str().ok_or(GiveUp)
}

fn f64_of(n: &Number) -> f64 {
    n.as_f64().unwrap_or(0.0)
}

/// A computed number, unless JSONata would object to it (infinity, NaN).
fn finite(n: f64) -> Value {
    if n.is_finite() {
        Ok(Some(number(n)))
    } else {
        Err(GiveUp)
    }
}

/// `value` as it comes back from JSONata's doubles: unchanged (and still shared) when every
/// number in it already reads the same as a double, else rebuilt with its numbers rounded.
fn as_doubles(value: Json) -> Json {
    if value.numbers_are_javascript() {
        value
    } else {
        rounded(&value)
    }
}

fn rounded(value: &Json) -> Json {
    match value {
        Json::Number(n) => number(f64_of(n)),
        Json::Array(items) => Json::Array(items.iter().map(rounded).collect()),
        Json::Object(members) => {
            let mut out = Object::with_capacity(members.len());
            for (k, v) in members.iter() {
                out.insert(k.clone(), rounded(v));
            }
            Json::Object(out)
        }
        v => v.clone(),
    }
}

#[cfg(test)]
mod tests;

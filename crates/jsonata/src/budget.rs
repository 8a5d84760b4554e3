//! The memory budget of one evaluation: how many bytes of values it may build.
//!
//! `jsonata-core` builds values inside its own evaluator, with no hook for an embedder to
//! account for them, and a few operations let a short expression build a huge value: `&`
//! doubling a string in a recursive lambda, `$pad("", 1e9)`, `$string` or `$join` of an array
//! holding the same large value many times (values are shared, so such an array is cheap until
//! it is serialized), `[1..n]` ranges, objects built with `{}` over a range. Left alone, one
//! such expression takes gigabytes before the timeout ends it.
//!
//! So evaluation is instrumented: [`instrument`] rewrites a parsed expression once, wrapping the
//! operands of those operations in calls of guard functions (names no expression can write,
//! starting with `\u{1}`), and [`register`] binds the guards for each evaluation to a shared
//! [`Budget`]. A guard returns its argument unchanged; on the way it adds the size of what the
//! operation is about to build (estimated before it is built, from its operands) to the bytes
//! used, and fails the evaluation with [`exceeded`] (`U1004`) once they pass the limit. An
//! operation with several operands stashes the first ones and measures at the last, which the
//! evaluator evaluates last, just before the operation runs; a chain of `&` has one guard per
//! operand that is not a literal (literals are counted when parsed).
//!
//! The accounting is approximate: string bytes (`&`, `$join`, `$pad`, `$split`, `$replace`,
//! `$base64encode`), JSON text size for `$string`, a value's size per range item or computed
//! object key. It is cumulative (a value built then dropped still counts), so the limit bounds
//! the work of building values as well as the memory they take; a string grown one small
//! piece at a time in a loop is counted at each step (building 256 KiB in 500 steps counts
//! about 64 MiB), unless the heap is metered (see [`Budget::metered`]). Sequences are bounded separately (their length, see
//! `Limits::effective_sequence_length`), and so is the JSON size of the final result (see
//! `Expression::evaluate_with_limits`).
//!
//! Guards sit in call position only (`$pad(s, n)`, `$string(x)`, `x ~> $string()`): a built-in
//! passed as a value (`$map(xs, $pad(?, 1e6))`, `$f := $string`) runs unguarded, and so do
//! builtins that copy without growing (`$uppercase`, `$substring`, ...). A program that
//! installs [`crate::MeteredAlloc`] bounds those too (see `meter`); otherwise they are bounded
//! only by the sequence length and the timeout.

use std::cell::{Cell, RefCell};
use std::rc::Rc;

use jsonata_core::ast::{AstNode, BinaryOp, PathStep, Stage};
use jsonata_core::evaluator::{Evaluator, EvaluatorError};
use jsonata_core::value::JValue;

/// The error code of a failed budget (jsonata-core uses `U1001`..`U1003` for its own limits).
pub const MEMORY_ERROR_CODE: &str = "U1004";

/// The cost charged per item of a range, per key of a built object: the size of one value.
pub(crate) const ITEM_BYTES: usize = std::mem::size_of::<JValue>();

/// The error of an evaluation past its budget.
pub(crate) fn exceeded(limit: usize) -> EvaluatorError {
    EvaluatorError::EvaluationError(format!(
        "{MEMORY_ERROR_CODE}: The memory budget of {limit} bytes for one evaluation was \
         exceeded. Check for values growing without bound"
    ))
}

/// Bytes used and allowed for one evaluation, shared by its guards.
#[derive(Debug)]
pub(crate) struct Budget {
    limit: usize,
    used: Cell<usize>,
    /// Operands stashed by a guard, waiting for the guard of the last operand.
    pending: RefCell<Vec<JValue>>,
    /// Whether `&` counts only what a concatenation adds to its largest operand (when the heap
    /// is metered, see [`Budget::metered`]) rather than the whole result.
    growth_only: bool,
}

impl Budget {
    pub(crate) fn new(limit: usize) -> Budget {
        Budget {
            limit,
            used: Cell::new(0),
            pending: RefCell::new(Vec::new()),
            growth_only: false,
        }
    }

    /// A budget for an evaluation whose heap is metered as well (see `meter`). The meter sees
    /// copies, so `&` need only count what each concatenation adds: a string grown one piece
    /// at a time in a loop then counts its final size once, not once per step.
    pub(crate) fn metered(limit: usize) -> Budget {
        Budget {
            growth_only: true,
            ..Budget::new(limit)
        }
    }

    /// Bytes still available.
    fn remaining(&self) -> usize {
        self.limit.saturating_sub(self.used.get())
    }

    /// Adds `bytes` to the bytes used; fails once they pass the limit.
    pub(crate) fn charge(&self, bytes: usize) -> Result<(), EvaluatorError> {
        let used = self.used.get().saturating_add(bytes);
        self.used.set(used);
        if used > self.limit {
            return Err(exceeded(self.limit));
        }
        Ok(())
    }

    /// Adds a byte count held in a float (a width, a range length), saturating.
    fn charge_f64(&self, bytes: f64) -> Result<(), EvaluatorError> {
        if bytes.is_nan() || bytes <= 0.0 {
            return Ok(());
        }
        // `as` saturates: a huge or infinite count becomes `usize::MAX`.
        self.charge(bytes as usize)
    }

    fn push(&self, v: JValue) {
        self.pending.borrow_mut().push(v);
    }

    /// The operand stashed last (undefined if none: the stash is only ever short when an
    /// error cut an operation short, and then the evaluation is over anyway).
    fn pop(&self) -> JValue {
        self.pending.borrow_mut().pop().unwrap_or(JValue::Undefined)
    }
}

/// Size of `v` as text, as `$string` (and `&`) would write it, counting at most a little past
/// `cap`: the walk stops once it is there, so a shared value that expands to gigabytes costs
/// no more than `cap` steps to measure.
pub(crate) fn text_size(v: &JValue, cap: usize) -> usize {
    match v {
        JValue::String(s) => s.len(),
        JValue::Undefined => 0,
        _ => json_size(v, cap),
    }
}

/// Size of `s` as a JSON string: quotes, and a backslash before each character escaped
/// (control characters take more, but are rare enough to count as one).
fn json_string_size(s: &str) -> usize {
    let escaped = s
        .bytes()
        .filter(|b| matches!(b, b'"' | b'\\') || *b < 0x20)
        .count();
    s.len() + 2 + escaped
}

/// Size of `v` as compact JSON, up to a little past `cap`.
pub(crate) fn json_size(v: &JValue, cap: usize) -> usize {
    let mut total = 0usize;
    // An explicit stack: values can nest deeper than the native stack allows recursion.
    let mut stack: Vec<&JValue> = vec![v];
    while let Some(v) = stack.pop() {
        total = total.saturating_add(match v {
            JValue::Null => 4,
            JValue::Bool(_) => 5,
            JValue::Number(_) => 8,
            JValue::String(s) => json_string_size(s),
            JValue::Array(items) => {
                stack.extend(items.iter());
                2 + items.len()
            }
            JValue::Object(map) => {
                let mut keys = 0usize;
                for (k, item) in map.iter() {
                    keys = keys.saturating_add(k.len() + 4);
                    stack.push(item);
                }
                2 + keys
            }
            _ => 0,
        });
        if total > cap {
            return total;
        }
    }
    total
}

/// Total bytes of the strings `$join` would join.
fn strings_size(v: &JValue) -> (usize, usize) {
    match v {
        JValue::String(s) => (s.len(), 1),
        JValue::Array(items) => items.iter().fold((0usize, 0usize), |(b, n), item| {
            let len = match item {
                JValue::String(s) => s.len(),
                _ => 0,
            };
            (b.saturating_add(len), n + 1)
        }),
        _ => (0, 0),
    }
}

/// What a guard measures before handing its argument on. Operations with several operands
/// stash the first ones ([`Guard::Stash`]) and measure at the last one, which is evaluated
/// last, just before the operation runs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Guard {
    /// An operand measured later: stashed.
    Stash,
    /// Last operand of a chain of `&` that is not a literal (the others stashed; the guard's
    /// extra arguments say how many, and how many bytes the literals add): charges the
    /// concatenation.
    ConcatEnd,
    /// Argument of `$string`: charges its text size.
    Stringify,
    /// Strings `$join` joins, without a separator: charges their bytes.
    JoinItems,
    /// Separator of `$join` (the strings stashed): charges the strings and the separators.
    JoinSeparator,
    /// Width of `$pad`: charges it.
    PadWidth,
    /// End of a range (the start stashed): charges one value per item.
    RangeEnd,
    /// A computed key of an object constructor: charges the key and one value.
    ObjectKey,
    /// Separator of `$split` (the string stashed): charges one value per piece.
    SplitSeparator,
    /// Replacement of `$replace` (string and pattern stashed): charges the result.
    Replacement,
    /// Argument of `$base64encode`: charges the encoding (a third longer).
    Base64,
}

const GUARDS: [(Guard, &str); 11] = [
    (Guard::Stash, "\u{1}stash"),
    (Guard::ConcatEnd, "\u{1}concat"),
    (Guard::Stringify, "\u{1}string"),
    (Guard::JoinItems, "\u{1}join-items"),
    (Guard::JoinSeparator, "\u{1}join-separator"),
    (Guard::PadWidth, "\u{1}pad-width"),
    (Guard::RangeEnd, "\u{1}range-end"),
    (Guard::ObjectKey, "\u{1}object-key"),
    (Guard::SplitSeparator, "\u{1}split-separator"),
    (Guard::Replacement, "\u{1}replacement"),
    (Guard::Base64, "\u{1}base64"),
];

fn name_of(g: Guard) -> &'static str {
    GUARDS
        .iter()
        .find(|(guard, _)| *guard == g)
        .map_or("\u{1}guard", |(_, name)| name)
}

/// How many times `pattern` (a string or a regex) may match in `s`: counted for a string, at
/// most once per character (and once at the end) for a regex.
fn matches(s: &str, pattern: &JValue) -> usize {
    match pattern {
        JValue::String(p) if !p.is_empty() => s.matches(&**p).count(),
        _ => s.chars().count() + 1,
    }
}

impl Guard {
    /// Measures `v`, the operand it guards; `extra` holds the guard's own arguments (only
    /// [`Guard::ConcatEnd`] has any).
    fn apply(self, budget: &Budget, v: &JValue, extra: &[JValue]) -> Result<(), EvaluatorError> {
        let cap = budget.remaining();
        match self {
            Guard::Stash => {
                budget.push(v.clone());
                Ok(())
            }
            Guard::ConcatEnd => {
                let number = |i: usize| match extra.get(i) {
                    Some(JValue::Number(n)) if *n >= 0.0 => *n as usize,
                    _ => 0,
                };
                let last = text_size(v, cap);
                let (mut total, mut largest) = (last.saturating_add(number(1)), last);
                for _ in 0..number(0) {
                    let size = text_size(&budget.pop(), cap);
                    total = total.saturating_add(size);
                    largest = largest.max(size);
                }
                budget.charge(if budget.growth_only {
                    total - largest
                } else {
                    total
                })
            }
            Guard::Stringify => budget.charge(text_size(v, cap)),
            Guard::JoinItems => budget.charge(strings_size(v).0),
            Guard::JoinSeparator => {
                let (bytes, count) = strings_size(&budget.pop());
                budget.charge(bytes)?;
                match v {
                    JValue::String(s) if count > 1 => {
                        budget.charge_f64(s.len() as f64 * (count - 1) as f64)
                    }
                    _ => Ok(()),
                }
            }
            Guard::PadWidth => match v {
                JValue::Number(n) => budget.charge_f64(n.abs()),
                _ => Ok(()),
            },
            Guard::RangeEnd => match (budget.pop(), v) {
                (JValue::Number(start), JValue::Number(end)) if *end >= start => {
                    budget.charge_f64((end - start + 1.0) * ITEM_BYTES as f64)
                }
                _ => Ok(()),
            },
            Guard::ObjectKey => budget.charge(text_size(v, cap).saturating_add(ITEM_BYTES)),
            Guard::SplitSeparator => match budget.pop() {
                JValue::String(s) => {
                    let pieces = matches(&s, v).saturating_add(1);
                    // Each piece: a value and a small string of its own.
                    budget.charge(
                        s.len()
                            .saturating_add(pieces.saturating_mul(2 * ITEM_BYTES)),
                    )
                }
                _ => Ok(()),
            },
            Guard::Replacement => {
                let pattern = budget.pop();
                match (budget.pop(), v) {
                    (JValue::String(s), JValue::String(r)) => {
                        let added = matches(&s, &pattern).saturating_mul(r.len());
                        budget.charge(s.len().saturating_add(added))
                    }
                    (JValue::String(s), _) => budget.charge(s.len()),
                    _ => Ok(()),
                }
            }
            Guard::Base64 => match v {
                JValue::String(s) => budget.charge(s.len() / 3 * 4 + 4),
                _ => Ok(()),
            },
        }
    }
}

/// Binds the guard functions of [`instrument`] to `budget` on `ev`.
pub(crate) fn register(
    ev: &mut Evaluator,
    budget: &Rc<Budget>,
    used: GuardSet,
) -> Result<(), EvaluatorError> {
    for (index, (guard, name)) in GUARDS.into_iter().enumerate() {
        if !used.calls(index) {
            continue;
        }
        let budget = Rc::clone(budget);
        ev.register_fn(name, move |args: &[JValue]| {
            let v = args.first().cloned().unwrap_or(JValue::Undefined);
            guard.apply(&budget, &v, args.get(1..).unwrap_or_default())?;
            Ok(v)
        })?;
    }
    Ok(())
}

/// `node` wrapped in a call of `guard`.
fn guarded(guard: Guard, node: AstNode) -> AstNode {
    AstNode::Function {
        name: call_of(guard),
        args: vec![node],
        is_builtin: true,
    }
}

fn guard_box(guard: Guard, node: &mut Box<AstNode>) {
    let inner = std::mem::replace(&mut **node, AstNode::Undefined);
    **node = guarded(guard, inner);
}

fn guard_in_place(guard: Guard, node: &mut AstNode) {
    let inner = std::mem::replace(node, AstNode::Undefined);
    *node = guarded(guard, inner);
}

/// Guards for the arguments of a call of built-in `name` (given how many there are):
/// `(index, guard)` pairs.
fn argument_guards(name: &str, argc: usize) -> Vec<(usize, Guard)> {
    match name {
        "string" if argc >= 1 => vec![(0, Guard::Stringify)],
        "join" if argc >= 2 => vec![(0, Guard::Stash), (1, Guard::JoinSeparator)],
        "join" if argc == 1 => vec![(0, Guard::JoinItems)],
        "pad" if argc >= 2 => vec![(1, Guard::PadWidth)],
        "split" if argc >= 2 => vec![(0, Guard::Stash), (1, Guard::SplitSeparator)],
        "replace" if argc >= 3 => vec![
            (0, Guard::Stash),
            (1, Guard::Stash),
            (2, Guard::Replacement),
        ],
        "base64encode" if argc >= 1 => vec![(0, Guard::Base64)],
        _ => Vec::new(),
    }
}

/// The guards an instrumented expression calls, so that an evaluation registers only those
/// (registering a host function costs a hash-map insertion; most expressions call none).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub(crate) struct GuardSet(u16);

impl GuardSet {
    /// Whether the expression calls any guard.
    pub(crate) fn any(self) -> bool {
        self.0 != 0
    }

    /// Whether it calls the guard at `index` of [`GUARDS`].
    fn calls(self, index: usize) -> bool {
        self.0 & (1 << index) != 0
    }
}

thread_local! {
    /// The guards [`instrument`] has put in the tree it is rewriting on this thread.
    static PUT: std::cell::Cell<u16> = const { std::cell::Cell::new(0) };
}

/// The name of `guard` for a call put in the tree being instrumented, noting that the tree
/// calls it.
fn call_of(guard: Guard) -> String {
    let index = GUARDS.iter().position(|(g, _)| *g == guard).unwrap_or(0);
    PUT.with(|put| put.set(put.get() | 1 << index));
    name_of(guard).to_string()
}

/// Rewrites `node` so that the operations that can build large values pass through the guards
/// (see the module docs). Run once, on the parsed expression.
pub(crate) fn instrument(node: &mut AstNode) {
    jsonata_core::value::with_stack(|| instrument_inner(node));
}

/// [`instrument`], and the guards the rewritten tree calls.
pub(crate) fn instrument_noting(node: &mut AstNode) -> GuardSet {
    PUT.with(|put| put.set(0));
    instrument(node);
    GuardSet(PUT.with(std::cell::Cell::take))
}

fn instrument_steps(steps: &mut [PathStep]) {
    for step in steps {
        instrument(&mut step.node);
        for stage in &mut step.stages {
            if let Stage::Filter(f) = stage {
                instrument(f);
            }
        }
    }
}

fn instrument_pairs(pairs: &mut [(AstNode, AstNode)]) {
    for (key, value) in pairs.iter_mut() {
        instrument(key);
        instrument(value);
        // A literal key makes one entry per evaluation of the constructor, like any other
        // literal; a computed one can make an entry per item of a sequence (grouping).
        if !matches!(key, AstNode::String(_)) {
            guard_in_place(Guard::ObjectKey, key);
        }
    }
}

/// Calls `f` on each operand of a chain of `&` (`a & b & c`), left to right, which is the
/// order they are evaluated in.
fn for_each_operand(node: &mut AstNode, f: &mut dyn FnMut(&mut AstNode)) {
    match node {
        AstNode::Binary {
            op: BinaryOp::Concatenate,
            lhs,
            rhs,
        } => jsonata_core::value::with_stack(|| {
            for_each_operand(lhs, f);
            for_each_operand(rhs, f);
        }),
        other => f(other),
    }
}

/// Bytes a literal operand of `&` adds, or `None` for an operand known only when evaluated.
fn literal_bytes(node: &AstNode) -> Option<usize> {
    match node {
        AstNode::String(s) => Some(s.len()),
        AstNode::Number(_) | AstNode::Boolean(_) | AstNode::Null => Some(24),
        _ => None,
    }
}

/// Guards a chain of `&` with one guard per operand that is not a literal: the last one's
/// guard charges the whole result, before the last concatenation is made (the earlier ones
/// build parts of it, no bigger). Literals add their bytes, known now, so a template such as
/// `"arn:" & $id & ":x"` costs one guard call.
fn instrument_concatenation(node: &mut AstNode) {
    let (mut literal, mut dynamic) = (0usize, 0usize);
    for_each_operand(node, &mut |operand| match literal_bytes(operand) {
        Some(bytes) => literal = literal.saturating_add(bytes),
        None => dynamic += 1,
    });
    let stashed = dynamic.saturating_sub(1);
    let mut index = 0usize;
    for_each_operand(node, &mut |operand| {
        if literal_bytes(operand).is_some() {
            return;
        }
        instrument(operand);
        if index < stashed {
            guard_in_place(Guard::Stash, operand);
        } else {
            let inner = std::mem::replace(operand, AstNode::Undefined);
            *operand = AstNode::Function {
                name: call_of(Guard::ConcatEnd),
                args: vec![
                    inner,
                    AstNode::Number(stashed as f64),
                    AstNode::Number(literal as f64),
                ],
                is_builtin: true,
            };
        }
        index += 1;
    });
}

fn instrument_inner(node: &mut AstNode) {
    match node {
        AstNode::String(_)
        | AstNode::Name(_)
        | AstNode::Number(_)
        | AstNode::Boolean(_)
        | AstNode::Null
        | AstNode::Undefined
        | AstNode::Placeholder
        | AstNode::Regex { .. }
        | AstNode::Variable(_)
        | AstNode::ParentVariable(_)
        | AstNode::Wildcard
        | AstNode::Descendant
        | AstNode::Parent(_) => {}
        AstNode::Path { steps } => instrument_steps(steps),
        AstNode::Binary {
            op: BinaryOp::Concatenate,
            ..
        } => instrument_concatenation(node),
        AstNode::Binary { op, lhs, rhs } => {
            instrument(lhs);
            instrument(rhs);
            match op {
                BinaryOp::Range => {
                    guard_box(Guard::Stash, lhs);
                    guard_box(Guard::RangeEnd, rhs);
                }
                BinaryOp::ChainPipe => {
                    // `x ~> $f(a)` calls `$f(x, a)`: the piped value is argument 0. Which
                    // side is evaluated first is the evaluator's business, so only guards
                    // that stand alone (no stash) apply here.
                    if let AstNode::Function {
                        name,
                        args,
                        is_builtin: true,
                    } = &mut **rhs
                    {
                        let argc = args.len() + 1;
                        let mut guards = argument_guards(name, argc);
                        if name == "join" {
                            guards = vec![(0, Guard::JoinItems)];
                        }
                        if guards.iter().any(|(_, g)| *g == Guard::Stash) {
                            guards.clear();
                        }
                        for (index, guard) in guards {
                            if index == 0 {
                                guard_box(guard, lhs);
                            } else if let Some(arg) = args.get_mut(index - 1) {
                                if !matches!(arg, AstNode::Placeholder) {
                                    guard_in_place(guard, arg);
                                }
                            }
                        }
                    }
                }
                _ => {}
            }
        }
        AstNode::Unary { operand, .. } => instrument(operand),
        AstNode::Function {
            name,
            args,
            is_builtin,
        } => {
            for arg in args.iter_mut() {
                instrument(arg);
            }
            if *is_builtin {
                let guards = argument_guards(name, args.len());
                // A placeholder (`$pad(?, 5)`) makes a partial application, whose arguments
                // are not all evaluated now: such a call is left alone.
                let partial = guards.iter().any(|(index, _)| {
                    matches!(args.get(*index), Some(AstNode::Placeholder) | None)
                });
                if !partial {
                    for (index, guard) in guards {
                        if let Some(arg) = args.get_mut(index) {
                            guard_in_place(guard, arg);
                        }
                    }
                }
            }
        }
        AstNode::Call { procedure, args } => {
            instrument(procedure);
            for arg in args {
                instrument(arg);
            }
        }
        AstNode::Lambda { body, .. } => instrument(body),
        AstNode::Array(items) | AstNode::Block(items) | AstNode::ArrayGroup(items) => {
            for item in items {
                instrument(item);
            }
        }
        AstNode::Object(pairs) => instrument_pairs(pairs),
        AstNode::ObjectTransform { input, pattern } => {
            instrument(input);
            instrument_pairs(pattern);
        }
        AstNode::Conditional {
            condition,
            then_branch,
            else_branch,
        } => {
            instrument(condition);
            instrument(then_branch);
            if let Some(e) = else_branch {
                instrument(e);
            }
        }
        AstNode::FunctionApplication(inner) => instrument(inner),
        AstNode::Sort { input, terms } => {
            instrument(input);
            for (term, _) in terms {
                instrument(term);
            }
        }
        AstNode::Transform {
            location,
            update,
            delete,
        } => {
            instrument(location);
            instrument(update);
            if let Some(d) = delete {
                instrument(d);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn charges_until_the_limit() {
        let b = Budget::new(100);
        assert!(b.charge(60).is_ok());
        assert!(b.charge(40).is_ok());
        let e = b.charge(1).unwrap_err();
        assert!(e
            .message()
            .starts_with("U1004: The memory budget of 100 bytes"));
        assert!(Budget::new(10).charge_f64(f64::INFINITY).is_err());
        assert!(Budget::new(10).charge_f64(f64::NAN).is_ok());
    }

    #[test]
    fn sizes_stop_at_the_cap() {
        let item = JValue::from("x".repeat(1000));
        let shared = JValue::array(vec![item; 1000]);
        let nested = JValue::array(vec![shared; 1000]);
        // A billion bytes as text; measuring stops soon after the cap.
        let size = json_size(&nested, 10_000);
        assert!((10_000..20_000).contains(&size), "{size}");
        assert_eq!(text_size(&JValue::from("abc"), 0), 3);
        assert_eq!(json_size(&JValue::from("abc"), 100), 5);
        assert_eq!(json_size(&JValue::from("a\"c"), 100), 6);
    }

    #[test]
    fn join_sizes() {
        let v = JValue::array(vec![JValue::from("ab"), JValue::from("cde")]);
        assert_eq!(strings_size(&v), (5, 2));
        let b = Budget::new(1000);
        Guard::Stash.apply(&b, &v, &[]).unwrap();
        Guard::JoinSeparator
            .apply(&b, &JValue::from("x".repeat(100)), &[])
            .unwrap();
        assert_eq!(b.used.get(), 105);
    }

    #[test]
    fn ranges_and_concatenations_pair_up() {
        let b = Budget::new(usize::MAX);
        Guard::Stash.apply(&b, &JValue::Number(1.0), &[]).unwrap();
        Guard::Stash.apply(&b, &JValue::from("abc"), &[]).unwrap();
        let extra = [JValue::Number(1.0), JValue::Number(7.0)];
        Guard::ConcatEnd
            .apply(&b, &JValue::from("de"), &extra)
            .unwrap();
        assert_eq!(b.used.get(), 12);
        Guard::RangeEnd
            .apply(&b, &JValue::Number(10.0), &[])
            .unwrap();
        assert_eq!(b.used.get(), 12 + 10 * ITEM_BYTES);
        // Metered: what the concatenation adds to its largest operand.
        let b = Budget::metered(usize::MAX);
        Guard::Stash.apply(&b, &JValue::from("abc"), &[]).unwrap();
        Guard::ConcatEnd
            .apply(&b, &JValue::from("de"), &extra)
            .unwrap();
        assert_eq!(b.used.get(), 9);
    }

    fn instrumented(src: &str) -> AstNode {
        let mut ast = jsonata_core::parser::parse(src).expect("parses");
        instrument(&mut ast);
        ast
    }

    fn guard_names(node: &AstNode) -> String {
        format!("{node:?}")
            .split("name: \"\\u{1}")
            .skip(1)
            .map(|rest| rest.split('"').next().unwrap_or_default().to_string())
            .collect::<Vec<_>>()
            .join(",")
    }

    #[test]
    fn instruments_the_operations_that_build() {
        assert_eq!(guard_names(&instrumented(r#""a" & $x & "b""#)), "concat");
        assert_eq!(
            guard_names(&instrumented(r#"$x & $y & $z"#)),
            "stash,stash,concat"
        );
        // A parenthesized chain is an operand of its own (a block), guarded inside too.
        assert_eq!(
            guard_names(&instrumented(r#"$x & ($y & $z)"#)),
            "stash,concat,stash,concat"
        );
        assert_eq!(guard_names(&instrumented(r#""a" & "b""#)), "");
        assert_eq!(guard_names(&instrumented("[1..$n]")), "stash,range-end");
        assert_eq!(guard_names(&instrumented("$pad($s, 5)")), "pad-width");
        assert_eq!(
            guard_names(&instrumented(r#"$join($a, ",")"#)),
            "stash,join-separator"
        );
        assert_eq!(guard_names(&instrumented(r#"$x ~> $string()"#)), "string");
        // Literal keys, partial applications, other functions: left alone.
        assert_eq!(guard_names(&instrumented(r#"{"k": $count($x)}"#)), "");
        assert_eq!(guard_names(&instrumented(r#"$join(?, ",")"#)), "");
        assert_eq!(guard_names(&instrumented(r#"$x{$k: 1}"#)), "object-key");
    }

    #[test]
    fn splits_and_replacements() {
        let b = Budget::new(usize::MAX);
        Guard::Stash.apply(&b, &JValue::from("a,b,c"), &[]).unwrap();
        Guard::SplitSeparator
            .apply(&b, &JValue::from(","), &[])
            .unwrap();
        assert_eq!(b.used.get(), 5 + 3 * 2 * ITEM_BYTES);
        let b = Budget::new(usize::MAX);
        Guard::Stash.apply(&b, &JValue::from("xax"), &[]).unwrap();
        Guard::Stash.apply(&b, &JValue::from("x"), &[]).unwrap();
        Guard::Replacement
            .apply(&b, &JValue::from("yyyy"), &[])
            .unwrap();
        assert_eq!(b.used.get(), 3 + 2 * 4);
        assert_eq!(matches("abc", &JValue::Null), 4);
    }
}

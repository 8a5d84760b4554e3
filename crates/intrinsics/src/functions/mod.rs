//! Evaluation: resolve the arguments, then run the named function on their values.
//!
//! Each family of functions lives in its own module; this one holds the dispatch and the
//! argument helpers they share (arity, types, AWS's two ways of turning a number into an int).

mod array;
mod encoding;
mod format;
mod json;
mod math;
mod string;
mod uuid;

use switchback_json::Json;

use crate::error::invalid_args;
use crate::limits::{text_len, value_bytes, Budget, SLOT};
use crate::{Arg, Env, EvalError, Intrinsic};

/// Evaluates `call`: checks the argument count, evaluates the arguments left to right, then
/// applies the function. Everything built counts against `budget` (see `crate::limits`).
pub(crate) fn eval(
    call: &Intrinsic,
    env: &mut dyn Env,
    budget: &Budget,
) -> Result<Json, EvalError> {
    let name = call.name.as_str();
    let (min, max) = arity(name).ok_or_else(|| unknown_function(name))?;
    if call.args.len() < min || call.args.len() > max {
        return Err(invalid_args(name));
    }
    let mut values = Vec::with_capacity(call.args.len());
    for arg in &call.args {
        values.push(eval_arg(name, arg, env, budget)?);
    }
    let args = Args { name, values };
    budget.charge(name, result_bytes(&args, budget.remaining()))?;
    apply(&args, env)
}

fn eval_arg(name: &str, arg: &Arg, env: &mut dyn Env, budget: &Budget) -> Result<Json, EvalError> {
    match arg {
        Arg::Literal(v) => Ok(v.clone()),
        Arg::Path(p) => {
            // A copy of part of the input: its size is known only once it is made.
            let v = env.resolve_path(p)?;
            budget.charge(name, value_bytes(&v, budget.remaining()))?;
            Ok(v)
        }
        Arg::Call(c) => eval(c, env, budget),
    }
}

/// About how many bytes the result of `args`'s function takes, from its arguments, before it
/// is built (counting at most a little past `cap`). Arguments already counted (path values,
/// nested results) are counted again where the result copies them.
fn result_bytes(args: &Args, cap: usize) -> usize {
    let sum = |from: usize, measure: fn(&Json, usize) -> usize| {
        args.values[from.min(args.values.len())..]
            .iter()
            .fold(0usize, |acc, v| {
                acc.saturating_add(measure(v, cap.saturating_sub(acc)))
            })
    };
    match args.name {
        // A string as long as the template plus each value as text.
        "States.Format" | "States.JsonToString" => SLOT + sum(0, text_len),
        // The text's values: no bigger in memory than a slot per two characters of text.
        "States.StringToJson" => args
            .values
            .first()
            .and_then(Json::as_str)
            .map_or(0, |s| SLOT.saturating_mul(s.len() / 2 + 1)),
        // Copies of the arguments.
        "States.Array" | "States.JsonMerge" | "States.ArrayUnique" => SLOT + sum(0, value_bytes),
        // A copy of the items, plus one array per chunk.
        "States.ArrayPartition" => {
            let items = args.values.first().map_or(0, |v| value_bytes(v, cap));
            let chunks = match (
                args.values.first(),
                args.values.get(1).and_then(Json::as_f64),
            ) {
                (Some(Json::Array(a)), Some(size)) if size >= 1.0 => {
                    (a.len() as f64 / size.trunc()).ceil() as usize
                }
                _ => 0,
            };
            items.saturating_add(chunks.saturating_mul(2 * SLOT))
        }
        // A slot and the bytes of each piece: at most the text plus a slot per piece.
        "States.StringSplit" => match (args.values.first(), args.values.get(1)) {
            (Some(Json::String(text)), Some(Json::String(delimiters))) => {
                let pieces = text
                    .split(|c: char| delimiters.contains(c))
                    .filter(|piece| !piece.is_empty())
                    .count();
                pieces.saturating_mul(SLOT).saturating_add(text.len())
            }
            _ => 0,
        },
        // A copy of one item.
        "States.ArrayGetItem" => args.values.first().map_or(0, |v| value_bytes(v, cap)),
        // The others build small values (ArrayRange: at most 1000 numbers; the encodings and
        // hashes: at most 10,000 characters in, a bounded multiple of that out).
        _ => 0,
    }
}

/// Minimum and maximum argument counts; `None` for a name AWS does not know.
fn arity(name: &str) -> Option<(usize, usize)> {
    Some(match name {
        "States.Format" => (1, usize::MAX),
        "States.Array" => (0, usize::MAX),
        "States.UUID" => (0, 0),
        "States.StringToJson"
        | "States.JsonToString"
        | "States.ArrayLength"
        | "States.ArrayUnique"
        | "States.Base64Encode"
        | "States.Base64Decode" => (1, 1),
        "States.ArrayPartition"
        | "States.ArrayContains"
        | "States.ArrayGetItem"
        | "States.Hash"
        | "States.MathAdd"
        | "States.StringSplit" => (2, 2),
        "States.ArrayRange" | "States.JsonMerge" => (3, 3),
        "States.MathRandom" => (2, 3),
        _ => return None,
    })
}

fn apply(args: &Args, env: &mut dyn Env) -> Result<Json, EvalError> {
    match args.name {
        "States.Format" => format::format(args),
        "States.StringToJson" => json::string_to_json(args),
        "States.JsonToString" => json::json_to_string(args),
        "States.JsonMerge" => json::json_merge(args),
        "States.Array" => Ok(Json::from(args.values.clone())),
        "States.ArrayPartition" => array::partition(args),
        "States.ArrayContains" => array::contains(args),
        "States.ArrayRange" => array::range(args),
        "States.ArrayGetItem" => array::get_item(args),
        "States.ArrayLength" => array::length(args),
        "States.ArrayUnique" => array::unique(args),
        "States.Base64Encode" => encoding::base64_encode(args),
        "States.Base64Decode" => encoding::base64_decode(args),
        "States.Hash" => encoding::hash(args),
        "States.MathRandom" => math::random(args, env),
        "States.MathAdd" => math::add(args),
        "States.StringSplit" => string::split(args),
        "States.UUID" => Ok(uuid::uuid_v4(env)),
        other => Err(unknown_function(other)),
    }
}

/// Only reachable for an `Intrinsic` built by hand: [`crate::parse`] rejects unknown names.
fn unknown_function(name: &str) -> EvalError {
    EvalError {
        error: crate::INTRINSIC_RUNTIME_ERROR.to_string(),
        cause: format!("Unknown intrinsic function '{name}'"),
    }
}

/// The evaluated arguments of one call, with accessors that fail the AWS way.
pub(crate) struct Args<'a> {
    name: &'a str,
    values: Vec<Json>,
}

impl Args<'_> {
    /// The failure AWS reports for any bad argument of this function.
    fn invalid(&self) -> EvalError {
        invalid_args(self.name)
    }

    fn get(&self, i: usize) -> &Json {
        &self.values[i]
    }

    fn string(&self, i: usize) -> Result<&str, EvalError> {
        self.values[i].as_str().ok_or_else(|| self.invalid())
    }

    fn array(&self, i: usize) -> Result<&switchback_json::Array, EvalError> {
        self.values[i].as_array().ok_or_else(|| self.invalid())
    }

    fn object(&self, i: usize) -> Result<&switchback_json::Object, EvalError> {
        self.values[i].as_object().ok_or_else(|| self.invalid())
    }

    /// A number cut toward zero, as Java's `intValue()` does. AWS's ArrayRange,
    /// ArrayPartition, ArrayGetItem and MathRandom behave this way (2.6 -> 2, -0.6 -> 0).
    fn truncated(&self, i: usize) -> Result<i64, EvalError> {
        if let Some(n) = self.values[i].as_i64() {
            return Ok(n);
        }
        let n = self.number(i)?;
        Ok(n.trunc() as i64)
    }

    /// A number rounded half up, as Java's `Math.round` does (1.5 -> 2, -1.5 -> -1, -2.5 -> -2).
    /// AWS's MathAdd rounds each operand this way; the recorded cases confirm the ties.
    fn rounded(&self, i: usize) -> Result<i64, EvalError> {
        if let Some(n) = self.values[i].as_i64() {
            return Ok(n);
        }
        let n = self.number(i)?;
        let floor = n.floor();
        // `n - floor` is exact, unlike `n + 0.5` (0.49999999999999994 must round to 0).
        Ok(if n - floor >= 0.5 { floor + 1.0 } else { floor } as i64)
    }

    fn number(&self, i: usize) -> Result<f64, EvalError> {
        match &self.values[i] {
            Json::Number(n) => n.as_f64().ok_or_else(|| self.invalid()),
            _ => Err(self.invalid()),
        }
    }
}

/// Compact JSON text of a value, as AWS's JSON serializer writes it.
fn to_compact_json(v: &Json) -> String {
    v.to_string()
}

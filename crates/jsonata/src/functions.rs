//! The functions AWS adds to JSONata (`$partition`, `$range`, `$hash`, `$random`, `$uuid`,
//! `$parse`) and the one it takes away (`$eval`).
//!
//! Shapes follow the recorded executions where there are any: `$range` returns a JSONata
//! sequence (a one-item result comes out as the bare item, `$range(1, 9, 9)` is `1`), while
//! `$partition` returns a plain array of arrays (`$partition([0], 1)` is `[[0]]`). Calling a
//! function that does not exist fails with `T1006: Attempted to invoke a non-function`, as AWS
//! records for `$randomSeeded`; `$eval` fails the same way because AWS does not offer it (its
//! documentation points to `$parse`). Where nothing was recorded (argument errors), messages
//! follow jsonata-js's conventions.

use std::cell::Cell;
use std::rc::Rc;

use jsonata_core::evaluator::{Evaluator, EvaluatorError};
use jsonata_core::value::JValue;
use md5::Md5;
use sha1::Sha1;
use sha2::{Digest, Sha256, Sha384, Sha512};

use crate::rng;

type R = Result<JValue, EvaluatorError>;

fn err(msg: impl Into<String>) -> EvaluatorError {
    EvaluatorError::EvaluationError(msg.into())
}

/// jsonata-js's error for an argument that does not fit the function's signature.
fn bad_arg(index: usize, name: &str) -> EvaluatorError {
    err(format!(
        "T0410: Argument {index} of function \"{name}\" does not match function signature"
    ))
}

fn arg(args: &[JValue], i: usize) -> &JValue {
    args.get(i).unwrap_or(&JValue::Undefined)
}

/// A number argument that must be an integer (`T0410` otherwise).
fn integer(v: &JValue, index: usize, name: &str) -> Result<f64, EvaluatorError> {
    match v {
        JValue::Number(n) if n.fract() == 0.0 => Ok(*n),
        _ => Err(bad_arg(index, name)),
    }
}

/// Registers AWS's functions on `ev`. `seed` is drawn from the engine's [`crate::Env`] for
/// `$random()`/`$uuid()`; `max_len` bounds `$range`.
pub(crate) fn register(
    ev: &mut Evaluator,
    seed: u64,
    max_len: usize,
    names: &[String],
) -> Result<(), EvaluatorError> {
    // A function is reachable only by its `$name` in the text (`$eval` is disabled below), so
    // only the names the expression mentions are registered: each costs a hash-map insertion
    // per evaluation.
    let named = |name: &str| names.iter().any(|n| n == name);
    let state = Rc::new(Cell::new(seed));
    let next = move || {
        let mut s = state.get();
        let v = rng::splitmix64(&mut s);
        state.set(s);
        v
    };
    let next2 = next.clone();
    if named("partition") {
        ev.register_fn("partition", partition)?;
    }
    if named("range") {
        ev.register_fn("range", move |args: &[JValue]| range(args, max_len))?;
    }
    if named("hash") {
        ev.register_fn("hash", hash)?;
    }
    if named("parse") {
        ev.register_fn("parse", parse)?;
    }
    if named("random") {
        ev.register_fn_override("random", move |args: &[JValue]| random(args, &next))?;
    }
    if named("uuid") {
        ev.register_fn("uuid", move |args: &[JValue]| {
            if !args.is_empty() {
                return Err(err("T0410: Function \"uuid\" takes no arguments"));
            }
            Ok(JValue::from(rng::uuid_v4(next2(), next2())))
        })?;
    }
    if named("eval") {
        ev.register_fn_override("eval", |_: &[JValue]| -> R {
            Err(err("T1006: Attempted to invoke a non-function"))
        })?;
    }
    Ok(())
}

/// `$partition(array, size)`: consecutive chunks of `size` items, the last possibly shorter.
fn partition(args: &[JValue]) -> R {
    let items: Vec<JValue> = match arg(args, 0) {
        JValue::Undefined => return Ok(JValue::Undefined),
        JValue::Array(a) => a.iter().cloned().collect(),
        // jsonata's `a` signature type wraps a single value in an array.
        v if !crate::convert::is_function(v) => vec![v.clone()],
        _ => return Err(bad_arg(1, "partition")),
    };
    let size = integer(arg(args, 1), 2, "partition")?;
    if size < 1.0 {
        return Err(err(format!(
            "The chunk size argument of function \"partition\" must be a positive integer, \
             but was {size}"
        )));
    }
    let size = size.min(usize::MAX as f64) as usize;
    let chunks: Vec<JValue> = items
        .chunks(size)
        .map(|c| JValue::array(c.to_vec()))
        .collect();
    Ok(JValue::array(chunks))
}

/// `$range(start, end, step)`: `start, start+step, ...` up to and including `end`.
fn range(args: &[JValue], max_len: usize) -> R {
    let num = |i: usize| match arg(args, i) {
        JValue::Number(n) => Ok(*n),
        _ => Err(bad_arg(i + 1, "range")),
    };
    if arg(args, 0).is_undefined() {
        return Ok(JValue::Undefined);
    }
    let (start, end, step) = (num(0)?, num(1)?, num(2)?);
    if step == 0.0 {
        return Err(err(
            "The step argument of function \"range\" must not be zero",
        ));
    }
    let span = (end - start) / step;
    if span < 0.0 {
        return Ok(JValue::sequence(Vec::new()));
    }
    let count = span.floor() + 1.0;
    if count > max_len as f64 {
        return Err(err(format!(
            "D2015: The sequence produced by function \"range\" exceeds the maximum \
             length ({max_len})"
        )));
    }
    let items = (0..count as usize)
        .map(|i| JValue::Number(start + i as f64 * step))
        .collect();
    Ok(JValue::sequence(items))
}

/// `$hash(data, algorithm)`: lowercase hex digest of the UTF-8 bytes of `data`.
fn hash(args: &[JValue]) -> R {
    let data = match arg(args, 0) {
        JValue::Undefined => return Ok(JValue::Undefined),
        JValue::String(s) => s.clone(),
        _ => return Err(bad_arg(1, "hash")),
    };
    let algorithm = match arg(args, 1) {
        JValue::String(s) => s.clone(),
        _ => return Err(bad_arg(2, "hash")),
    };
    let bytes = data.as_bytes();
    let digest: Vec<u8> = match &*algorithm {
        "MD5" => Md5::digest(bytes).to_vec(),
        "SHA-1" => Sha1::digest(bytes).to_vec(),
        "SHA-256" => Sha256::digest(bytes).to_vec(),
        "SHA-384" => Sha384::digest(bytes).to_vec(),
        "SHA-512" => Sha512::digest(bytes).to_vec(),
        other => {
            return Err(err(format!(
                "The hash algorithm '{other}' is not supported by function \"hash\"; \
                 use one of MD5, SHA-1, SHA-256, SHA-384, SHA-512"
            )))
        }
    };
    Ok(JValue::from(
        digest
            .iter()
            .map(|b| format!("{b:02x}"))
            .collect::<String>(),
    ))
}

/// `$parse(json)`: the JSON value a string holds. A blank string gives `null`, as AWS's
/// `States.StringToJson` does for `""` and `" "`.
fn parse(args: &[JValue]) -> R {
    let text = match arg(args, 0) {
        JValue::Undefined => return Ok(JValue::Undefined),
        JValue::String(s) => s.clone(),
        _ => return Err(bad_arg(1, "parse")),
    };
    if text.trim().is_empty() {
        return Ok(JValue::Null);
    }
    match serde_json::from_str::<serde_json::Value>(&text) {
        Ok(v) => Ok(JValue::from(v)),
        Err(e) => Err(err(format!(
            "Function \"parse\" could not parse its argument as JSON: {e}"
        ))),
    }
}

/// `$random()` (a fresh number in `[0, 1)`) and `$random(seed)` (the same number for the
/// same integer seed).
fn random(args: &[JValue], next: &dyn Fn() -> u64) -> R {
    match args {
        [] | [JValue::Undefined] => Ok(JValue::Number(rng::unit_f64(next()))),
        [JValue::Number(n)] => Ok(JValue::Number(rng::java_next_double(*n as i64))),
        [_] => Err(bad_arg(1, "random")),
        _ => Err(err("T0410: Function \"random\" takes at most one argument")),
    }
}

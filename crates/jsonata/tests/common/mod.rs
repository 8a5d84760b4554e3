//! Helpers shared by the integration tests (included with `mod common;`).
#![allow(dead_code)]

use switchback_json::Json;
use switchback_jsonata::{Expression, Outcome, SimpleEnv};

/// Evaluates `src` against `env`, panicking on a parse error.
pub fn eval_in(env: &mut SimpleEnv, src: &str) -> Result<Outcome, String> {
    let expr = Expression::parse(src).unwrap_or_else(|e| panic!("{src}: {}", e.message));
    expr.evaluate(env).map_err(|e| e.message)
}

/// Evaluates `src` with `$states.input` = `input`.
pub fn eval(input: Json, src: &str) -> Result<Outcome, String> {
    eval_in(&mut SimpleEnv::with_input(input), src)
}

/// Evaluates `src` and expects a JSON value.
pub fn value(input: Json, src: &str) -> Json {
    match eval(input, src) {
        Ok(Outcome::Value(v)) => v,
        other => panic!("{src}: expected a value, got {other:?}"),
    }
}

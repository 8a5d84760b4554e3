//! Parsing and evaluating one expression.
//!
//! The parsed syntax tree of `jsonata-core` holds no shared-ownership pointers, so an
//! [`Expression`] is `Send + Sync` and can live in a definition shared across threads. Its
//! runtime values are `Rc`-based, so each evaluation builds its own evaluator, on the calling
//! thread, and nothing of it outlives the call.

use std::fmt;
use std::rc::Rc;
use std::sync::Arc;

use jsonata_core::ast::AstNode;
use jsonata_core::evaluator::{CancelToken, Context, Evaluator, EvaluatorOptions};
use jsonata_core::value::JValue;
use switchback_json::Json;

use crate::budget::Budget;
use crate::convert;
use crate::direct::Program;
use crate::env::{Conversions, Env};
use crate::limits::Limits;
use crate::meter::Metering;

/// A parsed JSONata expression (the text between `{%` and `%}`).
#[derive(Clone)]
pub struct Expression {
    source: String,
    ast: Arc<AstNode>,
    /// The `$names` the text mentions: only these are bound at evaluation.
    names: Arc<[String]>,
    /// Whether the text can reach `$random`/`$uuid` (and so needs a draw from the engine).
    uses_random: bool,
    /// The memory guards the instrumented tree calls (only those are registered).
    guards: crate::budget::GuardSet,
    /// Which members of `$states` the text reads (only those are converted).
    states_use: crate::names::StatesUse,
    /// The expression compiled for direct evaluation over the workflow's JSON, when it is
    /// in the subset [`crate::direct`] covers; jsonata-core evaluates it otherwise (and
    /// whenever direct evaluation gives up).
    direct: Option<Arc<Program>>,
}

impl fmt::Debug for Expression {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Expression")
            .field("source", &self.source)
            .finish_non_exhaustive()
    }
}

impl PartialEq for Expression {
    fn eq(&self, other: &Self) -> bool {
        self.source == other.source
    }
}

/// Why an expression could not be parsed (a definition fault).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ParseError {
    /// What is wrong, for a person: jsonata-js's text where it has a code, e.g.
    /// `S0203: Expected ")" before end of expression`.
    pub message: String,
}

impl fmt::Display for ParseError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for ParseError {}

/// Why evaluation failed: JSONata's own message, e.g. `T1006: Attempted to invoke a non-function`.
///
/// This is the text AWS puts after "threw an error during evaluation. " in the cause of a
/// `States.QueryEvaluationError`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EvalError {
    pub message: String,
}

impl fmt::Display for EvalError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for EvalError {}

/// What an expression produced.
#[derive(Debug, Clone, PartialEq)]
pub enum Outcome {
    /// A JSON value.
    Value(Json),
    /// Nothing (JSONata's `undefined`).
    Undefined,
    /// A function, which cannot be turned into JSON.
    Function,
}

impl Outcome {
    /// The JSON value, if there is one.
    pub fn into_value(self) -> Option<Json> {
        match self {
            Outcome::Value(v) => Some(v),
            _ => None,
        }
    }
}

fn eval_error(e: jsonata_core::evaluator::EvaluatorError) -> EvalError {
    EvalError {
        message: crate::errors::normalize(e.message()),
    }
}

impl Expression {
    /// Parses the text inside `{% %}`.
    pub fn parse(src: &str) -> Result<Expression, ParseError> {
        // The parser is a port and recursion-heavy: guard against a panic on odd input so a
        // definition fault never takes the engine down.
        let parsed = std::panic::catch_unwind(|| jsonata_core::parser::parse(src));
        let ast = match parsed {
            Ok(Ok(ast)) => ast,
            Ok(Err(e)) => {
                return Err(ParseError {
                    message: e.to_string(),
                })
            }
            Err(_) => {
                return Err(ParseError {
                    message: "The expression could not be parsed".into(),
                })
            }
        };
        let direct = Program::compile(&ast);
        let mut ast = ast;
        let guards = crate::budget::instrument_noting(&mut ast);
        let names = crate::names::referenced_names(src);
        let states_use = crate::names::states_use(src);
        let uses_random = names.iter().any(|n| n == "random" || n == "uuid");
        Ok(Expression {
            source: src.to_string(),
            ast: Arc::new(ast),
            names: names.into(),
            uses_random,
            guards,
            states_use,
            direct,
        })
    }

    /// The expression text as written (trimmed of nothing).
    pub fn source(&self) -> &str {
        &self.source
    }

    /// The `$names` the expression text mentions (without `$`), sorted: the variables
    /// evaluation will look up, plus function and lambda-parameter names.
    pub fn referenced_names(&self) -> &[String] {
        &self.names
    }

    /// Evaluates the expression with the limits set for this thread
    /// ([`crate::limits::set_thread_limits`]), the default [`Limits`] if none were set.
    pub fn evaluate(&self, env: &mut dyn Env) -> Result<Outcome, EvalError> {
        self.evaluate_with_limits(env, &crate::limits::thread_limits())
    }

    /// Evaluates the expression within `limits`.
    pub fn evaluate_with_limits(
        &self,
        env: &mut dyn Env,
        limits: &Limits,
    ) -> Result<Outcome, EvalError> {
        if let Some(direct) = &self.direct {
            if let Ok(result) = direct.evaluate(&*env, limits) {
                return Ok(result.map_or(Outcome::Undefined, Outcome::Value));
            }
        }
        self.evaluate_with_jsonata_core(env, limits)
    }

    /// Evaluates the expression with jsonata-core, whatever it is.
    pub(crate) fn evaluate_with_jsonata_core(
        &self,
        env: &mut dyn Env,
        limits: &Limits,
    ) -> Result<Outcome, EvalError> {
        let mut context = Context::new();
        // The environment's conversions when it keeps them, else this evaluation's own.
        let own;
        let conversions = match env.conversions() {
            Some(kept) => kept,
            None => {
                own = Conversions::new();
                &own
            }
        };
        for name in self.names.iter() {
            let bound = if name == "states" {
                Some(conversions.states(&*env, self.states_use))
            } else {
                env.variable(name).map(|v| conversions.variable(name, v))
            };
            if let Some(value) = bound {
                context.bind(name.clone(), value);
            }
        }
        // With a metering allocator, the heap the evaluation takes is bounded too: past the
        // budget the allocator cancels this token (see `meter`).
        let token = CancelToken::new();
        let metered = crate::meter::installed();
        let options = EvaluatorOptions {
            timeout_ms: Some(limits.timeout.as_millis().min(u64::MAX as u128) as u64),
            cancel: metered.then(|| token.clone()),
            max_stack_depth: Some(limits.max_depth),
            max_sequence_length: Some(limits.effective_sequence_length()),
        };
        let mut ev = Evaluator::with_options(context, options);
        let seed = if self.uses_random {
            env.random_u64()
        } else {
            0
        };
        crate::functions::register(
            &mut ev,
            seed,
            limits.effective_sequence_length(),
            &self.names,
        )
        .map_err(eval_error)?;
        // The guards share one budget; an expression that calls none needs none.
        if self.guards.any() {
            let budget = Rc::new(if metered {
                Budget::metered(limits.max_memory_bytes)
            } else {
                Budget::new(limits.max_memory_bytes)
            });
            crate::budget::register(&mut ev, &budget, self.guards).map_err(eval_error)?;
        }
        // A panic inside the evaluator (a bug there, not in the workflow) becomes an error so
        // one bad expression cannot take the engine down; nothing of `ev` is used afterwards.
        let metering = metered.then(|| Metering::start(limits.max_memory_bytes, &token));
        let run = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
            ev.evaluate(&self.ast, &JValue::Undefined)
        }));
        let tripped = metering.as_ref().is_some_and(Metering::tripped);
        drop(metering);
        if tripped {
            return Err(eval_error(crate::budget::exceeded(limits.max_memory_bytes)));
        }
        let result = match run {
            Ok(r) => r.map_err(eval_error)?,
            Err(_) => {
                return Err(EvalError {
                    message: "The expression could not be evaluated (internal evaluator fault)"
                        .into(),
                })
            }
        };
        Ok(match &result {
            JValue::Undefined => Outcome::Undefined,
            v if convert::is_function(v) => Outcome::Function,
            v => {
                // The result may share one value many times over; as JSON each copy is
                // separate, so its size is checked before it is built.
                if crate::budget::json_size(v, limits.max_memory_bytes) > limits.max_memory_bytes {
                    return Err(eval_error(crate::budget::exceeded(limits.max_memory_bytes)));
                }
                convert::from_jvalue(v).map_or(Outcome::Undefined, Outcome::Value)
            }
        })
    }
}

#[cfg(test)]
mod tests {
    use super::Expression;

    fn assert_send_sync<T: Send + Sync>() {}

    #[test]
    fn expression_is_send_and_sync() {
        assert_send_sync::<Expression>();
    }
}

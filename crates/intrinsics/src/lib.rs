//! The intrinsic functions of the Amazon States Language (`States.Format(...)`, `States.Array(...)`,
//! `States.Hash(...)`, ...), usable in JSONPath-mode payload templates (`"key.$": "States.X(...)"`).
//!
//! Parsing happens once when the definition loads ([`parse`]); evaluation ([`Intrinsic::eval`])
//! asks its [`Env`] for the values of path arguments and for randomness, so this crate does no
//! I/O and stays deterministic under test.
//!
//! STUB: the interface is fixed; the implementation is being written.

use serde_json::Value;

/// A parsed intrinsic function call, possibly with nested calls among its arguments.
#[derive(Debug, Clone, PartialEq)]
pub struct Intrinsic {
    /// The function name, e.g. `States.Format`.
    pub name: String,
    /// The arguments in order.
    pub args: Vec<Arg>,
}

/// One argument of an intrinsic call.
#[derive(Debug, Clone, PartialEq)]
pub enum Arg {
    /// A literal: string ('...'), number, boolean or null.
    Literal(Value),
    /// A path (`$.a`, `$$.Execution.Id`, `$var.x`), resolved by the [`Env`] at evaluation.
    Path(String),
    /// A nested call.
    Call(Box<Intrinsic>),
}

/// Why an intrinsic expression could not be parsed (a definition fault).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ParseError {
    /// What is wrong, for a person.
    pub message: String,
}

impl std::fmt::Display for ParseError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.message)
    }
}
impl std::error::Error for ParseError {}

/// A run-time failure, reported as the state's error and cause.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EvalError {
    /// The error name AWS uses, e.g. `States.IntrinsicFailure` or `States.Runtime`.
    pub error: String,
    /// AWS's cause text, without the "An error occurred while executing the state ..." prefix.
    pub cause: String,
}

/// What evaluation needs from its surroundings.
pub trait Env {
    /// The value of a path argument; `Err` carries the cause text when it does not resolve.
    fn resolve_path(&mut self, path: &str) -> Result<Value, EvalError>;
    /// 64 random bits (States.MathRandom, States.UUID).
    fn random_u64(&mut self) -> u64;
}

/// True when a payload template string is an intrinsic call rather than a path.
pub fn is_intrinsic(src: &str) -> bool {
    src.trim_start().starts_with("States.")
}

/// Parses an intrinsic call such as `States.Format('Hello, {}', $.name)`.
pub fn parse(src: &str) -> Result<Intrinsic, ParseError> {
    Err(ParseError {
        message: format!("intrinsic functions are not implemented yet: {src}"),
    })
}

impl Intrinsic {
    /// Evaluates the call.
    pub fn eval(&self, _env: &mut dyn Env) -> Result<Value, EvalError> {
        Err(EvalError {
            error: "States.Runtime".into(),
            cause: "not implemented".into(),
        })
    }
}

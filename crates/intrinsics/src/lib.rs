//! The intrinsic functions of the Amazon States Language (`States.Format(...)`, `States.Array(...)`,
//! `States.Hash(...)`, ...), usable in JSONPath-mode payload templates (`"key.$": "States.X(...)"`).
//!
//! Parsing happens once when the definition loads ([`parse`]); evaluation ([`Intrinsic::eval`])
//! asks its [`Env`] for the values of path arguments and for randomness, so this crate does no
//! I/O and stays deterministic under test.
//!
//! What AWS does, and therefore what this crate does:
//! - Syntax faults (unknown function, bad string escape, unbalanced parentheses) are definition
//!   faults: [`parse`] rejects them.
//! - Everything else, including a wrong number of arguments, fails only when the call runs, with
//!   error `States.Runtime` and cause `Invalid arguments in States.X` ([`EvalError`]).
//! - Path arguments are resolved by the engine through [`Env::resolve_path`]; its error is passed
//!   through unchanged.
//! - One evaluation may build only so many bytes of values ([`Limits`], see [`limits`]); past
//!   them it fails with `States.Runtime`.

mod error;
mod functions;
pub mod limits;
mod parser;

use switchback_json::Json;

pub use error::INTRINSIC_RUNTIME_ERROR;
pub use limits::Limits;

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
    Literal(Json),
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

impl std::fmt::Display for EvalError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}: {}", self.error, self.cause)
    }
}
impl std::error::Error for EvalError {}

/// What evaluation needs from its surroundings.
pub trait Env {
    /// The value of a path argument; `Err` carries the cause text when it does not resolve.
    fn resolve_path(&mut self, path: &str) -> Result<Json, EvalError>;
    /// 64 random bits (States.MathRandom, States.UUID).
    fn random_u64(&mut self) -> u64;
}

/// The names of all intrinsic functions AWS knows, in the order of its documentation.
pub const FUNCTION_NAMES: [&str; 18] = [
    "States.Format",
    "States.StringToJson",
    "States.JsonToString",
    "States.Array",
    "States.ArrayPartition",
    "States.ArrayContains",
    "States.ArrayRange",
    "States.ArrayGetItem",
    "States.ArrayLength",
    "States.ArrayUnique",
    "States.Base64Encode",
    "States.Base64Decode",
    "States.Hash",
    "States.JsonMerge",
    "States.MathRandom",
    "States.MathAdd",
    "States.StringSplit",
    "States.UUID",
];

/// True when a payload template string is an intrinsic call rather than a path.
pub fn is_intrinsic(src: &str) -> bool {
    src.trim_start().starts_with("States.")
}

/// Parses an intrinsic call such as `States.Format('Hello, {}', $.name)`.
///
/// Never panics; any input that is not one well-formed call of a known function is an error.
pub fn parse(src: &str) -> Result<Intrinsic, ParseError> {
    parser::parse(src)
}

impl Intrinsic {
    /// Evaluates the call: arguments left to right (paths through `env`), then the function,
    /// within the limits set for this thread ([`limits::set_thread_limits`]; the default
    /// [`Limits`] if none were).
    pub fn eval(&self, env: &mut dyn Env) -> Result<Json, EvalError> {
        self.eval_with_limits(env, &limits::thread_limits())
    }

    /// Evaluates the call within `limits`: the values it builds, nested calls included, count
    /// against one memory budget (see [`limits`]).
    pub fn eval_with_limits(&self, env: &mut dyn Env, limits: &Limits) -> Result<Json, EvalError> {
        functions::eval(self, env, &limits::Budget::new(limits))
    }
}

impl std::fmt::Display for Intrinsic {
    /// Renders the call back in intrinsic syntax (string literals re-escaped), so that
    /// `parse(&call.to_string()) == Ok(call)`.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}(", self.name)?;
        for (i, arg) in self.args.iter().enumerate() {
            if i > 0 {
                f.write_str(", ")?;
            }
            match arg {
                Arg::Literal(Json::String(s)) => f.write_str(&parser::quote(s))?,
                Arg::Literal(v) => write!(f, "{v}")?,
                Arg::Path(p) => f.write_str(p)?,
                Arg::Call(c) => write!(f, "{c}")?,
            }
        }
        f.write_str(")")
    }
}

//! JSONata as Step Functions uses it: a field whose string value is `{% expression %}` is an
//! expression evaluated with `$states` (input, result, errorOutput, context) and the workflow's
//! variables bound, plus AWS's extra functions (`$partition`, `$range`, `$hash`, `$random`,
//! `$uuid`, `$parse`).
//!
//! The evaluator underneath is `jsonata-core` (a Rust port of jsonata-js). This crate adds what
//! AWS adds on top of stock JSONata, converts values at the boundary (`switchback_json::Json` in,
//! [`Outcome`] out, integral numbers as JSON integers), bounds every evaluation with [`Limits`]
//! so a runaway expression fails instead of hanging, and reports errors in jsonata-js form
//! (`T1006: Attempted to invoke a non-function`), which is what AWS puts in its causes.
//!
//! Most expressions in real workflows are plain (`$states.input.order`, `$sum(...)`, `a + 1`):
//! those are evaluated directly over the workflow's JSON (`direct`), and jsonata-core is used
//! for everything else, and wherever direct evaluation meets a case it leaves to jsonata-core.
//!
//! Layout: [`expression`] (parse/evaluate), `direct` (the plain expressions, without
//! jsonata-core), [`env`] (what evaluation needs from the engine), [`limits`], `budget` (the
//! memory budget of an evaluation), [`meter`] (the heap an evaluation takes, for programs whose
//! allocator allows it), `convert` (value conversion), `errors` (jsonata-js error text),
//! `functions` (AWS's extra functions), `rng` (the random generators behind
//! `$random`/`$uuid`), `names` (which `$names` an expression uses).

mod budget;
mod convert;
mod direct;
pub mod env;
mod errors;
pub mod expression;
mod functions;
pub mod limits;
pub mod meter;
mod names;
mod rng;

pub use budget::MEMORY_ERROR_CODE;
pub use env::{Conversions, Env, SimpleEnv, StatesMember};
pub use expression::{EvalError, Expression, Outcome, ParseError};
pub use limits::Limits;
pub use meter::MeteredAlloc;

/// If `s` is `{% ... %}`, the text inside.
///
/// AWS requires the delimiters at the very start and end of the string (no surrounding
/// whitespace): `" {% x %} "` is a plain string literal, as the recorded executions show.
pub fn strip_delimiters(s: &str) -> Option<&str> {
    s.strip_prefix("{%")?.strip_suffix("%}")
}

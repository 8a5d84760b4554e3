//! JSONata as Step Functions uses it: a field whose string value is `{% expression %}` is an
//! expression evaluated with `$states` (input, result, errorOutput, context) and the workflow's
//! variables bound, plus AWS's extra functions (`$partition`, `$range`, `$hash`, `$random`,
//! `$uuid`, `$parse`).
//!
//! STUB: the interface is fixed; the implementation is being written.

use serde_json::Value;

/// A parsed JSONata expression (the text between `{%` and `%}`).
#[derive(Debug, Clone)]
pub struct Expression {
    source: String,
}

/// Why an expression could not be parsed (a definition fault).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ParseError {
    /// What is wrong, for a person.
    pub message: String,
}

/// Why evaluation failed: JSONata's own message, e.g. `T1006: Attempted to invoke a non-function`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EvalError {
    pub message: String,
}

/// What an expression produced.
#[derive(Debug, Clone, PartialEq)]
pub enum Outcome {
    /// A JSON value.
    Value(Value),
    /// Nothing (JSONata's `undefined`).
    Undefined,
    /// A function, which cannot be turned into JSON.
    Function,
}

/// What evaluation needs from its surroundings.
pub trait Env {
    /// `$states`: `{input, context, result?, errorOutput?}`.
    fn states(&self) -> &Value;
    /// A workflow variable (bound as `$name`), if it exists.
    fn variable(&self, name: &str) -> Option<&Value>;
    /// Names of the variables in scope (to bind them all).
    fn variable_names(&self) -> Vec<String>;
    /// 64 random bits (`$random`, `$uuid`).
    fn random_u64(&mut self) -> u64;
}

/// If `s` is `{% ... %}`, the text inside.
pub fn strip_delimiters(s: &str) -> Option<&str> {
    s.strip_prefix("{%")?.strip_suffix("%}")
}

impl Expression {
    /// Parses the text inside `{% %}`.
    pub fn parse(src: &str) -> Result<Expression, ParseError> {
        Ok(Expression {
            source: src.to_string(),
        })
    }

    /// The expression text as written (trimmed of nothing).
    pub fn source(&self) -> &str {
        &self.source
    }

    /// Evaluates the expression.
    pub fn evaluate(&self, _env: &mut dyn Env) -> Result<Outcome, EvalError> {
        Err(EvalError {
            message: "JSONata is not implemented yet".into(),
        })
    }
}

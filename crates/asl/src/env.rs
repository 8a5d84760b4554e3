//! What evaluating part of a definition needs from the engine, and how it fails.

use switchback_json::Json;

/// The surroundings of an evaluation: the engine implements this for the state being run.
///
/// Values are borrowed: selecting `$.a.b` from the input copies only what the template keeps.
pub trait Env {
    /// `$`: the state's effective input (after InputPath in JSONPath mode).
    fn input(&self) -> &Json;
    /// `$$`: the context object. Built lazily by the engine, as most states never read it.
    fn context(&self) -> &Json;
    /// A variable set by `Assign`, if it is in scope.
    fn variable(&self, name: &str) -> Option<&Json>;
    /// Names of all variables in scope (JSONata binds them all).
    fn variable_names(&self) -> Vec<String>;
    /// `$states` for JSONata: `{input, context, result?, errorOutput?}`.
    fn states(&self) -> &Json;
    /// 64 random bits, from the driver (so that tests can seed them).
    fn random_u64(&mut self) -> u64;
    /// Where JSONata keeps its copies of `$states` and the variables between the expressions
    /// evaluated with this environment (see [`switchback_jsonata::Env::conversions`]).
    fn jsonata_conversions(&self) -> Option<&switchback_jsonata::Conversions> {
        None
    }
    /// One member of `$states` (see [`switchback_jsonata::Env::states_member`]).
    fn jsonata_states_member(&self, member: switchback_jsonata::StatesMember) -> Option<&Json> {
        self.states().get(member.name())
    }
}

/// A run-time failure of a state: an error name and a cause, as AWS reports them.
///
/// `cause` is the specific text; the engine prefixes it with "An error occurred while executing
/// the state 'X' (entered at the event id #N). " where AWS does.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Failure {
    /// The error name, e.g. `States.Runtime`.
    pub error: String,
    /// AWS's cause text.
    pub cause: String,
    /// For JSONata failures: the field whose expression failed, e.g. `Output/FunctionResult`
    /// (the `location` of AWS's `EvaluationFailed` event).
    pub location: Option<String>,
}

impl Failure {
    /// The same failure, located at a field.
    pub fn at(self, field: &str) -> Failure {
        Failure {
            location: Some(field.to_string()),
            ..self
        }
    }

    /// `States.Runtime` with a cause.
    pub fn runtime(cause: impl Into<String>) -> Failure {
        Failure {
            error: crate::errors::RUNTIME.into(),
            cause: cause.into(),
            location: None,
        }
    }

    /// `States.QueryEvaluationError` with a cause.
    pub fn query(cause: impl Into<String>) -> Failure {
        Failure {
            error: crate::errors::QUERY_EVALUATION_ERROR.into(),
            cause: cause.into(),
            location: None,
        }
    }
}

//! What evaluation needs from its surroundings: the `$states` object, the workflow variables in
//! scope and a source of randomness. The engine implements [`Env`]; [`SimpleEnv`] is a plain
//! implementation for tests and tools.

use serde_json::{Map, Value};

/// What evaluation needs from its surroundings.
pub trait Env {
    /// `$states`: `{input, context, result?, errorOutput?}`.
    fn states(&self) -> &Value;
    /// A workflow variable (bound as `$name`), if it exists.
    fn variable(&self, name: &str) -> Option<&Value>;
    /// Names of the variables in scope (to bind them all).
    ///
    /// Evaluation itself only looks up the names the expression mentions (see
    /// [`crate::Expression::referenced_names`]), so this is informational.
    fn variable_names(&self) -> Vec<String>;
    /// 64 random bits (`$random`, `$uuid`).
    ///
    /// Called at most once per evaluation, and only when the expression can reach
    /// `$random` or `$uuid`: that draw seeds a generator local to the evaluation.
    fn random_u64(&mut self) -> u64;
}

/// A self-contained [`Env`]: a `$states` value, a map of variables and a deterministic
/// random sequence (splitmix64 from a seed), so tests and tools can evaluate expressions
/// without an engine.
#[derive(Debug, Clone)]
pub struct SimpleEnv {
    /// The `$states` object.
    pub states: Value,
    /// Workflow variables, by name without the `$`.
    pub variables: Map<String, Value>,
    /// State of the random sequence.
    pub seed: u64,
}

impl SimpleEnv {
    /// An environment whose `$states` is `{"input": input, "context": {}}`, with no variables.
    pub fn with_input(input: Value) -> SimpleEnv {
        let mut states = Map::new();
        states.insert("input".into(), input);
        states.insert("context".into(), Value::Object(Map::new()));
        SimpleEnv {
            states: Value::Object(states),
            variables: Map::new(),
            seed: 0x5eed,
        }
    }

    /// Adds (or replaces) a variable; returns `self` for chaining.
    pub fn with_variable(mut self, name: &str, value: Value) -> SimpleEnv {
        self.variables.insert(name.to_string(), value);
        self
    }
}

impl Env for SimpleEnv {
    fn states(&self) -> &Value {
        &self.states
    }

    fn variable(&self, name: &str) -> Option<&Value> {
        self.variables.get(name)
    }

    fn variable_names(&self) -> Vec<String> {
        self.variables.keys().cloned().collect()
    }

    fn random_u64(&mut self) -> u64 {
        crate::rng::splitmix64(&mut self.seed)
    }
}

//! What evaluation needs from its surroundings: the `$states` object, the workflow variables in
//! scope and a source of randomness. The engine implements [`Env`]; [`SimpleEnv`] is a plain
//! implementation for tests and tools.

use std::cell::{OnceCell, RefCell};

use jsonata_core::value::JValue;
use switchback_json::{Json, Object};

use crate::names::StatesUse;

/// What evaluation needs from its surroundings.
pub trait Env {
    /// `$states`: `{input, context, result?, errorOutput?}`.
    fn states(&self) -> &Json;
    /// A workflow variable (bound as `$name`), if it exists.
    fn variable(&self, name: &str) -> Option<&Json>;
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
    /// Where the evaluator's copies of `$states` and the variables are kept between the
    /// expressions evaluated with this environment, if it keeps them. An environment that
    /// returns one promises that `states()` and `variable()` answer the same for as long as
    /// it lives (the engine makes one per field of a state).
    fn conversions(&self) -> Option<&Conversions> {
        None
    }
    /// One member of `$states`, if present. The default looks it up in [`Env::states`]; an
    /// environment that can lend a member without building `$states` first (the engine builds
    /// the context object only when it is read) overrides it.
    fn states_member(&self, member: StatesMember) -> Option<&Json> {
        self.states().get(member.name())
    }
}

/// A member of `$states`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum StatesMember {
    /// `$states.input`: the state's input.
    Input,
    /// `$states.context`: the context object.
    Context,
    /// `$states.result`: a Task's, Parallel's or Map's result (in `Output` and `Assign`).
    Result,
    /// `$states.errorOutput`: the error caught (in a Catcher's `Output` and `Assign`).
    ErrorOutput,
}

impl StatesMember {
    /// Every member, in `$states`' order.
    pub const ALL: [StatesMember; 4] = [
        StatesMember::Input,
        StatesMember::Context,
        StatesMember::Result,
        StatesMember::ErrorOutput,
    ];

    /// The member's name in `$states`.
    pub fn name(self) -> &'static str {
        match self {
            StatesMember::Input => "input",
            StatesMember::Context => "context",
            StatesMember::Result => "result",
            StatesMember::ErrorOutput => "errorOutput",
        }
    }

    /// The member called `name`, if there is one.
    pub fn named(name: &str) -> Option<StatesMember> {
        StatesMember::ALL.into_iter().find(|m| m.name() == name)
    }

    /// The member's place in [`StatesMember::ALL`] (its bit in a [`StatesUse`]).
    pub(crate) fn index(self) -> usize {
        self as usize
    }
}

/// The evaluator's own copies of `$states` and of the variables, made once per environment.
///
/// The evaluator works on its own value type; turning a state's input (and context) into it
/// is most of the cost of a small expression, and a state's fields hold several expressions
/// that read the same `$states`. Its values share their parts (`Rc`), so handing the same copy
/// to each evaluation costs nothing; an evaluation never changes a value it was given.
#[derive(Default)]
pub struct Conversions {
    /// `$states` whole, for an expression that may read all of it.
    states: OnceCell<JValue>,
    /// Its members, in [`StatesMember::ALL`]'s order: an expression gets those it reads
    /// ([`crate::names::states_use`]).
    members: [OnceCell<JValue>; 4],
    variables: RefCell<Vec<(String, JValue)>>,
}

impl Conversions {
    /// An empty cache.
    pub fn new() -> Conversions {
        Conversions::default()
    }

    /// `$states` of `env` for an expression that reads it as `used` says, each member converted
    /// on first use. An expression that may read it whole gets `states()` converted whole.
    pub(crate) fn states(&self, env: &dyn Env, used: StatesUse) -> JValue {
        let Some(used) = used else {
            return self
                .states
                .get_or_init(|| crate::convert::to_jvalue(env.states()))
                .clone();
        };
        let mut object = indexmap::IndexMap::with_capacity(StatesMember::ALL.len());
        for member in StatesMember::ALL {
            if used & (1 << member.index()) == 0 {
                continue;
            }
            if let Some(value) = env.states_member(member) {
                let converted = self.members[member.index()]
                    .get_or_init(|| crate::convert::to_jvalue(value))
                    .clone();
                object.insert(member.name().to_string(), converted);
            }
        }
        JValue::object(object)
    }

    /// The variable `name` (whose value is `value`), converted on first use.
    pub(crate) fn variable(&self, name: &str, value: &Json) -> JValue {
        if let Some((_, v)) = self.variables.borrow().iter().find(|(n, _)| n == name) {
            return v.clone();
        }
        let converted = crate::convert::to_jvalue(value);
        self.variables
            .borrow_mut()
            .push((name.to_string(), converted.clone()));
        converted
    }
}

impl std::fmt::Debug for Conversions {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Conversions")
            .field("states", &self.states.get().is_some())
            .field(
                "members",
                &self.members.iter().filter(|m| m.get().is_some()).count(),
            )
            .field("variables", &self.variables.borrow().len())
            .finish()
    }
}

/// A self-contained [`Env`]: a `$states` value, a map of variables and a deterministic
/// random sequence (splitmix64 from a seed), so tests and tools can evaluate expressions
/// without an engine.
#[derive(Debug, Clone)]
pub struct SimpleEnv {
    /// The `$states` object.
    pub states: Json,
    /// Workflow variables, by name without the `$`.
    pub variables: Object,
    /// State of the random sequence.
    pub seed: u64,
}

impl SimpleEnv {
    /// An environment whose `$states` is `{"input": input, "context": {}}`, with no variables.
    pub fn with_input(input: Json) -> SimpleEnv {
        let mut states = Object::new();
        states.insert("input".into(), input);
        states.insert("context".into(), Json::Object(Object::new()));
        SimpleEnv {
            states: Json::Object(states),
            variables: Object::new(),
            seed: 0x5eed,
        }
    }

    /// Adds (or replaces) a variable; returns `self` for chaining.
    pub fn with_variable(mut self, name: &str, value: Json) -> SimpleEnv {
        self.variables.insert(name.into(), value);
        self
    }
}

impl Env for SimpleEnv {
    fn states(&self) -> &Json {
        &self.states
    }

    fn variable(&self, name: &str) -> Option<&Json> {
        self.variables.get(name)
    }

    fn variable_names(&self) -> Vec<String> {
        self.variables.keys().map(|k| k.to_string()).collect()
    }

    fn random_u64(&mut self) -> u64 {
        crate::rng::splitmix64(&mut self.seed)
    }
}

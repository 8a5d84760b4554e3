//! Variables (`Assign`): scoped so that a Parallel branch or Map iteration sees the variables
//! of the scope around it but its own assignments stay inside it.

use std::collections::HashMap;
use std::sync::Arc;

use switchback_json::{Json, Object, Str};

/// The variables visible in one frame.
#[derive(Debug, Clone, Default)]
pub struct Vars {
    /// The enclosing scope's variables, read-only from here.
    outer: Option<Arc<Vars>>,
    /// Variables assigned in this scope. foldhash rather than SipHash: every `$name` an
    /// expression reads is a lookup here, and names come from the definition, not from data.
    own: HashMap<Str, Json, foldhash::fast::RandomState>,
}

impl Vars {
    /// A nested scope that reads `outer`.
    pub fn nested(outer: Arc<Vars>) -> Vars {
        Vars {
            outer: Some(outer),
            own: HashMap::default(),
        }
    }

    /// The value of `name`, looking outwards.
    pub fn get(&self, name: &str) -> Option<&Json> {
        self.own
            .get(name)
            .or_else(|| self.outer.as_ref().and_then(|o| o.get(name)))
    }

    /// Every visible name.
    pub fn names(&self) -> Vec<String> {
        let mut names: Vec<String> = self.outer.as_ref().map(|o| o.names()).unwrap_or_default();
        for k in self.own.keys() {
            if !names.iter().any(|n| *k == *n) {
                names.push(k.to_string());
            }
        }
        names
    }

    /// True when no variable is visible (the common case: no need to bind any).
    pub fn is_empty(&self) -> bool {
        self.own.is_empty() && self.outer.as_ref().is_none_or(|o| o.is_empty())
    }

    /// Sets variables from an evaluated `Assign` object.
    pub fn assign(&mut self, values: &Object) {
        for (k, v) in values.iter() {
            self.own.insert(k.clone(), v.clone());
        }
    }
}

//! Parsed definitions, shared between executions of the same definition.
//!
//! Parsing and compiling a definition (paths, templates, JSONata) costs far more than running
//! a short execution, so a definition's text is parsed once and kept while it is in use.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use switchback_asl::{load_definition, LoadError, StateMachine};

use crate::error::RuntimeError;

/// How many distinct definitions are kept before the cache starts over.
const CAPACITY: usize = 1024;

/// Definitions by their text, hashed with foldhash (seeded per process): a definition is a
/// few kilobytes hashed on every start, and SipHash cost several times as much.
type ByText = HashMap<Arc<str>, Arc<StateMachine>, foldhash::fast::RandomState>;

/// Definitions by their text.
#[derive(Default)]
pub struct Machines {
    parsed: Mutex<ByText>,
}

impl Machines {
    /// The parsed machine of `definition`.
    pub fn get(&self, definition: &str) -> Result<Arc<StateMachine>, RuntimeError> {
        if let Some(m) = self.lock().get(definition) {
            return Ok(m.clone());
        }
        let machine = Arc::new(load_definition(definition).map_err(|e| {
            RuntimeError::InvalidDefinition(match e {
                LoadError::Syntax(s) => s,
                LoadError::Invalid(faults) => {
                    switchback_validate::invalid_definition_message(&faults)
                }
            })
        })?);
        let mut parsed = self.lock();
        if parsed.len() >= CAPACITY {
            parsed.clear();
        }
        parsed.insert(definition.into(), machine.clone());
        Ok(machine)
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, ByText> {
        // A panic while holding the lock leaves only a cache behind: take it as it is.
        self.parsed.lock().unwrap_or_else(|e| e.into_inner())
    }
}

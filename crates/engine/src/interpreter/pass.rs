//! The Pass state: its input, or a fixed `Result`, passed on through the data flow.

use std::sync::Arc;

use serde_json::Value;
use switchback_asl::QueryLanguage;

use super::{Fault, Frame, Interpreter, StateRun, Step};

impl Interpreter<'_> {
    pub(super) fn pass(
        &self,
        run: &StateRun<'_>,
        result: Option<&Value>,
        frame: &mut Frame,
    ) -> Result<Step, Fault> {
        let state = run.state;
        let output = match state.query_language {
            QueryLanguage::JsonPath => {
                let effective = self.effective_input(run, frame)?;
                let produced = match (result, &state.io.parameters) {
                    (Some(r), _) => Arc::new(r.clone()),
                    (None, Some(t)) => {
                        let mut env = self.env(run, &effective, frame);
                        Arc::new(self.eval(run, t, &mut env)?)
                    }
                    (None, None) => effective,
                };
                self.assign(run, state.assign.as_ref(), &produced, None, None, frame)?;
                let merged = self.apply_result_path(run, &state.io.result_path, produced, frame)?;
                self.apply_output_path(run, merged, frame)?
            }
            QueryLanguage::Jsonata => {
                let result_value = result
                    .map(|r| Arc::new(r.clone()))
                    .unwrap_or_else(|| run.input.clone());
                self.finish(run, result_value, frame)?
            }
        };
        self.exit(run, output, state.transition, frame)
    }
}

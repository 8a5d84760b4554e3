//! The Pass state: its input, or a fixed `Result`, passed on through the data flow.

use switchback_asl::QueryLanguage;
use switchback_json::Json;

use super::{Fault, Frame, Interpreter, StateRun, Step};

impl Interpreter<'_> {
    pub(super) fn pass(
        &self,
        run: &StateRun<'_>,
        result: Option<&Json>,
        frame: &mut Frame,
    ) -> Result<Step, Fault> {
        let state = run.state;
        let output = match state.query_language {
            QueryLanguage::JsonPath => {
                let effective = self.effective_input(run, frame)?;
                let produced = match (result, &state.io.parameters) {
                    (Some(r), _) => r.clone(),
                    (None, Some(t)) => {
                        let mut env = self.env(run, &effective, frame);
                        self.eval(run, t, &mut env)?
                    }
                    (None, None) => effective,
                };
                self.assign(run, state.assign.as_ref(), &produced, None, None, frame)?;
                let merged = self.apply_result_path(run, &state.io.result_path, produced)?;
                self.apply_output_path(run, merged, frame)?
            }
            QueryLanguage::Jsonata => {
                let result_value = result.cloned().unwrap_or_else(|| run.input.clone());
                self.finish(run, result_value, frame)?
            }
        };
        self.exit(run, output, state.transition, frame)
    }
}

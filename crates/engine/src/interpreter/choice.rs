//! The Choice state: the first rule that matches picks the next state, else the default.

use switchback_asl::errors as names;
use switchback_asl::template::Template;
use switchback_asl::{ChoiceBranch, QueryLanguage, Transition};
use switchback_json::Json;

use super::{Fault, Frame, Interpreter, StateRun, Step};

impl Interpreter<'_> {
    pub(super) fn choice(
        &self,
        run: &StateRun<'_>,
        choices: &[ChoiceBranch],
        default: Option<usize>,
        frame: &mut Frame,
    ) -> Result<Step, Fault> {
        let effective = match run.state.query_language {
            QueryLanguage::JsonPath => self.effective_input(run, frame)?,
            QueryLanguage::Jsonata => run.input.clone(),
        };
        let mut chosen = None;
        for branch in choices {
            let mut env = self.env(run, &effective, frame);
            let matched = branch
                .rule
                .eval(&mut env)
                .map_err(|f| self.engine_failure(run, f));
            let matched = match matched {
                Ok(m) => m,
                Err(f) if f.error == names::QUERY_EVALUATION_ERROR => {
                    self.evaluation_failed(run, &f, Some("Condition"), frame, false);
                    return Err(f);
                }
                Err(f) => return Err(f),
            };
            if matched {
                chosen = Some(branch);
                break;
            }
        }
        let (next, output) = match chosen {
            Some(branch) => {
                let output = self.choice_output(
                    run,
                    &effective,
                    branch.output.as_ref(),
                    branch.assign.as_ref(),
                    frame,
                )?;
                (branch.next, output)
            }
            None => match default {
                Some(d) => (
                    d,
                    self.choice_output(run, &effective, None, run.state.assign.as_ref(), frame)?,
                ),
                None => return Err(Fault::new(names::NO_CHOICE_MATCHED, "No Matches!")),
            },
        };
        self.exit(run, output, Some(Transition::Next(next)), frame)
    }

    fn choice_output(
        &self,
        run: &StateRun<'_>,
        effective: &Json,
        output: Option<&Template>,
        assign: Option<&Template>,
        frame: &mut Frame,
    ) -> Result<Json, Fault> {
        match run.state.query_language {
            QueryLanguage::JsonPath => {
                self.assign(run, assign, effective, None, None, frame)?;
                self.apply_output_path(run, effective.clone(), frame)
            }
            QueryLanguage::Jsonata => {
                let out = match output.or(run.state.io.output.as_ref()) {
                    Some(t) => {
                        let mut env = self.env(run, &run.input, frame);
                        self.eval_located(run, t, &mut env, "Output", frame)?
                    }
                    None => run.input.clone(),
                };
                self.assign(run, assign, &run.input, None, None, frame)?;
                Ok(out)
            }
        }
    }
}

//! The terminal states: Succeed (ends its scope with its output) and Fail (fails it with an
//! error and cause, fixed or taken from the input).

use switchback_asl::template;
use switchback_asl::{Failure, StringSource, Transition};
use switchback_json::Json;

use super::{Fault, Frame, Interpreter, StateRun, Step};

impl Interpreter<'_> {
    pub(super) fn succeed(&self, run: &StateRun<'_>, frame: &mut Frame) -> Result<Step, Fault> {
        let output = self.passthrough_output(run, frame)?;
        self.exit(run, output, Some(Transition::End), frame)
    }

    pub(super) fn fail_state(
        &self,
        run: &StateRun<'_>,
        error: &Option<StringSource>,
        cause: &Option<StringSource>,
        frame: &mut Frame,
    ) -> Fault {
        let resolve = |src: &Option<StringSource>, field: &str| -> Result<Option<String>, Fault> {
            let Some(src) = src else { return Ok(None) };
            match src {
                StringSource::Literal(s) => Ok(Some(s.clone())),
                StringSource::Path(p) => {
                    let env = self.env(run, &run.input, frame);
                    let found = template::select(p, &env).ok_or_else(|| {
                        self.engine_failure(
                            run,
                            Failure::runtime(format!(
                                "The JSONPath '{}' specified for the field '{field}' could not be found in the input '{}'",
                                p.as_str(),
                                template::compact(&run.input)
                            )),
                        )
                    })?;
                    Ok(Some(string_of(found)))
                }
                StringSource::Expr(t) => {
                    let mut env = self.env(run, &run.input, frame);
                    Ok(Some(string_of(self.eval(run, t, &mut env)?)))
                }
            }
        };
        let error = match resolve(error, "ErrorPath") {
            Ok(e) => e,
            Err(f) => return f,
        };
        let cause = match resolve(cause, "CausePath") {
            Ok(c) => c,
            Err(f) => return f,
        };
        Fault::new(error.unwrap_or_default(), cause.unwrap_or_default())
    }
}

/// Error and cause values become strings as AWS shows them.
fn string_of(v: Json) -> String {
    match v {
        Json::String(s) => s.to_string(),
        other => template::compact(&other),
    }
}

//! The flow of data through a state: InputPath, Parameters/Arguments, ResultSelector,
//! ResultPath and OutputPath (JSONPath), Output and Assign (JSONata), the payload limit on a
//! state's output, and the environment ([`StateEnv`]) that a state's expressions evaluate in.

use std::cell::OnceCell;

use switchback_asl::errors as names;
use switchback_asl::template::{self, Template};
use switchback_asl::*;
use switchback_json::{json, Json, Object};
use switchback_jsonpath::Path;

use super::{Fault, Frame, Interpreter, StateRun, Step};
use crate::context::{self, StateInfo};
use crate::history::EventKind;
use crate::vars::Vars;

impl Interpreter<'_> {
    pub(super) fn env<'e>(
        &'e self,
        run: &'e StateRun<'e>,
        input: &'e Json,
        frame: &'e Frame,
    ) -> StateEnv<'e> {
        self.limits.apply_to_evaluators();
        StateEnv {
            interp: self,
            run,
            input,
            vars: &frame.vars,
            context: OnceCell::new(),
            states: OnceCell::new(),
            conversions: switchback_jsonata::Conversions::new(),
            result: None,
            error_output: None,
            retry_count: 0,
            task_token: None,
        }
    }

    /// Evaluates a template for a state, with engine failures prefixed.
    pub(super) fn eval(
        &self,
        run: &StateRun<'_>,
        t: &Template,
        env: &mut StateEnv<'_>,
    ) -> Result<Json, Fault> {
        t.eval(env).map_err(|f| self.engine_failure(run, f))
    }

    /// InputPath.
    pub(super) fn effective_input(&self, run: &StateRun<'_>, frame: &Frame) -> Result<Json, Fault> {
        match &run.state.io.input_path {
            None => Ok(run.input.clone()),
            Some(None) => Ok(json!({})),
            Some(Some(path)) => self.select_path(run, path, &run.input, frame),
        }
    }

    /// Selects a path from `value` (or from the context object or a variable), with AWS's
    /// "Invalid path" cause when a reference path finds nothing.
    pub(super) fn select_path(
        &self,
        run: &StateRun<'_>,
        path: &Path,
        value: &Json,
        frame: &Frame,
    ) -> Result<Json, Fault> {
        if path.is_root() && *path.root() == switchback_jsonpath::Root::Input {
            return Ok(value.clone());
        }
        let env = self.env(run, value, frame);
        let root = template::root_value(path, &env);
        let detail = match root {
            Some(r) if path.is_root() => return Ok(r.clone()),
            Some(r) => match path.select(r) {
                Ok(v) => return Ok(v),
                Err(e) => e.to_string(),
            },
            None => format!("No results for path: {}", path.normalized()),
        };
        Err(self.engine_failure(
            run,
            Failure::runtime(format!("Invalid path '{}' : {detail}", path.as_str())),
        ))
    }

    /// ResultPath: merges `result` into the state's raw input.
    pub(super) fn apply_result_path(
        &self,
        run: &StateRun<'_>,
        result_path: &Option<Option<Path>>,
        result: Json,
    ) -> Result<Json, Fault> {
        match result_path {
            None => Ok(result),
            Some(None) => Ok(run.input.clone()),
            Some(Some(path)) if path.is_root() => Ok(result),
            Some(Some(path)) => {
                let merged = path.write(run.input.clone(), result);
                merged.map_err(|e| {
                    let detail = match e {
                        switchback_jsonpath::WriteError::MissingProperty { normalized } => {
                            format!("Missing property in path {normalized}")
                        }
                        switchback_jsonpath::WriteError::NotWritable => {
                            "the path cannot be written".to_string()
                        }
                    };
                    self.engine_failure(
                        run,
                        Failure::runtime(format!("Invalid path '{}' : {detail}", path.as_str())),
                    )
                })
            }
        }
    }

    /// OutputPath.
    pub(super) fn apply_output_path(
        &self,
        run: &StateRun<'_>,
        value: Json,
        frame: &Frame,
    ) -> Result<Json, Fault> {
        match &run.state.io.output_path {
            None => Ok(value),
            Some(None) => Ok(json!({})),
            Some(Some(path)) => self.select_path(run, path, &value, frame),
        }
    }

    /// The payload limit on a state's output.
    fn check_size(&self, run: &StateRun<'_>, output: &Json) -> Result<(), Fault> {
        // Arrays and objects remember their size, so this counts only what the state built.
        if output.size_within(self.limits.max_payload_bytes).is_none() {
            return Err(Fault::new(names::DATA_LIMIT_EXCEEDED, format!(
                    "The state/task '{}' returned a result with a size exceeding the maximum number of bytes service limit.",
                    run.state.name
                )));
        }
        Ok(())
    }

    /// Evaluates `Assign` (if any) into the frame's variables.
    pub(super) fn assign(
        &self,
        run: &StateRun<'_>,
        assign: Option<&Template>,
        env_input: &Json,
        result: Option<&Json>,
        error_output: Option<&Json>,
        frame: &mut Frame,
    ) -> Result<(), Fault> {
        let Some(t) = assign else { return Ok(()) };
        let value = {
            let mut env = self.env(run, env_input, frame);
            env.result = result;
            env.error_output = error_output;
            self.eval_located(run, t, &mut env, "Assign", frame)?
        };
        store_assigned(value, frame);
        Ok(())
    }

    /// Evaluates a template; JSONata failures also record `EvaluationFailed`.
    pub(super) fn eval_located(
        &self,
        run: &StateRun<'_>,
        t: &Template,
        env: &mut StateEnv<'_>,
        location: &str,
        frame: &Frame,
    ) -> Result<Json, Fault> {
        match self.eval(run, t, env) {
            Ok(v) => Ok(v),
            Err(f) if f.error == names::QUERY_EVALUATION_ERROR => {
                // AWS links a Pass state's EvaluationFailed to the event before the state
                // was entered, as if the state had not begun (recorded that way).
                let detached = matches!(run.state.kind, StateKind::Pass { .. });
                self.evaluation_failed(
                    run,
                    &f,
                    Some(f.location.as_deref().unwrap_or(location)),
                    frame,
                    detached,
                );
                Err(f)
            }
            Err(f) => Err(f),
        }
    }

    /// Exits a state: payload limit, `StateExited`, the transition.
    pub(super) fn exit(
        &self,
        run: &StateRun<'_>,
        output: Json,
        next: Option<Transition>,
        frame: &mut Frame,
    ) -> Result<Step, Fault> {
        self.check_size(run, &output)?;
        frame.prev.set(self.emit(
            frame.prev.get(),
            EventKind::StateExited {
                state_type: super::state_type(&run.state.kind),
                name: run.state.name.clone(),
                output: output.clone().into(),
                assigned: frame.assigned.take(),
            },
        ));
        Ok(match next {
            Some(Transition::Next(i)) => Step::Next(i, output),
            _ => Step::End(output),
        })
    }

    /// The common tail for JSONPath states: ResultSelector, Assign, ResultPath, OutputPath.
    /// For JSONata states: Output and Assign.
    pub(super) fn finish(
        &self,
        run: &StateRun<'_>,
        result: Json,
        frame: &mut Frame,
    ) -> Result<Json, Fault> {
        let state = run.state;
        match state.query_language {
            QueryLanguage::JsonPath => {
                let selected = match &state.io.result_selector {
                    Some(t) => {
                        let mut env = self.env(run, &result, frame);
                        self.eval(run, t, &mut env)?
                    }
                    None => result,
                };
                self.assign(run, state.assign.as_ref(), &selected, None, None, frame)?;
                let merged = self.apply_result_path(run, &state.io.result_path, selected)?;
                self.apply_output_path(run, merged, frame)
            }
            QueryLanguage::Jsonata => {
                // Output and Assign see the same `$states` (and the variables as they were
                // before this state), so they share one environment, and with it one
                // conversion of `$states` for the evaluator.
                let (output, assigned) = {
                    let mut env = self.env(run, &run.input, frame);
                    env.result = Some(&result);
                    let output = match &state.io.output {
                        Some(t) => self.eval_located(run, t, &mut env, "Output", frame)?,
                        None => result.clone(),
                    };
                    let assigned = match &state.assign {
                        Some(t) => Some(self.eval_located(run, t, &mut env, "Assign", frame)?),
                        None => None,
                    };
                    (output, assigned)
                };
                if let Some(value) = assigned {
                    store_assigned(value, frame);
                }
                Ok(output)
            }
        }
    }

    /// Output of states that produce no result (Succeed, Wait, Choice): InputPath then
    /// OutputPath, or JSONata `Output`.
    pub(super) fn passthrough_output(
        &self,
        run: &StateRun<'_>,
        frame: &mut Frame,
    ) -> Result<Json, Fault> {
        match run.state.query_language {
            QueryLanguage::JsonPath => {
                let effective = self.effective_input(run, frame)?;
                self.assign(
                    run,
                    run.state.assign.as_ref(),
                    &effective,
                    None,
                    None,
                    frame,
                )?;
                self.apply_output_path(run, effective, frame)
            }
            QueryLanguage::Jsonata => self.finish(run, run.input.clone(), frame),
        }
    }

    /// Selects a path for a state field (input, context or variable root); `None` if missing.
    pub(super) fn lookup(
        &self,
        run: &StateRun<'_>,
        path: &Path,
        input: &Json,
        frame: &Frame,
    ) -> Option<Json> {
        let env = self.env(run, input, frame);
        template::select(path, &env)
    }

    /// Resolves a numeric field (MaxConcurrency, ToleratedFailureCount, TimeoutSeconds ...).
    pub(super) fn number(
        &self,
        run: &StateRun<'_>,
        src: &NumberSource,
        field: &str,
        input: &Json,
        frame: &mut Frame,
    ) -> Result<f64, Fault> {
        match src {
            NumberSource::Literal(n) => Ok(*n),
            NumberSource::Path(p) => {
                let v = self.lookup(run, p, input, frame);
                let integer = match &v {
                    Some(Json::Number(n)) if n.is_i64() || n.is_u64() => n.as_f64(),
                    Some(Json::String(s)) => s.trim().parse::<i64>().ok().map(|n| n as f64),
                    _ => None,
                };
                match integer {
                    Some(n) => Ok(n),
                    None => {
                        let shown = match &v {
                            Some(Json::String(s)) => s.to_string(),
                            Some(other) => template::compact(other),
                            None => "null".into(),
                        };
                        Err(self.engine_failure(
                            run,
                            Failure::runtime(format!(
                                "The {field}Path field refers to value \"{shown}\" which is not a valid integer: {}",
                                p.as_str()
                            )),
                        ))
                    }
                }
            }
            NumberSource::Expr(t) => {
                let mut env = self.env(run, input, frame);
                let v = self.eval_located(run, t, &mut env, field, frame)?;
                v.as_f64().ok_or_else(|| {
                    self.engine_failure(
                        run,
                        Failure::query(format!(
                            "The JSONata expression '{}' specified for the field '{field}' returned an unexpected result type. Expected 'integer', but was '{}' for value: {}",
                            jsonata_source(t),
                            switchback_asl::choice::json_type_name(&v),
                            template::compact(&v)
                        )),
                    )
                })
            }
        }
    }

    /// InputPath and Parameters (JSONPath) or Arguments (JSONata).
    pub(super) fn action_input(
        &self,
        run: &StateRun<'_>,
        retry_count: u32,
        task_token: Option<&str>,
        frame: &mut Frame,
    ) -> Result<Json, Fault> {
        let state = run.state;
        let base = match state.query_language {
            QueryLanguage::JsonPath => self.effective_input(run, frame)?,
            QueryLanguage::Jsonata => run.input.clone(),
        };
        match &state.io.parameters {
            Some(t) => {
                let mut env = self.env(run, &base, frame);
                env.retry_count = retry_count;
                env.task_token = task_token;
                Ok(self.eval_located(run, t, &mut env, "Arguments", frame)?)
            }
            None => Ok(base),
        }
    }
}

/// Keeps what `Assign` evaluated to: the frame's variables from now on, and the event's
/// `assignedVariables`.
fn store_assigned(value: Json, frame: &mut Frame) {
    if let Json::Object(map) = value {
        if !map.is_empty() {
            frame.vars.assign(&map);
            frame.assigned = Some(Box::new(map));
        }
    }
}

pub(super) fn jsonata_source(t: &Template) -> String {
    match t {
        Template::Jsonata { expr, .. } => expr.source().to_string(),
        Template::Literal(v) => template::compact(v),
        _ => String::new(),
    }
}

/// [`Env`] for one evaluation inside a state.
pub(super) struct StateEnv<'e> {
    interp: &'e Interpreter<'e>,
    run: &'e StateRun<'e>,
    input: &'e Json,
    vars: &'e Vars,
    context: OnceCell<Json>,
    states: OnceCell<Json>,
    /// JSONata's copies of `$states` and the variables, shared by the field's expressions.
    conversions: switchback_jsonata::Conversions,
    pub(super) result: Option<&'e Json>,
    pub(super) error_output: Option<&'e Json>,
    retry_count: u32,
    /// `$$.Task.Token`, while evaluating the Parameters of a task that hands one out.
    task_token: Option<&'e str>,
}

impl Env for StateEnv<'_> {
    fn input(&self) -> &Json {
        self.input
    }

    fn context(&self) -> &Json {
        self.context.get_or_init(|| {
            context::build(
                &self.interp.exec,
                &StateInfo {
                    name: &self.run.state.name,
                    entered_time: self.run.entered_time,
                    retry_count: matches!(self.run.state.kind, StateKind::Task(_))
                        .then_some(self.retry_count),
                    map_item: self.run.map_item,
                    task_token: self.task_token,
                },
            )
        })
    }

    fn variable(&self, name: &str) -> Option<&Json> {
        self.vars.get(name)
    }

    fn variable_names(&self) -> Vec<String> {
        self.vars.names()
    }

    fn states(&self) -> &Json {
        self.states.get_or_init(|| {
            let mut m = Object::new();
            m.insert("input".into(), Json::clone(&self.run.input));
            m.insert("context".into(), self.context().clone());
            if let Some(r) = self.result {
                m.insert("result".into(), r.clone());
            }
            if let Some(e) = self.error_output {
                m.insert("errorOutput".into(), e.clone());
            }
            Json::Object(m)
        })
    }

    fn random_u64(&mut self) -> u64 {
        self.interp.random_u64()
    }

    fn jsonata_conversions(&self) -> Option<&switchback_jsonata::Conversions> {
        Some(&self.conversions)
    }

    fn jsonata_states_member(&self, member: switchback_jsonata::StatesMember) -> Option<&Json> {
        use switchback_jsonata::StatesMember;
        match member {
            StatesMember::Input => Some(&self.run.input),
            StatesMember::Context => Some(self.context()),
            StatesMember::Result => self.result,
            StatesMember::ErrorOutput => self.error_output,
        }
    }
}

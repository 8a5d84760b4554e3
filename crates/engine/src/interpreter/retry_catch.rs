//! Retry and Catch, for the states they apply to (Task, Parallel, Map): the state's work is
//! run once per attempt, a failure is retried by the first retrier that matches it, and one
//! that is not retried any more is caught by the first catcher that matches it.

use switchback_asl::errors;
use switchback_asl::errors as names;
use switchback_asl::{Catcher, QueryLanguage, StateKind, Transition};
use switchback_json::json;
use switchback_json::Json;

use super::task::needs_token;
use super::{Fault, Frame, Interpreter, StateRun, Step};
use crate::history::EventKind;

impl Interpreter<'_> {
    pub(super) async fn with_retry_and_catch(
        &self,
        run: &StateRun<'_>,
        frame: &mut Frame,
    ) -> Result<Step, Fault> {
        let state = run.state;
        let mut attempts = vec![0u32; state.retry.len()];
        let mut retry_count = 0u32;
        loop {
            let outcome = self.action(run, retry_count, frame).await;
            let fault = match outcome {
                Ok(result) => {
                    let output = self.finish(run, result, frame)?;
                    return self.exit(run, output, state.transition, frame);
                }
                Err(f) => f,
            };
            if let Some((i, retrier)) =
                errors::find_retrier_from(&state.retry, &fault.error, fault.from_task)
            {
                if attempts[i] < retrier.max_attempts {
                    let mut delay = retrier.delay_seconds(attempts[i]);
                    if retrier.jitter_full {
                        delay *= (self.random_u64() >> 11) as f64 / (1u64 << 53) as f64;
                    }
                    attempts[i] += 1;
                    retry_count += 1;
                    let deadline =
                        self.lanes.time() + jiff::SignedDuration::from_secs_f64(delay.max(0.0));
                    self.driver.sleep_until(deadline).await;
                    continue;
                }
            }
            if fault.error != names::RUNTIME {
                if let StateKind::Parallel { .. } | StateKind::Map(_) = state.kind {
                    let failed = if matches!(state.kind, StateKind::Map(_)) {
                        EventKind::MapStateFailed
                    } else {
                        EventKind::ParallelStateFailed
                    };
                    frame.prev.set(self.emit(frame.prev.get(), failed));
                }
            }
            if let Some(catcher) =
                errors::find_catcher_from(&state.catch, &fault.error, fault.from_task)
            {
                return self.catch(run, catcher, fault, frame);
            }
            return Err(fault);
        }
    }

    fn catch(
        &self,
        run: &StateRun<'_>,
        catcher: &Catcher,
        fault: Fault,
        frame: &mut Frame,
    ) -> Result<Step, Fault> {
        let error_output = json!({"Error": fault.error, "Cause": fault.cause});
        let output = match run.state.query_language {
            QueryLanguage::JsonPath => {
                self.assign(
                    run,
                    catcher.assign.as_ref(),
                    &error_output,
                    None,
                    None,
                    frame,
                )?;
                self.apply_result_path(run, &catcher.result_path, error_output)?
            }
            QueryLanguage::Jsonata => {
                let out = match &catcher.output {
                    Some(t) => {
                        let mut env = self.env(run, &run.input, frame);
                        env.error_output = Some(&error_output);
                        self.eval_located(run, t, &mut env, "Output", frame)?
                    }
                    None => error_output.clone(),
                };
                self.assign(
                    run,
                    catcher.assign.as_ref(),
                    &run.input,
                    None,
                    Some(&error_output),
                    frame,
                )?;
                out
            }
        };
        self.exit(run, output, Some(Transition::Next(catcher.next)), frame)
    }

    /// The state's own work, once: its input processing, then the task/branches/iterations.
    async fn action(
        &self,
        run: &StateRun<'_>,
        retry_count: u32,
        frame: &mut Frame,
    ) -> Result<Json, Fault> {
        // A task that hands out a token needs it before its Parameters are evaluated.
        let task_token = match &run.state.kind {
            StateKind::Task(spec) if needs_token(&spec.resource) => {
                Some(self.task_token(run, retry_count))
            }
            _ => None,
        };
        let input = self.action_input(run, retry_count, task_token.as_deref(), frame)?;
        match &run.state.kind {
            StateKind::Task(spec) => {
                self.task(run, spec, input, retry_count, task_token, frame)
                    .await
            }
            StateKind::Parallel { branches } => self.parallel(run, branches, input, frame).await,
            StateKind::Map(spec) => self.map(run, spec, frame).await,
            _ => Ok(input),
        }
    }
}

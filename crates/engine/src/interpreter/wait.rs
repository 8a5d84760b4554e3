//! The Wait state: a delay (Seconds) or a moment (Timestamp), awaited on the driver.

use jiff::Timestamp;
use switchback_asl::template;
use switchback_asl::{Failure, NumberSource, QueryLanguage, StringSource, WaitFor};
use switchback_json::Json;
use switchback_jsonpath::Path;

use super::data_flow::jsonata_source;
use super::{Fault, Frame, Interpreter, StateRun, Step, MAX_WAIT_SECONDS};

impl Interpreter<'_> {
    pub(super) async fn wait(
        &self,
        run: &StateRun<'_>,
        how: &WaitFor,
        frame: &mut Frame,
    ) -> Result<Step, Fault> {
        let effective = match run.state.query_language {
            QueryLanguage::JsonPath => self.effective_input(run, frame)?,
            QueryLanguage::Jsonata => run.input.clone(),
        };
        let deadline = self.wait_deadline(run, how, &effective, frame)?;
        self.driver.sleep_until(deadline).await;
        let output = self.passthrough_output(run, frame)?;
        self.exit(run, output, run.state.transition, frame)
    }

    fn wait_deadline(
        &self,
        run: &StateRun<'_>,
        how: &WaitFor,
        input: &Json,
        frame: &mut Frame,
    ) -> Result<Timestamp, Fault> {
        let now = run.entered_time;
        let fail = |f: Failure| self.engine_failure(run, f);
        match how {
            WaitFor::Seconds(src) => {
                let seconds: i64 = match src {
                    NumberSource::Literal(n) => *n as i64,
                    NumberSource::Path(p) => {
                        let v = self.wait_path_value(run, p, input, frame, "SecondsPath")?;
                        let n = v.as_i64().ok_or_else(|| {
                            fail(Failure::runtime(format!(
                                "The SecondsPath parameter cannot be parsed as a long value: {} == {}",
                                p.as_str(),
                                template::compact(&v)
                            )))
                        })?;
                        if n < 0 {
                            return Err(fail(Failure::runtime(format!(
                                "The SecondsPath parameter references a negative value: {} == {}",
                                p.as_str(),
                                n
                            ))));
                        }
                        n
                    }
                    NumberSource::Expr(t) => {
                        let mut env = self.env(run, input, frame);
                        let v = self.eval_located(run, t, &mut env, "Seconds", frame)?;
                        v.as_i64().filter(|n| *n >= 0).ok_or_else(|| {
                            fail(Failure::query(format!(
                                "The JSONata expression '{}' specified for the field 'Seconds' returned an unexpected result type. Expected 'integer', but was '{}' for value: {}",
                                jsonata_source(t),
                                switchback_asl::choice::json_type_name(&v),
                                template::compact(&v)
                            )))
                        })?
                    }
                };
                if seconds > MAX_WAIT_SECONDS {
                    return Err(fail(Failure::runtime("Wait state delay is too long.")));
                }
                now.checked_add(jiff::SignedDuration::from_secs(seconds))
                    .map_err(|_| fail(Failure::runtime("Wait state delay is too long.")))
            }
            WaitFor::Timestamp(src) => {
                let (text, shown) = match src {
                    StringSource::Literal(s) => (s.clone(), s.clone()),
                    StringSource::Path(p) => {
                        let v = self.wait_path_value(run, p, input, frame, "TimestampPath")?;
                        let s = v
                            .as_str()
                            .map(str::to_string)
                            .unwrap_or_else(|| template::compact(&v));
                        (s.clone(), format!("{} == {}", p.as_str(), s))
                    }
                    StringSource::Expr(t) => {
                        let mut env = self.env(run, input, frame);
                        let v = self.eval_located(run, t, &mut env, "Timestamp", frame)?;
                        let s = v
                            .as_str()
                            .map(str::to_string)
                            .unwrap_or_else(|| template::compact(&v));
                        (s.clone(), s)
                    }
                };
                let parsed = switchback_asl::timestamp::parse(&text);
                match (parsed, src) {
                    (Some(t), _) => {
                        if t.as_second() - now.as_second() > MAX_WAIT_SECONDS {
                            return Err(fail(Failure::runtime("Wait state delay is too long.")));
                        }
                        Ok(t)
                    }
                    (None, StringSource::Path(_)) => Err(fail(Failure::runtime(format!(
                        "The TimestampPath parameter does not reference a valid ISO-8601 extended offset date-time format string: {shown}"
                    )))),
                    (None, _) => {
                        let f = fail(Failure::query(format!(
                            "The Timestamp field cannot be parsed as an ISO-8601 extended offset date-time format string: {shown}"
                        )));
                        self.evaluation_failed(run, &f, Some("Timestamp"), frame, false);
                        Err(f)
                    }
                }
            }
        }
    }

    /// The value a Wait state's SecondsPath/TimestampPath names, or AWS's cause when it is missing.
    fn wait_path_value(
        &self,
        run: &StateRun<'_>,
        p: &Path,
        input: &Json,
        frame: &Frame,
        field: &str,
    ) -> Result<Json, Fault> {
        self.lookup(run, p, input, frame).ok_or_else(|| {
            self.engine_failure(
                run,
                Failure::runtime(format!(
                    "The {field} parameter does not reference an input value: {}",
                    p.as_str()
                )),
            )
        })
    }
}

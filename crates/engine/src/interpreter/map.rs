//! The Map state: its items, the input of each iteration, and the iterations, either inline
//! (recorded in the execution's history) or distributed (child runs, recorded as a map run).

use std::cell::{Cell, RefCell};
use std::sync::Arc;

use futures::stream::{self, StreamExt};
use jiff::Timestamp;
use switchback_asl::errors as names;
use switchback_asl::model::{ChildExecutionType, ItemReader, NumberSource};
use switchback_asl::template::{self, Template};
use switchback_asl::{Failure, MapMode, MapSpec, QueryLanguage};
use switchback_json::{Array, Json};

use super::data_flow::jsonata_source;
use super::item_reader::reader_failed;
use super::result_writer::{ChildResult, Results};
use super::{Fault, Frame, Interpreter, StateRun};
use crate::context::ExecutionInfo;
use crate::history::{EventKind, IterationPhase};
use crate::items::batch::{batches, BatchLimits, Batcher, Batches};
use crate::items::LazyItems;
use crate::journal::{
    ChildRun, ChildStop, Journal, MapChild, MapRunConfig, MapRunCounts, MapRunProgress,
};
use crate::vars::Vars;

/// How many children a distributed map runs at once when its `MaxConcurrency` does not say.
const DISTRIBUTED_MAX_CONCURRENCY: usize = 10_000;

impl Interpreter<'_> {
    pub(super) async fn map(
        &self,
        run: &StateRun<'_>,
        spec: &MapSpec,
        frame: &mut Frame,
    ) -> Result<Json, Fault> {
        // A distributed map with an ItemReader reads its items once its map run has started
        // (its `ItemsPath` then goes unused, as in AWS); any other takes them from its input.
        let reader = match spec.mode {
            MapMode::Distributed => spec.item_reader.as_ref(),
            MapMode::Inline => None,
        };
        let (base, items) = match reader {
            Some(_) => (self.reader_base(run, frame)?, Array::default()),
            None => self.map_items(run, spec, frame)?,
        };
        let max_concurrency = match &spec.max_concurrency {
            Some(src) => Some(self.number(run, src, "MaxConcurrency", &base, frame)?),
            None => None,
        };
        // The inputs of the iterations: ItemSelector / Parameters applied to each item.
        let length = items.len();
        let mut inputs = Vec::with_capacity(length);
        for (index, item) in items.into_iter().enumerate() {
            inputs.push(self.item_input(run, spec, &base, index, item, frame)?);
        }
        let started = self.emit(frame.prev.get(), EventKind::MapStateStarted { length });
        frame.prev.set(started);
        // AWS reads the tolerated-failure fields once the map has started.
        let tolerated_count = match &spec.tolerated_failure_count {
            Some(src) => {
                let n = self.number(run, src, "ToleratedFailureCount", &base, frame)?;
                if n < 0.0 {
                    return Err(self.engine_failure(
                        run,
                        Failure::runtime("ToleratedFailureCount cannot be negative."),
                    ));
                }
                Some(n)
            }
            None => None,
        };
        let tolerated_pct = match &spec.tolerated_failure_percentage {
            Some(src) => Some(self.number(run, src, "ToleratedFailurePercentage", &base, frame)?),
            None => None,
        };
        let outer = Arc::new(frame.vars.clone());
        // Unset (or 0), an inline map runs every iteration at once, and a distributed one up
        // to 10,000 children at a time, as AWS does.
        let limit = match (max_concurrency, spec.mode) {
            (Some(n), _) if n >= 1.0 => n as usize,
            (_, MapMode::Inline) => usize::MAX,
            (_, MapMode::Distributed) => DISTRIBUTED_MAX_CONCURRENCY,
        };
        match spec.mode {
            MapMode::Inline => {
                self.map_inline(run, spec, inputs, outer, limit, frame)
                    .await
            }
            MapMode::Distributed => {
                let items = match reader {
                    Some(reader) => Items::Read(reader),
                    None => Items::Given(inputs),
                };
                self.map_distributed(
                    run,
                    spec,
                    items,
                    &base,
                    outer,
                    limit,
                    tolerated_count,
                    tolerated_pct,
                    frame,
                )
                .await
            }
        }
    }

    /// What an ItemReader's request, `MaxItemsPath` and the item selector see as `$`: the
    /// effective input (JSONPath) or the state's input (JSONata).
    fn reader_base(&self, run: &StateRun<'_>, frame: &Frame) -> Result<Json, Fault> {
        match run.state.query_language {
            QueryLanguage::JsonPath => self.effective_input(run, frame),
            QueryLanguage::Jsonata => Ok(run.input.clone()),
        }
    }

    /// The items a Map iterates over: ItemsPath (JSONPath) or Items (JSONata), and the value
    /// the item selector sees as `$`.
    fn map_items(
        &self,
        run: &StateRun<'_>,
        spec: &MapSpec,
        frame: &mut Frame,
    ) -> Result<(Json, Array), Fault> {
        match run.state.query_language {
            QueryLanguage::JsonPath => {
                let effective = self.effective_input(run, frame)?;
                let items = match &spec.items_path {
                    Some(p) => self.select_path(run, p, &effective, frame)?,
                    None => Json::clone(&effective),
                };
                match items {
                    Json::Array(a) => Ok((effective, a)),
                    other => Err(self.engine_failure(
                        run,
                        Failure::runtime(format!(
                            "Invalid path '{}' : The value at the path is not an array: {}",
                            spec.items_path.as_ref().map_or("$", |p| p.as_str()),
                            template::compact(&other)
                        )),
                    )),
                }
            }
            QueryLanguage::Jsonata => {
                let items = match &spec.items {
                    Some(t) => {
                        let mut env = self.env(run, &run.input, frame);
                        let outcome = match t {
                            Template::Jsonata { expr, field } => {
                                template::eval_jsonata(expr, field, &mut env).map_err(|f| self.engine_failure(run, f))
                            }
                            other => self.eval(run, other, &mut env).map(switchback_jsonata::Outcome::Value),
                        };
                        let outcome = match outcome {
                            Ok(o) => o,
                            Err(f) => {
                                self.evaluation_failed(run, &f, Some("Items"), frame, true);
                                return Err(f);
                            }
                        };
                        match outcome {
                            switchback_jsonata::Outcome::Value(Json::Array(a)) => a,
                            other => {
                                let cause = match &other {
                                    switchback_jsonata::Outcome::Value(v) => format!(
                                        "The JSONata expression '{}' specified for the field 'Items' returned an unexpected result type. Expected 'array', but was '{}' for value: {}",
                                        jsonata_source(t),
                                        switchback_asl::choice::json_type_name(v),
                                        template::compact(v)
                                    ),
                                    switchback_jsonata::Outcome::Undefined => format!(
                                        "The JSONata expression '{}' specified for the field 'Items' returned nothing (undefined).",
                                        jsonata_source(t)
                                    ),
                                    switchback_jsonata::Outcome::Function => format!(
                                        "The JSONata expression '{}' specified for the field 'Items' returned an unsupported result type.",
                                        jsonata_source(t)
                                    ),
                                };
                                let f = self.engine_failure(run, Failure::query(cause));
                                self.evaluation_failed(run, &f, Some("Items"), frame, true);
                                return Err(f);
                            }
                        }
                    }
                    None => match &run.input {
                        Json::Array(a) => a.clone(),
                        other => {
                            return Err(self.engine_failure(
                                run,
                                Failure::query(format!(
                                    "The Map state's input must be an array when 'Items' is not given, but was: {}",
                                    template::compact(other)
                                )),
                            ))
                        }
                    },
                };
                Ok((run.input.clone(), items))
            }
        }
    }

    fn item_input(
        &self,
        run: &StateRun<'_>,
        spec: &MapSpec,
        base: &Json,
        index: usize,
        item: Json,
        frame: &Frame,
    ) -> Result<Json, Fault> {
        // Without a selector the item is the iteration's input as it is: the same shared value
        // as in the Map's input array, not a copy.
        let Some(t) = &spec.item_selector else {
            return Ok(item);
        };
        let item_run = StateRun {
            map_item: Some((index, &item)),
            ..run.clone()
        };
        let mut env = self.env(&item_run, base, frame);
        let v = match t.eval(&mut env) {
            Ok(v) => v,
            Err(f) => return Err(self.engine_failure(run, f)),
        };
        Ok(v)
    }

    async fn map_inline(
        &self,
        run: &StateRun<'_>,
        spec: &MapSpec,
        inputs: Vec<Json>,
        outer: Arc<Vars>,
        limit: usize,
        frame: &mut Frame,
    ) -> Result<Json, Fault> {
        let name = run.state.name.clone();
        // Four events is the least an iteration records (its start and end, and a state's
        // entry and exit): room for them at once (and the few that end the Map and the
        // execution), rather than a history copied as it doubles.
        self.expect_events(inputs.len().saturating_mul(4).saturating_add(16));
        let started = frame.prev.get();
        // Each iteration's MapIterationStarted follows the previous iteration's last event.
        let chain = RefCell::new(started);
        let last_done = RefCell::new(started);
        let iterations = inputs.into_iter().enumerate().map(|(index, input)| {
            let outer = outer.clone();
            let name = name.clone();
            let chain = &chain;
            let last_done = &last_done;
            let lane = self.lanes.spawn(index);
            self.lanes.run_in(
                lane,
                Box::pin(async move {
                    let begin = self.emit(
                        *chain.borrow(),
                        EventKind::MapIteration {
                            phase: IterationPhase::Started,
                            name: name.clone(),
                            index,
                        },
                    );
                    let mut f = Frame {
                        vars: Vars::nested(outer),
                        prev: Cell::new(begin),
                        assigned: None,
                    };
                    let result = self.run_scope(&spec.processor, input, &mut f).await;
                    *chain.borrow_mut() = f.prev.get();
                    let phase = if result.is_ok() {
                        IterationPhase::Succeeded
                    } else {
                        IterationPhase::Failed
                    };
                    let done =
                        self.emit(f.prev.get(), EventKind::MapIteration { phase, name, index });
                    *last_done.borrow_mut() = if result.is_ok() { done } else { f.prev.get() };
                    result
                }),
            )
        });
        let mut results = stream::iter(iterations).buffered(limit);
        let mut outputs = Vec::new();
        while let Some(r) = results.next().await {
            match r {
                Ok(v) => outputs.push(v),
                Err(fault) => {
                    drop(results);
                    frame.prev.set(*last_done.borrow());
                    return Err(fault);
                }
            }
        }
        drop(results);
        let last = *last_done.borrow();
        self.emit(last, EventKind::MapStateSucceeded);
        frame.prev.set(last);
        Ok(Json::from(outputs))
    }

    #[allow(clippy::too_many_arguments)]
    async fn map_distributed(
        &self,
        run: &StateRun<'_>,
        spec: &MapSpec,
        items: Items<'_>,
        base: &Json,
        outer: Arc<Vars>,
        limit: usize,
        tolerated_count: Option<f64>,
        tolerated_pct: Option<f64>,
        frame: &mut Frame,
    ) -> Result<Json, Fault> {
        let label = spec.label.as_deref().unwrap_or(&run.state.name);
        // Each map run its own id, as AWS gives it: a UUID, drawn in the map's lane so that a
        // resumed run draws the same one. (The same state run twice has two map runs, and a
        // result writer's files of one never overwrite the other's.)
        let id = switchback_types::ids::uuid_v4(self.random_u64(), self.random_u64());
        let map_run = self.machine_arn().map_run(label, &id);
        let map_run_arn = map_run.to_string();
        // A redriven execution redrives the map run it ran before (the same ARN: its id is
        // drawn from the same seed), whose children that succeeded are not run again.
        let begins = match self.journal.and_then(|j| j.map_run_redrive(&map_run_arn)) {
            Some(redrive_count) => EventKind::MapRunRedriven {
                map_run_arn: map_run_arn.clone(),
                redrive_count,
            },
            None => EventKind::MapRunStarted {
                map_run_arn: map_run_arn.clone(),
            },
        };
        frame.prev.set(self.emit(frame.prev.get(), begins));
        let inputs = match self.map_run_inputs(run, spec, items, base, frame).await {
            Ok(inputs) => inputs,
            Err(f) => return Err(self.map_run_failed(f, frame)),
        };
        // Child executions keep their own histories; the parent records only the map run.
        let total = inputs.len();
        // A result writer needs each child's record: a name and its dates.
        let recording = spec.result_writer.is_some();
        let children_of = ChildrenOf {
            spec,
            map_run_arn: &map_run_arn,
            machine_arn: map_run.child_machine().to_string(),
            // Standard children are executions of their own when the parent is journaled;
            // Express children (and every child of an unjournaled run) run unrecorded.
            journaled: spec.child_execution_type == ChildExecutionType::Standard,
            outer,
            stops: Arc::new(tokio::sync::Notify::new()),
            failing: std::cell::RefCell::new(None),
        };
        if let Some(journal) = self.journal {
            journal.watch_child_stops(&map_run_arn, Arc::downgrade(&children_of.stops));
        }
        let children_of = &children_of;
        let map_run = &map_run;
        // Items per child, when a child may take more than one (a batch).
        let mut inputs = inputs;
        let item_counts: Vec<u64> = match &mut inputs {
            ChildInputs::Listed(listed) if spec.item_batcher.is_some() => {
                listed.iter().map(|i| batch_items(spec, i)).collect()
            }
            ChildInputs::ReadBatches { counts, .. } => std::mem::take(counts),
            _ => Vec::new(),
        };
        let items_total = match item_counts.is_empty() {
            true => total as u64,
            false => item_counts.iter().sum::<u64>(),
        };
        let running = |n: u64| MapRunCounts {
            pending: n.saturating_sub(limit as u64),
            running: n.min(limit as u64),
            total: n,
            ..MapRunCounts::default()
        };
        self.map_run_progress(&MapRunProgress {
            map_run_arn: &map_run_arn,
            // A resumed run keeps the limits `UpdateMapRun` gave it before.
            config: Some(
                self.journal
                    .and_then(|j| j.map_run_limits(&map_run_arn))
                    .unwrap_or(MapRunConfig {
                        max_concurrency: limit as u64,
                        tolerated_failure_count: tolerated_count.map_or(0, |c| c as u64),
                        tolerated_failure_percentage: tolerated_pct.unwrap_or(0.0),
                    }),
            ),
            items: if item_counts.is_empty() {
                running(items_total)
            } else {
                MapRunCounts {
                    running: items_total,
                    total: items_total,
                    ..MapRunCounts::default()
                }
            },
            executions: running(total as u64),
        });
        // The children's names: UUIDs whose last twelve digits are the child's index under a
        // prefix drawn once per map run, so a map run's children sort (and are stored, by
        // ARN) in order: a million random keys would rewrite the ARN index's pages all over
        // at every commit.
        let (name_hi, name_lo) = (self.random_u64(), self.random_u64());
        let seen: &Frame = frame;
        // Checked through the item selector when the object was read: it cannot fail now.
        let selected = move |(index, item)| {
            self.item_input(run, spec, base, index, item, seen)
                .unwrap_or(Json::Null)
        };
        // Why an object's items stopped early, if they did (its spool could not be read back).
        let mut spool_fault = None;
        let inputs: Box<dyn Iterator<Item = Json> + '_> = match inputs {
            ChildInputs::Listed(listed) => Box::new(listed.into_iter()),
            ChildInputs::Read(items) => {
                spool_fault = Some(items.fault());
                Box::new(items.enumerate().map(selected))
            }
            ChildInputs::ReadBatches { items, batcher, .. } => {
                spool_fault = Some(items.fault());
                Box::new(Batches::new(items.enumerate().map(selected), batcher))
            }
        };
        // How many children run at once: `MaxConcurrency`, until `UpdateMapRun` changes it.
        let gate = Gate::new(limit);
        let gate = &gate;
        let map_run_text = map_run_arn.as_str();
        let updated_limit = || {
            self.journal
                .and_then(|j| j.map_run_limits(map_run_text))
                .map(|u| u.max_concurrency as usize)
        };
        let updated_limit = &updated_limit;
        if let Some(journal) = self.journal {
            journal.watch_map_run(map_run_text, Arc::downgrade(&gate.freed));
        }
        // An Express child rerun by a redrive is a new execution (Express executions are not
        // redriven), so it is named and seeded anew: its tasks (their keys and tokens) are not
        // taken for the earlier run's.
        let express_salt = match children_of.journaled {
            true => 0,
            false => {
                u64::from(self.exec.redrive_count.unwrap_or(0)).wrapping_mul(0x9E37_79B9_7F4A_7C15)
            }
        };
        let iterations = inputs.enumerate().map(|(index, input)| {
            // Drawn here, in the map's lane, so a resumed run gives each child the same seed
            // and name (and so finds it again).
            let seed = self.random_u64() ^ express_salt;
            let name = child_name(name_hi ^ express_salt, name_lo, index);
            async move {
                let _slot = gate.enter(updated_limit).await;
                // Once the map run fails, a child not started yet is not (it stays pending).
                if children_of.failing.borrow().is_some() {
                    let now = self.driver.now();
                    return (None, recording.then_some((name, input, now, now)));
                }
                let arn = map_run.child_execution(&name).to_string();
                let kept = recording.then(|| input.clone());
                // An Express child that succeeded before a redrive is not run again.
                let before = match children_of.journaled {
                    true => None,
                    false => self
                        .journal
                        .and_then(|j| j.express_succeeded(map_run_text, index)),
                };
                let end = match before {
                    Some(output) => {
                        let now = self.driver.now();
                        ChildEnd {
                            outcome: Ok(output.unwrap_or(Json::Null)),
                            aborted: false,
                            start: now,
                            stop: now,
                        }
                    }
                    None => {
                        self.run_map_child(children_of, &arn, &name, seed, input)
                            .await
                    }
                };
                let record = kept.map(|input| (name, input, end.start, end.stop));
                (Some((end.outcome, end.aborted)), record)
            }
        });
        // Up to AWS's most children at once (or more, when the state asks for more); the gate
        // holds them to the current limit.
        let mut results = stream::iter(iterations).buffered(limit.max(DISTRIBUTED_MAX_CONCURRENCY));
        let mut outputs = Vec::new();
        // The results a result writer writes, gathered as the children end.
        let mut written = spec.result_writer.as_ref().map(|writer| {
            Results::new(
                writer,
                self.machine_arn().to_string(),
                &map_run_arn,
                self.limits.max_result_file_bytes,
            )
        });
        let mut failures = 0usize;
        let mut failed_items = 0u64;
        let (mut aborted, mut aborted_items) = (0u64, 0u64);
        let mut index = 0usize;
        // A result that nothing reads (ResultPath null, and no selector or Assign to see it,
        // or a result writer's, which keeps its own) is not gathered: a million children's
        // outputs would be held for nothing.
        let io = &run.state.io;
        let kept = spec.result_writer.is_none()
            && !(run.state.query_language == QueryLanguage::JsonPath
                && io.result_path == Some(None)
                && io.result_selector.is_none()
                && run.state.assign.is_none());
        // The tolerance as the definition gives it, until `UpdateMapRun` changes it.
        let tolerance = || match self.journal.and_then(|j| j.map_run_limits(&map_run_arn)) {
            Some(update) => (
                Some(update.tolerated_failure_count as f64),
                Some(update.tolerated_failure_percentage),
            ),
            None => (tolerated_count, tolerated_pct),
        };
        let (mut pending, mut pending_items) = (0u64, 0u64);
        // Which Express children succeeded (a bit each), kept for a redrive if the run fails.
        let mut express_ok: Vec<u64> = Vec::new();
        let tracking_express = !children_of.journaled && self.journal.is_some();
        while let Some((ended, record)) = results.next().await {
            let items = item_counts.get(index).copied().unwrap_or(1);
            index += 1;
            let Some((outcome, stopped)) = ended else {
                pending += 1;
                pending_items += items;
                if kept {
                    outputs.push(Json::Null);
                }
                if let (Some((_, input, _, _)), Some(written)) = (record, &mut written) {
                    written.add_pending(&input);
                }
                continue;
            };
            if tracking_express && outcome.is_ok() {
                let i = index - 1;
                if express_ok.len() <= i / 64 {
                    express_ok.resize(i / 64 + 1, 0);
                }
                express_ok[i / 64] |= 1 << (i % 64);
            }
            match &outcome {
                Ok(v) if kept => outputs.push(v.clone()),
                Ok(_) => {}
                Err(_) => {
                    failures += 1;
                    failed_items += items;
                    if stopped {
                        aborted += 1;
                        aborted_items += items;
                    }
                    if kept {
                        outputs.push(Json::Null);
                    }
                    // Past what it tolerates the map run fails now, as AWS's does: the
                    // children running stop, those not started stay pending.
                    let (count, pct) = tolerance();
                    if !tolerates(failures, total, count, pct)
                        && children_of.failing.borrow().is_none()
                    {
                        *children_of.failing.borrow_mut() = Some(ChildStop::default());
                        children_of.stops.notify_waiters();
                    }
                }
            }
            if let (Some((name, input, start, stop)), Some(written)) = (record, &mut written) {
                written.add(&ChildResult {
                    name,
                    input,
                    start,
                    stop,
                    outcome,
                    aborted: stopped,
                });
            }
        }
        drop(results);
        if let Some(fault) = spool_fault.and_then(|f| f.borrow_mut().take()) {
            return Err(self.map_run_failed(reader_failed(fault), frame));
        }
        // Stopped children count as failures against the tolerance, and apart in the counts;
        // children a failed map run did not start stay pending.
        let ended = |failed: u64, aborted: u64, pending: u64, total: u64| MapRunCounts {
            pending,
            succeeded: total - failed - pending,
            failed: failed - aborted,
            aborted,
            total,
            ..MapRunCounts::default()
        };
        self.map_run_progress(&MapRunProgress {
            map_run_arn: &map_run_arn,
            config: None,
            items: ended(failed_items, aborted_items, pending_items, items_total),
            executions: ended(failures as u64, aborted, pending, total as u64),
        });
        // The tolerated failures as `UpdateMapRun` last set them, if it did.
        let (count, pct) = tolerance();
        let tolerated = pending == 0 && tolerates(failures, total, count, pct);
        if let (false, true, Some(journal)) = (tolerated, tracking_express, self.journal) {
            let succeeded = (0..total)
                .filter(|i| {
                    express_ok
                        .get(i / 64)
                        .is_some_and(|w| w & (1 << (i % 64)) != 0)
                })
                .map(|i| (i, kept.then(|| outputs.get(i).cloned()).flatten()))
                .collect();
            journal.record_express_succeeded(&map_run_arn, succeeded);
        }
        let output = match (&spec.result_writer, written) {
            (Some(writer), Some(written)) => {
                match self.write_results(run, writer, base, written, frame).await {
                    Ok(output) => output,
                    Err(f) => return Err(self.map_run_failed(f, frame)),
                }
            }
            _ => Json::from(outputs),
        };
        if !tolerated {
            let fault = Fault::new(
                names::EXCEED_TOLERATED_FAILURE_THRESHOLD,
                "The specified tolerated failure threshold was exceeded",
            );
            return Err(self.map_run_failed(fault, frame));
        }
        let succeeded = self.emit(frame.prev.get(), EventKind::MapRunSucceeded);
        self.emit(succeeded, EventKind::MapStateSucceeded);
        frame.prev.set(succeeded);
        Ok(output)
    }

    /// Records that the map run failed with `f` (`MapRunFailed`), and gives `f` back.
    fn map_run_failed(&self, f: Fault, frame: &Frame) -> Fault {
        frame.prev.set(self.emit(
            frame.prev.get(),
            EventKind::MapRunFailed {
                error: Some(f.error.clone()),
                cause: Some(f.cause.clone()),
            },
        ));
        f
    }

    /// The inputs of a map run's children: its items (read now when it has a reader), in
    /// batches when it has an `ItemBatcher`. A CSV, JSON or JSON Lines object is decoded as the
    /// children take its items (each checked through the item selector, and counted into
    /// batches, as the object is read).
    async fn map_run_inputs(
        &self,
        run: &StateRun<'_>,
        spec: &MapSpec,
        items: Items<'_>,
        base: &Json,
        frame: &mut Frame,
    ) -> Result<ChildInputs, Fault> {
        let reader = match items {
            Items::Given(inputs) => return self.listed_inputs(run, spec, inputs, base, frame),
            Items::Read(reader) if !Interpreter::reads_lazily(reader) => {
                let inputs = self.read_inputs(run, spec, reader, base, frame).await?;
                return self.listed_inputs(run, spec, inputs, base, frame);
            }
            Items::Read(reader) => reader,
        };
        // The batcher's fields are evaluated now, to count the batches as the items are
        // read, but a fault of theirs comes after the reader's, as when items are listed.
        let batching = spec
            .item_batcher
            .as_ref()
            .map(|_| self.batching(run, spec, base, frame));
        let prepared = self.reader_request(run, reader, base, frame)?;
        let mut counting = match &batching {
            Some(Ok((limits, batch_input))) => {
                Some((Batcher::new(*limits, batch_input.clone()), Vec::new()))
            }
            _ => None,
        };
        let seen: &Frame = frame;
        let mut check = |index, item| {
            let input = self.item_input(run, spec, base, index, item, seen)?;
            if let Some((batcher, counts)) = &mut counting {
                counts.extend(batcher.push(input).map(|b| batch_items(spec, &b)));
            }
            Ok(())
        };
        let items = self
            .read_items_lazily(run, reader, prepared, &mut check)
            .await?;
        match (batching, counting) {
            (Some(Err(f)), _) => Err(f),
            (Some(Ok((limits, batch_input))), Some((mut batcher, mut counts))) => {
                counts.extend(batcher.finish().map(|b| batch_items(spec, &b)));
                Ok(ChildInputs::ReadBatches {
                    items,
                    batcher: Batcher::new(limits, batch_input),
                    counts,
                })
            }
            _ => Ok(ChildInputs::Read(items)),
        }
    }

    /// The inputs of children whose items are at hand: in batches when the map has an
    /// `ItemBatcher`.
    fn listed_inputs(
        &self,
        run: &StateRun<'_>,
        spec: &MapSpec,
        inputs: Vec<Json>,
        base: &Json,
        frame: &mut Frame,
    ) -> Result<ChildInputs, Fault> {
        if spec.item_batcher.is_none() {
            return Ok(ChildInputs::Listed(inputs));
        }
        let (limits, batch_input) = self.batching(run, spec, base, frame)?;
        Ok(ChildInputs::Listed(batches(
            inputs,
            limits,
            batch_input.as_ref(),
        )))
    }

    /// An `ItemBatcher`'s limits and `BatchInput`, evaluated (none without a batcher).
    fn batching(
        &self,
        run: &StateRun<'_>,
        spec: &MapSpec,
        base: &Json,
        frame: &mut Frame,
    ) -> Result<(BatchLimits, Option<Json>), Fault> {
        let Some(batcher) = &spec.item_batcher else {
            return Ok((BatchLimits::default(), None));
        };
        let limits = BatchLimits {
            max_items: self.batch_limit(
                run,
                &batcher.max_items_per_batch,
                "MaxItemsPerBatch",
                base,
                frame,
            )?,
            max_bytes: self.batch_limit(
                run,
                &batcher.max_input_bytes_per_batch,
                "MaxInputBytesPerBatch",
                base,
                frame,
            )?,
        };
        let batch_input = match &batcher.batch_input {
            Some(t) => {
                let mut env = self.env(run, base, frame);
                Some(self.eval(run, t, &mut env)?)
            }
            None => None,
        };
        Ok((limits, batch_input))
    }

    /// One of an `ItemBatcher`'s limits: a positive whole number, or none.
    fn batch_limit(
        &self,
        run: &StateRun<'_>,
        src: &Option<NumberSource>,
        field: &str,
        base: &Json,
        frame: &mut Frame,
    ) -> Result<Option<u64>, Fault> {
        let Some(src) = src else {
            return Ok(None);
        };
        let n = self.number(run, src, field, base, frame)?;
        if n < 1.0 || n.fract() != 0.0 {
            return Err(self.engine_failure(
                run,
                Failure::runtime(format!(
                    "The field {field} must be a positive integer, but was {n}"
                )),
            ));
        }
        Ok(Some(n as u64))
    }

    /// The iterations' inputs of a map that reads its items: read, then each through the
    /// item selector.
    async fn read_inputs(
        &self,
        run: &StateRun<'_>,
        spec: &MapSpec,
        reader: &ItemReader,
        base: &Json,
        frame: &mut Frame,
    ) -> Result<Vec<Json>, Fault> {
        let items = self.read_items(run, reader, base, frame).await?;
        let mut inputs = Vec::with_capacity(items.len());
        for (index, item) in items.into_iter().enumerate() {
            inputs.push(self.item_input(run, spec, base, index, item, frame)?);
        }
        Ok(inputs)
    }
}

/// What every child of one map run shares.
struct ChildrenOf<'s> {
    spec: &'s MapSpec,
    map_run_arn: &'s str,
    /// The state machine the children are executions of (`MACHINE/LABEL`).
    machine_arn: String,
    /// Whether the children are Standard, and so kept in the parent's journal when it has one.
    journaled: bool,
    /// The parent's variables, which the children see as outer ones.
    outer: Arc<Vars>,
    /// Told when `StopExecution` asks to stop one of the children (see
    /// `Journal::take_child_stop`), or when the map run fails.
    stops: Arc<tokio::sync::Notify>,
    /// Set when the map run fails (its failures passed what it tolerates): the children
    /// still running stop (ABORTED) and those not started are not (they stay pending).
    failing: std::cell::RefCell<Option<ChildStop>>,
}

/// How one child of a map run ended.
struct ChildEnd {
    outcome: Result<Json, Fault>,
    /// Stopped by `StopExecution` (ABORTED), rather than failed.
    aborted: bool,
    start: Timestamp,
    stop: Timestamp,
}

impl Interpreter<'_> {
    /// Runs one child of a map run (or takes its outcome, when an earlier run of the parent
    /// saw it end), and tells how it ended. A Standard child that `StopExecution` stops ends
    /// ABORTED: its run is dropped where it stands.
    async fn run_map_child(
        &self,
        of: &ChildrenOf<'_>,
        arn: &str,
        name: &str,
        seed: u64,
        input: Json,
    ) -> ChildEnd {
        let now = self.driver.now();
        let stands = match (of.journaled, self.journal) {
            (true, Some(journal)) => journal.map_child(&MapChild {
                map_run_arn: of.map_run_arn,
                execution_arn: arn,
                name,
                state_machine_arn: &of.machine_arn,
                role_arn: &self.exec.role_arn,
                seed,
            }),
            _ => None,
        };
        let exec = |start_time: Timestamp, input: &Json| ExecutionInfo {
            execution_arn: arn.to_string(),
            name: name.to_string(),
            state_machine_arn: of.machine_arn.clone(),
            state_machine_name: of
                .machine_arn
                .split_once(":stateMachine:")
                .map_or(name, |(_, n)| n)
                .to_string(),
            role_arn: self.exec.role_arn.clone(),
            start_time,
            input: input.clone(),
            region: self.exec.region.clone(),
            redrive_count: self.exec.redrive_count.map(|_| 0),
            given: None,
        };
        match stands {
            Some(ChildRun::Ended(ended)) => ChildEnd {
                outcome: ended
                    .outcome
                    .map_err(|(error, cause)| Fault::new(error, cause)),
                aborted: ended.aborted,
                start: ended.start,
                stop: ended.stop,
            },
            Some(ChildRun::Run {
                journal,
                recorded_events,
                started,
            }) => {
                let start = started.unwrap_or(now);
                let child =
                    Interpreter::new(self.machine, self.driver, exec(start, &input), self.limits)
                        .with_seed(seed)
                        .with_journal(&*journal, recorded_events);
                let run = child.run_child(&of.spec.processor, input, of.outer.clone());
                let stopped = tokio::select! {
                    biased;
                    stop = stop_asked(of, self.journal, arn) => Err(stop),
                    outcome = run => Ok(outcome),
                };
                let (outcome, aborted) = match stopped {
                    Ok(outcome) => (outcome, false),
                    Err(stop) => {
                        child.record_aborted(&stop);
                        let fault = Fault::new(
                            stop.error.unwrap_or_default(),
                            stop.cause.unwrap_or_default(),
                        );
                        (Err(fault), true)
                    }
                };
                let stop = self.driver.now();
                drop(child);
                self.driver.checkpoint().await;
                ChildEnd {
                    outcome,
                    aborted,
                    start,
                    stop,
                }
            }
            None => {
                let child =
                    Interpreter::new(self.machine, self.driver, exec(now, &input), self.limits)
                        .with_seed(seed);
                let mut f = Frame {
                    vars: Vars::nested(of.outer.clone()),
                    prev: Cell::new(0),
                    assigned: None,
                };
                let run = child.run_scope(&of.spec.processor, input, &mut f);
                let (outcome, aborted) = tokio::select! {
                    biased;
                    stop = stop_asked(of, None, arn) => (
                        Err(Fault::new(
                            stop.error.unwrap_or_default(),
                            stop.cause.unwrap_or_default(),
                        )),
                        true,
                    ),
                    outcome = run => (outcome, false),
                };
                ChildEnd {
                    outcome,
                    aborted,
                    start: now,
                    stop: self.driver.now(),
                }
            }
        }
    }
}

/// Whether a map run of `total` children tolerates `failures`: none, or within the count or
/// the percentage it tolerates (either suffices).
fn tolerates(failures: usize, total: usize, count: Option<f64>, pct: Option<f64>) -> bool {
    failures == 0
        || count.is_some_and(|c| failures as f64 <= c)
        || pct.is_some_and(|p| total > 0 && (failures as f64 * 100.0 / total as f64) <= p)
}

/// Completes when the child `arn` is to stop, with how: `StopExecution` asked (through the
/// parent's `journal`, if any), or its map run failed; never otherwise.
async fn stop_asked(of: &ChildrenOf<'_>, journal: Option<&dyn Journal>, arn: &str) -> ChildStop {
    loop {
        // Listening before looking, so a request made in between is not missed.
        let told = of.stops.notified();
        tokio::pin!(told);
        told.as_mut().enable();
        if let Some(stop) = of.failing.borrow().clone() {
            return stop;
        }
        if let Some(stop) = journal.and_then(|j| j.take_child_stop(arn)) {
            return stop;
        }
        told.await;
    }
}

/// Child `index`'s name in a map run whose names start with the random `hi` and `lo`.
fn child_name(hi: u64, lo: u64, index: usize) -> String {
    const LOW_48: u64 = (1 << 48) - 1;
    switchback_types::ids::uuid_v4(hi, (lo & !LOW_48) | (index as u64 & LOW_48))
}

/// How many items a child's input holds: a batch's `Items`, or the one item.
fn batch_items(spec: &MapSpec, input: &Json) -> u64 {
    if spec.item_batcher.is_none() {
        return 1;
    }
    match input.get("Items") {
        Some(Json::Array(items)) => items.len() as u64,
        _ => 1,
    }
}

impl Interpreter<'_> {
    /// Tells the journal (if any) how a map run stands.
    fn map_run_progress(&self, progress: &MapRunProgress<'_>) {
        if let Some(journal) = self.journal {
            journal.map_run_progress(progress);
        }
    }
}

/// How many children of a map run may run at once. A plain limit would do, were it not for
/// `UpdateMapRun`, which changes it while the run goes on.
struct Gate {
    limit: Cell<usize>,
    running: Cell<usize>,
    /// Told when a child ends (one waiter), or when `UpdateMapRun` changed the run (all of
    /// them: see `Journal::watch_map_run`).
    freed: Arc<tokio::sync::Notify>,
}

impl Gate {
    fn new(limit: usize) -> Gate {
        Gate {
            limit: Cell::new(limit.max(1)),
            running: Cell::new(0),
            freed: Arc::new(tokio::sync::Notify::new()),
        }
    }

    /// Waits for a place under the limit, taking the limit `updated` gives (if any) each
    /// time it looks; the place is held until the slot is dropped.
    async fn enter(&self, updated: &dyn Fn() -> Option<usize>) -> Slot<'_> {
        loop {
            if let Some(limit) = updated() {
                // 0 as AWS means it: no limit of its own (the stream around the gate still
                // bounds the run).
                self.limit.set(if limit == 0 { usize::MAX } else { limit });
            }
            if self.running.get() < self.limit.get() {
                self.running.set(self.running.get() + 1);
                return Slot(self);
            }
            self.freed.notified().await;
        }
    }
}

/// A child's place under a [`Gate`]'s limit.
struct Slot<'g>(&'g Gate);

impl Drop for Slot<'_> {
    fn drop(&mut self) {
        self.0.running.set(self.0.running.get() - 1);
        self.0.freed.notify_one();
    }
}

/// The inputs of a map run's children.
enum ChildInputs {
    /// Every child's input, at hand.
    Listed(Vec<Json>),
    /// Items of an object, decoded as they are taken; each goes through the item selector.
    Read(LazyItems),
    /// Items of an object, decoded as they are taken, each through the item selector, then
    /// into batches.
    ReadBatches {
        items: LazyItems,
        batcher: Batcher,
        /// How many items each batch holds (counted when the object was read).
        counts: Vec<u64>,
    },
}

impl ChildInputs {
    /// How many children there are.
    fn len(&self) -> usize {
        match self {
            ChildInputs::Listed(listed) => listed.len(),
            ChildInputs::Read(items) => items.len(),
            ChildInputs::ReadBatches { counts, .. } => counts.len(),
        }
    }
}

/// Where a distributed map's items come from.
enum Items<'a> {
    /// Taken from the state's input, and already through the item selector.
    Given(Vec<Json>),
    /// Read by the map run with this reader.
    Read(&'a ItemReader),
}

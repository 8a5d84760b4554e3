//! The Parallel state: its branches, each a scope in its own frame and lane, run together;
//! the first to fail stops the others.

use std::cell::Cell;
use std::sync::Arc;

use futures::future::try_join_all;
use switchback_asl::Scope;
use switchback_json::Json;

use super::{Fault, Frame, Interpreter, StateRun};
use crate::history::EventKind;
use crate::vars::Vars;

impl Interpreter<'_> {
    pub(super) async fn parallel(
        &self,
        _run: &StateRun<'_>,
        branches: &[Scope],
        input: Json,
        frame: &mut Frame,
    ) -> Result<Json, Fault> {
        let started = self.emit(frame.prev.get(), EventKind::ParallelStateStarted);
        frame.prev.set(started);
        let outer = Arc::new(frame.vars.clone());
        let mut frames: Vec<Frame> = branches
            .iter()
            .map(|_| Frame {
                vars: Vars::nested(outer.clone()),
                prev: Cell::new(started),
                assigned: None,
            })
            .collect();
        // The first branch to fail fails the Parallel at once and stops the others, as AWS
        // does ("all its branches are stopped"): the other branches' futures are dropped.
        let results =
            {
                let futures = branches.iter().zip(frames.iter_mut()).enumerate().map(
                    |(index, (branch, f))| {
                        let lane = self.lanes.spawn(index);
                        self.lanes
                            .run_in(lane, self.run_scope(branch, input.clone(), f))
                    },
                );
                try_join_all(futures).await
            };
        let last = frames.iter().map(|f| f.prev.get()).max().unwrap_or(started);
        let results = match results {
            Ok(results) => results,
            Err(fault) => {
                frame.prev.set(last);
                return Err(fault);
            }
        };
        let mut outputs = Vec::with_capacity(results.len());
        for v in results {
            outputs.push(v);
        }
        self.emit(last, EventKind::ParallelStateSucceeded);
        frame.prev.set(last);
        Ok(Json::from(outputs))
    }
}

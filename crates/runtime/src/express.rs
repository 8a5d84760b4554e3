//! Express executions: in memory, on the real clock, nothing persisted (as in AWS, an Express
//! execution lost with its process is not resumed).

use std::cell::Cell;
use std::sync::Arc;

use jiff::Timestamp;
use switchback_asl::StateMachine;
use switchback_engine::context::ExecutionInfo;
use switchback_engine::driver::DriverFuture;
use switchback_engine::interpreter::Interpreter;
use switchback_engine::mock::Mocks;
use switchback_engine::task::{TaskOutcome, TaskRequest};
use switchback_engine::{Driver, ExecutionStatus, Limits};
use switchback_store::executions::Ending;

use crate::events;
use crate::hub::Hub;
use crate::tasks;

/// The driver of an Express execution.
struct ExpressDriver {
    rng: Cell<u64>,
    hub: Arc<Hub>,
    mocks: Option<Mocks>,
}

impl Driver for ExpressDriver {
    fn now(&self) -> Timestamp {
        self.hub.clock.now()
    }

    fn sleep_until(&self, deadline: Timestamp) -> DriverFuture<'_, ()> {
        Box::pin(async move {
            if let Some(left) = self.hub.clock.real_wait_until(deadline) {
                tokio::time::sleep(left).await;
            }
        })
    }

    fn random_u64(&self) -> u64 {
        let z = self.rng.get().wrapping_add(0x9E37_79B9_7F4A_7C15);
        self.rng.set(z);
        crate::seed::mix(z)
    }

    fn invoke(&self, request: TaskRequest) -> DriverFuture<'_, TaskOutcome> {
        Box::pin(async move {
            if let Some(outcome) = self.mocks.as_ref().and_then(|m| m.try_respond(&request)) {
                // A mocked answer is known at once; it is handed over after the other Parallel
                // branches and Map iterations have had their turn, as a real call (and a
                // Standard execution, which commits before each dispatch) would let them, and
                // as `switchback run` does (the engine's `run::Answer`).
                tokio::task::yield_now().await;
                return outcome;
            }
            tasks::run_express(&self.hub, request).await
        })
    }
}

/// Runs an Express execution to its end and returns how it ended.
pub async fn run(
    machine: Arc<StateMachine>,
    info: ExecutionInfo,
    limits: Limits,
    hub: Arc<Hub>,
    mocks: Option<Mocks>,
) -> Ending {
    let driver = ExpressDriver {
        rng: Cell::new(crate::seed::fresh()),
        hub,
        mocks,
    };
    let started = info.start_time;
    let interpreter = Interpreter::new(&machine, &driver, info, limits);
    interpreter.run().await;
    let history = interpreter.history.borrow();
    history
        .events()
        .last()
        // Express histories are not stored, so the output is written whole.
        .and_then(|last| events::ending(last, None))
        .unwrap_or_else(|| Ending {
            status: ExecutionStatus::Failed,
            error: Some("States.Runtime".into()),
            cause: Some("The execution ended without an outcome.".into()),
            output: None,
            stop_date: events::micros(started),
        })
}

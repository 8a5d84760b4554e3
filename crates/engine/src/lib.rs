//! Executions of state machines.
//!
//! The interpreter ([`interpreter`]) walks a [`switchback_asl::StateMachine`] as async code:
//! every point where an execution waits (a Wait state, a retry's back-off, a task) is an
//! `await` on its [`Driver`], so one interpreter serves every way of running: the one-shot
//! `switchback run` with a virtual clock, and the server's Standard executions, whose driver
//! commits each event before acting on it and whose journal lets a resumed execution replay
//! what it already did (see `ARCHITECTURE.md`). The history ([`history`]) is what an
//! execution leaves behind: exactly the events `GetExecutionHistory` returns, recorded as they
//! happen.

pub mod clock;
pub mod context;
pub mod driver;
pub mod history;
pub mod interpreter;
pub mod items;
pub mod journal;
mod lane;
pub mod limits;
pub mod mock;
pub mod run;
pub mod task;
mod vars;

pub use clock::Clock;
pub use driver::Driver;
pub use history::{Event, EventKind, History};
pub use journal::{
    ChildEnding, ChildRun, ChildStop, Journal, MapChild, MapRunConfig, MapRunCounts,
    MapRunProgress, Place, Recorded,
};
pub use limits::Limits;
pub use run::{run_execution, ExecutionOutcome, ExecutionStatus, RunOptions, TaskHandler};

//! [`Frame`]: the state of one scope being run.

use std::cell::Cell;

use switchback_json::Object;

use crate::vars::Vars;

/// One scope being run: its variables and its place in the history.
pub struct Frame {
    /// The variables this scope sees.
    pub vars: Vars,
    /// The last event of this frame's flow (a `Cell`: it moves on while expressions borrow
    /// the frame's variables).
    pub prev: Cell<u64>,
    /// Variables assigned by the state being run, for its `StateExited` event.
    pub assigned: Option<Box<Object>>,
}

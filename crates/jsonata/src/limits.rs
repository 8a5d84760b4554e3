//! Bounds on one evaluation. JSONata can loop forever (recursive lambdas) or build huge
//! sequences; a workflow must see an error instead of a hung or exhausted engine.

use std::time::Duration;

/// Resource bounds applied to every evaluation.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limits {
    /// Wall-clock time for one evaluation; past it evaluation fails with `D1012`.
    pub timeout: Duration,
    /// Nesting depth of evaluation (about three levels per non-tail recursive call);
    /// past it evaluation fails with `D1011`.
    pub max_depth: usize,
    /// Longest sequence an evaluation may build (also bounds `$range`); past it
    /// evaluation fails with `D2015`.
    pub max_sequence_length: usize,
}

impl Default for Limits {
    /// 5 s, depth 10,000 (a few thousand recursive calls, more than jsonata-js on node
    /// manages in practice), 10,000,000 items (jsonata-js's own cap on `[a..b]`).
    fn default() -> Limits {
        Limits {
            timeout: Duration::from_secs(5),
            max_depth: 10_000,
            max_sequence_length: 10_000_000,
        }
    }
}

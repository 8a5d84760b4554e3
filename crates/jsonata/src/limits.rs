//! Bounds on one evaluation. JSONata can loop forever (recursive lambdas), build huge
//! sequences or build huge values (a string doubled in a loop); a workflow must see an error
//! instead of a hung or exhausted engine.
//!
//! The engine evaluates through code it does not own (the payload templates of
//! `switchback-asl`), so besides being passed to [`crate::Expression::evaluate_with_limits`],
//! limits can be set for the current thread ([`set_thread_limits`]): the engine sets its own
//! before each evaluation, and [`crate::Expression::evaluate`] uses them.

use std::cell::Cell;
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
    /// evaluation fails with `D2015`. A sequence is also bounded by
    /// [`Limits::max_memory_bytes`] (see [`Limits::effective_sequence_length`]).
    pub max_sequence_length: usize,
    /// Bytes of values one evaluation may build (approximately: string bytes of `&`,
    /// `$string`, `$join` and `$pad`, a value's size per item of a range or key of an
    /// object built with `{}`, the JSON size of the result); past it evaluation fails with
    /// `U1004` (see `budget`).
    pub max_memory_bytes: usize,
}

impl Default for Limits {
    /// 5 s, depth 10,000 (a few thousand recursive calls, more than jsonata-js on node
    /// manages in practice), 10,000,000 items (jsonata-js's own cap on `[a..b]`), 64 MiB of
    /// values (AWS's payload limit is 256 KiB, so a value far larger is of no use).
    fn default() -> Limits {
        Limits {
            timeout: Duration::from_secs(5),
            max_depth: 10_000,
            max_sequence_length: 10_000_000,
            max_memory_bytes: 64 * 1024 * 1024,
        }
    }
}

impl Limits {
    /// The longest sequence allowed: [`Limits::max_sequence_length`], or fewer when that many
    /// values would take more than [`Limits::max_memory_bytes`].
    pub fn effective_sequence_length(&self) -> usize {
        self.max_sequence_length
            .min(self.max_memory_bytes / crate::budget::ITEM_BYTES)
    }
}

thread_local! {
    static THREAD_LIMITS: Cell<Option<Limits>> = const { Cell::new(None) };
}

/// Sets the limits [`crate::Expression::evaluate`] applies on this thread from now on.
pub fn set_thread_limits(limits: Limits) {
    THREAD_LIMITS.with(|l| l.set(Some(limits)));
}

/// The limits set for this thread by [`set_thread_limits`], or the defaults.
pub fn thread_limits() -> Limits {
    THREAD_LIMITS
        .try_with(|l| l.get())
        .ok()
        .flatten()
        .unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_memory_budget_bounds_sequences() {
        let small = Limits {
            max_memory_bytes: 1000 * crate::budget::ITEM_BYTES,
            ..Limits::default()
        };
        assert_eq!(small.effective_sequence_length(), 1000);
        assert_eq!(
            Limits {
                max_memory_bytes: usize::MAX,
                ..Limits::default()
            }
            .effective_sequence_length(),
            10_000_000
        );
    }

    #[test]
    fn thread_limits_default_then_follow_the_setting() {
        std::thread::spawn(|| {
            assert_eq!(thread_limits(), Limits::default());
            let l = Limits {
                max_memory_bytes: 5,
                ..Limits::default()
            };
            set_thread_limits(l);
            assert_eq!(thread_limits(), l);
        })
        .join()
        .unwrap();
    }
}

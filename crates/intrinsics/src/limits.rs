//! The memory budget of one intrinsic evaluation.
//!
//! An intrinsic call cannot loop, but it can copy: every path argument is a copy of part of
//! the input, and `States.Array($.big, $.big, ...)`, `States.Format('{}{}...', $.big, ...)`,
//! `States.StringSplit` of a long string into one-character pieces or
//! `States.ArrayPartition(big, 1)` multiply what the input holds. So one evaluation (a call
//! with all its nested calls) counts the bytes of the values it builds, approximately and in
//! memory terms ([`value_bytes`]): each path argument once resolved (its size is only known
//! then), and each function's result before it is built, from the sizes of its arguments.
//! Past [`Limits::max_memory_bytes`] the evaluation fails with `States.Runtime`, the error AWS
//! gives every failed intrinsic.
//!
//! The engine evaluates intrinsics through code it does not own (the payload templates of
//! `switchback-asl`), so limits can be set for the current thread ([`set_thread_limits`]);
//! [`crate::Intrinsic::eval`] uses them.

use std::cell::Cell;

use switchback_json::Json;

use crate::EvalError;

/// Resource bounds of one intrinsic evaluation.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limits {
    /// Bytes of values one evaluation may build (see the module docs); past it the evaluation
    /// fails with `States.Runtime`.
    pub max_memory_bytes: usize,
}

impl Default for Limits {
    /// 64 MiB (AWS's payload limit is 256 KiB, so a value far larger is of no use).
    fn default() -> Limits {
        Limits {
            max_memory_bytes: 64 * 1024 * 1024,
        }
    }
}

thread_local! {
    static THREAD_LIMITS: Cell<Option<Limits>> = const { Cell::new(None) };
}

/// Sets the limits [`crate::Intrinsic::eval`] applies on this thread from now on.
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

/// Bytes used and allowed for one evaluation.
#[derive(Debug)]
pub(crate) struct Budget {
    limit: usize,
    used: Cell<usize>,
}

impl Budget {
    pub(crate) fn new(limits: &Limits) -> Budget {
        Budget {
            limit: limits.max_memory_bytes,
            used: Cell::new(0),
        }
    }

    /// Bytes still available.
    pub(crate) fn remaining(&self) -> usize {
        self.limit.saturating_sub(self.used.get())
    }

    /// Adds `bytes` for something `name` builds; fails once past the limit.
    pub(crate) fn charge(&self, name: &str, bytes: usize) -> Result<(), EvalError> {
        let used = self.used.get().saturating_add(bytes);
        self.used.set(used);
        if used > self.limit {
            return Err(EvalError {
                error: crate::INTRINSIC_RUNTIME_ERROR.to_string(),
                cause: format!(
                    "The memory budget of {} bytes for one evaluation was exceeded in {name}",
                    self.limit
                ),
            });
        }
        Ok(())
    }
}

/// The size of one value slot (a `switchback_json::Json`).
pub(crate) const SLOT: usize = std::mem::size_of::<Json>();
/// What a map entry costs beyond its key's bytes and its value.
const ENTRY: usize = 3 * std::mem::size_of::<usize>();

/// Approximate bytes `v` takes in memory: a slot per value plus string bytes plus a little per
/// object entry, counted up to a little past `cap` (the walk stops there).
pub(crate) fn value_bytes(v: &Json, cap: usize) -> usize {
    let mut total = 0usize;
    // An explicit stack: values can nest deeper than the native stack allows recursion.
    let mut stack = vec![v];
    while let Some(v) = stack.pop() {
        total = total.saturating_add(
            SLOT + match v {
                Json::String(s) => s.len(),
                Json::Array(items) => {
                    stack.extend(items.iter());
                    0
                }
                Json::Object(map) => map.iter().fold(0usize, |acc, (k, item)| {
                    stack.push(item);
                    acc.saturating_add(k.len() + ENTRY)
                }),
                _ => 0,
            },
        );
        if total > cap {
            return total;
        }
    }
    total
}

/// Approximate length of `v` as text (JSON, or Java's `toString` in `States.Format`, which is
/// about as long), up to a little past `cap`.
pub(crate) fn text_len(v: &Json, cap: usize) -> usize {
    let mut total = 0usize;
    let mut stack = vec![v];
    while let Some(v) = stack.pop() {
        total = total.saturating_add(match v {
            Json::String(s) => s.len() + 2,
            Json::Array(items) => {
                stack.extend(items.iter());
                2 + 2 * items.len()
            }
            Json::Object(map) => map.iter().fold(2usize, |acc, (k, item)| {
                stack.push(item);
                acc.saturating_add(k.len() + 4)
            }),
            Json::Number(_) => 8,
            _ => 5,
        });
        if total > cap {
            return total;
        }
    }
    total
}

#[cfg(test)]
mod tests {
    use super::*;
    use switchback_json::json;

    #[test]
    fn charges_until_the_limit() {
        let b = Budget::new(&Limits {
            max_memory_bytes: 100,
        });
        assert!(b.charge("States.Array", 100).is_ok());
        let e = b.charge("States.Array", 1).unwrap_err();
        assert_eq!(e.error, "States.Runtime");
        assert_eq!(
            e.cause,
            "The memory budget of 100 bytes for one evaluation was exceeded in States.Array"
        );
    }

    #[test]
    fn sizes() {
        assert_eq!(value_bytes(&json!("abc"), usize::MAX), SLOT + 3);
        assert_eq!(value_bytes(&json!([1, 2]), usize::MAX), 3 * SLOT);
        assert_eq!(
            value_bytes(&json!({"ab": null}), usize::MAX),
            2 * SLOT + 2 + ENTRY
        );
        let big = json!(vec![0; 100_000]);
        assert!(value_bytes(&big, 1000) < 1000 + 2 * SLOT);
        assert_eq!(text_len(&json!("abc"), usize::MAX), 5);
        assert_eq!(text_len(&json!(["a", 1]), usize::MAX), 2 + 4 + 3 + 8);
    }

    #[test]
    fn thread_limits_default_then_follow_the_setting() {
        std::thread::spawn(|| {
            assert_eq!(thread_limits(), Limits::default());
            set_thread_limits(Limits {
                max_memory_bytes: 7,
            });
            assert_eq!(thread_limits().max_memory_bytes, 7);
        })
        .join()
        .unwrap();
    }
}

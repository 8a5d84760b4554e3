//! Metering the heap an evaluation takes, when the program allows it.
//!
//! The guards of `budget` see the operations that can build a huge value in one step, in call
//! position. They do not see a built-in passed as a value (`$map(xs, $pad(?, 1e6))`), nor the
//! many small allocations of an evaluation that maps and nests without end. Only the
//! allocator sees everything, so a program can wrap its global allocator in [`MeteredAlloc`]:
//! while an evaluation runs, the bytes allocated minus the bytes freed on its thread are
//! counted, and once they pass the budget the evaluation is cancelled (`jsonata-core` checks
//! its cancel token before evaluating each node) and fails with the budget's error (`U1004`).
//!
//! The counts are thread-local and touched only while an evaluation runs on the thread, so
//! the cost elsewhere is one thread-local read per allocation. A program without the wrapper
//! loses nothing but this backstop: [`installed`] tells evaluation whether to arm it.
//!
//! This module holds the crate's only `unsafe` code: `GlobalAlloc` is an unsafe trait, and the
//! allocator reaches the running evaluation's cancel token through a raw pointer, set and
//! cleared by [`Metering`], which lives inside the frame that owns the token.

use std::alloc::{GlobalAlloc, Layout};
use std::cell::Cell;
use std::sync::atomic::{AtomicBool, Ordering};

use jsonata_core::evaluator::CancelToken;

/// A global allocator that meters evaluations: `#[global_allocator] static A:
/// MeteredAlloc<System> = MeteredAlloc(System);` (or around any other allocator).
#[derive(Debug, Default, Clone, Copy)]
pub struct MeteredAlloc<A>(pub A);

static INSTALLED: AtomicBool = AtomicBool::new(false);

thread_local! {
    /// Whether an evaluation is being metered on this thread.
    static ACTIVE: Cell<bool> = const { Cell::new(false) };
    /// Bytes allocated minus bytes freed on this thread since metering began.
    static LIVE: Cell<isize> = const { Cell::new(0) };
    /// The budget, in bytes.
    static LIMIT: Cell<isize> = const { Cell::new(isize::MAX) };
    /// Set once the budget was passed.
    static TRIPPED: Cell<bool> = const { Cell::new(false) };
    /// The running evaluation's cancel token (null when none).
    static TOKEN: Cell<*const CancelToken> = const { Cell::new(std::ptr::null()) };
}

/// Whether the program's global allocator is a [`MeteredAlloc`] (known once it allocated).
pub fn installed() -> bool {
    INSTALLED.load(Ordering::Relaxed)
}

/// Counts `delta` bytes for the evaluation running on this thread, if any. Allocates nothing
/// (the thread-locals are `const` and hold no destructors) and never panics.
#[inline]
fn count(delta: isize) {
    let _ = ACTIVE.try_with(|active| {
        if !active.get() {
            return;
        }
        let _ = LIVE.try_with(|live| {
            let now = live.get().saturating_add(delta);
            live.set(now);
            if delta > 0 && now > LIMIT.try_with(Cell::get).unwrap_or(isize::MAX) {
                trip();
            }
        });
    });
}

#[cold]
fn trip() {
    let _ = TRIPPED.try_with(|t| {
        if !t.replace(true) {
            let _ = TOKEN.try_with(|token| {
                // SAFETY: `TOKEN` is non-null only between `Metering::start` and the drop of
                // the `Metering` it returned, and points to a token that outlives it (see
                // `Metering::start`). Cancelling is an atomic store and allocates nothing.
                if let Some(token) = unsafe { token.get().as_ref() } {
                    token.cancel();
                }
            });
        }
    });
}

#[inline]
fn mark_installed() {
    if !INSTALLED.load(Ordering::Relaxed) {
        INSTALLED.store(true, Ordering::Relaxed);
    }
}

fn signed(n: usize) -> isize {
    isize::try_from(n).unwrap_or(isize::MAX)
}

// SAFETY: every call is forwarded to the wrapped allocator with the same arguments; the
// counting around it allocates nothing and cannot unwind.
unsafe impl<A: GlobalAlloc> GlobalAlloc for MeteredAlloc<A> {
    #[inline]
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        mark_installed();
        let p = self.0.alloc(layout);
        if !p.is_null() {
            count(signed(layout.size()));
        }
        p
    }

    #[inline]
    unsafe fn alloc_zeroed(&self, layout: Layout) -> *mut u8 {
        mark_installed();
        let p = self.0.alloc_zeroed(layout);
        if !p.is_null() {
            count(signed(layout.size()));
        }
        p
    }

    #[inline]
    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        self.0.dealloc(ptr, layout);
        count(-signed(layout.size()));
    }

    #[inline]
    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        let p = self.0.realloc(ptr, layout, new_size);
        if !p.is_null() {
            count(signed(new_size) - signed(layout.size()));
        }
        p
    }
}

/// Metering of one evaluation on this thread, from [`Metering::start`] to its drop.
pub(crate) struct Metering<'t> {
    previous: (bool, isize, isize, bool, *const CancelToken),
    _token: std::marker::PhantomData<&'t CancelToken>,
}

impl<'t> Metering<'t> {
    /// Starts metering with a budget of `limit` bytes; past it, `token` is cancelled. The
    /// borrow keeps `token` alive (and in place) for as long as the allocator may reach it.
    pub(crate) fn start(limit: usize, token: &'t CancelToken) -> Metering<'t> {
        let previous = (
            ACTIVE.with(|a| a.replace(true)),
            LIVE.with(|l| l.replace(0)),
            LIMIT.with(|l| l.replace(signed(limit))),
            TRIPPED.with(|t| t.replace(false)),
            TOKEN.with(|t| t.replace(token as *const CancelToken)),
        );
        Metering {
            previous,
            _token: std::marker::PhantomData,
        }
    }

    /// Whether the budget was passed.
    pub(crate) fn tripped(&self) -> bool {
        TRIPPED.with(Cell::get)
    }
}

impl Drop for Metering<'_> {
    fn drop(&mut self) {
        let (active, live, limit, tripped, token) = self.previous;
        // The token pointer goes first, so the allocator never sees a stale one.
        let _ = TOKEN.try_with(|t| t.set(token));
        let _ = ACTIVE.try_with(|a| a.set(active));
        let _ = LIVE.try_with(|l| l.set(live));
        let _ = LIMIT.try_with(|l| l.set(limit));
        let _ = TRIPPED.try_with(|t| t.set(tripped));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn counting_trips_once_past_the_limit() {
        std::thread::spawn(|| {
            let token = CancelToken::new();
            let m = Metering::start(1000, &token);
            count(600);
            count(-300);
            count(600);
            assert!(!m.tripped() && !token.is_cancelled());
            count(200);
            assert!(m.tripped() && token.is_cancelled());
            drop(m);
            // Not metering any more: nothing counts.
            count(1 << 40);
            assert!(!TRIPPED.with(Cell::get));
        })
        .join()
        .unwrap();
    }
}

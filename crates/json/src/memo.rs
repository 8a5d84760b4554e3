//! [`Memo`]: what an array or object remembers about itself until it changes.
//!
//! Facts that take a walk of the whole value to learn (its size, whether its numbers are
//! JavaScript's) are learnt once and kept in the shared node, so the many values built around
//! one large shared part learn them for their new parts only. Any change through `DerefMut`
//! forgets them ([`Memo::forget`]); atomics because shared nodes are read from many threads
//! (a race only means counting twice).

use std::sync::atomic::{AtomicU8, AtomicUsize, Ordering};

/// Remembered facts of one array or object.
#[derive(Default)]
pub(crate) struct Memo {
    /// The compact JSON size; zero means "not counted" (no array or object is smaller than 2
    /// bytes).
    size: AtomicUsize,
    /// Whether every number in it is JavaScript's ([`crate::Json::numbers_are_javascript`]):
    /// 0 not known, 1 yes, 2 no.
    javascript: AtomicU8,
}

impl Memo {
    pub(crate) fn size(&self) -> Option<usize> {
        match self.size.load(Ordering::Relaxed) {
            0 => None,
            n => Some(n),
        }
    }

    pub(crate) fn set_size(&self, n: usize) {
        self.size.store(n, Ordering::Relaxed);
    }

    pub(crate) fn javascript(&self) -> Option<bool> {
        match self.javascript.load(Ordering::Relaxed) {
            1 => Some(true),
            2 => Some(false),
            _ => None,
        }
    }

    pub(crate) fn set_javascript(&self, yes: bool) {
        self.javascript
            .store(if yes { 1 } else { 2 }, Ordering::Relaxed);
    }

    pub(crate) fn forget(&mut self) {
        *self.size.get_mut() = 0;
        *self.javascript.get_mut() = 0;
    }
}

impl Clone for Memo {
    fn clone(&self) -> Memo {
        Memo {
            size: AtomicUsize::new(self.size.load(Ordering::Relaxed)),
            javascript: AtomicU8::new(self.javascript.load(Ordering::Relaxed)),
        }
    }
}

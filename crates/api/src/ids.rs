//! Random identifiers (revision ids, request ids) and weighted choices (alias routing).
//!
//! A process-wide xorshift generator, seeded from the OS's hash seed and the clock, is plenty:
//! these ids need to be unique, not unguessable, and alias routing needs a fair coin.

use std::collections::hash_map::RandomState;
use std::hash::{BuildHasher, Hasher};
use std::sync::atomic::{AtomicU64, Ordering};

static STATE: AtomicU64 = AtomicU64::new(0);

fn seed() -> u64 {
    let mut h = RandomState::new().build_hasher();
    h.write_i64(crate::time::now_micros());
    h.finish() | 1
}

/// 64 random bits.
pub fn random_u64() -> u64 {
    let mut current = STATE.load(Ordering::Relaxed);
    loop {
        let mut x = if current == 0 { seed() } else { current };
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        match STATE.compare_exchange_weak(current, x, Ordering::Relaxed, Ordering::Relaxed) {
            Ok(_) => return x,
            Err(seen) => current = seen,
        }
    }
}

/// A random (version 4) UUID in its usual text form.
pub fn uuid_v4() -> String {
    switchback_types::ids::uuid_v4(random_u64(), random_u64())
}

/// A number in `0..n` (n > 0), for weighted routing.
pub fn below(n: u64) -> u64 {
    if n == 0 {
        0
    } else {
        random_u64() % n
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn uuids_are_v4_and_distinct() {
        let a = uuid_v4();
        let b = uuid_v4();
        assert_ne!(a, b);
        assert_eq!(a.len(), 36);
        assert_eq!(&a[14..15], "4");
        assert!(matches!(&a[19..20], "8" | "9" | "a" | "b"));
    }

    #[test]
    fn below_stays_in_range() {
        for _ in 0..1000 {
            assert!(below(100) < 100);
        }
        assert_eq!(below(0), 0);
    }
}

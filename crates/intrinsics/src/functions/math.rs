//! Math functions: MathAdd and MathRandom.

use switchback_json::Json;

use super::Args;
use crate::{Env, EvalError};

/// `States.MathAdd(a, b)`: both operands rounded half up (Java `Math.round`), and both they
/// and the sum must fit a Java `int` (-2147483648..=2147483647), as AWS documents.
pub(super) fn add(args: &Args) -> Result<Json, EvalError> {
    let a = int32(args.rounded(0)?).ok_or_else(|| args.invalid())?;
    let b = int32(args.rounded(1)?).ok_or_else(|| args.invalid())?;
    let sum = a.checked_add(b).ok_or_else(|| args.invalid())?;
    Ok(Json::from(sum))
}

fn int32(n: i64) -> Option<i32> {
    i32::try_from(n).ok()
}

/// `States.MathRandom(start, end[, seed])`: an integer in `start..end` (end exclusive).
///
/// Bounds and seed are truncated toward zero (AWS rejects `MathRandom(1.4, 1.6)` as an empty
/// range), `start` must be below `end`, and all must fit a Java `int`. With a seed the result is
/// `start + new java.util.Random(seed).nextInt(end - start)`, deterministic like AWS's; without
/// one it comes from [`Env::random_u64`].
pub(super) fn random(args: &Args, env: &mut dyn Env) -> Result<Json, EvalError> {
    let start = int32(args.truncated(0)?).ok_or_else(|| args.invalid())?;
    let end = int32(args.truncated(1)?).ok_or_else(|| args.invalid())?;
    let bound = i64::from(end) - i64::from(start);
    let bound = i32::try_from(bound)
        .ok()
        .filter(|b| *b > 0)
        .ok_or_else(|| args.invalid())?;
    let offset = if args.values.len() == 3 {
        let seed = args.truncated(2)?;
        JavaRandom::new(seed).next_int(bound)
    } else {
        (env.random_u64() % bound as u64) as i32
    };
    Ok(Json::from(start + offset))
}

/// Java's `java.util.Random` linear congruential generator, for seeded MathRandom.
struct JavaRandom {
    seed: u64,
}

impl JavaRandom {
    const MULTIPLIER: u64 = 0x5_DEEC_E66D;
    const MASK: u64 = (1 << 48) - 1;

    fn new(seed: i64) -> Self {
        JavaRandom {
            seed: (seed as u64 ^ Self::MULTIPLIER) & Self::MASK,
        }
    }

    fn next(&mut self, bits: u32) -> i32 {
        self.seed = (self.seed.wrapping_mul(Self::MULTIPLIER).wrapping_add(0xB)) & Self::MASK;
        (self.seed >> (48 - bits)) as i32
    }

    /// `nextInt(bound)` for `bound > 0`, with Java's rejection loop.
    fn next_int(&mut self, bound: i32) -> i32 {
        if bound & bound.wrapping_neg() == bound {
            return ((i64::from(bound) * i64::from(self.next(31))) >> 31) as i32;
        }
        loop {
            let bits = self.next(31);
            let val = bits % bound;
            if bits.wrapping_sub(val).wrapping_add(bound - 1) >= 0 {
                return val;
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::JavaRandom;

    #[test]
    fn java_random_matches_jdk() {
        // Expected values printed by OpenJDK's java.util.Random.
        let mut r = JavaRandom::new(42);
        assert_eq!(
            [r.next_int(100), r.next_int(100), r.next_int(100)],
            [30, 63, 48]
        );
        assert_eq!(JavaRandom::new(1).next_int(16), 11); // power-of-two bound path
        assert_eq!(JavaRandom::new(-10).next_int(9), 0);
        assert_eq!(JavaRandom::new(3).next_int(999), 239);
        assert_eq!(JavaRandom::new(0).next_int(i32::MAX), 1_569_741_360);
    }
}

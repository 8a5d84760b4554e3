//! Random generators behind `$random` and `$uuid`.
//!
//! Unseeded randomness comes from the engine ([`crate::Env::random_u64`]), drawn once per
//! evaluation to seed a splitmix64 stream local to that evaluation (host functions must be
//! `'static`, so they cannot hold the `&mut dyn Env`). Seeded `$random(seed)` must be
//! deterministic; it uses `java.util.Random`'s algorithm (`new Random(seed).nextDouble()`),
//! the natural choice for AWS's Java runtime. That the exact values match AWS is a guess:
//! no recorded execution shows one.

/// Next value of a splitmix64 stream whose state is `state`.
pub(crate) fn splitmix64(state: &mut u64) -> u64 {
    *state = state.wrapping_add(0x9E37_79B9_7F4A_7C15);
    let mut z = *state;
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

/// A float in `[0, 1)` from 64 random bits (53 bits used).
pub(crate) fn unit_f64(bits: u64) -> f64 {
    (bits >> 11) as f64 / (1u64 << 53) as f64
}

/// `new java.util.Random(seed).nextDouble()`.
pub(crate) fn java_next_double(seed: i64) -> f64 {
    const MULT: u64 = 0x5_DEEC_E66D;
    const MASK: u64 = (1 << 48) - 1;
    let mut s = (seed as u64 ^ MULT) & MASK;
    let mut next = |bits: u32| -> u64 {
        s = (s.wrapping_mul(MULT).wrapping_add(0xB)) & MASK;
        s >> (48 - bits)
    };
    let hi = next(26);
    let lo = next(27);
    ((hi << 27) + lo) as f64 * (1.0 / (1u64 << 53) as f64)
}

/// A version-4 UUID string from 128 random bits.
pub(crate) fn uuid_v4(hi: u64, lo: u64) -> String {
    switchback_types::ids::uuid_v4(hi, lo)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn java_random_matches_known_values() {
        // new Random(42).nextDouble() == 0.7275636800328681 (well-known Java value).
        assert_eq!(java_next_double(42), 0.7275636800328681);
        // new Random(0).nextDouble() == 0.730967787376657
        assert_eq!(java_next_double(0), 0.730967787376657);
    }

    #[test]
    fn uuid_shape() {
        let u = uuid_v4(u64::MAX, 0);
        assert_eq!(u.len(), 36);
        assert_eq!(&u[14..15], "4");
        assert_eq!(&u[19..20], "8");
    }
}

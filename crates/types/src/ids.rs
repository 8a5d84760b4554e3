//! The one formatter of identifiers: UUIDs in their usual text form.
//!
//! Several layers need UUID-shaped ids from their own random source (a seeded generator in
//! the engine, so a replay draws the same ids; a process-wide one in the API). They share the
//! formatting here, so every id Switchback prints has one shape.

use std::fmt::Write;

/// A version 4 UUID (`xxxxxxxx-xxxx-4xxx-yxxx-xxxxxxxxxxxx`) from 128 random bits.
pub fn uuid_v4(hi: u64, lo: u64) -> String {
    let hi = (hi & !0xf000) | 0x4000;
    let lo = (lo & !(0xc000 << 48)) | (0x8000 << 48);
    let mut out = String::with_capacity(36);
    // Writing to a String cannot fail.
    let _ = write!(
        out,
        "{:08x}-{:04x}-{:04x}-{:04x}-{:012x}",
        hi >> 32,
        (hi >> 16) & 0xffff,
        hi & 0xffff,
        lo >> 48,
        lo & 0xffff_ffff_ffff
    );
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn has_the_v4_shape() {
        let id = uuid_v4(u64::MAX, u64::MAX);
        assert_eq!(id, "ffffffff-ffff-4fff-bfff-ffffffffffff");
        let id = uuid_v4(0, 0);
        assert_eq!(id, "00000000-0000-4000-8000-000000000000");
        assert_eq!(uuid_v4(0x0123_4567_89ab_cdef, 1).len(), 36);
    }
}

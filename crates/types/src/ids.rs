//! The one formatter of identifiers: UUIDs in their usual text form.
//!
//! Several layers need UUID-shaped ids from their own random source (a seeded generator in
//! the engine, so a replay draws the same ids; a process-wide one in the API). They share the
//! formatting here, so every id Switchback prints has one shape.

/// A version 4 UUID (`xxxxxxxx-xxxx-4xxx-yxxx-xxxxxxxxxxxx`) from 128 random bits.
pub fn uuid_v4(hi: u64, lo: u64) -> String {
    let hi = (hi & !0xf000) | 0x4000;
    let lo = (lo & !(0xc000 << 48)) | (0x8000 << 48);
    // Written digit by digit: a formatted `write!` with five width specifiers cost more than
    // the rest of minting a task token or a request id.
    const DIGITS: &[u8; 16] = b"0123456789abcdef";
    let mut out = [0u8; 36];
    let mut at = 0;
    for (word, dashes) in [(hi, [8usize, 13]), (lo, [18, 23])] {
        for shift in (0..16).rev() {
            if dashes.contains(&at) {
                out[at] = b'-';
                at += 1;
            }
            out[at] = DIGITS[((word >> (shift * 4)) & 0xf) as usize];
            at += 1;
        }
    }
    // ASCII digits and dashes: always UTF-8. (Collecting chars one by one cost four times
    // the digits themselves.)
    String::from(std::str::from_utf8(&out).unwrap_or_default())
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
        assert_eq!(
            uuid_v4(0x0123_4567_89ab_cdef, 0xfedc_ba98_7654_3210),
            "01234567-89ab-4def-bedc-ba9876543210"
        );
    }
}

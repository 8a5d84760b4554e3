//! `States.UUID()`: a random (version 4) UUID from the environment's randomness.

use serde_json::Value;

use crate::Env;

/// Formats 128 random bits as a version-4, RFC 4122 variant UUID in lowercase.
pub(super) fn uuid_v4(env: &mut dyn Env) -> Value {
    let hi = env.random_u64();
    let lo = env.random_u64();
    let hi = (hi & !0xF000) | 0x4000; // version 4 in bits 12..16 of the third group
    let lo = (lo & !(0b11 << 62)) | (0b10 << 62); // variant 10xx
    let text = format!(
        "{:08x}-{:04x}-{:04x}-{:04x}-{:012x}",
        hi >> 32,
        (hi >> 16) & 0xFFFF,
        hi & 0xFFFF,
        lo >> 48,
        lo & 0xFFFF_FFFF_FFFF
    );
    Value::String(text)
}

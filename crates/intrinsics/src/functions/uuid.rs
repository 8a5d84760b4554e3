//! `States.UUID()`: a random (version 4) UUID from the environment's randomness.

use switchback_json::Json;

use crate::Env;

/// 128 random bits from the environment as a version-4 UUID (the one formatter of
/// `switchback_types::ids`).
pub(super) fn uuid_v4(env: &mut dyn Env) -> Json {
    let hi = env.random_u64();
    let lo = env.random_u64();
    Json::from(switchback_types::ids::uuid_v4(hi, lo))
}

//! Timestamps as the database stores them: INTEGER microseconds since the Unix epoch. One
//! integer sorts, compares and indexes cheaply, and microseconds are finer than AWS's
//! millisecond dates.

use std::time::{Duration, SystemTime, UNIX_EPOCH};

/// Now, in microseconds since the Unix epoch.
pub fn now_micros() -> i64 {
    to_micros(SystemTime::now())
}

/// A `SystemTime` in microseconds since the Unix epoch, negative before 1970, saturating.
pub fn to_micros(time: SystemTime) -> i64 {
    match time.duration_since(UNIX_EPOCH) {
        Ok(after) => i64::try_from(after.as_micros()).unwrap_or(i64::MAX),
        Err(before) => i64::try_from(before.duration().as_micros()).map_or(i64::MIN, |m| -m),
    }
}

/// Microseconds since the Unix epoch back to a `SystemTime`.
pub fn from_micros(micros: i64) -> SystemTime {
    let magnitude = Duration::from_micros(micros.unsigned_abs());
    if micros >= 0 {
        UNIX_EPOCH + magnitude
    } else {
        UNIX_EPOCH - magnitude
    }
}

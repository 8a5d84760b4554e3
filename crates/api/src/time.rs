//! Time in the API: the store keeps microseconds since the epoch; the protocol sends epoch
//! seconds as a JSON number with a fraction of milliseconds (`1700000000.123`), as AWS does.

use serde_json::Value;

/// Now, in microseconds since the Unix epoch.
pub fn now_micros() -> i64 {
    jiff::Timestamp::now().as_microsecond()
}

/// A timestamp for a response: epoch seconds, rounded down to the millisecond.
pub fn epoch_seconds(micros: i64) -> Value {
    let millis = micros.div_euclid(1000);
    // Millisecond values fit f64 exactly for any date this server will see.
    let secs = millis as f64 / 1000.0;
    serde_json::Number::from_f64(secs).map_or(Value::Null, Value::Number)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn seconds_with_milliseconds() {
        assert_eq!(
            epoch_seconds(1_700_000_000_123_456).to_string(),
            "1700000000.123"
        );
        assert_eq!(
            epoch_seconds(1_700_000_000_000_000).to_string(),
            "1700000000.0"
        );
    }
}

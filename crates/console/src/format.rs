//! How times, durations and payloads are written on the pages.

use jiff::Timestamp;
use serde_json::Value;

/// An API date (epoch seconds, fractional) as `2026-11-21 10:20:32.123 UTC`.
pub fn date(seconds: &Value) -> String {
    match seconds.as_f64() {
        Some(s) => micros((s * 1_000_000.0).round() as i64),
        None => String::new(),
    }
}

/// Microseconds since the epoch as `2026-11-21 10:20:32.123 UTC`.
pub fn micros(us: i64) -> String {
    match Timestamp::from_microsecond(us) {
        Ok(t) => t.strftime("%Y-%m-%d %H:%M:%S%.3f UTC").to_string(),
        Err(_) => String::new(),
    }
}

/// A duration in microseconds, the way a person reads it: `850 ms`, `12.3 s`, `4 min 5 s`.
pub fn duration(us: i64) -> String {
    let ms = us / 1_000;
    if ms < 1_000 {
        return format!("{ms} ms");
    }
    let s = ms as f64 / 1_000.0;
    if s < 60.0 {
        return format!("{s:.1} s");
    }
    let total = ms / 1_000;
    let (h, m, s) = (total / 3_600, (total % 3_600) / 60, total % 60);
    if h > 0 {
        format!("{h} h {m} min {s} s")
    } else {
        format!("{m} min {s} s")
    }
}

/// How long an execution ran, from an API description's `startDate` and `stopDate` (none
/// while it runs).
pub fn run_time(description: &Value) -> Option<String> {
    let start = description["startDate"].as_f64()?;
    let stop = description["stopDate"].as_f64()?;
    Some(duration(((stop - start) * 1e6) as i64))
}

/// A payload for display: JSON text is pretty-printed, anything else is shown as it is.
pub fn payload(text: &str) -> String {
    match serde_json::from_str::<Value>(text) {
        Ok(v) => serde_json::to_string_pretty(&v).unwrap_or_else(|_| text.to_string()),
        Err(_) => text.to_string(),
    }
}

/// JSON to embed in a `<script type="application/json">`: `</` cannot close the element.
pub fn script_json(value: &impl serde::Serialize) -> String {
    serde_json::to_string(value)
        .unwrap_or_else(|_| "null".to_string())
        .replace("</", "<\\/")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn durations_read_naturally() {
        assert_eq!(duration(850_000), "850 ms");
        assert_eq!(duration(12_300_000), "12.3 s");
        assert_eq!(duration(245_000_000), "4 min 5 s");
        assert_eq!(duration(3_725_000_000), "1 h 2 min 5 s");
    }

    #[test]
    fn dates_are_utc() {
        assert_eq!(date(&serde_json::json!(0.5)), "1970-01-01 00:00:00.500 UTC");
        assert_eq!(date(&Value::Null), "");
    }

    #[test]
    fn embedded_json_cannot_close_its_script() {
        let text = script_json(&serde_json::json!({"a": "</script><script>alert(1)"}));
        assert!(!text.contains("</script>"));
        assert_eq!(
            serde_json::from_str::<Value>(&text).unwrap()["a"],
            "</script><script>alert(1)"
        );
    }
}

//! Timestamps in the three forms AWS's protocols write them, and the one Step Functions shows.
//!
//! Read with `aws-smithy-types` (the AWS SDK for Rust's own `DateTime`, already in the build
//! through `aws-config`): ISO 8601 (`2024-03-01T12:00:00.123Z`), epoch seconds (`1709294400.123`)
//! and HTTP dates (`Fri, 01 Mar 2024 12:00:00 GMT`). Step Functions shows a result's timestamps
//! as the SDK for Java's `Instant` prints them: ISO 8601 in UTC, with milliseconds only when
//! there are any.

use aws_smithy_types::date_time::Format;
use aws_smithy_types::DateTime;
use serde_json::Value;

/// A timestamp given in a Task's parameters: ISO 8601 text, an HTTP date, or epoch seconds.
pub(crate) fn parse_input(value: &Value) -> Option<DateTime> {
    match value {
        Value::Number(n) => n.as_f64().map(DateTime::from_secs_f64),
        Value::String(s) => parse_text(s),
        _ => None,
    }
}

/// A timestamp as a service wrote it, in any of the three forms.
pub(crate) fn parse_text(text: &str) -> Option<DateTime> {
    let text = text.trim();
    DateTime::from_str(text, Format::DateTimeWithOffset)
        .or_else(|_| DateTime::from_str(text, Format::DateTime))
        .or_else(|_| DateTime::from_str(text, Format::HttpDate))
        .or_else(|_| DateTime::from_str(text, Format::EpochSeconds))
        .ok()
}

/// ISO 8601 in UTC, as the SDKs write it into requests.
pub(crate) fn iso8601(at: DateTime) -> String {
    at.fmt(Format::DateTime).unwrap_or_default()
}

/// An HTTP date (headers).
pub(crate) fn http_date(at: DateTime) -> String {
    at.fmt(Format::HttpDate).unwrap_or_default()
}

/// Epoch seconds as a JSON number (AWS JSON bodies).
pub(crate) fn epoch_seconds(at: DateTime) -> Value {
    let millis = at.as_secs_f64();
    if at.subsec_nanos() == 0 {
        Value::from(at.secs())
    } else {
        serde_json::Number::from_f64((millis * 1000.0).round() / 1000.0)
            .map_or(Value::from(at.secs()), Value::Number)
    }
}

/// A timestamp as Step Functions shows it in results: like Java's `Instant.toString()`.
pub(crate) fn shown(at: DateTime) -> String {
    let whole = DateTime::from_secs(at.secs());
    let base = whole.fmt(Format::DateTime).unwrap_or_default();
    let millis = at.subsec_nanos() / 1_000_000;
    if millis == 0 {
        base
    } else {
        format!("{}.{millis:03}Z", base.trim_end_matches('Z'))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn forms() {
        let at = parse_input(&json!("2024-03-01T12:00:00.5Z")).unwrap();
        assert_eq!(shown(at), "2024-03-01T12:00:00.500Z");
        assert_eq!(epoch_seconds(at), json!(1709294400.5));
        assert_eq!(http_date(at), "Fri, 01 Mar 2024 12:00:00 GMT");
        let at = parse_input(&json!(1709294400)).unwrap();
        assert_eq!(shown(at), "2024-03-01T12:00:00Z");
        assert_eq!(iso8601(at), "2024-03-01T12:00:00Z");
        assert_eq!(
            shown(parse_text("Fri, 01 Mar 2024 12:00:00 GMT").unwrap()),
            "2024-03-01T12:00:00Z"
        );
        assert_eq!(
            shown(parse_text("2024-03-01T13:00:00+01:00").unwrap()),
            "2024-03-01T12:00:00Z"
        );
        assert!(parse_input(&json!(true)).is_none());
        assert!(parse_text("soon").is_none());
    }
}

//! The timestamp form the States Language accepts in `Timestamp` and `Timestamp*` comparisons:
//! RFC 3339 with an uppercase `T`, seconds always present, optional fraction, and `Z` or a
//! numeric offset (`2016-03-14T01:59:00Z`, `2016-03-14T01:59:00.123+01:00`).

use std::sync::OnceLock;

use regex::Regex;

fn pattern() -> &'static Regex {
    static RE: OnceLock<Regex> = OnceLock::new();
    RE.get_or_init(|| {
        Regex::new(
            r"^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})(\.\d+)?(Z|[+-](\d{2}):(\d{2}))$",
        )
        .expect("static regex")
    })
}

/// True when `s` is a timestamp in the States Language's profile of ISO 8601 (RFC 3339),
/// including a calendar check of the date and ranges of the time fields.
pub fn is_asl_timestamp(s: &str) -> bool {
    let Some(c) = pattern().captures(s) else {
        return false;
    };
    let n = |i: usize| -> u32 {
        c.get(i)
            .and_then(|m| m.as_str().parse().ok())
            .unwrap_or(u32::MAX)
    };
    let (year, month, day, hour, minute, second) = (n(1), n(2), n(3), n(4), n(5), n(6));
    let leap = (year % 4 == 0 && year % 100 != 0) || year % 400 == 0;
    let days = match month {
        1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
        4 | 6 | 9 | 11 => 30,
        2 if leap => 29,
        2 => 28,
        _ => return false,
    };
    if day == 0 || day > days || hour > 23 || minute > 59 || second > 60 {
        return false;
    }
    if c.get(9).is_some() && (n(9) > 23 || n(10) > 59) {
        return false;
    }
    true
}

#[cfg(test)]
mod tests {
    use super::is_asl_timestamp;

    #[test]
    fn accepts_rfc3339() {
        assert!(is_asl_timestamp("2016-03-14T01:59:00Z"));
        assert!(is_asl_timestamp("2016-03-14T01:59:00.123+01:00"));
        assert!(is_asl_timestamp("2024-02-29T00:00:00-08:00"));
    }

    #[test]
    fn rejects_other_forms() {
        assert!(!is_asl_timestamp("2016-03-14"));
        assert!(!is_asl_timestamp("2016-03-14t01:59:00Z"));
        assert!(!is_asl_timestamp("2016-03-14T01:59Z"));
        assert!(!is_asl_timestamp("2023-02-29T00:00:00Z"));
        assert!(!is_asl_timestamp("2016-13-14T01:59:00Z"));
        assert!(!is_asl_timestamp("2016-03-14T01:59:00"));
    }
}

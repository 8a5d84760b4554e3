//! A placeholder `Authorization` header in SigV4's shape.
//!
//! Switchback accepts any credentials, but proxies and servers that look at the header's shape
//! (as AWS's SDKs always send one) should see a well-formed one. The signature is not computed:
//! this client never talks to real AWS (it has no TLS).

use std::time::{SystemTime, UNIX_EPOCH};

/// The `X-Amz-Date` value (`YYYYMMDDTHHMMSSZ`) and the matching `Authorization` header.
pub fn headers(region: &str) -> (String, String) {
    let secs = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_secs())
        .unwrap_or(0);
    let amz_date = amz_date(secs);
    let day = &amz_date[..8];
    let authorization = format!(
        "AWS4-HMAC-SHA256 Credential=switchback/{day}/{region}/states/aws4_request, \
         SignedHeaders=content-type;host;x-amz-date;x-amz-target, Signature={}",
        "0".repeat(64)
    );
    (amz_date, authorization)
}

/// Formats epoch seconds as SigV4's basic ISO 8601 timestamp, in UTC.
fn amz_date(epoch_secs: u64) -> String {
    let days = (epoch_secs / 86_400) as i64;
    let rem = epoch_secs % 86_400;
    let (y, m, d) = civil_from_days(days);
    format!(
        "{y:04}{m:02}{d:02}T{:02}{:02}{:02}Z",
        rem / 3600,
        (rem / 60) % 60,
        rem % 60
    )
}

/// Days since 1970-01-01 to a proleptic Gregorian (year, month, day): Howard Hinnant's
/// `civil_from_days`, to avoid a date crate for one header.
fn civil_from_days(z: i64) -> (i64, u32, u32) {
    let z = z + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let m = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    let y = yoe + era * 400 + i64::from(m <= 2);
    (y, m, d)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formats_known_instants() {
        assert_eq!(amz_date(0), "19700101T000000Z");
        // 2024-02-29T12:34:56Z, a leap day.
        assert_eq!(amz_date(1_709_210_096), "20240229T123456Z");
    }

    #[test]
    fn authorization_has_sigv4_shape() {
        let (date, auth) = headers("us-east-1");
        assert_eq!(date.len(), 16);
        assert!(auth.starts_with("AWS4-HMAC-SHA256 Credential=switchback/"));
        assert!(auth.contains("/us-east-1/states/aws4_request"));
    }
}

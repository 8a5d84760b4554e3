//! The `Authorization` header: a real SigV4 signature when the client has credentials, else a
//! placeholder in SigV4's shape.
//!
//! A server with `[auth]` checks signatures as AWS does, so the client signs with the access
//! key it was given ([`crate::Client::with_credentials`]), or, like the AWS SDKs, with
//! `AWS_ACCESS_KEY_ID` and `AWS_SECRET_ACCESS_KEY` from the environment. Without either, the
//! header keeps SigV4's shape with a zero signature: servers that accept any credentials (a
//! Switchback server without `[auth]`) and proxies that look at the header's shape see a
//! well-formed one. This client never talks to real AWS (it has no TLS).
//!
//! The signed headers are `content-type;host;x-amz-date;x-amz-target`, and the payload hash
//! is the body's SHA-256, as AWS's SDKs sign Step Functions requests.

use hmac::{Hmac, KeyInit, Mac};
use sha2::{Digest, Sha256};

/// An access key.
#[derive(Clone, PartialEq, Eq)]
pub struct Credentials {
    pub access_key_id: String,
    pub secret_access_key: String,
}

/// The secret stays out of logs.
impl std::fmt::Debug for Credentials {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Credentials")
            .field("access_key_id", &self.access_key_id)
            .finish_non_exhaustive()
    }
}

impl Credentials {
    /// `AWS_ACCESS_KEY_ID` and `AWS_SECRET_ACCESS_KEY`, when both are set and not empty.
    pub fn from_env() -> Option<Credentials> {
        let id = std::env::var("AWS_ACCESS_KEY_ID").ok()?;
        let secret = std::env::var("AWS_SECRET_ACCESS_KEY").ok()?;
        (!id.is_empty() && !secret.is_empty()).then_some(Credentials {
            access_key_id: id,
            secret_access_key: secret,
        })
    }
}

/// What a request's signature covers.
pub struct ToSign<'a> {
    pub region: &'a str,
    /// The `Host` header sent (the endpoint's authority).
    pub host: &'a str,
    /// The endpoint's path, as sent.
    pub path: &'a str,
    pub content_type: &'a str,
    pub target: &'a str,
    pub body: &'a [u8],
}

/// The `X-Amz-Date` value and the `Authorization` header for a request sent now: signed
/// with `credentials`, or a placeholder without.
pub fn sign(credentials: Option<&Credentials>, request: &ToSign<'_>) -> (String, String) {
    let secs = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_secs())
        .unwrap_or(0);
    let amz_date = amz_date(secs);
    match credentials {
        Some(c) => {
            let authorization = signed(c, request, &amz_date);
            (amz_date, authorization)
        }
        None => {
            let (_, authorization) = placeholder(request.region, &amz_date);
            (amz_date, authorization)
        }
    }
}

const SIGNED_HEADERS: &str = "content-type;host;x-amz-date;x-amz-target";

/// SigV4 over the request, at `amz_date`.
fn signed(credentials: &Credentials, r: &ToSign<'_>, amz_date: &str) -> String {
    let day = &amz_date[..8];
    let canonical = format!(
        "POST\n{}\n\ncontent-type:{}\nhost:{}\nx-amz-date:{amz_date}\nx-amz-target:{}\n\n\
         {SIGNED_HEADERS}\n{}",
        canonical_path(r.path),
        r.content_type.trim(),
        r.host.trim(),
        r.target.trim(),
        hex::encode(Sha256::digest(r.body))
    );
    let scope = format!("{day}/{}/states/aws4_request", r.region);
    let string_to_sign = format!(
        "AWS4-HMAC-SHA256\n{amz_date}\n{scope}\n{}",
        hex::encode(Sha256::digest(canonical.as_bytes()))
    );
    let k_date = hmac(
        format!("AWS4{}", credentials.secret_access_key).as_bytes(),
        day.as_bytes(),
    );
    let k_region = hmac(&k_date, r.region.as_bytes());
    let k_service = hmac(&k_region, b"states");
    let k_signing = hmac(&k_service, b"aws4_request");
    let signature = hex::encode(hmac(&k_signing, string_to_sign.as_bytes()));
    format!(
        "AWS4-HMAC-SHA256 Credential={}/{scope}, SignedHeaders={SIGNED_HEADERS}, \
         Signature={signature}",
        credentials.access_key_id
    )
}

fn hmac(key: &[u8], data: &[u8]) -> Vec<u8> {
    // HMAC takes keys of any length: this cannot fail.
    let mut mac = match Hmac::<Sha256>::new_from_slice(key) {
        Ok(mac) => mac,
        Err(_) => return Vec::new(),
    };
    mac.update(data);
    mac.finalize().into_bytes().to_vec()
}

/// The canonical URI of services other than S3: each segment of the path as sent, encoded
/// again (unreserved characters kept).
fn canonical_path(path: &str) -> String {
    if path.is_empty() {
        return "/".to_string();
    }
    path.split('/')
        .map(|segment| {
            segment
                .bytes()
                .map(|b| {
                    if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.' | b'~') {
                        (b as char).to_string()
                    } else {
                        format!("%{b:02X}")
                    }
                })
                .collect::<String>()
        })
        .collect::<Vec<_>>()
        .join("/")
}

use std::time::{SystemTime, UNIX_EPOCH};

/// A placeholder `Authorization` header (zero signature) for `amz_date`.
fn placeholder(region: &str, amz_date: &str) -> (String, String) {
    let amz_date = amz_date.to_string();
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

    fn request() -> ToSign<'static> {
        ToSign {
            region: "us-east-1",
            host: "127.0.0.1:8083",
            path: "/",
            content_type: "application/x-amz-json-1.0",
            target: "AWSStepFunctions.ListStateMachines",
            body: b"{}",
        }
    }

    #[test]
    fn authorization_has_sigv4_shape() {
        let (date, auth) = sign(None, &request());
        assert_eq!(date.len(), 16);
        assert!(auth.starts_with("AWS4-HMAC-SHA256 Credential=switchback/"));
        assert!(auth.contains("/us-east-1/states/aws4_request"));
    }

    #[test]
    fn a_signature_depends_on_the_secret_and_the_body() {
        let c = Credentials {
            access_key_id: "AKIDEXAMPLE".into(),
            secret_access_key: "secret".into(),
        };
        let date = "20240229T123456Z";
        let a = signed(&c, &request(), date);
        assert!(a.starts_with(
            "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20240229/us-east-1/states/aws4_request, \
             SignedHeaders=content-type;host;x-amz-date;x-amz-target, Signature="
        ));
        assert_eq!(a, signed(&c, &request(), date));
        let other = Credentials {
            secret_access_key: "other".into(),
            ..c.clone()
        };
        assert_ne!(a, signed(&other, &request(), date));
        let body = ToSign {
            body: b"{ }",
            ..request()
        };
        assert_ne!(a, signed(&c, &body, date));
        assert!(!format!("{c:?}").contains("secret"));
        assert_eq!(canonical_path("/a b/"), "/a%20b/");
    }
}

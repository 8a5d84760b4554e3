//! Verifying AWS Signature Version 4, as AWS checks the requests of its SDKs and CLI.
//!
//! Authentication is off unless the server is given access keys (`[auth]` in
//! `switchback.toml`); then every API request must be signed with one of them, exactly as
//! for AWS, so that an SDK or the CLI needs nothing but the keys and the endpoint. The steps
//! follow AWS's documentation of SigV4 ("Create a signed AWS API request"):
//!
//! 1. the `Authorization` header, `AWS4-HMAC-SHA256 Credential=AKID/DATE/REGION/states/
//!    aws4_request, SignedHeaders=..., Signature=...`; without one the answer is
//!    `MissingAuthenticationTokenException`, and an incomplete one
//!    `IncompleteSignatureException`;
//! 2. the access key id must be one of the server's (`UnrecognizedClientException`, "The
//!    security token included in the request is invalid.");
//! 3. the credential scope: the day of the request's `X-Amz-Date` (or `Date`), the server's
//!    region, the service `states`, `aws4_request`; and the request's time within 15 minutes
//!    of the server's clock ("Signature expired" or "Signature not yet current");
//! 4. the canonical request (method, URI path, sorted query, the signed headers, the SHA-256
//!    of the body) and the string to sign are rebuilt from what arrived, signed with the key
//!    derived from the secret, and compared in constant time with the request's signature
//!    (`InvalidSignatureException`, with the canonical request and string to sign AWS would
//!    show, so that a client's author can see where theirs differs).
//!
//! What is not checked: session tokens (`X-Amz-Security-Token` is signed like any header but
//! not validated: the server has long-term keys only), presigned URLs (the Step Functions
//! API is `POST /` with a body) and the `UNSIGNED-PAYLOAD` of S3 (the body's hash is always
//! computed here).

use std::collections::BTreeMap;
use std::time::{Duration, SystemTime};

use axum::http::request::Parts;
use axum::http::HeaderMap;
use hmac::{Hmac, KeyInit, Mac};
use sha2::{Digest, Sha256};

use crate::error::ApiError;

/// The only algorithm of SigV4 for HMAC keys.
pub const ALGORITHM: &str = "AWS4-HMAC-SHA256";
/// The service name in the credential scope.
pub const SERVICE: &str = "states";
/// The last element of the credential scope.
const TERMINATOR: &str = "aws4_request";
/// How far the request's time may be from the server's clock (AWS: 15 minutes).
pub const MAX_SKEW: Duration = Duration::from_secs(15 * 60);

type HmacSha256 = Hmac<Sha256>;

/// The access keys the server accepts: id to secret. Its `Debug` shows the ids only.
#[derive(Clone, PartialEq, Eq, Default)]
pub struct Keys {
    by_id: BTreeMap<String, String>,
}

impl std::fmt::Debug for Keys {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Keys")
            .field("access_key_ids", &self.by_id.keys().collect::<Vec<_>>())
            .finish()
    }
}

impl Keys {
    /// The keys of `pairs` (access key id, secret access key). Refused: no key, an empty or
    /// malformed id (it is one `/`-separated part of the credential), an empty secret, an id
    /// given twice.
    pub fn new<I, A, S>(pairs: I) -> Result<Keys, String>
    where
        I: IntoIterator<Item = (A, S)>,
        A: Into<String>,
        S: Into<String>,
    {
        let mut by_id = BTreeMap::new();
        for (id, secret) in pairs {
            let (id, secret) = (id.into(), secret.into());
            if id.is_empty()
                || !id
                    .bytes()
                    .all(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'-')
            {
                return Err(format!(
                    "access key id {id:?} is not valid: use letters, digits, '_' and '-'"
                ));
            }
            if secret.is_empty() {
                return Err(format!("access key {id}: secret_access_key is empty"));
            }
            if by_id.insert(id.clone(), secret).is_some() {
                return Err(format!("access key {id} is given twice"));
            }
        }
        if by_id.is_empty() {
            return Err("[auth] has no keys: add at least one [[auth.keys]]".to_string());
        }
        Ok(Keys { by_id })
    }

    /// The secret of `access_key_id`, if it is one of these keys.
    pub fn secret(&self, access_key_id: &str) -> Option<&str> {
        self.by_id.get(access_key_id).map(String::as_str)
    }

    /// Checks `secret` against the key `access_key_id` in constant time (for the console's
    /// login form).
    pub fn check_secret(&self, access_key_id: &str, secret: &str) -> bool {
        // Compare MACs of both strings, so that the time taken does not depend on where they
        // first differ.
        let expected = self.secret(access_key_id).unwrap_or("");
        let tag = hmac(b"switchback-login", secret.as_bytes());
        let mut mac = HmacSha256::new_from_slice(b"switchback-login")
            .expect("HMAC accepts keys of any length");
        mac.update(expected.as_bytes());
        mac.verify_slice(&tag).is_ok() && self.secret(access_key_id).is_some()
    }
}

/// The parts of an `Authorization` header.
#[derive(Debug, PartialEq, Eq)]
struct Authorization<'a> {
    access_key_id: &'a str,
    date: &'a str,
    region: &'a str,
    service: &'a str,
    terminator: &'a str,
    signed_headers: Vec<String>,
    signature: &'a str,
}

/// Verifies the SigV4 signature of a request (its head `parts` and whole `body`) against
/// `keys`, for the server's `region`, at time `now`. Returns the access key id that signed it.
pub fn verify(
    keys: &Keys,
    region: &str,
    now: SystemTime,
    parts: &Parts,
    body: &[u8],
) -> Result<String, ApiError> {
    let Some(header) = parts.headers.get(axum::http::header::AUTHORIZATION) else {
        return Err(ApiError::missing_authentication_token());
    };
    let header = header.to_str().map_err(|_| {
        ApiError::incomplete_signature("The Authorization header is not readable text")
    })?;
    let (amz_date, request_time) = request_time(&parts.headers, header)?;
    let auth = parse_authorization(header)?;

    let Some(secret) = keys.secret(auth.access_key_id) else {
        return Err(ApiError::unrecognized_client());
    };
    // The time that the expiry is judged by must be covered by the signature, or a captured
    // request could be replayed forever under a fresh date.
    let date_header = if parts.headers.contains_key("x-amz-date") {
        ("x-amz-date", "X-Amz-Date")
    } else {
        ("date", "Date")
    };
    if !auth.signed_headers.iter().any(|h| h == date_header.0) {
        return Err(ApiError::invalid_signature(format!(
            "'{}' must be a 'SignedHeader' in the AWS Authorization.",
            date_header.1
        )));
    }
    if auth.date != &amz_date[..8] {
        return Err(ApiError::invalid_signature(format!(
            "Date in Credential scope does not match YYYYMMDD from ISO-8601 version of date \
             from HTTP: '{}' != '{}', from '{amz_date}'.",
            auth.date,
            &amz_date[..8]
        )));
    }
    if auth.region != region {
        return Err(ApiError::invalid_signature(format!(
            "Credential should be scoped to a valid region, not '{}'. This server's region is \
             '{region}'.",
            auth.region
        )));
    }
    if auth.service != SERVICE {
        return Err(ApiError::invalid_signature(format!(
            "Credential should be scoped to correct service: '{SERVICE}'. "
        )));
    }
    if auth.terminator != TERMINATOR {
        return Err(ApiError::invalid_signature(format!(
            "Credential should be scoped with a valid terminator: '{TERMINATOR}', not '{}'. ",
            auth.terminator
        )));
    }
    check_skew(&amz_date, request_time, now)?;

    let canonical = canonical_request(parts, &auth.signed_headers, body);
    let scope = format!("{}/{region}/{SERVICE}/{TERMINATOR}", auth.date);
    let string_to_sign = format!(
        "{ALGORITHM}\n{amz_date}\n{scope}\n{}",
        hex::encode(Sha256::digest(canonical.as_bytes()))
    );
    let key = signing_key(secret, auth.date, region, SERVICE);
    let mut mac = HmacSha256::new_from_slice(&key).expect("HMAC accepts keys of any length");
    mac.update(string_to_sign.as_bytes());
    let given = hex::decode(auth.signature).unwrap_or_default();
    if mac.verify_slice(&given).is_err() {
        return Err(ApiError::invalid_signature(format!(
            "The request signature we calculated does not match the signature you provided. \
             Check your AWS Secret Access Key and signing method. Consult the service \
             documentation for details.\n\nThe Canonical String for this request should have \
             been\n'{canonical}'\n\nThe String-to-Sign should have been\n'{string_to_sign}'\n"
        )));
    }
    Ok(auth.access_key_id.to_string())
}

/// SigV4's signing key: the secret, then the day, region, service and terminator, each
/// HMAC-ed into the next.
pub fn signing_key(secret: &str, date: &str, region: &str, service: &str) -> Vec<u8> {
    let k_date = hmac(format!("AWS4{secret}").as_bytes(), date.as_bytes());
    let k_region = hmac(&k_date, region.as_bytes());
    let k_service = hmac(&k_region, service.as_bytes());
    hmac(&k_service, TERMINATOR.as_bytes())
}

fn hmac(key: &[u8], data: &[u8]) -> Vec<u8> {
    let mut mac = HmacSha256::new_from_slice(key).expect("HMAC accepts keys of any length");
    mac.update(data);
    mac.finalize().into_bytes().to_vec()
}

/// The request's `X-Amz-Date` (or its `Date`, as SigV4 allows) in SigV4's basic form, and as
/// a point in time.
fn request_time(
    headers: &HeaderMap,
    authorization: &str,
) -> Result<(String, SystemTime), ApiError> {
    if let Some(value) = headers.get("x-amz-date") {
        let text = value.to_str().unwrap_or("");
        let time = parse_amz_date(text).ok_or_else(|| {
            ApiError::incomplete_signature(format!(
                "X-Amz-Date must be in the ISO8601 Long Format (yyyyMMdd'T'HHmmss'Z'), not \
                 '{}'",
                text.chars().take(40).collect::<String>()
            ))
        })?;
        return Ok((text.to_string(), time));
    }
    if let Some(value) = headers.get(axum::http::header::DATE) {
        let text = value.to_str().unwrap_or("");
        let time = httpdate::parse_http_date(text).map_err(|_| {
            ApiError::incomplete_signature(format!(
                "Date must be an HTTP date (RFC 7231), not '{}'",
                text.chars().take(40).collect::<String>()
            ))
        })?;
        return Ok((format_amz_date(time), time));
    }
    Err(ApiError::incomplete_signature(format!(
        "Authorization header requires existence of either a 'X-Amz-Date' or a 'Date' header. \
         Authorization={}",
        shorten(authorization)
    )))
}

/// `YYYYMMDDTHHMMSSZ` to a point in time.
fn parse_amz_date(text: &str) -> Option<SystemTime> {
    let civil = jiff::civil::DateTime::strptime("%Y%m%dT%H%M%SZ", text).ok()?;
    if text.len() != 16 {
        return None;
    }
    let ts = civil.to_zoned(jiff::tz::TimeZone::UTC).ok()?.timestamp();
    Some(SystemTime::from(ts))
}

/// A point in time as `YYYYMMDDTHHMMSSZ`.
fn format_amz_date(time: SystemTime) -> String {
    match jiff::Timestamp::try_from(time) {
        Ok(ts) => ts.strftime("%Y%m%dT%H%M%SZ").to_string(),
        Err(_) => "19700101T000000Z".to_string(),
    }
}

/// The request is no more than [`MAX_SKEW`] away from the server's clock.
fn check_skew(amz_date: &str, request: SystemTime, now: SystemTime) -> Result<(), ApiError> {
    let now_text = format_amz_date(now);
    if request + MAX_SKEW < now {
        let limit = format_amz_date(now - MAX_SKEW);
        return Err(ApiError::invalid_signature(format!(
            "Signature expired: {amz_date} is now earlier than {limit} ({now_text} - 15 min.)"
        )));
    }
    if request > now + MAX_SKEW {
        let limit = format_amz_date(now + MAX_SKEW);
        return Err(ApiError::invalid_signature(format!(
            "Signature not yet current: {amz_date} is still later than {limit} ({now_text} + \
             15 min.)"
        )));
    }
    Ok(())
}

/// At most 300 characters of a header, for messages.
fn shorten(text: &str) -> String {
    text.chars().take(300).collect()
}

/// Reads `AWS4-HMAC-SHA256 Credential=..., SignedHeaders=..., Signature=...`.
fn parse_authorization(header: &str) -> Result<Authorization<'_>, ApiError> {
    let Some(rest) = header.strip_prefix(ALGORITHM) else {
        let algorithm = header.split_whitespace().next().unwrap_or("");
        return Err(ApiError::incomplete_signature(format!(
            "Unsupported AWS 'algorithm': '{}': this server accepts {ALGORITHM} (Signature \
             Version 4) only",
            shorten(algorithm)
        )));
    };
    let (mut credential, mut signed_headers, mut signature) = (None, None, None);
    for part in rest.split(',') {
        let part = part.trim();
        if let Some((name, value)) = part.split_once('=') {
            match name.trim() {
                "Credential" => credential = Some(value.trim()),
                "SignedHeaders" => signed_headers = Some(value.trim()),
                "Signature" => signature = Some(value.trim()),
                _ => {}
            }
        }
    }
    let mut missing = String::new();
    for (name, value) in [
        ("Credential", credential),
        ("Signature", signature),
        ("SignedHeaders", signed_headers),
    ] {
        if value.is_none_or(str::is_empty) {
            missing.push_str(&format!(
                "Authorization header requires '{name}' parameter. "
            ));
        }
    }
    let (Some(credential), Some(signed_headers), Some(signature), true) =
        (credential, signed_headers, signature, missing.is_empty())
    else {
        return Err(ApiError::incomplete_signature(format!(
            "{missing}Authorization={}",
            shorten(header)
        )));
    };
    let fields: Vec<&str> = credential.split('/').collect();
    let [access_key_id, date, region, service, terminator] = fields[..] else {
        return Err(ApiError::incomplete_signature(format!(
            "Credential must have exactly 5 slash-separated components: \
             ACCESS_KEY_ID/YYYYMMDD/REGION/SERVICE/aws4_request, not '{}'. Authorization={}",
            shorten(credential),
            shorten(header)
        )));
    };
    if access_key_id.is_empty() {
        return Err(ApiError::unrecognized_client());
    }
    let signed_headers: Vec<String> = signed_headers
        .split(';')
        .map(|h| h.trim().to_ascii_lowercase())
        .collect();
    if !signed_headers.iter().any(|h| h == "host") {
        return Err(ApiError::invalid_signature(
            "'Host' or ':authority' must be a 'SignedHeader' in the AWS Authorization.",
        ));
    }
    Ok(Authorization {
        access_key_id,
        date,
        region,
        service,
        terminator,
        signed_headers,
        signature,
    })
}

/// The canonical request of SigV4 for the signed headers named by the client.
fn canonical_request(parts: &Parts, signed_headers: &[String], body: &[u8]) -> String {
    let mut out = String::new();
    out.push_str(parts.method.as_str());
    out.push('\n');
    out.push_str(&canonical_path(parts.uri.path()));
    out.push('\n');
    out.push_str(&canonical_query(parts.uri.query().unwrap_or("")));
    out.push('\n');
    for name in signed_headers {
        out.push_str(name);
        out.push(':');
        out.push_str(&header_value(parts, name));
        out.push('\n');
    }
    out.push('\n');
    out.push_str(&signed_headers.join(";"));
    out.push('\n');
    out.push_str(&hex::encode(Sha256::digest(body)));
    out
}

/// A signed header's canonical value: every value of that name, each trimmed with its inner
/// runs of spaces made single, joined by `,`. `host` falls back on the URI's authority (an
/// absolute-form request). A signed header that did not arrive counts as empty: the
/// signature will not match, as at AWS.
fn header_value(parts: &Parts, name: &str) -> String {
    let values: Vec<String> = parts
        .headers
        .get_all(name)
        .iter()
        .map(|v| trim_all(&String::from_utf8_lossy(v.as_bytes())))
        .collect();
    if values.is_empty() && name == "host" {
        return parts
            .uri
            .authority()
            .map(|a| a.as_str().to_string())
            .unwrap_or_default();
    }
    values.join(",")
}

fn trim_all(value: &str) -> String {
    value.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// The canonical URI of services other than S3: the path as it arrived (already encoded
/// once), each segment encoded again; `/` when empty.
fn canonical_path(path: &str) -> String {
    if path.is_empty() {
        return "/".to_string();
    }
    path.split('/')
        .map(|segment| uri_encode(segment.as_bytes()))
        .collect::<Vec<_>>()
        .join("/")
}

/// The canonical query: each name and value decoded, then encoded with SigV4's rules, sorted
/// by name then value, joined by `&`.
fn canonical_query(query: &str) -> String {
    let mut pairs: Vec<(String, String)> = query
        .split('&')
        .filter(|p| !p.is_empty())
        .map(|p| {
            let (k, v) = p.split_once('=').unwrap_or((p, ""));
            (uri_encode(&form_decode(k)), uri_encode(&form_decode(v)))
        })
        .collect();
    pairs.sort();
    pairs
        .iter()
        .map(|(k, v)| format!("{k}={v}"))
        .collect::<Vec<_>>()
        .join("&")
}

/// SigV4's URI encoding: unreserved characters (`A-Z a-z 0-9 - _ . ~`) as they are, every
/// other byte as `%XX` in upper case.
fn uri_encode(bytes: &[u8]) -> String {
    let mut out = String::with_capacity(bytes.len());
    for &b in bytes {
        if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.' | b'~') {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

/// Decodes `%XX` and `+` (a space, as the SDKs' query parsers read it).
fn form_decode(text: &str) -> Vec<u8> {
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'+' => out.push(b' '),
            b'%' if i + 2 < bytes.len() => {
                match std::str::from_utf8(&bytes[i + 1..i + 3])
                    .ok()
                    .and_then(|h| u8::from_str_radix(h, 16).ok())
                {
                    Some(b) => {
                        out.push(b);
                        i += 2;
                    }
                    None => out.push(b'%'),
                }
            }
            b => out.push(b),
        }
        i += 1;
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use axum::http::Request;

    fn keys() -> Keys {
        Keys::new([("AKIDEXAMPLE", "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY")]).unwrap()
    }

    /// Signs a request the way a client does, from the same pieces (independent of
    /// `verify`'s own checks).
    fn sign(secret: &str, amz_date: &str, region: &str, parts: &Parts, body: &[u8]) -> String {
        sign_headers(
            secret,
            amz_date,
            region,
            parts,
            body,
            &["content-type", "host", "x-amz-date"],
        )
    }

    fn sign_headers(
        secret: &str,
        amz_date: &str,
        region: &str,
        parts: &Parts,
        body: &[u8],
        signed: &[&str],
    ) -> String {
        let signed: Vec<String> = signed.iter().map(|h| h.to_string()).collect();
        let canonical = canonical_request(parts, &signed, body);
        let scope = format!("{}/{region}/states/aws4_request", &amz_date[..8]);
        let sts = format!(
            "AWS4-HMAC-SHA256\n{amz_date}\n{scope}\n{}",
            hex::encode(Sha256::digest(canonical.as_bytes()))
        );
        let key = signing_key(secret, &amz_date[..8], region, "states");
        let sig = hex::encode(hmac(&key, sts.as_bytes()));
        format!(
            "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/{scope}, SignedHeaders={}, Signature={sig}",
            signed.join(";")
        )
    }

    fn request(amz_date: &str) -> Parts {
        let (parts, ()) = Request::post("/")
            .header("host", "127.0.0.1:8083")
            .header("content-type", "application/x-amz-json-1.0")
            .header("x-amz-date", amz_date)
            .body(())
            .unwrap()
            .into_parts();
        parts
    }

    fn at(amz_date: &str) -> SystemTime {
        parse_amz_date(amz_date).unwrap()
    }

    #[test]
    fn signing_key_matches_awss_example() {
        // The example of AWS's SigV4 documentation ("Derive a signing key").
        let key = signing_key(
            "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY",
            "20120215",
            "us-east-1",
            "iam",
        );
        assert_eq!(
            hex::encode(key),
            "f4780e2d9f65fa895f9c67b32ce1baf0b0d8a43505a000a1a9e090d414db404d"
        );
    }

    #[test]
    fn a_good_signature_and_each_way_to_fail() {
        let date = "20240229T123456Z";
        let body = br#"{"a":1}"#;
        let mut parts = request(date);
        let auth = sign(
            "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY",
            date,
            "us-east-1",
            &parts,
            body,
        );
        parts.headers.insert("authorization", auth.parse().unwrap());
        let k = keys();
        assert_eq!(
            verify(&k, "us-east-1", at(date), &parts, body).unwrap(),
            "AKIDEXAMPLE"
        );
        // 14 minutes off either way is fine; 16 is not.
        let t = at(date);
        assert!(verify(
            &k,
            "us-east-1",
            t + Duration::from_secs(14 * 60),
            &parts,
            body
        )
        .is_ok());
        assert!(verify(
            &k,
            "us-east-1",
            t - Duration::from_secs(14 * 60),
            &parts,
            body
        )
        .is_ok());
        let e = verify(
            &k,
            "us-east-1",
            t + Duration::from_secs(16 * 60),
            &parts,
            body,
        )
        .unwrap_err();
        assert_eq!(e.code(), "InvalidSignatureException");
        assert_eq!(
            e.message(),
            "Signature expired: 20240229T123456Z is now earlier than 20240229T123556Z \
             (20240229T125056Z - 15 min.)"
        );
        let e = verify(
            &k,
            "us-east-1",
            t - Duration::from_secs(16 * 60),
            &parts,
            body,
        )
        .unwrap_err();
        assert!(e.message().starts_with("Signature not yet current"), "{e}");
        // Another body, another region, another key.
        let e = verify(&k, "us-east-1", t, &parts, b"{}").unwrap_err();
        assert_eq!(e.code(), "InvalidSignatureException");
        assert!(e
            .message()
            .starts_with("The request signature we calculated does not match"));
        let e = verify(&k, "eu-west-1", t, &parts, body).unwrap_err();
        assert!(e.message().contains("valid region, not 'us-east-1'"), "{e}");
        let other = Keys::new([("AKIDOTHER", "x")]).unwrap();
        assert_eq!(
            verify(&other, "us-east-1", t, &parts, body)
                .unwrap_err()
                .code(),
            "UnrecognizedClientException"
        );
        let wrong = Keys::new([("AKIDEXAMPLE", "not the secret")]).unwrap();
        assert_eq!(
            verify(&wrong, "us-east-1", t, &parts, body)
                .unwrap_err()
                .code(),
            "InvalidSignatureException"
        );
        // A changed signed header.
        parts
            .headers
            .insert("host", "sync-127.0.0.1:8083".parse().unwrap());
        assert_eq!(
            verify(&k, "us-east-1", t, &parts, body).unwrap_err().code(),
            "InvalidSignatureException"
        );
    }

    #[test]
    fn missing_and_malformed_headers() {
        let date = "20240229T123456Z";
        let mut parts = request(date);
        let k = keys();
        let t = at(date);
        assert_eq!(
            verify(&k, "us-east-1", t, &parts, b"").unwrap_err().code(),
            "MissingAuthenticationTokenException"
        );
        for (value, code) in [
            ("Basic abc", "IncompleteSignatureException"),
            ("AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20240229/us-east-1/states/aws4_request", "IncompleteSignatureException"),
            ("AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE, SignedHeaders=host;x-amz-date, Signature=00", "IncompleteSignatureException"),
            ("AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20240229/us-east-1/states/aws4_request, SignedHeaders=x-amz-date, Signature=00", "InvalidSignatureException"),
            ("AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20240228/us-east-1/states/aws4_request, SignedHeaders=host;x-amz-date, Signature=00", "InvalidSignatureException"),
            ("AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20240229/us-east-1/lambda/aws4_request, SignedHeaders=host;x-amz-date, Signature=00", "InvalidSignatureException"),
            ("AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20240229/us-east-1/states/aws4_request, SignedHeaders=host;x-amz-date, Signature=zz", "InvalidSignatureException"),
            ("AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20240229/us-east-1/states/aws4_request, SignedHeaders=host, Signature=00", "InvalidSignatureException"),
            ("AWS4-HMAC-SHA256 Credential=NOPE/20240229/us-east-1/states/aws4_request, SignedHeaders=host;x-amz-date, Signature=00", "UnrecognizedClientException"),
        ] {
            parts.headers.insert("authorization", value.parse().unwrap());
            let e = verify(&k, "us-east-1", t, &parts, b"").unwrap_err();
            assert_eq!(e.code(), code, "{value}: {e}");
        }
        // The date the expiry is judged by must be signed.
        parts.headers.insert("authorization", "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20240229/us-east-1/states/aws4_request, SignedHeaders=host, Signature=00".parse().unwrap());
        let e = verify(&k, "us-east-1", t, &parts, b"").unwrap_err();
        assert_eq!(
            e.message(),
            "'X-Amz-Date' must be a 'SignedHeader' in the AWS Authorization."
        );
        parts.headers.remove("x-amz-date");
        let e = verify(&k, "us-east-1", t, &parts, b"").unwrap_err();
        assert!(e.message().contains("'X-Amz-Date' or a 'Date'"), "{e}");
    }

    #[test]
    fn the_date_header_stands_in_for_x_amz_date() {
        let (mut parts, ()) = Request::post("/")
            .header("host", "127.0.0.1:8083")
            .header("date", "Thu, 29 Feb 2024 12:34:56 GMT")
            .body(())
            .unwrap()
            .into_parts();
        let secret = "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY";
        let auth = sign_headers(
            secret,
            "20240229T123456Z",
            "us-east-1",
            &parts,
            b"",
            &["date", "host"],
        );
        parts.headers.insert("authorization", auth.parse().unwrap());
        let t = at("20240229T123456Z");
        assert!(verify(&keys(), "us-east-1", t, &parts, b"").is_ok());
        assert!(verify(
            &keys(),
            "us-east-1",
            t + Duration::from_secs(3600),
            &parts,
            b""
        )
        .is_err());
    }

    #[test]
    fn canonical_pieces() {
        assert_eq!(canonical_path(""), "/");
        assert_eq!(canonical_path("/"), "/");
        assert_eq!(canonical_path("/a%20b/c"), "/a%2520b/c");
        assert_eq!(canonical_query("b=2&a=1&a=0&c"), "a=0&a=1&b=2&c=");
        assert_eq!(canonical_query("x=a+b%2Fc"), "x=a%20b%2Fc");
        assert_eq!(trim_all("  a   b  "), "a b");
        assert_eq!(form_decode("%4"), b"%4");
        assert_eq!(form_decode("%41%"), b"A%");
    }

    #[test]
    fn keys_are_checked() {
        assert!(Keys::new(Vec::<(String, String)>::new()).is_err());
        assert!(Keys::new([("", "s")]).is_err());
        assert!(Keys::new([("a/b", "s")]).is_err());
        assert!(Keys::new([("a", "")]).is_err());
        assert!(Keys::new([("a", "s"), ("a", "t")]).is_err());
        let k = Keys::new([("a", "s")]).unwrap();
        assert!(!format!("{k:?}").contains('s') || !format!("{k:?}").contains("\"s\""));
        assert!(k.check_secret("a", "s"));
        assert!(!k.check_secret("a", "t"));
        assert!(!k.check_secret("b", "s"));
        assert!(!k.check_secret("b", ""));
    }
}

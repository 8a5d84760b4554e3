//! Encoding and hashing: Base64Encode, Base64Decode, Hash.

use base64::Engine as _;
use md5::Md5;
use sha1::Sha1;
use sha2::{Digest, Sha256, Sha384, Sha512};
use switchback_json::Json;

use super::{to_compact_json, Args};
use crate::EvalError;

/// AWS's documented cap on the input of Base64Encode, Base64Decode and Hash, in characters
/// (Java `String.length()`, i.e. UTF-16 code units).
const MAX_INPUT_CHARS: usize = 10_000;

fn java_len(s: &str) -> usize {
    s.encode_utf16().count()
}

/// `States.Base64Encode(text)`: standard alphabet, padded, of the UTF-8 bytes.
pub(super) fn base64_encode(args: &Args) -> Result<Json, EvalError> {
    let text = args.string(0)?;
    if java_len(text) > MAX_INPUT_CHARS {
        return Err(args.invalid());
    }
    Ok(Json::from(
        base64::engine::general_purpose::STANDARD.encode(text.as_bytes()),
    ))
}

/// `States.Base64Decode(text)`: decodes to a UTF-8 string.
///
/// AWS's decoder is lenient (third-party probes: `'!!!invalid!!!'`, `'abc'`, `'ab==cd'` and
/// `' YWJjZA== '` all decode). Like Apache commons-codec, this skips characters outside the
/// alphabet, stops at the first `=`, and drops a dangling partial byte.
pub(super) fn base64_decode(args: &Args) -> Result<Json, EvalError> {
    let text = args.string(0)?;
    if java_len(text) > MAX_INPUT_CHARS {
        return Err(args.invalid());
    }
    let bytes = lenient_base64_decode(text);
    Ok(Json::from(String::from_utf8_lossy(&bytes).into_owned()))
}

fn lenient_base64_decode(text: &str) -> Vec<u8> {
    let mut out = Vec::with_capacity(text.len() * 3 / 4);
    let mut acc: u32 = 0;
    let mut bits = 0;
    for c in text.bytes() {
        if c == b'=' {
            break;
        }
        let Some(sextet) = sextet(c) else { continue };
        acc = (acc << 6) | u32::from(sextet);
        bits += 6;
        if bits >= 8 {
            bits -= 8;
            out.push((acc >> bits) as u8);
            acc &= (1 << bits) - 1;
        }
    }
    out
}

/// The 6-bit value of a Base64 character (standard or URL-safe alphabet).
fn sextet(c: u8) -> Option<u8> {
    match c {
        b'A'..=b'Z' => Some(c - b'A'),
        b'a'..=b'z' => Some(c - b'a' + 26),
        b'0'..=b'9' => Some(c - b'0' + 52),
        b'+' | b'-' => Some(62),
        b'/' | b'_' => Some(63),
        _ => None,
    }
}

/// `States.Hash(data, algorithm)`: lowercase hex digest of the UTF-8 bytes.
///
/// The algorithm must be exactly `MD5`, `SHA-1`, `SHA-256`, `SHA-384` or `SHA-512`. Data that
/// is not a string is hashed as its JSON text (AWS accepts numbers and objects there).
pub(super) fn hash(args: &Args) -> Result<Json, EvalError> {
    let data = match args.get(0) {
        Json::String(s) => s.to_string(),
        other => to_compact_json(other),
    };
    if java_len(&data) > MAX_INPUT_CHARS {
        return Err(args.invalid());
    }
    let bytes = data.as_bytes();
    let digest = match args.string(1)? {
        "MD5" => Md5::digest(bytes).to_vec(),
        "SHA-1" => Sha1::digest(bytes).to_vec(),
        "SHA-256" => Sha256::digest(bytes).to_vec(),
        "SHA-384" => Sha384::digest(bytes).to_vec(),
        "SHA-512" => Sha512::digest(bytes).to_vec(),
        _ => return Err(args.invalid()),
    };
    Ok(Json::from(hex(&digest)))
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

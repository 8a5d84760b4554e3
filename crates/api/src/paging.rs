//! Paging of list actions: `maxResults` and an opaque `nextToken`.
//!
//! `maxResults` is 0-1000; 0 (or absent) means the default page of 100, as AWS documents.
//!
//! A token carries the listing it belongs to (its *scope*, e.g. the action and the machine ARN)
//! and the position after the last item returned (a *cursor*, the item's sort key), with a
//! checksum, all base64url-encoded. The server keeps no state per token, so tokens survive
//! restarts and cost nothing. A token that does not decode, fails its checksum, or belongs to
//! another listing is refused with `InvalidToken`, as AWS refuses a token it did not issue.
//! The checksum is not a secret: forging a token only moves the client to another position of
//! a listing it may read anyway.

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;

use crate::error::ApiError;
use crate::input::{shapes, Input};

/// Page size when `maxResults` is absent or 0.
pub const DEFAULT_PAGE_SIZE: usize = 100;
/// Largest `maxResults` AWS accepts.
pub const MAX_PAGE_SIZE: i64 = 1000;

/// One page request: how many items, and where to start.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PageRequest {
    /// Items to return at most.
    pub limit: usize,
    /// The cursor after which to start; `None` for the first page.
    pub after: Option<String>,
}

/// Reads `maxResults` and `nextToken` from a request (their model constraints included);
/// the token is decoded against `scope` when the handler calls [`PageRequest::decode`].
pub fn read(input: &mut Input) -> Result<(usize, Option<String>), ApiError> {
    let max = input.opt_int("maxResults", 0, MAX_PAGE_SIZE)?;
    let token = input.opt_str("nextToken", shapes::PAGE_TOKEN)?;
    Ok((page_size(max), token))
}

impl PageRequest {
    /// Builds the page request of a listing, decoding `token` against `scope`.
    pub fn decode(limit: usize, token: Option<&str>, scope: &str) -> Result<Self, ApiError> {
        let after = match token {
            Some(t) => Some(decode_token(scope, t)?),
            None => None,
        };
        Ok(PageRequest { limit, after })
    }
}

/// The page size for a `maxResults` value (already range-checked).
pub fn page_size(max_results: Option<i64>) -> usize {
    match max_results {
        Some(n) if n > 0 => usize::try_from(n).unwrap_or(DEFAULT_PAGE_SIZE),
        _ => DEFAULT_PAGE_SIZE,
    }
}

/// FNV-1a, 64 bits: a small, stable checksum.
fn checksum(data: &[u8]) -> u64 {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for b in data {
        h ^= u64::from(*b);
        h = h.wrapping_mul(0x0000_0100_0000_01b3);
    }
    h
}

/// The token for the page after `cursor` in the listing `scope`.
pub fn encode_token(scope: &str, cursor: &str) -> String {
    let body = format!("{scope}\n{cursor}");
    let sum = checksum(body.as_bytes());
    URL_SAFE_NO_PAD.encode(format!("{body}\n{sum:016x}"))
}

/// The cursor inside `token`, which must belong to `scope`.
pub fn decode_token(scope: &str, token: &str) -> Result<String, ApiError> {
    let invalid = || ApiError::invalid_token(token);
    let bytes = URL_SAFE_NO_PAD.decode(token).map_err(|_| invalid())?;
    let text = String::from_utf8(bytes).map_err(|_| invalid())?;
    let (body, sum) = text.rsplit_once('\n').ok_or_else(invalid)?;
    let sum = u64::from_str_radix(sum, 16).map_err(|_| invalid())?;
    if sum != checksum(body.as_bytes()) {
        return Err(invalid());
    }
    let (token_scope, cursor) = body.split_once('\n').ok_or_else(invalid)?;
    if token_scope != scope {
        return Err(invalid());
    }
    Ok(cursor.to_string())
}

/// Cuts a list fetched with one extra item (`limit + 1`) into a page and its next token.
pub fn finish<T>(
    mut items: Vec<T>,
    limit: usize,
    scope: &str,
    cursor_of: impl Fn(&T) -> String,
) -> (Vec<T>, Option<String>) {
    if items.len() > limit {
        items.truncate(limit);
        let token = items
            .last()
            .map(|last| encode_token(scope, &cursor_of(last)));
        (items, token)
    } else {
        (items, None)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn page_sizes() {
        assert_eq!(page_size(None), 100);
        assert_eq!(page_size(Some(0)), 100);
        assert_eq!(page_size(Some(7)), 7);
    }

    #[test]
    fn tokens_round_trip_and_refuse_tampering() {
        let t = encode_token("ListStateMachines", "arn:x:y");
        assert!(t.len() <= 1024);
        assert_eq!(decode_token("ListStateMachines", &t).unwrap(), "arn:x:y");
        assert_eq!(
            decode_token("ListStateMachineVersions:a", &t)
                .unwrap_err()
                .code(),
            "InvalidToken"
        );
        let mut chars: Vec<char> = t.chars().collect();
        chars[3] = if chars[3] == 'A' { 'B' } else { 'A' };
        let tampered: String = chars.into_iter().collect();
        assert_eq!(
            decode_token("ListStateMachines", &tampered)
                .unwrap_err()
                .code(),
            "InvalidToken"
        );
        assert!(decode_token("ListStateMachines", "not a token!").is_err());
    }

    #[test]
    fn finish_cuts_and_links() {
        let (page, next) = finish(vec![1, 2, 3], 2, "s", |n| n.to_string());
        assert_eq!(page, vec![1, 2]);
        assert_eq!(decode_token("s", &next.unwrap()).unwrap(), "2");
        let (page, next) = finish(vec![1, 2], 2, "s", |n| n.to_string());
        assert_eq!(page, vec![1, 2]);
        assert!(next.is_none());
    }
}

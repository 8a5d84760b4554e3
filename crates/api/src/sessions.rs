//! The console's sign-in sessions, and the checks that keep other sites from using them.
//!
//! When the server has access keys, the API wants a SigV4 signature, which a browser cannot
//! make. So the console signs in once with the same keys (its login form checks the secret)
//! and gets a session: an unguessable token in an `HttpOnly; SameSite=Strict` cookie, which
//! scripts cannot read and browsers do not send along with requests started by other sites.
//!
//! A session alone does not authorise a change. A state-changing request (the console's calls
//! to `POST /`, sign-out) must also:
//! - carry the session's second token, readable by the console's own script from the
//!   `switchback_csrf` cookie, in the `X-Switchback-Csrf` header (double submit, bound to the
//!   session): another site can neither read that cookie nor set the header without a CORS
//!   preflight, which this server never grants;
//! - not come from another site by the browser's own account: `Sec-Fetch-Site`, when sent,
//!   must be `same-origin`, and `Origin`, when sent, must be this server (`http://` or
//!   `https://` and the request's `Host`).
//!
//! Sessions live in memory (a restart signs everyone out) for [`LIFETIME`]; at most
//! [`MAX_SESSIONS`] are kept, the oldest dropped first. Tokens are 256 bits from the operating
//! system's random generator; the map is keyed by their SHA-256, so a lookup's timing tells
//! nothing about a token.

use std::collections::HashMap;
use std::sync::Mutex;
use std::time::{Duration, Instant};

use axum::http::header::{COOKIE, HOST, ORIGIN};
use axum::http::HeaderMap;
use sha2::{Digest, Sha256};

use crate::error::ApiError;
use crate::sigv4::Keys;

/// The session cookie (`HttpOnly`).
pub const SESSION_COOKIE: &str = "switchback_session";
/// The cookie holding the session's anti-forgery token, for the console's script.
pub const CSRF_COOKIE: &str = "switchback_csrf";
/// The header the console's script copies [`CSRF_COOKIE`] into.
pub const CSRF_HEADER: &str = "x-switchback-csrf";
/// How long a session lasts after sign-in.
pub const LIFETIME: Duration = Duration::from_secs(12 * 3600);
/// The most sessions kept at once.
pub const MAX_SESSIONS: usize = 10_000;
/// Where the console signs in.
pub const LOGIN_PATH: &str = "/console/login";

/// Authentication: the access keys, and the console's sessions signed in with them.
#[derive(Debug, Default)]
pub struct Auth {
    /// The keys of SigV4 and of the console's login.
    pub keys: Keys,
    /// The console's sessions.
    pub sessions: Sessions,
}

impl Auth {
    /// Authentication with `keys` and no session yet.
    pub fn new(keys: Keys) -> Auth {
        Auth {
            keys,
            sessions: Sessions::default(),
        }
    }
}

/// Two configurations are equal when their keys are (sessions are state, not settings).
impl PartialEq for Auth {
    fn eq(&self, other: &Self) -> bool {
        self.keys == other.keys
    }
}

impl Eq for Auth {}

/// One signed-in browser.
#[derive(Debug, Clone)]
pub struct Session {
    /// The key it signed in with.
    pub access_key_id: String,
    /// Its anti-forgery token.
    pub csrf: String,
    expires: Instant,
}

/// The sessions, by the SHA-256 of their token.
#[derive(Default)]
pub struct Sessions {
    by_hash: Mutex<HashMap<[u8; 32], Session>>,
}

impl std::fmt::Debug for Sessions {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Sessions")
    }
}

/// A new session's two tokens, for the cookies.
#[derive(Debug, Clone)]
pub struct NewSession {
    pub token: String,
    pub csrf: String,
}

fn hash(token: &str) -> [u8; 32] {
    Sha256::digest(token.as_bytes()).into()
}

/// 256 random bits from the operating system, as hex.
fn random_token() -> Result<String, ApiError> {
    let mut bytes = [0u8; 32];
    getrandom::fill(&mut bytes).map_err(|e| {
        tracing::error!(error = %e, "the operating system's random generator failed");
        ApiError::internal("The server cannot make a session token")
    })?;
    Ok(hex::encode(bytes))
}

impl Sessions {
    /// Starts a session for `access_key_id`.
    pub fn create(&self, access_key_id: &str) -> Result<NewSession, ApiError> {
        let token = random_token()?;
        let csrf = random_token()?;
        let now = Instant::now();
        let mut map = self.lock();
        map.retain(|_, s| s.expires > now);
        while map.len() >= MAX_SESSIONS {
            let oldest = map.iter().min_by_key(|(_, s)| s.expires).map(|(k, _)| *k);
            match oldest {
                Some(k) => map.remove(&k),
                None => break,
            };
        }
        map.insert(
            hash(&token),
            Session {
                access_key_id: access_key_id.to_string(),
                csrf: csrf.clone(),
                expires: now + LIFETIME,
            },
        );
        Ok(NewSession { token, csrf })
    }

    /// The live session of `token`, if any.
    pub fn get(&self, token: &str) -> Option<Session> {
        let key = hash(token);
        let mut map = self.lock();
        match map.get(&key) {
            Some(s) if s.expires > Instant::now() => Some(s.clone()),
            Some(_) => {
                map.remove(&key);
                None
            }
            None => None,
        }
    }

    /// Ends the session of `token`.
    pub fn remove(&self, token: &str) {
        self.lock().remove(&hash(token));
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, HashMap<[u8; 32], Session>> {
        // A panic while holding the lock cannot leave the map half-changed.
        self.by_hash.lock().unwrap_or_else(|e| e.into_inner())
    }
}

/// The value of cookie `name` in the request's `Cookie` headers.
pub fn cookie<'a>(headers: &'a HeaderMap, name: &str) -> Option<&'a str> {
    headers
        .get_all(COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|pair| pair.trim().split_once('='))
        .find(|(k, _)| *k == name)
        .map(|(_, v)| v.trim())
}

/// The session of the request's cookie, if it has a live one.
pub fn session_of(auth: &Auth, headers: &HeaderMap) -> Option<Session> {
    cookie(headers, SESSION_COOKIE).and_then(|token| auth.sessions.get(token))
}

/// Refuses a request that the browser says comes from another site (see the module's
/// documentation): `Sec-Fetch-Site` other than `same-origin` (`none`, a typed address, only
/// when `allow_navigation`), or an `Origin` that is not this server.
pub fn check_same_origin(headers: &HeaderMap, allow_navigation: bool) -> Result<(), ApiError> {
    if let Some(site) = headers.get("sec-fetch-site") {
        let site = site.to_str().unwrap_or("");
        let ok = site == "same-origin" || (allow_navigation && site == "none");
        if !ok {
            return Err(cross_site(&format!("Sec-Fetch-Site is '{site}'")));
        }
    }
    if let Some(origin) = headers.get(ORIGIN) {
        let origin = origin.to_str().unwrap_or("");
        let host = headers
            .get(HOST)
            .and_then(|h| h.to_str().ok())
            .unwrap_or("");
        let same = !host.is_empty()
            && (origin.strip_prefix("http://") == Some(host)
                || origin.strip_prefix("https://") == Some(host));
        if !same {
            let shown: String = origin.chars().take(100).collect();
            return Err(cross_site(&format!("Origin is '{shown}'")));
        }
    }
    Ok(())
}

fn cross_site(why: &str) -> ApiError {
    ApiError::access_denied(format!(
        "Cross-site request refused ({why}): the console's changes must come from its own pages"
    ))
}

/// Compares two strings in time that does not depend on where they differ.
pub fn constant_time_eq(a: &str, b: &str) -> bool {
    let (a, b) = (a.as_bytes(), b.as_bytes());
    if a.len() != b.len() {
        return false;
    }
    a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

/// Authenticates a state-changing request of the console: a live session, its anti-forgery
/// token in [`CSRF_HEADER`], and no sign of another site. Returns the session's key id.
pub fn check_console_change(auth: &Auth, headers: &HeaderMap) -> Result<String, ApiError> {
    let Some(session) = session_of(auth, headers) else {
        return Err(login_required());
    };
    check_same_origin(headers, false)?;
    let given = headers
        .get(CSRF_HEADER)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("");
    if !constant_time_eq(given, &session.csrf) {
        return Err(ApiError::access_denied(
            "The request lacks the console's anti-forgery token (X-Switchback-Csrf): reload \
             the page",
        ));
    }
    Ok(session.access_key_id)
}

/// The console's session is missing or has expired (HTTP 401).
pub fn login_required() -> ApiError {
    ApiError::login_required(format!(
        "Missing Authentication Token: sign the request with SigV4, or sign in to the console \
         at {LOGIN_PATH}"
    ))
}

#[cfg(test)]
mod tests {
    use super::*;
    use axum::http::HeaderValue;

    fn auth() -> Auth {
        Auth::new(Keys::new([("AKIA1", "secret")]).unwrap())
    }

    fn headers(pairs: &[(&'static str, &str)]) -> HeaderMap {
        let mut h = HeaderMap::new();
        for (k, v) in pairs {
            h.append(*k, HeaderValue::from_str(v).unwrap());
        }
        h
    }

    #[test]
    fn a_session_with_its_token_and_from_this_site() {
        let a = auth();
        let s = a.sessions.create("AKIA1").unwrap();
        assert_eq!(s.token.len(), 64);
        let cookie = format!("other=1; {SESSION_COOKIE}={}", s.token);
        let ok = headers(&[
            ("cookie", &cookie),
            ("host", "127.0.0.1:8083"),
            ("origin", "http://127.0.0.1:8083"),
            ("sec-fetch-site", "same-origin"),
            (CSRF_HEADER, &s.csrf),
        ]);
        assert_eq!(check_console_change(&a, &ok).unwrap(), "AKIA1");

        for (name, value, code) in [
            (CSRF_HEADER, "wrong", "AccessDeniedException"),
            ("origin", "http://evil.example", "AccessDeniedException"),
            ("origin", "null", "AccessDeniedException"),
            ("sec-fetch-site", "cross-site", "AccessDeniedException"),
            ("sec-fetch-site", "same-site", "AccessDeniedException"),
            (
                "cookie",
                "switchback_session=nope",
                "MissingAuthenticationTokenException",
            ),
        ] {
            let mut h = ok.clone();
            h.insert(name, HeaderValue::from_str(value).unwrap());
            let e = check_console_change(&a, &h).unwrap_err();
            assert_eq!(e.code(), code, "{name}: {value}");
        }
        let mut h = ok.clone();
        h.remove(CSRF_HEADER);
        assert!(check_console_change(&a, &h).is_err());
        // Without Origin and Sec-Fetch-Site (an old browser), the token suffices.
        let mut h = ok.clone();
        h.remove("origin");
        h.remove("sec-fetch-site");
        assert!(check_console_change(&a, &h).is_ok());

        a.sessions.remove(&s.token);
        assert!(check_console_change(&a, &ok).is_err());
    }

    #[test]
    fn at_most_so_many_sessions() {
        let a = auth();
        let first = a.sessions.create("AKIA1").unwrap();
        for _ in 0..MAX_SESSIONS {
            a.sessions.create("AKIA1").unwrap();
        }
        assert!(a.sessions.get(&first.token).is_none());
        assert!(a.sessions.lock().len() <= MAX_SESSIONS);
    }

    #[test]
    fn comparisons() {
        assert!(constant_time_eq("abc", "abc"));
        assert!(!constant_time_eq("abc", "abd"));
        assert!(!constant_time_eq("abc", "ab"));
    }
}

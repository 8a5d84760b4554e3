//! Signing in to the console when the server requires authentication (`[auth]`).
//!
//! The API wants SigV4 signatures, which a browser cannot make, so the console signs in once
//! with one of the server's access keys (id and secret, checked in constant time) and gets a
//! session ([`switchback_api::sessions`]): an `HttpOnly; SameSite=Strict` session cookie, and
//! a second cookie with the session's anti-forgery token that the console's script copies into
//! the `X-Switchback-Csrf` header of every change. Without `[auth]` nothing here applies: the
//! console is open, as the API is.
//!
//! | path | what |
//! |---|---|
//! | `GET /console/login?next=PATH` | the sign-in form |
//! | `POST /console/login` | checks the key, starts a session, goes to `next` |
//! | `POST /console/logout` | ends the session (the script's *Sign out* button) |
//!
//! [`require_login`] guards every other console route: a page without a session goes to the
//! sign-in form; a fragment, JSON or live stream gets HTTP 401; a change (`POST`) also needs
//! the anti-forgery token and a same-origin request.

use axum::extract::{Query, Request, State};
use axum::http::header::{ACCEPT, CACHE_CONTROL, LOCATION, SET_COOKIE};
use axum::http::{HeaderMap, HeaderValue, Method, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Json, Response};
use maud::html;
use serde::Deserialize;
use serde_json::json;
use switchback_api::protocol::error_response;
use switchback_api::sessions::{
    self, check_console_change, check_same_origin, session_of, CSRF_COOKIE, LIFETIME, LOGIN_PATH,
    SESSION_COOKIE,
};

use crate::pages;
use crate::Console;

/// The largest sign-in form read.
const MAX_FORM_BYTES: usize = 16 * 1024;

/// `?next=` of the sign-in form.
#[derive(Deserialize)]
pub struct LoginQuery {
    next: Option<String>,
}

/// Where to go after signing in: a path of this server only (never `//host` or an absolute
/// URL, so that the form cannot send anyone elsewhere).
fn safe_next(next: Option<&str>) -> String {
    match next {
        Some(n)
            if n.starts_with('/')
                && !n.starts_with("//")
                && !n.starts_with("/\\")
                && !n.chars().any(|c| c.is_control()) =>
        {
            n.to_string()
        }
        _ => "/".to_string(),
    }
}

/// Middleware over the console's routes: see the module's documentation.
pub async fn require_login(
    State(console): State<Console>,
    request: Request,
    next: Next,
) -> Response {
    let Some(auth) = console.app.config.auth.clone() else {
        return next.run(request).await;
    };
    let headers = request.headers();
    if request.method() != Method::GET && request.method() != Method::HEAD {
        return match check_console_change(&auth, headers) {
            Ok(_) => next.run(request).await,
            Err(e) => error_response(&e),
        };
    }
    if session_of(&auth, headers).is_some() {
        return next.run(request).await;
    }
    if wants_html(headers) {
        let path = request
            .uri()
            .path_and_query()
            .map_or("/", |p| p.as_str())
            .to_string();
        return redirect(&format!(
            "{LOGIN_PATH}?next={}",
            percent_encoding::utf8_percent_encode(&path, percent_encoding::NON_ALPHANUMERIC)
        ));
    }
    error_response(&sessions::login_required())
}

/// A browser navigating (not a script's fetch or an event stream).
fn wants_html(headers: &HeaderMap) -> bool {
    headers
        .get(ACCEPT)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.contains("text/html"))
}

fn redirect(to: &str) -> Response {
    let mut response = StatusCode::SEE_OTHER.into_response();
    if let Ok(value) = HeaderValue::from_str(to) {
        response.headers_mut().insert(LOCATION, value);
    }
    response
}

/// `GET /console/login`: the sign-in form (or, without `[auth]`, the console itself).
pub async fn form(State(console): State<Console>, Query(q): Query<LoginQuery>) -> Response {
    if console.app.config.auth.is_none() {
        return redirect("/");
    }
    login_page(&safe_next(q.next.as_deref()), None, StatusCode::OK)
}

fn login_page(next: &str, error: Option<&str>, status: StatusCode) -> Response {
    let body = html! {
        section.card.login {
            h1 { "Sign in" }
            p { "This server requires authentication. Sign in with one of its access keys (the "
                code { "[auth]" } " keys of its configuration)." }
            form method="post" action=(LOGIN_PATH) {
                input type="hidden" name="next" value=(next);
                div.field {
                    label for="access-key-id" { "Access key id" }
                    input #access-key-id name="access_key_id" autocomplete="username" required autofocus;
                }
                div.field {
                    label for="secret-access-key" { "Secret access key" }
                    input #secret-access-key type="password" name="secret_access_key" autocomplete="current-password" required;
                }
                @if let Some(error) = error {
                    p.form-error role="alert" { (error) }
                }
                button.primary type="submit" { "Sign in" }
            }
        }
    };
    let mut response = (
        status,
        pages::ok(pages::frame("Sign in", html! { "Sign in" }, body)),
    )
        .into_response();
    response
        .headers_mut()
        .insert(CACHE_CONTROL, HeaderValue::from_static("no-store"));
    response
}

/// Decodes an `application/x-www-form-urlencoded` body into its fields.
fn form_fields(body: &str) -> Vec<(String, String)> {
    body.split('&')
        .filter(|p| !p.is_empty())
        .map(|pair| {
            let (k, v) = pair.split_once('=').unwrap_or((pair, ""));
            let decode = |s: &str| {
                percent_encoding::percent_decode_str(&s.replace('+', " "))
                    .decode_utf8_lossy()
                    .into_owned()
            };
            (decode(k), decode(v))
        })
        .collect()
}

/// `POST /console/login`: checks the key, starts a session and goes to `next`.
pub async fn submit(State(console): State<Console>, headers: HeaderMap, body: String) -> Response {
    let Some(auth) = console.app.config.auth.clone() else {
        return redirect("/");
    };
    // A sign-in forged by another site would sign the browser in as the attacker.
    if let Err(e) = check_same_origin(&headers, false) {
        return error_response(&e);
    }
    if body.len() > MAX_FORM_BYTES {
        return login_page(
            "/",
            Some("The form is too large."),
            StatusCode::PAYLOAD_TOO_LARGE,
        );
    }
    let fields = form_fields(&body);
    let field = |name: &str| {
        fields
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
            .unwrap_or("")
    };
    let next = safe_next(Some(field("next")));
    let id = field("access_key_id").trim();
    if !auth.keys.check_secret(id, field("secret_access_key")) {
        tracing::warn!(access_key_id = %id.chars().take(128).collect::<String>(), "console sign-in refused");
        return login_page(
            &next,
            Some("The access key id or the secret access key is wrong."),
            StatusCode::UNAUTHORIZED,
        );
    }
    let session = match auth.sessions.create(id) {
        Ok(s) => s,
        Err(e) => return error_response(&e),
    };
    tracing::info!(access_key_id = %id, "console signed in");
    let max_age = LIFETIME.as_secs();
    let mut response = redirect(&next);
    for cookie in [
        format!(
            "{SESSION_COOKIE}={}; Path=/; Max-Age={max_age}; HttpOnly; SameSite=Strict",
            session.token
        ),
        format!(
            "{CSRF_COOKIE}={}; Path=/; Max-Age={max_age}; SameSite=Strict",
            session.csrf
        ),
    ] {
        if let Ok(value) = HeaderValue::from_str(&cookie) {
            response.headers_mut().append(SET_COOKIE, value);
        }
    }
    response
}

/// `POST /console/logout`: ends the session ([`require_login`] has checked it and its
/// anti-forgery token) and clears the cookies.
pub async fn logout(State(console): State<Console>, headers: HeaderMap) -> Response {
    if let (Some(auth), Some(token)) = (
        &console.app.config.auth,
        sessions::cookie(&headers, SESSION_COOKIE),
    ) {
        auth.sessions.remove(token);
    }
    let mut response = Json(json!({ "signedOut": true, "login": LOGIN_PATH })).into_response();
    for name in [SESSION_COOKIE, CSRF_COOKIE] {
        let cookie = format!("{name}=; Path=/; Max-Age=0; SameSite=Strict");
        if let Ok(value) = HeaderValue::from_str(&cookie) {
            response.headers_mut().append(SET_COOKIE, value);
        }
    }
    response
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn next_stays_on_this_server() {
        assert_eq!(safe_next(Some("/executions/x?y=1")), "/executions/x?y=1");
        for bad in [
            "//evil.example",
            "https://evil.example",
            "/\\evil.example",
            "",
            "x",
            "/a\nb",
        ] {
            assert_eq!(safe_next(Some(bad)), "/", "{bad:?}");
        }
        assert_eq!(safe_next(None), "/");
    }

    #[test]
    fn forms_are_decoded() {
        assert_eq!(
            form_fields("a=1&b=x+y%2Fz&c&=d"),
            vec![
                ("a".into(), "1".into()),
                ("b".into(), "x y/z".into()),
                ("c".into(), "".into()),
                ("".into(), "d".into())
            ]
        );
    }
}

//! The console behind authentication, over real HTTP: signing in with the server's keys, the
//! session cookie, and the cross-site protections of its changes. And the `Host` check.

mod common;

use std::sync::Arc;

use serde_json::json;
use switchback_api::sessions::Auth;
use switchback_api::sigv4::Keys;
use switchback_api::ApiConfig;

const KEY_ID: &str = "AKIACONSOLETEST";
const SECRET: &str = "console secret / with + signs";
const DEFINITION: &str = r#"{"StartAt":"A","States":{"A":{"Type":"Pass","End":true}}}"#;

async fn server() -> common::Server {
    common::start_with(ApiConfig {
        auth: Some(Arc::new(Auth::new(
            Keys::new([(KEY_ID, SECRET)]).expect("keys"),
        ))),
        ..ApiConfig::default()
    })
    .await
}

/// A form field, encoded as a browser does.
fn encode(text: &str) -> String {
    text.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' => (b as char).to_string(),
            b' ' => "+".to_string(),
            _ => format!("%{b:02X}"),
        })
        .collect()
}

/// The cookies a browser keeps from an answer's `Set-Cookie` headers: `name=value` each.
struct Signed {
    session: String,
    csrf: String,
}

impl Signed {
    fn cookie_header(&self) -> String {
        format!(
            "Cookie: switchback_session={}; switchback_csrf={}",
            self.session, self.csrf
        )
    }
}

/// Signs in as the browser's form does (same origin) and returns the cookies.
async fn sign_in(server: &common::Server, next: &str) -> (common::Answer, Signed) {
    let origin = format!("Origin: http://{}", server.addr);
    let body = format!(
        "next={}&access_key_id={KEY_ID}&secret_access_key={}",
        encode(next),
        encode(SECRET)
    );
    let answer = server
        .request(
            "POST",
            "/console/login",
            &[
                "Content-Type: application/x-www-form-urlencoded",
                &origin,
                "Sec-Fetch-Site: same-origin",
            ],
            &body,
        )
        .await;
    assert_eq!(answer.status, 303, "{}", answer.body);
    let value = |name: &str| {
        answer
            .all("set-cookie")
            .iter()
            .find_map(|c| c.strip_prefix(&format!("{name}=")))
            .and_then(|rest| rest.split(';').next())
            .unwrap_or_else(|| panic!("no {name} cookie: {:?}", answer.headers))
            .to_string()
    };
    let signed = Signed {
        session: value("switchback_session"),
        csrf: value("switchback_csrf"),
    };
    (answer, signed)
}

#[tokio::test]
async fn pages_need_a_session_and_the_sign_in_form_gives_one() {
    let server = server().await;
    // A browser's visit: to the sign-in form, remembering the page.
    let answer = server
        .request("GET", "/", &["Accept: text/html,application/xhtml+xml"], "")
        .await;
    assert_eq!(answer.status, 303);
    assert_eq!(answer.header("location"), Some("/console/login?next=%2F"));
    // A script's fetch, a fragment, the live stream: 401.
    for path in [
        "/executions/x/progress",
        "/executions/x/live",
        "/state-machines/x",
    ] {
        let answer = server.get(path).await;
        assert_eq!(answer.status, 401, "{path}");
        assert_eq!(
            answer.json()["__type"],
            "com.amazon.coral.service#MissingAuthenticationTokenException"
        );
    }
    // The form and the assets are open.
    let form = server.get("/console/login?next=/state-machines/x").await;
    assert_eq!(form.status, 200);
    assert!(
        form.body.contains("name=\"secret_access_key\""),
        "{}",
        form.body
    );
    assert!(
        form.body.contains("value=\"/state-machines/x\""),
        "{}",
        form.body
    );
    assert_eq!(server.get("/assets/console.js").await.status, 200);

    // A wrong secret, an unknown key.
    let origin = format!("Origin: http://{}", server.addr);
    for body in [
        format!("access_key_id={KEY_ID}&secret_access_key=wrong"),
        format!(
            "access_key_id=AKIANOBODY&secret_access_key={}",
            encode(SECRET)
        ),
        String::new(),
    ] {
        let answer = server
            .request(
                "POST",
                "/console/login",
                &["Content-Type: application/x-www-form-urlencoded", &origin],
                &body,
            )
            .await;
        assert_eq!(answer.status, 401, "{body}");
        assert!(answer.body.contains("is wrong"), "{}", answer.body);
        assert!(answer.all("set-cookie").is_empty());
    }

    // The right key: a session cookie for this server only, out of scripts' reach.
    let (answer, signed) = sign_in(&server, "/state-machines/x").await;
    assert_eq!(answer.header("location"), Some("/state-machines/x"));
    let session_cookie = answer
        .all("set-cookie")
        .into_iter()
        .find(|c| c.starts_with("switchback_session="))
        .expect("the session cookie");
    assert!(session_cookie.contains("; HttpOnly"), "{session_cookie}");
    assert!(
        session_cookie.contains("; SameSite=Strict"),
        "{session_cookie}"
    );
    assert!(session_cookie.contains("; Path=/"), "{session_cookie}");
    assert_eq!(signed.session.len(), 64);

    let cookie = signed.cookie_header();
    let page = server.request("GET", "/", &[&cookie], "").await;
    assert_eq!(page.status, 200, "{}", page.body);
    assert!(page.content_type.starts_with("text/html"));

    // An open redirect is not: `next` stays on this server.
    let (answer, _) = sign_in(&server, "//evil.example/x").await;
    assert_eq!(answer.header("location"), Some("/"));
}

#[tokio::test]
async fn the_consoles_changes_need_its_token_and_its_own_origin() {
    let server = server().await;
    let (_, signed) = sign_in(&server, "/").await;
    let cookie = signed.cookie_header();
    let csrf = format!("X-Switchback-Csrf: {}", signed.csrf);
    let origin = format!("Origin: http://{}", server.addr);
    let create = |name: &str| {
        json!({
            "name": name,
            "definition": DEFINITION,
            "roleArn": "arn:aws:iam::123456789012:role/any",
        })
        .to_string()
    };
    let call = |headers: Vec<String>, body: String| {
        let server = &server;
        async move {
            let mut all = vec![
                "X-Amz-Target: AWSStepFunctions.CreateStateMachine".to_string(),
                "Content-Type: application/x-amz-json-1.0".to_string(),
            ];
            all.extend(headers);
            let refs: Vec<&str> = all.iter().map(String::as_str).collect();
            server.request("POST", "/", &refs, &body).await
        }
    };

    // As the console's script sends it.
    let answer = call(
        vec![
            cookie.clone(),
            csrf.clone(),
            origin.clone(),
            "Sec-Fetch-Site: same-origin".into(),
        ],
        create("from-the-console"),
    )
    .await;
    assert_eq!(answer.status, 200, "{}", answer.body);

    // A forged request rides on the cookie alone, or comes from another site.
    for (headers, code) in [
        (vec![cookie.clone()], "AccessDeniedException"),
        (
            vec![cookie.clone(), "X-Switchback-Csrf: guessed".into()],
            "AccessDeniedException",
        ),
        (
            vec![
                cookie.clone(),
                csrf.clone(),
                "Origin: http://evil.example".into(),
            ],
            "AccessDeniedException",
        ),
        (
            vec![
                cookie.clone(),
                csrf.clone(),
                "Sec-Fetch-Site: cross-site".into(),
            ],
            "AccessDeniedException",
        ),
        (
            vec!["Cookie: switchback_session=forged".into(), csrf.clone()],
            "MissingAuthenticationTokenException",
        ),
        (vec![], "MissingAuthenticationTokenException"),
    ] {
        let answer = call(headers.clone(), create("forged")).await;
        assert!(
            answer.status == 403 || answer.status == 401,
            "{headers:?}: {} {}",
            answer.status,
            answer.body
        );
        let t = answer.json()["__type"]
            .as_str()
            .unwrap_or_default()
            .to_string();
        assert!(t.ends_with(code), "{headers:?}: {t}");
    }
    // Only the console's own request created a machine.
    let answer = server
        .request(
            "POST",
            "/",
            &[
                "X-Amz-Target: AWSStepFunctions.ListStateMachines",
                &cookie,
                &csrf,
            ],
            "{}",
        )
        .await;
    assert_eq!(answer.status, 200, "{}", answer.body);
    let listed = answer.json();
    let names: Vec<&str> = listed["stateMachines"]
        .as_array()
        .expect("a list")
        .iter()
        .filter_map(|m| m["name"].as_str())
        .collect();
    assert_eq!(names, ["from-the-console"]);

    // The definition converter is a change too.
    let answer = server
        .request("POST", "/console/definition-json", &[&cookie], "StartAt: A")
        .await;
    assert_eq!(answer.status, 403, "{}", answer.body);
    let answer = server
        .request(
            "POST",
            "/console/definition-json",
            &[&cookie, &csrf],
            "StartAt: A",
        )
        .await;
    assert_eq!(answer.status, 200, "{}", answer.body);

    // A sign-in posted by another site is refused (it would sign the browser in as someone
    // else).
    let answer = server
        .request(
            "POST",
            "/console/login",
            &["Origin: http://evil.example", "Sec-Fetch-Site: cross-site"],
            &format!(
                "access_key_id={KEY_ID}&secret_access_key={}",
                encode(SECRET)
            ),
        )
        .await;
    assert_eq!(answer.status, 403, "{}", answer.body);

    // Signing out ends the session.
    let answer = server
        .request("POST", "/console/logout", &[&cookie], "")
        .await;
    assert_eq!(answer.status, 403, "sign-out without the token");
    let answer = server
        .request("POST", "/console/logout", &[&cookie, &csrf, &origin], "")
        .await;
    assert_eq!(answer.status, 200, "{}", answer.body);
    assert!(answer
        .all("set-cookie")
        .iter()
        .any(|c| c.starts_with("switchback_session=;") && c.contains("Max-Age=0")));
    let answer = server
        .request("GET", "/", &[&cookie, "Accept: text/html"], "")
        .await;
    assert_eq!(answer.status, 303);
}

/// Without `[auth]` the console is open and has no sign-in form.
#[tokio::test]
async fn without_auth_there_is_nothing_to_sign_in_to() {
    let server = common::start().await;
    let answer = server.get("/console/login").await;
    assert_eq!(answer.status, 303);
    assert_eq!(answer.header("location"), Some("/"));
    assert_eq!(server.get("/").await.status, 200);
}

/// DNS rebinding: the console's pages answer only this server's names.
#[tokio::test]
async fn a_foreign_host_gets_no_page() {
    let server = common::start().await;
    for host in ["Host: evil.example", "Host: evil.example:80"] {
        let answer = server.request("GET", "/", &[host], "").await;
        assert_eq!(answer.status, 403, "{host}");
        assert_eq!(
            answer.json()["__type"],
            "com.amazon.coral.service#AccessDeniedException"
        );
        let answer = server
            .request("GET", "/assets/console.js", &[host], "")
            .await;
        assert_eq!(answer.status, 403, "{host}");
    }
    let own = format!("Host: localhost:{}", server.addr.port());
    assert_eq!(server.request("GET", "/", &[&own], "").await.status, 200);
}

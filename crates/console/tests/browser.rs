//! The console in a real headless browser (Debian's `chromium` and `chromedriver`, driven
//! over WebDriver with fantoccini), against the real server: API and console on one port.
//!
//! Screenshots of every page are saved under `target/tmp/console-screenshots/`.
//!
//! Without chromium and chromedriver on the machine the test says so and passes, except on
//! CI (`CI` set), where `.ci/run` installs them and their absence is a failure.

mod common;

use std::path::PathBuf;
use std::process::Stdio;
use std::time::{Duration, Instant};

use fantoccini::{Client, ClientBuilder, Locator};
use hyper_util::client::legacy::connect::HttpConnector;
use serde_json::{json, Value};

use common::{seg, Server};

/// Where the screenshots go (an artifact of the test run).
fn screenshot_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("console-screenshots")
}

/// The workflow the browser watches: a Choice, a Parallel with a Catch, a Wait that takes a
/// couple of seconds, and a Map.
fn approval_definition() -> Value {
    json!({
        "Comment": "Browser test workflow",
        "StartAt": "Prepare",
        "States": {
            "Prepare": { "Type": "Pass", "Result": { "prepared": true }, "ResultPath": "$.prep", "Next": "Route" },
            "Route": {
                "Type": "Choice",
                "Choices": [ { "Variable": "$.fast", "BooleanEquals": true, "Next": "Done" } ],
                "Default": "Hold"
            },
            "Hold": { "Type": "Wait", "Seconds": 5, "Next": "Fanout" },
            "Fanout": {
                "Type": "Parallel",
                "Branches": [
                    { "StartAt": "Left", "States": { "Left": { "Type": "Pass", "End": true } } },
                    { "StartAt": "Right", "States": { "Right": { "Type": "Pass", "End": true } } }
                ],
                "Catch": [ { "ErrorEquals": ["States.ALL"], "Next": "Recover" } ],
                "ResultPath": null,
                "Next": "Each"
            },
            "Recover": { "Type": "Pass", "Next": "Done" },
            "Each": {
                "Type": "Map",
                "ItemsPath": "$.items",
                "ItemProcessor": { "StartAt": "Double", "States": { "Double": { "Type": "Pass", "End": true } } },
                "ResultPath": "$.doubled",
                "Next": "Done"
            },
            "Done": { "Type": "Succeed" }
        }
    })
}

/// Transitions of that definition, counted from the definition itself: Next, Choice rules,
/// Default, Catch, the start edge and one end edge per terminal top-level state.
fn expected_edges(definition: &Value) -> usize {
    fn scope(states: &Value, top: bool) -> usize {
        let mut n = 0;
        for state in states.as_object().into_iter().flat_map(|m| m.values()) {
            n += usize::from(state.get("Next").is_some());
            n += usize::from(state.get("Default").is_some());
            n += state["Choices"].as_array().map_or(0, Vec::len);
            n += state["Catch"].as_array().map_or(0, Vec::len);
            let terminal =
                state["End"] == true || matches!(state["Type"].as_str(), Some("Succeed" | "Fail"));
            n += usize::from(top && terminal);
            for branch in state["Branches"].as_array().into_iter().flatten() {
                n += scope(&branch["States"], false);
            }
            if let Some(body) = state.get("ItemProcessor").or(state.get("Iterator")) {
                n += scope(&body["States"], false);
            }
        }
        n
    }
    1 + scope(&definition["States"], true)
}

/// A 100-state machine: Pass chains, a Choice every tenth state, a Catch every tenth.
fn hundred_states() -> Value {
    let mut states = serde_json::Map::new();
    for i in 0..100 {
        let next = format!("Step{:03}", i + 1);
        let state = match i {
            99 => json!({ "Type": "Succeed" }),
            i if i % 10 == 5 => json!({ "Type": "Choice",
                "Choices": [ { "Variable": "$.n", "NumericGreaterThan": i, "Next": next } ],
                "Default": format!("Step{:03}", (i + 2).min(99)) }),
            i if i % 10 == 7 => {
                json!({ "Type": "Task", "Resource": "arn:aws:states:::lambda:invoke",
                "Next": next, "Catch": [ { "ErrorEquals": ["States.ALL"], "Next": "Step099" } ] })
            }
            _ => json!({ "Type": "Pass", "Next": next }),
        };
        states.insert(format!("Step{i:03}"), state);
    }
    json!({ "StartAt": "Step000", "States": states })
}

/// Clicks the element `css` selects, as a person would (WebDriver's click).
async fn click(client: &Client, css: &str) {
    client
        .find(Locator::Css(css))
        .await
        .unwrap_or_else(|e| panic!("find {css}: {e}"))
        .click()
        .await
        .unwrap_or_else(|e| panic!("click {css}: {e}"));
}

/// How many states and edges the page's graph draws.
async fn graph_counts(client: &Client) -> Value {
    client
        .execute("return [document.querySelectorAll('svg.workflow-graph g.state').length, document.querySelectorAll('svg.workflow-graph g.edge').length]", vec![])
        .await
        .expect("count nodes and edges")
}

/// The ARN of the execution whose page is open.
async fn execution_arn(client: &Client) -> String {
    let arn = client
        .execute(
            "return document.getElementById('execution').dataset.arn",
            vec![],
        )
        .await
        .expect("the execution's ARN");
    arn.as_str().unwrap_or_default().to_string()
}

fn count_states(states: &Value) -> usize {
    states
        .as_object()
        .into_iter()
        .flat_map(|m| m.values())
        .map(|s| {
            1 + s["Branches"]
                .as_array()
                .into_iter()
                .flatten()
                .map(|b| count_states(&b["States"]))
                .sum::<usize>()
                + s.get("ItemProcessor")
                    .or(s.get("Iterator"))
                    .map_or(0, |b| count_states(&b["States"]))
        })
        .sum()
}

/// chromedriver on a free port, killed when dropped.
struct Driver {
    child: tokio::process::Child,
    port: u16,
}

impl Drop for Driver {
    fn drop(&mut self) {
        let _ = self.child.start_kill();
    }
}

fn find_program(names: &[&str]) -> Option<PathBuf> {
    let path = std::env::var_os("PATH")?;
    for dir in std::env::split_paths(&path).chain([PathBuf::from("/usr/lib/chromium")]) {
        for name in names {
            let candidate = dir.join(name);
            if candidate.is_file() {
                return Some(candidate);
            }
        }
    }
    None
}

async fn start_driver(program: &PathBuf) -> Driver {
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .expect("a free port")
        .port();
    let child = tokio::process::Command::new(program)
        .arg(format!("--port={port}"))
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .kill_on_drop(true)
        .spawn()
        .expect("start chromedriver");
    let deadline = Instant::now() + Duration::from_secs(20);
    while tokio::net::TcpStream::connect(("127.0.0.1", port))
        .await
        .is_err()
    {
        assert!(
            Instant::now() < deadline,
            "chromedriver did not start listening"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    Driver { child, port }
}

async fn connect(driver: &Driver, chromium: &PathBuf) -> Client {
    let mut caps = serde_json::Map::new();
    caps.insert(
        "goog:chromeOptions".into(),
        json!({
            "binary": chromium,
            "args": ["--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                     "--window-size=1440,1100", "--hide-scrollbars"]
        }),
    );
    ClientBuilder::new(HttpConnector::new())
        .capabilities(caps)
        .connect(&format!("http://127.0.0.1:{}", driver.port))
        .await
        .expect("a WebDriver session")
}

/// Runs `script` (its `return` value) until `ready` accepts it, for up to `limit`.
async fn wait_js(
    client: &Client,
    script: &str,
    limit: Duration,
    ready: impl Fn(&Value) -> bool,
) -> Value {
    let deadline = Instant::now() + limit;
    loop {
        let value = client.execute(script, vec![]).await.expect("run a script");
        if ready(&value) {
            return value;
        }
        assert!(
            Instant::now() < deadline,
            "timed out waiting on `{script}`: last {value}"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

async fn screenshot(client: &Client, name: &str) {
    let png = client.screenshot().await.expect("a screenshot");
    let dir = screenshot_dir();
    std::fs::create_dir_all(&dir).expect("create the screenshot directory");
    std::fs::write(dir.join(format!("{name}.png")), png).expect("save the screenshot");
}

const STATE_STATUS: &str = "return (s => { const g = [...document.querySelectorAll('svg g.state')].find(g => g.dataset.state === s); return g ? [g.dataset.status || null, g.querySelector('text.status')?.textContent || ''] : null; })";

async fn state_status(client: &Client, state: &str) -> Value {
    client
        .execute(&format!("{STATE_STATUS}({})", json!(state)), vec![])
        .await
        .expect("read a state's status")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_console_in_a_browser() {
    let (Some(chromium), Some(chromedriver)) = (
        find_program(&["chromium", "chromium-browser", "google-chrome"]),
        find_program(&["chromedriver", "chromium-driver"]),
    ) else {
        assert!(
            std::env::var_os("CI").is_none(),
            "chromium and chromedriver are required on CI (.ci/run installs them)"
        );
        eprintln!("SKIPPED: chromium or chromedriver not found (apt-get install chromium chromium-driver)");
        return;
    };
    let server = common::start().await;
    let driver = start_driver(&chromedriver).await;
    let client = connect(&driver, &chromium).await;
    scenario(&server, &client).await;
    signing_in(&client).await;
    let _ = client.close().await;
}

async fn scenario(server: &Server, client: &Client) {
    let definition = approval_definition();
    let machine = server.create("order-approval", &definition).await;
    server
        .create(
            "nightly-report",
            &json!({"StartAt": "Only", "States": {"Only": {"Type": "Pass", "End": true}}}),
        )
        .await;

    // The list page loads and lists both machines.
    client.goto(&server.url("/")).await.expect("open the list");
    let names = client
        .execute("return [...document.querySelectorAll('#machines tbody tr td:first-child')].map(td => td.textContent.trim())", vec![])
        .await
        .expect("read the list");
    let mut names: Vec<String> = serde_json::from_value(names).expect("names");
    names.sort();
    assert_eq!(names, ["nightly-report", "order-approval"]);
    screenshot(client, "list").await;

    // A bad definition in the create form shows its fault at its path and creates nothing.
    click(client, "[data-target=create-form]").await;
    client
        .find(Locator::Id("machine-name"))
        .await
        .expect("name field")
        .send_keys("broken")
        .await
        .expect("type");
    client
        .execute(
            "document.getElementById('definition').value = arguments[0];",
            vec![json!(
                json!({"StartAt": "A", "States": {"A": {"Type": "Pass", "Next": "Nowhere"}}})
                    .to_string()
            )],
        )
        .await
        .expect("fill the definition");
    click(client, "#create-form button[type=submit]").await;
    let shown = wait_js(
        client,
        "return document.querySelector('[data-error-for=definition]').textContent",
        Duration::from_secs(10),
        |v| v.as_str().is_some_and(|t| !t.is_empty()),
    )
    .await;
    let shown = shown.as_str().unwrap_or_default();
    assert!(shown.contains("MISSING_TRANSITION_TARGET"), "{shown}");
    assert!(
        shown.contains("/States/A"),
        "the fault's path is shown: {shown}"
    );
    let listed = server.api("ListStateMachines", json!({})).await;
    assert_eq!(
        listed["stateMachines"].as_array().map(Vec::len),
        Some(2),
        "nothing was created"
    );
    screenshot(client, "create-invalid").await;

    // The machine's page: one node per state, one edge per transition.
    client
        .goto(&server.url(&format!("/state-machines/{}", seg(&machine))))
        .await
        .expect("open the machine");
    let counts = graph_counts(client).await;
    assert_eq!(
        counts,
        json!([
            count_states(&definition["States"]),
            expected_edges(&definition)
        ])
    );
    let drawn: Vec<String> = serde_json::from_value(
        client
            .execute(
                "return [...document.querySelectorAll('svg g.state')].map(g => g.dataset.state)",
                vec![],
            )
            .await
            .expect("names"),
    )
    .expect("names");
    for name in [
        "Prepare", "Route", "Hold", "Fanout", "Left", "Right", "Recover", "Each", "Double", "Done",
    ] {
        assert!(
            drawn.iter().any(|d| d == name),
            "{name} is drawn: {drawn:?}"
        );
    }
    screenshot(client, "machine").await;

    // Starting an execution from the page: invalid JSON is refused next to the field...
    click(client, "[data-target=start-form]").await;
    let input = client
        .find(Locator::Id("execution-input"))
        .await
        .expect("input field");
    input.clear().await.expect("clear");
    input.send_keys("{\"items\": [1, 2,").await.expect("type");
    click(client, "#start-form button[type=submit]").await;
    let error = wait_js(
        client,
        "return document.querySelector('#start-form [data-error-for=input]').textContent",
        Duration::from_secs(5),
        |v| v.as_str().is_some_and(|t| t.contains("Not valid JSON")),
    )
    .await;
    assert!(error.as_str().is_some_and(|t| t.contains("Not valid JSON")));
    let none = server
        .api("ListExecutions", json!({ "stateMachineArn": machine }))
        .await;
    assert_eq!(
        none["executions"].as_array().map(Vec::len),
        Some(0),
        "nothing was started"
    );

    // ... and valid input starts it and opens its page.
    input.clear().await.expect("clear");
    input
        .send_keys("{\"items\": [1, 2, 3], \"fast\": false}")
        .await
        .expect("type");
    click(client, "#start-form button[type=submit]").await;
    wait_js(
        client,
        "return location.pathname",
        Duration::from_secs(10),
        |v| v.as_str().is_some_and(|p| p.starts_with("/executions/")),
    )
    .await;
    // A marker that a reload would wipe.
    client
        .execute("window.__noReload = true;", vec![])
        .await
        .expect("set a marker");

    // The Wait state is in progress, then turns to succeeded without a reload.
    let waiting = wait_js(
        client,
        &format!("{STATE_STATUS}('Hold')"),
        Duration::from_secs(10),
        |v| v[0] == "in_progress",
    )
    .await;
    assert_eq!(waiting, json!(["in_progress", "In progress"]));
    screenshot(client, "execution-running").await;
    let done = wait_js(
        client,
        &format!("{STATE_STATUS}('Hold')"),
        Duration::from_secs(20),
        |v| v[0] == "succeeded",
    )
    .await;
    assert_eq!(done, json!(["succeeded", "Succeeded"]));
    wait_js(
        client,
        "return document.querySelector('#execution-status .badge').textContent",
        Duration::from_secs(10),
        |v| v == "Succeeded",
    )
    .await;
    let marker = client
        .execute("return window.__noReload === true", vec![])
        .await
        .expect("read the marker");
    assert_eq!(marker, json!(true), "the page was not reloaded");
    assert_eq!(state_status(client, "Done").await[0], "succeeded");
    assert_eq!(
        state_status(client, "Recover").await,
        json!(["not_reached", ""])
    );
    assert_eq!(
        state_status(client, "Double").await,
        json!(["succeeded", "Succeeded ×3"])
    );

    // Clicking a state shows its output.
    click(client, "svg g.state[data-state=Prepare] text.name").await;
    let output = wait_js(
        client,
        "return document.querySelector('#state-details [data-field=output]')?.textContent || ''",
        Duration::from_secs(5),
        |v| v.as_str().is_some_and(|t| t.contains("prepared")),
    )
    .await;
    assert!(
        output
            .as_str()
            .is_some_and(|t| t.contains("\"prepared\": true")),
        "{output}"
    );
    screenshot(client, "execution-done").await;

    // The timeline shows an earlier moment: at event 6 the Wait had just been entered
    // (1 ExecutionStarted, 2-3 Prepare, 4-5 Route, 6 Hold entered).
    client
        .execute(
            "const r = document.getElementById('timeline-range'); r.value = 6; r.dispatchEvent(new Event('input', { bubbles: true }));",
            vec![],
        )
        .await
        .expect("drag the timeline");
    let earlier = wait_js(
        client,
        &format!("{STATE_STATUS}('Hold')"),
        Duration::from_secs(5),
        |v| v[0] == "in_progress",
    )
    .await;
    assert_eq!(earlier, json!(["in_progress", "In progress"]));
    assert_eq!(state_status(client, "Done").await[0], "not_reached");
    assert_eq!(state_status(client, "Prepare").await[0], "succeeded");
    let caption = client
        .execute(
            "return document.getElementById('timeline-caption').textContent",
            vec![],
        )
        .await
        .expect("caption");
    assert!(
        caption
            .as_str()
            .is_some_and(|c| c.starts_with("Event 6 of")),
        "{caption}"
    );
    screenshot(client, "execution-timeline").await;

    // A long workflow (100 states) is drawn whole and opens legible, at natural size.
    let current = execution_arn(client).await;
    let long = hundred_states();
    let long_arn = server.create("hundred-states", &long).await;
    client
        .goto(&server.url(&format!("/state-machines/{}", seg(&long_arn))))
        .await
        .expect("open it");
    let counts = graph_counts(client).await;
    assert_eq!(counts, json!([100, expected_edges(&long)]));
    let scale = client
        .execute("const svg = document.querySelector('svg.workflow-graph'); return svg.getBoundingClientRect().width / svg.viewBox.baseVal.width", vec![])
        .await
        .expect("the zoom");
    assert!(
        scale.as_f64().is_some_and(|s| (0.9..1.1).contains(&s)),
        "opens at natural size: {scale}"
    );
    screenshot(client, "machine-100-states").await;
    client
        .goto(&server.url(&format!("/executions/{}", seg(&current))))
        .await
        .expect("back");

    // Back to live, then one Map iteration opened alone.
    click(client, "#timeline-live").await;
    wait_js(
        client,
        "return document.getElementById('timeline-caption').textContent",
        Duration::from_secs(5),
        |v| v.as_str().is_some_and(|t| t.ends_with("(live)")),
    )
    .await;
    assert_eq!(state_status(client, "Done").await[0], "succeeded");
    click(client, "#iteration-lists button[data-index='1']").await;
    wait_js(
        client,
        &format!("{STATE_STATUS}('Double')"),
        Duration::from_secs(5),
        |v| v[1] == "Succeeded",
    )
    .await;
}

/// With `[auth]`, a browser signs in with the server's key, works through the API from the
/// page (the script sends the session's anti-forgery token), and signs out. Run by
/// [`the_console_in_a_browser`] in its browser: one chromium at a time on a small machine.
async fn signing_in(client: &Client) {
    let keys = switchback_api::sigv4::Keys::new([("AKIABROWSER", "browser secret")]).expect("keys");
    let server = common::start_with(switchback_api::ApiConfig {
        auth: Some(std::sync::Arc::new(switchback_api::sessions::Auth::new(
            keys,
        ))),
        ..switchback_api::ApiConfig::default()
    })
    .await;
    sign_in_scenario(&server, client).await;
}

async fn sign_in_scenario(server: &Server, client: &Client) {
    let path = "return location.pathname";
    // The console sends an unsigned-in browser to the form.
    client
        .goto(&server.url("/"))
        .await
        .expect("open the console");
    wait_js(client, path, Duration::from_secs(10), |v| {
        v == "/console/login"
    })
    .await;
    screenshot(client, "login").await;
    for (id, text) in [
        ("access-key-id", "AKIABROWSER"),
        ("secret-access-key", "browser secret"),
    ] {
        client
            .find(Locator::Id(id))
            .await
            .unwrap_or_else(|e| panic!("find #{id}: {e}"))
            .send_keys(text)
            .await
            .expect("type");
    }
    click(client, "form button[type=submit]").await;
    wait_js(client, path, Duration::from_secs(10), |v| v == "/").await;
    // The session cookie is out of the script's reach; the anti-forgery token is not.
    let cookies = client
        .execute("return document.cookie", vec![])
        .await
        .expect("read the cookies");
    let cookies = cookies.as_str().unwrap_or_default();
    assert!(cookies.contains("switchback_csrf="), "{cookies}");
    assert!(!cookies.contains("switchback_session"), "{cookies}");

    // A YAML definition (converted by the server) creates a machine through the API.
    click(client, "[data-target=create-form]").await;
    client
        .find(Locator::Id("machine-name"))
        .await
        .expect("name field")
        .send_keys("signed-in")
        .await
        .expect("type");
    client
        .execute(
            "document.getElementById('definition').value = arguments[0];",
            vec![json!(
                "StartAt: A\nStates:\n  A:\n    Type: Pass\n    End: true\n"
            )],
        )
        .await
        .expect("fill the definition");
    click(client, "#create-form button[type=submit]").await;
    wait_js(client, path, Duration::from_secs(10), |v| {
        v.as_str()
            .is_some_and(|p| p.starts_with("/state-machines/"))
    })
    .await;
    screenshot(client, "signed-in-machine").await;

    // Sign out: back to the form, and the console is closed again.
    click(client, "[data-action=sign-out]").await;
    wait_js(client, path, Duration::from_secs(10), |v| {
        v == "/console/login"
    })
    .await;
    client
        .goto(&server.url("/"))
        .await
        .expect("open the console");
    wait_js(client, path, Duration::from_secs(10), |v| {
        v == "/console/login"
    })
    .await;
}

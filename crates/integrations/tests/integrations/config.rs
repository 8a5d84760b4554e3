//! Configuration mistakes are reported with the file and the field.

use switchback_integrations::{Integrations, IntegrationsConfig};

fn check(toml_text: &str) -> Result<Integrations, String> {
    let dir = tempfile::tempdir().unwrap();
    let config: IntegrationsConfig = toml::from_str(toml_text).map_err(|e| e.to_string())?;
    Integrations::new(config, dir.path().to_path_buf(), "switchback.toml".into())
        .map_err(|e| e.to_string())
}

#[track_caller]
fn error(toml_text: &str) -> String {
    match check(toml_text) {
        Ok(_) => panic!("accepted: {toml_text}"),
        Err(e) => e,
    }
}

#[test]
fn a_function_needs_exactly_one_of_command_and_url() {
    let neither = error("[functions.validate]\ntimeout_seconds = 5");
    assert!(
        neither.starts_with("switchback.toml: functions.validate: give either `command`"),
        "{neither}"
    );
    let both = error(
        "[functions.validate]\ncommand = [\"python3\", \"v.py\"]\nurl = \"http://127.0.0.1:3001\"",
    );
    assert!(
        both.starts_with("switchback.toml: functions.validate: give either `command`"),
        "{both}"
    );
}

#[test]
fn commands_urls_and_timeouts_are_checked() {
    let empty = error("[functions.f]\ncommand = []");
    assert!(
        empty.starts_with("switchback.toml: functions.f.command: is empty"),
        "{empty}"
    );
    let blank = error("[functions.f]\ncommand = [\"\"]");
    assert!(
        blank.starts_with("switchback.toml: functions.f.command: "),
        "{blank}"
    );
    let scheme = error("[functions.f]\nurl = \"ftp://127.0.0.1:3001\"");
    assert!(
        scheme.starts_with("switchback.toml: functions.f.url: "),
        "{scheme}"
    );
    assert!(scheme.contains("http://"), "{scheme}");
    let garbage = error("[functions.f]\nurl = \"not a url\"");
    assert!(
        garbage.starts_with("switchback.toml: functions.f.url: "),
        "{garbage}"
    );
    let endpoint = error("[lambda]\nendpoint = \"localhost:3001\"");
    assert!(
        endpoint.starts_with("switchback.toml: lambda.endpoint: "),
        "{endpoint}"
    );
    let zero = error("[functions.f]\ncommand = [\"x\"]\ntimeout_seconds = 0");
    assert!(
        zero.starts_with("switchback.toml: functions.f.timeout_seconds: must be at least 1"),
        "{zero}"
    );
    let long = error("[functions.f]\ncommand = [\"x\"]\ntimeout_seconds = 901");
    assert!(long.contains("at most 900"), "{long}");
    let cwd = error("[functions.f]\ncommand = [\"x\"]\ncwd = \"no/such/dir\"");
    assert!(
        cwd.starts_with("switchback.toml: functions.f.cwd: "),
        "{cwd}"
    );
    let env_for_url = error("[functions.f]\nurl = \"http://127.0.0.1:1\"\nenv = { A = \"b\" }");
    assert!(
        env_for_url.starts_with("switchback.toml: functions.f.env: "),
        "{env_for_url}"
    );
    let name = error("[functions.\"bad name\"]\ncommand = [\"x\"]");
    assert!(
        name.starts_with("switchback.toml: functions.\"bad name\": a function name"),
        "{name}"
    );
}

#[test]
fn connections_and_allowed_hosts_are_checked() {
    let two =
        error("[connections.c]\nbearer = \"t\"\napi_key = { name = \"x-api-key\", value = \"v\" }");
    assert!(
        two.starts_with("switchback.toml: connections.c: give at most one of"),
        "{two}"
    );
    let header = error("[connections.c]\nheaders = { \"bad header\" = \"v\" }");
    assert!(
        header.starts_with("switchback.toml: connections.c.headers.\"bad header\": "),
        "{header}"
    );
    let host = error("[http]\nallowed_hosts = [\"https://api.example.com\"]");
    assert!(
        host.starts_with("switchback.toml: http.allowed_hosts[0]: "),
        "{host}"
    );
    let port = error("[http]\nallowed_hosts = [\"localhost:8080\", \"localhost:http\"]");
    assert!(
        port.starts_with("switchback.toml: http.allowed_hosts[1]: ") && port.contains("port"),
        "{port}"
    );
    let private = error("[http]\nallow_private_addresses = \"yes\"");
    assert!(
        private.contains("allow_private_addresses") || private.contains("bool"),
        "{private}"
    );
}

#[test]
fn a_good_configuration_is_accepted_among_other_keys() {
    let accepted = check(
        r#"
        data_dir = ".switchback"
        [server]
        listen = "127.0.0.1:8083"
        [functions.validate]
        command = ["python3", "validate.py"]
        timeout_seconds = 30
        env = { STAGE = "dev" }
        [functions.charge]
        url = "http://127.0.0.1:3001"
        [lambda]
        endpoint = "https://lambda.internal:8443/"
        [connections.stripe]
        bearer = "sk_test"
        headers = { Stripe-Version = "2024-06-20" }
        [http]
        allowed_hosts = ["api.stripe.com", "*.internal", "localhost:8080", "[::1]:9000"]
        allow_private_addresses = false
        "#,
    );
    let integrations = accepted.expect("accepted");
    let debug = format!("{integrations:?}");
    assert!(
        debug.contains("validate") && debug.contains("stripe"),
        "{debug}"
    );
}

#[test]
fn a_misspelt_key_in_a_function_table_is_an_error() {
    let misspelt = error("[functions.f]\ncomand = [\"x\"]");
    assert!(misspelt.contains("comand"), "{misspelt}");
}

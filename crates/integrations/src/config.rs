//! The integrations' settings: what the user writes in `switchback.toml`, and the checked form
//! that the rest of the crate runs from.
//!
//! A state machine definition names functions and connections; only this configuration says
//! what they are. That is the security boundary of the crate: a definition can never make
//! Switchback run a command or send credentials that the configuration did not give. So every
//! check happens once, in [`Settings::check`], and a mistake is reported with the file and the
//! field (`switchback.toml: functions.validate: give either `command` or `url``), before any
//! execution runs.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;

use http::header::{HeaderName, HeaderValue};
use serde::Deserialize;

use crate::http_task::guard::{AddressPolicy, HostEntry};

/// How long a function may run when `timeout_seconds` is not given (seconds).
pub const DEFAULT_FUNCTION_TIMEOUT_SECONDS: u64 = 60;
/// The longest timeout Lambda allows (15 minutes), and so the longest Switchback accepts.
pub const MAX_FUNCTION_TIMEOUT_SECONDS: u64 = 900;
/// `[lambda] max_concurrency` when it is not given: this many local function processes per
/// core (`std::thread::available_parallelism`). Functions mostly wait (on I/O, on other
/// services), so a few per core keep the cores busy without letting a large `Map` fork
/// hundreds of interpreters at once.
pub const DEFAULT_FUNCTION_CONCURRENCY_PER_CORE: usize = 4;

/// Settings of the integrations, deserialised (serde) from the TOML config file's top level.
/// The file has other keys too; they are ignored here.
#[derive(Debug, Clone, Default, Deserialize)]
pub struct IntegrationsConfig {
    /// `[functions.NAME]` tables: how to run each function a definition may name.
    #[serde(default)]
    pub functions: BTreeMap<String, FunctionConfig>,
    /// `[lambda] endpoint = "http://127.0.0.1:3001"`: the Lambda Invoke API endpoint for every
    /// function not configured by name.
    #[serde(default)]
    pub lambda: LambdaConfig,
    /// `[connections.NAME]`: credentials and parameters for `http:invoke`
    /// `Authentication.ConnectionArn` (`arn:aws:events:REGION:ACCOUNT:connection/NAME/ID`).
    #[serde(default)]
    pub connections: BTreeMap<String, ConnectionConfig>,
    /// `[http]`: where `http:invoke` may go: `allowed_hosts = ["api.example.com",
    /// "localhost:8080"]`, an optional allow-list (empty or missing: every host), and
    /// `allow_private_addresses` (default `false`: loopback, private, link-local and metadata
    /// addresses are refused).
    #[serde(default)]
    pub http: HttpConfig,
    /// `[aws]`: whether and where Task states call AWS services (SQS, DynamoDB, EventBridge,
    /// ...). Off unless an endpoint is named or `enabled = true` (see [`AwsConfig`]).
    #[serde(default)]
    pub aws: AwsConfig,
}

/// `[aws]`: where calls to AWS services go. A definition alone never sends a request off the
/// machine: calls go out only when an endpoint is named (`endpoint_url` here or for the
/// service, or `AWS_ENDPOINT_URL[_SERVICE]`) or when `enabled = true` (AWS itself).
///
/// ```toml
/// [aws]
/// endpoint_url = "http://127.0.0.1:5000"     # every service: moto, LocalStack, ...
/// region = "eu-west-1"
/// profile = "dev"
/// response_headers = "aws"                   # SdkHttpMetadata: AWS's headers ("endpoint": all)
/// [aws.services.dynamodb]
/// endpoint_url = "http://127.0.0.1:8000"     # DynamoDB Local for this one
/// ```
///
/// The AWS variables win over this table, as the AWS SDKs' do over their config file:
/// `AWS_ENDPOINT_URL_<SERVICE>`, `AWS_ENDPOINT_URL`, `AWS_PROFILE`, `AWS_REGION` /
/// `AWS_DEFAULT_REGION`. Credentials come from the standard chain (environment, profiles,
/// SSO, `credential_process`, container and instance roles), never from this file.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AwsConfig {
    /// Call AWS (its public endpoints, or the ones named) even where no endpoint is named.
    #[serde(default)]
    pub enabled: bool,
    /// The profile of `~/.aws/config` and `~/.aws/credentials` to take credentials and the
    /// region from (`AWS_PROFILE` wins; default: `default`).
    pub profile: Option<String>,
    /// The region calls go to when the resource ARN names none (`AWS_REGION` wins; default:
    /// the profile's, else the execution's).
    pub region: Option<String>,
    /// The endpoint of every service, e.g. `http://127.0.0.1:4566` (`AWS_ENDPOINT_URL` wins).
    pub endpoint_url: Option<String>,
    /// Which headers of a service's answer `SdkHttpMetadata` lists: `"aws"` (the default),
    /// those AWS's endpoint for the service sends, leaving out the web-server and CORS headers
    /// an emulator adds (moto's `Server: Werkzeug/...`, `Access-Control-Allow-Origin`), so
    /// that outputs are the ones AWS would give; `"endpoint"`, every header as answered.
    pub response_headers: Option<String>,
    /// How often a `.sync` job (Glue, Batch, ECS, ...) is asked for its state, in seconds
    /// (default 5; at least 0.05).
    pub job_poll_seconds: Option<f64>,
    /// `[aws.services.NAME]`, NAME as in AWS's config files (`sqs`, `dynamodb`,
    /// `eventbridge`, `sns`, `s3`, ...): settings of one service.
    #[serde(default)]
    pub services: BTreeMap<String, AwsServiceConfig>,
}

/// `[aws.services.NAME]`: the settings of one AWS service.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AwsServiceConfig {
    /// This service's endpoint (`AWS_ENDPOINT_URL_<NAME>` wins).
    pub endpoint_url: Option<String>,
}

/// `[functions.NAME]`: either a local `command` or the `url` of a Lambda Invoke API endpoint.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FunctionConfig {
    /// The program and its arguments, e.g. `["python3", "validate.py"]`. One process runs per
    /// invocation: the event on stdin, the result on stdout. A program path with a `/` is
    /// relative to the config file's directory; a bare name is looked up on `PATH`.
    pub command: Option<Vec<String>>,
    /// A Lambda Invoke API endpoint (`sam local start-lambda`, the Lambda runtime interface
    /// emulator, ...): Switchback POSTs to `{url}/2015-03-31/functions/{NAME}/invocations`.
    pub url: Option<String>,
    /// How long one invocation may take, in seconds (default 60, at most 900).
    pub timeout_seconds: Option<u64>,
    /// Extra environment variables for a `command` (it also inherits Switchback's).
    #[serde(default)]
    pub env: BTreeMap<String, String>,
    /// The working directory of a `command` (relative to the config file's directory, which is
    /// also the default).
    pub cwd: Option<PathBuf>,
}

/// `[lambda]`: where functions that are not configured by name go.
#[derive(Debug, Clone, Default, Deserialize)]
pub struct LambdaConfig {
    /// The default Lambda Invoke API endpoint, e.g. `http://127.0.0.1:3001`.
    pub endpoint: Option<String>,
    /// The client timeout for calls to `endpoint`, in seconds (default 60, at most 900).
    pub timeout_seconds: Option<u64>,
    /// How many invocations of local `command` functions run at once, all functions together
    /// (default: [`DEFAULT_FUNCTION_CONCURRENCY_PER_CORE`] per core). Lambda's concurrency
    /// limit: past it an invocation waits for a slot, and one that waits longer than its
    /// function's `timeout_seconds` fails with `Lambda.TooManyRequestsException`. It lives in
    /// `[lambda]` because a key directly in `[functions]` would be read as a function's name.
    /// Functions behind a `url` are limited by their own server, not by this.
    pub max_concurrency: Option<u64>,
}

/// `[connections.NAME]`: what an EventBridge connection would add to an HTTP Task's request.
/// At most one of `basic`, `bearer` and `api_key`.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ConnectionConfig {
    /// Headers to add (they win over the task's headers of the same name, as on AWS).
    #[serde(default)]
    pub headers: BTreeMap<String, String>,
    /// Query parameters to add (they win over the task's `QueryParameters`).
    #[serde(default)]
    pub query: BTreeMap<String, String>,
    /// Body parameters to merge into a JSON object `RequestBody` (they win, as on AWS).
    #[serde(default)]
    pub body: BTreeMap<String, String>,
    /// HTTP basic authentication (`Authorization: Basic ...`).
    pub basic: Option<BasicAuth>,
    /// A bearer token (`Authorization: Bearer TOKEN`), e.g. an OAuth access token.
    pub bearer: Option<String>,
    /// An API key sent as a header (`name: value`).
    pub api_key: Option<ApiKey>,
}

/// `basic = { username = "...", password = "..." }`
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct BasicAuth {
    pub username: String,
    pub password: String,
}

/// `api_key = { name = "x-api-key", value = "..." }`
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ApiKey {
    pub name: String,
    pub value: String,
}

/// `[http]`: limits on `http:invoke` (see the HTTP Task's address guard for why).
#[derive(Debug, Clone, Default, Deserialize)]
pub struct HttpConfig {
    /// Hosts an HTTP Task may call, each optionally with a port: `"api.example.com"`,
    /// `"*.example.com"` (its subdomains), `"localhost:8080"`, `"127.0.0.1:9000"`, `"[::1]:8080"`.
    /// Empty: any host. An exact (non-wildcard) entry is also reachable when it resolves to a
    /// private, loopback or metadata address: the user named it.
    #[serde(default)]
    pub allowed_hosts: Vec<String>,
    /// Let HTTP Tasks call loopback, private (RFC 1918, IPv6 ULA), link-local, CGNAT and other
    /// non-public addresses (default `false`). Cloud metadata addresses (`169.254.169.254`,
    /// `fd00:ec2::254`, ...) stay refused unless an `allowed_hosts` entry names them.
    #[serde(default)]
    pub allow_private_addresses: bool,
}

/// A mistake in the configuration, with the file and the field it is in.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{file}: {field}: {problem}")]
pub struct ConfigError {
    /// The config file's name as the user knows it (e.g. `switchback.toml`).
    pub file: String,
    /// The field, as a dotted TOML path (e.g. `functions.validate.command`).
    pub field: String,
    /// What is wrong and what to write instead.
    pub problem: String,
}

/// The checked configuration.
#[derive(Debug, Clone)]
pub(crate) struct Settings {
    /// The config file's name, for messages.
    pub file: String,
    pub functions: BTreeMap<String, Function>,
    /// The `[lambda] endpoint`, if any.
    pub default_endpoint: Option<Endpoint>,
    pub connections: BTreeMap<String, Connection>,
    /// Where HTTP Tasks may connect (`[http]`).
    pub http: Arc<AddressPolicy>,
    /// `[lambda] max_concurrency`, or its default.
    pub max_concurrency: usize,
    /// `[aws]` and the AWS variables, checked.
    pub aws: Arc<crate::aws::AwsSettings>,
}

/// One configured function.
#[derive(Debug, Clone)]
pub(crate) enum Function {
    Command(CommandFunction),
    Url(Endpoint),
}

/// A function run as a local process.
#[derive(Debug, Clone)]
pub(crate) struct CommandFunction {
    /// The program, resolved against the config directory when it is a path.
    pub program: PathBuf,
    pub args: Vec<String>,
    /// The command as written, for messages.
    pub display: String,
    pub cwd: PathBuf,
    pub env: Vec<(String, String)>,
    pub timeout: Duration,
    /// `functions.NAME.command`, for messages.
    pub field: String,
}

/// A Lambda Invoke API endpoint.
#[derive(Debug, Clone)]
pub(crate) struct Endpoint {
    /// The base URL without a trailing `/`.
    pub base: String,
    pub timeout: Duration,
    /// `functions.NAME.url` or `lambda.endpoint`, for messages.
    pub field: String,
}

/// A connection's additions to a request, checked.
#[derive(Debug, Clone, Default)]
pub(crate) struct Connection {
    pub headers: Vec<(HeaderName, HeaderValue)>,
    pub query: Vec<(String, String)>,
    pub body: Vec<(String, String)>,
}

impl Settings {
    /// Checks `config` and resolves paths against `base_dir`.
    pub fn check(
        config: IntegrationsConfig,
        base_dir: &Path,
        file: &str,
    ) -> Result<Settings, ConfigError> {
        let error = |field: String, problem: String| ConfigError {
            file: file.to_string(),
            field,
            problem,
        };
        let mut functions = BTreeMap::new();
        for (name, function) in config.functions {
            let field = format!("functions.{}", toml_key(&name));
            if !is_function_name(&name) {
                return Err(error(
                    field,
                    "a function name is 1 to 64 letters, digits, hyphens and underscores, as in Lambda".into(),
                ));
            }
            let timeout = timeout(function.timeout_seconds)
                .map_err(|problem| error(format!("{field}.timeout_seconds"), problem))?;
            let checked = match (function.command, function.url) {
                (Some(command), None) => Function::Command(
                    check_command(
                        command,
                        function.env,
                        function.cwd,
                        timeout,
                        base_dir,
                        &field,
                    )
                    .map_err(|(sub, problem)| error(format!("{field}{sub}"), problem))?,
                ),
                (None, Some(url)) => {
                    if !function.env.is_empty() {
                        return Err(error(
                            format!("{field}.env"),
                            "`env` applies to a `command` only; a `url` function runs in its own server".into(),
                        ));
                    }
                    if function.cwd.is_some() {
                        return Err(error(
                            format!("{field}.cwd"),
                            "`cwd` applies to a `command` only; a `url` function runs in its own server".into(),
                        ));
                    }
                    let url_field = format!("{field}.url");
                    let base =
                        check_url(&url).map_err(|problem| error(url_field.clone(), problem))?;
                    Function::Url(Endpoint {
                        base,
                        timeout,
                        field: url_field,
                    })
                }
                (None, None) | (Some(_), Some(_)) => {
                    return Err(error(
                        field,
                        "give either `command` (a program to run, e.g. [\"python3\", \"handler.py\"]) or `url` (a Lambda Invoke API endpoint, e.g. \"http://127.0.0.1:3001\")".into(),
                    ));
                }
            };
            functions.insert(name, checked);
        }

        let default_endpoint = match config.lambda.endpoint {
            Some(url) => {
                let base =
                    check_url(&url).map_err(|problem| error("lambda.endpoint".into(), problem))?;
                let timeout = timeout(config.lambda.timeout_seconds)
                    .map_err(|problem| error("lambda.timeout_seconds".into(), problem))?;
                Some(Endpoint {
                    base,
                    timeout,
                    field: "lambda.endpoint".into(),
                })
            }
            None => None,
        };

        let max_concurrency = match config.lambda.max_concurrency {
            None => {
                DEFAULT_FUNCTION_CONCURRENCY_PER_CORE
                    * std::thread::available_parallelism().map_or(1, |n| n.get())
            }
            Some(n) => match usize::try_from(n) {
                Ok(n) if (1..=tokio::sync::Semaphore::MAX_PERMITS).contains(&n) => n,
                _ => {
                    return Err(error(
                        "lambda.max_concurrency".into(),
                        format!(
                            "is how many invocations of local functions run at once: a number from 1 to {}, not {n}",
                            tokio::sync::Semaphore::MAX_PERMITS
                        ),
                    ))
                }
            },
        };

        let mut connections = BTreeMap::new();
        for (name, connection) in config.connections {
            let field = format!("connections.{}", toml_key(&name));
            let checked = check_connection(connection)
                .map_err(|(sub, problem)| error(format!("{field}{sub}"), problem))?;
            connections.insert(name, checked);
        }

        let mut allowed_hosts = Vec::new();
        for (i, host) in config.http.allowed_hosts.iter().enumerate() {
            let entry = HostEntry::parse(host)
                .map_err(|problem| error(format!("http.allowed_hosts[{i}]"), problem))?;
            allowed_hosts.push(entry);
        }
        let http = Arc::new(AddressPolicy {
            allowed_hosts,
            allow_private: config.http.allow_private_addresses,
            file: file.to_string(),
        });

        let aws = crate::aws::AwsSettings::check(
            config.aws,
            &|name| std::env::var(name).ok(),
            &aws_types::os_shim_internal::Fs::real(),
        )
        .map_err(|(field, problem)| error(field, problem))?;

        Ok(Settings {
            file: file.to_string(),
            functions,
            default_endpoint,
            connections,
            http,
            max_concurrency,
            aws: Arc::new(aws),
        })
    }
}

/// A TOML key as it would be written in a dotted path.
fn toml_key(key: &str) -> String {
    if !key.is_empty()
        && key
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_')
    {
        key.to_string()
    } else {
        format!("{key:?}")
    }
}

/// Lambda's function names: `[a-zA-Z0-9-_]{1,64}`.
pub(crate) fn is_function_name(name: &str) -> bool {
    (1..=64).contains(&name.len())
        && name
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_')
}

fn timeout(seconds: Option<u64>) -> Result<Duration, String> {
    match seconds {
        None => Ok(Duration::from_secs(DEFAULT_FUNCTION_TIMEOUT_SECONDS)),
        Some(0) => Err("must be at least 1 (seconds)".into()),
        Some(s) if s > MAX_FUNCTION_TIMEOUT_SECONDS => Err(format!(
            "must be at most {MAX_FUNCTION_TIMEOUT_SECONDS} (seconds, Lambda's limit)"
        )),
        Some(s) => Ok(Duration::from_secs(s)),
    }
}

fn check_command(
    command: Vec<String>,
    env: BTreeMap<String, String>,
    cwd: Option<PathBuf>,
    timeout: Duration,
    base_dir: &Path,
    field: &str,
) -> Result<CommandFunction, (String, String)> {
    let Some((program, args)) = command.split_first() else {
        return Err((
            ".command".into(),
            "is empty: give the program and its arguments, e.g. [\"python3\", \"handler.py\"]"
                .into(),
        ));
    };
    if program.trim().is_empty() {
        return Err((
            ".command".into(),
            "the first element must name the program to run".into(),
        ));
    }
    if command.iter().any(|arg| arg.contains('\0')) {
        return Err((
            ".command".into(),
            "an argument contains a NUL character".into(),
        ));
    }
    let program_path = Path::new(program);
    let is_path = program.contains('/') || program.contains(std::path::MAIN_SEPARATOR);
    let program = if is_path && !program_path.is_absolute() {
        // `./x` and `x/y` are relative to the config file's directory.
        program_path
            .components()
            .filter(|c| !matches!(c, std::path::Component::CurDir))
            .fold(base_dir.to_path_buf(), |path, c| path.join(c))
    } else {
        program_path.to_path_buf()
    };
    let cwd = match cwd {
        None => base_dir.to_path_buf(),
        Some(dir) => {
            let dir = base_dir.join(dir);
            if !dir.is_dir() {
                return Err((
                    ".cwd".into(),
                    format!("{} is not a directory", dir.display()),
                ));
            }
            dir
        }
    };
    let mut env_list = Vec::new();
    for (key, value) in env {
        if key.is_empty() || key.contains(['=', '\0']) || value.contains('\0') {
            return Err((
                format!(".env.{}", toml_key(&key)),
                "an environment variable's name must be non-empty without `=`, and neither name nor value may contain NUL".into(),
            ));
        }
        env_list.push((key, value));
    }
    Ok(CommandFunction {
        program,
        args: args.to_vec(),
        display: command.join(" "),
        cwd,
        env: env_list,
        timeout,
        field: format!("{field}.command"),
    })
}

/// Checks a Lambda Invoke API base URL and returns it without a trailing `/`.
pub(crate) fn check_url(url: &str) -> Result<String, String> {
    let trimmed = url.trim().trim_end_matches('/');
    let uri: http::Uri = trimmed
        .parse()
        .map_err(|e| format!("{url:?} is not a URL ({e}); write e.g. \"http://127.0.0.1:3001\""))?;
    match uri.scheme_str() {
        Some("http") | Some("https") => {}
        _ => {
            return Err(format!(
                "{url:?} must start with http:// or https://, e.g. \"http://127.0.0.1:3001\""
            ))
        }
    }
    if uri.host().is_none_or(str::is_empty) {
        return Err(format!(
            "{url:?} has no host; write e.g. \"http://127.0.0.1:3001\""
        ));
    }
    if uri.query().is_some() {
        return Err(format!(
            "{url:?} has a query string; give the endpoint's base URL only"
        ));
    }
    Ok(trimmed.to_string())
}

fn check_connection(connection: ConnectionConfig) -> Result<Connection, (String, String)> {
    let schemes = [
        connection.basic.is_some(),
        connection.bearer.is_some(),
        connection.api_key.is_some(),
    ];
    if schemes.iter().filter(|s| **s).count() > 1 {
        return Err((
            String::new(),
            "give at most one of `basic`, `bearer` and `api_key`".into(),
        ));
    }
    let mut headers = Vec::new();
    for (name, value) in &connection.headers {
        headers.push(header(name, value).map_err(|p| (format!(".headers.{}", toml_key(name)), p))?);
    }
    if let Some(basic) = &connection.basic {
        use base64::Engine as _;
        let token = base64::engine::general_purpose::STANDARD
            .encode(format!("{}:{}", basic.username, basic.password));
        headers.push(
            header("Authorization", &format!("Basic {token}"))
                .map_err(|p| (".basic".to_string(), p))?,
        );
    }
    if let Some(token) = &connection.bearer {
        if token.trim().is_empty() {
            return Err((".bearer".into(), "the token is empty".into()));
        }
        headers.push(
            header("Authorization", &format!("Bearer {}", token.trim()))
                .map_err(|p| (".bearer".to_string(), p))?,
        );
    }
    if let Some(key) = &connection.api_key {
        headers.push(header(&key.name, &key.value).map_err(|p| (".api_key".to_string(), p))?);
    }
    Ok(Connection {
        headers,
        query: connection.query.into_iter().collect(),
        body: connection.body.into_iter().collect(),
    })
}

fn header(name: &str, value: &str) -> Result<(HeaderName, HeaderValue), String> {
    let header_name = HeaderName::from_bytes(name.as_bytes())
        .map_err(|_| format!("{name:?} is not a valid HTTP header name"))?;
    let header_value = HeaderValue::from_str(value)
        .map_err(|_| format!("the value of header {name:?} is not a valid HTTP header value"))?;
    Ok((header_name, header_value))
}

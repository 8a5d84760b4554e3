//! `arn:aws:states:::apigateway:invoke` (and `.waitForTaskToken`): a call of an API that API
//! Gateway serves, as Step Functions makes it (AWS's documentation, "Create API Gateway REST
//! APIs with Step Functions"):
//!
//! - parameters `ApiEndpoint` (the host, `<api id>.execute-api.<region>.amazonaws.com`),
//!   `Method` (GET, POST, PUT, DELETE, PATCH, HEAD, OPTIONS), and optionally `Stage`, `Path`,
//!   `Headers` and `QueryParameters` (each name with a list of values), `RequestBody` (JSON,
//!   sent as its text, or a string), `AllowNullValues` (keep `null` members of a JSON body;
//!   dropped by default) and `AuthType` (`NO_AUTH`, the default; `IAM_ROLE` and
//!   `RESOURCE_POLICY` sign the request with SigV4 for `execute-api`);
//! - the headers AWS does not let a definition set (`Authorization`, `Host`, `X-Amz*`, ...)
//!   fail the task;
//! - the result is `{ResponseBody, Headers, StatusCode, StatusText}`, the body as JSON when the
//!   answer says it is JSON, else as text;
//! - a status outside 2XX fails the task with `ApiGateway.<status>` and the body as the cause;
//!   no answer at all is `ApiGateway.SdkClientException`.
//!
//! Where the call goes is the configuration's, as for every AWS call ([`super::settings`]): an
//! endpoint named for `execute_api` (or every service) receives it, as
//! `<endpoint>/<Stage>/<Path>`, or, when the URL holds `{api_id}`, `{stage}` or `{region}`,
//! at that URL with those filled in and the path appended (LocalStack:
//! `http://localhost:4566/_aws/execute-api/{api_id}/{stage}`). With `[aws] enabled = true` it
//! goes to the `ApiEndpoint` itself over HTTPS, and only to an API Gateway host: a definition
//! cannot point it anywhere else.

use bytes::Bytes;
use http::header::{HeaderName, HeaderValue, CONTENT_TYPE, HOST};
use http::{Method, Request};
use http_body_util::Full;
use percent_encoding::{utf8_percent_encode, AsciiSet};
use serde_json::{Map, Value};
use switchback_engine::task::{IntegrationPattern, ServiceIntegration, TaskOutcome, TaskRequest};

use super::json_protocol::{exchange, host_of, NoAnswer};
use super::query_protocol::FORM_SET;
use super::services::{Protocol, Service};
use super::signing::{sign_request, SigningStyle};
use crate::function::result::aws_header_name;
use crate::Shared;

/// The APIs API Gateway serves, as the settings know them: `[aws.services.execute_api]`,
/// `AWS_ENDPOINT_URL_EXECUTE_API`, SigV4's `execute-api`.
pub(crate) static EXECUTE_API: Service = Service {
    key: "execute_api",
    endpoint_prefix: "execute-api",
    signing_name: "execute-api",
    // Not used: the call is plain HTTP.
    protocol: Protocol::AwsQuery { version: "" },
    error_prefix: "ApiGateway",
    sdk_name: "AmazonApiGateway",
    base_exception: "",
    modeled: &[],
    http_metadata: false,
    header_spellings: &[],
    server_header: false,
};

/// The methods AWS accepts for `Method`.
const METHODS: [&str; 7] = ["GET", "POST", "PUT", "DELETE", "PATCH", "HEAD", "OPTIONS"];

/// Characters of a path segment left as they are: the unreserved ones and `/`.
const PATH_SET: &AsciiSet = &FORM_SET.remove(b'/');

/// Whether `service` is `apigateway:invoke`.
pub(crate) fn is_invoke(service: &ServiceIntegration) -> bool {
    &*service.resource_type == "apigateway" && service.action == "invoke"
}

/// How the request is authenticated (`AuthType`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum AuthType {
    NoAuth,
    /// `IAM_ROLE` or `RESOURCE_POLICY`: signed with SigV4.
    Signed,
}

/// The call the parameters describe.
#[derive(Debug)]
struct Call {
    api_endpoint: String,
    method: Method,
    stage: Option<String>,
    path: String,
    headers: Vec<(HeaderName, HeaderValue)>,
    query: Vec<(String, String)>,
    body: Option<(Bytes, Option<&'static str>)>,
    auth: AuthType,
}

/// Calls `apigateway:invoke` for `request`.
pub(crate) async fn call(shared: &Shared, request: &TaskRequest) -> TaskOutcome {
    let pattern = request.pattern();
    if matches!(pattern, IntegrationPattern::Sync { .. }) {
        return TaskOutcome::Failed {
            error: "States.TaskFailed".into(),
            cause: format!(
                "The task '{}' asks for {} with the .sync pattern, which AWS does not offer for it.",
                request.state_name, request.resource
            ),
        };
    }
    let settings = &*shared.settings.aws;
    if !settings.reaches(&EXECUTE_API) {
        return crate::unsupported::not_configured(request, EXECUTE_API.key, &shared.settings.file);
    }
    let runtime = |problem: String| TaskOutcome::Failed {
        error: "States.Runtime".into(),
        cause: format!("The task '{}': {problem}", request.state_name),
    };
    let call = match Call::read(&request.input) {
        Ok(call) => call,
        Err(problem) => return runtime(problem),
    };
    let url = match destination(settings, &call) {
        Ok(url) => url,
        Err(problem) => return runtime(problem),
    };
    let client = match shared.client() {
        Ok(client) => client,
        Err(problem) => return super::errors::no_answer(&EXECUTE_API, problem),
    };
    let (mut prepared, body) = match call.request(&url) {
        Ok(prepared) => prepared,
        Err(problem) => return runtime(problem),
    };
    if call.auth == AuthType::Signed {
        if let Err(outcome) = sign(shared, request, &call, &mut prepared, &body).await {
            return outcome;
        }
    }
    match exchange(client, prepared.map(|()| Full::new(body)), &url).await {
        Ok(answer) if answer.status.is_success() => TaskOutcome::Succeeded(result(&answer)),
        Ok(answer) => TaskOutcome::Failed {
            error: format!("ApiGateway.{}", answer.status.as_u16()),
            cause: String::from_utf8_lossy(&answer.body).into_owned(),
        },
        Err(NoAnswer::Request(problem) | NoAnswer::Transport(problem)) => {
            super::errors::no_answer(&EXECUTE_API, &problem)
        }
    }
}

/// Where the call goes: the configured endpoint, else (AWS enabled) the `ApiEndpoint` itself,
/// only if it is an API Gateway host.
fn destination(settings: &super::AwsSettings, call: &Call) -> Result<http::Uri, String> {
    let host_region = region_of_host(&call.api_endpoint);
    let url = match (settings.named(&EXECUTE_API), host_region) {
        (Some(named), _) => call.url_at(&named.url.to_string(), host_region.unwrap_or_default()),
        (None, Some(_)) => call.url_on_aws(),
        (None, None) => {
            return Err(format!(
                "ApiEndpoint {:?} is not an API Gateway host (<api id>.execute-api.<region>.amazonaws.com); Switchback calls no other host on AWS",
                call.api_endpoint
            ))
        }
    };
    url.parse().map_err(|e| format!("{url}: {e}"))
}

/// Signs `prepared` for `execute-api` in the API's region (its host's, else as for any call),
/// or says how the task ends.
async fn sign(
    shared: &Shared,
    request: &TaskRequest,
    call: &Call,
    prepared: &mut Request<()>,
    body: &Bytes,
) -> Result<(), TaskOutcome> {
    let settings = &*shared.settings.aws;
    let credentials = shared
        .aws
        .credentials
        .get(settings)
        .await
        .map_err(|problem| TaskOutcome::Failed {
            error: "ApiGateway.SdkClientException".into(),
            cause: super::no_credentials(
                "Unable to load AWS credentials from any provider in the chain",
                &problem,
                &shared.settings.file,
            ),
        })?;
    let region = match region_of_host(&call.api_endpoint) {
        Some(region) => region.to_string(),
        None => {
            let written = request.resource.service().map_or("", |s| &*s.region);
            super::region_for(shared, written, super::execution_arn_of(request)).await
        }
    };
    sign_request(
        prepared,
        body,
        &credentials,
        EXECUTE_API.signing_name,
        &region,
        SigningStyle::Standard,
    )
    .map_err(|problem| TaskOutcome::Failed {
        error: "States.Runtime".into(),
        cause: format!("The task '{}': {problem}", request.state_name),
    })
}

/// `{ResponseBody, Headers, StatusCode, StatusText}` of a 2XX answer.
fn result(answer: &super::json_protocol::Answer) -> Value {
    let mut headers = Map::new();
    for (name, value) in &answer.headers {
        let Ok(value) = value.to_str() else { continue };
        let entry = headers
            .entry(aws_header_name(name.as_str()))
            .or_insert_with(|| Value::Array(Vec::new()));
        if let Value::Array(values) = entry {
            values.push(Value::String(value.to_string()));
        }
    }
    let is_json = answer
        .headers
        .get(CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_none_or(|t| t.to_ascii_lowercase().contains("json"));
    let text = String::from_utf8_lossy(&answer.body);
    let body = if is_json {
        serde_json::from_slice(&answer.body).unwrap_or_else(|_| Value::String(text.into_owned()))
    } else {
        Value::String(text.into_owned())
    };
    serde_json::json!({
        "ResponseBody": body,
        "Headers": headers,
        "StatusCode": answer.status.as_u16(),
        "StatusText": answer.status.canonical_reason().unwrap_or(""),
    })
}

/// The region of an API Gateway host (`<id>.execute-api.<region>.amazonaws.com[.cn]`).
fn region_of_host(host: &str) -> Option<&str> {
    let rest = host
        .strip_suffix(".amazonaws.com")
        .or_else(|| host.strip_suffix(".amazonaws.com.cn"))?;
    let (id, rest) = rest.split_once(".execute-api.")?;
    let valid_id = !id.is_empty()
        && id
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit());
    let valid_region = !rest.is_empty()
        && rest
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-');
    (valid_id && valid_region).then_some(rest)
}

/// Whether AWS lets a definition set the header `name`.
fn header_allowed(name: &str) -> bool {
    let lower = name.to_ascii_lowercase();
    let forbidden = [
        "authorization",
        "connection",
        "content-md5",
        "expect",
        "host",
        "max-forwards",
        "proxy-authenticate",
        "server",
        "te",
        "transfer-encoding",
        "trailer",
        "upgrade",
        "via",
        "www-authenticate",
    ];
    !(forbidden.contains(&lower.as_str())
        || lower.starts_with("x-forwarded")
        || lower.starts_with("x-amz"))
}

/// The values of a `Headers` or `QueryParameters` member: a list of strings (a lone string is
/// taken as a list of one).
fn values_of(field: &str, name: &str, value: &Value) -> Result<Vec<String>, String> {
    let text = |v: &Value| match v {
        Value::String(s) => Ok(s.clone()),
        Value::Number(n) => Ok(n.to_string()),
        Value::Bool(b) => Ok(b.to_string()),
        _ => Err(format!("{field}.{name} must be a list of strings, not {v}")),
    };
    match value {
        Value::Array(values) => values.iter().map(text).collect(),
        other => Ok(vec![text(other)?]),
    }
}

/// A JSON body without its `null` members (AWS's default, unless `AllowNullValues`).
fn without_nulls(value: &Value) -> Value {
    match value {
        Value::Object(members) => Value::Object(
            members
                .iter()
                .filter(|(_, v)| !v.is_null())
                .map(|(k, v)| (k.clone(), without_nulls(v)))
                .collect(),
        ),
        Value::Array(items) => Value::Array(items.iter().map(without_nulls).collect()),
        other => other.clone(),
    }
}

impl Call {
    /// Reads and checks the task's parameters.
    fn read(input: &Value) -> Result<Call, String> {
        let Value::Object(parameters) = input else {
            return Err("the parameters must be an object with ApiEndpoint and Method".into());
        };
        let string = |name: &str| -> Result<Option<String>, String> {
            match parameters.get(name) {
                None | Some(Value::Null) => Ok(None),
                Some(Value::String(s)) => Ok(Some(s.clone())),
                Some(other) => Err(format!("{name} must be a string, not {other}")),
            }
        };
        for name in parameters.keys() {
            if !matches!(
                name.as_str(),
                "ApiEndpoint"
                    | "Method"
                    | "Headers"
                    | "Stage"
                    | "Path"
                    | "QueryParameters"
                    | "RequestBody"
                    | "AuthType"
                    | "AllowNullValues"
            ) {
                return Err(format!(
                    "{name} is not a parameter of apigateway:invoke (ApiEndpoint, Method, Headers, Stage, Path, QueryParameters, RequestBody, AllowNullValues, AuthType)"
                ));
            }
        }
        let api_endpoint = string("ApiEndpoint")?.ok_or("ApiEndpoint is required")?;
        if api_endpoint.is_empty()
            || api_endpoint.contains("://")
            || api_endpoint.contains('/')
            || api_endpoint.contains(char::is_whitespace)
        {
            return Err(format!(
                "ApiEndpoint {api_endpoint:?} must be a host name, such as abc123.execute-api.us-east-1.amazonaws.com"
            ));
        }
        let method_text = string("Method")?.ok_or("Method is required")?;
        if !METHODS.contains(&method_text.as_str()) {
            return Err(format!(
                "Method {method_text:?} is not one of {}",
                METHODS.join(", ")
            ));
        }
        let method = Method::from_bytes(method_text.as_bytes()).map_err(|e| e.to_string())?;
        let auth = match string("AuthType")?.as_deref() {
            None | Some("NO_AUTH") => AuthType::NoAuth,
            Some("IAM_ROLE" | "RESOURCE_POLICY") => AuthType::Signed,
            Some(other) => {
                return Err(format!(
                    "AuthType {other:?} is not one of NO_AUTH, IAM_ROLE, RESOURCE_POLICY"
                ))
            }
        };
        let allow_nulls = match parameters.get("AllowNullValues") {
            None | Some(Value::Null) => false,
            Some(Value::Bool(b)) => *b,
            Some(other) => {
                return Err(format!(
                    "AllowNullValues must be true or false, not {other}"
                ))
            }
        };
        let pairs = |field: &str| -> Result<Vec<(String, String)>, String> {
            match parameters.get(field) {
                None | Some(Value::Null) => Ok(Vec::new()),
                Some(Value::Object(members)) => {
                    let mut pairs = Vec::new();
                    for (name, value) in members {
                        for v in values_of(field, name, value)? {
                            pairs.push((name.clone(), v));
                        }
                    }
                    Ok(pairs)
                }
                Some(other) => Err(format!(
                    "{field} must be an object of lists of strings, not {other}"
                )),
            }
        };
        let mut headers = Vec::new();
        for (name, value) in pairs("Headers")? {
            if !header_allowed(&name) {
                return Err(format!(
                    "the header {name} cannot be set: AWS does not allow Authorization, Host, Connection, X-Amz*, X-Forwarded* and other headers of the connection"
                ));
            }
            let header = HeaderName::from_bytes(name.as_bytes())
                .map_err(|e| format!("the header {name:?}: {e}"))?;
            let value = HeaderValue::from_str(&value)
                .map_err(|e| format!("the header {name}'s value: {e}"))?;
            headers.push((header, value));
        }
        let body = match parameters.get("RequestBody") {
            None | Some(Value::Null) => None,
            Some(Value::String(text)) => Some((Bytes::from(text.clone().into_bytes()), None)),
            Some(json) => {
                let json = if allow_nulls {
                    json.clone()
                } else {
                    without_nulls(json)
                };
                let text = serde_json::to_vec(&json).map_err(|e| e.to_string())?;
                Some((Bytes::from(text), Some("application/json")))
            }
        };
        Ok(Call {
            api_endpoint,
            method,
            stage: string("Stage")?.filter(|s| !s.is_empty()),
            path: string("Path")?.unwrap_or_default(),
            headers,
            query: pairs("QueryParameters")?,
            body,
            auth,
        })
    }

    /// `/<Stage>/<Path>?<QueryParameters>` (the stage left out when there is none).
    fn path_and_query(&self, with_stage: bool) -> String {
        let mut out = String::new();
        if with_stage {
            if let Some(stage) = &self.stage {
                out.push('/');
                out.extend(utf8_percent_encode(stage, FORM_SET));
            }
        }
        let path = self.path.trim_start_matches('/');
        if !path.is_empty() {
            out.push('/');
            out.extend(utf8_percent_encode(path, PATH_SET));
        }
        if out.is_empty() {
            out.push('/');
        }
        for (i, (name, value)) in self.query.iter().enumerate() {
            out.push(if i == 0 { '?' } else { '&' });
            out.extend(utf8_percent_encode(name, FORM_SET));
            out.push('=');
            out.extend(utf8_percent_encode(value, FORM_SET));
        }
        out
    }

    /// The URL on AWS: `https://<ApiEndpoint>/<Stage>/<Path>?...`.
    fn url_on_aws(&self) -> String {
        format!("https://{}{}", self.api_endpoint, self.path_and_query(true))
    }

    /// The URL at a configured endpoint: a template with `{api_id}`, `{stage}` or `{region}`,
    /// or a base that takes the AWS layout.
    fn url_at(&self, endpoint: &str, region: &str) -> String {
        let base = endpoint.trim_end_matches('/');
        let is_template = ["{api_id}", "{stage}", "{region}"]
            .iter()
            .any(|p| base.contains(p));
        if !is_template {
            return format!("{base}{}", self.path_and_query(true));
        }
        let api_id = self
            .api_endpoint
            .split('.')
            .next()
            .unwrap_or(&self.api_endpoint);
        let stage = self.stage.as_deref().unwrap_or("$default");
        let filled = base
            .replace("{api_id}", api_id)
            .replace("{stage}", &utf8_percent_encode(stage, FORM_SET).to_string())
            .replace("{region}", region);
        format!("{filled}{}", self.path_and_query(false))
    }

    /// The request, ready to be signed, and its body.
    fn request(&self, url: &http::Uri) -> Result<(Request<()>, Bytes), String> {
        let host = host_of(url).ok_or_else(|| format!("the URL {url} has no host"))?;
        let mut builder = Request::builder()
            .method(self.method.clone())
            .uri(url.clone())
            .header(HOST, host);
        for (name, value) in &self.headers {
            builder = builder.header(name, value);
        }
        let body = match &self.body {
            Some((body, content_type)) => {
                let has_type = self.headers.iter().any(|(n, _)| n == CONTENT_TYPE);
                if let (Some(content_type), false) = (content_type, has_type) {
                    builder = builder.header(CONTENT_TYPE, *content_type);
                }
                body.clone()
            }
            None => Bytes::new(),
        };
        let request = builder
            .body(())
            .map_err(|e| format!("could not make the request: {e}"))?;
        Ok((request, body))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn call(parameters: Value) -> Call {
        Call::read(&parameters).unwrap()
    }

    #[test]
    fn urls_on_aws_and_at_endpoints() {
        let c = call(json!({
            "ApiEndpoint": "abc123.execute-api.eu-west-1.amazonaws.com",
            "Method": "GET", "Stage": "prod", "Path": "/bills/a b",
            "QueryParameters": {"billId": ["1", "2"], "q": "x&y"}
        }));
        assert_eq!(
            c.url_on_aws(),
            "https://abc123.execute-api.eu-west-1.amazonaws.com/prod/bills/a%20b?billId=1&billId=2&q=x%26y"
        );
        assert_eq!(
            c.url_at("http://127.0.0.1:9000/", "eu-west-1"),
            "http://127.0.0.1:9000/prod/bills/a%20b?billId=1&billId=2&q=x%26y"
        );
        assert_eq!(
            c.url_at("http://localhost:4566/_aws/execute-api/{api_id}/{stage}", "eu-west-1"),
            "http://localhost:4566/_aws/execute-api/abc123/prod/bills/a%20b?billId=1&billId=2&q=x%26y"
        );
        assert_eq!(
            region_of_host("abc123.execute-api.eu-west-1.amazonaws.com"),
            Some("eu-west-1")
        );
        assert_eq!(region_of_host("evil.example.com"), None);
        assert_eq!(
            region_of_host("x.execute-api.us-east-1.amazonaws.com.evil.io"),
            None
        );
    }

    #[test]
    fn parameters_are_checked_as_aws_checks_them() {
        let bad = |p: Value| Call::read(&p).unwrap_err();
        assert!(bad(json!({"Method": "GET"})).contains("ApiEndpoint is required"));
        assert!(bad(json!({"ApiEndpoint": "https://x/y", "Method": "GET"})).contains("host name"));
        assert!(bad(json!({"ApiEndpoint": "h", "Method": "TRACE"})).contains("not one of"));
        assert!(bad(
            json!({"ApiEndpoint": "h", "Method": "GET", "Headers": {"Authorization": ["x"]}})
        )
        .contains("cannot be set"));
        assert!(bad(
            json!({"ApiEndpoint": "h", "Method": "GET", "Headers": {"X-Amz-Date": ["x"]}})
        )
        .contains("cannot be set"));
        assert!(
            bad(json!({"ApiEndpoint": "h", "Method": "GET", "AuthType": "IAM_AUTH"}))
                .contains("AuthType")
        );
        assert!(
            bad(json!({"ApiEndpoint": "h", "Method": "GET", "Body": {}}))
                .contains("not a parameter")
        );
        let c = call(
            json!({"ApiEndpoint": "h", "Method": "POST", "AuthType": "IAM_ROLE",
                            "RequestBody": {"a": null, "b": [1, {"c": null}]}}),
        );
        assert_eq!(c.auth, AuthType::Signed);
        assert_eq!(c.body.unwrap().0, Bytes::from_static(br#"{"b":[1,{}]}"#));
        let c = call(
            json!({"ApiEndpoint": "h", "Method": "POST", "AllowNullValues": true,
                            "RequestBody": {"a": null}}),
        );
        assert_eq!(c.body.unwrap().0, Bytes::from_static(br#"{"a":null}"#));
        let c = call(json!({"ApiEndpoint": "h", "Method": "POST", "RequestBody": "plain"}));
        assert_eq!(c.body.unwrap(), (Bytes::from_static(b"plain"), None));
    }
}

//! The client: one pooled HTTP/1.1 connection set to one endpoint, and the generic `call`.

use std::time::Duration;

use bytes::Bytes;
use http_body_util::{BodyExt, Full};
use hyper::header::{AUTHORIZATION, CONTENT_TYPE, HOST};
use hyper::Request;
use hyper_util::client::legacy::connect::HttpConnector;
use hyper_util::client::legacy::Client as HttpClient;
use hyper_util::rt::TokioExecutor;
use serde_json::Value;

use crate::{auth, response, ClientError, Endpoint};

/// The longest an Express execution may run on AWS (5 minutes), so that a
/// `StartSyncExecution` is never cut short by the default timeout.
const DEFAULT_TIMEOUT: Duration = Duration::from_secs(300);
/// The content type of AWS JSON 1.0.
const CONTENT_TYPE_JSON: &str = "application/x-amz-json-1.0";

/// A Step Functions API client for one endpoint.
///
/// Cloning is cheap and shares the connection pool, so a bench can hand one clone to each
/// task. Connections are kept alive and reused (hyper-util's pooled client), with Nagle's
/// algorithm off, so that the client adds as little latency as it can to what it measures.
#[derive(Clone)]
pub struct Client {
    http: HttpClient<HttpConnector, Full<Bytes>>,
    endpoint: Endpoint,
    region: String,
    timeout: Duration,
    credentials: Option<auth::Credentials>,
}

impl Client {
    /// A client for `endpoint` (`http://host:port`). `https://` is refused: no TLS yet.
    ///
    /// Like the AWS SDKs, it signs with `AWS_ACCESS_KEY_ID` and `AWS_SECRET_ACCESS_KEY` when
    /// both are set (a server with `[auth]` requires signatures), and takes its region from
    /// `AWS_REGION` or `AWS_DEFAULT_REGION` (default `us-east-1`).
    pub fn new(endpoint: &str) -> Result<Client, ClientError> {
        let endpoint = Endpoint::parse(endpoint)?;
        let mut connector = HttpConnector::new();
        connector.set_nodelay(true);
        let http = HttpClient::builder(TokioExecutor::new())
            .pool_idle_timeout(Duration::from_secs(60))
            .pool_max_idle_per_host(usize::MAX)
            .build(connector);
        Ok(Client {
            http,
            endpoint,
            region: ["AWS_REGION", "AWS_DEFAULT_REGION"]
                .iter()
                .filter_map(|name| std::env::var(name).ok())
                .find(|r| !r.is_empty())
                .unwrap_or_else(|| "us-east-1".to_string()),
            timeout: DEFAULT_TIMEOUT,
            credentials: auth::Credentials::from_env(),
        })
    }

    /// Sets the longest a call may take, from sending the request to reading the whole
    /// response (default 5 minutes, AWS's Express limit).
    pub fn with_timeout(mut self, timeout: Duration) -> Client {
        self.timeout = timeout;
        self
    }

    /// Sets the region the requests are signed for (default `us-east-1`, or the environment's;
    /// a server with `[auth]` wants its own region).
    pub fn with_region(mut self, region: &str) -> Client {
        self.region = region.to_string();
        self
    }

    /// Signs every request with this access key (SigV4), instead of the environment's.
    pub fn with_credentials(mut self, access_key_id: &str, secret_access_key: &str) -> Client {
        self.credentials = Some(auth::Credentials {
            access_key_id: access_key_id.to_string(),
            secret_access_key: secret_access_key.to_string(),
        });
        self
    }

    /// The endpoint this client talks to.
    pub fn endpoint(&self) -> &Endpoint {
        &self.endpoint
    }

    /// Calls `action` (e.g. `StartExecution`) with `body`, returning the response's JSON.
    ///
    /// An AWS error response becomes [`ClientError::Api`] with the error's name as `kind`.
    pub async fn call(&self, action: &str, body: &Value) -> Result<Value, ClientError> {
        let payload = serde_json::to_vec(body).map_err(|e| ClientError::Decode {
            action: action.to_string(),
            reason: format!("request body cannot be serialized: {e}"),
        })?;
        self.call_with_body(action, payload).await
    }

    /// Calls `action` with a body already written as JSON (see [`crate::ExecutionInput`]).
    pub(crate) async fn call_with_body(
        &self,
        action: &str,
        payload: Vec<u8>,
    ) -> Result<Value, ClientError> {
        let target = format!("AWSStepFunctions.{action}");
        let uri = self.endpoint.uri();
        // The Host sent is the one signed.
        let host = uri.authority().map_or("", |a| a.as_str());
        let (amz_date, authorization) = auth::sign(
            self.credentials.as_ref(),
            &auth::ToSign {
                region: &self.region,
                host,
                path: uri.path(),
                content_type: CONTENT_TYPE_JSON,
                target: &target,
                body: &payload,
            },
        );
        let request = Request::post(uri.clone())
            .header(HOST, host)
            .header(CONTENT_TYPE, CONTENT_TYPE_JSON)
            .header("x-amz-target", target)
            .header("x-amz-date", amz_date)
            .header(AUTHORIZATION, authorization)
            .body(Full::new(Bytes::from(payload)))
            .map_err(|e| transport(action, e))?;
        tracing::trace!(action, endpoint = %self.endpoint, "calling");
        let exchange = async {
            let response = self
                .http
                .request(request)
                .await
                .map_err(|e| transport(action, e))?;
            let status = response.status().as_u16();
            let header_kind = response
                .headers()
                .get("x-amzn-errortype")
                .and_then(|v| v.to_str().ok())
                .map(str::to_string);
            let body = response
                .into_body()
                .collect()
                .await
                .map_err(|e| transport(action, e))?
                .to_bytes();
            Ok::<_, ClientError>((status, header_kind, body))
        };
        let (status, header_kind, body) = tokio::time::timeout(self.timeout, exchange)
            .await
            .map_err(|_| ClientError::Timeout {
                action: action.to_string(),
                timeout: self.timeout,
            })??;
        let result = response::decode(action, status, header_kind.as_deref(), &body);
        if let Err(e) = &result {
            tracing::debug!(action, status, error = %e, "call failed");
        }
        result
    }
}

fn transport(action: &str, e: impl std::error::Error) -> ClientError {
    let mut detail = e.to_string();
    let mut cause = e.source();
    while let Some(c) = cause {
        detail.push_str(": ");
        detail.push_str(&c.to_string());
        cause = c.source();
    }
    ClientError::Transport {
        action: action.to_string(),
        detail,
    }
}

//! Switchback's stateless Task resources: they run on the user's own machines, under AWS's
//! resource names and with AWS's result shapes, so that definitions written for AWS run
//! unchanged.
//!
//! - Lambda functions, as `arn:aws:lambda:REGION:ACCOUNT:function:NAME[:QUALIFIER]` or
//!   `arn:aws:states:::lambda:invoke[.waitForTaskToken]`: each configured as a
//!   local command (one process per invocation, event on stdin, result on stdout) or as a
//!   Lambda Invoke API endpoint (`sam local start-lambda`, the runtime interface emulator).
//! - The HTTP Task, `arn:aws:states:::http:invoke`.
//! - AWS services (`aws`): the optimised integrations `sqs:sendMessage`,
//!   `dynamodb:getItem|putItem|updateItem|deleteItem` and `events:putEvents`, signed with the
//!   standard AWS credentials, sent only where `[aws]` (or `AWS_ENDPOINT_URL[_SERVICE]`) says.
//! - Any other AWS service integration fails with a cause that explains how to mock it
//!   ([`unsupported_service`]).
//! - TestState's check of a mocked result against the API model of the operation the Task
//!   state calls, as AWS makes it ([`check_mock_result`], [`FieldValidationMode`]).
//!
//! Activities, callbacks waiting for task tokens and nested executions
//! (`states:startExecution`) are the runtime's, not this crate's ([`Integrations::handles`]).
//! A task's resource arrives read once, when its definition loaded
//! ([`switchback_engine::task::Resource`]); nothing here reads the ARN's text again.
//!
//! # Where the work runs
//!
//! [`Integrations::new`] starts a small multi-thread tokio runtime of its own (2 worker threads
//! named `switchback-integrations`) and [`Integrations::call`] spawns each call onto it,
//! returning a future that only waits for the result. So a caller on any runtime can await the
//! call: the server's current-thread workers with their `LocalSet`, the CLI's runtime, a test's.
//! It also keeps the pooled HTTP client on one runtime: hyper spawns a task per connection on
//! the runtime that opens it, and a pool shared between runtimes breaks when one of them stops.
//! Dropping the returned future cancels the call (a command's process is killed), so the
//! engine's `TimeoutSeconds` and a stopped execution stop the work. The runtime shuts down,
//! without blocking, when the last clone of [`Integrations`] is dropped and no call is pending.
//!
//! # Trust
//!
//! Functions and connections resolve only through the configuration ([`IntegrationsConfig`],
//! from `switchback.toml`), never from a definition: a definition cannot make Switchback run a
//! command or send credentials that the user did not configure, and an HTTP Task cannot reach
//! loopback, private, link-local or cloud metadata addresses unless `[http]` allows them
//! (`allow_private_addresses`, or an `allowed_hosts` entry naming the host): the definition
//! chooses the URL, the server's own network is not the definition's. Errors are AWS's: error names
//! that `Retry`/`Catch` written for AWS match, causes in AWS's words followed, where Switchback
//! is the reason, by what to change and in which file.

mod aws;
mod config;
mod function;
mod http_client;
mod http_task;
mod resource;
mod unsupported;

use std::fmt;
use std::path::PathBuf;
use std::sync::{Arc, OnceLock};

use futures::future::BoxFuture;
use futures::FutureExt as _;
use switchback_engine::task::{TaskOutcome, TaskPhase, TaskRequest};

pub use aws::{check_mock_result, FieldValidationMode};
pub use config::{
    ApiKey, AwsConfig, AwsServiceConfig, BasicAuth, ConfigError, ConnectionConfig, FunctionConfig,
    HttpConfig, IntegrationsConfig, LambdaConfig, DEFAULT_FUNCTION_CONCURRENCY_PER_CORE,
    DEFAULT_FUNCTION_TIMEOUT_SECONDS, MAX_FUNCTION_TIMEOUT_SECONDS,
};
pub use unsupported::unsupported_service;

use config::Settings;
use resource::FunctionRef;
use switchback_engine::task::{Integration, IntegrationPattern, Resource, ResourceKind};

/// The answer to a task whose resource the runtime runs (activities, nested executions).
fn runtimes(request: &TaskRequest) -> TaskOutcome {
    TaskOutcome::Failed {
        error: "States.Runtime".into(),
        cause: format!(
            "The resource {} of the task '{}' is run by Switchback's runtime, not by the integrations.",
            request.resource, request.state_name
        ),
    }
}

/// Runs the stateless Task resources of state machines. Cheap to clone (one shared inner
/// value); see the crate docs for where the work runs.
#[derive(Clone)]
pub struct Integrations {
    inner: Arc<Inner>,
}

struct Inner {
    /// `Some` until dropped.
    runtime: Option<tokio::runtime::Runtime>,
    handle: tokio::runtime::Handle,
    shared: Arc<Shared>,
}

impl Drop for Inner {
    fn drop(&mut self) {
        // Dropping a runtime blocks, which is not allowed inside another runtime (where the
        // last clone may well be dropped); pending work is cancelled either way.
        if let Some(runtime) = self.runtime.take() {
            runtime.shutdown_background();
        }
    }
}

/// What the calls running on the integrations' runtime share.
pub(crate) struct Shared {
    pub settings: Settings,
    /// The slots of `[lambda] max_concurrency` for local command functions.
    pub slots: function::Slots,
    client: OnceLock<Result<http_client::Client, String>>,
    http_task_client: OnceLock<Result<http_client::GuardedClient, String>>,
    /// The AWS calls' cached credentials.
    aws: aws::Aws,
}

impl Shared {
    /// The HTTP client, built on first use (loading root certificates takes a moment).
    pub fn client(&self) -> Result<&http_client::Client, &str> {
        self.client
            .get_or_init(http_client::build)
            .as_ref()
            .map_err(String::as_str)
    }

    /// The HTTP Task client, which refuses addresses `[http]` does not allow; built on first
    /// use.
    pub fn http_task_client(&self) -> Result<&http_client::GuardedClient, &str> {
        self.http_task_client
            .get_or_init(|| http_client::build_guarded(self.settings.http.clone()))
            .as_ref()
            .map_err(String::as_str)
    }

    async fn dispatch(&self, request: TaskRequest) -> TaskOutcome {
        if let ResourceKind::Service(service) = request.resource.kind() {
            if aws::is_sync_job(service, request.resource.pattern()) {
                let service = service.clone();
                return aws::call_sync_job(self, &request, &service).await;
            }
        }
        if request.phase != TaskPhase::Dispatch {
            return TaskOutcome::Failed {
                error: "States.Runtime".into(),
                cause: format!(
                    "The integrations only dispatch tasks; the {:?} phase of the task '{}' ({}) is the runtime's.",
                    request.phase, request.state_name, request.resource
                ),
            };
        }
        let resource = request.resource.clone();
        match resource.kind() {
            ResourceKind::Function(function) => match FunctionRef::of_resource(function) {
                Some(function) => function::call_function(self, function, &request).await,
                // Not a name Lambda allows: no function can answer it.
                None => unsupported_service(&request),
            },
            ResourceKind::Service(service) => match (service.integration, resource.pattern()) {
                (
                    Integration::LambdaInvoke,
                    IntegrationPattern::RequestResponse | IntegrationPattern::WaitForTaskToken,
                ) => function::call_invoke(self, &request).await,
                (Integration::HttpInvoke, IntegrationPattern::RequestResponse) => {
                    http_task::call(self, &request).await
                }
                (Integration::StartExecution, _) => runtimes(&request),
                (Integration::AwsSdk, _) => aws::call_sdk(self, &request, service).await,
                (Integration::Other, _) if aws::api_gateway::is_invoke(service) => {
                    aws::api_gateway::call(self, &request).await
                }
                (Integration::Other, _) => match aws::optimized(service) {
                    Some(optimized) => aws::call(self, &request, service, optimized).await,
                    None => unsupported_service(&request),
                },
                _ => unsupported_service(&request),
            },
            ResourceKind::Activity(_) => runtimes(&request),
            ResourceKind::Other => unsupported_service(&request),
        }
    }
}

impl Integrations {
    /// Checks the configuration (a function with neither or both of `command` and `url`, an
    /// empty command, a bad URL, ...) and returns a clear error naming the file and field, e.g.
    /// `switchback.toml: functions.validate: give either `command` or `url` ...`. `base_dir` is
    /// the config file's directory: relative paths in it resolve against it.
    pub fn new(
        config: IntegrationsConfig,
        base_dir: PathBuf,
        config_file_name: String,
    ) -> Result<Integrations, ConfigError> {
        let base_dir = std::path::absolute(&base_dir).unwrap_or(base_dir);
        let settings = Settings::check(config, &base_dir, &config_file_name)?;
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(2)
            .thread_name("switchback-integrations")
            .enable_all()
            .build()
            .map_err(|e| ConfigError {
                file: config_file_name.clone(),
                field: "(integrations)".into(),
                problem: format!("could not start the integrations' threads: {e}"),
            })?;
        Ok(Integrations {
            inner: Arc::new(Inner {
                handle: runtime.handle().clone(),
                runtime: Some(runtime),
                shared: Arc::new(Shared {
                    slots: function::Slots::new(settings.max_concurrency),
                    settings,
                    client: OnceLock::new(),
                    http_task_client: OnceLock::new(),
                    aws: aws::Aws::default(),
                }),
            }),
        })
    }

    /// Runs one Dispatch-phase call of a Task resource and reports how it ended. The future is
    /// `Send + 'static`, so a caller on any tokio runtime can spawn or await it; dropping it
    /// cancels the call.
    pub fn call(&self, request: &TaskRequest) -> BoxFuture<'static, TaskOutcome> {
        let shared = self.inner.shared.clone();
        let task = request.clone();
        let state_name = request.state_name.clone();
        let join = self
            .inner
            .handle
            .spawn(async move { shared.dispatch(task).await });
        let cancel = AbortOnDrop(join.abort_handle());
        // The future holds the runtime until the call is done.
        let inner = self.inner.clone();
        async move {
            let _inner = inner;
            let _cancel = cancel;
            match join.await {
                Ok(outcome) => outcome,
                Err(e) => TaskOutcome::Failed {
                    error: "States.TaskFailed".into(),
                    cause: format!(
                        "The task '{state_name}' stopped inside Switchback's integrations: {}",
                        if e.is_panic() {
                            "internal error (please report it)"
                        } else {
                            "the integrations were shut down"
                        }
                    ),
                },
            }
        }
        .boxed()
    }

    /// Runs one call as [`call`](Integrations::call) does and, for an HTTP Task
    /// (`http:invoke`), also reports its exchange as TestState's TRACE shows it (the
    /// connection's headers only when `reveal_secrets`). Other resources report none.
    pub fn call_traced(
        &self,
        request: &TaskRequest,
        reveal_secrets: bool,
    ) -> BoxFuture<'static, (TaskOutcome, Option<serde_json::Value>)> {
        let traced = request.phase == TaskPhase::Dispatch
            && request.resource.integration() == Some(Integration::HttpInvoke)
            && request.resource.pattern() == IntegrationPattern::RequestResponse;
        if !traced {
            let call = self.call(request);
            return async move { (call.await, None) }.boxed();
        }
        let shared = self.inner.shared.clone();
        let task = request.clone();
        let join = self.inner.handle.spawn(async move {
            http_task::call_traced(&shared, &task, Some(reveal_secrets)).await
        });
        let cancel = AbortOnDrop(join.abort_handle());
        let inner = self.inner.clone();
        async move {
            let _inner = inner;
            let _cancel = cancel;
            join.await.unwrap_or_else(|_| {
                let failed = TaskOutcome::Failed {
                    error: "States.TaskFailed".into(),
                    cause: "The HTTP Task stopped inside Switchback's integrations".into(),
                };
                (failed, None)
            })
        }
        .boxed()
    }

    /// Whether [`call`](Integrations::call) answers this resource: Lambda functions,
    /// `lambda:invoke[.waitForTaskToken]`, `http:invoke`, and other AWS service integrations
    /// (with [`unsupported_service`]). Activities and `arn:aws:states:::states:startExecution*`
    /// are the runtime's.
    pub fn handles(resource: &Resource) -> bool {
        !(resource.is_activity() || resource.is_start_execution())
    }

    /// Whether a `.waitForTaskToken` call of `resource` sends the token somewhere, so that
    /// the task then waits for its answer: `lambda:invoke` and `http:invoke`, and the AWS
    /// integrations that take a token (`sqs:sendMessage`, `sns:publish`, `events:putEvents`,
    /// `aws-sdk:*`) when `[aws]` lets their calls go out. Otherwise the token goes nowhere and the task waits for an
    /// answer given by hand (`SendTaskSuccess` with the token from its `TaskScheduled`).
    pub fn delivers_token(&self, resource: &Resource) -> bool {
        resource.pattern() == IntegrationPattern::WaitForTaskToken
            && (matches!(
                resource.integration(),
                Some(Integration::LambdaInvoke | Integration::HttpInvoke)
            ) || aws::delivers_token(&self.inner.shared.settings.aws, resource))
    }
}

impl fmt::Debug for Integrations {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let settings = &self.inner.shared.settings;
        f.debug_struct("Integrations")
            .field("config_file", &settings.file)
            .field("functions", &settings.functions.keys().collect::<Vec<_>>())
            .field(
                "connections",
                &settings.connections.keys().collect::<Vec<_>>(),
            )
            .finish()
    }
}

/// Cancels the spawned call when the caller stops waiting for it.
struct AbortOnDrop(tokio::task::AbortHandle);

impl Drop for AbortOnDrop {
    fn drop(&mut self) {
        self.0.abort();
    }
}

/// The engine's and the runtime's view of the integrations: one call of a task's resource.
impl switchback_engine::TaskHandler for Integrations {
    fn call(
        &self,
        request: TaskRequest,
    ) -> switchback_engine::driver::DriverFuture<'static, TaskOutcome> {
        Box::pin(Integrations::call(self, &request))
    }

    fn call_traced(
        &self,
        request: TaskRequest,
        reveal_secrets: bool,
    ) -> switchback_engine::driver::DriverFuture<'static, (TaskOutcome, Option<serde_json::Value>)>
    {
        Box::pin(Integrations::call_traced(self, &request, reveal_secrets))
    }

    fn delivers_token(&self, resource: &Resource) -> bool {
        Integrations::delivers_token(self, resource)
    }

    fn stop_job(&self, request: TaskRequest) -> switchback_engine::run::StopJobFuture {
        let shared = self.inner.shared.clone();
        let join = self.inner.handle.spawn(async move {
            if let ResourceKind::Service(service) = request.resource.kind() {
                let service = service.clone();
                aws::stop_sync_job(&shared, &request, &service).await;
            }
        });
        let inner = self.inner.clone();
        Box::pin(async move {
            let _inner = inner;
            let _ = join.await;
        })
    }

    fn polls(&self, resource: &Resource) -> bool {
        resource
            .service()
            .is_some_and(|service| aws::is_sync_job(service, resource.pattern()))
    }
}

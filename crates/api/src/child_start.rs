//! Starting child executions for `states:startExecution` tasks, exactly as `StartExecution`
//! starts executions (machine, version or alias ARNs; names; input checks), so a nested
//! execution behaves as if the parent had called the API.
//!
//! The runtime holds this starter, so it keeps only a weak handle on the runtime.

use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;

use switchback_runtime::{
    ChildStartRequest, ChildStartResult, ChildStarter, Runtime, StartRequest, WeakRuntime,
};
use switchback_store::state_machines::StateMachineType;
use switchback_store::Store;

use crate::error::ApiError;
use crate::state::{ApiConfig, AppState};
use crate::{names, resolve_start_target};

/// Starts child executions through the API's own start logic.
pub struct ApiChildStarter {
    store: Store,
    runtime: WeakRuntime,
    config: Arc<ApiConfig>,
}

impl ApiChildStarter {
    /// Installs the starter on the state's runtime.
    pub fn install(state: &AppState) {
        let starter = ApiChildStarter {
            store: state.store.clone(),
            runtime: state.runtime.downgrade(),
            config: state.config.clone(),
        };
        state.runtime.set_child_starter(Arc::new(starter));
    }
}

impl ChildStarter for ApiChildStarter {
    fn start(
        &self,
        request: ChildStartRequest,
    ) -> Pin<Box<dyn Future<Output = ChildStartResult> + Send>> {
        let store = self.store.clone();
        let runtime = self.runtime.upgrade();
        let config = self.config.clone();
        Box::pin(async move {
            let Some(runtime) = runtime else {
                return Err((
                    "StepFunctions.ServiceUnavailableException".into(),
                    "The server is shutting down.".into(),
                ));
            };
            let state = AppState {
                store,
                runtime,
                config,
            };
            start(&state, request).await.map_err(as_task_error)
        })
    }
}

async fn start(
    state: &AppState,
    request: ChildStartRequest,
) -> Result<switchback_runtime::Started, ApiError> {
    names::check_name(&request.name)?;
    let Ok(input_value) = switchback_json::Json::parse(&request.input) else {
        return Err(ApiError::service(
            "InvalidExecutionInput",
            "Invalid State Machine Execution Input: the input is not JSON",
        ));
    };
    let target = resolve_start_target(state, &request.state_machine_arn).await?;
    let start = StartRequest {
        state_machine_arn: target.state_machine_arn.clone(),
        version_arn: target.version_arn.clone(),
        alias_arn: target.alias_arn.clone(),
        definition: target.definition.clone(),
        role_arn: target.role_arn.clone(),
        revision_id: target.revision_id.clone(),
        name: request.name,
        input: request.input,
        input_value: Some(input_value),
        trace_header: None,
        parent_id: request.parent_id,
        mock_test_case: None,
    };
    let runtime: &Runtime = &state.runtime;
    match target.machine_type {
        StateMachineType::Standard => runtime.start_execution(start).await,
        StateMachineType::Express => runtime.start_express_execution(start),
    }
    .map_err(crate::actions::executions::runtime_error)
}

/// An API error as a task sees it: `StepFunctions.<Code>Exception` with the SDK for Java 1.x's
/// message as cause, as AWS's optimised integration reports it: `<message> (Service:
/// AWSStepFunctions; Status Code: 400; Error Code: <code>; Request ID: <id>; Proxy: null)`.
fn as_task_error(e: ApiError) -> (String, String) {
    let code = e.code();
    let code = code.strip_suffix("Exception").unwrap_or(code);
    (
        format!("StepFunctions.{code}Exception"),
        format!(
            "{} (Service: AWSStepFunctions; Status Code: 400; Error Code: {code}; Request ID: {}; Proxy: null)",
            e.message(),
            crate::ids::uuid_v4()
        ),
    )
}

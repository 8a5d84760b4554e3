//! Convenience methods for the actions Switchback's bench and tests use.
//!
//! Each is a thin layer over [`Client::call`]: it builds the request as AWS documents it and
//! picks out the field callers want. Anything else goes through `call` directly.

use serde_json::{json, Value};

use crate::input::body_with_input;
use crate::{Client, ClientError, ExecutionInput, StateMachineType};

/// Page size for the paged reads (AWS's maximum for both actions).
const PAGE_SIZE: u32 = 1000;

impl Client {
    /// `CreateStateMachine`: returns the `stateMachineArn`. `definition` is the ASL JSON text.
    pub async fn create_state_machine(
        &self,
        name: &str,
        definition: &str,
        role_arn: &str,
        kind: StateMachineType,
    ) -> Result<String, ClientError> {
        let body = json!({
            "name": name,
            "definition": definition,
            "roleArn": role_arn,
            "type": kind.as_str(),
        });
        let out = self.call("CreateStateMachine", &body).await?;
        string_field("CreateStateMachine", &out, "stateMachineArn")
    }

    /// `DeleteStateMachine`.
    pub async fn delete_state_machine(&self, state_machine_arn: &str) -> Result<(), ClientError> {
        let body = json!({ "stateMachineArn": state_machine_arn });
        self.call("DeleteStateMachine", &body).await.map(drop)
    }

    /// `StartExecution`: returns the `executionArn`. The API carries the input as JSON text.
    pub async fn start_execution(
        &self,
        state_machine_arn: &str,
        name: Option<&str>,
        input: &Value,
    ) -> Result<String, ClientError> {
        self.start_execution_encoded(state_machine_arn, name, &ExecutionInput::new(input))
            .await
    }

    /// `StartExecution` with an input encoded once for many executions.
    pub async fn start_execution_encoded(
        &self,
        state_machine_arn: &str,
        name: Option<&str>,
        input: &ExecutionInput,
    ) -> Result<String, ClientError> {
        let body = body_with_input(
            &[("stateMachineArn", Some(state_machine_arn)), ("name", name)],
            input,
        );
        let out = self.call_with_body("StartExecution", body).await?;
        string_field("StartExecution", &out, "executionArn")
    }

    /// `StartSyncExecution`: the whole response (`status`, `output` or `error`/`cause`,
    /// `billingDetails`, ...).
    pub async fn start_sync_execution(
        &self,
        state_machine_arn: &str,
        input: &Value,
    ) -> Result<Value, ClientError> {
        self.start_sync_execution_encoded(state_machine_arn, &ExecutionInput::new(input))
            .await
    }

    /// `StartSyncExecution` with an input encoded once for many executions.
    pub async fn start_sync_execution_encoded(
        &self,
        state_machine_arn: &str,
        input: &ExecutionInput,
    ) -> Result<Value, ClientError> {
        let body = body_with_input(&[("stateMachineArn", Some(state_machine_arn))], input);
        self.call_with_body("StartSyncExecution", body).await
    }

    /// `DescribeExecution`: the whole response.
    pub async fn describe_execution(&self, execution_arn: &str) -> Result<Value, ClientError> {
        let body = json!({ "executionArn": execution_arn });
        self.call("DescribeExecution", &body).await
    }

    /// `DescribeExecution` with `includedData: METADATA_ONLY`: the status and dates without
    /// the input and output, which a poller has no use for until the end.
    pub async fn describe_execution_metadata(
        &self,
        execution_arn: &str,
    ) -> Result<Value, ClientError> {
        let body = json!({ "executionArn": execution_arn, "includedData": "METADATA_ONLY" });
        self.call("DescribeExecution", &body).await
    }

    /// `GetExecutionHistory`, every page: all the events, oldest first.
    pub async fn get_execution_history(
        &self,
        execution_arn: &str,
    ) -> Result<Vec<Value>, ClientError> {
        let request = json!({ "executionArn": execution_arn, "maxResults": PAGE_SIZE });
        self.all_pages("GetExecutionHistory", request, "events")
            .await
    }

    /// `ListExecutions` of a state machine, every page, optionally only those with
    /// `status_filter` (e.g. `RUNNING`).
    pub async fn list_executions(
        &self,
        state_machine_arn: &str,
        status_filter: Option<&str>,
    ) -> Result<Vec<Value>, ClientError> {
        self.list_executions_of("stateMachineArn", state_machine_arn, status_filter)
            .await
    }

    /// `ListExecutions` of a map run (its Standard child executions), every page, optionally
    /// only those with `status_filter`.
    pub async fn list_map_run_executions(
        &self,
        map_run_arn: &str,
        status_filter: Option<&str>,
    ) -> Result<Vec<Value>, ClientError> {
        self.list_executions_of("mapRunArn", map_run_arn, status_filter)
            .await
    }

    /// `ListExecutions` by `key` (`stateMachineArn` or `mapRunArn`), every page.
    async fn list_executions_of(
        &self,
        key: &str,
        arn: &str,
        status_filter: Option<&str>,
    ) -> Result<Vec<Value>, ClientError> {
        let mut request = json!({ key: arn, "maxResults": PAGE_SIZE });
        if let (Some(status), Some(obj)) = (status_filter, request.as_object_mut()) {
            obj.insert(
                "statusFilter".to_string(),
                Value::String(status.to_string()),
            );
        }
        self.all_pages("ListExecutions", request, "executions")
            .await
    }

    /// `ListMapRuns` of an execution, every page.
    pub async fn list_map_runs(&self, execution_arn: &str) -> Result<Vec<Value>, ClientError> {
        let request = json!({ "executionArn": execution_arn, "maxResults": PAGE_SIZE });
        self.all_pages("ListMapRuns", request, "mapRuns").await
    }

    /// Calls a paged action until it returns no `nextToken`, collecting the `items` arrays.
    async fn all_pages(
        &self,
        action: &str,
        mut request: Value,
        items: &str,
    ) -> Result<Vec<Value>, ClientError> {
        let mut all = Vec::new();
        loop {
            let page = self.call(action, &request).await?;
            match page.get(items) {
                Some(Value::Array(list)) => all.extend(list.iter().cloned()),
                None => {}
                Some(_) => {
                    return Err(ClientError::Decode {
                        action: action.to_string(),
                        reason: format!("`{items}` is not an array"),
                    })
                }
            }
            match page.get("nextToken").and_then(Value::as_str) {
                Some(token) if !token.is_empty() => {
                    if let Some(obj) = request.as_object_mut() {
                        obj.insert("nextToken".to_string(), Value::String(token.to_string()));
                    }
                }
                _ => return Ok(all),
            }
        }
    }
}

/// A string field of a response, or a [`ClientError::Decode`] naming what was missing.
fn string_field(action: &str, out: &Value, field: &str) -> Result<String, ClientError> {
    out.get(field)
        .and_then(Value::as_str)
        .map(str::to_string)
        .ok_or_else(|| ClientError::Decode {
            action: action.to_string(),
            reason: format!("no string `{field}` in the response: {out}"),
        })
}

//! `.sync` jobs of AWS services (`arn:aws:states:::glue:startJobRun.sync`, `batch:submitJob`,
//! `ecs:runTask`, `athena:startQueryExecution`, `codebuild:startBuild`, SageMaker's
//! `createTrainingJob`/`createTransformJob`/`createProcessingJob`): the job is started, then
//! asked for its state until it ends, as Step Functions does.
//!
//! Durable by construction: the start's answer (which holds the job's id) is the task's
//! `TaskSubmitted` output, written to the history before the polling begins. The polling
//! ([`poll`], the task's `AwaitResult` phase) reads the id from that output, so an execution
//! resumed after a crash polls the job it already started and never starts a second one. Where
//! the service takes an idempotency token (ECS `clientToken`, Athena `ClientRequestToken`,
//! CodeBuild `idempotencyToken`), the start carries one made from the task's idempotency key,
//! which closes the window between the start and its `TaskSubmitted` too.
//!
//! The job's end: its description is the task's output when it succeeded; otherwise the task
//! fails with `States.TaskFailed` and the description as JSON text for its cause, as on AWS.
//! An error answer is named as the optimised integrations name them (the AWS SDK for Java
//! 1.x's classes: `Glue.EntityNotFoundException`, else `Glue.AWSGlueException`).
//!
//! `StopExecution` stops a job still running ([`stop`]: ECS `StopTask`, Batch `TerminateJob`,
//! Glue `BatchStopJobRun`, Athena `StopQueryExecution`, CodeBuild `StopBuild`, SageMaker's
//! `Stop*Job`), as AWS does.
//!
//! The calls themselves are `aws-sdk:*` calls ([`super::sdk::invoke`]) with the service's
//! API facts: the parameters are the start operation's input members in PascalCase.

use serde_json::{json, Value};
use switchback_engine::task::{IntegrationPattern, ServiceIntegration, TaskOutcome, TaskRequest};

use super::sdk::{self, Naming};
use crate::Shared;

/// A call's parameters made from a start's input and answer (`None`: they lack what it needs).
type CallFrom = fn(&Value, &Value) -> Option<Value>;

/// One kind of job.
pub(crate) struct SyncJob {
    /// The resource's service and action (`glue`, `startJobRun`).
    resource_type: &'static str,
    action: &'static str,
    /// The `aws-sdk` name of the service whose API facts make the calls.
    sdk_service: &'static str,
    start_operation: &'static str,
    /// The start's idempotency member, if the operation takes one.
    idempotency_member: Option<&'static str>,
    describe_operation: &'static str,
    /// The describe call's parameters, from the start's input and answer.
    describe: CallFrom,
    /// The job's description within the describe call's answer.
    job: fn(&Value) -> Option<&Value>,
    /// How the job stands.
    state: fn(&Value) -> JobState,
    /// What the task outputs when the job succeeded, from the describe call's answer.
    output: fn(&Value) -> Value,
    /// The operation that stops the job, and its parameters from the start's input and
    /// answer.
    stop: (&'static str, CallFrom),
    naming: Naming,
}

/// Why a job is stopped, where the service records a reason.
const STOP_REASON: &str = "The Step Functions execution that started it was stopped.";

/// Where a job stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum JobState {
    Running,
    Succeeded,
    Failed,
}

fn at<'v>(value: &'v Value, path: &[&str]) -> Option<&'v Value> {
    path.iter()
        .try_fold(value, |v, key| match key.parse::<usize>() {
            Ok(i) => v.get(i),
            Err(_) => v.get(*key),
        })
}

fn text<'v>(value: &'v Value, path: &[&str]) -> &'v str {
    at(value, path).and_then(Value::as_str).unwrap_or_default()
}

/// A job state by its status word.
fn by_word(word: &str, succeeded: &[&str], failed: &[&str]) -> JobState {
    if succeeded.contains(&word) {
        JobState::Succeeded
    } else if failed.contains(&word) {
        JobState::Failed
    } else {
        JobState::Running
    }
}

/// The jobs Switchback runs to their end.
static JOBS: &[SyncJob] = &[
    SyncJob {
        resource_type: "glue",
        action: "startJobRun",
        sdk_service: "glue",
        start_operation: "StartJobRun",
        idempotency_member: None,
        describe_operation: "GetJobRun",
        describe: |input, started| {
            Some(json!({"JobName": at(input, &["JobName"])?, "RunId": at(started, &["JobRunId"])?}))
        },
        job: |described| at(described, &["JobRun"]),
        state: |job| {
            by_word(
                text(job, &["JobRunState"]),
                &["SUCCEEDED"],
                &["FAILED", "STOPPED", "TIMEOUT", "ERROR", "EXPIRED"],
            )
        },
        output: |described| at(described, &["JobRun"]).cloned().unwrap_or_default(),
        stop: ("BatchStopJobRun", |input, started| {
            Some(
                json!({"JobName": at(input, &["JobName"])?, "JobRunIds": [at(started, &["JobRunId"])?]}),
            )
        }),
        naming: Naming::Sdk1 {
            prefix: "Glue",
            service: "AWSGlue",
            base: "AWSGlueException",
        },
    },
    SyncJob {
        resource_type: "batch",
        action: "submitJob",
        sdk_service: "batch",
        start_operation: "SubmitJob",
        idempotency_member: None,
        describe_operation: "DescribeJobs",
        describe: |_, started| Some(json!({"Jobs": [at(started, &["JobId"])?]})),
        job: |described| at(described, &["Jobs", "0"]),
        state: |job| by_word(text(job, &["Status"]), &["SUCCEEDED"], &["FAILED"]),
        output: |described| at(described, &["Jobs", "0"]).cloned().unwrap_or_default(),
        stop: ("TerminateJob", |_, started| {
            Some(json!({"JobId": at(started, &["JobId"])?, "Reason": STOP_REASON}))
        }),
        naming: Naming::Sdk1 {
            prefix: "Batch",
            service: "AWSBatch",
            base: "AWSBatchException",
        },
    },
    SyncJob {
        resource_type: "ecs",
        action: "runTask",
        sdk_service: "ecs",
        start_operation: "RunTask",
        idempotency_member: Some("ClientToken"),
        describe_operation: "DescribeTasks",
        describe: |input, started| {
            let mut call = json!({"Tasks": [at(started, &["Tasks", "0", "TaskArn"])?]});
            if let Some(cluster) = at(input, &["Cluster"]) {
                call["Cluster"] = cluster.clone();
            }
            Some(call)
        },
        job: |described| at(described, &["Tasks", "0"]),
        state: |task| {
            if text(task, &["LastStatus"]) != "STOPPED" {
                return JobState::Running;
            }
            // Stopped: a success when every essential container exited with 0.
            let containers = at(task, &["Containers"])
                .and_then(Value::as_array)
                .cloned()
                .unwrap_or_default();
            let clean = containers
                .iter()
                .all(|c| at(c, &["ExitCode"]).and_then(Value::as_i64) == Some(0));
            if clean && !containers.is_empty() {
                JobState::Succeeded
            } else {
                JobState::Failed
            }
        },
        output: |described| at(described, &["Tasks", "0"]).cloned().unwrap_or_default(),
        stop: ("StopTask", |input, started| {
            let mut call =
                json!({"Task": at(started, &["Tasks", "0", "TaskArn"])?, "Reason": STOP_REASON});
            if let Some(cluster) = at(input, &["Cluster"]) {
                call["Cluster"] = cluster.clone();
            }
            Some(call)
        }),
        naming: Naming::Sdk1 {
            prefix: "ECS",
            service: "AmazonECS",
            base: "AmazonECSException",
        },
    },
    SyncJob {
        resource_type: "athena",
        action: "startQueryExecution",
        sdk_service: "athena",
        start_operation: "StartQueryExecution",
        idempotency_member: Some("ClientRequestToken"),
        describe_operation: "GetQueryExecution",
        describe: |_, started| {
            Some(json!({"QueryExecutionId": at(started, &["QueryExecutionId"])?}))
        },
        job: |described| at(described, &["QueryExecution"]),
        state: |query| {
            by_word(
                text(query, &["Status", "State"]),
                &["SUCCEEDED"],
                &["FAILED", "CANCELLED"],
            )
        },
        output: Value::clone,
        stop: ("StopQueryExecution", |_, started| {
            Some(json!({"QueryExecutionId": at(started, &["QueryExecutionId"])?}))
        }),
        naming: Naming::Sdk1 {
            prefix: "Athena",
            service: "AmazonAthena",
            base: "AmazonAthenaException",
        },
    },
    SyncJob {
        resource_type: "codebuild",
        action: "startBuild",
        sdk_service: "codebuild",
        start_operation: "StartBuild",
        idempotency_member: Some("IdempotencyToken"),
        describe_operation: "BatchGetBuilds",
        describe: |_, started| Some(json!({"Ids": [at(started, &["Build", "Id"])?]})),
        job: |described| at(described, &["Builds", "0"]),
        state: |build| {
            by_word(
                text(build, &["BuildStatus"]),
                &["SUCCEEDED"],
                &["FAILED", "FAULT", "TIMED_OUT", "STOPPED"],
            )
        },
        output: |described| json!({"Build": at(described, &["Builds", "0"]).cloned().unwrap_or_default()}),
        stop: ("StopBuild", |_, started| {
            Some(json!({"Id": at(started, &["Build", "Id"])?}))
        }),
        naming: Naming::Sdk1 {
            prefix: "CodeBuild",
            service: "AWSCodeBuild",
            base: "AWSCodeBuildException",
        },
    },
    SyncJob {
        resource_type: "sagemaker",
        action: "createTrainingJob",
        sdk_service: "sagemaker",
        start_operation: "CreateTrainingJob",
        idempotency_member: None,
        describe_operation: "DescribeTrainingJob",
        describe: |input, _| Some(json!({"TrainingJobName": at(input, &["TrainingJobName"])?})),
        job: |described| Some(described),
        state: |job| {
            by_word(
                text(job, &["TrainingJobStatus"]),
                &["Completed"],
                &["Failed", "Stopped"],
            )
        },
        output: Value::clone,
        stop: ("StopTrainingJob", |input, _| {
            Some(json!({"TrainingJobName": at(input, &["TrainingJobName"])?}))
        }),
        naming: Naming::Sdk1 {
            prefix: "SageMaker",
            service: "AmazonSageMaker",
            base: "AmazonSageMakerException",
        },
    },
    SyncJob {
        resource_type: "sagemaker",
        action: "createTransformJob",
        sdk_service: "sagemaker",
        start_operation: "CreateTransformJob",
        idempotency_member: None,
        describe_operation: "DescribeTransformJob",
        describe: |input, _| Some(json!({"TransformJobName": at(input, &["TransformJobName"])?})),
        job: |described| Some(described),
        state: |job| {
            by_word(
                text(job, &["TransformJobStatus"]),
                &["Completed"],
                &["Failed", "Stopped"],
            )
        },
        output: Value::clone,
        stop: ("StopTransformJob", |input, _| {
            Some(json!({"TransformJobName": at(input, &["TransformJobName"])?}))
        }),
        naming: Naming::Sdk1 {
            prefix: "SageMaker",
            service: "AmazonSageMaker",
            base: "AmazonSageMakerException",
        },
    },
    SyncJob {
        resource_type: "sagemaker",
        action: "createProcessingJob",
        sdk_service: "sagemaker",
        start_operation: "CreateProcessingJob",
        idempotency_member: None,
        describe_operation: "DescribeProcessingJob",
        describe: |input, _| Some(json!({"ProcessingJobName": at(input, &["ProcessingJobName"])?})),
        job: |described| Some(described),
        state: |job| {
            by_word(
                text(job, &["ProcessingJobStatus"]),
                &["Completed"],
                &["Failed", "Stopped"],
            )
        },
        output: Value::clone,
        stop: ("StopProcessingJob", |input, _| {
            Some(json!({"ProcessingJobName": at(input, &["ProcessingJobName"])?}))
        }),
        naming: Naming::Sdk1 {
            prefix: "SageMaker",
            service: "AmazonSageMaker",
            base: "AmazonSageMakerException",
        },
    },
];

/// The `.sync` job a resource names, if Switchback runs it.
pub(crate) fn find(service: &ServiceIntegration) -> Option<&'static SyncJob> {
    JOBS.iter()
        .find(|job| *service.resource_type == *job.resource_type && service.action == job.action)
}

/// Whether `service` with `pattern` is a `.sync` job Switchback starts and polls.
pub(crate) fn is_sync_job(service: &ServiceIntegration, pattern: IntegrationPattern) -> bool {
    matches!(pattern, IntegrationPattern::Sync { .. }) && find(service).is_some()
}

/// Starts the job: the task's `TaskSubmitted` output is the start's answer.
pub(crate) async fn start(
    shared: &Shared,
    request: &TaskRequest,
    service: &ServiceIntegration,
    job: &SyncJob,
) -> TaskOutcome {
    let model = match sdk::model::service(job.sdk_service) {
        Ok(model) => model,
        Err(problem) => {
            return TaskOutcome::Failed {
                error: "States.Runtime".into(),
                cause: problem,
            }
        }
    };
    let mut parameters = (*request.input).clone();
    if let (Some(member), Value::Object(members)) = (job.idempotency_member, &mut parameters) {
        // The same for every dispatch of this attempt: a start repeated after a crash is the
        // same start to the service.
        members
            .entry(member)
            .or_insert_with(|| Value::String(idempotency_token(&request.idempotency_key)));
    }
    match sdk::invoke(
        shared,
        request,
        service,
        &model,
        job.start_operation,
        &parameters,
        &job.naming,
    )
    .await
    {
        TaskOutcome::Succeeded(started) => TaskOutcome::Submitted(started),
        other => other,
    }
}

/// Polls the started job (its id in `request.submitted`) until it ends.
pub(crate) async fn poll(
    shared: &Shared,
    request: &TaskRequest,
    service: &ServiceIntegration,
    job: &SyncJob,
) -> TaskOutcome {
    let model = match sdk::model::service(job.sdk_service) {
        Ok(model) => model,
        Err(problem) => {
            return TaskOutcome::Failed {
                error: "States.Runtime".into(),
                cause: problem,
            }
        }
    };
    let started = request.submitted.as_deref().cloned().unwrap_or_default();
    let Some(parameters) = (job.describe)(&request.input, &started) else {
        return TaskOutcome::Failed {
            error: "States.Runtime".into(),
            cause: format!(
                "The task '{}': the answer to {} names no job to follow: {started}",
                request.state_name, job.start_operation
            ),
        };
    };
    let every = shared.settings.aws.job_poll;
    loop {
        let described = match sdk::invoke(
            shared,
            request,
            service,
            &model,
            job.describe_operation,
            &parameters,
            &job.naming,
        )
        .await
        {
            TaskOutcome::Succeeded(described) => described,
            other => return other,
        };
        let Some(found) = (job.job)(&described) else {
            return TaskOutcome::Failed {
                error: "States.TaskFailed".into(),
                cause: format!(
                    "{} did not describe the job {parameters}: {described}",
                    job.describe_operation
                ),
            };
        };
        match (job.state)(found) {
            JobState::Succeeded => return TaskOutcome::Succeeded((job.output)(&described)),
            JobState::Failed => {
                return TaskOutcome::Failed {
                    error: "States.TaskFailed".into(),
                    cause: found.to_string(),
                }
            }
            JobState::Running => {
                tracing::debug!(state = %request.state_name, job = %parameters, "job still running");
                tokio::time::sleep(every).await;
            }
        }
    }
}

/// Stops the job a stopped execution's task had handed over (best effort: a failure is logged,
/// as the execution is stopped either way).
pub(crate) async fn stop(
    shared: &Shared,
    request: &TaskRequest,
    service: &ServiceIntegration,
    job: &SyncJob,
) {
    let Ok(model) = sdk::model::service(job.sdk_service) else {
        return;
    };
    let started = request.submitted.as_deref().cloned().unwrap_or_default();
    let (operation, parameters) = job.stop;
    let Some(parameters) = parameters(&request.input, &started) else {
        return;
    };
    let outcome = sdk::invoke(
        shared,
        request,
        service,
        &model,
        operation,
        &parameters,
        &job.naming,
    )
    .await;
    match outcome {
        TaskOutcome::Succeeded(_) => {
            tracing::info!(state = %request.state_name, job = %parameters, "stopped the job of a stopped execution")
        }
        other => {
            tracing::warn!(state = %request.state_name, job = %parameters, outcome = ?other, "could not stop the job of a stopped execution")
        }
    }
}

/// A token from the task's idempotency key: the first 32 hex digits of its SHA-256 (ECS takes
/// up to 64 characters, Athena 32 to 128, CodeBuild any).
fn idempotency_token(key: &str) -> String {
    use sha2::Digest as _;
    let digest = sha2::Sha256::digest(key.as_bytes());
    digest[..16].iter().map(|b| format!("{b:02x}")).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn states_by_status() {
        let glue = JOBS.iter().find(|j| j.resource_type == "glue").unwrap();
        assert_eq!(
            (glue.state)(&json!({"JobRunState": "RUNNING"})),
            JobState::Running
        );
        assert_eq!(
            (glue.state)(&json!({"JobRunState": "SUCCEEDED"})),
            JobState::Succeeded
        );
        assert_eq!(
            (glue.state)(&json!({"JobRunState": "TIMEOUT"})),
            JobState::Failed
        );
        let ecs = JOBS.iter().find(|j| j.resource_type == "ecs").unwrap();
        assert_eq!(
            (ecs.state)(&json!({"LastStatus": "STOPPED", "Containers": [{"ExitCode": 0}]})),
            JobState::Succeeded
        );
        assert_eq!(
            (ecs.state)(&json!({"LastStatus": "STOPPED", "Containers": [{"ExitCode": 1}]})),
            JobState::Failed
        );
        assert_eq!(
            (ecs.state)(&json!({"LastStatus": "RUNNING"})),
            JobState::Running
        );
        assert_eq!(
            (glue.describe)(&json!({"JobName": "j"}), &json!({"JobRunId": "jr_1"})),
            Some(json!({"JobName": "j", "RunId": "jr_1"}))
        );
    }

    #[test]
    fn tokens_are_stable_and_bounded() {
        let a = idempotency_token("arn:aws:states:us-east-1:1:execution:m:e:5");
        assert_eq!(
            a,
            idempotency_token("arn:aws:states:us-east-1:1:execution:m:e:5")
        );
        assert_ne!(
            a,
            idempotency_token("arn:aws:states:us-east-1:1:execution:m:e:6")
        );
        assert_eq!(a.len(), 32, "{a}");
    }
}

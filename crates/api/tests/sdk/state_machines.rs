//! CreateStateMachine, DescribeStateMachine, UpdateStateMachine, DeleteStateMachine.

use aws_sdk_sfn::operation::create_state_machine::CreateStateMachineError;
use aws_sdk_sfn::operation::describe_state_machine::DescribeStateMachineError;
use aws_sdk_sfn::operation::update_state_machine::UpdateStateMachineError;
use aws_sdk_sfn::types::{
    CloudWatchLogsLogGroup, LogDestination, LogLevel, LoggingConfiguration, StateMachineStatus,
    StateMachineType, TracingConfiguration,
};
use switchback_store::executions::{self, Ending, ExecutionRecord};
use switchback_types::ExecutionStatus;

use crate::{code_of, create_machine, setup, PASS, PASS2, ROLE};

const ARN: &str = "arn:aws:states:us-east-1:123456789012:stateMachine:hello";

#[tokio::test]
async fn create_then_describe() {
    let (_s, client) = setup().await;
    let before = std::time::SystemTime::now();
    let out = client
        .create_state_machine()
        .name("hello")
        .definition(PASS)
        .role_arn(ROLE)
        .send()
        .await
        .unwrap();
    assert_eq!(out.state_machine_arn, ARN);
    assert!(out.state_machine_version_arn.is_none());
    let created = out.creation_date.secs();
    let now = before
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs() as i64;
    assert!(
        (created - now).abs() <= 5,
        "creationDate {created} vs now {now}"
    );

    let d = client
        .describe_state_machine()
        .state_machine_arn(ARN)
        .send()
        .await
        .unwrap();
    assert_eq!(d.name, "hello");
    assert_eq!(d.definition, PASS);
    assert_eq!(d.role_arn, ROLE);
    assert_eq!(d.r#type, StateMachineType::Standard);
    assert_eq!(d.status, Some(StateMachineStatus::Active));
    assert_eq!(d.creation_date, out.creation_date);
    assert_eq!(d.revision_id, None, "no revisionId before the first update");
    let logging = d.logging_configuration.unwrap();
    assert_eq!(logging.level, Some(LogLevel::Off));
    assert!(!logging.include_execution_data);
    assert!(!d.tracing_configuration.unwrap().enabled);
}

#[tokio::test]
async fn create_is_idempotent() {
    let (_s, client) = setup().await;
    let first = client
        .create_state_machine()
        .name("hello")
        .definition(PASS)
        .role_arn(ROLE)
        .send()
        .await
        .unwrap();
    // Same request: same ARN and creation date. A different role is ignored, as on AWS.
    let again = client
        .create_state_machine()
        .name("hello")
        .definition(PASS)
        .role_arn("arn:aws:iam::123456789012:role/other")
        .send()
        .await
        .unwrap();
    assert_eq!(again.state_machine_arn, first.state_machine_arn);
    assert_eq!(again.creation_date, first.creation_date);

    // A different definition, even one that differs only in formatting, is refused.
    for definition in [PASS2, &PASS.replace(':', ": ")] {
        let err = client
            .create_state_machine()
            .name("hello")
            .definition(definition)
            .role_arn(ROLE)
            .send()
            .await
            .unwrap_err()
            .into_service_error();
        assert!(
            matches!(err, CreateStateMachineError::StateMachineAlreadyExists(_)),
            "{err:?}"
        );
        assert_eq!(
            err.to_string(),
            format!("StateMachineAlreadyExists: State Machine Already Exists: '{ARN}'")
        );
    }
    // So is another type.
    let err = client
        .create_state_machine()
        .name("hello")
        .definition(PASS)
        .role_arn(ROLE)
        .r#type(StateMachineType::Express)
        .send()
        .await
        .unwrap_err()
        .into_service_error();
    assert!(matches!(
        err,
        CreateStateMachineError::StateMachineAlreadyExists(_)
    ));
}

#[tokio::test]
async fn create_publish_is_idempotent_too() {
    let (_s, client) = setup().await;
    let create = || {
        client
            .create_state_machine()
            .name("pub")
            .definition(PASS)
            .role_arn(ROLE)
            .publish(true)
            .version_description("first")
            .send()
    };
    let a = create().await.unwrap();
    let b = create().await.unwrap();
    assert_eq!(
        a.state_machine_version_arn.as_deref(),
        Some("arn:aws:states:us-east-1:123456789012:stateMachine:pub:1")
    );
    assert_eq!(a.state_machine_version_arn, b.state_machine_version_arn);
    let versions = client
        .list_state_machine_versions()
        .state_machine_arn(&a.state_machine_arn)
        .send()
        .await
        .unwrap();
    assert_eq!(versions.state_machine_versions.len(), 1);
}

#[tokio::test]
async fn invalid_definitions_name_their_faults() {
    let (_s, client) = setup().await;
    let broken = r#"{"StartAt":"A","States":{"A":{"Type":"Pass","Next":"Nowhere"}}}"#;
    let err = client
        .create_state_machine()
        .name("broken")
        .definition(broken)
        .role_arn(ROLE)
        .send()
        .await
        .unwrap_err()
        .into_service_error();
    let CreateStateMachineError::InvalidDefinition(e) = &err else {
        panic!("expected InvalidDefinition, got {err:?}");
    };
    let message = e.message().unwrap();
    assert!(
        message.starts_with("Invalid State Machine Definition: '"),
        "{message}"
    );
    assert!(
        message.contains(
            "MISSING_TRANSITION_TARGET: Missing 'Next' target: Nowhere at /States/A/Next"
        ),
        "{message}"
    );

    let err = client
        .create_state_machine()
        .name("broken")
        .definition(r#"{"StartAt":"A"}"#)
        .role_arn(ROLE)
        .send()
        .await
        .unwrap_err()
        .into_service_error();
    assert_eq!(
        err.to_string(),
        "InvalidDefinition: Invalid State Machine Definition: \
         'SCHEMA_VALIDATION_FAILED: These fields are required: [States] at /'"
    );

    let err = client
        .create_state_machine()
        .name("broken")
        .definition("not json")
        .role_arn(ROLE)
        .send()
        .await
        .unwrap_err()
        .into_service_error();
    assert!(matches!(err, CreateStateMachineError::InvalidDefinition(_)));
}

#[tokio::test]
async fn names_and_arns_are_checked() {
    let (_s, client) = setup().await;
    let err = client
        .create_state_machine()
        .name("has space")
        .definition(PASS)
        .role_arn(ROLE)
        .send()
        .await
        .unwrap_err()
        .into_service_error();
    assert!(
        matches!(err, CreateStateMachineError::InvalidName(_)),
        "{err:?}"
    );
    assert_eq!(err.to_string(), "InvalidName: Invalid Name: 'has space'");

    let long = "a".repeat(81);
    let err = client
        .create_state_machine()
        .name(&long)
        .definition(PASS)
        .role_arn(ROLE)
        .send()
        .await
        .unwrap_err()
        .into_service_error();
    assert!(
        matches!(err, CreateStateMachineError::ValidationException(_)),
        "{err:?}"
    );
    assert!(err.to_string().contains(
        "at 'name' failed to satisfy constraint: Member must have length less than or equal to 80"
    ));

    let err = client
        .create_state_machine()
        .name("ok")
        .definition(PASS)
        .role_arn("not-a-role")
        .send()
        .await
        .unwrap_err()
        .into_service_error();
    assert!(
        matches!(err, CreateStateMachineError::InvalidArn(_)),
        "{err:?}"
    );

    let err = client
        .describe_state_machine()
        .state_machine_arn("not_a_valid_arn")
        .send()
        .await
        .unwrap_err()
        .into_service_error();
    assert!(
        matches!(err, DescribeStateMachineError::InvalidArn(_)),
        "{err:?}"
    );
    assert_eq!(
        err.to_string(),
        "InvalidArn: Invalid Arn: 'Invalid ARN prefix: not_a_valid_arn'"
    );

    let err = client
        .describe_state_machine()
        .state_machine_arn(ARN)
        .send()
        .await
        .unwrap_err()
        .into_service_error();
    assert!(
        matches!(err, DescribeStateMachineError::StateMachineDoesNotExist(_)),
        "{err:?}"
    );
    assert_eq!(
        err.to_string(),
        format!("StateMachineDoesNotExist: State Machine Does Not Exist: '{ARN}'")
    );
}

#[tokio::test]
async fn express_with_configurations_echoed() {
    let (_s, client) = setup().await;
    let group = "arn:aws:logs:us-east-1:123456789012:log-group:sfn:*";
    let out = client
        .create_state_machine()
        .name("fast")
        .definition(PASS)
        .role_arn(ROLE)
        .r#type(StateMachineType::Express)
        .logging_configuration(
            LoggingConfiguration::builder()
                .level(LogLevel::All)
                .include_execution_data(true)
                .destinations(
                    LogDestination::builder()
                        .cloud_watch_logs_log_group(
                            CloudWatchLogsLogGroup::builder()
                                .log_group_arn(group)
                                .build(),
                        )
                        .build(),
                )
                .build(),
        )
        .tracing_configuration(TracingConfiguration::builder().enabled(true).build())
        .send()
        .await
        .unwrap();
    let d = client
        .describe_state_machine()
        .state_machine_arn(&out.state_machine_arn)
        .send()
        .await
        .unwrap();
    assert_eq!(d.r#type, StateMachineType::Express);
    let logging = d.logging_configuration.unwrap();
    assert_eq!(logging.level, Some(LogLevel::All));
    assert!(logging.include_execution_data);
    assert_eq!(
        logging.destinations()[0]
            .cloud_watch_logs_log_group()
            .unwrap()
            .log_group_arn(),
        Some(group)
    );
    assert!(d.tracing_configuration.unwrap().enabled);

    // Logging at a level without a destination is refused.
    let err = client
        .create_state_machine()
        .name("noisy")
        .definition(PASS)
        .role_arn(ROLE)
        .logging_configuration(
            LoggingConfiguration::builder()
                .level(LogLevel::Error)
                .build(),
        )
        .send()
        .await
        .unwrap_err()
        .into_service_error();
    assert!(
        matches!(err, CreateStateMachineError::InvalidLoggingConfiguration(_)),
        "{err:?}"
    );

    // Express refuses the callback pattern.
    let callback = r#"{"StartAt":"T","States":{"T":{"Type":"Task",
        "Resource":"arn:aws:states:::sqs:sendMessage.waitForTaskToken","End":true}}}"#;
    let err = client
        .create_state_machine()
        .name("cb")
        .definition(callback)
        .role_arn(ROLE)
        .r#type(StateMachineType::Express)
        .send()
        .await
        .unwrap_err()
        .into_service_error();
    assert!(
        matches!(err, CreateStateMachineError::InvalidDefinition(_)),
        "{err:?}"
    );
}

#[tokio::test]
async fn update_makes_revisions() {
    let (_s, client) = setup().await;
    let arn = create_machine(&client, "hello", PASS).await;
    let u1 = client
        .update_state_machine()
        .state_machine_arn(&arn)
        .definition(PASS2)
        .send()
        .await
        .unwrap();
    let r1 = u1.revision_id.clone().expect("a revision after an update");
    assert!(u1.state_machine_version_arn.is_none());
    let d = client
        .describe_state_machine()
        .state_machine_arn(&arn)
        .send()
        .await
        .unwrap();
    assert_eq!(d.definition, PASS2);
    assert_eq!(d.revision_id.as_deref(), Some(r1.as_str()));

    // Same parameters: same revision.
    let u2 = client
        .update_state_machine()
        .state_machine_arn(&arn)
        .definition(PASS2)
        .send()
        .await
        .unwrap();
    assert_eq!(u2.revision_id.as_deref(), Some(r1.as_str()));

    // A new role: a new revision; with publish, a version.
    let u3 = client
        .update_state_machine()
        .state_machine_arn(&arn)
        .role_arn("arn:aws:iam::123456789012:role/other")
        .publish(true)
        .version_description("v1")
        .send()
        .await
        .unwrap();
    assert_ne!(u3.revision_id.as_deref(), Some(r1.as_str()));
    assert_eq!(u3.state_machine_version_arn, Some(format!("{arn}:1")));
    let v = client
        .describe_state_machine()
        .state_machine_arn(format!("{arn}:1"))
        .send()
        .await
        .unwrap();
    assert_eq!(v.state_machine_arn, format!("{arn}:1"));
    assert_eq!(v.description.as_deref(), Some("v1"));
    assert_eq!(v.role_arn, "arn:aws:iam::123456789012:role/other");
    assert_eq!(v.revision_id, u3.revision_id);

    // Publishing again with no change returns the same version.
    let u4 = client
        .update_state_machine()
        .state_machine_arn(&arn)
        .role_arn("arn:aws:iam::123456789012:role/other")
        .publish(true)
        .send()
        .await
        .unwrap();
    assert_eq!(u4.state_machine_version_arn, Some(format!("{arn}:1")));
}

#[tokio::test]
async fn update_errors() {
    let (_s, client) = setup().await;
    let arn = create_machine(&client, "hello", PASS).await;
    let err = client
        .update_state_machine()
        .state_machine_arn(&arn)
        .send()
        .await
        .unwrap_err()
        .into_service_error();
    assert!(
        matches!(err, UpdateStateMachineError::MissingRequiredParameter(_)),
        "{err:?}"
    );
    assert_eq!(
        err.to_string(),
        "MissingRequiredParameter: Either the definition, the role ARN, the \
         LoggingConfiguration, or the TracingConfiguration must be specified"
    );

    let err = client
        .update_state_machine()
        .state_machine_arn(&arn)
        .definition(PASS2)
        .version_description("no publish")
        .send()
        .await
        .unwrap_err()
        .into_service_error();
    assert!(
        matches!(err, UpdateStateMachineError::ValidationException(_)),
        "{err:?}"
    );
    assert_eq!(
        err.to_string(),
        "ValidationException: Version description can only be set when publish is true"
    );

    let err = client
        .update_state_machine()
        .state_machine_arn(&arn)
        .definition(r#"{"StartAt":"X","States":{}}"#)
        .send()
        .await
        .unwrap_err()
        .into_service_error();
    assert!(
        matches!(err, UpdateStateMachineError::InvalidDefinition(_)),
        "{err:?}"
    );

    let err = client
        .update_state_machine()
        .state_machine_arn(format!("{arn}-missing"))
        .definition(PASS2)
        .send()
        .await
        .unwrap_err()
        .into_service_error();
    assert!(
        matches!(err, UpdateStateMachineError::StateMachineDoesNotExist(_)),
        "{err:?}"
    );
}

#[tokio::test]
async fn delete_removes_at_once_without_executions() {
    let (_s, client) = setup().await;
    let arn = create_machine(&client, "hello", PASS).await;
    client
        .delete_state_machine()
        .state_machine_arn(&arn)
        .send()
        .await
        .unwrap();
    let err = client
        .describe_state_machine()
        .state_machine_arn(&arn)
        .send()
        .await
        .unwrap_err()
        .into_service_error();
    assert!(matches!(
        err,
        DescribeStateMachineError::StateMachineDoesNotExist(_)
    ));
    // Deleting again, or deleting what never existed, succeeds.
    client
        .delete_state_machine()
        .state_machine_arn(&arn)
        .send()
        .await
        .unwrap();
    // The name is free again.
    create_machine(&client, "hello", PASS2).await;
    // A version ARN is not what DeleteStateMachine takes.
    let (code, _) = code_of(
        client
            .delete_state_machine()
            .state_machine_arn(format!("{arn}:1"))
            .send()
            .await,
    );
    assert_eq!(code, "ValidationException");
}

/// A RUNNING execution of `machine`, as the runtime would store it.
fn running_execution(machine: &str) -> ExecutionRecord {
    ExecutionRecord {
        id: 0,
        arn: format!("{machine}-exec"),
        state_machine_arn: machine.to_owned(),
        version_arn: None,
        alias_arn: None,
        name: "e1".to_owned(),
        status: ExecutionStatus::Running,
        definition: "{}".to_owned(),
        role_arn: "r".to_owned(),
        revision_id: None,
        input: "{}".to_owned(),
        output: None,
        error: None,
        cause: None,
        start_date: 0,
        stop_date: None,
        redrive_count: 0,
        redrive_date: None,
        seed: 0,
        wake_at: None,
        trace_header: None,
        wakes: 0,
        map_run_arn: None,
    }
}

#[tokio::test]
async fn delete_with_a_running_execution_marks_deleting() {
    let (server, client) = setup().await;
    let arn = create_machine(&client, "busy", PASS).await;
    // A running execution, written straight into the store (the runtime is not wired here).
    let running = running_execution(&arn);
    let execution = server
        .state
        .store
        .write(move |tx| executions::insert(tx, &running))
        .await
        .unwrap();
    client
        .delete_state_machine()
        .state_machine_arn(&arn)
        .send()
        .await
        .unwrap();
    let d = client
        .describe_state_machine()
        .state_machine_arn(&arn)
        .send()
        .await
        .unwrap();
    assert_eq!(d.status, Some(StateMachineStatus::Deleting));
    // A DELETING machine can start nothing, and its name cannot be reused yet.
    let err = switchback_api::resolve_start_target(&server.state, &arn)
        .await
        .unwrap_err();
    assert_eq!(err.code(), "StateMachineDeleting");
    let err = client
        .create_state_machine()
        .name("busy")
        .definition(PASS)
        .role_arn(ROLE)
        .send()
        .await
        .unwrap_err()
        .into_service_error();
    assert!(
        matches!(err, CreateStateMachineError::StateMachineDeleting(_)),
        "{err:?}"
    );
    let err = client
        .update_state_machine()
        .state_machine_arn(&arn)
        .definition(PASS2)
        .send()
        .await
        .unwrap_err()
        .into_service_error();
    assert!(
        matches!(err, UpdateStateMachineError::StateMachineDeleting(_)),
        "{err:?}"
    );

    // Once the execution has ended, deleting again finishes the job.
    let ending = Ending {
        status: ExecutionStatus::Succeeded,
        output: None,
        error: None,
        cause: None,
        stop_date: 1,
    };
    let finished = server
        .state
        .store
        .write(move |tx| executions::finish(tx, execution, &ending))
        .await
        .unwrap();
    assert!(finished);
    client
        .delete_state_machine()
        .state_machine_arn(&arn)
        .send()
        .await
        .unwrap();
    let (code, _) = code_of(
        client
            .describe_state_machine()
            .state_machine_arn(&arn)
            .send()
            .await,
    );
    assert_eq!(code, "StateMachineDoesNotExist");
}

#[tokio::test]
async fn resolve_start_target_of_machine_and_version() {
    let (server, client) = setup().await;
    let arn = create_machine(&client, "hello", PASS).await;
    let t = switchback_api::resolve_start_target(&server.state, &arn)
        .await
        .unwrap();
    assert_eq!(t.state_machine_arn, arn);
    assert_eq!(t.version_arn, None);
    assert_eq!(t.alias_arn, None);
    assert_eq!(t.name, "hello");
    assert_eq!(t.definition, PASS);
    assert_eq!(t.role_arn, ROLE);
    assert_eq!(t.revision_id, None);

    let u = client
        .update_state_machine()
        .state_machine_arn(&arn)
        .definition(PASS2)
        .publish(true)
        .send()
        .await
        .unwrap();
    let t = switchback_api::resolve_start_target(&server.state, &format!("{arn}:1"))
        .await
        .unwrap();
    assert_eq!(t.state_machine_arn, arn);
    assert_eq!(t.version_arn, Some(format!("{arn}:1")));
    assert_eq!(t.definition, PASS2);
    assert_eq!(t.revision_id, u.revision_id);

    for missing in [
        format!("{arn}:9"),
        format!("{arn}-nope"),
        format!("{arn}:alias"),
    ] {
        let err = switchback_api::resolve_start_target(&server.state, &missing)
            .await
            .unwrap_err();
        assert_eq!(err.code(), "StateMachineDoesNotExist", "{missing}");
    }
    let err = switchback_api::resolve_start_target(&server.state, "nope")
        .await
        .unwrap_err();
    assert_eq!(err.code(), "InvalidArn");
}

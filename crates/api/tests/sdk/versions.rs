//! PublishStateMachineVersion, ListStateMachineVersions, DeleteStateMachineVersion.

use aws_sdk_sfn::operation::delete_state_machine_version::DeleteStateMachineVersionError;
use aws_sdk_sfn::operation::describe_state_machine::DescribeStateMachineError;
use aws_sdk_sfn::operation::publish_state_machine_version::PublishStateMachineVersionError;
use aws_sdk_sfn::types::RoutingConfigurationListItem;

use crate::{create_machine, setup, PASS, PASS2};

#[tokio::test]
async fn publish_list_describe_delete() {
    let (_s, client) = setup().await;
    let arn = create_machine(&client, "hello", PASS).await;

    let v1 = client
        .publish_state_machine_version()
        .state_machine_arn(&arn)
        .description("first")
        .send()
        .await
        .unwrap();
    assert_eq!(v1.state_machine_version_arn, format!("{arn}:1"));
    // Publishing an unchanged machine returns the latest version.
    let again = client
        .publish_state_machine_version()
        .state_machine_arn(&arn)
        .send()
        .await
        .unwrap();
    assert_eq!(
        again.state_machine_version_arn,
        v1.state_machine_version_arn
    );
    assert_eq!(again.creation_date, v1.creation_date);

    let u = client
        .update_state_machine()
        .state_machine_arn(&arn)
        .definition(PASS2)
        .send()
        .await
        .unwrap();
    let v2 = client
        .publish_state_machine_version()
        .state_machine_arn(&arn)
        .revision_id(u.revision_id.clone().unwrap())
        .send()
        .await
        .unwrap();
    assert_eq!(v2.state_machine_version_arn, format!("{arn}:2"));

    let list = client
        .list_state_machine_versions()
        .state_machine_arn(&arn)
        .send()
        .await
        .unwrap();
    let arns: Vec<&str> = list
        .state_machine_versions
        .iter()
        .map(|v| v.state_machine_version_arn.as_str())
        .collect();
    assert_eq!(arns, vec![format!("{arn}:2"), format!("{arn}:1")]);

    let d1 = client
        .describe_state_machine()
        .state_machine_arn(format!("{arn}:1"))
        .send()
        .await
        .unwrap();
    assert_eq!(d1.definition, PASS);
    assert_eq!(d1.description.as_deref(), Some("first"));
    assert_eq!(d1.revision_id, None, "published from the initial revision");
    let d2 = client
        .describe_state_machine()
        .state_machine_arn(format!("{arn}:2"))
        .send()
        .await
        .unwrap();
    assert_eq!(d2.definition, PASS2);
    assert_eq!(d2.revision_id, u.revision_id);

    client
        .delete_state_machine_version()
        .state_machine_version_arn(format!("{arn}:2"))
        .send()
        .await
        .unwrap();
    // Deleting again succeeds.
    client
        .delete_state_machine_version()
        .state_machine_version_arn(format!("{arn}:2"))
        .send()
        .await
        .unwrap();
    let err = client
        .describe_state_machine()
        .state_machine_arn(format!("{arn}:2"))
        .send()
        .await
        .unwrap_err()
        .into_service_error();
    assert!(matches!(
        err,
        DescribeStateMachineError::StateMachineDoesNotExist(_)
    ));
    assert_eq!(
        err.to_string(),
        format!("StateMachineDoesNotExist: State Machine Does Not Exist: '{arn}:2'")
    );

    // Numbers are never reused: the same revision published again is version 3.
    let v3 = client
        .publish_state_machine_version()
        .state_machine_arn(&arn)
        .send()
        .await
        .unwrap();
    assert_eq!(v3.state_machine_version_arn, format!("{arn}:3"));
}

#[tokio::test]
async fn publish_checks_the_revision() {
    let (_s, client) = setup().await;
    let arn = create_machine(&client, "hello", PASS).await;
    let u1 = client
        .update_state_machine()
        .state_machine_arn(&arn)
        .definition(PASS2)
        .send()
        .await
        .unwrap();
    let u2 = client
        .update_state_machine()
        .state_machine_arn(&arn)
        .definition(PASS)
        .send()
        .await
        .unwrap();
    let stale = u1.revision_id.unwrap();
    let err = client
        .publish_state_machine_version()
        .state_machine_arn(&arn)
        .revision_id(&stale)
        .send()
        .await
        .unwrap_err()
        .into_service_error();
    assert!(
        matches!(err, PublishStateMachineVersionError::ConflictException(_)),
        "{err:?}"
    );
    assert_eq!(
        err.to_string(),
        format!(
            "ConflictException: Failed to publish the State Machine version for revision \
             {stale}. The current State Machine revision is {}.",
            u2.revision_id.unwrap()
        )
    );

    let err = client
        .publish_state_machine_version()
        .state_machine_arn(format!("{arn}-missing"))
        .send()
        .await
        .unwrap_err()
        .into_service_error();
    assert!(
        matches!(
            err,
            PublishStateMachineVersionError::StateMachineDoesNotExist(_)
        ),
        "{err:?}"
    );
}

#[tokio::test]
async fn a_version_routed_by_an_alias_cannot_be_deleted() {
    let (_s, client) = setup().await;
    let arn = create_machine(&client, "hello", PASS).await;
    client
        .publish_state_machine_version()
        .state_machine_arn(&arn)
        .send()
        .await
        .unwrap();
    client
        .create_state_machine_alias()
        .name("prod")
        .routing_configuration(
            RoutingConfigurationListItem::builder()
                .state_machine_version_arn(format!("{arn}:1"))
                .weight(100)
                .build()
                .unwrap(),
        )
        .send()
        .await
        .unwrap();
    let err = client
        .delete_state_machine_version()
        .state_machine_version_arn(format!("{arn}:1"))
        .send()
        .await
        .unwrap_err()
        .into_service_error();
    assert!(
        matches!(err, DeleteStateMachineVersionError::ConflictException(_)),
        "{err:?}"
    );
    assert_eq!(
        err.to_string(),
        "ConflictException: Version to be deleted must not be referenced by an alias. Current \
         list of aliases referencing this version: [prod]"
    );
    let err = client
        .delete_state_machine_version()
        .state_machine_version_arn(&arn)
        .send()
        .await
        .unwrap_err()
        .into_service_error();
    assert!(
        matches!(err, DeleteStateMachineVersionError::InvalidArn(_)),
        "{err:?}"
    );
}

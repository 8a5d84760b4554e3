//! Create/Describe/Update/Delete/ListStateMachineAlias(es), and starts through an alias.

use aws_sdk_sfn::operation::create_state_machine_alias::CreateStateMachineAliasError;
use aws_sdk_sfn::operation::describe_state_machine_alias::DescribeStateMachineAliasError;
use aws_sdk_sfn::operation::update_state_machine_alias::UpdateStateMachineAliasError;
use aws_sdk_sfn::types::RoutingConfigurationListItem;
use aws_sdk_sfn::Client;

use crate::{create_machine, setup, PASS, PASS2};

fn route(version_arn: &str, weight: i32) -> RoutingConfigurationListItem {
    RoutingConfigurationListItem::builder()
        .state_machine_version_arn(version_arn)
        .weight(weight)
        .build()
        .unwrap()
}

/// A machine with versions 1 (PASS) and 2 (PASS2).
async fn machine_with_two_versions(client: &Client) -> String {
    let arn = create_machine(client, "hello", PASS).await;
    client
        .publish_state_machine_version()
        .state_machine_arn(&arn)
        .send()
        .await
        .unwrap();
    client
        .update_state_machine()
        .state_machine_arn(&arn)
        .definition(PASS2)
        .publish(true)
        .send()
        .await
        .unwrap();
    arn
}

#[tokio::test]
async fn alias_lifecycle() {
    let (_s, client) = setup().await;
    let arn = machine_with_two_versions(&client).await;
    let v1 = format!("{arn}:1");
    let v2 = format!("{arn}:2");

    let created = client
        .create_state_machine_alias()
        .name("prod")
        .description("production")
        .routing_configuration(route(&v1, 100))
        .send()
        .await
        .unwrap();
    let alias = format!("{arn}:prod");
    assert_eq!(created.state_machine_alias_arn, alias);

    // Idempotent: the same request returns the same alias.
    let again = client
        .create_state_machine_alias()
        .name("prod")
        .description("production")
        .routing_configuration(route(&v1, 100))
        .send()
        .await
        .unwrap();
    assert_eq!(again.state_machine_alias_arn, alias);
    assert_eq!(again.creation_date, created.creation_date);
    // The same name with another routing is a conflict.
    let err = client
        .create_state_machine_alias()
        .name("prod")
        .description("production")
        .routing_configuration(route(&v2, 100))
        .send()
        .await
        .unwrap_err()
        .into_service_error();
    assert!(
        matches!(err, CreateStateMachineAliasError::ConflictException(_)),
        "{err:?}"
    );
    assert_eq!(
        err.to_string(),
        "ConflictException: Failed to create alias because an alias with the same name and a \
         different routing configuration already exists."
    );

    let d = client
        .describe_state_machine_alias()
        .state_machine_alias_arn(&alias)
        .send()
        .await
        .unwrap();
    assert_eq!(d.name.as_deref(), Some("prod"));
    assert_eq!(d.description.as_deref(), Some("production"));
    assert_eq!(d.routing_configuration().len(), 1);
    assert_eq!(d.routing_configuration()[0].state_machine_version_arn, v1);
    assert_eq!(d.routing_configuration()[0].weight, 100);
    assert_eq!(d.creation_date, Some(created.creation_date));
    assert!(d.update_date.is_some());

    client
        .update_state_machine_alias()
        .state_machine_alias_arn(&alias)
        .routing_configuration(route(&v1, 50))
        .routing_configuration(route(&v2, 50))
        .send()
        .await
        .unwrap();
    let d = client
        .describe_state_machine_alias()
        .state_machine_alias_arn(&alias)
        .send()
        .await
        .unwrap();
    let routes: Vec<(&str, i32)> = d
        .routing_configuration()
        .iter()
        .map(|r| (r.state_machine_version_arn.as_str(), r.weight))
        .collect();
    assert_eq!(routes, vec![(v1.as_str(), 50), (v2.as_str(), 50)]);
    assert_eq!(d.description.as_deref(), Some("production"));

    client
        .create_state_machine_alias()
        .name("beta")
        .routing_configuration(route(&v2, 100))
        .send()
        .await
        .unwrap();
    let list = client
        .list_state_machine_aliases()
        .state_machine_arn(&arn)
        .send()
        .await
        .unwrap();
    let names: Vec<&str> = list
        .state_machine_aliases
        .iter()
        .map(|a| a.state_machine_alias_arn.as_str())
        .collect();
    assert_eq!(names, vec![alias.clone(), format!("{arn}:beta")]);
    // Paged one at a time.
    let first = client
        .list_state_machine_aliases()
        .state_machine_arn(&arn)
        .max_results(1)
        .send()
        .await
        .unwrap();
    assert_eq!(first.state_machine_aliases.len(), 1);
    let second = client
        .list_state_machine_aliases()
        .state_machine_arn(&arn)
        .max_results(1)
        .next_token(first.next_token.unwrap())
        .send()
        .await
        .unwrap();
    assert_eq!(
        second.state_machine_aliases[0].state_machine_alias_arn,
        format!("{arn}:beta")
    );
    assert!(second.next_token.is_none());
    // For a version: the aliases routing to it.
    let for_v1 = client
        .list_state_machine_aliases()
        .state_machine_arn(&v1)
        .send()
        .await
        .unwrap();
    assert_eq!(for_v1.state_machine_aliases.len(), 1);
    assert_eq!(
        for_v1.state_machine_aliases[0].state_machine_alias_arn,
        alias
    );

    client
        .delete_state_machine_alias()
        .state_machine_alias_arn(&alias)
        .send()
        .await
        .unwrap();
    // Deleting again succeeds; describing is ResourceNotFound.
    client
        .delete_state_machine_alias()
        .state_machine_alias_arn(&alias)
        .send()
        .await
        .unwrap();
    let err = client
        .describe_state_machine_alias()
        .state_machine_alias_arn(&alias)
        .send()
        .await
        .unwrap_err()
        .into_service_error();
    assert!(
        matches!(err, DescribeStateMachineAliasError::ResourceNotFound(_)),
        "{err:?}"
    );
    let err = client
        .update_state_machine_alias()
        .state_machine_alias_arn(&alias)
        .description("x")
        .send()
        .await
        .unwrap_err()
        .into_service_error();
    assert!(
        matches!(err, UpdateStateMachineAliasError::ResourceNotFound(_)),
        "{err:?}"
    );
    assert_eq!(
        err.to_string(),
        "ResourceNotFound: Request references a resource that does not exist."
    );
}

#[tokio::test]
async fn routing_rules() {
    let (_s, client) = setup().await;
    let arn = machine_with_two_versions(&client).await;
    let v1 = format!("{arn}:1");
    let v2 = format!("{arn}:2");
    let attempt = |routes: Vec<RoutingConfigurationListItem>, name: &str| {
        let mut call = client.create_state_machine_alias().name(name);
        for r in routes {
            call = call.routing_configuration(r);
        }
        call.send()
    };
    let cases: Vec<(Vec<RoutingConfigurationListItem>, &str, String)> = vec![
        (
            vec![route(&v1, 70), route(&v2, 29)],
            "a",
            "Sum of routing configuration weights must equal 100. Received: [70, 29]".to_string(),
        ),
        (
            vec![route(&arn, 100)],
            "a",
            format!("Routing configuration must contain state machine version ARNs. Received: [{arn}]"),
        ),
        (
            vec![route(&v1, 50), route(&v1, 50)],
            "a",
            format!(
                "Routing configuration must contain distinct state machine version ARNs. \
                 Received: [{v1}, {v1}]"
            ),
        ),
        (
            vec![route(&v1, 101)],
            "a",
            "1 validation error detected: Value '101' at 'routingConfiguration.1.member.weight' \
             failed to satisfy constraint: Member must have value less than or equal to 100"
                .to_string(),
        ),
        (
            vec![route(&v1, 50), route(&v2, 30), route(&v1, 20)],
            "a",
            "failed to satisfy constraint: Member must have length less than or equal to 2"
                .to_string(),
        ),
        (
            vec![route(&v1, 100)],
            "123",
            "1 validation error detected: Value '123' at 'name' failed to satisfy constraint: \
             Member must satisfy regular expression pattern: ^(?=.*[a-zA-Z_\\-\\.])[a-zA-Z0-9_\\-\\.]+$"
                .to_string(),
        ),
    ];
    for (routes, name, expected) in cases {
        let err = attempt(routes, name)
            .await
            .unwrap_err()
            .into_service_error();
        assert!(
            matches!(err, CreateStateMachineAliasError::ValidationException(_)),
            "{err:?}"
        );
        let message = err.to_string();
        assert!(
            message.contains(&expected),
            "{message}\nexpected: {expected}"
        );
    }
    // A version that does not exist.
    let err = attempt(vec![route(&format!("{arn}:7"), 100)], "a")
        .await
        .unwrap_err()
        .into_service_error();
    assert!(
        matches!(err, CreateStateMachineAliasError::ResourceNotFound(_)),
        "{err:?}"
    );
}

#[tokio::test]
async fn starts_through_an_alias_follow_its_weights() {
    let (server, client) = setup().await;
    let arn = machine_with_two_versions(&client).await;
    let v1 = format!("{arn}:1");
    let v2 = format!("{arn}:2");
    let alias = client
        .create_state_machine_alias()
        .name("split")
        .routing_configuration(route(&v1, 50))
        .routing_configuration(route(&v2, 50))
        .send()
        .await
        .unwrap()
        .state_machine_alias_arn;
    let (mut ones, mut twos) = (0, 0);
    for _ in 0..200 {
        let t = switchback_api::resolve_start_target(&server.state, &alias)
            .await
            .unwrap();
        assert_eq!(t.alias_arn.as_deref(), Some(alias.as_str()));
        assert_eq!(t.state_machine_arn, arn);
        match t.version_arn.as_deref() {
            Some(v) if v == v1 => {
                assert_eq!(t.definition, PASS);
                ones += 1
            }
            Some(v) if v == v2 => {
                assert_eq!(t.definition, PASS2);
                twos += 1
            }
            other => panic!("unexpected version {other:?}"),
        }
    }
    assert!(ones > 50 && twos > 50, "v1 {ones} times, v2 {twos} times");

    // Deleting the machine removes its aliases.
    client
        .delete_state_machine()
        .state_machine_arn(&arn)
        .send()
        .await
        .unwrap();
    let err = switchback_api::resolve_start_target(&server.state, &alias)
        .await
        .unwrap_err();
    assert_eq!(err.code(), "StateMachineDoesNotExist");
}

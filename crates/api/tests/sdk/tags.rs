//! TagResource, UntagResource, ListTagsForResource, and tags given at creation.

use aws_sdk_sfn::operation::list_tags_for_resource::ListTagsForResourceError;
use aws_sdk_sfn::operation::tag_resource::TagResourceError;
use aws_sdk_sfn::types::Tag;

use crate::{code_of, create_machine, setup, PASS, ROLE};

fn tag(k: &str, v: &str) -> Tag {
    Tag::builder().key(k).value(v).build()
}

fn pairs(tags: &[Tag]) -> Vec<(String, String)> {
    tags.iter()
        .map(|t| {
            (
                t.key().unwrap_or_default().to_string(),
                t.value().unwrap_or_default().to_string(),
            )
        })
        .collect()
}

#[tokio::test]
async fn tag_untag_list() {
    let (_s, client) = setup().await;
    let arn = client
        .create_state_machine()
        .name("tagged")
        .definition(PASS)
        .role_arn(ROLE)
        .tags(tag("team", "core"))
        .tags(tag("empty", ""))
        .send()
        .await
        .unwrap()
        .state_machine_arn;
    let listed = client
        .list_tags_for_resource()
        .resource_arn(&arn)
        .send()
        .await
        .unwrap();
    assert_eq!(
        pairs(listed.tags()),
        vec![("empty".into(), "".into()), ("team".into(), "core".into())]
    );

    client
        .tag_resource()
        .resource_arn(&arn)
        .tags(tag("team", "platform"))
        .tags(tag("env", "dev"))
        .send()
        .await
        .unwrap();
    client
        .untag_resource()
        .resource_arn(&arn)
        .tag_keys("empty")
        .tag_keys("never-there")
        .send()
        .await
        .unwrap();
    let listed = client
        .list_tags_for_resource()
        .resource_arn(&arn)
        .send()
        .await
        .unwrap();
    assert_eq!(
        pairs(listed.tags()),
        vec![
            ("env".into(), "dev".into()),
            ("team".into(), "platform".into())
        ]
    );
}

#[tokio::test]
async fn unknown_resources_and_limits() {
    let (_s, client) = setup().await;
    let arn = create_machine(&client, "hello", PASS).await;
    client
        .publish_state_machine_version()
        .state_machine_arn(&arn)
        .send()
        .await
        .unwrap();
    // Versions carry no tags of their own.
    let err = client
        .tag_resource()
        .resource_arn(format!("{arn}:1"))
        .tags(tag("a", "b"))
        .send()
        .await
        .unwrap_err()
        .into_service_error();
    assert!(
        matches!(err, TagResourceError::ResourceNotFound(_)),
        "{err:?}"
    );
    assert_eq!(
        err.to_string(),
        format!("ResourceNotFound: Resource not found: '{arn}:1'")
    );
    let err = client
        .list_tags_for_resource()
        .resource_arn(format!("{arn}-missing"))
        .send()
        .await
        .unwrap_err()
        .into_service_error();
    assert!(
        matches!(err, ListTagsForResourceError::ResourceNotFound(_)),
        "{err:?}"
    );
    let err = client
        .list_tags_for_resource()
        .resource_arn("garbage")
        .send()
        .await
        .unwrap_err()
        .into_service_error();
    assert!(
        matches!(err, ListTagsForResourceError::InvalidArn(_)),
        "{err:?}"
    );

    let mut call = client.tag_resource().resource_arn(&arn);
    for i in 0..51 {
        call = call.tags(tag(&format!("k{i}"), "v"));
    }
    let err = call.send().await.unwrap_err().into_service_error();
    assert!(matches!(err, TagResourceError::TooManyTags(_)), "{err:?}");

    let (code, message) = code_of(
        client
            .tag_resource()
            .resource_arn(&arn)
            .tags(tag(&"k".repeat(129), "v"))
            .send()
            .await,
    );
    assert_eq!(code, "ValidationException");
    assert!(
        message.contains("at 'tags.1.member.key' failed to satisfy constraint"),
        "{message}"
    );
}

//! CreateActivity, DescribeActivity, DeleteActivity, ListActivities, and tags on activities.

use aws_sdk_sfn::operation::create_activity::CreateActivityError;
use aws_sdk_sfn::operation::delete_activity::DeleteActivityError;
use aws_sdk_sfn::operation::describe_activity::DescribeActivityError;
use aws_sdk_sfn::operation::list_activities::ListActivitiesError;
use aws_sdk_sfn::operation::list_tags_for_resource::ListTagsForResourceError;
use aws_sdk_sfn::operation::tag_resource::TagResourceError;
use aws_sdk_sfn::types::{EncryptionConfiguration, EncryptionType, Tag};
use aws_sdk_sfn::Client;

use crate::{code_of, create_machine, setup, PASS};

const PREFIX: &str = "arn:aws:states:us-east-1:123456789012:activity:";

fn tag(k: &str, v: &str) -> Tag {
    Tag::builder().key(k).value(v).build()
}

async fn tags_of(client: &Client, arn: &str) -> Vec<(String, String)> {
    client
        .list_tags_for_resource()
        .resource_arn(arn)
        .send()
        .await
        .unwrap()
        .tags()
        .iter()
        .map(|t| {
            (
                t.key().unwrap_or_default().to_string(),
                t.value().unwrap_or_default().to_string(),
            )
        })
        .collect()
}

async fn create_activity(client: &Client, name: &str) -> String {
    client
        .create_activity()
        .name(name)
        .send()
        .await
        .expect("create activity")
        .activity_arn
}

#[tokio::test]
async fn create_is_idempotent_and_describe_shows_it() {
    let (_s, client) = setup().await;
    let first = client
        .create_activity()
        .name("worker")
        .tags(tag("team", "core"))
        .send()
        .await
        .unwrap();
    assert_eq!(first.activity_arn, format!("{PREFIX}worker"));

    // The same name again: the same ARN and creation date; the new tags are ignored.
    let again = client
        .create_activity()
        .name("worker")
        .tags(tag("team", "other"))
        .tags(tag("extra", "x"))
        .send()
        .await
        .unwrap();
    assert_eq!(again.activity_arn, first.activity_arn);
    assert_eq!(again.creation_date, first.creation_date);
    assert_eq!(
        tags_of(&client, &first.activity_arn).await,
        vec![("team".to_string(), "core".to_string())]
    );

    let d = client
        .describe_activity()
        .activity_arn(&first.activity_arn)
        .send()
        .await
        .unwrap();
    assert_eq!(d.activity_arn, first.activity_arn);
    assert_eq!(d.name, "worker");
    assert_eq!(d.creation_date, first.creation_date);
    assert!(d.encryption_configuration.is_none());

    // AWS's own key is what an activity has by default: still the same request.
    let owned = EncryptionConfiguration::builder()
        .r#type(EncryptionType::AwsOwnedKey)
        .build()
        .unwrap();
    let same = client
        .create_activity()
        .name("worker")
        .encryption_configuration(owned)
        .send()
        .await
        .unwrap();
    assert_eq!(same.activity_arn, first.activity_arn);

    // Another encryption: the activity exists and its encryption may not change.
    let kms = EncryptionConfiguration::builder()
        .r#type(EncryptionType::CustomerManagedKmsKey)
        .kms_key_id("arn:aws:kms:us-east-1:123456789012:key/k1")
        .kms_data_key_reuse_period_seconds(120)
        .build()
        .unwrap();
    let err = client
        .create_activity()
        .name("worker")
        .encryption_configuration(kms.clone())
        .send()
        .await
        .unwrap_err()
        .into_service_error();
    assert!(
        matches!(err, CreateActivityError::ActivityAlreadyExists(_)),
        "{err:?}"
    );

    // Encryption given at creation is echoed back.
    let enc = client
        .create_activity()
        .name("secret")
        .encryption_configuration(kms.clone())
        .send()
        .await
        .unwrap();
    let d = client
        .describe_activity()
        .activity_arn(&enc.activity_arn)
        .send()
        .await
        .unwrap();
    assert_eq!(d.encryption_configuration, Some(kms));

    // A customer key without its id is refused.
    let (code, _) = code_of(
        client
            .create_activity()
            .name("nokey")
            .encryption_configuration(
                EncryptionConfiguration::builder()
                    .r#type(EncryptionType::CustomerManagedKmsKey)
                    .build()
                    .unwrap(),
            )
            .send()
            .await,
    );
    assert_eq!(code, "InvalidEncryptionConfiguration");
}

#[tokio::test]
async fn list_pages_in_creation_order() {
    let (_s, client) = setup().await;
    let empty = client.list_activities().send().await.unwrap();
    assert!(empty.activities.is_empty());
    assert!(empty.next_token.is_none());

    // Names in reverse order, so that creation order differs from name order.
    let mut expected = Vec::new();
    for i in (0..5).rev() {
        expected.push(create_activity(&client, &format!("act-{i}")).await);
    }
    let mut seen = Vec::new();
    let mut token: Option<String> = None;
    let mut pages = 0;
    loop {
        let page = client
            .list_activities()
            .max_results(2)
            .set_next_token(token.clone())
            .send()
            .await
            .unwrap();
        pages += 1;
        assert!(page.activities.len() <= 2);
        for a in &page.activities {
            assert_eq!(a.activity_arn, format!("{PREFIX}{}", a.name));
            seen.push(a.activity_arn.clone());
        }
        token = page.next_token;
        if token.is_none() {
            break;
        }
    }
    assert_eq!(pages, 3);
    assert_eq!(seen, expected);

    let all = client.list_activities().send().await.unwrap();
    assert_eq!(all.activities.len(), 5);
    assert!(all.next_token.is_none());

    let err = client
        .list_activities()
        .next_token("garbage")
        .send()
        .await
        .unwrap_err()
        .into_service_error();
    assert!(
        matches!(err, ListActivitiesError::InvalidToken(_)),
        "{err:?}"
    );
    let (code, message) = code_of(client.list_activities().max_results(1001).send().await);
    assert_eq!(code, "ValidationException");
    assert!(message.contains("at 'maxResults'"), "{message}");
}

#[tokio::test]
async fn tags_on_activities() {
    let (_s, client) = setup().await;
    let arn = create_activity(&client, "tagged").await;
    assert!(tags_of(&client, &arn).await.is_empty());
    client
        .tag_resource()
        .resource_arn(&arn)
        .tags(tag("env", "dev"))
        .tags(tag("team", "core"))
        .send()
        .await
        .unwrap();
    client
        .untag_resource()
        .resource_arn(&arn)
        .tag_keys("team")
        .tag_keys("never-there")
        .send()
        .await
        .unwrap();
    assert_eq!(
        tags_of(&client, &arn).await,
        vec![("env".to_string(), "dev".to_string())]
    );

    let mut call = client.tag_resource().resource_arn(&arn);
    for i in 0..50 {
        call = call.tags(tag(&format!("k{i}"), "v"));
    }
    let err = call.send().await.unwrap_err().into_service_error();
    assert!(matches!(err, TagResourceError::TooManyTags(_)), "{err:?}");

    let mut call = client.create_activity().name("many");
    for i in 0..51 {
        call = call.tags(tag(&format!("k{i}"), "v"));
    }
    let err = call.send().await.unwrap_err().into_service_error();
    assert!(
        matches!(err, CreateActivityError::TooManyTags(_)),
        "{err:?}"
    );

    // An activity that does not exist has no tags to list.
    let err = client
        .list_tags_for_resource()
        .resource_arn(format!("{PREFIX}missing"))
        .send()
        .await
        .unwrap_err()
        .into_service_error();
    assert!(
        matches!(err, ListTagsForResourceError::ResourceNotFound(_)),
        "{err:?}"
    );

    // Deleting the activity deletes its tags: a new one of the same name starts bare.
    client
        .delete_activity()
        .activity_arn(&arn)
        .send()
        .await
        .unwrap();
    let err = client
        .tag_resource()
        .resource_arn(&arn)
        .tags(tag("a", "b"))
        .send()
        .await
        .unwrap_err()
        .into_service_error();
    assert!(
        matches!(err, TagResourceError::ResourceNotFound(_)),
        "{err:?}"
    );
    let again = create_activity(&client, "tagged").await;
    assert_eq!(again, arn);
    assert!(tags_of(&client, &arn).await.is_empty());
}

#[tokio::test]
async fn delete_then_describe() {
    let (_s, client) = setup().await;
    let arn = create_activity(&client, "gone").await;
    client
        .delete_activity()
        .activity_arn(&arn)
        .send()
        .await
        .unwrap();
    let err = client
        .describe_activity()
        .activity_arn(&arn)
        .send()
        .await
        .unwrap_err()
        .into_service_error();
    assert!(
        matches!(err, DescribeActivityError::ActivityDoesNotExist(_)),
        "{err:?}"
    );
    assert_eq!(
        err.to_string(),
        format!("ActivityDoesNotExist: Activity Does Not Exist: '{arn}'")
    );
    // Deleting what is not there succeeds, as on AWS.
    client
        .delete_activity()
        .activity_arn(&arn)
        .send()
        .await
        .unwrap();
    let listed = client.list_activities().send().await.unwrap();
    assert!(listed.activities.is_empty());
}

#[tokio::test]
async fn bad_names_and_arns() {
    let (_s, client) = setup().await;
    for bad in ["a b", "a:b", "a$b", "a/b"] {
        let err = client
            .create_activity()
            .name(bad)
            .send()
            .await
            .unwrap_err()
            .into_service_error();
        assert!(
            matches!(err, CreateActivityError::InvalidName(_)),
            "{bad}: {err:?}"
        );
        assert_eq!(
            err.to_string(),
            format!("InvalidName: Invalid Name: '{bad}'")
        );
    }
    let (code, message) = code_of(client.create_activity().name("x".repeat(81)).send().await);
    assert_eq!(code, "ValidationException");
    assert!(message.contains("at 'name'"), "{message}");

    let err = client
        .describe_activity()
        .activity_arn("not_an_activity_arn")
        .send()
        .await
        .unwrap_err()
        .into_service_error();
    assert!(
        matches!(err, DescribeActivityError::InvalidArn(_)),
        "{err:?}"
    );
    assert_eq!(
        err.to_string(),
        "InvalidArn: Invalid Arn: 'Invalid ARN prefix: not_an_activity_arn'"
    );
    // A state machine is not an activity.
    let machine = create_machine(&client, "m", PASS).await;
    let err = client
        .describe_activity()
        .activity_arn(&machine)
        .send()
        .await
        .unwrap_err()
        .into_service_error();
    assert!(
        matches!(err, DescribeActivityError::InvalidArn(_)),
        "{err:?}"
    );
    let err = client
        .delete_activity()
        .activity_arn(format!("{PREFIX}a:b"))
        .send()
        .await
        .unwrap_err()
        .into_service_error();
    assert!(matches!(err, DeleteActivityError::InvalidArn(_)), "{err:?}");
}

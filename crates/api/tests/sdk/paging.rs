//! Paging through every page with small pages, and tokens the server did not issue.

use std::collections::BTreeSet;

use aws_sdk_sfn::operation::list_state_machine_versions::ListStateMachineVersionsError;
use aws_sdk_sfn::operation::list_state_machines::ListStateMachinesError;

use crate::{code_of, create_machine, setup, PASS, PASS2};

#[tokio::test]
async fn list_state_machines_through_all_pages() {
    let (_s, client) = setup().await;
    let mut expected = BTreeSet::new();
    for i in 0..13 {
        expected.insert(create_machine(&client, &format!("machine-{i}"), PASS).await);
    }
    let mut seen = Vec::new();
    let mut token: Option<String> = None;
    let mut pages = 0;
    loop {
        let page = client
            .list_state_machines()
            .max_results(5)
            .set_next_token(token.clone())
            .send()
            .await
            .unwrap();
        pages += 1;
        assert!(page.state_machines.len() <= 5);
        for m in &page.state_machines {
            assert_eq!(
                m.state_machine_arn.rsplit(':').next(),
                Some(m.name.as_str())
            );
            seen.push(m.state_machine_arn.clone());
        }
        token = page.next_token;
        if token.is_none() {
            break;
        }
    }
    assert_eq!(pages, 3);
    // Every machine once, ordered by name as AWS lists them.
    let mut sorted = seen.clone();
    sorted.sort();
    assert_eq!(seen, sorted);
    assert_eq!(seen.into_iter().collect::<BTreeSet<_>>(), expected);

    // maxResults 0 is the default page (100).
    let all = client
        .list_state_machines()
        .max_results(0)
        .send()
        .await
        .unwrap();
    assert_eq!(all.state_machines.len(), 13);
    assert!(all.next_token.is_none());
}

#[tokio::test]
async fn tokens_are_checked() {
    let (_s, client) = setup().await;
    for i in 0..3 {
        create_machine(&client, &format!("m{i}"), PASS).await;
    }
    let first = client
        .list_state_machines()
        .max_results(1)
        .send()
        .await
        .unwrap();
    let token = first.next_token.unwrap();

    // A tampered token.
    let mut tampered: Vec<char> = token.chars().collect();
    let i = tampered.len() / 2;
    tampered[i] = if tampered[i] == 'A' { 'B' } else { 'A' };
    let tampered: String = tampered.into_iter().collect();
    for bad in [tampered.as_str(), "garbage", "Zm9vCmJhcgpkZWFkYmVlZg"] {
        let err = client
            .list_state_machines()
            .next_token(bad)
            .send()
            .await
            .unwrap_err()
            .into_service_error();
        assert!(
            matches!(err, ListStateMachinesError::InvalidToken(_)),
            "{bad}: {err:?}"
        );
    }

    // A token of one listing is refused by another.
    let arn = create_machine(&client, "versioned", PASS).await;
    let err = client
        .list_state_machine_versions()
        .state_machine_arn(&arn)
        .next_token(&token)
        .send()
        .await
        .unwrap_err()
        .into_service_error();
    assert!(
        matches!(err, ListStateMachineVersionsError::InvalidToken(_)),
        "{err:?}"
    );

    // Out-of-range page sizes and over-long tokens are model violations.
    let (code, message) = code_of(client.list_state_machines().max_results(1001).send().await);
    assert_eq!(code, "ValidationException");
    assert_eq!(
        message,
        "1 validation error detected: Value '1001' at 'maxResults' failed to satisfy \
         constraint: Member must have value less than or equal to 1000"
    );
    let long = "x".repeat(1025);
    let (code, message) = code_of(client.list_state_machines().next_token(&long).send().await);
    assert_eq!(code, "ValidationException");
    assert!(message.ends_with("Member must have length less than or equal to 1024"));
}

#[tokio::test]
async fn list_versions_through_all_pages() {
    let (_s, client) = setup().await;
    let arn = create_machine(&client, "hello", PASS).await;
    for i in 0..7 {
        let definition = if i % 2 == 0 { PASS2 } else { PASS };
        client
            .update_state_machine()
            .state_machine_arn(&arn)
            .definition(definition)
            .publish(true)
            .send()
            .await
            .unwrap();
    }
    let mut seen = Vec::new();
    let mut token = None;
    loop {
        let page = client
            .list_state_machine_versions()
            .state_machine_arn(&arn)
            .max_results(2)
            .set_next_token(token)
            .send()
            .await
            .unwrap();
        seen.extend(
            page.state_machine_versions
                .into_iter()
                .map(|v| v.state_machine_version_arn),
        );
        token = page.next_token;
        if token.is_none() {
            break;
        }
    }
    let expected: Vec<String> = (1..=7).rev().map(|n| format!("{arn}:{n}")).collect();
    assert_eq!(seen, expected);
}

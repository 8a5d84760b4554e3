//! The execution actions are wired but not written yet: each answers a clear internal error.

use crate::{code_of, create_machine, setup, PASS};

#[tokio::test]
async fn execution_actions_answer_not_implemented() {
    let (_s, client) = setup().await;
    let arn = create_machine(&client, "hello", PASS).await;
    let (code, message) = code_of(
        client
            .start_execution()
            .state_machine_arn(&arn)
            .send()
            .await,
    );
    assert_eq!(code, "InternalFailure");
    assert_eq!(message, "StartExecution is not implemented yet");
    let (code, _) = code_of(
        client
            .list_executions()
            .state_machine_arn(&arn)
            .send()
            .await,
    );
    assert_eq!(code, "InternalFailure");
}

#[tokio::test]
async fn activity_actions_are_known_but_not_served_yet() {
    let (_s, client) = setup().await;
    let (code, message) = code_of(client.list_activities().send().await);
    assert_eq!(code, "InternalFailure");
    assert_eq!(message, "ListActivities is not implemented yet");
}

#!/usr/bin/env python3
"""Smoke test of a Step Functions endpoint with boto3, as an SDK user would drive it.

    python3 .ci/smoke.py http://127.0.0.1:PORT

Run by .ci/smoke-server.sh against a fresh `switchback serve`. It checks a STANDARD execution
of examples/hello (start, describe until it ends, history over every page), an EXPRESS one with
StartSyncExecution, and that AWS's errors come back with AWS's names and statuses. Exits 1 with
the first failure.
"""

import json
import pathlib
import sys
import time

import boto3
import botocore.config
import botocore.exceptions

ROOT = pathlib.Path(__file__).resolve().parent.parent
HELLO = ROOT / "examples" / "hello"
ROLE = "arn:aws:iam::123456789012:role/any"
EXPECTED_TYPES = [
    "ExecutionStarted",
    "PassStateEntered",
    "PassStateExited",
    "WaitStateEntered",
    "WaitStateExited",
    "ChoiceStateEntered",
    "ChoiceStateExited",
    "SucceedStateEntered",
    "SucceedStateExited",
    "ExecutionSucceeded",
]


class SmokeFailure(Exception):
    """A check that did not hold."""


def check(condition, message):
    if not condition:
        raise SmokeFailure(message)


def ok(message):
    print(f"ok: {message}", flush=True)


def client_for(url):
    # No retries: a server error must show, not be papered over by the SDK's retry policy.
    # inject_host_prefix=False: StartSyncExecution's model has the host prefix "sync-", which
    # the SDK would prepend to the endpoint's host (sync-127.0.0.1 does not resolve); AWS's
    # local emulator needs the same setting.
    config = botocore.config.Config(
        inject_host_prefix=False,
        retries={"total_max_attempts": 1, "mode": "standard"},
        connect_timeout=5,
        read_timeout=60,
    )
    return boto3.client(
        "stepfunctions",
        endpoint_url=url,
        region_name="us-east-1",
        aws_access_key_id="test",
        aws_secret_access_key="test",
        config=config,
    )


def expect_error(error, status, call, **request):
    """Calls the API and checks that it fails with AWS's error name `error` and HTTP `status`."""
    try:
        call(**request)
    except botocore.exceptions.ClientError as e:
        got = e.response.get("Error", {}).get("Code")
        got_status = e.response.get("ResponseMetadata", {}).get("HTTPStatusCode")
        check(got == error, f"expected {error}, got {got}: {e}")
        check(got_status == status, f"{error}: expected HTTP {status}, got {got_status}")
        return e.response.get("Error", {}).get("Message", "")
    raise SmokeFailure(f"expected {error}, but the call succeeded")


def wait_until_ended(sfn, execution_arn, limit_s=30):
    deadline = time.monotonic() + limit_s
    while True:
        described = sfn.describe_execution(executionArn=execution_arn)
        if described["status"] != "RUNNING":
            return described
        check(time.monotonic() < deadline, f"{execution_arn} still RUNNING after {limit_s} s")
        time.sleep(0.1)


def full_history(sfn, execution_arn):
    """Every event, over every page (a small page size makes the paging itself tested)."""
    events, pages = [], 0
    paginator = sfn.get_paginator("get_execution_history")
    for page in paginator.paginate(executionArn=execution_arn, PaginationConfig={"PageSize": 3}):
        events.extend(page["events"])
        pages += 1
    return events, pages


def standard(sfn, definition, hello_input):
    arn = sfn.create_state_machine(name="hello-boto3", definition=definition, roleArn=ROLE)[
        "stateMachineArn"
    ]
    check(arn.endswith(":stateMachine:hello-boto3"), f"unexpected state machine ARN {arn}")
    # Idempotent: the same name and definition return the same ARN.
    again = sfn.create_state_machine(name="hello-boto3", definition=definition, roleArn=ROLE)
    check(again["stateMachineArn"] == arn, "CreateStateMachine is not idempotent")
    ok(f"create_state_machine (twice, same ARN): {arn}")

    started = sfn.start_execution(stateMachineArn=arn, name="first", input=hello_input)
    execution_arn = started["executionArn"]
    check(execution_arn.endswith(":execution:hello-boto3:first"), f"unexpected execution ARN {execution_arn}")
    ended = wait_until_ended(sfn, execution_arn)
    check(ended["status"] == "SUCCEEDED", f"execution ended {ended['status']}: {ended}")
    output = json.loads(ended["output"])
    check(output.get("greeting") == "Hello, World!", f"unexpected output {output}")
    check(ended["stopDate"] >= ended["startDate"], "stopDate is before startDate")
    ok("start_execution + describe_execution: SUCCEEDED with the greeting")

    events, pages = full_history(sfn, execution_arn)
    types = [e["type"] for e in events]
    check(types == EXPECTED_TYPES, f"history types {types}")
    check([e["id"] for e in events] == list(range(1, len(events) + 1)), "event ids are not 1..n")
    check(pages == 4, f"10 events in pages of 3 should be 4 pages, got {pages}")
    ok(f"get_execution_history: {len(events)} events over {pages} pages")

    listed = sfn.list_executions(stateMachineArn=arn, statusFilter="SUCCEEDED")["executions"]
    check([e["executionArn"] for e in listed] == [execution_arn], f"list_executions: {listed}")
    ok("list_executions with statusFilter SUCCEEDED")
    return arn


def express(sfn, definition, hello_input):
    arn = sfn.create_state_machine(
        name="hello-express", definition=definition, roleArn=ROLE, type="EXPRESS"
    )["stateMachineArn"]
    result = sfn.start_sync_execution(stateMachineArn=arn, input=hello_input)
    check(result["status"] == "SUCCEEDED", f"start_sync_execution: {result}")
    check(json.loads(result["output"]).get("greeting") == "Hello, World!", f"output {result['output']}")
    check("billingDetails" in result, "start_sync_execution has no billingDetails")
    ok("start_sync_execution on an EXPRESS machine: SUCCEEDED with billingDetails")
    return arn


def errors(sfn, machine_arn):
    made_up = machine_arn.replace(":stateMachine:", ":execution:") + ":does-not-exist"
    expect_error("ExecutionDoesNotExist", 400, sfn.describe_execution, executionArn=made_up)
    ok("describe_execution of a made-up ARN: ExecutionDoesNotExist (HTTP 400)")

    broken = json.dumps({"StartAt": "Nowhere", "States": {"A": {"Type": "Pass", "End": True}}})
    message = expect_error(
        "InvalidDefinition", 400, sfn.create_state_machine, name="broken", definition=broken, roleArn=ROLE
    )
    ok(f"create_state_machine with a broken definition: InvalidDefinition ({message[:80]})")

    missing = machine_arn.rsplit(":", 1)[0] + ":no-such-machine"
    expect_error("StateMachineDoesNotExist", 400, sfn.start_execution, stateMachineArn=missing)
    ok("start_execution on a missing state machine: StateMachineDoesNotExist (HTTP 400)")


def main():
    if len(sys.argv) != 2:
        print("usage: python3 .ci/smoke.py http://127.0.0.1:PORT", file=sys.stderr)
        return 2
    sfn = client_for(sys.argv[1])
    definition = (HELLO / "hello.asl.json").read_text()
    hello_input = (HELLO / "input.json").read_text()
    try:
        standard_arn = standard(sfn, definition, hello_input)
        express_arn = express(sfn, definition, hello_input)
        errors(sfn, standard_arn)
        for arn in (standard_arn, express_arn):
            sfn.delete_state_machine(stateMachineArn=arn)
        ok("delete_state_machine")
    except (SmokeFailure, botocore.exceptions.BotoCoreError, botocore.exceptions.ClientError) as e:
        print(f"smoke.py FAILED: {e}", file=sys.stderr)
        return 1
    print("smoke.py: all checks OK")
    return 0


if __name__ == "__main__":
    sys.exit(main())

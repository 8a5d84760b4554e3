#!/usr/bin/env bash
# Smoke test of the examples whose Task states run for real, as the README shows them:
#
#   1. examples/order-processing with its local functions (switchback.toml): `switchback run
#      --config`, then the same three orders through `switchback serve --config` and the AWS CLI
#      (shipped; payment declined and caught; out of stock).
#   2. examples/human-approval through `switchback serve --config`: the function receives the
#      task token, the execution waits, and `send-task-success` / `send-task-failure` resume it
#      (approved: SUCCEEDED; rejected either way: FAILED); a used token is refused; the
#      States.Timeout Catch with a mock, in-process.
#
#   bash .ci/smoke-approval.sh target/debug/switchback
#
# Needs python3 and the AWS CLI (bash .ci/install-smoke-tools.sh installs it into
# target/ci-venv). Each server runs in memory on a free loopback port and is stopped on exit.
# Every wait is bounded; the first mismatch exits 1.
set -euo pipefail

if [ $# -ne 1 ]; then
    echo "usage: bash .ci/smoke-approval.sh BINARY" >&2
    exit 2
fi
bin="$(realpath "$1")"
cd "$(dirname "${BASH_SOURCE[0]}")/.."

# Where install-smoke-tools.sh may have put the tools.
if [ -x target/ci-venv/bin/aws ]; then
    PATH="$PWD/target/ci-venv/bin:$PATH"
fi
PATH="$PATH:$(python3 -m site --user-base 2>/dev/null || echo /nonexistent)/bin"

fail() {
    echo "examples smoke test FAILED: $*" >&2
    exit 1
}
ok() { echo "ok: $*"; }

command -v python3 >/dev/null 2>&1 || fail "python3 is not installed (the example functions are python3 scripts)"
command -v aws >/dev/null 2>&1 || fail "the AWS CLI is not installed (run: bash .ci/install-smoke-tools.sh)"
[ -x "$bin" ] || fail "$bin is not an executable"

# Dummy credentials (the server accepts any), and no developer's ~/.aws configuration.
tmp="$(mktemp -d)"
export AWS_ACCESS_KEY_ID=test AWS_SECRET_ACCESS_KEY=test AWS_DEFAULT_REGION=us-east-1
export AWS_CONFIG_FILE="$tmp/aws-config" AWS_SHARED_CREDENTIALS_FILE="$tmp/aws-credentials"
export AWS_PAGER="" AWS_EC2_METADATA_DISABLED=true
unset AWS_PROFILE AWS_SESSION_TOKEN AWS_ENDPOINT_URL
# The approval function appends its requests here rather than into the repository (the server
# passes its environment on to the functions it runs).
export APPROVALS_LOG="$tmp/approvals.log"

server_pid=""
server_log=""
url=""

stop_server() {
    if [ -n "$server_pid" ] && kill -0 "$server_pid" 2>/dev/null; then
        kill "$server_pid" 2>/dev/null || true
        wait "$server_pid" 2>/dev/null || true
    fi
    server_pid=""
}

cleanup() {
    status=$?
    stop_server
    if [ "$status" -ne 0 ] && [ -n "$server_log" ] && [ -f "$server_log" ]; then
        echo "--- last lines of the server's log ($server_log) ---" >&2
        tail -n 40 "$server_log" >&2 || true
    fi
    rm -rf "$tmp"
    exit "$status"
}
trap cleanup EXIT

# start_server CONFIG NAME: `switchback serve --in-memory --config CONFIG` on a free port; waits
# (30 s at most) for GET /healthz.
start_server() {
    local config="$1" name="$2" port deadline
    port="$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')"
    url="http://127.0.0.1:$port"
    server_log="$tmp/server-$name.log"
    echo "starting: $bin serve --in-memory --listen 127.0.0.1:$port --config $config"
    "$bin" serve --in-memory --listen "127.0.0.1:$port" --config "$config" >"$server_log" 2>&1 &
    server_pid=$!
    deadline=$((SECONDS + 30))
    until python3 -c 'import sys, urllib.request; sys.exit(0 if urllib.request.urlopen(sys.argv[1], timeout=2).status == 200 else 1)' \
        "$url/healthz" 2>/dev/null; do
        kill -0 "$server_pid" 2>/dev/null || { server_pid=""; fail "the server exited before answering GET /healthz"; }
        [ "$SECONDS" -lt "$deadline" ] || fail "GET $url/healthz did not answer 200 within 30 s"
        sleep 0.2
    done
    ok "GET /healthz answers 200"
}

# Every AWS CLI call is bounded by its own connect and read timeouts.
sfn() {
    aws stepfunctions --endpoint-url "$url" --cli-connect-timeout 5 --cli-read-timeout 30 \
        --output json "$@"
}
# Evaluates a Python expression over the JSON document in file $1 (bound to `d`).
json_eval() { python3 -c 'import json, sys; d = json.load(open(sys.argv[1])); print(eval(sys.argv[2]))' "$1" "$2"; }

# create_machine NAME DEFINITION: prints the state machine's ARN.
create_machine() {
    sfn create-state-machine --name "$1" --definition "file://$2" \
        --role-arn arn:aws:iam::123456789012:role/any --query stateMachineArn --output text \
        || fail "create-state-machine $1 failed"
}

# start MACHINE_ARN NAME INPUT_FILE: prints the execution's ARN.
start() {
    sfn start-execution --state-machine-arn "$1" --name "$2" --input "file://$3" \
        --query executionArn --output text || fail "start-execution $2 failed"
}

# wait_end EXECUTION_ARN: polls describe-execution (30 s at most) until the execution is no
# longer RUNNING; leaves the description in $tmp/describe.json and prints the status.
wait_end() {
    local deadline=$((SECONDS + 30)) status
    while :; do
        sfn describe-execution --execution-arn "$1" >"$tmp/describe.json" \
            || fail "describe-execution $1 failed"
        status="$(json_eval "$tmp/describe.json" 'd["status"]')"
        [ "$status" = RUNNING ] || break
        [ "$SECONDS" -lt "$deadline" ] || fail "$1 is still RUNNING after 30 s"
        sleep 0.2
    done
    echo "$status"
}

# expect_end EXECUTION_ARN STATUS [ERROR]: the execution ends with STATUS (and ERROR).
expect_end() {
    local status error
    status="$(wait_end "$1")"
    [ "$status" = "$2" ] || { cat "$tmp/describe.json" >&2; fail "${1##*:} ended $status, expected $2"; }
    if [ $# -ge 3 ]; then
        error="$(json_eval "$tmp/describe.json" 'd.get("error")')"
        [ "$error" = "$3" ] || { cat "$tmp/describe.json" >&2; fail "${1##*:} failed with $error, expected $3"; }
    fi
}

# wait_token EXECUTION_ARN: polls the history (30 s at most) until the TaskScheduled event
# shows the task token in its parameters and the function was called (TaskSubmitted); prints it.
wait_token() {
    local deadline=$((SECONDS + 30)) token
    while :; do
        sfn get-execution-history --execution-arn "$1" >"$tmp/history.json" \
            || fail "get-execution-history $1 failed"
        token="$(json_eval "$tmp/history.json" '([json.loads(e["taskScheduledEventDetails"]["parameters"])["Payload"]["taskToken"] for e in d["events"] if e["type"] == "TaskScheduled"] + [""])[0] if any(e["type"] == "TaskSubmitted" for e in d["events"]) else ""')"
        [ -z "$token" ] || break
        [ "$SECONDS" -lt "$deadline" ] || { cat "$tmp/history.json" >&2; fail "no task token in the history of $1 after 30 s"; }
        sleep 0.2
    done
    echo "$token"
}

# ---------------------------------------------------------------------------------------------
# 1. Order processing with its local functions.
ex=examples/order-processing

"$bin" run "$ex/order.asl.json" --input-file "$ex/input.json" --config "$ex/switchback.toml" \
    >"$tmp/run.json" || fail "run --config with input.json exited $?, expected 0"
[ "$(json_eval "$tmp/run.json" 'd["shipment"]["trackingNumber"], d["payment"]["status"]')" = "('1Z999AA10000001001', 'CHARGED')" ] \
    || { cat "$tmp/run.json" >&2; fail "run --config: the order was not charged and shipped"; }
ok "run order.asl.json --config: the functions charge and ship the order (exit 0)"

status=0
"$bin" run "$ex/order.asl.json" --input-file "$ex/input-declined.json" --config "$ex/switchback.toml" \
    >"$tmp/declined.out" 2>"$tmp/declined.err" || status=$?
[ "$status" -eq 1 ] || { cat "$tmp/declined.err" >&2; fail "run --config with input-declined.json exited $status, expected 1"; }
grep -q '^FAILED: PaymentFailed: The payment was declined$' "$tmp/declined.err" \
    || { cat "$tmp/declined.err" >&2; fail "run --config with input-declined.json did not end in Payment Failed"; }
ok "run order.asl.json --config with input-declined.json: PaymentDeclined caught, FAILED: PaymentFailed (exit 1)"

start_server "$ex/switchback.toml" order
machine="$(create_machine order "$ex/order.asl.json")"
ok "create-state-machine: $machine"

execution="$(start "$machine" ord-1001 "$ex/input.json")"
expect_end "$execution" SUCCEEDED
[ "$(json_eval "$tmp/describe.json" 'json.loads(d["output"])["shipment"]["trackingNumber"]')" = 1Z999AA10000001001 ] \
    || { cat "$tmp/describe.json" >&2; fail "ord-1001: no tracking number in the output"; }
ok "input.json: SUCCEEDED, shipped with tracking number 1Z999AA10000001001"

execution="$(start "$machine" ord-1002 "$ex/input-declined.json")"
expect_end "$execution" FAILED PaymentFailed
sfn get-execution-history --execution-arn "$execution" >"$tmp/history.json" || fail "get-execution-history failed"
[ "$(json_eval "$tmp/history.json" '[e["lambdaFunctionFailedEventDetails"]["error"] for e in d["events"] if e["type"] == "LambdaFunctionFailed"]')" = "['PaymentDeclined']" ] \
    || fail "ord-1002: the history has no LambdaFunctionFailed PaymentDeclined"
[ "$(json_eval "$tmp/history.json" '[e["stateEnteredEventDetails"]["name"] for e in d["events"] if e["type"] == "FailStateEntered"]')" = "['Payment Failed']" ] \
    || fail "ord-1002: the Catch did not go to Payment Failed"
ok "input-declined.json: ProcessPayment fails with PaymentDeclined, caught, FAILED: PaymentFailed"

execution="$(start "$machine" ord-1003 "$ex/input-out-of-stock.json")"
expect_end "$execution" FAILED OutOfStock
ok "input-out-of-stock.json: FAILED: OutOfStock"
stop_server

# ---------------------------------------------------------------------------------------------
# 2. Human approval: callbacks with task tokens.
ex=examples/human-approval

status=0
"$bin" run "$ex/approval.asl.json" --input-file "$ex/input.json" --mock "$ex/mock-timeout.json" \
    >"$tmp/timeout.out" 2>"$tmp/timeout.err" || status=$?
[ "$status" -eq 1 ] || { cat "$tmp/timeout.err" >&2; fail "run with mock-timeout.json exited $status, expected 1"; }
grep -q '^FAILED: ApprovalTimedOut: ' "$tmp/timeout.err" \
    || { cat "$tmp/timeout.err" >&2; fail "run with mock-timeout.json: States.Timeout was not caught"; }
ok "run approval.asl.json --mock mock-timeout.json: States.Timeout caught, FAILED: ApprovalTimedOut"

start_server "$ex/switchback.toml" approval
machine="$(create_machine approval "$ex/approval.asl.json")"
ok "create-state-machine: $machine"

# Approved.
execution="$(start "$machine" approve "$ex/input.json")"
token="$(wait_token "$execution")"
ok "approve: the task token is in TaskScheduled's parameters: $token"
grep -q "\"taskToken\": \"$token\"" "$APPROVALS_LOG" \
    || { cat "$APPROVALS_LOG" >&2 || true; fail "RequestApproval did not write the token to \$APPROVALS_LOG"; }
ok "approve: RequestApproval wrote the request with the token to \$APPROVALS_LOG"
sfn describe-execution --execution-arn "$execution" >"$tmp/describe.json" || fail "describe-execution failed"
[ "$(json_eval "$tmp/describe.json" 'd["status"]')" = RUNNING ] || fail "approve: not RUNNING while it waits for the token"
ok "approve: RUNNING while it waits"
sfn send-task-success --task-token "$token" --task-output '{"approved": true, "approver": "ci"}' >/dev/null \
    || fail "send-task-success failed"
expect_end "$execution" SUCCEEDED
[ "$(json_eval "$tmp/describe.json" 'json.loads(d["output"])')" = "{'orderId': 'ORD-2001', 'status': 'APPROVED', 'approval': {'approved': True, 'approver': 'ci'}}" ] \
    || { cat "$tmp/describe.json" >&2; fail "approve: unexpected output"; }
ok "approve: send-task-success {\"approved\": true} -> SUCCEEDED with status APPROVED"

status=0
sfn send-task-success --task-token "$token" --task-output '{"approved": true}' >/dev/null 2>"$tmp/again.err" || status=$?
[ "$status" -ne 0 ] && grep -q TaskTimedOut "$tmp/again.err" \
    || { cat "$tmp/again.err" >&2; fail "a used token was not refused with TaskTimedOut"; }
ok "a used token is refused: TaskTimedOut"

# Rejected with send-task-failure: the task fails with the approver's error (not caught).
execution="$(start "$machine" reject-failure "$ex/input.json")"
token="$(wait_token "$execution")"
sfn send-task-failure --task-token "$token" --error Rejected --cause "Over budget" >/dev/null \
    || fail "send-task-failure failed"
expect_end "$execution" FAILED Rejected
[ "$(json_eval "$tmp/describe.json" 'd.get("cause")')" = "Over budget" ] || fail "reject-failure: the cause is not the approver's"
ok "reject: send-task-failure --error Rejected -> FAILED: Rejected: Over budget"

# Rejected with an answer: the Choice goes to the Rejected Fail state.
execution="$(start "$machine" reject-answer "$ex/input.json")"
token="$(wait_token "$execution")"
sfn send-task-success --task-token "$token" --task-output '{"approved": false}' >/dev/null \
    || fail "send-task-success failed"
expect_end "$execution" FAILED OrderRejected
ok "reject: send-task-success {\"approved\": false} -> FAILED: OrderRejected"
stop_server

echo
echo "examples smoke test: all checks OK"

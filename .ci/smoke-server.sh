#!/usr/bin/env bash
# Smoke test of `switchback serve` as a user meets it: the README's example with the AWS CLI,
# then the same and more with boto3 (.ci/smoke.py).
#
#   bash .ci/smoke-server.sh target/debug/switchback
#
# Needs the AWS CLI and boto3 (bash .ci/install-smoke-tools.sh installs them). The server
# listens on a free loopback port with a fresh data directory, and is killed on exit.
set -euo pipefail

if [ $# -ne 1 ]; then
    echo "usage: bash .ci/smoke-server.sh BINARY" >&2
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
    echo "server smoke test FAILED: $*" >&2
    exit 1
}

command -v aws >/dev/null 2>&1 || fail "the AWS CLI is not installed (run: bash .ci/install-smoke-tools.sh)"
python3 -c 'import boto3' 2>/dev/null || fail "boto3 is not installed (run: bash .ci/install-smoke-tools.sh)"
[ -x "$bin" ] || fail "$bin is not an executable"

# Dummy credentials (the server accepts any), and no developer's ~/.aws configuration.
tmp="$(mktemp -d)"
export AWS_ACCESS_KEY_ID=test AWS_SECRET_ACCESS_KEY=test AWS_DEFAULT_REGION=us-east-1
export AWS_CONFIG_FILE="$tmp/aws-config" AWS_SHARED_CREDENTIALS_FILE="$tmp/aws-credentials"
export AWS_PAGER="" AWS_EC2_METADATA_DISABLED=true
unset AWS_PROFILE AWS_SESSION_TOKEN AWS_ENDPOINT_URL

port="$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')"
url="http://127.0.0.1:$port"
server_pid=""

cleanup() {
    status=$?
    if [ -n "$server_pid" ] && kill -0 "$server_pid" 2>/dev/null; then
        kill "$server_pid" 2>/dev/null || true
        wait "$server_pid" 2>/dev/null || true
    fi
    if [ "$status" -ne 0 ] && [ -f "$tmp/server.log" ]; then
        echo "--- last lines of the server's log ---" >&2
        tail -n 40 "$tmp/server.log" >&2 || true
    fi
    rm -rf "$tmp"
    exit "$status"
}
trap cleanup EXIT

echo "starting: $bin serve --listen 127.0.0.1:$port --data-dir $tmp/data"
"$bin" serve --listen "127.0.0.1:$port" --data-dir "$tmp/data" >"$tmp/server.log" 2>&1 &
server_pid=$!

# Wait for GET /healthz to answer 200, for 30 s at most.
deadline=$((SECONDS + 30))
healthy() {
    python3 -c 'import sys, urllib.request; sys.exit(0 if urllib.request.urlopen(sys.argv[1], timeout=2).status == 200 else 1)' \
        "$url/healthz" 2>/dev/null
}
until healthy; do
    kill -0 "$server_pid" 2>/dev/null || { server_pid=""; fail "the server exited before answering GET /healthz"; }
    [ "$SECONDS" -lt "$deadline" ] || fail "GET $url/healthz did not answer 200 within 30 s"
    sleep 0.2
done
echo "ok: GET /healthz answers 200"

sfn() { aws stepfunctions --endpoint-url "$url" --output json "$@"; }
# Evaluates a Python expression over the JSON document in file $1 (bound to `d`): python3 is
# already required for boto3, whereas jq may be missing on a fresh machine.
json_eval() { python3 -c 'import json, sys; d = json.load(open(sys.argv[1])); print(eval(sys.argv[2]))' "$1" "$2"; }

# 1. The README's example with the AWS CLI.
ex=examples/hello
machine_arn="$(sfn create-state-machine --name hello --definition "file://$ex/hello.asl.json" \
    --role-arn arn:aws:iam::123456789012:role/any --query stateMachineArn --output text)" \
    || fail "aws stepfunctions create-state-machine failed"
case "$machine_arn" in
    arn:aws:states:*:stateMachine:hello) ;;
    *) fail "create-state-machine returned an unexpected ARN: $machine_arn" ;;
esac
echo "ok: create-state-machine: $machine_arn"

execution_arn="$(sfn start-execution --state-machine-arn "$machine_arn" --input "file://$ex/input.json" \
    --query executionArn --output text)" || fail "aws stepfunctions start-execution failed"
case "$execution_arn" in
    arn:aws:states:*:execution:hello:*) ;;
    *) fail "start-execution returned an unexpected ARN: $execution_arn" ;;
esac
echo "ok: start-execution: $execution_arn"

# The execution waits 1 s: poll for 30 s at most.
deadline=$((SECONDS + 30))
while :; do
    sfn describe-execution --execution-arn "$execution_arn" >"$tmp/describe.json" \
        || fail "aws stepfunctions describe-execution failed"
    status="$(json_eval "$tmp/describe.json" 'd["status"]')"
    [ "$status" = RUNNING ] || break
    [ "$SECONDS" -lt "$deadline" ] || fail "the execution is still RUNNING after 30 s"
    sleep 0.2
done
[ "$status" = SUCCEEDED ] || { cat "$tmp/describe.json" >&2; fail "the execution ended $status, expected SUCCEEDED"; }
[ "$(json_eval "$tmp/describe.json" 'json.loads(d["output"]).get("greeting")')" = "Hello, World!" ] \
    || { cat "$tmp/describe.json" >&2; fail "describe-execution's output has no greeting"; }
echo "ok: describe-execution: SUCCEEDED with the greeting in its output"

sfn get-execution-history --execution-arn "$execution_arn" >"$tmp/history.json" \
    || fail "aws stepfunctions get-execution-history failed"
types="$(json_eval "$tmp/history.json" '",".join(e["type"] for e in d["events"])')"
expected="ExecutionStarted,PassStateEntered,PassStateExited,WaitStateEntered,WaitStateExited,ChoiceStateEntered,ChoiceStateExited,SucceedStateEntered,SucceedStateExited,ExecutionSucceeded"
[ "$types" = "$expected" ] || fail "get-execution-history: events $types, expected $expected"
[ "$(json_eval "$tmp/history.json" '[e["id"] for e in d["events"]] == list(range(1, len(d["events"]) + 1))')" = True ] \
    || fail "get-execution-history: event ids are not 1..n"
echo "ok: get-execution-history: the 10 events AWS writes, ids 1..10"

# StartSyncExecution and TestState: the SDKs send them to a `sync-` host, which does not
# resolve for a local endpoint; the README's advice is AWS_DISABLE_HOST_PREFIX_INJECTION.
sfn create-state-machine --name smoke-express --type EXPRESS \
    --definition '{"StartAt":"P","States":{"P":{"Type":"Pass","Result":{"fast":true},"End":true}}}' \
    --role-arn arn:aws:iam::123456789012:role/smoke >"$tmp/express.json" \
    || fail "aws stepfunctions create-state-machine (EXPRESS) failed"
express_arn="$(json_eval "$tmp/express.json" 'd["stateMachineArn"]')"
AWS_DISABLE_HOST_PREFIX_INJECTION=true sfn start-sync-execution --state-machine-arn "$express_arn" \
    --input '{}' >"$tmp/sync.json" || fail "start-sync-execution with AWS_DISABLE_HOST_PREFIX_INJECTION=true failed"
[ "$(json_eval "$tmp/sync.json" 'd["status"] + " " + d["output"]')" = 'SUCCEEDED {"fast":true}' ] \
    || { cat "$tmp/sync.json" >&2; fail "start-sync-execution did not succeed with the Pass result"; }
AWS_DISABLE_HOST_PREFIX_INJECTION=true sfn test-state --definition '{"Type":"Pass","End":true}' \
    --role-arn arn:aws:iam::123456789012:role/smoke --input '{"b":2}' >"$tmp/test-state.json" \
    || fail "test-state with AWS_DISABLE_HOST_PREFIX_INJECTION=true failed"
[ "$(json_eval "$tmp/test-state.json" 'd["status"]')" = SUCCEEDED ] \
    || { cat "$tmp/test-state.json" >&2; fail "test-state did not succeed"; }
echo "ok: start-sync-execution and test-state through the AWS CLI with AWS_DISABLE_HOST_PREFIX_INJECTION=true"

# The console is served on the same port: the execution's page names it and draws its states.
page_of() {
    python3 -c 'import sys, urllib.request, urllib.parse; print(urllib.request.urlopen(sys.argv[1] + urllib.parse.quote(sys.argv[2], safe=":"), timeout=5).read().decode())' "$@"
}
page_of "$url/" "" >"$tmp/list.html" || fail "GET / (the console) failed"
grep -q '>State machines<' "$tmp/list.html" || fail "GET / is not the console's list of state machines"
page_of "$url/executions/" "$execution_arn" >"$tmp/execution.html" || fail "GET the execution's console page failed"
grep -q 'class="workflow-graph"' "$tmp/execution.html" || fail "the execution's page has no graph"
grep -q 'data-status="SUCCEEDED"' "$tmp/execution.html" || fail "the execution's page does not say SUCCEEDED"
echo "ok: the console lists the machine and draws the execution"

# 2. boto3: the same, plus an EXPRESS machine with StartSyncExecution and AWS's errors.
python3 .ci/smoke.py "$url" || fail ".ci/smoke.py failed"

echo
echo "server smoke test: all checks OK"

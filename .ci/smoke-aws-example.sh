#!/usr/bin/env bash
# Smoke test of examples/order-processing/order-aws.asl.json as the README shows it: the order
# workflow with its local functions, then DynamoDB putItem and SNS publish for real, against moto.
#
#   1. A fresh moto on a free loopback port; aws-setup.py creates the table Orders, the topic
#      order-events and the queue subscribed to it.
#   2. `switchback run --config switchback-aws.toml` with AWS_ENDPOINT_URL pointing at that moto
#      (the file's own endpoint_url, port 5000, is overridden): exit 0, the order shipped and
#      the notification's MessageId in the output; then, read back with boto3, the item in the
#      table (attribute by attribute) and the notification in the subscribed queue.
#   3. input-declined.json: exit 1 with FAILED: PaymentFailed, and nothing written for it.
#
#   bash .ci/smoke-aws-example.sh target/debug/switchback
#
# Uses $SWITCHBACK_MOTO_SERVER and $SWITCHBACK_PYTHON (exported by .ci/run; else target/ci-venv's,
# else moto_server and python3 from PATH). moto is stopped on exit; every wait is bounded; the
# first mismatch exits 1.
set -euo pipefail

if [ $# -ne 1 ]; then
    echo "usage: bash .ci/smoke-aws-example.sh BINARY" >&2
    exit 2
fi
bin="$(realpath "$1")"
cd "$(dirname "${BASH_SOURCE[0]}")/.."

fail() {
    echo "AWS example smoke test FAILED: $*" >&2
    exit 1
}
ok() { echo "ok: $*"; }

venv="$PWD/target/ci-venv"
moto_server="${SWITCHBACK_MOTO_SERVER:-}"
python="${SWITCHBACK_PYTHON:-}"
if [ -z "$moto_server" ]; then
    if [ -x "$venv/bin/moto_server" ]; then moto_server="$venv/bin/moto_server"; else moto_server="$(command -v moto_server || true)"; fi
fi
if [ -z "$python" ]; then
    if [ -x "$venv/bin/python" ]; then python="$venv/bin/python"; else python=python3; fi
fi
[ -n "$moto_server" ] && [ -x "$moto_server" ] || fail "moto_server not found (set SWITCHBACK_MOTO_SERVER; .ci/run installs it)"
"$python" -c 'import boto3' 2>/dev/null || fail "$python cannot import boto3 (set SWITCHBACK_PYTHON; .ci/run installs it)"
command -v python3 >/dev/null 2>&1 || fail "python3 is not installed (the example functions are python3 scripts)"
[ -x "$bin" ] || fail "$bin is not an executable"

# moto's dummy credentials, and no developer's ~/.aws configuration or endpoint variables.
tmp="$(mktemp -d)"
export AWS_ACCESS_KEY_ID=testing AWS_SECRET_ACCESS_KEY=testing AWS_DEFAULT_REGION=us-east-1
export AWS_CONFIG_FILE="$tmp/aws-config" AWS_SHARED_CREDENTIALS_FILE="$tmp/aws-credentials"
export AWS_EC2_METADATA_DISABLED=true
unset AWS_PROFILE AWS_SESSION_TOKEN AWS_REGION
for variable in $(env | sed -n 's/^\(AWS_ENDPOINT_URL[A-Z_]*\)=.*/\1/p'); do unset "$variable"; done

moto_pid=""
cleanup() {
    status=$?
    if [ -n "$moto_pid" ] && kill -0 "$moto_pid" 2>/dev/null; then
        kill "$moto_pid" 2>/dev/null || true
        wait "$moto_pid" 2>/dev/null || true
    fi
    if [ "$status" -ne 0 ] && [ -f "$tmp/moto.log" ]; then
        echo "--- last lines of moto's log ---" >&2
        tail -n 20 "$tmp/moto.log" >&2 || true
    fi
    rm -rf "$tmp"
    exit "$status"
}
trap cleanup EXIT

# 1. A fresh moto on a free port, and the example's table, topic and queue in it.
port="$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')"
export AWS_ENDPOINT_URL="http://127.0.0.1:$port"
echo "starting: $moto_server -H 127.0.0.1 -p $port"
"$moto_server" -H 127.0.0.1 -p "$port" >"$tmp/moto.log" 2>&1 &
moto_pid=$!
deadline=$((SECONDS + 60))
until python3 -c 'import sys, urllib.request; urllib.request.urlopen(sys.argv[1], timeout=2)' \
    "$AWS_ENDPOINT_URL/moto-api/" 2>/dev/null; do
    kill -0 "$moto_pid" 2>/dev/null || { moto_pid=""; fail "moto exited before answering"; }
    [ "$SECONDS" -lt "$deadline" ] || fail "moto did not answer on $AWS_ENDPOINT_URL within 60 s"
    sleep 0.3
done
ok "moto answers on $AWS_ENDPOINT_URL"

ex=examples/order-processing
"$python" "$ex/aws-setup.py" >"$tmp/setup.out" 2>&1 || { cat "$tmp/setup.out" >&2; fail "aws-setup.py exited $?"; }
grep -q '^table Orders: created$' "$tmp/setup.out" || { cat "$tmp/setup.out" >&2; fail "aws-setup.py did not create the table"; }
ok "aws-setup.py creates the table Orders and the topic order-events in moto"

# Reads back from moto with boto3: prints a Python value.
moto_eval() {
    "$python" - "$@" <<'PY'
import json, os, sys
import boto3
kw = dict(endpoint_url=os.environ["AWS_ENDPOINT_URL"], region_name="us-east-1")
dynamodb, sqs = boto3.client("dynamodb", **kw), boto3.client("sqs", **kw)
what, order = sys.argv[1], sys.argv[2]
if what == "item":
    print(json.dumps(dynamodb.get_item(TableName="Orders", Key={"orderId": {"S": order}}).get("Item"), sort_keys=True))
else:
    url = sqs.get_queue_url(QueueName="order-events-inbox")["QueueUrl"]
    bodies = [json.loads(m["Body"]) for m in sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10, WaitTimeSeconds=2).get("Messages", [])]
    print(json.dumps([b for b in bodies if b.get("orderId") == order], sort_keys=True))
PY
}
json_eval() { python3 -c 'import json, sys; d = json.load(open(sys.argv[1])); print(eval(sys.argv[2]))' "$1" "$2"; }

# 2. The order is charged, shipped, written to DynamoDB and announced on SNS.
status=0
"$bin" run "$ex/order-aws.asl.json" --input-file "$ex/input.json" --config "$ex/switchback-aws.toml" \
    >"$tmp/run.json" 2>"$tmp/run.err" || status=$?
[ "$status" -eq 0 ] || { cat "$tmp/run.err" "$tmp/run.json" >&2; fail "run order-aws.asl.json with input.json exited $status, expected 0"; }
[ "$(json_eval "$tmp/run.json" 'd["payment"]["status"], d["shipment"]["trackingNumber"], len(d["notification"]["messageId"]) > 0')" \
    = "('CHARGED', '1Z999AA10000001001', True)" ] \
    || { cat "$tmp/run.json" >&2; fail "run: the output has not the payment, the shipment and the SNS MessageId"; }
ok "run order-aws.asl.json (AWS_ENDPOINT_URL=$AWS_ENDPOINT_URL): exit 0, charged, shipped, notification $(json_eval "$tmp/run.json" 'd["notification"]["messageId"]')"

item="$(moto_eval item ORD-1001)" || fail "get_item ORD-1001 failed"
expected='{"carrier": {"S": "UPS"}, "customerId": {"S": "CUST-42"}, "itemCount": {"N": "2"}, "items": {"S": "[{\"sku\":\"WIDGET-1\",\"quantity\":2,\"price\":9.99},{\"sku\":\"GADGET-7\",\"quantity\":1,\"price\":24.5}]"}, "orderId": {"S": "ORD-1001"}, "status": {"S": "SHIPPED"}, "total": {"N": "44.48"}, "trackingNumber": {"S": "1Z999AA10000001001"}, "transactionId": {"S": "TXN-1001"}}'
[ "$item" = "$expected" ] || { echo "item:     $item" >&2; echo "expected: $expected" >&2; fail "the item ORD-1001 in Orders is not the order"; }
ok "boto3 get_item: ORD-1001 is in the table Orders, with every attribute"

messages="$(moto_eval messages ORD-1001)" || fail "receive_message failed"
[ "$messages" = '[{"carrier": "UPS", "customerId": "CUST-42", "orderId": "ORD-1001", "total": 44.48, "trackingNumber": "1Z999AA10000001001"}]' ] \
    || { echo "messages: $messages" >&2; fail "the topic's queue did not get the one notification for ORD-1001"; }
ok "boto3 receive_message: the SNS notification for ORD-1001 reached the topic's queue"

# 3. A declined payment ends before Save Order: nothing is written.
status=0
"$bin" run "$ex/order-aws.asl.json" --input-file "$ex/input-declined.json" --config "$ex/switchback-aws.toml" \
    >"$tmp/declined.out" 2>"$tmp/declined.err" || status=$?
[ "$status" -eq 1 ] || { cat "$tmp/declined.err" >&2; fail "run with input-declined.json exited $status, expected 1"; }
grep -q '^FAILED: PaymentFailed: The payment was declined$' "$tmp/declined.err" \
    || { cat "$tmp/declined.err" >&2; fail "run with input-declined.json did not end in Payment Failed"; }
[ "$(moto_eval item ORD-1002)" = null ] || fail "a declined order ORD-1002 was written to the table"
ok "input-declined.json: FAILED: PaymentFailed (exit 1), and no item ORD-1002 in the table"

echo
echo "AWS example smoke test: all checks OK"

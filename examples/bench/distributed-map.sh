#!/usr/bin/env bash
# The Distributed Map bench: one map run over ITEMS items read from a JSON Lines object in S3
# (moto), through `switchback serve`, with Express children and then with Standard children.
#
# For each child type, a fresh server (release build, its own data directory, fsync on) runs
# one execution of examples/bench/distributed-map.json: an ItemReader of the JSONL object,
# MaxConcurrency 10,000 (AWS's default), and a child of two Pass states per item. The bench
# prints how long the map run took, items/s, and the server's peak RSS (VmHWM), and checks that
# DescribeMapRun counted every item as succeeded (and, for Standard children, that
# ListExecutions --map-run-arn lists one SUCCEEDED child per item, on a sample of pages).
#
#   bash examples/bench/distributed-map.sh [ITEMS]        (default 1,000,000)
#
# Needs moto_server and a python with boto3 (or set SWITCHBACK_MOTO_SERVER and
# SWITCHBACK_PYTHON, as .ci/run does).
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/../.."
items="${1:-1000000}"

moto_server="${SWITCHBACK_MOTO_SERVER:-$(command -v moto_server || true)}"
python="${SWITCHBACK_PYTHON:-python3}"
[ -n "$moto_server" ] || { echo "moto_server not found: pip install \"moto[server]\" boto3" >&2; exit 1; }
"$python" -c 'import boto3' || { echo "$python cannot import boto3" >&2; exit 1; }

cargo build --release --quiet -p switchback --bin switchback
bin="${SWITCHBACK_BIN:-$PWD/target/release/switchback}"

tmp="$(mktemp -d)"
export AWS_ACCESS_KEY_ID=testing AWS_SECRET_ACCESS_KEY=testing AWS_DEFAULT_REGION=us-east-1
export AWS_CONFIG_FILE="$tmp/aws-config" AWS_SHARED_CREDENTIALS_FILE="$tmp/aws-credentials"
export AWS_EC2_METADATA_DISABLED=true
unset AWS_PROFILE AWS_SESSION_TOKEN AWS_REGION
for variable in $(env | sed -n 's/^\(AWS_ENDPOINT_URL[A-Z_]*\)=.*/\1/p'); do unset "$variable"; done
pids=()
cleanup() {
    for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; wait "$pid" 2>/dev/null || true; done
    rm -rf "$tmp"
}
trap cleanup EXIT
free_port() { python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }
wait_for() { # URL WHAT: until anything answers there
    local deadline=$((SECONDS + 60))
    until python3 -c 'import sys, urllib.request, urllib.error
try: urllib.request.urlopen(sys.argv[1], timeout=2)
except urllib.error.HTTPError: pass' "$1" 2>/dev/null; do
        [ "$SECONDS" -lt "$deadline" ] || { echo "$2 did not answer on $1 within 60 s" >&2; tail -n 20 "$tmp"/*.log >&2; exit 1; }
        sleep 0.2
    done
}

# moto, with the items as one JSON Lines object.
moto="http://127.0.0.1:$(free_port)"
"$moto_server" -H 127.0.0.1 -p "${moto##*:}" >"$tmp/moto.log" 2>&1 &
pids+=($!)
wait_for "$moto/moto-api/" moto
"$python" - "$moto" "$items" <<'PY'
import sys, boto3
moto, items = sys.argv[1], int(sys.argv[2])
s3 = boto3.client("s3", endpoint_url=moto, region_name="us-east-1")
s3.create_bucket(Bucket="bench-items")
body = "".join(f'{{"id": {i}, "name": "item-{i:07d}"}}\n' for i in range(items)).encode()
s3.put_object(Bucket="bench-items", Key="items.jsonl", Body=body)
print(f"distributed map bench: {items} items, {len(body) / 1e6:.1f} MB of JSON Lines in S3 (moto)")
PY

run_one() { # TYPE: one map run on a fresh server
    local dir="$tmp/$1" url pid
    mkdir -p "$dir"
    printf '[aws]\nendpoint_url = "%s"\n' "$moto" >"$dir/switchback.toml"
    url="http://127.0.0.1:$(free_port)"
    "$bin" serve --config "$dir/switchback.toml" --listen "${url#http://}" --data-dir "$dir/data" >"$tmp/serve-$1.log" 2>&1 &
    pid=$!
    pids+=("$pid")
    wait_for "$url/" "switchback serve"
    "$python" - "$url" "$1" "$items" "$pid" examples/bench/distributed-map.json <<'PY'
import json, sys, time, boto3
url, child_type, items, pid, path = sys.argv[1], sys.argv[2], int(sys.argv[3]), sys.argv[4], sys.argv[5]
sfn = boto3.client("stepfunctions", endpoint_url=url, region_name="us-east-1")
definition = json.load(open(path))
definition["States"]["Each"]["ItemProcessor"]["ProcessorConfig"]["ExecutionType"] = child_type
machine = sfn.create_state_machine(name=f"dmap-{child_type.lower()}", definition=json.dumps(definition),
                                   roleArn="arn:aws:iam::123456789012:role/bench")["stateMachineArn"]
def hwm_mb():
    for line in open(f"/proc/{pid}/status"):
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
start = time.monotonic()
arn = sfn.start_execution(stateMachineArn=machine, input="{}")["executionArn"]
while True:
    d = sfn.describe_execution(executionArn=arn)
    if d["status"] != "RUNNING":
        break
    time.sleep(0.1)
elapsed = time.monotonic() - start
assert d["status"] == "SUCCEEDED", d
run = sfn.list_map_runs(executionArn=arn)["mapRuns"][0]["mapRunArn"]
counts = sfn.describe_map_run(mapRunArn=run)
for kind in ("itemCounts", "executionCounts"):
    c = counts[kind]
    assert c["succeeded"] == items and c["total"] == items, (kind, c)
if child_type == "STANDARD":
    page = sfn.list_executions(mapRunArn=run, maxResults=1000)
    assert len(page["executions"]) == min(items, 1000) and all(e["status"] == "SUCCEEDED" for e in page["executions"])
print(f"  {child_type:8}  {elapsed:8.2f} s  {items / elapsed:10.0f} items/s  peak RSS {hwm_mb():7.1f} MB")
PY
    kill "$pid"
    wait "$pid" 2>/dev/null || true
}
echo "  children  map run     throughput       server memory"
run_one EXPRESS
run_one STANDARD

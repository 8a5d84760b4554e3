#!/usr/bin/env bash
# The AWS-call bench: what Switchback adds to each call of an AWS service.
#
# Three ways to make the same SQS SendMessage calls, against one endpoint:
#   direct   a tight Rust client loop (crates/integrations/examples/sqs_send_loop.rs: pooled
#            connections, credentials built once, one SigV4 signature per call);
#   EXPRESS  `switchback bench --endpoint` of examples/bench/sqs-send.json (one Task,
#            sqs:sendMessage) through a `switchback serve` configured for that endpoint;
#   STANDARD the same with durable executions (history written to SQLite, fsync on).
# overhead = 1 - executions/s / direct calls/s, at concurrency 1 and at CONCURRENCY; each
# figure is the median of three runs, taken in turn.
#
# Two endpoints:
#   moto      (pip install "moto[server]" boto3), as the users' tests run. moto serves one or
#             two hundred calls a second and slows down as a queue grows, so each run sends to
#             a new queue, whose messages are counted with boto3 afterwards: every call must
#             have landed. moto varies more between runs than Switchback costs.
#   stand-in  crates/integrations/examples/sqs_stand_in.rs, an SQS endpoint that answers at
#             once: what remains is Switchback's own cost per call. It counts the calls too.
#
#   bash examples/bench/sqs-overhead.sh [MOTO_CALLS] [CONCURRENCY] [STAND_IN_CALLS]
#                                                        (defaults 400, 8 and 4000)
#
# Builds release binaries first. Needs moto_server and a python with boto3 (or set
# SWITCHBACK_MOTO_SERVER and SWITCHBACK_PYTHON, as .ci/run does).
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/../.."
moto_calls="${1:-400}"
concurrency="${2:-8}"
stand_in_calls="${3:-4000}"

moto_server="${SWITCHBACK_MOTO_SERVER:-$(command -v moto_server || true)}"
python="${SWITCHBACK_PYTHON:-python3}"
[ -n "$moto_server" ] || { echo "moto_server not found: pip install \"moto[server]\" boto3" >&2; exit 1; }
"$python" -c 'import boto3' || { echo "$python cannot import boto3" >&2; exit 1; }

cargo build --release --quiet -p switchback --bin switchback
cargo build --release --quiet -p switchback-integrations --example sqs_send_loop --example sqs_stand_in
bin=target/release/switchback
direct=target/release/examples/sqs_send_loop
stand_in=target/release/examples/sqs_stand_in

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
serve_for() { # ENDPOINT NAME: a switchback serve whose calls go to ENDPOINT; sets url
    local dir="$tmp/$2"
    mkdir -p "$dir"
    printf '[aws]\nendpoint_url = "%s"\n' "$1" >"$dir/switchback.toml"
    url="http://127.0.0.1:$(free_port)"
    "$bin" serve --config "$dir/switchback.toml" --listen "${url#http://}" --data-dir "$dir/data" >"$tmp/serve-$2.log" 2>&1 &
    pids+=($!)
    wait_for "$url/" "switchback serve"
}

# moto, and a server configured for it.
moto="http://127.0.0.1:$(free_port)"
"$moto_server" -H 127.0.0.1 -p "${moto##*:}" >"$tmp/moto.log" 2>&1 &
pids+=($!)
wait_for "$moto/moto-api/" moto
serve_for "$moto" moto
moto_serve="$url"
# The stand-in, and a server configured for it.
"$stand_in" 127.0.0.1:0 >"$tmp/stand-in.log" 2>&1 &
pids+=($!)
until grep -q '^listening on ' "$tmp/stand-in.log"; do sleep 0.1; done
stand="$(sed -n 's/^listening on //p' "$tmp/stand-in.log")"
serve_for "$stand" stand-in
stand_serve="$url"

# The endpoint of the runs: set per section below.
endpoint="" server="" calls=0
new_queue() { # a new queue's URL (a name is enough for the stand-in)
    if [ "$endpoint" = "$moto" ]; then
        "$python" -c 'import sys, boto3
print(boto3.client("sqs", endpoint_url=sys.argv[1], region_name="us-east-1").create_queue(QueueName=sys.argv[2])["QueueUrl"])' "$moto" "q$RANDOM$RANDOM"
    else
        echo "$endpoint/123456789012/q$RANDOM$RANDOM"
    fi
}
landed() { # QUEUE: how many messages were sent to it (the stand-in: to any queue, so far)
    if [ "$endpoint" = "$moto" ]; then
        "$python" -c 'import sys, boto3
sqs = boto3.client("sqs", endpoint_url=sys.argv[1], region_name="us-east-1")
print(sqs.get_queue_attributes(QueueUrl=sys.argv[2], AttributeNames=["ApproximateNumberOfMessages"])["Attributes"]["ApproximateNumberOfMessages"])' "$moto" "$1"
    else
        python3 -c 'import sys, urllib.request; print(urllib.request.urlopen(sys.argv[1]).read().decode())' "$stand/count"
    fi
}
checked() { # QUEUE BEFORE EXPECTED: fails unless EXPECTED more calls landed
    local now; now="$(landed "$1")"
    [ "$((now - $2))" -eq "$3" ] || { echo "$((now - $2)) calls landed at $1, expected $3" >&2; exit 1; }
}
field() { python3 -c 'import json, sys; print(json.load(sys.stdin)[sys.argv[1]])' "$1"; }
run_direct() { # CONCURRENCY: calls/s
    local queue before; queue="$(new_queue)"; before="$(landed "$queue")"
    "$direct" --endpoint "$endpoint" --queue-url "$queue" --calls "$calls" --concurrency "$1" --json | field calls_per_s
    checked "$queue" "$before" $((calls + 1)) # and the warm-up call
}
run_bench() { # TYPE CONCURRENCY: executions/s
    local queue before; queue="$(new_queue)"; before="$(landed "$queue")"
    "$bin" bench --endpoint "$server" --type "$1" examples/bench/sqs-send.json \
        --input "{\"queueUrl\": \"$queue\", \"order\": {\"id\": 1}}" \
        --executions "$calls" --concurrency "$2" --json | field executions_per_s
    # One warm-up execution; EXPRESS also runs a STANDARD twin once, to count its transitions.
    if [ "$1" = EXPRESS ]; then checked "$queue" "$before" $((calls + 2)); else checked "$queue" "$before" $((calls + 1)); fi
}
median() { python3 -c 'import statistics, sys; print(statistics.median(float(x) for x in sys.argv[1:]))' "$@"; }
measure() { # NAME: one table
    local report=() level d e t
    for level in 1 "$concurrency"; do
        d=(); e=(); t=()
        for _ in 1 2 3; do
            d+=("$(run_direct "$level")")
            e+=("$(run_bench EXPRESS "$level")")
            t+=("$(run_bench STANDARD "$level")")
        done
        report+=("$level" "$(median "${d[@]}")" "$(median "${e[@]}")" "$(median "${t[@]}")")
    done
    python3 - "$1" "$calls" "${report[@]}" <<'PY'
import sys
name, calls, rest = sys.argv[1], sys.argv[2], sys.argv[3:]
print(f"{name}: {calls} calls per run, every call checked at the endpoint; median of 3 runs")
print(f"  {'concurrency':>11}  {'direct calls/s':>14}  {'EXPRESS exec/s':>14}  {'overhead':>8}  {'STANDARD exec/s':>15}  {'overhead':>8}")
for i in range(0, len(rest), 4):
    level, direct, express, standard = rest[i], *map(float, rest[i + 1:i + 4])
    print(f"  {level:>11}  {direct:14.0f}  {express:14.0f}  {1 - express / direct:8.1%}  {standard:15.0f}  {1 - standard / direct:8.1%}")
direct, express, standard = map(float, rest[1:4])
print(f"  one at a time: a direct call takes {1000 / direct:.3f} ms; an EXPRESS execution adds "
      f"{1000 / express - 1000 / direct:+.3f} ms, a STANDARD one {1000 / standard - 1000 / direct:+.3f} ms")
PY
}

endpoint="$moto" server="$moto_serve" calls="$moto_calls"
measure "moto"
endpoint="$stand" server="$stand_serve" calls="$stand_in_calls"
measure "stand-in"

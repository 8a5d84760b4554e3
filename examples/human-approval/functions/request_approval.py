"""RequestApproval: "sends" an approval request for an order and returns at once.

Called by the Request Approval state (arn:aws:states:::lambda:invoke.waitForTaskToken) with
{"order": ..., "taskToken": ...}. A real one would e-mail a link or post to a chat; this one
appends a line of JSON to approvals.log next to this example (or to $APPROVALS_LOG) and logs
to stderr. The execution then waits until someone answers with the token:

    aws stepfunctions send-task-success --task-token TOKEN --task-output '{"approved": true}'
"""

import datetime
import json
import os
import pathlib
import sys

event = json.load(sys.stdin)
order, token = event["order"], event["taskToken"]
log = os.environ.get("APPROVALS_LOG") or pathlib.Path(__file__).resolve().parent.parent / "approvals.log"
request = {
    "requestedAt": datetime.datetime.now(datetime.timezone.utc).isoformat(timespec="seconds"),
    "orderId": order.get("orderId"),
    "total": order.get("total"),
    "taskToken": token,
}
with open(log, "a", encoding="utf-8") as f:
    f.write(json.dumps(request) + "\n")
print(f"approval requested for order {order.get('orderId')}: token {token}", file=sys.stderr)
json.dump({"requested": True}, sys.stdout)

"""ValidateOrder: checks that the order has an id, a customer and items, and that its total
is the sum of its items. Event (the order) on stdin, result on stdout.

An invalid order is a function error named InvalidOrder: a JSON object with `errorType` on
stdout and a non-zero exit, as a Lambda runtime reports an exception.
"""

import json
import sys

order = json.load(sys.stdin)
problems = []
for field in ("orderId", "customerId"):
    if not order.get(field):
        problems.append(f"{field} is missing")
items = order.get("items") or []
if not items:
    problems.append("the order has no items")
computed = round(sum(i.get("quantity", 0) * i.get("price", 0) for i in items), 2)
if round(order.get("total", -1), 2) != computed:
    problems.append(f"total {order.get('total')} is not the sum of the items ({computed})")

if problems:
    json.dump({"errorType": "InvalidOrder", "errorMessage": "; ".join(problems)}, sys.stdout)
    sys.exit(1)
print(f"order {order['orderId']} is valid", file=sys.stderr)  # stderr is the function's log
json.dump({"valid": True}, sys.stdout)

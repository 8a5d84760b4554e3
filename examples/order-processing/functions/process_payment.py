"""ProcessPayment: charges the order's total. Totals over the card limit are declined with a
function error named PaymentDeclined (exit 1 with `errorType` on stdout), which the state's
Catch sends to the Payment Failed state.
"""

import json
import sys

CARD_LIMIT = 1000

order = json.load(sys.stdin)
total = order["total"]
if total > CARD_LIMIT:
    json.dump(
        {
            "errorType": "PaymentDeclined",
            "errorMessage": f"Card declined: {total} is over the limit of {CARD_LIMIT}",
        },
        sys.stdout,
    )
    sys.exit(1)
json.dump(
    {"transactionId": "TXN-" + order["orderId"].split("-")[-1], "status": "CHARGED", "amount": total},
    sys.stdout,
)

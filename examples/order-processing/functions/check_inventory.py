"""CheckInventory: called through arn:aws:states:::lambda:invoke, whose Payload is the order.
Reports whether every item is in stock in the warehouse. The state's ResultSelector keeps
$.Payload.inStock of the invoke response, whose Payload is what this prints.
"""

import json
import sys

STOCK = {"WIDGET-1": 120, "GADGET-7": 8, "GIZMO-3": 0}

order = json.load(sys.stdin)
missing = [i["sku"] for i in order["items"] if STOCK.get(i["sku"], 0) < i["quantity"]]
json.dump({"inStock": not missing, "warehouse": "SEA-1", "missing": missing}, sys.stdout)

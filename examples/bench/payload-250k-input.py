#!/usr/bin/env python3
"""Prints the input of examples/bench/payload-250k.json: {"payload": {"records": [...]}}, about
250 KB of JSON (records of an id, a sentence, a number and tags), the same every time.

    python3 examples/bench/payload-250k-input.py > /tmp/payload-250k-input.json
    switchback bench examples/bench/payload-250k.json --input-file /tmp/payload-250k-input.json
"""
import json
import random

random.seed(7)
WORDS = ["order", "item", "sku", "price", "customer", "address", "street", "city", "note", "line"]
records, size = [], 0
while size < 250_000:
    record = {
        "id": f"r-{len(records)}",
        "text": " ".join(random.choice(WORDS) for _ in range(20)),
        "n": random.randint(0, 10**6),
        "tags": [random.choice(WORDS) for _ in range(3)],
    }
    records.append(record)
    size += len(json.dumps(record))
print(json.dumps({"payload": {"records": records}}))

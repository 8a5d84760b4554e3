"""Fixture function: a python3.x Lambda handler that returns a bytes object of 257 * 1024 'a'
characters (more than Step Functions' 256 KiB state payload limit).

The Python runtime sends a bytes result as it is (not JSON: a bare run of 'a's)."""

import lambda_python_runtime

HANDLER_PY = """\
def handler(event, context):
    return b"a" * (257 * 1024)
"""

lambda_python_runtime.run(HANDLER_PY)

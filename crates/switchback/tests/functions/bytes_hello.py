"""Fixture function: a python3.x Lambda handler that returns the bytes object b'"HelloWorld!"'.

The Python runtime does not JSON-encode a bytes result: it sends the bytes as the response
payload as they are."""

import lambda_python_runtime

HANDLER_PY = """\
def handler(event, context):
    return b'"HelloWorld!"'
"""

lambda_python_runtime.run(HANDLER_PY)

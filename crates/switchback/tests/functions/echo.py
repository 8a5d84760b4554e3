"""Fixture function: a python3.x Lambda handler that returns its input event unchanged."""

import lambda_python_runtime

HANDLER_PY = """\
def handler(event, context):
    return event
"""

lambda_python_runtime.run(HANDLER_PY)

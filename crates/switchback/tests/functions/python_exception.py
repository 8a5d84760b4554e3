"""Fixture function: a python3.x Lambda handler (/var/task/handler.py) whose line 2 raises an
unhandled Exception("Some exception was raised.")."""

import lambda_python_runtime

HANDLER_PY = """\
def handler(event, context):
    raise Exception("Some exception was raised.")
"""

lambda_python_runtime.run(HANDLER_PY)

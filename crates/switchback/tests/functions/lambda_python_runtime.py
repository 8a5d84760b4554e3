"""A stand-in for AWS Lambda's Python runtime (awslambdaric), for Switchback's `command`
function contract: the event is JSON on stdin, the result goes to stdout, and a handler's
exception is reported as a JSON error object on stdout with a non-zero exit.

It runs a handler module the way the managed python3.x runtime runs `/var/task/handler.py`,
and reproduces what that runtime puts on the wire:

- the event is decoded with `json.loads` (Content-Type application/json);
- a `bytes` result is sent as it is, without JSON encoding (awslambdaric's
  `LambdaMarshaller.marshal_response`), anything else is `json.dumps`-ed; a result that cannot
  be encoded is a `Runtime.MarshalError`;
- an exception becomes `{"errorMessage", "errorType", "requestId", "stackTrace"}`, the stack
  trace being `traceback.format_list` of the handler's frames (`build_fault_result`).

The request id is Lambda's, from `AWS_REQUEST_ID`.
"""

import json
import linecache
import os
import sys
import traceback

TASK_ROOT = "/var/task"


class LambdaContext:
    """The parts of Lambda's context object a handler may read."""

    def __init__(self, request_id):
        self.aws_request_id = request_id
        self.function_name = os.environ.get("AWS_LAMBDA_FUNCTION_NAME", "")
        self.function_version = os.environ.get("AWS_LAMBDA_FUNCTION_VERSION", "$LATEST")
        self.memory_limit_in_mb = "128"
        self.log_group_name = "/aws/lambda/" + self.function_name
        self.log_stream_name = "local"
        self.invoked_function_arn = ""
        self.client_context = None
        self.identity = None

    def get_remaining_time_in_millis(self):
        return 60_000


def load_handler(source, module="handler", function="handler"):
    """Loads `source` as the deployment package's `/var/task/{module}.py` and returns its
    `function`, so that tracebacks name the file and lines as on Lambda."""
    filename = f"{TASK_ROOT}/{module}.py"
    lines = source.splitlines(keepends=True)
    linecache.cache[filename] = (len(source), None, lines, filename)
    namespace = {"__name__": module, "__file__": filename}
    exec(compile(source, filename, "exec"), namespace)
    return namespace[function]


def make_error(error_message, error_type, stack_trace, request_id):
    return {
        "errorMessage": error_message if error_message else "",
        "errorType": error_type if error_type else "",
        "requestId": request_id if request_id is not None else "",
        "stackTrace": stack_trace if stack_trace else [],
    }


def fault(request_id, msg=None):
    """awslambdaric's build_fault_result for the exception being handled: the runtime's own
    frames are left out of the stack trace."""
    etype, value, tb = sys.exc_info()
    frames = [f for f in traceback.extract_tb(tb) if f.filename.startswith(TASK_ROOT + "/")]
    return make_error(
        msg if msg else str(value), etype.__name__, traceback.format_list(frames), request_id
    )


def fail(payload):
    """Reports a function error: the error object on stdout, the log line on stderr."""
    print(
        f"[ERROR] {payload['errorType']}: {payload['errorMessage']}\n"
        + "Traceback (most recent call last):\n"
        + "".join(payload["stackTrace"]),
        file=sys.stderr,
    )
    sys.stdout.write(json.dumps(payload))
    sys.stdout.flush()
    sys.exit(1)


def marshal_response(response):
    """awslambdaric's LambdaMarshaller.marshal_response: bytes go out unchanged."""
    if isinstance(response, bytes):
        return response
    return json.dumps(response, ensure_ascii=False, allow_nan=True).encode("utf-8")


def run(source, module="handler", function="handler"):
    """Invokes the handler once with the event on stdin, as the runtime would."""
    request_id = os.environ.get("AWS_REQUEST_ID", "")
    handler = load_handler(source, module, function)
    body = sys.stdin.buffer.read()
    try:
        event = json.loads(body) if body.strip() else None
    except ValueError as e:
        fail(make_error(f"Unable to unmarshal input: {e}", "Runtime.UnmarshalError", [], request_id))
    try:
        response = handler(event, LambdaContext(request_id))
    except Exception:  # noqa: BLE001 - the runtime reports every exception of the handler
        fail(fault(request_id))
    try:
        result = marshal_response(response)
    except (TypeError, ValueError) as e:
        fail(make_error(f"Unable to marshal response: {e}", "Runtime.MarshalError", [], request_id))
    sys.stdout.buffer.write(result)
    sys.stdout.flush()

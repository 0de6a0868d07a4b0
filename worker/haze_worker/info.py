"""The info extractor: ``python -m haze_worker.info``.

Reads one JSON document from stdin::

    {"requests": [{"path": "/abs/artifact.py", "className": "fn"}, ...]}

and writes one to stdout, a result per request in the same order::

    {"results": [{"ok": true, "lang": "python", "execute": {...}, "tags": [...],
                  "contextKind": "...", "defaults": {...}},
                 {"ok": false, "error": "<one line>", "traceback": "<text or empty>"}]}

A failing request does not affect the others. Exit status 0 whenever the protocol worked;
2 for malformed input, with the reason on stderr. User modules run at load time and may
print: file descriptor 1 is pointed at stderr while they run, and the reply goes to the
real stdout, which is closed once written (the reply is complete at end of stdout).
Spark is never started; pyspark is imported only if a user module did so first.
"""

import json
import os
import sys
import traceback

from .errors import FunctionError, one_line
from .loader import load_function
from .parent import exit_with_parent
from .signature import describe


class MalformedInput(Exception):
    """stdin is not a request document."""


def describe_request(request: dict) -> dict:
    """The result for one ``{"path", "className"}`` request; never raises."""
    path, class_name = request["path"], request["className"]
    try:
        return {"ok": True, **describe(load_function(path, class_name))}
    except FunctionError as exc:
        cause = exc.__cause__
        return _failure(str(exc), _format(cause) if cause is not None else "")
    except Exception as exc:
        return _failure(f"cannot describe `{class_name}` in {os.path.basename(path)}: {one_line(exc)}", _format(exc))


def handle(document: str) -> str:
    """The reply document for a request document; MalformedInput if it is not one."""
    requests = _parse_requests(document)
    return json.dumps({"results": [describe_request(request) for request in requests]})


def main() -> int:
    exit_with_parent()
    reply = _claim_stdout()
    try:
        answer = handle(sys.stdin.buffer.read().decode("utf-8"))
    except (MalformedInput, UnicodeDecodeError) as exc:
        print(f"haze_worker.info: malformed input: {exc}", file=sys.stderr)
        return 2
    reply.write(answer)
    reply.close()
    return 0


def _parse_requests(document: str) -> list:
    try:
        parsed = json.loads(document)
    except ValueError as exc:
        raise MalformedInput(f"not JSON ({exc})") from exc
    requests = parsed.get("requests") if isinstance(parsed, dict) else None
    if not isinstance(requests, list):
        raise MalformedInput('expected an object {"requests": [...]}')
    for index, request in enumerate(requests):
        if not (isinstance(request, dict) and isinstance(request.get("path"), str)
                and isinstance(request.get("className"), str)):
            raise MalformedInput(f'request {index} must be an object with string "path" and "className"')
    return requests


def _claim_stdout():
    """Keep the real stdout for the reply; send everything else written to fd 1 to stderr.

    Redirecting the file descriptor, not just ``sys.stdout``, also catches output from C
    code and child processes that user modules start.
    """
    sys.stdout.flush()
    reply = os.fdopen(os.dup(1), "w", encoding="ascii")
    os.dup2(2, 1)
    sys.stdout = sys.stderr
    return reply


def _failure(error: str, trace: str) -> dict:
    return {"ok": False, "error": error, "traceback": trace}


def _format(exc: BaseException) -> str:
    return "".join(traceback.format_exception(exc))


if __name__ == "__main__":
    sys.exit(main())

"""The frames the master sends, checked against protocol/worker-link.schema.json by hand.

The worker must never act on a frame that breaks the contract, nor crash on one, and
``jsonschema`` is a test-only dependency: so the four master → worker messages (``run``,
``cancel``, ``shutdown``, ``heartbeat``) are checked here field by field, exactly as the
schema states them (required fields, types, patterns, no additional properties). The
tests validate the same frames with jsonschema against the schema file itself.
"""

import json
import re
import time

# The link's version and this worker's language, sent in hello: the schema's
# hello.protocolVersion and one of its hello.lang (the tests hold them to it).
PROTOCOL_VERSION = 1
WORKER_LANG = "python"

_JOB_ID = re.compile(r"[A-Za-z0-9_-]{1,100}")
_SHA1 = re.compile(r"[0-9a-f]{40}")
_CONTEXT_KINDS = (
    "spark_session", "spark_context", "sql_context", "hive_session", "hive_context", "streaming_context",
)


class BadFrame(Exception):
    """A message from the master that is not a valid master → worker frame."""


def now_ms() -> int:
    return int(time.time() * 1000)


def parse_master_frame(text) -> dict:
    """The frame in ``text`` (a JSON object), or BadFrame saying what is wrong with it."""
    if not isinstance(text, str):
        raise BadFrame("a binary message; frames are JSON text")
    try:
        frame = json.loads(text)
    except ValueError as exc:
        raise BadFrame(f"not JSON: {exc}") from None
    if not isinstance(frame, dict):
        raise BadFrame("not a JSON object")
    check = _CHECKS.get(frame.get("type"))
    if check is None:
        raise BadFrame(f"unexpected frame type {frame.get('type')!r}")
    check(frame)
    return frame


def _run(frame) -> None:
    _fields(frame, required=("type", "jobId", "artifact", "className", "argumentsJson", "contextKind",
                             "streamingDuration", "resultLimit", "resultUrl", "lang"))
    if frame["lang"] not in ("python", "java", "scala"):
        raise BadFrame(f"run.lang: unknown language {frame['lang']!r}")
    _job_id(frame, "jobId")
    artifact = frame["artifact"]
    if not isinstance(artifact, dict):
        raise BadFrame("run.artifact: not an object")
    _fields(artifact, required=("name", "sha1", "url"), where="run.artifact")
    for name in ("name", "url"):
        _string(artifact, name, "run.artifact")
    _string(artifact, "sha1", "run.artifact", _SHA1)
    _string(frame, "className", "run")
    _string(frame, "argumentsJson", "run")
    _string(frame, "resultUrl", "run")
    if frame["contextKind"] not in _CONTEXT_KINDS:
        raise BadFrame(f"run.contextKind: unknown kind {frame['contextKind']!r}")
    for name in ("streamingDuration", "resultLimit"):
        if not _is_int(frame[name]) or frame[name] < 1:
            raise BadFrame(f"run.{name}: not an integer >= 1")
        frame[name] = int(frame[name])


def _cancel(frame) -> None:
    _fields(frame, required=("type", "jobId"))
    _job_id(frame, "jobId")


def _shutdown(frame) -> None:
    _fields(frame, required=("type",))


def _heartbeat(frame) -> None:
    _fields(frame, required=("type", "time"), optional=("runningJobs",))
    if not _is_int(frame["time"]) or frame["time"] < 0:
        raise BadFrame("heartbeat.time: not an integer >= 0")
    jobs = frame.get("runningJobs", [])
    if not isinstance(jobs, list) or not all(isinstance(job, str) and _JOB_ID.fullmatch(job) for job in jobs):
        raise BadFrame("heartbeat.runningJobs: not a list of job ids")


_CHECKS = {"run": _run, "cancel": _cancel, "shutdown": _shutdown, "heartbeat": _heartbeat}


def _fields(obj: dict, required: tuple, optional: tuple = (), where: str = "") -> None:
    where = where or obj["type"]
    missing = [name for name in required if name not in obj]
    if missing:
        raise BadFrame(f"{where}: missing {', '.join(missing)}")
    extra = sorted(set(obj) - set(required) - set(optional))
    if extra:
        raise BadFrame(f"{where}: unexpected {', '.join(extra)}")


def _job_id(frame, name) -> None:
    _string(frame, name, frame["type"], _JOB_ID)


def _string(obj, name, where, pattern=None) -> None:
    value = obj[name]
    if not isinstance(value, str) or (pattern is not None and not pattern.fullmatch(value)):
        raise BadFrame(f"{where}.{name}: not a valid string: {str(value)[:100]!r}")


def _is_int(value) -> bool:
    """JSON Schema's "integer": a number without a fractional part (``5.0`` counts)."""
    if isinstance(value, float):
        return value.is_integer()
    return isinstance(value, int) and not isinstance(value, bool)

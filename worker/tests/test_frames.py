"""frames.parse_master_frame agrees with the schema file on master → worker frames."""

import json

import jsonschema
import pytest

from fake_master import validate
from haze_worker.frames import BadFrame, parse_master_frame

RUN = {
    "type": "run", "jobId": "job_1-a", "artifact": {"name": "a.py", "sha1": "0" * 40, "url": "http://h/a.py"},
    "className": "f", "argumentsJson": "{}", "contextKind": "spark_session", "streamingDuration": 1000,
    "resultLimit": 10, "resultUrl": "http://h/internal/workers/results/job_1-a", "lang": "python",
}
VALID = [RUN, {"type": "cancel", "jobId": "j"}, {"type": "shutdown"}, {"type": "heartbeat", "time": 5},
         {"type": "heartbeat", "time": 5, "runningJobs": ["a"]}]
INVALID = [
    {**RUN, "jobId": "bad id"}, {**RUN, "extra": 1}, {k: v for k, v in RUN.items() if k != "resultLimit"},
    {**RUN, "resultLimit": 0}, {**RUN, "resultLimit": True}, {**RUN, "contextKind": "other"}, {**RUN, "lang": "cobol"},
    {**RUN, "artifact": {**RUN["artifact"], "sha1": "A" * 40}}, {**RUN, "artifact": {"name": "a"}},
    {"type": "cancel"}, {"type": "shutdown", "now": True}, {"type": "heartbeat", "time": -1},
    {"type": "heartbeat", "time": 1, "runningJobs": ["no way"]}, {"type": "ready"}, {"type": "nope"}, [1],
]


@pytest.mark.parametrize("frame", VALID)
def test_valid_frames_are_accepted(frame):
    validate(frame)
    assert parse_master_frame(json.dumps(frame)) == frame


@pytest.mark.parametrize("frame", INVALID)
def test_invalid_frames_are_refused_by_both(frame):
    with pytest.raises(jsonschema.ValidationError):
        validate(frame)
    with pytest.raises(BadFrame):
        parse_master_frame(json.dumps(frame))


def test_not_json():
    with pytest.raises(BadFrame, match="not JSON"):
        parse_master_frame("{")
    with pytest.raises(BadFrame, match="binary"):
        parse_master_frame(b"{}")


def test_the_worker_knows_exactly_the_schema_s_context_kinds():
    from fake_master import SCHEMA
    from haze_worker import frames, signature

    kinds = SCHEMA["$defs"]["run"]["properties"]["contextKind"]["enum"]
    assert list(frames._CONTEXT_KINDS) == kinds
    assert sorted(signature.TAGS) == sorted(kinds)


def test_the_hello_fits_the_schema_with_its_version_and_language():
    from fake_master import SCHEMA
    from haze_worker import frames
    from haze_worker.worker import Settings, _hello

    settings = Settings.from_env({"HAZE_MASTER_URL": "http://h:1", "HAZE_WORKER_ID": "w", "HAZE_WORKER_TOKEN": "t"})
    hello = _hello(settings)
    validate(hello)
    hello_schema = SCHEMA["$defs"]["hello"]["properties"]
    assert (hello["protocolVersion"], frames.WORKER_LANG) == (hello_schema["protocolVersion"]["const"], "python")
    assert frames.WORKER_LANG in hello_schema["lang"]["enum"]

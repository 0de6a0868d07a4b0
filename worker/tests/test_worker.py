"""The worker process end to end: one real worker (spark-submit, local[2]) for the module,
driven by a fake master that validates every frame against the protocol schema.

Tests share the worker and run in file order; the last one shuts it down.
"""

import json
import re
import time
import zipfile

import pytest

from conftest import SAMPLES
from fake_master import FakeMaster, WorkerProcess

SAMPLE_FILES = ("jobs.py", "typed_pi.py", "mist_pi.py", "odd_results.py", "mist_kinds.py")
ZIP_MODULE = '''
def square(x):
    return x * x


def squares(sc, n: int) -> list:
    """square() is imported by name on the executors: it needs the archive there."""
    return sc.parallelize(range(n), 2).map(square).collect()
'''


@pytest.fixture(scope="module")
def master():
    fake = FakeMaster(heartbeat_ms=500)
    yield fake
    fake.close()


@pytest.fixture(scope="module")
def worker(master, tmp_path_factory):
    process = WorkerProcess(master, tmp_path_factory.mktemp("cache"))
    try:
        master.wait_type("ready", timeout=90)
    except TimeoutError:
        process.stop()
        pytest.fail(f"the worker did not become ready:\n{process.tail()}")
    yield process
    process.stop()


@pytest.fixture(scope="module")
def artifacts(master):
    return {name: master.add_artifact(name, (SAMPLES / name).read_bytes()) for name in SAMPLE_FILES}


@pytest.fixture(autouse=True)
def every_frame_is_valid(master):
    yield
    assert master.invalid == []


def output_line(worker, pattern: str, since: int, timeout: float = 60) -> str:
    """The first line of the worker's own output (Spark's log) after line ``since`` that
    matches ``pattern``, waited for with a bound."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        for line in worker.output[since:]:
            if re.search(pattern, line):
                return line
        time.sleep(0.05)
    raise AssertionError(f"no output line matching {pattern!r} within {timeout} s:\n{worker.tail()}")


def result(frame: dict):
    assert frame["type"] == "finished", frame
    return json.loads(frame["resultJson"])


def test_hello_then_ready(master, worker):
    hello, ready = master.frames[0], master.wait_type("ready")
    assert hello["type"] == "hello"
    assert hello["workerId"] == "w1" and hello["token"] == master.token and hello["pid"] > 0
    assert hello["versions"]["pyspark"] == "4.3.0" and hello["versions"]["worker"]
    assert ready["sparkVersion"] == "4.3.0" and ready["applicationId"].startswith("local-")
    assert "sparkUi" not in ready  # spark.ui.enabled=false
    master.wait_type("heartbeat", timeout=5)


def test_pi_typed_then_cached(master, worker, artifacts):
    frame = master.call("pi-typed", artifacts["typed_pi.py"], "estimate_pi", {"samples": 20000})
    assert 2.9 < result(frame) < 3.4
    assert [f["type"] for f in master.job_frames("pi-typed")] == ["job-file-downloading", "started", "finished"]
    # The same artifact again: from the cache, no download.
    assert 2.9 < result(master.call("pi-typed-2", artifacts["typed_pi.py"], "estimate_pi")) < 3.4
    assert [f["type"] for f in master.job_frames("pi-typed-2")] == ["started", "finished"]
    assert master.downloads.count("typed_pi.py") == 1


def test_pi_mist(master, worker, artifacts):
    frame = master.call("pi-mist", artifacts["mist_pi.py"], "hello_mist", {"samples": 20000},
                        context_kind="spark_context")
    assert 2.9 < result(frame)["result"] < 3.4


def test_exact_numbers_and_nested_values(master, worker, artifacts):
    frame = master.call("big", artifacts["jobs.py"], "big_numbers")
    assert '"big":1267650600228229401496703205376' in frame["resultJson"]
    assert result(frame) == {"big": 2**100, "nested": {"list": [1, 2.5, True, None, "x"]}}
    value = {"n": 2**70, "list": [[], {}, None, False, "é"]}
    assert result(master.call("echo", artifacts["jobs.py"], "echo", {"value": value})) == value


def test_dataframe_and_converted_results(master, worker, artifacts):
    rows = result(master.call("df", artifacts["jobs.py"], "dataframe", {"n": 4}))
    assert rows == [{"id": i, "square": i * i} for i in range(4)]
    frame = master.call("mixed", artifacts["odd_results.py"], "mixed")
    assert '"decimal":12345678901234567890.123456789' in frame["resultJson"]
    assert result(frame) == {
        "decimal": 12345678901234567890.123456789, "when": "2024-05-06T07:08:09", "day": "2024-05-06",
        "bytes": "AP8=", "tuple": [1, 2], "nan": None, "row": {"a": 1, "b": "two"},
    }
    failed = master.call("not-json", artifacts["odd_results.py"], "not_json")
    assert failed["type"] == "failed" and failed["message"] == "result of type object cannot be encoded as JSON"


def test_result_over_the_limit_is_uploaded(master, worker, artifacts):
    frame = master.call("huge", artifacts["jobs.py"], "huge", {"size": 2000}, result_limit=1000)
    assert frame["type"] == "finished" and frame["resultFile"] == {"size": 2002, "format": "json"}
    assert master.results["huge"] == ("application/json", b'"' + b"x" * 2000 + b'"')


def test_dataframe_over_the_limit_is_uploaded_as_json_lines(master, worker, artifacts):
    frame = master.call("df-big", artifacts["jobs.py"], "dataframe", {"n": 100}, result_limit=200)
    assert frame["type"] == "finished" and frame["resultFile"]["format"] == "jsonl"
    media_type, body = master.results["df-big"]
    assert media_type == "application/x-ndjson"
    assert [json.loads(line) for line in body.decode().splitlines()] == [{"id": i, "square": i * i} for i in range(100)]


def test_a_jvm_job_is_refused_by_a_python_worker(master, worker, artifacts):
    frame = master.call("wrong-kind", artifacts["jobs.py"], "big_numbers", lang="scala")
    assert frame["type"] == "failed" and not frame["cancelled"]
    assert frame["message"] == ("a scala function reached a Python worker; "
                                "Java and Scala functions run on JVM workers (haze.runtime.WorkerMain)")


def test_result_the_master_cannot_store_fails_the_job(master, worker, artifacts):
    master.refuse_results = True
    frame = master.call("refused", artifacts["jobs.py"], "huge", {"size": 2000}, result_limit=1000)
    assert frame["type"] == "failed" and not frame["cancelled"]
    assert frame["message"].startswith("the master did not store the result")
    assert frame["message"].endswith("HTTP 500: cannot store the result of job refused: disk full")


def test_exception_fails_with_message_and_traceback(master, worker, artifacts):
    frame = master.call("boom", artifacts["jobs.py"], "boom")
    assert frame["type"] == "failed" and not frame["cancelled"]
    assert frame["message"] == "ValueError: boom"
    assert 'raise ValueError("boom")' in frame["traceback"] and "haze_worker" not in frame["traceback"]


def test_sequential_jobs_share_a_thread(master, worker, artifacts):
    names = [result(master.call(f"reuse-{i}", artifacts["jobs.py"], "thread_name")) for i in range(3)]
    assert names[0].startswith("haze-job-thread-") and names == [names[0]] * 3


def test_parallel_jobs_keep_their_logs_apart(master, worker, artifacts):
    for tag in ("A", "B"):
        master.run(f"chatty-{tag}", artifacts["jobs.py"], "chatty", {"tag": tag, "lines": 15})
    outcomes = {tag: master.outcome(f"chatty-{tag}") for tag in ("A", "B")}
    started = {tag: master.wait_for(lambda f, t=tag: f["type"] == "started" and f["jobId"] == f"chatty-{t}")
               for tag in ("A", "B")}
    assert started["B"]["time"] < outcomes["A"]["time"] and started["A"]["time"] < outcomes["B"]["time"]
    for tag in ("A", "B"):
        assert result(outcomes[tag]) == tag
        lines = master.log_lines(f"chatty-{tag}")
        prints = [line["message"] for line in lines if line["source"] == "stdout"]
        logs = [line["message"] for line in lines if line["source"] == "chatty"]
        assert prints == [f"{tag} print {i}" for i in range(15)] + [f"{tag} from a thread"]
        assert logs == [f"{tag} log {i}" for i in range(15)]
        assert {line["level"] for line in lines if line["source"] in ("stdout", "chatty")} == {"INFO"}
        # Every log frame comes before the job's terminal frame.
        assert master.job_frames(f"chatty-{tag}")[-1]["type"] == "finished"


def test_parallel_jobs_get_threads_of_their_own(master, worker, artifacts):
    for tag in ("A", "B"):
        master.run(f"side-{tag}", artifacts["jobs.py"], "thread_name", {"seconds": 1})
    names = {result(master.outcome(f"side-{tag}")) for tag in ("A", "B")}
    assert len(names) == 2


def test_output_after_a_job_is_nobodys(master, worker, artifacts):
    thread = result(master.call("printer", artifacts["jobs.py"], "print_later", {"text": "late line", "delay": 0.5}))
    # The next job runs in the same thread while the first job's own thread prints.
    assert result(master.call("meanwhile", artifacts["jobs.py"], "thread_name", {"seconds": 1.5})) == thread
    deadline = time.monotonic() + 5
    while not any("late line" in line for line in worker.output) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert any("late line" in line for line in worker.output)  # the worker's own output
    for job_id in ("printer", "meanwhile"):
        assert [line for line in master.log_lines(job_id) if "late line" in line["message"]] == []


def test_cancel_a_running_spark_job(master, worker, artifacts):
    since = len(worker.output)
    master.run("slow", artifacts["jobs.py"], "slow_count", {"seconds": 30}, context_kind="spark_context")
    master.wait_for(lambda f: f["type"] == "started" and f["jobId"] == "slow")
    master.wait_for(lambda f: f["type"] == "heartbeat" and "slow" in f["runningJobs"], timeout=5)
    output_line(worker, r"Starting task \d+\.\d+ in stage", since)  # Spark runs the job's tasks now
    cancelled_at = time.monotonic()
    master.send({"type": "cancel", "jobId": "slow"})
    frame = master.outcome("slow", timeout=15)
    assert time.monotonic() - cancelled_at < 5
    assert frame["type"] == "failed" and frame["cancelled"] and frame["message"] == "job cancelled"
    # The worker carries on as usual.
    assert result(master.call("after-slow", artifacts["jobs.py"], "noop")) == 1


def test_cancel_a_pure_python_loop(master, worker, artifacts):
    master.run("busy", artifacts["jobs.py"], "busy_loop")
    master.wait_for(lambda f: f["type"] == "started" and f["jobId"] == "busy")
    # Wherever the job's thread is from here on (the loop, or just before it), the
    # asynchronous exception of the cancel stops it.
    cancelled_at = time.monotonic()
    master.send({"type": "cancel", "jobId": "busy"})
    frame = master.outcome("busy", timeout=15)
    assert time.monotonic() - cancelled_at < 3
    assert frame["type"] == "failed" and frame["cancelled"]
    master.send({"type": "cancel", "jobId": "busy"})  # too late: ignored
    assert result(master.call("after-busy", artifacts["jobs.py"], "noop")) == 1


def test_cancel_a_streaming_job(master, worker, artifacts):
    since = len(worker.output)
    master.run("stream", artifacts["jobs.py"], "stream_forever", context_kind="streaming_context",
               streaming_duration=500)
    master.wait_for(lambda f: f["type"] == "started" and f["jobId"] == "stream")
    output_line(worker, r"StreamingContext started", since)
    cancelled_at = time.monotonic()
    master.send({"type": "cancel", "jobId": "stream"})
    frame = master.outcome("stream", timeout=15)
    assert time.monotonic() - cancelled_at < 5
    assert frame["type"] == "failed" and frame["cancelled"]


def test_a_job_after_another_in_its_thread_starts_clean(master, worker, artifacts):
    """Job group, job tags and local properties are per thread: the next job in the thread
    must not inherit them, neither after a job that ended nor after a cancelled one."""
    thread = result(master.call("dirty", artifacts["jobs.py"], "dirty", context_kind="spark_context"))
    clean = {"thread": thread, "mark": None, "tags": []}
    frame = master.call("state-1", artifacts["jobs.py"], "thread_state", context_kind="spark_context")
    assert result(frame) == {**clean, "jobGroup": "state-1"}
    master.run("dirty-spin", artifacts["jobs.py"], "dirty", {"spin": True}, context_kind="spark_context")
    # Cancelled once it has left its marks and spins.
    master.wait_for(lambda f: f["type"] == "log" and f["jobId"] == "dirty-spin"
                    and any(line["message"] == "dirty, spinning" for line in f["lines"]))
    master.send({"type": "cancel", "jobId": "dirty-spin"})
    frame = master.outcome("dirty-spin", timeout=15)
    assert frame["type"] == "failed" and frame["cancelled"]
    frame = master.call("state-2", artifacts["jobs.py"], "thread_state", context_kind="spark_context")
    assert result(frame) == {**clean, "jobGroup": "state-2"}  # the same thread, which survived the cancel


def test_sha1_mismatch_fails_the_job(master, worker):
    artifact = master.add_artifact("tampered.py", b"def f(spark):\n    return 1\n")
    master.artifacts["tampered.py"] = b"def f(spark):\n    return 2\n"
    frame = master.call("tampered", artifact, "f")
    assert frame["type"] == "failed" and not frame["cancelled"]
    assert "SHA-1" in frame["message"] and artifact["sha1"] in frame["message"]
    assert [f["type"] for f in master.job_frames("tampered")] == ["job-file-downloading", "failed"]


def test_context_kinds(master, worker, artifacts, tmp_path):
    people = tmp_path / "people.json"
    people.write_text('{"name": "a", "age": 20}\n{"name": "b", "age": 40}\n')
    frame = master.call("sql", artifacts["mist_kinds.py"], "sql_average_age", {"path": str(people)},
                        context_kind="sql_context")
    assert result(frame) == {"result": 30.0}
    frame = master.call("streaming", artifacts["mist_kinds.py"], "streaming_no_args",
                        context_kind="streaming_context", streaming_duration=500)
    assert result(frame) == {"sparkVersion": "4.3.0"}
    frame = master.call("hive", artifacts["jobs.py"], "noop", context_kind="hive_session")
    assert frame["type"] == "failed" and frame["message"].startswith("Hive is not available in this Spark: ")


def test_zip_archive_reaches_the_executors(master, worker, tmp_path):
    archive = tmp_path / "squares.zip"
    with zipfile.ZipFile(archive, "w") as zipped:
        zipped.writestr("haze_zip_sample/__init__.py", "")
        zipped.writestr("haze_zip_sample/tasks.py", ZIP_MODULE)
    artifact = master.add_artifact("squares.zip", archive.read_bytes())
    frame = master.call("zip", artifact, "haze_zip_sample.tasks.squares", {"n": 5}, context_kind="spark_context")
    assert result(frame) == [0, 1, 4, 9, 16]


def test_bad_frames_are_ignored(master, worker, artifacts):
    master.send_raw("not json")
    master.send_raw(json.dumps({"type": "bogus"}))
    master.send_raw(json.dumps({"type": "run", "jobId": "broken"}))
    master.send({"type": "cancel", "jobId": "nobody"})
    assert result(master.call("after-bad", artifacts["jobs.py"], "noop")) == 1
    assert master.job_frames("broken") == []


def test_shutdown_exits_zero(master, worker):
    master.send({"type": "shutdown"})
    assert worker.wait(timeout=20) == 0, worker.tail()

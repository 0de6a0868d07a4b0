"""A worker never outlives its master: it exits when the link closes, when the master stops
heartbeating, and when its hello is refused; and it says why it cannot start Spark. Four
workers, started together to share the wait for Spark."""

import time

import pytest

from fake_master import FakeMaster, WorkerProcess

CASES = ("closed", "silent", "refused", "broken")


@pytest.fixture(scope="module")
def workers(tmp_path_factory):
    cache = tmp_path_factory.mktemp("cache")
    masters = {case: FakeMaster(heartbeat_ms=500) for case in CASES}
    processes = {
        case: WorkerProcess(masters[case], cache, worker_id=f"w-{case}",
                            token="wrong" if case == "refused" else None,
                            conf={"spark.scheduler.mode": "NOWHERE"} if case == "broken" else None)
        for case in CASES
    }
    yield {case: (masters[case], processes[case]) for case in CASES}
    for case in CASES:
        processes[case].stop()
        masters[case].close()


def ready(master, process):
    try:
        master.wait_type("ready", timeout=90)
    except TimeoutError:
        pytest.fail(f"the worker did not become ready:\n{process.tail()}")


def test_exits_when_the_link_closes(workers):
    master, process = workers["closed"]
    ready(master, process)
    master.disconnect()
    started = time.monotonic()
    assert process.wait(timeout=15) == 4, process.tail()
    assert time.monotonic() - started < 8
    assert any("the link to the master is closed" in line for line in process.output)
    assert master.invalid == []


def test_exits_when_the_master_stops_heartbeating(workers):
    master, process = workers["silent"]
    ready(master, process)
    master.heartbeating = False
    started = time.monotonic()
    assert process.wait(timeout=15) == 3, process.tail()
    assert time.monotonic() - started < 8
    assert any("no frame from the master" in line for line in process.output)
    assert master.invalid == []


def test_exits_when_its_hello_is_refused(workers):
    master, process = workers["refused"]
    assert process.wait(timeout=60) == 4, process.tail()
    assert master.frames == []  # the hello was refused (code 4001) and nothing else came
    assert any("4001" in line for line in process.output)
    assert master.invalid == []


def test_exits_non_zero_saying_why_spark_did_not_start(workers):
    master, process = workers["broken"]
    assert process.wait(timeout=60) == 1, process.tail()
    assert [frame["type"] for frame in master.frames if frame["type"] != "heartbeat"] == ["hello"]
    last_lines = "\n".join(process.output[-20:])
    assert "haze worker: cannot start the SparkSession" in last_lines and "NOWHERE" in last_lines
    assert master.invalid == []

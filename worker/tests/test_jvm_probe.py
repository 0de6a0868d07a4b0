"""The heartbeat's question to the driver JVM (haze_worker.jvm_probe), with a stand-in for
the py4j call that the test holds and releases; the real JVM stopped by SIGSTOP is
test/e2e-worker-faults.test.ts."""

import threading
import time

from haze_worker.jvm_probe import JvmProbe


def wait_until(check, timeout=5.0):
    deadline = time.monotonic() + timeout
    while not check():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.005)


def test_an_unanswered_question_grows_silent_until_answered():
    release = threading.Event()
    asked = []

    def ask():
        asked.append(time.monotonic())
        release.wait()

    probe = JvmProbe(ask)
    assert probe.silent_for() == 0.0  # asks
    wait_until(lambda: len(asked) == 1)
    first = probe.silent_for()
    wait_until(lambda: probe.silent_for() >= first + 0.05)
    assert len(asked) == 1, "no second question while the first is unanswered"
    release.set()
    wait_until(lambda: probe.silent_for() == 0.0)  # answered: a new question goes out
    wait_until(lambda: len(asked) == 2)


def test_a_failing_call_counts_as_an_answer():
    calls = []

    def ask():
        calls.append(1)
        raise ConnectionError("the gateway is gone")

    probe = JvmProbe(ask)
    probe.silent_for()
    wait_until(lambda: len(calls) == 1)
    wait_until(lambda: probe.silent_for() == 0.0)

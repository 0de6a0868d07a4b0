"""The driver's Python memory limit (spark.haze.driver.pythonMemory): how a MemoryError reads,
and that the limit really makes a large allocation fail in the process that set it. The whole
path on real Spark is test/e2e-faults.test.ts."""

import subprocess
import sys

from haze_worker import errors
from haze_worker.errors import summary


def test_a_memory_error_says_what_ran_out_and_what_limits_it(monkeypatch):
    monkeypatch.setattr(errors, "python_memory_limit", "2g")
    assert summary(MemoryError()) == (
        "MemoryError: the function ran out of memory in the driver's Python "
        "(its limit is 2g, the context's spark.haze.driver.pythonMemory)")


def test_without_a_limit_it_names_the_setting(monkeypatch):
    monkeypatch.setattr(errors, "python_memory_limit", None)
    assert "no limit set: the context's spark.haze.driver.pythonMemory sets one" in summary(MemoryError())


def test_an_address_space_limit_turns_a_big_allocation_into_memory_error():
    script = (
        "import resource\n"
        "resource.setrlimit(resource.RLIMIT_AS, (1 << 30, resource.getrlimit(resource.RLIMIT_AS)[1]))\n"
        "try:\n"
        "    blocks = [bytearray(1 << 20) for _ in range(2048)]\n"
        "except MemoryError:\n"
        "    print('MemoryError')\n"
    )
    result = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=60)
    assert result.stdout.strip() == "MemoryError"

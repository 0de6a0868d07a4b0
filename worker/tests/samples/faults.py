"""Functions that misbehave on purpose, for the fault tests (test/e2e-faults.test.ts).

Each breaks its job in one way a user's code can; Haze must end the job with a reason a
person understands, keep its own memory bounded, and serve the next job.
"""

import ctypes
import os
import sys
import time

from pyspark.sql import SparkSession


def noop(spark: SparkSession) -> int:
    return 1


def exit_hard(spark: SparkSession) -> None:
    """Kills the whole interpreter, and with it the driver."""
    os._exit(7)


def segfault(spark: SparkSession) -> None:
    """Reads address 0: SIGSEGV in the driver's Python."""
    ctypes.string_at(0)


def exit_politely(spark: SparkSession) -> None:
    """sys.exit in a job's thread raises SystemExit there; it must not stop the worker."""
    sys.exit(3)


def huge_error(spark: SparkSession, size: int) -> None:
    raise ValueError("x" * size)


def unencodable(spark: SparkSession) -> object:
    return object()


def spin_python(spark: SparkSession) -> None:
    while True:
        pass


def spin_c(spark: SparkSession, seconds: int) -> None:
    """Sleeps in C (libc's sleep through ctypes): no Python exception can reach it."""
    libc = ctypes.CDLL(None)
    libc.sleep(seconds)


def flood(spark: SparkSession, megabytes: int) -> str:
    """Prints `megabytes` MiB of log lines, as fast as it can."""
    line = "y" * 1023
    for _ in range(megabytes * 1024):
        print(line)
    return "printed"


def flood_stdout(spark: SparkSession, megabytes: int) -> str:
    """Writes `megabytes` MiB straight to the process's standard output (file descriptor 1),
    past the per-job routing of print: it lands in the worker's own output file."""
    chunk = (("z" * 1023 + "\n") * 64).encode()
    for _ in range(megabytes * 16):
        os.write(1, chunk)
    return "written"


def hog_memory(spark: SparkSession, megabytes: int) -> int:
    """Grows the driver's Python heap until MemoryError, or a limit of `megabytes`."""
    blocks = []
    for _ in range(megabytes):
        blocks.append(bytearray(1024 * 1024))
    return len(blocks)


def collect_too_much(spark: SparkSession, megabytes: int) -> int:
    """Collects `megabytes` MiB of rows (10 KiB each) into the driver: past the driver JVM's heap
    (spark.driver.memory) it runs out of memory before Python sees a row."""
    rows = spark.sparkContext.range(0, megabytes * 100, numSlices=8).map(lambda i: "x" * 10240)
    return len(rows.collect())


def sleep_a_bit(spark: SparkSession, seconds: float) -> float:
    time.sleep(seconds)
    return seconds

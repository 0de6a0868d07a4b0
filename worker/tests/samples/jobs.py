"""Functions for the worker's tests (and the master's): long, failing, noisy and odd jobs.

All are plain typed functions; deploy each with its name as className.
"""

import logging
import threading
import time
from typing import Any

from pyspark import SparkContext
from pyspark.sql import DataFrame, SparkSession
from pyspark.streaming import StreamingContext

_TICK = 0.05


def slow_count(sc: SparkContext, seconds: float) -> int:
    """A Spark job lasting about `seconds` on two cores: cancellable through its job group."""
    items = max(2, int(seconds / _TICK) * 2)
    return sc.parallelize(range(items), 2).map(lambda x: time.sleep(_TICK) or x).count()


def busy_loop(spark: SparkSession) -> None:
    """Pure Python, forever: only an asynchronous exception in its thread stops it."""
    while True:
        pass


def stream_forever(ssc: StreamingContext) -> None:
    """A DStream job that runs until its StreamingContext is stopped (by a cancel)."""
    rdd = ssc.sparkContext.parallelize([1, 2, 3])
    ssc.queueStream([rdd], default=rdd).count().pprint()
    ssc.start()
    ssc.awaitTermination()


def big_numbers(spark: SparkSession) -> dict:
    """Integers past 2^53 and nested values, which must arrive exactly."""
    return {"big": 2**100, "nested": {"list": [1, 2.5, True, None, "x"]}}


def dataframe(spark: SparkSession, n: int) -> DataFrame:
    """A DataFrame result: rows {id, square}."""
    return spark.range(n).selectExpr("id", "id * id AS square")


def chatty(spark: SparkSession, tag: str, lines: int) -> str:
    """Prints and logs `lines` lines each, tagged, with small sleeps, plus one line printed
    from a thread it starts: a job's output must reach that job's log only."""
    log = logging.getLogger("chatty")
    for index in range(lines):
        print(f"{tag} print {index}")
        log.info("%s log %d", tag, index)
        time.sleep(0.02)
    helper = threading.Thread(target=lambda: print(f"{tag} from a thread"))
    helper.start()
    helper.join()
    return tag


def boom(spark: SparkSession) -> None:
    """Fails with ValueError('boom')."""
    raise ValueError("boom")


def echo(spark: SparkSession, value: Any) -> Any:
    """Returns its argument unchanged."""
    return value


def huge(spark: SparkSession, size: int) -> str:
    """A string of `size` characters, to exceed a result limit."""
    return "x" * size


def noop(spark: SparkSession) -> int:
    """Returns 1 at once."""
    return 1


def thread_name(spark: SparkSession, seconds: float = 0) -> str:
    """The name of the thread running the job, after `seconds` of sleep."""
    time.sleep(seconds)
    return threading.current_thread().name


def dirty(sc: SparkContext, spin: bool = False) -> str:
    """Leaves a local property and a job tag on its thread, then returns its thread's name,
    or with `spin` loops until cancelled: the next job in the thread must not see them."""
    sc.setLocalProperty("haze.test.mark", "dirty")
    sc.addJobTag("haze-test-dirty")
    if spin:
        print("dirty, spinning", flush=True)
    while spin:
        pass
    return threading.current_thread().name


def thread_state(sc: SparkContext) -> dict:
    """What the job finds on its thread: its name, the Spark job group, and what `dirty` leaves."""
    return {"thread": threading.current_thread().name, "jobGroup": sc.getLocalProperty("spark.jobGroup.id"),
            "mark": sc.getLocalProperty("haze.test.mark"), "tags": sorted(sc.getJobTags())}


def print_later(spark: SparkSession, text: str, delay: float) -> str:
    """Starts a thread that prints `text` after `delay` seconds, when the job is over; returns
    the job's thread's name."""
    threading.Thread(target=lambda: time.sleep(delay) or print(text), daemon=True).start()
    return threading.current_thread().name

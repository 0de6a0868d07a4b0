"""The warm baseline of bench/execution.ts: one long-lived plain PySpark driver.

Run as ``spark-submit --conf … baseline_runner.py <port>`` with the same --conf pairs as the
Haze context it is compared with. spark-submit does not hand its stdin to the Python driver,
so commands come over a TCP connection to the benchmark, on 127.0.0.1:<port>, one JSON object
per line each way. Once its SparkSession is up it says ``{"ready": true, …}``, then answers

    {"function": "<name>", "runs": <n>}

by calling bench_jobs.<name>(spark) n times in this thread, each call timed alone with
time.perf_counter(), with ``{"function", "seconds": [...], "result"}``. It exits when the
benchmark closes the connection.
"""

import json
import socket
import sys
import time

from pyspark.sql import SparkSession

import bench_jobs


def timed_runs(spark, name: str, runs: int) -> dict:
    fn = getattr(bench_jobs, name)
    seconds = []
    result = None
    for _ in range(runs):
        started = time.perf_counter()
        result = fn(spark)
        seconds.append(time.perf_counter() - started)
    return {"function": name, "seconds": seconds, "result": result}


def serve(spark, connection: socket.socket) -> None:
    reader = connection.makefile("r", encoding="utf-8")

    def answer(value: dict) -> None:
        connection.sendall((json.dumps(value) + "\n").encode("utf-8"))

    answer({"ready": True, "sparkVersion": spark.version, "python": sys.version.split()[0]})
    for line in reader:
        try:
            command = json.loads(line)
            name, runs = command["function"], int(command["runs"])
            if not hasattr(bench_jobs, name):
                raise ValueError(f"bench_jobs has no function {name!r}")
        except (ValueError, KeyError, TypeError) as exc:
            answer({"error": f"bad command {line.strip()!r}: {exc}"})
            continue
        answer(timed_runs(spark, name, runs))


def main() -> int:
    port = int(sys.argv[1])
    spark = SparkSession.builder.getOrCreate()
    try:
        with socket.create_connection(("127.0.0.1", port)) as connection:
            serve(spark, connection)
    finally:
        spark.stop()
    return 0


if __name__ == "__main__":
    sys.exit(main())

"""The cold baseline of bench/execution.ts: what a Haze exclusive job does, without Haze.

Run with spark-submit and the same --conf pairs as the Haze context. It starts a SparkSession,
runs bench_jobs.sum_million once, prints the result and stops Spark. Two marker lines carry
wall-clock times (seconds since the epoch), so that the benchmark can tell start-up from work:

    BENCH python <time>             Python runs this script (spark-submit's two JVMs are up)
    BENCH imported <time>           pyspark and the function are imported
    BENCH session <time>            the SparkSession is up
    BENCH result <value> <time>     the function has answered
"""

import sys
import time

print(f"BENCH python {time.time():.6f}", flush=True)

from pyspark.sql import SparkSession  # noqa: E402  (after the first marker, to time the import)

import bench_jobs  # noqa: E402

print(f"BENCH imported {time.time():.6f}", flush=True)


def main() -> int:
    spark = SparkSession.builder.getOrCreate()
    print(f"BENCH session {time.time():.6f}", flush=True)
    result = bench_jobs.sum_million(spark)
    print(f"BENCH result {result} {time.time():.6f}", flush=True)
    spark.stop()
    return 0


if __name__ == "__main__":
    sys.exit(main())

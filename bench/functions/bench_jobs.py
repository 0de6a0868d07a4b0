"""The functions of bench/execution.ts. Haze runs them from this file as an uploaded artifact;
the plain-PySpark baselines import this same file, so both sides run the very same code."""

from pyspark.sql import SparkSession

SUM_MILLION = 499_999_500_000  # sum(range(10**6)): what sum_million must answer


def noop(spark: SparkSession) -> int:
    """Returns 1 at once: whatever a job of it costs beyond microseconds is Haze's."""
    return 1


def sum_million(spark: SparkSession) -> int:
    """A small Spark job: the sum of 0 … 999,999 over two partitions, run by Python workers."""
    return spark.sparkContext.parallelize(range(10**6), 2).sum()

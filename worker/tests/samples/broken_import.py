"""Fails at import: the module it needs does not exist."""

import numpyy  # noqa: F401  (misspelt on purpose)

from pyspark.sql import SparkSession


def estimate(spark: SparkSession) -> int:
    return 0

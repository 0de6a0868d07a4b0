"""Haze's own style: plain Python with type hints.

Deploy with className `estimate_pi`. The first parameter receives the SparkSession; `samples`
is the job's only argument and is optional (default 1000).
"""

import random

from pyspark.sql import SparkSession


def _inside_unit_circle(_):
    x, y = random.random(), random.random()
    return 1 if x * x + y * y < 1 else 0


def estimate_pi(spark: SparkSession, samples: int = 1000) -> float:
    """Monte-Carlo estimate of pi from `samples` random points, spread over the cluster."""
    hits = spark.sparkContext.parallelize(range(samples)).map(_inside_unit_circle).sum()
    return 4.0 * hits / samples

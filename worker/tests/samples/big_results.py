"""Results of any size: big ones go through the master's result store (test/e2e-results.test.ts,
bench/results.ts). Every value is a deterministic function of its arguments, so a test can
write the same JSON text itself and compare it byte for byte."""

from pyspark.sql import DataFrame, SparkSession


def rows(spark: SparkSession, count: int, width: int = 80):
    """``count`` rows, encoded as they are made (a generator): a big integer beyond 2**53 and a
    non-ASCII text in each, so the bytes prove nothing was rounded or re-encoded."""
    pad = "x" * width
    return ({"i": i, "big": 2**70 + i, "text": f"row {i} é {pad}"} for i in range(count))


def row_list(spark: SparkSession, count: int, width: int = 80) -> list:
    """The same rows as a list built whole first (the function's memory, not Haze's)."""
    return list(rows(spark, count, width))


def small(spark: SparkSession) -> dict:
    return {"answer": 42, "big": 2**100}


def frame(spark: SparkSession, count: int, partitions: int = 4) -> DataFrame:
    """A DataFrame: rows {id, square, big}, big a DECIMAL(38,0) past 2**53."""
    return spark.range(0, count, 1, partitions).selectExpr(
        "id", "id * id AS square", "CAST(123456789012345678901234567890 AS DECIMAL(38,0)) + id AS big"
    )


def text_frame(spark: SparkSession, count: int, width: int = 100, partitions: int = 16) -> DataFrame:
    """A DataFrame of ``count`` rows of about ``width`` characters (the 1 GB benchmark)."""
    return spark.range(0, count, 1, partitions).selectExpr("id", f"concat('row ', id, ' ', repeat('x', {width})) AS text")

"""Results that need converting to JSON, and one that cannot be converted."""

import datetime
import decimal

from pyspark.sql import Row, SparkSession


def mixed(spark: SparkSession) -> dict:
    """One value of each kind the worker converts."""
    return {
        "decimal": decimal.Decimal("12345678901234567890.123456789"),
        "when": datetime.datetime(2024, 5, 6, 7, 8, 9),
        "day": datetime.date(2024, 5, 6),
        "bytes": b"\x00\xff",
        "tuple": (1, 2),
        "nan": float("nan"),
        "row": Row(a=1, b="two"),
    }


def not_json(spark: SparkSession) -> object:
    """An object with no JSON form."""
    return object()

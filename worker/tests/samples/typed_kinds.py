"""Every kind of argument a typed function can declare, one per parameter.

Uses postponed annotations on purpose: the extractor must resolve them as strings,
including inside the TypedDict, whose module is never registered in sys.modules.
"""

from __future__ import annotations

from typing import Optional, TypedDict

from pyspark import SparkContext
from pyspark.sql import SparkSession


class Point(TypedDict):
    x: float
    y: float
    label: Optional[str]


def all_kinds(
    spark: SparkSession,
    name: str,
    ratio: float,
    verbose: bool,
    ids: list[int],
    weights: dict[str, float],
    nickname: Optional[str],
    point: Point,
    count: int = 3,
) -> dict:
    """Echo every argument back, so a run shows how each one arrived."""
    return {
        "name": name, "ratio": ratio, "verbose": verbose, "ids": ids, "weights": weights,
        "nickname": nickname, "point": point, "count": count,
    }


def on_context(sc: SparkContext, words: list[str]) -> int:
    """A SparkContext function: count the distinct words."""
    return sc.parallelize(words).distinct().count()

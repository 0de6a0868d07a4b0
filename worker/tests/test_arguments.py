"""arguments.prepare: JSON arguments as the keyword arguments a function expects."""

from dataclasses import dataclass
from typing import Optional

from pyspark.sql import SparkSession

from haze_worker.arguments import prepare
from mistpy.decorators import arg, on_spark_session, opt_arg, with_args


@dataclass
class Point:
    x: float
    y: float
    label: Optional[str]
    weight: int = 1


def typed(spark: SparkSession, ratio: float, note: Optional[str], points: list[Point], origin: Optional[Point],
          count: int = 3):
    return None


@with_args(arg("n", type_hint=int), opt_arg("note", type_hint=str))
@on_spark_session
def mist(spark, n, note):
    return None


def test_typed_function_arguments_are_converted():
    kwargs, ignored = prepare(typed, {"ratio": 2, "points": [{"x": 1, "y": 2.5}], "origin": None, "extra": 1})
    assert kwargs == {"ratio": 2.0, "note": None, "points": [Point(1.0, 2.5, None)], "origin": None}
    assert isinstance(kwargs["ratio"], float) and isinstance(kwargs["points"][0].x, float)
    assert ignored == ["extra"]
    kwargs, _ = prepare(typed, {"ratio": 1.5, "note": "n", "points": [], "origin": {"x": 0, "y": 0, "label": "o",
                                                                                    "weight": 2}, "count": 4})
    assert kwargs["origin"] == Point(0.0, 0.0, "o", 2) and kwargs["count"] == 4


def test_mist_function_gets_its_declared_arguments():
    kwargs, ignored = prepare(mist, {"n": 2**80, "other": True})
    assert kwargs == {"n": 2**80} and ignored == ["other"]

"""Functions reached by dotted className, e.g. `haze_sample_pkg.jobs.count_words`."""

from pyspark.sql import SparkSession

from mistpy.decorators import *


def count_words(spark: SparkSession, text: str, min_length: int = 1) -> int:
    """Count the words of `text` that are at least `min_length` characters long."""
    words = [word for word in text.split() if len(word) >= min_length]
    return spark.sparkContext.parallelize(words).count()


@with_args(arg("text", type_hint=str))
@on_spark_context
def mist_count_words(sc, text):
    """The same in Mist's style."""
    return {"result": sc.parallelize(text.split()).count()}

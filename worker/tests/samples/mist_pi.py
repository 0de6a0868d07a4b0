"""Mist's style: mistpy decorators, as Mist's own hello-world pi example was written.

Deploy with className `hello_mist`. Returns a dict, as Mist required.
"""

import random

from mistpy.decorators import *


@with_args(
    arg("samples", type_hint=int, default=1000)
)
@on_spark_context
def hello_mist(sc, samples):
    def inside(_):
        x, y = random.random(), random.random()
        return x * x + y * y < 1

    hits = sc.parallelize(range(samples)).filter(inside).count()
    return {"result": 4.0 * hits / samples}

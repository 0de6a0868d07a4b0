"""Functions for the Spark-cluster tests: work spread over executors, and what each did."""
import json
import time
import urllib.request

from pyspark.sql import SparkSession


def spread(spark: SparkSession, partitions: int, seconds: float) -> dict:
    """Sums 0..partitions*10-1 in `partitions` tasks that each take about `seconds`, then asks the
    driver's own REST API how many tasks each executor ran."""
    sc = spark.sparkContext
    pause = seconds / 10
    total = sc.parallelize(range(partitions * 10), partitions).map(lambda x: (time.sleep(pause), x)[1]).sum()
    url = f"{sc.uiWebUrl}/api/v1/applications/{sc.applicationId}/executors"
    opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))
    with opener.open(url, timeout=30) as response:
        executors = json.load(response)
    tasks = {e["id"]: e["totalTasks"] for e in executors if e["id"] != "driver"}
    return {"sum": total, "tasks": tasks, "application": sc.applicationId}


def settings(spark: SparkSession, keys: list[str]) -> dict:
    """The driver's values of these Spark settings (None when unset)."""
    conf = spark.sparkContext.getConf()
    return {key: conf.get(key, None) for key in keys}


def json_field(spark: SparkSession, document: str, field: str) -> str:
    """A field of a JSON document, read by Gson in the driver's JVM: present only when
    --packages brought it."""
    parsed = spark.sparkContext._jvm.com.google.gson.JsonParser.parseString(document)
    return parsed.getAsJsonObject().get(field).getAsString()


def imported(spark: SparkSession, module: str, attribute: str) -> str:
    """An attribute of a module the driver can import (e.g. one shipped with --py-files)."""
    import importlib

    return str(getattr(importlib.import_module(module), attribute))

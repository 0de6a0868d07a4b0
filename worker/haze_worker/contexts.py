"""The Spark object a function receives, by the job's context kind.

All of them sit on the worker's one SparkSession: ``sql_context`` and ``hive_context`` are
the deprecated-but-present wrappers of PySpark 4 (made once, then shared), a
``streaming_context`` is made per job and stopped after it (Spark allows one active
StreamingContext per JVM, so a job must not leave its own running for the next).

Hive cannot be switched on in a running session (``spark.sql.catalogImplementation`` is a
static setting), so ``hive_session`` / ``hive_context`` work only in a worker whose context
set ``spark.sql.catalogImplementation=hive``; otherwise the job fails saying so.

Job threads serve job after job, and Spark keeps per thread what a job sets with
``setJobGroup``, ``addJobTag``, ``setLocalProperty`` (a scheduler pool...): its "local
properties", kept by the JVM thread that serves the Python thread's py4j connection (PySpark's
pinned-thread mode). ``reset_thread`` clears them after each job, so that the next job in the
thread starts as in a new one.
"""

import threading


class ContextError(Exception):
    """The Spark object of this kind cannot be made; the message is shown to the user."""


class SparkObjects:
    def __init__(self, spark):
        self.spark = spark
        self.sc = spark.sparkContext
        self._lock = threading.Lock()
        self._shared = {}
        self._local_properties = _local_properties(self.sc)

    def make(self, kind: str, streaming_duration_ms: int):
        """``(object, cleanup)`` for a job; call ``cleanup()`` when the job is over."""
        if kind == "spark_session":
            return self.spark, _nothing
        if kind == "spark_context":
            return self.sc, _nothing
        if kind == "sql_context":
            return self._once(kind, self._sql_context), _nothing
        if kind == "hive_session":
            self._require_hive()
            return self.spark, _nothing
        if kind == "hive_context":
            self._require_hive()
            return self._once(kind, self._hive_context), _nothing
        if kind == "streaming_context":
            return self._streaming_context(streaming_duration_ms)
        raise ContextError(f"unknown context kind {kind!r}")

    def reset_thread(self, reconnect: bool = False) -> None:
        """Leave the calling thread's JVM side as a new thread's would be.

        Usually one call: the local properties are a Java ``ThreadLocal``, and ``remove()``
        resets it (``clearJobGroup()`` would leave tags, the scheduler pool...). With
        ``reconnect``, or if that ``ThreadLocal`` is out of reach, the thread's py4j connection
        is closed instead: its next call opens a new one, served by a new JVM thread with
        nothing set. That is needed after an asynchronous exception, which may have cut a
        py4j call short and left its answer unread on the connection.
        """
        if self._local_properties is not None and not reconnect:
            self._local_properties.remove()
            return
        connection = self.sc._gateway._gateway_client.get_thread_connection()
        if connection is not None:
            connection.close()

    def _once(self, kind, factory):
        with self._lock:
            if kind not in self._shared:
                self._shared[kind] = factory()
            return self._shared[kind]

    def _sql_context(self):
        from pyspark.sql import SQLContext

        return SQLContext(self.sc, self.spark)

    def _hive_context(self):
        from pyspark.sql import HiveContext

        # Handing over the session's own SQLContext keeps HiveContext from asking the active
        # session for Hive settings it cannot change any more.
        return HiveContext(self.sc, self.spark, self.spark._jsparkSession.sqlContext())

    def _require_hive(self) -> None:
        catalog = self.spark.conf.get("spark.sql.catalogImplementation", "in-memory")
        if catalog != "hive":
            raise ContextError(
                f"Hive is not available in this Spark: the worker's SparkSession uses the {catalog} "
                "catalog; set spark.sql.catalogImplementation=hive in the context's sparkConf to run "
                "hive_session and hive_context functions"
            )

    def _streaming_context(self, duration_ms: int):
        try:
            from pyspark.streaming import StreamingContext
        except ImportError as exc:
            raise ContextError(f"Spark Streaming (DStreams) is not available in this PySpark: {exc}") from exc
        ssc = StreamingContext(self.sc, duration_ms / 1000)

        def stop():
            ssc.stop(stopSparkContext=False, stopGraceFully=False)

        return ssc, stop


def _nothing() -> None:
    pass


def _local_properties(sc):
    """The JVM's ``InheritableThreadLocal`` of Spark's local properties (``protected[spark]``
    in Scala, hence reachable through py4j), or None if this Spark has it no more."""
    try:
        return sc._jsc.sc().localProperties()
    except Exception:
        return None

"""Runs a JVM function (a ``.jar`` artifact) on this worker's own driver JVM, through py4j.

Haze's runtime jar (jvm/runtime/target/haze-jvm.jar) is on the driver's class path
(spark-submit ``--jars``); ``haze.runtime.JobRunner.run`` loads the artifact in a class loader of
its own per SHA-1 and calls the function. The call runs on the JVM thread pinned to the job's
Python thread (PySpark's pinned-thread mode), so the job group set from Python holds for the
Spark jobs it starts, and ``cancelJobGroup`` stops them. Arguments and answer cross as JSON text.
"""

import json

from .errors import FunctionError

_MAX_MESSAGE = 2000


class JvmFunctionError(FunctionError):
    """The JVM function failed, or could not be loaded; ``traceback`` holds its Java stack."""

    def __init__(self, message: str, java_traceback: str = ""):
        super().__init__(message)
        self.java_traceback = java_traceback


def run(objects, frame: dict, path: str, worker_id: str) -> str:
    """The result of the JVM function as JSON text, or JvmFunctionError."""
    jvm = objects.sc._jvm
    runner = jvm.haze.runtime.JobRunner
    try:
        answer_text = runner.run(path, frame["artifact"]["sha1"], frame["className"], frame["argumentsJson"],
                                 frame["jobId"], worker_id, frame["streamingDuration"])
    except Exception as exc:  # py4j: the runtime jar is missing, or the JVM call itself failed
        if "haze.runtime.JobRunner" in str(exc) or "does not exist in the JVM" in str(exc):
            raise JvmFunctionError("Haze's JVM runtime (haze-jvm.jar) is not on this worker's class path; "
                                   "run scripts/setup.sh to build jvm/ and restart the master") from exc
        raise
    answer = json.loads(answer_text)
    if not answer.get("ok"):
        message = answer.get("error") or "the JVM function failed"
        raise JvmFunctionError(message[:_MAX_MESSAGE], answer.get("traceback") or "")
    return answer["resultJson"]

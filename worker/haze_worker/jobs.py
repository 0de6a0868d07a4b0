"""One job: a ``run`` frame carried out in one of the worker's job threads (see pool.py),
and its cancellation.

The thread sets the Spark job group to the job id (PySpark's pinned-thread mode keeps it
per thread, so parallel jobs of a shared worker keep apart), fetches the artifact, takes the
function as loaded for that artifact version (functions.py), calls it with the Spark object of the job's context kind and
its arguments, and encodes the result, then reports ``finished`` or ``failed``. The thread
then serves later jobs: it leaves the job's output routing, and its JVM side is reset (job
group, tags and other Spark local properties) before it takes another job.

Cancelling cancels the job group in Spark (and any job the group starts later), stops the
job's StreamingContext if it has one (which ends an ``awaitTermination()``), and, for the
function's own Python code, raises ``JobCancelled`` in the job's thread with
``PyThreadState_SetAsyncExc`` (delivered at the thread's next bytecode; repeated a few times
in case the code swallows it). A thread blocked in C code (``time.sleep``, a socket read, a
Java call that does not return) sees it only when that returns: if it never does, the
master's grace timer recycles the worker.

An asynchronous exception can land anywhere in the thread, also in this module's own code,
so the canceller raises it only under the job's lock, and only between the moment the thread
says it runs the job and the moment it says it has left the cancellable part; leaving
clears any exception still pending. The thread reports afterwards, and takes its next job,
without fear of being interrupted. A cancelled job may have been interrupted inside a py4j
call, leaving its answer unread on the thread's connection: that connection is dropped, and
the thread's next job opens a new one.
"""

import ctypes
import json
import os
import sys
import threading
import traceback
import urllib.parse

from . import arguments, threads
from .artifacts import ArtifactError
from .contexts import ContextError
from .errors import FunctionError, summary
from .frames import now_ms
from .result_upload import ResultUpload
from .results import ResultError, deliver

_ARCHIVES = (".zip", ".egg", ".whl")
_FIRST_RAISE_SECONDS = 0.3  # lets a Spark call return by itself after its job is cancelled
_RAISE_EVERY_SECONDS = 0.5
_RAISE_ATTEMPTS = 20
_MAX_MESSAGE = 2000
# Our own errors carry messages written for the user; anything else is "Type: message".
_OWN_ERRORS = (ArtifactError, ContextError, FunctionError, ResultError)


class JobCancelled(BaseException):
    """Raised in a job's thread to stop it. A BaseException, so ``except Exception`` in user
    code does not swallow it."""


class Job:
    def __init__(self, frame: dict, env):
        """``env`` is the worker: ``send(frame, direct=False)``, ``router``, ``artifacts``,
        ``spark_objects()`` (waits until the SparkSession is up), ``add_py_file(sha1, path)``,
        ``job_done(job)`` and ``reset_thread(reconnect)``."""
        self.id = frame["jobId"]
        self._frame = frame
        self._env = env
        self._lock = threading.Lock()
        self._cancellable = True  # from birth: a cancel may come before a thread runs the job
        self._cancel_requested = False
        self._thread_id = None  # the thread running the job, once it does
        self._uncancellable = threading.Event()  # what the canceller waits for
        self._stop_context = None  # stops the job's StreamingContext, if it has one

    def cancel(self) -> None:
        """Ask the job to stop; returns at once (the work happens in a thread of its own)."""
        with self._lock:
            if self._cancel_requested or not self._cancellable:
                return
            self._cancel_requested = True
        threading.Thread(target=self._stop, name=f"haze-cancel-{self.id}", daemon=True).start()

    # -- the job's thread ---------------------------------------------------------------

    def run(self, release) -> None:
        """Carry out the job in the calling thread, a job thread; never raises. ``release()``
        is called once no JobCancelled can reach the thread any more: from then on the
        thread may be handed its next job (which waits until this returns)."""
        thread = threading.current_thread()
        threads.assign(thread, self.id)  # its prints and the threads it starts are the job's
        outcome = None
        while True:  # JobCancelled may arrive between the call's end and leaving the loop
            try:
                if outcome is None:
                    outcome = self._attempt()
                self._leave_cancellable()
                break
            except JobCancelled:
                outcome = outcome or _failure(JobCancelled())
        self._env.router.end_job(self.id)
        threads.assign(thread, None)  # its output until the next job is nobody's
        release()
        self._env.send(self._terminal_frame(outcome), direct=True)  # safe: out of a cancel's reach
        self._env.job_done(self)
        self._env.reset_thread(reconnect=self._cancel_requested)

    def _attempt(self) -> dict:
        """Run the job; ``{"resultJson"}``, ``{"resultFile"}`` or ``{"message", "traceback"?}``, never raises
        (but JobCancelled may still land after its last line)."""
        frame, cleanup = self._frame, None
        try:
            with self._lock:
                self._thread_id = threading.get_ident()  # a cancel may interrupt it from now on
            self._env.router.start_job(self.id)
            objects = self._env.spark_objects()
            objects.sc.setJobGroup(self.id, f"haze job {self.id}", interruptOnCancel=True)
            path = self._env.artifacts.fetch(frame["artifact"], self._downloading)
            if os.path.splitext(path)[1].lower() in _ARCHIVES:
                self._env.add_py_file(frame["artifact"]["sha1"], path)
            if frame["lang"] != "python":  # the master sends those to a JVM worker
                return {"message": f"a {frame['lang']} function reached a Python worker; "
                                   "Java and Scala functions run on JVM workers (haze.runtime.WorkerMain)"}
            fn = self._env.functions.get(frame["artifact"]["sha1"], path, frame["className"])
            target, cleanup = objects.make(frame["contextKind"], frame["streamingDuration"])
            self._stop_context = cleanup
            kwargs = self._arguments(fn)
            self._send_started()
            # Over resultLimit, the result is uploaded while it is encoded, still cancellable.
            outcome = deliver(fn(target, **kwargs), frame["resultLimit"], self._open_store)
            with self._lock:
                if not self._cancel_requested:
                    self._cancellable = False  # finished first: a cancel from now on is too late
                    return outcome
            raise JobCancelled()  # it returned, but because it was cancelled (or after)
        except BaseException as exc:  # user code may raise anything, SystemExit included
            return _failure(exc)
        finally:
            if cleanup is not None:
                try:
                    cleanup()
                except Exception as exc:
                    print(f"haze worker: cleaning up after job {self.id} failed: {exc}", file=sys.__stderr__)

    def _open_store(self, format: str) -> ResultUpload:
        url = urllib.parse.urljoin(self._env.settings.master_url, self._frame["resultUrl"])
        return ResultUpload(url, format, self._env.settings.credential,
                            getattr(self._env, "ssl_context", None))

    def _arguments(self, fn) -> dict:
        try:
            given = json.loads(self._frame["argumentsJson"])
        except ValueError as exc:
            raise ContextError(f"argumentsJson is not JSON: {exc}") from None
        if not isinstance(given, dict):
            raise ContextError("argumentsJson is not a JSON object")
        kwargs, ignored = arguments.prepare(fn, given)
        if ignored:
            self._env.router.record(self.id, "WARN", "haze", "ignoring arguments the function does not "
                                    f"declare: {', '.join(ignored)}", now_ms())
        return kwargs

    def _send_started(self) -> None:
        """``started``, unless the job is cancelled already. No JobCancelled is pending
        unless a cancel was requested, and none can be raised while the lock is held: the
        frame may be written from this thread, which is quicker than queueing it."""
        with self._lock:
            if self._cancel_requested:
                raise JobCancelled()
            self._env.send({"type": "started", "jobId": self.id, "time": now_ms()}, direct=True)

    def _downloading(self) -> None:
        self._env.send({"type": "job-file-downloading", "jobId": self.id, "time": now_ms()})

    def _leave_cancellable(self) -> None:
        with self._lock:
            self._cancellable = False
            _set_async_exc(self._thread_id, None)  # drop a JobCancelled not yet delivered
        self._uncancellable.set()

    def _terminal_frame(self, outcome: dict) -> dict:
        if "resultJson" in outcome or "resultFile" in outcome:
            return {"type": "finished", "jobId": self.id, "time": now_ms(), **outcome}
        if self._cancel_requested:  # whatever it died of (Spark's "job group cancelled"...)
            outcome = {"message": "job cancelled"}
        return {"type": "failed", "jobId": self.id, "time": now_ms(), "cancelled": self._cancel_requested,
                **outcome}

    # -- the canceller's thread ---------------------------------------------------------

    def _stop(self) -> None:
        self._cancel_spark_jobs()
        if self._stop_context is not None:
            try:
                self._stop_context()
            except Exception as exc:
                print(f"haze worker: cannot stop the context of {self.id}: {exc}", file=sys.__stderr__)
        self._uncancellable.wait(_FIRST_RAISE_SECONDS)
        for _ in range(_RAISE_ATTEMPTS):
            with self._lock:
                if not self._cancellable:
                    return
                _set_async_exc(self._thread_id, JobCancelled)  # None: no thread runs it yet
            self._uncancellable.wait(_RAISE_EVERY_SECONDS)

    def _cancel_spark_jobs(self) -> None:
        objects = self._env.spark_objects(wait=False)
        if objects is None:
            return  # no SparkSession yet, so no Spark job either
        try:
            # Also cancels jobs the group starts from now on (Spark 4), e.g. by user code that
            # catches the cancellation error and carries on.
            objects.sc._jsc.sc().cancelJobGroupAndFutureJobs(self.id, "cancelled through Haze")
        except Exception:
            try:
                objects.sc.cancelJobGroup(self.id)
            except Exception as exc:
                print(f"haze worker: cannot cancel the Spark jobs of {self.id}: {exc}", file=sys.__stderr__)


def _failure(exc: BaseException) -> dict:
    if isinstance(exc, JobCancelled):
        return {"message": "job cancelled"}
    if isinstance(exc, _OWN_ERRORS):
        cause = exc.__cause__
        failure = {"message": _clip(str(exc))}
        if cause is not None:
            failure["traceback"] = "".join(traceback.format_exception(cause))
        return failure
    tb = exc.__traceback__
    while tb is not None and tb.tb_frame.f_code.co_filename == __file__:
        tb = tb.tb_next  # start at the user's code, not at this module
    return {"message": _clip(summary(exc)), "traceback": "".join(traceback.format_exception(type(exc), exc, tb))}


def _clip(message: str) -> str:
    return message if len(message) <= _MAX_MESSAGE else message[:_MAX_MESSAGE] + " …"


def _set_async_exc(ident, exc_type) -> None:
    if ident is not None:
        ctypes.pythonapi.PyThreadState_SetAsyncExc(
            ctypes.c_ulong(ident), ctypes.py_object(exc_type) if exc_type is not None else None
        )


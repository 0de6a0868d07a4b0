"""The worker process: one SparkSession, one link to the master, jobs in reused threads.

Started by the master through spark-submit (see entry.py) with, in its environment:

* ``HAZE_MASTER_URL``: ``http://host:port``; the link is ``ws://host:port/internal/workers/link``
  and relative artifact URLs are resolved against it;
* ``HAZE_WORKER_ID``, ``HAZE_WORKER_TOKEN`` (one-time, sent in ``hello``);
* ``HAZE_WORKER_CACHE``: the artifact cache directory shared by workers;
* ``HAZE_WORKER_CREDENTIAL`` (optional): sent as a bearer token on artifact downloads, which
  it alone opens when the API has tokens;
* ``HAZE_HEARTBEAT_MS`` (default 2000);
* ``HAZE_MASTER_CA`` (optional): the PEM file an ``https://`` master's certificate is
  verified with, on the link and for artifacts; without it, the system's CAs;
* ``HAZE_WORKER_WARM_UP`` (optional): ``1`` for a worker started ahead of demand (a spare, a
  precreated worker): before it says ``ready`` it runs one tiny Spark job of its own, so its
  first real job finds Spark's Python workers started.

Life cycle: connect and say ``hello`` at once (the master learns the pid before Spark's
slow start), start the SparkSession, say ``ready``, then serve ``run`` / ``cancel`` /
``shutdown`` frames until told to stop. The process never outlives its master: it exits
when the link closes, when no frame has come for three heartbeat intervals, and (Linux)
when its parent, spark-submit's JVM, dies. Exit codes: 0 after ``shutdown``, 1 if Spark
cannot start, 2 bad environment or no link, 3 heartbeats lost, 4 link closed.
"""

import ctypes
import os
import platform
import resource
import shutil
import signal
import sys
import tempfile
import threading
import time
import traceback
from dataclasses import dataclass

from . import capture, errors, threads
from .artifacts import ArtifactCache
from .functions import LoadedFunctions
from .contexts import SparkObjects
from .errors import PYTHON_MEMORY_KEY, summary
from .frames import PROTOCOL_VERSION, WORKER_LANG, BadFrame, now_ms, parse_master_frame
from .jobs import Job
from .jvm_probe import JvmProbe
from .link import Link, LinkClosed
from .master_tls import master_ssl_context
from .pool import JobThreads

_STOP_SPARK_SECONDS = 5.0
_PR_SET_PDEATHSIG = 1


@dataclass(frozen=True)
class Settings:
    master_url: str
    worker_id: str
    token: str
    cache_dir: str
    heartbeat_ms: int
    master_ca: str | None = None
    credential: str | None = None
    warm_up: bool = False

    @classmethod
    def from_env(cls, environ=os.environ) -> "Settings":
        missing = [name for name in ("HAZE_MASTER_URL", "HAZE_WORKER_ID", "HAZE_WORKER_TOKEN") if not environ.get(name)]
        if missing:
            raise ValueError(f"missing environment variables: {', '.join(missing)}")
        heartbeat = environ.get("HAZE_HEARTBEAT_MS", "2000")
        if not heartbeat.isdigit() or int(heartbeat) < 1:
            raise ValueError(f"HAZE_HEARTBEAT_MS must be a positive integer, got {heartbeat!r}")
        cache = environ.get("HAZE_WORKER_CACHE") or os.path.join(tempfile.gettempdir(), "haze-worker-cache")
        return cls(environ["HAZE_MASTER_URL"], environ["HAZE_WORKER_ID"], environ["HAZE_WORKER_TOKEN"],
                   cache, int(heartbeat), environ.get("HAZE_MASTER_CA") or None,
                   environ.get("HAZE_WORKER_CREDENTIAL") or None, environ.get("HAZE_WORKER_WARM_UP") == "1")


class Worker:
    def __init__(self, settings: Settings, link: Link, ssl_context=None):
        self.settings = settings
        self.link = link
        self.ssl_context = ssl_context  # for an https:// master: artifacts and result uploads
        self.router = capture.install(link.send, link.wait_for_room)
        self.artifacts = ArtifactCache(settings.cache_dir, settings.master_url, ssl_context=ssl_context,
                                       credential=settings.credential)
        self.functions = LoadedFunctions()
        threads.install(on_start=self._join_job_group)
        self._jobs = {}
        self._jobs_lock = threading.Lock()
        self._job_threads = JobThreads()
        self._objects = None
        self._ready = threading.Event()
        self._py_files = {}  # sha1 → the copy handed to sc.addPyFile
        self._py_files_dir = None  # made with the first archive
        self._last_heard = time.monotonic()
        self._exit_lock = threading.Lock()
        self._exiting = False

    # -- life cycle ---------------------------------------------------------------------

    def run(self) -> None:
        """Serve the master until an exit; never returns."""
        self.send(_hello(self.settings))
        threading.Thread(target=self._read_loop, name="haze-link-reader", daemon=True).start()
        threading.Thread(target=self._heartbeat_loop, name="haze-heartbeat", daemon=True).start()
        try:
            spark = _start_spark()
        except BaseException as exc:
            # The master shows the last lines of the output: the full story, then the gist.
            traceback.print_exception(exc, file=sys.__stderr__)
            self.exit(1, f"haze worker: cannot start the SparkSession: {summary(exc)}", stop_spark=False)
        try:
            _limit_python_memory(spark.sparkContext)
        except Exception as exc:
            self.exit(1, f"haze worker: {PYTHON_MEMORY_KEY}: {summary(exc)}")
        self._objects = SparkObjects(spark)
        sc = spark.sparkContext
        if self.settings.warm_up:
            _warm_up(sc)
        self._ready.set()
        ready = {"type": "ready", "sparkVersion": spark.version, "applicationId": sc.applicationId}
        if sc.uiWebUrl:
            ready["sparkUi"] = sc.uiWebUrl
        self.send(ready)
        try:
            threading.Event().wait()  # nothing more to do here: the other threads decide the exit
        except KeyboardInterrupt:
            self.exit(130, "haze worker: interrupted")

    def exit(self, code: int, message: str = "", stop_spark: bool = True) -> None:
        """Stop Spark (bounded in time) and end the process. Never returns: a second caller
        waits for the first to end it."""
        with self._exit_lock:
            first, self._exiting = not self._exiting, True
        if not first:
            threading.Event().wait()  # another thread is ending the process
        if message:
            print(message, file=sys.__stderr__, flush=True)
        if stop_spark and self._objects is not None:
            stopper = threading.Thread(target=self._objects.spark.stop, name="haze-spark-stop", daemon=True)
            stopper.start()
            stopper.join(_STOP_SPARK_SECONDS)
        self.link.close(timeout=1.0)
        if self._py_files_dir is not None:
            shutil.rmtree(self._py_files_dir, ignore_errors=True)
        for stream in (sys.__stdout__, sys.__stderr__):
            try:
                stream.flush()
            except (OSError, ValueError):
                pass
        os._exit(code)  # job threads are abandoned, whatever they are doing

    # -- what jobs see (see jobs.Job) ---------------------------------------------------

    def send(self, frame: dict, direct: bool = False) -> None:
        self.link.send(frame, direct)

    def spark_objects(self, wait: bool = True):
        if wait:
            self._ready.wait()
        return self._objects

    def add_py_file(self, sha1: str, path: str) -> None:
        """Ship an archive to the executors, once per content. Each content gets a file name
        of its own: Spark refuses a second file of the same name with other contents."""
        with self._jobs_lock:
            if sha1 in self._py_files:
                return
            if self._py_files_dir is None:
                self._py_files_dir = tempfile.mkdtemp(prefix="haze-worker-pyfiles-")
            copy = os.path.join(self._py_files_dir, f"{sha1[:16]}-{os.path.basename(path)}")
            try:
                os.link(path, copy)
            except OSError:
                shutil.copyfile(path, copy)
            self._objects.sc.addPyFile(copy)
            self._py_files[sha1] = copy

    def job_done(self, job: Job) -> None:
        with self._jobs_lock:
            self._jobs.pop(job.id, None)

    def reset_thread(self, reconnect: bool) -> None:
        """Clear what a job left on the JVM side of the calling job thread (see
        SparkObjects.reset_thread); best effort, a failure is reported on stderr."""
        if self._objects is None:
            return
        try:
            self._objects.reset_thread(reconnect)
        except Exception as exc:
            print(f"haze worker: cannot reset a job thread: {type(exc).__name__}: {exc}", file=sys.__stderr__,
                  flush=True)

    # -- frames from the master ---------------------------------------------------------

    def _read_loop(self) -> None:
        while True:
            try:
                text = self.link.receive()
            except LinkClosed as exc:
                self.exit(4, f"haze worker: the link to the master is closed ({exc}); exiting")
            self._last_heard = time.monotonic()
            try:
                self._dispatch(parse_master_frame(text))
            except BadFrame as exc:
                print(f"haze worker: ignoring a frame from the master: {exc}", file=sys.__stderr__, flush=True)
            except Exception as exc:  # the reader must survive whatever one frame does
                print(f"haze worker: error handling a frame: {type(exc).__name__}: {exc}", file=sys.__stderr__,
                      flush=True)

    def _dispatch(self, frame: dict) -> None:
        kind = frame["type"]
        if kind == "run":
            self._start_job(frame)
        elif kind == "cancel":
            with self._jobs_lock:
                job = self._jobs.get(frame["jobId"])
            if job is not None:
                job.cancel()
        elif kind == "shutdown":
            self.exit(0)

    def _start_job(self, frame: dict) -> None:
        with self._jobs_lock:
            if self._exiting:
                return
            if frame["jobId"] in self._jobs:
                raise BadFrame(f"run: job {frame['jobId']} is already running here")
            job = self._jobs[frame["jobId"]] = Job(frame, self)
        self._job_threads.run(job)

    # -- liveness -----------------------------------------------------------------------

    def _heartbeat_loop(self) -> None:
        """A heartbeat vouches for the whole worker: once Spark is up, only while the driver
        JVM answers too (see jvm_probe.py). A JVM silent for three intervals is reported
        instead, and the master ends the worker; a stopped Python process sends nothing, and
        the master's own silence rule ends it."""
        interval = self.settings.heartbeat_ms / 1000
        probe = None
        while True:
            time.sleep(interval)
            silent = time.monotonic() - self._last_heard
            if silent > 3 * interval:
                self.exit(3, f"haze worker: no frame from the master for {silent * 1000:.0f} ms "
                             f"(heartbeat every {self.settings.heartbeat_ms} ms); exiting")
            if probe is None and self._objects is not None:
                probe = JvmProbe(_clock_of(self._objects.sc))
            jvm_silent = probe.silent_for() if probe is not None else 0.0
            if jvm_silent > 3 * interval:
                self.send({"type": "jvm-frozen", "time": now_ms(), "silentMs": int(jvm_silent * 1000)})
                continue
            with self._jobs_lock:
                running = list(self._jobs)
            self.send({"type": "heartbeat", "time": now_ms(), "runningJobs": running})

    def _join_job_group(self, job_id: str) -> None:
        """Run first in a thread a job's thread started: its Spark jobs belong to the job."""
        if self._objects is not None:
            self._objects.sc.setJobGroup(job_id, f"haze job {job_id}", interruptOnCancel=True)


def main() -> int:
    _exit_with_parent_process()
    try:
        settings = Settings.from_env()
    except ValueError as exc:
        print(f"haze worker: {exc}", file=sys.stderr)
        return 2
    try:
        ssl_context = master_ssl_context(settings.master_ca)
    except OSError as exc:
        print(f"haze worker: cannot load HAZE_MASTER_CA {settings.master_ca}: {type(exc).__name__}: {exc}",
              file=sys.stderr)
        return 2
    try:
        link = Link(settings.master_url, ssl_context=ssl_context)
    except Exception as exc:
        print(f"haze worker: cannot connect to the master at {settings.master_url}: {type(exc).__name__}: {exc}",
              file=sys.stderr)
        return 2
    Worker(settings, link, ssl_context).run()
    return 0


def _clock_of(sc):
    """One round trip to the driver JVM (its clock), for the probe's thread to make."""
    return lambda: sc._jvm.java.lang.System.currentTimeMillis()


def _limit_python_memory(sc) -> None:
    """The driver's Python gets at most the context's spark.haze.driver.pythonMemory of address
    space (Spark's size syntax, e.g. 2g), as spark.executor.pyspark.memory limits an executor's
    Python: past it a function's allocation raises MemoryError in its own job, which fails saying
    so, and the worker goes on, instead of the machine running out and the kernel's OOM killer
    choosing a process. Unset: no limit."""
    text = sc.getConf().get(PYTHON_MEMORY_KEY, None)
    if not text:
        return
    limit = int(sc._jvm.org.apache.spark.network.util.JavaUtils.byteStringAsBytes(text))
    _soft, hard = resource.getrlimit(resource.RLIMIT_AS)
    resource.setrlimit(resource.RLIMIT_AS, (limit if hard == resource.RLIM_INFINITY else min(limit, hard), hard))
    errors.python_memory_limit = text


def _start_spark():
    """The SparkSession, configured by spark-submit's --conf pairs. Jobs of a shared worker
    run side by side, so the scheduler mode is FAIR unless the context says otherwise."""
    from pyspark import SparkConf, SparkContext
    from pyspark.sql import SparkSession

    # Connect to spark-submit's JVM first: only then does SparkConf() see the --conf pairs.
    SparkContext._ensure_initialized()
    builder = SparkSession.builder
    if not SparkConf().contains("spark.scheduler.mode"):
        builder = builder.config("spark.scheduler.mode", "FAIR")
    return builder.getOrCreate()


def _warm_up(sc) -> None:
    """One task through a Python worker, in a job group of its own: Spark starts its Python
    worker daemon at the first Python task (about a second and a half here), which a spare's
    first job would otherwise pay for. A failure costs nothing but the time: it is printed."""
    started = time.monotonic()
    try:
        sc.setJobGroup("haze-warm-up", "haze: starting Spark's Python workers before the first job")
        sc.parallelize([0], 1).map(lambda value: value).count()
        print(f"haze worker: warmed up in {time.monotonic() - started:.2f} s", file=sys.__stderr__)
    except Exception as exc:
        print(f"haze worker: the warm-up job failed: {summary(exc)}", file=sys.__stderr__)
    finally:
        sc.setLocalProperty("spark.jobGroup.id", None)
        sc.setLocalProperty("spark.job.description", None)


def _hello(settings: Settings) -> dict:
    import pyspark

    return {
        "type": "hello", "workerId": settings.worker_id, "token": settings.token, "pid": os.getpid(),
        "lang": WORKER_LANG, "protocolVersion": PROTOCOL_VERSION,
        "versions": {"python": platform.python_version(), "pyspark": pyspark.__version__, "worker": _own_version()},
    }


def _own_version() -> str:
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version("haze-worker")
    except PackageNotFoundError:
        return "unknown"


def _exit_with_parent_process() -> None:
    """Die with spark-submit's JVM, our real parent (Linux). HAZE_PARENT_PID names the
    master, which is not our parent; the link's liveness covers the master."""
    if not sys.platform.startswith("linux"):
        return
    try:
        ctypes.CDLL(None, use_errno=True).prctl(_PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0)
    except (OSError, AttributeError):
        return
    if os.getppid() == 1:
        os._exit(70)  # the parent died before the signal was armed

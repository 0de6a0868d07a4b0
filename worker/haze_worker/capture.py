"""Route ``print`` output and ``logging`` records to the job whose thread produced them.

``install(send)`` replaces ``sys.stdout`` and ``sys.stderr`` with proxies and puts a handler
on the root logger. Each checks ``threads.current_job()``: a line written by a running job's
thread (or a thread it started, see threads) becomes one of that job's log lines, so the
output of jobs running side by side in a shared worker never mixes. Everything else goes to
the real stderr (which the master keeps as the worker's own output).

Lines are batched per job and sent as ``log`` frames every ~100 ms, or at once when a job
has 200 lines waiting. ``end_job`` sends a job's last partial line and pending batch; the
job's ``finished`` / ``failed`` frame is sent after it on the same link (written behind it,
see link.py), so it always follows its logs.

Levels: stdout → INFO (source ``stdout``), stderr → WARN (``stderr``), a log record →
its level (source: the logger's name). Records below INFO are dropped; records of no job
reach the real stderr from WARNING up, as Python's own last-resort handler would show them.
"""

import logging
import sys
import threading
import time

from . import threads

_FLUSH_SECONDS = 0.1
_BATCH_LINES = 200
_MAX_LINE = 64 * 1024  # characters; a longer line is cut, saying so


class LogRouter:
    def __init__(self, send, throttle, fallback):
        self._send = send  # queues a frame on the link, never blocks
        self._throttle = throttle  # blocks a writer while the link's queue is long
        self._fallback = fallback  # the real stderr
        self._lock = threading.Lock()
        self._active = set()
        self._partial = {}  # (job id, source) → text after the last newline
        self._pending = {}  # job id → [line, ...]
        self._flusher = threading.Thread(target=self._flush_loop, name="haze-log-flusher", daemon=True)
        self._flusher.start()

    def start_job(self, job_id) -> None:
        with self._lock:
            self._active.add(job_id)

    def end_job(self, job_id) -> None:
        """Send the job's remaining output; later output of its threads goes to stderr."""
        with self._lock:
            self._active.discard(job_id)
            for key in [key for key in self._partial if key[0] == job_id]:
                level = "INFO" if key[1] == "stdout" else "WARN"
                self._add(job_id, level, key[1], self._partial.pop(key), _now())
            self._queue(job_id, self._pending.pop(job_id, None))

    def write(self, job_id, source: str, level: str, text: str) -> bool:
        """Add ``text`` written to ``source`` by the job; False if the job is not running."""
        self._throttle()
        with self._lock:
            if job_id not in self._active:
                return False
            key = (job_id, source)
            *complete, rest = (self._partial.pop(key, "") + text).split("\n")
            if rest:
                self._partial[key] = rest
            now = _now()
            for line in complete:
                self._add(job_id, level, source, line.removesuffix("\r"), now)
            if len(self._pending.get(job_id, ())) >= _BATCH_LINES:
                self._queue(job_id, self._pending.pop(job_id))
        return True

    def record(self, job_id, level: str, source: str, message: str, time_ms: int) -> bool:
        """Add a log record's lines; False if the job is not running."""
        self._throttle()
        with self._lock:
            if job_id not in self._active:
                return False
            for line in message.split("\n"):
                self._add(job_id, level, source, line.removesuffix("\r"), time_ms)
            if len(self._pending.get(job_id, ())) >= _BATCH_LINES:
                self._queue(job_id, self._pending.pop(job_id))
        return True

    def fallback(self, text: str) -> None:
        try:
            self._fallback.write(text)
            self._fallback.flush()
        except (OSError, ValueError):
            pass

    def _add(self, job_id, level, source, message, time_ms) -> None:
        if len(message) > _MAX_LINE:
            message = f"{message[:_MAX_LINE]} … [{len(message) - _MAX_LINE} more characters cut]"
        line = {"level": level, "time": time_ms, "source": source, "message": message}
        self._pending.setdefault(job_id, []).append(line)

    def _queue(self, job_id, lines) -> None:
        """Called with the lock held, so that batches are queued in the order they were taken
        (queueing never blocks)."""
        if lines:
            self._send({"type": "log", "jobId": job_id, "lines": lines})

    def _flush_loop(self) -> None:
        while True:
            time.sleep(_FLUSH_SECONDS)
            with self._lock:
                batches, self._pending = self._pending, {}
                for job_id, lines in batches.items():
                    self._queue(job_id, lines)


class JobStream:
    """Stands in for ``sys.stdout`` / ``sys.stderr``: a job's text to its log, the rest to
    the real stderr. Everything else a stream has is the real stream's."""

    def __init__(self, router: LogRouter, real, source: str, level: str):
        self._router, self._real, self._source, self._level = router, real, source, level

    def write(self, text) -> int:
        if not isinstance(text, str):
            raise TypeError(f"write() argument must be str, not {type(text).__name__}")
        job_id = threads.current_job()
        if job_id is None or not self._router.write(job_id, self._source, self._level, text):
            self._router.fallback(text)
        return len(text)

    def writelines(self, lines) -> None:
        for line in lines:
            self.write(line)

    def flush(self) -> None:
        pass  # partial lines wait for their newline or for the job's end

    def __getattr__(self, name):
        return getattr(self._real, name)


class JobLogHandler(logging.Handler):
    """The root logger's handler: a record of a job's thread becomes that job's lines."""

    def __init__(self, router: LogRouter):
        super().__init__(logging.INFO)
        self._router = router
        self.setFormatter(logging.Formatter("%(message)s"))  # level, time, source travel apart

    def emit(self, record) -> None:
        try:
            job_id = threads.current_job()
            message = self.format(record)
            if job_id is not None and self._router.record(
                job_id, _level(record.levelno), record.name, message, int(record.created * 1000)
            ):
                return
            if record.levelno >= logging.WARNING:
                self._router.fallback(f"{record.levelname} {record.name}: {message}\n")
        except Exception:
            self.handleError(record)


def install(send, throttle=lambda: None) -> LogRouter:
    """Capture print and logging for jobs; returns the router the jobs report to."""
    router = LogRouter(send, throttle, sys.__stderr__)
    sys.stdout = JobStream(router, sys.__stdout__, "stdout", "INFO")
    sys.stderr = JobStream(router, sys.__stderr__, "stderr", "WARN")
    root = logging.getLogger()
    root.addHandler(JobLogHandler(router))
    if root.level > logging.INFO or root.level == logging.NOTSET:
        root.setLevel(logging.INFO)
    # py4j logs its connection housekeeping at INFO from whichever thread calls Java,
    # which would be a job's thread: keep that out of the jobs' logs.
    py4j = logging.getLogger("py4j")
    if py4j.level == logging.NOTSET:
        py4j.setLevel(logging.WARNING)
    return router


def _level(levelno: int) -> str:
    if levelno < logging.INFO:
        return "DEBUG"
    if levelno < logging.WARNING:
        return "INFO"
    return "WARN" if levelno < logging.ERROR else "ERROR"


def _now() -> int:
    return int(time.time() * 1000)

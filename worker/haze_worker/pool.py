"""The worker's job threads: long-lived threads that run jobs, one job at a time each.

Why not a new thread per job: in PySpark's pinned-thread mode each Python thread talks to
the JVM over a py4j connection of its own, which its first call opens (about 1 ms, a
quarter of a trivial job), and every later call of the job goes through it. A thread that
serves job after job keeps its connection open.

A thread is handed a job only while it is free: a job frees its thread once no cancel can
reach the thread any more (see ``jobs.Job.run``). So a thread whose job was cancelled but
never stops (blocked in C code; the master will recycle the worker) is never handed
another; when no thread is free the pool starts one, so it grows to the number of jobs
running at once, whatever that number is. The thread freed last takes the next job
(sequential jobs share one thread); a thread idle for ``IDLE_SECONDS`` exits, unless it is
the last free one, so that one stays warm.
"""

import functools
import itertools
import queue
import sys
import threading
import traceback

IDLE_SECONDS = 60.0


class JobThreads:
    def __init__(self, idle_seconds: float = IDLE_SECONDS):
        self._idle_seconds = idle_seconds
        self._lock = threading.Lock()
        self._free = []  # threads waiting for a job, the one freed last at the end
        self._numbers = itertools.count(1)

    def run(self, job) -> None:
        """Have a free thread (or a new one) call ``job.run(release)``; ``release()`` frees
        the thread for its next job, which waits until ``job.run`` has returned."""
        with self._lock:
            thread = self._free.pop() if self._free else None
        if thread is None:
            thread = _JobThread(self, f"haze-job-thread-{next(self._numbers)}")
        thread.hand(job)

    def _release(self, thread: "_JobThread") -> None:
        with self._lock:
            self._free.append(thread)

    def _retire(self, thread: "_JobThread") -> bool:
        """Whether an idle ``thread`` may exit: it is free (no job is on its way to it) and
        another free thread remains."""
        with self._lock:
            if len(self._free) > 1 and thread in self._free:
                self._free.remove(thread)
                return True
            return False


class _JobThread:
    def __init__(self, pool: JobThreads, name: str):
        self._pool = pool
        self._jobs = queue.SimpleQueue()
        self._release = functools.partial(pool._release, self)
        threading.Thread(target=self._serve, name=name, daemon=True).start()

    def hand(self, job) -> None:
        self._jobs.put(job)

    def _serve(self) -> None:
        while True:
            try:
                job = self._jobs.get(timeout=self._pool._idle_seconds)
            except queue.Empty:
                if self._pool._retire(self):
                    return
                continue  # handed a job just now, or the last free thread: stay
            try:
                job.run(self._release)
            except Exception:  # Job.run does not raise; if it did, the thread would still serve
                traceback.print_exc(file=sys.__stderr__)

"""Which job a thread works for, inherited by the threads a job starts.

A job runs in one of the worker's job threads, one job at a time; the job id is kept on the
``threading.Thread`` object, so ``current_job()`` is one attribute lookup. The job thread
assigns it when it takes a job and clears it when the job is over (see jobs.Job.run), so
what it writes between jobs is nobody's. ``install()`` patches ``threading.Thread.__init__``
so that a thread created by a job's thread (directly, by a ``ThreadPoolExecutor`` growing
its pool, by a library) belongs to the same job: its prints and log records go to that job,
and, through ``on_start``, its Spark jobs join the job's group so that cancelling the job
cancels them too.

Not covered: Python code the JVM calls back (DStream ``foreachRDD`` / ``transform``
functions, ``foreachBatch``), which runs in py4j's callback threads, shared by all jobs;
threads created outside the job (a pool made at import time and reused by
several jobs keeps whatever job created each of its threads, or none), asyncio tasks
(they run in their loop's thread), other processes, and output written below Python
(C code writing to file descriptor 1 or 2).
"""

import threading

_ATTRIBUTE = "_haze_job"
_original_init = threading.Thread.__init__
_on_start = None


def current_job():
    """The id of the job the calling thread works for, or None."""
    return getattr(threading.current_thread(), _ATTRIBUTE, None)


def assign(thread: threading.Thread, job_id) -> None:
    setattr(thread, _ATTRIBUTE, job_id)


def install(on_start=None) -> None:
    """Make new threads inherit their creator's job; ``on_start(job_id)`` then runs first
    thing in each such thread. py4j's own threads are left out: a job may start the
    callback server, but its threads then serve the JVM for every later job too."""
    global _on_start
    _on_start = on_start
    if threading.Thread.__init__ is not _original_init:
        return

    def __init__(self, *args, **kwargs):
        _original_init(self, *args, **kwargs)
        job_id = current_job()
        if job_id is None or type(self).__module__.startswith("py4j"):
            return
        assign(self, job_id)
        if _on_start is not None:
            self.run = _starting(job_id, self.run)

    threading.Thread.__init__ = __init__


def _starting(job_id, run):
    def run_for_job():
        try:
            _on_start(job_id)
        except Exception:
            pass  # best effort: the thread's own work matters more than the job group
        return run()

    return run_for_job

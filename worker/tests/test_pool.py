"""The job threads (pool.py), with stand-in jobs: reuse, growth, stuck threads, idle exit."""

import threading
import time

from haze_worker.pool import JobThreads


class StandIn:
    """A job that notes its thread and, if given an event, holds it until the event is set
    (``release_early``: frees its thread first, as a job does once it cannot be cancelled)."""

    def __init__(self, hold: threading.Event = None, release_early: bool = False):
        self.hold, self.release_early = hold, release_early
        self.thread = None
        self.started = threading.Event()
        self.released = threading.Event()
        self.done = threading.Event()

    def run(self, release) -> None:
        self.thread = threading.current_thread()
        self.started.set()
        if self.release_early:
            release()
            self.released.set()
        if self.hold is not None:
            self.hold.wait()
        if not self.release_early:
            release()
        self.done.set()


def run(pool: JobThreads, job: StandIn) -> StandIn:
    pool.run(job)
    return job


def finished(*jobs) -> bool:
    return all(job.done.wait(5) for job in jobs)


def holds(condition, seconds: float) -> bool:
    """True if ``condition()`` stays true for ``seconds`` (checked every 10 ms): for what must
    not happen, such as a thread exiting."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if not condition():
            return False
        time.sleep(0.01)
    return condition()


def test_sequential_jobs_share_a_thread():
    pool = JobThreads()
    jobs = []
    for _ in range(3):
        job = run(pool, StandIn())
        assert finished(job)
        jobs.append(job)
    assert jobs[0].thread.name == "haze-job-thread-1"
    assert {job.thread for job in jobs} == {jobs[0].thread}


def test_jobs_at_once_get_threads_of_their_own_and_the_last_freed_is_reused():
    pool, hold = JobThreads(), threading.Event()
    side_by_side = [run(pool, StandIn(hold)) for _ in range(3)]
    hold.set()
    assert finished(*side_by_side)
    assert len({job.thread for job in side_by_side}) == 3
    # A job frees its thread before it is done: all three are free again, and the last one
    # freed takes the next job.
    following = run(pool, StandIn())
    assert finished(following) and following.thread in {job.thread for job in side_by_side}


def test_a_job_handed_to_a_thread_still_finishing_waits_for_it():
    pool, hold = JobThreads(), threading.Event()
    first = run(pool, StandIn(hold, release_early=True))
    assert first.released.wait(5)
    second = run(pool, StandIn())  # the first freed its thread, but is still in it
    assert not second.done.wait(0.2)
    hold.set()
    assert finished(first, second) and second.thread is first.thread


def test_a_stuck_thread_is_not_handed_jobs():
    pool, never = JobThreads(), threading.Event()
    stuck = run(pool, StandIn(never))  # never frees its thread
    assert stuck.started.wait(5)
    later = [run(pool, StandIn()) for _ in range(2)]
    assert finished(*later)
    assert stuck.thread not in {job.thread for job in later} and not stuck.done.is_set()
    never.set()


def test_idle_threads_exit_but_one():
    pool, hold = JobThreads(idle_seconds=0.2), threading.Event()
    jobs = [run(pool, StandIn(hold)) for _ in range(3)]
    hold.set()
    assert finished(*jobs)
    deadline = time.monotonic() + 5
    while sum(job.thread.is_alive() for job in jobs) > 1 and time.monotonic() < deadline:
        time.sleep(0.05)
    assert sum(job.thread.is_alive() for job in jobs) == 1
    # The last one stays warm, well past the idle time.
    assert holds(lambda: sum(job.thread.is_alive() for job in jobs) == 1, 0.5)
    survivor = run(pool, StandIn())
    assert finished(survivor) and survivor.thread.is_alive() and survivor.thread in {job.thread for job in jobs}

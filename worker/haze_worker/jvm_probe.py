"""Proof that the driver JVM still answers, for the heartbeat.

The Python process alone sending heartbeats proves half a worker: a driver JVM that is
stopped (SIGSTOP, a debugger, a machine paging itself to death) leaves the Python side
answering while every job hangs on a py4j call that never returns. So the heartbeat thread
asks the JVM a trivial question (its clock) through a thread of its own, and measures how
long a question has gone unanswered; it never waits for the answer itself.

py4j gives each Python thread its own connection to the gateway (its own JVM thread in
PySpark's pinned-thread mode, a pooled connection otherwise), so the question never queues
behind a job's long call: only a JVM that cannot run at all leaves it unanswered.
"""

import threading
import time


class JvmProbe:
    def __init__(self, ask):
        """``ask()`` makes one cheap round trip to the JVM; it may block while the JVM is stopped."""
        self._ask = ask
        self._lock = threading.Lock()
        self._pending_since = None  # monotonic time the unanswered question was asked
        self._wake = threading.Event()
        threading.Thread(target=self._loop, name="haze-jvm-probe", daemon=True).start()

    def silent_for(self) -> float:
        """Seconds the current question has waited for its answer; 0 after an answer, and
        then a new question is asked (so each heartbeat asks at most one)."""
        now = time.monotonic()
        with self._lock:
            if self._pending_since is None:
                self._pending_since = now
                self._wake.set()
                return 0.0
            return now - self._pending_since

    def _loop(self) -> None:
        while True:
            self._wake.wait()
            self._wake.clear()
            try:
                self._ask()
            except Exception:
                # A JVM that is gone fails the call rather than leaving it unanswered; its death
                # ends this process anyway (PR_SET_PDEATHSIG), so it counts as an answer here.
                pass
            with self._lock:
                self._pending_since = None

"""Exit when the Haze master goes away, so no process of ours outlives it.

On Linux the kernel delivers SIGKILL to us when the parent dies (``PR_SET_PDEATHSIG``);
elsewhere, and as a backstop, a daemon thread polls the parent pid. ``HAZE_PARENT_PID`` names
the master, which closes the race of a parent that died before we armed the signal.
"""

import ctypes
import os
import signal
import sys
import threading
import time

_PR_SET_PDEATHSIG = 1


def exit_with_parent(poll_seconds: float = 1.0) -> None:
    expected = int(os.environ.get("HAZE_PARENT_PID", "0")) or os.getppid()
    if sys.platform.startswith("linux"):
        try:
            libc = ctypes.CDLL(None, use_errno=True)
            libc.prctl(_PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0)
        except (OSError, AttributeError):
            pass
    if os.getppid() != expected:
        os._exit(70)

    def watch() -> None:
        while True:
            time.sleep(poll_seconds)
            if os.getppid() != expected:
                os._exit(70)

    threading.Thread(target=watch, name="haze-parent-watch", daemon=True).start()

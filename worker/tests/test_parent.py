"""A process that armed exit_with_parent dies with its parent."""

import os
import signal
import subprocess
import sys
import time

import pytest

CHILD = (
    "from haze_worker.parent import exit_with_parent; import time;"
    "exit_with_parent(0.1); print('armed', flush=True); time.sleep(60)"
)
# The middle process starts the child (naming itself in HAZE_PARENT_PID, as the master does),
# relays the child's pid and output, then waits to be killed.
MIDDLE = (
    "import os, subprocess, sys, time;"
    "env = dict(os.environ, HAZE_PARENT_PID=str(os.getpid()));"
    f"child = subprocess.Popen([sys.executable, '-c', {CHILD!r}], env=env);"
    "print(child.pid, flush=True); time.sleep(60)"
)


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    # A zombie still answers kill(0); it has exited for our purpose.
    with open(f"/proc/{pid}/stat") as stat:
        return stat.read().rsplit(")", 1)[1].split()[0] != "Z"


@pytest.mark.parametrize("wait_until_armed", [True, False], ids=["armed", "parent-died-first"])
def test_child_exits_when_its_parent_is_killed(wait_until_armed):
    middle = subprocess.Popen([sys.executable, "-c", MIDDLE], stdout=subprocess.PIPE, text=True)
    child_pid = int(middle.stdout.readline())
    try:
        if wait_until_armed:
            assert middle.stdout.readline().strip() == "armed"
        middle.send_signal(signal.SIGKILL)
        middle.wait(timeout=10)
        deadline = time.monotonic() + 10
        while _alive(child_pid) and time.monotonic() < deadline:
            time.sleep(0.05)
        assert not _alive(child_pid), "the child outlived its parent"
    finally:
        try:
            os.kill(child_pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
        middle.kill()
        middle.stdout.close()

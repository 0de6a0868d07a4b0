"""The worker's end of the link: one WebSocket to the master's ``/internal/workers/link``.

Frames are sent by a single sender thread from a queue. Job threads, the log flusher, the
heartbeat and the reader all send; a queue serializes them without the senders waiting for
socket I/O, and it matters for cancellation too: a job is stopped by an exception raised
asynchronously in its thread, which must never land inside the WebSocket library halfway
through writing a frame. Appending to a deque is a single C call, so a job thread that can
be cancelled is never inside the library at all.

A job's ``started`` and ``finished`` / ``failed`` frames are what its latency is measured
by, and waiting for the sender thread to be scheduled (it needs the GIL) costs 0.2–0.8 ms:
those are sent ``direct``, written by the job's thread itself when nothing is queued. The
job thread does so only where no cancel can reach it (see jobs.py).
"""

import collections
import inspect
import json
import sys
import threading
import time
import urllib.parse

from websockets.exceptions import ConnectionClosed
from websockets.sync.client import connect

LINK_PATH = "/internal/workers/link"
# The master sends small frames, but argumentsJson has no limit of its own in the schema.
_MAX_INCOMING = 64 * 2**20
# Queued frames above which a job thread writing logs waits for the sender to catch up.
_BACKLOG = 500


class LinkClosed(Exception):
    """The WebSocket is closed; ``code`` and ``reason`` are the close frame's, if any."""

    def __init__(self, code, reason):
        if code is None:
            super().__init__("closed without a close frame")
        else:
            super().__init__(f"closed with code {code}" + (f": {reason}" if reason else ""))
        self.code = code
        self.reason = reason


def link_url(master_url: str) -> str:
    """``http://host:port[/prefix]`` → ``ws://host:port[/prefix]/internal/workers/link``."""
    parts = urllib.parse.urlsplit(master_url)
    scheme = {"http": "ws", "https": "wss", "ws": "ws", "wss": "wss"}.get(parts.scheme)
    if scheme is None or not parts.netloc:
        raise ValueError(f"HAZE_MASTER_URL must be an http:// or https:// URL, got {master_url!r}")
    return urllib.parse.urlunsplit((scheme, parts.netloc, parts.path.rstrip("/") + LINK_PATH, "", ""))


class Link:
    def __init__(self, master_url: str, open_timeout: float = 10.0, ssl_context=None):
        """``ssl_context`` verifies a wss:// master (see master_tls.py); None: the system's CAs."""
        url = link_url(master_url)
        options = {"open_timeout": open_timeout, "max_size": _MAX_INCOMING,
                   # Liveness is the protocol's heartbeat, one mechanism, not WebSocket pings too.
                   "ping_interval": None, "close_timeout": 2}
        parameters = inspect.signature(connect).parameters
        if "proxy" in parameters:
            options["proxy"] = None  # the master is reached directly, whatever *_proxy says
        if ssl_context is not None and url.startswith("wss:"):
            # websockets 13 calls it ssl_context; a context on a ws:// URL is an error there.
            options["ssl" if "ssl" in parameters else "ssl_context"] = ssl_context
        self._ws = connect(url, **options)
        self._queue = collections.deque()
        self._wakeup = threading.Event()
        self._closed = False
        self._write_lock = threading.Lock()  # held while a frame is written
        self._sender = threading.Thread(target=self._send_loop, name="haze-link-sender", daemon=True)
        self._sender.start()

    def send(self, frame: dict, direct: bool = False) -> None:
        """Queue a frame; never raises: a closed link is noticed by its reader.

        With ``direct`` and nothing queued, the calling thread writes the frame itself (after
        the one being written, if any); otherwise it is queued behind the others. A thread's
        frames keep their order either way. Only a thread no asynchronous exception can
        reach may ask for it. Without ``direct``, never blocks."""
        if direct and not self._queue:
            with self._write_lock:
                if not self._queue:  # only the sender thread takes frames off, under the lock
                    self._write(frame)
                    return
        self._queue.append(frame)
        self._wakeup.set()

    def wait_for_room(self) -> None:
        """Hold back a thread producing frames in bulk (a job's logs) while the queue is long."""
        while len(self._queue) > _BACKLOG and not self._closed:
            time.sleep(0.01)

    def receive(self) -> str:
        """The next message from the master; LinkClosed once the connection is closed."""
        try:
            return self._ws.recv()
        except ConnectionClosed as exc:
            self._closed = True
            close = exc.rcvd
            raise LinkClosed(close.code if close else None, close.reason if close else "") from None

    def close(self, timeout: float = 2.0) -> None:
        """Send what is queued (for up to ``timeout`` seconds), then close the connection."""
        deadline = time.monotonic() + timeout
        while self._queue and not self._closed and time.monotonic() < deadline:
            time.sleep(0.01)
        if self._write_lock.acquire(timeout=max(0.0, deadline - time.monotonic())):
            self._write_lock.release()  # the last frame is written
        self._closed = True
        self._wakeup.set()
        try:
            self._ws.close()
        except Exception:
            pass

    def _send_loop(self) -> None:
        while not self._closed:
            self._wakeup.wait()
            self._wakeup.clear()
            while self._queue and not self._closed:
                with self._write_lock:
                    self._write(self._queue.popleft())

    def _write(self, frame: dict) -> None:
        try:
            self._ws.send(_text(frame))
        except ConnectionClosed:
            self._closed = True
        except Exception as exc:  # a frame we could not send must not stop the others
            print(f"haze worker: cannot send a {frame.get('type')} frame: {exc}", file=sys.__stderr__)


def _text(frame: dict) -> str:
    """UTF-8 JSON, or all-ASCII JSON when the frame holds lone surrogates UTF-8 cannot carry."""
    text = json.dumps(frame, ensure_ascii=False, separators=(",", ":"))
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        text = json.dumps(frame, separators=(",", ":"))
    return text

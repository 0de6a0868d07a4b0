"""A stand-in for Haze's master, for the worker's tests: it speaks the worker link and
serves artifacts over HTTP, and checks every frame, both ways, against
protocol/worker-link.schema.json.

The worker is started as the master starts it: ``spark-submit ... haze_worker/entry.py``
with the HAZE_* environment (see ``start_worker``).
"""

import hashlib
import http.server
import json
import os
import signal
import subprocess
import threading
import time
from pathlib import Path

import jsonschema
import pyspark
from websockets.exceptions import ConnectionClosed
from websockets.sync.server import serve

REPO = Path(__file__).resolve().parents[2]
SCHEMA = json.loads((REPO / "protocol" / "worker-link.schema.json").read_text())
ENTRY = REPO / "worker" / "haze_worker" / "entry.py"
SPARK_HOME = Path(pyspark.__file__).parent
PYTHON = REPO / ".venv" / "bin" / "python"
TERMINAL = ("finished", "failed")
_validator = jsonschema.Draft202012Validator(SCHEMA)


def validate(frame: dict) -> None:
    _validator.validate(frame)


class FakeMaster:
    def __init__(self, heartbeat_ms: int = 500, token: str = "secret-token"):
        self.heartbeat_ms = heartbeat_ms
        self.token = token
        self.frames = []  # every frame the worker sent, in order
        self.invalid = []  # (text, error) of frames that failed the schema
        self.artifacts = {}  # name → bytes served at /artifacts/<name>
        self.downloads = []  # names fetched over HTTP
        self.results = {}  # job id → (Content-Type, bytes) of results PUT at /results/<id>
        self.refuse_results = False  # True: answer result uploads 500, as a master whose disk fails
        self.heartbeating = True
        self._changed = threading.Condition()
        self._connection = None
        self._ws_server = serve(self._handle, "127.0.0.1", 0)
        self._http_server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), self._http_handler())
        self.ws_port = self._ws_server.socket.getsockname()[1]
        self.http_port = self._http_server.server_address[1]
        for target in (self._ws_server.serve_forever, self._http_server.serve_forever, self._heartbeat_loop):
            threading.Thread(target=target, daemon=True).start()

    @property
    def url(self) -> str:
        # The link and the artifacts are on two ports here; the real master serves both.
        return f"http://127.0.0.1:{self.ws_port}"

    def close(self) -> None:
        self._ws_server.shutdown()
        self._http_server.shutdown()

    # -- artifacts ----------------------------------------------------------------------

    def add_artifact(self, name: str, content: bytes) -> dict:
        """The ``artifact`` field of a run frame for this content, served from now on."""
        self.artifacts[name] = content
        return {"name": name, "sha1": hashlib.sha1(content).hexdigest(),
                "url": f"http://127.0.0.1:{self.http_port}/artifacts/{name}"}

    def _http_handler(self):
        master = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_GET(self):
                name = self.path.rsplit("/", 1)[-1]
                content = master.artifacts.get(name)
                if content is None:
                    self.send_error(404)
                    return
                master.downloads.append(name)
                self.send_response(200)
                self.send_header("Content-Length", str(len(content)))
                self.end_headers()
                self.wfile.write(content)

            def do_PUT(self):
                """A result upload: a chunked body, as the real master takes it."""
                job_id = self.path.rsplit("/", 1)[-1]
                if master.refuse_results:
                    self._answer(500, {"status": 500, "detail": f"cannot store the result of job {job_id}: disk full"})
                    return
                body = bytearray()
                while True:
                    size = int(self.rfile.readline().split(b";")[0], 16)
                    body += self.rfile.read(size)
                    self.rfile.readline()
                    if size == 0:
                        break
                with master._changed:
                    master.results[job_id] = (self.headers["Content-Type"], bytes(body))
                self._answer(200, {"size": len(body)})

            def _answer(self, status, value):
                data = json.dumps(value).encode()
                self.send_response(status)
                self.send_header("Content-Length", str(len(data)))
                self.send_header("Connection", "close")
                self.end_headers()
                self.wfile.write(data)
                self.close_connection = True

            def log_message(self, *args):
                pass

        return Handler

    # -- the link -----------------------------------------------------------------------

    def _handle(self, connection) -> None:
        if connection.request.path != "/internal/workers/link":
            connection.close(4004, "wrong path")
            return
        self._connection = connection
        try:
            for text in connection:
                self._receive(text)
        except ConnectionClosed:
            pass
        finally:
            with self._changed:
                self._connection = None
                self._changed.notify_all()

    def _receive(self, text) -> None:
        try:
            frame = json.loads(text)
            validate(frame)
        except Exception as exc:
            with self._changed:
                self.invalid.append((text, str(exc)))
                self._changed.notify_all()
            return
        if frame["type"] == "hello" and frame["token"] != self.token:
            self._connection.close(4001, "bad token")
            return
        with self._changed:
            self.frames.append(frame)
            self._changed.notify_all()

    def send(self, frame: dict) -> None:
        validate(frame)
        self._connection.send(json.dumps(frame))

    def send_raw(self, text: str) -> None:
        self._connection.send(text)

    def disconnect(self) -> None:
        """Drop the worker's connection (as a dying master would)."""
        self._connection.close()

    def _heartbeat_loop(self) -> None:
        while True:
            time.sleep(self.heartbeat_ms / 1000)
            connection = self._connection
            if self.heartbeating and connection is not None:
                try:
                    self.send({"type": "heartbeat", "time": int(time.time() * 1000)})
                except Exception:
                    pass

    # -- waiting for frames -------------------------------------------------------------

    def wait_for(self, predicate, timeout: float = 60.0) -> dict:
        """The first frame (oldest first) that satisfies ``predicate``."""
        deadline = time.monotonic() + timeout
        with self._changed:
            while True:
                for frame in self.frames:
                    if predicate(frame):
                        return frame
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    raise TimeoutError(f"no such frame within {timeout}s; got {[f['type'] for f in self.frames]}")
                self._changed.wait(remaining)

    def wait_type(self, frame_type: str, timeout: float = 60.0) -> dict:
        return self.wait_for(lambda frame: frame["type"] == frame_type, timeout)

    def wait_disconnected(self, timeout: float) -> None:
        deadline = time.monotonic() + timeout
        with self._changed:
            while self._connection is not None:
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    raise TimeoutError("the worker is still connected")
                self._changed.wait(remaining)

    def job_frames(self, job_id: str) -> list:
        with self._changed:
            return [frame for frame in self.frames if frame.get("jobId") == job_id]

    def log_lines(self, job_id: str) -> list:
        return [line for frame in self.job_frames(job_id) if frame["type"] == "log" for line in frame["lines"]]

    # -- jobs ---------------------------------------------------------------------------

    def run(self, job_id: str, artifact: dict, class_name: str, arguments=None, context_kind="spark_session",
            result_limit=1_000_000, streaming_duration=1000, lang="python") -> None:
        self.send({
            "type": "run", "jobId": job_id, "artifact": artifact, "className": class_name,
            "argumentsJson": json.dumps(arguments or {}), "contextKind": context_kind,
            "streamingDuration": streaming_duration, "resultLimit": result_limit, "lang": lang,
            "resultUrl": f"http://127.0.0.1:{self.http_port}/results/{job_id}",
        })

    def outcome(self, job_id: str, timeout: float = 60.0) -> dict:
        """The job's finished / failed frame."""
        return self.wait_for(lambda frame: frame.get("jobId") == job_id and frame["type"] in TERMINAL, timeout)

    def call(self, job_id: str, artifact: dict, class_name: str, arguments=None, timeout=60.0, **options) -> dict:
        self.run(job_id, artifact, class_name, arguments, **options)
        return self.outcome(job_id, timeout)


class WorkerProcess:
    """A worker started as the master starts it: spark-submit, HAZE_* environment, a process
    group of its own. Its output (Spark's and the worker's) is kept for failure messages."""

    def __init__(self, master: FakeMaster, cache_dir: Path, worker_id: str = "w1", token: str = None,
                 conf: dict = None):
        env = {
            **os.environ,
            "HAZE_MASTER_URL": master.url,
            "HAZE_WORKER_ID": worker_id,
            "HAZE_WORKER_TOKEN": token or master.token,
            "HAZE_WORKER_CACHE": str(cache_dir),
            "HAZE_HEARTBEAT_MS": str(master.heartbeat_ms),
            "HAZE_PARENT_PID": str(os.getpid()),
            "PYSPARK_PYTHON": str(PYTHON),
            "PYSPARK_DRIVER_PYTHON": str(PYTHON),
            "SPARK_HOME": str(SPARK_HOME),
            "PYTHONDONTWRITEBYTECODE": "1",
        }
        conf = {"spark.master": "local[2]", "spark.ui.enabled": "false", "spark.sql.shuffle.partitions": "2",
                **(conf or {})}
        command = [str(SPARK_HOME / "bin" / "spark-submit")]
        for key, value in conf.items():
            command += ["--conf", f"{key}={value}"]
        command += ["--name", worker_id, str(ENTRY)]
        self.output = []
        self.process = subprocess.Popen(command, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                                        start_new_session=True)
        threading.Thread(target=self._read_output, daemon=True).start()

    def _read_output(self) -> None:
        for line in self.process.stdout:
            self.output.append(line.decode("utf-8", "replace").rstrip("\n"))

    def tail(self, lines: int = 40) -> str:
        return "\n".join(self.output[-lines:])

    def wait(self, timeout: float) -> int:
        return self.process.wait(timeout=timeout)

    def stop(self) -> None:
        """Kill whatever is left of the process group (the JVM, the Python driver)."""
        try:
            os.killpg(self.process.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
        self.process.wait(timeout=30)

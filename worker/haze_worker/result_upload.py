"""A result over ``resultLimit``, streamed to the master as it is encoded (see results.py).

One ``PUT`` to the run frame's ``resultUrl``, its body sent with chunked transfer encoding, so
neither side needs the size in advance nor the result whole; the worker's credential
(``HAZE_WORKER_CREDENTIAL``) is its bearer token. Over HTTP rather than a file on a shared disk:
a worker of a cluster or a manual runner may run on another machine than its master. The
master answers ``{"size"}`` once the file is in place, which must be what was sent.
"""

import http.client
import json
import urllib.parse

from .results import ResultError

_MEDIA_TYPES = {"json": "application/json", "jsonl": "application/x-ndjson"}
_TIMEOUT_SECONDS = 120
_MAX_ANSWER = 64 * 1024


class ResultUpload:
    def __init__(self, url: str, format: str, credential: str | None = None, ssl_context=None):
        parts = urllib.parse.urlsplit(url)
        if parts.scheme not in ("http", "https") or not parts.hostname:
            raise ResultError(f"cannot store the result: resultUrl {url!r} is not an http(s) URL")
        self._url = url
        self._sent = 0
        try:
            if parts.scheme == "https":
                self._connection = http.client.HTTPSConnection(parts.hostname, parts.port, timeout=_TIMEOUT_SECONDS,
                                                               context=ssl_context)
            else:
                self._connection = http.client.HTTPConnection(parts.hostname, parts.port, timeout=_TIMEOUT_SECONDS)
            path = parts.path + (f"?{parts.query}" if parts.query else "")
            self._connection.putrequest("PUT", path, skip_accept_encoding=True)
            self._connection.putheader("Content-Type", _MEDIA_TYPES[format])
            self._connection.putheader("Transfer-Encoding", "chunked")
            if credential:
                self._connection.putheader("Authorization", f"Bearer {credential}")
            self._connection.endheaders()
        except OSError as exc:
            self.abort()
            raise ResultError(f"cannot store the result: cannot reach the master at {url}: {exc}") from exc

    def write(self, data: bytes) -> None:
        if not data:
            return  # an empty chunk would end the body
        try:
            self._connection.send(b"%x\r\n" % len(data))
            self._connection.send(data)
            self._connection.send(b"\r\n")
        except OSError as exc:
            raise self._refusal(exc) from exc
        self._sent += len(data)

    def close(self) -> int:
        """Ends the body and returns the size the master stored; ResultError if it did not."""
        try:
            self._connection.send(b"0\r\n\r\n")
        except OSError as exc:
            raise self._refusal(exc) from exc
        try:
            status, detail, answer = self._answer()
        except OSError as exc:
            raise ResultError(f"cannot store the result: no answer from the master at {self._url} after "
                              f"{self._sent} bytes: {exc}") from exc
        finally:
            self.abort()
        if status != 200:
            raise ResultError(f"the master did not store the result ({self._sent} bytes sent): HTTP {status}: {detail}")
        size = answer.get("size") if isinstance(answer, dict) else None
        if size != self._sent:
            raise ResultError(f"the master stored {size} bytes of the result, but {self._sent} were sent")
        return size

    def abort(self) -> None:
        try:
            self._connection.close()
        except Exception:
            pass

    def _refusal(self, exc: OSError) -> ResultError:
        """The master may have answered and closed the connection (its disk refused the file):
        its answer says why better than the broken pipe does."""
        try:
            status, detail, _ = self._answer()
            reason = f"HTTP {status}: {detail}"
        except Exception:
            reason = str(exc)
        self.abort()
        return ResultError(f"the master did not store the result ({self._sent} bytes sent): {reason}")

    def _answer(self):
        response = self._connection.getresponse()
        body = response.read(_MAX_ANSWER)
        try:
            answer = json.loads(body)
        except ValueError:
            answer = None
        detail = answer.get("detail") if isinstance(answer, dict) and "detail" in answer else body.decode("utf-8", "replace")
        return response.status, detail, answer
